"""Pictures for the generative lessons: PatchGAN receptive fields, adversarial loss shapes, the two
players' training curves (notebook ``05_gan``), KL schedules and several draws of one photo (``04_vae``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from colorkit.objectives.gan import ADVERSARIAL_LOSSES
from colorkit.objectives.vae import KL_SCHEDULES


def patch_box(i: int, j: int, n_layers: int = 3) -> tuple[int, int, int]:
    """``(top, left, size)`` in input pixels of the patch that PatchGAN output logit ``(i, j)`` sees
    (may start above/left of the image: that part is zero padding).

    Receptive-field arithmetic layer by layer (4x4 kernels, padding 1): the distance between
    neighbouring outputs' patches ("jump") multiplies by each stride, and the patch's first pixel moves
    by ``-padding * jump``; ``n_layers`` stride-2 layers, then two stride-1 layers.
    """
    from colorkit.models.patchgan import receptive_field

    jump, start = 1, 0
    for stride in [2] * n_layers + [1, 1]:
        start -= 1 * jump  # padding 1
        jump *= stride
    return start + i * jump, start + j * jump, receptive_field(n_layers)


def plot_receptive_field(image, n_layers: int = 3, ax=None, positions: Sequence[tuple[int, int]] | None = None,
                         title: str | None = None):
    """Draw on ``image`` (H x W x 3) the patches that a few PatchGAN logits judge, and the grid of all
    logits' patch corners: every logit answers "is *this* patch a real colorization?"."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from colorkit.models.patchgan import receptive_field

    img = np.asarray(image)
    h, w = img.shape[:2]
    ax = ax or plt.subplots(figsize=(5, 5))[1]
    ax.imshow(img)
    jump = 2 ** n_layers
    out_h, out_w = h // jump - 2, w // jump - 2  # logits per side
    if positions is None:
        positions = [(0, 0), (out_h // 2, out_w // 2), (out_h - 1, out_w - 1)]
    for k, (i, j) in enumerate(positions):
        top, left, size = patch_box(i, j, n_layers)
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, lw=2, color=f"C{k}",
                               label=f"logit ({i}, {j})"))
    ys, xs = np.meshgrid(np.arange(out_h), np.arange(out_w), indexing="ij")
    tops = patch_box(0, 0, n_layers)[0] + ys * jump + receptive_field(n_layers) / 2
    lefts = patch_box(0, 0, n_layers)[1] + xs * jump + receptive_field(n_layers) / 2
    ax.scatter(lefts.ravel(), tops.ravel(), s=4, c="w", alpha=0.7, label="patch centres")
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_title(title or f"PatchGAN: {out_h}x{out_w} logits, each sees {receptive_field(n_layers)}x"
                          f"{receptive_field(n_layers)} px")
    ax.legend(fontsize=7, loc="lower right")
    ax.axis("off")
    return ax


def plot_adversarial_losses(axes=None, logits=np.linspace(-4, 4, 201)):
    """Each adversarial loss as a function of the discriminator's logit: D's terms for a real and a
    generated pair, and G's term. Where a curve is flat, that player gets no gradient."""
    import matplotlib.pyplot as plt
    import torch

    from colorkit.objectives.gan import discriminator_loss, generator_adversarial_loss

    if axes is None:
        _, axes = plt.subplots(1, len(ADVERSARIAL_LOSSES), figsize=(4 * len(ADVERSARIAL_LOSSES), 3), sharey=True)
    x = torch.tensor(logits, dtype=torch.float32)
    far = torch.full_like(x, 1e4)  # makes the other term vanish (0 for bce, hinge; huge for lsgan: excluded below)
    for ax, kind in zip(axes, ADVERSARIAL_LOSSES):
        real = [2 * float(discriminator_loss(v.view(1), -far[:1] if kind != "lsgan" else torch.zeros(1), kind))
                for v in x]
        fake = [2 * float(discriminator_loss(torch.ones(1) if kind == "lsgan" else far[:1], v.view(1), kind))
                for v in x]
        gen = [float(generator_adversarial_loss(v.view(1), kind)) for v in x]
        ax.plot(logits, real, label="D on a real pair")
        ax.plot(logits, fake, label="D on a generated pair")
        ax.plot(logits, gen, "--", label="G (wants D fooled)")
        ax.set_title(kind)
        ax.set_xlabel("discriminator logit")
        ax.set_ylim(-4.5, 8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("loss")
    axes[0].legend(fontsize=8)
    return axes


def plot_gan_history(history: Sequence[dict], axes=None, title: str = ""):
    """Training curves of both players from :attr:`colorkit.train.TrainResult.history`: the adversarial
    terms (D's loss, G's adversarial loss), G's L1 term, and D's mean logits on real and generated pairs."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(14, 3.2))
    rows = [h for h in history if "loss_d" in h]
    steps = [h["step"] for h in rows]
    axes[0].plot(steps, [h["loss_d"] for h in rows], label="D loss")
    axes[0].plot(steps, [h["adv_g"] for h in rows], label="G adversarial loss")
    axes[0].set_title("the game")
    axes[1].plot([h["step"] for h in history], [h["l1"] for h in history], c="C2", label="G L1 (normalized ab)")
    if rows:
        axes[1].axvline(rows[0]["step"], c="0.5", ls=":", label="adversarial phase starts")
    axes[1].set_title("G's reconstruction term")
    axes[2].plot(steps, [h["d_real"] for h in rows], label="D logit, real pairs")
    axes[2].plot(steps, [h["d_fake"] for h in rows], label="D logit, generated pairs")
    axes[2].set_title("how sure D is")
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        axes[0].figure.suptitle(title)
    return axes


def plot_kl_schedules(beta: float = 1.0, warmup: float = 0.3, cycles: int = 4, ax=None):
    """The KL weight over the training budget for each annealing schedule."""
    import matplotlib.pyplot as plt

    from colorkit.objectives.vae import kl_weight

    ax = ax or plt.subplots(figsize=(5, 3))[1]
    t = np.linspace(0, 1, 400)
    for kind in KL_SCHEDULES:
        ax.plot(t, [kl_weight(float(x), beta, warmup, kind, cycles, total_steps=1.0) for x in t], label=kind)
    ax.set_xlabel("fraction of the training budget")
    ax.set_ylabel("KL weight / beta")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def draw_colorizations(model, photo, n: int = 4, seed: int = 0, temperature: float = 1.0,
                       work_size: int | None = None) -> tuple[list[np.ndarray], np.ndarray, float]:
    """``(draws, posterior mean, diversity)`` for one photo (uint8 H x W x 3) and a VAE: ``n``
    colorizations with seeds ``seed .. seed + n - 1`` at full resolution, the ``z = mu`` colorization,
    and the diversity score (:func:`colorkit.models.vae.diversity_score`, LAB units) of the draws."""
    import torch

    from colorkit.color import normalize_ab, rgb_to_lab
    from colorkit.colorize import colorize_image
    from colorkit.models.vae import diversity_score

    kw = {"work_size": work_size} if work_size else {}
    draws = [colorize_image(model, photo, sample_seed=seed + k, temperature=temperature, **kw) for k in range(n)]
    mean = colorize_image(model, photo, **kw)
    ab = np.stack([normalize_ab(rgb_to_lab(d)[..., 1:]) for d in draws])  # n x H x W x 2
    score = diversity_score(torch.from_numpy(ab).permute(0, 3, 1, 2)[:, None].float()) if n > 1 else 0.0
    return draws, mean, score


def plot_vae_histories(histories: dict, axes=None):
    """Reconstruction, KL (nats per latent element), the KL weight and the share of active latent
    channels over training, one line per run (``{name: TrainResult.history}``). A KL that sinks to 0
    with no active latents is posterior collapse: the decoder ignores ``z``."""
    import matplotlib.pyplot as plt

    keys = [("recon", "reconstruction (L1)"), ("kl", "KL per latent element"), ("kl_weight", "KL weight"),
            ("active_latents", "active latent channels")]
    if axes is None:
        _, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3))
    for name, hist in histories.items():
        steps = [h["step"] for h in hist]
        for ax, (k, title) in zip(axes, keys):
            ax.plot(steps, [h.get(k, np.nan) for h in hist], label=name)
            ax.set_title(title)
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    return axes
