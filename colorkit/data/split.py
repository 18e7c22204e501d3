"""Deterministic 60/20/20 train/val/test split by content hash.

Used by notebook ``01_data_prep`` through :func:`colorkit.data.prepare` (the split of every prepared folder).

* :func:`content_hash` is the SHA-256 of a file's bytes: the same photo has the same hash on every
  machine, whatever its name or folder.
* :func:`split_of` maps a hash to a split from its first 8 hex digits (``int % 100``: 0-59 train,
  60-79 val, 80-99 test). It depends on nothing but the hash, so adding photos never moves old ones,
  and exact duplicates (same bytes, same hash) always land in the same split.
* :func:`assign_splits` applies :func:`split_of` to a whole dataset, with one documented fallback for
  very small datasets (the smoke preset's 8 built-in photos): if ``val`` or ``test`` came out empty
  and there are at least 3 distinct images, the image with the highest bucket of the largest split is
  moved into each empty split (deterministic, and a no-op for any dataset of normal size). With fewer
  than 3 distinct images nothing can be held out: every image is ``train`` and
  :func:`split_indices` serves ``val``/``test`` from all images, with a warning that the numbers are
  not held-out numbers.
"""
from __future__ import annotations

import hashlib
import warnings
from typing import Sequence

SPLITS = ("train", "val", "test")
FRACTIONS = (0.6, 0.2, 0.2)
_BOUNDS = (60, 80, 100)  # cumulative percent


def content_hash(data: bytes) -> str:
    """SHA-256 hex digest of the raw file bytes."""
    return hashlib.sha256(data).hexdigest()


def bucket(h: str) -> int:
    """0..99 from the first 8 hex digits of a content hash."""
    return int(h[:8], 16) % 100


def split_of(h: str) -> str:
    """``train`` / ``val`` / ``test`` for one content hash (60/20/20)."""
    b = bucket(h)
    for name, bound in zip(SPLITS, _BOUNDS):
        if b < bound:
            return name
    raise AssertionError("unreachable")


def assign_splits(hashes: Sequence[str]) -> list[str]:
    """Splits for a whole dataset (same order as ``hashes``), with the small-dataset fallback above."""
    splits = [split_of(h) for h in hashes]
    distinct = {}
    for h, s in zip(hashes, splits):
        distinct.setdefault(h, s)
    if len(distinct) < 3:
        return ["train"] * len(hashes)
    for empty in ("val", "test"):
        counts = {s: 0 for s in SPLITS}
        for s in distinct.values():
            counts[s] += 1
        if counts[empty]:
            continue
        donor = max(SPLITS, key=lambda s: (counts[s], s == "train"))
        # the donor's image with the highest (bucket, hash): deterministic
        h = max((h for h, s in distinct.items() if s == donor), key=lambda h: (bucket(h), h))
        distinct[h] = empty
    return [distinct[h] for h in hashes]


def split_indices(splits: Sequence[str], split: str) -> list[int]:
    """Row indices of ``split``; when the dataset is too small to hold anything out (no row has
    ``split`` and none is ``val`` or ``test``), all rows, with a warning."""
    if split not in SPLITS and split != "all":
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)} or 'all'")
    if split == "all":
        return list(range(len(splits)))
    idx = [i for i, s in enumerate(splits) if s == split]
    if not idx and split != "train" and splits and not any(s in ("val", "test") for s in splits):
        warnings.warn(
            f"only {len(splits)} image(s): nothing could be held out, so the {split!r} split reuses the "
            "training images (numbers are NOT held-out numbers). Prepare at least 3 photos.",
            stacklevel=2,
        )
        return list(range(len(splits)))
    return idx
