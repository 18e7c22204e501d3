"""The hint editor driven from Python and through its front end's messages, with a cheap fake colorizer:
every change of the hints costs one colorize call, undo gives back the exact previous picture, files round-trip
through the one reader, and the static PNG shows the hints as dots where they are."""
from __future__ import annotations

import base64
import io
import json
import logging
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from colorkit import hint_widget
from colorkit.color import lab_to_rgb8, rgb_to_lab
from colorkit.guided.hints import Hint, HintError, read_hints
from colorkit.hint_widget import HintEditor

DISK = 0.2  # the fake colorizer paints each hint's a*b* in a disk of this fraction of the longer side


def fake_colorize(image, hints):
    """Each hint's a*b* in a disk around its pixel (later hints on top), gray elsewhere; L kept."""
    lab = rgb_to_lab(image)
    h, w = lab.shape[:2]
    ab = np.zeros((h, w, 2), np.float32)
    rows, cols = np.mgrid[0:h, 0:w]
    for hint in hints:
        r, c = min(int(hint.y * h), h - 1), min(int(hint.x * w), w - 1)
        ab[(rows - r) ** 2 + (cols - c) ** 2 <= (DISK * max(h, w)) ** 2] = hint.ab
    return lab_to_rgb8(lab[..., 0], ab)


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self, image, hints):
        self.calls += 1
        return fake_colorize(image, hints)


def photo(h=48, w=64):
    """A smooth gray-to-colour test photo (not square, so x and y cannot be swapped unnoticed)."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([40 + 3 * x, 60 + 2 * y, 120 + x + y], -1).clip(0, 255).astype(np.uint8)


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])


@pytest.fixture
def editor():
    return HintEditor(photo(), colorize=Counting(), max_side=None)


def test_starts_with_the_colorizer_on_no_hints_and_keeps_the_size(editor):
    assert editor.colorize.calls == 1 and editor.hints == []
    np.testing.assert_array_equal(editor.picture, fake_colorize(photo(), []))
    assert editor.picture.shape == (48, 64, 3) and editor.picture.dtype == np.uint8


def test_add_costs_one_call_and_undo_returns_the_exact_previous_picture(editor):
    first = editor.picture.copy()
    i = editor.add(0.25, 0.5, "#c02020")
    assert i == 0 and editor.selected == 0 and editor.colorize.calls == 2
    assert editor.hints == [Hint(0.25, 0.5, "#c02020", 1)]
    red = editor.picture.copy()
    np.testing.assert_array_equal(red, fake_colorize(photo(), editor.hints))
    assert not np.array_equal(red, first)
    editor.add(0.75, 0.25, "#2040c0")
    assert editor.colorize.calls == 3
    assert editor.undo() is True
    np.testing.assert_array_equal(editor.picture, red)
    assert editor.undo() is True
    np.testing.assert_array_equal(editor.picture, first)
    assert editor.undo() is False and editor.hints == []
    assert editor.colorize.calls == editor.calls == 3  # undo is served from the cache


def test_clear_is_one_undo_step(editor):
    start = editor.picture.copy()
    editor.add(0.1, 0.1, "#ff0000")
    editor.add(0.9, 0.9, "#00ff00")
    editor.clear()
    assert editor.hints == [] and editor.selected is None
    np.testing.assert_array_equal(editor.picture, start)
    editor.undo()
    assert [h.color for h in editor.hints] == ["#ff0000", "#00ff00"]


def test_move_recolor_remove(editor):
    editor.add(0.2, 0.5, "#c02020")
    editor.add(0.8, 0.5, "#2040c0")
    editor.move(0, 0.3, 0.4)
    assert editor.hints[0] == Hint(0.3, 0.4, "#c02020", 1)
    for color in ("#00aa00", "#00bb00", "#00cc00"):  # a drag in the colour picker: one undo step
        editor.recolor(1, color)
    assert editor.hints[1].color == "#00cc00" and editor.selected == 1
    editor.undo()
    assert editor.hints[1].color == "#2040c0"
    editor.remove(0)
    assert [h.color for h in editor.hints] == ["#2040c0"] and editor.selected is None
    np.testing.assert_array_equal(editor.picture, fake_colorize(photo(), editor.hints))


def test_bad_input_names_the_fault_and_changes_nothing(editor):
    editor.add(0.5, 0.5, "#123456")
    with pytest.raises(HintError, match=r"x=1.5 is outside \[0, 1\]"):
        editor.add(1.5, 0.5, "#ffffff")
    with pytest.raises(HintError, match="not a colour"):
        editor.recolor(0, "red-ish")
    with pytest.raises(IndexError, match="no hint 3: the editor has 1 hint"):
        editor.move(3, 0.1, 0.1)
    assert editor.hints == [Hint(0.5, 0.5, "#123456", 1)]

    def wrong_size(image, hints):
        return image[:10]

    with pytest.raises(ValueError, match="must keep the size"):
        HintEditor(photo(), colorize=wrong_size)
    with pytest.raises(TypeError, match="colorize must be"):
        HintEditor(photo(), colorize=42)


def test_a_failing_colorizer_leaves_the_editor_as_it_was():
    calls = []

    def flaky(image, hints):
        calls.append(len(hints))
        if len(hints) == 2:
            raise RuntimeError("out of memory")
        return fake_colorize(image, hints)

    ed = HintEditor(photo(), colorize=flaky)
    ed.add(0.1, 0.1, "#ff0000")
    before = ed.picture.copy()
    with pytest.raises(RuntimeError):
        ed.add(0.9, 0.9, "#00ff00")
    assert len(ed.hints) == 1
    np.testing.assert_array_equal(ed.picture, before)


def test_suggestion_is_the_colorizations_pixel_colour(editor):
    editor.add(0.3, 0.5, "#d03030")
    pic = editor.picture
    for x, y in [(0.31, 0.52), (0.9, 0.1), (0.999, 0.999), (0.0, 0.0)]:
        row, col = min(int(y * 48), 47), min(int(x * 64), 63)  # the spec's pixel of (x, y)
        assert editor.suggestion(x, y) == "#%02x%02x%02x" % tuple(pic[row, col])
    # a click without a colour takes the suggestion: the colour the picture has there
    expected = editor.suggestion(0.33, 0.45)
    editor.add(0.33, 0.45)
    assert editor.hints[-1].color == expected


def test_save_and_load_round_trip_through_read_hints(editor, tmp_path):
    editor.add(0.125, 0.375, "#b03a2e")
    editor.add(0.8, 0.6, "#2e86c1", radius=3)
    path = editor.save(tmp_path / "sub" / "p.json")
    loaded = read_hints(path)
    assert [(h.color, h.radius) for h in loaded] == [("#b03a2e", 1), ("#2e86c1", 3)]
    assert np.allclose([(h.x, h.y) for h in loaded], [(0.125, 0.375), (0.8, 0.6)], atol=1e-6)
    other = HintEditor(photo(), colorize=fake_colorize)
    assert other.load(path) == loaded
    np.testing.assert_array_equal(other.picture, editor.picture)
    other.undo()
    assert other.hints == []
    (tmp_path / "bad.json").write_text('{"hints": [{"x": 2, "y": 0.5, "color": "#000000"}]}')
    with pytest.raises(HintError, match="outside"):
        other.load(tmp_path / "bad.json")


def test_a_photo_path_names_the_hints_file(tmp_path, monkeypatch):
    Image.fromarray(photo()).save(tmp_path / "grandma.png")
    monkeypatch.chdir(tmp_path)
    ed = HintEditor(tmp_path / "grandma.png", colorize=fake_colorize)
    ed.add(0.5, 0.5, "#aa5500")
    path = ed.save()
    assert path.name == "grandma.json"  # what `colorkit colorize DIR --hints DIR` looks for
    assert json.loads(path.read_text())["photo"] == "grandma.png"


def test_max_side_shrinks_what_the_editor_works_on_and_colorize_full_does_not():
    big = np.repeat(np.repeat(photo(), 4, 0), 4, 1)  # 192 x 256
    ed = HintEditor(big, colorize=fake_colorize, max_side=64)
    assert ed.photo.shape == (48, 64, 3) and ed.picture.shape == (48, 64, 3)
    ed.add(0.5, 0.5, "#cc2222")
    assert ed.colorize_full().shape == (192, 256, 3)


def test_static_png_shows_dots_at_the_hint_positions(editor, tmp_path):
    editor.add(0.25, 0.5, "#ff00ff")
    editor.add(0.7, 0.2, "#00ffff")
    editor.selected = None
    png = decode(editor.png())
    pic = editor.picture
    assert png.shape[1] == 64 and png.shape[0] > 48  # the caption strip under the picture
    r = hint_widget.dot_radius(48, 64)
    for x, y, color in [(0.25, 0.5, "#ff00ff"), (0.7, 0.2, "#00ffff")]:
        row, col = int(y * 48), int(x * 64)
        np.testing.assert_array_equal(png[row, col], hex_rgb(color))  # the dot's centre: the hint's colour
        assert (png[row, col + r + 1] >= 230).all()  # its white ring
    far = png[40, 5]  # far from both dots: the picture itself
    np.testing.assert_array_equal(far, pic[40, 5])
    assert "2 hints" in repr(editor)
    assert sum(png[48:].reshape(-1, 3).min(1) < 128) > 20  # the caption has dark text
    np.testing.assert_array_equal(decode(editor.save_png(tmp_path / "out" / "e.png").read_bytes()), png)


def test_before_after_divider_shows_the_gray_photo_on_the_left(editor):
    editor.add(0.5, 0.5, "#ff0000")
    editor.divider = 0.5
    png = decode(editor.png())
    gray = editor.gray
    np.testing.assert_array_equal(png[5, 5], gray[5, 5])
    np.testing.assert_array_equal(png[5, 60], editor.picture[5, 60])
    assert np.ptp(gray.astype(int), axis=-1).max() <= 1  # the "before" is gray


def test_mimebundle_static_without_kernel_and_live_with_one(editor, monkeypatch):
    bundle = editor._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    np.testing.assert_array_equal(decode(base64.b64decode(bundle["image/png"])), decode(editor.png()))
    monkeypatch.setattr(hint_widget, "_kernel_running", lambda: True)
    bundle = editor._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == editor.widget.model_id
    assert "image/png" in bundle and bundle["text/plain"].startswith("<HintEditor: 0 hints")


def test_in_colab_the_bundle_carries_the_custom_widget_manager(editor, monkeypatch):
    """anywidget asks Colab for its custom widget manager (needed for any third-party widget, on 7.7.1 too)
    and names it in the output's metadata: the editor's bundle must keep that metadata."""
    import sys
    import types

    enabled = []
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: enabled.append(True)
    output._widgets = types.SimpleNamespace(_installed_url="https://example.invalid/manager.js")
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    monkeypatch.setattr(hint_widget, "_kernel_running", lambda: True)
    data, metadata = editor._repr_mimebundle_()
    mime = "application/vnd.jupyter.widget-view+json"
    assert data[mime]["model_id"] == editor.widget.model_id and "image/png" in data
    assert metadata == {mime: {"colab": {"custom_widget_manager": {"url": "https://example.invalid/manager.js"}}}}


def test_front_end_messages_drive_the_editor(editor):
    view = editor.widget
    assert view.hints == [] and view.revision == 0
    assert decode(base64.b64decode(view.gray)).shape == (48, 64, 3)
    view._handle_custom_msg({"type": "click", "x": 0.3, "y": 0.6}, [])
    # the click lands on the pixel centre of the pixel clicked, with the suggestion as its colour
    assert view.last_click == [(19 + 0.5) / 64, (28 + 0.5) / 48]
    hint = editor.hints[0]
    assert (hint.x, hint.y) == tuple(view.last_click) and view.revision == 1
    assert view.color == hint.color == "#%02x%02x%02x" % tuple(fake_colorize(photo(), [])[28, 19])
    view._handle_custom_msg({"type": "recolor", "i": 0, "color": "#00ff00"}, [])
    assert view.color == "#00ff00" and view.selected == 0
    np.testing.assert_array_equal(decode(base64.b64decode(view.picture)), editor.picture)
    assert view.hints == [h.to_json() for h in editor.hints]
    assert json.loads(view.hints_json)["hints"] == view.hints
    view._handle_custom_msg({"type": "click", "x": 0.9, "y": 0.1, "color": "#0000ff"}, [])  # paint mode
    assert editor.hints[-1].color == "#0000ff"
    view._handle_custom_msg({"type": "move", "i": 1, "x": 1.3, "y": 0.5}, [])  # dragged past the edge
    assert (editor.hints[1].x, editor.hints[1].y) == (1.0, 0.5)
    view._handle_custom_msg({"type": "remove", "i": 1}, [])
    view._handle_custom_msg({"type": "undo"}, [])
    assert len(editor.hints) == 2 and view.can_undo
    view.divider = 0.4  # the before/after slider
    assert editor.divider == 0.4


def test_front_end_errors_show_in_the_status_line(editor, tmp_path, monkeypatch):
    view = editor.widget
    view._handle_custom_msg({"type": "load", "name": "x.json", "text": "{not json"}, [])
    assert "error" in view.status and "x.json: not valid JSON" in view.status and view.revision == 1
    view._handle_custom_msg({"type": "remove", "i": 4}, [])
    assert "no hint 4" in view.status and view.revision == 2
    text = json.dumps({"hints": [{"x": 0.5, "y": 0.5, "color": "#abcdef"}]})
    view._handle_custom_msg({"type": "load", "name": "x.json", "text": text}, [])
    assert editor.hints == [Hint(0.5, 0.5, "#abcdef", 0)] and "loaded 1 hint" in view.status
    monkeypatch.chdir(tmp_path)
    view._handle_custom_msg({"type": "save"}, [])
    assert read_hints(tmp_path / "hints.json") == editor.hints and "saved 1 hint" in view.status


@pytest.mark.skipif(shutil.which("node") is None, reason="node checks the front end's syntax where it is installed")
def test_front_end_is_a_valid_es_module(tmp_path):
    (tmp_path / "widget.mjs").write_text(hint_widget.ESM)
    subprocess.run(["node", "--check", str(tmp_path / "widget.mjs")], check=True, capture_output=True)


def test_default_colorizer_is_the_shipped_hint_model_else_levin(monkeypatch, caplog):
    import colorkit.colorize_guided as cg

    seen = []

    def spy(image, hints, method="levin", work_size=None, **kw):
        seen.append((method, len(hints), work_size))
        if not hints:
            logging.getLogger("colorkit.colorize_guided").warning("no colour hints")
        return fake_colorize(image, hints)

    monkeypatch.setattr(cg, "colorize_guided", spy)
    monkeypatch.setattr(cg, "hint_model_shipped", lambda: False)
    ed = HintEditor(photo(), work_size=32)
    ed.add(0.5, 0.5, "#ff0000")
    assert seen == [("levin", 0, 32), ("levin", 1, 32)] and ed.method == "levin"
    assert "no colour hints" not in caplog.text  # an editor starts with none: no warning for that

    class Shipped:  # stands for the shipped unet_hints
        def predict_ab(self, L, hints=None):
            raise AssertionError("not called: colorize_guided is the spy")

    model = Shipped()
    monkeypatch.setattr(cg, "hint_model_shipped", lambda: True)
    monkeypatch.setattr(cg, "default_hint_model", lambda: model)
    seen.clear()
    ed = HintEditor(photo())
    assert seen == [(model, 0, None)] and ed.method == "Shipped"
    HintEditor(photo(), colorize=model)  # a model given as the method
    assert seen[-1] == (model, 0, None)


def test_levin_by_name_colours_the_clicked_region():
    """The real default path, end to end on a small photo: a red hint on a flat region turns it red."""
    img = np.full((24, 32, 3), 128, np.uint8)
    img[:, 16:] = 200  # two flat regions split by an edge
    ed = HintEditor(img, colorize="levin", work_size=32)
    np.testing.assert_array_equal(ed.picture, img)  # no hints: the gray copy
    ed.add(0.2, 0.5, "#c03020", radius=0)
    a_left = rgb_to_lab(ed.picture[:, :14])[..., 1]
    assert a_left.min() > 20, a_left.min()  # the whole left region (L similar) took the red
