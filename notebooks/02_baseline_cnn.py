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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/02_baseline_cnn.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/02_baseline_cnn.ipynb)
#
# # 02 · A first colorizer: the baseline CNN, and why it comes out gray-brown
#
# **What you will learn**
# - how a colorizer is set up as regression: normalized L in, normalized ab out (tanh keeps it in range);
# - two baselines from earlier student reports: an encoder-decoder CNN and a "ResNet" baseline (a ResNet
#   downsampler, a plain upsampler);
# - how far one predicted pixel can see (its receptive field, computed from the layers and checked with a
#   gradient), and what it cannot see;
# - the one training engine every lesson uses (`colorkit.train`): budget, schedule, live curves, checkpoints;
# - L2 against L1: what each loss asks the network to predict when several colours are plausible;
# - why both come out desaturated, read off the predicted against the true ab distribution;
# - how to read every score next to the gray copy.
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (a few steps per run: numbers are meaningless) |
# | `cpu` | about 10 | 2 CPU cores: three 2.5-minute runs on 64x64 photos, then scoring |
# | `gpu` | about 30 | a Colab GPU: three 8-minute runs on 256x256 photos |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # a `colorkit prepare` folder (or photos) to train on; empty: the course data (downloaded if missing)
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons
EVAL_IMAGES = 0  # held-out photos to score; 0 means the preset's eval_images
RESUME = False  # True: continue interrupted runs from their last checkpoint instead of starting over

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
# The same four photos as in every lesson. Here we train our first networks to colorize them from their
# lightness alone.

# %%
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = [load_sample(n) for n in SAMPLE_NAMES]
show_images(photos, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown]
# ## Colorization as regression
# The network reads **normalized L** (`L / 50 - 1`, in [-1, 1]) and writes **normalized ab** (`ab / 110`),
# squashed into [-1, 1] by a final `tanh`. Two networks that earlier student reports used as their
# baselines:
#
# - **baseline CNN**, the baseline of *Picture Colourization* (He, Imran, Siddiqua and You, APS360 final
#   report, University of Toronto): three (conv, ReLU, max-pool) stages widen 1 -> w -> 2w -> 4w channels
#   while shrinking the image 8x; three transposed convolutions grow it back to two ab channels. Every
#   detail must pass through the 1/8-size bottleneck.
# - **ResNet baseline**, the first model of *Image Colorization* (Jayanth Shreekumar, ECE 60131 report,
#   December 2025): the first stages of a ResNet-18 (residual blocks: each learns a correction added to
#   its input, which trains deeper stacks) as the downsampler, and a plain (upsample, conv) decoder.
#
# `model_summary` counts parameters and the floating-point operations of one 256x256 forward pass.

# %%
import pandas as pd

from colorkit.models import build
from colorkit.models.summary import model_summary
from colorkit.course.supervised import RUNS_02, lesson_config
from colorkit.paths import runs_dir

configs = {run: lesson_config(preset, run, runs_dir("02_baseline_cnn", preset.name)) for run in RUNS_02}
pd.DataFrame({run: {"model": c.model, "kwargs": c.model_kwargs, "loss": c.loss,
                    **{k: f"{v / 1e6:.2f} M" for k, v in model_summary(build(c.model, **c.model_kwargs)).items()}}
              for run, c in configs.items()}).T

# %% [markdown]
# The two networks drawn from the models themselves: `plot_architecture` runs one 64x64 L through a model and
# draws each stage's output as a box, higher for a higher resolution, wider for more channels. The baseline
# is an hourglass: everything the decoder (right) knows passes through the bottleneck at the bottom.

# %%
import matplotlib.pyplot as plt

from colorkit.course.diagrams import plot_architecture

fig, axes = plt.subplots(1, 2, figsize=(14, 3.6))
for ax, run in zip(axes, ("baseline_l1", "resnet_baseline")):
    c = configs[run]
    plot_architecture(build(c.model, **{k: v for k, v in c.model_kwargs.items() if k != "pretrained"}),
                      size=64, ax=ax, title=c.model)
plt.tight_layout()

# %% [markdown]
# ## How far one predicted pixel can see
# A predicted colour depends only on the input pixels in its *receptive field*. Walk the encoder from the
# input: a layer with kernel k widens the field by (k - 1) steps of the current *jump* (how many input
# pixels one step of that layer's input spans), and a layer with stride s multiplies the jump by s. The
# decoder adds nothing: a transposed convolution with kernel 2 and stride 2 makes each output pixel from
# exactly one input cell, so all 64 pixels of an 8x8 block read the same bottleneck cell. The second cell
# checks the arithmetic with a gradient: which input pixels change one output pixel at all (the model in
# `eval` mode, so BatchNorm does not mix pixels through batch statistics; a batch of random inputs, so
# that every max-pool position is chosen by some input).

# %%
from torch import nn


def receptive_field(encoder):
    rf, jump = 1, 1
    for layer in encoder:
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            k, s = (v if isinstance(v, int) else v[0] for v in (layer.kernel_size, layer.stride))
            rf, jump = rf + (k - 1) * jump, jump * s
            print(f"{type(layer).__name__:9s} k={k} s={s}: field {rf:2d} px, jump {jump}")
    return rf


baseline = build(configs["baseline_l1"].model, **configs["baseline_l1"].model_kwargs)
rf = receptive_field(baseline.encoder)

# %%
import torch

torch.manual_seed(0)
x = torch.randn(64, 1, 64, 64, requires_grad=True)
baseline.eval()
windows = []
for i, j in ((32, 32), (39, 33)):  # two output pixels of the same 8x8 block
    x.grad = None
    baseline(x)[:, :, i, j].sum().backward()
    seen = x.grad.abs().sum(dim=(0, 1)) > 0  # the input pixels that move this output pixel
    rows, cols = seen.any(1).nonzero().ravel(), seen.any(0).nonzero().ravel()
    windows.append((int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max()), int(seen.sum())))
    print(f"output pixel ({i}, {j}) sees input rows {windows[-1][0]}-{windows[-1][1]}, "
          f"columns {windows[-1][2]}-{windows[-1][3]}: {windows[-1][4]} pixels")
top, bottom, left, right, n = windows[0]
assert bottom - top + 1 == right - left + 1 == rf and n == rf * rf and windows[1] == windows[0]
print(f"the gradient agrees with the layers: a {rf}x{rf} window, the same for the whole 8x8 block")

# %% [markdown]
# What that window cannot see. The network reads L alone, through a window of that size, and the same
# weights slide over the whole photo: away from the border (where the zero padding shows) it does not know
# where in the photo a window sits, nor what lies beyond it. A smooth bright patch looks the same whether it
# is a sky, a white wall or snow; what would tell them apart (a horizon, a roof line, the top edge of the
# photo) is context outside the window. Below, the window drawn to scale on a sample photo at this preset's
# training size and at 256 px; the printed share says how much of the photo one colour decision reads.

# %%
from matplotlib.patches import Rectangle

from colorkit.data.prepare import resize_square

sizes = sorted({preset.image_size, 256})
fig, axes = plt.subplots(1, len(sizes), figsize=(3.2 * len(sizes), 3.4), squeeze=False)
for ax, size in zip(axes[0], sizes):
    ax.imshow(resize_square(photos[SAMPLE_NAMES.index("chelsea")], size)[0])
    ax.add_patch(Rectangle(((size - rf) / 2, (size - rf) / 2), rf, rf, fill=False, color="red", lw=2))
    ax.set_title(f"{size} px photo, {rf} px window"); ax.axis("off")
    print(f"at {size} px one predicted colour reads a window {rf / size:.0%} of the photo's width "
          f"({rf * rf / size ** 2:.1%} of its area)")
plt.tight_layout()

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
# ## One training step, written out
# Everything the engine below does, thousands of times, is this: predict ab from L, measure the error (L1
# here: the mean absolute difference), back-propagate it to every weight, and let the optimizer (AdamW)
# move each weight a little downhill. Below, one such step by hand on a copy of a small baseline CNN, and
# the same step through colorkit's regression objective (`colorkit.objectives.regression.Regression`, what
# `train` calls at every step): afterwards both copies must hold the same weights.

# %%
import copy

import torch

from colorkit.objectives.regression import Regression
from colorkit.train import TrainConfig

torch.manual_seed(0)
net = build("baseline_cnn", width=8)
by_hand = copy.deepcopy(net)
L_batch, ab_batch = torch.rand(4, 1, 32, 32) * 2 - 1, torch.rand(4, 2, 32, 32) * 0.6 - 0.3
cfg = TrainConfig.from_preset(preset, model="baseline_cnn", loss="l1", schedule="constant", grad_clip=None)

opt = torch.optim.AdamW(by_hand.parameters(), lr=cfg.lr, betas=cfg.betas, weight_decay=cfg.weight_decay)
loss = (by_hand(L_batch) - ab_batch).abs().mean()  # L1: predict, measure
opt.zero_grad()
loss.backward()  # every weight's gradient
opt.step()  # one step downhill

objective = Regression({"generator": net}, cfg)
objective.setup("cpu")
objective.set_progress(0.0)  # the learning-rate schedule's start (constant here)
logs = objective.training_step((L_batch, ab_batch), step=0)
same = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(by_hand.parameters(), net.parameters()))
print(f"loss by hand {loss.item():.5f}, colorkit {logs['loss']:.5f}; same weights after the step: {same}")
assert same and abs(loss.item() - logs["loss"]) < 1e-6

# %% [markdown]
# ## The training engine
# `colorkit.train.train(config, train_data, val_data)` is the loop of every lesson: AdamW with a one-cycle
# learning rate (warm up, then decay to almost zero as the budget runs out: `max_minutes` or `max_steps`),
# a progress bar, a live plot of the losses, validation on fixed held-out photos, TensorBoard logs
# (`tensorboard --logdir runs/`), and a checkpoint (`last.pt`) written atomically at every validation.
# Interrupt the kernel and nothing is lost: set `RESUME = True` and it continues where it stopped.
#
# Three runs: the baseline with **L2** (mean squared error), the same with **L1** (mean absolute error),
# and the ResNet baseline with L1.

# %%
from colorkit.course import record_training
from colorkit.train import train

results = {}
for run, cfg in configs.items():
    print(f"--- {run}: {cfg.model}, loss {cfg.loss}, {cfg.max_minutes or cfg.max_steps} {'min' if cfg.max_minutes else 'steps'}")
    results[run] = train(cfg, train_data, val_data, resume=RESUME)
    print(f"{results[run].step} steps, {results[run].images_per_second:.0f} images/s")
record_training(results)  # minutes of each run

# %% [markdown]
# ## Scores next to the gray copy
# ΔE2000 is the perceptual colour difference to the original photo (lower is better, about 1 is just
# noticeable; the often-quoted 2.3 is the just-noticeable difference of the older CIE76 ΔE*ab); `cf` is colorfulness (Hasler and Süsstrunk) and `dcf` its difference to the original's
# (negative: duller than the truth). The gray copy's row is what doing nothing scores.

# %%
from colorkit.evaluate import predict_images
from colorkit.course import record_table
from colorkit.evaluate.metrics import score_vs_gray

preds = {run: predict_images(r.model, truths)[0] for run, r in results.items()}
tables = [score_vs_gray(p, truths, name=run) for run, p in preds.items()]
table = pd.concat([tables[0].iloc[:1]] + [t.iloc[1:] for t in tables])
record_table(table)  # ΔE2000, PSNR and colorfulness of each row
table.round(3)

# %% [markdown]
# ## The sample photos, colorized
# Top to bottom: gray copy, baseline L2, baseline L1, ResNet baseline, original. Every lesson colorizes
# the sample photos the same way (`colorkit.course.progress.colorize_samples`): each photo at its own full
# size, the model predicting colour at the size it was trained at (the preset's `image_size`) and the colour
# upsampled, as `colorkit colorize` does. So the pictures of one lesson can be set beside another's.

# %%
from colorkit.course.progress import colorize_samples

rows = colorize_samples({run: r.model for run, r in results.items()}, photos, work_size=preset.image_size)
show_images([im for row in rows.values() for im in row], ncols=4,
            titles=[f"{name}: {s}" for name in rows for s in SAMPLE_NAMES]);

# %% [markdown]
# ## L1 and L2 on one ambiguous pixel
# First a toy with one number. A kind of pixel is blue (b* about -40) 40 % of the time and orange (b* about
# +50) 60 % of the time, and nothing in its L says which; the network must give one answer `c` for all of them.
# **L2**, the mean squared error, is smallest at the *mean*: 0.4 x (-40) + 0.6 x 50 = 14, a dull colour
# between the two modes that almost no pixel has. **L1**, the mean absolute error, is smallest at the
# *median*, which here falls inside the majority colour. Neither can answer "blue *or* orange": a regression
# gives one colour per pixel, and lesson 04 (several draws) and lesson 06 (a distribution over colours) are
# the ways out. The plot computes both losses for every answer `c` on 4,000 such pixels.

# %%
from colorkit.course.why_brown import plot_l1_l2_toy

toy = plot_l1_l2_toy()
print(f"mean {toy['mean']:.1f} -> L2's answer {toy['l2_best']:.1f}; median {toy['median']:.1f} -> L1's answer {toy['l1_best']:.1f}")

# %% [markdown]
# ## Why so brown? The predicted against the true ab distribution
# A photo's L does not decide its colours: a car may be red or blue. For a pixel whose colour could be
# blue (ab about (0, -40)) or orange (about (30, 50)), **L2** is smallest at the *mean* of the
# possibilities, a dull brown-gray near the centre; **L1** at the *median*, which for two equally likely
# colours can be anything in between and for a mostly-gray world is often exactly gray. Either way the
# network learns to hedge, and hedging means desaturating. The 2-D histograms show it: the true ab values
# spread far from the centre, the predicted ones crowd around (0, 0). The chroma (distance from gray)
# histogram on the right says the same in one number.

# %%
import matplotlib.pyplot as plt
import numpy as np

from colorkit.course.supervised import chroma, predicted_ab
from colorkit.viz import ab_histogram
from colorkit.color import denormalize_ab

L_val, ab_val = val_data
true_ab = denormalize_ab(ab_val.permute(0, 2, 3, 1).numpy())
pred_ab = {run: predicted_ab(r.model, L_val) for run, r in results.items()}
fig, axes = plt.subplots(1, len(pred_ab) + 2, figsize=(4 * (len(pred_ab) + 2), 3.6))
ab_histogram(true_ab, ax=axes[0], title="true ab")
for ax, (run, ab) in zip(axes[1:], pred_ab.items()):
    ab_histogram(ab, ax=ax, title=f"predicted: {run}")
bins = np.linspace(0, 80, 41)
axes[-1].hist(chroma(true_ab).ravel(), bins, histtype="step", density=True, label="true", lw=2)
for run, ab in pred_ab.items():
    axes[-1].hist(chroma(ab).ravel(), bins, histtype="step", density=True, label=run)
axes[-1].set(xlabel="chroma (LAB units)", yscale="log", title="chroma"); axes[-1].legend(fontsize=8)
plt.tight_layout()
print({"true": round(float(chroma(true_ab).mean()), 1), **{r: round(float(chroma(a).mean()), 1) for r, a in pred_ab.items()}})

# %% [markdown]
# ## Save the models for later lessons
# Lessons 06 (evaluate) and 07 (colorize your photos) find checkpoints under `runs/checkpoints/<preset>/`.

# %%
from colorkit.course.supervised import save_for_later_lessons

for run, name in (("baseline_l1", "baseline_cnn"), ("resnet_baseline", "resnet_baseline")):
    print("saved", save_for_later_lessons(results[run], name, preset))

# %% [markdown]
# ## The course so far
# The same sample photos, colorized the same way (`colorize_samples`) by every model the course has saved
# under this preset so far, in the order the lessons train them, between the gray copy and the original.
# On a first run through the course there are two rows so far, lesson 02's baselines; each later lesson adds its models.
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
# ### Exercise 1 · easy · Smooth L1
# Train the baseline with `loss="smooth_l1"` (the Huber loss). Where does it land between L1 and L2, in
# ΔE2000 and in colorfulness?
#
# **Hint:** `lesson_config(preset, "baseline_l1", runs_dir("02_baseline_cnn", preset.name), loss="smooth_l1")` gives the same run with another loss; write it to its own folder (`out_dir=...`).
#
# **Time:** about 3 minutes on a CPU under `cpu` (one more 2.5-minute run, then scoring).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
out = runs_dir("02_baseline_cnn", preset.name)
smooth_cfg = lesson_config(preset, "baseline_l1", out_dir=out / "smooth_l1", loss="smooth_l1")  # its own folder
smooth = train(smooth_cfg, train_data, val_data)
smooth_row = score_vs_gray(predict_images(smooth.model, truths)[0], truths, name="smooth_l1").iloc[1:]
print(pd.concat([table.loc[["gray copy", "baseline_l2", "baseline_l1"]], smooth_row])[["de2000", "cf", "dcf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Smooth L1 is L2 for small errors and L1 for large ones (the switch is `beta` of
# `colorkit.objectives.regression.smooth_l1_loss`, in normalized ab units), so one expects it between the two:
# a little more colourful than L1, scored close to it. Compare its `de2000` and `cf` with the two rows above
# it; with one run each, a small difference may be noise.
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · Twice the budget
# Double the budget of the L1 run. Do the colours get more saturated, or only less wrong?
#
# **Hint:** a config has `max_minutes` and `max_steps`; `lesson_config(..., max_minutes=2 * configs["baseline_l1"].max_minutes)` (or `max_steps=` when the preset counts steps).
#
# **Time:** about 5 minutes on a CPU under `cpu` (twice the run's 2.5 minutes), then under a minute of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
base = configs["baseline_l1"]
budget = {k: 2 * getattr(base, k) for k in ("max_minutes", "max_steps") if getattr(base, k)}  # each limit set
out = runs_dir("02_baseline_cnn", preset.name)
longer = train(lesson_config(preset, "baseline_l1", out_dir=out / "twice_the_budget", **budget), train_data, val_data)
longer_row = score_vs_gray(predict_images(longer.model, truths)[0], truths, name="L1, twice the budget").iloc[1:]
print(f"{results['baseline_l1'].step} steps with the lesson's budget, {longer.step} with twice {budget}")
print(pd.concat([table.loc[["gray copy", "baseline_l1"]], longer_row])[["de2000", "cf", "dcf"]].round(3))
print(f"mean predicted chroma on the validation photos: {chroma(pred_ab['baseline_l1']).mean():.2f} "
      f"-> {chroma(predicted_ab(longer.model, L_val)).mean():.2f} (true: {chroma(true_ab).mean():.2f})")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Compare the two model rows and the two chroma means. For a pixel that L leaves ambiguous, the L1 optimum is
# the median colour whatever the budget, so more steps can make the model less wrong about *where* colour goes
# (the pixels it learns to tell apart), but they are not expected to remove the hedging: if `cf` and the mean
# chroma rise, check whether `de2000` falls with them, and how far the chroma still is from the truth's.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · Twice the width
# Give the baseline twice the width (`model_kwargs={"width": ...}`). By what factor do its FLOPs grow, and is
# the gain in ΔE2000 worth it at the same budget?
#
# **Hint:** `configs["baseline_l1"].model_kwargs["width"]` is the width now; `model_summary(build("baseline_cnn", width=w))["flops"]` counts the FLOPs. A convolution's cost grows with input channels times output channels.
#
# **Time:** about 3 minutes on a CPU under `cpu` (one more 2.5-minute run, then scoring); the FLOPs alone, under a minute.

# %% tags=["answer"]
answer = None  # your number: FLOPs of the baseline at twice the width divided by its FLOPs now

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

w = configs["baseline_l1"].model_kwargs["width"]
flops = [model_summary(build("baseline_cnn", width=k), size=64)["flops"] for k in (w, 2 * w)]
check(answer, expected=flops[1] / flops[0], tol=0.01, what="the FLOPs ratio");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
w = configs["baseline_l1"].model_kwargs["width"]
flops = [model_summary(build("baseline_cnn", width=k), size=64)["flops"] for k in (w, 2 * w)]
print(f"width {w} -> {2 * w}: {flops[1] / flops[0]:.2f}x the FLOPs")
out = runs_dir("02_baseline_cnn", preset.name)
wide = train(lesson_config(preset, "baseline_l1", out_dir=out / "twice_the_width", model_kwargs={"width": 2 * w}),
             train_data, val_data)
print(f"steps in the same budget: width {w} {results['baseline_l1'].step}, width {2 * w} {wide.step}")
wide_row = score_vs_gray(predict_images(wide.model, truths)[0], truths, name="L1, twice the width").iloc[1:]
print(pd.concat([table.loc[["gray copy", "baseline_l1"]], wide_row])[["de2000", "cf", "dcf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# Compare the printed ratio with 4: every inner convolution has twice the input and twice the output channels,
# only the first (one channel in) and the last (two channels out) grow by less. On a time budget (`cpu`,
# `gpu`) the wider model makes fewer steps in the same minutes (the printed step counts), so what its width
# gains can be lost to the steps it misses; on a step budget (`smoke`) both make the same steps. The printed
# `de2000` rows say which way it went here.
#
# </details>

# %% [markdown]
# ### Exercise 4 · medium · Where does the model hedge?
# Compute the mean predicted chroma of the `baseline_l1` run on the validation photos in three lightness bins:
# dark (L < 33), mid (33 ≤ L < 66) and bright (L ≥ 66). Where does the model hedge most, compared with the
# true chroma in the same bins?
#
# **Hint:** `denormalize_l(L_val[:, 0].numpy())` gives L in LAB units, pixel for pixel with `chroma(pred_ab["baseline_l1"])` and `chroma(true_ab)`.
#
# **Time:** under a minute (it reads the predictions above).

# %% tags=["answer"]
answer = None  # your numbers: [dark, mid, bright] mean predicted chroma of baseline_l1, LAB units

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.color import denormalize_l
from colorkit.course.exercises import check

L_lab, pred_chroma = denormalize_l(L_val[:, 0].numpy()), chroma(pred_ab["baseline_l1"])
check(answer, expected=[pred_chroma[(L_lab >= lo) & (L_lab < hi)].mean() for lo, hi in ((0, 33), (33, 66), (66, 101))],
      tol=0.05, what="mean chroma per L bin");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.color import denormalize_l

L_lab = denormalize_l(L_val[:, 0].numpy())
L_bins = {"dark": (0, 33), "mid": (33, 66), "bright": (66, 101)}
means = {name: [float(ch[(L_lab >= lo) & (L_lab < hi)].mean()) for lo, hi in L_bins.values()]
         for name, ch in (("predicted", chroma(pred_ab["baseline_l1"])), ("true", chroma(true_ab)))}
print(pd.DataFrame({**means, "predicted / true": np.divide(means["predicted"], means["true"]),
                    "share of pixels": [float(((L_lab >= lo) & (L_lab < hi)).mean()) for lo, hi in L_bins.values()]},
                   index=list(L_bins)).round(2))

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The answer is the `predicted` column. Where the true chroma is low (dark pixels often are), a low prediction
# is not hedging; the model hedges most where the true chroma is high and its prediction stays low: the bin
# with the lowest `predicted / true` ratio (often the mid tones).
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · Lower L1, higher ΔE2000
# Why can a model with a *lower* validation L1 score a *higher* ΔE2000 than another? Find an example.
#
# **Hint:** L1 adds up errors in a and b equally everywhere; ΔE2000 weighs hue errors more, depends on L and chroma, and is computed after the conversion back to sRGB (with its clipping).
#
# **Time:** under a minute (one pixel, then the predictions above).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.color import lab_to_rgb, rgb_to_lab
from colorkit.evaluate.metrics import delta_e2000_map

true = np.array([[[60.0, 0.0, 40.0]]])  # a yellow-brown
guesses = {"near gray": np.array([[[60.0, 0.0, 20.0]]]),  # right hue, half the chroma
           "wrong hue": np.array([[[60.0, 12.0, 40.0]]])}  # full chroma, hue turned towards red
to8 = lambda lab: lab_to_rgb(lab, dtype=np.uint8)
for name, lab in guesses.items():
    print(f"{name}: L1 error |Δa| + |Δb| = {np.abs(lab - true)[..., 1:].sum():.0f}, "
          f"ΔE2000 {delta_e2000_map(to8(lab), to8(true)).mean():.2f}")
ab_l1 = {run: np.mean([np.abs(rgb_to_lab(p)[..., 1:] - rgb_to_lab(t)[..., 1:]).sum(-1).mean() for p, t in zip(ps, truths)])
         for run, ps in preds.items()}  # the lesson's models on the held-out photos, the same L1 per pixel
for run, l1 in ab_l1.items():
    print(f"{run}: mean |Δa| + |Δb| {l1:.2f}, ΔE2000 {table.loc[run, 'de2000']:.2f}")
flips = [(a, b) for a in ab_l1 for b in ab_l1 if ab_l1[a] < ab_l1[b] and table.loc[a, "de2000"] > table.loc[b, "de2000"]]
print("lower L1 but higher ΔE2000:", ", ".join(f"{a} against {b}" for a, b in flips) or "no pair of these models")

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# L1 on ab is a straight distance in the a-b plane. ΔE2000 is not: it weighs a hue error more than a chroma
# error of the same size, and more in saturated colours. In the one-pixel example (the colour science of
# lesson 00) the hue error has the lower L1, as constructed, but the higher ΔE2000: compare the two lines
# printed first. Over a set of photos the same can happen between models: one that is often slightly off in
# hue can beat a desaturated one on L1 and lose on ΔE2000. The last line says whether it happens among this
# lesson's three models.
#
# </details>
