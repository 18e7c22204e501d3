"""The course's progress strip: the same sample photos, colorized the same way by every model the course
has trained so far, between the gray copy and the truth (the end of notebooks ``02_baseline_cnn`` to
``06_evaluate``).

One way to colorize the sample photos in every lesson (:func:`colorize_samples`): each photo at its own
full size, the model predicting a*b* at the size it was trained at (64 px under ``cpu``) and the a*b*
upsampled, exactly what ``colorkit colorize`` and notebook 07 do. Lessons that colorized at different
sizes could not be compared picture to picture.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

# the order the lessons train them in; a checkpoint with another name is shown after these
COURSE_ORDER = ("baseline_cnn", "resnet_baseline", "unet", "resnet_unet", "vae", "unet_vae", "unet_gan",
                "unet_classifier")


def colorize_samples(models: Mapping[str, object], photos: Sequence, work_size: int | None = None,
                     predict_kwargs: Mapping[str, dict] | None = None) -> dict[str, list]:
    """``{"gray copy": [...], <model name>: [...], ..., "original": photos}``: every photo colorized by every
    model with :func:`colorkit.colorize.colorize_image` at the photo's own size. A model predicts at the
    size it was trained at when its checkpoint recorded it, else at ``work_size`` (pass the preset's
    ``image_size`` for a model fresh from training)."""
    from colorkit.color import gray_copy
    from colorkit.colorize import colorize_image

    predict_kwargs = dict(predict_kwargs or {})
    rows = {"gray copy": [gray_copy(p, dtype=np.uint8) for p in photos]}
    for name, model in models.items():
        size = getattr(model, "colorkit_train_size", None) or work_size
        rows[name] = [colorize_image(model, p, work_size=size, **predict_kwargs.get(name, {})) for p in photos]
    rows["original"] = list(photos)
    return rows


def _course_rank(name: str) -> tuple[int, str]:
    return (COURSE_ORDER.index(name) if name in COURSE_ORDER else len(COURSE_ORDER), name)


def course_models(preset_name: str) -> dict[str, object]:
    """The models the course's lessons saved under ``preset_name`` (:func:`colorkit.paths.list_checkpoints`),
    loaded for prediction, in the order the lessons train them."""
    from colorkit.checkpoint import load_trained
    from colorkit.paths import list_checkpoints

    found = list_checkpoints(preset_name)
    return {name: load_trained(found[name])[0] for name in sorted(found, key=_course_rank)}


def reference_models(device=None) -> dict[str, object]:
    """``{"reference_<name>": model}`` for every reference model shipped with colorkit
    (:mod:`colorkit.reference`): the course's own U-Net and U-Net GAN trained for longer, on any machine
    with no training and no download. Lessons 02-05 show them as "what this model reaches with more
    training", 06 ranks them with the learner's models, 07 uses the best of all. The hint model
    (:func:`colorkit.reference.hint_reference_names`) is left out: it is lesson 08's, used with hints."""
    from colorkit.reference import hint_reference_names, load_reference, reference_names

    hinted = set(hint_reference_names())
    return {f"reference_{name}": load_reference(name, device=device) for name in reference_names() if name not in hinted}


def describe_references(models: Mapping[str, object]) -> str:
    """One line per reference model from its card: training minutes, steps, and its held-out ΔE2000 and
    colorfulness next to the gray copy's."""
    lines = []
    for name, m in models.items():
        card = getattr(m, "card", None) or {}
        met = card.get("metrics") or {}
        held = card.get("held_out") or {}
        lines.append(f"{name}: {card.get('objective', '?')} ({card.get('loss', '?')}), {card.get('steps', '?')} steps "
                     f"in {card.get('minutes', '?')} min; on {held.get('images', '?')} held-out photos ΔE2000 "
                     f"{met.get('de2000', float('nan')):.2f} (gray copy {met.get('gray_copy_de2000', float('nan')):.2f}), "
                     f"colorfulness {met.get('colorfulness', float('nan')):.1f}")
    return "\n".join(lines)


def progress_strip(preset, photos: Sequence, titles: Sequence[str] | None = None, extra: Mapping | None = None,
                   references: bool = True, size: float = 2.2):
    """Show the strip: one row per model the course has trained under ``preset`` so far (plus ``extra``,
    ``{name: model}``, e.g. the current lesson's models before they are saved), then, with ``references``,
    the shipped reference models (:func:`reference_models`), the gray copy first and the original last, one
    column per photo. Returns the rows (see :func:`colorize_samples`)."""
    from colorkit.viz import show_images

    models = {**course_models(preset.name), **dict(extra or {})}
    if references:
        refs = reference_models()
        print(describe_references(refs))
        models.update(refs)
    rows = colorize_samples(models, photos, work_size=preset.image_size)
    titles = list(titles) if titles is not None else [f"photo {i + 1}" for i in range(len(photos))]
    show_images([im for row in rows.values() for im in row], ncols=len(photos), size=size,
                titles=[f"{name}: {t}" for name in rows for t in titles],
                suptitle=f"the course so far ({len(rows) - 2} models, preset {preset.name})")
    return rows
