"""The course dataset: one call that every lesson makes to get prepared shards.

Reached as ``colorkit.data.course_data`` from notebook ``01_data_prep``; notebooks ``02``-``07`` start with::

    from colorkit.data import course_data
    root = course_data(PRESET, DATA)      # a folder of prepared shards (see colorkit.data.dataset)

What it picks, in order:

1. ``data`` when given: a folder of your photos (all of them, up to the preset's ``max_images``), or a
   folder already prepared by ``colorkit prepare`` (used as it is);
2. the ``smoke`` preset: always the 8 built-in colour photos (seconds, no network);
3. online: the preset's ``data_source`` -- Tiny ImageNet for ``cpu`` (237 MB download), a COCO val2017
   subset for ``gpu`` (778 MB) -- downloaded once (size announced, progress bars) under
   :func:`colorkit.paths.data_dir`;
4. offline: the built-in photos, with a message saying so.

The result is cached: a second call with the same request returns the folder at once.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from colorkit.data import shards as S
from colorkit.data.prepare import prepare

SAMPLE_CROPS_PER_SIDE = 4  # built-in photos are prepared at 4x the crop size: many random crops per photo


def prepare_size(preset, source: str) -> int:
    """Side of the prepared images for a preset and source.

    Tiny ImageNet is kept at its native 64 pixels when the preset trains on 64 (no upscaling); the
    built-in photos are prepared at 4x the crop side (at most 256) so random crops differ a lot;
    anything else at 9/8 of the crop side (random crops with some room)."""
    size = preset.image_size
    if source == "samples":
        return max(size, min(256, SAMPLE_CROPS_PER_SIDE * size))
    if source == "tiny-imagenet":
        return size
    return (size * 9 // 8 + 7) // 8 * 8


def course_data(preset="auto", data: str | os.PathLike = "", progress: bool = True, workers: int | None = None,
                online: bool | None = None, root: str | os.PathLike | None = None) -> Path:
    """Prepared shards for the course (see the module docstring for the choice); returns their folder.

    ``preset``: a name (``auto``/``smoke``/``cpu``/``gpu``) or a :class:`colorkit.presets.Preset`.
    ``data``: a folder of photos to use instead. ``online``: skip the network check (tests).
    ``root``: where downloads and shards go (default :func:`colorkit.paths.data_dir`).
    """
    from colorkit.paths import data_dir
    from colorkit.presets import Preset, get_preset
    from colorkit.data.sources import SourceError, is_online, samples, source_files

    p = preset if isinstance(preset, Preset) else get_preset(preset)
    base = Path(root) if root is not None else data_dir()
    max_images = p.max_images
    if data:
        folder = Path(data).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"DATA={str(data)!r} is not a folder of photos; give a folder path or leave it empty")
        if (folder / "manifest.csv").exists() and (folder / "prepare.json").exists():
            return folder  # already a prepared folder (`colorkit prepare ... --out DIR`): use it as it is
        tag = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
        source, files, label = "folder", [folder], f"folder-{folder.resolve().name}-{tag}"
    elif p.data_source == "samples":
        source, files, label = "samples", None, "samples"
    else:
        if online is None:
            online = is_online()
        if online:
            source, files, label = p.data_source, None, p.data_source
        else:
            print(f"offline: using the 8 built-in photos instead of {p.data_source} "
                  "(numbers will be far from a real dataset's; connect to the internet or set DATA to a folder)")
            source, files, label = "samples", None, "samples"
    size = prepare_size(p, source)
    sub = f"-n{max_images}" if max_images and source not in ("samples",) else ""
    out = base / "prepared" / f"{label}-{size}{sub}"
    request = {"source": source, "label": label, "size": size, "max_images": max_images}
    marker = out / "course.json"
    if marker.exists() and (out / "prepare.json").exists():
        if S.read_json(marker) == request and S.read_json(out / "prepare.json").get("complete"):
            return out
    if files is None:
        if source == "samples":
            files = samples()
        else:
            try:
                files, _ = source_files(source, max_images=max_images, root=base, progress=progress)
            except SourceError as e:
                print(f"{e}\nfalling back to the built-in photos")
                return course_data(p.replace(data_source="samples"), progress=progress, workers=workers, root=root)
    report = prepare(files, out, size=size, max_images=max_images, workers=workers, progress=progress)
    if report.images == 0:
        raise RuntimeError(f"no usable photos in {files}: see {out / 'skipped.csv'}")
    S.write_json(marker, request)
    if progress:
        print(report.summary())
    return out
