"""``colorkit hints`` and ``colorkit colorize --hints`` (colorkit.cli.hints, colorkit.cli.colorize).

Every bad input is one line ``colorkit <command>: error: ...`` on stderr, exit status 2, no traceback and no
output written. References: read_hints reads back what ``colorkit hints`` wrote; scikit-image's rgb2lab
measures the colour at a hint and the L of the output. The hint model is the stand-in of test_colorize_guided.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from test_cli import _error_line
from test_colorize_guided import BLUE, RED, at, echo_registered, gray_photo_at, hex_lab, lab_of, save_echo  # noqa: F401  (the fixture: the echo model registered while these tests run)

from colorkit import colorize_guided as cg
from colorkit.cli import main
from colorkit.colorize import read_image
from colorkit.guided.hints import MAX_HINTS, Hint, read_hints, write_hints


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_hints")
    photos = d / "photos"
    photos.mkdir()
    for name in ("a.png", "b.png"):
        Image.fromarray(gray_photo_at(RED, 48, 64)).save(photos / name)
    colour = np.zeros((120, 200, 3), np.uint8)
    colour[:, :100] = (200, 40, 30)
    colour[:, 100:] = (30, 60, 200)
    Image.fromarray(colour).save(d / "colour.png")
    write_hints(d / "a.json", [Hint(0.5, 0.5, RED, 2)], photo="a.png")
    hints = d / "hints"
    write_hints(hints / "a.json", [Hint(0.5, 0.5, RED, 2)])
    orphans = d / "orphans"
    write_hints(orphans / "a.json", [Hint(0.5, 0.5, RED)])
    write_hints(orphans / "zebra.json", [Hint(0.5, 0.5, RED)])
    (d / "malformed.json").write_text('{"hints": [{"x": 0.5, "y": 0.5, "color": "#b03a2e"}')
    (d / "outside.json").write_text(json.dumps({"hints": [{"x": 1.2, "y": 0.5, "color": RED}]}))
    (d / "notcolour.json").write_text(json.dumps({"hints": [{"x": 0.5, "y": 0.5, "color": "reddish"}]}))
    too_many = [{"x": 0.5, "y": 0.5, "color": RED}] * (MAX_HINTS + 1)
    (d / "too_many.json").write_text(json.dumps({"hints": too_many}))
    (d / "notes.txt").write_text("not a photo\n")
    (d / "a_file").write_text("x")
    save_echo(d / "echo.pt")
    return d


# --------------------------------------------------------------------------------------- colorize --hints
GUIDED_ERRORS = [
    (["{d}/photos/a.png", "--hints", "{d}/malformed.json"], "malformed.json: not valid JSON"),
    (["{d}/photos/a.png", "--hints", "{d}/outside.json"], "x=1.2 is outside [0, 1]"),
    (["{d}/photos/a.png", "--hints", "{d}/notcolour.json"], "'reddish' is not a colour"),
    (["{d}/photos/a.png", "--hints", "{d}/too_many.json"], f"at most {MAX_HINTS:,} are accepted"),
    (["{d}/photos", "--hints", "{d}/orphans"], "zebra.json in"),  # a hints file whose photo is missing
    (["{d}/photos", "--hints", "{d}/a.json"], "one hints file"),  # one file, two photos
    (["{d}/photos/a.png", "--hints", "{d}/missing.json"], "--hints: no such file or folder"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--checkpoint", "{d}/echo.pt"], "given as --method"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--method", "reference"], "takes no colour hints"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--method", "nosuch"], "is not levin, a checkpoint"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--method", "{d}/gone.pt"], "no checkpoint at"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--method", "levin", "--sha256", "0" * 64], "levin uses none"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--method", "levin", "--size", "8"], "--size must be at least"),
    (["{d}/photos/a.png", "--hints", "{d}/a.json", "--out", "{d}/a_file"], "is a file"),
    (["{d}/notes.txt", "--hints", "{d}/a.json"], "no readable photos"),
    (["{d}/photos/a.png", "--method", "levin"], "--method goes with --hints"),
    (["{d}/photos/a.png"], "give the model"),
]


def refused(command: str, args, files, out, capsys) -> str:
    """Run ``colorkit COMMAND ARGS`` ({d} = the files folder, --out ``out`` unless given): exit 2 with one error
    line and no traceback, ``out`` not written and the files folder unchanged. Returns the line."""
    args = [a.replace("{d}", str(files)) for a in args]
    before = sorted(p.name for p in files.iterdir())
    assert main([command, *args, *([] if "--out" in args else ["--out", str(out)])]) == 2
    line = _error_line(capsys, command)
    assert not out.exists() and sorted(p.name for p in files.iterdir()) == before  # nothing written
    return line


@pytest.mark.parametrize("args, expect", GUIDED_ERRORS)
def test_colorize_hints_errors(files, tmp_path, capsys, monkeypatch, args, expect):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    assert expect in refused("colorize", args, files, tmp_path / "o", capsys)


def test_default_method_without_a_shipped_hint_model_names_the_fix(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cg, "hint_model_shipped", lambda: False)
    line = refused("colorize", ["{d}/photos/a.png", "--hints", "{d}/a.json"], files, tmp_path / "o", capsys)
    assert "no shipped hint model" in line and "--method levin" in line


@pytest.mark.parametrize("method", ["levin", "checkpoint", "name"])
def test_colorize_hints_at_full_resolution(files, tmp_path, capsys, monkeypatch, method):
    from colorkit.paths import checkpoint_path

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLORKIT_PRESET", "smoke")
    big = tmp_path / "big.png"
    Image.fromarray(gray_photo_at(RED, 300, 420)).save(big)  # larger than the work size: upsampled, L kept
    hints = write_hints(tmp_path / "h.json", [Hint(0.25, 0.5, RED, 3), Hint(0.75, 0.5, BLUE, 3)])
    value = {"levin": "levin", "checkpoint": str(files / "echo.pt"), "name": "echo"}[method]
    if method == "name":
        save_echo(checkpoint_path("echo", "smoke"))
    out = tmp_path / "out"
    rc = main(["colorize", str(big), "--hints", str(hints), "--method", value, "--size", "64", "--out", str(out),
               "--compare"])
    assert rc == 0, capsys.readouterr()
    assert "2 hint(s)" in capsys.readouterr().out
    got, src = lab_of(read_image(out / "big.png")), lab_of(read_image(big))
    assert got.shape == src.shape and np.abs(got[..., 0] - src[..., 0]).max() < 0.8  # the photo's own L
    assert np.abs(at(got, 0.25, 0.5)[1:] - hex_lab(RED)[1:]).max() < 2.0
    blue = at(got, 0.75, 0.5)[1:]
    assert np.dot(blue, hex_lab(BLUE)[1:]) / (np.linalg.norm(blue) * np.linalg.norm(hex_lab(BLUE)[1:])) > 0.99
    assert (out / "big_compare.png").is_file()


def test_colorize_hints_dir_by_stem_warns_for_a_photo_without_hints(files, tmp_path, capsys, caplog):
    out = tmp_path / "out"
    assert main(["colorize", str(files / "photos"), "--hints", str(files / "hints"), "--method", "levin",
                 "--out", str(out)]) == 0
    assert "b.png: no hints file b.json" in caplog.text and "no colour hints" in caplog.text
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"]
    a, b = lab_of(read_image(out / "a.png")), lab_of(read_image(out / "b.png"))
    assert np.abs(a[..., 1:]).mean() > 20  # a.json's red, spread over the flat photo
    assert np.abs(b[..., 1:]).max() < 1.5  # no hints: the automatic result of levin, the gray copy


def test_colorize_ten_thousand_hints_with_levin(files, tmp_path):
    rng = np.random.default_rng(1)
    hints = [Hint(float(x), float(y), RED if i % 2 else BLUE) for i, (x, y) in enumerate(rng.random((10_000, 2)))]
    f = write_hints(tmp_path / "many.json", hints)
    assert main(["colorize", str(files / "photos" / "a.png"), "--hints", str(f), "--method", "levin",
                 "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "a.png").is_file()


# ------------------------------------------------------------------------------------------------ hints
def test_hints_command_writes_a_file_read_hints_reads_back(files, tmp_path, capsys):
    out = tmp_path / "h" / "colour.json"
    assert main(["hints", str(files / "colour.png"), "--count", "9", "--seed", "4", "--size", "64",
                 "--out", str(out)]) == 0
    assert "wrote 9 simulated hint(s)" in capsys.readouterr().out
    hints = read_hints(out)
    assert len(hints) == 9
    meta = json.loads(out.read_text())
    assert (meta["photo"], meta["seed"], meta["count"]) == ("colour.png", 4, 9)
    lab = lab_of(read_image(files / "colour.png"))
    for h in hints:
        assert 0 <= h.x <= 1 and 0 <= h.y <= 1 and 0 <= h.radius <= 4
        if abs(h.x - 0.5) > 0.08:  # the patch lies inside one half: its colour is the photo's there
            assert np.abs(hex_lab(h.color)[1:] - at(lab, h.x, h.y)[1:]).max() < 1.5
    again = tmp_path / "again.json"
    assert main(["hints", str(files / "colour.png"), "--count", "9", "--seed", "4", "--size", "64",
                 "--out", str(again)]) == 0
    assert read_hints(again) == hints  # seeded
    assert main(["hints", str(files / "colour.png"), "--seed", "5", "--out", str(again)]) == 0
    assert json.loads(again.read_text())["count"] == len(read_hints(again))  # a geometric count, recorded


HINTS_ERRORS = [
    (["{d}/missing.png"], "PHOTO: no such file or folder"),
    (["{d}/notes.txt"], "notes.txt"),
    (["{d}/photos"], "is a folder, not a file"),
    (["{d}/colour.png", "--count", "-1"], "--count must be at least 0"),
    (["{d}/colour.png", "--count", str(MAX_HINTS + 1)], f"at most {MAX_HINTS:,}"),
    (["{d}/colour.png", "--size", "0"], "--size must be at least 1"),
    (["{d}/colour.png", "--out", "{d}/photos"], "is a folder"),
    (["{d}/colour.png", "--out", "{d}/a_file/h.json"], "is a file"),
]


@pytest.mark.parametrize("args, expect", HINTS_ERRORS)
def test_hints_command_errors(files, tmp_path, capsys, args, expect):
    assert expect in refused("hints", args, files, tmp_path / "h.json", capsys)
