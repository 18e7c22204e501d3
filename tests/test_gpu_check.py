"""benchmarks/gpu_check.py, the prepared GPU readiness check: its CPU dry run (every lesson's gpu-preset run
at smoke sizes, 2 steps each, and the grad-scaler resume check) and its refusal without a GPU."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "gpu_check.py"


def load_script():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def results(text: str) -> dict:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^RESULT (\S+) (\S+)$", text, re.M)}


def test_cpu_dry_run_trains_every_lesson_run_and_resumes_with_the_grad_scaler(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--cpu-dry-run"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    out = proc.stdout + proc.stderr
    res = results(proc.stdout)
    # the run names the lessons build (the same helper the script uses)
    gc = load_script()
    args = type("A", (), {"cpu_dry_run": True, "preset": "gpu"})()
    failures = []
    names = [n for n, _ in gc.lesson_runs(gc.build_preset(args, cuda=False), tmp_path / "plans", failures)]
    assert not failures, failures
    assert {"l02_baseline_l2", "l03_unet", "l03_resnet_unet", "l04_unet_vae", "l05_unet_gan",
            "l06_classification"} <= set(names), names
    for n in names:
        assert res.get(f"gpu_{n}_images_per_s", 0) > 0, (n, out[-4000:])
        assert res.get(f"gpu_{n}_peak_mem_gib", 0) > 0, (n, out[-4000:])
    for n in ("l03_unet", "l05_unet_gan"):  # one scaler, two scalers (enabled on CPU by the dry run)
        assert res.get(f"gpu_resume_{n}_ok") == 1, (n, out[-4000:])
        assert res[f"gpu_resume_{n}_weights_rel_diff"] == 0  # exact on CPU
    assert res.get("gpu_runs_ok") == len(names)
    assert res.get("gpu_check_ok") == 1, out[-4000:]
    assert proc.returncode == 0
    assert "pretrained=False" in proc.stdout  # says that ResNet encoders run without ImageNet weights


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_refuses_without_cuda():
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no CUDA device" in proc.stderr and "--cpu-dry-run" in proc.stderr
    assert "RESULT" not in proc.stdout
