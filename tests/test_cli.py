"""Every command line mistake a user can make is one line on stderr naming the fix, exit status 2, no
traceback, and is found before any training or heavy loading (these tests train nothing)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from colorkit import cli
from colorkit.cli import UsageError, main


def _error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"colorkit {command}: error: "), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import torch

    from colorkit.checkpoint import FORMAT, save_checkpoint
    from colorkit.models import build

    d = tmp_path_factory.mktemp("cli_errors")
    photos = d / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(photos / f"p{i}.png")
    (d / "notes.txt").write_text("not a photo\n")
    (d / "fake.jpg").write_bytes(b"not a photo either")
    (d / "empty").mkdir()
    (d / "text.pt").write_text("hello, I am text\n")  # torch.load on this raised KeyError: 101
    (d / "zip.pt").write_bytes(b"PK\x03\x04" + b"\0" * 60)  # starts like a zip, is not a checkpoint
    torch.save({"weights": torch.zeros(2)}, d / "foreign.pt")  # a PyTorch file, not a colorkit checkpoint
    torch.save({"format": FORMAT, "model": {"name": "nosuch_model", "kwargs": {}}, "state": {}}, d / "future.pt")
    model = build("unet", base_width=4, depth=2)
    save_checkpoint({"format": FORMAT, "model": {"name": "unet", "kwargs": {"base_width": 4, "depth": 2}},
                     "state": {"generator": model.state_dict()}, "step": 0}, d / "good.pt")
    (d / "a_file").write_text("x")
    return d


# ----------------------------------------------------------------------------------------------- prepare
@pytest.mark.parametrize("make_args, expect", [
    (lambda d: ["nosuch"], "unknown source 'nosuch'"),
    (lambda d: [str(d / "missing")], "no such folder"),
    (lambda d: [str(d / "empty")], "no readable photos"),
    (lambda d: [str(d / "notes.txt")], "not a photo"),
    (lambda d: [str(d / "photos"), "--size", "0"], "--size must be at least 8"),
    (lambda d: [str(d / "photos"), "--size", "-5"], "--size must be at least 8"),
    (lambda d: [str(d / "photos"), "--max-images", "0"], "--max-images must be at least 1"),
    (lambda d: [str(d / "photos"), "--workers", "0"], "--workers must be at least 1"),
    (lambda d: ["coco", "--split", "test2099"], "unknown COCO split"),
    (lambda d: ["samples", "--split", "val2017"], "--split is for the coco source only"),
    (lambda d: [str(d / "photos"), "--out", str(d / "a_file")], "is a file"),
])
def test_prepare_errors(files, capsys, make_args, expect):
    assert main(["prepare", *make_args(files), "--no-progress"]) == 2
    assert expect in _error_line(capsys, "prepare")


def test_prepare_refuses_other_settings_in_out_before_working(files, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "prepare.json").write_text(json.dumps({"settings": {"size": 999}, "complete": True}))
    assert main(["prepare", str(files / "photos"), "--size", "32", "--out", str(out), "--no-progress"]) == 2
    line = _error_line(capsys, "prepare")
    assert "other settings" in line and "--overwrite" in line
    assert sorted(p.name for p in out.iterdir()) == ["prepare.json"]  # nothing was written


# ------------------------------------------------------------------------------------------------- train
TRAIN_CASES = [
    (["--model", "nosuch"], "unknown model 'nosuch'"),
    (["--preset", "nosuch"], "unknown preset 'nosuch'"),
    (["--objective", "nosuch"], "unknown objective 'nosuch'"),
    (["--loss", "nosuch"], "unknown loss 'nosuch'"),
    (["--data", "{d}/missing"], "no such file or folder"),
    (["--data", "{d}/empty"], "no readable photos"),
    (["--data", "{d}/notes.txt"], "is not a photo"),
    (["--val-data", "{d}/missing"], "--val-data"),
    (["--max-steps", "0"], "--max-steps must be at least 1"),
    (["--max-steps", "-3"], "--max-steps must be at least 1"),
    (["--max-minutes", "-1"], "--max-minutes must be a positive number"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--lr", "0"], "--lr must be a positive number"),
    (["--threads", "-1"], "--threads must be at least 0"),
    (["--model-kwargs", "{base_width: 8}"], "--model-kwargs is not valid JSON"),
    (["--model-kwargs", "[1, 2]"], "--model-kwargs must be a JSON object"),
    (["--model-kwargs", '{"nosuch": 1}'], "nosuch"),
    (["--model-kwargs", '{"stem": "nosuch"}'], "unknown stem"),
    (["--extra", "not json"], "--extra is not valid JSON"),
    (["--model", "unet_gan", "--extra", '{"nosuch": 1}'], "unknown GAN setting"),
    (["--model", "unet_gan", "--extra", '{"adversarial": "nosuch"}'], "unknown adversarial loss"),
    (["--model", "unet", "--objective", "classification"], "needs a bin classifier"),
    (["--model", "unet_gan", "--extra", '{"init_generator": "{d}/text.pt"}'], "not a colorkit checkpoint"),
    (["--out", "{d}/a_file"], "is a file"),
    (["--max-crop", "40"], "--max-crop needs a prepared folder"),
    (["--model", "unet", "--loss", "l3"], "unknown loss"),
]


@pytest.mark.parametrize("extra_args, expect", TRAIN_CASES)
def test_train_errors(files, tmp_path, capsys, monkeypatch, extra_args, expect):
    import colorkit.cli.train as T

    monkeypatch.setattr(T, "train", lambda *a, **k: pytest.fail("training started"))
    args = {"--model": "unet", "--data": "samples", "--preset": "smoke", "--max-steps": "1",
            "--out": str(tmp_path / "run")}
    rest = [a.replace("{d}", str(files)) for a in extra_args]
    for i in range(0, len(rest) - 1):
        if rest[i] in args:
            args[rest[i]] = rest[i + 1]
            rest[i] = rest[i + 1] = None
    argv = ["train"] + [x for kv in args.items() for x in kv] + [x for x in rest if x is not None]
    assert main(argv) == 2
    assert expect in _error_line(capsys, "train")


def test_train_refuses_an_incompatible_run_folder(files, tmp_path, capsys, monkeypatch):
    import colorkit.cli.train as T

    monkeypatch.setattr(T, "train", lambda *a, **k: pytest.fail("training started"))
    out = tmp_path / "run"
    out.mkdir()
    (out / "last.pt").write_bytes((files / "good.pt").read_bytes())  # a unet with other kwargs, no config
    assert main(["train", "--model", "unet_gan", "--data", "samples", "--preset", "smoke", "--max-steps", "1",
                 "--out", str(out)]) == 2
    line = _error_line(capsys, "train")
    assert "--no-resume" in line and "--out" in line
    (out / "last.pt").write_text("text")
    assert main(["train", "--data", "samples", "--preset", "smoke", "--max-steps", "1", "--out", str(out)]) == 2
    line = _error_line(capsys, "train")
    assert "not a colorkit checkpoint" in line and "--no-resume" in line


# ---------------------------------------------------------------------------------------------- colorize
COLORIZE_CASES = [
    (["--checkpoint", "{d}/missing.pt"], "no checkpoint at"),
    (["--checkpoint", "{d}/text.pt"], "is not a colorkit checkpoint (not a PyTorch file)"),
    (["--checkpoint", "{d}/notes.txt"], "is not a colorkit checkpoint"),
    (["--checkpoint", "{d}/zip.pt"], "is not a colorkit checkpoint"),
    (["--checkpoint", "{d}/foreign.pt"], "is not a colorkit checkpoint (format None"),
    (["--checkpoint", "{d}/future.pt"], "'nosuch_model' model"),
    (["--checkpoint", "{d}"], "is a folder"),
    (["--checkpoint", "{d}/good.pt", "--sha256", "abc"], "--sha256 must be 64 hexadecimal digits"),
    (["--checkpoint", "{d}/good.pt", "--sha256", "0" * 64], "SHA-256"),
    (["--checkpoint", "{d}/good.pt", "--size", "0"], "--size must be at least 16"),
    (["--checkpoint", "{d}/good.pt", "--device", "nosuch"], "--device 'nosuch'"),
    (["--checkpoint", "{d}/good.pt", "--out", "{d}/a_file"], "is a file"),
    (["--model", "nosuch"], "no trained checkpoint named 'nosuch'"),
    (["--model", "nosuch", "--preset", "nosuch"], "unknown preset 'nosuch'"),
]


@pytest.mark.parametrize("extra_args, expect", COLORIZE_CASES)
def test_colorize_errors(files, tmp_path, capsys, monkeypatch, extra_args, expect):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    args = [a.replace("{d}", str(files)) for a in extra_args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "o")]
    assert main(["colorize", str(files / "photos"), *args]) == 2
    assert expect in _error_line(capsys, "colorize")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("inputs, expect", [
    (["{d}/missing.jpg", "{d}/gone"], "no such file or folder"),
    (["{d}/notes.txt", "{d}/fake.jpg"], "no readable photos"),
    (["{d}/empty"], "no readable photos"),
])
def test_colorize_refuses_inputs_without_any_photo(files, tmp_path, capsys, inputs, expect):
    args = [a.replace("{d}", str(files)) for a in inputs]
    assert main(["colorize", *args, "--checkpoint", str(files / "good.pt"), "--out", str(tmp_path / "o")]) == 2
    assert expect in _error_line(capsys, "colorize")


# ---------------------------------------------------------------------------------------------- evaluate
EVALUATE_CASES = [
    (["{d}/missing"], "no such file or folder"),
    (["{d}/empty"], "no readable photos"),
    (["{d}/notes.txt"], "is not a photo"),
    (["{d}/photos", "--checkpoint", "{d}/missing.pt"], "no checkpoint at"),
    (["{d}/photos", "--checkpoint", "{d}/text.pt"], "is not a colorkit checkpoint"),
    (["{d}/photos", "--checkpoint", "{d}/foreign.pt"], "is not a colorkit checkpoint"),
    (["{d}/photos", "--checkpoint", "{d}/good.pt", "--checkpoint", "{d}/zip.pt"], "zip.pt is not a colorkit"),
    (["{d}/photos", "--size", "8"], "--size must be at least 16"),
    (["{d}/photos", "--limit", "0"], "--limit must be at least 1"),
    (["{d}/photos", "--fit", "{d}/missing"], "--fit"),
    (["{d}/photos", "--device", "nosuch"], "--device"),
    (["{d}/photos", "--out", "{d}/a_file"], "is a file"),
]


@pytest.mark.parametrize("extra_args, expect", EVALUATE_CASES)
def test_evaluate_errors(files, tmp_path, capsys, monkeypatch, extra_args, expect):
    import colorkit.cli.evaluate as E

    monkeypatch.setattr(E, "evaluate", lambda *a, **k: pytest.fail("scoring started"))
    args = [a.replace("{d}", str(files)) for a in extra_args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "e")]
    assert main(["evaluate", *args, "--no-perceptual"]) == 2
    assert expect in _error_line(capsys, "evaluate")


# --------------------------------------------------------------------------------------------------- run
@pytest.mark.parametrize("make_args, expect", [
    (lambda d: ["--preset", "nosuch"], "unknown preset 'nosuch'"),
    (lambda d: ["--data", str(d / "missing")], "no such file or folder"),
    (lambda d: ["--data", str(d / "notes.txt")], "is a file, not a folder"),
    (lambda d: ["--data", str(d / "empty")], "no readable photos"),
    (lambda d: ["--only", "99"], "no such lesson"),
    (lambda d: ["--out", str(d / "a_file")], "is a file"),
])
def test_run_errors(files, capsys, monkeypatch, make_args, expect):
    import colorkit.course.command as C

    monkeypatch.setattr(C, "run_course", lambda *a, **k: pytest.fail("the course started"))
    assert main(["run", *make_args(files)]) == 2
    assert expect in _error_line(capsys, "run")


# --------------------------------------------------------------------------------------- the machinery
def test_argparse_errors_still_exit_2_with_a_usage_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--max-steps", "two", "--data", "samples", "--out", "x"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "invalid int value" in err


def test_bugs_keep_their_traceback(monkeypatch):
    """Only the user's errors are turned into one line: anything else propagates."""
    import colorkit.course.command as C

    monkeypatch.setattr(C, "run_cli", lambda args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(["run"])
    monkeypatch.setattr(C, "run_cli", lambda args: {}["key"])
    with pytest.raises(KeyError):
        main(["run"])


def test_user_error_message_is_one_line_and_only_for_user_errors():
    from colorkit.checkpoint import ChecksumMismatchError, UnsafeCheckpointError

    assert cli.user_error_message(UsageError("a\n  b")) == "a b"
    assert cli.user_error_message(FileNotFoundError(2, "No such file or directory", "x.pt")) == \
        "No such file or directory: x.pt"
    assert cli.user_error_message(UnsafeCheckpointError("bad")) == "bad"
    assert cli.user_error_message(ChecksumMismatchError("differs")) == "differs"
    assert cli.user_error_message(ValueError("a bug")) is None
    assert cli.user_error_message(KeyError("a bug")) is None
    assert cli.user_error_message(RuntimeError("a bug")) is None


def test_helpers_raise_usage_errors(tmp_path):
    from colorkit.cli import args

    assert args.at_least(None, 1, "--n") is None and args.at_least(3, 1, "--n") == 3
    with pytest.raises(UsageError, match="--n must be at least 1"):
        args.at_least(0, 1, "--n")
    assert args.json_object('{"a": 1}', "--x") == {"a": 1} and args.json_object("", "--x") is None
    with pytest.raises(UsageError, match="not valid JSON"):
        args.json_object("{a: 1}", "--x")
    with pytest.raises(UsageError, match="JSON object"):
        args.json_object("3", "--x")
    assert args.existing_path(tmp_path, "--d", kind="dir") == tmp_path
    with pytest.raises(UsageError, match="no such file or folder"):
        args.existing_path(tmp_path / "nope", "--d")
    with pytest.raises(UsageError, match="is a folder, not a file"):
        args.existing_path(tmp_path, "--f", kind="file")
    assert args.output_folder(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="no folder can be made"):
        args.output_folder(tmp_path / "f" / "sub")
    assert args.photo_source("samples", "--data") == "samples"
    assert args.sha256_hex(None) is None and args.sha256_hex("a" * 64) == "a" * 64
    with pytest.raises(UsageError):
        args.sha256_hex("g" * 64)
    assert str(args.device("cpu")) == "cpu"
    with pytest.raises(UsageError):
        args.device("nosuch")


def test_read_checkpoint_accepts_a_colorkit_checkpoint(files):
    from colorkit.cli import args

    ckpt = args.read_checkpoint(files / "good.pt")
    assert ckpt["model"]["name"] == "unet"
    assert args.checkpoint_file(files / "good.pt") == files / "good.pt"
    args.photo_inputs([files / "missing.jpg", files / "photos"])  # one good input is enough: no error


def test_offline_imagenet_weights_are_a_user_error():
    """``--model resnet_unet --preset gpu`` offline: one line naming the fix, not a traceback."""
    from colorkit.cli import user_error_message
    from colorkit.models.blocks import PretrainedWeightsUnavailable

    msg = user_error_message(PretrainedWeightsUnavailable("ImageNet weights unavailable offline:\n pass pretrained=False"))
    assert msg == "ImageNet weights unavailable offline: pass pretrained=False"
    assert user_error_message(RuntimeError("a bug")) is None
