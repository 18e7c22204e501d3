"""colorkit.reference_hints: a hint model packaged like the references, its card measured with hints, the Levin row
checked against Levin and scikit-image's CIEDE2000 computed here."""
import json

import numpy as np
import pytest
import torch
from skimage.color import deltaE_ciede2000, rgb2lab

import colorkit
from colorkit import reference as ref
from colorkit.checkpoint import FORMAT, save_checkpoint
from colorkit.data.photos import load_images
from colorkit.evaluate.hints import photo_hints
from colorkit.guided.levin import levin_colorize
from colorkit.models import build
from colorkit.reference_hints import main, package_hint_reference

torch.set_num_threads(1)


def hint_last_pt(path):
    torch.manual_seed(0)
    kwargs = {"base_width": 4, "depth": 2, "stem": "half"}
    m = build("unet_hints", **kwargs)
    card = {"colorkit": colorkit.__version__, "model": "unet_hints", "objective": "hints", "loss": "l1",
            "steps": 3, "images_seen": 12, "train_minutes": 0.01, "image_size": 32}
    save_checkpoint({"format": FORMAT, "model": {"name": "unet_hints", "kwargs": kwargs},
                     "state": {"generator": m.state_dict()}, "step": 3, "card": card,
                     "config": {"loss": "l1", "extra": {}}}, path)
    return path


def test_card_carries_the_hint_table_with_levin_and_the_gray_copy(tmp_path):
    ckpt = hint_last_pt(tmp_path / "last.pt")
    folder = tmp_path / "w"
    card = package_hint_reference(ckpt, "tiny_hints", "samples", folder=folder, limit=2, counts=(0, 2, 10))
    table = card["with_hints"]["table"]
    assert set(table) == {"gray copy", "truth", "model", "levin"} and set(table["levin"]) == {"0", "2", "10"}
    assert card["metrics"]["levin_de2000_10_hints"] == table["levin"]["10"]["de2000"]
    # the card on disk is the one returned, and the index verifies the weights
    assert json.loads((folder / "tiny_hints.json").read_text())["with_hints"] == card["with_hints"]
    assert ref.read_index(folder)["aliases"].get("reference") != "tiny_hints"
    ref.verify_shipped("tiny_hints", folder)
    # Levin's row, recomputed here with the same hints and scikit-image
    truths, _ = load_images("samples", 32, limit=2)
    hints = photo_hints(truths, 10, seed=0)
    want = np.mean([deltaE_ciede2000(rgb2lab(t), rgb2lab(levin_colorize(t, h, work_size=32)), channel_axis=-1).mean()
                    for t, h in zip(truths, hints)])
    assert table["levin"]["10"]["de2000"] == pytest.approx(want, abs=0.01)
    # an untrained hint model is the propagation: it keeps the hints' colours, so it beats the gray copy
    assert table["model"]["10"]["de2000"] < table["gray copy"]["de2000"]


def test_command_line(tmp_path, capsys):
    ckpt = hint_last_pt(tmp_path / "last.pt")
    assert main([str(ckpt), "--name", "h", "--photos", "samples", "--limit", "1", "--folder", str(tmp_path / "w")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "de2000_10_hints" in out["metrics"] and out["weights"]["dtype"] == "float16"
