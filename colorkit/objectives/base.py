"""Objectives: *what* is optimized, separate from the engine that runs it (:mod:`colorkit.train`).

The interface under :class:`colorkit.objectives.regression.Regression`, whose step notebook ``02_baseline_cnn`` writes out by hand; the generative lessons (04 VAE, 05 GAN) add their own objectives.
An :class:`Objective` owns its networks (``{"generator": ..., "discriminator": ...}``), builds their
optimizers from the config, does one ``training_step``, a ``validation_step``, ``predict`` (L -> ab)
and declares the names of its losses and visuals so that logging, plots and TensorBoard stay generic
(as pix2pix's ``BaseModel`` does). The engine gives it the device, mixed precision and distributed
wrappers through :meth:`Objective.setup`; the objective calls :meth:`Objective.optimize` for each
backward pass (AMP grad scaling, gradient clipping and the NaN/inf guard live there, once).

Writing a new objective::

    @register_objective("my_gan")
    class MyGAN(Objective):
        loss_names = ("g_l1", "g_adv", "d")

        @classmethod
        def build_networks(cls, config):        # default: {"generator": build(config.model, **config.model_kwargs)}
            nets = super().build_networks(config)
            nets["discriminator"] = build("patchgan")
            return nets

        def training_step(self, batch, step):
            L, ab = batch
            with self.autocast():
                fake = self.net("generator")(L)
                d_loss = ...
            self.optimize(d_loss, "discriminator")
            with self.autocast():
                g_loss = ...
            self.optimize(g_loss, "generator")
            return {"g_l1": ..., "g_adv": ..., "d": d_loss.item()}
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Callable

import torch
from torch import nn

_OBJECTIVES: dict[str, type] = {}


class NonFiniteLossError(FloatingPointError):
    """A loss became NaN or infinite: training stops before the bad update (weights stay good)."""


# each family's settings (``config.extra`` keys with their defaults), registered by its module: a config may
# carry another family's settings (a GAN fine-tuned from a VAE run), never an unknown one
SETTINGS: dict[str, dict] = {}


def known_settings() -> set:
    """Every ``config.extra`` key some objective understands."""
    return set().union(*SETTINGS.values()) | {"model_kwargs"}


def register_objective(name: str):
    """Decorator: ``@register_objective("gan")`` on an :class:`Objective` subclass."""

    def deco(cls):
        if name in _OBJECTIVES and _OBJECTIVES[name] is not cls:
            raise ValueError(f"objective {name!r} is registered twice")
        _OBJECTIVES[name] = cls
        cls.name = name
        return cls

    return deco


def get_objective(name: str) -> type:
    """The :class:`Objective` class registered as ``name`` (importing :mod:`colorkit.objectives` registers
    every family)."""
    import colorkit.objectives  # noqa: F401  (the package imports each family's module)

    if name not in _OBJECTIVES:
        raise KeyError(f"unknown objective {name!r}; available: {', '.join(sorted(_OBJECTIVES))}")
    return _OBJECTIVES[name]


def available_objectives() -> list[str]:
    get_objective("regression")
    return sorted(_OBJECTIVES)


# ------------------------------------------------------------------------------------------ learning-rate schedule
SCHEDULES = ("onecycle", "cosine", "constant")


def lr_factor(progress: float, schedule: str = "onecycle", warmup: float = 0.1, final: float = 1e-3) -> float:
    """Multiplier of the base learning rate at ``progress`` in [0, 1] (fraction of the step *or* time budget).

    * ``onecycle``: linear warm-up over the first ``warmup`` fraction, then cosine down to ``final``
      (the schedule that makes the most of a short budget, Smith & Topin 2018);
    * ``cosine``: cosine from 1 to ``final``, no warm-up;
    * ``constant``: 1.
    Driven by progress rather than a step count, so the same schedule works for a time budget
    (``max_minutes``) whose number of steps is unknown in advance.
    """
    p = min(max(float(progress), 0.0), 1.0)
    if schedule == "constant":
        return 1.0
    if schedule == "cosine":
        warmup = 0.0
    elif schedule != "onecycle":
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    if warmup > 0 and p < warmup:
        return max(p / warmup, 0.01)
    q = (p - warmup) / max(1.0 - warmup, 1e-12)
    return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * q))


# ------------------------------------------------------------------------------------------------- base class
class Objective:
    """Base class: owns networks + optimizers, does training/validation steps. See the module docstring."""

    name = "base"
    loss_names: tuple[str, ...] = ()
    visual_names: tuple[str, ...] = ("gray", "predicted", "target")

    def __init__(self, networks: dict[str, nn.Module], config):
        if "generator" not in networks:
            raise ValueError("an objective needs a 'generator' network (L -> ab)")
        self.config = config
        self.networks: dict[str, nn.Module] = dict(networks)  # the plain modules (state dicts, predict)
        self.wrapped: dict[str, nn.Module] = dict(networks)  # what training calls (DDP / compiled)
        self.device = torch.device("cpu")
        self.amp_dtype: torch.dtype | None = None
        self.channels_last = False
        self.optimizers = self.build_optimizers()
        self.scalers: dict[str, torch.amp.GradScaler] = {}  # made by setup (they depend on the device)
        self._scaler_state: dict[str, dict] = {}  # loaded before setup: applied when setup makes the scalers
        self._set_up = False
        self.progress = 0.0

    # -- construction -------------------------------------------------------------------------------------
    @classmethod
    def build_networks(cls, config) -> dict[str, nn.Module]:
        """Default: one generator built from the registry (``config.model``, ``config.model_kwargs``), started
        from the generator of the checkpoint ``config.extra["init_generator"]`` when given (a fine-tune)."""
        from colorkit.models import build

        generator = build(config.model, **dict(config.model_kwargs))
        init = (getattr(config, "extra", None) or {}).get("init_generator")
        if init:
            load_generator(generator, init, config)
        return {"generator": generator}

    def optimizer_settings(self, network: str) -> dict:
        """Learning rate, betas and weight decay of one network's optimizer (override per network)."""
        return {"lr": self.config.lr, "betas": tuple(self.config.betas), "weight_decay": self.config.weight_decay}

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """One optimizer per network that has trainable parameters (``config.optimizer``: adamw or adam)."""
        kinds = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam}
        kind = str(self.config.optimizer).lower()
        if kind not in kinds:
            raise ValueError(f"unknown optimizer {self.config.optimizer!r}; choose adamw or adam")
        opts = {}
        for name, net in self.networks.items():
            params = [p for p in net.parameters() if p.requires_grad]
            if params:
                s = self.optimizer_settings(name)
                try:  # fused kernels: one pass over all parameters (measured in benchmarks/train_step.py)
                    opt = kinds[kind](params, fused=True, **s)
                except (RuntimeError, TypeError, ValueError):
                    opt = kinds[kind](params, **s)
                for g in opt.param_groups:
                    g["base_lr"] = s["lr"]
                opts[name] = opt
        return opts

    def setup(self, device, amp_dtype=None, channels_last=False, wrap: Callable | None = None) -> None:
        """Called once by the engine: move to ``device``, set mixed precision (``amp_dtype`` bf16/fp16 on
        CUDA, ``None`` for fp32), channels_last, and wrap trainable networks (DDP, ``torch.compile``)."""
        self.device = torch.device(device)
        self.amp_dtype = amp_dtype
        self.channels_last = channels_last
        fmt = torch.channels_last if channels_last else torch.preserve_format
        for name, net in self.networks.items():
            net.to(self.device, memory_format=fmt)
            self.wrapped[name] = wrap(name, net) if wrap is not None else net
        self.scalers = self.build_scalers()
        self._set_up = True
        self._load_scaler_state()  # a checkpoint loaded before setup (the engine's order when resuming)
        for opt in self.optimizers.values():  # optimizer state follows the parameters' device
            for st in opt.state.values():
                for k, v in st.items():
                    if torch.is_tensor(v) and k != "step":
                        st[k] = v.to(self.device)

    def build_scalers(self) -> dict[str, torch.amp.GradScaler]:
        """One grad scaler per optimizer, made by :meth:`setup` once the device and precision are known:
        enabled only for fp16 on CUDA (bf16 and fp32 need no scaling; a disabled scaler is a no-op)."""
        fp16 = self.amp_dtype == torch.float16 and self.device.type == "cuda"
        return {n: torch.amp.GradScaler(self.device.type, enabled=fp16) for n in self.optimizers}

    def _load_scaler_state(self) -> None:
        for n, sd in self._scaler_state.items():
            if n in self.scalers:
                self.scalers[n].load_state_dict(sd)
        self._scaler_state = {}

    # -- helpers for subclasses --------------------------------------------------------------------------
    def net(self, name: str = "generator") -> nn.Module:
        """The network to call in training (possibly DDP-wrapped or compiled)."""
        return self.wrapped[name]

    def autocast(self):
        """Mixed precision context (a no-op on CPU or when AMP is off)."""
        if self.amp_dtype is None or self.device.type != "cuda":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def to_device(self, batch):
        """Move a batch (tensor or tuple/list/dict of tensors) to the device, channels_last if asked."""
        def move(t):
            if not torch.is_tensor(t):
                return t
            t = t.to(self.device, non_blocking=True)
            if self.channels_last and t.ndim == 4:
                t = t.contiguous(memory_format=torch.channels_last)
            return t

        if isinstance(batch, dict):
            return {k: move(v) for k, v in batch.items()}
        if isinstance(batch, (tuple, list)):
            return type(batch)(move(t) for t in batch)
        return move(batch)

    def set_progress(self, progress: float) -> None:
        """Called by the engine before each step: sets every optimizer's learning rate from the schedule."""
        self.progress = progress
        f = lr_factor(progress, self.config.schedule, self.config.warmup)
        for opt in self.optimizers.values():
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * f

    def check_finite(self, loss: torch.Tensor, what: str = "loss") -> None:
        if not torch.isfinite(loss.detach()).all():
            raise NonFiniteLossError(
                f"{what} is {loss.detach().float().flatten()[0].item()} at progress {self.progress:.3f}: training "
                "stopped before this update (the last good checkpoint is kept). Usual fixes: lower the learning "
                "rate (--lr), set grad_clip (e.g. 1.0), turn AMP off (amp=False), or check the data for NaNs."
            )

    def optimize(self, loss: torch.Tensor, network: str = "generator", retain_graph: bool = False) -> None:
        """One update of ``network``: NaN/inf guard, zero grads, (scaled) backward, unscale, gradient
        clipping (``config.grad_clip``), optimizer step, scaler update."""
        self.check_finite(loss, f"{network} loss")
        opt, scaler = self.optimizers[network], self.scalers[network]
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward(retain_graph=retain_graph)
        if self.config.grad_clip:
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(self.networks[network].parameters(), self.config.grad_clip)
        scaler.step(opt)
        scaler.update()

    def train_mode(self, training: bool = True) -> None:
        for net in self.networks.values():
            net.train(training)

    # -- the four things an objective does ---------------------------------------------------------------
    def training_step(self, batch, step: int) -> dict[str, float]:
        raise NotImplementedError

    @torch.no_grad()
    def validation_step(self, batch) -> dict[str, float]:
        """Default: the generator's reconstruction losses on a validation batch (networks in eval mode)."""
        L, ab = batch
        pred = self.predict(L)
        return {"val_l1": float((pred - ab).abs().mean()), "val_l2": float(((pred - ab) ** 2).mean())}

    @torch.no_grad()
    def predict(self, L_norm: torch.Tensor) -> torch.Tensor:
        """Normalized L (N x 1 x H x W) -> normalized ab (N x 2 x H x W), with the plain generator."""
        with self.autocast():
            return self.networks["generator"](L_norm).float()

    @torch.no_grad()
    def visuals(self, batch) -> dict[str, torch.Tensor]:
        """RGB images (N x 3 x H x W in [0, 1]) named after :attr:`visual_names`, for the sample grid."""
        from colorkit.color import lab_norm_to_rgb_torch

        L, ab = batch
        pred = self.predict(L)
        return {
            "gray": lab_norm_to_rgb_torch(L.float(), torch.zeros_like(ab, dtype=torch.float32)),
            "predicted": lab_norm_to_rgb_torch(L.float(), pred),
            "target": lab_norm_to_rgb_torch(L.float(), ab.float()),
        }

    # -- state ---------------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Plain data: ``{"state": {net: sd}, "optim": {name: sd}, "scaler": {name: sd}}``."""
        return {
            "state": {n: net.state_dict() for n, net in self.networks.items()},
            "optim": {n: o.state_dict() for n, o in self.optimizers.items()},
            "scaler": {n: s.state_dict() for n, s in self.scalers.items()},
        }

    def load_state_dict(self, d: dict, strict: bool = True) -> None:
        """Networks, optimizers and grad scalers from :meth:`state_dict`'s layout. May be called before
        :meth:`setup` (as the engine does when resuming): the scalers do not exist yet then, so their state
        is kept and loaded into the scalers :meth:`setup` makes (an fp16 run resumes with its loss scale)."""
        for n, sd in d["state"].items():
            if n not in self.networks:
                raise KeyError(f"checkpoint has a network {n!r} this objective does not own ({list(self.networks)})")
            self.networks[n].load_state_dict(sd, strict=strict)
        for n, sd in (d.get("optim") or {}).items():
            if n in self.optimizers:
                self.optimizers[n].load_state_dict(sd)
                for g in self.optimizers[n].param_groups:  # the config's lr wins over the checkpoint's
                    g["base_lr"] = self.optimizer_settings(n)["lr"]
        # an empty state is a disabled scaler's (an fp32/bf16 or CPU run): nothing to restore
        self._scaler_state = {n: sd for n, sd in (d.get("scaler") or {}).items() if sd}
        if self._set_up:
            self._load_scaler_state()


# ---- from colorkit.objectives.gan ------------------------------------------------------------


# model name -> the objective that trains it when none is named (other models: plain "regression");
# unet_classifier predicts logits over ab bins: its objective is the soft-encoded cross-entropy
# (colorkit.objectives.classification), never a regression on the logits
class _ModelObjectives(Mapping):
    """Read-only view ``{model name: its default objective}`` of the models that declared one other than
    regression; each model declares it where it registers (:func:`colorkit.models.register`)."""

    def _table(self) -> dict:
        from colorkit.models import default_objectives

        return {m: o for m, o in default_objectives().items() if o != "regression"}

    def __getitem__(self, model):
        return self._table()[model]

    def __iter__(self):
        return iter(self._table())

    def __len__(self):
        return len(self._table())

    def __repr__(self):
        return repr(self._table())


MODEL_OBJECTIVES = _ModelObjectives()


def load_generator(generator: nn.Module, checkpoint, config) -> None:
    """Copy the generator weights of a colorkit ``checkpoint`` into ``generator`` (same model and kwargs),
    with a clear error when they do not fit. Introduced in notebook ``05_gan`` (the GAN starts from 03's U-Net)."""
    from colorkit.checkpoint import load_checkpoint

    ckpt = load_checkpoint(checkpoint)
    try:
        generator.load_state_dict(ckpt["state"]["generator"])
    except (KeyError, RuntimeError) as e:
        raise ValueError(
            f"init_generator={str(checkpoint)!r} does not fit this generator ({config.model} "
            f"{dict(config.model_kwargs)}); it was trained as {ckpt.get('model')}. Use the same model "
            f"and model_kwargs, or drop init_generator. Detail: {e}") from e


def default_objective(model: str) -> str:
    """The objective ``colorkit train --model NAME`` uses unless ``--objective`` is given: the one the model
    declared when it registered (:func:`colorkit.models.default_objective`)."""
    from colorkit.models import default_objective as declared

    return declared(model)
