"""``colorkit evaluate``: its options and what it runs (the logic lives in :mod:`colorkit.evaluate`)."""
from __future__ import annotations

import argparse
import logging

from colorkit.data.photos import DEFAULT_SIZE
from colorkit.evaluate import PROTOCOLS, evaluate, write_results


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("photos", metavar="PHOTOS",
                        help="folder of colour photos, a folder made by `colorkit prepare` (test split), or 'samples'")
    parser.add_argument("--checkpoint", action="append", default=[], metavar="CKPT",
                        help="a checkpoint to score (repeat for several)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help=f"square evaluation size (default {DEFAULT_SIZE})")
    parser.add_argument("--out", required=True, help="folder for results.csv, results.md, per_image.csv")
    parser.add_argument("--fit", default=None, help="photos to fit the data-driven baselines on "
                        "(default: the train split of a prepared folder, else leave-one-out)")
    parser.add_argument("--limit", type=int, default=None, help="score at most this many photos")
    parser.add_argument("--no-perceptual", action="store_true", help="skip LPIPS / FID / KID")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    parser.add_argument("--protocol", choices=PROTOCOLS, default="default",
                        help="default: colorkit's metrics; paper: the CT2/DDColor protocol (centre crop, 256 px, "
                        "FID on torchvision's Inception-v3, LPIPS-VGG, |colourfulness|), not comparable with default")


def run_cli(args) -> int:
    import pandas as pd

    from colorkit.checkpoint import is_url
    from colorkit.cli.args import (
        UsageError,
        at_least,
        device,
        output_folder,
        photo_source,
        read_checkpoint,
    )

    if args.size < 16:
        raise UsageError(f"--size must be at least 16 (SSIM needs 11x11 windows), got {args.size}")
    at_least(args.limit, 1, "--limit")
    photo_source(args.photos, "PHOTOS")
    if args.fit:
        photo_source(args.fit, "--fit")
    output_folder(args.out)
    dev = device(args.device)
    for c in args.checkpoint:  # every local one is read now: a wrong file is refused before minutes of scoring
        if not is_url(c):
            read_checkpoint(c, "--checkpoint")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    ev = evaluate(args.photos, args.checkpoint, size=args.size, fit=args.fit, limit=args.limit,
                  perceptual=not args.no_perceptual, device=dev, protocol=args.protocol)
    paths = write_results(ev, args.out)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(ev.table.drop(columns=[c for c in ("lpips", "lpips_vgg", "fid", "kid")
                                     if c in ev.table and ev.table[c].isna().all()]).to_string(float_format=lambda v: f"{v:.3f}"))
    print()
    print(ev.markdown())
    for n in ev.notes:
        print("note:", n)
    size = 256 if args.protocol == "paper" else args.size
    print(f"wrote {paths['csv']} ({len(ev.table)} rows, {len(ev.names)} images at {size}x{size}, "
          f"{args.protocol} protocol)")
    return 0
