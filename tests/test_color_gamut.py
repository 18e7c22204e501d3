"""Out-of-gamut colours lose chroma at constant L and hue (colorkit.color.lab_to_rgb8, issue 11).

References: scikit-image's rgb2lab / lab2xyz (an independent implementation of the same standard): the
output's L and hue are measured on the uint8 output with scikit-image, never with colorkit itself.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage import color as skcolor
from torch import nn

from colorkit import color
from colorkit import colorize
from colorkit.data.samples import load_sample

torch.set_num_threads(1)


def in_gamut(lab, margin=0.0):
    """Pixels whose LAB colour is inside sRGB by ``margin`` in linear light (scikit-image, unclipped)."""
    lin = skcolor.lab2xyz(lab) @ skcolor.colorconv.rgb_from_xyz.T
    return ((lin >= margin) & (lin <= 1 - margin)).all(-1)


def hue_difference_deg(ab1, ab2):
    d = np.arctan2(ab1[..., 1], ab1[..., 0]) - np.arctan2(ab2[..., 1], ab2[..., 0])
    return np.degrees(np.abs(np.angle(np.exp(1j * d))))


@pytest.fixture(scope="module")
def extreme():
    """Lightness of a real photo with random a*b* in [-110, 110]: most colours are out of gamut."""
    L = skcolor.rgb2lab(load_sample("astronaut")[::2, ::2])[..., 0].astype(np.float32)  # 256x256
    ab = np.random.default_rng(0).uniform(-110, 110, L.shape + (2,)).astype(np.float32)
    return L, ab


@pytest.mark.filterwarnings("ignore:Conversion from CIE-LAB")
def test_random_ab_keeps_lightness_and_hue(extreme):
    L, ab = extreme
    outside = ~in_gamut(np.dstack([L, ab]))
    assert outside.mean() > 0.5  # the case this test is about

    out = color.lab_to_rgb8(L, ab)
    lab = skcolor.rgb2lab(out)
    dL = np.abs(lab[..., 0] - L)
    assert np.percentile(dL, 99) < 1.0  # acceptance (issue 11)
    assert dL.max() < 1.0  # what we get: 8-bit rounding, about 0.25 at most

    # hue kept where it is measurable after 8-bit rounding (chroma above 20)
    C_out = np.hypot(lab[..., 1], lab[..., 2])
    sel = outside & (C_out > 20)
    assert sel.sum() > 1000
    dh = hue_difference_deg(lab[..., 1:], ab)[sel]
    assert np.percentile(dh, 99) < 2.0 and dh.max() < 5.0

    # chroma only reduced, and only as far as needed: the colour lands on the gamut's surface (a channel
    # at 0 or 255 within a few codes), not somewhere inside
    C_in = np.hypot(ab[..., 0], ab[..., 1])
    assert (C_out[outside] <= C_in[outside] + 1.0).all()
    o = out[outside].astype(int)
    on_surface = (o.min(-1) <= 3) | (o.max(-1) >= 252)
    assert on_surface.mean() > 0.99

    # and plain RGB clipping, the old behaviour, fails the same lightness test (the test can fail)
    clipped = skcolor.rgb2lab(color.lab_to_rgb8(L, ab, gamut="clip"))[..., 0]
    assert np.percentile(np.abs(clipped - L), 99) > 5


@pytest.mark.filterwarnings("ignore:Conversion from CIE-LAB")
def test_in_gamut_pixels_are_unchanged(extreme):
    L, _ = extreme
    ab = np.random.default_rng(1).uniform(-60, 60, L.shape + (2,)).astype(np.float32)
    inside = in_gamut(np.dstack([L, ab]), margin=1e-3)
    assert 0.2 < inside.mean() < 0.9  # a mix of both
    chroma = color.lab_to_rgb8(L, ab)
    np.testing.assert_array_equal(chroma[inside], color.lab_to_rgb8(L, ab, gamut="clip")[inside])
    ref = np.round(skcolor.lab2rgb(np.dstack([L, ab])) * 255).astype(int)
    assert np.abs(chroma[inside].astype(int) - ref[inside]).max() <= 1
    # a picture entirely in gamut comes out the same either way
    rgb = load_sample("coffee")[::4, ::4]
    lab = skcolor.rgb2lab(rgb).astype(np.float32)
    np.testing.assert_array_equal(color.lab_to_rgb8(lab[..., 0], lab[..., 1:]),
                                  color.lab_to_rgb8(lab[..., 0], lab[..., 1:], gamut="clip"))
    with pytest.raises(ValueError, match="gamut"):
        color.lab_to_rgb8(L, ab, gamut="nope")


def test_extremes_of_lightness_and_chroma():
    """L = 0 and 100 (only gray fits), huge chroma, every hue: black, white, and exact L in between."""
    hues = np.linspace(-np.pi, np.pi, 64, endpoint=False)
    L = np.repeat(np.array([0, 0.5, 5, 25, 50, 75, 95, 99.5, 100], np.float32)[:, None], 64, 1)
    ab = np.stack([np.cos(hues), np.sin(hues)], -1)[None].repeat(len(L), 0).astype(np.float32) * 300
    out = color.lab_to_rgb8(L, ab)
    assert (out[0] == 0).all() and (out[-1] == 255).all()
    assert np.abs(skcolor.rgb2lab(out)[..., 0] - L).max() < 0.5


class SaturatedModel(nn.Module):
    """The worst a colorizer can do: a*b* at +-110 everywhere, in a checkerboard of hues."""

    stride = 1

    def forward(self, x):
        n, _, h, w = x.shape
        yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
        sign = ((yy // 3 + xx // 5) % 2 * 2 - 1).float()
        return torch.stack([sign, -torch.ones_like(sign) * (xx % 2 * 2 - 1)], 0)[None].expand(n, 2, h, w)


@pytest.mark.filterwarnings("ignore:Conversion from CIE-LAB")
def test_colorize_image_keeps_the_photos_lightness_for_any_model():
    """Full resolution: a*b* predicted at 40 px and upsampled, then mapped into the gamut."""
    rgb = load_sample("chelsea")  # 300x451
    out, ab = colorize.colorize_image(SaturatedModel(), rgb, work_size=40, return_ab=True)
    L_in = skcolor.rgb2lab(rgb)[..., 0]
    dL = np.abs(skcolor.rgb2lab(out)[..., 0] - L_in)
    assert np.percentile(dL, 99) < 1.0 and dL.mean() < 0.3
    assert (~in_gamut(np.dstack([L_in, ab]))).mean() > 0.7  # what the model asked for was mostly impossible


@pytest.mark.filterwarnings("ignore:Conversion from CIE-LAB")
def test_max_chroma_is_the_gamut_surface_by_scikit_image():
    rng = np.random.default_rng(3)
    L = rng.uniform(2, 98, 4000).astype(np.float32)
    hue = rng.uniform(-np.pi, np.pi, 4000).astype(np.float32)
    cmax = color.max_chroma(L, hue)
    assert cmax.shape == L.shape and (cmax > 0).all() and (cmax < 140).all()

    def inside(c):  # scikit-image's conversion, unclipped
        return in_gamut(np.stack([L, c * np.cos(hue), c * np.sin(hue)], -1)[:, None].astype(np.float64))[:, 0]

    lo, hi = np.zeros(len(L)), np.full(len(L), 200.0)  # the reference: bisection on scikit-image's gamut test
    for _ in range(30):
        mid = (lo + hi) / 2
        ok = inside(mid)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    err = cmax - lo
    assert np.percentile(np.abs(err), 99) < 0.05
    assert err.max() < 0.15  # hardly ever above the surface (what is, lab_to_rgb8 clips: a tiny change)
    assert err.min() > -0.6  # below it by at most half a unit, at the cusps of the gamut (yellow, L 75-80)
    # closed forms: gray only at black and white; the sRGB red primary at its hue and L
    assert color.max_chroma(np.float32([0, 100]), np.float32([1.0, 1.0])).max() < 0.5
    red = skcolor.rgb2lab(np.array([[[1.0, 0, 0]]]))[0, 0]
    c_red = color.max_chroma(np.float32(red[0]), np.float32(np.arctan2(red[2], red[1])))
    assert c_red == pytest.approx(np.hypot(red[1], red[2]), abs=1.0)
