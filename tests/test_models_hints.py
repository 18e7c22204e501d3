"""unet_hints: at initialisation the classic propagation, zero hints = no hints, every stem, channels_last,
mixed precision, the colorize path; UNet's in_channels keeps old models unchanged."""
import numpy as np
import pytest
import torch

from colorkit.guided.propagate import propagate_hints
from colorkit.models import build, default_objective

torch.set_num_threads(1)


def random_hints(n, h, w, seed=0, count=6):
    from colorkit.guided.simulate import simulate_hint_batch

    g = torch.Generator().manual_seed(seed)
    ab = (torch.rand(n, 2, h, w, generator=g) - 0.5) * 0.8
    return simulate_hint_batch(ab, np.random.default_rng(seed), count=count)


def train_a_little(m, L, hints, ab, steps=3):
    """A few L1 steps of Adam on the trainable parameters (a frozen automatic U-Net has none)."""
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(steps):
        loss = (m(L, hints) - ab).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_registered_with_the_hints_objective():
    assert default_objective("unet_hints") == "hints"


@pytest.mark.parametrize("stem", ["full", "half"])
def test_at_initialisation_it_is_the_propagation(stem):
    torch.manual_seed(0)
    m = build("unet_hints", base_width=4, depth=2, stem=stem)
    L = torch.rand(2, 1, 32, 48) * 2 - 1
    hints = random_hints(2, 32, 48)
    expected = propagate_hints(hints, L)[:, :2]  # the lightness-aware blend
    for mode in (True, False):
        m.train(mode)
        torch.testing.assert_close(m(L, hints), expected.clamp(-1, 1), atol=1e-6, rtol=0)
    # no hints: the gray copy
    assert torch.equal(m(L), torch.zeros(2, 2, 32, 48))


def test_zero_hints_equal_no_hints_after_training_a_little():
    torch.manual_seed(0)
    m = build("unet_hints", base_width=4, depth=2, stem="half")
    L, hints = torch.rand(2, 1, 32, 32) * 2 - 1, random_hints(2, 32, 32)
    ab = torch.rand(2, 2, 32, 32) * 0.4 - 0.2
    train_a_little(m, L, hints, ab)
    m.eval()
    with torch.no_grad():
        assert torch.equal(m(L, torch.zeros(2, 3, 32, 32)), m(L, None))
        assert not torch.allclose(m(L), torch.zeros(2, 2, 32, 32))  # the correction has learned something
        out = m(L * 40, hints * 40)  # far outside the range: still normalized ab
    assert float(out.abs().max()) <= 1.0


def test_shapes_stride_and_clear_errors():
    m = build("unet_hints", base_width=4, depth=3)
    assert m.stride == 8
    with pytest.raises(ValueError, match="divisible by 8"):
        m(torch.zeros(1, 1, 36, 36))
    with pytest.raises(ValueError, match="N x 1 x H x W"):
        m(torch.zeros(1, 3, 32, 32))
    with pytest.raises(ValueError, match="N x 3 x H x W"):
        m(torch.zeros(1, 1, 32, 32), torch.zeros(1, 2, 32, 32))
    with pytest.raises(ValueError, match="do not match"):
        m(torch.zeros(1, 1, 32, 32), torch.zeros(1, 3, 16, 16))
    with pytest.raises(ValueError, match="sigmas"):
        build("unet_hints", sigmas=())


def test_channels_last_and_mixed_precision_match_fp32():
    torch.manual_seed(0)
    m = build("unet_hints", base_width=4, depth=2, stem="half").eval()
    torch.nn.init.normal_(m.correction.conv.weight, std=0.1)  # non-zero heads, so the body counts
    torch.nn.init.normal_(m.automatic.conv.weight, std=0.1)
    L, hints = torch.rand(2, 1, 32, 32) * 2 - 1, random_hints(2, 32, 32)
    with torch.no_grad():
        ref = m(L, hints)
        m.to(memory_format=torch.channels_last)
        cl = m(L.contiguous(memory_format=torch.channels_last), hints.contiguous(memory_format=torch.channels_last))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            amp = m(L, hints)
    torch.testing.assert_close(cl, ref, atol=1e-5, rtol=0)
    assert amp.dtype == torch.float32 and (amp - ref).abs().max() < 0.05


def test_the_colorize_path_forwards_hints():
    from colorkit.colorize import check_colorizer, predict_ab

    torch.manual_seed(0)
    m = build("unet_hints", base_width=4, depth=2).eval()
    L, hints = torch.rand(1, 1, 16, 16) * 2 - 1, random_hints(1, 16, 16)
    torch.testing.assert_close(predict_ab(m, L, hints=hints), m(L, hints))
    assert torch.equal(predict_ab(m, L), m(L))  # an automatic colorizer too
    assert check_colorizer(m) is m


def test_unet_in_channels_keeps_the_default_model_unchanged():
    torch.manual_seed(0)
    old = build("unet", base_width=4, depth=2, stem="half")
    torch.manual_seed(0)
    new = build("unet", base_width=4, depth=2, stem="half", in_channels=1)
    assert {k: v.shape for k, v in old.state_dict().items()} == {k: v.shape for k, v in new.state_dict().items()}
    five = build("unet", base_width=4, depth=2, stem="half", in_channels=5)
    assert five(torch.zeros(1, 5, 16, 16)).shape == (1, 2, 16, 16)
    assert five.inc[1][0][0].in_channels == 20  # 5 channels folded into 4 x 5 at half resolution
    with pytest.raises(ValueError, match="in_channels=5"):
        five(torch.zeros(1, 1, 16, 16))


def test_init_from_unet_colours_as_the_unet_without_hints_and_as_the_hints_where_they_reach():
    from colorkit.models.unet_hints import init_from_unet

    torch.manual_seed(0)
    unet = build("unet", base_width=4, depth=2, stem="half")
    torch.nn.init.normal_(unet.head.conv.weight, std=0.5)  # an automatic colorizer with visible colours
    unet.eval()
    m = init_from_unet(build("unet_hints", base_width=4, depth=2, stem="half"), unet.state_dict()).eval()
    L = torch.rand(2, 1, 32, 32) * 2 - 1
    with torch.no_grad():
        auto = unet(L)
        torch.testing.assert_close(m(L), auto, atol=1e-6, rtol=0)  # no hints: the U-Net itself
        hints = random_hints(2, 32, 32, count=3)
        got = m(L, hints)
        base = propagate_hints(hints, L)[:, :2]
    on = hints[:, 2:3].expand(-1, 2, -1, -1) > 0
    torch.testing.assert_close(got[on], base[on], atol=1e-6, rtol=0)  # on a hint: the hint's colour, not the U-Net's
    assert (got - auto).abs().amax(dim=(1, 2, 3)).min() > 0.05  # the hints changed the colours
    with pytest.raises(ValueError, match="base_width"):
        init_from_unet(build("unet_hints", base_width=8, depth=2, stem="half"), unet.state_dict())


def test_reach_is_one_on_hints_and_the_blend_weight_elsewhere():
    m = build("unet_hints", base_width=4, depth=2, sigmas=(1 / 16,))
    hints = torch.zeros(1, 3, 32, 32)
    hints[0, :, 10, 10] = torch.tensor([0.2, 0.1, 1.0])
    L = torch.zeros(1, 1, 32, 32)
    _, reach, _ = m.propagate(L, hints)
    assert float(reach[0, 0, 10, 10]) == 1.0
    # one scale (sigma 2 px), constant L: the confidence at 2 px is exp(-1/2) times sum_k phi_k(L)^2 = 1
    c = np.exp(-0.5)
    assert float(reach[0, 0, 10, 12]) == pytest.approx(c / (c + m.confident), rel=1e-5)
    assert float(reach[0, 0, 30, 30]) == 0.0  # beyond 3 sigma


def test_frozen_automatic_stays_the_unet_without_hints_through_training():
    from colorkit.models.unet_hints import init_from_unet

    torch.manual_seed(0)
    unet = build("unet", base_width=4, depth=2, stem="half")
    torch.nn.init.normal_(unet.head.conv.weight, std=0.5)
    unet.eval()
    m = init_from_unet(build("unet_hints", base_width=4, depth=2, stem="half", frozen_automatic=True),
                       unet.state_dict())
    L = torch.rand(4, 1, 32, 32) * 2 - 1
    hints = random_hints(4, 32, 32, count=3)
    hints[1:3] = 0  # photos 1 and 2 have no hint
    ab = torch.rand(4, 2, 32, 32) * 0.4 - 0.2
    with torch.no_grad():
        auto = unet(L)
        before = m.eval()(L, hints)
    base = propagate_hints(hints, L)[:, :2]
    reach = m.propagate(L, hints)[1]
    torch.testing.assert_close(before, (base + (1 - reach) * auto).clamp(-1, 1), atol=1e-6, rtol=0)
    m.train()
    assert not m.reference.training and not any(p.requires_grad for p in m.reference.parameters())
    train_a_little(m, L, hints, ab)
    m.eval()
    with torch.no_grad():
        torch.testing.assert_close(m(L), auto, atol=1e-6, rtol=0)  # no hints: still exactly the U-Net
        after = m(L, hints)
        torch.testing.assert_close(after[1:3], auto[1:3], atol=1e-6, rtol=0)  # the hint-less photos of the batch
        assert (after[[0, 3]] - before[[0, 3]]).abs().max() > 1e-3  # the learned heads act where hints are
    torch.testing.assert_close(m.reference.state_dict()["head.conv.weight"], unet.state_dict()["head.conv.weight"])


def test_frozen_automatic_colours_are_reused_only_for_the_same_L():
    torch.manual_seed(0)
    m = build("unet_hints", base_width=4, depth=2, stem="half", frozen_automatic=True)
    torch.nn.init.normal_(m.reference.head.conv.weight, std=0.5)
    m.eval()
    calls = []
    m.reference.register_forward_hook(lambda *_: calls.append(1))
    L = torch.rand(1, 1, 32, 32) * 2 - 1
    hints = random_hints(1, 32, 32, count=2)
    with torch.no_grad():
        first = m(L, hints)
        again = m(L.clone(), random_hints(1, 32, 32, seed=1, count=3))  # same L, other hints: no second pass
        assert len(calls) == 1
        L2 = L.clone()
        L2[0, 0, 5, 5] += 0.01  # one pixel differs: the U-Net runs again and gives its own colours
        torch.testing.assert_close(m(L2), m.reference(L2), atol=1e-6, rtol=0)
        assert len(calls) == 3
        torch.testing.assert_close(m(L, hints), first, atol=0, rtol=0)
    assert not torch.equal(first, again)
    m.train()
    m(L, hints)
    m(L, hints)
    assert len(calls) == 6  # never cached while training
    m.eval()
    m(L)
    other = {k: v.clone() for k, v in m.state_dict().items()}
    other["reference.head.conv.bias"] += 0.5
    m.load_state_dict(other)  # new weights: the kept colours are dropped
    with torch.no_grad():
        torch.testing.assert_close(m(L), m.reference(L), atol=1e-6, rtol=0)
