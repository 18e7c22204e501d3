"""Soft encoding speed (lesson 06's classifier): colorkit's candidate table against the exhaustive search, in
the same run, on the ab targets of real photos.

Every training step of ``unet_classifier`` soft-encodes each target pixel over its 5 nearest ab bins
(:func:`colorkit.quantize.soft_encode_sparse`). The exhaustive search (``torch.cdist`` to all 261 bin centres,
then ``topk``, as colorkit did until session 8) is the baseline; colorkit searches only the bins its
candidate table lists for the pixel's cell. Checks that both give the same targets, prints ms per training
batch for each and one classifier training step (``unet_classifier`` at the ``cpu`` preset's width) with
each, and ends with ``RESULT soft_encode_speedup X`` and ``RESULT classifier_step_speedup X``.
Run: ``python benchmarks/soft_encode.py``.
"""
from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np
import torch
from PIL import Image

from colorkit import quantize as Qz
from colorkit.color import AB_SCALE, normalize_ab, rgb_to_lab
from _photos import describe, photo_files, resolve_photos


def exhaustive(ab_norm: torch.Tensor, k: int = Qz.N_NEIGHBOURS, sigma: float = Qz.SIGMA):
    """The baseline: distances to every bin centre, the k smallest (colorkit's search until session 8)."""
    n, _, h, w = ab_norm.shape
    pts = ab_norm.permute(0, 2, 3, 1).reshape(-1, 2).float() * AB_SCALE
    dk, ik = torch.cdist(pts, Qz.bin_centres() * AB_SCALE).topk(k, dim=1, largest=False)
    wk = torch.exp(-(dk ** 2 - dk[:, :1] ** 2) / (2 * sigma ** 2))
    wk = wk / wk.sum(1, keepdim=True)
    return tuple(t.reshape(n, h, w, k).permute(0, 3, 1, 2).contiguous() for t in (ik, wk))


def batch(source, size: int, n: int) -> tuple[torch.Tensor, int]:
    """Normalized ab ``n x 2 x size x size`` of the first ``n`` photos of ``source`` (repeated if fewer), and
    how many photos were found."""
    paths = photo_files(source, n)
    labs = [rgb_to_lab(np.asarray(Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR)))
            for p in paths]
    ab = np.stack([normalize_ab(lab[..., 1:]).transpose(2, 0, 1) for lab in labs]).astype(np.float32)
    return torch.from_numpy(np.resize(ab, (n, *ab.shape[1:]))), len(paths)


def best_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def classifier_step(width: int, size: int, n: int, ab: torch.Tensor):
    """One training step of ``unet_classifier`` (forward, loss, backward, AdamW) on a fixed batch."""
    from colorkit.models import build

    torch.manual_seed(0)
    model = build("unet_classifier", base_width=width, depth=4, stem="half")
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    L = torch.randn(n, 1, size, size)

    def step():
        loss = Qz.classification_loss(model(L), ab, model.class_weights)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--photos", default=None, help="folder of photos (default: ../shared/data/photos/coco_mini "
                    "beside the repository if present, else the built-in samples)")
    ap.add_argument("--size", type=int, default=64, help="the cpu preset's image size")
    ap.add_argument("--batch", type=int, default=32, help="the cpu preset's batch size")
    ap.add_argument("--width", type=int, default=16, help="the cpu preset's U-Net width")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    source = resolve_photos(args.photos, "photos/coco_mini")
    ab, found = batch(source, args.size, args.batch)
    print(describe(source, found))
    ref, new = exhaustive(ab), Qz.soft_encode_sparse(ab)
    same = torch.equal(ref[0], new[0]) and torch.allclose(ref[1], new[1], atol=1e-5)
    dense = Qz.soft_encode(ab)
    dense_diff = float((dense - torch.zeros_like(dense).scatter_(1, *ref)).abs().max())
    print(f"same targets: {same} (largest difference of the dense targets {dense_diff:.1e})")
    t_ref = best_s(lambda: exhaustive(ab), args.repeats)
    t_new = best_s(lambda: Qz.soft_encode_sparse(ab), args.repeats)
    step = classifier_step(args.width, args.size, args.batch, ab)
    step()  # warm-up (the table is built once per process)
    s_new = best_s(step, args.repeats)
    with mock.patch.object(Qz, "soft_encode_sparse", exhaustive):
        s_ref = best_s(step, args.repeats)
    print(f"{args.batch} targets at {args.size}x{args.size}, {args.threads} thread(s), best of {args.repeats}")
    print(f"  soft encoding: exhaustive {t_ref * 1000:7.1f} ms, candidate table {t_new * 1000:7.1f} ms")
    print(f"  classifier step (width {args.width}): with exhaustive {s_ref * 1000:7.1f} ms, "
          f"with the table {s_new * 1000:7.1f} ms")
    print(f"RESULT soft_encode_speedup {t_ref / t_new:.2f}")
    print(f"RESULT classifier_step_speedup {s_ref / s_new:.2f}")


if __name__ == "__main__":
    main()
