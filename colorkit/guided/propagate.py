"""Cheap, differentiable spreading of colour hints in torch: multi-scale normalized convolution.

Introduced in notebook ``08_user_guided``. Normalized convolution (Knutsson & Westin 1993) fills in
scattered data by blurring the data and the mask with the same kernel and dividing:
``mean = blur(ab * mask) / blur(mask)``. Where hints are near, ``blur(mask)`` is large and the mean is their
distance-weighted average colour; where no hint reaches, both are about zero. ``blur(mask)`` is the
*confidence*: with the peak-1 Gaussian kernel used here (``exp(-d**2 / (2 sigma**2))``, not divided by its
sum, cut at 3 sigma), one single-pixel hint has confidence exactly ``exp(-d**2 / (2 sigma**2))`` at distance ``d``.

:func:`propagate_hints` does it at a few scales (``sigmas``, fractions of the image's long side, so a hint
spreads over the same part of the photo at every resolution) and adds ``base``: a blend that takes, at each
pixel, the finest scale that is confident there, coarser scales filling the rest and fading to gray where
even the coarsest is unsure; the hinted pixels keep their own colour. With a guide ``L_norm``, a joint
bilateral flavour weighs hints by how close their lightness is to the pixel's (a few lightness layers, as in
Durand & Dorsey's fast bilateral filter), so colour spreads less across strong edges. The hint network
(:mod:`colorkit.models.unet_hints`) takes all of it as extra input channels and starts from ``base``.

Measured on 300 held-out Tiny ImageNet photos at 64 px with simulated hints (ΔE2000 at 2 / 10 hints; gray
copy 12.06, Levin et al. 2004 7.91 / 5.81): plain ``base`` 8.23 / 6.36, lightness-aware 7.91 / 6.09 (5
layers; 3: 8.10 / 6.25; 7: 7.88 / 6.02 for 40 % more work). ``CONFIDENT`` 0.05-1 and ``sigmas`` (1/16, 1/4, 1)
moved these by under 0.1.

Cost: each axis is blurred by a matrix product with :func:`gaussian_matrix` (cut at 3 sigma: the far tails
would be denormal floats, which made the product 16-27x slower on a CPU; a one-channel-per-group
convolution was 4x slower than the cut product). A blur wider than :data:`DIRECT_MAX_SIGMA` pixels runs on
a copy shrunk by a power of two (summed, not averaged, so the confidence keeps its scale) and is enlarged
bilinearly. Everything runs in float32 (mixed precision is turned off inside), and no parameter is learned.
"""
from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

SIGMAS = (1 / 32, 1 / 8, 1 / 2)  # blur widths as fractions of the long side (64 px: 2, 8 and 32 px)
DIRECT_MAX_SIGMA = 8.0  # pixels; wider blurs run on a copy shrunk by a power of two
CONFIDENT = 0.2  # confidence at which a scale's mean and the coarser blend weigh the same in ``base``
EPS = 1e-4  # added to the confidence before dividing: the mean fades to 0 (the gray copy) where no hint reaches
L_LEVELS = 5  # lightness layers of the bilateral flavour (spacing 2 / (L_LEVELS - 1) in normalized L)


@functools.lru_cache(maxsize=64)
def _gaussian_matrix(sigma: float, size: int, device: str) -> torch.Tensor:
    with torch.inference_mode(False), torch.no_grad():  # a cached tensor that autograd may also use later
        x = torch.arange(size, dtype=torch.float32, device=device)
        d2 = (x[:, None] - x[None, :]) ** 2
        k = torch.exp(-d2 / (2.0 * sigma**2))
        return torch.where(d2 <= (3.0 * sigma) ** 2, k, 0.0)  # cut at 3 sigma: no denormal floats (slow on CPUs)


def gaussian_matrix(sigma: float, size: int, device=None) -> torch.Tensor:
    """``size x size`` matrix ``exp(-(i - j)**2 / (2 sigma**2))``: multiplying by it blurs one axis with the
    peak-1 Gaussian (cut at 3 sigma), zero outside the image (a dense matrix product is faster on a CPU
    than a convolution with one channel per group)."""
    return _gaussian_matrix(float(sigma), int(size), str(torch.device(device or "cpu")))


def _blur_direct(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable peak-1 Gaussian blur with zero padding (outside the image there is no hint)."""
    h, w = x.shape[-2:]
    rows = x @ gaussian_matrix(sigma, w, x.device)
    return torch.einsum("ij,ncjw->nciw", gaussian_matrix(sigma, h, x.device), rows)


def blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """``x`` (N x C x H x W) convolved with the peak-1 Gaussian of ``sigma`` pixels, zero outside the image.

    Up to :data:`DIRECT_MAX_SIGMA` exact (:func:`gaussian_matrix` on each axis); wider: the image is summed over
    ``f x f`` blocks (``f`` a power of two bringing sigma to at most that), blurred there with ``sigma / f``
    and enlarged bilinearly (an approximation: a hint's position is rounded to its block)."""
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0 pixels, got {sigma}")
    if sigma <= DIRECT_MAX_SIGMA:
        return _blur_direct(x, sigma)
    f = 2 ** int(math.ceil(math.log2(sigma / DIRECT_MAX_SIGMA)))
    h, w = x.shape[-2:]
    ph, pw = -h % f, -w % f
    small = F.avg_pool2d(F.pad(x, (0, pw, 0, ph)) if ph or pw else x, f) * (f * f)
    small = _blur_direct(small, sigma / f)
    big = F.interpolate(small, scale_factor=f, mode="bilinear", align_corners=False)
    return big[..., :h, :w]


def normalized_convolution(values: torch.Tensor, mask: torch.Tensor, sigma: float, eps: float = EPS):
    """``(blur(values * mask) / (blur(mask) + eps), blur(mask))``: the locally weighted mean of the values
    where ``mask`` is 1, and its confidence. ``values`` N x C x H x W, ``mask`` N x 1 x H x W."""
    both = blur(torch.cat([values * mask, mask], dim=1), sigma)
    conf = both[:, -1:].clamp_min(0.0)
    return both[:, :-1] / (conf + eps), conf


def _lightness_weights(L_norm: torch.Tensor, levels: int) -> torch.Tensor:
    """Hat-function memberships (N x levels x H x W, summing to 1) of normalized L in ``levels`` layers."""
    centres = torch.linspace(-1.0, 1.0, levels, device=L_norm.device).view(1, -1, 1, 1)
    return (1.0 - (L_norm.clamp(-1, 1) - centres).abs() * (levels - 1) / 2.0).clamp_min(0.0)


def _bilateral_nc(hints: torch.Tensor, L_norm: torch.Tensor, sigma: float, levels: int, eps: float):
    """Normalized convolution with weights ``G(distance) * sum_k phi_k(L_pixel) phi_k(L_hint)``."""
    n, _, h, w = hints.shape
    phi = _lightness_weights(L_norm, levels)  # N x K x H x W
    mask = hints[:, 2:3]
    stacked = torch.cat([hints[:, :2, None] * phi[:, None], (mask * phi)[:, None]], dim=1)  # N x 3 x K x H x W
    blurred = blur(stacked.reshape(n, 3 * levels, h, w), sigma).reshape(n, 3, levels, h, w)
    sliced = (blurred * phi[:, None]).sum(dim=2)  # read each pixel's own layers back
    conf = sliced[:, 2:].clamp_min(0.0)
    return sliced[:, :2] / (conf + eps), conf


def check_hints(hints: torch.Tensor, L_norm: torch.Tensor | None = None) -> None:
    """A clear error for a hint tensor that is not N x 3 x H x W (or whose size differs from L's)."""
    if not torch.is_tensor(hints) or hints.ndim != 4 or hints.shape[1] != 3:
        shape = tuple(hints.shape) if torch.is_tensor(hints) else type(hints).__name__
        raise ValueError(f"hints must be an N x 3 x H x W tensor (a*mask, b*mask, mask), got {shape}")
    if L_norm is not None and (L_norm.ndim != 4 or L_norm.shape[1] != 1 or L_norm.shape[0] != hints.shape[0]
                               or L_norm.shape[-2:] != hints.shape[-2:]):
        raise ValueError(f"hints {tuple(hints.shape)} and L {tuple(L_norm.shape)} do not match: "
                         "expected N x 3 x H x W and N x 1 x H x W of the same N, H, W")


def channels(n_scales: int = len(SIGMAS)) -> int:
    """Number of channels :func:`propagate_hints` returns: base a, b, then a, b, confidence per scale."""
    return 2 + 3 * n_scales


def blend_scales(means, confs, hints: torch.Tensor, confident: float = CONFIDENT) -> torch.Tensor:
    """``base``: from the coarsest scale to the finest, each mean replaces the blend by its weight
    ``conf / (conf + confident)``; hinted pixels keep their own colour (N x 2 x H x W)."""
    base = means[-1] * (confs[-1] / (confs[-1] + confident))
    for m, c in zip(means[-2::-1], confs[-2::-1]):
        a = c / (c + confident)
        base = a * m + (1.0 - a) * base
    mask = hints[:, 2:3]
    return mask * hints[:, :2] + (1.0 - mask) * base


def propagate_hints(hints: torch.Tensor, L_norm: torch.Tensor | None = None, sigmas=SIGMAS,
                    levels: int = L_LEVELS, confident: float = CONFIDENT, eps: float = EPS) -> torch.Tensor:
    """Spread hints (N x 3 x H x W, :func:`colorkit.guided.hints.hint_tensor`'s format) over the image:
    N x :func:`channels` x H x W, float32: ``base`` a, b (:func:`blend_scales`), then for each of
    ``sigmas`` (fractions of the long side) the normalized-convolution mean a, b and its confidence
    (the blurred mask, peak-1 Gaussian). With ``L_norm`` (N x 1 x H x W) the bilateral flavour (weights
    from ``levels`` lightness layers); without, plain distance weights. No hints: all zeros."""
    check_hints(hints, L_norm)
    with torch.autocast(hints.device.type, enabled=False):
        hints = hints.float()
        side = max(hints.shape[-2:])
        means, confs = [], []
        for s in sigmas:
            if L_norm is None:
                m, c = normalized_convolution(hints[:, :2], hints[:, 2:3], float(s) * side, eps)
            else:
                m, c = _bilateral_nc(hints, L_norm.float(), float(s) * side, levels, eps)
            means.append(m)
            confs.append(c)
        base = blend_scales(means, confs, hints, confident)
        return torch.cat([base] + [t for m, c in zip(means, confs) for t in (m, c)], dim=1)
