"""The ``colorkit`` command: ``colorkit prepare|train|colorize|evaluate|run``.

Each sub-command lives with its logic: the module named in :data:`COMMANDS` defines
``add_cli_arguments(parser)`` and ``run_cli(args) -> int``. Modules are imported only when their
command runs, so ``colorkit --help`` is fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "prepare": ("colorkit.data.prepare", "decode, resize and convert photos into LAB .npz shards"),
    "train": ("colorkit.train", "train a model on prepared shards"),
    "colorize": ("colorkit.colorize", "colorize image files or folders with a checkpoint"),
    "evaluate": ("colorkit.evaluate", "score checkpoints and trivial baselines on held-out photos"),
    "run": ("colorkit.course", "execute the course notebooks with papermill"),
}


def build_parser(load: str | None = None) -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="colorkit", description="Deep-learning image colorization toolkit.")
    parser.add_argument("--version", action="version", version=f"colorkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == load:
            importlib.import_module(module).add_cli_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in COMMANDS:
        build_parser().parse_args(argv or ["--help"])
        return 2
    args = build_parser(load=command).parse_args(argv)
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.run_cli(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
