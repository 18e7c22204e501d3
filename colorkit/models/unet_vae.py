"""U-Net VAE: a U-Net whose bottleneck is a latent drawn from the L-conditioned posterior
(or, with ``conditional=True``, a conditional VAE whose posterior also sees the true ab in training).

Built by name in notebook ``04_vae``. The encoder path and the skip connections are the U-Net's; at
the bottom, the features give ``mu`` and ``logvar`` of ``q(z | L)``, a draw ``z`` replaces the
bottleneck features, and the decoder upsamples it while concatenating the skips. Because the skips
already carry the photo, the decoder can learn to ignore ``z`` (posterior collapse: all draws look
the same); KL annealing and a small ``beta`` are the cures notebook 04 demonstrates.
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit.models import register
from colorkit.models.blocks import AbHead, DoubleConv, check_input
from colorkit.models.vae import VAEMixin


@register("unet_vae", objective="vae")
class UNetVAE(VAEMixin, nn.Module):
    """U-Net (double conv + BatchNorm + ReLU, ``depth`` poolings, widths ``base_width * 2**i``) with a
    ``latent_channels`` Gaussian latent at the bottleneck. Input L ``N x 1 x H x W`` (H, W divisible
    by ``2**depth``), output ab; see :class:`colorkit.models.vae.VAEMixin` for the calling convention.
    """

    def __init__(self, base_width: int = 32, depth: int = 3, latent_channels: int = 16, conditional: bool = False):
        super().__init__()
        self.config = dict(base_width=base_width, depth=depth, latent_channels=latent_channels,
                           conditional=conditional)
        self.conditional = conditional
        self.stride = 2 ** depth
        widths = [base_width * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList()
        ch = 1
        for w in widths[:-1]:
            self.down.append(DoubleConv(ch, w))
            ch = w
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = DoubleConv(ch, widths[-1])
        self.to_mu = nn.Conv2d(widths[-1], latent_channels, 1)
        self.to_logvar = nn.Conv2d(widths[-1], latent_channels, 1)
        self.post_encoder = None
        if conditional:  # q(z | L, ab): strided convs over (L, ab) down to the bottleneck's size
            layers, ch = [], 3
            for w in widths[1:]:
                layers += [nn.Conv2d(ch, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.LeakyReLU(0.2, True)]
                ch = w
            self.post_encoder = nn.Sequential(*layers)
        z_in = latent_channels + (widths[-1] if conditional else 0)  # conditional: z joins L's bottleneck
        self.from_z = nn.Sequential(nn.Conv2d(z_in, widths[-1], 1), nn.ReLU(True))
        self.ups = nn.ModuleList()
        self.up_convs = nn.ModuleList()
        ch = widths[-1]
        for w in reversed(widths[:-1]):
            self.ups.append(nn.ConvTranspose2d(ch, w, 2, 2))
            self.up_convs.append(DoubleConv(2 * w, w))
            ch = w
        self.head = AbHead(ch)

    def encode(self, L, ab=None):
        check_input(L, self.stride, "unet_vae")
        skips = []
        h = L
        for block in self.down:
            h = block(h)
            skips.append(h)
            h = self.pool(h)
        h = self.bottleneck(h)
        if not self.conditional:
            return self.to_mu(h), self.to_logvar(h), skips
        ctx = (skips, h)
        if ab is None:
            return (*self._prior(h, h.shape[-2:]), ctx)
        post = self.post_encoder(torch.cat([L, ab.to(L.dtype)], dim=1))
        return self.to_mu(post), self.to_logvar(post), ctx

    def decode(self, z, ctx):
        skips, h = ctx if self.conditional else (ctx, None)
        h = self.from_z(z if h is None else torch.cat([h, z], dim=1))
        for up, conv, skip in zip(self.ups, self.up_convs, reversed(skips)):
            h = conv(torch.cat([up(h), skip], dim=1))
        return self.head(h)
