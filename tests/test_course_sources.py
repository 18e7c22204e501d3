"""Each lesson stands alone (issue 12): its data via colorkit.course.lesson_source, its home via
colorkit.paths.persistent_home."""
import csv
import os

import numpy as np
import pytest
from PIL import Image

from colorkit import course
from colorkit.paths import home, persistent_home
from colorkit.presets import get_preset


def _splits(folder):
    with open(folder / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {s: {r["hash"] for r in rows if r["split"] == s} for s in ("train", "val", "test")}


def test_offline_without_data_uses_the_built_in_photos_with_a_banner_and_disjoint_splits(tmp_path, monkeypatch,
                                                                                         capsys):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    src = course.lesson_source(get_preset("cpu"), online=False)
    out = capsys.readouterr().out
    assert "BUILT-IN PHOTOS" in out and "no internet" in out
    assert "RECORD held_out_overlap = 0" in out
    s = _splits(src)
    assert s["train"] and s["test"] and not s["train"] & s["test"]
    assert course.data_source_name(src) == "built-in samples"


def test_smoke_banner_names_the_preset(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    course.lesson_source(get_preset("smoke"))
    assert "smoke preset" in capsys.readouterr().out


def _photo_folder(folder, n: int, shape, seed: int):
    """``n`` random-colour photos in ``folder``."""
    folder.mkdir()
    rng = np.random.default_rng(seed)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(folder / f"p{i}.png")
    return folder


def test_a_data_folder_is_prepared_with_its_own_split_and_no_banner(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    photos = _photo_folder(tmp_path / "mine", 10, (40, 48, 3), seed=0)
    src = course.lesson_source(get_preset("smoke"), str(photos))
    out = capsys.readouterr().out
    assert "BUILT-IN PHOTOS" not in out
    assert course.data_source_name(src).startswith("DATA folder folder-mine-")
    s = _splits(src)
    assert sum(map(len, s.values())) == 10 and not s["train"] & s["test"]
    assert course.lesson_source(get_preset("smoke"), str(src)) == src  # a prepared folder is used as it is


def test_the_course_data_on_disk_is_found_before_anything_is_downloaded(tmp_path, monkeypatch, capsys):
    from colorkit.data import course_data

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    photos = _photo_folder(tmp_path / "mine", 6, (80, 80, 3), seed=1)
    prepared = course_data("cpu", str(photos), progress=False)  # what lesson 01 leaves behind
    assert course.lesson_source(get_preset("cpu"), online=False) == prepared
    assert "BUILT-IN" not in capsys.readouterr().out


def test_persistent_home_mounts_drive_on_colab(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "local"))
    monkeypatch.setenv("COLAB_RELEASE_TAG", "test")
    mounted = []
    got = persistent_home(True, mount=mounted.append, drive=str(tmp_path / "drive"))
    assert mounted == [str(tmp_path / "drive")]
    assert got == tmp_path / "drive" / "MyDrive" / "colorkit" == home() and got.is_dir()
    assert os.environ["COLORKIT_HOME"] == str(got)


def test_persistent_home_uses_kaggle_working(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "local"))
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    working = tmp_path / "kaggle" / "working"
    working.mkdir(parents=True)
    assert persistent_home(True, kaggle=str(working)) == working / "colorkit" == home()


@pytest.mark.parametrize("enabled", [False, True])
def test_persistent_home_changes_nothing_elsewhere_or_when_off(tmp_path, monkeypatch, enabled):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "local"))
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delenv("KAGGLE_KERNEL_RUN_TYPE", raising=False)
    assert persistent_home(enabled, mount=pytest.fail, kaggle=str(tmp_path / "none")) == tmp_path / "local"
