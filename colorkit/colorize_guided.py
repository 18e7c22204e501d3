"""User-guided colorization of photos at full resolution: a few colour hints, spread by a hint model or by Levin et al.

Introduced in notebook ``08_user_guided``. The same pipeline as :mod:`colorkit.colorize` (the photo's own
full-resolution L is kept, a*b* is found at a working size and upsampled bilinear, recombined with
:func:`colorkit.color.lab_to_rgb8`), with hints (:mod:`colorkit.guided.hints`) as a second input:

* a hint model (``unet_hints``, or any model whose ``predict_ab`` takes ``hints=``): the hints are
  rasterised at the working shape, before padding, in the :func:`~colorkit.guided.hints.hint_tensor` format,
  and zero-padded to the model's stride as L is reflect-padded (the padding holds no hint);
* ``"levin"``: Levin, Lischinski & Weiss 2004 (:func:`colorkit.guided.levin.levin_colorize`), which needs no
  weights, at a work size of 256 by default.

No hints is not an error: a warning is logged and the automatic result comes back (the model without hints;
for Levin, the gray copy). Hints are positions as fractions of the photo's width and height, so one hints
file serves every resolution and every work size.

Command line (:mod:`colorkit.cli.colorize`, :mod:`colorkit.cli.hints`)::

    colorkit hints photo.jpg --count 10 --out photo.json            # a simulated user's hints
    colorkit colorize photo.jpg --hints photo.json --method levin --out out/
    colorkit colorize photos/ --hints hints/ --out out/            # hints/<photo stem>.json per photo
"""
from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from colorkit.colorize import (
    PNG_COMPRESSION,
    as_uint8_image,
    collect_inputs,
    colorize_image,
    compare_image,
    gray_image,
    model_stride,
    model_work_size,
    output_names,
    predict_ab_small,
    read_image,
    working_shape,
    write_png,
)
from colorkit.guided.hints import Hint, HintError, hint_tensor, read_hints

log = logging.getLogger(__name__)

LEVIN = "levin"  # the method that needs no weights
HINT_REFERENCE = "unet_hints"  # the name the shipped reference hint model has (colorkit/weights/)
DEFAULT_HINT_SIZE = 256  # long side of the photo the simulated user looks at (`colorkit hints --size`)


class HintModelUnavailable(FileNotFoundError):
    """No shipped hint model in this colorkit: the message names the fix (Levin needs no weights)."""


# --- the methods ---------------------------------------------------------------------------------
def accepts_hints(model) -> bool:
    """Whether ``model`` takes colour hints: its ``predict_ab`` has a ``hints`` parameter (``unet_hints``)."""
    fn = getattr(model, "predict_ab", None)
    if fn is None:
        return False
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        return False
    return "hints" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def hint_model_shipped() -> bool:
    """Whether this colorkit ships the reference hint model (:data:`HINT_REFERENCE`)."""
    from colorkit.reference import reference_names

    return HINT_REFERENCE in reference_names()


def default_hint_model(device=None):
    """The shipped reference hint model (``colorkit.reference.load_reference("unet_hints")``), ready to colorize.

    Raises :class:`HintModelUnavailable` naming the fix when this colorkit ships none yet: ``method="levin"``
    (``colorkit colorize --method levin``) works without weights."""
    from colorkit.reference import load_reference

    if not hint_model_shipped():
        raise HintModelUnavailable(
            f"no shipped hint model ({HINT_REFERENCE!r}) in this colorkit yet: use method=\"levin\" "
            "(colorkit colorize --method levin), which needs no weights, or a unet_hints model you trained")
    return load_reference(HINT_REFERENCE, device=device)


def _hint_input(model, hints: Sequence[Hint], height: int, width: int, work_size: int | None):
    """``(work_size, hints tensor)`` for a photo of ``height x width``: the hints rasterised at the working
    shape :func:`colorkit.colorize.predict_ab_small` will use, zero-padded to the model's stride, on the
    model's device. Raises ``TypeError`` for a model that takes no hints."""
    import torch

    if not accepts_hints(model):
        raise TypeError(f"{type(model).__name__} takes no colour hints (its predict_ab has no hints=): give a "
                        f"hint model ({HINT_REFERENCE}) or method={LEVIN!r}")
    stride = model_stride(model)
    work_size = model_work_size(model) if work_size is None else int(work_size)
    h, w = working_shape(height, width, work_size, stride)
    t = hint_tensor(hints, h, w)
    t = torch.nn.functional.pad(t, (0, -w % stride, 0, -h % stride))  # no hint in the padding
    try:
        p = next(model.parameters())
        t = t.to(device=p.device, dtype=p.dtype)
    except (StopIteration, AttributeError):
        pass
    return work_size, t


def predict_ab_hints(model, L: np.ndarray, hints: Sequence[Hint], work_size: int | None = None) -> np.ndarray:
    """a*b* in LAB units (``h x w x 2`` float32) at the working size, for lightness ``L`` (HxW, [0, 100]) and
    ``hints``, from a hint model: :func:`colorkit.colorize.predict_ab_small` (L shrunk with area averaging to
    ``work_size`` on the long side, None: the model's training size; padded to its stride; cropped after) with
    the hints rasterised at that working shape before padding (:func:`colorkit.guided.hints.hint_tensor`)."""
    work_size, t = _hint_input(model, list(hints), *np.shape(L), work_size)
    return predict_ab_small(model, L, work_size=work_size, hints=t)


def _check_method(method):
    if isinstance(method, str) and method != LEVIN:
        raise ValueError(f"method must be {LEVIN!r} or a hint model, got {method!r}")
    if method is None:
        raise ValueError(f"method must be {LEVIN!r} or a hint model (default_hint_model()), got None")
    return method


def colorize_guided(image, hints: Sequence[Hint], method=LEVIN, work_size: int | None = None,
                    return_ab: bool = False):
    """Colorize one photo from colour hints at its full resolution; ``uint8 HxWx3`` of the input's size.

    ``image``: as :func:`colorkit.colorize.colorize_image` takes it (RGB, gray, uint8, 16-bit or float).
    ``hints``: :class:`colorkit.guided.hints.Hint` objects (positions are fractions of width and height).
    ``method``: ``"levin"`` (Levin et al. 2004, no weights; ``work_size`` default 256) or a hint model
    (``work_size`` default: its training size). L is the photo's own at full resolution (up to 8-bit
    rounding); a*b* is found at the work size and upsampled bilinear. No hints: a warning, then the automatic
    result (the model without hints; Levin: the gray copy). ``return_ab=True`` also returns the
    full-resolution a*b* (float32 ``HxWx2``, LAB units).
    """
    method = _check_method(method)
    hints = list(hints)
    if not hints:
        log.warning("no colour hints: %s", "the gray copy (Levin spreads hints, and there are none)"
                    if method == LEVIN else "the model's automatic colorization")
    if method == LEVIN:
        from colorkit.guided.levin import DEFAULT_WORK_SIZE, levin_colorize

        return levin_colorize(as_uint8_image(image), hints, return_ab=return_ab,
                              work_size=DEFAULT_WORK_SIZE if work_size is None else int(work_size))
    if not hints:
        return colorize_image(method, image, work_size=work_size, return_ab=return_ab)
    img = as_uint8_image(image)
    work_size, t = _hint_input(method, hints, img.shape[0], img.shape[1], work_size)
    return colorize_image(method, img, work_size=work_size, return_ab=return_ab, hints=t)


# --- files -----------------------------------------------------------------------------------------
@dataclass
class GuidedJob:
    """One photo to colorize: where it is, where its PNG goes, its hints and the file they came from
    (``hints_file`` None: no hints file for it, so the automatic result)."""

    src: Path
    dst: Path
    hints: list = field(default_factory=list)
    hints_file: Path | None = None


def plan_guided(inputs: Iterable, hints_source, out_dir, recursive: bool = False
                ) -> tuple[list[GuidedJob], list[tuple[Path, str]]]:
    """Match photos with hints files and read every hints file before anything is colorized.

    ``hints_source``: a hints file (``.json``) for one photo, or a folder holding ``<photo stem>.json``
    per photo (a photo without one: the automatic result, with a warning). Raises :class:`HintError` for a
    hints file that is not valid, for one file given with several photos (hints depend on the photo: give a
    folder), and for a hints file in the folder whose photo is not among the inputs (a photo missing).
    Returns ``(jobs, missing)``: ``missing`` lists input paths that do not exist, as
    :func:`colorkit.colorize.colorize_paths` reports them."""
    missing: list[Path] = []
    files = collect_inputs(inputs, recursive=recursive, missing=missing)
    failed = [(p, f"{p}: no such file or folder") for p in missing]
    source = Path(hints_source).expanduser()
    jobs = [GuidedJob(src, dst) for src, dst in zip(files, output_names(files, out_dir))]
    if not source.is_dir():
        if len(files) > 1:
            raise HintError(f"one hints file ({source}) for {len(files)} photos: hints belong to one photo; give a "
                            "folder holding <photo stem>.json for each photo")
        for job in jobs:
            job.hints, job.hints_file = read_hints(source), source
        return jobs, failed
    by_stem = {p.stem: p for p in sorted(source.glob("*.json")) if p.is_file()}
    stems = {f.stem for f in files}
    orphans = [p.name for stem, p in by_stem.items() if stem not in stems]
    if orphans:
        raise HintError(f"hints file(s) {', '.join(orphans[:5])}{' ...' if len(orphans) > 5 else ''} in {source} "
                        "have no photo among the inputs (a hints file <stem>.json goes with the photo <stem>.jpg, "
                        ".png, ...): give the photo, or move the file out of the folder")
    read = {stem: read_hints(p) for stem, p in by_stem.items()}
    for job in jobs:
        if job.src.stem in by_stem:
            job.hints, job.hints_file = read[job.src.stem], by_stem[job.src.stem]
    return jobs, failed


def run_guided(method, jobs: Sequence[GuidedJob], work_size: int | None = None, compare: bool = False,
               progress: bool = True, compress_level: int = PNG_COMPRESSION) -> tuple[list[dict], list[tuple]]:
    """Colorize the photos of :func:`plan_guided` with ``method`` (``"levin"`` or a hint model). Returns
    ``(done, failed)``: dicts ``{"src", "dst", "compare", "size", "hints", "hints_file"}``; unreadable photos
    are logged and listed in ``failed`` with the reason, the others are still written (atomically)."""
    from tqdm.auto import tqdm

    from colorkit.data.images import ImageReadError

    _check_method(method)
    done, failed = [], []
    it = tqdm(jobs, desc="colorizing", unit="photo") if progress and len(jobs) > 1 else jobs
    for job in it:
        try:
            img = read_image(job.src)
        except ImageReadError as e:
            log.warning("skipped %s", e)
            failed.append((job.src, str(e)))
            continue
        if job.hints_file is None:
            log.warning("%s: no hints file %s.json", job.src, job.src.stem)
        out = colorize_guided(img, job.hints, method=method, work_size=work_size)
        dst = write_png(job.dst, out, compress_level)
        cmp_path = write_png(dst.with_name(dst.stem + "_compare.png"), compare_image(gray_image(img), out),
                             compress_level) if compare else None
        done.append({"src": job.src, "dst": dst, "compare": cmp_path, "size": (out.shape[1], out.shape[0]),
                     "hints": len(job.hints), "hints_file": job.hints_file})
    return done, failed


def colorize_guided_paths(method, inputs: Iterable, hints_source, out_dir, work_size: int | None = None,
                          compare: bool = False, progress: bool = True, recursive: bool = False):
    """Colorize files and folders into ``out_dir`` (one PNG per photo, named as ``colorkit colorize`` names
    them) from the hints of ``hints_source`` (a ``.json`` file for one photo, or a folder of ``<stem>.json``):
    :func:`plan_guided` (every hints file read and checked first, so a bad one writes nothing), then
    :func:`run_guided`. Returns ``(done, failed)``."""
    jobs, missing = plan_guided(inputs, hints_source, out_dir, recursive=recursive)
    done, failed = run_guided(method, jobs, work_size=work_size, compare=compare, progress=progress)
    return done, missing + failed


def simulate_photo_hints(photo, count: int | None = None, seed: int = 0, size: int = DEFAULT_HINT_SIZE
                         ) -> list[Hint]:
    """The simulated user's hints (:func:`colorkit.guided.simulate.simulate_hints`) for a colour photo file
    or array, looked at with ``size`` on its long side (area averaging; not enlarged): patch radii are pixels
    of that size, positions fractions of width and height. ``count`` None: a geometric number (mean 7)."""
    import cv2

    from colorkit.guided.simulate import simulate_hints

    img = read_image(photo) if isinstance(photo, (str, Path)) else as_uint8_image(photo)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    h, w = working_shape(img.shape[0], img.shape[1], int(size))
    small = img if (h, w) == img.shape[:2] else cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    if (small == small[..., :1]).all():
        log.warning("the photo has no colour (gray): every simulated hint is gray")
    return simulate_hints(np.ascontiguousarray(small), count=count, seed=seed)
