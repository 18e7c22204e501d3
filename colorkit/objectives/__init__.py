"""Training objectives: what one training step optimizes, one module per family.

Introduced in notebook ``02_baseline_cnn`` (the engine runs an objective). :mod:`.base` holds the
:class:`~colorkit.objectives.base.Objective` interface, the registry and the learning-rate schedule;
:mod:`.regression` (L1/L2 on ab, lessons 02-03), :mod:`.classification` (ab bins, lesson 06), :mod:`.vae`
(lesson 04), :mod:`.gan` (lesson 05) and :mod:`.hints` (lesson 08: simulated colour hints) each bring their
own losses. Importing this package registers all.
"""
from colorkit.objectives import classification, gan, hints, regression, vae  # noqa: F401  (register the objectives)
from colorkit.objectives.base import (  # noqa: F401  (the public API)
    MODEL_OBJECTIVES,
    NonFiniteLossError,
    Objective,
    available_objectives,
    default_objective,
    get_objective,
    lr_factor,
    register_objective,
)
