"""torch datasets over prepared shards: normalized (L, ab) pairs for training and evaluation.

Introduced in notebook ``01_data_prep``; used by every training lesson (``02``-``05``) and by
evaluation (``06``).

* :class:`ShardDataset` returns ``(L_norm 1xHxW, ab_norm 2xHxW)`` float32 tensors, normalized with
  :func:`colorkit.color.normalize_l` / :func:`colorkit.color.normalize_ab`. Training (``augment=True``):
  a random ``crop`` and a horizontal flip (and, with ``max_crop``, a random scale: a square of
  ``crop..max_crop`` px resized to ``crop``); evaluation: the centre crop. Shards are memory-mapped
  lazily in each process, so the dataset pickles cheaply into DataLoader workers.
* ``repeats`` makes one epoch visit every image several times (a new random crop each time): the
  smoke preset's handful of photos still gives many different training samples.
* :func:`make_loaders` builds the train/val DataLoaders for a preset; :func:`load_split` returns a
  whole split as numpy arrays in LAB units for evaluation.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from colorkit.color import lab_to_rgb, normalize_ab, normalize_l
from colorkit.data import shards as S
from colorkit.data.prepare import read_manifest
from colorkit.data.split import split_indices


def _torch():
    import torch

    return torch


class ShardDataset:
    """Images of one split of a prepared folder (see :mod:`colorkit.data.prepare`).

    ``crop``: side of the square crops (None: the whole stored image). ``augment``: random crop position
    and horizontal flip (training); otherwise the centre crop. ``repeats``: each image appears this many
    times per epoch. ``limit``: use only the first N images of the split (in manifest order).
    """

    def __init__(self, root: str | os.PathLike, split: str = "train", crop: int | None = None,
                 augment: bool | None = None, repeats: int = 1, limit: int | None = None, seed: int | None = None,
                 max_crop: int | None = None):
        self.root = Path(root)
        rows = read_manifest(self.root)
        if not rows:
            raise ValueError(f"{self.root} holds no images (all were skipped?): see {self.root / 'skipped.csv'}")
        idx = split_indices([r["split"] for r in rows], split)
        if not idx:
            raise ValueError(f"the {split!r} split of {self.root} is empty ({len(rows)} images in all)")
        if limit is not None:
            idx = idx[: int(limit)]
        self.split = split
        self.rows = [rows[i] for i in idx]
        self.size = int(S.read_json(self.root / "prepare.json")["settings"]["size"])
        self.crop = int(crop) if crop else self.size
        if self.crop > self.size:
            raise ValueError(f"crop {self.crop} is larger than the prepared images ({self.size}x{self.size}); "
                             f"prepare with --size {self.crop} or more, or use a smaller crop")
        self.augment = (split == "train") if augment is None else bool(augment)
        self.max_crop = int(max_crop) if max_crop else self.crop  # scale jitter: squares of crop..max_crop px
        if not self.crop <= self.max_crop <= self.size:
            raise ValueError(f"max_crop {self.max_crop} must lie between the crop ({self.crop}) and the prepared "
                             f"size ({self.size})")
        self.repeats = max(1, int(repeats))
        self.seed = seed
        self._shards: dict[str, dict] = {}

    def __len__(self) -> int:
        return len(self.rows) * self.repeats

    def __getstate__(self):  # workers re-open the memory maps themselves
        state = self.__dict__.copy()
        state["_shards"] = {}
        return state

    def _arrays(self, shard: str) -> dict:
        if shard not in self._shards:
            self._shards[shard] = S.open_shard(self.root / shard)
        return self._shards[shard]

    def raw(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Stored (L uint8 SxS, ab int8 SxSx2) of image ``i`` of this split (no crop)."""
        r = self.rows[i % len(self.rows)]
        a = self._arrays(r["shard"])
        return a["L"][r["index"]], a["ab"][r["index"]]

    def _window(self, i: int) -> tuple[int, int, int, bool]:
        """Crop corner, side and flip for item ``i``: random when augmenting (torch's generator, so
        ``seed_everything`` and DataLoader worker seeding make runs reproducible; or ``(seed, i)`` when a
        ``seed`` was given), the centre otherwise. The side is ``crop`` unless ``max_crop`` is larger."""
        if not self.augment:
            room = self.size - self.crop
            return room // 2, room // 2, self.crop, False
        if self.seed is not None:
            rng = np.random.default_rng((self.seed, i))
            side = int(rng.integers(self.crop, self.max_crop + 1))
            room = self.size - side
            return int(rng.integers(0, room + 1)), int(rng.integers(0, room + 1)), side, bool(rng.integers(0, 2))
        torch = _torch()
        side = int(torch.randint(self.crop, self.max_crop + 1, (1,)).item()) if self.max_crop > self.crop else self.crop
        room = self.size - side
        y, x = torch.randint(0, room + 1, (2,)).tolist()
        return y, x, side, bool(torch.randint(0, 2, (1,)).item())

    def __getitem__(self, i: int):
        torch = _torch()
        if i < 0 or i >= len(self):
            raise IndexError(i)
        L, ab = self.raw(i)
        y, x, c, flip = self._window(i)
        L = S.decode_l(L[y:y + c, x:x + c])
        ab = S.decode_ab(ab[y:y + c, x:x + c])
        if flip:
            L, ab = L[:, ::-1], ab[:, ::-1]
        L_t = torch.from_numpy(np.ascontiguousarray(normalize_l(L), dtype=np.float32))[None]
        ab_t = torch.from_numpy(np.ascontiguousarray(normalize_ab(ab).transpose(2, 0, 1), dtype=np.float32))
        if c != self.crop:  # scale jitter: the larger square shrunk to the training size (antialiased)
            F = torch.nn.functional
            L_t, ab_t = (F.interpolate(t[None], size=(self.crop, self.crop), mode="bilinear", antialias=True,
                                       align_corners=False)[0] for t in (L_t, ab_t))
        return L_t, ab_t

    def sources(self) -> list[str]:
        return [r["source"] for r in self.rows]


def make_loaders(root: str | os.PathLike, preset, crop: int | None = None, min_batches: int = 8,
                 batch_size: int | None = None, num_workers: int | None = None):
    """``(train_loader, val_loader)`` for a :class:`colorkit.presets.Preset` (or preset name).

    Train: random crops of ``preset.image_size`` with flips, shuffled, ``repeats`` chosen so an epoch
    holds at least ``min_batches`` batches; val: centre crops, in order.
    """
    torch = _torch()
    from colorkit.presets import Preset, get_preset

    p = preset if isinstance(preset, Preset) else get_preset(preset)
    crop = crop or p.image_size
    bs = int(batch_size or p.batch_size)
    workers = p.num_workers if num_workers is None else num_workers
    train = ShardDataset(root, "train", crop=crop, augment=True)
    train.repeats = max(1, math.ceil(min_batches * bs / len(train.rows)))
    val = ShardDataset(root, "val", crop=crop, augment=False)
    common = dict(num_workers=workers, pin_memory=torch.cuda.is_available(), persistent_workers=workers > 0)
    train_loader = torch.utils.data.DataLoader(train, batch_size=min(bs, len(train)), shuffle=True,
                                               drop_last=len(train) >= bs, **common)
    val_loader = torch.utils.data.DataLoader(val, batch_size=min(bs, len(val)), shuffle=False, **common)
    return train_loader, val_loader


class EvalSet(NamedTuple):
    """A whole split in LAB units: ``L`` float32 NxHxW in [0, 100], ``ab`` float32 NxHxWx2, ``sources``."""

    L: np.ndarray
    ab: np.ndarray
    sources: list

    def lab(self) -> np.ndarray:
        return np.concatenate([self.L[..., None], self.ab], axis=-1)

    def rgb(self) -> np.ndarray:
        """Ground-truth colour images, uint8 NxHxWx3."""
        return lab_to_rgb(self.lab(), dtype=np.uint8)


def load_split(root: str | os.PathLike, split: str = "test", limit: int | None = None,
               crop: int | None = None) -> EvalSet:
    """A split as numpy arrays in LAB units (centre crops of ``crop`` if given), for evaluation."""
    ds = ShardDataset(root, split, crop=crop, augment=False, limit=limit)
    Ls, abs_ = [], []
    c = ds.crop
    y = x = (ds.size - c) // 2
    for i in range(len(ds.rows)):
        L, ab = ds.raw(i)
        Ls.append(S.decode_l(L[y:y + c, x:x + c]))
        abs_.append(S.decode_ab(ab[y:y + c, x:x + c]))
    return EvalSet(np.stack(Ls), np.stack(abs_), ds.sources())


def ab_values(root: str | os.PathLike, split: str = "train", max_pixels: int = 2_000_000, seed: int = 0) -> np.ndarray:
    """A random sample of the ab values (LAB units, ``Nx2`` float32) of a split, for histograms."""
    ds = ShardDataset(root, split, augment=False)
    rng = np.random.default_rng(seed)
    per = max(1, max_pixels // len(ds.rows))
    out = []
    for i in range(len(ds.rows)):
        ab = np.asarray(ds.raw(i)[1]).reshape(-1, 2)
        out.append(ab[rng.integers(0, len(ab), size=min(per, len(ab)))])
    return S.decode_ab(np.concatenate(out))
