"""``resnet_baseline``: a ResNet downsampler with a plain upsampler (the "ResNet" row of the six-model
comparison of Shreekumar, *Image Colorization*, ECE 60131 report, 2025).

Built by name in notebook ``02_baseline_cnn``. The encoder is the first ``stages`` stages of a torchvision
ResNet-18/34 (one input channel); the decoder is (2x upsample, conv, norm, ReLU) repeated back to full
resolution, with no skip connections, then a ``tanh`` ab head.
"""
from __future__ import annotations

from torch import nn

from colorkit.models import register
from colorkit.models.blocks import AbHead, ConvNormReLU, ResNetEncoder, check_input


@register("resnet_baseline")
class ResNetBaseline(nn.Module):
    def __init__(self, encoder: str = "resnet18", pretrained=False, stages: int = 3, width: int = 32):
        super().__init__()
        self.encoder = ResNetEncoder(encoder, pretrained=pretrained, stages=stages)
        self.stride = 2 ** stages
        cin, ups = self.encoder.channels[-1], []
        for i in range(stages):
            cout = max(width, self.encoder.channels[-1] // 2 ** (i + 1))
            ups += [nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), ConvNormReLU(cin, cout)]
            cin = cout
        self.decoder = nn.Sequential(*ups)
        self.head = AbHead(cin)

    def forward(self, L_norm):
        check_input(L_norm, self.stride, "resnet_baseline")
        return self.head(self.decoder(self.encoder(L_norm)[-1]))
