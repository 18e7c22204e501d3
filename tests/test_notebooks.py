"""The notebook machinery: pairs in sync, no committed outputs, the common header, and every lesson
executed with papermill under the ``smoke`` preset (in order, sharing one COLORKIT_HOME, as ``make run`` does)."""
import json
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from colorkit import course

NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = course.course_notebooks(NB_DIR)


def test_there_are_lessons():
    assert LESSONS and LESSONS[0].name == "00_quickstart.ipynb"


def test_committed_notebooks_are_paired_in_sync_and_clean():
    assert course.check_notebooks(NB_DIR) == []


def _copy_pair(tmp_path, stem="00_quickstart"):
    for ext in (".py", ".ipynb"):
        shutil.copy(NB_DIR / f"{stem}{ext}", tmp_path / f"{stem}{ext}")
    return tmp_path / f"{stem}.py", tmp_path / f"{stem}.ipynb"


def test_drift_check_fails_when_a_pair_drifts(tmp_path):
    py, _ = _copy_pair(tmp_path)
    assert course.check_notebooks(tmp_path) == []
    py.write_text(py.read_text() + "\n# %%\nprint('added only to the .py')\n")
    problems = course.check_notebooks(tmp_path)
    assert len(problems) == 1 and "drift" in problems[0]


def test_outputs_check_fails_when_ipynb_carries_outputs(tmp_path):
    _, ipynb = _copy_pair(tmp_path)
    nb = nbformat.read(ipynb, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code.execution_count = 1
    nbformat.write(nb, ipynb)
    problems = course.check_notebooks(tmp_path)
    assert any("outputs" in p for p in problems)


def test_missing_twin_is_reported(tmp_path):
    py, ipynb = _copy_pair(tmp_path)
    ipynb.unlink()
    assert any("missing" in p for p in course.check_notebooks(tmp_path))


@pytest.mark.parametrize("nb_path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_has_the_common_structure(nb_path):
    nb = jupytext.read(nb_path)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert course.colab_badge(nb_path.stem) in first.source, "Open-in-Colab badge missing or pointing elsewhere"
    assert course.kaggle_badge(nb_path.stem) in first.source, "Open-in-Kaggle badge missing or pointing elsewhere"
    assert "What you will learn" in first.source and "| `smoke` |" in first.source, "say what is learned and minutes per preset"
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and 'PRESET = "auto"' in params[0].source
    from papermill.translators import PythonTranslator

    assigned = [l for l in params[0].source.splitlines() if l.strip() and not l.startswith("#") and "=" in l.split("#")[0]]
    parsed = PythonTranslator.inspect(params[0])
    assert len(parsed) == len(assigned), "papermill cannot parse a parameter line (an '=' in its comment?)"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert bootstrap_cell(nb_path) in code[:3], "the bootstrap cell comes right after the parameters"
    assert any("print_environment()" in s for s in code)
    assert_exercises_section(nb)
    # a long cell belongs in the package, unless it writes a core step out for teaching and checks it
    # against colorkit's version (an allclose on the same inputs): those may run to 40 lines
    def lines(s):
        return len([ln for ln in s.splitlines() if ln.strip() and not ln.strip().startswith("#")])

    long_cells = [s for s in code if lines(s) > (40 if "allclose(" in s else 20)]
    assert not long_cells, "a cell this long belongs in the package"


EXERCISE_HEADING = re.compile(r"### Exercise (\d+) · (easy|medium|hard) · \S")
SOLUTION_TITLE = "# @title Solution"  # Colab shows this line of a folded (cellView "form") cell; Jupyter folds the rest
ANSWER_LINE = re.compile(r"^answer\w* = None\b")


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _folded(cell) -> bool:
    """Hidden until opened: JupyterLab, Notebook 7 and VS Code read ``jupyter.source_hidden``, Colab ``cellView``."""
    md = cell.get("metadata", {})
    return md.get("jupyter", {}).get("source_hidden") is True and md.get("cellView") == "form"


def _code_lines(cell) -> list[str]:
    return [ln for ln in cell.source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def assert_exercises_section(nb):
    """A ``## Exercises`` cell, then only exercises. Each is a markdown cell (``### Exercise N · level · title``
    with a ``**Hint:**`` and a ``**Time:**`` line in CPU minutes), optionally an ``answer`` cell (only
    ``answer = None`` lines: nothing there gives the answer away) and its folded ``check`` cell, then the folded
    solution: a code cell tagged ``solution`` that the smoke run executes, optionally followed by a markdown cell
    tagged ``solution`` (the why, inside ``<details>``)."""
    starts = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Exercises")]
    assert len(starts) == 1, "one markdown cell starting with '## Exercises'"
    rest, numbers = nb.cells[starts[0] + 1:], []
    assert rest, "the Exercises section has no exercise"
    expect = {"exercise"}  # what may come next
    for cell in rest:
        tags, m = _tags(cell), EXERCISE_HEADING.match(cell.source)
        if cell.cell_type == "markdown" and m and not tags:
            assert "exercise" in expect, f"exercise {m.group(1)} starts before the previous one has its solution"
            assert "**Hint:**" in cell.source, f"exercise {m.group(1)} has no '**Hint:**' line"
            time_line = re.search(r"\*\*Time:\*\*([^\n]*)", cell.source)
            assert time_line and "minute" in time_line.group(1), f"exercise {m.group(1)}: no '**Time:** ... minutes' line"
            numbers.append(int(m.group(1)))
            expect = {"answer", "solution code"}
        elif cell.cell_type == "code" and "answer" in tags:
            assert "answer" in expect, f"an answer cell out of place: {cell.source[:60]!r}"
            assert all(ANSWER_LINE.match(ln) for ln in _code_lines(cell)), "an answer cell holds only `answer = None` lines"
            expect = {"check"}
        elif cell.cell_type == "code" and "check" in tags:
            assert "check" in expect, "a check cell follows an answer cell"
            assert "check(" in cell.source and _folded(cell), "a check cell calls check(...) and stays folded"
            expect = {"solution code"}
        elif cell.cell_type == "code" and "solution" in tags:
            assert "solution code" in expect, f"a solution out of place: {cell.source[:60]!r}"
            assert cell.source.startswith(SOLUTION_TITLE) and _folded(cell), "a solution stays folded, titled for Colab"
            assert _code_lines(cell), "a solution cell holds code"
            expect = {"exercise", "solution text"}
        elif cell.cell_type == "markdown" and "solution" in tags:
            assert "solution text" in expect, "the solution's text follows its code"
            assert cell.source.startswith("<details><summary>") and cell.source.rstrip().endswith("</details>"), \
                "a solution's text stays folded: wrap it all in <details>"
            expect = {"exercise"}
        else:
            raise AssertionError(f"not an exercise, answer, check or solution cell: {cell.source[:80]!r}")
    assert "exercise" in expect, f"exercise {numbers[-1]} has no solution code cell"
    assert numbers == list(range(1, len(numbers) + 1)), f"exercises numbered {numbers}, not 1, 2, ..."


def test_exercise_rules_catch_a_markdown_solution_and_an_answer_given_away():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    folded = {"jupyter": {"source_hidden": True}, "cellView": "form"}

    def nb_of(*cells):
        nb = nbformat.v4.new_notebook()
        nb.cells = [md("## Exercises"), md("### Exercise 1 · easy · A\n**Hint:** h\n\n**Time:** 1 minute"), *cells]
        return nb

    good = [code("answer = None  # yours", metadata={"tags": ["answer"]}),
            code("check(answer, expected=2)", metadata={"tags": ["check"], **folded}),
            code(SOLUTION_TITLE + "\nprint(2)", metadata={"tags": ["solution"], **folded}),
            md("<details><summary>Why</summary>\n\nbecause\n\n</details>", metadata={"tags": ["solution"]})]
    assert_exercises_section(nb_of(*good))
    with pytest.raises(AssertionError, match="the solution's text follows its code"):  # the old markdown solutions
        assert_exercises_section(nb_of(md("<details><summary>Solution</summary>x</details>", metadata={"tags": ["solution"]})))
    with pytest.raises(AssertionError, match="no solution code cell"):
        assert_exercises_section(nb_of(*good[:2]))
    with pytest.raises(AssertionError, match="only `answer = None`"):
        assert_exercises_section(nb_of(code("answer = None\nexpected = 1 + 1", metadata={"tags": ["answer"]}), *good[1:]))
    with pytest.raises(AssertionError, match="stays folded"):
        assert_exercises_section(nb_of(code(SOLUTION_TITLE + "\nprint(2)", metadata={"tags": ["solution"]})))


def bootstrap_cell(nb_path) -> str:
    """The lesson's bootstrap cell (the one that reads COLORKIT_INSTALL_FROM); tests/test_bootstrap.py runs it."""
    cells = [c.source for c in jupytext.read(nb_path).cells
             if c.cell_type == "code" and "COLORKIT_INSTALL_FROM" in c.source]
    assert len(cells) == 1, f"{nb_path.name}: one bootstrap cell, found {len(cells)}"
    return cells[0]


def test_bootstrap_cell_is_identical_in_every_lesson_and_pins_this_version():
    import colorkit

    boot = bootstrap_cell(LESSONS[0])
    different = [p.stem for p in LESSONS if bootstrap_cell(p) != boot]
    assert not different, f"the bootstrap cell differs from 00_quickstart's in {different}: copy it verbatim"
    pinned = f'COLORKIT_SOURCE = "git+https://github.com/{course.REPOSITORY}@v{colorkit.__version__}"'
    assert pinned in boot, f"the bootstrap must install the tag of this version: {pinned}"
    pyproject = (NB_DIR.parent / "pyproject.toml").read_text()
    assert f'\nversion = "{colorkit.__version__}"\n' in pyproject, "pyproject.toml's version is not colorkit's"
    code = "\n".join(l.split("#")[0] for l in boot.splitlines())
    assert "pip" in code and "torch" not in code, "the bootstrap must never (re)install torch"
    assert "--upgrade" not in code and "-U" not in code.split(), "an upgrade would replace the runtime's torch"
    for needed in ("capture_output=True", "google.colab", "/kaggle/working", "nvidia-smi", "[perceptual]",
                   "enable_custom_widget_manager()"):
        assert needed in code, f"the bootstrap cell lost {needed!r}"


class _Pip:
    """Stands in for subprocess.run in the bootstrap cell: records the calls, answers like pip."""

    def __init__(self, returncode=0, stderr=""):
        self.calls, self.returncode, self.stderr = [], returncode, stderr

    def __call__(self, args, **kw):
        import subprocess

        self.calls.append(args)
        return subprocess.CompletedProcess(args, self.returncode, stdout="", stderr=self.stderr)


def _run_bootstrap(monkeypatch, pip, install_from=None, colab=False, kaggle=False, gpu=False, widgets="7.7.1"):
    import os
    import subprocess
    import sys
    import types

    import ipywidgets

    monkeypatch.setattr(subprocess, "run", pip)
    monkeypatch.setattr(shutil, "which", lambda name: "/bin/nvidia-smi" if gpu and name == "nvidia-smi" else None)
    isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda p: kaggle if p == "/kaggle/working" else isdir(p))
    if install_from is None:
        monkeypatch.delenv("COLORKIT_INSTALL_FROM", raising=False)
    else:
        monkeypatch.setenv("COLORKIT_INSTALL_FROM", str(install_from))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    enabled = []
    if colab:
        colab_module = types.ModuleType("google.colab")
        colab_module.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: enabled.append(True))
        monkeypatch.setitem(sys.modules, "google", sys.modules.get("google") or types.ModuleType("google"))
        monkeypatch.setitem(sys.modules, "google.colab", colab_module)
    monkeypatch.setattr(ipywidgets, "__version__", widgets)
    exec(compile(bootstrap_cell(LESSONS[0]), "bootstrap", "exec"), {})
    return [args[-1] for args in pip.calls], enabled


def test_bootstrap_does_nothing_locally(monkeypatch):
    assert _run_bootstrap(monkeypatch, _Pip()) == ([], [])  # papermill runs the course here


def test_bootstrap_installs_the_pinned_tag_on_colab_and_kaggle(monkeypatch):
    import colorkit

    git = f"git+https://github.com/{course.REPOSITORY}@v{colorkit.__version__}"
    assert _run_bootstrap(monkeypatch, _Pip(), colab=True) == ([f"colorkit @ {git}"], [])  # Colab's 7.7.1
    assert _run_bootstrap(monkeypatch, _Pip(), colab=True, widgets="8.1.5") == ([f"colorkit @ {git}"], [True])
    gpu = _run_bootstrap(monkeypatch, _Pip(), kaggle=True, gpu=True)
    assert gpu == ([f"colorkit[perceptual] @ {git}"], [])


def test_bootstrap_installs_from_a_local_clone_when_told(monkeypatch, tmp_path):
    pip = _Pip()
    assert _run_bootstrap(monkeypatch, pip, install_from=tmp_path) == ([f"colorkit @ {tmp_path.as_uri()}"], [])
    assert pip.calls[0][1:4] == ["-m", "pip", "install"]
    assert "--upgrade" not in pip.calls[0] and "-U" not in pip.calls[0]


def test_bootstrap_shows_pips_error_when_the_install_fails(monkeypatch, capsys):
    with pytest.raises(RuntimeError, match="pip could not install colorkit @ git"):
        _run_bootstrap(monkeypatch, _Pip(returncode=1, stderr="ERROR: no such tag v9"), colab=True)
    assert "ERROR: no such tag v9" in capsys.readouterr().out


@pytest.fixture(scope="module")
def course_home(tmp_path_factory):
    return tmp_path_factory.mktemp("course_home")


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_and_its_solutions_run_under_smoke(nb_path, course_home, tmp_path, monkeypatch):
    """The whole lesson, the exercises' solution cells included (``pytest tests -k solution`` selects these)."""
    import papermill as pm

    monkeypatch.setenv("COLORKIT_HOME", str(course_home))
    monkeypatch.setenv("COLORKIT_PRESET", "smoke")
    monkeypatch.setenv("COLORKIT_NOTEBOOK", nb_path.stem)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("COLORKIT_INSTALL_FROM", raising=False)  # the bootstrap cell must do nothing here
    out = tmp_path / nb_path.name
    pm.execute_notebook(str(nb_path), str(out), parameters={"PRESET": "smoke"}, cwd=str(NB_DIR),
                        kernel_name="python3", progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    solutions = [c for c in executed.cells if c.cell_type == "code" and "solution" in _tags(c)]
    assert solutions and all(c.get("execution_count") for c in solutions), "every solution cell ran"
    records = course.records_from_notebook(out)  # what the lesson recorded, read from its own output
    print(nb_path.stem, json.dumps(records, indent=1))
    assert nb_path.stem in course.RECORD_CHECKS, "add the lesson's expected records to course.RECORD_CHECKS"
    assert course.check_records(nb_path.stem, records) == []
    if records.get("data_source") == "built-in samples" and nb_path.stem >= "02":  # the banner, held-out photos
        assert records["held_out_overlap"] == 0
        assert any("BUILT-IN PHOTOS" in str(o) for c in executed.cells for o in c.get("outputs", []))


@pytest.mark.notebook
def test_lesson_07_opened_alone_with_data_ranks_on_that_folder(tmp_path, monkeypatch):
    """A fresh runtime (empty COLORKIT_HOME, no checkpoints) and DATA=<folder of photos>: the lesson prepares
    the folder and ranks the shipped reference models on its test split (nothing trained), and records so."""
    import numpy as np
    import papermill as pm
    from PIL import Image

    photos = tmp_path / "my photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(12):
        base = rng.integers(0, 256, (1, 1, 3))
        Image.fromarray((base + rng.integers(-40, 40, (60, 72, 3))).clip(0, 255).astype(np.uint8)).save(photos / f"{i}.png")
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("COLORKIT_INSTALL_FROM", raising=False)
    nb_path = NB_DIR / "07_colorize_your_photos.ipynb"
    out = tmp_path / nb_path.name
    pm.execute_notebook(str(nb_path), str(out), parameters={"PRESET": "smoke", "DATA": str(photos)}, cwd=str(NB_DIR),
                        kernel_name="python3", progress_bar=False)
    records = course.records_from_notebook(out)
    assert records["data_source"].startswith("DATA folder folder-my photos-") and records["best_model"].startswith("reference_")
    assert "held_out_overlap" not in records  # no banner: not the built-in photos


def _executed_tiny_notebook(tmp_path, monkeypatch):
    import papermill as pm

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from colorkit.course import lesson_timer, record, record_minutes\n"
                                          "import numpy as np\nlesson_timer()\nrecord('psnr/gray copy', np.float32(21.5))"),
                nbformat.v4.new_code_cell("record('data_source', 'built-in samples')\nrecord('cf', {'a': 1.0, 'b': 2})\n"
                                          "record('images', np.int64(4))\nrecord_minutes()\n1 + 1"),
                nbformat.v4.new_code_cell("import pandas as pd\nfrom colorkit.course import record_data, record_table\n"
                                          "record_data('samples', eval_images=3)\n"
                                          "record_table(pd.DataFrame({'psnr': [18.0, float('inf')], 'cf': [0.0, 30.0]},"
                                          " index=['model', 'truth']))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src, out = tmp_path / "tiny.ipynb", tmp_path / "tiny_out.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    return out


def test_records_round_trip_through_an_executed_notebook(tmp_path, monkeypatch):
    out = _executed_tiny_notebook(tmp_path, monkeypatch)
    nbformat.validate(nbformat.read(out, as_version=4))  # the record outputs are valid nbformat
    records = course.records_from_notebook(out)
    assert records["psnr/gray copy"] == pytest.approx(21.5) and records["data_source"] == "built-in samples"
    assert records["cf"] == {"a": 1.0, "b": 2} and records["images"] == 4 and isinstance(records["images"], int)
    assert 0 <= records["minutes"] < 5
    assert records["data_source"] == "built-in samples" and records["eval_images"] == 3
    assert records["psnr/model"] == 18.0 and "psnr/truth" not in records and records["cf/truth"] == 30.0
    text = "".join(o.get("data", {}).get("text/plain", "") for c in nbformat.read(out, as_version=4).cells
                   for o in c.get("outputs", []))
    assert "RECORD psnr/gray copy = 21.5" in text  # readers of the notebook see the records too
    checks = {"psnr/gray copy": (5, 60), "data_source": str, "images": (1, None), "cf": (0, 200), "minutes": (0, 5)}
    assert course.check_records("tiny", records, checks) == []
    bad = course.check_records("tiny", {**records, "images": float("nan"), "cf": {"a": 500.0}},
                               {**checks, "missing": (0, 1)})
    assert len(bad) == 3 and any("missing" in p for p in bad) and any("500" in p for p in bad)


def test_summary_markdown_lists_records_and_flags_problems(tmp_path):
    run = course.CourseRun(out_dir=tmp_path, preset="smoke")
    lesson = course.LessonRun("02_baseline_cnn", True, 0.5)
    executed = tmp_path / "02_baseline_cnn.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/plain": "RECORD", course.RECORD_MIME: {"de2000/gray copy": 12.25, "data_source": "built-in samples"}})])]
    nbformat.write(nb, executed)
    course._add_records(lesson, executed)
    run.lessons.append(lesson)
    md = run.summary_markdown()
    assert "## 02_baseline_cnn" in md and "| de2000/gray copy | 12.25 |" in md and "| data_source | built-in samples |" in md
    assert "records to check" in md and "train_images: missing" in md


@pytest.mark.parametrize("nb_path", LESSONS, ids=[p.stem for p in LESSONS])
def test_colab_asks_for_a_gpu_only_in_lessons_that_train(nb_path):
    """Colab's ``accelerator`` metadata gives a GPU runtime: only lessons that train a network ask for one."""
    nb = nbformat.read(nb_path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    trains = any(call in code for call in ("train(", "run_lab("))
    assert (nb.metadata.get("accelerator") == "GPU") == trains


def test_badges_point_at_the_notebook_on_colab_and_kaggle():
    colab, kaggle = course.colab_badge("03_unet"), course.kaggle_badge("03_unet")
    assert "colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/03_unet.ipynb" in colab
    assert "kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/03_unet.ipynb" in kaggle
    assert course.badges("03_unet") == f"{colab} {kaggle}"


def test_run_course_hands_the_lessons_an_absolute_data_path(tmp_path, monkeypatch):
    """The lessons run with notebooks/ as their folder: a --data path relative to where the user typed it
    must reach them resolved (``colorkit run --data ../photos`` from the repository root)."""
    import papermill as pm

    from colorkit import course

    photos = tmp_path / "photos"
    photos.mkdir()
    monkeypatch.chdir(tmp_path)
    seen = []
    monkeypatch.setattr(pm, "execute_notebook", lambda src, dst, parameters, **kw: seen.append(parameters))
    monkeypatch.setattr(course, "_add_records", lambda lesson, executed: None)
    course.run_course("smoke", "photos", out_dir=tmp_path / "run", only=["00"])
    assert seen and seen[0]["DATA"] == str(photos.resolve())


@pytest.mark.parametrize("preset, solutions, kept", [("smoke", None, True), ("cpu", None, False), ("cpu", True, True)])
def test_run_course_runs_solution_cells_only_when_cheap_or_asked(tmp_path, monkeypatch, preset, solutions, kept):
    """``make run`` under cpu/gpu leaves the solution cells out (each costs its exercise's minutes); smoke and
    ``colorkit run --solutions`` keep them."""
    import papermill as pm

    from colorkit import course

    seen = []
    monkeypatch.setattr(pm, "execute_notebook", lambda src, dst, parameters, **kw: seen.append(src))
    monkeypatch.setattr(course, "_add_records", lambda lesson, executed: None)
    course.run_course(preset, out_dir=tmp_path / "run", only=["08"], solutions=solutions)
    tagged = [c for c in seen[0].cells if c.cell_type == "code" and "solution" in c.metadata.get("tags", [])]
    original = [c for c in nbformat.read(NB_DIR / "08_user_guided.ipynb", as_version=4).cells
                if c.cell_type == "code" and "solution" in c.metadata.get("tags", [])]
    assert original and len(tagged) == (len(original) if kept else 0)
    assert len(seen[0].cells) == len(nbformat.read(NB_DIR / "08_user_guided.ipynb", as_version=4).cells) - (0 if kept else len(original))
