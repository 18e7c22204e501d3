"""Colorization using optimization (Levin, Lischinski & Weiss 2004): spread a few colour hints where L is similar.

Introduced in notebook ``08_user_guided``. Neighbouring pixels with similar lightness should get similar
a*b*: each unhinted pixel's a*b* is the weighted mean of its neighbours' in a ``(2 window + 1)^2`` window,
hinted pixels keep their hint's a*b*. That is one sparse linear system per channel, ``(I - W) x = 0`` on the
unknown pixels with the hints moved to the right-hand side; both channels share the matrix, so it is
factorized once.

Weights, as in the authors' Matlab code (``getColorExact.m``), with ``Y = L / 100`` in [0, 1]:
``w_rs = exp(-(Y_r - Y_s)^2 / c_r)`` normalized to sum 1 over the neighbours ``s`` of ``r``, where
``c_r`` (the paper's ``2 sigma_r^2``) is ``0.6 *`` the variance of ``Y`` in the window around ``r`` (centre
included, the window clipped at the borders), raised where needed so that the most similar neighbour keeps
a weight of at least 0.01 (``c_r >= min_s (Y_r - Y_s)^2 / ln 100``), and never below ``eps = 2e-6``.
"""
from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np

from colorkit.color import lab_to_rgb8, rgb8_to_l

VAR_SCALE = 0.6  # c_r = 0.6 * local variance of Y (Levin's Matlab code)
MIN_WEIGHT = 0.01  # the most similar neighbour's weight before normalization is at least this
DEFAULT_EPS = 2e-6  # floor of c_r, on Y in [0, 1]
DEFAULT_WORK_SIZE = 256
SOLVERS = ("auto", "spsolve")


def _neighbours(Y: np.ndarray, window: int):
    """The shifted copies of ``Y`` (``K x H x W``), whether each neighbour is inside the image, and the
    flat index of each neighbour, for the ``K = (2 window + 1)^2 - 1`` offsets of the window."""
    H, W = Y.shape
    P = np.pad(Y, window, mode="edge")
    rows, cols = np.arange(H)[:, None], np.arange(W)[None, :]
    offsets = [(dy, dx) for dy in range(-window, window + 1) for dx in range(-window, window + 1) if dy or dx]
    nb = np.stack([P[window + dy:window + dy + H, window + dx:window + dx + W] for dy, dx in offsets])
    valid = np.stack([((rows + dy >= 0) & (rows + dy < H)) & ((cols + dx >= 0) & (cols + dx < W))
                      for dy, dx in offsets])
    idx = np.arange(H * W).reshape(H, W)
    index = np.stack([idx + dy * W + dx for dy, dx in offsets])
    return nb, valid, index


def _weight_entries(Y: np.ndarray, window: int, eps: float):
    """``(r, s, w)``: pixel ``r``, its neighbour ``s`` (flat indices) and the weight ``w_rs`` (rows sum to 1)."""
    nb, valid, index = _neighbours(Y, window)
    n = 1.0 + valid.sum(axis=0)
    mean = (Y + np.where(valid, nb, 0.0).sum(axis=0)) / n
    var = ((Y - mean) ** 2 + np.where(valid, (nb - mean) ** 2, 0.0).sum(axis=0)) / n
    d2 = (nb - Y) ** 2
    nearest = np.where(valid, d2, np.inf).min(axis=0)
    c = np.maximum(np.maximum(VAR_SCALE * var, nearest / -math.log(MIN_WEIGHT)), eps)
    w = np.where(valid, np.exp(-d2 / c), 0.0)
    w /= w.sum(axis=0)
    r = np.broadcast_to(np.arange(Y.size).reshape(Y.shape), valid.shape)
    return r[valid], index[valid], w[valid]


def _check_window(window: int, eps: float) -> int:
    if int(window) != window or window < 1:
        raise ValueError(f"window must be an integer of at least 1, got {window!r}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    return int(window)


def levin_weights(L, window: int = 1, eps: float = DEFAULT_EPS):
    """The affinity matrix ``W`` (``scipy.sparse.csr_matrix``, ``N x N`` for ``N = H * W`` pixels in row-major
    order): ``W[r, s]`` is the weight of neighbour ``s`` in the weighted mean that predicts pixel ``r``; each
    row sums to 1. ``L``: lightness ``HxW`` in [0, 100]. See the module docstring for the weights."""
    import scipy.sparse as sp

    Y = _check_l(L) / 100.0
    r, s, w = _weight_entries(Y, _check_window(window, eps), eps)
    return sp.csr_matrix((w, (r, s)), shape=(Y.size, Y.size))


def _check_l(L) -> np.ndarray:
    L = np.asarray(L, dtype=np.float64)
    if L.ndim != 2 or L.shape[0] < 1 or L.shape[1] < 1:
        raise ValueError(f"L must be a 2-D array HxW, got shape {L.shape}")
    if not np.isfinite(L).all():
        raise ValueError("L contains NaN or infinite values")
    return L


def _check_hints(L: np.ndarray, hint_ab, mask):
    hint_ab = np.asarray(hint_ab, dtype=np.float64)
    mask = np.asarray(mask)
    if hint_ab.shape != L.shape + (2,):
        raise ValueError(f"hint_ab must be HxWx2 = {L.shape + (2,)} like L, got {hint_ab.shape}")
    if mask.shape != L.shape:
        raise ValueError(f"mask must be HxW = {L.shape} like L, got {mask.shape}")
    known = (mask > 0.5).reshape(-1)
    if not np.isfinite(hint_ab.reshape(-1, 2)[known]).all():
        raise ValueError("hint_ab contains NaN or infinite values at hinted pixels")
    return hint_ab.reshape(-1, 2), known


def levin_ab(L, hint_ab, mask, window: int = 1, eps: float = DEFAULT_EPS, solver: str = "auto") -> np.ndarray:
    """a*b* (float32 ``HxWx2``, LAB units) spread from the hints by Levin et al.'s optimization.

    ``L``: lightness ``HxW`` in [0, 100]; ``hint_ab``: ``HxWx2`` LAB units, read only where ``mask`` (``HxW``,
    0/1 or bool) is set; hinted pixels come back with exactly their hint. No hint: zeros (the gray copy),
    without solving. ``window``: half-side of the neighbourhood (1: 3x3); ``eps``: floor of the weights'
    scale on ``Y = L / 100``. ``solver``: ``"auto"`` (SuperLU on a nested-dissection ordering, the fastest
    measured) or ``"spsolve"`` (``scipy.sparse.linalg.spsolve`` on the pixels' natural order, the textbook
    call: the same solution, 2-3x slower).
    """
    L = _check_l(L)
    window = _check_window(window, eps)
    hint, known = _check_hints(L, hint_ab, mask)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    H, W = L.shape
    out = np.zeros((H * W, 2), np.float32)
    if not known.any():
        return out.reshape(H, W, 2)
    if not known.all():
        A, rhs, order = _reduced_system(L / 100.0, known, hint, window, eps, nested=solver == "auto")
        out[order] = _solve(A, rhs, solver)
    out[known] = np.asarray(hint_ab, np.float32).reshape(-1, 2)[known]  # exactly the hint, not a float64 round trip
    return out.reshape(H, W, 2)


@functools.lru_cache(maxsize=8)
def _nested_dissection(height: int, width: int, leaf: int = 4) -> np.ndarray:
    """An elimination order of the pixels of an ``height x width`` grid (8-connected): split the longer side
    by a one-pixel line, order each half the same way, the line last; blocks of ``leaf x leaf`` or fewer
    pixels in row-major order. George's (1973) order for grids: ``N log N`` fill-in of the factors, ``N^1.5``
    work; SuperLU's own minimum-degree orderings do about half as well here (measured, see :func:`_solve`)."""
    parts = []

    def split(r0, r1, c0, c1):
        if r1 <= r0 or c1 <= c0:
            return
        if (r1 - r0) * (c1 - c0) <= leaf * leaf:
            parts.append((np.arange(r0, r1)[:, None] * width + np.arange(c0, c1)[None, :]).ravel())
        elif r1 - r0 >= c1 - c0:
            m = (r0 + r1) // 2
            split(r0, m, c0, c1)
            split(m + 1, r1, c0, c1)
            parts.append(m * width + np.arange(c0, c1))
        else:
            m = (c0 + c1) // 2
            split(r0, r1, c0, m)
            split(r0, r1, m + 1, c1)
            parts.append(np.arange(r0, r1) * width + m)

    split(0, height, 0, width)
    order = np.concatenate(parts)
    order.flags.writeable = False
    return order


def _reduced_system(Y: np.ndarray, known: np.ndarray, hint: np.ndarray, window: int, eps: float, nested: bool):
    """``(I - W_UU) x_U = W_UK hint_K`` over the unknown pixels ``U``, built straight from the weights in the
    elimination order: ``A`` (CSC), ``rhs`` (``n_U x 2``) and ``order`` (the pixel of each unknown)."""
    import scipy.sparse as sp

    r, s, w = _weight_entries(Y, window, eps)
    order = _nested_dissection(*Y.shape) if nested else np.arange(Y.size)
    order = order[~known[order]]
    n = order.size
    pos = np.full(Y.size, -1, np.int64)
    pos[order] = np.arange(n)
    keep = ~known[r]
    r, s, w = pos[r[keep]], s[keep], w[keep]
    inner = ~known[s]
    diag = np.arange(n)
    A = sp.csc_matrix((np.concatenate([np.ones(n), -w[inner]]),
                       (np.concatenate([diag, r[inner]]), np.concatenate([diag, pos[s[inner]]]))), shape=(n, n))
    outer = ~inner
    rhs = np.stack([np.bincount(r[outer], weights=w[outer] * hint[s[outer], k], minlength=n) for k in (0, 1)], 1)
    return A, rhs, order


# Measured on real photos (COCO val2017 at 64x48, 256x192, 512x384; 10 single-pixel hints; 2 CPU cores shared
# with other jobs, so medians of 3-9 runs vary by up to 1.5x), the solve of both channels, ordering included:
#   work size (unknowns)                          64 (3k)   256 (49k)    512 (196k)
#   SuperLU on nested dissection, no pivoting     7 ms      190 ms       0.9-1.2 s   <- "auto"
#   SuperLU, MMD_AT_PLUS_A, no pivoting           8 ms      270-340 ms   1.7-2.0 s
#   splu default (COLAMD) / spsolve               11-15 ms  430-470 ms   3.0-3.6 s   <- "spsolve"
#   BiCGSTAB + ILU (spilu drop 1e-4), rtol 1e-10  25 ms     1.1-1.3 s    20-32 s
#   pyamg AIR + BiCGSTAB, tol 1e-6                -         630 ms       -
#   pyamg smoothed aggregation + GMRES, 1e-10     105 ms    3.3-4.0 s    15-26 s
# Whole levin_ab (weights and system, ~3 / 30-60 / 150 ms, included): "auto" 15 ms / 230-410 ms / 1.0-2.0 s,
# "spsolve" 30 ms / 560-860 ms / 3.5-5.1 s.
# All exact to 1e-10 LAB units except the iterative ones (1e-6 to 1e-2 at their tolerance). CG itself does not
# apply: W is not symmetric (sigma_r belongs to the centre pixel). A float32 factorization with two steps of
# iterative refinement saved only ~10 %. A = I - W_UU is diagonally dominant by rows, so Gaussian elimination
# without pivoting (diag_pivot_thresh=0) is stable and keeps the nested-dissection order intact.
def _solve(A, rhs: np.ndarray, solver: str) -> np.ndarray:
    """Solve ``A x = rhs`` for both columns (a* and b*) with one factorization."""
    import scipy.sparse.linalg as spla

    if solver == "spsolve":
        return spla.spsolve(A, rhs)
    lu = spla.splu(A, permc_spec="NATURAL", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
    return lu.solve(rhs)


def _work_shape(height: int, width: int, work_size: int) -> tuple[int, int]:
    """Long side ``work_size`` (not enlarged), aspect kept: the rule of ``colorkit.colorize.working_shape``."""
    if work_size < 1:
        raise ValueError(f"work_size must be positive, got {work_size}")
    scale = min(1.0, work_size / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def levin_colorize(image, hints: Sequence, work_size: int = DEFAULT_WORK_SIZE, return_ab: bool = False,
                   window: int = 1, solver: str = "auto"):
    """Colorize a photo from colour hints by Levin et al.'s optimization; ``uint8 HxWx3`` of the input's size.

    ``image``: ``uint8`` RGB ``HxWx3`` (only its L is used) or gray ``HxW``. ``hints``: a list of
    :class:`colorkit.guided.hints.Hint`, rasterised at the work size (``work_size`` on the long side, photos
    smaller than that are not enlarged). As :func:`colorkit.colorize.colorize_image` does: L shrunk with area
    averaging, a*b* solved there, upsampled bilinear to full size, and the photo's own full-resolution L kept
    (:func:`colorkit.color.lab_to_rgb8`). No hints: the gray copy. ``return_ab=True`` also returns the
    full-resolution a*b* (float32 ``HxWx2``, LAB units).
    """
    import cv2

    from colorkit.guided.hints import hint_maps

    img = np.asarray(image)
    if img.dtype != np.uint8 or not (img.ndim == 2 or (img.ndim == 3 and img.shape[-1] == 3)):
        raise ValueError(f"image must be uint8 HxWx3 (RGB) or HxW (gray), got {img.dtype} {img.shape}")
    hints = list(hints)
    L = rgb8_to_l(img)
    H, W = L.shape
    h, w = _work_shape(H, W, work_size)
    if not hints:
        ab = np.zeros((H, W, 2), np.float32)
    else:
        small = L if (h, w) == (H, W) else cv2.resize(L, (w, h), interpolation=cv2.INTER_AREA)
        hint_ab, mask = hint_maps(hints, h, w)
        ab_small = levin_ab(small, hint_ab, mask, window=window, solver=solver)
        ab = ab_small if (h, w) == (H, W) else cv2.resize(ab_small, (W, H), interpolation=cv2.INTER_LINEAR)
    out = lab_to_rgb8(L, ab)
    return (out, ab) if return_ab else out
