"""Checkpoints written by colorkit 0.1.0 (tests/fixtures, made before the package was regrouped, issue 13)
still load and predict the very same a*b*."""
from pathlib import Path

import numpy as np
import pytest

import colorkit
from colorkit.colorize import colorize_image
from colorkit.data.samples import load_sample

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["unet", "unet_classifier", "unet_gan", "unet_last"])
def test_a_checkpoint_from_v0_1_0_loads_and_predicts_the_same_ab(name):
    expected = np.load(FIXTURES / "v0.1.0_expected_ab.npz")[name]
    model = colorkit.load(FIXTURES / f"v0.1.0_{name}.pt")
    assert model.card["model"] == name.replace("_last", "") and model.card["colorkit"] == "0.1.0"
    photo = np.array(load_sample("rocket"))[::8, ::8]
    ab = colorize_image(model, photo, work_size=32, return_ab=True)[1]
    np.testing.assert_allclose(ab, expected, atol=1e-4)


def test_a_training_checkpoint_from_v0_1_0_resumes(tmp_path):
    import shutil

    from colorkit.checkpoint import load_checkpoint

    ckpt = load_checkpoint(FIXTURES / "v0.1.0_unet_last.pt")
    assert {"optim", "state", "model"} <= set(ckpt) and ckpt["step"] == 2
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(FIXTURES / "v0.1.0_unet_last.pt", run / "last.pt")
    import torch

    from colorkit.color import rgb_to_lab_norm_torch
    from colorkit.presets import get_preset
    from colorkit.train import TrainConfig, train

    rgb = torch.from_numpy(np.array(load_sample("chelsea"))[:64, :64]).permute(2, 0, 1).float()[None] / 255
    L, ab = rgb_to_lab_norm_torch(rgb.repeat(4, 1, 1, 1))
    cfg = TrainConfig.from_preset(get_preset("smoke"), model="unet", model_kwargs={"base_width": 4, "depth": 2},
                                  max_steps=3, max_minutes=None, out_dir=str(run), val_every=3, eval_images=2,
                                  live_plot=False, tensorboard=False, progress_bar=False, seed=0)
    assert train(cfg, (L, ab), (L[:2], ab[:2]), resume=True).step == 3  # went on from step 2
