"""``unet``: the U-Net from scratch (introduced in notebook ``03_unet``).

Each encoder stage is a double convolution (3x3 conv, BatchNorm, ReLU, twice) followed by 2x2 max-pooling;
the decoder upsamples (2x2 transposed convolution, or bilinear + 1x1 conv), concatenates the encoder
feature map of the same size (the *skip connection*: edges and textures go straight to the output), and
applies another double convolution. Widths are ``base_width * 2**i`` for ``i = 0..depth``: with
``base_width=64, depth=4`` that is the classic 64 -> 128 -> 256 -> 512 -> 1024.

``stem`` chooses where the first double convolution runs. ``"full"`` (the textbook U-Net, the default so
old checkpoints rebuild unchanged): at full resolution. ``"half"``: the photo is first folded losslessly
into 4 channels at half resolution (``PixelUnshuffle(2)``: every pixel kept, none averaged), so every
double convolution runs at half resolution or below; the decoder returns to full resolution with one 2x2
transposed convolution, concatenates the input L itself as the last skip (exact edges, like
``resnet_unet``) and applies one narrow 3x3 convolution before the ab head. ``depth`` always counts the
halvings (the stride is ``2 ** depth`` for both stems): the half stem is the first one, so the
bottleneck stays at the same resolution and the levels are those of ``stem="full"`` minus the
full-resolution one (each U-Net level costs about the same arithmetic: twice the channels, a quarter of
the pixels). Measured in ``benchmarks/train_step.py`` and explained in notebook ``03_unet``.

``in_channels`` (default 1, L alone) lets a model feed more than L: the hint network
(:mod:`colorkit.models.unet_hints`) gives L, the hints and their propagation. With the half stem the whole
input is then the last skip.
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit.models import register
from colorkit.models.blocks import AbHead, ConvNormReLU, DoubleConv, check_input

STEMS = ("full", "half")


class Up(nn.Module):
    def __init__(self, cin: int, cskip: int, cout: int, norm: str, mode: str):
        super().__init__()
        if mode == "transpose":
            self.up = nn.ConvTranspose2d(cin, cout, 2, stride=2)
        elif mode == "bilinear":
            self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                                    nn.Conv2d(cin, cout, 1))
        else:
            raise ValueError(f"unknown up mode {mode!r}; choose 'transpose' or 'bilinear'")
        self.conv = DoubleConv(cout + cskip, cout, norm)

    def forward(self, x, skip):
        return self.conv(torch.cat([self.up(x), skip], dim=1))


@register("unet")
class UNet(nn.Module):
    def __init__(self, base_width: int = 64, depth: int = 4, norm: str = "batch", up: str = "transpose",
                 dropout: float = 0.0, zero_init_head: bool = False, stem: str = "full", in_channels: int = 1):
        super().__init__()
        if in_channels < 1:
            raise ValueError(f"in_channels must be >= 1, got {in_channels}")
        if depth < 1:
            raise ValueError("depth must be >= 1")
        if stem not in STEMS:
            raise ValueError(f"unknown stem {stem!r}; choose one of {', '.join(STEMS)}")
        n_down = depth - (stem == "half")  # the half stem is the first halving
        widths = [base_width * 2 ** i for i in range(n_down + 1)]
        self.stem = stem
        self.stride = 2 ** depth
        self.in_channels = in_channels
        if stem == "full":
            self.inc = DoubleConv(in_channels, widths[0], norm)
        else:  # half: C x H x W -> 4C x H/2 x W/2 (lossless), then the first double conv at half resolution
            self.inc = nn.Sequential(nn.PixelUnshuffle(2), DoubleConv(4 * in_channels, widths[0], norm))
        self.downs = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), DoubleConv(widths[i], widths[i + 1], norm)) for i in range(n_down)
        )
        self.drop = nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()
        self.ups = nn.ModuleList(
            Up(widths[i + 1], widths[i], widths[i], norm, up) for i in reversed(range(n_down))
        )
        head_width = widths[0]
        if stem == "half":  # back to full resolution, the input L as the last skip, one narrow 3x3 conv
            head_width = max(4, widths[0] // 2)
            self.up_full = nn.ConvTranspose2d(widths[0], head_width, 2, stride=2)
            self.final = ConvNormReLU(head_width + in_channels, head_width, norm)
        self.head_width = head_width  # channels entering the head (models replacing the head read it)
        self.head = AbHead(head_width, zero_init=zero_init_head)

    def forward(self, L_norm):
        """Normalized L ``N x 1 x H x W`` (``N x in_channels x H x W`` when built with more) -> normalized ab."""
        if self.in_channels == 1:
            check_input(L_norm, self.stride, "unet")
        elif L_norm.ndim != 4 or L_norm.shape[1] != self.in_channels:
            raise ValueError(f"unet built with in_channels={self.in_channels} expects N x {self.in_channels} "
                             f"x H x W, got {tuple(L_norm.shape)}")
        else:
            check_input(L_norm[:, :1], self.stride, "unet")
        skips = [self.inc(L_norm)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = self.drop(skips.pop())
        for up in self.ups:
            x = up(x, skips.pop())
        if self.stem == "half":
            x = self.final(torch.cat([self.up_full(x), L_norm], dim=1))
        return self.head(x)
