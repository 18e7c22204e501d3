"""The ``classification`` objective: colour as a distribution over quantized ab bins (Zhang et al. 2016).

Trained in notebook ``06_evaluate``'s "why is it brown?" lab (through :mod:`colorkit.course.why_brown`). Trains ``unet_classifier`` (or any
model whose ``forward`` returns ``N x Q x H x W`` logits and that has ``predict_ab`` and a
``class_weights`` buffer) with the soft-encoded, rebalanced cross-entropy of :mod:`colorkit.quantize`.

Rebalancing: during the first ``config.extra["rebalance_batches"]`` steps (default 20) the objective
counts the nearest bins of the training targets and sets the model's ``class_weights`` buffer from
that empirical distribution (:func:`colorkit.quantize.rebalance_weights`); the weights are then frozen
and travel with the checkpoint. ``config.extra["rebalance"] = False`` turns rebalancing off (the
classifier then drifts back towards the common, desaturated colours). On a fresh run the classifier's
output bias starts at the log of the first batch's colour distribution
(:meth:`~colorkit.models.unet_classifier.UNetClassifier.init_prior`; ``extra["init_prior"] = False``
starts from a uniform distribution instead): under a budget of minutes this is the difference between
an average colour and the gamut's magenta centroid.
"""

from __future__ import annotations

import numpy as np
import torch

from colorkit import quantize as Qz
from colorkit.objectives.base import Objective, register_objective


@register_objective("classification")
class Classification(Objective):
    loss_names = ("loss",)

    def __init__(self, networks, config):
        super().__init__(networks, config)
        gen = self.networks["generator"]
        if not hasattr(gen, "class_weights") or not hasattr(gen, "predict_ab"):
            raise ValueError("the classification objective needs a bin classifier such as model='unet_classifier' "
                             f"(got {type(gen).__name__}, which predicts ab directly: use objective='regression')")
        extra = dict(getattr(config, "extra", {}) or {})
        self.rebalance = bool(extra.get("rebalance", True))
        self.rebalance_batches = int(extra.get("rebalance_batches", 20))
        self.init_prior = bool(extra.get("init_prior", True))
        self.counts = np.zeros(gen.class_weights.numel(), np.float64)

    def _update_weights(self, ab: torch.Tensor, step: int) -> None:
        gen = self.networks["generator"]
        if step >= self.rebalance_batches:
            return
        self.counts += np.bincount(Qz.hard_encode(ab.detach().float()).flatten().cpu().numpy(),
                                   minlength=len(self.counts))
        prior = self.counts / self.counts.sum()
        if step == 0 and self.init_prior and hasattr(gen, "init_prior"):
            gen.init_prior(prior)  # a fresh run: start from the first batch's colour distribution
        if self.rebalance:
            gen.class_weights.copy_(torch.from_numpy(Qz.rebalance_weights(prior)).to(gen.class_weights.device))
        else:
            gen.class_weights.fill_(1.0)

    def training_step(self, batch, step: int) -> dict[str, float]:
        L, ab = batch
        self._update_weights(ab, step)
        gen = self.networks["generator"]
        with self.autocast():
            logits = self.net("generator")(L)
        loss = Qz.classification_loss(logits.float(), ab.float(), gen.class_weights if self.rebalance else None)
        self.optimize(loss, "generator")
        return {"loss": loss.item()}

    @torch.no_grad()
    def predict(self, L_norm: torch.Tensor, temperature: float | None = None) -> torch.Tensor:
        """Normalized L -> normalized ab by the annealed mean (the model's temperature unless given)."""
        with self.autocast():
            return self.networks["generator"].predict_ab(L_norm, temperature).float()

    @torch.no_grad()
    def validation_step(self, batch) -> dict[str, float]:
        L, ab = batch
        out = super().validation_step(batch)
        logits = self.networks["generator"](L).float()
        out["val_loss"] = float(Qz.classification_loss(logits, ab.float(), None))
        return out
