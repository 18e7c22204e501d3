"""sRGB -> CIELAB speed: colorkit.color against scikit-image on 256x256 photos, in the same run.

Prints per-image milliseconds for both directions and ends with ``RESULT lab_speedup X``
(scikit-image time / colorkit time for rgb -> lab on uint8 photos). Run: ``python benchmarks/lab_speed.py``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from PIL import Image
from skimage import color as skcolor

from colorkit import color
from _photos import describe, photo_files, resolve_photos


def photos(source, size: int, limit: int) -> list[np.ndarray]:
    """The first ``limit`` photos of ``source`` (see ``_photos.resolve_photos``) resized to ``size x size``."""
    paths = photo_files(source, limit)
    return [np.asarray(Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR)) for p in paths]


def best_ms(fn, images, repeats: int) -> float:
    """Best of ``repeats`` passes over all images, in ms per image (best-of damps machine noise)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for im in images:
            fn(im)
        times.append((time.perf_counter() - t0) / len(images) * 1000)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--photos", default=None, help="folder of photos (default: ../shared/data/photos/coco_mini "
                    "beside the repository if present, else the built-in samples)")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--limit", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    source = resolve_photos(args.photos, "photos/coco_mini")
    images = photos(source, args.size, args.limit)
    print(describe(source, len(images)))
    labs = [color.rgb_to_lab(im) for im in images]
    rows = {
        "rgb->lab skimage": best_ms(skcolor.rgb2lab, images, args.repeats),
        "rgb->lab colorkit": best_ms(color.rgb_to_lab, images, args.repeats),
        "lab->rgb skimage": best_ms(skcolor.lab2rgb, labs, args.repeats),
        "lab->rgb colorkit": best_ms(color.lab_to_rgb, labs, args.repeats),
    }
    print(f"{len(images)} photos at {args.size}x{args.size}, best of {args.repeats}")
    for k, v in rows.items():
        print(f"  {k:20s} {v:7.3f} ms/image")
    back = rows["lab->rgb skimage"] / rows["lab->rgb colorkit"]
    print(f"RESULT lab_to_rgb_speedup {back:.2f}")
    print(f"RESULT lab_speedup {rows['rgb->lab skimage'] / rows['rgb->lab colorkit']:.2f}")


if __name__ == "__main__":
    main()
