"""Models: output shape/range, size checks, ResNet encoder weights (offline error, local file), summary."""
import urllib.error

import pytest
import torch
import torchvision

from colorkit.models import available, build
from colorkit.models.blocks import DoubleConv, PretrainedWeightsUnavailable, ResNetEncoder
from colorkit.models.summary import model_summary

torch.set_num_threads(1)

SUPERVISED = {
    "baseline_cnn": dict(width=8),
    "resnet_baseline": dict(stages=3, width=8),
    "unet": dict(base_width=8, depth=3),
    "resnet_unet": dict(decoder_width=8),
}


def test_registry_names():
    assert set(SUPERVISED) <= set(available())


@pytest.mark.parametrize("name", sorted(SUPERVISED))
@pytest.mark.parametrize("size", [64, 96])
def test_output_shape_and_range(name, size):
    torch.manual_seed(0)
    m = build(name, **SUPERVISED[name]).train()
    x = torch.rand(2, 1, size, size) * 2 - 1
    y = m(x * 40)  # large inputs push tanh to saturation: still inside [-1, 1]
    assert y.shape == (2, 2, size, size)
    assert y.dtype == torch.float32
    assert float(y.detach().min()) >= -1 and float(y.detach().max()) <= 1
    y.mean().backward()  # differentiable end to end


@pytest.mark.parametrize("name,bad", [("unet", 36), ("resnet_unet", 48), ("baseline_cnn", 12)])
def test_size_not_divisible_is_a_clear_error(name, bad):
    m = build(name, **SUPERVISED[name])
    with pytest.raises(ValueError, match="divisible"):
        m(torch.zeros(1, 1, bad, bad))


def test_wrong_channel_count_is_a_clear_error():
    with pytest.raises(ValueError, match="N x 1 x H x W"):
        build("unet", base_width=4, depth=2)(torch.zeros(1, 3, 32, 32))


def test_unet_full_size_widths():
    m = build("unet")  # 64 -> 128 -> 256 -> 512 -> 1024
    widths = [m.inc[0][0].out_channels] + [d[1][0][0].out_channels for d in m.downs]
    assert widths == [64, 128, 256, 512, 1024]


def test_zero_init_head_starts_at_gray_copy():
    m = build("unet", base_width=4, depth=2, zero_init_head=True)
    assert torch.equal(m(torch.randn(1, 1, 16, 16)), torch.zeros(1, 2, 16, 16))


def test_pretrained_offline_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def offline(*a, **k):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(PretrainedWeightsUnavailable) as e:
        build("resnet_unet", pretrained=True)
    msg = str(e.value)
    assert "resnet18-f37072fd.pth" in msg and "pretrained=False" in msg and "https://" in msg


def test_pretrained_local_file(tmp_path):
    torch.manual_seed(1)
    ref = torchvision.models.resnet18(weights=None)
    path = tmp_path / "resnet18-local.pth"
    torch.save(ref.state_dict(), path)
    enc = ResNetEncoder("resnet18", pretrained=str(path))
    assert torch.equal(enc.layers[1][0].conv1.weight, ref.layer2[0].conv1.weight)
    # first conv: RGB filters folded into one gray channel (sum of w_c / std_c)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    assert torch.allclose(enc.stem[0].weight, (ref.conv1.weight / std).sum(1, keepdim=True))
    # a gray image through the adapted conv equals an ImageNet-normalized RGB copy (up to a constant)
    g = torch.rand(1, 1, 32, 32)
    rgb = (g.expand(1, 3, 32, 32) - torch.tensor([0.449] * 3).view(1, 3, 1, 1)) / std
    got = enc.stem[0](torch.nn.functional.pad(g - 0.449, (0, 0, 0, 0)))
    assert torch.allclose(got, ref.conv1(rgb), atol=1e-4)
    with pytest.raises(FileNotFoundError, match="Download"):
        ResNetEncoder("resnet18", pretrained=str(tmp_path / "missing.pth"))


def test_model_summary_against_closed_form():
    conv = torch.nn.Conv2d(1, 4, 3, padding=1)
    s = model_summary(conv, size=16)
    assert s["params"] == 4 * 9 + 4
    assert s["flops"] == 2 * 4 * 9 * 16 * 16  # one multiply-add = 2 FLOPs per weight per pixel
    full = model_summary(build("unet"), size=256)
    assert 31.0e6 < full["params"] < 31.1e6  # the classic U-Net (BatchNorm) has about 31.04 M parameters


# ---------------------------------------------------------------------------------- unet stem="half"
def test_unet_half_stem_exact_size_and_stride():
    torch.manual_seed(0)
    m = build("unet", base_width=4, depth=3, stem="half")
    assert m.stride == 8  # 2 ** depth for both stems: the half stem is the first halving
    for h, w in [(32, 32), (40, 24)]:
        assert m(torch.rand(2, 1, h, w) * 2 - 1).shape == (2, 2, h, w)
    with pytest.raises(ValueError, match="divisible by 8"):
        m(torch.zeros(1, 1, 36, 36))
    with pytest.raises(ValueError, match="stem"):
        build("unet", base_width=4, depth=2, stem="quarter")


def test_unet_half_stem_runs_double_convs_at_half_resolution():
    m = build("unet", base_width=4, depth=2, stem="half")
    sizes = []
    hooks = [mod.register_forward_hook(lambda _m, _i, o: sizes.append(o.shape[-1]))
             for mod in m.modules() if isinstance(mod, DoubleConv)]
    m(torch.zeros(1, 1, 32, 32))
    for h in hooks:
        h.remove()
    assert sorted(sizes) == [8, 16, 16]  # encoder 16, bottleneck 8, decoder 16; none at 32, same bottleneck
    # the stem="full" levels minus the full-resolution one (each level costs about the same arithmetic)
    full = model_summary(build("unet", base_width=16, depth=4, stem="full"), size=64)["flops"]
    half = model_summary(build("unet", base_width=16, depth=4, stem="half"), size=64)["flops"]
    assert 0.15 < half / full < 0.3


def test_unet_half_stem_gradient_reaches_full_resolution_input():
    torch.manual_seed(0)
    m = build("unet", base_width=16, depth=2, stem="half").train()
    x = (torch.rand(2, 1, 16, 16) * 2 - 1).requires_grad_()
    m(x)[0, :, 5, 6].sum().backward()
    # the input L is the last skip: the output pixel depends on its own input pixel directly, through the final
    # 3x3 conv's L channel (the stem alone would mix the 2x2 block (4, 6)..(5, 7) only through the deep path)
    assert m.final[0].weight.grad[:, -1].abs().sum() > 0
    assert float(x.grad[0, 0, 5, 6].abs()) > 0
    # pixel (5, 6) and its neighbour (5, 7) share a PixelUnshuffle block but their full-resolution paths differ
    assert not torch.allclose(x.grad[0, 0, 5, 6], x.grad[0, 0, 5, 7])


def test_unet_default_stem_rebuilds_old_checkpoints():
    # checkpoints store the constructor kwargs; those written before `stem` existed have none: same model
    old_kwargs = {"base_width": 4, "depth": 2, "zero_init_head": True}
    sd = build("unet", **old_kwargs).state_dict()
    assert build("unet", **old_kwargs).stem == "full"
    build("unet", **old_kwargs).load_state_dict(sd, strict=True)
    assert not any(k.startswith(("final", "up_full")) for k in sd)
