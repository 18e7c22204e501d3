"""Widgets driven from Python: the picture follows the controls; static PNG fallbacks need no kernel."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from colorkit import widgets
from colorkit.data.samples import load_sample

torch.set_num_threads(1)


def solid(h, w, rgb):
    return np.broadcast_to(np.array(rgb, np.uint8), (h, w, 3)).copy()


def decode_png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


class TintModel(nn.Module):
    """Predicts a constant ab (normalized) everywhere: enough to tell models apart."""

    stride = 1

    def __init__(self, a: float, b: float):
        super().__init__()
        self.ab = nn.Parameter(torch.tensor([a, b]).view(1, 2, 1, 1), requires_grad=False)

    def forward(self, x):
        return self.ab.expand(x.shape[0], 2, *x.shape[2:])


def test_before_after_left_is_first_right_is_second_and_follows_position():
    red, blue = solid(60, 100, (255, 0, 0)), solid(30, 77, (0, 0, 255))  # different sizes
    w = widgets.BeforeAfter(red, blue, position=0.25)
    pic = w.picture
    assert pic.shape == (60, 100, 3)
    assert (pic[:, :23] == (255, 0, 0)).all() and (pic[:, 27:] == (0, 0, 255)).all()
    before = pic.copy()
    w.position = 0.75
    pic = w.picture
    assert not np.array_equal(pic, before)
    assert (pic[:, :73] == (255, 0, 0)).all() and (pic[:, 77:] == (0, 0, 255)).all()
    w.position = 0.0
    assert (w.picture == (0, 0, 255)).all()
    w.position = 1.7  # clamped
    assert (w.picture == (255, 0, 0)).all()


def test_before_after_driven_through_the_ipywidgets_slider():
    w = widgets.BeforeAfter(solid(40, 80, (0, 255, 0)), solid(40, 80, (255, 255, 255)), position=0.5)
    view = w.widget
    slider = w._slider
    first_png = w._image.value
    slider.value = 0.1  # what moving the slider on screen does
    assert w.position == pytest.approx(0.1)
    assert w._image.value != first_png
    shown = decode_png(w._image.value)
    assert (shown[:, :6] == (0, 255, 0)).all() and (shown[:, 10:] == 255).all()
    w.position = 0.9  # and setting it from Python moves the on-screen slider
    assert slider.value == pytest.approx(0.9)
    assert view is w.widget


def test_static_fallback_without_a_kernel(tmp_path):
    from IPython import get_ipython

    assert get_ipython() is None  # plain pytest: no kernel, no frontend
    w = widgets.BeforeAfter(solid(50, 90, (255, 0, 0)), solid(50, 90, (0, 0, 255)), position=0.5,
                            labels=("gray", "colorized"))
    bundle = w._repr_mimebundle_()
    import base64

    png = decode_png(base64.b64decode(bundle["image/png"]))
    assert png.shape[1] == 90 and png.shape[0] > 50  # the picture and its caption strip
    assert (png[:50, :40] == (255, 0, 0)).all() and (png[:50, 50:] == (0, 0, 255)).all()
    assert "gray" in bundle["text/plain"]
    path = w.save(tmp_path / "fallback.png")
    np.testing.assert_array_equal(decode_png(path.read_bytes()), png)


def test_live_view_in_a_kernel_on_ipywidgets_7_and_8(monkeypatch):
    """In a kernel the output carries the live widget's view next to the static PNG. ipywidgets 7.x
    (what Colab ships) has no ``_repr_mimebundle_``: tests/test_bootstrap.py runs this file under 7.7.1."""
    import ipywidgets

    monkeypatch.setattr(widgets, "_kernel_running", lambda: True)
    w = widgets.BeforeAfter(solid(20, 30, (255, 0, 0)), solid(20, 30, (0, 0, 255)))
    bundle = w._repr_mimebundle_()
    assert bundle.get(widgets.WIDGET_VIEW_MIME) == {"version_major": 2, "version_minor": 0,
                                                    "model_id": w.widget.model_id}, ipywidgets.__version__
    assert bundle["image/png"] and bundle["text/plain"].startswith("<BeforeAfter")
    w.widget.close()  # a closed widget has no view (8.x sets its _repr_mimebundle_ to None)
    assert widgets.WIDGET_VIEW_MIME not in w._repr_mimebundle_()


def test_view_bundle_of_a_widget_without_repr_mimebundle_is_written_as_7x_writes_it():
    class Widget7:  # ipywidgets 7.x: only _ipython_display_
        _view_name = "ImageView"
        model_id = "abc123"
        comm = object()

    class Model7(Widget7):
        _view_name = None

    class Closed7(Widget7):
        comm = None

    assert widgets._view_bundle(Widget7()) == {widgets.WIDGET_VIEW_MIME: {
        "version_major": 2, "version_minor": 0, "model_id": "abc123"}}
    assert widgets._view_bundle(Model7()) == {} and widgets._view_bundle(Closed7()) == {}


def test_compare_widget_dropdown_slider_and_metrics():
    photo = load_sample("coffee")[::4, ::4]  # 100x150 colour photo: it is its own ground truth
    models = {"reddish": TintModel(0.3, 0.1), "bluish": TintModel(-0.05, -0.3)}
    w = widgets.CompareWidget(photo, models, position=0.5, work_size=32)
    assert w.options == ["reddish", "bluish", widgets.CompareWidget.GRAY, widgets.CompareWidget.TRUTH]
    red_pic = w.picture.copy()
    w.choice = "bluish"
    blue_pic = w.picture
    half = blue_pic.shape[1] // 2
    np.testing.assert_array_equal(blue_pic[:, : half - 2], red_pic[:, : half - 2])  # left: gray input, same
    assert not np.array_equal(blue_pic[:, half + 2:], red_pic[:, half + 2:])  # right: the chosen model
    np.testing.assert_array_equal(blue_pic[:, half + 2:], w.colorization("bluish")[:, half + 2:])
    m = w.metrics("bluish")
    assert set(m) >= {"dE2000", "PSNR", "colorfulness"} and m["dE2000"] > 0
    assert w.metrics(widgets.CompareWidget.TRUTH)["dE2000"] == pytest.approx(0, abs=1e-6)
    text = " ".join(w.caption())
    assert "bluish: dE2000" in text and "gray copy: dE2000" in text
    w.position = 0.0
    np.testing.assert_array_equal(w.picture, w.colorization("bluish"))
    w.left = widgets.CompareWidget.TRUTH
    w.position = 1.0
    np.testing.assert_array_equal(w.picture, w.photo)
    # through the on-screen controls
    w.widget
    w._dropdown.value = "reddish"
    assert w.choice == "reddish"
    with pytest.raises(ValueError):
        w.choice = "nope"


def test_compare_widget_takes_fitted_baselines_and_functions():
    from colorkit.evaluate.baselines import LightnessLookup

    photo = load_sample("coffee")[::4, ::4]
    train = [load_sample(n)[::4, ::4] for n in ("astronaut", "chelsea", "rocket")]
    lookup = LightnessLookup().fit(train)
    w = widgets.CompareWidget(photo, {"L lookup": lookup, "inverted": lambda rgb: 255 - rgb}, position=0.0)
    expected = np.round(np.clip(lookup.colorize(w.photo), 0, 1) * 255).astype(np.uint8)
    np.testing.assert_array_equal(w.picture, expected)
    w.choice = "inverted"
    np.testing.assert_array_equal(w.picture, 255 - w.photo)


def test_compare_widget_black_and_white_photo_has_no_metrics():
    gray = load_sample("camera")[::4, ::4]
    w = widgets.CompareWidget(gray, {"m": TintModel(0.2, 0.2)}, work_size=32)
    assert w.truth is None and widgets.CompareWidget.TRUTH not in w.options
    assert "no ground truth" in " ".join(w.caption())
    assert w.png()[:8] == b"\x89PNG\r\n\x1a\n"
    from colorkit.colorize import tint

    sepia = widgets.CompareWidget(tint(gray, 6, 20), {"m": TintModel(0.2, 0.2)}, work_size=32)
    assert sepia.truth is None  # a toned print is not a colour ground truth
    from colorkit.color import lab_to_rgb8, rgb8_to_l

    L = rgb8_to_l(gray)
    strength = (4 * L / 100 * (1 - L / 100))[..., None]  # toning strongest in the mid-tones, like silver prints
    split_toned = lab_to_rgb8(L, strength * np.array([8.0, 25.0], np.float32))
    assert not widgets._has_colour(split_toned)
    assert all(widgets._has_colour(load_sample(n)) for n in ("astronaut", "chelsea", "coffee", "rocket"))


def test_vae_sampler_button_draws_another_colorization():
    from colorkit.models import build

    torch.manual_seed(0)
    vae = build("unet_vae", base_width=4, depth=2, latent_channels=2).eval()
    w = widgets.VAESampler(vae, load_sample("chelsea")[::4, ::4], seed=5, temperature=3.0, work_size=32)
    first = w.picture.copy()
    w.widget
    w._button.click()  # the on-screen button
    assert w.seed == 6 and w.draws == 1
    second = w.picture.copy()
    assert not np.array_equal(first, second)
    w.seed = 5  # a draw is reproducible from its seed
    np.testing.assert_array_equal(w.picture, first)
    with pytest.raises(TypeError, match="needs a VAE"):
        widgets.VAESampler(TintModel(0, 0), first)


def test_temperature_slider_changes_the_classifier_picture():
    from colorkit.models import build

    torch.manual_seed(0)
    clf = build("unet_classifier", base_width=4, depth=2).eval()
    with torch.no_grad():  # make the bins matter: random but confident logits
        clf.body.head.weight.mul_(40)
    w = widgets.TemperatureSlider(clf, load_sample("astronaut")[::8, ::8], temperature=0.38, work_size=32)
    at_038 = w.picture.copy()
    w.widget
    w._slider.value = 1.0
    assert w.temperature == 1.0
    at_1 = w.picture.copy()
    assert not np.array_equal(at_038, at_1)
    w.temperature = 0.0
    assert w._slider.value == 0.0 and "T = 0.00" in w.caption()[0]
    w.temperature = 0.38
    np.testing.assert_array_equal(w.picture, at_038)
