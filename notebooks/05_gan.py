# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     provenance: []
#   jupytext:
#     cell_metadata_filter: cellView,jupyter,tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,colab,accelerator
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/05_gan.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/05_gan.ipynb)
#
# # 05 · GANs: a U-Net against a PatchGAN
#
# **What you will learn**
# - the adversarial game: a generator that colours and a discriminator that tells true colour from made-up colour;
# - PatchGAN: a discriminator that judges every 70x70 patch, drawn on a photo (and why on 64x64 photos it
#   judges nearly the whole photo);
# - the adversarial losses `bce` (vanilla), `hinge` and `lsgan`, and where each gives the players gradient;
# - what lambda (the weight of the L1 term) does, with a small sweep;
# - the two-phase recipe (L1 pretraining, then adversarial fine-tuning) and how to read both players' curves;
# - the honest result: whether the GAN is more colourful than the L1 U-Net, and whether its colour is right
#   (ΔE2000 against the gray copy).
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (a few steps per run: numbers are meaningless) |
# | `cpu` | about 14 | 2 CPU cores: 5 min L1 + 6 min GAN + 2 x 0.75 min lambda sweep, 64x64 photos |
# | `gpu` | about 75 | a Colab GPU: 15 min L1 + 25 min GAN + 2 x 5 min sweep, 256x256 photos |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # a `colorkit prepare` folder (or photos) to train on; empty: the course data (downloaded if missing)
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons
ADVERSARIAL = "lsgan"  # "bce" (pix2pix), "hinge" or "lsgan"
L1_WEIGHT = 100.0  # lambda: weight of the L1 term against the adversarial term (pix2pix: 100)
SWEEP = [10.0, 1000.0]  # other lambdas, each a short fine-tuning from the same L1 generator
EVAL_IMAGES = 0  # held-out photos to score; 0 means the preset's eval_images

# %%
# Setup on Colab and Kaggle (elsewhere this cell does nothing): install colorkit as of the version this
# notebook was written for. The runtime's torch and ipywidgets stay (no --upgrade; colorkit asks only
# torch>=2.1, ipywidgets>=7.6); with a GPU the `perceptual` extra (FID/KID) comes too.
# COLORKIT_INSTALL_FROM=<a local clone, or a URL pip accepts> installs from there instead, anywhere.
import os, shutil, subprocess, sys
from pathlib import Path

COLORKIT_SOURCE = "git+https://github.com/colorkit/colorkit@v0.1.0"
source = os.environ.get("COLORKIT_INSTALL_FROM", "")
if source or "google.colab" in sys.modules or os.path.isdir("/kaggle/working"):
    if os.path.isdir(source):
        source = Path(source).resolve().as_uri()
    spec = f"colorkit{'[perceptual]' if shutil.which('nvidia-smi') else ''} @ {source or COLORKIT_SOURCE}"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", spec], capture_output=True, text=True)
    if pip.returncode:
        print(pip.stdout[-2000:], pip.stderr[-4000:], sep="\n")
        raise RuntimeError(f"pip could not install {spec} (its output is above; on Kaggle, turn Internet on)")
    print(f"installed {spec}")
    if "google.colab" in sys.modules:
        import ipywidgets
        from google.colab import output

        if int(ipywidgets.__version__.split(".")[0]) >= 8:  # Colab draws ipywidgets 8 with its custom manager
            output.enable_custom_widget_manager()

# %%
from colorkit.course import lesson_timer
from colorkit.paths import persistent_home
from colorkit.presets import get_preset
from colorkit.runtime import get_device, print_environment, seed_everything

lesson_timer()  # starts the clock of this lesson's `minutes` record
persistent_home(DRIVE)  # DRIVE: mount Google Drive (Colab) or use /kaggle/working
print_environment()
preset = get_preset(PRESET)
device = get_device()
seed_everything(0)
print(preset)

# %% [markdown]
# ## The sample photos
# The same four photos as in every lesson. A regression model (lessons 02 and 03) colours them
# timidly: where a shirt could be red or blue, the L1 loss settles in between, on a dull brown-gray.
# A GAN adds a second network whose only job is to say "this colour looks made up"; the generator
# is rewarded for colour that passes as real.

# %%
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = [load_sample(n) for n in SAMPLE_NAMES]
show_images(photos, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown]
# ## The adversarial game
# Two players take turns on every batch (Goodfellow et al. 2014; for images conditioned on an input,
# pix2pix, Isola et al. 2017):
# - the **discriminator** D sees the gray L together with a colorization ab, and outputs a logit: high for
#   true colour, low for the generator's. Its loss pushes logits up on real pairs and down on generated ones;
# - the **generator** G (our U-Net) colours L and is rewarded when D calls its colour real, plus lambda
#   times the L1 distance to the true colour, which keeps it near the truth while D pushes for plausible colour.
#
# The three losses differ in the gradient each player gets. **bce** (vanilla) in the generator's
# "non-saturating" form, -log D(G(L)), does not saturate: its gradient is largest exactly where D
# confidently calls the colour fake (the original minimax form, log(1 - D(G(L))), is the one that goes flat). **hinge** stops pushing D
# once a logit passes the margin (±1), so D cannot run away. **lsgan** (least squares) keeps pulling
# logits towards their targets, so G still gets gradient from patches D judges confidently.

# %%
from colorkit.course.figures import plot_adversarial_losses

plot_adversarial_losses();

# %% [markdown]
# ## PatchGAN: a verdict for every patch
# A discriminator that outputs one number per image judges the global look. pix2pix's PatchGAN instead
# is fully convolutional: three stride-2 and two stride-1 4x4 convolutions give a map of logits, each
# seeing a 70x70 patch (its *receptive field*). pix2pix's argument for it: whether colour looks real can be
# judged patch by patch (is this patch of grass green enough?), while the L1 term takes care of the global
# layout. That holds where a patch is small against the photo, as on the 256x256 photos of the `gpu` preset:
# below, three logits' patches and the centres of all 30x30 patches on a 256x256 photo. The test suite
# measures the 70x70 by back-propagating one logit to the input pixels.

# %%
import torch

from colorkit.evaluate import square_crop
from colorkit.models import build
from colorkit.models.summary import model_summary
from colorkit.course.figures import plot_receptive_field

D = build("patchgan")
s = model_summary(D, size=256, in_channels=3)
print(f"PatchGAN: {s['params'] / 1e6:.2f} M parameters, {s['flops'] / 1e9:.1f} GFLOPs at 256x256, "
      f"receptive field {D.receptive_field} px, output {tuple(D(torch.zeros(1, 3, 256, 256)).shape)}")
plot_receptive_field(square_crop(photos[0], 256));

# %% [markdown]
# The PatchGAN drawn from the model itself on one 64x64 (L, ab) pair (as the other lessons draw theirs): a plain
# stack of 4x4 convolutions, each box a layer's output, ending in a 6x6 map of verdicts at this size.
#
# At 64x64, the size the `cpu` preset trains at, a 70x70 patch is larger than the photo itself: each of those
# 36 verdicts sees most of the photo or all of it, so under `cpu` the PatchGAN is in effect a *global*
# discriminator with a few overlapping outputs, not the local judge pix2pix designed for 256 px. The line under
# the drawing measures, at this preset's size, how much of the photo one verdict sees (by back-propagating a
# corner logit and the centre one to the input pixels).

# %%
from colorkit.course.diagrams import plot_architecture

plot_architecture(D, size=64, in_channels=3, title="patchgan: L and ab in, one logit per patch out");
S = preset.image_size
x = torch.randn(1, 3, S, S, requires_grad=True)
logits = D.eval()(x)  # eval: BatchNorm's running statistics, no mixing across positions
h, w = logits.shape[-2:]
seen = {}
for where, (i, j) in {"corner": (0, 0), "centre": (h // 2, w // 2)}.items():
    grad, = torch.autograd.grad(logits[0, 0, i, j], x, retain_graph=True)
    seen[where] = (grad.abs().sum(dim=1) > 0).float().mean().item()  # share of pixels that move this verdict
print(f"at {S}x{S} px ({preset.name}): {h}x{w} verdicts; one sees {seen['corner']:.0%} (corner) to "
      f"{seen['centre']:.0%} (centre) of the photo")

# %% [markdown]
# ## One discriminator step and one generator step, written out
# The whole game in a few lines, on a tiny U-Net generator and a tiny PatchGAN (untrained: the arithmetic is
# what matters). **D's step**: colour L with G, *detach* the colorization (D's loss must not train G), ask D
# about the real and the generated pair, and step D. **G's step**: ask D again about the generated pair
# (D's weights frozen for this step), add lambda times L1, and step G. Each loss is computed twice, by hand
# and with colorkit's `discriminator_loss` / `generator_adversarial_loss` (what `colorkit.objectives.gan`
# runs in every training step), for the three kinds of loss: they must agree.

# %%
import torch.nn.functional as F

from colorkit.objectives.gan import discriminator_loss, generator_adversarial_loss

BY_HAND = {  # (discriminator loss on real and fake logits, generator loss on fake logits)
    "bce": (lambda r, f: 0.5 * (F.softplus(-r).mean() + F.softplus(f).mean()),  # -log s(r), -log(1 - s(f))
            lambda f: F.softplus(-f).mean()),  # non-saturating: -log s(f)
    "hinge": (lambda r, f: 0.5 * (F.relu(1 - r).mean() + F.relu(1 + f).mean()), lambda f: -f.mean()),
    "lsgan": (lambda r, f: 0.5 * ((r - 1).pow(2).mean() + f.pow(2).mean()), lambda f: (f - 1).pow(2).mean()),
}
torch.manual_seed(0)
G, D_tiny = build("unet", base_width=4, depth=2), build("patchgan", base_width=8, n_layers=2)
opt_g, opt_d = (torch.optim.Adam(n.parameters(), lr=2e-4, betas=(0.5, 0.999)) for n in (G, D_tiny))
L_b, ab_b = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 2, 32, 32) * 0.6 - 0.3
for kind, (d_loss, g_loss) in BY_HAND.items():
    fake = G(L_b)
    real_logits, fake_logits = D_tiny(L_b, ab_b), D_tiny(L_b, fake.detach())  # D step: G is not trained
    loss_d = d_loss(real_logits, fake_logits)
    assert torch.allclose(loss_d, discriminator_loss(real_logits, fake_logits, kind), atol=1e-6)
    opt_d.zero_grad(); loss_d.backward(); opt_d.step()
    D_tiny.requires_grad_(False)  # G step: D frozen
    adv = g_loss(D_tiny(L_b, fake))
    assert torch.allclose(adv, generator_adversarial_loss(D_tiny(L_b, fake), kind), atol=1e-6)
    loss_g = L1_WEIGHT * F.l1_loss(fake, ab_b) + adv
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()
    D_tiny.requires_grad_(True)
    print(f"{kind:5s}: D loss {loss_d.item():.4f}, G adversarial {adv.item():.4f} (by hand = colorkit)")

# %% [markdown]
# ## Data
# Training photos come from the **train** split of the course data: lesson 01's prepared data if it is on
# disk, else `lesson_source` prepares it now (downloading the preset's dataset, its size announced: this
# lesson also works opened alone on a fresh runtime), or of `DATA`. Scores use the **test** split, which no
# run trains on. Under `smoke`, or offline without `DATA`, a banner says that the built-in photos stand in
# (split the same way: the photos scored are never trained on).

# %%
from colorkit.course import lesson_source, record_data
from colorkit.evaluate import load_images
from colorkit.course.generative import lesson_data

source = lesson_source(preset, DATA)
train_data, val_data = lesson_data(preset, source)
truths, _ = load_images(source, preset.image_size, split="test", limit=EVAL_IMAGES or preset.eval_images)
print(f"training on {len(train_data[0])} photos from {source} at {preset.image_size} px; scoring {len(truths)}")
record_data(source, train_images=len(train_data[0]), eval_images=len(truths))

# %% [markdown]
# ## The two-phase recipe
# Started from scratch, a GAN's generator paints noise for its first steps while the discriminator wins
# easily, and the adversarial term pushes for colour before the generator has learnt where colour goes
# (exercise 2 trains the classic pix2pix that way: see where it lands). So we split the budget:
# 1. **phase 1**: train the U-Net with L1 alone (a sensible but dull colorizer, as in lesson 03);
# 2. **phase 2**: fine-tune it against a fresh PatchGAN with `lsgan`, lambda = 100 (pix2pix's value), Adam
#    (0.5, 0.999) at 2e-4 for both players, a learning rate that decays to zero (the last steps settle instead of
#    oscillating), and `balance=True` (D skips its update while it wins outright).
#
# What lambda buys and what it costs was measured in longer trials, made while colorkit's reference models
# were trained: the U-Net GAN for 15 minutes at several lambdas, the two phases in one run and mostly with the
# metric itself (CIEDE2000) as the reconstruction term. The table below is read from a recorded file that names
# the command, commit and machine; the lines under it compare its rows. This run's own numbers are in "The
# honest table" further down (its lambda sweep fine-tunes for much shorter, see the budget table at the top),
# and the two lines printed under it say whether this GAN came closer to the truth's colorfulness than the L1
# U-Net and stayed below the gray copy. What to look for: how much colour the GAN adds, and what it costs in
# ΔE2000.
#
# The engine is the same as in lessons 02 and 03: the GAN is just another *objective* (generator step +
# discriminator step) with the same budget, checkpoints, resume and NaN guard.

# %%
from colorkit.course.recorded import recorded_frame, show_recorded

show_recorded("05_gan_lambda")
trials = recorded_frame("05_gan_lambda")
by_metric = trials[trials["reconstruction loss"] == "de2000"].sort_values("lambda")
print("CIEDE2000 reconstruction, lambda from small to large:", "; ".join(
    f"{r['lambda']}: {r['vs gray copy']:+.2f} against the gray copy at colourfulness {r['colourfulness']:.1f}"
    for _, r in by_metric.iterrows()))
print("at or above the gray copy's ΔE2000 (no better than no colour):",
      "; ".join(trials.index[trials["vs gray copy"] >= 0]) or "none")

# %%
from colorkit.course.generative import gan_lesson_configs
from colorkit.paths import runs_dir
from colorkit.train import train

runs = gan_lesson_configs(preset, runs_dir("05_gan", preset.name), adversarial=ADVERSARIAL,
                          l1_weight=L1_WEIGHT, sweep=SWEEP)
results = {}
for name in ("L1 U-Net", "U-Net GAN"):
    print(f"--- {name}")
    results[name] = train(runs[name], train_data, val_data)

# %% [markdown]
# ## Both players' curves
# Read them together. The **D loss** should hover, not fall to zero (D winning outright: its verdicts become
# so confident that G learns nothing) nor climb (D lost: G can paint anything). The **logits** on real and
# generated pairs should stay apart but not diverge. G's **L1** usually rises a little when the adversarial
# phase starts: that is the price of leaving the safe average colour. The engine also watches this for you: it
# prints a warning when D wins outright or when G collapses to one colour for every image.

# %%
from colorkit.course.figures import plot_gan_history

plot_gan_history(results["U-Net GAN"].history, title=f"U-Net GAN ({ADVERSARIAL}, lambda = {L1_WEIGHT:g})");

# %% [markdown]
# ## What lambda does
# Short fine-tunings from the same L1 generator, with other L1 weights. A small lambda (10) gives the
# adversarial term more say: expect more colour, and more of it wrong. A very large lambda (1000) should keep G
# close to its L1 self. These runs are short, so the honest table below shows whether that happened here: we
# score every run on the held-out photos, ΔE2000 (colour error, lower is better) against colorfulness (Hasler
# and Suesstrunk; the truth's is the target).

# %%
from colorkit.course import record_training

for name in [n for n in runs if n.startswith("lambda=")]:
    print(f"--- {name}")
    results[name] = train(runs[name], train_data, val_data)
record_training(results)  # minutes of each run

# %% [markdown]
# ## The honest table
# Every model on the same held-out photos, next to the gray copy (no colour at all) and the truth itself.
# If lesson 03 trained its U-Net under this preset, it is scored too.

# %%
from colorkit.evaluate import load_model
from colorkit.paths import checkpoint_path, list_checkpoints
from colorkit.course import record_table
from colorkit.course.why_brown import lab_table, plot_de_vs_colorfulness

models = {name: r.model.eval() for name, r in results.items()}
if "unet" in list_checkpoints(preset.name):
    models["U-Net of lesson 03"] = load_model(checkpoint_path("unet", preset.name))
else:
    print("lesson 03's U-Net is not on disk here (run lesson 03 first, or set DRIVE = True in both): "
          "this lesson's own L1 U-Net is the comparison")
table, preds = lab_table(models, truths)
plot_de_vs_colorfulness(table, title="U-Net GAN vs L1 U-Net (held-out photos)");
record_table(table)  # ΔE2000, PSNR and colorfulness of each row
table.round(3)

# %%
gan, l1, gray, truth = (table.loc[k] for k in ("U-Net GAN", "L1 U-Net", "gray copy", "truth"))
print(f"colorfulness: GAN {gan.cf:.1f}, L1 U-Net {l1.cf:.1f}, truth {truth.cf:.1f} -> GAN closer to the truth: "
      f"{abs(gan.cf - truth.cf) < abs(l1.cf - truth.cf)}")
print(f"ΔE2000: GAN {gan.de2000:.2f}, L1 U-Net {l1.de2000:.2f}, gray copy {gray.de2000:.2f} -> GAN below gray: "
      f"{gan.de2000 < gray.de2000}")

# %% [markdown]
# ## The sample photos, for every lambda
# Top to bottom: the gray copy, the L1 U-Net (phase 1 alone), the GAN fine-tunings with lambda = 10, 100
# (the U-Net GAN) and 1000, the original. This is the lambda sweep of the table as pictures: the smaller
# lambda, the more the adversarial term has its say. Colorized as in every lesson (`colorize_samples`: the
# model at its training size, the colour upsampled to the photo's full size).

# %%
from colorkit.course.progress import colorize_samples

order = ["L1 U-Net"] + sorted([n for n in results if n != "L1 U-Net"],
                              key=lambda n: float(n.split("=")[1]) if n.startswith("lambda=") else L1_WEIGHT)
rows = colorize_samples({(f"GAN, lambda = {L1_WEIGHT:g}" if n == "U-Net GAN" else n): results[n].model
                         for n in order}, photos, work_size=preset.image_size)
show_images([im for row in rows.values() for im in row], ncols=4, size=2.2,
            titles=[f"{n}: {s}" for n in rows for s in SAMPLE_NAMES]);

# %% [markdown]
# ## Save the generator for lessons 06 and 07
# The checkpoint keeps the generator (and, for resuming, the discriminator and both optimizers); later
# lessons find it under `checkpoint_path("unet_gan", preset)`.

# %%
from colorkit.checkpoint import export_checkpoint

saved = export_checkpoint(results["U-Net GAN"].checkpoint, checkpoint_path("unet_gan", preset.name))
print("saved", saved)

# %% [markdown]
# ## The course so far
# The same sample photos, colorized the same way (`colorize_samples`) by every model the course has saved
# under this preset so far, in the order the lessons train them, between the gray copy and the original.
# Lesson 05 adds the U-Net GAN: compare its row with the U-Net's.
# A row you expect is missing when its lesson has not run under this preset on this machine (on Colab, set
# `DRIVE = True` in every lesson so the checkpoints outlive the runtime).
#
# The last rows before the original, `reference_unet` and `reference_unet_gan`, are the reference models that
# ship with colorkit (`colorkit.reference`): the U-Net of lesson 03 and the U-Net GAN of lesson 05, trained for
# longer on one CPU core. They show what these models reach with more training than a lesson can give; the
# lines printed above the strip, read from their model cards, say how long they trained and how they score.

# %%
from colorkit.course.progress import progress_strip

strip = progress_strip(preset, photos, titles=SAMPLE_NAMES)

# %%
from colorkit.course import record_minutes

record_minutes()  # this lesson's wall-clock minutes; RECORD lines stay in the executed notebook

# %% [markdown]
# ## Exercises
# Each exercise has a level, a hint, and a solution below it that stays folded until you open it.

# %% [markdown]
# ### Exercise 1 · easy · bce and hinge against lsgan
# Fine-tune the U-Net GAN with `adversarial="bce"` and `"hinge"` instead of `"lsgan"`: compare the curves and
# the table. Which loss keeps the discriminator from winning outright? Before you train, by hand: where D is
# sure that a patch is fake, its logit is low, say -3. What is the slope of G's `bce` loss, `-log s(f)` (s the
# sigmoid), with respect to that logit f at f = -3? Enter it in the check cell.
#
# **Hint:** the lesson's `runs_dir("05_gan", ...)` holds a run with the old settings, which `train` refuses to
# resume with new ones. Copy `runs["U-Net GAN"]` with `dataclasses.replace`,
# changing `extra["adversarial"]` and `out_dir`.
#
# **Time:** about 12 minutes on a CPU under `cpu` (two 6-minute fine-tunes), then under a minute of scoring.

# %% tags=["answer"]
answer = None  # your number: the slope d(-log s(f))/df at f = -3

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check
from colorkit.objectives.gan import generator_adversarial_loss

f = torch.tensor(-3.0, requires_grad=True)
check(answer, expected=torch.autograd.grad(generator_adversarial_loss(f, "bce"), f)[0].item(), tol=1e-3,
      what="the slope of G's bce loss at logit -3");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import dataclasses

print(f"slope of -log s(f) at f = -3: -(1 - s(-3)) = {-(1 - torch.sigmoid(torch.tensor(-3.0))).item():.4f}")
cfg = runs["U-Net GAN"]  # starts from this lesson's L1 U-Net (init_generator)
by_loss = {ADVERSARIAL: results["U-Net GAN"]}
for adv in [a for a in ("bce", "hinge", "lsgan") if a != ADVERSARIAL]:
    c = dataclasses.replace(cfg, extra={**cfg.extra, "adversarial": adv},
                            out_dir=str(runs_dir("05_gan_" + adv, preset.name)))
    by_loss[adv] = train(c, train_data, val_data)
for adv, r in by_loss.items():
    plot_gan_history(r.history, title=adv);
    game = [h for h in r.history if "d_wins" in h]
    print(f"{adv:5s}: D wins outright at {sum(h['d_wins'] for h in game):.0f} of {len(game)} logged steps, "
          f"final D accuracy {game[-1]['d_acc']:.2f}")
loss_table, _ = lab_table({f"U-Net GAN ({adv})": r.model.eval() for adv, r in by_loss.items()}, truths)
loss_table.round(3)

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The slope of `-log s(f)` is `-(1 - s(f))`: close to -1 wherever D is sure the colour is fake, so in this
# non-saturating form the generator's gradient does **not** vanish when D wins (the original minimax form,
# `log(1 - s(f))`, is the one that goes flat there). What goes wrong with `bce` is the discriminator: its loss
# keeps rewarding ever more confident logits, so once it separates real from fake nothing holds it back, and
# G is then steered by a discriminator that rejects everything it paints (the engine's "D wins" warning). The
# hinge loss stops training D on a patch once its logit passes the margin, and the least-squares loss (`lsgan`,
# Mao et al. 2017) pulls D's logits towards fixed targets instead of to infinity, so D should win outright
# less often; here `balance=True` also skips D's update while it wins. The printed counts say how often D won
# on this run (on a short budget, possibly never).
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · Classic pix2pix
# Train the classic pix2pix way: one run of `unet_gan` from scratch with `extra=colorkit.objectives.gan.PIX2PIX`
# (bce, lambda 100, constant learning rate, no pretraining). Where does it land on the ΔE2000-vs-colorfulness plot?
#
# **Hint:** `dataclasses.replace(runs["U-Net GAN"], extra=dict(PIX2PIX), out_dir=...)`: the new `extra` has no
# `init_generator`, so the generator starts from scratch.
#
# **Time:** about 6 minutes on a CPU under `cpu` (one run with the U-Net GAN's budget).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import dataclasses

from colorkit.objectives.gan import PIX2PIX

c = dataclasses.replace(runs["U-Net GAN"], extra=dict(PIX2PIX), out_dir=str(runs_dir("05_pix2pix", preset.name)))
pix2pix = train(c, train_data, val_data)
table2, _ = lab_table({"L1 U-Net": results["L1 U-Net"].model.eval(), "U-Net GAN (two phases)":
                       results["U-Net GAN"].model.eval(), "pix2pix (from scratch)": pix2pix.model.eval()}, truths)
plot_de_vs_colorfulness(table2, title="pix2pix from scratch against the two-phase recipe");
print(table2[["de2000", "cf"]].round(3).to_string())

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# With the same budget but no L1 phase first, the generator spends its first steps fighting a discriminator
# with a random mapping: on a short budget pix2pix usually lands at a higher ΔE2000 than the two-phase
# recipe, often with blotchy colour (compare the printed rows). It needs the long training of the paper.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · Spectral normalization in D
# Turn on spectral normalization in the discriminator (`extra={"discriminator": {"spectral_norm": True}}`,
# keyword arguments of `colorkit.models.patchgan.PatchGAN`). Does the D loss curve get smoother?
#
# **Hint:** merge it into the copied config's `extra` (keep `init_generator`) and give the run its own `out_dir`.
#
# **Time:** about 6 minutes on a CPU under `cpu` (one fine-tune).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import dataclasses

import numpy as np

cfg = runs["U-Net GAN"]  # starts from this lesson's L1 U-Net (init_generator)
c = dataclasses.replace(cfg, extra={**cfg.extra, "discriminator": {"spectral_norm": True}},
                        out_dir=str(runs_dir("05_gan_sn", preset.name)))
sn = train(c, train_data, val_data)
plot_gan_history(sn.history, title="spectral norm in D");
for name, r in (("without SN", results["U-Net GAN"]), ("with SN", sn)):
    d = [h["loss_d"] for h in r.history if "loss_d" in h]
    print(f"{name}: D loss from {d[0]:.3f} to {d[-1]:.3f}, mean change between logged steps "
          f"{np.abs(np.diff(d)).mean() if len(d) > 1 else float('nan'):.4f}")

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# Spectral normalization bounds each layer's Lipschitz constant (Miyato et al. 2018): D cannot sharpen its
# decision without limit, so its loss should move more slowly and smoothly (a smaller mean change between
# logged steps) and it should win outright less often. The price is a weaker D, hence a gentler push towards
# vivid colour. The printed numbers say whether the curve was smoother on this run.
#
# </details>

# %% [markdown]
# ### Exercise 4 · medium · A generator without skips
# Try a plain encoder-decoder generator (`model="gan"`, `colorkit.models.gan_generator`), the kind of generator
# of the "GAN" in J. Shreekumar's six-model comparison (*Image Colorization*, a course project for ECE 60131,
# Learning and Inference in Generative Models, December 2025): convolutions down, transposed convolutions up,
# no U-Net skips. Without skip connections, what happens to edges and small objects? And by hand, from its
# `depth`: how many pixels wide is its bottleneck (the encoder's last map) for a photo of this preset's
# training size, `preset.image_size`? Enter it in the check cell.
#
# **Hint:** the L1 U-Net's weights do not fit this network: drop `init_generator` from `extra`, and use
# `colorkit.train.default_model_kwargs("gan", preset)` as `model_kwargs`.
#
# **Time:** about 6 minutes on a CPU under `cpu` (one run from scratch with the U-Net GAN's budget).

# %% tags=["answer"]
answer = None  # your number: the bottleneck's width in pixels at preset.image_size

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check
from colorkit.train import default_model_kwargs

plain = build("gan", **default_model_kwargs("gan", preset)).eval()
with torch.no_grad():
    width = plain.encoder(torch.zeros(1, 1, preset.image_size, preset.image_size)).shape[-1]
check(answer, expected=width, tol=0, what=f"the bottleneck's width at {preset.image_size} px");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import dataclasses

from colorkit.colorize import colorize_image
from colorkit.train import default_model_kwargs

gan_kw = default_model_kwargs("gan", preset)
print(f"bottleneck: {preset.image_size} px / 2**{gan_kw['depth']} = {preset.image_size // 2 ** gan_kw['depth']} px wide")
cfg = runs["U-Net GAN"]  # its budget and settings; init_generator is dropped below
c = dataclasses.replace(cfg, model="gan", model_kwargs=gan_kw,
                        extra={k: v for k, v in cfg.extra.items() if k != "init_generator"},
                        out_dir=str(runs_dir("05_gan_plain", preset.name)))
no_skips = train(c, train_data, val_data)
show_images([colorize_image(no_skips.model, p, work_size=preset.image_size) for p in photos],
            titles=list(SAMPLE_NAMES), ncols=4);
skips_table, _ = lab_table({"U-Net GAN": results["U-Net GAN"].model.eval(), "plain GAN": no_skips.model.eval()}, truths)
print(skips_table["de2000"].round(3).to_string())

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# Everything the decoder knows passes through the low-resolution bottleneck: expect colour that comes out
# blurred, bleeds across edges and misses small objects (the full-resolution L is put back by
# `colorize_image`, so the photo stays sharp but its colour does not). The U-Net's skips carry the fine
# positions straight to the decoder. The bottleneck: each of the `depth` stride-2 convolutions halves the size,
# so it is `preset.image_size / 2**depth` pixels wide (`default_model_kwargs("gan", preset)["depth"]`), the
# number printed first. This run also starts from scratch, without the L1 phase, so compare the printed
# ΔE2000 with that in mind.
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · A perceptual term
# With ImageNet VGG16 weights available, add `perceptual_weight=1.0` to the GAN's settings. Does the perceptual
# term change ΔE2000?
#
# **Hint:** `colorkit.objectives.gan.GAN_DEFAULTS` lists `perceptual_weight` and `perceptual_weights` (True: the
# torch hub cache, or a path to `vgg16-397923af.pth`); without the weights the run is refused, never trained
# with a random VGG.
#
# **Time:** about 6 minutes on a CPU under `cpu` (one fine-tune; the VGG makes each step slower, so it takes
# fewer steps), plus the one download of the weights (528 MB) if they are not cached.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import dataclasses
from pathlib import Path

import torchvision.models as tvm

from colorkit.objectives.gan import PerceptualWeightsUnavailable

vgg_file = Path(torch.hub.get_dir()) / "checkpoints" / Path(tvm.VGG16_Weights.IMAGENET1K_V1.url).name
cfg = runs["U-Net GAN"]  # starts from this lesson's L1 U-Net (init_generator)
c = dataclasses.replace(cfg, extra={**cfg.extra, "perceptual_weight": 1.0},
                        out_dir=str(runs_dir("05_gan_perceptual", preset.name)))
if preset.name == "smoke" and not vgg_file.is_file():  # smoke downloads nothing
    print(f"skipped under smoke: no VGG16 weights at {vgg_file} (under cpu or gpu the run downloads them once)")
else:
    try:
        vgg_run = train(c, train_data, val_data)
        vgg_table, _ = lab_table({"U-Net GAN": results["U-Net GAN"].model.eval(),
                                  "U-Net GAN + VGG": vgg_run.model.eval()}, truths)
        print(vgg_table[["de2000", "cf"]].round(3).to_string())
    except PerceptualWeightsUnavailable as e:  # offline and not cached: the run is refused
        print(e)

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The VGG distance compares features (edges, textures), not colour values pixel by pixel, so expect it to move
# ΔE2000 little: against an L1 weight of 100 a weight of 1 is small (compare the printed rows). It can make
# textures and colour boundaries look more natural, which ΔE2000 does not measure.
#
# </details>
