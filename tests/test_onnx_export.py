"""``colorkit export --onnx`` and ONNX models in ``colorkit colorize`` (issue 16): onnxruntime gives the ab of
the PyTorch prediction path (U-Net, U-Net GAN generator, bin classifier with its annealed mean) within 1e-4
on real photos at two sizes, and the CLI round trip keeps the photo's L. Small freshly built models, saved
with colorkit's own checkpoint writer and card; each test takes seconds."""
from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from colorkit import onnx_export  # noqa: E402
from colorkit import checkpoint as hub  # noqa: E402
from colorkit.checkpoint import FORMAT, save_checkpoint  # noqa: E402
from colorkit.cli import main  # noqa: E402
from colorkit.color import AB_SCALE, rgb8_to_l  # noqa: E402
from colorkit.colorize import predict_ab_small, read_image, write_png  # noqa: E402
from colorkit.data.samples import load_sample  # noqa: E402
from colorkit.models import build  # noqa: E402

PHOTOS = ("astronaut", "chelsea", "hubble_deep_field")  # 512x512, 451x300, 1000x872: three aspect ratios
SIZES = (48, 80)  # two working sizes: the graph's H and W are dynamic
TRAIN_SIZE = 48
MODELS = {  # registry name -> constructor kwargs (tiny: depth 2, stride 4)
    "unet": {"base_width": 4, "depth": 2},
    "unet_gan": {"base_width": 4, "depth": 2, "stem": "half"},
    "unet_classifier": {"base_width": 4, "depth": 2, "temperature": 0.38},
}


def _randomize_batchnorm(model, gen):
    """Give BatchNorm running statistics that are not the identity, as a trained model has."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)


def _write_checkpoint(path, name, kwargs, seed=0):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = build(name, **kwargs)
    _randomize_batchnorm(model, gen)
    state = {"generator": model.state_dict()}
    if name == "unet_classifier":  # a peaked prior, as the classification objective sets it on its first batch
        prior = torch.rand(model.n_bins, generator=gen).double() ** 8
        model.init_prior((prior / prior.sum()).numpy())
    if name == "unet_gan":
        state["discriminator"] = build("patchgan").state_dict()
    card = hub.make_card(name, kwargs, preset="smoke", data={"source": "test", "image_size": TRAIN_SIZE},
                         steps=0, model=model)
    save_checkpoint({"format": FORMAT, "model": {"name": name, "kwargs": kwargs}, "state": state, "step": 0,
                     "card": card}, path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """name -> (checkpoint path, onnx path) for the three models."""
    d = tmp_path_factory.mktemp("onnx")
    out = {}
    for i, (name, kwargs) in enumerate(MODELS.items()):
        ckpt = _write_checkpoint(d / f"{name}.pt", name, kwargs, seed=i)
        out[name] = (ckpt, onnx_export.export_onnx(ckpt, d / f"{name}.onnx"))
    return out


@pytest.fixture(scope="module")
def photos_l():
    return {p: rgb8_to_l(load_sample(p)) for p in PHOTOS}


@pytest.mark.parametrize("name", list(MODELS))
def test_onnxruntime_matches_pytorch_on_photos_at_two_sizes(exported, photos_l, name):
    ckpt, path = exported[name]
    model, session = hub.load(ckpt), onnx_export.load_onnx(path)
    shapes, worst = set(), 0.0
    for photo, L in photos_l.items():
        for size in SIZES:
            ref = predict_ab_small(model, L, work_size=size)  # LAB units, the whole prediction pipeline
            got = predict_ab_small(session, L, work_size=size)
            assert got.shape == ref.shape
            shapes.add(got.shape)
            worst = max(worst, float(np.abs(got - ref).max()) / AB_SCALE)  # the graph's normalized ab
            assert np.abs(ref).max() > 1.0  # a real prediction, not all zeros
    print(f"\n{name}: max |ab| difference {worst:.3g} (normalized), {worst * AB_SCALE:.3g} (LAB units)")
    assert worst <= onnx_export.PARITY_TOLERANCE
    assert len(shapes) == len(PHOTOS) * len(SIZES)  # six different H x W through one graph


def test_batch_height_and_width_are_dynamic_in_the_graph(exported):
    import onnx

    proto = onnx.load(str(exported["unet"][1]))
    for value in (proto.graph.input[0], proto.graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        assert [d.dim_param for d in dims] == ["batch", "", "height", "width"]
        assert dims[1].dim_value == (1 if value is proto.graph.input[0] else 2)
    model, session = hub.load(exported["unet"][0]), onnx_export.load_onnx(exported["unet"][1])
    L = torch.rand(3, 1, 20, 36, generator=torch.Generator().manual_seed(1)) * 2 - 1  # batch 3, stride 4
    assert onnx_export.parity(model, session, L) <= onnx_export.PARITY_TOLERANCE
    with pytest.raises(ValueError, match="multiples of 4"):
        session(torch.zeros(1, 1, 18, 36))


def test_classifier_graph_holds_the_annealed_mean_at_its_temperature(exported, tmp_path):
    ckpt, path = exported["unet_classifier"]
    model, session = hub.load(ckpt), onnx_export.load_onnx(path)
    assert session.temperature == pytest.approx(model.temperature) == pytest.approx(0.38)
    L = torch.rand(2, 1, 16, 24, generator=torch.Generator().manual_seed(2)) * 2 - 1
    out = session(L)
    assert out.shape == (2, 2, 16, 24)  # ab, not the 261 logits
    with torch.no_grad():
        plain_mean = model.predict_ab(L, 1.0)
    assert (out - plain_mean).abs().max() > 1e-3  # T = 0.38 is not the plain mean
    hot = onnx_export.load_onnx(onnx_export.export_onnx(ckpt, tmp_path / "t1.onnx", temperature=1.0))
    assert hot.temperature == 1.0
    assert (hot(L) - plain_mean).abs().max() <= onnx_export.PARITY_TOLERANCE


def test_metadata_carries_stride_training_size_and_card(exported):
    session = onnx_export.load_onnx(exported["unet_gan"][1])
    assert (session.stride, session.colorkit_train_size, session.model_name) == (4, TRAIN_SIZE, "unet_gan")
    assert session.card["architecture"]["name"] == "unet_gan"


def test_cli_export_round_trip(exported, tmp_path, capsys):
    ckpt = exported["unet_gan"][0]
    out = tmp_path / "sub" / "gan.onnx"
    assert main(["export", "--onnx", str(ckpt), str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "(ok)" in printed
    session = onnx_export.load_onnx(out)
    L = torch.rand(1, 1, 24, 16, generator=torch.Generator().manual_seed(3)) * 2 - 1
    assert onnx_export.parity(hub.load(ckpt), session, L) <= onnx_export.PARITY_TOLERANCE


def test_cli_colorize_with_onnx_keeps_the_photo_l_like_the_checkpoint(exported, tmp_path):
    src = write_png(tmp_path / "chelsea.png", load_sample("chelsea"))
    ckpt, path = exported["unet"]
    assert main(["colorize", "--checkpoint", str(path), str(src), "--out", str(tmp_path / "onnx")]) == 0
    assert main(["colorize", "--checkpoint", str(ckpt), str(src), "--out", str(tmp_path / "torch")]) == 0
    photo = read_image(src)
    via_onnx, via_torch = read_image(tmp_path / "onnx" / "chelsea.png"), read_image(tmp_path / "torch" / "chelsea.png")
    assert via_onnx.shape == photo.shape  # full resolution
    L_in, L_out = rgb8_to_l(photo), rgb8_to_l(via_onnx)
    assert np.abs(L_out - L_in).max() < 0.8 and np.abs(L_out - L_in).mean() < 0.3  # 8-bit rounding only
    assert np.abs(via_onnx.astype(int) - via_torch.astype(int)).max() <= 1  # the checkpoint's output
    assert np.abs(via_onnx.astype(int) - np.asarray(photo, int)).max() > 10  # and it did colour


def _error_line(capsys, command):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"colorkit {command}: error: "), lines
    return lines[0]


def test_cli_export_errors(tmp_path, capsys, monkeypatch):
    disc = build("patchgan")
    save_checkpoint({"format": FORMAT, "model": {"name": "patchgan", "kwargs": {}},
                     "state": {"generator": disc.state_dict()}, "step": 0}, tmp_path / "disc.pt")
    assert main(["export", "--onnx", str(tmp_path / "disc.pt"), str(tmp_path / "d.onnx")]) == 2
    assert "is not a colorizer" in _error_line(capsys, "export")
    assert not (tmp_path / "d.onnx").exists()
    assert main(["export", "--onnx", str(tmp_path / "gone.pt"), str(tmp_path / "g.onnx")]) == 2
    assert "no checkpoint at" in _error_line(capsys, "export")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "foreign.pt")
    assert main(["export", "--onnx", str(tmp_path / "foreign.pt"), str(tmp_path / "f.onnx")]) == 2
    assert "not a colorkit checkpoint" in _error_line(capsys, "export")
    assert main(["export", "--onnx", str(tmp_path / "disc.pt"), str(tmp_path / "d.pt")]) == 2
    assert "does not end in .onnx" in _error_line(capsys, "export")
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if it were not installed
    assert main(["export", "--onnx", str(tmp_path / "disc.pt"), str(tmp_path / "d.onnx")]) == 2
    assert "onnx is not installed" in _error_line(capsys, "export")


def test_cli_colorize_onnx_errors(exported, tmp_path, capsys, monkeypatch):
    src = write_png(tmp_path / "p.png", load_sample("coffee")[::8, ::8].copy())
    assert main(["colorize", "--checkpoint", str(tmp_path / "gone.onnx"), str(src), "--out", str(tmp_path)]) == 2
    assert "no ONNX model at" in _error_line(capsys, "colorize")
    (tmp_path / "junk.onnx").write_bytes(b"not a protobuf at all")
    assert main(["colorize", "--checkpoint", str(tmp_path / "junk.onnx"), str(src), "--out", str(tmp_path)]) == 2
    assert "not an ONNX model" in _error_line(capsys, "colorize")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    path = exported["unet"][1]
    assert main(["colorize", "--checkpoint", str(path), str(src), "--out", str(tmp_path / "o")]) == 2
    assert "pip install colorkit[onnx]" in _error_line(capsys, "colorize")
    with pytest.raises(ImportError, match=r"pip install colorkit\[onnx\]"):
        onnx_export.load_onnx(path)
