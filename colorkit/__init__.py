"""colorkit: a Jupyter-native course and toolkit for deep-learning image colorization.

The data's way through the package (each arrow is one call a notebook makes):
photos -> ``colorkit.data`` (prepare shards, datasets) -> ``colorkit.train`` with a model from
``colorkit.models`` and its loss from ``colorkit.losses`` -> checkpoint -> ``colorkit.metrics``,
``colorkit.colorize``, ``colorkit.widgets``, ``colorkit.viz``.
"""
__version__ = "0.1.0"
