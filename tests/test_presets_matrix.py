"""Every lesson plan and every registered colorizer under every preset: one real training step on CPU.

What is exercised, per case (a separate test id each): the :class:`~colorkit.train.TrainConfig` the lesson
(or ``TrainConfig.from_preset(preset, model=M)``, what ``colorkit train --model M`` builds) makes under
``smoke``, ``cpu`` and ``gpu``; its networks built by the objective (``get_objective(cfg.objective)
.build_networks(cfg)``) at the preset's **real** widths, depths and stems; the objective set up on CPU with
the preset's ``channels_last``; then one ``training_step`` (forward, backward, optimizer step) on a random
batch of 2 images past the GAN pretraining fraction (so the discriminator's step runs too), and ``predict``.

Image size: the preset's ``image_size`` under smoke (32) and cpu (64). Under gpu (256 px) the step runs at
64 px, the smallest size every model's stride (at most 32) divides that still leaves every U-Net level
and the bottleneck more than 1 pixel; the networks are the gpu preset's, only the photos are smaller (a
256 px backward of the width-64 U-Nets takes several seconds each on 2 shared cores). A model that cannot
take 64 px would fail here, not pass silently.

ResNet encoders under gpu (``pretrained=True``) need ImageNet weights: offline, the build must stop with
:class:`~colorkit.models.blocks.PretrainedWeightsUnavailable` and its "pretrained=False" advice; any other
error fails.
"""
import math
from pathlib import Path

import pytest
import torch

from colorkit.checkpoint import FORMAT, save_checkpoint
from colorkit.models import available
from colorkit.models.blocks import PretrainedWeightsUnavailable
from colorkit.objectives.base import get_objective
from colorkit.presets import PRESET_NAMES, get_preset

torch.set_num_threads(1)

NOT_COLORIZERS = {"patchgan"}  # discriminators: judged inside the GAN cases
STEP_SIZE = {"gpu": 64}  # photo side for the step (see the module docstring); others: the preset's image_size


def lesson_plans(preset: str, out: Path) -> dict:
    """``{case name: TrainConfig}`` of every lesson's runs under ``preset``."""
    from colorkit.course.generative import gan_lesson_configs, vae_lesson_configs
    from colorkit.course.supervised import RUNS_02, RUNS_03, lesson_config
    from colorkit.course.why_brown import lab_configs

    plans = {}
    for run in {**RUNS_02, **RUNS_03}:
        plans[f"lesson02/03-{run}"] = lesson_config(preset, run, out / "sup")
    for name, cfg in vae_lesson_configs(preset, out / "vae").items():
        plans[f"lesson04-{name}"] = cfg
    for name, cfg in gan_lesson_configs(preset, out / "gan").items():
        plans[f"lesson05-{name}"] = cfg
    for name, cfg in lab_configs(preset, out / "lab").items():
        plans[f"lesson06-{name}"] = cfg
    return plans


def registry_plans(preset: str, out: Path) -> dict:
    from colorkit.train import TrainConfig

    return {f"registry-{m}": TrainConfig.from_preset(preset, model=m, out_dir=str(out / m))
            for m in available() if m not in NOT_COLORIZERS}


def _case_names() -> list[tuple[str, str]]:
    out = Path("unused")
    return [(p, name) for p in PRESET_NAMES for name in [*lesson_plans(p, out), *registry_plans(p, out)]]


def _write_init_generator(cfg, plans) -> None:
    """A GAN run starting from another run's checkpoint (lesson 05: the L1 U-Net's): write that checkpoint from
    the run that makes it, so loading it checks that its weights fit this generator."""
    init = (cfg.extra or {}).get("init_generator")
    if not init:
        return
    src = next(c for c in plans.values() if Path(c.out_dir) / "last.pt" == Path(init))
    gen = get_objective(src.objective).build_networks(src)["generator"]
    save_checkpoint({"format": FORMAT, "model": {"name": src.model, "kwargs": dict(src.model_kwargs)},
                     "state": {"generator": gen.state_dict()}}, init)


@pytest.mark.parametrize("preset, case", _case_names(), ids=[f"{p}-{c}" for p, c in _case_names()])
def test_one_training_step(preset, case, tmp_path):
    plans = {**lesson_plans(preset, tmp_path), **registry_plans(preset, tmp_path)}
    cfg = plans[case]
    p = get_preset(preset)
    obj_cls = get_objective(cfg.objective)
    _write_init_generator(cfg, plans)
    torch.manual_seed(0)
    try:
        nets = obj_cls.build_networks(cfg)
    except PretrainedWeightsUnavailable as e:  # only where ImageNet weights were asked for (offline here)
        assert cfg.model_kwargs.get("pretrained") is True, e
        assert "pretrained=False" in str(e) and "could not get the ImageNet weights" in str(e)
        return
    obj = obj_cls(nets, cfg)
    obj.setup("cpu", None, cfg.channels_last)
    size = STEP_SIZE.get(preset, p.image_size)
    g = torch.Generator().manual_seed(1)
    L = torch.rand(2, 1, size, size, generator=g) * 2 - 1
    ab = (torch.rand(2, 2, size, size, generator=g) - 0.5) * 0.6
    gen = obj.networks["generator"]
    before = {k: v.detach().clone() for k, v in gen.named_parameters()}
    obj.train_mode(True)
    obj.set_progress(0.75)  # past every plan's GAN pretraining (0.5 by default): D steps too
    logs = obj.training_step(obj.to_device((L, ab)), 0)
    assert logs and all(math.isfinite(v) for v in logs.values()), logs
    if cfg.objective == "gan":
        assert "loss_d" in logs  # the adversarial phase ran
    changed = [k for k, v in gen.named_parameters() if not torch.equal(v.detach(), before[k])]
    assert changed, "the optimizer step changed no generator weight"
    obj.train_mode(False)
    pred = obj.predict(L)
    assert pred.shape == (2, 2, size, size) and float(pred.abs().max()) <= 1.0
