"""``unet_hints``: the user-guided U-Net (after Zhang et al. 2017), started at the classic propagation.

Introduced in notebook ``08_user_guided``. Input: normalized L and colour hints in the
:func:`colorkit.guided.hints.hint_tensor` format (``N x 3 x H x W``: a*mask, b*mask, mask; ``None`` = no
hints, so the model is also an automatic colorizer through every path that calls ``model(L)``).

The network gets what the classic knows: the hints spread by :func:`colorkit.guided.propagate.propagate_hints`
(multi-scale normalized convolution, with and without the lightness-aware weights) are extra input
channels, and the output is ``base + (1 - reach) * automatic + correction``. ``base`` is the propagation's
blend (hinted pixels keep their colour, fading to gray where no hint reaches) and ``reach`` the weight the
blend gives the hints (1 on a hint, 0 far from every hint); ``automatic`` and ``correction`` are two ab heads
on one U-Net (:class:`colorkit.models.unet.UNet` with ``in_channels``), both zero at initialisation. So a
new model *is* the classic propagation (and the gray copy without hints); training teaches ``automatic``
the colours of what no hint reaches and ``correction`` what the propagation gets wrong (colour bleeding
across weak edges). :func:`init_from_unet` starts the body and the automatic head from a trained automatic
U-Net instead (``init_generator`` of a ``unet`` checkpoint in the hints objective): without hints the model
then colours exactly as that U-Net. The sum is clamped to [-1, 1], the range of normalized a*b*.

``frozen_automatic=True`` keeps that guarantee through training: a frozen copy of the automatic U-Net
(:attr:`UNetHints.reference`, L only, filled by :func:`init_from_unet`) gives the colours of what no hint
reaches, ``automatic`` becomes a learned change to them, and both learned heads are switched on only in a photo
that has at least one hint. Without hints the model is that U-Net, however long it trains (fine-tuning moved the
0-hint colours of the shared-body model 0.07 ΔE2000 away from the U-Net it started from:
``benchmarks/hints_trials.md``); the price is a second, frozen U-Net in memory and one more pass per photo (the
shipped file leaves it out and takes it from ``unet.pt``: :func:`colorkit.reference.share_weights`).
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit.guided.propagate import CONFIDENT, L_LEVELS, SIGMAS, check_hints, propagate_hints
from colorkit.models import register
from colorkit.models.blocks import AbHead, check_input
from colorkit.models.unet import UNet


@register("unet_hints", objective="hints")
class UNetHints(nn.Module):
    """L + hints -> normalized ab: ``base + (1 - reach) * automatic + correction``, both heads zero at first.

    ``base``, ``reach``: the propagation's blend and how much of it the hints decide (1 on hinted pixels, 0
    where no hint reaches). ``automatic``: an ab head that fills what the hints leave open (an automatic
    colorizer's colours: :func:`init_from_unet` copies a trained U-Net there). ``correction``: a free head.
    ``base_width``, ``depth``, ``norm``, ``up``, ``dropout``, ``stem``: the U-Net's (:class:`UNet`).
    ``sigmas``, ``levels``, ``confident``: the propagation's (:func:`propagate_hints`).
    ``frozen_automatic``: colour what no hint reaches with a frozen automatic U-Net (see the module)."""

    def __init__(self, base_width: int = 64, depth: int = 4, norm: str = "batch", up: str = "transpose",
                 dropout: float = 0.0, stem: str = "full", sigmas=SIGMAS, levels: int = L_LEVELS,
                 confident: float = CONFIDENT, frozen_automatic: bool = False):
        super().__init__()
        self.sigmas = tuple(float(s) for s in sigmas)
        if not self.sigmas or min(self.sigmas) <= 0:
            raise ValueError(f"sigmas must be positive fractions of the image side, got {sigmas!r}")
        self.levels, self.confident = int(levels), float(confident)
        s = len(self.sigmas)
        # L, the 3 hint channels, the L-aware propagation (base a, b + a, b, confidence per scale), the plain one
        self.in_channels = 1 + 3 + (2 + 3 * s) + 3 * s
        self.body = UNet(base_width=base_width, depth=depth, norm=norm, up=up, dropout=dropout,
                         stem=stem, in_channels=self.in_channels)
        self.body.head = nn.Identity()  # the body returns its last features; the two heads below read them
        self.automatic = AbHead(self.body.head_width, zero_init=True)
        self.correction = AbHead(self.body.head_width, zero_init=True)
        self.stride = self.body.stride
        self.frozen_automatic = bool(frozen_automatic)
        if self.frozen_automatic:  # the automatic U-Net, L only, never trained here (init_from_unet fills it)
            self.reference = UNet(base_width=base_width, depth=depth, norm=norm, up=up, dropout=dropout, stem=stem)
            self.reference.requires_grad_(False)
            self.reference.eval()
        else:
            self.reference = None

    def train(self, mode: bool = True):
        """As :meth:`torch.nn.Module.train`, but a frozen automatic U-Net stays in eval mode (its batch norm
        keeps the statistics it was trained with)."""
        super().train(mode)
        if self.reference is not None:
            self.reference.eval()
        return self

    def propagate(self, L_norm: torch.Tensor, hints: torch.Tensor):
        """``(base N x 2 x H x W, reach N x 1 x H x W, features N x (in_channels - 4) x H x W)``: the L-aware
        blend, the weight it gives the hints (``1 - prod(1 - w_s)`` over the scales' blend weights
        ``w_s = c_s / (c_s + confident)``, 1 on hinted pixels), and the features: the L-aware propagation (its
        blend first) and the plain one, each confidence as its blend weight."""
        kw = dict(sigmas=self.sigmas, confident=self.confident)
        aware = propagate_hints(hints, L_norm, levels=self.levels, **kw)
        plain = propagate_hints(hints, None, **kw)[:, 2:]
        feats, open_ = [], torch.ones_like(hints[:, 2:3])
        for k, p in enumerate((aware[:, 2:], plain)):
            for i in range(len(self.sigmas)):
                c = p[:, 3 * i + 2:3 * i + 3]
                w = c / (c + self.confident)
                feats += [p[:, 3 * i:3 * i + 2], w]
                if k == 0:
                    open_ = open_ * (1.0 - w)
        mask = hints[:, 2:3]
        reach = mask + (1.0 - mask) * (1.0 - open_)
        return aware[:, :2], reach, torch.cat([aware[:, :2], *feats], dim=1)

    def forward(self, L_norm: torch.Tensor, hints: torch.Tensor | None = None) -> torch.Tensor:
        """Normalized L ``N x 1 x H x W`` and hints ``N x 3 x H x W`` (None: no hints) -> normalized ab."""
        check_input(L_norm, self.stride, "unet_hints")
        if hints is None:
            hints = L_norm.new_zeros((L_norm.shape[0], 3, *L_norm.shape[-2:]))
        check_hints(hints, L_norm)
        hints = hints.to(L_norm.dtype)
        with torch.no_grad():  # nothing to learn in the propagation, and no gradient to the hints is needed
            base, reach, feats = self.propagate(L_norm.float(), hints.float())
        x = self.body(torch.cat([L_norm, hints, feats.to(L_norm.dtype)], dim=1))
        if self.reference is None:
            out = base + (1.0 - reach) * self.automatic(x).float() + self.correction(x).float()
            return out.clamp(-1.0, 1.0)
        auto = self.automatic_colours(L_norm)
        on = (hints[:, 2:3].flatten(1).amax(dim=1) > 0).to(auto.dtype).view(-1, 1, 1, 1)  # any hint in the photo
        out = base + (1.0 - reach) * (auto + on * self.automatic(x).float()) + on * self.correction(x).float()
        return out.clamp(-1.0, 1.0)

    def automatic_colours(self, L_norm: torch.Tensor) -> torch.Tensor:
        """The frozen automatic U-Net's normalized ab for ``L_norm``. Outside training the last result is kept
        and given again for the same L (compared exactly): the hint editor recolours one photo at every click,
        and the U-Net's pass is a third of the hint network's time (``benchmarks/hint_latency.py``)."""
        cached = getattr(self, "_automatic_cache", None)
        if (not self.training and cached is not None and cached[0].shape == L_norm.shape
                and cached[0].dtype == L_norm.dtype and cached[0].device == L_norm.device
                and torch.equal(cached[0], L_norm)):
            return cached[1]
        with torch.no_grad():
            auto = self.reference(L_norm).float()
        self._automatic_cache = None if self.training else (L_norm.detach().clone(), auto)
        return auto

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """As :meth:`torch.nn.Module.load_state_dict`; the automatic colours kept for the last L are dropped."""
        self._automatic_cache = None
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    def predict_ab(self, L_norm: torch.Tensor, hints: torch.Tensor | None = None) -> torch.Tensor:
        """The colorization (normalized ab) of L with hints; ``colorkit.colorize.predict_ab`` calls this."""
        return self.forward(L_norm, hints)


def init_from_unet(model: UNetHints, unet_state: dict) -> UNetHints:
    """Start the hint network from an automatic U-Net's weights (a ``unet`` state dict of the same
    ``base_width``, ``depth``, ``norm``, ``up`` and ``stem``): every layer is copied; the first convolution and
    the half stem's last one read L as before and give the new channels (hints, propagation) zero weights,
    and the U-Net's ab head becomes :attr:`UNetHints.automatic`. Without hints the model then colours as the
    U-Net did; with hints, the hints decide where they reach. With ``frozen_automatic`` the whole U-Net is
    copied into :attr:`UNetHints.reference` instead and ``automatic`` (a change to its colours) stays zero.
    Returns ``model``."""
    target = model.body.state_dict()
    state = {k: v for k, v in unet_state.items() if not k.startswith("head.")}
    first = "inc.0.0.weight" if model.body.stem == "full" else "inc.1.0.0.weight"
    for key, value in state.items():
        if key not in target:
            raise ValueError(f"the U-Net has a layer {key!r} the hint network's body does not: build it with "
                             "the U-Net's base_width, depth, norm, up and stem")
        want = target[key]
        same_but_inputs = value.ndim == 4 and value.shape[0] == want.shape[0] and value.shape[2:] == want.shape[2:]
        if key in (first, "final.0.weight") and same_but_inputs and value.shape[1] < want.shape[1]:
            # L is the input's channel 0: the first column (full stem), the first 4 (PixelUnshuffle puts
            # channel c's 2 x 2 block at 4c..4c+3), or right after the up-sampled features (final)
            widened = torch.zeros_like(want)
            widened[:, :value.shape[1]] = value
            value = widened
        if value.shape != want.shape:
            raise ValueError(f"layer {key!r}: the U-Net's is {tuple(value.shape)}, the hint network's "
                             f"{tuple(want.shape)}: build it with the U-Net's base_width, depth and stem")
        target[key] = value
    missing = set(target) - set(state)
    if missing:
        raise ValueError(f"the U-Net lacks the layers {sorted(missing)[:3]}...: not a unet state dict of this shape")
    model.body.load_state_dict(target)
    if model.reference is not None:
        try:
            model.reference.load_state_dict(unet_state)
        except RuntimeError as e:
            raise ValueError(f"the U-Net does not fit the frozen automatic U-Net: {e}") from e
        return model
    model.automatic.load_state_dict({k[len("head."):]: v for k, v in unet_state.items() if k.startswith("head.")})
    return model
