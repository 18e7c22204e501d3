"""colorkit: a Jupyter-native course and toolkit for deep-learning image colorization.

The data's way through the package (each arrow is one call a notebook makes):
photos -> ``colorkit.data`` (prepare shards, datasets) -> ``colorkit.train`` with a model from
``colorkit.models`` and its loss from ``colorkit.objectives.regression`` -> checkpoint -> ``colorkit.evaluate.metrics``,
``colorkit.colorize``, ``colorkit.widgets``, ``colorkit.viz``.
"""
__version__ = "0.1.0"


def __getattr__(name):  # lazy, so ``import colorkit`` stays fast and torch-free
    if name == "load":  # colorkit.load(path_or_url, sha256=None): see colorkit.checkpoint (notebook 07)
        from colorkit.checkpoint import load

        return load
    raise AttributeError(f"module 'colorkit' has no attribute {name!r}")
