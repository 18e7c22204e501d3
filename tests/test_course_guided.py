"""colorkit.course.guided: the user-guided lesson's recolouring, its training run and its hint curves."""
import numpy as np
import pytest

from colorkit.course import budgets as B
from colorkit.course import guided


def _photo():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    img[:8] = (200, 60, 40)  # a colourful band (chroma well above 50)
    img[8:12] = (128, 128, 128)  # gray: no hue to turn
    return img


def test_recolor_keeps_lightness_and_turns_the_hue_of_colourful_pixels():
    from skimage.color import rgb2lab

    img = _photo()
    out = guided.recolor(img, 120.0)
    lab_in, lab_out = rgb2lab(img), rgb2lab(out)  # scikit-image as the independent reference
    assert np.abs(lab_out[..., 0] - lab_in[..., 0]).max() < 0.5  # L kept up to 8-bit rounding
    assert np.array_equal(out[8:12], img[8:12])  # gray stays gray
    # the colourful band: same chroma (in gamut or less), hue turned by 120 degrees
    hue = lambda lab: np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))  # noqa: E731
    turned = (hue(lab_out[:8]) - hue(lab_in[:8]) + 180) % 360 - 180
    assert np.allclose(turned, 120.0, atol=2.0)


def test_recolor_by_zero_or_a_full_turn_changes_nothing_and_low_chroma_stays():
    img = _photo()
    assert np.abs(guided.recolor(img, 0.0).astype(int) - img).max() <= 1
    # a full turn: the pixels that turn by the whole angle (the band) and the gray ones come back
    assert np.abs(guided.recolor(img, 360.0)[:12].astype(int) - img[:12]).max() <= 1
    pale = np.full((4, 4, 3), (150, 140, 130), np.uint8)  # chroma about 6: below min_chroma
    assert np.abs(guided.recolor(pale, 90.0).astype(int) - pale).max() <= 1


def test_recolor_refuses_bad_input():
    with pytest.raises(ValueError, match="uint8 HxWx3"):
        guided.recolor(np.zeros((4, 4), np.uint8), 10)
    with pytest.raises(ValueError, match="min_chroma"):
        guided.recolor(_photo(), 10, min_chroma=50, full_chroma=40)


def test_hint_config_reads_the_lessons_budget_and_the_preset():
    from colorkit.train import default_model_kwargs

    cpu = guided.hint_config("cpu", "/tmp/x")
    assert cpu.model == "unet_hints" and cpu.objective == "hints"
    assert cpu.max_minutes == B.budget("08_user_guided", "cpu")["unet_hints"] and cpu.max_steps is None
    assert cpu.model_kwargs == default_model_kwargs("unet_hints", B.as_preset("cpu"))
    assert cpu.out_dir.endswith("unet_hints")
    smoke = guided.hint_config("smoke", "/tmp/x", model_kwargs={"base_width": 4})
    assert smoke.max_steps == B.as_preset("smoke").max_steps and smoke.model_kwargs["base_width"] == 4


TABLE = {"gray copy": {"de2000": 12.0, "psnr": 22.0, "cf": 0.1}, "truth": {"cf": 40.0},
         "levin": {0: {"de2000": 12.0, "psnr": 22.0, "cf": 0.1}, 2: {"de2000": 10.0, "psnr": 24.0, "cf": 8.0},
                   10: {"de2000": 7.0, "psnr": 26.0, "cf": 20.0}},
         "hint_net": {0: {"de2000": 11.0, "psnr": 23.0, "cf": 9.0}, 2: {"de2000": 10.5, "psnr": 23.5, "cf": 10.0},
                      10: {"de2000": 9.0, "psnr": 25.0, "cf": 12.0}}}


def test_hint_frame_has_the_flat_rows_first_then_each_method_and_count():
    frame = guided.hint_frame(TABLE, flat={"reference_unet": {"de2000": 10.8, "psnr": 23.1, "cf": 11.0}})
    assert list(frame.index) == ["gray copy", "reference_unet", "levin_0", "levin_2", "levin_10",
                                 "hint_net_0", "hint_net_2", "hint_net_10"]
    assert frame.loc["levin_10", "de2000"] == 7.0 and frame.loc["hint_net_2", "psnr"] == 23.5
    assert list(frame.columns) == ["de2000", "psnr", "cf"]


def test_fewest_hints_to_beat_a_score():
    assert guided.fewest_hints(TABLE, "levin", 10.8) == 2
    assert guided.fewest_hints(TABLE, "hint_net", 10.2) == 10
    assert guided.fewest_hints(TABLE, "hint_net", 5.0) is None
    assert guided.fewest_hints(TABLE, "levin", 23.1, metric="psnr", lower=False) == 2


def test_plot_hint_curves_draws_every_method_and_flat_line():
    import matplotlib

    matplotlib.use("Agg")
    axes = guided.plot_hint_curves(TABLE, flat={"reference_unet": {"de2000": 10.8, "psnr": 23.1}})
    assert len(axes) == 2
    lines = axes[0].get_lines()
    assert len(lines) == 4  # two methods, the gray copy and the automatic U-Net
    assert list(lines[0].get_xdata()) == [0, 2, 10] and list(lines[0].get_ydata()) == [12.0, 10.0, 7.0]
    assert list(lines[3].get_ydata()) == [10.8, 10.8]  # a flat line
