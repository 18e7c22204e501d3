"""``colorkit hints``: simulated colour hints for a photo, written as a hints file (the logic lives in
:func:`colorkit.colorize_guided.simulate_photo_hints` and :mod:`colorkit.guided`).

For benchmarks and exercises: the simulated user of :mod:`colorkit.guided.simulate` (after Zhang et al. 2017)
looks at the colour photo shrunk to ``--size`` on its long side and clicks ``--count`` patches, each holding the
patch's true mean colour; ``colorkit colorize GRAY --hints FILE.json`` then colorizes from them::

    colorkit hints photo.jpg --count 10 --out hints/photo.json
    colorkit colorize photo.jpg --hints hints/photo.json --method levin --out out/
"""
from __future__ import annotations

from pathlib import Path

from colorkit.colorize_guided import DEFAULT_HINT_SIZE


def add_cli_arguments(parser) -> None:
    parser.add_argument("photo", metavar="PHOTO", help="a colour photo: the hints hold its true colours")
    parser.add_argument("--count", type=int, default=None,
                        help="how many hints (default: drawn as the simulated user does: geometric, p = 1/8, mean 7)")
    parser.add_argument("--out", required=True, metavar="FILE.json", help="the hints file to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the simulated user (default 0)")
    parser.add_argument("--size", type=int, default=DEFAULT_HINT_SIZE,
                        help="long side (pixels) of the photo the simulated user looks at; hint patches are "
                             f"1-9 of its pixels (default {DEFAULT_HINT_SIZE}, the work size of --method levin)")


def run_cli(args) -> int:
    from colorkit.cli.args import UsageError, at_least, existing_path, output_folder
    from colorkit.colorize_guided import simulate_photo_hints
    from colorkit.guided.hints import MAX_HINTS, write_hints

    at_least(args.count, 0, "--count")
    if args.count is not None and args.count > MAX_HINTS:
        raise UsageError(f"--count {args.count:,}: at most {MAX_HINTS:,} hints are accepted")
    at_least(args.size, 1, "--size")
    photo = existing_path(args.photo, "PHOTO", "give a colour photo (.jpg, .png, ...)", kind="file")
    out = Path(args.out).expanduser()
    if out.is_dir():
        raise UsageError(f"--out {args.out} is a folder: give the hints file to write, e.g. {out / photo.stem}.json")
    output_folder(out.parent, "--out")
    hints = simulate_photo_hints(photo, count=args.count, seed=args.seed, size=args.size)  # ImageReadError: not a photo
    write_hints(out, hints, photo=photo.name, seed=args.seed, count=len(hints), size=args.size)
    print(f"wrote {len(hints)} simulated hint(s) for {photo} to {out}")
    return 0
