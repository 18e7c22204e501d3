"""The leaderboard: score trained models and the trivial baselines on the same held-out photos.

Introduced in notebook ``06_evaluate``. On the command line::

    colorkit evaluate PHOTOS [--checkpoint CKPT ...] [--size 256] --out DIR

``PHOTOS`` is a folder of colour photos (all scored), a folder prepared by ``colorkit prepare`` (its
``test`` split is scored, as centre crops, and its ``train`` split fits the baselines), or ``samples``
(the built-in photos). Photos are centre-cropped to a square and resized to ``size x size`` (OpenCV
area interpolation); each model sees the normalized L of that image and its predicted a*b* is
recombined with the image's own L, so every row is scored at the same resolution on the same pixels
(conventions: :mod:`colorkit.evaluate.metrics`).

Written to ``DIR``: ``results.csv`` (one row per model or baseline, the gray copy first; one column
per metric, plus ``params`` and ``ms_per_image``), ``results.md`` (the same as Markdown),
``per_image.csv`` (every metric of every image, for distributions and the failure gallery) and
``notes.txt`` (metrics that could not be computed, and why).

``--protocol paper`` scores instead with the published protocol of CT2 and DDColor (centre crop then
256 px, FID on torchvision's ImageNet Inception-v3, LPIPS-VGG, colourfulness on absolute values: see
:mod:`colorkit.evaluate.paper_protocol`); its table has a ``protocol`` column and is not comparable with the default's.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from colorkit.color import lab_to_rgb, rgb_to_lab
from colorkit.evaluate import metrics as M
from colorkit.evaluate.baselines import BASELINES, GrayCopy

log = logging.getLogger(__name__)

DEFAULT_BASELINES = tuple(BASELINES)  # gray copy, mean ab, L lookup, nearest image
TABLE_COLUMNS = ("kind", "params", "ms_per_image", *M.METRICS, "lpips", "fid", "kid")
PROTOCOLS = ("default", "paper")  # paper: colorkit.evaluate.paper_protocol (CT2 / DDColor), not comparable with default


# --- data: lives in colorkit.data.photos (re-exported here for the lessons) -------------------------
from colorkit.data.photos import (  # noqa: E402,F401
    DEFAULT_SIZE,
    course_eval_source,
    find_prepared,
    is_prepared,
    load_images,
    square_crop,
)


# --- predicting ----------------------------------------------------------------------------------
def checkpoint_names(paths: Sequence) -> dict[str, object]:
    """``{row name: path}``: the file stem (``unet`` for ``runs/.../unet.pt``), with the parent folder
    added where stems repeat (``L2/last`` and ``GAN/last``) so no checkpoint hides another."""
    paths = list(paths)
    stems = [Path(str(p)).stem for p in paths]
    out: dict[str, object] = {}
    for p, stem in zip(paths, stems):
        name = stem if stems.count(stem) == 1 else f"{Path(str(p)).parent.name}/{stem}"
        base, i = name, 2
        while name in out:
            name, i = f"{base} ({i})", i + 1
        out[name] = p
    return out


def load_model(checkpoint, device="cpu"):
    """A model from a checkpoint path (or an ``nn.Module``, returned as is), in eval mode."""
    if hasattr(checkpoint, "forward"):
        return checkpoint.eval()
    from colorkit.checkpoint import load

    return load(checkpoint, device=device)


def count_params(model) -> int:
    if hasattr(model, "parameters"):
        return int(sum(p.numel() for p in model.parameters()))
    return int(getattr(model, "n_params", 0))


def predict_images(model, images: Sequence[np.ndarray], **predict_kwargs) -> tuple[list[np.ndarray], float]:
    """Colorize each image at its own size with ``model`` (a network or a :class:`~colorkit.evaluate.baselines.Baseline`,
    or a list of fitted baselines, one per image). Returns ``(uint8 predictions, seconds per image)``;
    the time covers the prediction of a*b* (batch of one, after one untimed warm-up), not the scoring."""
    from colorkit.colorize import predict_ab_small

    preds, seconds = [], 0.0
    if images and hasattr(model, "forward"):  # warm-up (first-call allocations), not timed
        predict_ab_small(model, rgb_to_lab(images[0])[..., 0], work_size=max(images[0].shape[:2]), **predict_kwargs)
    for i, img in enumerate(images):
        lab = rgb_to_lab(img)
        L = lab[..., 0]
        m = model[i] if isinstance(model, list) else model
        t0 = time.perf_counter()
        if hasattr(m, "forward"):
            ab = predict_ab_small(m, L, work_size=max(L.shape), **predict_kwargs)
        else:
            ab = m.predict_ab(L)
        seconds += time.perf_counter() - t0
        lab[..., 1:] = ab
        preds.append(lab_to_rgb(lab, dtype=np.uint8))
    return preds, seconds / max(len(images), 1)


# --- the evaluation ------------------------------------------------------------------------------
@dataclass
class Evaluation:
    """What :func:`evaluate` returns: the table, per-image scores, notes, and (optionally) images."""

    table: "object"  # pandas DataFrame, one row per model/baseline, gray copy first
    per_image: "object"  # pandas DataFrame: model, image, metrics
    notes: list[str] = field(default_factory=list)
    truths: list | None = None
    names: list[str] | None = None
    preds: dict[str, list] = field(default_factory=dict)
    protocol: str = "default"

    def markdown(self, columns: Sequence[str] | None = None, digits: int = 3) -> str:
        md = to_markdown(self.table, columns, digits)
        if self.protocol == "paper":
            from colorkit.evaluate.paper_protocol import NOTE

            md = f"**{NOTE}**\n\n{md}"
        return md


def _truths(photos, size: int, limit: int | None, protocol: str) -> tuple[list, list[str], int, list[str]]:
    """The photos to score as uint8 images: (images, names, size, notes); ``size`` is 256 for the paper protocol."""
    if protocol == "paper":
        from colorkit.evaluate import paper_protocol as P

        truths, names, paper_notes = P.load_photos(photos, limit)
        return truths, names, P.SIZE, paper_notes
    if isinstance(photos, list) and photos and isinstance(photos[0], np.ndarray):
        truths = [np.asarray(M.as_rgb_float(p) * 255 + 0.5, np.uint8) if p.dtype != np.uint8 else p for p in photos]
        return truths, [f"image_{i:04d}" for i in range(len(truths))], size, []
    truths, names = load_images(photos, size, "test", limit)
    return truths, names, size, []


def _fit_images(photos, fit, size: int) -> list | None:
    """The photos that fit the data-driven baselines: ``fit``, else a prepared folder's train split, else None."""
    if fit is not None:
        return load_images(fit, size, "train", None)[0]
    if isinstance(photos, (str, os.PathLike)) and str(photos) != "samples" and is_prepared(photos):
        try:
            return load_images(photos, size, "train", None)[0]
        except ValueError:
            return None
    return None


def _baseline(name: str, fit_images, truths: list, notes: list[str]):
    """The baseline ``name``, fitted (on ``fit_images``, else leave-one-out on ``truths``) if it needs it;
    None (and a note) when it cannot be fitted."""
    cls = BASELINES[name]
    if cls is GrayCopy or not cls.needs_fit:
        return cls()
    if fit_images is not None:
        return cls().fit(fit_images)
    if len(truths) >= 2:
        model = cls().fit_leave_one_out(truths)
        if not any("leave-one-out" in n for n in notes):
            notes.append("data-driven baselines were fitted leave-one-out on the evaluation photos "
                         "(no training split given: pass fit=... / --fit DIR)")
        return model
    notes.append(f"{name}: skipped, needs training photos to fit (pass --fit DIR)")
    return None


def _row_model(name: str, kind: str, src, fit_images, truths: list, notes: list[str], device):
    """(model or fitted baseline, parameter count) for one row of the table, or None (with a note) to skip it."""
    if kind == "baseline":
        model = _baseline(name, fit_images, truths, notes)
        if model is None:
            return None
        return model, (model[0].n_params if isinstance(model, list) else model.n_params)
    try:
        model = load_model(src, device=device)
    except Exception as e:  # a broken file must not lose the other rows
        notes.append(f"{name}: could not be loaded ({e})")
        log.warning("%s: could not be loaded: %s", name, e)
        return None
    return model, count_params(model)


def _table_entries(models, baselines: Sequence[str], progress: bool):
    """(name, kind, source) of every row, the gray copy first, then the baselines, then the models."""
    if not isinstance(models, Mapping):
        models = checkpoint_names(models)
    order = ["gray copy"] + [b for b in baselines if b != "gray copy"]
    entries: list[tuple[str, str, object]] = [(b, "baseline", None) for b in order]
    entries += [(name, "model", m) for name, m in models.items()]
    if progress:
        from tqdm.auto import tqdm

        return tqdm(entries, desc="evaluating", leave=False)
    return entries


def evaluate(photos, models: Mapping[str, object] | Sequence = (), size: int = DEFAULT_SIZE,
             fit=None, limit: int | None = None, baselines: Sequence[str] = DEFAULT_BASELINES,
             perceptual: bool = True, keep_predictions: bool | Sequence[str] = False, device="cpu",
             progress: bool = True, predict_kwargs: Mapping[str, dict] | None = None,
             protocol: str = "default") -> Evaluation:
    """Score ``models`` and ``baselines`` on the same photos at ``size x size``.

    ``photos``: anything :func:`load_images` takes, or a list of uint8 images. ``models``: ``{name:
    checkpoint path or nn.Module}`` or a list of checkpoint paths (named by file stem). ``fit``: photos
    to fit the data-driven baselines on (default: the train split of a prepared folder, else
    leave-one-out over ``photos``). ``predict_kwargs``: per-model extra prediction options (e.g.
    ``{"unet_classifier": {"temperature": 0.38}}``). ``keep_predictions``: True, or the names of the
    rows whose predicted images to keep in memory (for the failure gallery). ``protocol="paper"``: the
    published CT2 / DDColor protocol (:mod:`colorkit.evaluate.paper_protocol`; ``size`` is then 256).
    """
    import pandas as pd

    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    truths, names, size, paper_notes = _truths(photos, size, limit, protocol)
    predict_kwargs = dict(predict_kwargs or {})
    fit_images = _fit_images(photos, fit, size)
    rows, per_image, notes, preds_kept = [], [], [], {}
    paper = None
    if protocol == "paper":
        from colorkit.evaluate import paper_protocol as P

        paper = P.PaperScorer(truths, perceptual=perceptual, device=device)
        notes += paper.notes + paper_notes
    for name, kind, src in _table_entries(models, baselines, progress):
        loaded = _row_model(name, kind, src, fit_images, truths, notes, device)
        if loaded is None:
            continue
        model, params = loaded
        preds, spi = predict_images(model, truths, **predict_kwargs.get(name, {}))
        means, per = paper.score(preds) if paper else M.score_images(preds, truths, per_image=True)
        row = {"model": name, "kind": kind, "params": params, "ms_per_image": 1000 * spi, **means}
        if paper:
            row["protocol"] = "paper"
        elif perceptual:
            row.update(_perceptual(preds, truths, notes))
        rows.append(row)
        per_image += [{"model": name, "image": img_name, **r} for img_name, r in zip(names, per)]
        if keep_predictions is True or (not isinstance(keep_predictions, bool) and name in keep_predictions):
            preds_kept[name] = preds
    table = pd.DataFrame(rows).set_index("model")
    table = table[[c for c in (P.TABLE_COLUMNS if paper else TABLE_COLUMNS) if c in table.columns]]
    return Evaluation(table=table, per_image=pd.DataFrame(per_image), notes=notes,
                      truths=truths if preds_kept else None, names=names, preds=preds_kept, protocol=protocol)


def _perceptual(preds, truths, notes: list[str]) -> dict:
    out = {}
    lp = M.lpips(preds, truths)
    out["lpips"] = lp.value if lp.available else np.nan
    fk = M.fid_kid(preds, truths) if len(preds) >= 2 else {
        "fid": M.MetricResult("fid", None, "needs at least 2 images"), "kid": M.MetricResult("kid", None, "needs at least 2 images")}
    for k, r in fk.items():
        out[k] = r.value if r.available else np.nan
    for r in [lp, *fk.values()]:
        msg = f"{r.name}: unavailable ({r.reason})"
        if not r.available and msg not in notes:
            notes.append(msg)
    return out


# --- plots ---------------------------------------------------------------------------------------
def plot_leaderboard(table, metrics: Sequence[str] = ("de2000", "acc_de", "cf", "psnr", "ssim"), axes=None):
    """One bar chart per metric, a bar per row (baselines gray, models coloured); arrows say which way is better."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 0.35 * len(table) + 1.6), squeeze=False)
        axes = axes[0]
    palette = [f"C{i}" for i in range(10) if i != 7]  # C7 is gray: kept for the baselines
    colors = ["0.65" if k == "baseline" else palette[i % len(palette)] for i, k in enumerate(table["kind"])]
    for ax, m in zip(axes, metrics):
        ax.barh(list(table.index), table[m].astype(float), color=colors)
        better = M.METRICS[m][1] if m in M.METRICS else False
        ax.set_title(f"{m} ({'higher' if better else 'lower'} is better)", fontsize=9)
        ax.invert_yaxis()
        ax.tick_params(labelsize=8)
        if ax is not axes[0]:
            ax.set_yticklabels([])
    axes[0].figure.tight_layout()
    return axes


def plot_distributions(per_image, metric: str = "de2000", ax=None, order: Sequence[str] | None = None):
    """Per-image distribution of ``metric`` for each model (box plot): a mean hides the bad cases."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(8, 0.4 * per_image["model"].nunique() + 1.5))[1]
    order = list(order or dict.fromkeys(per_image["model"]))
    data = [per_image.loc[per_image["model"] == m, metric].astype(float).values for m in order]
    try:
        ax.boxplot(data, orientation="horizontal", showmeans=True)  # matplotlib >= 3.10
    except TypeError:  # older matplotlib (Colab images may lag)
        ax.boxplot(data, vert=False, showmeans=True)
    ax.set_yticks(range(1, len(order) + 1), order)
    ax.invert_yaxis()
    ax.set_xlabel(f"{metric} per image ({M.METRICS.get(metric, ('', False))[0]})")
    ax.tick_params(labelsize=8)
    return ax


# --- output --------------------------------------------------------------------------------------
def to_markdown(table, columns: Sequence[str] | None = None, digits: int = 3) -> str:
    """A Markdown table (no extra dependency): first column the row names."""
    cols = list(columns or table.columns)
    head = "| " + " | ".join([table.index.name or "", *cols]) + " |"
    sep = "|" + "|".join(["---"] + ["---:" if c != "kind" else "---" for c in cols]) + "|"
    lines = [head, sep]
    for name, r in table[cols].iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, (float, np.floating)):
                cells.append("n/a" if np.isnan(v) else f"{v:.{digits}g}" if abs(v) >= 1000 else f"{v:.{digits}f}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join([str(name), *cells]) + " |")
    return "\n".join(lines)


def write_results(ev: Evaluation, out) -> dict[str, Path]:
    """Write ``results.csv``, ``results.md``, ``per_image.csv`` and ``notes.txt`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / "results.csv", "md": out / "results.md", "per_image": out / "per_image.csv",
             "notes": out / "notes.txt"}
    ev.table.to_csv(paths["csv"], float_format="%.6g")
    paths["md"].write_text(ev.markdown() + "\n", encoding="utf-8")
    ev.per_image.to_csv(paths["per_image"], index=False, float_format="%.6g")
    paths["notes"].write_text("\n".join(ev.notes) + ("\n" if ev.notes else ""), encoding="utf-8")
    return paths
