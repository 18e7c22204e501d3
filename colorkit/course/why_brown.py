"""The "why is it brown?" lab: the same U-Net trained four ways under one budget, compared on
ΔE2000 against colorfulness. Introduced in notebook ``06_evaluate``.

The four variants (:data:`VARIANTS`):

* ``L2``: regression with the squared error. For an ambiguous pixel (a shirt may be red or blue) the
  best L2 answer is the *mean* of the possibilities: a desaturated brown-gray.
* ``L1``: regression with the absolute error; its optimum is the per-channel *median*. In photos full
  of grays and browns the median sits nearer gray than the mean, which the occasional vivid colour
  pulls outward, so L1 comes out *less* colourful than L2 (as notebook ``03_unet`` explains and the
  lab's colorfulness column shows under ``cpu``), and usually with the lower ΔE2000.
* ``classification``: Zhang et al. (2016): a distribution over quantized ab bins with soft targets and
  class rebalancing, decoded with the annealed mean at temperature ``T`` (0.38). Lower ``T`` gives
  more vivid, riskier colours (see :func:`temperature_sweep`).
* ``GAN``: the U-Net against a PatchGAN (L1 + adversarial, pix2pix), which punishes implausibly dull colour.

All four use ``unet`` (or its classifier head) with the preset's width and depth, the same data, seed
and training-time budget (:func:`lab_budget`), and are scored with :mod:`colorkit.evaluate.metrics` on the same
held-out images next to the gray copy and the truth itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from colorkit.color import denormalize_ab, normalize_l
from colorkit.course.budgets import as_preset, budget, per_preset
from colorkit.evaluate import metrics as M

VARIANTS: dict[str, dict] = {
    "L2": dict(model="unet", objective="regression", loss="l2"),
    "L1": dict(model="unet", objective="regression", loss="l1"),
    "classification": dict(model="unet_classifier", objective="classification"),
    "GAN": dict(model="unet", objective="gan", loss="l1", extra={"pretrain": 0.2}),
}
# minutes of training per variant (all four get the same) and training images loaded into memory (the
# train split, at the preset's image size): lesson "06_evaluate" of colorkit.course.budgets.BUDGETS; smoke
# uses the preset's few steps instead. LAB_IMAGES: that column as {preset: images} (notebook 06 reads it)
LAB_IMAGES = per_preset("06_evaluate", "images")
TEMPERATURES = (1.0, 0.77, 0.58, 0.38, 0.29, 0.14, 0.0)  # Zhang et al.'s sweep; 0 = the mode


def lab_budget(preset) -> dict:
    """``{"max_steps": ..., "max_minutes": ...}`` for each variant under ``preset`` (a name or Preset)."""
    p = as_preset(preset)
    return {"max_steps": p.max_steps, "max_minutes": budget("06_evaluate", p)}


def lab_data(source, size: int, limit: int | None = None):
    """Training tensors ``(L_norm N1HW, ab_norm N2HW)`` from ``source`` (the train split of a prepared
    folder; all photos of a plain folder or of ``"samples"``), at ``size x size``, at most ``limit`` images
    (:func:`colorkit.data.photos.train_tensors` of :func:`~colorkit.data.photos.load_images`)."""
    from colorkit.data.photos import load_images, train_tensors

    imgs, _ = load_images(source, size, split="train", limit=limit)
    return train_tensors(imgs)


def lab_configs(preset, out_dir, variants: Sequence[str] = tuple(VARIANTS), **overrides) -> dict:
    """A :class:`~colorkit.train.TrainConfig` per variant, identical except for model/objective/loss."""
    from colorkit.train import TrainConfig

    p = as_preset(preset)
    out = {}
    for name in variants:
        if name not in VARIANTS:
            raise KeyError(f"unknown lab variant {name!r}; choose from {', '.join(VARIANTS)}")
        v = dict(VARIANTS[name])
        kw = {**lab_budget(p), "seed": 0, "out_dir": str(Path(out_dir) / name), **v, **overrides}
        kw["extra"] = {**v.get("extra", {}), **overrides.get("extra", {})}
        model = kw.pop("model")
        out[name] = TrainConfig.from_preset(p, model=model, **kw)
    return out


def run_lab(preset, train_data, val_data=None, out_dir=None, variants: Sequence[str] = tuple(VARIANTS),
            resume: bool = True, **overrides) -> dict:
    """Train every variant (``resume=True`` reuses a finished run in ``out_dir``); returns ``{name: model}``."""
    from colorkit.paths import runs_dir
    from colorkit.train import train

    out_dir = Path(out_dir) if out_dir is not None else runs_dir("why_brown")
    models = {}
    for name, cfg in lab_configs(preset, out_dir, variants, **overrides).items():
        print(f"--- {name}: {cfg.model} / {cfg.objective}" + (f" / {cfg.loss}" if cfg.objective == "regression" else ""))
        result = train(cfg, train_data, val_data, resume=resume)
        models[name] = result.model.eval()
    return models


def lab_table(models: Mapping[str, object], truths: Sequence, predict_kwargs: Mapping[str, dict] | None = None):
    """ΔE2000, colorfulness and ΔCF of each variant on ``truths`` (uint8 photos, all the same size),
    with the gray copy first and the truth itself last (pandas DataFrame)."""
    import pandas as pd

    from colorkit.evaluate import predict_images
    from colorkit.evaluate.baselines import GrayCopy

    predict_kwargs = dict(predict_kwargs or {})
    rows = {}
    preds = {"gray copy": predict_images(GrayCopy(), truths)[0]}
    for name, model in models.items():
        preds[name] = predict_images(model, truths, **predict_kwargs.get(name, {}))[0]
    for name, p in preds.items():
        rows[name] = M.score_images(p, truths)
    rows["truth"] = {**M.score_images(truths, truths), "cf": float(np.mean([M.colorfulness(t) for t in truths]))}
    cols = ["de2000", "cf", "dcf", "acc_de", "psnr", "ssim"]
    return pd.DataFrame(rows).T[cols], preds


def lab_summary(table, truths: Sequence, prefix: str = "lab "):
    """The lab's rows of a leaderboard (:func:`colorkit.evaluate.evaluate` table): the gray copy, every
    row named ``prefix + variant`` (renamed to the variant) and the truth itself, in the columns of
    :func:`lab_table`. Saves predicting and scoring the variants twice."""
    import pandas as pd

    cols = ["de2000", "cf", "dcf", "acc_de", "psnr", "ssim"]
    rows = table.loc[["gray copy"] + [i for i in table.index if str(i).startswith(prefix)], cols].copy()
    rows.index = [str(i)[len(prefix):] if str(i).startswith(prefix) else i for i in rows.index]
    truth = {**M.score_images(list(truths), list(truths)), "cf": float(np.mean([M.colorfulness(t) for t in truths]))}
    return pd.concat([rows, pd.DataFrame({c: [truth[c]] for c in cols}, index=["truth"])])


def temperature_sweep(model, truths: Sequence, temperatures: Sequence[float] = TEMPERATURES, batch_size: int = 16):
    """ΔE2000 and colorfulness of a bin classifier decoded at each annealed-mean temperature.

    ``truths``: uint8 photos of one size (a multiple of the model's stride). The network runs once per
    batch; only the decoding (:func:`colorkit.quantize.annealed_mean`) is repeated per temperature.
    """
    import pandas as pd
    import torch

    from colorkit.color import lab_to_rgb, rgb_to_lab
    from colorkit.quantize import annealed_mean

    p = next(model.parameters())
    preds: dict[float, list] = {float(t): [] for t in temperatures}
    labs = [rgb_to_lab(t) for t in truths]
    was_training = model.training
    model.eval()
    try:
        for i in range(0, len(labs), batch_size):
            chunk = np.stack(labs[i:i + batch_size])
            L = torch.from_numpy(normalize_l(chunk[..., 0]))[:, None].to(p.device, p.dtype)
            with torch.inference_mode():
                logits = model(L)
                for t in preds:
                    ab = annealed_mean(logits, t).float().cpu().numpy().transpose(0, 2, 3, 1)
                    out = chunk.copy()
                    out[..., 1:] = denormalize_ab(ab)
                    preds[t].extend(lab_to_rgb(out, dtype=np.uint8))
    finally:
        model.train(was_training)
    rows = []
    for t, ps in preds.items():
        s = M.score_images(ps, truths)
        rows.append({"temperature": t, "de2000": s["de2000"], "cf": s["cf"], "dcf": s["dcf"]})
    return pd.DataFrame(rows).set_index("temperature")


def plot_de_vs_colorfulness(table, ax=None, sweep=None, title: str = "why is it brown?"):
    """Each row of :func:`lab_table` as a point: x = colorfulness, y = ΔE2000 (lower is better).

    The gray copy sits at colorfulness 0, the truth at ΔE 0; a good colorizer is near the truth's
    colorfulness with a low ΔE. ``sweep`` (from :func:`temperature_sweep`) adds the classifier's
    temperature path.
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 4.5))[1]
    for name, r in table.iterrows():
        marker = {"gray copy": "s", "truth": "*"}.get(name, "o")
        ax.scatter(r["cf"], r["de2000"], s=120 if marker == "*" else 60, marker=marker, zorder=3)
        ax.annotate(name, (r["cf"], r["de2000"]), textcoords="offset points", xytext=(6, 4), fontsize=9)
    if sweep is not None:
        ax.plot(sweep["cf"], sweep["de2000"], "--", c="0.5", lw=1, zorder=2, label="classifier, T from 1 to 0")
        for t, r in sweep.iterrows():
            if t not in (1.0, 0.38, 0.0):  # label only the mean, Zhang et al.'s T and the mode
                continue
            ax.annotate(f"T={t:g}", (r["cf"], r["de2000"]), fontsize=7, color="0.4", xytext=(3, -9),
                        textcoords="offset points")
        ax.legend(fontsize=8, loc="best")
    ax.set_xlabel("colorfulness (Hasler-Suesstrunk), truth = ★")
    ax.set_ylabel("mean ΔE2000 (lower is better)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


def l1_l2_toy(modes: Sequence[tuple[float, float]] = ((-40.0, 0.4), (50.0, 0.6)), spread: float = 6.0,
              n: int = 4000, seed: int = 0) -> dict:
    """The one-number version of "why is it brown?" (notebook ``02_baseline_cnn``): ``n`` values of b* for
    pixels of one kind that are blue (b* about -40) 40 % of the time and orange (about +50) 60 % of the
    time (``modes``: ``(centre, weight)``, each with standard deviation ``spread``). A network that cannot
    tell them apart must answer one constant ``c`` for all. Returns the samples, a grid of ``c``, the mean
    L2 and L1 loss at each, the grid's minimizers (``l2_best``, ``l1_best``) and the samples' mean and
    median, which they approach: L2 answers a colour between the modes that no pixel has, L1 the median."""
    rng = np.random.default_rng(seed)
    centres, weights = np.array([m[0] for m in modes]), np.array([m[1] for m in modes], float)
    pick = rng.choice(len(modes), size=n, p=weights / weights.sum())
    x = centres[pick] + rng.normal(0.0, spread, n)
    grid = np.linspace(x.min() - 5, x.max() + 5, 801)
    l2 = ((x[None, :] - grid[:, None]) ** 2).mean(1)
    l1 = np.abs(x[None, :] - grid[:, None]).mean(1)
    return {"samples": x, "grid": grid, "l2": l2, "l1": l1, "l2_best": float(grid[l2.argmin()]),
            "l1_best": float(grid[l1.argmin()]), "mean": float(x.mean()), "median": float(np.median(x))}


def plot_l1_l2_toy(toy: dict | None = None, axes=None):
    """Left: the histogram of the toy's b* with the L2 and L1 answers marked; right: both losses as a
    function of the constant answer (scaled to [0, 1]). Returns the toy (:func:`l1_l2_toy`)."""
    import matplotlib.pyplot as plt

    toy = toy or l1_l2_toy()
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    axes[0].hist(toy["samples"], bins=80, color="0.6")
    for key, colour, label in (("l2_best", "tab:brown", "L2 answer (the mean)"),
                               ("l1_best", "tab:orange", "L1 answer (the median)")):
        axes[0].axvline(toy[key], color=colour, lw=2, label=f"{label}: b* = {toy[key]:.1f}")
        axes[1].plot(toy["grid"], (toy[key[:2]] - toy[key[:2]].min()) / np.ptp(toy[key[:2]]), color=colour,
                     label=key[:2].upper())
        axes[1].axvline(toy[key], color=colour, ls=":")
    axes[0].set(xlabel="b* of the pixels (blue < 0 < yellow)", ylabel="pixels", title="what the pixels are")
    axes[1].set(xlabel="the one answer c", ylabel="loss (scaled)", title="mean loss of answering c")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    return toy
