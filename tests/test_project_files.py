"""The files every open project has agree with the package: licence, citation, pre-commit hooks."""
from pathlib import Path

import pytest
import yaml

import colorkit

ROOT = Path(__file__).resolve().parent.parent


def test_license_is_the_mit_text_pyproject_declares():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    text = (ROOT / "LICENSE").read_text()
    assert declared == "MIT" and text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_citation_names_this_version_and_licence():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == colorkit.__version__, "bump CITATION.cff with the package version"
    assert cff["license"] == "MIT" and cff["authors"]


def test_pre_commit_hooks_run_the_checks_ci_runs():
    hooks = {h["id"]: h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
             for h in repo["hooks"]}
    assert hooks["jupytext-sync"]["entry"] == "jupytext --sync"
    assert hooks["notebooks-clean"]["entry"] == "colorkit run --check"
    from colorkit.cli import build_parser  # the hook's command exists with that option

    assert build_parser(load="run").parse_args(["run", "--check"]).check
