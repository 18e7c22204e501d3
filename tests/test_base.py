"""Presets, runtime, samples, paths, checkpoints and the CLI dispatcher."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from colorkit import checkpoint, paths, presets, runtime
from colorkit.data import samples


# --- presets ---------------------------------------------------------------------------------------
def test_auto_preset_follows_env_then_device(monkeypatch):
    monkeypatch.setenv("COLORKIT_PRESET", "smoke")
    assert presets.resolve_preset("auto") == "smoke"
    monkeypatch.delenv("COLORKIT_PRESET")
    expected = "gpu" if torch.cuda.is_available() else "cpu"
    assert presets.resolve_preset("auto") == expected
    assert presets.resolve_preset("GPU") == "gpu"
    with pytest.raises(ValueError, match="unknown preset"):
        presets.resolve_preset("huge")


def test_presets_scale_up_and_overrides():
    s, c, g = (presets.PRESETS[n] for n in ("smoke", "cpu", "gpu"))
    assert s.image_size <= c.image_size <= g.image_size
    assert s.base_width <= c.base_width <= g.base_width
    p = presets.get_preset("cpu", batch_size=3)
    assert p.batch_size == 3 and p.image_size == c.image_size
    with pytest.raises(TypeError, match="unknown preset field"):
        presets.get_preset("cpu", batchsize=3)
    assert {row["name"] for row in presets.preset_table()} == {"smoke", "cpu", "gpu"}


# --- runtime ---------------------------------------------------------------------------------------
def test_seeding_is_reproducible():
    runtime.seed_everything(5)
    a = (np.random.rand(), torch.rand(3))
    runtime.seed_everything(5)
    b = (np.random.rand(), torch.rand(3))
    assert a[0] == b[0] and torch.equal(a[1], b[1])


def test_device_and_environment(monkeypatch):
    assert runtime.get_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        assert runtime.get_device().type in ("cpu", "mps")
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            runtime.get_device("cuda")
    info = runtime.environment_report()
    assert info["torch"] == torch.__version__ and info["device"]
    assert runtime.in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert runtime.in_colab() is True


# --- samples -----------------------------------------------------------------------------------------
def test_samples_match_skimage_data():
    from skimage import data as skdata

    assert np.array_equal(samples.load_sample("astronaut"), skdata.astronaut())
    assert np.array_equal(samples.load_sample("camera"), skdata.camera())
    assert set(samples.SAMPLE_NAMES) <= set(samples.COLOR_SAMPLES)
    for name in samples.COLOR_SAMPLES:
        im = samples.load_sample(name)
        assert im.ndim == 3 and im.shape[2] == 3 and im.dtype == np.uint8
        assert np.ptp(im.astype(int), axis=2).mean() > 1  # really colour
    for name in samples.GRAY_SAMPLES:
        assert samples.load_sample(name).ndim == 2
    assert len(samples.sample_paths("all")) == len(samples.license_table())
    with pytest.raises(KeyError, match="unknown sample"):
        samples.load_sample("lena")


# --- paths -------------------------------------------------------------------------------------------
def test_paths_follow_colorkit_home(monkeypatch, tmp_path):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    assert paths.data_dir("x") == tmp_path / "data" / "x"
    ck = paths.checkpoint_path("unet", "cpu")
    assert ck == tmp_path / "runs" / "checkpoints" / "cpu" / "unet.pt"
    assert paths.list_checkpoints("cpu") == {}
    ck.parent.mkdir(parents=True)
    ck.write_bytes(b"")
    assert paths.list_checkpoints("cpu") == {"unet": ck}


# --- checkpoints ---------------------------------------------------------------------------------------
class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_checkpoint_round_trip_atomic_and_safe(tmp_path):
    state = {"format": checkpoint.FORMAT, "model": {"name": "unet", "kwargs": {"width": 8}},
             "state": {"generator": {"w": torch.arange(4.0)}}, "step": 3}
    path = checkpoint.save_checkpoint(state, tmp_path / "a" / "ck.pt")
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    loaded = checkpoint.load_checkpoint(path)
    assert loaded["step"] == 3 and torch.equal(loaded["state"]["generator"]["w"], torch.arange(4.0))
    # sha256 agrees with hashlib (independent) and a mismatch is refused
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert checkpoint.file_sha256(path) == digest
    checkpoint.load_checkpoint(path, sha256=digest)
    with pytest.raises(checkpoint.ChecksumMismatchError, match="expected"):
        checkpoint.load_checkpoint(path, sha256="0" * 64)


def test_checkpoint_refuses_code_and_garbage(tmp_path):
    evil = tmp_path / "evil.pt"
    torch.save({"x": _Evil()}, evil)
    with pytest.raises(checkpoint.UnsafeCheckpointError, match="refused"):
        checkpoint.load_checkpoint(evil)
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(checkpoint.UnsafeCheckpointError):
        checkpoint.load_checkpoint(raw)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoint.UnsafeCheckpointError):
        checkpoint.load_checkpoint(junk)
    with pytest.raises(FileNotFoundError):
        checkpoint.load_checkpoint(tmp_path / "missing.pt")


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    checkpoint.atomic_write_bytes(target, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        checkpoint.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


# --- models registry and CLI ------------------------------------------------------------------------
def test_registry_rejects_unknown_and_duplicates():
    from colorkit import models

    with pytest.raises(KeyError, match="unknown model"):
        models.build("no_such_model")

    @models.register("_test_dummy")
    def make():
        return torch.nn.Identity()

    assert isinstance(models.build("_test_dummy"), torch.nn.Identity)
    with pytest.raises(ValueError, match="twice"):
        models.register("_test_dummy")(lambda: None)


def test_cli_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "colorkit.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for cmd in ("prepare", "train", "colorize", "evaluate", "run"):
        assert cmd in out.stdout
    from colorkit import cli

    with pytest.raises(SystemExit):
        cli.main([])  # no command: argparse prints help and exits
