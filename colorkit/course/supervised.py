"""Run plans of the supervised lessons ``02_baseline_cnn`` and ``03_unet``: which models, losses and budgets
per preset (so the notebooks only call, show and explain), and the small helpers they share.

Budgets (minutes of training per run) live in :mod:`colorkit.course.budgets` (lessons ``02_baseline_cnn``
and ``03_unet``), sized so each notebook finishes in under 15 minutes on 2 CPU cores under ``cpu``
(training plus scoring) and in seconds under ``smoke`` (the preset's few steps).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from colorkit.course.budgets import as_preset as _preset
from colorkit.course.budgets import run_budget

# lesson 02: the APS360 report's encoder-decoder (He, Imran, Siddiqua & You, *Picture Colourization*,
# University of Toronto) with two losses, and the ResNet downsampler of Shreekumar's ECE 60131 report (2025)
RUNS_02 = {
    "baseline_l2": dict(model="baseline_cnn", loss="l2"),
    "baseline_l1": dict(model="baseline_cnn", loss="l1"),
    "resnet_baseline": dict(model="resnet_baseline", loss="l1"),
}
# lesson 03: the U-Net from scratch (the preset's recipe) and the ResNet-encoder U-Net
RUNS_03 = {
    "unet": dict(model="unet"),
    "resnet_unet": dict(model="resnet_unet"),
}


def lesson_config(preset, run: str, out_dir, **overrides):
    """The :class:`~colorkit.train.TrainConfig` of one run of lesson 02 or 03 (``run`` is a key of
    :data:`RUNS_02` or :data:`RUNS_03`), writing to ``<out_dir>/<run>``; model sizes from the preset
    (:func:`colorkit.train.default_model_kwargs`)."""
    from colorkit.train import TrainConfig, default_model_kwargs

    p = _preset(preset)
    plan = {**RUNS_02, **RUNS_03}
    if run not in plan:
        raise KeyError(f"unknown run {run!r}; lessons 02/03 have {', '.join(plan)}")
    spec = dict(plan[run])
    model = spec.pop("model")
    limits = run_budget("02_baseline_cnn" if run in RUNS_02 else "03_unet", p, run)
    kw = dict(model_kwargs={**default_model_kwargs(model, p), **overrides.pop("model_kwargs", {})},
              out_dir=str(Path(out_dir) / run), log_every=1 if (p.max_steps or 100) < 100 else 10, **limits)
    kw.update(spec)
    kw.update(overrides)
    return TrainConfig.from_preset(p, model=model, **kw)


def predicted_ab(model, L_norm, batch_size: int = 64):
    """ab in LAB units (N x H x W x 2 numpy) predicted by ``model`` for normalized L (N1HW tensor), in
    batches through :func:`colorkit.colorize.predict_ab`."""
    import torch

    from colorkit.color import denormalize_ab
    from colorkit.colorize import predict_ab

    model.eval()
    p = next(model.parameters())
    out = [predict_ab(model, L_norm[i:i + batch_size].to(p.device)).cpu() for i in range(0, len(L_norm), batch_size)]
    return denormalize_ab(torch.cat(out).permute(0, 2, 3, 1).numpy())


def chroma(ab: np.ndarray) -> np.ndarray:
    """Chroma ``sqrt(a**2 + b**2)`` of ``...x2`` ab values, LAB units: how colourful a pixel is."""
    return np.sqrt(np.sum(np.asarray(ab, np.float64) ** 2, axis=-1))


def save_for_later_lessons(result, name: str, preset) -> Path:
    """Export a run's checkpoint to :func:`colorkit.paths.checkpoint_path` (where lessons 06 and 07 look)."""
    from colorkit.checkpoint import export_checkpoint
    from colorkit.paths import checkpoint_path

    return export_checkpoint(result.checkpoint, checkpoint_path(name, _preset(preset).name))


def de2000_at_gains(model, photos, gains=(1.0, 0.8, 0.6, 0.4, 0.0)) -> dict:
    """Mean ΔE2000 of ``model``'s colorizations of ``photos`` (uint8 RGB) when its ab is multiplied by each
    gain (1: as trained, 0: the gray copy). A gain below 1 that scores better shows the model is still
    over-confident: it puts colour where it is more often wrong than right (notebook ``03_unet``)."""
    from colorkit.color import lab_to_rgb, rgb_to_lab
    from colorkit.evaluate import predict_images
    from colorkit.evaluate.metrics import delta_e2000_map

    preds, _ = predict_images(model, photos)
    labs = [rgb_to_lab(p) for p in preds]
    out = {}
    for g in gains:
        des = []
        for lab_p, t in zip(labs, photos):
            lab = lab_p.copy()
            lab[..., 0] = rgb_to_lab(t)[..., 0]
            lab[..., 1:] *= g
            des.append(float(delta_e2000_map(lab_to_rgb(lab, dtype=np.uint8), t).mean()))
        out[float(g)] = float(np.mean(des))
    return out
