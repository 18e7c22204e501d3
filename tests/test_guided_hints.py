"""colorkit.guided.hints: the hint format, its JSON file and its rasterisation, against independent references
(scikit-image's CIELAB, hand-made files and hand-placed pixels)."""
import json

import numpy as np
import pytest
import torch
from skimage.color import rgb2lab

from colorkit.guided.hints import (
    MAX_HINTS,
    Hint,
    HintError,
    color_ab,
    hex_color,
    hint_maps,
    hint_tensor,
    parse_color,
    parse_hints,
    pixel_of,
    read_hints,
    write_hints,
)


def test_color_ab_matches_scikit_image():
    for hx in ("#b03a2e", "#1f77b4", "#ffffff", "#000000", "#2ca02c"):
        rgb = np.array([[parse_color(hx)]], np.uint8)
        ref = rgb2lab(rgb)[0, 0]
        assert color_ab(hx) == pytest.approx((ref[1], ref[2]), abs=1e-3)


def test_hex_round_trip_and_case():
    assert hex_color((176, 58, 46)) == "#b03a2e"
    assert parse_color("#B03A2E") == (176, 58, 46)
    assert make_one({"x": 0.5, "y": 0.5, "color": "#B03A2E"}).color == "#b03a2e"


def make_one(entry):
    return parse_hints({"hints": [entry]})[0]


def test_pixel_centres_map_to_their_pixel():
    H, W = 7, 10
    for r in range(H):
        for c in range(W):
            assert pixel_of((c + 0.5) / W, (r + 0.5) / H, H, W) == (r, c)
    assert pixel_of(1.0, 1.0, H, W) == (H - 1, W - 1)
    assert pixel_of(0.0, 0.0, H, W) == (0, 0)


def test_hint_maps_places_squares_and_later_wins():
    hints = [Hint(0.5, 0.5, "#ff0000", radius=1), Hint((4 + 0.5) / 8, (4 + 0.5) / 8, "#0000ff")]
    ab, mask = hint_maps(hints, 8, 8)
    assert mask.sum() == 9  # the 3x3 square of the first; the second lies inside it
    assert set(zip(*np.nonzero(mask))) == {(r, c) for r in (3, 4, 5) for c in (3, 4, 5)}
    assert ab[3, 3] == pytest.approx(color_ab("#ff0000"), abs=1e-5)
    assert ab[4, 4] == pytest.approx(color_ab("#0000ff"), abs=1e-5)
    assert np.all(ab[mask == 0] == 0)


def test_hint_maps_clip_at_borders():
    ab, mask = hint_maps([Hint(0.0, 0.0, "#00ff00", radius=2)], 5, 5)
    assert mask.sum() == 9 and mask[:3, :3].all()


def test_hint_tensor_is_normalized_ab_times_mask():
    t = hint_tensor([Hint(0.25, 0.75, "#b03a2e")], 4, 4)
    assert t.shape == (1, 3, 4, 4) and t.dtype == torch.float32
    a, b = color_ab("#b03a2e")
    assert t[0, :, 3, 1].tolist() == pytest.approx([a / 110, b / 110, 1.0], abs=1e-6)
    assert float(t[0, 2].sum()) == 1.0


def test_write_read_round_trip(tmp_path):
    hints = [Hint(0.31, 0.62, "#b03a2e"), Hint(0.9, 0.1, "#123456", radius=3)]
    path = write_hints(tmp_path / "a.json", hints, photo="a.jpg", seed=3)
    obj = json.loads(path.read_text())
    assert obj["photo"] == "a.jpg" and obj["seed"] == 3
    assert obj["hints"][0] == {"x": 0.31, "y": 0.62, "color": "#b03a2e"}
    assert read_hints(path) == hints


@pytest.mark.parametrize("text, fault", [
    ("{not json", "not valid JSON"),
    ('{"hints": [{"x": 1.2, "y": 0.5, "color": "#ffffff"}]}', "x=1.2 is outside [0, 1]"),
    ('{"hints": [{"x": 0.2, "y": -0.1, "color": "#ffffff"}]}', "y=-0.1 is outside [0, 1]"),
    ('{"hints": [{"x": 0.2, "y": 0.5, "color": "red"}]}', "is not a colour"),
    ('{"hints": [{"x": 0.2, "y": 0.5, "color": "#ff00zz"}]}', "is not a colour"),
    ('{"hints": [{"x": 0.2, "y": 0.5}]}', "missing 'color'"),
    ('{"hints": [{"x": "0.2", "y": 0.5, "color": "#ffffff"}]}', "is not a number"),
    ('{"hints": [{"x": 0.2, "y": 0.5, "color": "#ffffff", "radius": 2.5}]}', "radius"),
    ('{"hints": [{"x": 0.2, "y": 0.5, "color": "#ffffff", "size": 2}]}', "unknown key"),
    ('{"points": []}', 'no "hints" key'),
    ('{"hints": {"x": 0.2}}', "must be a list"),
])
def test_bad_files_name_the_fault(tmp_path, text, fault):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(HintError) as e:
        read_hints(p)
    msg = str(e.value)
    assert fault in msg and "bad.json" in msg and "\n" not in msg


def test_too_many_hints_refused_with_the_limit():
    many = [{"x": 0.5, "y": 0.5, "color": "#ffffff"}] * (MAX_HINTS + 1)
    with pytest.raises(HintError, match=f"at most {MAX_HINTS:,}"):
        parse_hints({"hints": many})
    assert len(parse_hints({"hints": many[:10_000]})) == 10_000


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        read_hints("/nonexistent/hints.json")
