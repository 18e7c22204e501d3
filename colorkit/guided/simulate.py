"""The simulated user: where a person would click and which colour they would give, from a colour photo.

Introduced in notebook ``08_user_guided``. After Zhang et al. 2017 ("Real-Time User-Guided Image
Colorization with Learned Deep Priors", section 3.2, and their training code): the number of hints is
geometric (hints are added while a coin with stop probability ``p = 1/8`` says go on, so no hint at all
has probability 1/8 and the mean is 7), positions follow a 2-D normal centred on the image with a
standard deviation of a quarter of each side (clipped to the image), each hint is a square patch of side
1, 3, 5, 7 or 9 pixels (``radius`` 0-4, uniform), and its colour is the patch's mean a*b* of the true photo.

One layout sampler (:func:`sample_layout`) serves both outputs, so training, benchmarks, tests and the
lesson share one user: :func:`simulate_hints` gives :class:`~colorkit.guided.hints.Hint` objects for a photo
(files, the command line, benchmarks); :func:`simulate_hint_batch` gives the network's input tensor for a
training batch. Both are pure functions of their seed or ``numpy`` generator.
"""
from __future__ import annotations

import numpy as np

from colorkit.color import lab_to_rgb8, rgb_to_lab
from colorkit.guided.hints import Hint, hex_color

P_STOP = 1.0 / 8.0  # Zhang et al. 2017: geometric number of hints, p = 1/8
MAX_RADIUS = 4  # patch sides 1..9 px


def sample_count(rng: np.random.Generator, p: float = P_STOP, cap: int = 10_000) -> int:
    """Geometric count: successes before the first stop, each step stopping with probability ``p``."""
    if not 0.0 < p <= 1.0:
        raise ValueError(f"p must be in (0, 1], got {p}")
    return int(min(rng.geometric(p) - 1, cap))


def sample_layout(rng: np.random.Generator, height: int, width: int, count: int | None = None,
                  p: float = P_STOP, max_radius: int = MAX_RADIUS) -> list[tuple[int, int, int]]:
    """``[(row, col, radius), ...]``: ``count`` hint patches (None: a geometric number, see the module),
    centres from a normal around the image centre (sd a quarter of each side), radius uniform in
    ``0..max_radius``."""
    n = sample_count(rng, p) if count is None else int(count)
    if n < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rows = np.clip(np.rint(rng.normal((height - 1) / 2, height / 4, n)), 0, height - 1).astype(int)
    cols = np.clip(np.rint(rng.normal((width - 1) / 2, width / 4, n)), 0, width - 1).astype(int)
    radii = rng.integers(0, max_radius + 1, n)
    return [(int(r), int(c), int(k)) for r, c, k in zip(rows, cols, radii)]


def _patch(r: int, c: int, k: int) -> tuple[slice, slice]:
    return slice(max(r - k, 0), r + k + 1), slice(max(c - k, 0), c + k + 1)


def simulate_hints(rgb, count: int | None = None, seed: int = 0, p: float = P_STOP,
                   max_radius: int = MAX_RADIUS) -> list[Hint]:
    """Simulated hints for a colour photo (``uint8 HxWx3``, given at the work size: patch radii are its
    pixels). Each hint's colour is ``"#rrggbb"`` of the patch's mean L and mean a*b* (colours outside sRGB
    lose chroma at the same L and hue, :func:`colorkit.color.lab_to_rgb8`)."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"simulate_hints needs a uint8 HxWx3 colour photo, got {rgb.dtype} {rgb.shape}")
    H, W = rgb.shape[:2]
    lab = rgb_to_lab(rgb)
    hints = []
    for r, c, k in sample_layout(np.random.default_rng(seed), H, W, count, p, max_radius):
        mean = lab[_patch(r, c, k)].reshape(-1, 3).mean(0)
        colour = lab_to_rgb8(mean[None, None, :1].reshape(1, 1), mean[None, None, 1:])[0, 0]
        hints.append(Hint((c + 0.5) / W, (r + 0.5) / H, hex_color(colour), k))
    return hints


def no_hint_coin(p_none: float | None, p: float = P_STOP) -> float:
    """The probability of the extra coin that, before the user's own count, says "no hint" so that a photo
    gets none with probability ``p_none`` (None or ``p``: no coin, the geometric's own ``p``)."""
    if p_none is None or p_none == p:
        return 0.0
    if not p <= p_none <= 1.0:
        raise ValueError(f"p_none (the chance of no hint at all) must be in [{p:g}, 1]: the simulated user "
                         f"alone gives none with probability {p:g}; got {p_none}")
    return (p_none - p) / (1.0 - p)


def simulate_hint_batch(ab_norm, rng: np.random.Generator, count: int | None = None, p: float = P_STOP,
                        max_radius: int = MAX_RADIUS, p_none: float | None = None):
    """Hints for a training batch: ``ab_norm`` (``N x 2 x H x W`` normalized a*b* tensor) -> the network's
    input ``N x 3 x H x W`` (:func:`colorkit.guided.hints.hint_tensor`'s format: patch-mean a*b* times
    the mask, then the mask), one independent layout per image from ``rng``. ``p_none``: the chance that a
    photo gets no hint at all (None: the user's own ``p``; more keeps a hint network closer to an automatic
    colorizer, :func:`no_hint_coin`); ignored when ``count`` is given."""
    import torch

    if ab_norm.ndim != 4 or ab_norm.shape[1] != 2:
        raise ValueError(f"expected N x 2 x H x W a*b*, got {tuple(ab_norm.shape)}")
    coin = no_hint_coin(p_none, p) if count is None else 0.0
    N, _, H, W = ab_norm.shape
    out = torch.zeros((N, 3, H, W), dtype=torch.float32, device=ab_norm.device)
    for i in range(N):
        if coin and rng.random() < coin:
            continue
        for r, c, k in sample_layout(rng, H, W, count, p, max_radius):
            rs, cs = _patch(r, c, k)
            out[i, :2, rs, cs] = ab_norm[i, :, rs, cs].float().mean(dim=(1, 2))[:, None, None]
            out[i, 2, rs, cs] = 1.0
    return out
