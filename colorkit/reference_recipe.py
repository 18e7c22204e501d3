"""The recipe that trained the shipped reference models, as one command (issue 15; lessons 06-07 use the models).

    python -m colorkit.reference_recipe ../shared/data/tiny64/train --preset cpu --out runs/references
    python -m colorkit.reference_recipe coco --preset gpu --out runs/references-gpu   # the full-size version

SOURCE is anything ``colorkit prepare`` takes (a folder of photos, ``coco``, ``tiny-imagenet``, ``kaggle``,
``samples``). The command prepares it twice, at the preset's image size S and at 9/8 S (the same photos land in
the same split at both sizes: the split is a hash of each photo's content), then trains the stages of
:data:`RECIPE`, each an ordinary ``colorkit train`` run in ``OUT/<stage>``:

1. ``base``: an L1 U-Net on the photos prepared at S (55 minutes);
2. ``unet``: ``base`` fine-tuned on two scales (random S..9/8 S squares of the 9/8 S preparation, resized to S),
   at a quarter of the preset's learning rate (15 minutes);
3. ``unet_gan``: ``base`` fine-tuned as a PatchGAN's generator with the CIEDE2000 reconstruction loss,
   lambda 15 (15 minutes);
4. ``unet_hints``: the hint network (issue 25, lesson 08) started from ``unet``, whose frozen copy colours every
   photo without hints (``frozen_automatic``: with no hints it stays that U-Net), trained with the simulated
   user's hints on two scales at a quarter of the preset's learning rate (60 minutes).

Then :func:`colorkit.reference.package_reference` writes ``unet`` (the default, ``reference``) and ``unet_gan``
into ``OUT/weights``, and :func:`colorkit.reference_hints.package_hint_reference` writes ``unet_hints`` (its card
also scored with hints, beside Levin's optimisation): float16 files, their cards (measured against the gray copy on the test split of the S
preparation, which no stage trained on) and ``index.json`` with their SHA-256. Publish those files at a URL
and load them with ``colorkit.load(url, sha256=...)``.

Run again, the command resumes: finished preparations and stages are kept, an interrupted stage continues
exactly where it stopped (:func:`colorkit.train.train` with ``resume=True``). Under ``cpu`` the U-Net is 24
channels wide, as shipped; under ``gpu`` it is the preset's (64). The minutes are the ones the shipped models
trained under ``cpu``; a GPU takes many more steps in them. ``smoke`` keeps its own few-step budget (tests).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

# what `python -m colorkit.reference package` was given for the shipped models (see their cards)
RECIPE_MODEL_KWARGS = {"cpu": {"base_width": 24}}  # other presets: their own U-Net


@dataclasses.dataclass(frozen=True)
class Stage:
    """One training run of the recipe."""
    name: str  # its run folder OUT/<name>; the packaged reference's name unless it is the base
    model: str  # a registered model (its objective is the model's default)
    minutes: float  # its budget (the cpu recipe's)
    init: str | None = None  # the stage whose generator it starts from
    two_scales: bool = False  # train on the 9/8 preparation with random S..9/8 S squares resized to S
    lr_factor: float = 1.0  # times the preset's learning rate
    loss: str | None = None  # None: the preset's (L1)
    extra: dict = dataclasses.field(default_factory=dict)  # objective settings (--extra)
    model_kwargs: dict = dataclasses.field(default_factory=dict)  # added to the preset's (--model-kwargs)


RECIPE = (
    Stage("base", "unet", 55.0),
    Stage("unet", "unet", 15.0, init="base", two_scales=True, lr_factor=0.25),
    Stage("unet_gan", "unet_gan", 15.0, init="base", loss="de2000", extra={"l1_weight": 15}),
    # the hint network (issue 25) starts from the two-scale U-Net (colorkit.models.unet_hints.init_from_unet): with
    # no hints it is that U-Net; it learns from the simulated user's hints (colorkit.objectives.hints), on two scales
    # like that U-Net (trained on 64 px photos only, it lost 0.3 ΔE2000 at 0 hints on 256 px photos: hints_trials.md);
    # a frozen copy of that U-Net colours the photos without hints (a shared body drifted 0.07 from it at 0 hints)
    Stage("unet_hints", "unet_hints", 60.0, init="unet", two_scales=True, lr_factor=0.25,
          model_kwargs={"frozen_automatic": True}),
)
PACKAGED = ("unet", "unet_gan")  # the first is the default (`reference`)
PACKAGED_HINTS = ("unet_hints",)  # packaged with colorkit.reference_hints: the card is measured with hints too


def wide_size(size: int) -> int:
    """The second preparation's side: 9/8 of ``size`` (72 for 64, as the course prepares its photos)."""
    return int(round(size * 9 / 8))


def prepare_twice(source, out: Path, size: int, workers: int | None = None, progress: bool = True) -> dict:
    """``source`` prepared at ``size`` and :func:`wide_size` into ``out/prepared-<side>``: ``{side: folder}``.
    A finished preparation is kept (``prepare`` skips the photos it already holds)."""
    from colorkit.data.prepare import prepare
    from colorkit.data.sources import source_files

    files, _ = source_files(str(source), progress=progress)
    folders = {}
    for side in (size, wide_size(size)):
        folders[side] = out / f"prepared-{side}"
        report = prepare(files, folders[side], size=side, workers=workers, progress=progress)
        print(f"[reference_recipe] {report.summary()}")
    return folders


def stage_config(stage: Stage, preset, out: Path, threads: int | None = None, minutes: float | None = None):
    """The :class:`~colorkit.train.TrainConfig` of ``stage`` under ``preset`` (run folder ``out/<stage>``)."""
    from colorkit.train import TrainConfig

    over = {"model_kwargs": {**RECIPE_MODEL_KWARGS.get(preset.name, {}), **stage.model_kwargs},
            "lr": preset.lr * stage.lr_factor,
            "extra": {**({"init_generator": str(out / stage.init / "last.pt")} if stage.init else {}), **stage.extra}}
    if preset.name != "smoke":  # smoke: the preset's few steps
        over.update(max_minutes=minutes if minutes is not None else stage.minutes, max_steps=None)
    if stage.loss:
        over["loss"] = stage.loss
    if threads:
        over["num_threads"] = threads
    return TrainConfig.from_preset(preset, model=stage.model, out_dir=str(out / stage.name), live_plot=False, **over)


def train_stage(stage: Stage, preset, out: Path, folders: dict, threads: int | None = None,
                minutes: float | None = None):
    """Train (or resume, or find finished) one stage; returns its :class:`~colorkit.train.TrainResult`."""
    from colorkit.data.photos import load_training_data
    from colorkit.train import train

    size = preset.image_size
    data = folders[wide_size(size)] if stage.two_scales else folders[size]
    cfg = stage_config(stage, preset, out, threads, minutes)
    train_ds = load_training_data(data, "train", size, max_crop=wide_size(size) if stage.two_scales else None)
    val_ds = load_training_data(folders[size], "val", size, limit=cfg.eval_images)
    print(f"[reference_recipe] stage {stage.name}: {cfg.model} {cfg.model_kwargs}, loss {cfg.loss}, lr {cfg.lr:g}, "
          f"{cfg.max_minutes or cfg.max_steps} {'min' if cfg.max_minutes else 'steps'}, {len(train_ds)} photos from {data}")
    return train(cfg, train_ds, val_ds, resume=True)


def run_recipe(source, out, preset: str = "cpu", threads: int | None = None, minutes: list[float] | None = None,
               terms: str | None = None, workers: int | None = None, progress: bool = True) -> dict:
    """Prepare ``source``, train every stage of :data:`RECIPE` and package :data:`PACKAGED` and
    :data:`PACKAGED_HINTS` into ``out/weights``.
    ``minutes``: one budget per stage instead of the recipe's. Returns ``{reference name: its card}``."""
    from colorkit.presets import get_preset
    from colorkit.reference import package_reference
    from colorkit.reference_hints import package_hint_reference

    p, out = get_preset(preset), Path(out)
    if minutes is not None and len(minutes) != len(RECIPE):
        raise ValueError(f"give {len(RECIPE)} budgets in minutes, one per stage ({', '.join(s.name for s in RECIPE)})")
    folders = prepare_twice(source, out, p.image_size, workers=workers, progress=progress)
    for i, stage in enumerate(RECIPE):
        train_stage(stage, p, out, folders, threads, None if minutes is None else minutes[i])
    terms = terms or f"those of the training photos ({source}): check them before publishing the weights"
    data = {"source": str(source), "prepared": [str(f) for f in folders.values()], "recipe": "colorkit.reference_recipe"}
    cards = {name: package_reference(out / name / "last.pt", name, folders[p.image_size], data=data, terms=terms,
                                     default=(name == PACKAGED[0]), folder=out / "weights", preset=p.name)
             for name in PACKAGED}
    for name in PACKAGED_HINTS:
        cards[name] = package_hint_reference(out / name / "last.pt", name, folders[p.image_size], data=data,
                                             terms=terms, folder=out / "weights", preset=p.name)
    return cards


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m colorkit.reference_recipe", description=__doc__.split("\n")[0])
    ap.add_argument("source", help="what `colorkit prepare` takes: a folder of photos, coco, tiny-imagenet, ...")
    ap.add_argument("--out", required=True, help="folder for the preparations, the stages' runs and weights/")
    ap.add_argument("--preset", default="cpu", help="smoke | cpu | gpu (default cpu, as shipped)")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (the shipped models: 1)")
    ap.add_argument("--minutes", default=None, help=f"one budget per stage, e.g. "
                    f"{','.join(f'{s.minutes:g}' for s in RECIPE)} (the recipe's)")
    ap.add_argument("--terms", default=None, help="the training photos' terms, for the cards")
    ap.add_argument("--workers", type=int, default=None, help="processes preparing the photos (default: all cores)")
    a = ap.parse_args(argv)
    minutes = None if a.minutes is None else [float(m) for m in a.minutes.split(",")]
    cards = run_recipe(a.source, a.out, a.preset, threads=a.threads, minutes=minutes, terms=a.terms, workers=a.workers)
    print(json.dumps({name: {"weights": c["weights"], "metrics": c["metrics"]} for name, c in cards.items()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
