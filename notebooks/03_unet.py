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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/03_unet.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/03_unet.ipynb)
#
# # 03 · U-Net: skip connections, a pretrained encoder, and beating the gray copy on a CPU
#
# **What you will learn**
# - what skip connections carry, and why colorization needs them (edges must line up with colour);
# - the U-Net from scratch (double convolutions, width and depth as knobs) and the U-Net on a ResNet encoder;
# - ImageNet weights for the encoder: when they help, and how to load them offline from a file;
# - what makes a model beat the gray copy's ΔE2000 on a small CPU budget (width, start, loss, schedule);
# - how to check that a model is over-confident about colour (the gain sweep).
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (a few steps per run: numbers are meaningless) |
# | `cpu` | about 12 | 2 CPU cores: U-Net 6 min + ResNet U-Net 4 min on 64x64 photos, then scoring |
# | `gpu` | about 50 | a Colab GPU: 25 + 20 minutes on 256x256 photos, ImageNet encoder weights |

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

# %%
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = [load_sample(n) for n in SAMPLE_NAMES]
show_images(photos, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown]
# ## Skip connections
# Lesson 02's baseline squeezed the photo through a bottleneck 8x smaller and had to *re-invent* every edge
# on the way up: its colours bleed across object borders. A **U-Net** (Ronneberger et al. 2015) keeps the
# encoder's feature map at each size and hands it to the decoder stage of the same size (concatenated
# channels): the decoder gets "what is this?" from below and "exactly where is the edge?" from the side.
# For colorization the output must line up with the input's edges pixel for pixel, so this matters even more
# than in segmentation.
#
# - **`unet`**: each stage is a double convolution (3x3 conv, BatchNorm, ReLU, twice); `base_width` sets the
#   first stage's channels and each of the `depth` pooling steps doubles them: 64 -> ... -> 1024 at full size,
#   the generator of C. He, H. Imran, M. Siddiqua and J. You's *Picture Colourization* (APS360 project final
#   report, University of Toronto), one of the student reports this course grew from.
#   Each level costs about the same arithmetic (twice the channels, a quarter of the pixels), so the
#   full-resolution level is as expensive as the bottleneck. `stem="half"` (the presets' choice) first folds
#   each 2x2 block of pixels into 4 channels (`PixelUnshuffle`: lossless, nothing averaged) and runs every
#   double convolution at half resolution or below (the fold is the first of the `depth` halvings, so the
#   bottleneck stays where it was): the full-resolution level's cost is gone. To keep edges exact, the decoder
#   returns to full size with one transposed convolution and takes **L itself as the last skip** before one
#   narrow 3x3 convolution and the ab head. `stem="full"` is the textbook U-Net (and what old checkpoints hold).
# - **`resnet_unet`**: the encoder is a torchvision ResNet-18 (its first convolution folded from RGB to one
#   channel), the decoder a U-Net decoder on its five feature maps, with L itself as the last skip. With
#   `pretrained=True` the encoder starts from ImageNet weights (downloaded once; offline, pass
#   `pretrained="path/to/resnet18-f37072fd.pth"`; without either you get a clear error, never random weights).

# %%
import pandas as pd

from colorkit.models import build
from colorkit.models.summary import model_summary
from colorkit.paths import runs_dir
from colorkit.course.supervised import RUNS_03, lesson_config

configs = {run: lesson_config(preset, run, runs_dir("03_unet", preset.name)) for run in RUNS_03}
full = {"U-Net 64..1024 (He et al.)": build("unet", base_width=64, depth=4)}
full.update({f"{run} ({preset.name} preset)": build(c.model, **{k: v for k, v in c.model_kwargs.items() if k != "pretrained"})
             for run, c in configs.items()})
pd.DataFrame({name: {k: f"{v / 1e6:.2f} M" for k, v in model_summary(m).items()} for name, m in full.items()}).T

# %% [markdown]
# This preset's U-Net drawn from the model itself (as lesson 02's baseline was): each box is a stage's output,
# higher for a higher resolution, wider for more channels; the dashed arrows are the skips, each encoder
# stage handing its map to the decoder stage at its resolution. With `stem="half"` the first arrow starts at
# the input: L itself is the last skip.

# %%
from colorkit.course.diagrams import plot_architecture

plot_architecture(build("unet", **configs["unet"].model_kwargs), size=64, skips=True,
                  title=f"unet {configs['unet'].model_kwargs}");

# %% [markdown]
# ## The U-Net forward pass, written out
# `colorkit.models.unet.UNet` is a stack of modules; here is what its forward pass computes, as plain tensor
# operations on the same weights (the textbook `stem="full"` U-Net, in eval mode so BatchNorm uses its
# running statistics). Down: a double convolution, then halve with 2x2 max-pooling and double the channels;
# up: a 2x2 transposed convolution doubles the size, the encoder's map of that size is **concatenated**
# (the skip), and another double convolution mixes them; a 1x1 convolution and `tanh` give ab in [-1, 1].
# The check below compares it with colorkit's module on the same input: if the two disagree, this text is
# wrong, not the check.

# %%
import torch
import torch.nn.functional as F

from colorkit.models.unet import UNet


def double_conv(x, block):
    """(3x3 conv, BatchNorm, ReLU) twice, with the weights of a colorkit DoubleConv."""
    for conv, bn, _relu in block:
        x = F.conv2d(x, conv.weight, conv.bias, padding=1)
        x = F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, eps=bn.eps)
        x = F.relu(x)
    return x


def unet_forward(net, L):
    """The U-Net's forward pass in plain tensor operations."""
    skips = [double_conv(L, net.inc)]  # full resolution
    for down in net.downs:  # down[0] is the 2x2 max-pool, down[1] the double convolution
        skips.append(double_conv(F.max_pool2d(skips[-1], 2), down[1]))
    x = skips.pop()  # the bottleneck: 2**depth times smaller
    for up in net.ups:
        x = F.conv_transpose2d(x, up.up.weight, up.up.bias, stride=2)  # twice the size
        x = double_conv(torch.cat([x, skips.pop()], dim=1), up.conv)  # the skip joins here
    return torch.tanh(F.conv2d(x, net.head.conv.weight, net.head.conv.bias))  # ab in [-1, 1]


torch.manual_seed(0)
net = UNet(base_width=8, depth=3).eval()  # small and untrained: the arithmetic is the same at any size
L_check = torch.rand(2, 1, 64, 64) * 2 - 1  # normalized L in [-1, 1]
with torch.no_grad():
    ours, colorkits = unet_forward(net, L_check), net(L_check)
print(f"from scratch vs colorkit: max |difference| = {(ours - colorkits).abs().max().item():.2e}")
assert torch.allclose(ours, colorkits, atol=1e-5), "the written-out forward pass differs from colorkit's U-Net"

# %% [markdown]
# ## The half stem, written out
# The `cpu` and `gpu` presets do not train that textbook network: they build `unet` with `stem="half"`
# (`colorkit/presets.py`; the `--- unet:` line of the training cell below prints this preset's settings). Its
# forward pass differs at both ends. At the bottom, `pixel_unshuffle` folds each 2x2 block of L into 4
# channels at half resolution (nothing averaged: `pixel_shuffle` puts every pixel back), so the first double
# convolution already runs at half resolution, and the fold counts as the first of the `depth` halvings (one
# max-pool fewer, the same bottleneck). At the top, one 2x2 transposed convolution returns to full size,
# **L itself** is concatenated as the last skip, and a single (3x3 conv, BatchNorm, ReLU) mixes them before the
# ab head. Below, with the same `double_conv`, on this preset's width and depth with `stem="half"`; the head is
# left random (a zero-initialized head would make both outputs 0 and the check empty), and one forward pass in
# training mode first moves BatchNorm's running statistics away from 0 and 1.

# %%
def unet_half_forward(net, L):
    """The half-stem U-Net (stem="half") in plain tensor operations."""
    x = F.pixel_unshuffle(L, 2)  # N x 1 x H x W -> N x 4 x H/2 x W/2: each 2x2 block of pixels as 4 channels
    skips = [double_conv(x, net.inc[1])]  # net.inc is (PixelUnshuffle, DoubleConv): already at half size
    for down in net.downs:  # one max-pool fewer than stem="full": the fold was the first halving
        skips.append(double_conv(F.max_pool2d(skips[-1], 2), down[1]))
    x = skips.pop()
    for up in net.ups:
        x = F.conv_transpose2d(x, up.up.weight, up.up.bias, stride=2)
        x = double_conv(torch.cat([x, skips.pop()], dim=1), up.conv)
    x = F.conv_transpose2d(x, net.up_full.weight, net.up_full.bias, stride=2)  # half size -> full size
    x = double_conv(torch.cat([x, L], dim=1), [net.final])  # L itself is the last skip; one conv, BN, ReLU
    return torch.tanh(F.conv2d(x, net.head.conv.weight, net.head.conv.bias))  # ab in [-1, 1]


half_kwargs = {**configs["unet"].model_kwargs, "stem": "half", "zero_init_head": False}
torch.manual_seed(0)
half_net = build("unet", **half_kwargs)
with torch.no_grad():
    half_net.train()(L_check)  # BatchNorm's running statistics move away from 0 and 1
    half_net.eval()
    ours, colorkits = unet_half_forward(half_net, L_check), half_net(L_check)
folded = F.pixel_unshuffle(L_check, 2)
assert torch.equal(F.pixel_shuffle(folded, 2), L_check), "the fold lost a pixel"
print(f"unet {half_kwargs}: L {tuple(L_check.shape)} folded to {tuple(folded.shape)}, ab {tuple(ours.shape)}")
print(f"from scratch vs colorkit: max |difference| = {(ours - colorkits).abs().max().item():.2e}")
assert torch.allclose(ours, colorkits, atol=1e-5), "the written-out half stem differs from colorkit's U-Net"

# %% [markdown]
# ## Data
# As in lesson 02: the train split of the course data (prepared now if lesson 01 has not run here), or of
# `DATA`; scores on the test split. A banner says so when the built-in photos stand in.

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
# ## Train both
# The same engine as lesson 02. The U-Net uses the preset's recipe (below: why it looks the way it does on a
# CPU); the ResNet U-Net uses ImageNet weights when the preset says so (`gpu`), else starts from scratch.

# %%
from colorkit.course import record_training
from colorkit.train import train

results = {}
for run, cfg in configs.items():
    print(f"--- {run}: {cfg.model} {cfg.model_kwargs}, loss {cfg.loss}, batch {cfg.batch_size}, lr {cfg.lr}")
    results[run] = train(cfg, train_data, val_data, resume=RESUME)
    print(f"{results[run].step} steps, {results[run].images_seen} photos seen, {results[run].images_per_second:.0f} images/s")
record_training(results)  # minutes of each run

# %% [markdown]
# ## Scores next to the gray copy
# ΔE2000 (lower is better) and colorfulness `cf` (`dcf`: difference to the original's) on held-out photos,
# with lesson 02's baseline when its checkpoint exists.

# %%
from colorkit.evaluate import predict_images
from colorkit.course import record_table
from colorkit.evaluate.metrics import score_vs_gray
from colorkit.paths import checkpoint_path
from colorkit.checkpoint import load_trained

models = {run: r.model for run, r in results.items()}
if checkpoint_path("baseline_cnn", preset.name).exists():
    models = {"baseline_cnn (lesson 02)": load_trained(checkpoint_path("baseline_cnn", preset.name))[0], **models}
else:
    print("lesson 02's baseline is not on disk here (run lesson 02 first, or set DRIVE = True in both): "
          "this table compares the U-Nets with the gray copy only")
preds = {name: predict_images(m, truths)[0] for name, m in models.items()}
tables = [score_vs_gray(p, truths, name=name) for name, p in preds.items()]
table = pd.concat([tables[0].iloc[:1]] + [t.iloc[1:] for t in tables])
record_table(table)  # ΔE2000, PSNR and colorfulness of each row
table.round(3)

# %% [markdown]
# ## The sample photos, colorized
# Colorized as in every lesson (`colorize_samples`): the model works at its training size, the colour is
# upsampled to the photo's full size.

# %%
from colorkit.course.progress import colorize_samples

rows = colorize_samples(models, photos, work_size=preset.image_size)
show_images([im for row in rows.values() for im in row], ncols=4,
            titles=[f"{name}: {s}" for name in rows for s in SAMPLE_NAMES]);

# %% [markdown]
# ## Beating the gray copy on a CPU budget
# ΔE2000 punishes a wrong hue much more than a missing one, so on a small budget a colorizer must first learn
# to *abstain*: a model that adds colour, mostly the wrong colour, scores worse than the gray copy (the first
# row of the scores above). The `cpu` preset's U-Net recipe (the `--- unet:` line of the training cell prints
# its width, depth, zero-initialized head, stem, loss, batch and learning rate; the schedule is one-cycle) was
# chosen from short trials that changed one thing at a time (commit e5c72f7). Their commands were not recorded,
# so their numbers are not repeated here: exercises 2, 3 and 5 measure the head, the loss and the stem on your
# machine.
#
# What was recorded, with the command that produced it: 15-minute runs of the `cpu` recipe, each scored by
# `benchmarks/cpu_quality.py` on 2,000 held-out Tiny ImageNet photos at 64 px. First the stem: the textbook
# U-Net against the half stem written out above. The cell also prints what one 64x64 photo costs three U-Nets
# (FLOPs of a forward pass) and how many steps a minute this lesson's own runs made.

# %%
from colorkit.course.recorded import recorded_value, show_recorded
from colorkit.models.summary import model_summary

NOISE = 0.1  # run-to-run noise of one 15-minute run, in ΔE2000 (benchmarks/recipe_trials.md)
show_recorded("03_stem_15min")
full_run, half_run = "textbook U-Net", "the preset's U-Net"
steps = {r: recorded_value("03_stem_15min", r, "steps") for r in (full_run, half_run)}
gap = recorded_value("03_stem_15min", half_run, "de2000") - recorded_value("03_stem_15min", full_run, "de2000")
print(f"half stem against the textbook U-Net, the same 15 minutes: {steps[half_run] / steps[full_run]:.1f}x the "
      f"steps, ΔE2000 {gap:+.2f}: {'inside' if abs(gap) < NOISE else 'beyond'} the run-to-run noise of about {NOISE}")
shapes = {"width 32, stem full": dict(base_width=32), "width 16, stem full": dict(base_width=16),
          "width 16, stem half": dict(base_width=16, stem="half")}
flops = {name: model_summary(build("unet", depth=4, **kw), size=64)["flops"] for name, kw in shapes.items()}
for name, f in flops.items():
    print(f"depth 4, {name}: {f / 1e6:.0f} MFLOPs per 64x64 photo, {f / flops['width 16, stem half']:.1f}x the "
          "cpu preset's U-Net (width 16, stem half)")
for run, r in results.items():
    minutes = max(r.elapsed_s / 60, 1e-9)
    print(f"this lesson's {run}: {r.step} steps in {minutes:.1f} minutes ({r.step / minutes:.0f} a minute)")

# %% [markdown]
# What this comparison can show: in the same 15 minutes the half stem made more steps (its FLOPs per photo are
# a fraction of the textbook U-Net's: the lines above), and, when the printed ΔE2000 difference is inside the
# noise, that it cost no ΔE2000 that one run each can detect. What it cannot show: that the half stem scores
# *better*, or that the stem alone made the difference. The two kinds of run differ in more than the stem: the
# half-stem runs trained with the engine's random crop + flip, the textbook run without, and the busy
# machine's load was not the same (the table's note). A fair test changes one thing at a time, with several runs of
# each; exercise 5 starts one. Step rates do not carry from machine to machine either: the recorded runs shared
# their 2 cores with other work, so this lesson's steps a minute (printed last) can be higher or lower.
#
# More minutes, a smaller batch, or the metric itself as the loss, measured the same way
# (`benchmarks/recipe_trials.md`); each row's ΔE2000 is printed against the preset's 15 minutes:

# %%
show_recorded("03_recipe_trials")
base = recorded_value("03_recipe_trials", "the cpu preset", "de2000")
for row in ("batch 16, lr 1.4e-3", "width 24, 55 minutes", "--loss de2000"):
    d = recorded_value("03_recipe_trials", row, "de2000") - base
    print(f"{row}: ΔE2000 {d:+.2f} against the cpu preset's 15 minutes "
          f"({'inside' if abs(d) < NOISE else 'beyond'} the noise of about {NOISE})")
cf = recorded_value("03_recipe_trials", "--loss de2000", "colourfulness")
print(f"--loss de2000: colourfulness {cf:.1f} (the photos' own is in the note under the table)")

# %% [markdown]
# Read each difference against the noise. When the 55-minute row (a wider network that saw several times the
# photos) lands inside it, more minutes barely help this network at 64 px: it is near its floor on this data.
# Training on the metric itself (`--loss de2000`: CIEDE2000 written in PyTorch; lesson 06 explains the metric)
# is paid for in colour: compare its colourfulness with the photos' own. The metric rewards leaving a pixel gray
# where the colour is uncertain, so a model trained on it learns to abstain.
#
# Speed, timed by `benchmarks/train_step.py` against the classic pix2pix U-Net (written out in that file, at the
# same width) in the same run:

# %%
show_recorded("03_step_speed");

# %% [markdown]
# What makes the difference:
# 1. **Photos seen, not parameters.** On a CPU the budget is minutes, so what counts is how many photos a model
#    sees in them: doubling the width multiplies the FLOPs per photo by about four (printed above: the
#    channels double on both sides of every convolution), and the half stem removes the full-resolution level.
#    L itself is the last skip, so edges stay exact. Depth 4 keeps the receptive field large (the bottleneck
#    sees the whole 64x64 photo) for little cost.
# 2. **Start at the gray copy.** The last 1x1 convolution starts at zero, so the untrained U-Net predicts
#    ab = 0 exactly: the gray copy. Every step then only *adds* colour where the gradient finds it pays off,
#    instead of first unlearning the random colours of a random head (exercise 2 measures it).
# 3. **L1 rather than L2, here.** L1's answer for an uncertain pixel is the median colour, and in photos full
#    of grays and browns the median is close to gray; L2's mean is pulled towards the occasional vivid
#    colour and, early in training, overshoots (exercise 3 measures it).
# 4. **One-cycle learning rate.** Warm up, then decay to almost zero: the last minutes average out the noise
#    of the steps, which matters most when there are few of them.
#
# The **gain sweep** below multiplies the model's ab by a factor: if a gain below 1 scores better, the model
# is still over-confident (it colours where it is more often wrong than right). The lines above the table say,
# for each run of this lesson, whether one does.

# %%
from colorkit.course.supervised import de2000_at_gains

sweep = pd.DataFrame({run: de2000_at_gains(r.model, truths) for run, r in results.items()}).T
sweep.columns = [f"gain {g:g}" for g in sweep.columns]
for run, row in sweep.iterrows():
    better = row.drop("gain 1").min() < row["gain 1"]
    print(f"{run}: a gain below 1 scores {'better' if better else 'no better'} than the model as trained")
sweep.round(3)

# %% [markdown]
# ## Save the models for later lessons

# %%
from colorkit.course.supervised import save_for_later_lessons

for run in results:
    print("saved", save_for_later_lessons(results[run], run, preset))

# %% [markdown]
# ## The course so far
# The same sample photos, colorized the same way (`colorize_samples`) by every model the course has saved
# under this preset so far, in the order the lessons train them, between the gray copy and the original.
# Lesson 03 adds the U-Net and the ResNet U-Net: compare their rows with lesson 02's baselines above them.
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
# ### Exercise 1 · medium · With and without skips
# colorkit's `unet` always has its skips; lesson 02's `baseline_cnn` is the same kind of encoder-decoder
# without them. Find a `baseline_cnn` width whose FLOPs are close to this preset's `unet`, train both for the
# same budget and compare the sample photos: where do the colours bleed?
#
# **Hint:** `model_summary(build(...))["flops"]` for `build("baseline_cnn", width=w)` at a few widths against `build(configs["unet"].model, **configs["unet"].model_kwargs)`; `lesson_config(preset, "baseline_l1", ..., model_kwargs={"width": w})` trains it with this lesson's budget.
#
# **Time:** about 6 minutes on a CPU under `cpu` (as many steps as the lesson's U-Net made), then under a minute of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
unet_flops = model_summary(build("unet", **configs["unet"].model_kwargs))["flops"]
base_flops = {k: model_summary(build("baseline_cnn", width=k))["flops"] for k in (4, 8, 16, 32, 64)}
w = min(base_flops, key=lambda k: abs(base_flops[k] - unet_flops))
print(f"unet {unet_flops / 1e6:.0f} MFLOPs, baseline_cnn width {w} {base_flops[w] / 1e6:.0f} MFLOPs (256x256)")
no_skips_cfg = lesson_config(preset, "baseline_l1", runs_dir("03_unet", preset.name), model_kwargs={"width": w},
                             loss=configs["unet"].loss, max_steps=results["unet"].step, max_minutes=None)
no_skips = train(no_skips_cfg, train_data, val_data)
print(f"{no_skips.step} steps each, loss {no_skips_cfg.loss}")
no_skips_row = score_vs_gray(predict_images(no_skips.model, truths)[0], truths, name=f"baseline_cnn width {w}").iloc[1:]
print(pd.concat([table.loc[["gray copy", "unet"]], no_skips_row])[["de2000", "cf", "dcf"]].round(3))
show_images(colorize_samples({"no skips": no_skips.model}, photos, preset.image_size)["no skips"] + rows["unet"], ncols=4,
            titles=[f"{m}: {s}" for m in (f"baseline_cnn width {w}", "unet") for s in SAMPLE_NAMES]);

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Both get the same steps at a similar cost per photo. Without skips the decoder re-invents every edge from a
# map several times smaller, so look along object borders in the top row: colour that leaks across them, or
# blurs into blocks of the bottleneck's size. The U-Net's colours can stop at the edges it is handed. Under
# `smoke` both models are barely trained, so the pictures show little; the `cpu` preset makes the difference
# visible.
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · The zero-initialized head
# The `cpu` preset starts the U-Net's last convolution at zero (`zero_init_head=True`: the untrained model
# predicts the gray copy); `smoke` and `gpu` do not. Train the U-Net both ways with the same budget and compare
# their ΔE2000 with the gray copy's. Which one beats it sooner?
#
# **Hint:** `lesson_config(preset, "unet", out, model_kwargs={"zero_init_head": flag})` for `flag` in `(True, False)`, each with its own `out` folder; `score_vs_gray` puts the gray copy first.
#
# **Time:** about 12 minutes on a CPU under `cpu` (two 6-minute U-Net runs), then under a minute of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
head_rows = [table.loc[["gray copy"]]]
for flag in (True, False):
    head_cfg = lesson_config(preset, "unet", runs_dir("03_unet", preset.name) / f"zero_head_{flag}",
                             model_kwargs={"zero_init_head": flag})
    r = train(head_cfg, train_data, val_data)
    gray_l1 = float(val_data[1][:head_cfg.eval_images].abs().mean())  # the gray copy predicts ab = 0
    below = [v["step"] for v in r.val_history if v["val_l1"] < gray_l1]
    print(f"zero_init_head={flag}: validation L1 {[round(v['val_l1'], 4) for v in r.val_history]} at steps "
          f"{[v['step'] for v in r.val_history]} (gray copy {gray_l1:.4f}); first below it: "
          f"{f'step {below[0]}' if below else 'never'} of {r.step}")
    head_rows.append(score_vs_gray(predict_images(r.model, truths)[0], truths, name=f"zero_init_head={flag}").iloc[1:])
print(pd.concat(head_rows)[["de2000", "cf", "dcf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The engine scores the validation photos in L1 (the training loss) along the way; ΔE2000 is computed once,
# at the end. With the zero head the untrained model *is* the gray copy (ab = 0 everywhere: its L1 is the gray
# copy's, printed) and only adds colour that pays off; the random head starts with random colours and spends
# its first steps unlearning them. The printed steps say which one got below the gray copy first, and
# the table where each ended in ΔE2000; with one run each, repeat with another seed before trusting a small
# difference.
#
# </details>

# %% [markdown]
# ### Exercise 3 · easy · Three losses
# Train the U-Net with `loss="l2"` and with `loss="smooth_l1"` with the same budget as `loss="l1"`. Which is
# most colourful, which scores best?
#
# **Hint:** `lesson_config(preset, "unet", out, loss="l2")`; compare the `cf` (colorfulness) and `de2000` columns of `score_vs_gray`.
#
# **Time:** about 12 minutes on a CPU under `cpu` (two 6-minute U-Net runs), then under a minute of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
loss_rows = [table.loc[["gray copy", "unet"]].rename(index={"unet": f"unet, {configs['unet'].loss} (the lesson's run)"})]
for loss in ("l2", "smooth_l1"):
    r = train(lesson_config(preset, "unet", runs_dir("03_unet", preset.name) / loss, loss=loss), train_data, val_data)
    loss_rows.append(score_vs_gray(predict_images(r.model, truths)[0], truths, name=f"unet, {loss}").iloc[1:])
print(pd.concat(loss_rows)[["de2000", "cf", "dcf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# L2 aims at the mean colour, which vivid outliers pull away from gray: expect it more colourful (`cf`) and,
# on a short budget, worse in ΔE2000 than L1. Smooth L1 is L2 on small errors and L1 on large ones, so expect
# it in between. The printed rows say whether this budget bears that out (one run each: a small difference
# may be noise).
#
# </details>

# %% [markdown]
# ### Exercise 4 · medium · ImageNet weights
# On a GPU (or with a downloaded `resnet18-f37072fd.pth`), compare `resnet_unet` with and without ImageNet
# weights at the same budget.
#
# **Hint:** `lesson_config(preset, "resnet_unet", out, model_kwargs={"pretrained": True})`, or `"pretrained": "path/to/resnet18-f37072fd.pth"` offline.
#
# **Time:** about 8 minutes on a CPU under `cpu` (two 4-minute runs), then under a minute of scoring; the weights (45 MB) download once.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.models.blocks import PretrainedWeightsUnavailable

WEIGHTS = True  # True: download once to the torch hub cache; offline: "path/to/resnet18-f37072fd.pth"
try:
    build("resnet_unet", pretrained=WEIGHTS)  # fails with the fixes spelled out when the weights cannot be had
except (PretrainedWeightsUnavailable, FileNotFoundError) as e:
    print(f"no ImageNet weights here, so no comparison: {e}")
else:
    weight_rows = [table.loc[["gray copy"]]]
    for pretrained in (WEIGHTS, False):
        cfg = lesson_config(preset, "resnet_unet", runs_dir("03_unet", preset.name) / f"pretrained_{bool(pretrained)}",
                            model_kwargs={"pretrained": pretrained})
        r = train(cfg, train_data, val_data)
        weight_rows.append(score_vs_gray(predict_images(r.model, truths)[0], truths, name=f"pretrained={bool(pretrained)}").iloc[1:])
    print(pd.concat(weight_rows)[["de2000", "cf", "dcf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The pretrained encoder already tells apart textures and shapes (ImageNet's sky, grass, skin and fur), so on a
# short budget it is expected to beat the same network from random weights; with a long budget and a large
# dataset the gap narrows. Compare the two printed rows. Offline without the file the cell says what to do
# instead of training from random weights under a pretrained name.
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · Full stem against half stem
# Train `model_kwargs={"stem": "full"}` (the textbook U-Net) and `{"stem": "half"}` for the same number of
# minutes. How many steps does each get, and does the full-resolution double convolution buy ΔE2000?
#
# **Hint:** give both runs the same `max_minutes` (and `max_steps=None`); `result.step` is the number of steps a run made.
#
# **Time:** about 4 minutes on a CPU under `cpu` (two runs of a third of the U-Net's 6 minutes), then under a minute of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
minutes = configs["unet"].max_minutes / 3  # a third of the U-Net's budget each; cpu and gpu set no step limit
stem_rows = [table.loc[["gray copy"]]]
for stem in ("full", "half"):
    cfg = lesson_config(preset, "unet", runs_dir("03_unet", preset.name) / f"stem_{stem}",
                        model_kwargs={"stem": stem}, max_minutes=minutes)  # smoke: its few steps come first
    r = train(cfg, train_data, val_data)
    print(f"stem {stem}: {r.step} steps in {r.elapsed_s / 60:.2f} minutes (stopped by {r.stop_reason})")
    stem_rows.append(score_vs_gray(predict_images(r.model, truths)[0], truths, name=f"stem={stem}").iloc[1:])
print(pd.concat(stem_rows)[["de2000", "cf", "dcf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The printed step counts show how many more steps the half stem makes in the same minutes (the recorded
# ratios are in the speed table above); under `smoke` both stop at the preset's few steps, so only `cpu` and
# `gpu` answer the question. Unlike the recorded 15-minute pair, these two runs differ only in the stem (same
# data, augmentation and minutes, one after the other on the same machine), so a ΔE2000 difference well beyond
# the noise is the stem's; one run each still cannot tell a small one from noise. The half stem keeps edges
# exact by taking L itself as the last skip; what the full stem's full-resolution double convolutions could
# add is finer colour detail, at several times the FLOPs (printed in the recipe section).
#
# </details>

# %% [markdown]
# ### Exercise 6 · medium · The best gain
# Read the gain sweep: which gain gives the `unet` run its lowest ΔE2000? Then explain why multiplying ab by
# that gain after training is a fair trick only when the gain is chosen on photos that are not the ones you score.
#
# **Hint:** `sweep.loc["unet"]` is one row of the table above; `.idxmin()` names its best column (`"gain 0.8"`, say).
#
# **Time:** under a minute (it reads the gain sweep above).

# %% tags=["answer"]
answer = None  # your number: the gain with the lowest ΔE2000 for unet (1.0, 0.8, 0.6, 0.4 or 0.0)

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=float(sweep.loc["unet"].idxmin().split()[1]), tol=1e-9, what="the best gain for unet");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
best = sweep.loc["unet"].idxmin()
print(f"unet: lowest ΔE2000 {sweep.loc['unet', best]:.3f} at {best}; as trained (gain 1) {sweep.loc['unet', 'gain 1']:.3f}")

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The gain is one more parameter fitted to data. Chosen on the test photos, it is fitted to exactly the photos
# it is scored on, so the score is optimistic (the same mistake as training on the test set). Chosen on
# validation photos and then applied unchanged to the test photos, it is an honest part of the model.
#
# </details>
