"""The user-guided lesson's helpers: one gray in other colours, the hint network's run, and the curves of
colour error against the number of hints.

Introduced in notebook ``08_user_guided``. :func:`recolor` turns the hue of a photo's colourful pixels and
keeps its lightness, so one gray photo stands for several colour photos (why automatic colorization is
ambiguous). :func:`hint_config` is the training run of the hint network (``unet_hints``, objective ``hints``)
with the lesson's budget in :mod:`colorkit.course.budgets`. :func:`hint_frame`, :func:`plot_hint_curves` and
:func:`fewest_hints` read the table of :func:`colorkit.evaluate.hints.score_hint_methods` (every method with
the same simulated hints at every count), next to rows that take no hints (the gray copy, an automatic
U-Net), drawn as flat lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from colorkit.course.budgets import as_preset as _preset
from colorkit.course.budgets import run_budget

LESSON = "08_user_guided"
RUN = "unet_hints"  # the lesson's one training run: its name in BUDGETS and the folder it writes
MODEL = "unet_hints"
_SPECIAL = ("gray copy", "truth")  # rows of a score_hint_methods table that are not methods


def recolor(rgb, degrees: float, min_chroma: float = 35.0, full_chroma: float = 50.0) -> np.ndarray:
    """``rgb`` (uint8 ``HxWx3``) with the hue of its colourful pixels turned by ``degrees`` in the a*b*
    plane and its lightness L kept (:func:`colorkit.color.lab_to_rgb8`: up to 8-bit rounding, a colour
    outside sRGB loses chroma, never lightness). Pixels of chroma below ``min_chroma`` keep their colour,
    those above ``full_chroma`` turn by the whole angle, those between by a part of it growing linearly."""
    from colorkit.color import lab_to_rgb8, rgb8_to_l, rgb_to_lab

    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ValueError(f"recolor needs a uint8 HxWx3 colour photo, got {rgb.dtype} {rgb.shape}")
    if not full_chroma > min_chroma >= 0:
        raise ValueError(f"need 0 <= min_chroma < full_chroma, got {min_chroma} and {full_chroma}")
    lab = rgb_to_lab(rgb).astype(np.float64)
    a, b = lab[..., 1], lab[..., 2]
    share = np.clip((np.hypot(a, b) - min_chroma) / (full_chroma - min_chroma), 0.0, 1.0)
    t = np.radians(float(degrees)) * share
    ab = np.stack([a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)], axis=-1)
    return lab_to_rgb8(rgb8_to_l(rgb), ab.astype(np.float32))


def hint_config(preset, out_dir, **overrides):
    """The :class:`~colorkit.train.TrainConfig` of the lesson's hint network: ``unet_hints`` with its default
    objective (``hints``: simulated hints at every step, none one time in eight), model sizes from the
    preset (:func:`colorkit.train.default_model_kwargs`), the lesson's minutes
    (:data:`colorkit.course.budgets.BUDGETS`; smoke: the preset's few steps), writing to ``<out_dir>/unet_hints``. ``overrides`` (``model_kwargs`` merged) win."""
    from colorkit.train import TrainConfig, default_model_kwargs

    p = _preset(preset)
    kw = dict(model_kwargs={**default_model_kwargs(MODEL, p), **overrides.pop("model_kwargs", {})},
              out_dir=str(Path(out_dir) / RUN), log_every=1 if (p.max_steps or 100) < 100 else 10,
              **run_budget(LESSON, p, RUN))
    kw.update(overrides)
    return TrainConfig.from_preset(p, model=MODEL, **kw)


def _methods(table: Mapping) -> list[str]:
    return [k for k in table if k not in _SPECIAL]


def hint_frame(table: Mapping, flat: Mapping[str, Mapping] | None = None, columns=("de2000", "psnr", "cf")):
    """A pandas table of a :func:`~colorkit.evaluate.hints.score_hint_methods` result, one row per method and
    hint count (``"levin_10"``), after the rows that take no hints: the gray copy and ``flat``
    (``{name: {metric: value}}``, e.g. an automatic U-Net). For :func:`colorkit.course.record_table`."""
    import pandas as pd

    rows = {"gray copy": dict(table["gray copy"])}
    rows.update({name: dict(v) for name, v in (flat or {}).items()})
    for method in _methods(table):
        rows.update({f"{method}_{n}": dict(v) for n, v in sorted(table[method].items())})
    frame = pd.DataFrame(rows).T
    return frame[[c for c in columns if c in frame.columns]]


def fewest_hints(table: Mapping, method: str, target: float, metric: str = "de2000", lower: bool = True):
    """The smallest hint count at which ``method`` scores better than ``target`` on ``metric`` (below it when
    ``lower``, above it otherwise: PSNR), or None when no count does."""
    for n, scores in sorted(table[method].items()):
        if (scores[metric] < target) if lower else (scores[metric] > target):
            return int(n)
    return None


def plot_hint_curves(table: Mapping, flat: Mapping[str, Mapping] | None = None,
                     metrics: Sequence[str] = ("de2000", "psnr"), axes=None, title: str = ""):
    """One panel per metric: each method's score against the number of hints (a symmetric-log axis, so 0,
    1, 2, 5 ... 50 spread out), the gray copy and ``flat`` (rows that take no hints) as horizontal lines.
    Returns the axes."""
    import matplotlib.pyplot as plt

    labels = {"de2000": "ΔE2000 (lower is better)", "psnr": "PSNR dB (higher is better)",
              "cf": "colourfulness"}
    if axes is None:
        _, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 3.6), squeeze=False)
        axes = axes[0]
    level = {"gray copy": dict(table["gray copy"]), **{k: dict(v) for k, v in (flat or {}).items()}}
    ticks = sorted({int(n) for m in _methods(table) for n in table[m]})
    for ax, metric in zip(axes, metrics):
        for method in _methods(table):
            counts = sorted(table[method])
            ax.plot(counts, [table[method][n][metric] for n in counts], marker="o", label=method)
        for i, (name, scores) in enumerate(level.items()):
            if metric in scores:
                ax.axhline(scores[metric], color=f"C{7 - i % 3}", ls=("--", ":", "-.")[i % 3], label=name)
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlim(-0.3, max(ticks) * 1.25 if ticks else 1)
        ax.set_xlabel("hints per photo")
        ax.set_ylabel(labels.get(metric, metric))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        if title:
            ax.set_title(title)
    return axes
