"""Photos as arrays for lessons, training and evaluation: square crops of any source at one size.

Used by notebooks ``02``-``07`` through :func:`colorkit.course.lesson_source` and :mod:`colorkit.evaluate` (the lessons' data) and used by ``colorkit train`` and
``colorkit evaluate``. A *source* is ``"samples"`` (the built-in photos), a folder made by
``colorkit prepare`` (one of its splits), or a folder / list of photo files.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from colorkit.color import lab_to_rgb

log = logging.getLogger(__name__)

DEFAULT_SIZE = 256


def square_crop(rgb: np.ndarray, size: int) -> np.ndarray:
    """Centre square of a photo resized to ``size x size`` (as ``colorkit prepare --resize crop`` does)."""
    from colorkit.data.prepare import resize_square

    return resize_square(np.asarray(rgb), size, "crop")[0]


def is_prepared(folder) -> bool:
    return (Path(folder) / "manifest.csv").is_file()


def load_images(source, size: int = DEFAULT_SIZE, split: str = "test", limit: int | None = None,
                seed: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """``(images, names)``: uint8 ``size x size x 3`` photos from ``source``.

    ``source``: ``"samples"`` (the built-in colour photos), a prepared folder (rows of ``split``), or a
    folder / list of image files (all of them; ``split`` is ignored). ``limit`` keeps an evenly spread,
    deterministic subset. Unreadable files are skipped with a logged warning, never silently.
    """
    if isinstance(source, str) and source == "samples":
        from colorkit.data.samples import COLOR_SAMPLES, load_sample

        names = list(COLOR_SAMPLES)
        imgs = [square_crop(load_sample(n), size) for n in names]
    elif isinstance(source, (str, os.PathLike)) and is_prepared(source):
        imgs, names = _load_prepared(Path(source), size, split, limit)
    else:
        from colorkit.data.images import ImageReadError, collect_inputs, load_rgb

        files = collect_inputs([source] if isinstance(source, (str, os.PathLike)) else list(source), recursive=True)
        files = _subset(files, limit)
        imgs, names = [], []
        for f in files:
            try:
                imgs.append(square_crop(load_rgb(f, draft=(size, size)), size))
                names.append(Path(f).name)
            except ImageReadError as e:
                log.warning("skipped %s: %s", f, e)
    if limit is not None and len(imgs) > limit:
        keep = _subset(list(range(len(imgs))), limit)
        imgs, names = [imgs[i] for i in keep], [names[i] for i in keep]
    if not imgs:
        raise ValueError(f"no usable photos in {source!r} (split {split!r}); give a folder of colour photos, "
                         "a folder made by `colorkit prepare`, or 'samples'")
    return imgs, names


def _subset(items: list, limit: int | None) -> list:
    if limit is None or len(items) <= limit:
        return list(items)
    idx = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in idx]


def _load_prepared(root: Path, size: int, split: str, limit: int | None):
    from colorkit.data import shards as S
    from colorkit.data.prepare import read_manifest

    rows = [r for r in read_manifest(root) if r["split"] == split]
    rows = _subset(rows, limit)
    imgs, names, cache = [], [], {}
    for r in rows:
        if r["shard"] not in cache:
            cache[r["shard"]] = S.open_shard(root / r["shard"])
        sh = cache[r["shard"]]
        lab = S.decode_lab(sh["L"][r["index"]], sh["ab"][r["index"]])
        stored = lab.shape[0]
        if stored >= size:  # the centre crop, as colorkit.data.dataset.load_split takes it
            y = (stored - size) // 2
            imgs.append(lab_to_rgb(lab[y:y + size, y:y + size], dtype=np.uint8))
        else:
            imgs.append(square_crop(lab_to_rgb(lab, dtype=np.uint8), size))
        names.append(Path(r["source"]).name or r["hash"][:12])
    return imgs, names


def find_prepared(size: int, prefer: str | None = None) -> Path | None:
    """A finished ``colorkit prepare`` / ``course_data`` folder under ``data_dir("prepared")`` whose images
    are at least ``size`` pixels (scored as centre crops), or None. Ranking: the name starts with
    ``prefer``, then the exact size, then the most images. Prepared built-in photos are left out (the
    offline fallback ``"samples"`` scores all eight)."""
    import json

    from colorkit.paths import data_dir

    root = data_dir("prepared")
    found = []
    for meta in sorted(root.glob("*/prepare.json")) if root.is_dir() else []:
        try:
            info = json.loads(meta.read_text())
            stored = int(info.get("settings", {}).get("size", -1))
        except (OSError, ValueError, TypeError):
            continue
        folder = meta.parent
        if not info.get("complete") or stored < size or folder.name.startswith("samples"):
            continue
        found.append((bool(prefer) and folder.name.startswith(prefer), stored == size, int(info.get("images", 0)),
                      str(folder)))
    return Path(max(found)[3]) if found else None


def course_eval_source(preset, data: str = "", online: bool | None = None) -> Path:
    """The prepared folder a lesson trains on (its ``train`` split) and scores (its ``test`` split, which no
    run trains on). Introduced in notebook ``02_baseline_cnn``.

    ``data``: a prepared folder is used as is; a folder of photos is prepared once with its own
    60/20/20 split by :func:`colorkit.data.course.course_data`. Without ``data``: the course's prepared
    data if it is on disk (lesson 01, or an earlier lesson), else :func:`~colorkit.data.course.course_data`
    gets it (downloading the preset's dataset when online; the built-in photos under ``smoke`` or offline,
    prepared with the same split, so their test photos are never trained on either).
    """
    from colorkit.data.course import course_data

    if data:
        return Path(data) if is_prepared(data) else course_data(preset, data)
    found = find_prepared(preset.image_size, preset.data_source)
    return found if found is not None else course_data(preset, online=online)


def train_tensors(images: Sequence[np.ndarray]):
    """uint8 photos (all the same size) -> ``(L_norm N1HW, ab_norm N2HW)`` float tensors."""
    import torch

    from colorkit.color import rgb_to_lab_norm_torch

    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float().div_(255)
    L, ab = rgb_to_lab_norm_torch(x)
    return L.contiguous(), ab.contiguous()


def load_training_data(data, split: str, size: int, limit: int | None = None, max_crop: int | None = None):
    """A dataset of ``(L_norm, ab_norm)`` for ``split`` of ``data``: the shard dataset of the data module when
    ``data`` is a ``colorkit prepare`` folder (augmented for ``train``), else the photos decoded into
    memory (a prepared folder's split, a folder of photos, or ``"samples"`` for the built-in photos).
    ``max_crop`` (prepared folders, training split): random squares of ``size..max_crop`` px resized to
    ``size``, a scale augmentation."""
    import torch

    if is_prepared(data):
        from colorkit.data.dataset import (
            ShardDataset,  # streaming from memory-mapped shards
        )

        # training sees random crops and flips; validation the same fixed centre crops every time
        train = split == "train"
        return ShardDataset(data, split=split, crop=size, augment=train, max_crop=max_crop if train else None)
    if max_crop:
        raise ValueError("--max-crop needs a prepared folder (colorkit prepare ... --size N with N >= max_crop)")
    imgs, _ = load_images(data, size, split=split, limit=limit)
    return torch.utils.data.TensorDataset(*train_tensors(imgs))
