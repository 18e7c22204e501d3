"""colorkit.evaluate.metrics against independent references: Sharma et al.'s CIEDE2000 pairs, scikit-image,
torchmetrics, hand-computed colorfulness and closed-form Fréchet distances."""
import numpy as np
import pytest
import torch

from colorkit.evaluate import metrics as M
from colorkit.color import normalize_ab, rgb_to_lab
from colorkit.data.samples import SAMPLE_NAMES, load_sample

# Sharma, Wu & Dalal (2005), "The CIEDE2000 colour-difference formula: implementation notes ...",
# Table 1: L1 a1 b1 L2 a2 b2 dE00 (published values).
SHARMA = np.array([
    [50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425],
    [50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615],
    [50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412],
    [50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000],
    [50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000],
    [50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000],
    [50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669],
    [50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195],
    [50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045],
    [50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045],
    [50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461],
    [50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065],
    [50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492],
    [50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977],
    [50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030],
    [50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535],
    [50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000],
    [50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000],
    [50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000],
    [50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000],
    [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
    [63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630],
    [61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731],
    [35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645],
    [22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373],
    [36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146],
    [90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441],
    [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
    [6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377],
    [2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082],
])


@pytest.fixture(scope="module")
def photos():
    """The four lesson photos, shrunk 4x (speed; the conventions do not depend on size)."""
    return [np.ascontiguousarray(load_sample(n)[::4, ::4]) for n in SAMPLE_NAMES]


def _noisy(img, seed=0, sigma=12.0):
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float64) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def test_delta_e2000_matches_sharma_published_pairs():
    got = M.delta_e2000_lab(SHARMA[:, :3], SHARMA[:, 3:6])
    np.testing.assert_allclose(got, SHARMA[:, 6], atol=1e-4)
    # symmetric in its arguments, as the published table implies
    np.testing.assert_allclose(M.delta_e2000_lab(SHARMA[:, 3:6], SHARMA[:, :3]), SHARMA[:, 6], atol=1e-4)


def test_delta_e_maps_match_skimage_pipeline(photos):
    from skimage.color import deltaE_cie76, deltaE_ciede2000, rgb2lab

    true = photos[1]
    pred = _noisy(true)
    ref00 = deltaE_ciede2000(rgb2lab(true), rgb2lab(pred))
    ref76 = deltaE_cie76(rgb2lab(true), rgb2lab(pred))
    np.testing.assert_allclose(M.delta_e2000_map(pred, true), ref00, atol=2e-3)
    np.testing.assert_allclose(M.delta_e76_map(pred, true), ref76, atol=2e-3)
    assert M.delta_e2000_map(true, true).max() < 1e-3


def test_psnr_and_ssim_match_skimage_and_torchmetrics(photos):
    from skimage.metrics import peak_signal_noise_ratio
    from torchmetrics.functional.image import structural_similarity_index_measure

    true = photos[0]
    pred = _noisy(true, sigma=20)
    assert M.psnr(pred, true) == pytest.approx(peak_signal_noise_ratio(true, pred, data_range=255), abs=1e-6)
    # an independent SSIM implementation: torchmetrics' SSIM map, without the 5-pixel border that
    # scikit-image leaves out of its mean (torchmetrics averages over padded borders instead)
    to_t = lambda x: torch.from_numpy(x.astype(np.float64) / 255).permute(2, 0, 1)[None]  # noqa: E731
    _, full = structural_similarity_index_measure(to_t(pred), to_t(true), data_range=1.0, return_full_image=True)
    assert M.ssim(pred, true) == pytest.approx(float(full[..., 5:-5, 5:-5].mean()), abs=1e-4)
    from skimage.metrics import structural_similarity

    ref = structural_similarity(true / 255.0, pred / 255.0, channel_axis=-1, data_range=1, gaussian_weights=True,
                                sigma=1.5, use_sample_covariance=False)
    assert M.ssim(pred, true) == pytest.approx(ref, abs=1e-5)
    ab_t, ab_p = [normalize_ab(rgb_to_lab(x)[..., 1:]).astype(np.float64) for x in (true, pred)]
    ref_ab = structural_similarity(ab_t, ab_p, channel_axis=-1, data_range=2, gaussian_weights=True,
                                   sigma=1.5, use_sample_covariance=False)
    assert M.ssim_ab(pred, true) == pytest.approx(ref_ab, abs=1e-5)
    assert M.ssim(true, true) == pytest.approx(1.0)
    assert M.psnr(true, true) == float("inf")


def test_ab_metrics_closed_form():
    from colorkit.color import lab_to_rgb, rgb_to_lab

    rng = np.random.default_rng(1)
    lab = np.stack([rng.uniform(40, 60, (16, 16)), rng.uniform(-20, 20, (16, 16)),
                    rng.uniform(-20, 20, (16, 16))], -1).astype(np.float32)
    true = lab_to_rgb(lab)
    shifted = rgb_to_lab(true)
    shifted[..., 1] += 10.5  # a constant error of 10.5 in a only
    pred = lab_to_rgb(shifted)
    assert M.mae_ab(pred, true) == pytest.approx(10.5 / 2, abs=0.05)  # mean over a and b
    # PSNR on normalized ab, data range 2: mse = (10.5/110)^2 / 2
    assert M.psnr_ab(pred, true) == pytest.approx(10 * np.log10(4 / ((10.5 / 110) ** 2 / 2)), abs=0.05)
    # AuC over thresholds 0..150: P(err <= t) is 0 for t <= 10 and 1 from 11 on -> 140 / 151
    assert M.auc_ab(pred, true) == pytest.approx(140 / 151, abs=1e-9)
    assert M.auc_ab(true, true) == pytest.approx(1.0)
    assert M.ssim_ab(true, true) == pytest.approx(1.0)


def test_delta_e_accuracy_counts_pixels():
    true = np.full((16, 16, 3), 128, np.uint8)
    pred = true.copy()
    pred[:4] = (200, 60, 60)  # 64 of 256 pixels far off
    pred[4:6] = (129, 128, 128)  # 32 pixels off by much less than one just-noticeable difference
    assert M.delta_e_accuracy(pred, true) == pytest.approx(192 / 256)
    assert M.score_image(pred, true)["acc_de"] == pytest.approx(192 / 256)
    assert np.isnan(M.ssim(true[:8, :8], true[:8, :8]))  # window does not fit: undefined, not a guess


def test_colorfulness_hand_computed():
    img = np.array([[[255, 0, 0], [0, 0, 255]]], np.uint8)  # one red, one blue pixel
    # rg = [255, 0], yb = [127.5, -255]; population std 127.5 and 191.25; means 127.5 and -63.75
    expected = np.sqrt(127.5 ** 2 + 191.25 ** 2) + 0.3 * np.sqrt(127.5 ** 2 + 63.75 ** 2)
    assert M.colorfulness(img) == pytest.approx(expected, rel=1e-9)
    gray = np.full((4, 4, 3), 77, np.uint8)
    assert M.colorfulness(gray) == 0.0
    assert M.delta_colorfulness(np.full((1, 2, 3), 9, np.uint8), img) == pytest.approx(-expected)


def test_gray_copy_scores_match_independent_computation(photos):
    """The module's gray-copy numbers on the built-in photos equal a from-scratch skimage computation."""
    from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from colorkit.color import gray_copy

    ours = M.score_images([gray_copy(p) for p in photos], photos)
    de, ps, ss, cf = [], [], [], []
    for p in photos:
        lab = rgb2lab(p)
        lab[..., 1:] = 0
        g = np.clip(lab2rgb(lab), 0, 1)
        t = p / 255.0
        de.append(deltaE_ciede2000(rgb2lab(t), rgb2lab(g)).mean())
        ps.append(peak_signal_noise_ratio(t, g, data_range=1))
        ss.append(structural_similarity(t, g, channel_axis=-1, data_range=1, gaussian_weights=True,
                                        sigma=1.5, use_sample_covariance=False))
        r, gg, b = (t * 255).transpose(2, 0, 1)
        rg, yb = r - gg, 0.5 * (r + gg) - b
        cf.append(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
    assert ours["de2000"] == pytest.approx(np.mean(de), abs=1e-2)
    assert ours["psnr"] == pytest.approx(np.mean(ps), abs=1e-2)
    assert ours["ssim"] == pytest.approx(np.mean(ss), abs=1e-3)
    assert ours["dcf"] == pytest.approx(-np.mean(cf), abs=0.1)
    assert ours["cf"] < 0.1  # a gray image has (almost) no colour
    table = M.score_vs_gray(photos, photos, name="truth")
    assert list(table.index) == ["gray copy", "truth"]
    assert table.loc["truth", "de2000"] < 1e-3 and table.loc["gray copy", "de2000"] > 5


def test_score_vs_gray_gray_row_equals_the_leaderboard_gray_copy(photos):
    """Lessons 02-03 (score_vs_gray) and 04-06 (predict_images with the GrayCopy baseline) once printed
    the gray copy's colorfulness as 0.0033 and 0.072: one was float, the other 8-bit."""
    from colorkit.evaluate import predict_images
    from colorkit.evaluate.baselines import GrayCopy

    truths = [(np.clip(p, 0, 1) * 255).round().astype(np.uint8) for p in photos]
    leaderboard = M.score_images(predict_images(GrayCopy(), truths)[0], truths)
    table = M.score_vs_gray(truths, truths, name="truth")
    for col in ("de2000", "cf", "psnr", "ssim"):
        assert table.loc["gray copy", col] == pytest.approx(leaderboard[col], rel=1e-6, abs=1e-9), col


def test_frechet_distance_closed_forms():
    # 1-D: (mu1 - mu2)^2 + (s1 - s2)^2
    assert M.frechet_distance([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(4 + 1)
    # diagonal covariances: |dmu|^2 + sum (sqrt(a) - sqrt(b))^2
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = 1 + 4 + (1 - 2) ** 2 + 0 + (3 - 1) ** 2
    assert M.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected)
    # a general pair against torchmetrics' implementation
    from torchmetrics.image.fid import _compute_fid

    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    s1, s2 = A @ A.T + np.eye(5), B @ B.T + np.eye(5)
    m1, m2 = rng.normal(size=5), rng.normal(size=5)
    ref = float(_compute_fid(*(torch.tensor(x) for x in (m1, s1, m2, s2))))
    assert M.frechet_distance(m1, s1, m2, s2) == pytest.approx(ref, rel=1e-6)
    # FID from features of two Gaussians approaches the closed form
    f1 = rng.normal(0, 1, (20000, 2))
    f2 = rng.normal(0, 2, (20000, 2)) + 1
    assert M.fid_from_features(f1, f2) == pytest.approx(2 + 2 * (2 - 1) ** 2, rel=0.05)


def test_kernel_distance_matches_torchmetrics_and_is_unbiased():
    from torchmetrics.image.kid import poly_mmd

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 8)), rng.normal(0.5, 1, size=(60, 8))
    ours, _ = M.kernel_distance(x, y, subsets=1, subset_size=50)
    # with subset_size = len(x) every draw of x is a permutation; pick the same y rows as ours did
    rng2 = np.random.default_rng(0)
    xi, yi = rng2.choice(50, 50, replace=False), rng2.choice(60, 50, replace=False)
    ref = float(poly_mmd(torch.tensor(x[xi]), torch.tensor(y[yi]), degree=3, gamma=None, coef=1.0))
    assert ours == pytest.approx(ref, rel=1e-6)
    same, _ = M.kernel_distance(rng.normal(size=(400, 4)), rng.normal(size=(400, 4)), subsets=5, subset_size=200)
    assert abs(same) < 0.05


def test_perceptual_metrics_report_unavailable_offline(photos, monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.delenv("COLORKIT_ALLOW_DOWNLOAD", raising=False)
    monkeypatch.delenv("COLORKIT_FID_WEIGHTS", raising=False)
    res = M.lpips(photos[:1], photos[:1], allow_download=False)
    assert not res.available and "alexnet" in res.reason and "unavailable" in str(res)
    out = M.fid_kid(photos, photos, allow_download=False)
    assert out["fid"].value is None and out["fid"].reason
    # with a user-given feature network FID/KID compute (never random Inception weights)
    feats = lambda ims: np.stack([np.asarray(i, np.float64).reshape(-1, 3).mean(0) for i in ims])  # noqa: E731
    out = M.fid_kid(photos, photos, feature_fn=feats)
    assert out["fid"].value == pytest.approx(0.0, abs=1e-6)


def test_bad_inputs_say_how_to_fix():
    a = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="same|differ"):
        M.psnr(a, np.zeros((9, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="divide"):
        M.psnr(a.astype(np.float32) + 200, a)
    with pytest.raises(ValueError, match="HxWx3"):
        M.colorfulness(np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="2 predictions but 1"):
        M.score_images([a, a], [a])


def test_torch_and_batch_inputs_agree():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    p = _noisy(t)
    as_t = torch.from_numpy(p.astype(np.float32) / 255).permute(0, 3, 1, 2)
    a = M.score_images(p, t)
    b = M.score_images(as_t, list(t))
    for k in a:
        assert a[k] == pytest.approx(b[k], abs=1e-4)


def test_lpips_plumbing_with_stand_in_backbone(photos, monkeypatch, tmp_path):
    """The compute path, offline: torchvision's AlexNet is replaced by a seeded random one (only in this
    test; the real metric refuses to run without the ImageNet file) and compared with torchmetrics."""
    import torchvision
    from torchmetrics.functional.image import learned_perceptual_image_patch_similarity as ref_lpips

    real = torchvision.models.alexnet

    def stand_in(weights=None, **kw):
        torch.manual_seed(0)
        return real(weights=None, **kw)

    monkeypatch.setattr(torchvision.models, "alexnet", stand_in)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "alexnet-owt-7be5be79.pth").write_bytes(b"present")
    monkeypatch.setattr(M, "_LPIPS_CACHE", {})
    a, b = [p[:64, :64] for p in photos[:2]]
    res = M.lpips([a, b], [b, b], allow_download=False, batch_size=1)
    assert res.available and len(res.extra["per_image"]) == 2
    assert res.extra["per_image"][1] == pytest.approx(0.0, abs=1e-6) and res.extra["per_image"][0] > 0
    to_t = lambda x: torch.from_numpy(x.astype(np.float32) / 255).permute(2, 0, 1)[None]  # noqa: E731
    ref = float(ref_lpips(to_t(a), to_t(b), net_type="alex", normalize=True))
    assert res.extra["per_image"][0] == pytest.approx(ref, rel=1e-4)


@pytest.mark.parametrize("name", M.FID_WEIGHT_NAMES)
def test_fid_weights_are_found_under_either_cache_name(name, photos, monkeypatch, tmp_path):
    """torch-fidelity and torchmetrics cache the FID Inception as ``weights-inception-...``, pytorch-fid as
    ``pt_inception-...``: a copy under either name is used (here a stand-in file: loading it is then what
    fails, no longer the search), and offline without either the reason names both."""
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.delenv("COLORKIT_ALLOW_DOWNLOAD", raising=False)
    monkeypatch.delenv("COLORKIT_FID_WEIGHTS", raising=False)
    _, reason = M.inception_features(photos[:1], allow_download=False)
    assert all(n in reason for n in M.FID_WEIGHT_NAMES)
    (tmp_path / "checkpoints").mkdir()
    placed = tmp_path / "checkpoints" / name
    placed.write_bytes(b"not really weights")
    assert M.fid_weights_path() == placed
    _, reason = M.inception_features(photos[:1], allow_download=False)
    assert "could not load" in reason and "needs the FID Inception weights" not in reason
    monkeypatch.setenv("COLORKIT_FID_WEIGHTS", str(tmp_path / "elsewhere.pth"))
    assert M.fid_weights_path() == tmp_path / "elsewhere.pth"
