"""Generative models: PatchGAN, the plain GAN generator, the VAEs (colorkit.models.*)."""
import pytest
import torch

from colorkit.models import build
from colorkit.models.patchgan import PatchGAN, receptive_field
from colorkit.models.vae import diversity_score, reparameterize


def _measured_receptive_field(d: PatchGAN, size: int = 192) -> tuple[int, int]:
    """Side of the input region that one central output logit depends on (via its gradient)."""
    d.eval()  # BatchNorm with running stats: no mixing across positions through batch statistics
    x = torch.randn(1, 3, size, size, requires_grad=True)
    y = d(x)
    h, w = y.shape[-2:]
    y[0, 0, h // 2, w // 2].backward()
    hit = x.grad.abs().sum(dim=(0, 1)) > 0
    rows = hit.any(dim=1).nonzero()
    cols = hit.any(dim=0).nonzero()
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


# (instance norm is left out: its per-image statistics connect every position, by design)
@pytest.mark.parametrize("norm,sn", [("batch", False), ("none", False), ("none", True)])
def test_patchgan_default_sees_70x70(norm, sn):
    torch.manual_seed(0)
    d = PatchGAN(base_width=8, norm=norm, spectral_norm=sn)
    assert _measured_receptive_field(d) == (70, 70)
    assert d.receptive_field == 70


@pytest.mark.parametrize("n_layers,want", [(1, 16), (2, 34), (4, 142)])
def test_patchgan_receptive_field_other_depths(n_layers, want):
    # published values for pix2pix's n-layer PatchGAN: 16x16 (n=1), 34x34 (n=2), 142x142 (n=4)
    assert receptive_field(n_layers) == want
    torch.manual_seed(0)
    d = PatchGAN(base_width=4, n_layers=n_layers, norm="none")
    assert _measured_receptive_field(d, size=256) == (want, want)


def test_patchgan_output_shape():
    d = PatchGAN(base_width=8)
    # pix2pix: 256x256 input -> 30x30 patch logits; 64 -> 6x6
    assert d(torch.zeros(2, 1, 256, 256), torch.zeros(2, 2, 256, 256)).shape == (2, 1, 30, 30)
    assert d(torch.zeros(3, 3, 64, 64)).shape == (3, 1, 6, 6)
    assert PatchGAN(base_width=8, norm="instance")(torch.zeros(1, 3, 64, 64)).shape == (1, 1, 6, 6)
    with pytest.raises(ValueError, match="batch, instance, none"):
        PatchGAN(norm="layer")


@pytest.mark.parametrize("name", ["gan_generator", "gan", "unet_gan", "vae", "unet_vae"])
def test_generators_map_L_to_ab_in_range(name):
    torch.manual_seed(0)
    kwargs = {"base_width": 8, "depth": 3}
    m = build(name, **kwargs)
    x = torch.rand(2, 1, 32, 48) * 2 - 1
    y = m(x)
    assert y.shape == (2, 2, 32, 48)
    assert y.abs().max() <= 1.0
    if name != "unet_gan":
        with pytest.raises(ValueError, match="divisible by 8"):
            m(torch.zeros(1, 1, 30, 32))


def test_reparameterize_moments_and_gradient():
    mu = torch.full((200_000,), 1.5, requires_grad=True)
    logvar = torch.full((200_000,), 2 * torch.log(torch.tensor(0.5)).item(), requires_grad=True)
    z = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))
    assert z.mean().item() == pytest.approx(1.5, abs=0.01)
    assert z.std().item() == pytest.approx(0.5, abs=0.01)
    z.sum().backward()
    assert mu.grad is not None and logvar.grad is not None and logvar.grad.abs().sum() > 0


@pytest.mark.parametrize("name", ["vae", "unet_vae"])
def test_vae_draws_differ_and_mean_is_deterministic(name):
    torch.manual_seed(0)
    m = build(name, base_width=8, depth=2, latent_channels=4)
    L = torch.rand(2, 1, 16, 16) * 2 - 1
    ab, mu, logvar = m(L, return_latent=True)
    assert mu.shape == logvar.shape == (2, 4, 4, 4)
    draws = m.sample(L, n=3, generator=torch.Generator().manual_seed(1))
    assert draws.shape == (3, 2, 2, 16, 16)
    assert not torch.allclose(draws[0], draws[1])
    assert diversity_score(draws) > 0
    assert m.training  # sample() restores the mode it found
    assert torch.equal(m.posterior_mean(L), m.posterior_mean(L))
    m.eval()
    assert torch.equal(m(L), m.posterior_mean(L))  # eval-mode forward is the posterior mean


def test_diversity_score_closed_form():
    a = torch.zeros(1, 1, 2, 4, 4)
    b = a.clone()
    b[:, :, 0] = 0.1  # a* differs by 0.1 * 110 = 11 LAB units everywhere
    b[:, :, 1] = -0.1  # and b* by 11: distance 11 * sqrt(2)
    draws = torch.cat([a, b])
    assert diversity_score(draws) == pytest.approx(11 * 2 ** 0.5, rel=1e-5)
    assert diversity_score(torch.cat([a, a, a])) == 0.0
    with pytest.raises(ValueError):
        diversity_score(a)
