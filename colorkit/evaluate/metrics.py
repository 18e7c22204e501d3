"""One audited set of colorization metrics, each with its conventions written down.

Introduced in notebook ``06_evaluate`` (notebooks ``02``-``05`` print :func:`score_vs_gray`).

Conventions (the same for every metric unless its docstring says otherwise)
---------------------------------------------------------------------------
* **Inputs**: the colour images a person would see, sRGB, ``HxWx3`` numpy arrays, either ``uint8`` in
  [0, 255] or float in [0, 1] (a torch ``3xHxW`` / ``Nx3xHxW`` float tensor in [0, 1] is accepted too).
  Predictions are compared *after* conversion back to sRGB (so gamut clipping counts); LAB values are
  computed from both images with :func:`colorkit.color.rgb_to_lab` (D65, scikit-image's constants).
* **Resolution and crop**: prediction and truth must have the same shape; no border is cropped.
  Evaluate all models at the same resolution (``colorkit evaluate --size``), because every metric
  moves with it.
* **Averaging**: each metric is computed per image (a mean over its pixels), then averaged over
  images (every image weighs the same, whatever its size). PSNR is averaged in dB per image.
* **Ranges**: PSNR on RGB uses ``data_range = 1`` (float [0, 1]); PSNR and SSIM on ab use the model's
  normalized ab (``ab / AB_SCALE``, about [-1, 1]) with ``data_range = 2``. SSIM is Wang et al.'s
  (Gaussian window, sigma 1.5, population covariance, K1 = 0.01, K2 = 0.03), the same number as
  ``skimage.metrics.structural_similarity`` with those settings (computed with OpenCV, 4x faster),
  averaged over channels, leaving out the 5-pixel border
  where the 11x11 window does not fit (NaN for images smaller than 11x11).
* **Colour differences**: ΔE76 is the Euclidean distance in LAB; ΔE2000 is CIEDE2000 from
  ``skimage.color.deltaE_ciede2000`` (kL = kC = kH = 1), verified against Sharma et al.'s published
  test pairs in ``tests/test_metrics.py``. ``acc_de`` is the fraction of pixels whose ΔE2000 is below
  :data:`ACC_THRESHOLD` (the "ΔE below a threshold" accuracy of the APS360 report, He, Imran, Siddiqua &
  You, *Picture Colourization*, University of Toronto; a ΔE2000 of about 1 is one just-noticeable
  difference (2.3 is CIE76 ΔE*ab's, Sharma 2003), so 5 means "close enough to pass at a glance").
  ``auc_ab`` is Zhang et al.'s (2016) area under the curve of the fraction of pixels whose ab error is
  below t, for t in 0..150, in [0, 1].
* **Colorfulness**: Hasler & Suesstrunk (2003), on 8-bit RGB values (0..255):
  ``rg = R - G``, ``yb = (R + G) / 2 - B``, ``M = sqrt(std(rg)^2 + std(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2)``
  (population std). ``dcf = M(prediction) - M(truth)``: negative means washed out (the "brown" look).
* **LPIPS, FID, KID** need pretrained networks. With the weights present (Colab, or the file in
  ``torch.hub.get_dir()/checkpoints``) they compute through torchmetrics (LPIPS, AlexNet) and
  torch-fidelity's Inception (FID/KID features); otherwise :class:`MetricResult` says *why* they are
  unavailable. They are never computed with random weights. The Fréchet distance and KID themselves
  are plain functions here (:func:`frechet_distance`, :func:`kernel_distance`), tested on closed forms.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from colorkit.color import gray_copy, normalize_ab, rgb_to_lab

ACC_THRESHOLD = 5.0  # ΔE2000 below which a pixel counts as "right" in ``acc_de``
AUC_MAX_AB = 150.0  # Zhang et al.'s threshold range for ``auc_ab``

# Name -> (short description, higher is better?) for every per-image metric, in table order.
METRICS: dict[str, tuple[str, bool]] = {
    "de2000": ("mean CIEDE2000 colour difference (LAB units)", False),
    "de76": ("mean CIE76 colour difference, Euclidean in LAB", False),
    "acc_de": (f"fraction of pixels with ΔE2000 < {ACC_THRESHOLD:g}", True),
    "auc_ab": ("Zhang et al. AuC of ab error thresholds 0..150", True),
    "mae_ab": ("mean absolute error of a and b (LAB units)", False),
    "psnr": ("PSNR on sRGB in dB (data range 1)", True),
    "ssim": ("SSIM on sRGB (Gaussian window, sigma 1.5)", True),
    "psnr_ab": ("PSNR on normalized ab in dB (data range 2)", True),
    "ssim_ab": ("SSIM on normalized ab (data range 2)", True),
    "cf": ("Hasler-Suesstrunk colorfulness of the prediction", True),
    "dcf": ("colorfulness of the prediction minus that of the truth", True),
}


# --- input handling ------------------------------------------------------------------------------
def as_rgb_float(img) -> np.ndarray:
    """Any supported image (uint8 / float numpy ``HxWx3``, torch ``3xHxW``) -> float32 ``HxWx3`` in [0, 1]."""
    if hasattr(img, "detach"):  # torch tensor, channels first
        t = img.detach().cpu()
        if t.ndim != 3 or t.shape[0] != 3:
            raise ValueError(f"expected a 3xHxW tensor, got shape {tuple(t.shape)}; pass one image at a time")
        img = t.permute(1, 2, 0).numpy()
    a = np.asarray(img)
    if a.ndim != 3 or a.shape[-1] != 3:
        raise ValueError(f"expected an RGB image HxWx3, got shape {a.shape}; "
                         "for grayscale inputs pass the colour truth and the colorized prediction")
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255.0
    if a.dtype.kind != "f":
        raise TypeError(f"RGB must be uint8 or float in [0, 1], got {a.dtype}")
    if a.size and (a.min() < -1e-3 or a.max() > 1 + 1e-3):
        raise ValueError(f"float RGB must be in [0, 1], got range [{a.min():.3g}, {a.max():.3g}]; "
                         "divide 8-bit values by 255 or pass uint8")
    return np.clip(a, 0.0, 1.0).astype(np.float32)


def _pair(pred, true) -> tuple[np.ndarray, np.ndarray]:
    p, t = as_rgb_float(pred), as_rgb_float(true)
    if p.shape != t.shape:
        raise ValueError(f"prediction {p.shape} and truth {t.shape} differ in shape; "
                         "resize the prediction to the truth's size (metrics never crop or resize)")
    return p, t


def _split(images) -> list:
    """A batch (list, ``NxHxWx3`` array or ``Nx3xHxW`` tensor) -> list of single images."""
    if hasattr(images, "detach") and images.ndim == 4:
        return list(images)
    if isinstance(images, np.ndarray) and images.ndim == 4:
        return list(images)
    if isinstance(images, np.ndarray) and images.ndim == 3:
        return [images]
    return list(images)


# --- per-pixel maps ------------------------------------------------------------------------------
def delta_e76_map(pred, true) -> np.ndarray:
    """Per-pixel CIE76 ΔE (Euclidean distance in LAB), ``HxW`` float32."""
    p, t = _pair(pred, true)
    return np.linalg.norm(rgb_to_lab(p) - rgb_to_lab(t), axis=-1).astype(np.float32)


def delta_e2000_map(pred, true) -> np.ndarray:
    """Per-pixel CIEDE2000 ΔE (``skimage.color.deltaE_ciede2000``), ``HxW`` float32.

    About 40 ms for a 256x256 image on one CPU core, fast enough that no re-implementation is needed.
    """
    from skimage.color import deltaE_ciede2000

    p, t = _pair(pred, true)
    return deltaE_ciede2000(rgb_to_lab(t), rgb_to_lab(p), channel_axis=-1).astype(np.float32)


def delta_e2000_lab(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 between LAB arrays (``...x3``), for callers that already hold LAB values."""
    from skimage.color import deltaE_ciede2000

    return deltaE_ciede2000(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64), channel_axis=-1)


# --- scalar metrics for one image ----------------------------------------------------------------
def psnr(pred, true) -> float:
    """PSNR in dB on sRGB in [0, 1] (data range 1) over all pixels and channels; inf if identical."""
    p, t = _pair(pred, true)
    mse = float(np.mean((p.astype(np.float64) - t) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def ssim(pred, true) -> float:
    """SSIM on sRGB in [0, 1] with Wang et al.'s settings (= scikit-image's, see :func:`_ssim`)."""
    p, t = _pair(pred, true)
    return _ssim(p, t, data_range=1.0)


def _ssim(p: np.ndarray, t: np.ndarray, data_range: float) -> float:
    """Wang et al.'s SSIM, exactly scikit-image's ``structural_similarity(gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False)`` (11-tap window, 5-pixel border left out), computed with
    OpenCV's Gaussian blur in float32: equal to scikit-image within 1e-6 and about 4x faster (measured
    on 256x256 RGB: 22 ms against 83 ms; checked in ``tests/test_metrics.py``)."""
    import cv2

    if min(p.shape[:2]) < 11:  # the 11-tap Gaussian window does not fit: SSIM is undefined
        return float("nan")
    x, y = np.asarray(t, np.float32), np.asarray(p, np.float32)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2

    def blur(z):
        return cv2.GaussianBlur(z, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s[5:-5, 5:-5].mean(dtype=np.float64))


def _ab_norm(rgb: np.ndarray) -> np.ndarray:
    return normalize_ab(rgb_to_lab(rgb)[..., 1:]).astype(np.float64)


def psnr_ab(pred, true) -> float:
    """PSNR in dB on normalized ab (``ab / AB_SCALE``), data range 2."""
    p, t = _pair(pred, true)
    mse = float(np.mean((_ab_norm(p) - _ab_norm(t)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(4.0 / mse)


def ssim_ab(pred, true) -> float:
    """SSIM on normalized ab (data range 2), same window as :func:`ssim`, averaged over a and b."""
    p, t = _pair(pred, true)
    return _ssim(_ab_norm(p), _ab_norm(t), data_range=2.0)


def mae_ab(pred, true) -> float:
    """Mean absolute error of a and b, in LAB units (multiply by 1/AB_SCALE for the model's scale)."""
    p, t = _pair(pred, true)
    return float(np.mean(np.abs(rgb_to_lab(p)[..., 1:] - rgb_to_lab(t)[..., 1:])))


def delta_e_accuracy(pred, true, threshold: float = ACC_THRESHOLD) -> float:
    """Fraction of pixels whose ΔE2000 is below ``threshold``."""
    return float(np.mean(delta_e2000_map(pred, true) < threshold))


def auc_ab(pred, true, max_threshold: float = AUC_MAX_AB) -> float:
    """Zhang et al. (2016) "raw accuracy" AuC: mean over t in 0..max (step 1) of P(|ab error|_2 <= t)."""
    p, t = _pair(pred, true)
    err = np.linalg.norm(rgb_to_lab(p)[..., 1:] - rgb_to_lab(t)[..., 1:], axis=-1).ravel()
    thresholds = np.arange(0.0, max_threshold + 1.0)
    return float(np.mean(np.searchsorted(np.sort(err), thresholds, side="right") / err.size))


def colorfulness(img) -> float:
    """Hasler & Suesstrunk (2003) colorfulness on 8-bit RGB values (0..255); 0 for a gray image."""
    rgb = as_rgb_float(img).astype(np.float64) * 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    return float(np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2))


def delta_colorfulness(pred, true) -> float:
    """``colorfulness(pred) - colorfulness(true)``; negative means the prediction is washed out."""
    _pair(pred, true)
    return colorfulness(pred) - colorfulness(true)


def score_image(pred, true, threshold: float = ACC_THRESHOLD) -> dict[str, float]:
    """All per-image metrics of :data:`METRICS` for one prediction against its truth."""
    p, t = _pair(pred, true)
    lab_p, lab_t = rgb_to_lab(p), rgb_to_lab(t)
    from skimage.color import deltaE_ciede2000

    de00 = deltaE_ciede2000(lab_t, lab_p, channel_axis=-1)
    ab_p, ab_t = lab_p[..., 1:].astype(np.float64), lab_t[..., 1:].astype(np.float64)
    ab_err = np.linalg.norm(ab_p - ab_t, axis=-1).ravel()
    thresholds = np.arange(0.0, AUC_MAX_AB + 1.0)
    abn_p, abn_t = normalize_ab(ab_p), normalize_ab(ab_t)
    mse_ab = float(np.mean((abn_p - abn_t) ** 2))
    cf_p, cf_t = colorfulness(p), colorfulness(t)
    return {
        "de2000": float(de00.mean()),
        "de76": float(np.linalg.norm(lab_p.astype(np.float64) - lab_t, axis=-1).mean()),
        "acc_de": float(np.mean(de00 < threshold)),
        "auc_ab": float(np.mean(np.searchsorted(np.sort(ab_err), thresholds, side="right") / ab_err.size)),
        "mae_ab": float(np.mean(np.abs(ab_p - ab_t))),
        "psnr": psnr(p, t),
        "ssim": _ssim(p, t, 1.0),
        "psnr_ab": float("inf") if mse_ab == 0 else 10.0 * np.log10(4.0 / mse_ab),
        "ssim_ab": _ssim(abn_p, abn_t, 2.0),
        "cf": cf_p,
        "dcf": cf_p - cf_t,
    }


def score_images(preds, trues, threshold: float = ACC_THRESHOLD, per_image: bool = False,
                 progress: bool = False):
    """Mean of :func:`score_image` over a set of images (every image weighs the same).

    ``preds`` and ``trues``: lists of images, ``NxHxWx3`` arrays or ``Nx3xHxW`` tensors. Returns a
    dict ``{metric: mean}``; with ``per_image=True`` returns ``(means, rows)`` where ``rows`` is the
    list of per-image dicts (for distributions and the failure gallery).
    """
    preds, trues = _split(preds), _split(trues)
    if len(preds) != len(trues):
        raise ValueError(f"{len(preds)} predictions but {len(trues)} ground-truth images")
    if not preds:
        raise ValueError("no images to score")
    it: Iterable = zip(preds, trues)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, total=len(preds), desc="scoring", leave=False)
    rows = [score_image(p, t, threshold) for p, t in it]
    means = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    return (means, rows) if per_image else means


def score_vs_gray(preds, trues, name: str = "model", columns: Sequence[str] = ("de2000", "cf", "dcf", "psnr", "ssim")):
    """A two-row pandas table: the gray copy (L kept, ab = 0) first, then ``name``'s predictions.

    What notebooks ``02``-``05`` print after training, so every number is read next to doing nothing.
    """
    import pandas as pd

    trues_l = _split(trues)
    # 8-bit like the predictions and like the leaderboard's gray-copy row (colorkit.evaluate.baselines)
    gray = [gray_copy(as_rgb_float(t), dtype=np.uint8) for t in trues_l]
    rows = {"gray copy": score_images(gray, trues_l), name: score_images(preds, trues_l)}
    return pd.DataFrame(rows).T[list(columns)]


# --- Fréchet distance and KID on features ---------------------------------------------------------
def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between Gaussians N(mu1, sigma1) and N(mu2, sigma2):
    ``|mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))`` (``scipy.linalg.sqrtm``)."""
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    s1, s2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or s1.shape != s2.shape or s1.shape[0] != mu1.shape[0]:
        raise ValueError(f"shape mismatch: mu {mu1.shape} vs {mu2.shape}, sigma {s1.shape} vs {s2.shape}")
    covmean = linalg.sqrtm(s1 @ s2)
    if not np.isfinite(covmean).all():  # singular product: regularize as in the reference implementation
        off = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + off) @ (s2 + off))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean))


def fid_from_features(feats1, feats2) -> float:
    """FID between two sets of feature vectors (``N x D``), each summarized by mean and covariance."""
    f1, f2 = np.asarray(feats1, np.float64), np.asarray(feats2, np.float64)
    if len(f1) < 2 or len(f2) < 2:
        raise ValueError("FID needs at least 2 feature vectors per set (in practice thousands)")
    if max(len(f1), len(f2)) < f1.shape[1]:  # fewer images than features (e.g. 200 x 2048): low-rank form
        x1, x2 = f1 - f1.mean(0), f2 - f2.mean(0)
        n1, n2 = len(f1) - 1, len(f2) - 1
        # with sigma = x^T x / n, tr (sigma1 sigma2)^(1/2) = nuclear norm of x1 x2^T / sqrt(n1 n2): exact, and
        # milliseconds instead of a 2048 x 2048 sqrtm (tens of seconds, inaccurate on these singular matrices)
        tr_covmean = np.linalg.svd(x1 @ x2.T, compute_uv=False).sum() / np.sqrt(n1 * n2)
        diff = f1.mean(0) - f2.mean(0)
        return float(diff @ diff + (x1 ** 2).sum() / n1 + (x2 ** 2).sum() / n2 - 2.0 * tr_covmean)
    return frechet_distance(f1.mean(0), np.cov(f1, rowvar=False), f2.mean(0), np.cov(f2, rowvar=False))


def kernel_distance(feats1, feats2, subsets: int = 10, subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """KID (Binkowski et al. 2018): unbiased MMD^2 with the cubic polynomial kernel
    ``k(x, y) = (x.y / d + 1)^3``, averaged over random subsets. Returns ``(mean, std)``."""
    f1, f2 = np.asarray(feats1, np.float64), np.asarray(feats2, np.float64)
    m = min(subset_size, len(f1), len(f2))
    if m < 2:
        raise ValueError("KID needs at least 2 feature vectors per set")
    rng = np.random.default_rng(seed)
    d = f1.shape[1]
    vals = []
    for _ in range(subsets):
        x = f1[rng.choice(len(f1), m, replace=False)]
        y = f2[rng.choice(len(f2), m, replace=False)]
        kxx, kyy, kxy = ((x @ x.T) / d + 1) ** 3, ((y @ y.T) / d + 1) ** 3, ((x @ y.T) / d + 1) ** 3
        vals.append((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                    - 2 * kxy.mean())
    return float(np.mean(vals)), float(np.std(vals))


# --- metrics that need pretrained networks ---------------------------------------------------------
@dataclass
class MetricResult:
    """A metric that may be unavailable: ``value`` is None and ``reason`` says why (and how to fix it)."""

    name: str
    value: float | None
    reason: str | None = None
    extra: dict | None = None

    @property
    def available(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return f"{self.name} = {self.value:.4g}" if self.available else f"{self.name}: unavailable ({self.reason})"


def _downloads_allowed(allow_download: bool | None) -> bool:
    if allow_download is not None:
        return allow_download
    from colorkit.runtime import in_colab

    return in_colab() or os.environ.get("COLORKIT_ALLOW_DOWNLOAD", "") == "1"


def _hub_file(name: str) -> Path:
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / name


def _to_nchw(images):
    import torch

    arr = np.stack([as_rgb_float(i) for i in _split(images)])
    x = torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()
    return x


_LPIPS_CACHE: dict = {}


def lpips(preds, trues, net: str = "alex", allow_download: bool | None = None, batch_size: int = 16) -> MetricResult:
    """LPIPS (Zhang et al. 2018) via ``torchmetrics`` with ImageNet-pretrained ``net`` (lower is better).

    The linear heads ship with torchmetrics; the backbone's ImageNet weights come from torchvision's
    cache (``torch.hub.get_dir()/checkpoints``). Without them (offline, not in Colab, and
    ``allow_download`` not set / ``COLORKIT_ALLOW_DOWNLOAD`` not 1) this returns ``value=None`` with the reason.
    """
    import torch

    name = f"lpips_{net}"
    try:
        import torchvision

        weights = {"alex": torchvision.models.AlexNet_Weights, "vgg": torchvision.models.VGG16_Weights,
                   "squeeze": torchvision.models.SqueezeNet1_1_Weights}[net].DEFAULT
    except KeyError:
        raise ValueError(f"net must be 'alex', 'vgg' or 'squeeze', got {net!r}") from None
    path = _hub_file(os.path.basename(weights.url))
    if not path.exists() and not _downloads_allowed(allow_download):
        return MetricResult(name, None, f"needs the ImageNet weights {path.name} in {path.parent} (offline here); "
                            "download them once with allow_download=True or COLORKIT_ALLOW_DOWNLOAD=1")
    try:
        if net not in _LPIPS_CACHE:
            from torchmetrics.image.lpip import LearnedPerceptualImagePatchSimilarity

            _LPIPS_CACHE[net] = LearnedPerceptualImagePatchSimilarity(net_type=net, normalize=True).eval()
        metric = _LPIPS_CACHE[net]
    except Exception as e:  # download failed, or a torchmetrics without LPIPS
        return MetricResult(name, None, f"could not load the pretrained {net} network: {e}")
    p, t = _to_nchw(preds), _to_nchw(trues)
    scores = []
    with torch.no_grad():
        for i in range(0, len(p), batch_size):  # the module's network gives per-image distances
            scores.append(metric.net(p[i:i + batch_size], t[i:i + batch_size], normalize=True).flatten())
    per_image = torch.cat(scores).flatten().tolist()
    return MetricResult(name, float(np.mean(per_image)), extra={"per_image": per_image})


FID_WEIGHTS = "weights-inception-2015-12-05-6726825d.pth"  # torch-fidelity's port of the TF FID Inception
# the same file under the names it is cached as: torch-fidelity's and torchmetrics' download (first), pytorch-fid's
FID_WEIGHT_NAMES = (FID_WEIGHTS, "pt_inception-2015-12-05-6726825d.pth")


def fid_weights_path() -> Path:
    """Where the FID Inception weights are: ``$COLORKIT_FID_WEIGHTS`` if set, else the first of
    :data:`FID_WEIGHT_NAMES` found in torch hub's ``checkpoints`` folder, else where a download puts them."""
    env = os.environ.get("COLORKIT_FID_WEIGHTS", "")
    if env:
        return Path(env)
    found = [_hub_file(n) for n in FID_WEIGHT_NAMES if _hub_file(n).exists()]
    return found[0] if found else _hub_file(FID_WEIGHTS)


def inception_features(images, weights_path: str | None = None, allow_download: bool | None = None,
                       batch_size: int = 32):
    """2048-d pool features of the FID Inception network (torch-fidelity, via torchmetrics), ``N x 2048``.

    Returns ``(features, None)`` or ``(None, reason)`` when torch-fidelity or its weights are missing.
    """
    import torch

    try:
        import torch_fidelity  # noqa: F401
    except ImportError:
        return None, "needs the torch-fidelity package (pip install torch-fidelity) for the FID Inception network"
    path = Path(weights_path) if weights_path else fid_weights_path()
    if not path.exists() and not _downloads_allowed(allow_download):
        return None, (f"needs the FID Inception weights ({' or '.join(FID_WEIGHT_NAMES)}) in {path.parent} "
                      "(offline here); set COLORKIT_FID_WEIGHTS to a local copy or allow downloads "
                      "(COLORKIT_ALLOW_DOWNLOAD=1)")
    try:
        from torchmetrics.image.fid import NoTrainInceptionV3

        net = NoTrainInceptionV3("inception-v3-compat", ["2048"],
                                 feature_extractor_weights_path=str(path) if path.exists() else None)
    except Exception as e:
        return None, f"could not load the FID Inception network: {e}"
    feats = []
    x = _to_nchw(images)
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            u8 = (x[i:i + batch_size] * 255).round().to(torch.uint8)
            feats.append(net(u8).double().cpu())
    return torch.cat(feats).numpy(), None


def fid_kid(preds, trues, feature_fn: Callable | None = None, allow_download: bool | None = None,
            kid_subset_size: int = 100) -> dict[str, MetricResult]:
    """FID and KID between the predictions and the true photos (dataset-level; lower is better).

    ``feature_fn(images) -> N x D`` replaces the Inception network (e.g. for a tiny test network);
    reported numbers must use the default. Both are biased at small N: compare models only on the
    same image set, and remember FID needs thousands of images to be stable.
    """
    if feature_fn is None:
        fp, reason = inception_features(preds, allow_download=allow_download)
        if fp is None:
            return {"fid": MetricResult("fid", None, reason), "kid": MetricResult("kid", None, reason)}
        ft, _ = inception_features(trues, allow_download=allow_download)
    else:
        fp, ft = np.asarray(feature_fn(preds)), np.asarray(feature_fn(trues))
    kid, kid_std = kernel_distance(fp, ft, subset_size=kid_subset_size)
    return {"fid": MetricResult("fid", fid_from_features(fp, ft), extra={"n": len(fp)}),
            "kid": MetricResult("kid", kid, extra={"std": kid_std, "n": len(fp)})}


def perceptual_status() -> dict[str, str]:
    """``{metric: 'available' or the reason it is not}`` without computing anything."""
    out = {}
    import torchvision

    p = _hub_file(os.path.basename(torchvision.models.AlexNet_Weights.DEFAULT.url))
    out["lpips_alex"] = "available" if p.exists() or _downloads_allowed(None) else \
        f"needs {p.name} in {p.parent} (offline)"
    try:
        import torch_fidelity  # noqa: F401

        fp = fid_weights_path()
        out["fid"] = "available" if fp.exists() or _downloads_allowed(None) else \
            f"needs {' or '.join(FID_WEIGHT_NAMES)} in {fp.parent} (offline)"
    except ImportError:
        out["fid"] = "needs pip install torch-fidelity"
    out["kid"] = out["fid"]
    return out
