"""Issue-25 interactivity: from one more hint to the new picture, along the hint editor's own path.

    .venv/bin/python benchmarks/hint_latency.py [--method levin|CHECKPOINT] [--repeats 20] [--threads 2]

A photo (the built-in astronaut, or ``--photo``) is shown in :class:`colorkit.hint_widget.HintEditor` at 256 and
at 512 px (its ``max_side``); each timed step is ``editor.add(x, y, colour)`` at a new seeded position, which
is what a click does in the browser: rasterise the hints, colorize (``colorize_guided``), encode the PNG the
page shows. ``--method``: the shipped hint model ``unet_hints`` when it is there (the editor's default), else
``levin``; or a checkpoint. The baseline measured in the same run is the automatic forward pass of the shipped
U-Net (``colorize_image`` on the same picture, no hints).

Prints the median and spread of each, and ends with ``RESULT hint_latency_ms_256``, ``RESULT hint_latency_ms_512``
(medians, milliseconds) and ``RESULT hint_latency_ratio_256`` (hint step / automatic forward pass).
"""
from __future__ import annotations

import argparse
import statistics
import time


def _median_ms(fn, repeats: int) -> tuple[float, float, float]:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[0], times[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photo", default=None, help="a colour photo (default: the built-in astronaut)")
    ap.add_argument("--method", default=None, help="levin or a hint-network checkpoint (default: the editor's)")
    ap.add_argument("--repeats", type=int, default=20, help="timed hints per size (default 20, at least 20 for RESULT)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 512], help="max_side of the editor")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    a = ap.parse_args(argv)

    import numpy as np
    import torch

    from colorkit.colorize import colorize_image
    from colorkit.data.images import load_rgb
    from colorkit.data.samples import load_sample
    from colorkit.hint_widget import HintEditor
    from colorkit.reference import load, load_reference
    from colorkit.viz import fit_within

    torch.set_num_threads(a.threads)
    photo = load_rgb(a.photo) if a.photo else load_sample("astronaut")
    method = a.method if a.method in (None, "levin") else load(a.method)
    auto = load_reference("reference")
    rng = np.random.default_rng(0)
    results = {}
    for size in a.sizes:
        editor = HintEditor(fit_within(photo, size), colorize=method, max_side=size)
        shown = editor.photo
        points = rng.uniform(0.05, 0.95, (a.repeats, 2))
        colours = [f"#{c:06x}" for c in rng.integers(0, 0xFFFFFF, a.repeats)]
        editor.add(0.5, 0.5, "#b03a2e")  # warm-up (first call builds caches)
        hint = _median_ms(lambda i: editor.add(*points[i], colours[i]), a.repeats)
        colorize_image(auto, shown)
        forward = _median_ms(lambda i: colorize_image(auto, shown), a.repeats)
        results[size] = (hint[0], forward[0])
        print(f"{shown.shape[1]}x{shown.shape[0]} ({editor.method}): one more hint {hint[0]:.1f} ms median "
              f"(min {hint[1]:.1f}, max {hint[2]:.1f}; {a.repeats} hints, up to {len(editor.hints)}); "
              f"automatic forward pass {forward[0]:.1f} ms median")
    for size, (hint_ms, _) in results.items():
        print(f"RESULT hint_latency_ms_{size} {hint_ms:.1f}")
    for size, (hint_ms, forward_ms) in results.items():
        print(f"RESULT hint_latency_ratio_{size} {hint_ms / forward_ms:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
