"""Every lesson's budget per preset, in one table: minutes of training per run and photos held in memory.

The preset-wide settings (image size, ``max_steps``, ``max_minutes`` ...) live in :mod:`colorkit.presets`;
this table only holds what a lesson sizes for itself. Budgets are sized so each notebook finishes in
under 15 minutes on 2 CPU cores under ``cpu`` (training plus scoring). A preset missing from a lesson's
row (``smoke``, or a value of None) means: use the preset's own budget (smoke: a few steps).

* ``minutes``: minutes of training per run, ``{run: minutes}`` (or one number when every run of the
  lesson gets the same budget, as the four variants of the "why is it brown?" lab do).
* ``images``: training photos loaded into memory (None: all of the train split). Lessons 02 to 05 load
  their photos with the same :func:`colorkit.course.generative.lesson_data`, so they share one value.
* ``eval_images``: held-out photos a lesson scores when that is not the preset's ``eval_images`` (lesson 08
  colorizes each one 14 times, once per method and hint count; Levin's solve takes about a third of a
  second at 256 px, so the ``gpu`` row scores fewer photos than the preset's 1000).
"""

from __future__ import annotations

BUDGETS: dict[str, dict[str, dict]] = {
    # colorkit.course.supervised (notebooks 02 and 03)
    "02_baseline_cnn": {
        "cpu": {"minutes": {"baseline_l2": 2.5, "baseline_l1": 2.5, "resnet_baseline": 2.5}, "images": 10000},
        "gpu": {"minutes": {"baseline_l2": 8.0, "baseline_l1": 8.0, "resnet_baseline": 8.0}, "images": None},
    },
    "03_unet": {
        "cpu": {"minutes": {"unet": 6.0, "resnet_unet": 4.0}, "images": 10000},
        "gpu": {"minutes": {"unet": 25.0, "resnet_unet": 20.0}, "images": None},
    },
    # colorkit.course.generative (notebooks 04 and 05)
    "04_vae": {
        "cpu": {"minutes": {"vae": 3.0, "unet_vae": 5.0, "collapse": 3.0}, "images": 10000},
        "gpu": {"minutes": {"vae": 10.0, "unet_vae": 20.0, "collapse": 10.0}, "images": None},
    },
    "05_gan": {
        "cpu": {"minutes": {"l1": 5.0, "gan": 6.0, "sweep": 0.75}, "images": 10000},
        "gpu": {"minutes": {"l1": 15.0, "gan": 25.0, "sweep": 5.0}, "images": None},
    },
    # colorkit.course.why_brown (the lab of notebook 06): every variant gets the same minutes
    "06_evaluate": {
        "cpu": {"minutes": 2.25, "images": 5000},
        "gpu": {"minutes": 10.0, "images": 2000},
    },
    # colorkit.course.guided (notebook 08): the hint network (unet_hints, objective "hints")
    "08_user_guided": {
        "cpu": {"minutes": {"unet_hints": 6.0}, "images": 10000, "eval_images": 200},
        "gpu": {"minutes": {"unet_hints": 20.0}, "images": None, "eval_images": 100},
    },
}


def as_preset(preset):
    """A :class:`~colorkit.presets.Preset` from a name (``"auto"`` resolved) or a Preset itself."""
    from colorkit.presets import Preset, get_preset

    return preset if isinstance(preset, Preset) else get_preset(preset)


def budget(lesson: str, preset, what: str = "minutes"):
    """``BUDGETS[lesson][preset][what]``, or None when the lesson sizes nothing itself under ``preset``
    (a name or a :class:`~colorkit.presets.Preset`; e.g. ``smoke``: use the preset's own budget)."""
    if lesson not in BUDGETS:
        raise KeyError(f"unknown lesson {lesson!r}; budgets exist for {', '.join(BUDGETS)}")
    name = preset if isinstance(preset, str) else preset.name
    return BUDGETS[lesson].get(name, {}).get(what)


def run_budget(lesson: str, preset, run: str) -> dict:
    """``{"max_steps": ..., "max_minutes": ...}`` of one run of ``lesson`` (``preset``: a Preset): the run's
    minutes in :data:`BUDGETS` with no step limit, else (smoke) the preset's own ``max_steps``/``max_minutes``."""
    p = as_preset(preset)
    minutes = budget(lesson, p)
    if minutes is None:
        return {"max_steps": p.max_steps, "max_minutes": p.max_minutes}
    return {"max_steps": None, "max_minutes": minutes[run]}


def per_preset(lesson: str, what: str = "minutes") -> dict:
    """``{preset: value}`` of one lesson's column (None where the preset's own budget applies), the shape
    of the lessons' former tables (e.g. ``{"smoke": None, "cpu": 2.25, "gpu": 10.0}``)."""
    return {"smoke": None, **{p: row.get(what) for p, row in BUDGETS[lesson].items()}}
