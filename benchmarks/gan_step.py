"""GAN training-step speed: colorkit's U-Net + PatchGAN step against the classic pix2pix formulation.

Both sides train the same U-Net generator (``unet``, the ``cpu`` preset's width and depth) against a
3-layer 70x70 PatchGAN of the same width, with the vanilla (BCE) loss and lambda = 100, at the same
batch and input size. The reference is pix2pix's ``optimize_parameters`` written out plainly below:
three discriminator passes per step (fake detached, real, fake again for G) on NCHW tensors.
colorkit's step (:class:`colorkit.objectives.gan.GAN`) scores real and generated pairs in one
concatenated discriminator pass and runs channels_last as the ``cpu`` preset does.

Steps are timed interleaved (reference, colorkit, reference, ...) so that load from other processes
hits both alike; the median step time of each is compared. Prints images/second for both and ends
with ``RESULT gan_step_speedup X`` (reference time / colorkit time). Run: ``python benchmarks/gan_step.py``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from colorkit.models import build
from colorkit.objectives.gan import GAN
from colorkit.presets import get_preset
from colorkit.train import TrainConfig


# ------------------------------------------------------------------------------ the reference, written plainly
class Pix2PixNLayerD(nn.Module):
    """pix2pix's NLayerDiscriminator (n_layers=3, BatchNorm, no bias before a norm)."""

    def __init__(self, input_nc: int = 3, ndf: int = 64):
        super().__init__()
        seq = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, 3):
            prev, mult = mult, min(2 ** n, 8)
            seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * mult),
                    nn.LeakyReLU(0.2, True)]
        prev, mult = mult, 8
        seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=False), nn.BatchNorm2d(ndf * mult),
                nn.LeakyReLU(0.2, True), nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
        self.model = nn.Sequential(*seq)

    def forward(self, x):
        return self.model(x)


class Pix2PixStep:
    """pix2pix's Pix2PixModel.optimize_parameters for (L, ab), vanilla GAN loss, lambda_L1 = 100."""

    def __init__(self, G, D, lr=2e-4):
        self.G, self.D = G, D
        self.opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
        self.crit = nn.BCEWithLogitsLoss()

    def __call__(self, L, ab):
        fake = self.G(L)
        # update D
        for p in self.D.parameters():
            p.requires_grad = True
        self.opt_D.zero_grad()
        pred_fake = self.D(torch.cat((L, fake), 1).detach())
        loss_D_fake = self.crit(pred_fake, torch.zeros_like(pred_fake))
        pred_real = self.D(torch.cat((L, ab), 1))
        loss_D_real = self.crit(pred_real, torch.ones_like(pred_real))
        loss_D = (loss_D_fake + loss_D_real) * 0.5
        loss_D.backward()
        self.opt_D.step()
        # update G
        for p in self.D.parameters():
            p.requires_grad = False
        self.opt_G.zero_grad()
        pred_fake = self.D(torch.cat((L, fake), 1))
        loss_G = self.crit(pred_fake, torch.ones_like(pred_fake)) + F.l1_loss(fake, ab) * 100.0
        loss_G.backward()
        self.opt_G.step()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--preset", default="cpu", help="size settings (image_size, base_width, depth, batch_size)")
    ap.add_argument("--steps", type=int, default=8, help="timed steps of each (after 2 warm-up steps)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: leave torch's default)")
    ap.add_argument("--pieces", action="store_true", help="also time colorkit's step without channels_last")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    p = get_preset(args.preset)
    size, bs, width, depth = p.image_size, p.batch_size, p.base_width, p.depth
    torch.manual_seed(0)
    L = torch.rand(bs, 1, size, size) * 2 - 1
    ab = (torch.rand(bs, 2, size, size) - 0.5) * 0.6

    ref = Pix2PixStep(build("unet", base_width=width, depth=depth), Pix2PixNLayerD(3, width))
    ref.G.train(), ref.D.train()

    cfg = TrainConfig.from_preset(p, model="unet_gan", max_steps=10 ** 6, max_minutes=None,
                                  extra={"adversarial": "bce", "l1_weight": 100.0})

    def make_step(channels_last: bool):
        obj = GAN(GAN.build_networks(cfg), cfg)
        obj.setup("cpu", None, channels_last=channels_last)
        obj.train_mode(True)
        obj.set_progress(0.5)
        batch = obj.to_device((L, ab))
        return lambda: obj.training_step(batch, 0)

    steps = {"classic pix2pix step": lambda: ref(L, ab), "colorkit GAN step": make_step(cfg.channels_last)}
    if args.pieces:
        steps["colorkit GAN step, NCHW"] = make_step(False)
    for _ in range(2):  # warm-up: allocator, oneDNN primitives
        for fn in steps.values():
            fn()
    times = {k: [] for k in steps}
    for _ in range(args.steps):
        for name, fn in steps.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    r, o = med["classic pix2pix step"], med["colorkit GAN step"]
    print(f"preset {p.name}: {size}x{size}, batch {bs}, U-Net width {width} depth {depth}, PatchGAN width {width}, "
          f"{torch.get_num_threads()} threads, channels_last={cfg.channels_last}")
    for name, t in med.items():
        print(f"{name:26s}: {t * 1000:8.1f} ms  ({bs / t:6.1f} img/s, {r / t:.2f}x the classic step)")
    print(f"a 15-minute budget buys about {int(900 / o)} colorkit GAN steps ({int(900 / o) * bs} images)")
    print(f"RESULT gan_step_speedup {r / o:.3f}")


if __name__ == "__main__":
    main()
