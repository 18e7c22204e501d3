"""Files written and read safely: atomic writes and SHA-256 checksums.

Introduced in notebook ``01_data_prep`` (prepared shards are written atomically, downloads verified) and used
by every layer that writes or checks a file (data, checkpoints, exports). It imports nothing from colorkit.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


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
