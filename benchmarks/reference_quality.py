"""Issue-15 quality check: a shipped reference model's mean ΔE2000 and colourfulness against the gray copy's.

    .venv/bin/python benchmarks/reference_quality.py --name reference [--photos DIR] [--limit N]

``--name``: ``reference`` (the default shipped model), ``reference:unet_gan`` or ``unet_gan``
(``colorkit models`` lists them). The model is loaded exactly as users get it (``colorkit.load(name)``: the
float16 file checked against the package's SHA-256 index, turned back into float32); no training.

Photos: ``--photos DIR``, else ``../shared/data/tiny64/val`` beside the repository when present (the held-out
Tiny ImageNet photos the cards are measured on), else the built-in samples (``benchmarks/_photos.py``); the first
line printed says which. Scoring is :func:`colorkit.reference.measure` (what ``package_reference`` writes into the
card): each photo centre-cropped to the model's training size (``--size``), colorized at that size, ΔE2000 with
scikit-image's CIEDE2000 and Hasler & Suesstrunk colourfulness, per image then averaged; the gray copy (L kept,
ab = 0) is scored on the same pixels. Ends with ``RESULT reference_de2000 X``, ``RESULT reference_gray_de2000 Y``,
``RESULT reference_minus_gray Z`` and ``RESULT reference_colorfulness C``.
"""
from __future__ import annotations

import argparse

from _photos import describe, resolve_photos


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", default="reference", help="reference, reference:unet_gan, unet_gan, ...")
    ap.add_argument("--photos", default=None, help="folder of held-out colour photos "
                    "(default: ../shared/data/tiny64/val beside the repository if present, else the built-in samples)")
    ap.add_argument("--size", type=int, default=None, help="side the photos are scored at (default: training size)")
    ap.add_argument("--limit", type=int, default=None, help="score at most N photos (as colorkit.evaluate.load_images picks them)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    a = ap.parse_args(argv)
    source = resolve_photos(a.photos, "tiny64/val")

    import torch

    from colorkit.reference import load_reference, measure

    torch.set_num_threads(a.threads)
    model = load_reference(a.name)
    held = measure(model, source, size=a.size, limit=a.limit)
    print(describe(source, held["images"]))
    card = model.card or {}
    print(f"reference {model.reference_name} ({model.checkpoint_path}), scored at {held['size']} px; "
          f"card: {(card.get('metrics') or {})}")
    gray, ours = held["table"]["gray copy"], held["table"]["model"]
    for row, scores in (("gray copy", gray), (model.reference_name, ours)):
        print(f"{row:<12} " + "  ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    print(f"RESULT reference_de2000 {ours['de2000']:.3f}")
    print(f"RESULT reference_gray_de2000 {gray['de2000']:.3f}")
    print(f"RESULT reference_minus_gray {ours['de2000'] - gray['de2000']:+.3f}")
    print(f"RESULT reference_colorfulness {ours['cf']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
