"""Training-step speed: colorkit U-Net (engine settings) vs the classic pix2pix U-Net, same run, same CPU.

    .venv/bin/python benchmarks/train_step.py [--size 64] [--width 16] [--depth 4] [--batch 16] [--compile]

Both networks get the same input size and the same width (pix2pix ``ngf`` = colorkit ``base_width``). The
reference is written out plainly below: pix2pix's ``UnetGenerator`` (4x4 stride-2 convs with LeakyReLU and
BatchNorm down, 4x4 transposed convs with ReLU and BatchNorm up, ``log2(size)`` levels, tanh), fed by a
data path like the loaders of the reports in README's "Earlier work" (``skimage.color.rgb2lab`` per image,
every step), contiguous tensors, ``torch.optim.Adam`` with its default (foreach) kernels. colorkit's step
is measured piece by piece so each gain is visible: its data path (prepared uint8/int8 shards, only a
decode per step), channels_last, fused AdamW, the engine's thread choice
(``colorkit.train.cpu_threads_for_training``: 1 thread when the CPU is already busy,
else torch's default; the reference is also timed with that thread count so this piece can be read apart),
then the architecture piece: ``stem="half"`` (the presets' U-Net: the same double convolutions, at half
resolution after a lossless ``PixelUnshuffle``, L fed again as the last skip; about 1/4 of the FLOPs), and
optionally ``torch.compile``. ``RESULT unet_step_speedup_stem_full`` keeps the textbook U-Net's ratio. Variants are measured in interleaved rounds (the machine is shared: the
median of the rounds is reported). Ends with ``RESULT unet_step_speedup X`` (images/s ratio, colorkit over
reference) and the ``cpu`` preset's images/second and what a 15-minute budget buys. CPU numbers only: no
GPU speed-up is claimed here.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numpy as np
import torch
from torch import nn

from colorkit.color import normalize_ab, normalize_l, rgb_to_lab
from colorkit.models import build
from colorkit.models.summary import model_summary


# ------------------------------------------------------------------------------------ the reference, plainly
class Pix2PixBlock(nn.Module):
    """pix2pix ``UnetSkipConnectionBlock``: down (conv 4x4/2), the inner block, up (transposed conv 4x4/2), skip."""

    def __init__(self, outer, inner, sub=None, outermost=False, innermost=False, in_ch=None):
        super().__init__()
        in_ch = in_ch or outer
        down = nn.Conv2d(in_ch, inner, 4, 2, 1, bias=False)
        if outermost:
            layers = [down, sub, nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1), nn.Tanh()]
        elif innermost:
            layers = [nn.LeakyReLU(0.2, True), down, nn.ReLU(True),
                      nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
        else:
            layers = [nn.LeakyReLU(0.2, True), down, nn.BatchNorm2d(inner), sub, nn.ReLU(True),
                      nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
        self.model = nn.Sequential(*layers)
        self.outermost = outermost

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def pix2pix_unet(ngf: int = 64, num_downs: int = 8) -> nn.Module:
    """pix2pix ``UnetGenerator(1, 2, num_downs, ngf)`` (no dropout: the benchmark times arithmetic)."""
    block = Pix2PixBlock(ngf * 8, ngf * 8, innermost=True)
    for _ in range(num_downs - 5):
        block = Pix2PixBlock(ngf * 8, ngf * 8, block)
    block = Pix2PixBlock(ngf * 4, ngf * 8, block)
    block = Pix2PixBlock(ngf * 2, ngf * 4, block)
    block = Pix2PixBlock(ngf, ngf * 2, block)
    return Pix2PixBlock(2, ngf, block, outermost=True, in_ch=1)


def classic_batch(rgb_u8: np.ndarray):
    """A data path like the earlier reports' loaders: float conversion and ``rgb2lab`` per image, every step."""
    from skimage.color import rgb2lab

    labs = [rgb2lab(im.astype(np.float64) / 255.0) for im in rgb_u8]
    lab = torch.from_numpy(np.stack(labs)).float().permute(0, 3, 1, 2)
    return lab[:, :1] / 50.0 - 1.0, lab[:, 1:] / 110.0  # L to [-1, 1], ab / 110


# ------------------------------------------------------------------------------------ colorkit's side
def shard_batch(L_u8: np.ndarray, ab_i8: np.ndarray):
    """colorkit's data path: photos were converted once by ``colorkit prepare``; a step only decodes."""
    from colorkit.data.shards import decode_ab, decode_l

    L = torch.from_numpy(normalize_l(decode_l(L_u8)))[:, None]
    ab = torch.from_numpy(normalize_ab(decode_ab(ab_i8))).permute(0, 3, 1, 2)
    return L, ab


def make_images(n: int, size: int, seed: int = 0) -> np.ndarray:
    """Smooth random colour images (content does not change the speed of a dense network)."""
    g = np.random.default_rng(seed)
    low = g.integers(0, 256, (n, 4, 4, 3)).astype(np.float32)
    big = torch.nn.functional.interpolate(torch.from_numpy(low).permute(0, 3, 1, 2), size=(size, size),
                                          mode="bilinear", align_corners=False)
    return big.permute(0, 2, 3, 1).clamp(0, 255).byte().numpy()


# ------------------------------------------------------------------------------------ timing
DEFAULT_THREADS = torch.get_num_threads()  # what a classic script runs with
class Variant:
    """One way of doing a training step: a model, a data path, memory format, optimizer kernels, compile."""

    def __init__(self, name, model_fn, data, channels_last=False, fused=False, compile=False, threads=None):
        torch.manual_seed(0)
        self.name, self.data, self.cl = name, data, channels_last
        self.threads = threads or DEFAULT_THREADS
        self.model = model_fn()
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        opt_cls = torch.optim.AdamW if fused else torch.optim.Adam
        kw = {"fused": True} if fused else {}
        self.opt = opt_cls(self.model.parameters(), lr=2e-4, **kw)
        self.fwd = torch.compile(self.model) if compile else self.model
        self.times: list[float] = []

    def step(self, batch_src) -> None:
        L, ab = self.data(*batch_src)
        if self.cl:
            L = L.contiguous(memory_format=torch.channels_last)
        loss = (self.fwd(L) - ab).abs().mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def measure(self, batch_src, steps: int) -> float:
        torch.set_num_threads(self.threads)
        t = time.perf_counter()
        for _ in range(steps):
            self.step(batch_src)
        dt = (time.perf_counter() - t) / steps
        self.times.append(dt)
        return dt


def interleaved(variants, sources, steps: int, rounds: int, batch: int) -> dict[str, float]:
    """images/second of each variant: one warm-up step, then ``rounds`` interleaved rounds; median."""
    for v in variants:
        torch.set_num_threads(v.threads)
        v.step(sources[v.name])  # warm-up (and compilation)
    for _ in range(rounds):
        for v in variants:
            v.measure(sources[v.name], steps)
    return {v.name: batch / statistics.median(v.times) for v in variants}


def compare_unet_step(size=64, width=32, depth=3, batch=16, steps=2, rounds=3, compile=False,
                      stem="half") -> float:
    """colorkit U-Net vs pix2pix U-Net at equal width and size; prints each piece's gain; returns the ratio.

    The pieces are timed on the textbook U-Net (``stem="full"``: double convolutions at full resolution),
    then the last row switches to ``stem`` (``"half"``: the same double convolutions, a quarter of the
    pixels; see ``colorkit.models.unet``) with all the engine's settings."""
    rgb = make_images(batch, size)
    lab = rgb_to_lab(rgb)
    from colorkit.data.shards import encode_lab

    L_u8, ab_i8 = encode_lab(lab)
    classic, shards = (rgb,), (L_u8, ab_i8)
    ref_fn = lambda: pix2pix_unet(width, int(math.log2(size)))  # noqa: E731
    ck_fn = lambda: build("unet", base_width=width, depth=depth, stem="full")  # noqa: E731
    stem_fn = lambda: build("unet", base_width=width, depth=depth, stem=stem)  # noqa: E731
    from colorkit.train import cpu_threads_for_training

    eng = cpu_threads_for_training()  # what colorkit.train picks now (1 when the CPU is busy)
    variants = [
        Variant(f"reference pix2pix U-Net, {eng} thread(s)", ref_fn, classic_batch, threads=eng),
        Variant(f"reference, torch default {DEFAULT_THREADS} thread(s)", ref_fn, classic_batch),
        Variant("colorkit U-Net, classic data path, Adam", ck_fn, classic_batch, threads=eng),
        Variant("+ shard data path", ck_fn, shard_batch, threads=eng),
        Variant("+ channels_last", ck_fn, shard_batch, channels_last=True, threads=eng),
        Variant("+ fused AdamW (= colorkit.train)", ck_fn, shard_batch, channels_last=True, fused=True, threads=eng),
    ]
    if stem != "full":
        variants.append(Variant(f"+ stem={stem} (first double conv at H/2)", stem_fn, shard_batch,
                                channels_last=True, fused=True, threads=eng))
    if compile:
        variants.append(Variant("+ torch.compile", stem_fn, shard_batch, channels_last=True, fused=True,
                                compile=True, threads=eng))
    sources = {v.name: (classic if v.data is classic_batch else shards) for v in variants}
    ips = interleaved(variants, sources, steps, rounds, batch)
    ref_s = model_summary(ref_fn(), size)
    ck_s = model_summary(ck_fn(), size)
    st_s = model_summary(stem_fn(), size)
    print(f"\nsize {size}, width {width}, batch {batch}, engine threads {eng}, torch default {DEFAULT_THREADS}")
    print(f"reference: {ref_s['params'] / 1e6:.2f} M params, {ref_s['flops'] / 1e9:.3f} GFLOP/img forward")
    print(f"colorkit : {ck_s['params'] / 1e6:.2f} M params, {ck_s['flops'] / 1e9:.3f} GFLOP/img forward "
          f"(depth {depth}, double convolutions, stem=full)")
    if stem != "full":
        print(f"colorkit : {st_s['params'] / 1e6:.2f} M params, {st_s['flops'] / 1e9:.3f} GFLOP/img forward "
              f"(depth {depth}, double convolutions, stem={stem})")
    names = list(ips)
    stem_rows = {n for n in names if "stem=" in n or "compile" in n}
    for i, n in enumerate(names):
        gain = f"  piece gain x{ips[n] / ips[names[i - 1]]:.2f}" if i >= 3 else ""
        if i == 1:
            gain = f"  (x{ips[n] / ips[names[0]]:.2f} of the row above: the thread count alone)"
        s = ref_s if i < 2 else (st_s if n in stem_rows else ck_s)
        flops = s["flops"] * 3  # forward + backward ~ 3x forward
        print(f"{n:48s} {ips[n]:8.2f} img/s  {flops * ips[n] / 1e9:6.1f} GFLOP/s{gain}")
    best_name = max(names[2:], key=ips.get)
    best = ips[best_name]
    best_s = st_s if best_name in stem_rows else ck_s
    full_best = max(ips[n] for n in names[2:] if n not in stem_rows)
    ratio = best / ips[names[0]]
    vs_default = best / ips[names[1]]
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"stem=full with every engine piece: x{full_best / ips[names[0]]:.2f} of the reference")
    print(f"colorkit / reference, same threads: x{ratio:.2f} images/s ({best_name}; colorkit does "
          f"x{best_s['flops'] / ref_s['flops']:.1f} the FLOPs per image; arithmetic per second "
          f"x{best * best_s['flops'] / (ips[names[0]] * ref_s['flops']):.2f}); against the reference at torch's "
          f"default threads: x{vs_default:.2f} (the thread choice only pays on a busy CPU)")
    print(f"RESULT unet_step_speedup_stem_full {full_best / ips[names[0]]:.3f}")
    print(f"RESULT unet_step_speedup {ratio:.3f}")
    print(f"RESULT unet_step_speedup_vs_default_threads {vs_default:.3f}")
    return ratio


def cpu_preset_budget(steps=2, rounds=3) -> float:
    """images/second of the ``cpu`` preset's U-Net step with the engine's settings, and what 15 minutes buy."""
    from colorkit.presets import get_preset
    from colorkit.train import TrainConfig

    p = get_preset("cpu")
    cfg = TrainConfig.from_preset(p, model="unet")
    rgb = make_images(p.batch_size, p.image_size, seed=1)
    from colorkit.data.shards import encode_lab

    src = encode_lab(rgb_to_lab(rgb))
    from colorkit.train import cpu_threads_for_training

    v = Variant("cpu preset", lambda: build("unet", **cfg.model_kwargs), shard_batch,
                channels_last=p.channels_last, fused=True, threads=cpu_threads_for_training())
    ips = interleaved([v], {v.name: src}, steps, rounds, p.batch_size)["cpu preset"]
    budget = 15 * 60 * ips
    print(f"\ncpu preset: unet {cfg.model_kwargs}, {p.image_size} px, batch {p.batch_size}: {ips:.1f} img/s; "
          f"15 minutes buy ~{budget:,.0f} images (~{budget / p.batch_size:,.0f} steps, "
          f"{budget / 20000:.2f} epochs of 20k photos) on this machine now")
    print(f"RESULT cpu_preset_images_per_second {ips:.2f}")
    return ips


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=64)
    from colorkit.presets import get_preset
    from colorkit.train import default_model_kwargs

    cpu_kw = default_model_kwargs("unet", get_preset("cpu"))  # the cpu preset's U-Net is the default
    ap.add_argument("--width", type=int, default=cpu_kw["base_width"],
                    help=f"U-Net base_width = pix2pix ngf (cpu preset: {cpu_kw['base_width']})")
    ap.add_argument("--depth", type=int, default=cpu_kw["depth"],
                    help=f"colorkit U-Net depth (cpu preset: {cpu_kw['depth']})")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--stem", default=cpu_kw.get("stem", "full"), choices=["full", "half"],
                    help="U-Net stem of the last row (half: first double conv at H/2; see colorkit.models.unet)")
    ap.add_argument("--compile", action="store_true", help="also time torch.compile (needs a C++ compiler)")
    ap.add_argument("--skip-preset", action="store_true")
    ap.add_argument("--skip-gan", action="store_true", help="leave out the U-Net + PatchGAN step (benchmarks/gan_step.py)")
    a = ap.parse_args(argv)
    global DEFAULT_THREADS
    if a.threads:
        DEFAULT_THREADS = a.threads
    compare_unet_step(a.size, a.width, a.depth, a.batch, a.steps, a.rounds, a.compile, a.stem)
    if not a.skip_preset:
        cpu_preset_budget(a.steps, a.rounds)
    if not a.skip_gan:  # issue 5: the GAN step against pix2pix's, RESULT gan_step_speedup
        import gan_step  # benchmarks/ is on sys.path when this file runs as a script

        print("\n== U-Net + PatchGAN step vs the classic pix2pix GAN step")
        gan_step.main(["--threads", str(a.threads)] if a.threads else [])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
