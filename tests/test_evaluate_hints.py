"""colorkit.evaluate.hints: every method with the same nested hints, scored against scikit-image's CIEDE2000."""
import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from colorkit.data.samples import load_sample
from colorkit.evaluate.hints import format_hint_table, hint_rows, photo_hints, score_hint_methods
from colorkit.guided.hints import hint_maps


def _photos():
    return [load_sample(n)[::16, ::16].copy() for n in ("astronaut", "coffee", "chelsea")]


def _gray(photo, hints):
    lab = rgb2lab(photo)
    lab[..., 1:] = 0
    return (np.clip(lab2rgb(lab), 0, 1) * 255 + 0.5).astype(np.uint8)


def _paint(photo, hints):  # the hints' own colours at their pixels, gray elsewhere
    lab = rgb2lab(photo)
    ab, mask = hint_maps(hints, *photo.shape[:2])
    lab[..., 1:] = ab * mask[..., None]
    return (np.clip(lab2rgb(lab), 0, 1) * 255 + 0.5).astype(np.uint8)


def test_same_nested_hints_for_every_method():
    seen = {}

    def spy(name):
        def fn(photo, hints):
            seen.setdefault(name, []).append(list(hints))
            return _gray(photo, hints)
        return fn

    photos = _photos()
    score_hint_methods({"a": spy("a"), "b": spy("b")}, photos, counts=(0, 2, 5), seed=4)
    assert seen["a"] == seen["b"]
    full = photo_hints(photos, 5, seed=4)
    assert seen["a"][len(photos):2 * len(photos)] == [h[:2] for h in full]
    assert [len(h) for h in seen["a"]] == [0] * 3 + [2] * 3 + [5] * 3


def test_scores_match_scikit_image_and_the_gray_row():
    photos = _photos()
    table = score_hint_methods({"gray": _gray, "paint": _paint}, photos, counts=(0, 10), seed=1)
    assert table["gray"][0]["de2000"] == pytest.approx(table["gray copy"]["de2000"], abs=0.05)
    hints = photo_hints(photos, 10, seed=1)
    want = np.mean([deltaE_ciede2000(rgb2lab(p), rgb2lab(_paint(p, h)), channel_axis=-1).mean()
                    for p, h in zip(photos, hints)])
    assert table["paint"][10]["de2000"] == pytest.approx(want, abs=0.02)
    assert table["paint"][10]["de2000"] < table["gray copy"]["de2000"]
    assert table["truth"]["cf"] > 10


def test_rows_and_markdown():
    table = {"gray copy": {"de2000": 12.0, "psnr": 20.0, "cf": 0.0}, "truth": {"cf": 40.0},
             "levin": {0: {"de2000": 12.0, "psnr": 20.0, "cf": 0.0}, 2: {"de2000": 9.5, "psnr": 24.0, "cf": 9.0}}}
    rows = hint_rows(table)
    assert rows == [{"method": "gray copy", "0": 12.0, "2": 12.0}, {"method": "levin", "0": 12.0, "2": 9.5}]
    md = format_hint_table(table)
    assert "| levin | 12.00 | 9.50 |" in md and md.splitlines()[0] == "| method | 0 hints | 2 hints |"
