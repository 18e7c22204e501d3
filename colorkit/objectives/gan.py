"""Training objectives of the generative models: the GAN (generator + PatchGAN) and the VAE.

Introduced in notebook ``05_gan``. Each objective owns its networks (``"generator"``
and, for the GAN, ``"discriminator"``), builds their optimizers, and does one training step on a batch
``(L_norm, ab_norm)``; the training engine (:mod:`colorkit.train`) runs it like any other objective:
budget, validation, checkpoints, resume and NaN handling are the engine's.

The GAN step (pix2pix, Isola et al. 2017)::

    fake = G(L)
    D step:  real, gen = D([L, L], [ab, fake.detach()])        (one pass over both halves)
             loss_d = discriminator_loss(real, gen, kind)
    G step:  loss_g = adv_weight * generator_adversarial_loss(D([L, L], [ab, fake])[N:], kind)   (D frozen)
                      + l1_weight * |fake - ab| (+ perceptual_weight * VGG distance)

with the **two-phase recipe**: for the first ``pretrain`` fraction of the budget only the L1 term trains G (the
discriminator waits), then the adversarial game starts from a generator that already colours sensibly. The
two phases can also be two runs: ``init_generator`` starts G from an L1 checkpoint (notebook ``05_gan``).

Stability guards (logged every step as ``d_acc``/``d_wins``/``g_collapse``, warned once per episode):
the discriminator *wins outright* when it tells real from fake on more than ``d_win_acc`` of the patches
for a sustained stretch (G then learns little from it: with ``bce`` the non-saturating loss keeps a strong
gradient, but it points wherever D's saturated logits say, and D's loss rewards ever larger logits); the generator *collapses* when its
colours stop varying between images (one colour for everything) or saturate at the edge of the tanh.
With ``balance=True`` the discriminator skips its update while it wins, letting G catch up.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from colorkit.color import lab_norm_to_rgb_torch
from colorkit.models.blocks import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    PretrainedWeightsUnavailable,
    torchvision_state_dict,
)
from colorkit.objectives.base import SETTINGS, Objective, known_settings, lr_factor, register_objective

# settings of the GAN objective, read from ``TrainConfig.extra`` (every key optional). The defaults are the
# recipe of notebook 05 in one run: L1 pretraining for half the budget, then lsgan with a decaying learning
# rate, D held back while it wins. :data:`PIX2PIX` gives the classic formulation instead.
GAN_DEFAULTS = dict(
    adversarial="lsgan",  # bce | hinge | lsgan
    l1_weight=100.0,  # lambda, against adv_weight (as pix2pix; 10 gave vivid but wrong colour on a CPU budget)
    adv_weight=1.0,
    perceptual_weight=0.0,  # > 0 needs the ImageNet VGG16 weights (never random)
    perceptual_weights=True,  # True: torch hub cache; or a path to vgg16-397923af.pth
    lr_g=2e-4,
    lr_d=2e-4,
    gan_betas=(0.5, 0.999),
    gan_schedule="cosine",  # lr schedule of the adversarial phase (see colorkit.objectives.base.lr_factor)
    pretrain=0.5,  # fraction of the budget spent on L1-only pretraining of G (the two-phase recipe)
    pretrain_lr=None,  # G's learning rate during pretraining (None: config.lr), on config.schedule
    init_generator=None,  # a colorkit checkpoint (e.g. notebook 03's L1 U-Net) to start G from: phase 1 done elsewhere
    discriminator={},  # PatchGAN keyword arguments (base_width defaults to the generator's)
    balance=True,  # skip D's update while it wins outright
    d_win_acc=0.98,
    collapse_ratio=0.02,  # G collapsed: its colours vary between images < 2% as much as the truth's
    guard_decay=0.98,
    guard_warmup=0.05,  # fraction of the budget into the adversarial phase before the guards watch
)

SETTINGS["gan"] = GAN_DEFAULTS

# pix2pix (Isola et al. 2017) as published: vanilla loss, lambda 100, constant learning rate, no pretraining
PIX2PIX = dict(adversarial="bce", l1_weight=100.0, gan_schedule="constant", pretrain=0.0)


def _gan_settings(config) -> dict:
    extra = dict(getattr(config, "extra", None) or {})
    unknown = set(extra) - known_settings()
    if unknown:
        raise TypeError(f"unknown GAN setting(s) {sorted(unknown)} in config.extra; known: {sorted(GAN_DEFAULTS)}")
    out = {k: extra.get(k, v) for k, v in GAN_DEFAULTS.items()}
    if out["init_generator"] and "pretrain" not in extra:  # phase 1 was another run
        out["pretrain"] = 0.0
    if out["adversarial"] not in ADVERSARIAL_LOSSES:
        raise ValueError(f"unknown adversarial loss {out['adversarial']!r}; choose one of {', '.join(ADVERSARIAL_LOSSES)}")
    if not 0.0 <= float(out["pretrain"]) < 1.0:
        raise ValueError(f"pretrain is a fraction of the budget in [0, 1), got {out['pretrain']}")
    return out


class _EMA:
    """Exponential moving average (None until the first value)."""

    def __init__(self, decay: float):
        self.decay, self.value = decay, None

    def update(self, x: float) -> float:
        self.value = x if self.value is None else self.decay * self.value + (1 - self.decay) * x
        return self.value


@register_objective("gan")
class GAN(Objective):
    """Conditional GAN on (L, ab): the registry model ``config.model`` as generator against a
    :class:`~colorkit.models.patchgan.PatchGAN`; settings in ``config.extra`` (:data:`GAN_DEFAULTS`)."""

    loss_names = ("loss_g", "loss_d", "l1", "adv_g")

    def __init__(self, networks, config):
        self.gan = _gan_settings(config)
        super().__init__(networks, config)
        from colorkit.objectives.regression import get_loss

        # the reconstruction term (logged as "l1"): config.loss, L1 unless a run asks for another (de2000)
        self.reconstruction = get_loss(getattr(config, "loss", None) or "l1")
        self.perceptual = None
        if self.gan["perceptual_weight"] > 0:

            self.perceptual = VGGPerceptualLoss(self.gan["perceptual_weights"])
        self._d_acc = _EMA(self.gan["guard_decay"])
        self._spread = _EMA(self.gan["guard_decay"])
        self._warned = {"d_wins": False, "g_collapse": False}

    @classmethod
    def build_networks(cls, config) -> dict[str, nn.Module]:
        from colorkit.models.patchgan import PatchGAN

        nets = super().build_networks(config)
        settings = _gan_settings(config)
        d_kwargs = dict(settings["discriminator"])
        d_kwargs.setdefault("base_width", int(config.model_kwargs.get("base_width", 64)))
        nets["discriminator"] = PatchGAN(**d_kwargs)
        return nets

    def optimizer_settings(self, network: str) -> dict:
        lr = self.gan["lr_d"] if network == "discriminator" else self.gan["lr_g"]
        return {"lr": lr, "betas": tuple(self.gan["gan_betas"]), "weight_decay": 0.0}

    def setup(self, device, amp_dtype=None, channels_last=False, wrap=None) -> None:
        super().setup(device, amp_dtype, channels_last, wrap)
        if self.perceptual is not None:
            self.perceptual.to(self.device)

    # -- the two phases -----------------------------------------------------------------------------
    @property
    def adversarial(self) -> bool:
        """True once the L1 pretraining fraction of the budget is over."""
        return self.progress >= self.gan["pretrain"]

    def set_progress(self, progress: float) -> None:
        """Phase 1 (L1 pretraining): G at ``pretrain_lr`` on ``config.schedule`` over its share of the
        budget. Phase 2: G at ``lr_g``, D at ``lr_d``, both on ``gan_schedule`` over the rest."""
        self.progress = progress
        pre = float(self.gan["pretrain"])
        if progress < pre:
            f = lr_factor(progress / pre, self.config.schedule, self.config.warmup)
            lrs = {"generator": (self.gan["pretrain_lr"] or self.config.lr) * f, "discriminator": 0.0}
        else:
            f = lr_factor((progress - pre) / (1.0 - pre), self.gan["gan_schedule"], self.config.warmup)
            lrs = {"generator": self.gan["lr_g"] * f, "discriminator": self.gan["lr_d"] * f}
        for name, opt in self.optimizers.items():
            for g in opt.param_groups:
                g["lr"] = lrs[name]

    def _threshold(self) -> float:  # the logit between "judged real" and "judged fake"
        return 0.5 if self.gan["adversarial"] == "lsgan" else 0.0

    def _watching(self) -> bool:
        return self.progress >= float(self.gan["pretrain"]) + float(self.gan["guard_warmup"])

    def training_step(self, batch, step: int) -> dict[str, float]:
        """D step on real and (detached) generated pairs, then G step: ``l1_weight * L1 + adv_weight * adv``."""
        L, ab = batch
        cfg, kind = self.gan, self.gan["adversarial"]
        D_plain = self.networks["discriminator"]
        logs: dict[str, float] = {}
        with self.autocast():
            fake = self.net("generator")(L)
        if self.adversarial:
            with self.autocast():  # one D pass over real and generated pairs (one DDP forward, faster on CPU)
                logits = self.net("discriminator")(torch.cat([L, L]), torch.cat([ab.to(fake.dtype), fake.detach()]))
            real_logits, fake_logits = logits.chunk(2)
            loss_d = discriminator_loss(real_logits.float(), fake_logits.float(), kind)
            t = self._threshold()
            acc = 0.5 * ((real_logits > t).float().mean() + (fake_logits < t).float().mean()).item()
            d_acc = self._d_acc.update(acc)
            d_wins = self._watching() and d_acc > cfg["d_win_acc"]
            if cfg["balance"] and d_wins:
                self.check_finite(loss_d, "discriminator loss")  # skipped update, still guarded
            else:
                self.optimize(loss_d, "discriminator")
            logs.update(loss_d=loss_d.item(), d_real=real_logits.float().mean().item(),
                        d_fake=fake_logits.float().mean().item(), d_acc=d_acc, d_wins=float(d_wins))
            self._guard("d_wins", d_wins, step,
                        f"the discriminator wins outright (accuracy {d_acc:.3f}): its gradients no longer teach "
                        "the generator. Try adversarial='lsgan' or 'hinge', discriminator={'spectral_norm': True}, "
                        "a lower lr_d, or balance=True.")
        l1 = self.reconstruction(fake.float(), ab.float())
        loss_g = cfg["l1_weight"] * l1
        logs["l1"] = l1.item()
        if self.adversarial:
            D_plain.requires_grad_(False)  # G's step must not touch D (and the plain D: no DDP sync needed)
            try:
                with self.autocast():  # the same [real; generated] batch as D's step, so a BatchNorm D
                    # normalizes with the statistics it was trained with (fakes alone shift them)
                    both = D_plain(torch.cat([L, L]), torch.cat([ab.to(fake.dtype), fake]))
                    adv = generator_adversarial_loss(both.chunk(2)[1].float(), kind)
            finally:
                D_plain.requires_grad_(True)
            loss_g = loss_g + cfg["adv_weight"] * adv
            logs["adv_g"] = adv.item()
        if self.perceptual is not None:
            perc = self.perceptual(L.float(), fake.float(), ab.float())
            loss_g = loss_g + cfg["perceptual_weight"] * perc
            logs["perceptual"] = perc.item()
        self.optimize(loss_g, "generator")
        logs["loss_g"] = loss_g.item()
        logs.update(self._collapse_guard(fake.detach().float(), ab.float(), step))
        return logs

    def _collapse_guard(self, fake: torch.Tensor, ab: torch.Tensor, step: int) -> dict[str, float]:
        """Do the generated colours still differ between images (vs the truth's spread), and stay off the
        tanh edges?"""
        if fake.shape[0] < 2:
            return {}
        spread = fake.mean(dim=(2, 3)).std(dim=0).mean().item()
        true_spread = ab.mean(dim=(2, 3)).std(dim=0).mean().item()
        saturated = (fake.abs() > 0.99).float().mean().item()
        ratio = spread / true_spread if true_spread > 1e-8 else 1.0
        smooth = self._spread.update(ratio)
        collapse = self.adversarial and self._watching() and (smooth < self.gan["collapse_ratio"] or saturated > 0.5)
        self._guard("g_collapse", collapse, step,
                    f"the generator collapsed (colour spread between images {smooth:.3f} of the truth's, "
                    f"{saturated:.0%} saturated pixels). Try a larger l1_weight, a lower lr_g, or an earlier checkpoint.")
        return {"g_spread": ratio, "g_saturated": saturated, "g_collapse": float(collapse)}

    def _guard(self, name: str, active: bool, step: int, message: str) -> None:
        if active and not self._warned[name]:
            print(f"[colorkit.gan] step {step}: {message}")
            self._warned[name] = True
        elif not active:
            self._warned[name] = False

    @torch.no_grad()
    def validation_step(self, batch) -> dict[str, float]:
        out = super().validation_step(batch)
        L, ab = batch
        pred = self.predict(L)
        D = self.networks["discriminator"]
        was = D.training
        D.eval()
        try:
            out["val_d_real"] = float(D(L, ab.float()).mean())
            out["val_d_fake"] = float(D(L, pred).mean())
        finally:
            D.train(was)
        return out

    # -- state: the guards' running averages travel with the optimizers' state ------------------------
    def state_dict(self) -> dict:
        st = super().state_dict()
        st["optim"]["gan_guards"] = {"d_acc": self._d_acc.value, "spread": self._spread.value,
                                     "warned": dict(self._warned)}
        return st

    def load_state_dict(self, d: dict, strict: bool = True) -> None:
        super().load_state_dict(d, strict)
        g = (d.get("optim") or {}).get("gan_guards") or {}
        self._d_acc.value, self._spread.value = g.get("d_acc"), g.get("spread")
        self._warned.update(g.get("warned", {}))


# ---- from colorkit.objectives.gan ------------------------------------------------------------

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
