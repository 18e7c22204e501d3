"""Losses of the generative models: adversarial (``bce``, ``hinge``, ``lsgan``), KL with annealing,
and the VGG perceptual loss.

Introduced in notebooks ``04_vae`` (KL, annealing) and ``05_gan`` (adversarial, perceptual).
Discriminator outputs are raw logits (no sigmoid); "real" means a true colorization, "fake" a
generated one. Every discriminator loss is the average of its real and fake terms (as pix2pix
halves its discriminator loss), so the three kinds are on comparable scales.
"""
from __future__ import annotations


import torch
import torch.nn.functional as F
from torch import nn

from .color import lab_norm_to_rgb_torch
from .models.blocks import IMAGENET_MEAN, IMAGENET_STD, PretrainedWeightsUnavailable, torchvision_state_dict

ADVERSARIAL_LOSSES = ("bce", "hinge", "lsgan")


def _check_kind(kind: str) -> None:
    if kind not in ADVERSARIAL_LOSSES:
        raise ValueError(f"unknown adversarial loss {kind!r}; choose one of {', '.join(ADVERSARIAL_LOSSES)}")


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, kind: str = "bce") -> torch.Tensor:
    """The discriminator's loss, ``0.5 * (real term + fake term)``, averaged over all patch logits.

    * ``bce`` (vanilla GAN, Goodfellow et al. 2014): ``-log s(r)`` and ``-log(1 - s(f))``, s = sigmoid;
    * ``hinge`` (Lim & Ye 2017, used by SAGAN/BigGAN): ``relu(1 - r)`` and ``relu(1 + f)``;
    * ``lsgan`` (Mao et al. 2017): ``(r - 1)**2`` and ``f**2``.
    """
    _check_kind(kind)
    if kind == "bce":
        real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
        fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    elif kind == "hinge":
        real = F.relu(1.0 - real_logits).mean()
        fake = F.relu(1.0 + fake_logits).mean()
    else:
        real = (real_logits - 1.0).pow(2).mean()
        fake = fake_logits.pow(2).mean()
    return 0.5 * (real + fake)


def generator_adversarial_loss(fake_logits: torch.Tensor, kind: str = "bce") -> torch.Tensor:
    """The generator's adversarial loss on the discriminator's logits for its colorizations.

    * ``bce``: the non-saturating ``-log s(f)`` (strong gradients while the discriminator wins);
    * ``hinge``: ``-f``;
    * ``lsgan``: ``(f - 1)**2``.
    """
    _check_kind(kind)
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    if kind == "hinge":
        return -fake_logits.mean()
    return (fake_logits - 1.0).pow(2).mean()


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


# ------------------------------------------------------------------------------------------ perceptual
VGG_LAYERS = {"relu1_2": 4, "relu2_2": 9, "relu3_3": 16, "relu4_3": 23}  # index after the ReLU + 1


class PerceptualWeightsUnavailable(PretrainedWeightsUnavailable):
    """VGG16 ImageNet weights were asked for but cannot be had (offline, no cached copy)."""


def vgg16_state_dict(weights=True) -> dict:
    """The ImageNet VGG16 state dict: from the torch hub cache (downloaded once) when ``weights is True``,
    or from a local ``.pth`` file when ``weights`` is a path. Never random weights: a perceptual loss on
    random features measures nothing, so missing weights raise :class:`PerceptualWeightsUnavailable`."""
    import torchvision.models as tvm

    return torchvision_state_dict(tvm.VGG16_Weights.IMAGENET1K_V1, weights, "VGG16 (perceptual loss)",
                                  "turn the perceptual loss off (perceptual_weight=0)",
                                  error=PerceptualWeightsUnavailable, option="perceptual_weights")


class VGGPerceptualLoss(nn.Module):
    """Mean L1 distance between VGG16 features of two colorizations of the same L (Johnson et al. 2016).

    Both are turned to sRGB with :func:`colorkit.color.lab_norm_to_rgb_torch` (differentiable), normalized
    like ImageNet, and compared at ``layers`` (default relu1_2, relu2_2, relu3_3, equally weighted).
    The network is frozen and always in eval mode.
    """

    def __init__(self, weights=True, layers=("relu1_2", "relu2_2", "relu3_3")):
        super().__init__()
        import torchvision.models as tvm

        unknown = set(layers) - set(VGG_LAYERS)
        if unknown:
            raise ValueError(f"unknown VGG layer(s) {sorted(unknown)}; choose from {', '.join(VGG_LAYERS)}")
        features = tvm.vgg.make_layers(tvm.vgg.cfgs["D"])  # VGG16's convolutional part only
        state = vgg16_state_dict(weights)
        features.load_state_dict({k[len("features."):]: v for k, v in state.items() if k.startswith("features.")})
        self.cuts = sorted(VGG_LAYERS[name] for name in layers)
        self.features = features[: self.cuts[-1]].eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def train(self, mode: bool = True):  # the frozen VGG stays in eval mode
        super().train(mode)
        self.features.eval()
        return self

    def _feats(self, L_norm, ab_norm):
        x = (lab_norm_to_rgb_torch(L_norm, ab_norm) - self.mean) / self.std
        out, start = [], 0
        for cut in self.cuts:
            x = self.features[start:cut](x)
            out.append(x)
            start = cut
        return out

    def forward(self, L_norm: torch.Tensor, ab_pred: torch.Tensor, ab_true: torch.Tensor) -> torch.Tensor:
        fp = self._feats(L_norm, ab_pred)
        with torch.no_grad():
            ft = self._feats(L_norm, ab_true)
        return sum(F.l1_loss(a, b) for a, b in zip(fp, ft)) / len(fp)

