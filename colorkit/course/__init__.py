"""The course runner and the notebook checks (``make run``, ``colorkit run``, ``make test``).

Introduced in notebook ``00_quickstart`` (how the course is laid out). Notebooks live in
``notebooks/`` as jupytext pairs: ``NN_name.py`` (percent format, the one to edit) and
``NN_name.ipynb`` (committed without outputs, what Colab opens).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from colorkit.paths import home, repo_root

REPOSITORY = "colorkit/colorkit"  # GitHub owner/name used by the Colab badges and the bootstrap cells
COLAB_URL = "https://colab.research.google.com/github/{repo}/blob/main/notebooks/{name}.ipynb"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
KAGGLE_URL = "https://kaggle.com/kernels/welcome?src=https://github.com/{repo}/blob/main/notebooks/{name}.ipynb"
KAGGLE_BADGE_IMAGE = "https://kaggle.com/static/images/open-in-kaggle.svg"


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


def kaggle_badge(name: str) -> str:
    """The Markdown of a notebook's Open-in-Kaggle badge (Kaggle imports the notebook from GitHub)."""
    return f"[![Open In Kaggle]({KAGGLE_BADGE_IMAGE})]({KAGGLE_URL.format(repo=REPOSITORY, name=name)})"


def badges(name: str) -> str:
    """Both badges, side by side, as the first line of every lesson."""
    return f"{colab_badge(name)} {kaggle_badge(name)}"


# --- records: the key numbers a lesson computed, kept inside the executed notebook ------------------
RECORD_MIME = "application/x.colorkit-record+json"  # the output type that carries records (papermill keeps it)
_LESSON_START: list[float] = []  # set by lesson_timer()
_IMPORTED = time.time()


def _plain(value):
    """``value`` as plain JSON: numpy/torch scalars to float/int, dicts and lists kept, the rest to str."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if f != f or f in (float("inf"), float("-inf")):
        return str(f)  # NaN and infinity are not JSON: kept as text, so check_records flags them
    return int(f) if hasattr(value, "dtype") and "int" in str(value.dtype) else f


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def record(key: str, value, notebook: str | None = None) -> None:
    """Write down a number a lesson computed: shown as ``RECORD key = value`` and kept in the executed
    notebook as an output of type :data:`RECORD_MIME` (papermill keeps outputs, so ``make run`` and the
    smoke tests read it back with :func:`records_from_notebook`). Also appended to
    ``runs/records/NAME.json`` (:func:`read_records`) for runs outside papermill.

    ``value``: a number, a string, or a small dict of numbers (plain JSON; numpy scalars are converted).
    """
    value = _plain(value)
    _emit({key: value}, f"RECORD {key} = {_shown(value)}", notebook)


def _emit(values: dict, text: str, notebook: str | None = None) -> None:
    """Store plain-JSON ``values`` in ``runs/records/NAME.json`` and in one notebook output showing ``text``."""
    notebook = notebook or os.environ.get("COLORKIT_NOTEBOOK", "interactive")
    folder = home() / "runs" / "records"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(values)
    path.write_text(json.dumps(data, indent=1, default=float))
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        get_ipython = lambda: None  # noqa: E731
    if get_ipython() is not None and getattr(get_ipython(), "display_pub", None) is not None:
        from IPython.display import display

        display({"text/plain": text, RECORD_MIME: values}, raw=True)
    else:
        print(text)


def record_table(table, columns=("de2000", "psnr", "cf"), prefix: str = "", notebook: str | None = None) -> dict:
    """Record every finite cell of a metrics table (rows = models, e.g. the gray copy) as
    ``column/row`` (``de2000/gray copy``), in one output with a line per column. Columns the table
    lacks are left out; returns what was recorded."""
    import math

    values, lines = {}, []
    for col in [c for c in columns if c in table.columns]:
        cells = {str(row): float(v) for row, v in table[col].items() if v is not None and math.isfinite(float(v))}
        values.update({f"{prefix}{col}/{row}": v for row, v in cells.items()})
        lines.append(f"RECORD {prefix}{col}: " + ", ".join(f"{row} {v:.4g}" for row, v in cells.items()))
    if values:
        _emit(values, "\n".join(lines), notebook)
    return values


def data_source_name(source) -> str:
    """What a lesson's data was, in words without machine paths: ``"built-in samples"``, the course
    dataset (``tiny-imagenet``, ``coco-val2017``...), or ``DATA folder NAME``."""
    if isinstance(source, str) and source == "samples":
        return "built-in samples"
    folder = Path(source)
    marker = folder / "course.json"
    info = json.loads(marker.read_text()) if marker.exists() else {}
    src = info.get("source")
    if src == "samples" or (not info and folder.name.startswith("samples")):
        return "built-in samples"
    if src == "folder":
        return f"DATA folder {info.get('label', folder.name)}"
    if src:
        return f"{src} ({folder.name})"
    return f"prepared folder {folder.name}"


def record_data(source, **counts) -> None:
    """Record what a lesson used: ``data_source`` (:func:`data_source_name`) and counts of images, e.g.
    ``record_data(source, train_images=len(train_data[0]), eval_images=len(truths))``."""
    values = {"data_source": data_source_name(source), **{key: int(n) for key, n in counts.items()}}
    _emit(values, "RECORD " + ", ".join(f"{k} = {v}" for k, v in values.items()))


BANNER_STYLE = ("border:2px solid #d97706;background:#fffbeb;color:#78350f;padding:8px 12px;"
                "border-radius:6px;font-weight:600")


def split_sources(folder) -> dict[str, set]:
    """``{split: set of content hashes}`` of a prepared folder (its manifest, read by
    :func:`colorkit.data.prepare.read_manifest`)."""
    from colorkit.data.prepare import read_manifest

    out: dict[str, set] = {}
    for row in read_manifest(folder):
        out.setdefault(row["split"], set()).add(row["hash"])
    return out


def builtin_banner(source, preset) -> str:
    """Show (and return) the banner a lesson prints when it runs on the built-in photos."""
    splits = split_sources(source)
    train, test = splits.get("train", set()), splits.get("test", set())
    why = "the smoke preset uses them" if preset.name == "smoke" else "there is no internet connection and no DATA"
    text = (f"BUILT-IN PHOTOS: {why}. This lesson trains on {len(train)} of colorkit's built-in photos and "
            f"scores {len(test)} others (no photo is in both), so its numbers only show that the cells run. "
            "For real numbers, connect to the internet (the course dataset downloads itself) or set DATA to a "
            "folder of photos.")
    try:
        from IPython import get_ipython
        from IPython.display import display

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with the notebooks extra
        shell = None
    if shell is not None:
        display({"text/plain": text, "text/html": f'<div style="{BANNER_STYLE}">&#9888; {text}</div>'}, raw=True)
    else:
        print(text)
    return text


def lesson_source(preset, data: str = "", online: bool | None = None) -> Path:
    """The prepared folder a lesson (02-07) trains on (``train`` split) and scores (``test`` split):
    :func:`colorkit.data.photos.course_eval_source`, which downloads the course data when it is not on
    disk. On the built-in photos (``smoke``, or offline without ``DATA``) it shows :func:`builtin_banner`
    and records ``held_out_overlap``, the number of scored photos that are also training photos (0)."""
    from colorkit.data.photos import course_eval_source

    source = course_eval_source(preset, data, online=online)
    if data_source_name(source) == "built-in samples":
        builtin_banner(source, preset)
        splits = split_sources(source)
        record("held_out_overlap", len(splits.get("test", set()) & splits.get("train", set())))
    return source


def lesson_timer() -> float:
    """Start the clock of this lesson (called in its runtime cell); :func:`record_minutes` stops it."""
    _LESSON_START[:] = [time.time()]
    return _LESSON_START[0]


def record_minutes(key: str = "minutes") -> float:
    """Record the wall-clock minutes since :func:`lesson_timer` (the whole lesson when called last)."""
    if not _LESSON_START:  # the runtime cell was skipped: count from when colorkit.course was imported
        print("lesson_timer() was not called: minutes counted from the first colorkit.course import")
    minutes = (time.time() - (_LESSON_START or [_IMPORTED])[0]) / 60
    record(key, round(minutes, 3))
    return minutes


def record_training(results: dict) -> None:
    """Record the training minutes of each run (``train_minutes/<run>``) from :class:`TrainResult` s."""
    for run, r in results.items():
        record(f"train_minutes/{run}", round(r.elapsed_s / 60, 3))


def records_from_notebook(path) -> dict:
    """The records an executed notebook carries (outputs of type :data:`RECORD_MIME`), later ones win."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") in ("display_data", "execute_result") and RECORD_MIME in o.get("data", {}):
                out.update(o["data"][RECORD_MIME])
    return out


def read_records(notebook: str) -> dict:
    path = home() / "runs" / "records" / f"{notebook}.json"
    return json.loads(path.read_text()) if path.exists() else {}


# What each lesson must record, and the loose range each value must fall in (None: open end; ``str``: a
# non-empty text). Checked under every preset by the smoke tests and by ``make run`` (summary.md).
_DE, _PSNR, _CF, _MIN, _N = (0, 60), (5, 60), (0, 200), (0, 600), (1, None)
RECORD_CHECKS: dict[str, dict] = {
    "00_quickstart": {"data_source": str, "images": (1, 100), "lab_max_diff_skimage": (0, 0.01),
                      "psnr/gray copy": _PSNR, "minutes": _MIN},
    "01_data_prep": {"data_source": str, "images": _N, "train_images": _N, "val_images": _N, "test_images": _N,
                     "problems_prepared": (1, None), "problems_skipped": (1, None), "minutes": _MIN},
    "02_baseline_cnn": {"data_source": str, "train_images": _N, "eval_images": _N, "de2000/gray copy": _DE,
                        "psnr/gray copy": _PSNR, "de2000/baseline_l1": _DE, "de2000/resnet_baseline": _DE,
                        "train_minutes/baseline_l1": _MIN, "minutes": _MIN},
    "03_unet": {"data_source": str, "train_images": _N, "eval_images": _N, "de2000/gray copy": _DE,
                "psnr/gray copy": _PSNR, "de2000/unet": _DE, "train_minutes/unet": _MIN, "minutes": _MIN},
    "04_vae": {"data_source": str, "train_images": _N, "eval_images": _N, "de2000/gray copy": _DE,
               "de2000/U-Net VAE": _DE, "cf/truth": _CF, "train_minutes/U-Net VAE": _MIN, "minutes": _MIN},
    "05_gan": {"data_source": str, "train_images": _N, "eval_images": _N, "de2000/gray copy": _DE,
               "de2000/U-Net GAN": _DE, "de2000/L1 U-Net": _DE, "cf/U-Net GAN": _CF, "cf/truth": _CF,
               "train_minutes/U-Net GAN": _MIN, "minutes": _MIN},
    "06_evaluate": {"data_source": str, "train_images": _N, "eval_images": _N, "de2000/gray copy": _DE,
                    "psnr/gray copy": _PSNR, "de2000/lab L2": _DE, "de2000/lab classification": _DE,
                    "cf/truth": _CF, "minutes": _MIN},
    "07_colorize_your_photos": {"data_source": str, "models": (1, None), "images": _N, "best_model": str,
                                "fullres_l_error_median": (0, 5), "fullres_l_error_p99": (0, 1), "minutes": _MIN},
    "08_user_guided": {"data_source": str, "train_images": _N, "eval_images": _N, "ambiguity_l_max_diff": (0, 1),
                       "levin_written_out_max_diff": (0, 1e-3), "de2000/gray copy": _DE, "psnr/gray copy": _PSNR,
                       "de2000/reference_unet": _DE, "de2000/levin_0": _DE, "de2000/levin_10": _DE,
                       "psnr/levin_10": _PSNR, "de2000/hint_net_0": _DE, "de2000/hint_net_10": _DE,
                       "psnr/hint_net_10": _PSNR, "train_minutes/unet_hints": _MIN, "minutes": _MIN},
}


def check_records(name: str, records: dict, checks: dict | None = None) -> list[str]:
    """Problems with a lesson's records against :data:`RECORD_CHECKS`: a key missing, a value that is
    not a finite number, or one out of its range. An empty list means all is well."""
    import math

    checks = RECORD_CHECKS.get(name, {}) if checks is None else checks
    problems = []
    for key, rule in checks.items():
        if key not in records:
            problems.append(f"{key}: missing")
            continue
        value = records[key]
        if rule is str:
            if not isinstance(value, str) or not value:
                problems.append(f"{key}: {value!r} is not a text")
            continue
        values = value.values() if isinstance(value, dict) else [value]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                problems.append(f"{key}: {v!r} is not a finite number")
                continue
            lo, hi = rule
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                problems.append(f"{key}: {v:g} outside [{lo}, {hi}]")
    return problems


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
    records: dict = field(default_factory=dict)  # what the executed notebook recorded
    problems: list = field(default_factory=list)  # records missing or out of range (check_records)


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
        for r in self.lessons:
            lines += ["", f"## {r.name}", ""]
            if r.problems:
                lines += [f"**records to check:** {'; '.join(r.problems)}", ""]
            if r.records:
                lines += ["| key | value |", "|---|---|"]
                lines += [f"| {k} | {_shown(v)} |" for k, v in r.records.items()]
            else:
                lines.append("no records")
        return "\n".join(lines) + "\n"


def _add_records(lesson: LessonRun, executed: Path) -> None:
    """Read a lesson's records from its executed notebook and check them; warn (never fail) on problems."""
    try:
        lesson.records = records_from_notebook(executed) if executed.exists() else {}
    except Exception as e:  # an unreadable notebook: say so in the summary
        lesson.problems = [f"records unreadable: {e}"]
        return
    lesson.problems = check_records(lesson.name, lesson.records)
    if lesson.problems:
        print(f"warning: {lesson.name} records to check: {'; '.join(lesson.problems)}", flush=True)


def without_solutions(nb):
    """A copy of the notebook ``nb`` without the exercises' solution code cells (tagged ``solution``)."""
    import copy

    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if not (c.cell_type == "code" and "solution" in c.get("metadata", {}).get("tags", []))]
    return out


def run_course(preset: str = "cpu", data: str = "", out_dir: str | Path | None = None,
               only: list[str] | None = None, kernel: str = "python3", solutions: bool | None = None) -> CourseRun:
    """Execute every lesson in order with papermill; write executed notebooks and ``summary.md``
    (status, minutes and each lesson's records, with missing or out-of-range ones flagged) to
    ``runs/<timestamp>/``. A failing lesson is recorded and the run goes on to the next. ``solutions``: run
    the exercises' solution cells too (default: only under ``smoke``, where they cost seconds; under ``cpu``
    and ``gpu`` they would add each exercise's minutes to the run)."""
    import nbformat
    import papermill as pm

    from colorkit.presets import resolve_preset

    preset = resolve_preset(preset)
    solutions = preset == "smoke" if solutions is None else solutions
    data = str(Path(data).expanduser().resolve()) if data else ""  # the lessons run in notebooks/, not here
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
            source = nbformat.read(nb, as_version=4)
            pm.execute_notebook(source if solutions else without_solutions(source), str(out_dir / nb.name),
                                parameters={"PRESET": preset, "DATA": data},
                                cwd=str(nb.parent), kernel_name=kernel, progress_bar=False)
            run.lessons.append(LessonRun(nb.stem, True, (time.time() - t0) / 60))
        except Exception as e:  # papermill raises PapermillExecutionError with the failing cell
            run.lessons.append(LessonRun(nb.stem, False, (time.time() - t0) / 60, str(e).strip().splitlines()[-1]))
        finally:
            os.environ.pop("COLORKIT_NOTEBOOK", None)
        _add_records(run.lessons[-1], out_dir / nb.name)
        (out_dir / "summary.md").write_text(run.summary_markdown())
    print(run.summary_markdown())
    print(f"executed notebooks and summary in {out_dir}")
    return run
