"""Issue-11 check: ``colorkit colorize`` with its default settings on full-size photos a model never saw.

    colorkit train --model unet --data PREPARED_TINY64 --preset cpu --max-minutes 15 --out runs/q15
    .venv/bin/python benchmarks/colorize_quality.py --checkpoint runs/q15/last.pt [--photos DIR] [--limit N]

Runs the command exactly as a user would (``colorkit colorize --checkpoint CKPT PHOTOS --out DIR``, no
``--size``: the model predicts at the scale its checkpoint records), then scores every written PNG against
the original photo at the photo's own full resolution: mean ΔE2000 per pixel
(``colorkit.evaluate.metrics.delta_e2000_map``, scikit-image CIEDE2000), averaged per photo, then over photos.
The same for the gray copy (L kept, a = b = 0) and, as a check of the full-resolution promise, the
99th percentile of |L_out - L_in|.

Default photos: ``../shared/data/photos/bsds500/test`` beside the repository (200 photos of 481x321,
none of them in Tiny ImageNet), else the built-in photos. Ends with ``RESULT colorize_de2000 X``,
``RESULT colorize_gray_de2000 Y``, ``RESULT colorize_minus_gray Z`` and ``RESULT colorize_l_p99 W``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _photos import describe, photo_files, resolve_photos  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--photos", default=None, help="folder of held-out colour photos")
    ap.add_argument("--limit", type=int, default=None, help="score the first N photos only")
    ap.add_argument("--keep", default=None, help="keep the colorized PNGs in this folder")
    a = ap.parse_args(argv)

    from colorkit.cli import main as colorkit_main
    from colorkit.color import gray_copy, rgb_to_lab
    from colorkit.colorize import output_names, read_image
    from colorkit.evaluate.metrics import delta_e2000_map

    source = resolve_photos(a.photos, "photos/bsds500/test")
    files = photo_files(source, a.limit)
    print(describe(source, len(files)))
    work = Path(tempfile.mkdtemp(prefix="colorize_quality_"))
    try:
        inputs = work / "in"
        inputs.mkdir()
        for f in files:  # links keep the command's input exactly these files, under their own names
            (inputs / f.name).symlink_to(f.resolve())
        out = Path(a.keep) if a.keep else work / "out"
        rc = colorkit_main(["colorize", "--checkpoint", a.checkpoint, str(inputs), "--out", str(out)])
        if rc != 0:
            print(f"colorkit colorize exited with {rc}")
            return 1
        src_files = sorted(inputs.iterdir())
        de, gray, l_p99 = [], [], []
        for src, dst in zip(src_files, output_names(src_files, out)):
            truth, pred = read_image(src), read_image(dst)
            de.append(float(delta_e2000_map(pred, truth).mean()))
            gray.append(float(delta_e2000_map(gray_copy(truth), truth).mean()))
            l_p99.append(float(np.percentile(np.abs(rgb_to_lab(pred)[..., 0] - rgb_to_lab(truth)[..., 0]), 99)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    de_m, gray_m = float(np.mean(de)), float(np.mean(gray))
    wins = int(np.sum(np.array(de) < np.array(gray)))
    print(f"{len(de)} photos at full size; model beats the gray copy on {wins} of them")
    print(f"RESULT colorize_de2000 {de_m:.3f}")
    print(f"RESULT colorize_gray_de2000 {gray_m:.3f}")
    print(f"RESULT colorize_minus_gray {de_m - gray_m:+.3f}")
    print(f"RESULT colorize_l_p99 {float(np.median(l_p99)):.3f}  (median over photos of each one's 99th percentile |ΔL|)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
