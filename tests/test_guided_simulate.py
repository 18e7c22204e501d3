"""colorkit.guided.simulate: the simulated user, against the distributions it claims (Zhang et al. 2017) and
against patch means computed here with scikit-image."""
import numpy as np
import pytest
import torch
from skimage.color import rgb2lab

from colorkit.color import normalize_ab, rgb_to_lab
from colorkit.data.samples import load_sample
from colorkit.guided.hints import hint_maps, pixel_of
from colorkit.guided.simulate import sample_count, sample_layout, simulate_hint_batch, simulate_hints


def test_count_is_geometric_with_p_one_eighth():
    rng = np.random.default_rng(0)
    counts = np.array([sample_count(rng) for _ in range(20000)])
    assert counts.min() == 0
    assert counts.mean() == pytest.approx(7.0, rel=0.05)  # (1 - p) / p
    assert (counts == 0).mean() == pytest.approx(1 / 8, abs=0.01)


def test_layout_is_seeded_centred_and_in_range():
    a = sample_layout(np.random.default_rng(5), 40, 60, count=4000)
    assert a == sample_layout(np.random.default_rng(5), 40, 60, count=4000)
    rows, cols, radii = np.array(a).T
    assert rows.min() >= 0 and rows.max() <= 39 and cols.min() >= 0 and cols.max() <= 59
    assert rows.mean() == pytest.approx(19.5, abs=1.0) and cols.mean() == pytest.approx(29.5, abs=1.5)
    assert set(radii) == {0, 1, 2, 3, 4}


def test_simulated_hint_colour_is_the_patch_mean():
    rgb = load_sample("astronaut")[::8, ::8].copy()  # 64 x 64
    hints = simulate_hints(rgb, count=12, seed=1)
    assert len(hints) == 12 and hints == simulate_hints(rgb, count=12, seed=1)
    lab = rgb2lab(rgb)
    H, W = rgb.shape[:2]
    for h in hints:
        r, c = pixel_of(h.x, h.y, H, W)
        k = h.radius
        want = lab[max(r - k, 0):r + k + 1, max(c - k, 0):c + k + 1].reshape(-1, 3).mean(0)[1:]
        assert np.abs(np.array(h.ab) - want).max() < 2.5  # 8-bit hex colour (and gamut) rounding


def test_batch_hints_hold_patch_means_in_the_tensor_format():
    rgb = np.stack([load_sample(n)[::8, ::8][:32, :32] for n in ("astronaut", "coffee")])
    ab = torch.from_numpy(normalize_ab(rgb_to_lab(rgb)[..., 1:])).permute(0, 3, 1, 2).contiguous()
    t = simulate_hint_batch(ab, np.random.default_rng(3), count=5)
    assert t.shape == (2, 3, 32, 32)
    mask = t[:, 2]
    assert set(torch.unique(mask).tolist()) <= {0.0, 1.0} and (mask.sum(dim=(1, 2)) >= 1).all()
    assert torch.all(t[:, :2] * (1 - mask[:, None]) == 0)
    # the same layout as the Hint list: one sampler for both
    layout = sample_layout(np.random.default_rng(3), 32, 32, 5)
    r, c, k = layout[-1]
    patch = ab[0, :, max(r - k, 0):r + k + 1, max(c - k, 0):c + k + 1]
    assert t[0, :2, r, c].tolist() == pytest.approx(patch.mean(dim=(1, 2)).tolist(), abs=1e-6)


def test_batch_with_zero_hints_is_empty():
    t = simulate_hint_batch(torch.zeros(3, 2, 16, 16), np.random.default_rng(0), count=0)
    assert float(t.abs().sum()) == 0.0


def test_hints_rasterise_back_to_their_pixels():
    rgb = load_sample("coffee")[::8, ::8].copy()
    hints = simulate_hints(rgb, count=3, seed=2, max_radius=0)
    ab, mask = hint_maps(hints, *rgb.shape[:2])
    assert 1 <= mask.sum() <= 3


def test_p_none_gives_that_share_of_photos_no_hint_and_keeps_the_default_stream():
    from colorkit.guided.simulate import P_STOP, no_hint_coin

    ab = torch.zeros(4000, 2, 8, 8)
    for p_none in (0.5, 0.8):
        t = simulate_hint_batch(ab, np.random.default_rng(1), p_none=p_none)
        empty = float((t[:, 2].sum(dim=(1, 2)) == 0).float().mean())
        assert empty == pytest.approx(p_none, abs=0.03)  # binomial sd 0.008 at n = 4000
    assert float(simulate_hint_batch(ab[:50], np.random.default_rng(1), p_none=1.0).abs().sum()) == 0.0
    # the user's own 1/8 draws no extra coin: the same stream as without p_none
    a = simulate_hint_batch(ab[:20], np.random.default_rng(4))
    assert torch.equal(a, simulate_hint_batch(ab[:20], np.random.default_rng(4), p_none=P_STOP))
    assert no_hint_coin(None) == 0.0 and no_hint_coin(1.0) == 1.0
    assert no_hint_coin(0.5) == pytest.approx((0.5 - 1 / 8) / (7 / 8))  # q + (1 - q) / 8 = 0.5
    with pytest.raises(ValueError, match="1/8|0.125"):
        no_hint_coin(0.05)
