"""colorkit.guided.propagate against closed forms and a dense numpy normalized convolution."""
import numpy as np
import pytest
import torch

from colorkit.guided import propagate as P

torch.set_num_threads(1)


def one_hint(h, w, r, c, a=0.3, b=-0.2, n=1):
    t = torch.zeros(n, 3, h, w)
    t[:, 0, r, c], t[:, 1, r, c], t[:, 2, r, c] = a, b, 1.0
    return t


def gauss_cut(d, sigma):
    """The 1-D peak-1 Gaussian cut at 3 sigma, in numpy (the reference)."""
    d = np.asarray(d, np.float64)
    return np.where(np.abs(d) <= 3 * sigma, np.exp(-d**2 / (2 * sigma**2)), 0.0)


def dense_nc(hints, L, sigma, levels=None, eps=P.EPS):
    """Normalized convolution written as a sum over every pair of pixels (numpy): the reference for the
    separable torch version. ``levels``: the lightness hat functions of the bilateral flavour, else plain."""
    ab, mask = hints[:2].astype(np.float64), hints[2].astype(np.float64)
    H, W = mask.shape
    rr, cc = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    rr, cc = rr.ravel(), cc.ravel()
    w = gauss_cut(rr[:, None] - rr[None], sigma) * gauss_cut(cc[:, None] - cc[None], sigma)  # pixel p x q
    if levels is not None:
        centres = np.linspace(-1, 1, levels)
        phi = np.clip(1 - np.abs(L.ravel()[:, None] - centres[None]) * (levels - 1) / 2, 0, None)  # pixel x K
        w = w * (phi @ phi.T)
    m = mask.ravel()
    conf = w @ m
    mean = (w @ (ab.reshape(2, -1).T * m[:, None])) / (conf + eps)[:, None]
    return mean.T.reshape(2, H, W), conf.reshape(H, W)


def test_confidence_of_one_hint_is_the_gaussian():
    h = w = 32
    sigma = 2.0  # 1/16 of the side: the exact (direct) path
    out = P.propagate_hints(one_hint(h, w, 10, 21), sigmas=(sigma / 32,))
    rr, cc = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    expected = gauss_cut(rr - 10, sigma) * gauss_cut(cc - 21, sigma)
    np.testing.assert_allclose(out[0, 4].numpy(), expected, atol=1e-6)
    assert out[0, 4, 10, 21] == pytest.approx(1.0)  # peak 1 at the hint
    assert out[0, 4, 10, 23] == pytest.approx(np.exp(-4 / 8), rel=1e-5)  # 2 px = one sigma away: exp(-1/2)


def test_wide_blur_on_a_shrunk_copy_is_close_to_the_gaussian():
    h = w = 64
    sigma = 16.0  # above DIRECT_MAX_SIGMA: summed over 2x2 blocks, blurred, enlarged bilinearly
    assert sigma > P.DIRECT_MAX_SIGMA
    x = torch.zeros(1, 1, h, w)
    x[0, 0, 31, 32] = 1.0
    got = P.blur(x, sigma)[0, 0].numpy()
    rr, cc = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    ref = np.exp(-((rr - 31) ** 2 + (cc - 32) ** 2) / (2 * sigma**2))
    assert np.abs(got - ref).max() < 0.05
    assert got.sum() == pytest.approx(ref.sum(), rel=0.03)  # the mass (the confidence's scale) is kept


def test_one_hint_on_constant_L_spreads_its_own_colour():
    h = w = 32
    hint = one_hint(h, w, 16, 8, a=0.4, b=0.1)
    L = torch.full((1, 1, h, w), 0.2)
    out = P.propagate_hints(hint, L)
    base = out[0, :2].numpy()
    assert base[:, 16, 8] == pytest.approx([0.4, 0.1])  # the hinted pixel keeps its colour exactly
    # everywhere the same hue as the hint (b / a = 1/4), chroma not above it, nearly all of it near the hint
    reach = np.abs(base[0]) > 1e-6
    assert reach.all()
    np.testing.assert_allclose(base[1][reach] / base[0][reach], 0.25, rtol=1e-4)
    assert base[0].max() <= 0.4 + 1e-6
    assert base[0, 14:19, 6:11].min() > 0.85 * 0.4  # within 2 px nearly all of it (a blend fades to gray far away)
    # each scale's mean: the hint's colour times conf / (conf + eps) (the closed form of one hint)
    for i in range(len(P.SIGMAS)):
        m, c = out[0, 2 + 3 * i:4 + 3 * i].numpy(), out[0, 4 + 3 * i].numpy()
        np.testing.assert_allclose(m[0], 0.4 * c / (c + P.EPS), atol=1e-5)


@pytest.mark.parametrize("levels", [None, 5, 3])
def test_normalized_convolution_equals_the_dense_sum(levels):
    g = np.random.default_rng(0)
    h, w = 12, 16
    hints = np.zeros((3, h, w), np.float32)
    for r, c in [(2, 3), (9, 12), (5, 5), (10, 1)]:
        hints[:, r, c] = [g.uniform(-0.5, 0.5), g.uniform(-0.5, 0.5), 1.0]
    hints[:2] *= hints[2]
    L = np.where(np.arange(w)[None] < 8, -0.6, 0.5) + g.normal(0, 0.05, (h, w))
    sigma = 2.0
    t, Lt = torch.from_numpy(hints)[None], torch.from_numpy(L.astype(np.float32))[None, None]
    out = P.propagate_hints(t, Lt if levels else None, sigmas=(sigma / w,), levels=levels or 5)
    mean, conf = dense_nc(hints, L, sigma, levels)
    np.testing.assert_allclose(out[0, 4].numpy(), conf, atol=1e-5)
    np.testing.assert_allclose(out[0, 2:4].numpy(), mean, atol=1e-4)


def test_lightness_aware_propagation_keeps_each_side_of_a_strong_edge():
    h, w = 16, 32
    L = torch.full((1, 1, h, w), -1.0)
    L[..., 16:] = 1.0
    left, right = one_hint(h, w, 8, 6, a=0.5, b=0.0), one_hint(h, w, 8, 25, a=-0.3, b=0.3)
    both = left + right
    aware = P.propagate_hints(both, L)
    plain = P.propagate_hints(both, None)
    # on the right side only the right hint counts: the same as the right hint alone
    alone = P.propagate_hints(right, L)
    torch.testing.assert_close(aware[..., 16:], alone[..., 16:], atol=1e-6, rtol=0)
    # the plain one mixes the left colour into the right side
    assert float(plain[0, 0, :, 16:].max()) > 0.0 > float(aware[0, 0, :, 16:].max())


def test_no_hints_give_zeros_and_two_hints_blend_by_distance():
    assert torch.equal(P.propagate_hints(torch.zeros(2, 3, 16, 16)), torch.zeros(2, P.channels(), 16, 16))
    h = w = 32
    hints = one_hint(h, w, 4, 4, a=0.5, b=0.0) + one_hint(h, w, 4, 10, a=-0.5, b=0.0)
    out = P.propagate_hints(hints, sigmas=(2.0 / 32,))
    g1, g2 = np.exp(-(3**2) / 8), np.exp(-(3**2) / 8)  # pixel (4, 7) is 3 px from both: equal weights
    assert out[0, 2, 4, 7] == pytest.approx((0.5 * g1 - 0.5 * g2) / (g1 + g2 + P.EPS), abs=1e-6)
    g1, g2 = np.exp(-(2**2) / 8), np.exp(-(4**2) / 8)  # pixel (4, 6): 2 px and 4 px away
    assert out[0, 2, 4, 6] == pytest.approx((0.5 * g1 - 0.5 * g2) / (g1 + g2 + P.EPS), abs=1e-6)


def test_blend_scales_closed_form():
    hints = torch.zeros(1, 3, 1, 2)
    hints[0, :, 0, 1] = torch.tensor([0.7, 0.7, 1.0])
    fine, coarse = torch.full((1, 2, 1, 2), 0.2), torch.full((1, 2, 1, 2), -0.4)
    cf, cc = torch.full((1, 1, 1, 2), 0.3), torch.full((1, 1, 1, 2), 1.0)
    base = P.blend_scales([fine, coarse], [cf, cc], hints, confident=0.1)
    a_c, a_f = 1.0 / 1.1, 0.3 / 0.4
    assert float(base[0, 0, 0, 0]) == pytest.approx(a_f * 0.2 + (1 - a_f) * a_c * -0.4)
    assert float(base[0, 0, 0, 1]) == pytest.approx(0.7)  # a hinted pixel keeps its hint


def test_gradients_flow_and_float32_out():
    hints = one_hint(16, 16, 3, 3).requires_grad_(True)
    out = P.propagate_hints(hints.double().float(), torch.zeros(1, 1, 16, 16))
    assert out.dtype == torch.float32
    out[:, :2].sum().backward()
    assert hints.grad is not None and torch.isfinite(hints.grad).all()
    with torch.inference_mode():  # a cached blur matrix made here still works with autograd afterwards
        P.propagate_hints(one_hint(24, 40, 1, 1))
    x = one_hint(24, 40, 1, 1).requires_grad_(True)
    P.propagate_hints(x).sum().backward()


def test_bad_shapes_are_clear_errors():
    with pytest.raises(ValueError, match="N x 3 x H x W"):
        P.propagate_hints(torch.zeros(1, 2, 8, 8))
    with pytest.raises(ValueError, match="do not match"):
        P.propagate_hints(torch.zeros(1, 3, 8, 8), torch.zeros(1, 1, 8, 16))
    with pytest.raises(ValueError, match="sigma"):
        P.blur(torch.zeros(1, 1, 8, 8), 0.0)
