"""User-guided colorization at full resolution (colorkit.colorize_guided).

References: scikit-image's rgb2lab (the output's L against the input's, the output's a*b* at a hint against the
hint colour's own a*b*), the closed form of the pixel that holds a position, and the automatic pipeline of
colorkit.colorize where no hint is given. The hint model is a stand-in (:class:`HintEcho`), so nothing trains.
"""
from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from skimage import color as skcolor
from torch import nn

from colorkit import colorize
from colorkit import colorize_guided as cg
from colorkit.checkpoint import FORMAT, save_checkpoint
from colorkit.data.samples import load_sample
from colorkit.guided.hints import Hint, HintError, write_hints
from colorkit.models import _REGISTRY

torch.set_num_threads(1)
AUTO = (0.2, -0.1)  # the stand-in's automatic colour, normalized a*b* (a* = 22, b* = -11)


class HintEcho(nn.Module):
    """A stand-in hint model with stride 4: the hints' own a*b* where their mask is set, a constant automatic
    colour elsewhere (and everywhere without hints). Remembers what it was given."""

    stride = 4

    def __init__(self, auto=AUTO):
        super().__init__()
        self.register_buffer("auto", torch.tensor(auto, dtype=torch.float32).view(1, 2, 1, 1))
        self.seen = []

    def forward(self, L_norm, hints=None):
        if L_norm.shape[-1] % 4 or L_norm.shape[-2] % 4:
            raise ValueError(f"size {tuple(L_norm.shape)} not divisible by 4")
        self.seen.append((tuple(L_norm.shape), None if hints is None else hints.clone()))
        out = self.auto.expand(L_norm.shape[0], 2, *L_norm.shape[-2:])
        if hints is None:
            return out
        mask = hints[:, 2:3]
        return hints[:, :2] + (1 - mask) * out

    def predict_ab(self, L_norm, hints=None):
        return self.forward(L_norm, hints)


@pytest.fixture(autouse=True)
def echo_registered(monkeypatch):
    """The echo model is in the registry only while a test of this file runs, so that tests which walk
    the registry (every model trains one step, in tests/test_presets_matrix.py) never meet it."""
    monkeypatch.setitem(_REGISTRY, "test_hint_echo", HintEcho)


def save_echo(path):
    save_checkpoint({"format": FORMAT, "model": {"name": "test_hint_echo", "kwargs": {}},
                     "state": {"generator": HintEcho().state_dict()}, "step": 0, "card": None}, path)
    return path


def lab_of(rgb) -> np.ndarray:
    return skcolor.rgb2lab(np.asarray(rgb, np.uint8))


def hex_lab(color: str) -> np.ndarray:
    rgb = np.array([[[int(color[i:i + 2], 16) for i in (1, 3, 5)]]], np.uint8)
    return lab_of(rgb)[0, 0]


def gray_photo_at(color: str, h: int, w: int) -> np.ndarray:
    """A gray photo (uint8 RGB) with the lightness of ``color``: its hint can come back exactly."""
    solid = np.broadcast_to(np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], np.uint8), (h, w, 3))
    return colorize.gray_image(np.ascontiguousarray(solid))


def at(img: np.ndarray, x: float, y: float) -> np.ndarray:
    """The pixel of ``img`` that holds ``(x, y)`` (fractions of width and height)."""
    return img[min(int(y * img.shape[0]), img.shape[0] - 1), min(int(x * img.shape[1]), img.shape[1] - 1)]


RED = "#b03a2e"
BLUE = "#2e5cb0"


# --- L kept, hint colours given -------------------------------------------------------------------
@pytest.mark.parametrize("method", ["levin", "model"])
def test_output_l_equals_input_l_at_full_resolution(method):
    rgb = load_sample("astronaut")  # 512x512, hints spread at 64: detail must come from the full-resolution L
    hints = [Hint(0.3, 0.3, RED, 2), Hint(0.7, 0.6, BLUE, 3), Hint(0.5, 0.9, "#2eb05c", 1)]
    m = HintEcho() if method == "model" else "levin"
    out, ab = cg.colorize_guided(rgb, hints, method=m, work_size=64, return_ab=True)
    assert out.shape == rgb.shape and out.dtype == np.uint8 and ab.shape == rgb.shape[:2] + (2,)
    L_in, lab_out = lab_of(rgb)[..., 0], lab_of(out)
    assert np.abs(lab_out[..., 0] - L_in).max() < 0.8  # only 8-bit rounding, at every pixel
    assert np.abs(lab_out[..., 0] - L_in).mean() < 0.3
    assert np.abs(lab_out[..., 1:]).mean() > 2  # and it did add colour


@pytest.mark.parametrize("method", ["levin", "model"])
def test_colour_at_a_hint_is_the_hints_colour(method):
    photo = gray_photo_at(RED, 240, 360)  # larger than the work size (64): predicted small, upsampled
    hints = [Hint(0.3, 0.4, RED, 3), Hint(0.8, 0.7, BLUE, 3)]
    m = HintEcho() if method == "model" else "levin"
    before = lab_of(photo)
    out = lab_of(cg.colorize_guided(photo, hints, method=m, work_size=64))
    red, blue = hex_lab(RED), hex_lab(BLUE)
    assert np.abs(at(before, 0.3, 0.4)[1:]).max() < 1  # it was gray
    assert np.abs(at(out, 0.3, 0.4)[1:] - red[1:]).max() < 2.0  # the hint's a*b* (same L: the colour itself)
    got = at(out, 0.8, 0.7)[1:]  # BLUE at RED's lightness: its hue, maybe less chroma (gamut), never another hue
    assert np.dot(got, blue[1:]) / (np.linalg.norm(got) * np.linalg.norm(blue[1:])) > 0.99
    assert np.linalg.norm(got) > 0.5 * np.linalg.norm(blue[1:])


def test_model_gets_the_hints_rasterised_at_the_working_shape_before_padding():
    m = HintEcho()
    hints = [Hint(0.99, 0.99, RED), Hint(0.0, 0.5, BLUE, 1)]
    ab = cg.predict_ab_hints(m, np.full((300, 130), 50.0, np.float32), hints, work_size=50)
    assert ab.shape == (50, 22, 2)  # 300x130 at 50 on the long side: 50 x 22, cropped back
    shape, t = m.seen[-1]
    assert shape == (1, 1, 52, 24) and tuple(t.shape) == (1, 3, 52, 24)  # padded up to the stride 4
    mask = t[0, 2].numpy()
    expect = np.zeros((52, 24))
    expect[int(0.99 * 50), int(0.99 * 22)] = 1  # (49, 21): the closed form of the pixel holding (x, y)
    expect[24:27, 0:2] = 1  # (25, 0), radius 1, clipped at the left border
    assert np.array_equal(mask, expect)  # and nothing in the padding
    red = hex_lab(RED)
    assert np.allclose(ab[49, 21], red[1:], atol=0.6)  # the hint's own a*b* comes back at its pixel
    assert np.allclose(ab[0, 10], np.array(AUTO) * 110, atol=1e-4)  # elsewhere the model's own colour


def test_default_work_size_is_the_models_training_size_and_levins_256():
    m = HintEcho()
    m.colorkit_train_size = 32
    cg.colorize_guided(np.zeros((100, 200, 3), np.uint8), [Hint(0.5, 0.5, RED)], method=m)
    assert m.seen[-1][0] == (1, 1, 16, 32)
    _, ab = cg.colorize_guided(np.full((300, 600, 3), 90, np.uint8), [Hint(0.5, 0.5, RED)], return_ab=True)
    assert ab.shape == (300, 600, 2) and np.abs(ab).max() > 10  # levin at its default work size


# --- no hints: a warning, then the automatic result -------------------------------------------------
def test_no_hints_warns_and_gives_the_automatic_result(caplog):
    rgb = load_sample("astronaut")[::4, ::4]
    m = HintEcho()
    with caplog.at_level(logging.WARNING, logger="colorkit"):
        out = cg.colorize_guided(rgb, [], method=m, work_size=64)
    assert "no colour hints" in caplog.text
    assert np.array_equal(out, colorize.colorize_image(HintEcho(), rgb, work_size=64))  # the automatic pipeline
    assert m.seen[-1][1] is None  # the model ran without hints
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="colorkit"):
        gray = cg.colorize_guided(rgb, [], method="levin")
    assert "gray copy" in caplog.text
    assert np.array_equal(gray, colorize.gray_image(rgb))
    assert np.abs(lab_of(gray)[..., 1:]).max() < 1.5  # no colour, by scikit-image's measure


def test_ten_thousand_hints_work_with_levin():
    rng = np.random.default_rng(0)
    photo = gray_photo_at(RED, 90, 120)
    colours = [RED, BLUE]
    hints = [Hint(float(x), float(y), colours[i % 2]) for i, (x, y) in enumerate(rng.random((10_000, 2)))]
    out = lab_of(cg.colorize_guided(photo, hints, method="levin"))
    last = hints[-1]  # a later hint wins where two share a pixel
    want = hex_lab(last.color)[1:]
    got = at(out, last.x, last.y)[1:]
    assert np.dot(got, want) / (np.linalg.norm(got) * np.linalg.norm(want)) > 0.99


# --- the methods ----------------------------------------------------------------------------------
def test_models_that_take_no_hints_and_unknown_methods_are_refused():
    class Automatic(nn.Module):
        stride = 1

        def forward(self, x):
            return torch.zeros(x.shape[0], 2, *x.shape[2:])

    assert cg.accepts_hints(HintEcho()) and not cg.accepts_hints(Automatic())
    with pytest.raises(TypeError, match="takes no colour hints"):
        cg.colorize_guided(np.zeros((8, 8, 3), np.uint8), [Hint(0.5, 0.5, RED)], method=Automatic())
    with pytest.raises(ValueError, match="'levin' or a hint model"):
        cg.colorize_guided(np.zeros((8, 8, 3), np.uint8), [Hint(0.5, 0.5, RED)], method="nosuch")


def test_default_hint_model_names_the_fix_when_none_is_shipped(monkeypatch):
    from colorkit.reference import reference_names

    assert cg.hint_model_shipped() == (cg.HINT_REFERENCE in reference_names())
    monkeypatch.setattr(cg, "hint_model_shipped", lambda: False)
    with pytest.raises(cg.HintModelUnavailable, match='method="levin"'):
        cg.default_hint_model()


# --- files ----------------------------------------------------------------------------------------
def _photos(tmp_path, names=("a.png", "b.jpg", "c.png")):
    from PIL import Image

    d = tmp_path / "photos"
    d.mkdir()
    for name in names:
        Image.fromarray(gray_photo_at(RED, 40, 60)).save(d / name)
    return d


def test_paths_match_hints_files_by_stem(tmp_path, caplog):
    photos = _photos(tmp_path)
    hints = tmp_path / "hints"
    write_hints(hints / "a.json", [Hint(0.5, 0.5, RED, 2)], photo="a.png")
    write_hints(hints / "b.json", [Hint(0.5, 0.5, BLUE, 2)], photo="b.jpg")
    with caplog.at_level(logging.WARNING, logger="colorkit"):
        done, failed = cg.colorize_guided_paths("levin", [photos], hints, tmp_path / "out", compare=True,
                                                progress=False)
    assert failed == [] and [d["hints"] for d in done] == [1, 1, 0]
    assert "c.png: no hints file c.json" in caplog.text and "gray copy" in caplog.text
    from colorkit.colorize import read_image

    a, b, c = (lab_of(read_image(tmp_path / "out" / f"{s}.png")) for s in "abc")
    assert np.abs(at(a, 0.5, 0.5)[1:] - hex_lab(RED)[1:]).max() < 2  # a.json's red
    assert np.dot(at(b, 0.5, 0.5)[1:], hex_lab(BLUE)[1:]) > 0  # b.json's blue
    assert np.abs(c[..., 1:]).max() < 1.5  # no hints file: the automatic result (levin: the gray copy)
    assert (tmp_path / "out" / "a_compare.png").is_file()


def test_paths_refuse_orphan_hints_files_and_one_file_for_many_photos_before_writing(tmp_path):
    photos = _photos(tmp_path)
    hints = tmp_path / "hints"
    write_hints(hints / "a.json", [Hint(0.5, 0.5, RED)])
    write_hints(hints / "zebra.json", [Hint(0.5, 0.5, RED)])
    with pytest.raises(HintError, match="zebra.json .* no photo among the inputs"):
        cg.colorize_guided_paths("levin", [photos], hints, tmp_path / "out", progress=False)
    with pytest.raises(HintError, match="one hints file .* for 3 photos"):
        cg.colorize_guided_paths("levin", [photos], hints / "a.json", tmp_path / "out", progress=False)
    (hints / "zebra.json").unlink()
    (hints / "b.json").write_text('{"hints": [{"x": 0.5, "y": 0.5, "color": "#b03a2e"},]}')  # malformed
    with pytest.raises(HintError, match="b.json: not valid JSON"):
        cg.colorize_guided_paths("levin", [photos], hints, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()  # every hints file is read before any photo is written


def test_one_hints_file_for_one_photo_and_unreadable_photos_are_skipped(tmp_path):
    photos = _photos(tmp_path, names=("a.png",))
    (tmp_path / "broken.jpg").write_bytes(b"not a photo")
    f = write_hints(tmp_path / "any_name.json", [Hint(0.5, 0.5, RED, 1)])
    done, failed = cg.colorize_guided_paths(HintEcho(), [photos / "a.png"], f, tmp_path / "out", work_size=32)
    assert [d["dst"].name for d in done] == ["a.png"] and done[0]["hints_file"] == f and failed == []
    done, failed = cg.colorize_guided_paths("levin", [tmp_path / "broken.jpg", tmp_path / "gone.png"],
                                            f, tmp_path / "out2", progress=False)
    assert done == [] and len(failed) == 2  # unreadable and missing photos are listed, as colorize_paths does


def test_simulated_photo_hints_hold_the_photos_colours(caplog):
    photo = np.zeros((300, 500, 3), np.uint8)
    photo[:, :250] = (200, 40, 30)
    photo[:, 250:] = (30, 60, 200)
    hints = cg.simulate_photo_hints(photo, count=12, seed=3, size=100)
    assert len(hints) == 12 and hints == cg.simulate_photo_hints(photo, count=12, seed=3, size=100)
    lab = lab_of(photo)
    for h in hints:
        if abs(h.x - 0.5) > 0.06:  # the patch (at most 9 of 100 px) lies inside one half
            assert np.abs(hex_lab(h.color)[1:] - at(lab, h.x, h.y)[1:]).max() < 1.5
    with caplog.at_level(logging.WARNING, logger="colorkit"):
        cg.simulate_photo_hints(np.full((20, 20, 3), 128, np.uint8), count=2)
    assert "no colour" in caplog.text
