"""colorkit.quantize and the unet_classifier model against hand-computed values and scikit-image."""
import math

import numpy as np
import pytest
import torch

from colorkit import quantize as Qz
from colorkit.color import normalize_ab


def test_bins_cover_the_srgb_gamut_checked_with_skimage():
    from skimage.color import rgb2lab

    bins = Qz.ab_bins()
    assert len(bins) == Qz.N_BINS == Qz.n_bins()
    assert 240 <= len(bins) <= 320  # Zhang et al.'s 313 with their gamut; "313-ish"
    assert np.all(bins % 10 == 0) and np.abs(bins).max() <= 110
    assert [0, 0] in bins.tolist()
    # every random sRGB colour (independent conversion) has its 10x10 cell among the bins
    rgb = np.random.default_rng(0).integers(0, 256, (20000, 1, 3)).astype(np.uint8)
    ab = rgb2lab(rgb).reshape(-1, 3)[:, 1:]
    cells = {tuple(c) for c in (np.round(ab / 10) * 10).astype(int).tolist()}
    assert cells <= {tuple(c) for c in bins.astype(int).tolist()}
    # and the extreme primaries reach far out (pure blue has b about -108)
    assert bins[:, 1].min() <= -100 and bins[:, 0].max() >= 80


def test_soft_encode_gaussian_over_five_nearest():
    ab = torch.zeros(1, 2, 1, 1)  # exactly on the gray bin; 4 neighbours at distance 10
    t = Qz.soft_encode(ab)
    assert t.shape == (1, Qz.N_BINS, 1, 1)
    assert float(t.sum()) == pytest.approx(1.0)
    gray = Qz.ab_bins().tolist().index([0.0, 0.0])
    w = math.exp(-100 / (2 * 25))
    assert float(t[0, gray, 0, 0]) == pytest.approx(1 / (1 + 4 * w), rel=1e-5)
    assert int((t > 0).sum()) == 5
    # a random batch: every pixel sums to 1 with exactly 5 non-zero bins
    rnd = torch.from_numpy(normalize_ab(np.random.default_rng(1).uniform(-40, 40, (2, 2, 4, 4)))).float()
    t = Qz.soft_encode(rnd)
    torch.testing.assert_close(t.sum(1), torch.ones(2, 4, 4))
    assert torch.all((t > 0).sum(1) == 5)
    assert torch.equal(t.argmax(1), Qz.hard_encode(rnd))


def test_annealed_mean_temperatures():
    centres = torch.from_numpy(normalize_ab(Qz.ab_bins()))
    logits = torch.randn(1, Qz.N_BINS, 2, 3, generator=torch.Generator().manual_seed(0))
    # T = 1: the plain expectation under softmax
    p = torch.softmax(logits, 1)
    expected = torch.einsum("nqhw,qc->nchw", p, centres)
    torch.testing.assert_close(Qz.annealed_mean(logits, 1.0), expected, atol=1e-5, rtol=1e-5)
    # T = 0: the mode's centre; small T approaches it
    mode = centres[logits.argmax(1)].permute(0, 3, 1, 2)
    torch.testing.assert_close(Qz.annealed_mean(logits, 0), mode)
    torch.testing.assert_close(Qz.annealed_mean(logits * 50, 0.01), mode, atol=1e-4, rtol=0)
    # T = 0.38 equals softmax(log p / T) (Zhang et al.'s formula written from probabilities)
    fT = torch.exp(torch.log(p) / 0.38)
    fT = fT / fT.sum(1, keepdim=True)
    torch.testing.assert_close(Qz.annealed_mean(logits, 0.38),
                               torch.einsum("nqhw,qc->nchw", fT, centres), atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="temperature"):
        Qz.annealed_mean(logits, -1)


def test_soft_encoding_decodes_back_near_the_target():
    from colorkit.color import rgb_to_lab

    rgb = np.random.default_rng(2).integers(0, 256, (8, 8, 3)).astype(np.uint8)  # real (in-gamut) colours
    ab_lab = rgb_to_lab(rgb)[..., 1:].transpose(2, 0, 1)[None].astype(np.float64)
    t = Qz.soft_encode(torch.from_numpy(normalize_ab(ab_lab)).float())
    back = Qz.annealed_mean(torch.log(t.clamp_min(1e-12)), 1.0).numpy() * 110
    assert np.abs(back - ab_lab).max() < 5.0  # within half a bin


def test_rebalance_weights():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(Qz.N_BINS) * 0.3)
    w = Qz.rebalance_weights(p)
    ps = Qz.smooth_prior(p)
    assert float((ps * w).sum()) == pytest.approx(1.0, rel=1e-5)
    # w is 1 / ((1 - lam) ps + lam / Q) up to one constant
    ratio = w * (0.5 * ps + 0.5 / Qz.N_BINS)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)
    assert w[np.argmin(ps)] > w[np.argmax(ps)]  # rare colours weigh more
    np.testing.assert_allclose(Qz.rebalance_weights(p, lam=1.0), np.ones(Qz.N_BINS), rtol=1e-5)
    with pytest.raises(ValueError, match="distribution"):
        Qz.rebalance_weights(np.ones(3))


def test_empirical_prior_counts_nearest_bins():
    ab = torch.zeros(1, 2, 4, 4)
    ab[0, 0, :2] = 20 / 110  # 8 pixels at a=20, b=0; 8 at gray
    p = Qz.empirical_prior([ab])
    bins = Qz.ab_bins().tolist()
    assert p[bins.index([0.0, 0.0])] == pytest.approx(0.5) and p[bins.index([20.0, 0.0])] == pytest.approx(0.5)
    assert Qz.empirical_prior([ab], smooth=True).sum() == pytest.approx(1.0)


def test_classification_loss_is_cross_entropy_with_soft_targets():
    ab = torch.from_numpy(normalize_ab(np.random.default_rng(3).uniform(-30, 30, (2, 2, 4, 4)))).float()
    target = Qz.soft_encode(ab)
    logits = torch.randn(2, Qz.N_BINS, 4, 4, requires_grad=True)
    loss = Qz.classification_loss(logits, ab)
    ref = -(target * torch.log_softmax(logits, 1)).sum(1).mean()
    torch.testing.assert_close(loss, ref)
    loss.backward()
    assert logits.grad.abs().sum() > 0
    # the minimum over logits is reached at log(target): the loss then equals the target's entropy
    best = Qz.classification_loss(torch.log(target.clamp_min(1e-12)), ab)
    entropy = -(target * torch.log(target.clamp_min(1e-12))).sum(1).mean()
    assert float(best) == pytest.approx(float(entropy), rel=1e-4)
    # rebalancing weights each pixel by the weight of its target's nearest bin
    w = torch.full((Qz.N_BINS,), 2.0)
    torch.testing.assert_close(Qz.classification_loss(logits, ab, w), 2 * ref)


def test_unet_classifier_model():
    from colorkit.colorize import predict_ab
    from colorkit.models import available, build

    assert "unet_classifier" in available()
    torch.manual_seed(0)
    m = build("unet_classifier", base_width=4, depth=2).eval()
    L = torch.rand(2, 1, 16, 16) * 2 - 1
    logits = m(L)
    assert logits.shape == (2, Qz.N_BINS, 16, 16)
    ab = predict_ab(m, L, temperature=0.38)
    assert ab.shape == (2, 2, 16, 16) and ab.abs().max() <= 1.0
    torch.testing.assert_close(ab, Qz.annealed_mean(logits, 0.38))
    assert not torch.allclose(predict_ab(m, L, temperature=1.0), ab)
    # the rebalancing weights travel with the state dict
    m.class_weights.fill_(3.0)
    m2 = build("unet_classifier", base_width=4, depth=2)
    m2.load_state_dict(m.state_dict())
    assert float(m2.class_weights[0]) == 3.0
    loss = m.train().loss(L, torch.zeros(2, 2, 16, 16))
    loss.backward()


def test_classification_objective_trains_and_rebalances(tmp_path):
    from colorkit.checkpoint import load
    from colorkit.objectives.base import get_objective
    from colorkit.train import TrainConfig, train

    torch.manual_seed(0)
    L = torch.rand(4, 1, 16, 16) * 2 - 1
    ab = torch.zeros(4, 2, 16, 16)
    ab[:, 0, :, :4] = 30 / 110  # a rare reddish stripe in a mostly gray world
    cfg = TrainConfig(model="unet_classifier", model_kwargs=dict(base_width=4, depth=2), objective="classification",
                      max_steps=3, batch_size=4, val_every=3, out_dir=str(tmp_path / "run"), tensorboard=False,
                      progress_bar=False, live_plot=False, extra={"rebalance_batches": 2})
    assert get_objective("classification").__name__ == "Classification"
    r = train(cfg, (L, ab), (L, ab), resume=False)
    w = r.model.class_weights
    bins = Qz.ab_bins().tolist()
    # the rare red bin weighs more than the common gray one, with the exact Zhang et al. formula
    counts = np.zeros(Qz.N_BINS)
    counts[bins.index([0.0, 0.0])] = 2 * 4 * 16 * 12
    counts[bins.index([30.0, 0.0])] = 2 * 4 * 16 * 4
    expected = Qz.rebalance_weights(counts / counts.sum())
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-5)
    assert w[bins.index([30.0, 0.0])] > w[bins.index([0.0, 0.0])]
    m = load(r.checkpoint)  # weights and class weights come back from the checkpoint
    torch.testing.assert_close(m.class_weights, w)
    with pytest.raises(ValueError, match="regression"):
        train(TrainConfig(model="unet", model_kwargs=dict(base_width=4, depth=2), objective="classification",
                          max_steps=1, batch_size=4, out_dir=str(tmp_path / "bad"), tensorboard=False,
                          progress_bar=False, live_plot=False), (L, ab), resume=False)


def test_fast_soft_encode_equals_exhaustive_search():
    rng = np.random.default_rng(5)
    pts = np.concatenate([rng.uniform(-115, 115, (3000, 2)),  # anywhere, including outside the gamut
                          rng.uniform(-30, 30, (1000, 2)),
                          rng.uniform(-200, 200, (500, 2)),  # beyond the candidate table's +-130 too
                          np.array([[-130.0, -130.0], [129.99, 0.0], [130.0, 5.0]])])  # its edges
    ab = torch.from_numpy(normalize_ab(pts.T.reshape(1, 2, 1, -1))).float()
    fast = Qz.soft_encode(ab)[0, :, 0].T  # pixels x Q
    centres = torch.from_numpy(Qz.ab_bins()).float()
    d = torch.cdist(torch.from_numpy(pts).float(), centres)
    dk, ik = d.topk(5, dim=1, largest=False)
    wk = torch.exp(-(dk ** 2 - dk[:, :1] ** 2) / 50)  # the Gaussian weights, scaled to avoid underflow far out
    ref = torch.zeros_like(fast).scatter_(1, ik, wk / wk.sum(1, keepdim=True))
    torch.testing.assert_close(fast, ref, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(Qz.hard_encode(ab)[0, 0], d.argmin(1))  # the nearest bin, every point
    lab_pts = torch.from_numpy(pts).float()
    whole, parts = Qz._nearest_bins(lab_pts, 5), Qz._nearest_bins(lab_pts, 5, chunk=1000)
    assert torch.equal(whole[1], parts[1]) and torch.equal(whole[0], parts[0])  # chunks join in order


def test_init_prior_starts_from_the_data_colours():
    from colorkit.models import build

    torch.manual_seed(0)
    m = build("unet_classifier", base_width=4, depth=1).eval()
    bins = Qz.ab_bins().tolist()
    p = np.zeros(Qz.N_BINS)
    p[bins.index([20.0, 30.0])] = 1.0  # every training pixel orange
    m.init_prior(p)
    expected = np.log(np.maximum(Qz.smooth_prior(p), 1e-4) / np.maximum(Qz.smooth_prior(p), 1e-4).sum())
    np.testing.assert_allclose(m.body.head.bias.detach().numpy(), expected, rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        ab = m.predict_ab(torch.zeros(1, 1, 8, 8), temperature=1.0).mean((0, 2, 3)).numpy() * 110
    assert np.abs(ab - [20, 30]).max() < 8  # untrained, it already predicts about the data's colour
