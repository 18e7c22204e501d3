"""``colorkit train``: its options and what it runs (the logic lives in :mod:`colorkit.train`)."""
from __future__ import annotations

import dataclasses

from colorkit.data.photos import load_training_data
from colorkit.objectives import get_objective
from colorkit.train import CHECKPOINT_NAME, TrainConfig, _check_compatible, train


def add_cli_arguments(p) -> None:
    from colorkit.models import available

    p.add_argument("--model", default="unet", help=f"registered model ({', '.join(available())})")
    p.add_argument("--data", required=True,
                   help="folder written by `colorkit prepare` (its train split), a folder of photos, or 'samples'")
    p.add_argument("--val-data", default=None, help="validation photos (default: the 'val' split of --data)")
    p.add_argument("--preset", default="auto", help="smoke | cpu | gpu | auto")
    p.add_argument("--objective", default=None,
                   help="regression | classification | gan | vae (default: the model's, e.g. unet_gan -> gan, "
                        "unet_vae -> vae, unet_classifier -> classification)")
    p.add_argument("--loss", default=None, help="l1 | l2 | smooth_l1 | de2000 (default: the preset's)")
    p.add_argument("--max-minutes", type=float, default=None)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--model-kwargs", default=None, help='JSON, e.g. \'{"base_width": 32, "depth": 3}\'')
    p.add_argument("--extra", default=None,
                   help='JSON objective settings, e.g. \'{"adversarial": "hinge", "pretrain": 0.5}\' (see colorkit.objectives.gan)')
    p.add_argument("--max-crop", type=int, default=None,
                   help="scale augmentation: random squares of SIZE..MAX_CROP px (a prepared folder at least that "
                        "large) resized to the preset's image size")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the preset's)")
    p.add_argument("--no-resume", action="store_true", help="start over even if OUT/last.pt exists")
    p.add_argument("--out", required=True, help="run folder (checkpoint last.pt, TensorBoard logs in tb/)")


def _check_cli_args(args):
    """``colorkit train``'s inputs checked before any data is loaded or any step is taken: returns
    ``(preset, TrainConfig)`` or raises :class:`colorkit.cli.UsageError` naming the fix."""
    from colorkit.cli.args import json_object, output_folder, photo_source

    preset = _check_names(args)
    _check_numbers(args)
    model_kwargs = json_object(args.model_kwargs, "--model-kwargs")
    extra = json_object(getattr(args, "extra", None), "--extra")
    photo_source(args.data, "--data")
    if args.val_data:
        photo_source(args.val_data, "--val-data")
    out = output_folder(args.out)
    over = _config_overrides(args, model_kwargs, extra)
    cfg = TrainConfig.from_preset(preset, model=args.model, seed=args.seed, out_dir=args.out, live_plot=False, **over)
    _check_objective_settings(cfg)
    _check_run_folder(args, out / CHECKPOINT_NAME, cfg)
    return preset, cfg


def _check_names(args):
    """Check ``--preset``, ``--model``, ``--objective`` and ``--loss``; returns the preset."""
    from colorkit.cli.args import UsageError
    from colorkit.models import available
    from colorkit.objectives.regression import get_loss
    from colorkit.presets import get_preset

    try:
        preset = get_preset(args.preset)
    except ValueError as e:
        raise UsageError(f"--preset: {e}") from None
    if args.model not in available():
        raise UsageError(f"--model: unknown model {args.model!r}; choose one of {', '.join(available())}")
    if args.objective:
        try:
            get_objective(args.objective)
        except KeyError as e:
            raise UsageError(f"--objective: {e.args[0]}") from None
    if args.loss:
        try:
            get_loss(args.loss)
        except ValueError as e:
            raise UsageError(f"--loss: {e}") from None
    return preset


def _check_numbers(args) -> None:
    """Check the numeric options (steps, batch size, threads, minutes, learning rate)."""
    from colorkit.cli.args import UsageError, at_least

    at_least(args.max_steps, 1, "--max-steps")
    at_least(args.batch_size, 1, "--batch-size")
    at_least(args.threads, 0, "--threads")
    for value, option in ((args.max_minutes, "--max-minutes"), (args.lr, "--lr")):
        if value is not None and not value > 0:
            raise UsageError(f"{option} must be a positive number, got {value}")


def _config_overrides(args, model_kwargs, extra) -> dict:
    """The :class:`TrainConfig` fields the options set (a budget given alone replaces the preset's other one)."""
    over = {k: v for k, v in dict(loss=args.loss, max_minutes=args.max_minutes, max_steps=args.max_steps,
                                   batch_size=args.batch_size, lr=args.lr, num_threads=args.threads).items() if v is not None}
    if args.max_steps is not None and args.max_minutes is None:
        over["max_minutes"] = None
    if args.max_minutes is not None and args.max_steps is None:
        over["max_steps"] = None
    if model_kwargs is not None:
        over["model_kwargs"] = model_kwargs
    if args.objective:
        over["objective"] = args.objective
    if extra is not None:
        over["extra"] = extra
    return over


def _check_objective_settings(cfg: TrainConfig) -> None:
    """Build the objective once on the CPU so a bad --model-kwargs / --extra / --objective is refused now."""
    from colorkit.cli.args import UsageError, read_checkpoint

    # the settings as the objective reads them: small, no pretrained weights, no files read
    settings = dict(cfg.extra)
    if settings.get("init_generator"):
        read_checkpoint(settings.pop("init_generator"), "--extra init_generator")
    settings.pop("perceptual_weight", None)  # > 0 would load VGG16 weights: checked when training starts
    trial = dataclasses.replace(cfg, model_kwargs={**cfg.model_kwargs, **({"pretrained": False} if "pretrained"
                                                                          in cfg.model_kwargs else {})},
                                extra=settings, device="cpu")
    try:
        obj_cls = get_objective(cfg.objective)
        obj_cls(obj_cls.build_networks(trial), trial)
    except (TypeError, ValueError, KeyError) as e:  # the constructors' own checks of these settings
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        raise UsageError(f"bad settings for --model {cfg.model} (objective {cfg.objective}, model_kwargs "
                         f"{cfg.model_kwargs}, extra {cfg.extra}): {msg}; see --model-kwargs / --extra") from None


def _check_run_folder(args, last, cfg: TrainConfig) -> None:
    """Refuse an ``--out`` whose checkpoint ``last`` this run could not resume (unless --no-resume)."""
    from colorkit.cli.args import UsageError, read_checkpoint

    if args.no_resume or not last.exists():
        return
    try:
        _check_compatible(read_checkpoint(last, "--out"), cfg, last)
    except UsageError as e:
        raise UsageError(f"{e}; or pass --no-resume to start over in {args.out}") from None
    except ValueError as e:
        reason = str(e).split(": use another out_dir")[0]
        raise UsageError(f"{reason}: give another --out, or --no-resume to start over "
                         f"(its {CHECKPOINT_NAME} is then overwritten)") from None


def run_cli(args) -> int:
    from colorkit.cli.args import UsageError

    preset, cfg = _check_cli_args(args)
    try:
        train_ds = load_training_data(args.data, "train", preset.image_size, max_crop=args.max_crop)
    except ValueError as e:  # load_images / the shard reader: no usable photos, no train split
        raise UsageError(f"--data {args.data}: {e}") from None
    try:
        val_ds = load_training_data(args.val_data or args.data, "val", preset.image_size, limit=cfg.eval_images)
    except (FileNotFoundError, ValueError) as e:
        if args.val_data:
            raise UsageError(f"--val-data {args.val_data}: {e}") from None
        print(f"[colorkit train] no validation split ({e}); validating on training images")
        val_ds = None
    print(f"[colorkit train] {len(train_ds)} training photos from {args.data} at {preset.image_size} px; "
          f"{cfg.model} {cfg.model_kwargs}, loss {cfg.loss}, batch {cfg.batch_size}, lr {cfg.lr}")
    res = train(cfg, train_ds, val_ds, resume=not args.no_resume)
    last = res.val_history[-1] if res.val_history else {}
    print(f"[colorkit train] {res.stop_reason}: {res.step} steps, {res.images_seen} images, "
          f"{res.images_per_second:.1f} img/s, {res.elapsed_s / 60:.1f} min; val {last}")
    print(f"[colorkit train] checkpoint: {res.checkpoint}")
    return 0
