"""Issue-25 quality check: ΔE2000 and PSNR against the number of colour hints, Levin and the hint network side by side.

    .venv/bin/python benchmarks/hints_quality.py [--photos DIR] [--limit N] [--size 256] [--checkpoint CKPT]

Photos: ``--photos DIR``, else ``../shared/data/photos/bsds500/test`` beside the repository when present (natural
photos no colorkit model trained on), else the built-in samples (``benchmarks/_photos.py``); the first line says
which. Each photo is centre-cropped and resized to ``--size`` (default 256) as ``colorkit evaluate`` does; every
method gets the same single-pixel simulated hints holding the true colour (:mod:`colorkit.evaluate.hints`, seed
``--seed``), nested over the counts 0, 1, 2, 5, 10, 20. Rows:

* the gray copy (L kept, a = b = 0) and the shipped automatic U-Net (``reference``, no hints), in the same run;
* ``levin``: Levin, Lischinski & Weiss 2004 at the scored size (:mod:`colorkit.guided.levin`);
* ``net``: the hint network, the shipped ``unet_hints`` or ``--checkpoint``, at its training size unless
  ``--work-size`` (skipped, with a line saying so, when neither exists).

Ends with ``RESULT hints_de00_<method>_<n>`` for every method and count, ``RESULT hints_de00_gray`` and
``RESULT hints_de00_reference``.
"""
from __future__ import annotations

import argparse
import logging
import time

from _photos import describe, resolve_photos

COUNTS = (0, 1, 2, 5, 10, 20)


def hint_network(checkpoint: str | None):
    """The hint network to score: ``--checkpoint``, else the shipped one, else None."""
    from colorkit.colorize_guided import default_hint_model, hint_model_shipped

    if checkpoint:
        from colorkit.reference import load

        return load(checkpoint)
    return default_hint_model() if hint_model_shipped() else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", default=None, help="folder of held-out colour photos")
    ap.add_argument("--limit", type=int, default=100, help="score at most N photos (default 100)")
    ap.add_argument("--size", type=int, default=256, help="side the photos are scored at (default 256)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the simulated hints")
    ap.add_argument("--checkpoint", default=None, help="a hint network checkpoint (default: the shipped unet_hints)")
    ap.add_argument("--work-size", type=int, default=None, help="the hint network's work size (default: its training size)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    a = ap.parse_args(argv)
    source = resolve_photos(a.photos, "photos/bsds500/test")

    import torch

    from colorkit.colorize import colorize_image
    from colorkit.colorize_guided import colorize_guided
    from colorkit.evaluate import load_images
    from colorkit.evaluate.hints import format_hint_table, score_hint_methods
    from colorkit.evaluate.metrics import score_images
    from colorkit.reference import load_reference

    torch.set_num_threads(a.threads)
    logging.getLogger("colorkit.colorize_guided").setLevel(logging.ERROR)  # 0 hints is asked for: no warning
    truths, _ = load_images(source, a.size, limit=a.limit)
    print(describe(source, len(truths)), f"scored at {a.size} px, hints seed {a.seed}")
    auto = load_reference("reference")
    auto_de = score_images([colorize_image(auto, t) for t in truths], truths)["de2000"]
    methods = {"levin": lambda t, h: colorize_guided(t, h, method="levin", work_size=a.size)}
    net = hint_network(a.checkpoint)
    if net is None:
        print("net: skipped (no shipped unet_hints and no --checkpoint)")
    else:
        methods["net"] = lambda t, h: colorize_guided(t, h, method=net, work_size=a.work_size)
    start = time.perf_counter()
    table = score_hint_methods(methods, truths, COUNTS, seed=a.seed)
    print(f"scored {len(methods)} method(s) x {len(COUNTS)} counts in {time.perf_counter() - start:.0f} s; "
          f"automatic reference U-Net (no hints): ΔE2000 {auto_de:.3f}; truth colourfulness {table['truth']['cf']:.1f}")
    for metric in ("de2000", "psnr", "cf"):
        print(f"\n{metric}\n" + format_hint_table(table, metric))
    print()
    print(f"RESULT hints_de00_gray {table['gray copy']['de2000']:.3f}")
    print(f"RESULT hints_de00_reference {auto_de:.3f}")
    for name in methods:
        for n in COUNTS:
            print(f"RESULT hints_de00_{name}_{n} {table[name][n]['de2000']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
