"""Scoring speed: colorkit.evaluate.metrics.score_image against the same metrics written with scikit-image alone.

Both compute ΔE2000, ΔE76, PSNR and SSIM on RGB and on ab, MAE ab and colorfulness for the gray copy of
real photos, in the same run; the baseline uses ``skimage.color.rgb2lab`` and
``skimage.metrics.structural_similarity`` (the reference implementations colorkit is tested against).
Ends with ``RESULT metrics_speedup X`` (baseline time / colorkit time per image).
Run: ``python benchmarks/metrics_speed.py [--photos DIR] [--size 256]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from PIL import Image

from _photos import describe, photo_files, resolve_photos


def photos(source, size: int, limit: int) -> list[np.ndarray]:
    """The first ``limit`` photos of ``source`` (see ``_photos.resolve_photos``) resized to ``size x size``."""
    paths = photo_files(source, limit)
    return [np.asarray(Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR)) for p in paths]


def skimage_scores(pred: np.ndarray, true: np.ndarray) -> dict:
    """The baseline: every metric from scikit-image primitives (float64 throughout)."""
    from skimage.color import deltaE_ciede2000, rgb2lab
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    p, t = pred / 255.0, true / 255.0
    lp, lt = rgb2lab(p), rgb2lab(t)
    kw = dict(channel_axis=-1, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    rgb = p * 255
    rg, yb = rgb[..., 0] - rgb[..., 1], 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return {
        "de2000": deltaE_ciede2000(lt, lp).mean(),
        "de76": np.linalg.norm(lt - lp, axis=-1).mean(),
        "mae_ab": np.abs(lt[..., 1:] - lp[..., 1:]).mean(),
        "psnr": peak_signal_noise_ratio(t, p, data_range=1),
        "ssim": structural_similarity(t, p, data_range=1, **kw),
        "ssim_ab": structural_similarity(lt[..., 1:] / 110, lp[..., 1:] / 110, data_range=2, **kw),
        "cf": np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()),
    }


def best_ms(fn, pairs, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for p, t in pairs:
            fn(p, t)
        times.append((time.perf_counter() - t0) / len(pairs) * 1000)
    return min(times)


def main() -> None:
    import cv2

    from colorkit.color import gray_copy
    from colorkit.evaluate.metrics import score_image

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--photos", default=None, help="folder of photos (default: ../shared/data/photos/coco_mini "
                    "beside the repository if present, else the built-in samples)")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--limit", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    source = resolve_photos(args.photos, "photos/coco_mini")
    images = photos(source, args.size, args.limit)
    print(describe(source, len(images)))
    pairs = [(np.round(gray_copy(im) * 255).astype(np.uint8), im) for im in images]
    ours = score_image(*pairs[0])
    ref = skimage_scores(*pairs[0])
    print("agreement on the first photo: " + ", ".join(f"{k} {ours[k]:.4f}/{ref[k]:.4f}" for k in ref))
    base = best_ms(skimage_scores, pairs, args.repeats)
    mine = best_ms(score_image, pairs, args.repeats)
    print(f"{len(pairs)} photos at {args.size}x{args.size}, best of {args.repeats}")
    print(f"  scikit-image only   {base:8.2f} ms/image")
    print(f"  colorkit.evaluate.metrics    {mine:8.2f} ms/image (also computes acc_de, auc_ab, psnr_ab, dcf)")
    print(f"RESULT metrics_speedup {base / mine:.2f}")


if __name__ == "__main__":
    main()
