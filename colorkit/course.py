"""The course runner and the notebook checks (``make run``, ``colorkit run``, ``make test``).

Introduced in notebook ``00_quickstart`` (how the course is laid out). Notebooks live in
``notebooks/`` as jupytext pairs: ``NN_name.py`` (percent format, the one to edit) and
``NN_name.ipynb`` (committed without outputs, what Colab opens).
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .paths import home, repo_root

REPOSITORY = "colorkit/colorkit"  # GitHub owner/name used by the Colab badges and the bootstrap cells
COLAB_URL = "https://colab.research.google.com/github/{repo}/blob/main/notebooks/{name}.ipynb"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def notebooks_dir() -> Path:
    root = repo_root()
    if root is None:
        raise FileNotFoundError("the course notebooks live in a clone of the repository; run from a clone")
    return root / "notebooks"


def course_notebooks(folder: Path | None = None) -> list[Path]:
    """The lessons in order: ``NN_name.ipynb`` sorted by number."""
    folder = Path(folder) if folder else notebooks_dir()
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def colab_badge(name: str) -> str:
    """The Markdown of a notebook's Open-in-Colab badge."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({COLAB_URL.format(repo=REPOSITORY, name=name)})"


# --- records: values a notebook writes down so tests can check them with loose tolerances -------------
def record(key: str, value, notebook: str | None = None) -> None:
    """Write down a number a lesson computed (shown in the notebook and in ``runs/records/NAME.json``).

    The smoke tests of CI read these files and check the values loosely (like scrapbook in
    microsoft/recommenders, without the extra dependency).
    """
    notebook = notebook or os.environ.get("COLORKIT_NOTEBOOK", "interactive")
    folder = home() / "runs" / "records"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=1, default=float))
    print(f"RECORD {key} = {value}")


def read_records(notebook: str) -> dict:
    path = home() / "runs" / "records" / f"{notebook}.json"
    return json.loads(path.read_text()) if path.exists() else {}


# --- the checks CI runs: pairs in sync, no outputs committed --------------------------------------
def _cells(nb) -> list[tuple]:
    return [(c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", ()))) for c in nb.cells]


def check_notebooks(folder: Path | None = None) -> list[str]:
    """Problems with the committed notebooks: a missing twin, a pair whose cells differ (drift),
    or an ``.ipynb`` that carries outputs or execution counts. An empty list means all is well."""
    import jupytext

    folder = Path(folder) if folder else notebooks_dir()
    problems = []
    stems = {p.stem for p in folder.glob("[0-9][0-9]_*.py")} | {p.stem for p in folder.glob("[0-9][0-9]_*.ipynb")}
    for stem in sorted(stems):
        py, ipynb = folder / f"{stem}.py", folder / f"{stem}.ipynb"
        if not py.exists() or not ipynb.exists():
            missing = py if not py.exists() else ipynb
            problems.append(f"{missing.name} is missing: run `jupytext --sync notebooks/{stem}.*`")
            continue
        nb_py, nb_ipynb = jupytext.read(py), jupytext.read(ipynb)
        if _cells(nb_py) != _cells(nb_ipynb):
            problems.append(f"{stem}: .py and .ipynb differ (drift): edit the .py, then `make sync`")
        for i, cell in enumerate(nb_ipynb.cells):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                problems.append(f"{stem}.ipynb cell {i} carries outputs: clear them (`make sync` does)")
                break
    return problems


# --- the course run ---------------------------------------------------------------------------------
@dataclass
class LessonRun:
    name: str
    ok: bool
    minutes: float
    error: str = ""


@dataclass
class CourseRun:
    out_dir: Path
    preset: str
    lessons: list[LessonRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(lesson.ok for lesson in self.lessons)

    def summary_markdown(self) -> str:
        lines = [f"# colorkit course run: preset `{self.preset}`", "", "| notebook | status | minutes |", "|---|---|---|"]
        for r in self.lessons:
            lines.append(f"| {r.name} | {'ok' if r.ok else 'FAILED: ' + r.error[:120]} | {r.minutes:.1f} |")
        lines.append("")
        lines.append(f"total: {sum(r.minutes for r in self.lessons):.1f} minutes")
        return "\n".join(lines) + "\n"


def run_course(preset: str = "cpu", data: str = "", out_dir: str | Path | None = None,
               only: list[str] | None = None, kernel: str = "python3") -> CourseRun:
    """Execute every lesson in order with papermill; write executed notebooks and ``summary.md``
    to ``runs/<timestamp>/``. A failing lesson is recorded and the run goes on to the next."""
    import papermill as pm

    from .presets import resolve_preset

    preset = resolve_preset(preset)
    out_dir = Path(out_dir) if out_dir else home() / "runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    if not data:
        print("No DATA given: each lesson uses the preset's course dataset when online, "
              "else the built-in scikit-image photos (offline).")
    run = CourseRun(out_dir=out_dir, preset=preset)
    for nb in course_notebooks():
        if only and not any(nb.stem.startswith(o) for o in only):
            continue
        print(f"== {nb.stem} (preset {preset})", flush=True)
        t0 = time.time()
        os.environ["COLORKIT_NOTEBOOK"] = nb.stem
        try:
            pm.execute_notebook(str(nb), str(out_dir / nb.name), parameters={"PRESET": preset, "DATA": data},
                                cwd=str(nb.parent), kernel_name=kernel, progress_bar=False)
            run.lessons.append(LessonRun(nb.stem, True, (time.time() - t0) / 60))
        except Exception as e:  # papermill raises PapermillExecutionError with the failing cell
            run.lessons.append(LessonRun(nb.stem, False, (time.time() - t0) / 60, str(e).strip().splitlines()[-1]))
        finally:
            os.environ.pop("COLORKIT_NOTEBOOK", None)
        (out_dir / "summary.md").write_text(run.summary_markdown())
    print(run.summary_markdown())
    print(f"executed notebooks and summary in {out_dir}")
    return run


def add_cli_arguments(parser) -> None:
    parser.add_argument("--preset", default="cpu", help="smoke, cpu, gpu or auto (default: cpu)")
    parser.add_argument("--data", default="", help="a folder of photos to use instead of the default dataset")
    parser.add_argument("--out", default=None, help="output folder (default: runs/<timestamp>)")
    parser.add_argument("--only", nargs="*", help="run only lessons whose names start with these (e.g. 00 01)")
    parser.add_argument("--check", action="store_true", help="only check notebook pairs and outputs, run nothing")


def run_cli(args) -> int:
    if args.check:
        problems = check_notebooks()
        print("\n".join(problems) if problems else "notebooks: pairs in sync, no outputs")
        return 1 if problems else 0
    return 0 if run_course(args.preset, args.data, args.out, args.only).ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
