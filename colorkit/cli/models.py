"""``colorkit models``: the shipped reference models and the models trained here, with their card metrics
(the logic lives in :mod:`colorkit.reference`)."""
from __future__ import annotations

import json


def add_cli_arguments(parser) -> None:
    parser.add_argument("--home", default=None,
                        help="where to look for trained models (default: COLORKIT_HOME, see colorkit.paths)")
    parser.add_argument("--json", action="store_true", help="print the list as JSON (one object per model)")


def run_cli(args) -> int:
    from colorkit.cli.args import existing_path
    from colorkit.reference import format_models, list_models

    home = existing_path(args.home, "--home", kind="dir") if args.home else None
    rows = list_models(home)
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "card"} for r in rows], indent=2))
        return 0
    print(format_models(rows))
    trained = sum(r["kind"] == "trained" for r in rows)
    print(f"\n{len(rows) - trained} reference model(s) shipped with colorkit, {trained} trained here. "
          "ΔE2000 (lower is better) and colourfulness on held-out photos, next to the gray copy's. "
          "Run one: colorkit colorize INPUT --out DIR --model reference")
    return 0
