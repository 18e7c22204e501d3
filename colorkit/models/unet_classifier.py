"""``unet_classifier``: the U-Net of ``03_unet`` predicting a distribution over quantized ab bins
(Zhang et al. 2016). Built by name in notebook ``06_evaluate`` ("why is it brown?" lab).

Unlike the other generators, ``forward`` returns **logits** ``N x Q x H x W`` over the
:func:`colorkit.quantize.ab_bins` (Q = 261); :meth:`UNetClassifier.predict_ab` decodes them to
normalized ab with the annealed mean at a ``temperature`` (0.38 as Zhang et al.). The rebalancing
weights live in the ``class_weights`` buffer (saved in the checkpoint's state dict); they are all
ones until a training objective fills them from the data (:func:`colorkit.quantize.rebalance_weights`).
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit import quantize as Qz
from colorkit.models import register
from colorkit.models.unet import UNet


@register("unet_classifier", objective="classification")
class UNetClassifier(nn.Module):
    def __init__(self, base_width: int = 64, depth: int = 4, norm: str = "batch", up: str = "transpose",
                 dropout: float = 0.0, temperature: float = Qz.TEMPERATURE, stem: str = "full"):
        super().__init__()
        self.body = UNet(base_width=base_width, depth=depth, norm=norm, up=up, dropout=dropout, stem=stem)
        q = Qz.n_bins()
        self.body.head = nn.Conv2d(self.body.head_width, q, 1)  # logits instead of the tanh ab head
        self.stride = self.body.stride
        self.temperature = float(temperature)
        self.register_buffer("class_weights", torch.ones(q))

    @property
    def n_bins(self) -> int:
        return self.class_weights.numel()

    @torch.no_grad()
    def init_prior(self, prior) -> None:
        """Start from the data's colour distribution: the head's bias becomes ``log(prior)`` (smoothed,
        floored at 1e-4), so an untrained model predicts the marginal distribution (decoded: a plausible
        average colour) rather than a uniform one over the gamut (decoded: its magenta-ish centroid). A
        standard initialization (as for RetinaNet's classifier); it does not change the objective."""
        p = torch.as_tensor(Qz.smooth_prior(prior), dtype=torch.float32).clamp_min(1e-4)
        self.body.head.bias.copy_(torch.log(p / p.sum()).to(self.body.head.bias.device))

    def forward(self, L_norm: torch.Tensor) -> torch.Tensor:
        """Normalized L ``N x 1 x H x W`` -> logits ``N x Q x H x W``."""
        return self.body(L_norm)

    def predict_ab(self, L_norm: torch.Tensor, temperature: float | None = None) -> torch.Tensor:
        """Normalized L -> normalized ab ``N x 2 x H x W`` by the annealed mean (``temperature`` None:
        the model's own, 0.38 by default; 1 = plain mean, 0 = mode)."""
        t = self.temperature if temperature is None else temperature
        return Qz.annealed_mean(self.forward(L_norm), t)

    def loss(self, L_norm: torch.Tensor, ab_norm: torch.Tensor, rebalance: bool = True) -> torch.Tensor:
        """Soft-encoded, rebalanced cross-entropy against the true normalized ab."""
        return Qz.classification_loss(self.forward(L_norm), ab_norm, self.class_weights if rebalance else None)
