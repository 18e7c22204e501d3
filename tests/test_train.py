"""The training engine: overfitting, exact resume, NaN guard, DDP (2 CPU processes, gloo), checkpoints."""
import os
import socket

import numpy as np
import pytest
import torch

from colorkit.checkpoint import file_sha256, load_checkpoint
from colorkit.color import rgb_to_lab_norm_torch
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.objectives.base import NonFiniteLossError, lr_factor, register_objective
from colorkit.objectives.regression import Regression
from colorkit.train import StepBatchSampler, TrainConfig, train
from colorkit.checkpoint import load_trained

torch.set_num_threads(1)


def sample_batch(size=32):
    """The 4 built-in lesson photos, area-downsampled to size x size, as (L_norm, ab_norm)."""
    rgb = [torch.from_numpy(np.array(load_sample(n))).permute(2, 0, 1).float()[None] / 255 for n in SAMPLE_NAMES]
    rgb = torch.cat([torch.nn.functional.interpolate(x, size=(size, size), mode="area") for x in rgb])
    return rgb_to_lab_norm_torch(rgb)


def tiny_config(tmp_path, **kw):
    base = dict(model="unet", model_kwargs=dict(base_width=4, depth=2), batch_size=4, lr=3e-3, max_steps=8,
                val_every=3, log_every=1, eval_images=4, n_visuals=2, out_dir=str(tmp_path / "run"),
                tensorboard=False, progress_bar=False, live_plot=False)
    base.update(kw)
    return TrainConfig(**base)


def weights(result_or_model):
    m = getattr(result_or_model, "model", result_or_model)
    return {k: v.detach().clone() for k, v in m.state_dict().items()}


@pytest.mark.slow
def test_overfit_one_batch_drops_l1_by_90_percent(tmp_path):
    L, ab = sample_batch(32)
    cfg = tiny_config(tmp_path, model_kwargs=dict(base_width=16, depth=2), max_steps=150, lr=1e-2,
                      schedule="onecycle", warmup=0.05, val_every=1000, hflip=False, weight_decay=0.0)
    res = train(cfg, (L, ab), (L, ab), resume=False)
    first, last = res.history[0]["loss"], np.mean([h["loss"] for h in res.history[-5:]])
    assert last < 0.1 * first, (first, last)
    assert res.step == 150 and res.stop_reason == "max_steps"


def test_resume_reproduces_uninterrupted_run_exactly(tmp_path):
    L, ab = sample_batch(32)
    full = train(tiny_config(tmp_path / "a"), (L, ab), (L, ab), resume=False)

    def interrupt(step, logs, objective):
        if step == 5:
            raise KeyboardInterrupt

    cut = train(tiny_config(tmp_path / "b"), (L, ab), (L, ab), resume=False, callbacks=[interrupt])
    assert cut.stop_reason == "interrupted" and cut.step == 5
    assert load_checkpoint(tmp_path / "b" / "run" / "last.pt")["step"] == 5
    resumed = train(tiny_config(tmp_path / "b"), (L, ab), (L, ab), resume=True)
    assert resumed.step == 8
    a, b = weights(full), weights(resumed)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    # and the optimizer moments too
    oa = full.objective.optimizers["generator"].state_dict()["state"]
    ob = resumed.objective.optimizers["generator"].state_dict()["state"]
    assert all(torch.equal(oa[i]["exp_avg"], ob[i]["exp_avg"]) for i in oa)


@register_objective("test_nan_after_4")
class NanAfter4(Regression):
    def training_step(self, batch, step):
        if step >= 4:
            L, ab = batch
            loss = self.loss_fn(self.net()(L), ab) * float("nan")
            self.optimize(loss)
        return super().training_step(batch, step)


def test_nan_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    L, ab = sample_batch(32)
    cfg = tiny_config(tmp_path, objective="test_nan_after_4", val_every=2, max_steps=10)
    ckpt = tmp_path / "run" / "last.pt"
    with pytest.raises(NonFiniteLossError, match="learning rate"):
        train(cfg, (L, ab), (L, ab), resume=False)
    good = load_checkpoint(ckpt)
    assert good["step"] == 4
    assert all(torch.isfinite(v).all() for v in good["state"]["generator"].values() if v.is_floating_point())
    digest = file_sha256(ckpt)
    with pytest.raises(NonFiniteLossError):  # resuming hits the NaN again: file untouched
        train(cfg, (L, ab), (L, ab), resume=True)
    assert file_sha256(ckpt) == digest


def test_checkpoint_layout_and_load_trained(tmp_path):
    L, ab = sample_batch(32)
    res = train(tiny_config(tmp_path, max_steps=3), (L, ab), (L, ab), resume=False)
    ck = load_checkpoint(res.checkpoint)  # weights_only=True
    assert ck["format"] == "colorkit-checkpoint/1"
    assert ck["model"] == {"name": "unet", "kwargs": {"base_width": 4, "depth": 2}}
    assert {"generator"} == set(ck["state"]) and "generator" in ck["optim"]
    assert {"torch", "numpy", "python"} <= set(ck["rng"]) and ck["config"]["max_steps"] == 3
    model, _ = load_trained(res.checkpoint)
    assert not model.training
    with torch.no_grad():
        assert torch.allclose(model(L), res.predict(L), atol=1e-6)
    with pytest.raises(ValueError, match="resume=False"):  # a different model in the same folder
        train(tiny_config(tmp_path, model_kwargs=dict(base_width=8, depth=2)), (L, ab), resume=True)


def test_step_sampler_is_a_function_of_seed_and_step():
    s = StepBatchSampler(10, 4, seed=3)
    it = iter(s)
    batches = [next(it) for _ in range(5)]
    assert batches[3] == s.global_batch(3)
    # epochs are permutations: the first 8 indices (2 batches) + first 2 of batch 3 cover epoch 0 once
    stream = sum(batches, [])
    assert sorted(stream[:10]) == list(range(10)) and sorted(stream[10:20]) == list(range(10))
    assert next(iter(StepBatchSampler(10, 4, seed=3, start_step=3))) == batches[3]
    r0, r1 = StepBatchSampler(10, 4, 3, 2, 0, 2), StepBatchSampler(10, 4, 3, 2, 1, 2)
    assert next(iter(r0)) + next(iter(r1)) == batches[2]


def test_lr_factor_shape():
    assert lr_factor(0.1, "onecycle", 0.1) == pytest.approx(1.0)
    assert lr_factor(0.05, "onecycle", 0.1) == pytest.approx(0.5)
    assert lr_factor(0.55, "onecycle", 0.1) == pytest.approx(0.5, abs=1e-3)  # cosine midpoint
    assert lr_factor(1.0, "cosine") == pytest.approx(1e-3)
    assert lr_factor(0.7, "constant") == 1.0


def test_cpu_threads_ignore_the_load_average(monkeypatch):
    # a load average of 5 on 2 cores left by this process's own previous run: the CPUs are idle now
    from colorkit import train as T

    monkeypatch.setattr(os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    monkeypatch.setattr(T, "_THREADS", {"default": None, "set": None})  # torch's count now is the default
    snaps = iter(["cpu0 10 0 0 500 0 0 0 0\ncpu1 10 0 0 500 0 0 0 0\n",
                  "cpu0 10 0 0 530 0 0 0 0\ncpu1 11 0 0 529 0 0 0 0\n"])  # 1 busy tick of 60 in 0.3 s
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert T.cpu_threads_for_training(lambda: next(snaps), lambda: 0.0) == 2
    finally:
        torch.set_num_threads(old)
    # more detail in tests/test_train_regressions.py


def test_config_from_preset_fills_model_kwargs():
    cfg = TrainConfig.from_preset("smoke", model="unet", out_dir="x")
    assert cfg.model_kwargs["base_width"] == 8 and cfg.model_kwargs["depth"] == 2
    assert TrainConfig.from_preset("smoke", model="resnet_unet").model_kwargs["pretrained"] is False
    cpu = TrainConfig.from_preset("cpu", model="unet")  # the measured CPU recipe (notebook 03)
    assert cpu.model_kwargs == {"base_width": 16, "depth": 4, "zero_init_head": True, "stem": "half"}
    assert cpu.loss == "l1"
    assert "depth" not in TrainConfig.from_preset("smoke", model="baseline_cnn").model_kwargs
    with pytest.raises(TypeError, match="unknown TrainConfig"):
        TrainConfig.from_preset("smoke", bogus=1)


# ------------------------------------------------------------------------------------------------ DDP
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank, world, port, out_dir, result_path):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    L, ab = sample_batch(32)
    cfg = TrainConfig(model="unet", model_kwargs=dict(base_width=4, depth=2, norm="group"), batch_size=4, lr=3e-3,
                      max_steps=6, val_every=3, eval_images=4, n_visuals=2, out_dir=out_dir, tensorboard=False,
                      progress_bar=False, live_plot=False, device="cpu")
    res = train(cfg, (L, ab), (L, ab), resume=False)
    if rank == 0:
        torch.save(weights(res), result_path)


@pytest.mark.slow
def test_ddp_two_gloo_processes_match_single_process(tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_ddp_worker, args=(2, _free_port(), str(tmp_path / "ddp"), str(tmp_path / "ddp.pt")), nprocs=2)
    ddp = torch.load(tmp_path / "ddp.pt", weights_only=True)
    L, ab = sample_batch(32)
    cfg = TrainConfig(model="unet", model_kwargs=dict(base_width=4, depth=2, norm="group"), batch_size=4, lr=3e-3,
                      max_steps=6, val_every=3, eval_images=4, n_visuals=2, out_dir=str(tmp_path / "single"),
                      tensorboard=False, progress_bar=False, live_plot=False, device="cpu")
    single = weights(train(cfg, (L, ab), (L, ab), resume=False))
    assert (tmp_path / "ddp" / "last.pt").exists()
    for k in single:
        assert torch.allclose(single[k], ddp[k], atol=1e-5, rtol=1e-4), k
    # it did train: weights moved away from the initialization
    torch.manual_seed(0)
    from colorkit.models import build

    init = build("unet", base_width=4, depth=2, norm="group").state_dict()
    assert any(not torch.allclose(init[k], single[k]) for k in single if single[k].is_floating_point())


# ------------------------------------------------------------------------------------------------ lesson plans
def test_lesson_configs(tmp_path):
    from colorkit.course.supervised import RUNS_02, RUNS_03, lesson_config

    for run in [*RUNS_02, *RUNS_03]:
        smoke = lesson_config("smoke", run, tmp_path)
        assert smoke.max_steps == 4 and smoke.out_dir == str(tmp_path / run)
        cpu = lesson_config("cpu", run, tmp_path)
        assert cpu.max_steps is None and 0 < cpu.max_minutes <= 6
    assert lesson_config("cpu", "baseline_l2", tmp_path).loss == "l2"
    assert lesson_config("gpu", "resnet_unet", tmp_path).model_kwargs["pretrained"] is True
    total_cpu_minutes = sum(lesson_config("cpu", r, tmp_path).max_minutes for r in RUNS_03)
    assert total_cpu_minutes <= 11  # notebook 03 must fit 15 minutes with scoring


def test_chroma_and_gain_sweep_against_references():
    from skimage.color import deltaE_ciede2000

    from colorkit.color import gray_copy, rgb_to_lab
    from colorkit.course.supervised import chroma, de2000_at_gains

    assert chroma(np.array([[3.0, 4.0]]))[0] == pytest.approx(5.0)
    photo = np.array(load_sample("coffee"))[::16, ::16][:16, :16].copy()
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), torch.nn.Tanh())
    model.stride = 1
    got = de2000_at_gains(model, [photo], gains=(0.0,))
    ref = deltaE_ciede2000(rgb_to_lab(photo), rgb_to_lab(gray_copy(photo))).mean()
    assert got[0.0] == pytest.approx(ref, abs=0.05)  # gain 0 is the gray copy (up to 8-bit rounding)


def test_colorkit_train_cli_end_to_end_on_builtin_photos(tmp_path, monkeypatch, capsys):
    from colorkit.cli import main

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    out = tmp_path / "cli"
    rc = main(["train", "--model", "unet", "--data", "samples", "--preset", "smoke", "--max-steps", "2",
               "--threads", "1", "--out", str(out)])
    assert rc == 0
    assert "checkpoint:" in capsys.readouterr().out
    model, ck = load_trained(out / "last.pt")
    assert ck["step"] == 2 and ck["config"]["max_minutes"] is None
    assert model(torch.zeros(1, 1, 32, 32)).shape == (1, 2, 32, 32)
