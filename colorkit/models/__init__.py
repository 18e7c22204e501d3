"""The model zoo: every network takes normalized L (N x 1 x H x W) and returns normalized ab
(N x 2 x H x W, in [-1, 1]) unless its docstring says otherwise (discriminators, classifiers).

Each model family lives in its own module and registers a constructor with :func:`register`;
:func:`build` makes one by name. Introduced in notebook ``02_baseline_cnn``.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

_REGISTRY: dict[str, Callable] = {}
_OBJECTIVES: dict[str, str] = {}  # model name -> the objective it trains with by default
_loaded = False


def register(name: str, objective: str = "regression"):
    """Decorator: ``@register("unet")`` on a constructor (a class or a function returning a module).
    ``objective``: the training objective (:mod:`colorkit.objectives`) the model uses unless told otherwise,
    e.g. ``@register("unet_gan", objective="gan")``."""

    def deco(fn):
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"model name {name!r} is registered twice")
        _REGISTRY[name] = fn
        _OBJECTIVES[name] = objective
        return fn

    return deco


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def available() -> list[str]:
    """All registered model names."""
    _load_all()
    return sorted(_REGISTRY)


def default_objective(name: str) -> str:
    """The objective the model registered as ``name`` declared (``"regression"`` for an unknown name)."""
    _load_all()
    return _OBJECTIVES.get(name, "regression")


def default_objectives() -> dict[str, str]:
    """``{model name: its default objective}`` for every registered model (a copy)."""
    _load_all()
    return dict(_OBJECTIVES)


def build(name: str, **kwargs):
    """Construct the model registered as ``name`` with keyword arguments."""
    _load_all()
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**kwargs)
