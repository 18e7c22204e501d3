"""Levin, Lischinski & Weiss 2004 (colorkit.guided.levin).

References: the same equations written out here pixel by pixel, as in the authors' Matlab code
(``getColorExact.m``), and solved densely with numpy.linalg; closed forms (linear interpolation on a path
graph with equal weights, the discrete maximum principle); scikit-image's rgb2lab for the output's L and a*b*.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from skimage import color as skcolor

from colorkit.guided import levin
from colorkit.guided.hints import Hint, hex_color, pixel_of


def loop_weights(L, window=1, eps=2e-6):
    """Levin's affinities one pixel at a time, dense ``N x N``: ``w_rs ~ exp(-(Y_r - Y_s)^2 / c_r)`` over the
    window clipped at the borders, ``Y = L / 100``, ``c_r = max(0.6 var_r, min_s (Y_r - Y_s)^2 / ln 100, eps)``
    (``var_r`` over the window, centre included), each row normalized to sum 1."""
    H, W = L.shape
    Y = np.asarray(L, np.float64) / 100.0
    Wm = np.zeros((H * W, H * W))
    for i in range(H):
        for j in range(W):
            nbrs = [(ii, jj) for ii in range(max(0, i - window), min(H, i + window + 1))
                    for jj in range(max(0, j - window), min(W, j + window + 1)) if (ii, jj) != (i, j)]
            vals = np.array([Y[p] for p in nbrs] + [Y[i, j]])
            var = np.mean((vals - vals.mean()) ** 2)
            d2 = (vals[:-1] - Y[i, j]) ** 2
            c = max(0.6 * var, d2.min() / math.log(100.0), eps)
            g = np.exp(-d2 / c)
            for (ii, jj), wgt in zip(nbrs, g / g.sum()):
                Wm[i * W + j, ii * W + jj] = wgt
    return Wm


def dense_levin(L, hint_ab, mask, window=1, eps=2e-6):
    """Levin's system as the Matlab code writes it, solved densely: hinted rows ``x_r = hint_r``, the others
    ``x_r - sum_s w_rs x_s = 0``."""
    N = L.size
    hinted = np.asarray(mask).reshape(-1) > 0
    A = np.eye(N) - np.where(hinted[:, None], 0.0, loop_weights(L, window, eps))
    b = np.where(hinted[:, None], np.asarray(hint_ab, np.float64).reshape(N, 2), 0.0)
    return np.linalg.solve(A, b).reshape(L.shape + (2,))


def random_problem(h, w, n_hints, seed):
    rng = np.random.default_rng(seed)
    L = rng.uniform(20, 80, (h, w))
    L[:, w // 2:] += 15  # a step as well as texture
    mask = np.zeros((h, w), np.float32)
    mask.reshape(-1)[rng.choice(h * w, n_hints, replace=False)] = 1
    hint_ab = rng.uniform(-60, 60, (h, w, 2)).astype(np.float32)
    return L, hint_ab, mask


@pytest.mark.parametrize("solver", levin.SOLVERS)
@pytest.mark.parametrize("shape, n_hints, window", [((6, 5), 3, 1), ((13, 11), 7, 1), ((9, 10), 4, 2)])
def test_matches_a_dense_solve_of_the_same_equations(solver, shape, n_hints, window):
    L, hint_ab, mask = random_problem(*shape, n_hints, seed=shape[0])
    out = levin.levin_ab(L, hint_ab, mask, window=window, solver=solver)
    ref = dense_levin(L, hint_ab, mask, window=window)
    assert out.shape == shape + (2,) and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, atol=1e-4)


def test_the_variance_floor_eps_matters_on_nearly_flat_l_and_matches_the_dense_solve():
    L, hint_ab, mask = random_problem(8, 7, 3, seed=4)
    L = 50 + (L - 50) * 2e-3  # variations of ~0.1 L units: 0.6 var is below 2e-6 on Y = L / 100
    outs = [levin.levin_ab(L, hint_ab, mask), levin.levin_ab(L, hint_ab, mask, eps=1e-7)]  # default: Levin's 2e-6
    for out, eps in zip(outs, (2e-6, 1e-7)):
        np.testing.assert_allclose(out, dense_levin(L, hint_ab, mask, eps=eps), atol=1e-4)
    assert np.abs(outs[0] - outs[1]).max() > 0.5


def test_weights_are_levins_and_rows_sum_to_one():
    L, _, _ = random_problem(7, 8, 1, seed=3)
    for window in (1, 2):
        Wm = levin.levin_weights(L, window=window).toarray()
        np.testing.assert_allclose(Wm, loop_weights(L, window), atol=1e-12)
        np.testing.assert_allclose(Wm.sum(axis=1), 1.0, atol=1e-12)
        assert (Wm.diagonal() == 0).all() and (np.count_nonzero(Wm, axis=1) <= (2 * window + 1) ** 2 - 1).all()
    # the floors: a flat patch has zero variance, and its weights stay finite and equal
    flat = levin.levin_weights(np.full((3, 3), 50.0)).toarray()
    np.testing.assert_allclose(flat[4], np.r_[np.full(4, 1 / 8), 0, np.full(4, 1 / 8)])


def test_hinted_pixels_keep_exactly_their_colour():
    L, hint_ab, mask = random_problem(24, 31, 40, seed=5)
    hint_ab = hint_ab + np.float32(1 / 3)  # not representable in float64 -> float32 round trips
    for solver in levin.SOLVERS:
        out = levin.levin_ab(L, hint_ab, mask, solver=solver)
        np.testing.assert_array_equal(out[mask > 0], hint_ab[mask > 0])
    # every pixel hinted: nothing to solve, the hints come back
    full = np.ones_like(mask)
    np.testing.assert_array_equal(levin.levin_ab(L, hint_ab, full), hint_ab)


def test_constant_l_on_a_strip_is_linear_interpolation():
    """A 1-pixel-high strip of constant L is a path graph with equal weights: between two hints the solution
    is the straight line, beyond them the nearest hint's colour (zero slope at the free ends)."""
    n, c1, c2 = 20, 3, 15
    L = np.full((1, n), 47.0)
    mask = np.zeros((1, n))
    mask[0, [c1, c2]] = 1
    hint_ab = np.zeros((1, n, 2), np.float32)
    hint_ab[0, c1], hint_ab[0, c2] = (40, -20), (-10, 30)
    out = levin.levin_ab(L, hint_ab, mask)[0]
    cols = np.arange(n)
    t = np.clip((cols - c1) / (c2 - c1), 0, 1)[:, None]
    expected = (1 - t) * hint_ab[0, c1] + t * hint_ab[0, c2]
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_constant_l_in_two_dimensions_is_smooth_and_bounded():
    """Each unhinted pixel is a convex combination of its neighbours, so (discrete maximum principle) every
    value lies between the hints, and along the row joining two hints it changes monotonically."""
    h, w = 21, 41
    L = np.full((h, w), 60.0)
    mask = np.zeros((h, w))
    mask[10, 8] = mask[10, 32] = 1
    hint_ab = np.zeros((h, w, 2), np.float32)
    hint_ab[10, 8], hint_ab[10, 32] = (50, 0), (-30, 20)
    out = levin.levin_ab(L, hint_ab, mask)
    for k, (lo, hi) in enumerate([(-30, 50), (0, 20)]):
        assert out[..., k].min() >= lo - 1e-4 and out[..., k].max() <= hi + 1e-4
    row_a = out[10, 8:33, 0]
    assert (np.diff(row_a) < 1e-6).all() and row_a[0] - row_a[-1] > 70
    np.testing.assert_allclose(out[:, :, 0], out[::-1, :, 0], atol=1e-4)  # the problem's mirror symmetry
    assert abs(out[10, 20, 0] - 10) < 1.5  # halfway: about the mean of the two hints (50 and -30)


def test_a_strong_edge_keeps_each_region_its_own_hint():
    rng = np.random.default_rng(0)
    h, w = 30, 40
    L = np.where(np.arange(w)[None, :] < 17, 30.0, 75.0) + rng.normal(0, 0.5, (h, w))
    mask = np.zeros((h, w))
    red, blue = np.array([55, 35], np.float32), np.array([10, -50], np.float32)
    hint_ab = np.zeros((h, w, 2), np.float32)
    for (r, c), ab in (((5, 3), red), ((25, 36), blue)):  # 3x3 patches far from the edge, at opposite corners
        mask[r - 1:r + 2, c - 1:c + 2] = 1
        hint_ab[r - 1:r + 2, c - 1:c + 2] = ab
    out = levin.levin_ab(L, hint_ab, mask)
    left, right = out[:, :17], out[:, 17:]
    # colours 45 and 85 units apart; a few percent leak through the edge (measured: mean 1.5 / 0.9, max 2.8 / 1.8)
    assert np.abs(left - red).mean() < 2.0 and np.abs(right - blue).mean() < 2.0
    assert np.abs(left - red).max() < 4.0 and np.abs(right - blue).max() < 4.0
    # the same hints on a flat image mix the colours: the edge is what keeps them apart
    flat = levin.levin_ab(np.full((h, w), 50.0), hint_ab, mask)
    assert np.abs(flat[:, :17] - red).mean() > 10


def test_no_hints_gives_zeros_without_solving(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("solved a system without hints")

    monkeypatch.setattr(levin, "_solve", refuse)
    monkeypatch.setattr(levin, "_reduced_system", refuse)
    L, hint_ab, _ = random_problem(12, 9, 1, seed=1)
    out = levin.levin_ab(L, hint_ab, np.zeros((12, 9)))
    assert out.shape == (12, 9, 2) and out.dtype == np.float32 and not out.any()
    rgb = (np.random.default_rng(2).uniform(0, 255, (30, 40, 3))).astype(np.uint8)
    img, ab = levin.levin_colorize(rgb, [], work_size=16, return_ab=True)
    assert not ab.any()
    lab = skcolor.rgb2lab(img)
    assert np.abs(lab[..., 1:]).max() < 1.5  # the gray copy
    assert np.abs(lab[..., 0] - skcolor.rgb2lab(rgb)[..., 0]).max() < 0.8


def photo_like(h=90, w=120):
    """A smooth colour picture with a strong vertical edge (two objects), uint8 RGB."""
    yy, xx = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    r = 0.2 + 0.5 * xx + 0.1 * np.sin(6 * yy)
    g = 0.3 + 0.3 * yy
    b = np.where(xx < 0.5, 0.2, 0.7) + 0.1 * np.cos(5 * xx)
    return (np.clip(np.dstack([r, g, b]), 0, 1) * 255 + 0.5).astype(np.uint8)


def test_levin_colorize_keeps_l_and_puts_the_hint_colour_at_the_hint():
    rgb = photo_like()
    H, W = rgb.shape[:2]
    hints = [Hint(0.2, 0.3, hex_color((200, 60, 50)), radius=2), Hint(0.8, 0.7, hex_color((40, 90, 200)), radius=2)]
    out, ab = levin.levin_colorize(rgb, hints, work_size=64, return_ab=True)
    assert out.shape == rgb.shape and out.dtype == np.uint8 and ab.shape == (H, W, 2)
    lab_in, lab_out = skcolor.rgb2lab(rgb), skcolor.rgb2lab(out)
    assert np.abs(lab_out[..., 0] - lab_in[..., 0]).max() < 0.8  # L kept: only 8-bit rounding
    assert np.abs(lab_out[..., 0] - lab_in[..., 0]).mean() < 0.3
    for hint in hints:
        r, c = pixel_of(hint.x, hint.y, H, W)
        target = np.array(hint.ab)
        assert np.abs(ab[r, c] - target).max() < 2.0, (hint, ab[r, c], target)
        assert np.abs(lab_out[r, c, 1:] - target).max() < 3.0, (hint, lab_out[r, c], target)  # if in gamut
    # a gray photo works too and gives the same picture: only L is used
    gray = (skcolor.rgb2gray(rgb) * 255 + 0.5).astype(np.uint8)
    out_gray = levin.levin_colorize(gray, hints, work_size=64)
    lab_gray = skcolor.rgb2lab(out_gray)
    assert np.abs(lab_gray[..., 0] - skcolor.rgb2lab(np.dstack([gray] * 3))[..., 0]).max() < 0.8
    assert np.abs(lab_gray[..., 1:]).mean() > 5  # coloured


def test_levin_colorize_at_full_size_when_the_photo_is_small():
    rgb = photo_like(20, 30)
    hints = [Hint(0.1, 0.5, "#c03020")]
    _, ab = levin.levin_colorize(rgb, hints, work_size=256, return_ab=True)  # not enlarged: solved at 20x30
    L = skcolor.rgb2lab(rgb)[..., 0].astype(np.float32)
    hint_ab = np.zeros((20, 30, 2), np.float32)
    hint_ab[pixel_of(0.1, 0.5, 20, 30)] = hints[0].ab
    mask = np.zeros((20, 30))
    mask[pixel_of(0.1, 0.5, 20, 30)] = 1
    np.testing.assert_allclose(ab, dense_levin(L, hint_ab, mask), atol=0.05)


def test_nested_dissection_is_a_permutation():
    for h, w in [(1, 1), (1, 37), (5, 5), (17, 64), (64, 17)]:
        order = levin._nested_dissection(h, w)
        np.testing.assert_array_equal(np.sort(order), np.arange(h * w))


@pytest.mark.parametrize("call, message", [
    (lambda: levin.levin_ab(np.zeros((4, 5)), np.zeros((4, 4, 2)), np.zeros((4, 5))), "hint_ab must be HxWx2"),
    (lambda: levin.levin_ab(np.zeros((4, 5)), np.zeros((4, 5, 2)), np.zeros((5, 4))), "mask must be HxW"),
    (lambda: levin.levin_ab(np.zeros((4, 5, 3)), np.zeros((4, 5, 2)), np.zeros((4, 5))), "L must be a 2-D array"),
    (lambda: levin.levin_ab(np.full((4, 5), np.nan), np.zeros((4, 5, 2)), np.ones((4, 5))), "NaN"),
    (lambda: levin.levin_ab(np.zeros((4, 5)), np.zeros((4, 5, 2)), np.ones((4, 5)), solver="cg"), "solver must be"),
    (lambda: levin.levin_ab(np.zeros((4, 5)), np.zeros((4, 5, 2)), np.ones((4, 5)), window=0), "window must be"),
    (lambda: levin.levin_colorize(np.zeros((4, 5, 3), np.float32), []), "image must be uint8"),
    (lambda: levin.levin_colorize(np.zeros((4, 5, 3), np.uint8), [], work_size=0), "work_size must be positive"),
])
def test_bad_input_names_the_fault(call, message):
    with pytest.raises(ValueError, match=message):
        call()
