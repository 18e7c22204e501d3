"""Data: built-in samples, downloads, preparation into LAB shards, split, and torch datasets.

Introduced in notebook ``01_data_prep`` (samples: ``00_quickstart``).
"""

from colorkit.data.course import course_data  # noqa: E402,F401  the one call every lesson makes
from colorkit.data.dataset import EvalSet, ShardDataset, ab_values, load_split, make_loaders  # noqa: E402,F401
from colorkit.data.images import ImageReadError, load_l, load_rgb  # noqa: E402,F401
from colorkit.data.prepare import PrepareReport, read_manifest, read_skipped  # noqa: E402,F401  (prepare(): colorkit.data.prepare.prepare)
