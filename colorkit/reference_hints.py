"""The shipped hint model: packaged like every reference, and measured with hints beside Levin and the gray copy.

Used by ``colorkit.reference_recipe`` (``make references``) and by hand::

    python -m colorkit.reference_hints RUN/last.pt --photos ../shared/data/tiny64/val --limit 1000

:func:`package_hint_reference` calls :func:`colorkit.reference.package_reference` (float16 weights, card, SHA-256 in
``index.json``, the automatic score against the gray copy), then scores the packaged file as users get it with the
simulated user's hints (:mod:`colorkit.evaluate.hints`: the same single-pixel hints for the network and for Levin,
Lischinski & Weiss 2004, at 0, 1, 2, 5, 10 and 20 hints) and writes that table into the card as ``with_hints``,
with its headline numbers (``de2000_10_hints``, ``levin_de2000_10_hints``) in ``metrics``.
"""
from __future__ import annotations

import argparse
import json

HINT_CARD_COUNTS = (0, 1, 2, 5, 10, 20)


def measure_hints(model, photos, size: int | None = None, limit: int | None = None,
                  counts=HINT_CARD_COUNTS, seed: int = 0) -> dict:
    """``{"photos", "images", "size", "seed", "table"}``: the hint model and Levin on the same simulated hints,
    each photo centre-cropped to ``size`` (default: the model's training size), with the gray-copy row."""
    from colorkit.colorize_guided import colorize_guided
    from colorkit.data.photos import load_images
    from colorkit.evaluate.hints import score_hint_methods

    size = int(size or getattr(model, "colorkit_train_size", None) or 64)
    truths, _ = load_images(photos, size, limit=limit)
    if not truths:
        raise FileNotFoundError(f"no photos to measure on in {photos}")
    methods = {"model": lambda t, h: colorize_guided(t, h, method=model),
               "levin": lambda t, h: colorize_guided(t, h, method="levin", work_size=size)}
    table = score_hint_methods(methods, truths, counts, seed=seed)
    return {"photos": str(photos), "images": len(truths), "size": size, "seed": seed,
            "hints": "single-pixel, the true colour (colorkit.evaluate.hints)", "table": _plain(table)}


def _plain(table: dict) -> dict:
    """JSON keys: hint counts as strings."""
    return {k: ({str(n): v for n, v in row.items()} if k not in ("gray copy", "truth") else row)
            for k, row in table.items()}


def package_hint_reference(checkpoint, name: str, photos, *, size: int | None = None, limit: int | None = None,
                           folder=None, counts=HINT_CARD_COUNTS, **package_kwargs) -> dict:
    """:func:`colorkit.reference.package_reference`, then :func:`measure_hints` of the packaged file, written
    into its card (``with_hints`` and the 10-hint numbers in ``metrics``). Returns the card."""
    import logging

    from colorkit.files import atomic_write_bytes
    from colorkit.checkpoint import card_path
    from colorkit.reference import load_reference_file, package_reference, weights_dir

    package_reference(checkpoint, name, photos, size=size, limit=limit, folder=folder, default=False,
                      **package_kwargs)
    path = weights_dir(folder) / f"{name}.pt"
    model = load_reference_file(path, folder=folder)
    quiet = logging.getLogger("colorkit.colorize_guided")
    level, _ = quiet.level, quiet.setLevel(logging.ERROR)  # 0 hints is asked for: no warning per photo
    try:
        held = measure_hints(model, photos, size=size, limit=limit, counts=counts)
    finally:
        quiet.setLevel(level)
    card = json.loads(card_path(path).read_text())
    t = held["table"]
    card["with_hints"] = held
    card["metrics"].update({"de2000_10_hints": t["model"]["10"]["de2000"],
                            "levin_de2000_10_hints": t["levin"]["10"]["de2000"],
                            "colorfulness_10_hints": t["model"]["10"]["cf"], "truth_colorfulness": t["truth"]["cf"]})
    atomic_write_bytes(card_path(path), (json.dumps(card, indent=2) + "\n").encode("utf-8"))
    return card


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m colorkit.reference_hints", description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", metavar="CKPT", help="a last.pt of `colorkit train --model unet_hints`")
    ap.add_argument("--name", default="unet_hints", help="the reference's name (default unet_hints)")
    ap.add_argument("--photos", required=True, help="held-out photos to measure on (a folder, or 'samples')")
    ap.add_argument("--data", default="Tiny ImageNet subset", help="what the model was trained on (for the card)")
    ap.add_argument("--size", type=int, default=None, help="side the photos are scored at (default: training size)")
    ap.add_argument("--limit", type=int, default=None, help="score at most N photos")
    ap.add_argument("--folder", default=None, help="weights folder (default: colorkit/weights in the package)")
    ap.add_argument("--preset", default=None, help="the preset it was trained under, for the card (e.g. cpu)")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads while measuring")
    a = ap.parse_args(argv)
    if a.threads:
        import torch

        torch.set_num_threads(a.threads)
    card = package_hint_reference(a.checkpoint, a.name, a.photos, size=a.size, limit=a.limit, folder=a.folder,
                                  data=a.data, preset=a.preset)
    print(json.dumps({"weights": card["weights"], "metrics": card["metrics"]}, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
