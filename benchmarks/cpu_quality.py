"""Issue-4 quality check: a checkpoint's mean ΔE2000 against the gray copy's on held-out photos.

    colorkit train --model unet --data PREPARED_TINY64 --preset cpu --max-minutes 15 --out runs/q15
    .venv/bin/python benchmarks/cpu_quality.py --checkpoint runs/q15/last.pt [--photos DIR]

Photos: ``--photos DIR``, else ``../shared/data/tiny64/val`` beside the repository when present (the 2,000
held-out Tiny ImageNet photos the README's result is measured on), else the built-in samples
(``benchmarks/_photos.py``); the first line printed says which.

Every photo is scored at its own size (64x64 for Tiny ImageNet): the model sees its normalized L, its ab is
recombined with the photo's L (``colorkit.evaluate.predict_images``), ΔE2000 per pixel by
``colorkit.evaluate.metrics.delta_e2000_map`` (scikit-image CIEDE2000), averaged per image, then over images.
Also prints ΔE2000 when the predicted ab is scaled by a few gains (1 = the model as trained): a gain
below 1 that scores better means the model is still over-confident about colour.
Ends with ``RESULT cpu_unet_de2000 X``, ``RESULT cpu_gray_de2000 Y`` and ``RESULT cpu_unet_minus_gray Z``.
"""
from __future__ import annotations

import argparse

import numpy as np
from _photos import describe, resolve_photos


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--photos", default=None, help="folder of held-out colour photos "
                    "(default: ../shared/data/tiny64/val beside the repository if present, else the built-in samples)")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=None, help="score an evenly spread subset")
    ap.add_argument("--gains", default="1.0,0.8,0.6")
    a = ap.parse_args(argv)
    source = resolve_photos(a.photos, "tiny64/val")

    import torch

    from colorkit.color import gray_copy, lab_to_rgb, rgb_to_lab
    from colorkit.evaluate import load_images, predict_images
    from colorkit.evaluate.metrics import delta_e2000_map
    from colorkit.checkpoint import load_trained
    from tqdm.auto import tqdm

    torch.set_num_threads(1)
    model, ckpt = load_trained(a.checkpoint)
    truths, _ = load_images(source, a.size, limit=a.limit)
    print(describe(source, len(truths)))
    preds, _ = predict_images(model, truths)
    gray = float(np.mean([delta_e2000_map(gray_copy(t), t).mean() for t in tqdm(truths, desc="gray")]))
    print(f"{len(truths)} photos; checkpoint {a.checkpoint}: {ckpt['card']}")
    print(f"gray copy   ΔE2000 {gray:.3f}")
    result = None
    for g in [float(x) for x in a.gains.split(",")]:
        des = []
        for p, t in zip(preds, truths):
            lab_p, L_t = rgb_to_lab(p), rgb_to_lab(t)[..., 0]
            lab_p[..., 0] = L_t
            lab_p[..., 1:] *= g
            des.append(delta_e2000_map(lab_to_rgb(lab_p, dtype=np.uint8), t).mean())
        de = float(np.mean(des))
        print(f"model gain {g:.2f} ΔE2000 {de:.3f}  ({de - gray:+.3f} vs gray)")
        if g == 1.0:
            result = de
    if result is not None:
        print(f"RESULT cpu_unet_de2000 {result:.3f}")
        print(f"RESULT cpu_gray_de2000 {gray:.3f}")
        print(f"RESULT cpu_unet_minus_gray {result - gray:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
