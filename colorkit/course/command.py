"""``colorkit run``: the course's own command (options and the call to :func:`colorkit.course.run_course`).

It lives in the course, not in :mod:`colorkit.cli`, so that nothing outside ``colorkit.course`` imports the
course: :data:`colorkit.cli.COMMANDS` names this module and the dispatcher loads it by name."""
from __future__ import annotations

import argparse

import sys
from colorkit.paths import repo_root

from colorkit.course import check_notebooks, course_notebooks, run_course


def add_cli_arguments(parser) -> None:
    parser.add_argument("--preset", default="cpu", help="smoke, cpu, gpu or auto (default: cpu)")
    parser.add_argument("--data", default="", help="a folder of photos to use instead of the default dataset")
    parser.add_argument("--out", default=None, help="output folder (default: runs/<timestamp>)")
    parser.add_argument("--only", nargs="*", help="run only lessons whose names start with these (e.g. 00 01)")
    parser.add_argument("--check", action="store_true", help="only check notebook pairs and outputs, run nothing")
    parser.add_argument("--solutions", action=argparse.BooleanOptionalAction, default=None,
                        help="also run the exercises' solution cells (default: only under the smoke preset)")


def run_cli(args) -> int:
    import importlib.util

    from colorkit.cli.args import UsageError, existing_path, output_folder, photo_source
    from colorkit.presets import resolve_preset

    if repo_root() is None:
        raise UsageError("the course notebooks live in a clone of the repository: run `colorkit run` from a clone "
                         "(git clone, then pip install -e .)")
    if args.check:
        problems = check_notebooks()
        print("\n".join(problems) if problems else "notebooks: pairs in sync, no outputs")
        return 1 if problems else 0
    try:
        resolve_preset(args.preset)
    except ValueError as e:
        raise UsageError(f"--preset: {e}") from None
    if args.data:
        existing_path(args.data, "--data", "give a folder of colour photos (or leave --data out)", kind="dir")
        photo_source(args.data, "--data")
    if args.out:
        output_folder(args.out)
    if args.only is not None:
        names = [nb.stem for nb in course_notebooks()]
        unknown = [o for o in args.only if not any(n.startswith(o) for n in names)]
        if unknown or not args.only:
            raise UsageError(f"--only {' '.join(unknown) or '(nothing)'}: no such lesson; give the start of lesson "
                             f"names ({', '.join(names)})")
    if importlib.util.find_spec("papermill") is None:
        raise UsageError("`colorkit run` needs papermill: pip install papermill (or use the course environment)")
    return 0 if run_course(args.preset, args.data, args.out, args.only, solutions=args.solutions).ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
