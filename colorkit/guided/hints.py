"""Colour hints: one format for a few clicked colours, its JSON file, and its rasterisation.

Introduced in notebook ``08_user_guided``. A hint is a position, a colour and an optional patch:

* ``x``, ``y`` in [0, 1]: fractions of the photo's width and height, so one file serves every
  resolution. The centre of pixel column ``c`` of a ``W``-wide image is ``(c + 0.5) / W``; the pixel
  that holds ``(x, y)`` is :func:`pixel_of`.
* ``color``: ``"#rrggbb"`` sRGB. Only its CIELAB a*b* is used (:attr:`Hint.ab`); L always comes from the
  photo, as in every colorkit colorization.
* ``radius`` (optional, default 0): the hint covers the ``(2 radius + 1)`` pixel square around its pixel,
  in pixels of the work size (the size at which hints are spread).

A hints file is JSON: ``{"hints": [{"x": 0.31, "y": 0.62, "color": "#b03a2e"}, ...]}``; other top-level
keys (``"photo"``, ``"seed"``) are kept as information. :func:`read_hints` validates it and raises
:class:`HintError` with a one-line message naming the fault; :func:`write_hints` writes it atomically.
The model input format is :func:`hint_tensor`: normalized a*b* times the mask, then the mask.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from colorkit.color import AB_SCALE, rgb_to_lab

MAX_HINTS = 100_000  # a file with more is refused (10,000 hints work: Levin and the network take any number)
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


class HintError(ValueError):
    """A hints file or hint that is not valid; the message names the fault in one line."""


def parse_color(color) -> tuple[int, int, int]:
    """``"#rrggbb"`` -> ``(r, g, b)`` in 0..255, or :class:`HintError`."""
    if not isinstance(color, str) or not _HEX.fullmatch(color.strip()):
        raise HintError(f"color {color!r} is not a colour: write it as \"#rrggbb\" (e.g. \"#b03a2e\")")
    c = color.strip()
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def hex_color(rgb) -> str:
    """``(r, g, b)`` in 0..255 -> ``"#rrggbb"`` (lower case)."""
    r, g, b = (int(np.clip(round(float(v)), 0, 255)) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def color_ab(color: str) -> tuple[float, float]:
    """The CIELAB a*, b* of an sRGB ``"#rrggbb"`` colour (LAB units)."""
    lab = rgb_to_lab(np.array([[parse_color(color)]], np.uint8))[0, 0]
    return float(lab[1]), float(lab[2])


@dataclass(frozen=True)
class Hint:
    """One colour hint: position as fractions of width and height, ``"#rrggbb"`` colour, patch radius."""

    x: float
    y: float
    color: str
    radius: int = 0

    @property
    def ab(self) -> tuple[float, float]:
        """The hint's a*, b* in LAB units (its colour's; the colour's own lightness is not used)."""
        return color_ab(self.color)

    def to_json(self) -> dict:
        d = {"x": round(float(self.x), 6), "y": round(float(self.y), 6), "color": self.color.lower()}
        if self.radius:
            d["radius"] = int(self.radius)
        return d


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise HintError(f"{what}={value!r} is not a number")
    return float(value)


def make_hint(entry, index: int = 0) -> Hint:
    """One validated :class:`Hint` from a JSON entry ``{"x", "y", "color"[, "radius"]}``."""
    where = f"hint {index}"
    if not isinstance(entry, dict):
        raise HintError(f"{where}: expected an object with x, y and color, got {type(entry).__name__}")
    unknown = sorted(set(entry) - {"x", "y", "color", "radius"})
    if unknown:
        raise HintError(f"{where}: unknown key(s) {', '.join(unknown)} (a hint has x, y, color and radius)")
    for key in ("x", "y", "color"):
        if key not in entry:
            raise HintError(f"{where}: missing {key!r}")
    x, y = _number(entry["x"], f"{where}: x"), _number(entry["y"], f"{where}: y")
    for name, v in (("x", x), ("y", y)):
        if not 0.0 <= v <= 1.0:
            raise HintError(f"{where}: {name}={v:g} is outside [0, 1] (positions are fractions of width and height)")
    try:
        parse_color(entry["color"])
    except HintError as e:
        raise HintError(f"{where}: {e}") from None
    radius = entry.get("radius", 0)
    if isinstance(radius, bool) or not isinstance(radius, (int, float)) or radius != int(radius) or not 0 <= radius <= 64:
        raise HintError(f"{where}: radius={radius!r} must be a whole number of pixels from 0 to 64")
    return Hint(x, y, entry["color"].strip().lower(), int(radius))


def parse_hints(obj) -> list[Hint]:
    """Validate a decoded hints file (``{"hints": [...]}``, or the bare list) -> list of :class:`Hint`."""
    entries = obj.get("hints") if isinstance(obj, dict) else obj
    if isinstance(obj, dict) and "hints" not in obj:
        raise HintError("no \"hints\" key: a hints file is {\"hints\": [{\"x\": ..., \"y\": ..., \"color\": \"#rrggbb\"}]}")
    if not isinstance(entries, list):
        raise HintError(f"\"hints\" must be a list, got {type(entries).__name__}")
    if len(entries) > MAX_HINTS:
        raise HintError(f"{len(entries):,} hints: at most {MAX_HINTS:,} are accepted")
    return [make_hint(e, i) for i, e in enumerate(entries)]


def read_hints(path) -> list[Hint]:
    """Read and validate a hints JSON file (:class:`HintError` names the fault, with the file's name)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no hints file {path}")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise HintError(f"{path}: not valid JSON ({e})") from None
    try:
        return parse_hints(obj)
    except HintError as e:
        raise HintError(f"{path}: {e}") from None


def hints_to_json(hints, **meta) -> dict:
    """The JSON object of a hints file: ``meta`` keys first, then ``"hints"``."""
    return {**meta, "hints": [h.to_json() for h in hints]}


def write_hints(path, hints, **meta) -> Path:
    """Write ``hints`` (and information keys such as ``photo=``, ``seed=``) as a hints file, atomically."""
    from colorkit.files import atomic_write_bytes

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, (json.dumps(hints_to_json(hints, **meta), indent=1) + os.linesep).encode("utf-8"))
    return path


def pixel_of(x: float, y: float, height: int, width: int) -> tuple[int, int]:
    """``(row, col)`` of the pixel of a ``height x width`` image that holds the point ``(x, y)``."""
    return min(int(y * height), height - 1), min(int(x * width), width - 1)


def hint_maps(hints, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Rasterise hints at ``height x width``: ``(ab, mask)``, ``ab`` float32 HxWx2 in LAB units, ``mask``
    float32 HxW in {0, 1}. A hint covers its ``(2 radius + 1)``-pixel square (clipped at the borders); where
    hints overlap, the later one wins."""
    ab = np.zeros((height, width, 2), np.float32)
    mask = np.zeros((height, width), np.float32)
    for h in hints:
        r, c = pixel_of(h.x, h.y, height, width)
        k = int(h.radius)
        ab[max(r - k, 0):r + k + 1, max(c - k, 0):c + k + 1] = h.ab
        mask[max(r - k, 0):r + k + 1, max(c - k, 0):c + k + 1] = 1.0
    return ab, mask


def hint_tensor(hints, height: int, width: int, device=None):
    """The hint network's input: ``1 x 3 x H x W`` float32 tensor of ``(a / AB_SCALE * mask,
    b / AB_SCALE * mask, mask)`` (normalized a*b* as :func:`colorkit.color.normalize_ab`)."""
    import torch

    ab, mask = hint_maps(hints, height, width)
    arr = np.concatenate([ab / AB_SCALE * mask[..., None], mask[..., None]], axis=-1)
    return torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)[None])).to(device or "cpu")
