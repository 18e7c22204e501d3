"""Variational autoencoders for colorization: the conv ``vae`` and the shared VAE machinery.

Introduced in notebook ``04_vae``. A colorization VAE maps the gray image L to a Gaussian posterior
``q(z | L) = N(mu, diag(exp(logvar)))`` over a small spatial latent map, draws ``z = mu + sigma * eps``
(the reparameterization trick, so gradients reach ``mu`` and ``logvar``), and decodes ``z`` to ab.
Training adds ``beta * KL(q(z | L) || N(0, I))`` (:func:`colorkit.objectives.regression.kl_divergence`) to the
reconstruction loss. At inference, several draws give several plausible colorizations of one photo
(:meth:`VAEMixin.sample`, scored by :func:`diversity_score`) and ``z = mu`` gives the posterior mean.

Every VAE here keeps the generator contract: ``model(L)`` returns normalized ab (a draw in training
mode, the posterior mean in eval mode); ``model(L, return_latent=True)`` returns ``(ab, mu, logvar)``.
"""
from __future__ import annotations

import torch
from torch import nn

from colorkit.color import denormalize_ab
from colorkit.models import register
from colorkit.models.blocks import check_input


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, temperature: float = 1.0,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """``mu + temperature * exp(logvar / 2) * eps`` with ``eps ~ N(0, I)`` (differentiable in mu, logvar)."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + temperature * torch.exp(0.5 * logvar) * eps


class VAEMixin:
    """Shared forward/sampling for the VAEs: subclasses define ``encode(L, ab=None) -> (mu, logvar, ctx)``
    and ``decode(z, ctx) -> ab``.

    Two kinds of latent (``conditional``):

    * ``False`` (the VAEs of Shreekumar's six-model comparison, *Image Colorization*, ECE 60131
      report, 2025): the posterior ``q(z | L)`` comes from L alone; draws at test time come
      from it, and the decoder at its mean ``mu(L)`` is the ``z = mu`` colorization (for a nonlinear decoder not
      the mean of the draws' colorizations);
    * ``True`` (a conditional VAE, Sohn et al. 2015; for colorization Deshpande et al. 2017): during
      training the posterior ``q(z | L, ab)`` also sees the true colour, so ``z`` can carry what L cannot
      tell (red or blue?). At test time there is no ab: draws come from the prior ``N(0, I)`` and
      ``z = 0`` (the prior's mode) gives the ``z = 0`` colorization, not ``E_z[decoder(z)]``.
      ``encode(L, ab=None)`` returns the prior.
    """

    logvar_clamp = (-10.0, 10.0)  # keeps exp(logvar) finite early in training
    conditional = False

    def forward(self, L: torch.Tensor, ab: torch.Tensor | None = None, return_latent: bool = False):
        """ab (a draw in training mode, the mean in eval mode); ``ab`` (the truth) feeds the posterior of
        a conditional VAE in training; ``return_latent=True`` also returns ``(mu, logvar)``."""
        mu, logvar, ctx = self.encode(L, ab)
        logvar = logvar.clamp(*self.logvar_clamp)
        z = reparameterize(mu, logvar) if self.training else mu
        out = self.decode(z, ctx)
        return (out, mu, logvar) if return_latent else out

    @torch.no_grad()
    def sample(self, L: torch.Tensor, n: int = 4, temperature: float = 1.0,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` colorizations of each image: a tensor ``n x N x 2 x H x W`` of normalized ab.

        Each draw takes a new ``z`` from ``q(z | L)`` (or the prior ``N(0, I)`` for a conditional VAE),
        its spread scaled by ``temperature``; the network runs in eval mode (BatchNorm uses its running
        statistics) whatever mode it was in, and is put back after.
        """
        was_training = self.training
        self.eval()
        try:
            mu, logvar, ctx = self.encode(L)
            logvar = logvar.clamp(*self.logvar_clamp)
            return torch.stack([self.decode(reparameterize(mu, logvar, temperature, generator), ctx)
                                for _ in range(n)])
        finally:
            self.train(was_training)

    @torch.no_grad()
    def posterior_mean(self, L: torch.Tensor) -> torch.Tensor:
        """The colorization decoded from ``z = mu(L)`` (``z = 0`` for a conditional VAE): no sampling noise."""
        was_training = self.training
        self.eval()
        try:
            mu, _, ctx = self.encode(L)
            return self.decode(mu, ctx)
        finally:
            self.train(was_training)

    def _prior(self, like: torch.Tensor, shape) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.zeros(like.shape[0], self.config["latent_channels"], *shape, device=like.device, dtype=like.dtype)
        return z, z.clone()


def diversity_score(draws: torch.Tensor) -> float:
    """How different several colorizations of the same photos are: the mean over pixels and over all
    pairs of draws of the Euclidean ab distance, in LAB units (0 = all draws identical).

    ``draws``: ``K x N x 2 x H x W`` normalized ab (as returned by :meth:`VAEMixin.sample`), K >= 2.
    """
    if draws.ndim != 5 or draws.shape[0] < 2 or draws.shape[2] != 2:
        raise ValueError(f"expected K x N x 2 x H x W with K >= 2 draws, got shape {tuple(draws.shape)}")
    ab = denormalize_ab(draws.float())
    k = ab.shape[0]
    i, j = torch.triu_indices(k, k, offset=1)
    dist = (ab[i] - ab[j]).pow(2).sum(dim=2).sqrt()  # pairs x N x H x W
    return float(dist.mean())


def _conv(cin: int, cout: int, stride: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 4 if stride == 2 else 3, stride, 1, bias=False),
            nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, True)]


@register("vae", objective="vae")
class ConvVAE(VAEMixin, nn.Module):
    """The "VAE" row of Shreekumar's comparison (ECE 60131 report, 2025): a strided-conv encoder of L to
    a spatial latent (``latent_channels`` at 1/2**depth of the input size), and a transposed-conv decoder
    from the latent to ab. No skips: everything the decoder knows about the photo passes through the
    bottleneck.

    ``conditional=True``: the posterior sees (L, ab) through its own encoder, and the decoder gets the
    L features concatenated with ``z`` (see :class:`VAEMixin`).
    """

    def __init__(self, base_width: int = 32, depth: int = 4, latent_channels: int = 16, conditional: bool = False):
        super().__init__()
        self.config = dict(base_width=base_width, depth=depth, latent_channels=latent_channels,
                           conditional=conditional)
        self.conditional = conditional
        self.stride = 2 ** depth
        widths = [base_width * min(2 ** i, 8) for i in range(depth)]

        def down(cin):
            layers, ch = [], cin
            for w in widths:
                layers += _conv(ch, w, 2)
                ch = w
            return nn.Sequential(*layers)

        ch = widths[-1]
        self.encoder = down(1)
        self.post_encoder = down(3) if conditional else None
        self.to_mu = nn.Conv2d(ch, latent_channels, 1)
        self.to_logvar = nn.Conv2d(ch, latent_channels, 1)
        dec: list[nn.Module] = [nn.Conv2d(latent_channels + (ch if conditional else 0), ch, 1), nn.ReLU(True)]
        for w in reversed([base_width] + widths[:-1]):
            dec += [nn.ConvTranspose2d(ch, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(True)]
            ch = w
        dec += [nn.Conv2d(ch, 2, 3, 1, 1), nn.Tanh()]
        self.decoder = nn.Sequential(*dec)

    def encode(self, L, ab=None):
        check_input(L, self.stride, "vae")
        h = self.encoder(L)
        if not self.conditional:
            return self.to_mu(h), self.to_logvar(h), None
        if ab is None:
            return (*self._prior(h, h.shape[-2:]), h)
        post = self.post_encoder(torch.cat([L, ab.to(L.dtype)], dim=1))
        return self.to_mu(post), self.to_logvar(post), h

    def decode(self, z, ctx=None):
        return self.decoder(z if ctx is None else torch.cat([ctx, z], dim=1))
