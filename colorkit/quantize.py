"""Colour as classification (Zhang, Isola & Efros 2016): quantized ab bins, soft-encoded targets,
class rebalancing, and annealed-mean decoding.

Introduced in notebook ``06_evaluate`` ("why is it brown?" lab). A regression loss (L2, L1) on an
ambiguous colour (a car may be red or blue) is minimized by the *average* of the possibilities, which
is a desaturated brown-gray. Predicting a distribution over colour bins and decoding it with an
*annealed mean* keeps the vivid modes.

* **Bins** (:func:`ab_bins`): the ab plane is cut into 10x10 cells centred on multiples of 10 in
  [-110, 110]; a cell is kept if any 8-bit sRGB colour (all 2^24, converted with
  :func:`colorkit.color.rgb_to_lab`) falls into it. That gives :data:`N_BINS` = 261 bins with our exact
  sRGB gamut (Zhang et al. report 313 with theirs). Each bin is represented by its centre.
* **Soft encoding** (:func:`soft_encode`): a target ab value becomes a distribution over its 5 nearest
  bin centres, weighted by a Gaussian of the distance (sigma = 5 LAB units), summing to 1.
* **Rebalancing** (:func:`rebalance_weights`): rare (saturated) colours get larger loss weights,
  ``w ∝ ((1 - lam) p_smooth + lam / Q)^-1`` with ``lam = 0.5``, the empirical bin distribution ``p``
  smoothed by a Gaussian (sigma = 5) across bins, normalized so that ``E_p_smooth[w] = 1``.
* **Annealed mean** (:func:`annealed_mean`): ``f_T(z) = exp(log z / T) / sum(...)``, ab = sum of bin
  centres weighted by ``f_T``. ``T = 1`` is the plain mean (brown), ``T -> 0`` the mode (vivid but
  patchy); Zhang et al. use ``T = 0.38``.

All tensors are in the model's normalized ab units (``ab / AB_SCALE``) unless a name says ``_lab``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from colorkit.color import AB_SCALE, normalize_ab, rgb_to_lab

GRID = 10.0  # cell side in LAB units
GRID_LIMIT = 110.0  # centres run over -110..110
N_NEIGHBOURS = 5  # soft encoding: nearest bins that share a target
SIGMA = 5.0  # LAB units, for soft encoding and for smoothing the prior
REBALANCE_LAMBDA = 0.5
TEMPERATURE = 0.38  # Zhang et al.'s annealed-mean temperature


@lru_cache(maxsize=1)
def ab_bins() -> np.ndarray:
    """``Q x 2`` float32 centres (LAB units) of the in-gamut ab bins, in a fixed (row-major) order.

    Computed once per process from all 2^24 sRGB colours (about 1 s).
    """
    n = int(round(2 * GRID_LIMIT / GRID)) + 1
    mask = np.zeros((n, n), bool)
    v = np.arange(256, dtype=np.uint8)
    g, b = np.meshgrid(v, v, indexing="ij")
    for r in v:
        lab = rgb_to_lab(np.stack([np.full_like(g, r), g, b], -1))
        idx = np.round(lab[..., 1:] / GRID).astype(int) + n // 2
        mask[idx[..., 0], idx[..., 1]] = True
    ia, ib = np.nonzero(mask)
    centres = np.stack([ia - n // 2, ib - n // 2], -1) * GRID
    return centres.astype(np.float32)


def n_bins() -> int:
    return len(ab_bins())


N_BINS = 261  # len(ab_bins()); checked in tests/test_quantize.py


def bin_centres(device=None, dtype=torch.float32) -> torch.Tensor:
    """Bin centres in normalized ab units, ``Q x 2`` tensor."""
    return torch.as_tensor(normalize_ab(ab_bins()), dtype=dtype, device=device)


LUT_STEP = 2.0  # LAB units: side of the cells of the nearest-bin candidate table
LUT_LIMIT = 130.0  # the table covers [-130, 130]^2; targets beyond it are searched exhaustively


@lru_cache(maxsize=4)
def _candidates(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of a ``LUT_STEP`` grid over the ab plane, every bin that can be among the ``k`` nearest of a
    point in that cell: ``(table, centres)``, ``table`` ``cells x M`` bin indices (padded with index Q, a
    far-away dummy centre appended to ``centres``).

    A point p in a cell with centre c (half-diagonal r) has d(p, b) within r of d(c, b), so its k nearest
    bins all lie within ``d_k(c) + 2 r`` of c. Searching those M (at most 12 for k = 5) instead of all 261
    bins gives the same neighbours, 4.5-7x faster than the exhaustive search on a training batch (32 x 64 x 64
    targets, one core) and a 1.24-1.44x faster ``cpu`` classifier step (``benchmarks/soft_encode.py``)."""
    centres = ab_bins().astype(np.float64)
    n = int(round(2 * LUT_LIMIT / LUT_STEP))
    g = -LUT_LIMIT + LUT_STEP * (np.arange(n) + 0.5)
    cells = np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    d = np.sqrt(((cells[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    reach = np.sort(d, 1)[:, k - 1:k] + LUT_STEP * np.sqrt(2) + 1e-6
    within = d <= reach
    m = int(within.sum(1).max())
    table = np.full((len(cells), m), len(centres), np.int64)
    for i, row in enumerate(within):
        idx = np.nonzero(row)[0]
        table[i, :len(idx)] = idx
    padded = np.concatenate([centres, [[1e6, 1e6]]]).astype(np.float32)
    return table, padded


def _nearest_bins(pts: torch.Tensor, k: int, chunk: int = 1 << 18) -> tuple[torch.Tensor, torch.Tensor]:
    """Distances and indices (``P x k``, nearest first) of the ``k`` nearest bin centres of ``pts``
    (``P x 2``, LAB units): candidates from :func:`_candidates`, the exhaustive search off the table.
    ``chunk`` points at a time (about 60 MB of temporaries each, whatever the batch)."""
    table, padded = _candidates(k)
    table = torch.from_numpy(table).to(pts.device)
    centres = torch.from_numpy(padded).to(pts.device)
    n = int(round(2 * LUT_LIMIT / LUT_STEP))
    dists, bins = [], []
    for part in pts.split(chunk):
        cell = torch.floor((part + LUT_LIMIT) / LUT_STEP).long()
        on_table = ((cell >= 0) & (cell < n)).all(1)
        cand = table[(cell[:, 0].clamp(0, n - 1) * n + cell[:, 1].clamp(0, n - 1))]  # chunk x M
        dk, j = (part[:, None, :] - centres[cand]).pow(2).sum(-1).sqrt().topk(k, dim=1, largest=False)
        ik = cand.gather(1, j)
        off = (~on_table).nonzero().flatten()
        if len(off):
            dk[off], ik[off] = torch.cdist(part[off], centres[:-1]).topk(k, dim=1, largest=False)
        dists.append(dk)
        bins.append(ik)
    return torch.cat(dists), torch.cat(bins)


def soft_encode_sparse(ab_norm: torch.Tensor, k: int = N_NEIGHBOURS,
                       sigma: float = SIGMA) -> tuple[torch.Tensor, torch.Tensor]:
    """The soft targets in sparse form: ``(bins, weights)``, both ``N x k x H x W`` (bins long, sorted
    nearest first; weights sum to 1 over ``k``). What :func:`classification_loss` uses: a dense
    ``N x Q x H x W`` target would cost Q/k = 50x the memory for the same numbers."""
    if ab_norm.ndim != 4 or ab_norm.shape[1] != 2:
        raise ValueError(f"soft_encode expects normalized ab shaped N x 2 x H x W, got {tuple(ab_norm.shape)}")
    n, _, h, w = ab_norm.shape
    pts = ab_norm.permute(0, 2, 3, 1).reshape(-1, 2).float() * AB_SCALE
    dk, ik = _nearest_bins(pts, k)
    wk = torch.exp(-(dk ** 2 - dk[:, :1] ** 2) / (2 * sigma ** 2))  # relative to the nearest: no underflow

    def shape(t):
        return t.reshape(n, h, w, k).permute(0, 3, 1, 2).contiguous()

    return shape(ik), shape(wk / wk.sum(1, keepdim=True))


def soft_encode(ab_norm: torch.Tensor, k: int = N_NEIGHBOURS, sigma: float = SIGMA) -> torch.Tensor:
    """Normalized ab ``N x 2 x H x W`` -> dense soft targets ``N x Q x H x W`` (each pixel sums to 1):
    the ``k`` nearest bin centres get Gaussian weights ``exp(-d^2 / (2 sigma^2))`` (d in LAB units)."""
    idx, wts = soft_encode_sparse(ab_norm, k, sigma)
    out = torch.zeros(ab_norm.shape[0], n_bins(), *ab_norm.shape[2:], device=ab_norm.device)
    return out.scatter_(1, idx, wts)


def hard_encode(ab_norm: torch.Tensor) -> torch.Tensor:
    """Normalized ab ``N x 2 x H x W`` -> index of the nearest bin, ``N x H x W`` (long)."""
    pts = ab_norm.permute(0, 2, 3, 1).reshape(-1, 2).float() * AB_SCALE
    return _nearest_bins(pts, 1)[1].reshape(ab_norm.shape[0], *ab_norm.shape[2:])


def empirical_prior(ab_batches, smooth: bool = False) -> np.ndarray:
    """Empirical bin distribution ``p`` (``Q``, sums to 1) of the nearest bins of the given ab values.

    ``ab_batches``: an iterable of normalized ab tensors/arrays ``N x 2 x H x W`` (e.g. the first
    batches of the training set).
    """
    counts = np.zeros(n_bins(), np.float64)
    for ab in ab_batches:
        ab = torch.as_tensor(ab)
        if ab.ndim == 3:
            ab = ab[None]
        counts += np.bincount(hard_encode(ab).flatten().cpu().numpy(), minlength=len(counts))
    if counts.sum() == 0:
        raise ValueError("empirical_prior got no pixels; pass at least one batch of ab values")
    p = counts / counts.sum()
    return smooth_prior(p) if smooth else p


def smooth_prior(p: np.ndarray, sigma: float = SIGMA) -> np.ndarray:
    """Gaussian smoothing of a bin distribution across bins (sigma in LAB units), renormalized."""
    c = ab_bins().astype(np.float64)
    d2 = ((c[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    k = np.exp(-d2 / (2 * sigma ** 2))
    k /= k.sum(0, keepdims=True)  # each source bin spreads a total mass of 1
    q = k @ np.asarray(p, np.float64)
    return q / q.sum()


def rebalance_weights(prior: np.ndarray, lam: float = REBALANCE_LAMBDA, sigma: float = SIGMA) -> np.ndarray:
    """Zhang et al.'s class weights: ``w ∝ 1 / ((1 - lam) p_smooth + lam / Q)``, with ``sum(p_smooth w) = 1``."""
    p = np.asarray(prior, np.float64)
    if p.shape != (n_bins(),) or p.min() < 0 or not np.isclose(p.sum(), 1.0):
        raise ValueError(f"prior must be a distribution over the {n_bins()} bins (from empirical_prior)")
    ps = smooth_prior(p, sigma) if sigma else p
    w = 1.0 / ((1 - lam) * ps + lam / len(ps))
    return (w / (ps * w).sum()).astype(np.float32)


def classification_loss(logits: torch.Tensor, ab_norm: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Zhang et al.'s multinomial cross-entropy with soft targets and per-pixel rebalancing.

    ``logits`` ``N x Q x h x w`` (any resolution: the targets are resized to it by area averaging),
    ``ab_norm`` the true normalized ab ``N x 2 x H x W``, ``weights`` a ``Q`` tensor from
    :func:`rebalance_weights` (None = no rebalancing). Each pixel is weighted by the weight of the
    target's nearest bin; the loss is the mean over pixels.
    """
    if logits.shape[1] != n_bins():
        raise ValueError(f"logits have {logits.shape[1]} channels, expected {n_bins()} bins")
    if ab_norm.shape[-2:] != logits.shape[-2:]:
        ab_norm = F.adaptive_avg_pool2d(ab_norm, logits.shape[-2:])
    idx, wts = soft_encode_sparse(ab_norm.detach())
    ce = -(wts * F.log_softmax(logits.float(), dim=1).gather(1, idx)).sum(1)
    if weights is not None:
        ce = ce * weights.to(logits.device)[idx[:, 0]]  # the weight of the target's nearest bin
    return ce.mean()


def annealed_mean(logits: torch.Tensor, temperature: float = TEMPERATURE) -> torch.Tensor:
    """Decode ``N x Q x H x W`` logits to normalized ab ``N x 2 x H x W`` with the annealed mean.

    ``f_T(z) ∝ exp(log z / T)``, i.e. ``softmax(logits / T)``. ``temperature=0`` gives the mode.
    """
    centres = bin_centres(logits.device, logits.dtype if logits.is_floating_point() else torch.float32)
    if temperature < 0:
        raise ValueError("temperature must be >= 0 (0 = mode, 0.38 = Zhang et al., 1 = mean)")
    if temperature == 0:
        return centres[logits.argmax(1)].permute(0, 3, 1, 2).contiguous()
    probs = torch.softmax(logits.float() / temperature, dim=1)
    return torch.einsum("nqhw,qc->nchw", probs, centres.float()).to(logits.dtype)
