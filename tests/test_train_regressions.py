"""Issue 11 fixes: wrapper constructors take their model's arguments by construction, the CPU thread choice
measures other processes now (not the load average), grad-scaler state survives a resume, unet_classifier
trains with its own objective, and explicit ``None`` preset overrides are applied."""
import inspect

import pytest
import torch

from colorkit import presets
from colorkit.checkpoint import load_checkpoint, save_checkpoint
from colorkit.models import _REGISTRY, available, build
from colorkit.models.gan_generator import GANGenerator
from colorkit.models.unet import UNet
from colorkit.models.unet_classifier import UNetClassifier
from colorkit.objectives.regression import Regression
from colorkit.objectives.base import get_objective, register_objective
from colorkit.objectives.classification import Classification
from colorkit.train import TrainConfig, default_model_kwargs, train

torch.set_num_threads(1)


def params(fn):
    return {k: p.default for k, p in inspect.signature(fn).parameters.items()}


# --- 1. wrapper constructors ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [("unet_gan", UNet), ("gan", GANGenerator)])
def test_wrapper_constructors_take_every_argument_of_their_model(name, cls):
    # the signature default_model_kwargs reads is the model's own, defaults included
    assert params(_REGISTRY[name]) == params(cls)


def test_unet_gan_builds_the_half_stem_unet():
    # the crash of lesson 05: stem="half" (the presets' U-Net) reached unet_gan, which did not take it
    g = build("unet_gan", base_width=4, depth=2, stem="half", zero_init_head=True)
    ref = UNet(base_width=4, depth=2, stem="half", zero_init_head=True)
    assert isinstance(g, UNet) and g.stem == "half"
    assert {k: v.shape for k, v in g.state_dict().items()} == {k: v.shape for k, v in ref.state_dict().items()}
    assert float(g.head.conv.weight.detach().abs().sum()) == 0.0  # zero_init_head reached the U-Net too
    with pytest.raises(TypeError):
        build("unet_gan", stme="half")  # a misspelt argument is still an error


def test_unet_classifier_takes_the_unet_body_arguments():
    # the classifier re-types UNet's arguments (its head replaces the ab head, so zero_init_head has no
    # meaning there; it colours L alone, so in_channels neither): every other UNet argument must be there
    # with the same default
    body = {k: v for k, v in params(UNet).items() if k not in ("zero_init_head", "in_channels")}
    cls = params(UNetClassifier)
    assert {k: cls.get(k, "missing") for k in body} == body


@pytest.mark.parametrize("preset, expected", [
    ("cpu", {"base_width": 16, "depth": 4, "zero_init_head": True, "stem": "half"}),
    ("gpu", {"base_width": 64, "depth": 4, "stem": "half"}),
    ("smoke", {"base_width": 8, "depth": 2}),
])
def test_presets_give_unet_gan_the_unet_body(preset, expected):
    p = presets.get_preset(preset)
    assert default_model_kwargs("unet_gan", p) == expected
    assert default_model_kwargs("unet", p) == expected  # the same U-Net lesson 05 fine-tunes
    assert TrainConfig.from_preset(p, model="unet_gan").model_kwargs == expected


def test_lesson_05_configs_build_under_cpu(tmp_path):
    from colorkit.course.generative import gan_lesson_configs

    for name, cfg in gan_lesson_configs("cpu", tmp_path).items():
        net = build(cfg.model, **cfg.model_kwargs)  # raised TypeError (stem) before the fix
        assert net.stem == "half", name


# --- 2. CPU threads ----------------------------------------------------------------------------------------
HZ = 100


def fake_stat(*snapshots):
    """A /proc/stat reader returning the given per-CPU (busy, idle) tick counts in turn (2 CPUs)."""
    texts = []
    for snap in snapshots:
        lines = ["cpu  0 0 0 0 0 0 0 0 0 0"]
        for i, (busy, idle) in enumerate(snap):
            # user nice system idle iowait irq softirq steal guest guest_nice: busy split over user and system
            lines.append(f"cpu{i} {busy - busy // 3} 0 {busy // 3} {idle} 0 0 0 0 0 0")
        texts.append("\n".join(lines + ["intr 1 2 3", "ctxt 5"]) + "\n")
    it = iter(texts)
    return lambda: next(it)


def fake_clock(*values):
    it = iter(values)
    return lambda: next(it)


def sample(read, own):
    from colorkit.runtime import other_processes_cpu

    return other_processes_cpu(0.3, read_stat=read, own_cpu=own, cpus={0, 1}, sleep=lambda s: None, clock_ticks=HZ)


def test_other_processes_cpu_subtracts_this_process():
    # 0.3 s on 2 CPUs = 30 ticks each; 28 + 29 = 57 ticks busy = 0.57 CPU-seconds, i.e. 1.9 CPUs.
    before, after = [(1000, 5000), (2000, 4000)], [(1028, 5002), (2029, 4001)]
    used, n = sample(fake_stat(before, after), fake_clock(10.0, 10.57))  # all of it is this process
    assert n == 2 and used == pytest.approx(0.0, abs=1e-9)
    used, _ = sample(fake_stat(before, after), fake_clock(10.0, 10.27))  # 0.27 s ours: 0.30 s = 1.0 CPU others
    assert used == pytest.approx(1.0)
    used, _ = sample(fake_stat(before, after), fake_clock(10.0, 10.0))
    assert used == pytest.approx(1.9)
    # CPUs outside this process's affinity are left out (cpu1 only: 29 of 30 ticks busy, none ours)
    from colorkit.runtime import other_processes_cpu

    used, n = other_processes_cpu(0.3, read_stat=fake_stat(before, after), own_cpu=fake_clock(0.0, 0.0), cpus={1},
                                  sleep=lambda s: None, clock_ticks=HZ)
    assert (n, used) == (1, pytest.approx(29 / 30))


@pytest.fixture
def two_threads(monkeypatch):
    """torch at 2 threads, as the user left it (colorkit's memory of what it set is cleared)."""
    from colorkit import train as T

    monkeypatch.setattr(T, "_THREADS", {"default": None, "set": None})
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    yield 2
    torch.set_num_threads(old)


def test_cpu_threads_count_only_other_processes(two_threads):
    from colorkit import train as T

    default = two_threads
    before, after = [(1000, 5000), (2000, 4000)], [(1028, 5002), (2029, 4001)]
    # the CPUs are busy with this very process (a previous training): full threads
    assert T.cpu_threads_for_training(fake_stat(before, after), fake_clock(1.0, 1.57)) == default
    # other processes keep 1.9 of 2 CPUs busy: 1 thread
    assert T.cpu_threads_for_training(fake_stat(before, after), fake_clock(1.0, 1.0)) == 1
    # half the machine busy elsewhere (1.0 < 2 - 0.5): full threads
    assert T.cpu_threads_for_training(fake_stat(before, after), fake_clock(1.0, 1.27)) == default


def test_cpu_threads_fall_back_to_torch_default_without_proc_stat(two_threads):
    from colorkit import train as T

    def missing():
        raise FileNotFoundError("/proc/stat")

    assert T.cpu_threads_for_training(missing) == 2


def test_a_busy_moment_does_not_pin_later_runs_to_one_thread(two_threads):
    from colorkit import train as T

    before, after = [(1000, 5000), (2000, 4000)], [(1028, 5002), (2029, 4001)]
    assert T.cpu_threads_for_training(fake_stat(before, after), fake_clock(0.0, 0.0)) == 1
    T._set_threads(1)  # what train() does on a busy machine
    # later, the machine is idle: torch's count from before colorkit changed it, not the 1 it set
    assert T.cpu_threads_for_training(fake_stat(before, after), fake_clock(0.0, 0.57)) == 2
    torch.set_num_threads(3)  # the user's own choice is the new default
    assert T.cpu_threads_for_training(fake_stat(before, after), fake_clock(0.0, 0.57)) == 3


# --- 3. grad-scaler state on resume ------------------------------------------------------------------------
@register_objective("test_cpu_scaled")
class CpuScaled(Regression):
    """Regression with an *enabled* grad scaler on CPU (torch >= 2.3), standing in for fp16 on CUDA."""

    def build_scalers(self):
        return {n: torch.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=10 ** 6) for n in self.optimizers}


def tiny(tmp_path, **kw):
    base = dict(model="unet", model_kwargs=dict(base_width=4, depth=2), objective="test_cpu_scaled", batch_size=2,
                lr=1e-4, max_steps=2, val_every=100, log_every=1, eval_images=2, n_visuals=2,
                out_dir=str(tmp_path / "run"), tensorboard=False, progress_bar=False, live_plot=False, hflip=False)
    base.update(kw)
    return TrainConfig(**base)


def data(n=4, size=16):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, size, size, generator=g) * 2 - 1, (torch.rand(n, 2, size, size, generator=g) - 0.5) * 0.5


def test_scaler_state_loaded_before_setup_reaches_the_scalers(tmp_path):
    cfg = tiny(tmp_path)
    a = CpuScaled(CpuScaled.build_networks(cfg), cfg)
    a.setup("cpu")
    sd = a.state_dict()
    assert sd["scaler"]["generator"]["scale"] == 2.0 ** 10  # the enabled scaler's state is saved
    # a run that had backed off to scale 123 and counted 7 good steps (what a fresh scaler cannot have)
    sd["scaler"]["generator"].update(scale=123.0, _growth_tracker=7)
    b = CpuScaled(CpuScaled.build_networks(cfg), cfg)
    b.load_state_dict(sd)  # the engine's order when resuming: load, then setup
    b.setup("cpu")
    assert b.scalers["generator"].state_dict() == sd["scaler"]["generator"]
    c = CpuScaled(CpuScaled.build_networks(cfg), cfg)
    c.setup("cpu")
    c.load_state_dict(sd)  # after setup works too
    assert c.scalers["generator"].state_dict() == sd["scaler"]["generator"]


def test_resume_keeps_the_grad_scaler_state(tmp_path):
    L, ab = data()
    first = train(tiny(tmp_path), (L, ab), resume=False)
    path = first.checkpoint
    ck = load_checkpoint(path)
    assert ck["scaler"]["generator"]["scale"] == 2.0 ** 10  # enabled, saved
    ck["scaler"]["generator"]["scale"] = 123.0  # a loss scale the fresh scalers could not have
    save_checkpoint(ck, path)
    seen = []
    train(tiny(tmp_path, max_steps=3), (L, ab), resume=True,
          callbacks=[lambda step, logs, obj: seen.append(obj.scalers["generator"].get_scale())])
    assert seen == [123.0]


# --- 4. unet_classifier's objective ------------------------------------------------------------------------
@pytest.mark.parametrize("preset", ["smoke", "cpu", "gpu"])
def test_unet_classifier_trains_with_the_classification_objective(preset):
    cfg = TrainConfig.from_preset(preset, model="unet_classifier")
    assert cfg.objective == "classification"
    assert get_objective(cfg.objective) is Classification
    assert TrainConfig.from_preset(preset, model="unet").objective == "regression"
    assert TrainConfig.from_preset(preset, model="unet_classifier", objective="regression").objective == "regression"


def test_cli_train_unet_classifier_saves_a_classification_run(tmp_path):
    from colorkit.cli import main

    out = tmp_path / "clf"
    assert main(["train", "--model", "unet_classifier", "--preset", "smoke", "--max-steps", "1", "--data", "samples",
                 "--out", str(out), "--threads", "1"]) == 0
    ck = load_checkpoint(out / "last.pt")
    assert ck["objective"] == "classification" and ck["config"]["objective"] == "classification"
    # the classification objective fills the rebalancing weights (all ones under a regression objective)
    assert not torch.all(ck["state"]["generator"]["class_weights"] == 1.0)


# --- 5. explicit None preset overrides ---------------------------------------------------------------------
def test_none_overrides_are_applied_not_ignored():
    assert presets.PRESETS["cpu"].max_minutes == 10.0
    assert presets.get_preset("cpu", max_minutes=None).max_minutes is None
    assert presets.get_preset("smoke", max_steps=None).max_steps is None
    assert presets.get_preset("cpu", max_images=None).max_images is None
    assert presets.get_preset("cpu").max_minutes == 10.0  # the table itself is unchanged
    assert presets.get_preset("cpu", batch_size=3).batch_size == 3
    with pytest.raises(TypeError, match="cannot be None"):
        presets.get_preset("cpu", batch_size=None)  # not a valid value: an error, not ignored
    with pytest.raises(TypeError, match="unknown preset field"):
        presets.get_preset("cpu", batchsize=3)


def test_every_registered_colorizer_has_a_preset_config():
    # no registered colorizer falls through from_preset (a registry name unknown to default_model_kwargs)
    for m in available():
        if m == "patchgan":
            continue
        assert TrainConfig.from_preset("smoke", model=m).model == m


def test_resuming_with_another_loss_or_setting_is_refused_not_ignored(tmp_path):
    """A finished run resumed with a changed loss or objective setting used to return the old model silently."""
    import torch

    from colorkit.presets import get_preset
    from colorkit.train import TrainConfig, train

    L, ab = torch.rand(4, 1, 32, 32) * 2 - 1, torch.rand(4, 2, 32, 32) * 0.4 - 0.2
    common = dict(max_steps=1, max_minutes=None, out_dir=str(tmp_path / "run"), val_every=1, eval_images=2,
                  live_plot=False, tensorboard=False, progress_bar=False)
    vae = dict(model="unet_vae", model_kwargs={"base_width": 4, "depth": 2, "latent_channels": 2})
    train(TrainConfig.from_preset(get_preset("smoke"), extra={"beta": 1e-3}, **vae, **common), (L, ab), (L[:2], ab[:2]))
    same = TrainConfig.from_preset(get_preset("smoke"), extra={"beta": 1e-3}, **vae, **common)
    assert train(same, (L, ab), (L[:2], ab[:2])).step == 1  # the same settings: the finished run comes back
    with pytest.raises(ValueError, match="extra=.*another out_dir"):
        train(TrainConfig.from_preset(get_preset("smoke"), extra={"beta": 1e-2}, **vae, **common), (L, ab), (L[:2], ab[:2]))
    with pytest.raises(ValueError, match="loss="):
        train(TrainConfig.from_preset(get_preset("smoke"), extra={"beta": 1e-3}, loss="l2", **vae, **common),
              (L, ab), (L[:2], ab[:2]))
