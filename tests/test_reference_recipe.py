"""The reference recipe as one command (``python -m colorkit.reference_recipe``): its stages agree with what the
shipped models' cards record, and a ``smoke`` run prepares, trains, resumes and packages end to end."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import colorkit
from colorkit import reference as ref
from colorkit import reference_recipe as rr
from colorkit.data.prepare import read_manifest
from colorkit.presets import get_preset

torch.set_num_threads(1)


def test_wide_size_is_nine_eighths():
    assert [rr.wide_size(s) for s in (32, 64, 256)] == [36, 72, 288]


@pytest.mark.parametrize("name", rr.PACKAGED)
def test_recipe_matches_the_shipped_cards(name, tmp_path):
    """Architecture, loss and the minutes of each stage (the base, then the fine-tune) as the shipped card has them."""
    card = ref.reference_card(name)
    stages = {s.name: s for s in rr.RECIPE}
    chain = [stages[stages[name].init], stages[name]]
    cfg = rr.stage_config(stages[name], get_preset("cpu"), tmp_path)
    assert cfg.model_kwargs == card["architecture"]["kwargs"]
    assert [s.minutes for s in chain] == [st["minutes"] for st in card["stages"]]
    assert [rr.stage_config(s, get_preset("cpu"), tmp_path).loss for s in chain] == [st["loss"] for st in card["stages"]]
    assert cfg.extra["init_generator"] == str(tmp_path / "base" / "last.pt")


def test_hint_stage_matches_the_shipped_hint_card(tmp_path):
    """The shipped hint model was trained as the recipe's hint stage says: its architecture (a frozen automatic
    U-Net included), from the two-scale U-Net, at a quarter of the cpu preset's learning rate."""
    card = ref.reference_card("unet_hints")
    stage = {s.name: s for s in rr.RECIPE}["unet_hints"]
    cfg = rr.stage_config(stage, get_preset("cpu"), tmp_path)
    assert cfg.model_kwargs == card["architecture"]["kwargs"]
    assert cfg.model_kwargs["frozen_automatic"] is True
    assert cfg.extra["init_generator"] == str(tmp_path / "unet" / "last.pt")
    assert cfg.lr == pytest.approx(5e-4) and stage.two_scales and stage.minutes == 60.0


def test_fine_tune_learning_rates():
    """The two-scale fine-tune ran at lr 5e-4 under cpu (the card's data note), the GAN at the preset's 2e-3."""
    p, stages = get_preset("cpu"), {s.name: s for s in rr.RECIPE}
    assert rr.stage_config(stages["unet"], p, Path(".")).lr == pytest.approx(5e-4)
    assert rr.stage_config(stages["unet_gan"], p, Path(".")).lr == pytest.approx(2e-3)
    assert "lr 5e-4" in ref.reference_card("unet")["data"]["source"]


def test_wrong_number_of_budgets_is_refused(tmp_path):
    with pytest.raises(ValueError, match="one per stage"):
        rr.run_recipe("samples", tmp_path, "smoke", minutes=[1.0])


def test_smoke_run_end_to_end(tmp_path, capsys):
    out = tmp_path / "refs"
    assert rr.main(["samples", "--out", str(out), "--preset", "smoke", "--threads", "1", "--workers", "1"]) == 0
    said = {line.split(":")[0]: line for line in capsys.readouterr().out.splitlines() if "] stage " in line}
    # the two-scale fine-tune reads the 9/8 preparation (36 px under smoke), the GAN fine-tune the 32 px one
    assert said["[reference_recipe] stage unet"].endswith(f"photos from {out / 'prepared-36'}")
    assert said["[reference_recipe] stage unet_gan"].endswith(f"photos from {out / 'prepared-32'}")
    # a photo kept at both sizes is in the same split at both (the split hashes the photo's content)
    split = {side: {r["hash"]: r["split"] for r in read_manifest(out / f"prepared-{side}")} for side in (32, 36)}
    both = set(split[32]) & set(split[36])
    assert len(both) >= 5  # of the 8 built-in photos (a near-gray one may be skipped at one size)
    assert {h: split[32][h] for h in both} == {h: split[36][h] for h in both}
    # both fine-tunes started from the base
    for name in rr.PACKAGED:
        ckpt = torch.load(out / name / "last.pt", map_location="cpu", weights_only=False)
        assert ckpt["config"]["extra"]["init_generator"] == str(out / "base" / "last.pt")
    index = json.loads((out / "weights" / "index.json").read_text())
    assert set(index["models"]) == set(rr.PACKAGED + rr.PACKAGED_HINTS) and index["aliases"]["reference"] == "unet"
    hint_card = json.loads((out / "weights" / "unet_hints.json").read_text())
    assert set(hint_card["with_hints"]["table"]) == {"gray copy", "truth", "model", "levin"}
    hints_ckpt = torch.load(out / "unet_hints" / "last.pt", map_location="cpu", weights_only=False)
    assert hints_ckpt["config"]["extra"]["init_generator"] == str(out / "unet" / "last.pt")
    assert hints_ckpt["model"]["kwargs"]["frozen_automatic"] is True
    model = ref.load_reference("reference", folder=out / "weights")  # SHA-256 checked on load
    assert model.reference_name == "unet" and model.colorkit_train_size == 32
    assert len(model.card["stages"]) == 2 and model.card["preset"] == "smoke"
    assert model.card["metrics"]["gray_copy_de2000"] > 0
    # what the README tells a publisher: the file alone, checked against the SHA-256 in index.json
    alone = colorkit.load(str(out / "weights" / "unet.pt"), sha256=index["models"]["unet"]["sha256"])
    for a, b in zip(alone.parameters(), model.parameters()):
        assert torch.equal(a.float(), b)
    # run again: every stage is finished, nothing trains further
    steps = {s.name: torch.load(out / s.name / "last.pt", map_location="cpu", weights_only=False)["step"]
             for s in rr.RECIPE}
    rr.run_recipe("samples", out, "smoke", threads=1, workers=1, progress=False)
    again = {s.name: torch.load(out / s.name / "last.pt", map_location="cpu", weights_only=False)["step"]
             for s in rr.RECIPE}
    assert again == steps
