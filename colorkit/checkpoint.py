"""Safe checkpoint files: atomic writes, ``weights_only`` loads, and checksums.

Introduced in notebook ``02_baseline_cnn`` (training) and ``07_colorize_your_photos`` (sharing).
A checkpoint is a plain dict of tensors, numbers, strings, lists and dicts, so that it loads with
``torch.load(weights_only=True)``: a file that needs anything else (a pickle that would run code)
is refused with :class:`UnsafeCheckpointError`.

Layout written by the training engine (``FORMAT``)::

    {"format": "colorkit-checkpoint/1",
     "model": {"name": <registry name>, "kwargs": {...}},   # enough to rebuild the network
     "state": {<network name>: state_dict, ...},           # "generator", "discriminator", ...
     "optim": {...}, "sched": {...}, "scaler": {...},       # training state (may be absent in exports)
     "step": int, "rng": {...}, "config": {...}, "card": {...}}
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

FORMAT = "colorkit-checkpoint/1"


class UnsafeCheckpointError(RuntimeError):
    """The file is not a plain-data checkpoint (it would need to run code to load), or is corrupt."""


class ChecksumMismatchError(RuntimeError):
    """A file's SHA-256 is not the one it was promised to have."""


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def verify_sha256(path: str | os.PathLike, expected: str | None) -> None:
    """Raise :class:`ChecksumMismatchError` unless ``path`` hashes to ``expected`` (skip if None)."""
    if not expected:
        return
    got = file_sha256(path)
    if got.lower() != expected.lower():
        raise ChecksumMismatchError(
            f"{path}: SHA-256 is {got}, expected {expected}. The file is damaged or was replaced: "
            "delete it and download again, or check the checksum you were given."
        )


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then ``os.replace``: a reader never sees
    a half-written file and an interrupted write leaves the old file intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(obj: dict, path: str | os.PathLike) -> Path:
    """Save a plain-data checkpoint dict atomically (see the module docstring for the layout)."""
    import io

    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def load_checkpoint(path: str | os.PathLike, map_location="cpu", sha256: str | None = None) -> dict:
    """Load a checkpoint with ``torch.load(weights_only=True)``; verify ``sha256`` first if given.

    Raises :class:`UnsafeCheckpointError` for a file that would need to execute code to load (a
    tampered or foreign pickle), or that is truncated or not a checkpoint at all.
    """
    import torch

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    verify_sha256(path, sha256)
    try:
        obj = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise UnsafeCheckpointError(
            f"refused to load {path}: it is not a plain-data checkpoint (loading it would run code "
            f"or needs objects colorkit does not allow). Only load checkpoints you trust. Detail: {e}"
        ) from e
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise UnsafeCheckpointError(f"could not read {path} as a checkpoint (truncated or corrupt?): {e}") from e
    if not isinstance(obj, dict):
        raise UnsafeCheckpointError(f"{path} holds a {type(obj).__name__}, not a colorkit checkpoint dict")
    return obj


DEFAULT_TRAIN_SIZE = 256  # what colorization assumes when a checkpoint says nothing (the seeds' models)


def train_image_size(ckpt: dict, card: dict | None = None, path: str | os.PathLike | None = None) -> int:
    """The side of the images a checkpoint's model was trained on: the scale colorization predicts at.

    Looks, in order, at the card's ``image_size`` (written by the training engine since issue 11), the
    card's ``data["image_size"]`` (:func:`colorkit.hub.make_card`), the card's ``preset`` (smoke 32,
    cpu 64, gpu 256: :mod:`colorkit.presets`), a preset named by the config's ``extra``, then a preset
    name as a folder of the checkpoint's path or the run's ``out_dir`` (the course keeps checkpoints in
    ``runs/checkpoints/<preset>/``); else :data:`DEFAULT_TRAIN_SIZE`. ``card`` overrides ``ckpt["card"]``
    (e.g. the ``.json`` beside the file).
    """
    from .presets import PRESET_NAMES, PRESETS

    card = card if card is not None else (ckpt.get("card") or {})
    card = card if isinstance(card, dict) else {}
    data = card.get("data")
    for v in (card.get("image_size"), data.get("image_size") if isinstance(data, dict) else None):
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1:
            return int(v)
    config = ckpt.get("config") if isinstance(ckpt.get("config"), dict) else {}
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    for name in (card.get("preset"), extra.get("preset")):
        if name in PRESETS:
            return PRESETS[name].image_size
    folders = [Path(path).parent if isinstance(path, (str, os.PathLike)) else None, config.get("out_dir")]
    for where in folders:
        if isinstance(where, (str, os.PathLike)) and "://" not in str(where):
            parts = [p for p in Path(where).parts if p in PRESET_NAMES]
            if parts:
                return PRESETS[parts[-1]].image_size
    return DEFAULT_TRAIN_SIZE
