"""``colorkit models``: the shipped reference models and the models trained under COLORKIT_HOME, with card metrics."""
from __future__ import annotations

import json

import torch

from colorkit.checkpoint import FORMAT, make_card, save_checkpoint, write_card
from colorkit.cli import main
from colorkit.models import build

torch.set_num_threads(1)


def _course_checkpoint(path):
    """A checkpoint as the course exports it (``runs/checkpoints/<preset>/<model>.pt``), its card beside it."""
    kwargs = {"base_width": 4, "depth": 2}
    model = build("unet", **kwargs)
    card = make_card("unet", kwargs, preset="smoke", steps=3, model=model,
                     metrics={"de2000": 11.0, "gray_copy_de2000": 12.5})
    save_checkpoint({"format": FORMAT, "model": {"name": "unet", "kwargs": kwargs},
                     "state": {"generator": model.state_dict()}, "step": 3, "card": card}, path)
    write_card(card, path)
    return path


def test_models_lists_references_and_trained_checkpoints(tmp_path, capsys):
    home = tmp_path / "home"
    _course_checkpoint(home / "runs" / "checkpoints" / "smoke" / "unet.pt")
    assert main(["models", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["name", "kind", "ΔE2000"]
    assert any(line.startswith("unet (reference)") and "--model reference:unet" in line for line in lines)
    assert any(line.startswith("unet_gan ") for line in lines)
    assert any(line.startswith("unet_hints ") and line.rstrip().endswith("--hints FILE.json (the default --method)")
               for line in lines)  # the hint model is used through --hints
    trained = next(line for line in lines if line.startswith("smoke/unet"))
    assert "trained" in trained and "11.00" in trained and "12.50" in trained and "-1.50" in trained
    assert "3 reference model(s) shipped with colorkit, 1 trained here" in out


def test_models_json_and_a_missing_home(tmp_path, capsys):
    assert main(["models", "--home", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in rows] == ["reference", "reference", "reference"]
    assert all(isinstance(r["de2000"], float) and isinstance(r["gray_copy_de2000"], float) for r in rows)
    assert main(["models", "--home", str(tmp_path / "missing")]) == 2
    assert "--home" in capsys.readouterr().err
