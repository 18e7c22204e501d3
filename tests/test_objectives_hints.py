"""The hints objective: the step's hints are the simulated user's for [seed, step, 7], the loss is the
configured one on the prediction, exact resume, validation without and with hints, `colorkit train`."""
import numpy as np
import pytest
import torch

from colorkit.checkpoint import load_trained
from colorkit.guided.propagate import propagate_hints
from colorkit.guided.simulate import simulate_hint_batch
from colorkit.objectives import get_objective
from colorkit.train import TrainConfig, train

torch.set_num_threads(1)


def batch(n=4, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    L = torch.rand(n, 1, size, size, generator=g) * 2 - 1
    ab = (torch.rand(n, 2, size // 8, size // 8, generator=g) - 0.5) * 0.6  # smooth colour fields
    return L, torch.nn.functional.interpolate(ab, size=(size, size), mode="bilinear", align_corners=False)


def config(tmp_path, **kw):
    base = dict(model="unet_hints", objective="hints", model_kwargs=dict(base_width=4, depth=2, stem="half"),
                batch_size=4, lr=3e-3, max_steps=8, val_every=3, log_every=1, eval_images=4, n_visuals=2,
                out_dir=str(tmp_path / "run"), tensorboard=False, progress_bar=False, live_plot=False, seed=3)
    base.update(kw)
    return TrainConfig(**base)


def objective(cfg):
    cls = get_objective("hints")
    obj = cls(cls.build_networks(cfg), cfg)
    obj.setup("cpu")
    return obj


def test_a_step_uses_the_simulated_user_of_seed_and_step_and_the_configured_loss(tmp_path):
    cfg = config(tmp_path, loss="l2")
    torch.manual_seed(0)
    obj = objective(cfg)
    seen = []
    gen = obj.networks["generator"]
    hook = gen.register_forward_pre_hook(lambda _m, args: seen.append(args[1].clone()))
    L, ab = batch()
    logs = obj.training_step((L, ab), 5)
    hook.remove()
    expected = simulate_hint_batch(ab, np.random.default_rng([3, 5, 7]))
    assert torch.equal(seen[0], expected)
    assert expected[:, 2].sum() > 0  # this draw has hints (the test would be weak otherwise)
    # the loss before the update: the model is the propagation at initialisation, l2 against the truth
    base = propagate_hints(expected, L)[:, :2].clamp(-1, 1)
    assert logs["loss"] == pytest.approx(float(((base - ab) ** 2).mean()), rel=1e-5)
    assert logs["hints_fraction"] == pytest.approx(float(expected[:, 2].mean()))


def test_validation_without_and_with_hints(tmp_path):
    torch.manual_seed(0)
    obj = objective(config(tmp_path))
    obj.train_mode(False)
    L, ab = batch(seed=1)
    v = obj.validation_step((L, ab))
    assert v["val_l1_0"] == pytest.approx(float(ab.abs().mean()), rel=1e-6)  # no hints at init: the gray copy
    assert v["val_l1_10"] < v["val_l1_0"]  # 10 hints of the true colours help even untrained
    assert obj.validation_step((L, ab)) == v  # the same hints at every validation
    vis = obj.visuals((L[:2], ab[:2]))
    assert set(vis) == set(obj.visual_names) and vis["hinted"].shape == (2, 3, 32, 32)


def test_resume_reproduces_an_uninterrupted_run_exactly(tmp_path):
    L, ab = batch(8)
    full = train(config(tmp_path / "a"), (L, ab), (L[:4], ab[:4]), resume=False)

    def interrupt(step, logs, objective):
        if step == 5:
            raise KeyboardInterrupt

    cut = train(config(tmp_path / "b"), (L, ab), (L[:4], ab[:4]), resume=False, callbacks=[interrupt])
    assert cut.stop_reason == "interrupted" and cut.step == 5
    resumed = train(config(tmp_path / "b"), (L, ab), (L[:4], ab[:4]), resume=True)
    assert resumed.step == 8
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    moved = [k for k, v in a.items() if k.startswith(("automatic.", "correction.")) and v.abs().sum() > 0]
    assert moved  # the zero-initialised heads did learn


def test_colorkit_train_cli_with_unet_hints(tmp_path, monkeypatch, capsys):
    from colorkit.cli import main

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    out = tmp_path / "cli"
    rc = main(["train", "--model", "unet_hints", "--data", "samples", "--preset", "smoke", "--max-steps", "2",
               "--threads", "1", "--out", str(out)])
    assert rc == 0 and "checkpoint:" in capsys.readouterr().out
    model, ck = load_trained(out / "last.pt")
    assert ck["objective"] == "hints" and ck["step"] == 2
    L = torch.zeros(1, 1, 32, 32)
    hints = torch.zeros(1, 3, 32, 32)
    hints[0, :, 10, 10] = torch.tensor([0.3, 0.2, 1.0])
    with torch.no_grad():
        assert model(L, hints).shape == (1, 2, 32, 32)
        assert torch.equal(model(L, torch.zeros(1, 3, 32, 32)), model(L))


def test_init_generator_of_an_automatic_unet_starts_the_hint_network_from_it(tmp_path):
    from colorkit.checkpoint import FORMAT, save_checkpoint
    from colorkit.models import build

    torch.manual_seed(1)
    unet = build("unet", base_width=4, depth=2, stem="half")
    torch.nn.init.normal_(unet.head.conv.weight, std=0.5)
    path = tmp_path / "unet.pt"
    save_checkpoint({"format": FORMAT, "model": {"name": "unet", "kwargs": {"base_width": 4, "depth": 2, "stem": "half"}},
                     "state": {"generator": unet.state_dict()}}, path)
    cfg = config(tmp_path, extra={"init_generator": str(path)})
    gen = get_objective("hints").build_networks(cfg)["generator"].eval()
    L = batch()[0]
    with torch.no_grad():
        torch.testing.assert_close(gen(L), unet.eval()(L), atol=1e-6, rtol=0)
    bad = config(tmp_path, extra={"init_generator": str(path)}, model_kwargs=dict(base_width=8, depth=2, stem="half"))
    with pytest.raises(ValueError, match="does not fit"):
        get_objective("hints").build_networks(bad)


def test_p_no_hints_setting_reaches_the_steps_and_bad_settings_are_refused(tmp_path):
    cfg = config(tmp_path, extra={"p_no_hints": 1.0})
    obj = objective(cfg)
    seen = []
    hook = obj.networks["generator"].register_forward_pre_hook(lambda _m, args: seen.append(args[1].clone()))
    obj.training_step(batch(), 5)
    hook.remove()
    assert float(seen[0].abs().sum()) == 0.0  # every photo without a hint
    with pytest.raises(ValueError, match="p_none"):
        objective(config(tmp_path, extra={"p_no_hints": 0.01}))
    with pytest.raises(TypeError, match="p_no_hint"):
        objective(config(tmp_path, extra={"p_no_hint": 0.5}))
