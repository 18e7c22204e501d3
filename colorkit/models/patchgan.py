"""PatchGAN: the discriminator of pix2pix, judging every overlapping patch of an (L, ab) image.

Built by name in notebook ``05_gan``. The input is the grayscale condition and a colorization,
concatenated (``N x 3 x H x W``: normalized L then normalized ab); the output is a map of raw
logits ``N x 1 x h x w``, one per patch ("is this patch a real colorization of this gray patch?").
With the default ``n_layers=3`` each logit sees exactly a 70x70 pixel patch of the input
(:func:`receptive_field`), the configuration pix2pix found best.
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit.models import register

NORMS = ("batch", "instance", "none")


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}; choose one of {', '.join(NORMS)}")


def receptive_field(n_layers: int = 3) -> int:
    """Side in pixels of the input patch one output logit sees (closed form, 70 for ``n_layers=3``).

    The network is ``n_layers`` 4x4 stride-2 convolutions followed by two 4x4 stride-1 ones;
    walking back from one output pixel, each layer grows the field to ``(rf - 1) * stride + 4``.
    """
    rf = 1
    for stride in [1, 1] + [2] * n_layers:
        rf = (rf - 1) * stride + 4
    return rf


@register("patchgan")
class PatchGAN(nn.Module):
    """pix2pix's N-layer PatchGAN discriminator on (L, ab).

    Args:
        in_channels: channels of the concatenated input (1 L + 2 ab).
        base_width: channels of the first layer (64 in pix2pix); doubled per layer up to 8x.
        n_layers: number of stride-2 layers (the depth); 3 gives the 70x70 receptive field.
        norm: ``"batch"`` (pix2pix), ``"instance"`` or ``"none"``; the first layer never has one.
        spectral_norm: wrap every convolution in spectral normalization (Miyato et al. 2018), which
            bounds the discriminator's Lipschitz constant and steadies training; it then replaces
            ``norm`` (norm is forced to ``"none"``) as is usual.
    """

    def __init__(self, in_channels: int = 3, base_width: int = 64, n_layers: int = 3,
                 norm: str = "batch", spectral_norm: bool = False):
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        if spectral_norm:
            norm = "none"
        _norm(norm, 1)  # validate early
        self.config = dict(in_channels=in_channels, base_width=base_width, n_layers=n_layers,
                           norm=norm, spectral_norm=spectral_norm)
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        bias = norm != "batch"  # a bias before BatchNorm is redundant
        layers: list[nn.Module] = [sn(nn.Conv2d(in_channels, base_width, 4, 2, 1)), nn.LeakyReLU(0.2, True)]
        ch = base_width
        for i in range(1, n_layers + 1):
            out = base_width * min(2 ** i, 8)
            stride = 2 if i < n_layers else 1
            layers += [sn(nn.Conv2d(ch, out, 4, stride, 1, bias=bias)), _norm(norm, out), nn.LeakyReLU(0.2, True)]
            ch = out
        layers.append(sn(nn.Conv2d(ch, 1, 4, 1, 1)))
        self.net = nn.Sequential(*layers)
        self.receptive_field = receptive_field(n_layers)
        for m in self.modules():  # pix2pix's init: N(0, 0.02) for conv weights
            if isinstance(m, nn.Conv2d):
                w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
                nn.init.normal_(w, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d)) and m.weight is not None:
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)

    def forward(self, L: torch.Tensor, ab: torch.Tensor | None = None) -> torch.Tensor:
        """Logits for ``(L, ab)`` (or for an already concatenated ``N x 3 x H x W`` tensor)."""
        x = L if ab is None else torch.cat([L, ab], dim=1)
        n = self.config["n_layers"]
        if min(x.shape[-2:]) < 3 * 2 ** n:
            raise ValueError(f"PatchGAN(n_layers={n}) needs inputs of at least {3 * 2 ** n}x{3 * 2 ** n} pixels, "
                             f"got {tuple(x.shape[-2:])}; use larger crops or fewer n_layers")
        return self.net(x)
