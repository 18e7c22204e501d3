"""The built-in photos: the ones that ship inside the scikit-image wheel (no network, ever).

Introduced in notebook ``00_quickstart``; every lesson shows :data:`SAMPLE_NAMES` so progress
across lessons is visible. They are also the default data when nothing else is given or the
network is off (``colorkit prepare samples``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Sample:
    name: str
    file: str  # file name inside skimage/data
    kind: str  # "color" or "gray"
    license: str


_SAMPLES = [
    Sample("astronaut", "astronaut.png", "color", "public domain (NASA)"),
    Sample("chelsea", "chelsea.png", "color", "CC0, Stefan van der Walt"),
    Sample("coffee", "coffee.png", "color", "CC0, Rachel Michetti"),
    Sample("rocket", "rocket.jpg", "color", "public domain (SpaceX)"),
    Sample("motorcycle_left", "motorcycle_left.png", "color",
           "Middlebury 2014 stereo dataset (Scharstein et al.), research use"),
    Sample("motorcycle_right", "motorcycle_right.png", "color",
           "Middlebury 2014 stereo dataset (Scharstein et al.), research use"),
    Sample("hubble_deep_field", "hubble_deep_field.jpg", "color", "public domain (NASA)"),
    Sample("retina", "retina.jpg", "color", "CC0 (Haggstrom, Wikimedia Commons)"),
    Sample("camera", "camera.png", "gray", "CC0, Lav Varshney"),
    Sample("moon", "moon.png", "gray", "public domain (scikit-image data)"),
    Sample("coins", "coins.png", "gray", "no known copyright restrictions (Brooklyn Museum)"),
    Sample("text", "text.png", "gray", "public domain (scikit-image data)"),
]
SAMPLES = {s.name: s for s in _SAMPLES}
COLOR_SAMPLES = tuple(s.name for s in _SAMPLES if s.kind == "color")
GRAY_SAMPLES = tuple(s.name for s in _SAMPLES if s.kind == "gray")
# The photos every lesson shows, in this order (natural colour photos with clear objects).
SAMPLE_NAMES = ("astronaut", "chelsea", "coffee", "rocket")


def samples_dir() -> Path:
    """The folder inside the installed scikit-image that holds the sample files."""
    import skimage

    return Path(skimage.__file__).parent / "data"


def sample_path(name: str) -> Path:
    if name not in SAMPLES:
        raise KeyError(f"unknown sample {name!r}; built-in photos: {', '.join(SAMPLES)}")
    path = samples_dir() / SAMPLES[name].file
    if not path.exists():  # pragma: no cover - a stripped scikit-image install
        raise FileNotFoundError(f"{path} is missing from this scikit-image install; reinstall scikit-image")
    return path


def load_sample(name: str) -> np.ndarray:
    """One built-in photo as uint8: HxWx3 for colour photos, HxW for grayscale ones."""
    from PIL import Image

    with Image.open(sample_path(name)) as im:
        im = im.convert("RGB" if SAMPLES[name].kind == "color" else "L")
        return np.asarray(im)


def sample_paths(kind: str = "color") -> list[Path]:
    """Paths of the built-in photos of one kind (``color``, ``gray`` or ``all``)."""
    if kind not in ("color", "gray", "all"):
        raise ValueError("kind must be 'color', 'gray' or 'all'")
    return [sample_path(s.name) for s in _SAMPLES if kind == "all" or s.kind == kind]


def license_table() -> list[dict]:
    return [{"name": s.name, "kind": s.kind, "license": s.license} for s in _SAMPLES]
