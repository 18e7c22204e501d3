"""The failure gallery: where each model fails worst, sorted into Larsson et al.'s five failure modes,
with per-pixel ΔE2000 heat maps and the ab scatter of prediction against truth.

Introduced in notebook ``06_evaluate``. Larsson, Maire & Shakhnarovich (2016, "Learning
representations for automatic colorization") name five ways a colorization goes wrong. The scores below
are colorkit's own heuristics for those modes (Larsson et al. define no such scores): each gets a score
per image (0 = fine, larger = worse), computed from the prediction and the truth only:

``desaturated``
    ``1 - mean chroma(pred) / mean chroma(truth)`` (clipped at 0; chroma = sqrt(a² + b²)). The
    "brown/sepia" look of regression losses.
``inconsistent_chroma``
    In regions where the truth is one object (SLIC superpixels of the truth), the prediction's chroma
    spread beyond the truth's: mean over regions of ``max(0, std C_pred - std C_true)`` / 10 (so 1 means
    10 chroma units of blotchiness).
``inconsistent_hue``
    The same for hue: the chroma-weighted circular spread ``1 - |mean of unit hue vectors|`` of the
    prediction minus the truth's, averaged over regions that are coloured (mean chroma > 10) in both
    (a gray prediction has no hue to be inconsistent about: it counts as desaturated).
``edge_pollution``
    Colour errors piled up at lightness edges: the ratio of the mean ΔE76 within 1 px of a Canny edge
    of L to the mean ΔE76 elsewhere, divided by the same ratio for the gray copy (whose error is the
    truth's chroma: photos are often most colourful at edges), minus 1 (clipped to [0, 1]).
``color_bleeding``
    Colour running across object boundaries: where the truth's ab changes sharply (top 10 % of
    ``|grad ab|``), the prediction's ab gradient is weaker than its overall saturation explains:
    ``1 - (mean|grad ab_pred| / mean|grad ab_true|) / (mean C_pred / mean C_true)`` there (clipped to
    [0, 1]; 0 for a gray prediction, which is simply desaturated).

All five scores live on about the same 0..1 scale, so :func:`dominant_mode` can compare them.
:func:`failure_table` scores every image of every model; :func:`worst_cases` picks, per mode, the
images with the highest score among those whose ΔE2000 is above the model's median (a failure must
also be wrong); :func:`plot_gallery` draws them.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from colorkit.color import rgb_to_lab
from colorkit.evaluate.metrics import as_rgb_float, delta_e2000_map

FAILURE_MODES = ("desaturated", "inconsistent_chroma", "inconsistent_hue", "edge_pollution", "color_bleeding")
N_SEGMENTS = 40  # SLIC superpixels per image (objects and parts)
COLOURED = 10.0  # mean chroma above which a region has a meaningful hue


def _segments(true_rgb: np.ndarray) -> np.ndarray:
    from skimage.segmentation import slic

    return slic(true_rgb, n_segments=N_SEGMENTS, compactness=10, start_label=0, channel_axis=-1)


def _region_stats(values: np.ndarray, labels: np.ndarray, n: int, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Per-region weighted mean and std of ``values`` (flattened)."""
    w = np.ones_like(values) if weights is None else weights
    sw = np.bincount(labels, w, n) + 1e-12
    mean = np.bincount(labels, w * values, n) / sw
    var = np.bincount(labels, w * values ** 2, n) / sw - mean ** 2
    return mean, np.sqrt(np.maximum(var, 0))


def _hue_spread(a, b, labels, n):
    """Chroma-weighted circular spread of hue per region (0 = one hue, 1 = all directions)."""
    c = np.hypot(a, b)
    ux, uy = a / np.maximum(c, 1e-6), b / np.maximum(c, 1e-6)
    sw = np.bincount(labels, c, n) + 1e-12
    mx, my = np.bincount(labels, c * ux, n) / sw, np.bincount(labels, c * uy, n) / sw
    return 1 - np.hypot(mx, my), np.bincount(labels, c, n) / (np.bincount(labels, minlength=n) + 1e-12)


def failure_scores(pred, true, de_map: np.ndarray | None = None) -> dict[str, float]:
    """The five failure-mode scores (see the module docstring) and the mean ΔE2000 of one image."""
    import cv2

    p, t = as_rgb_float(pred), as_rgb_float(true)
    lp, lt = rgb_to_lab(p).astype(np.float64), rgb_to_lab(t).astype(np.float64)
    de = delta_e2000_map(p, t) if de_map is None else de_map
    cp, ct = np.hypot(lp[..., 1], lp[..., 2]), np.hypot(lt[..., 1], lt[..., 2])
    out = {"de2000": float(de.mean())}
    out["desaturated"] = float(max(0.0, 1 - cp.mean() / max(ct.mean(), 1e-6))) if ct.mean() > 2 else 0.0

    labels = _segments(t).ravel()
    n = int(labels.max()) + 1
    _, sd_p = _region_stats(cp.ravel(), labels, n)
    _, sd_t = _region_stats(ct.ravel(), labels, n)
    size = np.bincount(labels, minlength=n) / labels.size
    out["inconsistent_chroma"] = float((size * np.maximum(sd_p - sd_t, 0)).sum() / 10.0)
    hs_p, _ = _hue_spread(lp[..., 1].ravel(), lp[..., 2].ravel(), labels, n)
    hs_t, mc_t = _hue_spread(lt[..., 1].ravel(), lt[..., 2].ravel(), labels, n)
    _, mc_p = _hue_spread(lp[..., 1].ravel(), lp[..., 2].ravel(), labels, n)
    col = (mc_t > COLOURED) & (mc_p > COLOURED)
    out["inconsistent_hue"] = float((size[col] * np.maximum(hs_p[col] - hs_t[col], 0)).sum() / max(size[col].sum(), 1e-12)) \
        if col.any() else 0.0

    L8 = np.clip(lt[..., 0] * 2.55, 0, 255).astype(np.uint8)
    edges = cv2.dilate(cv2.Canny(L8, 50, 150), np.ones((3, 3), np.uint8)) > 0
    de76 = np.sqrt(((lp - lt) ** 2).sum(-1))
    if edges.any() and (~edges).any() and ct[~edges].mean() > 1e-3:
        ratio = de76[edges].mean() / max(de76[~edges].mean(), 1e-6)
        ratio_gray = ct[edges].mean() / ct[~edges].mean()
        out["edge_pollution"] = float(np.clip(ratio / max(ratio_gray, 1e-6) - 1, 0, 1))
    else:
        out["edge_pollution"] = 0.0

    def grad(ab):
        gy, gx = np.gradient(ab[..., 1:], axis=(0, 1))
        return np.sqrt((gx ** 2 + gy ** 2).sum(-1))

    gt, gp = grad(lt), grad(lp)
    strong = gt >= np.quantile(gt, 0.9)
    sat = cp.mean() / max(ct.mean(), 1e-6)
    if gt[strong].mean() > 1 and sat > 0.05:
        out["color_bleeding"] = float(np.clip(1 - gp[strong].mean() / gt[strong].mean() / sat, 0, 1))
    else:
        out["color_bleeding"] = 0.0
    return out


def failure_table(preds: Mapping[str, Sequence], truths: Sequence, names: Sequence[str] | None = None,
                  max_images: int | None = None, progress: bool = False):
    """Scores of every image of every model: a pandas DataFrame (model, image, index, de2000, modes...).

    ``max_images``: score only that many evenly spread images (``index`` still points into ``truths``).
    """
    import pandas as pd

    names = list(names) if names is not None else [f"image_{i:04d}" for i in range(len(truths))]
    idx = range(len(truths))
    if max_images is not None and len(truths) > max_images:
        idx = sorted(set(np.linspace(0, len(truths) - 1, max_images).round().astype(int).tolist()))
    rows = []
    items = [(m, i) for m in preds for i in idx]
    if progress:
        from tqdm.auto import tqdm

        items = tqdm(items, desc="failure modes", leave=False)
    for m, i in items:
        rows.append({"model": m, "image": names[i], "index": i, **failure_scores(preds[m][i], truths[i])})
    return pd.DataFrame(rows)


def worst_cases(table, model: str, k: int = 3, min_score: float = 0.05) -> dict[str, list[int]]:
    """Per failure mode, the indices of ``model``'s ``k`` worst images: the highest scores among images
    with ΔE2000 at or above the model's median, leaving out scores below ``min_score`` (a mode the
    model does not show gets an empty list)."""
    t = table[table["model"] == model]
    wrong = t[t["de2000"] >= t["de2000"].median()]
    out = {}
    for mode in FAILURE_MODES:
        w = wrong[wrong[mode] >= min_score].sort_values(mode, ascending=False)
        out[mode] = w["index"].head(k).tolist()
    return out


def dominant_mode(table):
    """The failure mode with the highest score per row (a pandas Series)."""
    return table[list(FAILURE_MODES)].idxmax(axis=1)


# --- plots -----------------------------------------------------------------------------------------
def delta_e_heatmap(pred, true, ax=None, vmax: float = 40.0):
    """Per-pixel ΔE2000 as a heat map (``magma``, 0..vmax); returns the matplotlib image."""
    import matplotlib.pyplot as plt

    de = delta_e2000_map(pred, true)
    ax = ax or plt.gca()
    im = ax.imshow(de, cmap="magma", vmin=0, vmax=vmax)
    ax.set_title(f"ΔE2000 (mean {de.mean():.1f})", fontsize=8)
    ax.axis("off")
    return im


def ab_scatter(pred, true, ax=None, n: int = 2000, seed: int = 0, limit: float = 110.0):
    """The ab plane: the truth's pixels in their own colour, the prediction's as black dots."""
    import matplotlib.pyplot as plt

    p, t = as_rgb_float(pred), as_rgb_float(true)
    lp, lt = rgb_to_lab(p).reshape(-1, 3), rgb_to_lab(t).reshape(-1, 3)
    idx = np.random.default_rng(seed).choice(len(lp), min(n, len(lp)), replace=False)
    ax = ax or plt.gca()
    ax.scatter(lt[idx, 1], lt[idx, 2], s=3, c=t.reshape(-1, 3)[idx], label="truth")
    ax.scatter(lp[idx, 1], lp[idx, 2], s=1, c="k", alpha=0.5, label="prediction")
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.axhline(0, lw=0.5, c="k")
    ax.axvline(0, lw=0.5, c="k")
    ax.set_xlabel("a*", fontsize=8)
    ax.set_ylabel("b*", fontsize=8)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=6)
    return ax


def plot_case(pred, true, axes, title: str = "") -> None:
    """One row of the gallery: gray input, prediction, truth, ΔE2000 heat map, ab scatter."""
    from colorkit.color import gray_copy

    t = as_rgb_float(true)
    for ax, img, name in zip(axes[:3], (gray_copy(t), as_rgb_float(pred), t), ("input L", "prediction", "truth")):
        ax.imshow(img)
        ax.set_title(f"{title} {name}".strip() if name == "input L" else name, fontsize=8)
        ax.axis("off")
    delta_e_heatmap(pred, true, axes[3])
    ab_scatter(pred, true, axes[4])


def plot_gallery(preds: Sequence, truths: Sequence, table, model: str, k: int = 2,
                 modes: Sequence[str] = FAILURE_MODES):
    """The gallery for one model: ``k`` worst images per failure mode it shows, one row each
    (gray | prediction | truth | ΔE2000 | ab scatter). Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    if not (table["model"] == model).any():
        raise ValueError(f"no scored images for model {model!r}; run failure_table first")
    worst = worst_cases(table, model, k)
    rows = [(mode, i) for mode in modes for i in worst[mode]]
    if not rows:  # nothing above min_score: show the worst image overall
        t = table[table["model"] == model]
        rows = [("worst ΔE2000", int(t.sort_values("de2000")["index"].iloc[-1]))]
    fig, axes = plt.subplots(len(rows), 5, figsize=(12, 2.4 * len(rows)), squeeze=False)
    t = table[table["model"] == model].set_index("index")
    for r, (mode, i) in enumerate(rows):
        score = f" ({t.loc[i, mode]:.2f})" if mode in t.columns else ""
        plot_case(preds[i], truths[i], axes[r], title=f"{mode}{score}")
    fig.suptitle(f"{model}: worst cases per failure mode", fontsize=10)
    fig.tight_layout()
    return fig
