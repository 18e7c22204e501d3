"""Run plans of the generative lessons: budgets per preset and the training configs of notebooks
``04_vae`` and ``05_gan`` (so the notebooks only call, show and explain).

Notebook 05's plan is the **two-phase recipe** as two runs: an L1 U-Net (phase 1), then the same
U-Net fine-tuned against a PatchGAN (phase 2, ``init_generator`` = phase 1's checkpoint), plus short
fine-tunings from the same phase-1 generator with other L1 weights (the lambda sweep).
Notebook 04 trains the conv VAE and the U-Net VAE (conditional) with KL annealing, and the U-Net VAE once
more without annealing and with a 10x larger constant beta, to show posterior collapse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from colorkit.course.budgets import as_preset as _preset
from colorkit.course.budgets import budget, run_budget
from colorkit.data.photos import train_tensors  # noqa: F401  (re-exported for notebooks 04/05)

# minutes per run and training photos held in memory: lessons "04_vae" and "05_gan" of
# colorkit.course.budgets.BUDGETS (smoke: the preset's few steps, all of its photos); notebooks 02 to 05
# load the same number of photos

# phase 2 of the two-phase recipe (see notebook 05 and colorkit.objectives.gan.GAN_DEFAULTS)
GAN_RECIPE = dict(adversarial="lsgan", l1_weight=100.0, adv_weight=1.0, lr_g=2e-4, lr_d=2e-4,
                  gan_schedule="cosine", pretrain=0.0, balance=True)
VAE_RECIPE = dict(beta=1e-3, kl_schedule="linear", kl_warmup=0.3)


def _log_every(p) -> int:
    return 1 if p.max_steps and p.max_steps < 100 else 10  # a few points even in a 4-step smoke run


def lesson_data(preset, source, val_images: int = 64, lesson: str = "03_unet"):
    """``(train, val)`` tensors pairs for a lesson: the train split of ``source`` (at most
    ``lesson``'s ``images`` in :data:`colorkit.course.budgets.BUDGETS`) and ``val_images`` photos of its val
    split (train photos when ``source`` has no split, e.g. ``"samples"``)."""
    from colorkit.data.photos import load_images

    p = _preset(preset)
    train_imgs, _ = load_images(source, p.image_size, split="train", limit=budget(lesson, p, "images"))
    try:
        val_imgs, _ = load_images(source, p.image_size, split="val", limit=val_images)
    except ValueError:
        val_imgs = train_imgs[:val_images]
    return train_tensors(train_imgs), train_tensors(val_imgs)


def _tag(defaults: dict, **settings) -> str:
    """A folder suffix naming the settings that differ from the lesson's recipe (``""`` when none does), so
    that a lesson rerun with another parameter trains anew instead of meeting the old run's folder."""
    def word(k, v):
        if isinstance(v, bool):
            return k if v else f"no_{k}"
        return v if isinstance(v, str) else f"{k.rstrip('_')}{v:g}"

    return "".join(f"-{word(k, v)}" for k, v in settings.items() if v != defaults[k])


def gan_lesson_configs(preset, out_dir, adversarial: str | None = None, l1_weight: float | None = None,
                       sweep: Sequence[float] = (10.0, 1000.0), **recipe) -> dict:
    """The runs of notebook 05, in order: ``{"L1 U-Net": ..., "U-Net GAN": ..., "lambda=10": ...}``
    (:class:`~colorkit.train.TrainConfig` each). Every run uses the same U-Net (the preset's width and
    depth); the GAN runs start from the L1 run's checkpoint (``init_generator``)."""
    from colorkit.train import TrainConfig, default_model_kwargs

    p = _preset(preset)
    out = Path(out_dir)
    kw = default_model_kwargs("unet", p)
    settings = {**GAN_RECIPE, **recipe}
    if adversarial:
        settings["adversarial"] = adversarial
    if l1_weight is not None:
        settings["l1_weight"] = float(l1_weight)
    common = dict(model_kwargs=kw, seed=0, val_every=max(p.val_every, 50), log_every=_log_every(p))
    # a setting changed from the recipe gets its own folders (train refuses to resume a run with other settings)
    tag = _tag(adversarial=settings["adversarial"], lambda_=settings["l1_weight"],
               defaults={"adversarial": GAN_RECIPE["adversarial"], "lambda_": GAN_RECIPE["l1_weight"]})
    l1_dir = out / "l1_unet"
    runs = {"L1 U-Net": TrainConfig.from_preset(p, model="unet", objective="regression", loss="l1",
                                                out_dir=str(l1_dir), **common, **run_budget("05_gan", p, "l1"))}
    init = str(l1_dir / "last.pt")
    runs["U-Net GAN"] = TrainConfig.from_preset(
        p, model="unet_gan", out_dir=str(out / f"unet_gan{tag}"), extra={**settings, "init_generator": init},
        **common, **run_budget("05_gan", p, "gan"))
    for lam in sweep:
        runs[f"lambda={lam:g}"] = TrainConfig.from_preset(
            p, model="unet_gan", out_dir=str(out / f"lambda_{lam:g}{_tag(adversarial=settings['adversarial'], defaults={'adversarial': GAN_RECIPE['adversarial']})}"),
            extra={**settings, "l1_weight": float(lam), "init_generator": init},
            **common, **run_budget("05_gan", p, "sweep"))
    return runs


def vae_lesson_configs(preset, out_dir, beta: float | None = None, latent_channels: int = 16,
                       conditional: bool = True) -> dict:
    """The runs of notebook 04: ``{"VAE": ..., "U-Net VAE": ..., "U-Net VAE, no annealing": ...}``
    (conditional VAEs by default: the posterior sees the true ab in training)."""
    from colorkit.train import TrainConfig, default_model_kwargs

    p = _preset(preset)
    out = Path(out_dir)
    settings = dict(VAE_RECIPE)
    if beta is not None:
        settings["beta"] = float(beta)
    tag = _tag(beta=settings["beta"], latent=latent_channels, conditional=conditional,
               defaults={"beta": VAE_RECIPE["beta"], "latent": 16, "conditional": True})
    runs = {}
    for name, model, key, extra in (
        ("VAE", "vae", "vae", settings),
        ("U-Net VAE", "unet_vae", "unet_vae", settings),
        ("U-Net VAE, no annealing", "unet_vae", "collapse", {**settings, "kl_schedule": "constant",
                                                            "beta": settings["beta"] * 10}),
    ):
        kw = {**default_model_kwargs(model, p), "latent_channels": latent_channels, "conditional": conditional}
        if model == "vae":  # no skips: give the plain VAE one more stage, a latent map of 1/16 the size
            kw["depth"] = max(kw.get("depth", 3), 4) if p.image_size >= 64 else kw.get("depth", 2)
        runs[name] = TrainConfig.from_preset(p, model=model, model_kwargs=kw, loss="l1", seed=0,
                                             out_dir=str(out / (name.lower().replace(" ", "_").replace(",", "") + tag)),
                                             extra=extra, val_every=max(p.val_every, 50), log_every=_log_every(p),
                                             **run_budget("04_vae", p, key))
    return runs
