"""Data: built-in samples, downloads, preparation into LAB shards, split, and torch datasets.

Introduced in notebook ``01_data_prep`` (samples: ``00_quickstart``).
"""
