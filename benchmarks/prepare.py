"""Benchmark: colorkit's data preparation vs the APS360 report's pipeline, same photos, same run.

    python benchmarks/prepare.py [--photos DIR] [--limit 200] [--size 256] [--repeats 5]

Pipelines, each over the same files (read once beforehand so the disk cache is warm):

* ``APS360 report``: PIL open + convert + resize to size x size, ``skimage.color.rgb2lab`` in float64,
  one ``np.savez`` per image (the pipeline of He, Imran, Siddiqua & You, *Picture Colourization*, APS360
  report, University of Toronto; see README's "Earlier work");
* ``decode+resize``: only :func:`colorkit.data.images.load_rgb` (with JPEG draft) and
  :func:`colorkit.data.prepare.resize_square`: the floor for any pipeline with the same decoder;
* ``colorkit 1 worker`` / ``colorkit 2 workers``: :func:`colorkit.data.prepare.prepare` (LUT built and
  cached beforehand; its one-time cost is printed separately).

The APS360, decode+resize and 1-worker runs are pinned to one CPU (``sched_setaffinity``), the 2-worker
run to two; every timed run starts after ``os.sync()`` so no run pays for another's pending writes.

Each pipeline runs ``--repeats`` times interleaved. The table shows each pipeline's fastest run; the
ratios are medians over rounds of ratios within one round (runs seconds apart), which cancels the
machine's slow swings in speed (this shared VM's decode speed drifts by up to 30% within minutes).
Default photos: ``../shared/data/photos/coco_mini`` beside the repository when present, else the built-in
samples (``benchmarks/_photos.py``); the output says which.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _photos import describe, photo_files, resolve_photos  # noqa: E402

DEFAULT_PHOTOS = "photos/coco_mini"  # under ../shared/data beside the repository (see _photos.py)


def aps360_pipeline(files, size, out):
    from PIL import Image
    from skimage.color import rgb2lab

    for i, f in enumerate(files):
        with Image.open(f) as im:
            rgb = np.asarray(im.convert("RGB").resize((size, size), Image.BICUBIC))
        lab = rgb2lab(rgb)  # float64
        np.savez(out / f"{i:06d}.npz", L=lab[..., :1], ab=lab[..., 1:])


def decode_resize(files, size):
    from colorkit.data.images import load_rgb
    from colorkit.data.prepare import resize_square

    for f in files:
        resize_square(load_rgb(f, draft=(size, size)), size, "crop")


def _on_cores(n: int) -> None:
    """Run this process (and the threads and processes it starts) on the first ``n`` CPUs, so "one core"
    means one core: background threads (prepare's shard writer) cannot borrow the other one."""
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0) | ALL_CPUS)
        os.sched_setaffinity(0, set(cpus[:n]))


ALL_CPUS = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()


def _settle() -> None:
    """Start every timed pipeline with no write-back pending from the one before (untimed). The disk of a
    shared VM slows writes sharply while it is still flushing earlier ones (measured here: 38 MB took
    10 ms after a sync, 110-160 ms right after 300 MB of other writes), which would bill one pipeline
    for another's output."""
    if hasattr(os, "sync"):
        os.sync()


def _burn(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def machine_scaling(processes: int = 2, n: int = 2_000_000) -> float:
    """How much faster ``processes`` processes run a pure-Python loop than one: what the machine can give
    right now (other jobs share the cores). A pipeline cannot scale better than this."""
    from multiprocessing import Pool

    t = time.perf_counter()
    for _ in range(2 * processes):
        _burn(n)
    one = time.perf_counter() - t
    with Pool(processes) as pool:
        pool.map(_burn, [1000] * processes)  # start-up outside the timing
        t = time.perf_counter()
        pool.map(_burn, [n] * (2 * processes))
        many = time.perf_counter() - t
    return one / many


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", default=None, help="folder of photos (default: ../shared/data/photos/coco_mini "
                    "beside the repository if present, else the built-in samples)")
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    from colorkit.data import shards as S
    from colorkit.data.prepare import list_images, lut_path, prepare

    source = resolve_photos(args.photos, DEFAULT_PHOTOS)
    files = list_images(source)[0] if isinstance(source, Path) else [str(p) for p in photo_files(source)]
    files = files[: args.limit]
    print(describe(source, len(files)))
    if not files:
        print("no photos found", file=sys.stderr)
        return 2
    n = len(files)
    for f in files:  # warm the disk cache for everyone
        Path(f).read_bytes()
    print(f"{n} photos, size {args.size}, {os.cpu_count()} cores")

    t = time.perf_counter()
    S._LUT_CACHE.clear()
    S.lab_lut(lut_path())
    lut_s = time.perf_counter() - t

    tmp = Path(tempfile.mkdtemp(prefix="ck_bench_"))
    times = {k: [] for k in ("APS360 report", "decode+resize", "colorkit 1 worker", "colorkit 2 workers")}
    try:
        for r in range(args.repeats):
            d = tmp / f"aps360_{r}"
            d.mkdir()
            _on_cores(1)
            _settle()
            t = time.perf_counter()
            aps360_pipeline(files, args.size, d)
            times["APS360 report"].append(time.perf_counter() - t)
            aps360_bytes = sum(p.stat().st_size for p in d.glob("*.npz"))
            shutil.rmtree(d)

            _settle()
            t = time.perf_counter()
            decode_resize(files, args.size)
            times["decode+resize"].append(time.perf_counter() - t)

            for w in (1, 2):
                out = tmp / f"ck{w}_{r}"
                _on_cores(w)
                _settle()
                t = time.perf_counter()
                rep = prepare(files, out, size=args.size, workers=w, progress=False, lut=True)
                times[f"colorkit {w} worker" + ("s" if w > 1 else "")].append(time.perf_counter() - t)
                ck_bytes = sum(p.stat().st_size for p in out.glob("part-*.npz"))
                ck_images = rep.images
                shutil.rmtree(out)
    finally:
        _on_cores(len(ALL_CPUS) or 1)
        shutil.rmtree(tmp, ignore_errors=True)

    best = {k: min(v) for k, v in times.items()}
    print(f"{'pipeline':<22}{'images/s':>10}{'ms/image':>10}")
    for k, v in best.items():
        print(f"{k:<22}{n / v:>10.1f}{1000 * v / n:>10.2f}")
    f64 = args.size * args.size * 3 * 8
    print(f"storage per image: colorkit {ck_bytes / max(ck_images, 1) / 1024:.0f} KiB, "
          f"APS360 npz {aps360_bytes / n / 1024:.0f} KiB, float64 layout {f64 / 1024:.0f} KiB")
    print(f"LAB lookup table: built once in {lut_s:.1f} s, cached at {lut_path()}")
    def ratio(a: str, b: str) -> float:
        return float(np.median([x / y for x, y in zip(times[a], times[b])]))

    print(f"RESULT prepare_speedup {ratio('APS360 report', 'colorkit 1 worker'):.2f}")
    print(f"RESULT prepare_vs_decode_resize {ratio('colorkit 1 worker', 'decode+resize'):.2f}")
    print(f"RESULT prepare_scaling_2_workers {ratio('colorkit 1 worker', 'colorkit 2 workers'):.2f}")
    print(f"RESULT machine_scaling_2_processes {machine_scaling(2):.2f}  (pure-Python loop: the ceiling right now)")
    print(f"RESULT prepare_images_per_s_1_worker {n / best['colorkit 1 worker']:.1f}")
    print(f"RESULT prepare_storage_ratio_vs_float64 {ck_bytes / max(ck_images, 1) / f64:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
