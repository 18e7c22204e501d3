"""The ``colorkit`` command: ``colorkit prepare|train|colorize|hints|evaluate|export|models|run``.

Each sub-command has a module here, ``colorkit.cli.<command>`` (named in :data:`COMMANDS`), defining
``add_cli_arguments(parser)`` and ``run_cli(args) -> int``; the logic they call lives in the library
(the CLI is the top layer: nothing in the library imports it). Modules are imported only when their
command runs, so ``colorkit --help`` is fast.

Errors: a mistake the user can fix (a missing path, an unknown name, a bad value, a file that is not
a checkpoint or not a photo) is reported as one line, ``colorkit <command>: error: <message>`` on
stderr, with exit status 2 and no traceback. The ``run_cli`` functions check their inputs up front
with the helpers of :mod:`colorkit.cli.args` (:func:`~colorkit.cli.args.existing_path`, :func:`at_least`, :func:`json_object`, ...), which
raise :class:`UsageError`; :func:`main` also reports the package's own user-facing error types (see
:func:`user_error_message`). Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from colorkit.cli.args import UsageError  # noqa: F401  (re-exported: the error every command raises)

COMMANDS = {
    "prepare": ("colorkit.cli.prepare", "decode, resize and convert photos into LAB .npz shards"),
    "train": ("colorkit.cli.train", "train a model on prepared shards"),
    "colorize": ("colorkit.cli.colorize", "colorize image files or folders with a checkpoint or a shipped model, or from colour hints"),
    "evaluate": ("colorkit.cli.evaluate", "score checkpoints and trivial baselines on held-out photos"),
    "hints": ("colorkit.cli.hints", "write simulated colour hints for a photo (for colorize --hints)"),
    "export": ("colorkit.cli.export", "export a checkpoint to ONNX, to run it with onnxruntime"),
    "models": ("colorkit.cli.models", "list the shipped reference models and the models trained here"),
    "run": ("colorkit.course.command", "execute the course notebooks with papermill"),
}


def build_parser(load: str | None = None) -> argparse.ArgumentParser:
    from colorkit import __version__

    parser = argparse.ArgumentParser(prog="colorkit", description="Deep-learning image colorization toolkit.")
    parser.add_argument("--version", action="version", version=f"colorkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == load:
            importlib.import_module(module).add_cli_arguments(p)
    return parser


def _loaded_types(module: str, *names: str) -> tuple[type, ...]:
    """Exception classes of ``module`` if it is imported (an error of a module never imported cannot occur)."""
    mod = sys.modules.get(module)
    return tuple(getattr(mod, n) for n in names if mod is not None and hasattr(mod, n))


def user_error_message(exc: BaseException) -> str | None:
    """The one-line message for an error the user caused, or None for anything else (a bug).

    User errors: :class:`UsageError`; missing, misplaced or unwritable files (``FileNotFoundError``,
    ``NotADirectoryError``, ``IsADirectoryError``, ``PermissionError``); refused checkpoints
    (:class:`colorkit.checkpoint.UnsafeCheckpointError`, :class:`~colorkit.checkpoint.ChecksumMismatchError`);
    dataset sources that cannot be had (:class:`colorkit.data.sources.SourceError`); unreadable photos
    (:class:`colorkit.data.images.ImageReadError`); failed downloads (``ConnectionError``); ImageNet weights
    that cannot be had offline (:class:`colorkit.models.blocks.PretrainedWeightsUnavailable`); ONNX support not
    installed (:class:`colorkit.onnx_export.OnnxUnavailable`, naming ``pip install colorkit[onnx]``); hints files
    and hints that are not valid (:class:`colorkit.guided.hints.HintError`).
    """
    expected = (UsageError, FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError,
                ConnectionError)
    expected += _loaded_types("colorkit.checkpoint", "UnsafeCheckpointError", "ChecksumMismatchError")
    expected += _loaded_types("colorkit.data.sources", "SourceError")
    expected += _loaded_types("colorkit.data.images", "ImageReadError")
    expected += _loaded_types("colorkit.models.blocks", "PretrainedWeightsUnavailable")  # offline, no weights file
    expected += _loaded_types("colorkit.onnx_export", "OnnxUnavailable")  # onnx/onnxruntime not installed
    expected += _loaded_types("colorkit.guided.hints", "HintError")  # a hints file or hint that is not valid
    if not isinstance(exc, expected):
        return None
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:  # "[Errno 2] ..." -> plain words
        msg = f"{exc.strerror}: {exc.filename}"
    else:
        msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    msg = " ".join(msg.split())  # one line, whatever the message held
    return msg or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in COMMANDS:
        build_parser().parse_args(argv or ["--help"])
        return 2
    args = build_parser(load=command).parse_args(argv)
    module = importlib.import_module(COMMANDS[command][0])
    try:
        return int(module.run_cli(args) or 0)
    except Exception as e:  # noqa: BLE001 - only the user's errors are reported briefly; bugs are re-raised
        msg = user_error_message(e)
        if msg is None:
            raise
        sys.stdout.flush()
        print(f"colorkit {command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
