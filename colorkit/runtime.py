"""Runtime helpers: device choice, Colab detection, seeding, and a one-line environment report.

Introduced in notebook ``00_quickstart`` (the runtime cell at the top of every lesson).
"""
from __future__ import annotations

import os
import platform
import random
import sys

import numpy as np


def cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except Exception:  # pragma: no cover
        return False


def in_colab() -> bool:
    """True inside Google Colab (the ``google.colab`` module is importable there only)."""
    return "google.colab" in sys.modules or os.environ.get("COLAB_RELEASE_TAG") is not None


def in_kaggle(working="/kaggle/working") -> bool:
    """True inside a Kaggle notebook (its ``KAGGLE_KERNEL_RUN_TYPE`` variable, or its ``/kaggle/working``)."""
    return bool(os.environ.get("KAGGLE_KERNEL_RUN_TYPE")) or os.path.isdir(working)


def get_device(prefer: str = "auto"):
    """``auto`` -> CUDA, else Apple MPS, else CPU. ``prefer`` may also name a device (``cuda:1``)."""
    import torch

    if prefer and prefer != "auto":
        dev = torch.device(prefer)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' was asked for but CUDA is not available here; use 'auto' or 'cpu'")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _read_proc_stat() -> str:
    with open("/proc/stat") as f:
        return f.read()


def _cpu_times(text: str) -> dict[int, tuple[int, int]]:
    """``{cpu index: (busy, total)}`` in clock ticks from ``/proc/stat`` text (its ``cpuN`` lines). Busy is
    user + nice + system + irq + softirq + steal; idle and iowait are not (guest time is inside user)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if not parts or not parts[0].startswith("cpu") or parts[0] == "cpu":
            continue
        v = [int(x) for x in parts[1:9]] + [0] * max(0, 8 - len(parts[1:9]))
        user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
        busy = user + nice + system + irq + softirq + steal
        out[int(parts[0][3:])] = (busy, busy + idle + iowait)
    return out


def other_processes_cpu(interval: float = 0.3, read_stat=None, own_cpu=None, cpus=None, sleep=None,
                        clock_ticks: int | None = None) -> tuple[float, int] | None:
    """``(cpus used by other processes, cpus available to this one)`` over the next ``interval`` seconds,
    or ``None`` where it cannot be measured (no ``/proc/stat``: macOS, Windows).

    Samples ``/proc/stat`` twice, keeps the CPUs this process may run on (``cpus``, default its affinity),
    and subtracts this process's own CPU time over the interval (``time.process_time``: every thread of
    it). So colorkit's own previous training run, still in the load average for a minute after it ended,
    does not count; a notebook kernel or another job busy *now* does. ``read_stat`` (returns the text of
    ``/proc/stat``), ``own_cpu`` (this process's CPU seconds), ``sleep`` and ``clock_ticks`` can be
    replaced (tests)."""
    import time

    read_stat = read_stat or _read_proc_stat
    own_cpu = own_cpu or time.process_time
    sleep = sleep or time.sleep
    try:
        hz = clock_ticks or os.sysconf("SC_CLK_TCK")
        if cpus is None:
            cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        before, own0 = _cpu_times(read_stat()), own_cpu()
        sleep(interval)
        after, own1 = _cpu_times(read_stat()), own_cpu()
    except (OSError, ValueError, AttributeError):
        return None
    ids = [c for c in after if c in before and (cpus is None or c in cpus)]
    if not ids:
        return None
    busy = sum(after[c][0] - before[c][0] for c in ids) / hz  # CPU seconds, all processes
    wall = sum(after[c][1] - before[c][1] for c in ids) / hz / len(ids)  # seconds elapsed
    if wall <= 0:
        return None
    return max(0.0, (busy - (own1 - own0)) / wall), len(ids)


def seed_everything(seed: int = 0, deterministic: bool = False) -> None:
    """Seed Python, numpy and torch (all devices). ``deterministic`` also asks torch for
    deterministic kernels (slower on CUDA; CPU runs are reproducible either way)."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False


def environment_report() -> dict:
    """What the runtime cell prints: device, GPU name, versions."""
    import torch

    from colorkit import __version__

    dev = get_device()
    info = {
        "colorkit": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": str(dev),
        "gpu": torch.cuda.get_device_name(0) if dev.type == "cuda" else None,
        "cpu_threads": torch.get_num_threads(),
        "colab": in_colab(),
    }
    try:
        import torchvision

        info["torchvision"] = torchvision.__version__
    except Exception:  # pragma: no cover
        info["torchvision"] = None
    return info


def print_environment() -> dict:
    info = environment_report()
    print(" | ".join(f"{k}: {v}" for k, v in info.items()))
    return info
