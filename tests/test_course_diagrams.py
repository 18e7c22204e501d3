import matplotlib

matplotlib.use("Agg")

from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from colorkit.course.diagrams import architecture_stages, plot_architecture, skip_pairs  # noqa: E402
from colorkit.models import build  # noqa: E402


def _shapes(stages):
    return [(s["name"], s["channels"], s["height"]) for s in stages]


def test_unet_stages_follow_the_closed_form_widths_and_strides():
    # widths base_width * 2**i, one halving per level, back up through the same resolutions (notebook 03)
    stages = architecture_stages(build("unet", base_width=8, depth=3), size=64)
    assert _shapes(stages) == [("inc", 8, 64), ("downs.0", 16, 32), ("downs.1", 32, 16), ("downs.2", 64, 8),
                               ("ups.0", 32, 16), ("ups.1", 16, 32), ("ups.2", 8, 64), ("head", 2, 64)]
    with_input = [{"name": "input", "channels": 1, "height": 64, "width": 64}] + stages
    # each encoder level meets the decoder at its own resolution
    assert skip_pairs(with_input) == [(1, 7), (2, 6), (3, 5)]


def test_half_stem_unet_sends_the_input_itself_as_the_last_skip():
    stages = [{"name": "input", "channels": 1, "height": 64, "width": 64}]
    stages += architecture_stages(build("unet", base_width=16, depth=4, stem="half"), size=64)
    pairs = skip_pairs(stages)
    assert len(pairs) == 4 and pairs[0][0] == 0 and stages[pairs[0][1]]["height"] == 64
    assert stages[-1]["channels"] == 2 and stages[1]["height"] == 32  # PixelUnshuffle: first stage at H/2


def test_baseline_cnn_is_an_hourglass_without_skips_and_patchgan_ends_in_one_logit_map():
    st = architecture_stages(build("baseline_cnn", width=16), size=64)
    assert [s["height"] for s in st] == [64, 32, 16, 16, 32, 64] and st[-1]["channels"] == 2
    d = architecture_stages(build("patchgan"), size=64, in_channels=3)
    assert d[-1]["channels"] == 1 and d[-1]["height"] == 6  # 70x70 PatchGAN on 64 px: a 6x6 verdict map


def test_plot_draws_one_box_per_stage_and_one_arrow_per_skip():
    model = build("unet", base_width=8, depth=3)
    ax = plot_architecture(model, size=64, skips=True)
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    arcs = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 1 + 8 and len(arcs) == 3
    assert model.training  # drawing does not leave the model in eval mode
