"""The notebook machinery: pairs in sync, no committed outputs, the common header, and every lesson
executed with papermill under the ``smoke`` preset (in order, sharing one COLORKIT_HOME, as ``make run`` does)."""
import json
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
    assert "What you will learn" in first.source and "| `smoke` |" in first.source, "say what is learned and minutes per preset"
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and 'PRESET = "auto"' in params[0].source
    from papermill.translators import PythonTranslator

    assigned = [l for l in params[0].source.splitlines() if l.strip() and not l.startswith("#") and "=" in l.split("#")[0]]
    parsed = PythonTranslator.inspect(params[0])
    assert len(parsed) == len(assigned), "papermill cannot parse a parameter line (an '=' in its comment?)"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    boot = next(s for s in code if "google.colab" in s)
    boot_code = "\n".join(l.split("#")[0] for l in boot.splitlines())
    assert "pip" in boot_code and "torch" not in boot_code, "bootstrap must never (re)install torch"
    assert "--upgrade" not in boot_code and "-U" not in boot_code.split(), "an upgrade would replace Colab's torch"
    assert any("print_environment()" in s for s in code)
    assert "Exercises" in nb.cells[-1].source
    long_cells = [s for s in code if len([l for l in s.splitlines() if l.strip() and not l.strip().startswith("#")]) > 20]
    assert not long_cells, "a cell this long belongs in the package"


@pytest.fixture(scope="module")
def course_home(tmp_path_factory):
    return tmp_path_factory.mktemp("course_home")


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_under_smoke(nb_path, course_home, tmp_path, monkeypatch):
    import papermill as pm

    monkeypatch.setenv("COLORKIT_HOME", str(course_home))
    monkeypatch.setenv("COLORKIT_PRESET", "smoke")
    monkeypatch.setenv("COLORKIT_NOTEBOOK", nb_path.stem)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = tmp_path / nb_path.name
    pm.execute_notebook(str(nb_path), str(out), parameters={"PRESET": "smoke"}, cwd=str(NB_DIR),
                        kernel_name="python3", progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    records = json.loads((course_home / "runs" / "records" / f"{nb_path.stem}.json").read_text()) \
        if (course_home / "runs" / "records" / f"{nb_path.stem}.json").exists() else {}
    for key, value in records.items():  # loose checks of what the lesson wrote down
        if key.startswith("delta_e"):
            assert 0 <= value < 60, (key, value)
        if key.startswith("colorfulness"):
            assert 0 <= value < 200, (key, value)
