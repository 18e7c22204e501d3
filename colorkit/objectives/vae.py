"""The VAE objective (notebook ``04_vae``): reconstruction + ``beta(t) * KL``, with KL annealing.

The networks are the VAEs of :mod:`colorkit.models.vae` (``vae``, ``unet_vae``): an encoder gives a posterior
``q(z | L)`` (``q(z | L, ab)`` for a conditional one), the decoder colours L from a draw of ``z``. The loss is
the reconstruction (``config.loss``, :func:`colorkit.objectives.regression.get_loss`) plus the KL divergence to
``N(0, I)`` weighted by :func:`kl_weight`: a ``beta`` ramped up over the first ``kl_warmup`` of the budget
(``linear``), ramped repeatedly (``cyclical``) or held (``constant``; with a large beta the posterior collapses,
as the notebook shows). Validation adds a diversity score over ``n_draws`` colorizations per image.
Settings come from ``config.extra`` (:data:`VAE_DEFAULTS`).
"""

from __future__ import annotations

import torch

from colorkit.objectives.base import SETTINGS, Objective, known_settings, register_objective
from colorkit.objectives.regression import get_loss

# settings of the VAE objective, read from ``TrainConfig.extra``
VAE_DEFAULTS = dict(
    beta=1e-3,  # final KL weight (KL averaged per latent element, reconstruction per ab value)
    kl_schedule="linear",  # constant | linear | cyclical (colorkit.objectives.vae.kl_weight)
    kl_warmup=0.3,  # fraction of the budget over which the linear schedule ramps beta up
    kl_cycles=4,  # ramps of the cyclical schedule
    n_draws=3,  # draws per image for the validation diversity score
)
SETTINGS["vae"] = VAE_DEFAULTS


@register_objective("vae")
class VAE(Objective):
    """Reconstruction (``config.loss``) + ``beta(t) * KL(q(z | L) || N(0, I))`` for the VAEs of
    :mod:`colorkit.models.vae`, with KL annealing over the budget; settings in ``config.extra``
    (:data:`VAE_DEFAULTS`)."""

    loss_names = ("loss", "recon", "kl")

    def __init__(self, networks, config):
        extra = dict(getattr(config, "extra", None) or {})
        unknown = set(extra) - known_settings()
        if unknown:
            raise TypeError(f"unknown VAE setting(s) {sorted(unknown)} in config.extra; known: {sorted(VAE_DEFAULTS)}")
        self.vae = {k: extra.get(k, v) for k, v in VAE_DEFAULTS.items()}
        super().__init__(networks, config)
        self.loss_fn = get_loss(config.loss)

    def kl_weight(self) -> float:
        """beta at the current progress through the budget."""
        v = self.vae
        return kl_weight(self.progress, v["beta"], v["kl_warmup"], v["kl_schedule"], v["kl_cycles"], total_steps=1.0)

    def training_step(self, batch, step: int) -> dict[str, float]:
        L, ab = batch
        with self.autocast():
            pred, mu, logvar = self.net("generator")(L, ab=ab, return_latent=True)  # ab: a conditional VAE's posterior
        rec = self.loss_fn(pred.float(), ab.float())
        kl = kl_divergence(mu.float(), logvar.float())
        w = self.kl_weight()
        loss = rec + w * kl
        self.optimize(loss, "generator")
        with torch.no_grad():  # latent channels still carrying information (> 0.01 nats on average)
            per_channel = kl_divergence(mu.float(), logvar.float(), "none").mean(dim=(0, 2, 3))
            active = (per_channel > 0.01).float().mean().item()
        return {"loss": loss.item(), "recon": rec.item(), "kl": kl.item(), "kl_weight": w, "active_latents": active}

    @torch.no_grad()
    def predict(self, L_norm: torch.Tensor) -> torch.Tensor:
        """The colorization at the posterior's mean (``z = mu``), not the mean of sampled colorizations."""
        with self.autocast():
            return self.networks["generator"].posterior_mean(L_norm).float()

    @torch.no_grad()
    def validation_step(self, batch) -> dict[str, float]:
        from colorkit.models.vae import diversity_score

        out = super().validation_step(batch)
        L, _ = batch
        g = torch.Generator(device=L.device).manual_seed(0)
        draws = self.networks["generator"].sample(L.float(), n=int(self.vae["n_draws"]), generator=g)
        out["val_diversity"] = diversity_score(draws)
        return out


# ---- from colorkit.objectives.gan ------------------------------------------------------------


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """``KL(N(mu, exp(logvar)) || N(0, 1))`` in closed form, per latent element:
    ``0.5 * (mu**2 + exp(logvar) - 1 - logvar)``.

    ``reduction``: ``"mean"`` over every latent element (the scale of a per-pixel reconstruction loss;
    the default), ``"batchmean"`` (summed over each sample's latent, averaged over the batch: the
    textbook ELBO term, in nats per image) or ``"none"`` (elementwise).
    """
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)
    if reduction == "mean":
        return kl.mean()
    if reduction == "batchmean":
        return kl.reshape(kl.shape[0], -1).sum(1).mean()
    if reduction == "none":
        return kl
    raise ValueError(f"unknown reduction {reduction!r}; choose 'mean', 'batchmean' or 'none'")


KL_SCHEDULES = ("constant", "linear", "cyclical")


def kl_weight(step: int, beta: float, warmup_steps: int = 0, schedule: str = "linear", cycles: int = 4,
              total_steps: int | None = None) -> float:
    """The KL weight at ``step`` under an annealing schedule (notebook ``04_vae``).

    * ``constant``: ``beta`` from the start (invites posterior collapse: the KL term wins early);
    * ``linear``: from 0 up to ``beta`` over ``warmup_steps``, then ``beta`` (Bowman et al. 2016);
    * ``cyclical``: the linear ramp repeated ``cycles`` times over ``total_steps``, each ramp taking
      half a cycle and then holding ``beta`` (Fu et al. 2019).
    """
    if schedule not in KL_SCHEDULES:
        raise ValueError(f"unknown KL schedule {schedule!r}; choose one of {', '.join(KL_SCHEDULES)}")
    if schedule == "constant" or (schedule == "linear" and warmup_steps <= 0):
        return float(beta)
    if schedule == "linear":
        return float(beta) * min(1.0, step / warmup_steps)
    if not total_steps or cycles < 1:
        raise ValueError("the cyclical KL schedule needs total_steps and cycles >= 1")
    period = total_steps / cycles
    phase = (step % period) / period
    return float(beta) * min(1.0, 2.0 * phase)
