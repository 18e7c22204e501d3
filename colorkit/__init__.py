"""colorkit: a Jupyter-native course and toolkit for deep-learning image colorization.

The data's way through the package (each arrow is one call a notebook can make; ARCHITECTURE.md has the
layers): photos -> ``colorkit.data`` (prepared shards, (L, ab) tensors) -> ``colorkit.train`` with a model
from ``colorkit.models`` and its objective from ``colorkit.objectives`` -> ``colorkit.checkpoint`` ->
``colorkit.colorize`` (full resolution), ``colorkit.evaluate`` (metrics, baselines, leaderboard),
``colorkit.widgets`` -> ``colorkit.course`` (what the lessons call) and ``colorkit.cli``.
"""
__version__ = "0.1.0"


def __getattr__(name):  # lazy, so ``import colorkit`` stays fast and torch-free
    if name == "load":  # colorkit.load("reference" | path | url | [urls], sha256=None, mirrors=None)
        # colorkit.reference.load: paths and single URLs go on to colorkit.checkpoint.load (notebook 07)
        from colorkit.reference import load

        return load
    raise AttributeError(f"module 'colorkit' has no attribute {name!r}")
