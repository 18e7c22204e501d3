"""Photos -> compact LAB shards: decode, fix orientation, resize, convert, split, in parallel, resumable.

Introduced in notebook ``01_data_prep``; on the command line ``colorkit prepare SOURCE --size 256 --out DIR``.

One call, :func:`prepare`, does it all and returns a :class:`PrepareReport`:

1. every source file is read once; its SHA-256 (:func:`colorkit.data.split.content_hash`) names it;
2. :func:`colorkit.data.images.load_rgb` decodes it (EXIF orientation, palette/CMYK/16-bit/alpha -> 8-bit
   RGB, JPEG downscale-on-decode); unreadable files (corrupt, truncated, empty, not an image, bombs) and
   tiny ones (shorter side < ``min_side``) are skipped and listed with the reason;
3. it is resized to ``size x size``: ``crop`` = centre square then resize, or ``pad`` = whole photo
   fitted inside and padded with mid-gray (:func:`resize_square`);
4. converted to LAB (:func:`colorkit.data.shards.encode_rgb`: :func:`colorkit.color.rgb_to_lab`, or the
   identical lookup table built from it) and stored as L uint8 / ab int8 (:mod:`.shards`);
5. near-grayscale photos are left out and listed (``kind="grayscale"``): see :func:`chroma_spread` and
   :data:`GRAY_THRESHOLD`; exact duplicates (same bytes) are kept once and the copies listed (a copy that
   was re-saved, resized or cropped has other bytes: it is not detected, and it gets its own split);
6. every ``shard_size`` images a shard and its manifest part are written atomically. A re-run skips
   every file already in a finished part, so an interrupted run resumes with no lost or duplicated
   images (a run killed midway and re-run holds exactly the images of one clean run);
7. at the end ``manifest.csv`` (source, hash, size, chroma_spread, split, shard, index) and ``skipped.csv``
   are written,
   with the deterministic 60/20/20 split of :mod:`.split`.

Speed (``benchmarks/prepare.py``, 200 COCO photos at 256, one core, on a shared 2-core machine):
1.16-1.45x the time of only decoding and resizing the same photos, 2.9-3.9x faster than the pipeline of
the APS360 report "Picture Colourization" (He, Imran, Siddiqua & You, University of Toronto): PIL resize +
float64 scikit-image LAB + one ``np.savez`` per image. The JPEG decode is
about three quarters of what is left. ``workers=N`` runs N processes, each writing its own shards
(1.65-1.95x with 2 workers; files are independent and parts are recorded in order, so runs are
reproducible); with one worker a background thread writes each shard while the next is decoded.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import multiprocessing as mp
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from colorkit.data import shards as S
from colorkit.data.images import DEFAULT_MAX_PIXELS, ImageReadError, is_image_file, load_rgb_with_size
from colorkit.data.split import SPLITS, assign_splits, content_hash
from colorkit.files import atomic_write_bytes

RESIZE_MODES = ("crop", "pad")
PAD_VALUE = 128  # mid-gray sRGB used around padded photos (a = b = 0 there, an easy target)
MIN_SIDE = 16  # photos whose shorter side is below this are skipped as too small to learn from
# Near-grayscale: see chroma_spread(). Measured on 3000 Tiny ImageNet train photos: 4.0 flags 1.3% of
# them, by eye all gray or toned B&W (JPEG noise keeps true gray photos around 1-2). Toned scans of old
# prints with uneven stains can score 5-20 and pass: the check is for colour datasets, not archives.
GRAY_THRESHOLD = 4.0
LUT_MIN_IMAGES = 300  # below this, building the lookup table (1-4 s once) is not worth it
SKIP_KINDS = ("unreadable", "too_small", "grayscale", "duplicate")


# --- per-image work (runs in worker processes) ---------------------------------------------------
def _shrink(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """Downscale to ``w x h``: an integer box filter (OpenCV ``INTER_AREA`` fast path) down to at most
    2x the target, then bilinear. Measured on COCO photos: 3-5x faster than ``INTER_AREA`` at a
    non-integer ratio, mean difference 2 levels of 255."""
    import cv2

    H, W = img.shape[:2]
    k = min(H // h, W // w)
    if k >= 2:
        img = cv2.resize(img[: (H // k) * k, : (W // k) * k], (W // k, H // k), interpolation=cv2.INTER_AREA)
    if img.shape[:2] != (h, w):
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    return img


def resize_square(rgb: np.ndarray, size: int, mode: str = "crop") -> tuple[np.ndarray, tuple[slice, slice]]:
    """``HxWx3`` uint8 -> ``size x size x 3`` uint8 and the (rows, cols) slices holding the photo.

    ``crop``: centre square, then resize. ``pad``: fit the whole photo, pad with :data:`PAD_VALUE`.
    Shrinking: see :func:`_shrink`; enlarging: OpenCV ``INTER_CUBIC``.
    """
    import cv2

    if mode not in RESIZE_MODES:
        raise ValueError(f"resize must be one of {RESIZE_MODES}, got {mode!r}")
    h, w = rgb.shape[:2]
    if mode == "crop":
        side = min(h, w)
        y0, x0 = (h - side) // 2, (w - side) // 2
        sq = rgb[y0:y0 + side, x0:x0 + side]
        if side > size:
            sq = _shrink(sq, size, size)
        elif side < size:
            sq = cv2.resize(sq, (size, size), interpolation=cv2.INTER_CUBIC)
        return np.ascontiguousarray(sq), (slice(0, size), slice(0, size))
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    if scale < 1:
        rgb = _shrink(rgb, nw, nh)
    elif (nh, nw) != (h, w):
        rgb = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_CUBIC)
    out = np.full((size, size, 3), PAD_VALUE, np.uint8)
    y0, x0 = (size - nh) // 2, (size - nw) // 2
    out[y0:y0 + nh, x0:x0 + nw] = rgb
    return out, (slice(y0, y0 + nh), slice(x0, x0 + nw))


def chroma_spread(lab: np.ndarray) -> float:
    """How far a photo is from gray, in LAB units: the 95th percentile of the distance between each
    pixel's ab and the best straight-line fit ``ab ~ c0 + c1 * L`` over the photo.

    Not the colourfulness of Hasler and Suesstrunk (:func:`colorkit.evaluate.metrics.colorfulness`, the
    ``cf`` of the score tables): that one grows with how saturated the colours are, this one with how far
    they stray from a single line through gray, so a strongly toned black-and-white photo can score there
    like a colour photo and here below :data:`GRAY_THRESHOLD`.

    A gray photo scores about 0 (plus JPEG noise), and so does a uniformly toned one (sepia, cyanotype,
    a colour cast), whose ab follows its L. Below :data:`GRAY_THRESHOLD` it counts as near-grayscale.
    """
    x = np.asarray(lab).reshape(-1, 3)
    if len(x) > 1024:  # a regular subsample is plenty for a percentile
        x = x[:: len(x) // 1024]
    return _line_fit_p95(np.ascontiguousarray(x.T, dtype=np.float64))


def _line_fit_p95(x: np.ndarray) -> float:
    """:func:`chroma_spread` of ``x`` (``3 x n`` float64 L, a, b rows, modified in place). Rows, not
    columns, and few numpy calls: it runs once per prepared photo, and the column layout made it a
    third of a 64 px photo's preparation time (measured 4x slower)."""
    n = x.shape[1]
    x -= (x.sum(axis=1) / n)[:, None]
    Lc, a, b = x
    var = float(Lc @ Lc)
    if var > 1e-9:  # least squares ab ~ c0 + c1 * L, closed form
        a -= (float(Lc @ a) / var) * Lc
        b -= (float(Lc @ b) / var) * Lc
    dist = a * a
    dist += b * b
    k = int(0.95 * (n - 1))
    return float(np.sqrt(np.partition(dist, k)[k]))  # the 95th percentile (lower value), no interpolation


def _stored_chroma_spread(L: np.ndarray, ab: np.ndarray) -> float:
    """:func:`chroma_spread` of a stored image (L uint8, ab int8), from a regular ~32x32 subsample."""
    step = max(1, int((L.size / 1024) ** 0.5))
    Ls, abs_ = L[::step, ::step], ab[::step, ::step]
    x = np.empty((3, Ls.size), np.float64)
    np.multiply(Ls.reshape(-1), 1.0 / S.L_TO_U8, out=x[0])
    x[1:] = abs_.reshape(-1, 2).T
    return _line_fit_p95(x)


@dataclass(frozen=True)
class _Config:
    size: int
    resize: str
    min_side: int
    max_pixels: int | None
    gray_threshold: float
    lut_path: str | None = None  # 8-bit RGB -> LAB table (shards.lab_lut); None: convert directly


def process_file(source: str, cfg: _Config, out: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """Everything done to one file; returns a row (``status="ok"`` with L and ab) or a skip record.
    ``out=(L, ab)``: the arrays to write the stored image into (a slot of a shard buffer)."""
    try:
        data = Path(source).read_bytes()
    except OSError as e:
        return {"status": "skip", "source": source, "kind": "unreadable", "reason": f"cannot read the file: {e}"}
    if not data:
        return {"status": "skip", "source": source, "kind": "unreadable", "reason": "empty file (0 bytes)"}
    h = content_hash(data)
    try:
        rgb, (w0, h0) = load_rgb_with_size(data, max_pixels=cfg.max_pixels, draft=(cfg.size, cfg.size), name=source)
    except ImageReadError as e:
        return {"status": "skip", "source": source, "hash": h, "kind": "unreadable", "reason": e.reason}
    if min(w0, h0) < cfg.min_side:
        return {"status": "skip", "source": source, "hash": h, "kind": "too_small",
                "reason": f"too small ({w0}x{h0}; the shorter side must be at least {cfg.min_side} px)"}
    img, (rows, cols) = resize_square(rgb, cfg.size, cfg.resize)
    L, ab = S.encode_rgb(img, S.lab_lut(cfg.lut_path) if cfg.lut_path else None, out=out)
    spread = _stored_chroma_spread(L[rows, cols], ab[rows, cols])
    if spread < cfg.gray_threshold:
        return {"status": "skip", "source": source, "hash": h, "kind": "grayscale",
                "reason": f"near-grayscale (chroma spread {spread:.2f} < {cfg.gray_threshold} LAB units)"}
    return {"status": "ok", "source": source, "hash": h, "width": int(w0), "height": int(h0),
            "chroma_spread": round(spread, 3), "L": L, "ab": ab}


def process_chunk(sources: Sequence[str], cfg: _Config, shard_path: str | os.PathLike, writer=None):
    """Prepare a run of files into one shard at ``shard_path`` (written only if some image is good).

    Runs in a worker process: the pixels go straight from the decoder into the shard buffer and onto
    the disk, and only the small rows travel back to the parent (sending the pixels back cost a third
    of a second core). Returns (rows with their ``index`` in the shard, skip records, pending) where
    ``pending`` is None, or, with ``writer`` (a one-thread executor), the future of the shard's write,
    which then overlaps the next chunk's decoding (the disk here often waits 0.2-0.5 ms per image)."""
    n, s = len(sources), cfg.size
    L = np.empty((n, s, s), np.uint8)
    ab = np.empty((n, s, s, 2), np.int8)
    rows, skips = [], []
    for f in sources:
        i = len(rows)
        r = process_file(f, cfg, out=(L[i], ab[i]))
        if r.pop("status") == "ok":
            del r["L"], r["ab"]
            r["index"] = i
            rows.append(r)
        else:
            skips.append({"source": r["source"], "kind": r["kind"], "reason": r["reason"]})
    pending = None
    if rows:
        if writer is None:
            S.write_shard(shard_path, L[: len(rows)], ab[: len(rows)])
        else:
            pending = writer.submit(S.write_shard, shard_path, L[: len(rows)], ab[: len(rows)])
    return rows, skips, pending


def _chunk_worker(args):
    return process_chunk(*args)


# --- report ----------------------------------------------------------------------------------
@dataclass
class PrepareReport:
    """What :func:`prepare` did. ``images``: all images in the folder; ``new_images``: added by this run."""

    out_dir: Path
    size: int
    resize: str
    images: int = 0
    new_images: int = 0
    shards: int = 0
    splits: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)  # dicts: source, kind, reason
    ignored_files: int = 0  # files without an image extension in source folders (never opened)
    seconds: float = 0.0

    @property
    def images_per_second(self) -> float:
        return self.new_images / self.seconds if self.seconds > 0 else float("nan")

    def skipped_by_kind(self) -> dict:
        out: dict = {}
        for s in self.skipped:
            out[s["kind"]] = out.get(s["kind"], 0) + 1
        return out

    def summary(self) -> str:
        sp = " / ".join(f"{self.splits.get(s, 0)} {s}" for s in SPLITS)
        kinds = ", ".join(f"{n} {k}" for k, n in self.skipped_by_kind().items()) or "none"
        return (f"{self.images} images of {self.size}x{self.size} ({sp}) in {self.shards} shard(s) at {self.out_dir}; "
                f"{self.new_images} new in {self.seconds:.1f} s; skipped: {kinds}")

    def __str__(self) -> str:
        return self.summary()


# --- sources ---------------------------------------------------------------------------------
def list_images(folder: str | os.PathLike) -> tuple[list[str], int]:
    """Image files under ``folder`` (recursive, sorted, hidden files ignored) and the count of other files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of photos")
    found, other = [], 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith("."):
                continue
            if is_image_file(f):
                found.append(str(Path(root) / f))
            else:
                other += 1
    return sorted(found), other


def _gather(sources) -> tuple[list[str], int]:
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files, other = [], 0
    for s in sources:
        if Path(s).is_dir():
            f, o = list_images(s)
            files += f
            other += o
        else:
            files.append(str(s))
    return list(dict.fromkeys(files)), other  # keep the first of repeated paths


def choose_subset(files: Sequence[str], max_images: int | None, seed: int = 0) -> list[str]:
    """The first ``max_images`` files of a seeded shuffle (all files when None or enough); sorted."""
    files = sorted(files)
    if max_images is None or len(files) <= max_images:
        return files
    return sorted(random.Random(seed).sample(files, max_images))


# --- the run ---------------------------------------------------------------------------------
def _settings(cfg: _Config) -> dict:
    return {"format": S.FORMAT, "size": cfg.size, "resize": cfg.resize, "min_side": cfg.min_side,
            "gray_threshold": cfg.gray_threshold, "L": "uint8 = round(L * 2.55)", "ab": "int8 = round(ab)"}


def _renamed(row: dict) -> dict:
    """``row`` with the column names of this version (in place): folders prepared before the rename call
    :func:`chroma_spread` ``colorfulness``."""
    if "colorfulness" in row and "chroma_spread" not in row:
        row["chroma_spread"] = row.pop("colorfulness")
    return row


def _load_parts(out: Path) -> tuple[list[dict], list[dict], int]:
    """Finished parts: (rows, skipped, next part number). Unfinished shard files are removed."""
    rows, skipped, last = [], [], -1
    for js in sorted(out.glob("part-*.json")):
        part = S.read_json(js)
        rows += [_renamed(r) for r in part["rows"]]
        skipped += part["skipped"]
        last = max(last, int(js.stem.split("-")[1]))
    for npz in out.glob(S.SHARD_GLOB):
        if not npz.with_suffix(".json").exists():
            npz.unlink()  # written by a run that was killed before its manifest part
    for pattern in (".part-*.tmp", "part-*.staged-*"):  # left by a killed run
        for tmp in out.glob(pattern):
            tmp.unlink(missing_ok=True)
    return rows, skipped, last + 1


def _clear(out: Path) -> None:
    for pattern in ("part-*.npz", "part-*.json", ".part-*.tmp", "part-*.staged-*", "manifest.csv", "skipped.csv",
                    "prepare.json"):
        for f in out.glob(pattern):
            f.unlink()


def lut_path() -> Path:
    """Where the RGB -> LAB lookup table is cached (``<data>/cache/lab_lut_u32_v3.npz``)."""
    from colorkit.paths import data_dir

    return data_dir("cache", "lab_lut_u32_v3.npz")


def default_shard_size(size: int) -> int:
    """About 32 MB per shard, between 16 and 1024 images."""
    return int(min(1024, max(16, (32 << 20) // (3 * size * size))))


def _config(size, resize: str, min_side, max_pixels: int | None, gray_threshold) -> _Config:
    """The checked settings of a run (``lut_path`` is added later, see :func:`_with_lut`)."""
    size = int(size)
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    if resize not in RESIZE_MODES:
        raise ValueError(f"resize must be one of {RESIZE_MODES}, got {resize!r}")
    return _Config(size, resize, int(min_side), max_pixels, float(gray_threshold))


def _check_folder(out: Path, settings: dict, overwrite: bool) -> None:
    """Clear ``out`` (``overwrite``) or refuse it if it holds shards of other settings; mark the run begun."""
    meta = out / "prepare.json"
    if overwrite:
        _clear(out)
    elif meta.exists():
        old = S.read_json(meta).get("settings", {})
        if old != settings:
            diff = {k: (old.get(k), v) for k, v in settings.items() if old.get(k) != v}
            raise ValueError(f"{out} already holds shards prepared with other settings {diff} (old, new); "
                             "choose another output folder or pass overwrite=True (--overwrite)")
    S.write_json(meta, {"settings": settings, "complete": False})


def _with_lut(cfg: _Config, lut: bool | None, n_todo: int) -> _Config:
    """``cfg`` using the lookup table (built or checked once here, before the workers map it) when asked,
    or by default when there are at least :data:`LUT_MIN_IMAGES` files to do."""
    if lut is None:
        lut = n_todo >= LUT_MIN_IMAGES
    if not lut:
        return cfg
    lut_file = lut_path()
    S.lab_lut(lut_file)
    return dataclasses.replace(cfg, lut_path=str(lut_file))


def _plan_jobs(todo: list[str], cfg: _Config, out: Path, part_no: int, workers: int, shard_size: int) -> list[tuple]:
    """One job per shard: (files, cfg, staged shard path)."""
    # Each job is one shard's worth of files, small enough that every worker gets several (balance).
    chunk = max(1, min(shard_size, max(16, -(-len(todo) // (4 * workers)))))
    groups = [todo[i:i + chunk] for i in range(0, len(todo), chunk)]
    # Workers write under a name only this run uses; the parent renames it when its part is recorded,
    # so a worker orphaned by a killed run can never put a shard under a final name.
    return [(g, cfg, str(out / f"part-{part_no + k:05d}.npz.staged-{os.getpid()}")) for k, g in enumerate(groups)]


class _Recorder:
    """Records finished parts in order: the rows and skips so far, the hashes seen, the next part number."""

    def __init__(self, out: Path, rows: list[dict], skipped: list[dict], part_no: int, bar) -> None:
        self.out, self.rows, self.skipped, self.part_no, self.bar = out, rows, skipped, part_no, bar
        self.seen = {r["hash"]: r["source"] for r in rows}
        self.new_images = 0

    def _drop_duplicates(self, part_rows: list[dict], part_skips: list[dict], shard: str) -> list[dict]:
        keep = []
        for r in part_rows:
            if r["hash"] in self.seen:  # the same bytes as an image kept earlier (this run or a previous one)
                part_skips.append({"source": r["source"], "kind": "duplicate",
                                   "reason": f"exact duplicate of {self.seen[r['hash']]}"})
            else:
                self.seen[r["hash"]] = r["source"]
                r["shard"] = shard
                keep.append(r)
        return keep

    def record(self, job, result) -> None:
        """Part ``part_no`` is done: drop duplicates, move its shard under the final name, write its .json."""
        (group, _, staged), (part_rows, part_skips, pending) = job, result
        if pending is not None:
            pending.result()  # the shard is completely written (a write error is raised here)
        name = f"part-{self.part_no:05d}"
        keep = self._drop_duplicates(part_rows, part_skips, f"{name}.npz")
        if keep:
            os.replace(staged, self.out / f"{name}.npz")  # a finished shard, renamed (not written) here
        elif part_rows:
            Path(staged).unlink()
        S.write_json(self.out / f"{name}.json", {"rows": keep, "skipped": part_skips})  # the part is finished
        self.rows.extend(keep)
        self.skipped.extend(part_skips)
        self.new_images += len(keep)
        self.part_no += 1
        self.bar.update(len(group))


def _run_jobs(jobs: list[tuple], workers: int, record) -> None:
    """Run the jobs (``workers`` processes, or here with a background shard writer) and ``record`` each
    result in order, one chunk late so that a shard's write overlaps the next chunk's decoding."""
    pool = writer = None
    try:
        if workers > 1:
            pool = mp.get_context().Pool(workers)
            results = pool.imap(_chunk_worker, jobs)  # in order: duplicates resolve the same way every run
        else:
            from concurrent.futures import ThreadPoolExecutor

            writer = ThreadPoolExecutor(1, thread_name_prefix="colorkit-shard-writer")
            results = (process_chunk(*job, writer=writer) for job in jobs)
        previous = None
        for job, result in zip(jobs, results):
            if previous is not None:  # recorded after the next chunk is done, so its write overlapped it
                record(*previous)
            previous = (job, result)
        if previous is not None:
            record(*previous)
    finally:
        if writer is not None:
            writer.shutdown(wait=True)
        if pool is not None:
            pool.terminate()
            pool.join()


def prepare(
    sources,
    out_dir: str | os.PathLike,
    size: int = 256,
    resize: str = "crop",
    workers: int | None = None,
    max_images: int | None = None,
    seed: int = 0,
    min_side: int = MIN_SIDE,
    gray_threshold: float = GRAY_THRESHOLD,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    shard_size: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
    lut: bool | None = None,
) -> PrepareReport:
    """Prepare photos into LAB shards in ``out_dir`` (see the module docstring); returns a :class:`PrepareReport`.

    ``sources``: a folder (searched recursively), a file, or an iterable of them. ``workers``: processes
    (default: all cores; 1 = in this process). ``max_images``: a seeded random subset of the files.
    Re-running on the same folder resumes; different settings are refused unless ``overwrite=True``.
    ``lut``: convert colours through the 64 MB lookup table of :func:`colorkit.data.shards.lab_lut`
    (cached under ``<data>/cache``; identical output, 2-3x faster per pixel); default: when
    there are at least :data:`LUT_MIN_IMAGES` files to do.
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    cfg = _config(size, resize, min_side, max_pixels, gray_threshold)
    size = cfg.size
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = _settings(cfg)
    _check_folder(out, settings, overwrite)

    files, other = _gather(sources)
    files = choose_subset(files, max_images, seed)
    rows, skipped, part_no = _load_parts(out)
    done = {r["source"] for r in rows} | {s["source"] for s in skipped}
    todo = [f for f in files if f not in done]
    cfg = _with_lut(cfg, lut, len(todo))
    workers = min(max(1, int(workers if workers is not None else (os.cpu_count() or 1))), max(1, len(todo)))
    jobs = _plan_jobs(todo, cfg, out, part_no, workers, int(shard_size or default_shard_size(size)))

    bar = tqdm(total=len(todo), desc=f"prepare {size}px", unit="img", disable=not progress or not todo)
    recorder = _Recorder(out, rows, skipped, part_no, bar)
    try:
        _run_jobs(jobs, workers, recorder.record)
    finally:
        bar.close()

    report = finalize(out, rows, skipped, settings)
    report.new_images = recorder.new_images
    report.ignored_files = other
    report.seconds = time.perf_counter() - t0
    return report


def finalize(out: Path, rows: list[dict], skipped: list[dict], settings: dict) -> PrepareReport:
    """Assign splits over all rows and write ``manifest.csv``, ``skipped.csv`` and ``prepare.json``."""
    splits = assign_splits([r["hash"] for r in rows])
    cols = ["source", "hash", "width", "height", "chroma_spread", "split", "shard", "index"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r, s in zip(rows, splits):
        w.writerow({**{k: r.get(k) for k in cols}, "split": s})
    atomic_write_bytes(out / "manifest.csv", buf.getvalue().encode("utf-8"))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["source", "kind", "reason"], lineterminator="\n")
    w.writeheader()
    w.writerows(skipped)
    atomic_write_bytes(out / "skipped.csv", buf.getvalue().encode("utf-8"))
    counts = {s: splits.count(s) for s in SPLITS}
    n_shards = len(list(out.glob(S.SHARD_GLOB)))
    S.write_json(out / "prepare.json", {"settings": settings, "complete": True, "images": len(rows),
                                        "splits": counts, "skipped": len(skipped), "shards": n_shards})
    return PrepareReport(out_dir=out, size=settings["size"], resize=settings["resize"], images=len(rows),
                         shards=n_shards, splits=counts, skipped=list(skipped))


def read_manifest(root: str | os.PathLike) -> list[dict]:
    """Rows of ``manifest.csv`` (numbers parsed). Raises a clear error for an unfinished folder."""
    root = Path(root)
    path = root / "manifest.csv"
    if not path.exists():
        raise FileNotFoundError(f"{root} has no manifest.csv: it is not a prepared folder, or preparation was "
                                "interrupted. Run prepare() / `colorkit prepare` on it again to finish it.")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        _renamed(r)
        r["width"], r["height"], r["index"] = int(r["width"]), int(r["height"]), int(r["index"])
        r["chroma_spread"] = float(r["chroma_spread"])
    return rows


def read_skipped(root: str | os.PathLike) -> list[dict]:
    """Rows of ``skipped.csv``: source, kind, reason."""
    path = Path(root) / "skipped.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
