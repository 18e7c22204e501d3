"""The hints objective: a regression on ab whose generator also sees simulated colour hints.

Introduced in notebook ``08_user_guided``. Each training step draws hints for the batch from the one simulated
user (:func:`colorkit.guided.simulate.simulate_hint_batch`: a geometric number of patches, no hint at all
one time in eight, or for the share ``config.extra["p_no_hints"]`` of the photos, so the model stays an
automatic colorizer) with ``numpy.random.default_rng([seed, step, 7])``: the hints are a function of the
seed and the step, so an interrupted run resumes to exactly the weights of an uninterrupted one. The loss is
the configured pixel loss (``config.loss``, :func:`colorkit.objectives.regression.get_loss`) on every pixel,
hinted ones included.

``config.extra["init_generator"]`` may name a checkpoint of an automatic ``unet`` (e.g. the shipped
reference): the hint network then starts from its weights (:func:`colorkit.models.unet_hints.init_from_unet`).

Validation draws its hints from a generator seeded by the run's seed and the batch's content (the same
hints at every validation) and reports ``val_l1`` / ``val_l2`` / ``val_loss`` with those simulated hints,
``val_l1_0`` without hints and ``val_l1_10`` with 10 hints per photo.
"""
from __future__ import annotations

import zlib

import numpy as np
import torch

from colorkit.guided.simulate import P_STOP, no_hint_coin, simulate_hint_batch
from colorkit.objectives.base import SETTINGS, Objective, known_settings, register_objective
from colorkit.objectives.regression import get_loss

TRAIN_STREAM = 7  # the third word of the training steps' seed: [seed, step, 7]
VAL_STREAM = 11  # validation: [seed, 11, crc32 of the batch's L]

HINTS_DEFAULTS = dict(
    init_generator=None,  # a checkpoint of an automatic `unet` (or of this model) to start from
    p_no_hints=P_STOP,  # the chance that a training photo gets no hint at all (the simulated user's own: 1/8)
)
SETTINGS["hints"] = HINTS_DEFAULTS


def step_rng(seed: int, step: int) -> np.random.Generator:
    """The generator of one training step's hints: ``default_rng([seed, step, 7])``."""
    return np.random.default_rng([int(seed), int(step), TRAIN_STREAM])


def validation_rng(seed: int, L: torch.Tensor) -> np.random.Generator:
    """A generator fixed by the seed and the batch's content (the same hints at every validation)."""
    digest = zlib.crc32(L.detach().float().cpu().contiguous().numpy().tobytes())
    return np.random.default_rng([int(seed), VAL_STREAM, digest])


@register_objective("hints")
class Hints(Objective):
    """Supervised colorization with simulated hints: ``generator(L, hints)`` against the true ab with
    ``config.loss``. The generator takes ``(L_norm, hints)`` (:class:`colorkit.models.unet_hints.UNetHints`)."""

    loss_names = ("loss",)
    visual_names = ("gray", "predicted", "hinted", "target")

    def __init__(self, networks, config):
        super().__init__(networks, config)
        self.loss_fn = get_loss(config.loss)
        extra = dict(getattr(config, "extra", None) or {})
        unknown = set(extra) - known_settings()
        if unknown:
            raise TypeError(f"unknown hints setting(s) {sorted(unknown)} in config.extra; known: {sorted(HINTS_DEFAULTS)}")
        self.p_no_hints = float(extra.get("p_no_hints", P_STOP))
        no_hint_coin(self.p_no_hints)  # a clear error now, not at the first step

    @classmethod
    def build_networks(cls, config) -> dict:
        """The generator from the registry; ``config.extra["init_generator"]``: a checkpoint of the same model
        (a fine-tune), or of an automatic ``unet`` of the same widths, depth and stem, whose weights start the
        hint network (:func:`colorkit.models.unet_hints.init_from_unet`: it then colours as that U-Net where
        no hint reaches)."""
        from colorkit.checkpoint import load_checkpoint
        from colorkit.models import build
        from colorkit.models.unet_hints import init_from_unet

        init = (getattr(config, "extra", None) or {}).get("init_generator")
        if not init or config.model != "unet_hints":
            return super().build_networks(config)
        ckpt = load_checkpoint(init)
        if (ckpt.get("model") or {}).get("name") != "unet":
            return super().build_networks(config)
        generator = build(config.model, **dict(config.model_kwargs))
        try:
            init_from_unet(generator, ckpt["state"]["generator"])
        except ValueError as e:
            raise ValueError(f"init_generator={str(init)!r} ({ckpt['model']}) does not fit {config.model} "
                             f"{dict(config.model_kwargs)}: {e}") from e
        return {"generator": generator}

    def simulate(self, ab: torch.Tensor, rng: np.random.Generator, count: int | None = None,
                 p_none: float | None = None) -> torch.Tensor:
        """Hints for a batch (drawn on the CPU, then moved to the device and memory format of the batch)."""
        hints = simulate_hint_batch(ab.detach().float().cpu(), rng, count=count, p_none=p_none)
        return self.to_device(hints)

    def training_step(self, batch, step: int) -> dict[str, float]:
        L, ab = batch
        hints = self.simulate(ab, step_rng(self.config.seed, step), p_none=self.p_no_hints)
        with self.autocast():
            pred = self.net("generator")(L, hints)
        loss = self.loss_fn(pred.float(), ab.float())
        self.optimize(loss, "generator")
        return {"loss": loss.item(), "hints_fraction": float(hints[:, 2].mean())}

    @torch.no_grad()
    def predict(self, L_norm: torch.Tensor, hints: torch.Tensor | None = None) -> torch.Tensor:
        """Normalized L (and hints, None: none) -> normalized ab with the plain generator."""
        with self.autocast():
            return self.networks["generator"](L_norm, hints).float()

    @torch.no_grad()
    def validation_step(self, batch) -> dict[str, float]:
        L, ab = batch
        rng = validation_rng(self.config.seed, L)
        pred = self.predict(L, self.simulate(ab, rng))
        ab = ab.float()
        out = {"val_l1": float((pred - ab).abs().mean()), "val_l2": float(((pred - ab) ** 2).mean()),
               "val_loss": float(self.loss_fn(pred, ab))}
        out["val_l1_0"] = float((self.predict(L) - ab).abs().mean())
        out["val_l1_10"] = float((self.predict(L, self.simulate(ab, rng, count=10)) - ab).abs().mean())
        return out

    @torch.no_grad()
    def visuals(self, batch) -> dict[str, torch.Tensor]:
        """The base grid (gray, the prediction without hints, truth) plus ``hinted``: the prediction with 10
        simulated hints."""
        from colorkit.color import lab_norm_to_rgb_torch

        out = super().visuals(batch)
        L, ab = batch
        hints = self.simulate(ab, validation_rng(self.config.seed, L), count=10)
        pred = self.predict(L, hints)
        out["hinted"] = lab_norm_to_rgb_torch(L.float(), pred)
        return out
