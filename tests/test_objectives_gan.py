"""Adversarial, KL and perceptual losses against hand-computed values (colorkit.objectives.gan)."""
import math

import pytest
import torch

from colorkit.objectives.gan import (
    PerceptualWeightsUnavailable,
    VGGPerceptualLoss,
    discriminator_loss,
    generator_adversarial_loss,
)
from colorkit.objectives.vae import kl_divergence, kl_weight

REAL = torch.tensor([2.0, -1.0])
FAKE = torch.tensor([0.5, -3.0])


def _softplus(x):  # log(1 + e^x), by hand
    return math.log1p(math.exp(x))


def test_bce_discriminator_by_hand():
    # -log sigmoid(r) = softplus(-r); -log(1 - sigmoid(f)) = softplus(f)
    real = (_softplus(-2.0) + _softplus(1.0)) / 2
    fake = (_softplus(0.5) + _softplus(-3.0)) / 2
    assert discriminator_loss(REAL, FAKE, "bce").item() == pytest.approx(0.5 * (real + fake), rel=1e-6)


def test_bce_generator_by_hand():
    want = (_softplus(-0.5) + _softplus(3.0)) / 2  # non-saturating -log sigmoid(f)
    assert generator_adversarial_loss(FAKE, "bce").item() == pytest.approx(want, rel=1e-6)
    # at logit 0 the discriminator is undecided: log 2 for both players
    z = torch.zeros(3)
    assert discriminator_loss(z, z, "bce").item() == pytest.approx(math.log(2), rel=1e-6)
    assert generator_adversarial_loss(z, "bce").item() == pytest.approx(math.log(2), rel=1e-6)


def test_hinge_by_hand():
    # real: relu(1-2)=0, relu(1+1)=2 -> 1; fake: relu(1+0.5)=1.5, relu(1-3)=0 -> 0.75
    assert discriminator_loss(REAL, FAKE, "hinge").item() == pytest.approx(0.5 * (1.0 + 0.75))
    assert generator_adversarial_loss(FAKE, "hinge").item() == pytest.approx(-(0.5 - 3.0) / 2)


def test_lsgan_by_hand():
    # real: (2-1)^2=1, (-1-1)^2=4 -> 2.5; fake: 0.25, 9 -> 4.625
    assert discriminator_loss(REAL, FAKE, "lsgan").item() == pytest.approx(0.5 * (2.5 + 4.625))
    # G: (0.5-1)^2=0.25, (-3-1)^2=16 -> 8.125
    assert generator_adversarial_loss(FAKE, "lsgan").item() == pytest.approx(8.125)


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="bce, hinge, lsgan"):
        discriminator_loss(REAL, FAKE, "wasserstein")


def test_kl_closed_form_against_torch_distributions():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(4, 3, 2, 2, generator=g)
    logvar = torch.randn(4, 3, 2, 2, generator=g)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    ref = torch.distributions.kl_divergence(q, p)
    assert torch.allclose(kl_divergence(mu, logvar, "none"), ref, atol=1e-5)
    assert kl_divergence(mu, logvar).item() == pytest.approx(ref.mean().item(), rel=1e-5)
    assert kl_divergence(mu, logvar, "batchmean").item() == pytest.approx(ref.sum().item() / 4, rel=1e-5)


def test_kl_hand_values():
    # N(0,1) vs N(0,1): 0. N(1, 1): 0.5 * mu^2 = 0.5. N(0, e^2) (logvar = 2): 0.5 * (e^2 - 1 - 2)
    assert kl_divergence(torch.zeros(5), torch.zeros(5)).item() == 0.0
    assert kl_divergence(torch.ones(5), torch.zeros(5)).item() == pytest.approx(0.5)
    want = 0.5 * (math.exp(2) - 3)
    assert kl_divergence(torch.zeros(1), torch.full((1,), 2.0)).item() == pytest.approx(want, rel=1e-6)


def test_kl_annealing_schedules():
    assert kl_weight(0, 0.1, 100, "linear") == 0.0
    assert kl_weight(50, 0.1, 100, "linear") == pytest.approx(0.05)
    assert kl_weight(500, 0.1, 100, "linear") == pytest.approx(0.1)
    assert kl_weight(0, 0.1, 100, "constant") == pytest.approx(0.1)
    # 2 cycles over 100 steps: ramp over 25 steps, hold for 25, restart at 50
    w = [kl_weight(s, 1.0, schedule="cyclical", cycles=2, total_steps=100) for s in (0, 10, 25, 40, 50, 60)]
    assert w == pytest.approx([0.0, 0.4, 1.0, 1.0, 0.0, 0.4])
    with pytest.raises(ValueError):
        kl_weight(0, 1.0, schedule="cosine")


def test_perceptual_missing_weights_offline_is_a_clear_error(tmp_path, monkeypatch):
    import torchvision.models as tvm

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))

    def offline(*a, **k):
        raise OSError("network is unreachable")

    monkeypatch.setattr(tvm.VGG16_Weights.IMAGENET1K_V1.__class__, "get_state_dict", offline)
    with pytest.raises(PerceptualWeightsUnavailable, match="perceptual_weight=0"):
        VGGPerceptualLoss(weights=True)
    with pytest.raises(FileNotFoundError, match="no such file"):
        VGGPerceptualLoss(weights=tmp_path / "missing.pth")


def test_perceptual_loss_from_local_weights_file(tmp_path):
    import torchvision.models as tvm

    torch.manual_seed(0)
    path = tmp_path / "vgg16.pth"
    features = tvm.vgg.make_layers(tvm.vgg.cfgs["D"])  # stands in for the ImageNet file (same keys)
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
    loss = VGGPerceptualLoss(weights=path, layers=("relu1_2", "relu2_2"))
    L = torch.rand(1, 1, 32, 32) * 2 - 1
    ab = (torch.rand(1, 2, 32, 32) - 0.5) * 0.6
    ab_pred = ab.clone().requires_grad_(True)
    assert loss(L, ab_pred, ab).item() == pytest.approx(0.0, abs=1e-6)
    other = torch.zeros_like(ab, requires_grad=True)
    value = loss(L, other, ab)
    assert value.item() > 0
    value.backward()
    assert other.grad.abs().sum() > 0  # gradients reach the generator's ab
    assert not any(p.requires_grad for p in loss.parameters())
