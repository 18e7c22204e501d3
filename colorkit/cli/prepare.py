"""``colorkit prepare``: its options and what it runs (the logic lives in :mod:`colorkit.data.prepare`)."""
from __future__ import annotations

import argparse
from pathlib import Path
from colorkit.data import shards as S
from colorkit.data.images import DEFAULT_MAX_PIXELS

from colorkit.data.prepare import GRAY_THRESHOLD, MIN_SIDE, RESIZE_MODES, _Config, _settings, prepare


SOURCE_NAMES = ("coco", "kaggle", "tiny-imagenet", "samples")


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="coco, kaggle, tiny-imagenet, samples (the built-in photos) or a folder of photos")
    parser.add_argument("--size", type=int, default=256, help="side of the square images (default 256)")
    parser.add_argument("--out", default=None, help="output folder (default: <data>/prepared/<source>-<size>-<resize>)")
    parser.add_argument("--max-images", type=int, default=None, help="a seeded random subset of N photos")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--resize", choices=RESIZE_MODES, default="crop", help="centre-crop (default) or pad")
    parser.add_argument("--split", default=None, help="coco: val2017 (default) or train2017")
    parser.add_argument("--overwrite", action="store_true", help="discard shards prepared with other settings")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def run_cli(args) -> int:
    from colorkit.cli.args import UsageError, at_least, output_folder, photo_source
    from colorkit.data.sources import COCO, source_files

    at_least(args.size, 8, "--size")
    at_least(args.max_images, 1, "--max-images")
    at_least(args.workers, 1, "--workers")
    names = ("coco", "kaggle", "tiny-imagenet", "tiny_imagenet", "tinyimagenet", "samples")
    if args.split is not None and args.source != "coco":
        raise UsageError(f"--split is for the coco source only ({' or '.join(COCO)}); drop it for {args.source!r}")
    if args.split is not None and args.split not in COCO:
        raise UsageError(f"--split: unknown COCO split {args.split!r}; choose {' or '.join(COCO)}")
    if args.source not in names:
        if not Path(args.source).expanduser().exists():
            raise UsageError(f"unknown source {args.source!r}: use coco, kaggle, tiny-imagenet, samples "
                             "or a folder of photos (no such folder)")
        photo_source(args.source, "SOURCE")

    def check_out(out: Path) -> Path:
        output_folder(out, "--out")
        meta = out / "prepare.json"
        if meta.is_file() and not args.overwrite:  # the check prepare() makes, as a one-line CLI error
            old = S.read_json(meta).get("settings", {})
            new = _settings(_Config(int(args.size), args.resize, MIN_SIDE, DEFAULT_MAX_PIXELS, GRAY_THRESHOLD))
            diff = {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}
            if diff:
                raise UsageError(f"{out} already holds shards prepared with other settings {diff} (old, new): "
                                 "give another --out, or --overwrite to discard them")
        return out

    if args.out:
        check_out(Path(args.out).expanduser())  # before any download
    files, label = source_files(args.source, max_images=args.max_images, split=args.split,
                                progress=not args.no_progress)  # SourceError (network, Kaggle login) is reported
    from colorkit.paths import data_dir

    out = check_out(Path(args.out).expanduser() if args.out else data_dir("prepared", f"{label}-{args.size}-{args.resize}"))
    report = prepare(files, out, size=args.size, resize=args.resize, workers=args.workers,
                     max_images=args.max_images, overwrite=args.overwrite, progress=not args.no_progress)
    print(report.summary())
    for s in report.skipped[:20]:
        print(f"  skipped ({s['kind']}): {s['source']}: {s['reason']}")
    if len(report.skipped) > 20:
        print(f"  ... {len(report.skipped) - 20} more in {out / 'skipped.csv'}")
    return 0
