"""Shared plotting helpers: image grids with titles, before/after composites, ab histograms, curves.

Introduced in notebook ``00_quickstart`` (:func:`show_images`) and used by every lesson; the
before/after composites are the picture behind the widgets of ``07_colorize_your_photos``.
Other modules may append functions here: keep each one small, matplotlib/numpy only, and
return the ``Figure`` (or the array) so notebooks can save it with :func:`save_figure`.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

import numpy as np


# --- image arrays ------------------------------------------------------------------------------
def to_rgb_uint8(image) -> np.ndarray:
    """Any displayable image -> ``uint8 HxWx3``.

    Accepts numpy or torch, ``HxW`` (gray), ``HxWx1``, ``HxWx3``, ``HxWx4`` (alpha dropped), or a torch
    ``CxHxW``/``1xCxHxW`` tensor; uint8 is kept, floats are read as [0, 1] and clipped, other integer
    types are scaled from their full range (16-bit photos).
    """
    try:  # torch tensors: channels first -> channels last
        import torch

        if isinstance(image, torch.Tensor):
            t = image.detach().cpu()
            if t.ndim == 4:
                if t.shape[0] != 1:
                    raise ValueError(f"expected one image, got a batch of {t.shape[0]}")
                t = t[0]
            if t.ndim == 3 and t.shape[0] in (1, 3, 4):
                t = t.permute(1, 2, 0)
            image = t.float().numpy()
    except ImportError:  # pragma: no cover
        pass
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim == 3 and a.shape[-1] == 4:
        a = a[..., :3]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] != 3):
        raise ValueError(f"not an image: shape {a.shape}; expected HxW, HxWx1, HxWx3 or HxWx4")
    if a.dtype == np.uint8:
        out = a
    elif a.dtype == np.bool_:
        out = a.astype(np.uint8) * 255
    elif a.dtype.kind in "ui":
        out = (a.astype(np.float64) * (255.0 / np.iinfo(a.dtype).max)).round().astype(np.uint8)
    elif a.dtype.kind == "f":
        out = (np.clip(np.nan_to_num(a, nan=0.0), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    else:
        raise TypeError(f"cannot display an array of dtype {a.dtype}")
    if out.ndim == 2:
        out = np.repeat(out[..., None], 3, axis=-1)
    return np.ascontiguousarray(out)


def resize_to(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a ``uint8 HxWx3`` image to ``height x width`` (OpenCV; area when shrinking, bilinear else)."""
    import cv2

    if image.shape[:2] == (height, width):
        return image
    shrink = height * width < image.shape[0] * image.shape[1]
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def fit_within(image: np.ndarray, max_side: int | None) -> np.ndarray:
    """Shrink so the longer side is at most ``max_side`` (keeps the aspect ratio; never enlarges)."""
    if not max_side:
        return image
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return image
    return resize_to(image, max(1, round(h * scale)), max(1, round(w * scale)))


def before_after(first, second, position: float = 0.5, line: int = 2,
                 line_color=(255, 255, 255)) -> np.ndarray:
    """The before/after picture: columns left of ``position`` (0..1 of the width) from ``first``,
    the rest from ``second``, with a thin divider line. ``second`` is resized to ``first``'s size
    when they differ (any two images can be compared). Returns ``uint8 HxWx3``.
    """
    a = to_rgb_uint8(first)
    b = to_rgb_uint8(second)
    h, w = a.shape[:2]
    b = resize_to(b, h, w)
    position = float(min(max(position, 0.0), 1.0))
    x = int(round(position * w))
    out = b.copy()
    out[:, :x] = a[:, :x]
    if line > 0 and 0 < x < w:
        lo, hi = max(0, x - line // 2), min(w, x - line // 2 + line)
        out[:, lo:hi] = np.asarray(line_color, np.uint8)
    return out


def side_by_side(images: Sequence, gap: int = 8, background: int = 255, height: int | None = None) -> np.ndarray:
    """Images next to each other at one height (default: the first one's), separated by ``gap`` pixels."""
    imgs = [to_rgb_uint8(im) for im in images]
    if not imgs:
        raise ValueError("side_by_side needs at least one image")
    h = height or imgs[0].shape[0]
    scaled = [resize_to(im, h, max(1, round(im.shape[1] * h / im.shape[0]))) for im in imgs]
    total = sum(im.shape[1] for im in scaled) + gap * (len(scaled) - 1)
    out = np.full((h, total, 3), background, np.uint8)
    x = 0
    for im in scaled:
        out[:, x:x + im.shape[1]] = im
        x += im.shape[1] + gap
    return out


# --- figures -----------------------------------------------------------------------------------
def _plt():
    import matplotlib.pyplot as plt  # headless machines fall back to Agg by themselves

    return plt


def show_images(images: Sequence, titles: Sequence[str] | None = None, ncols: int | None = None,
                size: float = 3, suptitle: str | None = None):
    """A grid of images with titles; returns the matplotlib ``Figure``.

    ``images``: numpy/torch images in any form :func:`to_rgb_uint8` accepts (gray shown as gray).
    ``ncols`` defaults to all in one row up to 4 (more wrap). ``size``: inches per panel.
    """
    plt = _plt()
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(titles)} titles for {len(images)} images")
    n = len(images)
    ncols = ncols or min(n, 4)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(to_rgb_uint8(images[i]))
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def save_figure(fig, path: str | os.PathLike, dpi: int = 100, close: bool = False) -> Path:
    """Save a figure (PNG/PDF/SVG by extension), creating the folder; ``close`` frees its memory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if close:
        _plt().close(fig)
    return path


def figure_to_array(fig, dpi: int = 100) -> np.ndarray:
    """Render a figure to ``uint8 HxWx3`` (no display needed)."""
    fig.set_dpi(dpi)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def image_to_png_bytes(image, compress_level: int = 3) -> bytes:
    """PNG bytes of an image (what the widgets display and what the static fallback writes)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(to_rgb_uint8(image)).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def ab_histogram(ab, ax=None, bins: int = 64, limit: float | None = None, title: str | None = None, log: bool = True):
    """2-D histogram of the a*b* values (LAB units, ``...x2`` numpy or ``N2HW``/``2HW`` torch).

    Shows how colourful a set of pixels is: a desaturated model piles everything near (0, 0).
    ``limit``: axis range (default: the model-space scale, ``colorkit.color.AB_SCALE``). Returns the axes.
    """
    from colorkit.color import AB_SCALE

    limit = AB_SCALE if limit is None else limit
    plt = _plt()
    try:
        import torch

        if isinstance(ab, torch.Tensor):
            t = ab.detach().cpu().float()
            ab = t.movedim(-3, -1).numpy()
    except ImportError:  # pragma: no cover
        pass
    ab = np.asarray(ab, np.float32).reshape(-1, 2)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.5, 3.5))
    from matplotlib.colors import LogNorm

    ax.hist2d(ab[:, 0], ab[:, 1], bins=bins, range=[[-limit, limit], [-limit, limit]],
              norm=LogNorm() if log else None, cmap="viridis")
    ax.set_xlabel("a*")
    ax.set_ylabel("b*")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def plot_curves(curves: dict, ax=None, xlabel: str = "step", ylabel: str = "loss", logy: bool = False,
                title: str | None = None):
    """Line plot of named curves: ``{"train": (xs, ys) or ys, "val": ...}``. Returns the axes."""
    plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    for name, c in curves.items():
        if isinstance(c, tuple) and len(c) == 2:
            xs, ys = c
        else:
            ys = list(c)
            xs = list(range(len(ys)))
        ax.plot(xs, ys, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if curves:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax


def add_caption(image, lines: Sequence[str] | str, scale: float | None = None, background: int = 255,
                color=(20, 20, 20)) -> np.ndarray:
    """The image with a white strip of text lines under it (OpenCV's Hershey font, ASCII only).

    What the widgets' static pictures use to carry their metrics and settings into PNG outputs.
    """
    import cv2

    img = to_rgb_uint8(image)
    lines = [lines] if isinstance(lines, str) else list(lines)
    if not lines:
        return img
    w = img.shape[1]
    scale = scale or max(0.35, min(0.8, w / 900))
    (_, th), base = cv2.getTextSize("Ag", cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    line_h = th + base + 6
    strip = np.full((line_h * len(lines) + 6, w, 3), background, np.uint8)
    for i, text in enumerate(lines):
        text = str(text).encode("ascii", "replace").decode("ascii")
        cv2.putText(strip, text, (6, 4 + th + i * line_h), cv2.FONT_HERSHEY_SIMPLEX, scale, color, 1, cv2.LINE_AA)
    return np.concatenate([img, strip], axis=0)
