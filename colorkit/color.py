"""sRGB <-> CIELAB (D65) for numpy and torch, and the model-space normalization.

Introduced in notebook ``00_quickstart``. This is the only module that holds colour constants:
every other module (data preparation, datasets, metrics, colorization) calls these functions.

Conventions
-----------
* RGB: sRGB, either ``uint8`` in [0, 255] or float in [0, 1]; channels last for numpy (``...x3``),
  channels first for torch (``Nx3xHxW`` or ``3xHxW``).
* LAB: CIE 1976 L*a*b* under the D65 white point with the 2 degree observer, the same constants as
  ``skimage.color.rgb2lab`` (so the two agree to about 1e-4 LAB units on every 8-bit colour).
  L in [0, 100]; a and b roughly in [-86, 98] and [-108, 95] for sRGB colours.
* Model space: ``L_norm = L / 50 - 1`` in [-1, 1] and ``ab_norm = ab / AB_SCALE`` (about [-1, 1]).

Speed: the numpy path linearizes 8-bit input through a 256-entry lookup table and does the matrix
products with ``cv2.transform`` in float32; on a 256x256 photo it is about 4-5x faster than
``skimage.color.rgb2lab`` (see ``benchmarks/lab_speed.py``, ``RESULT lab_speedup``: 6.3-7.9 measured
here on 256x256 photos). The inverse, :func:`lab_to_rgb`, is about as fast as scikit-image's (0.9-1.2x:
``np.power`` for the sRGB curve dominates; a 2^18-entry lookup table was measured slower). OpenCV's own
``COLOR_RGB2Lab`` is faster still but uses other constants and differs from scikit-image by up to
0.47 units in a*, which is why it is not used.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

try:  # OpenCV is a hard dependency, but keep an exact numpy fallback for odd platforms.
    import cv2

    cv2.setNumThreads(1)
except Exception:  # pragma: no cover - exercised only where OpenCV is missing
    cv2 = None

# --- the constants (scikit-image's values) -----------------------------------------------------
XYZ_FROM_RGB = np.array(
    [[0.412453, 0.357580, 0.180423],
     [0.212671, 0.715160, 0.072169],
     [0.019334, 0.119193, 0.950227]]
)
RGB_FROM_XYZ = np.linalg.inv(XYZ_FROM_RGB)
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
_EPS = 0.008856  # (6/29)^3, as written in scikit-image
_KAPPA = 7.787  # slope of the linear part of f(t)
_F_EPS = 0.2068966  # f(_EPS) = 6/29
L_SCALE = 50.0  # L_norm = L / 50 - 1
AB_SCALE = 110.0  # ab_norm = ab / 110; the sRGB gamut fits inside [-110, 110]

_c = np.arange(256, dtype=np.float64) / 255.0
_SRGB_TO_LINEAR_U8 = np.where(_c > 0.04045, ((_c + 0.055) / 1.055) ** 2.4, _c / 12.92).astype(np.float32)
_XYZN_FROM_RGB64 = XYZ_FROM_RGB / WHITE_D65[:, None]  # white-normalized (float64 for the torch path)
_RGB_FROM_XYZN64 = RGB_FROM_XYZ * WHITE_D65[None, :]
_XYZN_FROM_RGB = _XYZN_FROM_RGB64.astype(np.float32)
_RGB_FROM_XYZN = _RGB_FROM_XYZN64.astype(np.float32)
_LAB_FROM_F = np.array([[0, 116, 0], [500, -500, 0], [0, 200, -200]], np.float32)
_F_FROM_LAB64 = np.linalg.inv(_LAB_FROM_F.astype(np.float64))
_F_FROM_LAB = _F_FROM_LAB64.astype(np.float32)
_GAMUT_TOL = 1e-3  # a quarter of an 8-bit level: float32 rounding of in-gamut colours is not "clipping"
_LIN_TOL = 1e-4  # the same tolerance in linear light (the sRGB curve's slope is at most 12.92)


class ClipReport(NamedTuple):
    """What :func:`lab_to_rgb` had to clip to bring colours back into the sRGB gamut."""

    clipped_pixels: int
    total_pixels: int

    @property
    def fraction(self) -> float:
        return self.clipped_pixels / max(self.total_pixels, 1)


def _matmul3(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m.T`` over the last axis, in float32 (cv2.transform when it fits: about 3x faster)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if cv2 is not None and x.ndim == 3 and x.shape[0] * x.shape[1] < 2**31:
        return cv2.transform(x, m)
    return x @ m.T


def _as_hw3(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Fold any ``...x3`` array into ``H x W x 3`` (what cv2.transform wants); return the shape to unfold."""
    if x.shape[-1] != 3:
        raise ValueError(f"expected channels-last colour data with 3 channels, got shape {x.shape}")
    shape = x.shape
    if x.ndim == 3:
        return x, shape
    return x.reshape(1, -1, 3), shape


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB (uint8 or float in [0, 1]) to linear RGB, float32."""
    if rgb.dtype == np.uint8:
        return _SRGB_TO_LINEAR_U8[rgb]
    c = np.asarray(rgb, dtype=np.float32)
    return np.where(c > 0.04045, ((np.maximum(c, 0.04045) + 0.055) / 1.055) ** 2.4, c / 12.92).astype(np.float32)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB to CIELAB (D65), float32, for one image (HxWx3), a batch (NxHxWx3) or any ``...x3``.

    ``uint8`` input is read as [0, 255]; float input as [0, 1]. Agrees with ``skimage.color.rgb2lab``
    to about 1e-4 on all 2^24 8-bit colours (``tests/test_color.py``).
    """
    rgb = np.asarray(rgb)
    if rgb.dtype.kind == "b" or rgb.dtype.kind not in "uif":
        raise TypeError(f"rgb_to_lab needs a numeric array, got dtype {rgb.dtype}")
    if rgb.dtype.kind in "ui" and rgb.dtype != np.uint8:
        raise TypeError(f"integer RGB must be uint8, got {rgb.dtype}; convert 16-bit images with to_rgb8 first")
    x, shape = _as_hw3(rgb)
    xyz = _matmul3(srgb_to_linear(x), _XYZN_FROM_RGB)
    f = np.cbrt(xyz)
    small = xyz <= _EPS
    if small.any():
        np.copyto(f, _KAPPA * xyz + np.float32(16.0 / 116.0), where=small)
    lab = _matmul3(f, _LAB_FROM_F)
    lab[..., 0] -= 16.0
    return lab.reshape(shape)


def lab_to_rgb(lab: np.ndarray, *, return_report: bool = False, dtype=np.float32):
    """CIELAB (D65) to sRGB, clipped to the gamut.

    Returns float32 in [0, 1] (or uint8 with ``dtype=np.uint8``, rounded). With
    ``return_report=True`` also returns a :class:`ClipReport` counting the pixels that fell outside
    the sRGB gamut and were clipped (any channel below 0 or above 1 by more than 1e-3).
    """
    lab = np.asarray(lab, dtype=np.float32)
    x, shape = _as_hw3(lab)
    x = x.copy()
    x[..., 0] += 16.0
    f = _matmul3(x, _F_FROM_LAB)
    np.maximum(f[..., 2], 0, out=f[..., 2])  # z < 0 cannot be represented (scikit-image does the same)
    t = f * f * f
    small = f <= _F_EPS
    if small.any():  # only dark pixels take the linear branch: patch them instead of a full np.where
        t[small] = (f[small] - np.float32(16.0 / 116.0)) / np.float32(_KAPPA)
    lin = _matmul3(t, _RGB_FROM_XYZN)
    # gamut test in linear light (the sRGB curve is monotonic with 0 -> 0 and 1 -> 1); the channel-wise
    # OR is 10x faster than .any(axis=-1) on HxWx3 arrays
    bad = lin < -_LIN_TOL
    bad |= lin > 1 + _LIN_TOL
    out_of_gamut = bad[..., 0] | bad[..., 1] | bad[..., 2]
    np.clip(lin, 0.0, 1.0, out=lin)
    rgb = np.power(np.maximum(lin, np.float32(0.0031308)), np.float32(1 / 2.4))
    rgb *= np.float32(1.055)
    rgb -= np.float32(0.055)
    dark = lin <= 0.0031308
    if dark.any():
        rgb[dark] = lin[dark] * np.float32(12.92)
    rgb = rgb.reshape(shape)
    if dtype == np.uint8:
        rgb = (rgb * 255 + 0.5).astype(np.uint8)
    if return_report:
        return rgb, ClipReport(int(out_of_gamut.sum()), int(out_of_gamut.size))
    return rgb


def gray_copy(rgb: np.ndarray, dtype=np.float32) -> np.ndarray:
    """The trivial baseline: keep L, set a = b = 0, back to sRGB float in [0, 1] (or rounded uint8 with
    ``dtype=np.uint8``, exactly what :func:`colorkit.evaluate.predict_images` makes of the gray-copy
    baseline, so every table that scores it against 8-bit predictions gets the same numbers)."""
    lab = rgb_to_lab(rgb)
    lab[..., 1:] = 0
    return lab_to_rgb(lab, dtype=dtype)


# --- model space -------------------------------------------------------------------------------
def normalize_l(L):
    """L in [0, 100] -> about [-1, 1] (numpy or torch)."""
    return L / L_SCALE - 1.0


def denormalize_l(L_norm):
    return (L_norm + 1.0) * L_SCALE


def normalize_ab(ab):
    """ab in LAB units -> about [-1, 1] (numpy or torch)."""
    return ab / AB_SCALE


def denormalize_ab(ab_norm):
    return ab_norm * AB_SCALE


# --- torch (differentiable, any device, NCHW) --------------------------------------------------
def _torch():
    import torch

    return torch


def _mat(m: np.ndarray, like):
    torch = _torch()
    return torch.as_tensor(m, dtype=like.dtype, device=like.device)


def _apply3(m, x):
    """Multiply the channel axis (dim -3) of ``x`` by a 3x3 matrix."""
    torch = _torch()
    return torch.einsum("ij,...jhw->...ihw", _mat(m, x), x)


def rgb_to_lab_torch(rgb):
    """sRGB float in [0, 1], shape ``(N,)3xHxW`` -> LAB, same shape; differentiable everywhere.

    The piecewise functions clamp their arguments inside each branch so gradients stay finite
    (checked with ``torch.autograd.gradcheck`` in the tests).
    """
    torch = _torch()
    if not torch.is_floating_point(rgb):
        rgb = rgb.float() / 255.0
    if rgb.shape[-3] != 3:
        raise ValueError(f"expected 3 channels at dim -3, got shape {tuple(rgb.shape)}")
    lin = torch.where(rgb > 0.04045, ((rgb.clamp(min=0.04045) + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = _apply3(_XYZN_FROM_RGB64, lin)
    f = torch.where(xyz > _EPS, xyz.clamp(min=_EPS) ** (1.0 / 3.0), _KAPPA * xyz + 16.0 / 116.0)
    lab = _apply3(_LAB_FROM_F.astype(np.float64), f)
    return lab - _mat(np.array([16.0, 0.0, 0.0]), lab)[:, None, None]


def lab_to_rgb_torch(lab, clip: bool = True):
    """LAB ``(N,)3xHxW`` -> sRGB float; clipped to [0, 1] unless ``clip=False``. Differentiable."""
    torch = _torch()
    x = lab + _mat(np.array([16.0, 0.0, 0.0]), lab)[:, None, None]
    f = _apply3(_F_FROM_LAB64, x)
    fx, fy, fz = f.unbind(-3)
    f = torch.stack([fx, fy, fz.clamp(min=0)], dim=-3)
    t = torch.where(f > _F_EPS, f.clamp(min=_F_EPS) ** 3, (f - 16.0 / 116.0) / _KAPPA)
    lin = _apply3(_RGB_FROM_XYZN64, t)
    rgb = torch.where(lin > 0.0031308, 1.055 * lin.clamp(min=0.0031308) ** (1 / 2.4) - 0.055, 12.92 * lin)
    return rgb.clamp(0.0, 1.0) if clip else rgb


def lab_norm_to_rgb_torch(L_norm, ab_norm, clip: bool = True):
    """Model space (normalized L, N1HW, and ab, N2HW) -> sRGB float NCHW."""
    torch = _torch()
    lab = torch.cat([denormalize_l(L_norm), denormalize_ab(ab_norm)], dim=-3)
    return lab_to_rgb_torch(lab, clip=clip)


def rgb_to_lab_norm_torch(rgb):
    """sRGB float NCHW -> (normalized L N1HW, normalized ab N2HW)."""
    lab = rgb_to_lab_torch(rgb)
    return normalize_l(lab[..., :1, :, :]), normalize_ab(lab[..., 1:, :, :])


def lab_norm_to_rgb(L_norm: np.ndarray, ab_norm: np.ndarray, dtype=np.float32) -> np.ndarray:
    """numpy: normalized L (HxW or HxWx1) and ab (HxWx2) -> sRGB (HxWx3)."""
    L = denormalize_l(np.asarray(L_norm, np.float32))
    if L.ndim == np.asarray(ab_norm).ndim - 1:
        L = L[..., None]
    lab = np.concatenate([L, denormalize_ab(np.asarray(ab_norm, np.float32))], axis=-1)
    return lab_to_rgb(lab, dtype=dtype)


def lab_channel_images(rgb: np.ndarray, L_fixed: float = 70.0) -> dict[str, np.ndarray]:
    """Pictures of what each LAB channel holds, for teaching (notebook ``00_quickstart``).

    Returns float RGB images in [0, 1]: ``L`` (lightness alone: the gray copy), ``a`` (the a* channel
    shown at constant lightness ``L_fixed`` with b* = 0: green <-> magenta), ``b`` (b* alone at
    constant lightness: blue <-> yellow) and ``ab`` (both colour channels at constant lightness).
    """
    lab = rgb_to_lab(rgb)
    out = {"L": gray_copy(rgb)}
    for name, keep in (("a", (1,)), ("b", (2,)), ("ab", (1, 2))):
        x = np.zeros_like(lab)
        x[..., 0] = L_fixed
        for c in keep:
            x[..., c] = lab[..., c]
        out[name] = lab_to_rgb(x)
    return out


# --- fast 8-bit path for full-resolution photos (used by colorkit.colorize, notebook 07) -------
# The same formulas as rgb_to_lab / lab_to_rgb, organised for 12-megapixel photos: L alone from
# three 256-entry tables, row blocks that stay in the CPU cache, and the sRGB gamma of the output
# through a 65,536-entry table instead of a power function. About 15x faster than rgb_to_lab +
# lab_to_rgb on a 4000x3000 photo; agrees with them to 1e-4 in L and +-1 code in RGB in gamut
# (tests/test_colorize.py). Out of gamut, lab_to_rgb8 reduces chroma at constant L and hue instead of
# clipping RGB (issue 11, tests/test_gamut.py): clipping moved L by up to 5 units (p99) on photos.
_Y_FROM_U8 = [(_SRGB_TO_LINEAR_U8 * w).astype(np.float32) for w in _XYZN_FROM_RGB[1]]
_GAMMA_LUT_SIZE = 1 << 16
_GAMMA_LUT_U8 = None
_BLOCK_PIXELS = 1 << 16  # pixels per block: the float temporaries stay in the L2 cache (measured best)


def _gamma_lut_u8() -> np.ndarray:
    """uint8 sRGB code of linear values ``i / _GAMMA_LUT_SIZE`` (rounded, as lab_to_rgb does)."""
    global _GAMMA_LUT_U8
    if _GAMMA_LUT_U8 is None:
        lin = np.arange(_GAMMA_LUT_SIZE + 1, dtype=np.float64) / _GAMMA_LUT_SIZE
        srgb = np.where(lin > 0.0031308, 1.055 * lin ** (1 / 2.4) - 0.055, 12.92 * lin)
        _GAMMA_LUT_U8 = np.round(np.clip(srgb, 0, 1) * 255).astype(np.uint8)
    return _GAMMA_LUT_U8


def _lightness_from_y(y: np.ndarray, out: np.ndarray) -> None:
    f = np.cbrt(y)
    small = y <= _EPS
    if small.any():
        np.copyto(f, _KAPPA * y + np.float32(16.0 / 116.0), where=small)
    np.multiply(f, np.float32(116.0), out=out)
    out -= np.float32(16.0)


def rgb8_to_l(rgb: np.ndarray) -> np.ndarray:
    """CIELAB lightness L (float32 HxW, [0, 100]) of an 8-bit sRGB photo (``HxWx3`` uint8, or ``HxW``
    uint8 gray), without computing a* and b*. Equals ``rgb_to_lab(rgb)[..., 0]`` to about 1e-4."""
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8:
        raise TypeError(f"rgb8_to_l needs uint8 input, got {rgb.dtype}; use rgb_to_lab for float images")
    if rgb.ndim == 2:  # gray: R = G = B, so L depends on one 256-entry table
        lut = np.empty(256, np.float32)
        _lightness_from_y(_SRGB_TO_LINEAR_U8 * np.float32(_XYZN_FROM_RGB[1].sum()), lut)
        return lut[rgb]
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ValueError(f"expected HxWx3 or HxW uint8, got shape {rgb.shape}")
    h, w = rgb.shape[:2]
    out = np.empty((h, w), np.float32)
    yr, yg, yb = _Y_FROM_U8
    rows = max(1, _BLOCK_PIXELS // w)
    for r in range(0, h, rows):
        c = rgb[r:r + rows]
        y = np.take(yr, c[..., 0])  # np.take: about 2x faster than fancy indexing here
        y += np.take(yg, c[..., 1])
        y += np.take(yb, c[..., 2])
        _lightness_from_y(y, out[r:r + rows])
    return out


def _lab8_matrices():
    """Affine 3x4 matrices for cv2.transform: LAB -> f (with the +16 of L folded in), and t -> linear
    RGB scaled to the gamma table's index (with the +0.5 of rounding folded in)."""
    global _LAB8_MATS
    if _LAB8_MATS is None:
        f_aff = np.hstack([_F_FROM_LAB, _F_FROM_LAB @ np.array([[16.0], [0.0], [0.0]], np.float32)])
        lin_aff = np.hstack([_RGB_FROM_XYZN * np.float32(_GAMMA_LUT_SIZE), np.full((3, 1), 0.5, np.float32)])
        _LAB8_MATS = (f_aff.astype(np.float32), lin_aff.astype(np.float32))
    return _LAB8_MATS


_LAB8_MATS = None


def lab_to_rgb8(L: np.ndarray, ab: np.ndarray, gamut: str = "chroma") -> np.ndarray:
    """Lightness ``L`` (HxW) and ``ab`` (HxWx2), LAB units -> uint8 sRGB ``HxWx3``.

    ``gamut``: what happens to colours outside the sRGB gamut. ``"chroma"`` (default): the colour's
    chroma is reduced at constant L and hue (``a, b`` scaled down to the gamut's surface), so the
    output's L equals ``L`` up to 8-bit rounding whatever ``ab`` is (:func:`max_chroma`). ``"clip"``:
    each RGB channel clipped to [0, 255], as :func:`lab_to_rgb` does; that changes L and hue (a
    saturated prediction comes out lighter or darker).

    In gamut, the fast equivalent of ``lab_to_rgb(np.dstack([L, ab]), dtype=np.uint8)`` (+-1 code, on
    under 1% of pixels) for full-resolution photos.
    """
    if gamut not in ("chroma", "clip"):
        raise ValueError(f"gamut must be 'chroma' or 'clip', got {gamut!r}")
    L = np.asarray(L, np.float32)
    ab = np.asarray(ab, np.float32)
    if L.ndim != 2 or ab.shape != L.shape + (2,):
        raise ValueError(f"expected L HxW and ab HxWx2, got {L.shape} and {ab.shape}")
    h, w = L.shape
    out = np.empty((h, w, 3), np.uint8)
    lut = _gamma_lut_u8()
    top = np.float32(_GAMMA_LUT_SIZE)
    rows = max(1, _BLOCK_PIXELS // w)
    for r in range(0, h, rows):
        lab = _merge_lab(L[r:r + rows], ab[r:r + rows])
        lin = _lab8_lin(lab)
        if gamut == "chroma":
            _reduce_chroma(lab, lin)
        np.clip(lin, 0, top, out=lin)
        np.take(lut, lin.astype(np.int32), out=out[r:r + rows])
    return out


_GAMUT_LUT_TOP = _GAMMA_LUT_SIZE + 0.5  # linear 1.0 in the gamma table's index units (with the +0.5 of rounding)
_GAMUT_SLACK = 1e-4 * _GAMMA_LUT_SIZE  # float32 rounding of in-gamut colours is not out of gamut (6.5 of 65,536)


def _lab8_lin(lab: np.ndarray) -> np.ndarray:
    """``HxWx3`` float32 LAB -> linear RGB in the gamma table's index units (+0.5), unclipped."""
    f_aff, lin_aff = _lab8_matrices()
    f = _affine3(lab, f_aff)
    np.maximum(f[..., 2], 0, out=f[..., 2])  # z < 0 cannot be represented (scikit-image does the same)
    t = f * f
    t *= f
    small = f <= _F_EPS
    if small.any():
        np.copyto(t, (f - np.float32(16.0 / 116.0)) * np.float32(1.0 / _KAPPA), where=small)
    return _affine3(t, lin_aff)


def _in_gamut8(lin: np.ndarray, slack: float) -> np.ndarray:
    """Boolean mask (``lin.shape[:-1]``): all three linear channels within [0, 1] up to ``slack`` (index units)."""
    lo, hi = 0.5 - slack, _GAMUT_LUT_TOP + slack
    if cv2 is not None and lin.ndim == 3:
        return cv2.inRange(lin, (lo, lo, lo), (hi, hi, hi)).view(bool)  # one pass in C: 255 -> True
    return ((lin >= lo) & (lin <= hi)).all(-1)


# The largest chroma that fits, tabulated over L (step 0.25) and hue (0.5 degree): computed once, by
# bisection, on first use (about 0.2 s). Looking the limit up for each out-of-gamut pixel, instead of a
# per-pixel bisection, is 6x faster (measured on a 4000x3000 photo whose darkest and lightest 12.6% are out
# of gamut for an untrained U-Net: 0.16 s of CPU added to lab_to_rgb8's 0.15 s, instead of 0.95 s;
# benchmarks/fullres.py fullres_ratio 1.80 against 1.51 with RGB clipping, same machine, same minutes).
# Between the grid points the limit is interpolated (within 0.05 chroma units for 99% of colours, up to
# 0.5 below the surface at the gamut's cusps, tests/test_gamut.py); what little is left outside is
# clipped, which moves L by under 0.01.
_CMAX_L_STEPS = 400
_CMAX_HUES = 720
_CMAX = None


def _max_chroma_table() -> np.ndarray:
    global _CMAX
    if _CMAX is None:
        Lg = np.linspace(0, 100, _CMAX_L_STEPS + 1, dtype=np.float32)
        hg = np.arange(_CMAX_HUES + 1, dtype=np.float64) * (2 * np.pi / _CMAX_HUES)  # last = first (wrap)
        L = np.repeat(Lg[:, None], len(hg), 1)
        cos, sin = (np.broadcast_to(v.astype(np.float32), L.shape) for v in (np.cos(hg), np.sin(hg)))
        lo, hi = np.zeros(L.shape, np.float32), np.full(L.shape, 200.0, np.float32)  # sRGB chroma < 140
        for _ in range(24):  # 200 / 2^24: exact in float32
            mid = (lo + hi) * np.float32(0.5)
            ok = _in_gamut8(_lab8_lin(np.dstack([L, mid * cos, mid * sin])), 0.0)
            np.copyto(lo, mid, where=ok)
            np.copyto(hi, mid, where=~ok)
        _CMAX = lo
    return _CMAX


def max_chroma(L: np.ndarray, hue: np.ndarray) -> np.ndarray:
    """The largest CIELAB chroma ``sqrt(a^2 + b^2)`` that sRGB can show at lightness ``L`` (0-100) and hue
    angle ``hue`` (radians, ``atan2(b, a)``), interpolated from a table; float32, same shape."""
    table = _max_chroma_table()
    fL = np.clip(np.asarray(L, np.float32), 0, 100) * np.float32(_CMAX_L_STEPS / 100)
    i = np.minimum(fL.astype(np.int32), _CMAX_L_STEPS - 1)
    t = fL - i
    fh = np.mod(np.asarray(hue, np.float32), np.float32(2 * np.pi)) * np.float32(_CMAX_HUES / (2 * np.pi))
    j = np.minimum(fh.astype(np.int32), _CMAX_HUES - 1)
    u = fh - j
    k = i * (_CMAX_HUES + 1) + j
    flat = table.ravel()
    c0 = np.take(flat, k)
    c0 += u * (np.take(flat, k + 1) - c0)
    c1 = np.take(flat, k + _CMAX_HUES + 1)
    c1 += u * (np.take(flat, k + _CMAX_HUES + 2) - c1)
    c0 += t * (c1 - c0)
    return c0


def _reduce_chroma(lab: np.ndarray, lin: np.ndarray) -> None:
    """Bring the out-of-gamut pixels of one block back in by reducing chroma at constant L and hue
    (:func:`max_chroma`); overwrites their entries of ``lin`` (``HxWx3``, from :func:`_lab8_lin`)."""
    ok = _in_gamut8(lin, _GAMUT_SLACK)
    if ok.all():
        return
    idx = np.flatnonzero(~ok)
    sub = np.take(lab.reshape(-1, 3), idx, axis=0)
    a, b = np.ascontiguousarray(sub[:, 1]), np.ascontiguousarray(sub[:, 2])
    if cv2 is not None:  # one SIMD pass; its angle is good to 0.3 degree, far finer than the table needs
        C, hue = (v.ravel() for v in cv2.cartToPolar(a, b))
    else:
        C, hue = np.hypot(a, b), np.arctan2(b, a)
    scale = max_chroma(sub[:, 0], hue)
    scale /= np.maximum(C, np.float32(1e-6))
    np.minimum(scale, 1, out=scale)
    sub[:, 1:] *= scale[:, None]
    lin.reshape(-1, 3)[idx] = _lab8_lin(sub.reshape(-1, 1, 3)).reshape(-1, 3)


def _merge_lab(L: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """``HxW`` and ``HxWx2`` -> ``HxWx3`` float32 (cv2.merge: 3x faster than numpy's strided copies)."""
    if cv2 is not None:
        return cv2.merge((np.ascontiguousarray(L), np.ascontiguousarray(ab)))
    return np.concatenate([L[..., None], ab], axis=-1)


def _affine3(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m[:, :3].T + m[:, 3]`` over the last axis (cv2.transform takes the 3x4 matrix directly)."""
    if cv2 is not None and x.ndim == 3 and x.shape[0] * x.shape[1] < 2**31:
        return cv2.transform(np.ascontiguousarray(x), m)
    return x @ m[:, :3].T + m[:, 3]
