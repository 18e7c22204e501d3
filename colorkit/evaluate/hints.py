"""Scoring user-guided colorization: every method with the same simulated hints, at several hint counts.

Used by notebook ``08_user_guided``, ``benchmarks/hints_quality.py`` and the card of the shipped hint model.
Each photo gets one list of simulated hints (:func:`colorkit.guided.simulate.simulate_hints`, seeded by the photo's
place in the list), and a count ``n`` takes its first ``n``: the 10-hint run holds the 5 hints of the 5-hint run and
5 more, as a person who adds clicks, so the curve over counts is not blurred by a new draw each time. Every method
sees the same hints; the gray copy (L kept, a = b = 0) is the row every method must beat, and 0 hints is each
method's automatic result. Metrics are :func:`colorkit.evaluate.metrics.score_images` (ΔE2000 with scikit-image,
PSNR on RGB, Hasler-Süsstrunk colourfulness), averaged per image.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from colorkit.color import gray_copy
from colorkit.evaluate.metrics import colorfulness, score_images
from colorkit.guided.simulate import simulate_hints

HINT_COUNTS = (0, 1, 2, 5, 10, 20, 50)
COLUMNS = ("de2000", "psnr", "cf")


def photo_hints(truths: Sequence[np.ndarray], most: int, seed: int = 0, max_radius: int = 0) -> list[list]:
    """``most`` simulated hints per photo (uint8 RGB at the scored size), photo ``i`` seeded ``(seed, i)``.
    ``max_radius=0`` (the default): single-pixel hints holding the photo's true colour there."""
    return [simulate_hints(t, count=most, seed=seed * 1_000_003 + i, max_radius=max_radius)
            for i, t in enumerate(truths)]


def score_hint_methods(methods: Mapping[str, Callable], truths: Sequence[np.ndarray],
                       counts: Sequence[int] = HINT_COUNTS, seed: int = 0, max_radius: int = 0,
                       progress: bool = False) -> dict:
    """``{"gray copy": {metric: v}, "truth": {"cf": v}, method: {n: {metric: v}}}`` for every method
    ``colorize(photo, hints) -> uint8 RGB`` at every hint count, the same hints for all methods."""
    truths = [np.asarray(t) for t in truths]
    if not truths:
        raise ValueError("no photos to score")
    hints = photo_hints(truths, max(counts), seed, max_radius)
    gray = [gray_copy(t.astype(np.float32) / 255.0, dtype=np.uint8) for t in truths]
    table: dict = {"gray copy": _columns(score_images(gray, truths)),
                   "truth": {"cf": float(np.mean([colorfulness(t) for t in truths]))}}
    jobs = [(name, n) for name in methods for n in counts]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="hints", unit="run")
    for name, n in jobs:
        preds = [methods[name](t, h[:n]) for t, h in zip(truths, hints)]
        table.setdefault(name, {})[int(n)] = _columns(score_images(preds, truths))
    return table


def _columns(scores: dict) -> dict:
    return {k: round(float(scores[k]), 4) for k in COLUMNS}


def hint_rows(table: dict, metric: str = "de2000") -> list[dict]:
    """The table as rows for printing: one row per method, one column per hint count, the gray copy first."""
    counts = sorted({n for k, v in table.items() if k not in ("gray copy", "truth") for n in v})
    rows = [{"method": "gray copy", **{str(n): table["gray copy"][metric] for n in counts}}]
    for name, by_n in table.items():
        if name not in ("gray copy", "truth"):
            rows.append({"method": name, **{str(n): by_n[n][metric] for n in counts}})
    return rows


def format_hint_table(table: dict, metric: str = "de2000", digits: int = 2) -> str:
    """A Markdown table of :func:`hint_rows` (methods down, hint counts across)."""
    rows = hint_rows(table, metric)
    heads = list(rows[0])
    lines = ["| " + " | ".join(["method"] + [f"{h} hints" for h in heads[1:]]) + " |",
             "|" + "---|" * len(heads)]
    for r in rows:
        lines.append("| " + " | ".join([r["method"]] + [f"{r[h]:.{digits}f}" for h in heads[1:]]) + " |")
    return "\n".join(lines)
