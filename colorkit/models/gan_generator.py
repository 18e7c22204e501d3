"""The plain (non-U-Net) GAN generator, and the ``gan`` / ``unet_gan`` model names.

Built by name in notebook ``05_gan``. :class:`GANGenerator` is the generator of the "GAN" row of the
six-model comparison of Shreekumar (*Image Colorization*, ECE 60131 report, 2025): a strided-convolution
encoder and a transposed-convolution decoder with no skip connections, so every detail must pass through
the bottleneck (compare with the U-Net of notebook ``03_unet``).

The registry names ``gan`` and ``unet_gan`` build the *generator* of a GAN (what a checkpoint needs
to colorize); :func:`colorkit.models.register`'s ``objective`` tells the training engine that
these names are trained with the adversarial objective (generator + PatchGAN).
"""
from __future__ import annotations

import inspect

import torch
from torch import nn

from colorkit.models import register
from colorkit.models.blocks import check_input
from colorkit.models.unet import UNet


@register("gan_generator")
class GANGenerator(nn.Module):
    """Encoder-decoder without skips: ``depth`` stride-2 conv stages (width doubling from
    ``base_width``, capped at 8x), then ``depth`` transposed-conv stages back to full size, tanh.

    Input normalized L ``N x 1 x H x W`` (H, W divisible by ``2**depth``), output normalized ab.
    """

    def __init__(self, base_width: int = 64, depth: int = 4, dropout: float = 0.0):
        super().__init__()
        self.config = dict(base_width=base_width, depth=depth, dropout=dropout)
        self.stride = 2 ** depth
        widths = [base_width * min(2 ** i, 8) for i in range(depth)]
        down: list[nn.Module] = []
        ch = 1
        for i, w in enumerate(widths):
            down += [nn.Conv2d(ch, w, 4, 2, 1, bias=i == 0)]
            if i > 0:
                down.append(nn.BatchNorm2d(w))
            down.append(nn.LeakyReLU(0.2, True))
            ch = w
        up: list[nn.Module] = []
        for w in reversed([base_width] + widths[:-1]):
            up += [nn.ConvTranspose2d(ch, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(True)]
            if dropout:
                up.append(nn.Dropout(dropout))
            ch = w
        self.encoder = nn.Sequential(*down)
        self.decoder = nn.Sequential(*up)
        self.head = nn.Sequential(nn.Conv2d(ch, 2, 3, 1, 1), nn.Tanh())

    def forward(self, L: torch.Tensor) -> torch.Tensor:
        check_input(L, self.stride, "gan_generator")
        return self.head(self.decoder(self.encoder(L)))


def _same_signature(cls, name: str, doc: str, objective: str = "gan"):
    """A constructor registered under ``name`` that builds ``cls`` and takes exactly ``cls``'s arguments,
    by construction: its signature *is* ``cls.__init__``'s (so :func:`colorkit.train.default_model_kwargs`
    sees every argument, e.g. the U-Net's ``stem``), and the arguments pass through untouched."""

    def constructor(*args, **kwargs) -> nn.Module:
        return cls(*args, **kwargs)

    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = doc
    constructor.__signature__ = inspect.signature(cls)
    return register(name, objective=objective)(constructor)


gan = _same_signature(GANGenerator, "gan", """Shreekumar's "GAN" row: :class:`GANGenerator` (same arguments), trained
    against a PatchGAN (objective ``gan``).""")

unet_gan = _same_signature(UNet, "unet_gan", """Shreekumar's "U-Net GAN" row: the from-scratch U-Net of notebook 03
    (:class:`colorkit.models.unet.UNet`, every one of its arguments, ``stem`` included) as generator, trained
    against a PatchGAN (objective ``gan``).""")
