"""``resnet_unet``: a U-Net decoder on a torchvision ResNet-18/34 encoder (built by name in notebook ``03_unet``).

The encoder's feature maps at strides 2..32 are the skips; each decoder stage upsamples 2x, concatenates
the skip and applies a double convolution; a last stage returns to full resolution using the input L itself
as the final skip. ``pretrained``: ``False`` (random init), ``True`` (ImageNet weights from the torch hub
cache, downloaded once; a clear error offline) or a path to a local ``resnet18-*.pth`` / ``resnet34-*.pth``.
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit.models import register
from colorkit.models.blocks import AbHead, DoubleConv, ResNetEncoder, check_input


@register("resnet_unet")
class ResNetUNet(nn.Module):
    stride = 32

    def __init__(self, encoder: str = "resnet18", pretrained=False, decoder_width: int = 32,
                 norm: str = "batch", zero_init_head: bool = False):
        super().__init__()
        self.encoder = ResNetEncoder(encoder, pretrained=pretrained, stages=5)
        ch = self.encoder.channels  # [64, 64, 128, 256, 512] at strides 2, 4, 8, 16, 32
        outs = [max(decoder_width, c // 2) for c in ch[:-1]]  # widths after each decoder stage
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        blocks, cin = [], ch[-1]
        for skip_c, cout in zip(reversed(ch[:-1]), reversed(outs)):
            blocks.append(DoubleConv(cin + skip_c, cout, norm))
            cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.final = DoubleConv(cin + 1, decoder_width, norm)  # full resolution, L as the last skip
        self.head = AbHead(decoder_width, zero_init=zero_init_head)

    def forward(self, L_norm):
        check_input(L_norm, self.stride, "resnet_unet")
        feats = self.encoder(L_norm)
        x = feats.pop()
        for block in self.blocks:
            x = block(torch.cat([self.up(x), feats.pop()], dim=1))
        x = self.final(torch.cat([self.up(x), L_norm], dim=1))
        return self.head(x)
