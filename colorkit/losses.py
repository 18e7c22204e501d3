"""Losses by name (introduced in notebook ``02_baseline_cnn``).

Reconstruction losses compare predicted and true normalized ab (``N x 2 x H x W``, in [-1, 1]):

* ``l1`` (mean absolute error): the median of the plausible colours; the seeds' default;
* ``l2`` / ``mse`` (mean squared error): the *mean* of the plausible colours, so when a pixel could be
  blue or orange it predicts a gray-ish average: desaturated, but rarely the wrong hue (notebook 03);
* ``smooth_l1`` (Huber): L2 for errors below ``beta`` (default 0.1, about 11 ab units), L1 above.

:func:`get_loss` returns a callable ``loss(pred, target) -> scalar tensor``. Other families (adversarial,
KL, perceptual) live in :mod:`colorkit.losses_generative` and may be added to :data:`LOSSES`.
"""
from __future__ import annotations

import functools
from typing import Callable

import torch
import torch.nn.functional as F


def l1_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error."""
    return F.l1_loss(pred, target)


def l2_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error."""
    return F.mse_loss(pred, target)


def smooth_l1_loss(pred: torch.Tensor, target: torch.Tensor, beta: float = 0.1) -> torch.Tensor:
    """Huber loss: ``0.5 e**2 / beta`` for ``|e| < beta``, ``|e| - 0.5 beta`` above."""
    return F.smooth_l1_loss(pred, target, beta=beta)


LOSSES: dict[str, Callable] = {
    "l1": l1_loss,
    "mae": l1_loss,
    "l2": l2_loss,
    "mse": l2_loss,
    "smooth_l1": smooth_l1_loss,
    "huber": smooth_l1_loss,
}
RECONSTRUCTION_LOSSES = ("l1", "l2", "mse", "smooth_l1")


def get_loss(name: str, **kwargs) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The loss registered as ``name`` (case-insensitive); keyword arguments are bound (``beta=0.05``)."""
    key = str(name).strip().lower().replace("-", "_")
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(sorted(LOSSES))}")
    fn = LOSSES[key]
    return functools.partial(fn, **kwargs) if kwargs else fn
