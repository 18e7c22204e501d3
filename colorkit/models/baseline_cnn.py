"""``baseline_cnn``: the APS360 report's encoder-decoder baseline (He, Imran, Siddiqua & You, *Picture
Colourization*, University of Toronto; built by name in notebook ``02_baseline_cnn``).

Three (3x3 conv, ReLU, 2x2 max-pool) stages 1 -> w -> 2w -> 4w (w = 64 in that report), then three
stride-2 transposed convolutions back to 2 ab channels and ``tanh``. No skip connections: every detail
must squeeze through a 1/8-resolution bottleneck, which is why its colours come out blurry (notebook 03).
"""
from __future__ import annotations

from torch import nn

from colorkit.models import register
from colorkit.models.blocks import check_input, norm_layer


@register("baseline_cnn")
class BaselineCNN(nn.Module):
    stride = 8

    def __init__(self, width: int = 64, norm: str = "batch"):
        super().__init__()
        w = [width, 2 * width, 4 * width]
        enc, cin = [], 1
        for c in w:
            enc += [nn.Conv2d(cin, c, 3, padding=1), norm_layer(norm, c), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            cin = c
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(w[2], w[1], 2, stride=2), norm_layer(norm, w[1]), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(w[1], w[0], 2, stride=2), norm_layer(norm, w[0]), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(w[0], 2, 2, stride=2), nn.Tanh(),
        )

    def forward(self, L_norm):
        check_input(L_norm, self.stride, "baseline_cnn")
        return self.decoder(self.encoder(L_norm))
