"""colorkit.color against scikit-image (an independent implementation) and closed-form cases."""
import numpy as np
import pytest
import torch
from skimage import color as skcolor

from colorkit import color


@pytest.fixture(scope="module")
def all_colors():
    """Every 8-bit sRGB colour (2^24), as a 4096x4096x3 image."""
    g = np.arange(256, dtype=np.uint8)
    r, gg, b = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([r, gg, b], -1).reshape(4096, 4096, 3)


@pytest.fixture(scope="module")
def grid_colors():
    """An exhaustive grid with step 5 (plus 255): 53^3 colours, as float64 for scikit-image."""
    g = np.unique(np.r_[np.arange(0, 256, 5), 255]).astype(np.uint8)
    r, gg, b = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([r, gg, b], -1).reshape(-1, 1, 3)


def test_rgb_to_lab_matches_skimage_on_all_8bit_colors(all_colors):
    ours = color.rgb_to_lab(all_colors)
    ref = skcolor.rgb2lab(all_colors)
    assert ours.dtype == np.float32
    assert np.abs(ours - ref).max() < 0.5  # acceptance bound
    assert np.abs(ours - ref).max() < 1e-3  # what we actually achieve


def test_float_input_same_as_uint8(grid_colors):
    assert np.allclose(color.rgb_to_lab(grid_colors), color.rgb_to_lab(grid_colors / 255.0), atol=1e-3)


def test_lab_to_rgb_matches_skimage_and_round_trips(all_colors):
    lab = skcolor.rgb2lab(all_colors[::7, ::7])  # 2.7 M colours, spread over the cube
    ours = color.lab_to_rgb(lab)
    assert np.abs(ours - skcolor.lab2rgb(lab)).max() < 1e-4
    back = color.lab_to_rgb(color.rgb_to_lab(all_colors), dtype=np.uint8)
    err = np.abs(back.astype(np.int16) - all_colors.astype(np.int16))
    assert err.max() <= 2 and err.mean() < 0.5


def test_known_values():
    # Closed-form anchors: white is L=100, a=b=0; black is 0; pure sRGB red is (53.24, 80.09, 67.20) (Lindbloom).
    lab = color.rgb_to_lab(np.array([[[255, 255, 255], [0, 0, 0], [255, 0, 0]]], np.uint8))
    assert np.allclose(lab[0, 0], [100, 0, 0], atol=0.01)
    assert np.allclose(lab[0, 1], [0, 0, 0], atol=1e-4)
    assert np.allclose(lab[0, 2], [53.24, 80.09, 67.20], atol=0.02)


def test_batches_and_shapes():
    x = np.random.default_rng(0).integers(0, 256, (3, 5, 7, 3), dtype=np.uint8)
    batch = color.rgb_to_lab(x)
    assert batch.shape == x.shape
    assert np.allclose(batch[1], color.rgb_to_lab(x[1]), atol=1e-5)
    with pytest.raises(ValueError, match="3 channels"):
        color.rgb_to_lab(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        color.rgb_to_lab(np.zeros((4, 4, 3), np.uint16))


def test_out_of_gamut_is_clipped_and_counted():
    lab = np.array([[[50, 0, 0], [60, 120, -120], [100, 0, 0]]], np.float32)
    rgb, report = color.lab_to_rgb(lab, return_report=True)
    assert rgb.min() >= 0 and rgb.max() <= 1
    assert report.clipped_pixels == 1 and report.total_pixels == 3
    assert report.fraction == pytest.approx(1 / 3)


def test_gray_copy_has_no_chroma():
    rgb = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    g = color.gray_copy(rgb)
    assert np.abs(g[..., 0] - g[..., 1]).max() < 1e-3  # neutral: R = G = B
    lab_in, lab_out = skcolor.rgb2lab(rgb), skcolor.rgb2lab(g)
    assert np.abs(lab_in[..., 0] - lab_out[..., 0]).max() < 0.05
    assert np.abs(lab_out[..., 1:]).max() < 0.05


def test_normalization_round_trip_and_range():
    L = np.array([0.0, 50.0, 100.0])
    assert np.allclose(color.normalize_l(L), [-1, 0, 1])
    assert np.allclose(color.denormalize_l(color.normalize_l(L)), L)
    ab = color.rgb_to_lab(np.random.default_rng(2).integers(0, 256, (64, 64, 3), dtype=np.uint8))[..., 1:]
    assert np.abs(color.normalize_ab(ab)).max() <= 1.0
    assert np.allclose(color.denormalize_ab(color.normalize_ab(ab)), ab)


def test_torch_matches_numpy_and_skimage(grid_colors):
    rgb = torch.from_numpy(grid_colors.reshape(1, -1, 1, 3)).permute(0, 3, 1, 2).double() / 255
    lab_t = color.rgb_to_lab_torch(rgb)
    ref = skcolor.rgb2lab(grid_colors).reshape(1, -1, 1, 3).transpose(0, 3, 1, 2)
    assert np.abs(lab_t.numpy() - ref).max() < 1e-6
    back = color.lab_to_rgb_torch(lab_t)
    assert torch.allclose(back, rgb, atol=1e-6)
    # 3xHxW without batch and uint8 input work too
    assert color.rgb_to_lab_torch(torch.zeros(3, 2, 2, dtype=torch.uint8)).shape == (3, 2, 2)


def test_torch_model_space_round_trip():
    rgb = torch.rand(2, 3, 8, 8, dtype=torch.float64)
    L, ab = color.rgb_to_lab_norm_torch(rgb)
    assert L.shape == (2, 1, 8, 8) and ab.shape == (2, 2, 8, 8)
    assert torch.allclose(color.lab_norm_to_rgb_torch(L, ab), rgb, atol=1e-6)
    rgb_np = color.lab_norm_to_rgb(L[0, 0].numpy(), ab[0].permute(1, 2, 0).numpy())
    assert np.allclose(rgb_np, rgb[0].permute(1, 2, 0).numpy(), atol=1e-4)


def test_torch_gradients_flow_gradcheck():
    torch.manual_seed(0)
    # keep away from the piecewise knees, where finite differences straddle two branches
    rgb = (torch.rand(1, 3, 3, 3, dtype=torch.float64) * 0.8 + 0.1).requires_grad_()
    assert torch.autograd.gradcheck(color.rgb_to_lab_torch, (rgb,), eps=1e-6, atol=1e-4)
    lab = color.rgb_to_lab_torch(rgb).detach().requires_grad_()
    assert torch.autograd.gradcheck(lambda x: color.lab_to_rgb_torch(x, clip=False), (lab,), eps=1e-6, atol=1e-4)
    # gradients stay finite at exact zeros and ones (black and white pixels)
    edge = torch.tensor([0.0, 1.0, 0.5], dtype=torch.float64).view(1, 3, 1, 1).requires_grad_()
    color.rgb_to_lab_torch(edge).sum().backward()
    assert torch.isfinite(edge.grad).all()


def test_lab_channel_images():
    rgb = np.random.default_rng(3).integers(100, 160, (8, 8, 3), dtype=np.uint8)  # muted: stays in gamut
    ch = color.lab_channel_images(rgb)
    assert set(ch) == {"L", "a", "b", "ab"}
    lab_a = skcolor.rgb2lab(ch["a"])
    assert np.allclose(lab_a[..., 2], 0, atol=0.5)  # b removed
    assert np.allclose(lab_a[..., 0], 70, atol=0.5)
    assert np.allclose(lab_a[..., 1], skcolor.rgb2lab(rgb)[..., 1], atol=0.5)
