"""Generative models: PatchGAN, the plain GAN generator, the VAEs (colorkit.models.*)."""
import copy

import pytest
import torch
import torch.nn.functional as F

from colorkit.objectives.gan import discriminator_loss
from colorkit.models import build
from colorkit.models.patchgan import PatchGAN, receptive_field
from colorkit.models.vae import diversity_score, reparameterize
from colorkit.objectives.base import NonFiniteLossError, get_objective
from colorkit.train import TrainConfig, train


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
@pytest.mark.parametrize("conditional", [False, True])
def test_vae_draws_differ_and_mean_is_deterministic(name, conditional):
    torch.manual_seed(0)
    m = build(name, base_width=8, depth=2, latent_channels=4, conditional=conditional)
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


@pytest.mark.parametrize("name", ["vae", "unet_vae"])
def test_conditional_vae_posterior_sees_the_colour_and_tests_from_the_prior(name):
    torch.manual_seed(0)
    m = build(name, base_width=8, depth=2, latent_channels=4, conditional=True)
    L = torch.rand(2, 1, 16, 16) * 2 - 1
    ab1, ab2 = torch.full((2, 2, 16, 16), 0.3), torch.full((2, 2, 16, 16), -0.3)
    _, mu1, _ = m(L, ab=ab1, return_latent=True)
    _, mu2, _ = m(L, ab=ab2, return_latent=True)
    assert not torch.allclose(mu1, mu2)  # q(z | L, ab) depends on the true colour
    _, mu0, logvar0 = m(L, return_latent=True)  # no colour: the prior N(0, I)
    assert torch.equal(mu0, torch.zeros_like(mu0)) and torch.equal(logvar0, torch.zeros_like(logvar0))
    m.eval()
    assert torch.equal(m(L), m.posterior_mean(L))


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


# ------------------------------------------------------------------------------------------ objectives


def _cfg(tmp_path, model="unet_gan", objective="gan", steps=4, **extra):
    return TrainConfig(model=model, model_kwargs={"base_width": 4, "depth": 2}, objective=objective,
                       max_steps=steps, batch_size=4, val_every=100, eval_images=4, n_visuals=2,
                       out_dir=str(tmp_path), tensorboard=False, progress_bar=False, live_plot=False,
                       log_every=1, extra=extra)


def _data(n=8, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    L = torch.rand(n, 1, size, size, generator=g) * 2 - 1
    ab = (torch.rand(n, 2, size, size, generator=g) - 0.5) * 0.6
    return L, ab


def _objective(cfg):
    cls = get_objective(cfg.objective)
    obj = cls(cls.build_networks(cfg), cfg)
    obj.setup("cpu")
    obj.train_mode(True)
    return obj


def _grads(module):
    return [p.grad.clone() for p in module.parameters()]


def test_gan_step_updates_both_players_and_keeps_their_gradients_apart(tmp_path):
    torch.manual_seed(0)
    L, ab = _data(4)
    obj = _objective(_cfg(tmp_path, adversarial="lsgan", l1_weight=10.0, adv_weight=1.0))
    G, D = obj.networks["generator"], obj.networks["discriminator"]
    G0, D0 = copy.deepcopy(G), copy.deepcopy(D)
    obj.set_progress(0.5)
    logs = obj.training_step((L, ab), 0)
    assert {"loss_g", "loss_d", "l1", "adv_g"} <= set(logs)
    assert all(not torch.equal(p, q) for p, q in zip(G.parameters(), G0.parameters()) if p.numel() > 1)
    assert any(not torch.equal(p, q) for p, q in zip(D.parameters(), D0.parameters()))
    # D's gradients are exactly those of its own loss (the generator's step did not leak into D)
    fake0 = G0(L)
    d_logits = D0(torch.cat([L, L]), torch.cat([ab, fake0.detach()]))
    real, fake = d_logits.chunk(2)
    discriminator_loss(real, fake, "lsgan").backward()
    for got, want in zip(_grads(D), _grads(D0)):
        assert torch.allclose(got, want, atol=1e-6)


def test_gan_generator_l1_path_is_differentiable(tmp_path):
    torch.manual_seed(0)
    L, ab = _data(4)
    # adversarial weight 0: G's gradient must be exactly l1_weight * d L1 / d theta (closed form check)
    obj = _objective(_cfg(tmp_path, l1_weight=100.0, adv_weight=0.0))
    G = obj.networks["generator"]
    G0 = copy.deepcopy(G)
    obj.set_progress(0.5)
    obj.training_step((L, ab), 0)
    (100.0 * F.l1_loss(G0(L), ab)).backward()
    for got, want in zip(_grads(G), _grads(G0)):
        assert torch.allclose(got, want, atol=1e-5, rtol=1e-4)
    assert sum(float(g.abs().sum()) for g in _grads(G)) > 0


def test_gan_two_phase_pretraining_leaves_D_alone(tmp_path):
    torch.manual_seed(0)
    L, ab = _data(4)
    obj = _objective(_cfg(tmp_path, pretrain=0.5))
    D0 = copy.deepcopy(obj.networks["discriminator"])
    obj.set_progress(0.25)
    logs = obj.training_step((L, ab), 0)
    assert "loss_d" not in logs and "adv_g" not in logs
    assert all(torch.equal(p, q) for p, q in zip(obj.networks["discriminator"].parameters(), D0.parameters()))
    assert obj.optimizers["discriminator"].param_groups[0]["lr"] == 0.0


def test_gan_nan_stops_before_any_update(tmp_path):
    torch.manual_seed(0)
    L, ab = _data(4)
    L[0, 0, 0, 0] = float("nan")
    obj = _objective(_cfg(tmp_path))
    before = copy.deepcopy(obj.networks)
    obj.set_progress(0.5)
    with pytest.raises(NonFiniteLossError, match="last good checkpoint"):
        obj.training_step((L, ab), 0)
    for name in ("generator", "discriminator"):
        for p, q in zip(obj.networks[name].parameters(), before[name].parameters()):
            assert torch.equal(p, q)


def test_gan_guard_reports_a_winning_discriminator(tmp_path, capsys):
    torch.manual_seed(0)
    L, ab = _data(4)
    obj = _objective(_cfg(tmp_path, adversarial="hinge", guard_warmup=0.0, d_win_acc=0.9, balance=True))
    obj._d_acc.value = 1.0  # as if D had been right on every patch for a long while
    obj.set_progress(0.5)
    D0 = copy.deepcopy(obj.networks["discriminator"])
    real = obj.networks["discriminator"]
    logs = obj.training_step((L, ab), 7)
    assert logs["d_wins"] == 1.0 or logs["d_acc"] > 0.9
    assert "discriminator wins outright" in capsys.readouterr().out
    # balance=True: D skipped its update while winning
    assert all(torch.equal(p, q) for p, q in zip(real.parameters(), D0.parameters()))


@pytest.mark.slow
def test_gan_resume_matches_uninterrupted_run(tmp_path):
    data = _data(8)
    extra = dict(pretrain=0.34, adversarial="hinge")
    full = train(_cfg(tmp_path / "full", steps=6, **extra), data, resume=False)

    def interrupt(step, logs, objective):
        if step == 3:
            raise KeyboardInterrupt

    part = train(_cfg(tmp_path / "part", steps=6, **extra), data, resume=False, callbacks=[interrupt])
    assert part.stop_reason == "interrupted" and part.step == 3
    resumed = train(_cfg(tmp_path / "part", steps=6, **extra), data, resume=True)
    assert resumed.step == 6
    for name in ("generator", "discriminator"):
        a = full.objective.networks[name].state_dict()
        b = resumed.objective.networks[name].state_dict()
        for k in a:
            assert torch.equal(a[k], b[k]), f"{name}.{k} differs after resume"


def test_vae_objective_trains_with_kl_annealing(tmp_path):
    data = _data(8)
    res = train(_cfg(tmp_path, model="unet_vae", objective="vae", steps=6, beta=0.01, kl_warmup=0.5), data,
                val_data=data, resume=False)
    ws = [h["kl_weight"] for h in res.history]
    assert ws[0] == 0.0 and ws[-1] == pytest.approx(0.01)  # annealed from 0 up to beta
    assert all(a <= b for a, b in zip(ws, ws[1:]))
    assert res.val_history[-1]["val_diversity"] > 0
    assert res.history[-1]["kl"] > 0


def test_generative_model_names_default_to_their_objective():
    from colorkit.objectives.base import default_objective

    assert default_objective("unet_gan") == default_objective("gan") == "gan"
    assert default_objective("unet_vae") == default_objective("vae") == "vae"
    assert default_objective("unet") == "regression"


def test_a_model_declares_its_default_objective_where_it_registers():
    from colorkit import models
    from colorkit.objectives import MODEL_OBJECTIVES, default_objective

    assert models.default_objective("unet_classifier") == default_objective("unet_classifier") == "classification"
    assert all(default_objective(m) == models.default_objective(m) for m in models.available())
    assert dict(MODEL_OBJECTIVES) == {m: o for m, o in models.default_objectives().items() if o != "regression"}

    @models.register("_test_declared", objective="vae")
    def _tiny():
        return None

    try:
        assert default_objective("_test_declared") == "vae"
    finally:
        models._REGISTRY.pop("_test_declared")
        models._OBJECTIVES.pop("_test_declared")


@pytest.mark.parametrize("i,j", [(0, 0), (3, 5), (9, 9)])
def test_patch_box_matches_the_measured_field(i, j):
    from colorkit.course.figures import patch_box

    torch.manual_seed(0)
    d = PatchGAN(base_width=4, norm="none").eval()
    x = torch.randn(1, 3, 96, 96, requires_grad=True)
    d(x)[0, 0, i, j].backward()
    hit = x.grad.abs().sum(dim=(0, 1)) > 0
    rows, cols = hit.any(dim=1).nonzero(), hit.any(dim=0).nonzero()
    top, left, size = patch_box(i, j)
    assert size == 70
    # the measured region is the box clipped to the image (the rest of the box is zero padding)
    assert (int(rows.min()), int(cols.min())) == (max(top, 0), max(left, 0))
    assert (int(rows.max()), int(cols.max())) == (min(top + size, 96) - 1, min(left + size, 96) - 1)


def test_gan_init_generator_starts_from_an_l1_checkpoint(tmp_path):
    data = _data(4)
    l1 = train(_cfg(tmp_path / "l1", model="unet", objective="regression", steps=1), data, resume=False)
    ckpt = str(tmp_path / "l1" / "last.pt")
    obj = _objective(_cfg(tmp_path / "gan", init_generator=ckpt))
    for k, v in l1.model.state_dict().items():
        assert torch.equal(obj.networks["generator"].state_dict()[k], v)
    bad = _cfg(tmp_path / "bad", init_generator=ckpt)
    bad.model_kwargs = {"base_width": 8, "depth": 2}
    with pytest.raises(ValueError, match="does not fit this generator"):
        _objective(bad)


def test_regression_init_generator_fine_tunes_an_l1_checkpoint(tmp_path):
    data = _data(4)
    l1 = train(_cfg(tmp_path / "l1", model="unet", objective="regression", steps=1), data, resume=False)
    ckpt = str(tmp_path / "l1" / "last.pt")
    obj = _objective(_cfg(tmp_path / "ft", model="unet", objective="regression", init_generator=ckpt))
    fresh = _objective(_cfg(tmp_path / "fresh", model="unet", objective="regression"))
    for k, v in l1.model.state_dict().items():
        assert torch.equal(obj.networks["generator"].state_dict()[k], v)
    assert any(not torch.equal(fresh.networks["generator"].state_dict()[k], v)
               for k, v in l1.model.state_dict().items() if v.is_floating_point())


@pytest.mark.parametrize("model,objective", [("unet_gan", "gan"), ("unet_vae", "vae")])
def test_cli_train_picks_the_generative_objective(tmp_path, model, objective):
    import json

    from colorkit.checkpoint import load_checkpoint, load_trained
    from colorkit.cli import main

    data = _data(8)
    out = tmp_path / "run"
    extra = {"adversarial": "hinge"} if objective == "gan" else {"beta": 0.01}
    rc = main(["train", "--model", model, "--data", "samples", "--preset", "smoke", "--max-steps", "2",
               "--model-kwargs", json.dumps({"base_width": 4, "depth": 2}), "--extra", json.dumps(extra),
               "--out", str(out)])
    assert rc == 0
    ckpt = load_checkpoint(out / "last.pt")
    assert ckpt["objective"] == objective and ckpt["model"]["name"] == model and ckpt["step"] == 2
    assert ckpt["config"]["extra"] == extra
    if objective == "gan":
        assert set(ckpt["state"]) == {"generator", "discriminator"}
    generator, _ = load_trained(out / "last.pt")
    assert generator(data[0][:1]).shape == (1, 2, 32, 32)


def test_gan_guard_reports_a_collapsed_generator(tmp_path, capsys):
    torch.manual_seed(0)
    L, ab = _data(4)
    cfg = _cfg(tmp_path, guard_warmup=0.0, pretrain=0.0)
    cfg.model_kwargs = {"base_width": 4, "depth": 2, "zero_init_head": True}  # G paints ab = 0 on every image
    obj = _objective(cfg)
    obj.set_progress(0.5)
    logs = obj.training_step((L, ab), 3)
    assert logs["g_spread"] == 0.0 and logs["g_collapse"] == 1.0
    assert "generator collapsed" in capsys.readouterr().out
