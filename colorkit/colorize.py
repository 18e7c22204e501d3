"""Full-resolution colorization of photos, and the ``colorkit colorize`` command.

Introduced in notebook ``07_colorize_your_photos``. The model only ever sees a small copy of the
photo's lightness: :func:`colorize_image` predicts a*b* at a working size (``work_size`` on the long
side, padded to the model's stride; by default the size of the images the model was trained on),
upsamples a*b* to the photo's size with OpenCV, and recombines it with the photo's own
full-resolution L. Detail is never lost (every edge comes from the original L), the output keeps the
photo's L exactly (up to 8-bit rounding: out-of-gamut colours lose chroma, not lightness), any size
and aspect ratio works, and a sepia- or tint-toned print is reduced to L first, so its tone does not
leak into the result.

Speed: a 4000x3000 JPEG to PNG takes about 1.5-1.9x the time of just reading it and writing it back
(``benchmarks/fullres.py``, ``RESULT fullres_ratio``): the full-resolution LAB work goes through the
8-bit fast path of :mod:`colorkit.color` (``rgb8_to_l``, ``lab_to_rgb8``) and PNG encoding uses a
low zlib level.

Command line::

    colorkit colorize --checkpoint runs/checkpoints/cpu/unet.pt photos/ old.jpg --out colorized/
    colorkit colorize --model unet --compare --size 384 photo.jpg --out out/
    colorkit colorize --checkpoint unet.onnx photo.jpg --out out/   # from `colorkit export --onnx`

A model may also be an :class:`colorkit.onnx_export.OnnxColorizer` (an onnxruntime session with the same call).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from colorkit.color import (
    denormalize_ab,
    denormalize_l,
    lab_to_rgb8,
    normalize_l,
    rgb8_to_l,
)
from colorkit.data.images import collect_inputs  # noqa: F401  (re-exported: colorkit.colorize.collect_inputs)

log = logging.getLogger(__name__)

# long side the model sees when it does not say what it was trained at (256 px, as in README's "Earlier work")
DEFAULT_WORK_SIZE = 256
PNG_COMPRESSION = 1  # zlib level for PNG output: 1 is ~1.8x faster than OpenCV's default 3, files ~8% larger
_INTERP = {"bilinear": "INTER_LINEAR", "bicubic": "INTER_CUBIC", "area": "INTER_AREA", "nearest": "INTER_NEAREST"}


# --- arrays in, arrays out ---------------------------------------------------------------------
def as_uint8_image(image) -> np.ndarray:
    """Photo array -> ``uint8`` ``HxWx3`` or ``HxW`` (gray kept as one channel: it is cheaper).

    Accepts uint8, 16-bit (scaled by 257), float in [0, 1], ``HxWx1`` and ``HxWx4`` (alpha dropped:
    use :func:`colorkit.data.images.load_rgb` to composite transparent files on white).
    """
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[-1] in (1, 4):
        a = a[..., 0] if a.shape[-1] == 1 else a[..., :3]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] != 3):
        raise ValueError(f"expected a photo shaped HxW, HxWx1, HxWx3 or HxWx4, got {a.shape}")
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"empty image of shape {a.shape}")
    if a.dtype == np.uint8:
        return a
    if a.dtype == np.uint16:
        return ((a.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if a.dtype.kind == "f":
        return (np.clip(np.nan_to_num(a), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if a.dtype == np.bool_:
        return a.astype(np.uint8) * 255
    raise TypeError(f"unsupported image dtype {a.dtype}; give uint8, uint16 or float in [0, 1]")


def working_shape(height: int, width: int, work_size: int, stride: int = 1) -> tuple[int, int]:
    """``(h, w)`` the model sees: long side ``work_size`` (photos smaller than that are not enlarged),
    aspect kept, each side at least ``stride`` (the caller pads up to a multiple of the stride)."""
    if work_size < 1:
        raise ValueError(f"work_size must be positive, got {work_size}")
    scale = min(1.0, work_size / max(height, width))
    return max(stride, round(height * scale)), max(stride, round(width * scale))


def model_work_size(model) -> int:
    """The working size a model colorizes at by default: the side of its training images, which the
    checkpoint loaders attach as ``model.colorkit_train_size`` (:func:`colorkit.checkpoint.train_image_size`),
    else :data:`DEFAULT_WORK_SIZE`. A model sees a photo best at the scale it learnt from: a U-Net trained on
    64 px crops of 64 px photos scores ΔE2000 11.9 on 110 real photos at work size 64, 16.6 at 256 (garish),
    where the gray copy scores 12.5."""
    size = getattr(model, "colorkit_train_size", None)
    try:
        size = int(size)
    except (TypeError, ValueError):
        return DEFAULT_WORK_SIZE
    return size if size >= 1 else DEFAULT_WORK_SIZE


def model_stride(model) -> int:
    """How the input size must divide: the model's ``stride`` attribute, else 32 (safe for all zoo models)."""
    s = getattr(model, "stride", None)
    return int(s) if s else 32


def takes_temperature(model) -> bool:
    """Does ``model`` colorize with an annealed-mean ``temperature`` (the classifier of lesson 06)? Introduced for
    lesson 07's temperature slider, which must not pick a model whose ``predict_ab`` takes hints instead."""
    import inspect

    fn = getattr(model, "predict_ab", None)
    if fn is None:
        return False
    try:
        return "temperature" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def predict_ab(model, L_norm, sample_seed: int | None = None, **kwargs):
    """Run a colorization model on normalized L (``N1HW`` tensor) and return normalized ab (``N2HW``).

    Handles the zoo's conventions: a tensor; a tuple ``(ab, ...)``; a model with its own
    ``predict_ab(L_norm, **kwargs)`` (the classifier decodes its bins there with an annealed-mean
    ``temperature``). ``sample_seed``: for models with ``sample(L, n, temperature, generator)`` (the
    VAEs), draw one colorization with that seed instead of the deterministic one.
    """
    import torch

    with torch.inference_mode():
        if sample_seed is not None:
            if not hasattr(model, "sample"):
                raise TypeError(f"{type(model).__name__} cannot sample colorizations (no .sample method); "
                                "use a VAE (vae, unet_vae) or leave sample_seed=None")
            gen = torch.Generator(device=L_norm.device).manual_seed(int(sample_seed))
            out = model.sample(L_norm, n=1, generator=gen, **kwargs)[0]
        elif hasattr(model, "predict_ab"):
            out = model.predict_ab(L_norm, **kwargs)
        else:
            if kwargs:
                raise TypeError(f"{type(model).__name__} takes no prediction options, got {sorted(kwargs)}")
            out = model(L_norm)
        if isinstance(out, (tuple, list)):
            out = out[0]
        if isinstance(out, dict):
            out = out["ab"]
        if out.ndim != 4 or out.shape[1] != 2:
            raise ValueError(f"the model returned shape {tuple(out.shape)}; a colorizer returns N x 2 x H x W ab")
        return out.float()


def predict_ab_small(model, L: np.ndarray, work_size: int | None = None, **kwargs) -> np.ndarray:
    """a*b* in LAB units (``h x w x 2`` float32) at the working size, for lightness ``L`` (HxW, [0, 100]).

    ``L`` is shrunk with area averaging to ``work_size`` on the long side (None: :func:`model_work_size`,
    the model's training size), reflect-padded to the model's stride, run through the model, and the
    padding is cropped off again.
    """
    import cv2
    import torch

    stride = model_stride(model)
    if work_size is None:
        work_size = model_work_size(model)
    h, w = working_shape(*L.shape, work_size, stride)
    small = cv2.resize(np.ascontiguousarray(L, np.float32), (w, h), interpolation=cv2.INTER_AREA) \
        if (h, w) != L.shape else np.asarray(L, np.float32)
    ph, pw = -h % stride, -w % stride
    if ph or pw:
        small = np.pad(small, ((0, ph), (0, pw)), mode="reflect" if ph < h and pw < w else "edge")
    try:
        p = next(model.parameters())
        device, dtype = p.device, p.dtype
    except (StopIteration, AttributeError):
        device, dtype = torch.device("cpu"), torch.float32
    x = torch.from_numpy(normalize_l(small)[None, None]).to(device=device, dtype=dtype)
    was_training = getattr(model, "training", False)
    if was_training:
        model.eval()
    try:
        ab = predict_ab(model, x, **kwargs)
    finally:
        if was_training:
            model.train()
    ab = denormalize_ab(ab[0, :, :h, :w].permute(1, 2, 0).cpu().numpy())
    return np.ascontiguousarray(ab, np.float32)


def check_colorizer(model):
    """Return ``model`` if it colorizes (normalized L in, two ab channels out at the same size), else
    raise ValueError saying what it returned. Notebook 07 uses it to skip checkpoints of other kinds."""
    stride = model_stride(model)
    L = np.full((2 * stride, 2 * stride), denormalize_l(0.0), np.float32)  # mid gray
    try:
        ab = predict_ab_small(model, L, work_size=2 * stride)
    except Exception as e:
        raise ValueError(f"{type(model).__name__} is not a colorizer: {e}") from e
    if ab.shape != L.shape + (2,):
        raise ValueError(f"{type(model).__name__} returned a*b* of shape {ab.shape} for L of shape {L.shape}")
    return model


def colorize_image(model, image, work_size: int | None = None, upsample: str = "bilinear",
                   return_ab: bool = False, **predict_kwargs):
    """Colorize one photo at its full resolution; returns ``uint8 HxWx3`` of the input's size.

    ``image``: RGB (``HxWx3``; a sepia/tinted print is fine: only its L is used), gray (``HxW``),
    uint8, 16-bit or float in [0, 1]. ``work_size``: long side at which the model predicts a*b*; None
    (default): the size the model was trained at (:func:`model_work_size`).
    ``upsample``: ``bilinear`` (default), ``bicubic``, ``area`` or ``nearest`` (OpenCV). Extra keyword
    arguments go to the model's ``predict_ab`` (e.g. ``temperature=0.38`` for the classifier).
    With ``return_ab=True`` also returns the full-resolution a*b* (float32 ``HxWx2``, LAB units).

    The output's L equals the input's up to 8-bit rounding, whatever the model predicts: colours outside
    the sRGB gamut lose chroma at constant L and hue (:func:`colorkit.color.lab_to_rgb8`). This is done on
    the full-resolution a*b*, after upsampling, because upsampling and rounding can leave the gamut again.
    """
    import cv2

    img = as_uint8_image(image)
    L = rgb8_to_l(img)
    ab_small = predict_ab_small(model, L, work_size=work_size, **predict_kwargs)
    if upsample not in _INTERP:
        raise ValueError(f"upsample must be one of {sorted(_INTERP)}, got {upsample!r}")
    H, W = L.shape
    ab = ab_small if ab_small.shape[:2] == (H, W) else \
        cv2.resize(ab_small, (W, H), interpolation=getattr(cv2, _INTERP[upsample]))
    out = lab_to_rgb8(L, ab)
    return (out, ab) if return_ab else out


def gray_image(image) -> np.ndarray:
    """The photo reduced to its L (a = b = 0), uint8 ``HxWx3``: the "before" of every comparison."""
    img = as_uint8_image(image)
    L = rgb8_to_l(img)
    return lab_to_rgb8(L, np.zeros(L.shape + (2,), np.float32))


def tint(image, a: float = 6.0, b: float = 20.0) -> np.ndarray:
    """A toned print of a photo: its own L with a constant a*b* (default: sepia brown), uint8 RGB.

    For demonstrations and tests: colorizing the toned print gives the same result as the untoned photo,
    because only L reaches the model."""
    img = as_uint8_image(image)
    L = rgb8_to_l(img)
    return lab_to_rgb8(L, np.broadcast_to(np.array([a, b], np.float32), L.shape + (2,)))


# --- files -------------------------------------------------------------------------------------
def read_image(path) -> np.ndarray:
    """Read a photo as uint8 RGB with :func:`colorkit.data.images.load_rgb` (EXIF orientation,
    16-bit, palette, alpha on white, CMYK; oversize files refused)."""
    from colorkit.data.images import load_rgb

    return load_rgb(path)


def write_png(path, rgb: np.ndarray, compress_level: int = PNG_COMPRESSION) -> Path:
    """Write ``uint8 HxWx3`` RGB as PNG with OpenCV at ``compress_level`` (0-9).

    Written to a temporary name and renamed, so an interrupted run never leaves half a file under
    the final name. (The benchmark's floor uses this same function.)
    """
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = np.asarray(rgb)
    bgr = rgb[..., ::-1] if rgb.ndim == 3 else rgb
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(bgr), [cv2.IMWRITE_PNG_COMPRESSION, int(compress_level)])
    if not ok:  # pragma: no cover
        raise OSError(f"OpenCV could not encode {path} as PNG")
    from colorkit.files import atomic_write_bytes

    atomic_write_bytes(path, buf.tobytes())
    return path


def compare_image(gray: np.ndarray, colorized: np.ndarray, gap: int = 16) -> np.ndarray:
    """Side by side: gray input | colorized (white gap), at the photo's height."""
    from colorkit.viz import side_by_side

    return side_by_side([gray, colorized], gap=gap)


def colorize_file(model, src, dst, work_size: int | None = None, compare: bool = False,
                  compress_level: int = PNG_COMPRESSION, **predict_kwargs) -> dict:
    """Read ``src``, colorize at full resolution, write ``dst`` (PNG). With ``compare`` also writes
    ``<dst stem>_compare.png`` (gray | colorized). Returns ``{"src", "dst", "compare", "size"}``."""
    img = read_image(src)
    out = colorize_image(model, img, work_size=work_size, **predict_kwargs)
    dst = write_png(dst, out, compress_level)
    cmp_path = None
    if compare:
        cmp_path = write_png(dst.with_name(dst.stem + "_compare.png"),
                             compare_image(gray_image(img), out), compress_level)
    return {"src": Path(src), "dst": dst, "compare": cmp_path, "size": (out.shape[1], out.shape[0])}


def output_names(files: Sequence[Path], out_dir) -> list[Path]:
    """One ``<name>.png`` per input in ``out_dir``; clashes (``a.jpg`` and ``a.png``, or the same name
    in two folders) get the extension and then a counter appended, and an output never replaces
    its own input file."""
    out_dir = Path(out_dir)
    used: set[Path] = set()
    stems = [f.stem for f in files]
    names = []
    for f, stem in zip(files, stems):
        base = stem if stems.count(stem) == 1 else f"{stem}_{f.suffix.lstrip('.').lower()}"
        cand = out_dir / f"{base}.png"
        k = 1
        while cand in used or _same_file(cand, f):
            cand = out_dir / f"{base}_colorized{'' if k == 1 else k}.png"
            k += 1
        used.add(cand)
        names.append(cand)
    return names


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:  # pragma: no cover
        return False


def colorize_paths(model, inputs: Iterable, out_dir, work_size: int | None = None,
                   compare: bool = False, progress: bool = True, recursive: bool = False,
                   **predict_kwargs) -> tuple[list[dict], list[tuple[Path, str]]]:
    """Colorize files and folders into ``out_dir``. Returns ``(done, failed)``: unreadable files are
    logged and listed in ``failed`` with the reason; the others are still written."""
    from tqdm.auto import tqdm

    from colorkit.data.images import ImageReadError

    missing: list[Path] = []
    files = collect_inputs(inputs, recursive=recursive, missing=missing)
    dsts = output_names(files, out_dir)
    done, failed = [], [(p, f"{p}: no such file or folder") for p in missing]
    it = zip(files, dsts)
    if progress and len(files) > 1:
        it = tqdm(it, total=len(files), desc="colorizing", unit="photo")
    for src, dst in it:
        try:
            done.append(colorize_file(model, src, dst, work_size=work_size, compare=compare, **predict_kwargs))
        except ImageReadError as e:
            log.warning("skipped %s", e)
            failed.append((src, str(e)))
    return done, failed
