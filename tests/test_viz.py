"""Plotting helpers (colorkit.viz): conversions checked against closed forms, figures against their content."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from colorkit import viz  # noqa: E402


def test_to_rgb_uint8_accepts_every_image_form():
    g = np.array([[0.0, 0.5], [1.0, 2.0]])
    np.testing.assert_array_equal(viz.to_rgb_uint8(g)[..., 0], [[0, 128], [255, 255]])  # clipped, rounded
    assert viz.to_rgb_uint8(g).shape == (2, 2, 3)
    u16 = np.array([[0, 65535]], np.uint16)
    np.testing.assert_array_equal(viz.to_rgb_uint8(u16)[0, :, 1], [0, 255])
    t = torch.zeros(3, 4, 5)
    t[0] = 1.0
    out = viz.to_rgb_uint8(t)
    assert out.shape == (4, 5, 3) and (out[..., 0] == 255).all() and (out[..., 1:] == 0).all()
    assert viz.to_rgb_uint8(torch.rand(1, 1, 6, 7)).shape == (6, 7, 3)
    rgba = np.zeros((2, 2, 4), np.uint8)
    assert viz.to_rgb_uint8(rgba).shape == (2, 2, 3)
    with pytest.raises(ValueError):
        viz.to_rgb_uint8(np.zeros((2, 2, 2)))


def test_resize_and_fit_within_keep_aspect():
    img = np.zeros((100, 300, 3), np.uint8)
    assert viz.fit_within(img, 150).shape == (50, 150, 3)
    assert viz.fit_within(img, 1000) is img  # never enlarges
    assert viz.resize_to(img, 7, 9).shape == (7, 9, 3)


def test_before_after_and_side_by_side():
    a = np.full((10, 20, 3), 10, np.uint8)
    b = np.full((5, 10, 3), 200, np.uint8)
    ba = viz.before_after(a, b, position=0.5, line=0)
    assert (ba[:, :10] == 10).all() and (ba[:, 10:] == 200).all()
    sbs = viz.side_by_side([a, b], gap=4)
    assert sbs.shape == (10, 20 + 4 + 20, 3)  # b scaled to a's height keeps its aspect
    assert (sbs[:, 20:24] == 255).all()


def test_show_images_save_and_render(tmp_path):
    imgs = [np.zeros((8, 8, 3), np.uint8), np.ones((8, 8)), torch.rand(3, 8, 8)]
    fig = viz.show_images(imgs, titles=["a", "b", "c"], ncols=2)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled == ["a", "b", "c"] and len(fig.axes) == 4
    arr = viz.figure_to_array(fig)
    assert arr.ndim == 3 and arr.shape[2] == 3
    path = viz.save_figure(fig, tmp_path / "sub" / "grid.png", close=True)
    assert Image.open(path).size[0] > 0
    with pytest.raises(ValueError):
        viz.show_images(imgs, titles=["only one"])


def test_png_bytes_round_trip():
    img = np.random.default_rng(0).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(viz.image_to_png_bytes(img))))
    np.testing.assert_array_equal(back, img)


def test_ab_histogram_counts_every_pixel_and_curves():
    ab = np.random.default_rng(0).normal(0, 20, (30, 40, 2))
    ax = viz.ab_histogram(ab, log=False)
    mesh = ax.collections[0]
    assert mesh.get_array().sum() == pytest.approx(30 * 40)
    assert ax.get_xlabel() == "a*"
    ax = viz.plot_curves({"train": [3, 2, 1], "val": ([0, 2], [2.5, 1.5])})
    assert [line.get_label() for line in ax.lines] == ["train", "val"]
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [0, 2])


def test_add_caption_adds_a_text_strip():
    img = np.zeros((20, 200, 3), np.uint8)
    out = viz.add_caption(img, ["dE2000 9.1", "second line"])
    assert out.shape[0] > 20 + 20 and out.shape[1] == 200
    np.testing.assert_array_equal(out[:20], img)
    strip = out[20:]
    assert (strip < 128).any() and (strip == 255).mean() > 0.5  # dark text on white
    np.testing.assert_array_equal(viz.add_caption(img, []), img)
