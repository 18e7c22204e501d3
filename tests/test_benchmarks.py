"""The benchmarks' choice of photos (benchmarks/_photos.py) and that the scripts say which photos they used."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _photos  # noqa: E402


def _folder(path: Path, n: int = 3, side: int = 40) -> Path:
    path.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(path / f"p{i}.png")
    (path / "notes.txt").write_text("not a photo")
    return path


def test_shared_default_is_beside_the_repository_not_a_machine_path():
    assert _photos.SHARED_DATA == _photos.REPO.parent / "shared" / "data"
    assert (_photos.REPO / "benchmarks" / "_photos.py").is_file()


def test_resolve_photos_given_then_shared_then_samples(tmp_path):
    given = _folder(tmp_path / "given")
    assert _photos.resolve_photos(str(given), "photos/x", shared_root=tmp_path / "shared") == given
    with pytest.raises(SystemExit, match="no such folder"):
        _photos.resolve_photos(str(tmp_path / "missing"), "photos/x")
    assert _photos.resolve_photos(None, "photos/x", shared_root=tmp_path / "shared") == _photos.SAMPLES
    shared = _folder(tmp_path / "shared" / "photos" / "x")
    assert _photos.shared_folder("photos/x", tmp_path / "shared") == shared
    assert _photos.resolve_photos(None, "photos/x", shared_root=tmp_path / "shared") == shared


def test_photo_files_and_describe(tmp_path):
    folder = _folder(tmp_path / "f", n=3)
    files = _photos.photo_files(folder)
    assert [p.name for p in files] == ["p0.png", "p1.png", "p2.png"]  # the text file is left out
    assert len(_photos.photo_files(folder, limit=2)) == 2
    samples = _photos.photo_files(_photos.SAMPLES)
    assert samples and all(p.is_file() for p in samples)
    assert _photos.describe(_photos.SAMPLES, 8) == "photos: the built-in samples (colorkit.data.samples) (8 files)"
    assert _photos.describe(folder, 3).startswith("photos: ") and _photos.describe(folder, 3).endswith("f (3 files)")


def test_lab_speed_prints_which_photos(tmp_path):
    folder = _folder(tmp_path / "in", n=2)
    out = subprocess.run([sys.executable, str(BENCH / "lab_speed.py"), "--photos", str(folder), "--size", "32",
                          "--limit", "2", "--repeats", "1"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "photos: " in out.stdout and "(2 files)" in out.stdout
    assert any(line.startswith("RESULT lab_speedup ") for line in out.stdout.splitlines())


def test_soft_encode_benchmark_checks_the_targets_and_prints_ratios(tmp_path):
    folder = _folder(tmp_path / "photos", n=2, side=24)
    out = subprocess.run([sys.executable, str(BENCH / "soft_encode.py"), "--photos", str(folder), "--size", "16",
                          "--batch", "3", "--width", "4", "--repeats", "1"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "photos: " in out.stdout and "(2 files)" in out.stdout
    assert "same targets: True" in out.stdout
    assert any(line.startswith("RESULT soft_encode_speedup ") for line in lines)
    assert any(line.startswith("RESULT classifier_step_speedup ") for line in lines)


def test_hints_quality_prints_every_method_and_count(tmp_path):
    folder = _folder(tmp_path / "photos", n=2, side=40)
    out = subprocess.run([sys.executable, str(BENCH / "hints_quality.py"), "--photos", str(folder), "--size", "32",
                          "--limit", "2"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    results = dict(line.split()[1:] for line in out.stdout.splitlines() if line.startswith("RESULT "))
    assert {f"hints_de00_levin_{n}" for n in (0, 1, 2, 5, 10, 20)} <= set(results)
    # no hints: Levin gives the gray copy (up to the 8-bit rounding of two gray-copy paths)
    assert abs(float(results["hints_de00_levin_0"]) - float(results["hints_de00_gray"])) < 0.01
    assert "hints_de00_reference" in results and "(2 files)" in out.stdout


def test_hint_latency_times_the_editor_and_the_automatic_pass(tmp_path):
    out = subprocess.run([sys.executable, str(BENCH / "hint_latency.py"), "--method", "levin", "--repeats", "3",
                          "--sizes", "48", "64", "--threads", "1"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    results = dict(line.split()[1:] for line in out.stdout.splitlines() if line.startswith("RESULT "))
    assert {"hint_latency_ms_48", "hint_latency_ms_64", "hint_latency_ratio_64"} <= set(results)
    assert "(levin): one more hint" in out.stdout
