"""Which photos a benchmark runs on: the folder given (``--photos DIR``), else a folder of the shared
photo collection beside the repository (``<repository>/../shared/data/<default>``) when this machine has
it, else the built-in photos (:mod:`colorkit.data.samples`), so every benchmark also runs on a fresh clone.

Every benchmark prints the line :func:`describe` makes, so its output says which photos it measured.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"  # beside the clone, never inside it (see its README)
SAMPLES = "samples"


def shared_folder(default: str | os.PathLike, shared_root: str | os.PathLike | None = None) -> Path | None:
    """``<shared data>/<default>`` if that folder exists, else None."""
    folder = Path(shared_root if shared_root is not None else SHARED_DATA) / default
    return folder if folder.is_dir() else None


def resolve_photos(given: str | os.PathLike | None, default: str | os.PathLike,
                   shared_root: str | os.PathLike | None = None) -> Path | str:
    """The photo source of a benchmark: ``given`` (it must be a folder), else the shared ``default`` folder
    when present, else :data:`SAMPLES` (the built-in photos)."""
    if given:
        folder = Path(given).expanduser()
        if not folder.is_dir():
            raise SystemExit(f"--photos {given}: no such folder of photos")
        return folder
    return shared_folder(default, shared_root) or SAMPLES


def photo_files(source: Path | str, limit: int | None = None) -> list[Path]:
    """The photo files of ``source`` (sorted, searched recursively; :data:`SAMPLES`: the built-in colour
    photos), at most ``limit``."""
    if str(source) == SAMPLES:
        from colorkit.data.samples import sample_paths

        files = list(sample_paths("color"))
    else:
        from colorkit.data.images import is_image_file

        files = sorted(p for p in Path(source).rglob("*")
                       if p.is_file() and is_image_file(p) and not p.name.startswith("."))
    return files[:limit] if limit is not None else files


def describe(source: Path | str, n: int | None = None) -> str:
    """One line naming the photos used, e.g. ``photos: ../shared/data/photos/coco_mini (200 files)``."""
    count = f" ({n} files)" if n is not None else ""
    if str(source) == SAMPLES:
        return f"photos: the built-in samples (colorkit.data.samples){count}"
    path = Path(source).resolve()
    try:  # shown relative to the repository when it is beside it, so no machine path is printed needlessly
        shown = os.path.relpath(path, REPO)
    except ValueError:  # another drive (Windows)
        shown = str(path)
    return f"photos: {shown}{count}"
