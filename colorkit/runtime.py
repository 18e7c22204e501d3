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

    from . import __version__

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
