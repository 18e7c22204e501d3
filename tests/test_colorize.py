"""Full-resolution colorization (colorkit.colorize) and its 8-bit fast LAB path (colorkit.color).

References: scikit-image's rgb2lab/lab2rgb (independent implementation of the same standard).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import color as skcolor
from torch import nn

from colorkit import color
from colorkit import colorize
from colorkit.checkpoint import FORMAT, save_checkpoint
from colorkit.data.samples import load_sample
from colorkit.models import _REGISTRY, register

torch.set_num_threads(1)


class TinyColorizer(nn.Module):
    """A few-parameter colorizer with stride 4 (refuses other sizes, like the zoo's U-Nets)."""

    stride = 4

    def __init__(self, scale: float = 0.5):
        super().__init__()
        self.scale = scale
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.pool = nn.AvgPool2d(4)

    def forward(self, x):
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"size {tuple(x.shape)} not divisible by 4")
        self.last_input_shape = tuple(x.shape)
        y = nn.functional.interpolate(self.conv(self.pool(x)), scale_factor=4, mode="nearest")
        return torch.tanh(y) * self.scale


if "test_tiny_colorizer" not in _REGISTRY:
    register("test_tiny_colorizer")(TinyColorizer)


def tiny_model(seed: int = 0, scale: float = 0.5) -> TinyColorizer:
    torch.manual_seed(seed)
    return TinyColorizer(scale).eval()


class ZeroModel(nn.Module):
    stride = 1

    def forward(self, x):
        return torch.zeros(x.shape[0], 2, *x.shape[2:])


def save_tiny(path, seed: int = 0):
    m = tiny_model(seed)
    save_checkpoint({"format": FORMAT, "model": {"name": "test_tiny_colorizer", "kwargs": {"scale": 0.5}},
                     "state": {"generator": m.state_dict()}, "step": 3, "card": None}, path)
    return m


def random_rgb(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def in_gamut_mask(lab):
    """Pixels whose LAB colour is inside sRGB (scikit-image's conversion, unclipped)."""
    xyz = skcolor.lab2xyz(lab)
    lin = xyz @ skcolor.colorconv.rgb_from_xyz.T
    return ((lin >= -1e-4) & (lin <= 1 + 1e-4)).all(-1)


# --- the fast 8-bit LAB path ---------------------------------------------------------------------
def test_rgb8_to_l_matches_skimage():
    rgb = random_rgb(64, 96)
    ref = skcolor.rgb2lab(rgb)[..., 0]
    assert np.abs(color.rgb8_to_l(rgb) - ref).max() < 2e-3
    gray = rgb[..., 0]
    ref_gray = skcolor.rgb2lab(np.repeat(gray[..., None], 3, -1))[..., 0]
    assert np.abs(color.rgb8_to_l(gray) - ref_gray).max() < 2e-3
    with pytest.raises(TypeError):
        color.rgb8_to_l(rgb.astype(np.float32))


@pytest.mark.filterwarnings("ignore:Conversion from CIE-LAB")
def test_lab_to_rgb8_matches_skimage_within_one_code():
    rng = np.random.default_rng(1)
    L = rng.uniform(0, 100, (80, 70)).astype(np.float32)
    ab = rng.uniform(-60, 60, (80, 70, 2)).astype(np.float32)
    ref = np.round(skcolor.lab2rgb(np.dstack([L, ab])) * 255).astype(int)  # clips out-of-gamut colours
    got = color.lab_to_rgb8(L, ab, gamut="clip").astype(int)
    assert np.abs(got - ref).max() <= 1
    assert (got != ref).mean() < 0.02
    inside = in_gamut_mask(np.dstack([L, ab]))  # the default reduces chroma instead: same colours in gamut
    got = color.lab_to_rgb8(L, ab).astype(int)
    assert np.abs(got - ref)[inside].max() <= 1
    assert (got != ref)[inside].mean() < 0.02
    with pytest.raises(ValueError):
        color.lab_to_rgb8(L, ab[..., :1])


# --- colorize_image ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(37, 101), (101, 37), (5, 3), (64, 64), (130, 70)])
def test_output_keeps_size_any_aspect(shape):
    rgb = random_rgb(*shape, seed=shape[0])
    out = colorize.colorize_image(tiny_model(), rgb, work_size=24)
    assert out.dtype == np.uint8 and out.shape == shape + (3,)


def test_model_sees_padded_working_size():
    m = tiny_model()
    colorize.colorize_image(m, random_rgb(300, 130), work_size=50)
    n, c, h, w = m.last_input_shape
    assert (n, c) == (1, 1) and h == 52 and w == 24  # 50 x 22 padded up to the stride 4
    colorize.colorize_image(m, random_rgb(30, 21), work_size=256)
    assert m.last_input_shape[2:] == (32, 24)  # a small photo is not enlarged, only padded


def test_output_l_equals_input_l_at_full_resolution():
    rgb = load_sample("astronaut")  # 512x512, predicted at 64: detail must still come from the full L
    out, ab = colorize.colorize_image(tiny_model(scale=0.15), rgb, work_size=64, return_ab=True)
    L_in = skcolor.rgb2lab(rgb)[..., 0]
    L_out = skcolor.rgb2lab(out)[..., 0]
    ok = in_gamut_mask(np.dstack([L_in, ab]))
    assert ok.mean() < 0.99  # the white suit and black sky are out of gamut for any strong colour...
    assert np.abs(L_out - L_in).max() < 0.8  # ...and keep their L all the same: only 8-bit rounding
    assert np.abs(L_out - L_in).mean() < 0.3
    assert np.abs(skcolor.rgb2lab(out)[..., 1:]).mean() > 2  # and it did add colour


def test_check_colorizer_accepts_colorizers_and_names_the_problem():
    from colorkit.models import build

    m = tiny_model()
    assert colorize.check_colorizer(m) is m
    with pytest.raises(ValueError, match="not a colorizer"):
        colorize.check_colorizer(build("patchgan"))  # a discriminator: 3 channels in, not L


def test_gray_uint16_float_and_rgba_inputs():
    m = tiny_model()
    rgb = random_rgb(40, 60)
    gray = rgb[..., 1]
    out_gray = colorize.colorize_image(m, gray, work_size=32)
    out_rgb_gray = colorize.colorize_image(m, np.repeat(gray[..., None], 3, -1), work_size=32)
    np.testing.assert_array_equal(out_gray, out_rgb_gray)
    out16 = colorize.colorize_image(m, rgb.astype(np.uint16) * 257, work_size=32)
    out8 = colorize.colorize_image(m, rgb, work_size=32)
    np.testing.assert_array_equal(out16, out8)
    outf = colorize.colorize_image(m, rgb / 255.0, work_size=32)
    assert np.abs(outf.astype(int) - out8).max() <= 1
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    np.testing.assert_array_equal(colorize.colorize_image(m, rgba, work_size=32), out8)
    with pytest.raises(ValueError):
        colorize.colorize_image(m, np.zeros((4, 4, 2), np.uint8))


def test_sepia_tint_is_reduced_to_l_first():
    gray = load_sample("camera")  # 512x512 gray
    g = gray.astype(np.float32) / 255
    sepia = np.clip(np.dstack([g * 1.07, g * 0.74 + 0.05, g * 0.43 + 0.02]), 0, 1)
    sepia8 = (sepia * 255 + 0.5).astype(np.uint8)
    assert np.abs(skcolor.rgb2lab(sepia8)[..., 1:]).mean() > 5  # really toned
    out = colorize.colorize_image(ZeroModel(), sepia8, work_size=64)
    lab_out = skcolor.rgb2lab(out)
    assert np.abs(lab_out[..., 1:]).max() < 1.5  # the tone is gone: a model predicting 0 gives neutral gray
    assert np.abs(lab_out[..., 0] - skcolor.rgb2lab(sepia8)[..., 0]).max() < 0.8
    np.testing.assert_array_equal(colorize.gray_image(sepia8), out)
    # a toned print with the photo's own L colorizes like the photo (a real model this time)
    mid = (40 + gray.astype(np.float32) * (180 / 255)).astype(np.uint8)  # no near-black: sepia fits the gamut
    toned = colorize.tint(mid, a=6, b=20)
    assert np.abs(skcolor.rgb2lab(toned)[..., 2]).mean() > 15
    m = tiny_model()
    diff = colorize.colorize_image(m, toned, work_size=64).astype(int) - colorize.colorize_image(m, mid, work_size=64)
    assert np.abs(diff).max() <= 2 and np.abs(diff).mean() < 0.3  # 8-bit rounding of the toned print


def test_classifier_style_predict_ab_hook_gets_options():
    class WithHook(nn.Module):
        stride = 1

        def predict_ab(self, L, temperature=1.0):
            return torch.full((L.shape[0], 2, *L.shape[2:]), 0.1 * temperature)

    rgb = np.full((20, 30, 3), 128, np.uint8)
    a1 = colorize.colorize_image(WithHook(), rgb, work_size=10, return_ab=True)[1]
    a2 = colorize.colorize_image(WithHook(), rgb, work_size=10, temperature=2.0, return_ab=True)[1]
    np.testing.assert_allclose(a1, color.AB_SCALE * 0.1, rtol=1e-5)
    np.testing.assert_allclose(a2, 2 * a1, rtol=1e-5)


# --- files and the command line -------------------------------------------------------------------
def test_colorize_file_handles_exif_16bit_palette_alpha(tmp_path):
    m = tiny_model()
    rgb = random_rgb(30, 50)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees: the upright photo is 50 high, 30 wide
    Image.fromarray(rgb).save(tmp_path / "rot.jpg", exif=exif)
    Image.fromarray((rgb[..., 0].astype(np.uint16) * 257)).save(tmp_path / "deep.png")
    Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE).save(tmp_path / "pal.png")
    Image.fromarray(np.dstack([rgb, np.full((30, 50), 128, np.uint8)])).save(tmp_path / "alpha.png")
    sizes = {"rot": (30, 50), "deep": (50, 30), "pal": (50, 30), "alpha": (50, 30)}
    for stem, size in sizes.items():
        src = next(tmp_path.glob(stem + ".*"))
        res = colorize.colorize_file(m, src, tmp_path / "out" / f"{stem}.png", work_size=16, compare=True)
        with Image.open(res["dst"]) as im:
            assert im.size == size and im.mode == "RGB"
        with Image.open(res["compare"]) as im:
            assert im.size == (2 * size[0] + 16, size[1])


def test_output_names_never_clash_or_replace_inputs(tmp_path):
    a = tmp_path / "a.jpg"
    b = tmp_path / "a.png"
    c = tmp_path / "sub" / "c.png"
    names = colorize.output_names([a, b, c], tmp_path)
    assert names[0].name == "a_jpg.png" and names[1].name == "a_png.png"
    assert len(set(names)) == 3
    names = colorize.output_names([c], tmp_path / "sub")
    assert names[0] != c and names[0].name == "c_colorized.png"


def test_cli_colorize_files_and_folders(tmp_path, capsys):
    from colorkit.cli import main

    ckpt = tmp_path / "tiny.pt"
    save_tiny(ckpt)
    folder = tmp_path / "photos"
    folder.mkdir()
    for i, name in enumerate(["one.jpg", "two.png"]):
        Image.fromarray(random_rgb(24 + i, 40, seed=i)).save(folder / name)
    (folder / "broken.jpg").write_bytes(b"not a photo")
    single = tmp_path / "three.png"
    Image.fromarray(load_sample("camera")[:64, :48]).save(single)
    out = tmp_path / "out"
    rc = main(["colorize", "--checkpoint", str(ckpt), str(folder), str(single), "--out", str(out),
               "--compare", "--size", "32"])
    assert rc == 1  # one input was skipped, the others were written
    assert "broken.jpg" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "one.png", "one_compare.png", "three.png", "three_compare.png", "two.png", "two_compare.png"]
    with Image.open(out / "three.png") as im:
        assert im.size == (48, 64)


def test_cli_model_name_from_course_checkpoints(tmp_path, monkeypatch):
    from colorkit.cli import main
    from colorkit.paths import checkpoint_path

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLORKIT_PRESET", "smoke")
    save_tiny(checkpoint_path("tiny", "smoke"))
    src = tmp_path / "p.png"
    Image.fromarray(random_rgb(20, 20)).save(src)
    assert main(["colorize", "--model", "tiny", str(src), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "p.png").is_file()

def test_cli_refuses_bad_checkpoints_and_skips_missing_inputs(tmp_path, monkeypatch, capsys):
    from colorkit.cli import main

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    src = tmp_path / "p.png"
    Image.fromarray(random_rgb(20, 20)).save(src)
    assert main(["colorize", "--model", "nope", str(src), "--out", str(tmp_path / "o")]) == 2
    assert "no trained checkpoint named 'nope'" in "".join(capsys.readouterr())  # stdout or stderr
    ckpt = tmp_path / "tiny.pt"
    save_tiny(ckpt)
    assert main(["colorize", "--checkpoint", str(ckpt), "--sha256", "0" * 64, str(src), "--out", str(tmp_path)]) == 2
    assert "SHA-256" in "".join(capsys.readouterr())
    rc = main(["colorize", "--checkpoint", str(ckpt), str(tmp_path / "gone.jpg"), str(src),
               "--out", str(tmp_path / "o")])
    assert rc == 1 and "gone.jpg: no such file" in capsys.readouterr().out
    assert (tmp_path / "o" / "p.png").is_file()


def test_vae_sample_seed_draws_differ_and_repeat():
    from colorkit.models import build

    torch.manual_seed(0)
    vae = build("unet_vae", base_width=4, depth=2, latent_channels=2).eval()
    rgb = load_sample("chelsea")[::4, ::4]
    a = colorize.colorize_image(vae, rgb, work_size=32, sample_seed=1, return_ab=True)[1]
    b = colorize.colorize_image(vae, rgb, work_size=32, sample_seed=2, return_ab=True)[1]
    a2 = colorize.colorize_image(vae, rgb, work_size=32, sample_seed=1, return_ab=True)[1]
    np.testing.assert_array_equal(a, a2)
    assert np.abs(a - b).mean() > 1e-3
    with pytest.raises(TypeError, match="cannot sample"):
        colorize.colorize_image(tiny_model(), rgb, sample_seed=1)


# --- the working size follows the training size (issue 11) ------------------------------------------
def test_checkpoint_records_the_training_size_and_loaders_attach_it(tmp_path):
    from types import SimpleNamespace

    from colorkit.checkpoint import load
    from colorkit.train import TrainConfig, checkpoint_dict

    m = tiny_model()
    objective = SimpleNamespace(state_dict=lambda: {"state": {"generator": m.state_dict()}, "optim": {}, "scaler": {}},
                                progress=0.5)
    config = TrainConfig(model="test_tiny_colorizer", model_kwargs={"scale": 0.5}, max_steps=1)
    ckpt = checkpoint_dict(objective, config, 1, 1.0, 8, [], [], image_size=64)
    assert ckpt["card"]["image_size"] == 64
    assert "image_size" not in checkpoint_dict(objective, config, 1, 1.0, 8, [], [])["card"]
    save_checkpoint(ckpt, tmp_path / "m.pt")
    assert load(tmp_path / "m.pt").colorkit_train_size == 64


def test_colorize_predicts_at_the_training_size_unless_told(tmp_path, monkeypatch):
    from colorkit.checkpoint import load

    m = save_tiny(tmp_path / "m.pt")
    ckpt = torch.load(tmp_path / "m.pt", weights_only=True)
    ckpt["card"] = {"image_size": 64}
    save_checkpoint(ckpt, tmp_path / "m.pt")
    model = load(tmp_path / "m.pt")
    photo = random_rgb(300, 200)
    colorize.colorize_image(model, photo)
    assert model.last_input_shape[2:] == (64, 44)  # long side 64 (200 * 64 / 300 = 42.7 -> 43, padded to 44)
    colorize.colorize_image(model, photo, work_size=128)
    assert model.last_input_shape[2:] == (128, 88)  # work_size overrides
    m.last_input_shape = None
    colorize.colorize_image(m, photo)  # a model nobody loaded from a checkpoint: the old default, 256
    assert m.last_input_shape[2:] == (256, 172)


def test_cli_size_defaults_to_the_training_size_and_size_overrides(tmp_path, monkeypatch):
    from colorkit.cli import main

    seen = []
    real = colorize.predict_ab
    monkeypatch.setattr(colorize, "predict_ab", lambda model, x, **kw: seen.append(tuple(x.shape[2:])) or real(model, x, **kw))
    save_tiny(tmp_path / "m.pt")
    ckpt = torch.load(tmp_path / "m.pt", weights_only=True)
    ckpt["card"] = {"image_size": 32}
    save_checkpoint(ckpt, tmp_path / "m.pt")
    src = tmp_path / "p.png"
    Image.fromarray(random_rgb(100, 80)).save(src)
    assert main(["colorize", "--checkpoint", str(tmp_path / "m.pt"), str(src), "--out", str(tmp_path / "o")]) == 0
    assert main(["colorize", "--checkpoint", str(tmp_path / "m.pt"), str(src), "--out", str(tmp_path / "o"),
                 "--size", "48"]) == 0
    assert seen == [(32, 28), (48, 40)]  # 80 * 32 / 100 = 25.6 -> 26 -> 28; 80 * 48 / 100 = 38.4 -> 38 -> 40


def test_train_image_size_falls_back_for_old_checkpoints(tmp_path):
    from colorkit.checkpoint import train_image_size
    from colorkit.presets import PRESETS

    assert PRESETS["smoke"].image_size == 32 and PRESETS["cpu"].image_size == 64 and PRESETS["gpu"].image_size == 256
    assert train_image_size({"card": {"image_size": 48, "preset": "gpu"}}) == 48
    assert train_image_size({"card": {"data": {"image_size": 96}}}) == 96  # hub.make_card's data dict
    assert train_image_size({"card": {"preset": "cpu"}}) == 64
    assert train_image_size({"card": None, "config": {"extra": {"preset": "smoke"}}}) == 32
    assert train_image_size({}, path=tmp_path / "runs" / "checkpoints" / "cpu" / "unet.pt") == 64
    assert train_image_size({"config": {"out_dir": "runs/03_unet/smoke"}}) == 32
    assert train_image_size({"card": {"notes": "x"}, "config": {"out_dir": "runs/train"}}, path="gpu.pt") == 256
    assert train_image_size({}) == 256
    # the card read from the .json beside the file wins over the checkpoint's own
    assert train_image_size({"card": {"preset": "gpu"}}, card={"preset": "smoke"}) == 32


def test_training_records_its_image_size_and_load_trained_attaches_it(tmp_path):
    """The engine writes the side of its training images into the card (24 here, no preset says 24), and
    both loaders give the model that size, so colorization predicts at the training scale by default."""
    import colorkit
    from colorkit.train import TrainConfig, train
    from colorkit.checkpoint import load_trained

    L, ab = torch.rand(4, 1, 24, 24) * 2 - 1, torch.zeros(4, 2, 24, 24)
    cfg = TrainConfig(model="baseline_cnn", model_kwargs={"width": 8}, max_steps=1, batch_size=2,
                      out_dir=str(tmp_path / "run"), tensorboard=False, progress_bar=False, live_plot=False,
                      eval_images=2, n_visuals=2)
    res = train(cfg, (L, ab), (L, ab), resume=False)
    model, ckpt = load_trained(res.checkpoint)
    assert ckpt["card"]["image_size"] == 24
    assert model.colorkit_train_size == 24
    assert colorkit.load(res.checkpoint).colorkit_train_size == 24
    assert colorize.model_work_size(model) == 24


def test_takes_temperature_only_for_an_annealed_mean_colorizer():
    """Lesson 06's classifier takes ``temperature``; a U-Net does not, nor does the hint network (it takes hints)."""
    from colorkit.colorize import takes_temperature
    from colorkit.models import build

    assert takes_temperature(build("unet_classifier", base_width=4, depth=2))
    assert not takes_temperature(build("unet", base_width=4, depth=2))
    assert not takes_temperature(build("unet_hints", base_width=4, depth=2))
    assert not takes_temperature(object())
