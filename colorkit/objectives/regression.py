"""The regression objective: the network predicts normalized ab directly and one pixel loss
(``config.loss``: L1, L2 or smooth L1) pulls it towards the true ab.

Introduced in notebook ``02_baseline_cnn`` (L2 against L1: the mean against the median of the possible
colours) and used again in ``03_unet``. :func:`get_loss` looks the pixel losses up by name; the VAE and GAN
objectives reuse them for their reconstruction terms.
"""

from __future__ import annotations

import functools
from typing import Callable

import torch
import torch.nn.functional as F

from colorkit.objectives.base import Objective, register_objective


@register_objective("regression")
class Regression(Objective):
    """Supervised colorization: the generator's ab against the true ab with a loss by name
    (``config.loss``: l1, l2/mse, smooth_l1). Introduced in notebook ``02_baseline_cnn``."""

    loss_names = ("loss",)

    def __init__(self, networks, config):
        super().__init__(networks, config)
        self.loss_fn = get_loss(config.loss)

    def training_step(self, batch, step: int) -> dict[str, float]:
        L, ab = batch
        with self.autocast():
            pred = self.net("generator")(L)
        loss = self.loss_fn(pred.float(), ab.float())
        self.optimize(loss, "generator")
        return {"loss": loss.item()}

    @torch.no_grad()
    def validation_step(self, batch) -> dict[str, float]:
        L, ab = batch
        pred = self.predict(L)
        out = super().validation_step(batch)
        out["val_loss"] = float(self.loss_fn(pred, ab.float()))
        return out


# ---- from colorkit.objectives.regression ------------------------------------------------------------


def l1_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error."""
    return F.l1_loss(pred, target)


def l2_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error."""
    return F.mse_loss(pred, target)


def smooth_l1_loss(pred: torch.Tensor, target: torch.Tensor, beta: float = 0.1) -> torch.Tensor:
    """Huber loss: ``0.5 e**2 / beta`` for ``|e| < beta``, ``|e| - 0.5 beta`` above."""
    return F.smooth_l1_loss(pred, target, beta=beta)


def de2000_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean CIEDE2000 between predicted and true ab (normalized units in and out: LAB units / AB_SCALE), the
    metric the leaderboard scores, made differentiable (:mod:`colorkit.objectives.ciede2000`)."""
    from colorkit.color import AB_SCALE
    from colorkit.objectives.ciede2000 import ciede2000_ab

    return ciede2000_ab(pred.float() * AB_SCALE, target.float() * AB_SCALE).mean() / AB_SCALE


LOSSES: dict[str, Callable] = {
    "l1": l1_loss,
    "mae": l1_loss,
    "l2": l2_loss,
    "mse": l2_loss,
    "smooth_l1": smooth_l1_loss,
    "huber": smooth_l1_loss,
    "de2000": de2000_loss,
}
RECONSTRUCTION_LOSSES = ("l1", "l2", "mse", "smooth_l1", "de2000")


def get_loss(name: str, **kwargs) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The loss registered as ``name`` (case-insensitive); keyword arguments are bound (``beta=0.05``)."""
    key = str(name).strip().lower().replace("-", "_")
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(sorted(LOSSES))}")
    fn = LOSSES[key]
    return functools.partial(fn, **kwargs) if kwargs else fn
