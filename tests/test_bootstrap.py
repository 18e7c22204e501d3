"""Rehearse the notebooks' bootstrap cell the way Colab runs it, in a fresh virtual environment.

Colab's runtime comes with torch, numpy, ipykernel ... and ipywidgets 7.7.1, but without colorkit. The
rehearsal builds such a runtime: a new venv that sees this project's installed packages (torch included,
so nothing large is copied or downloaded) except colorkit and the widget packages, plus ipywidgets 7.7.1
from pip. Then it runs the cell, taken from a notebook, with ``COLORKIT_INSTALL_FROM`` pointing at a copy
of this source tree (the cell then installs as it would on Colab, from there instead of the git tag), checks
that the runtime's ipywidgets and torch were kept, and runs tests/test_widgets.py and tests/test_hint_widget.py
there, on ipywidgets 7.x (anywidget comes with the install, as it would on Colab).
pip reaches the package index for ipywidgets 7.7.1 and the build backend (setuptools). About 50 s on 2 cores.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from test_notebooks import LESSONS, bootstrap_cell

ROOT = Path(__file__).resolve().parent.parent
COLAB_IPYWIDGETS = "7.7.1"
# what the runtime must not have before the cell runs (colorkit) or gets in its own version (the widgets)
NOT_PREINSTALLED = ("colorkit", "ipywidgets", "widgetsnbextension", "jupyterlab_widgets", "anywidget", "psygnal", "__editable__",
                    "pip", "setuptools", "_distutils_hack", "pkg_resources", "__pycache__")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _run(args, cwd, env, timeout=400) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    out = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed ({done.returncode}):\n{out[-6000:]}"
    return out


def _colab_like_runtime(tmp_path, env) -> Path:
    """A fresh venv whose site-packages sees this project's packages less NOT_PREINSTALLED (through a
    .pth file and a folder of links), plus ipywidgets 7.7.1; returns its python."""
    venv = tmp_path / "runtime"
    _run([sys.executable, "-m", "venv", venv], tmp_path, env)
    python = venv / "bin" / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, env)
    site = Path(site.strip())
    preinstalled = tmp_path / "preinstalled"
    preinstalled.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if not name.startswith(NOT_PREINSTALLED) and not name.endswith(".pth"):
            (preinstalled / entry.name).symlink_to(entry)
    (site / "preinstalled.pth").write_text(f"{preinstalled}\n")
    _run([python, "-m", "pip", "install", "-q", f"ipywidgets=={COLAB_IPYWIDGETS}"], tmp_path, env)
    return python


def _source_copy(tmp_path) -> Path:
    """This source tree without its venv, git data, builds and downloads (what a clone of the tag holds)."""
    top = {".git", ".venv", "build", "runs", "data", ".test_home", ".pytest_cache"}  # colorkit/data stays

    def ignore(folder, names):
        here = top if Path(folder) == ROOT else set()
        return [n for n in names if n in here or n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".egg-info")]

    return Path(shutil.copytree(ROOT, tmp_path / "colorkit-src", ignore=ignore))


def test_bootstrap_cell_installs_colorkit_on_a_colab_like_runtime_and_the_widgets_work_on_ipywidgets_7(tmp_path):
    import colorkit

    start = time.time()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "COLORKIT_INSTALL_FROM")}
    env.update(MPLBACKEND="Agg", COLORKIT_HOME=str(tmp_path / "home"), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    python = _colab_like_runtime(tmp_path, env)

    def run_python(code):
        return _run([python, "-c", code], tmp_path, env).strip()

    versions = "import ipywidgets, torch; print(ipywidgets.__version__, torch.__version__, torch.__file__)"
    before = run_python(versions)
    assert before.startswith(f"{COLAB_IPYWIDGETS} "), before
    missing = subprocess.run([python, "-c", "import colorkit"], capture_output=True, cwd=tmp_path, env=env)
    assert missing.returncode != 0, "colorkit must not be importable before the bootstrap cell runs"

    cell = tmp_path / "bootstrap_cell.py"
    cell.write_text(bootstrap_cell(LESSONS[0]))  # identical in every lesson (tests/test_notebooks.py)
    out = _run([python, cell], tmp_path, {**env, "COLORKIT_INSTALL_FROM": str(_source_copy(tmp_path))})
    assert "installed colorkit @ file://" in out, out

    version, where = run_python("import colorkit; print(colorkit.__version__, colorkit.__file__)").split()
    assert version == colorkit.__version__ and Path(where).is_relative_to(python.parent.parent), where
    assert run_python(versions) == before, "the bootstrap replaced the runtime's ipywidgets or torch"

    tests = tmp_path / "tests"
    tests.mkdir()
    for name in ("test_widgets.py", "test_hint_widget.py"):  # outside the source tree: the installed colorkit
        shutil.copy(ROOT / "tests" / name, tests)
    out = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_widgets.py", "test_hint_widget.py"],
               tests, env)
    assert " passed" in out and "failed" not in out and "skipped" not in out, out[-3000:]
    print(f"bootstrap rehearsal: {time.time() - start:.0f} s\n{out[-300:]}")
