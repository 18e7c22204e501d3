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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/06_evaluate.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/06_evaluate.ipynb)
#
# # 06 · Honest evaluation: metrics, baselines, failures, and "why is it brown?"
#
# **What you will learn**
# - why PSNR and SSIM alone cannot tell a colorizer from doing nothing, and which numbers can;
# - the conventions behind every metric in `colorkit.evaluate.metrics` (range, colour space, crop, averaging),
#   and what CIEDE2000, LPIPS, FID and KID measure (and why FID misleads at a few hundred photos);
# - how to build a leaderboard that always shows trivial baselines, with time per image and model size;
# - the five ways colorizations fail (named by Larsson et al. 2016; sorted by colorkit's own detectors), seen
#   in ΔE2000 heat maps and ab scatters;
# - why regression losses paint everything brown, and how classification over colour bins (Zhang et al. 2016)
#   and GANs escape it: the same U-Net trained four ways under one budget.
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (4 training steps per variant: numbers are meaningless) |
# | `cpu` | about 12 | 2 CPU cores: 4 x 2.25 minutes of training, 200 test images at 64x64 |
# | `gpu` | about 55 | a Colab GPU: 4 x 10 minutes of training, 300 test images at 256x256 |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # photos or a prepared folder to score; empty: the course data (downloaded if missing)
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons
EVAL_IMAGES = 0  # images to score; 0: preset.eval_images, at most 300 (colorkit evaluate scores all)
TEMPERATURE = 0.38  # annealed-mean temperature of the classifier (Zhang et al.: 0.38)
LAB_MINUTES = 0  # training minutes per lab variant; 0: cpu 2.25, gpu 10, smoke a few steps

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
# ## The sample photos, and what doing nothing scores
# The same four photos as in every lesson. Below each is its **gray copy**: L kept, a = b = 0. It has no
# colour at all, yet look at its PSNR and SSIM in the table below (about 18 dB and 0.86): lightness carries
# most of an image's structure, and PSNR/SSIM on RGB mostly measure structure. A table of PSNR and SSIM
# without this row cannot tell a colorizer from doing nothing. ΔE2000 (colour difference) and colorfulness
# are not fooled.

# %%
from colorkit.evaluate import metrics as M
from colorkit.color import gray_copy
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

from colorkit.evaluate import square_crop

photos = [load_sample(n) for n in SAMPLE_NAMES]
show_images(photos + [gray_copy(p) for p in photos], titles=list(SAMPLE_NAMES) + ["gray copy"] * 4, ncols=4);
# 256 px: the size at which the student reports this course grew from trained and scored (He, Imran, Siddiqua
# & You, "Picture Colourization", APS360 final report, University of Toronto; Shreekumar, "Image Colorization",
# ECE 60131 project, 2025)
at256 = [square_crop(p, 256) for p in photos]
M.score_vs_gray(at256, at256, name="the truth itself").round(3)

# %% [markdown]
# ## One metrics module, with its conventions written down
# Published numbers move with details nobody reports: RGB in [0, 1] or [0, 255], SSIM's window, whether
# borders are cropped, whether pixels or images are averaged. `colorkit.evaluate.metrics` fixes them once (read its
# docstring): sRGB images as shown, same size, no crop, per-image means averaged over images, SSIM with
# Wang et al.'s Gaussian window (scikit-image), ΔE2000 from scikit-image (checked against Sharma et al.'s
# published pairs). LPIPS and FID need pretrained networks; without their weights they are reported as
# unavailable with the reason, never computed with random weights.

# %%
import pandas as pd

pd.DataFrame([(k, d, "higher" if up else "lower") for k, (d, up) in M.METRICS.items()],
             columns=["metric", "what it measures", "better"]).set_index("metric")

# %%
for name, status in M.perceptual_status().items():
    print(f"{name}: {status}")

# %% [markdown]
# ## What the colour and perceptual metrics measure
# **CIEDE2000 (ΔE2000).** CIELAB was meant to make equal distances look like equal differences, and CIE76's
# ΔE*ab is simply the Euclidean distance between two LAB colours. It is not uniform enough: the same distance
# is a large visible step between two near-grays and a small one between two saturated colours, and blues
# behave differently again. CIEDE2000 (CIE, 2001) keeps LAB but measures the difference as separate lightness,
# chroma and hue terms, each divided by a weight that depends on where the pair sits (the lightness weight
# grows away from L = 50, the chroma and hue weights grow with chroma), stretches a* near the neutral axis,
# and adds a rotation term that couples chroma and hue in the blue region. Sharma, Wu & Dalal (2005, "The
# CIEDE2000 colour-difference formula: implementation notes, supplementary test data, and mathematical
# observations", Color Research & Application 30(1)) give the formula step by step with test pairs, which
# `tests/test_metrics.py` checks colorkit against. The first cell below shows pairs at the same CIE76 distance.
#
# **LPIPS** (Zhang, Isola, Efros, Shechtman & Wang, "The Unreasonable Effectiveness of Deep Features as a
# Perceptual Metric", CVPR 2018) compares a prediction with its own truth, like ΔE2000, but through a
# network: both images go through a pretrained classifier (AlexNet here), the activations of several layers
# are normalized per position, their differences are weighted channel by channel with weights fitted to
# people's judgements of which of two distortions looks closer, averaged over the image and summed over the
# layers. It rewards the same textures and structures more than the same pixel values: lower is better.
#
# **FID** (Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter, "GANs Trained by a Two Time-Scale Update Rule
# Converge to a Local Nash Equilibrium", NeurIPS 2017) compares *sets* of images, not pairs: the Inception-v3
# features (2048 numbers per image) of all predictions and of all real photos are each summarized by a mean
# and a covariance, and FID is the Fréchet distance between the two Gaussians. It asks whether the
# colorizations look like real photos as a population, whatever each photo's true colours were.
#
# **Why FID is biased at 200 photos, and KID is not** (Bińkowski, Sutherland, Arbel & Gretton, "Demystifying
# MMD GANs", ICLR 2018). FID is computed from the *estimated* mean and covariance, and the distance between
# estimates is not the estimate of the distance: with N images the estimated FID is too large by an amount
# that shrinks with N and depends on the images, so two sets of photos from the same distribution get an FID
# well above 0, and FIDs measured on different numbers of photos cannot be compared (rankings can even flip).
# With 200 photos and 2048 features the covariance is estimated from fewer photos than it has dimensions.
# KID measures the same kind of distance between the two feature sets (a squared maximum mean discrepancy
# with a cubic polynomial kernel) with an unbiased estimator: its expected value does not depend on N, only
# its spread does. The second cell shows both on random features drawn from one distribution, where the
# true distance is 0.

# %%
import numpy as np
from skimage.color import deltaE_cie76, deltaE_ciede2000


def lab_lch(L, C, hue):
    """A LAB colour from lightness, chroma and hue angle (degrees)."""
    return np.array([L, C * np.cos(np.radians(hue)), C * np.sin(np.radians(hue))])


turn = np.degrees(2 * np.arcsin(5 / 60))  # the hue turn that moves a chroma-60 colour by 10 in LAB
pairs = {"gray, L + 10": (lab_lch(50, 0, 0), lab_lch(60, 0, 0)),
         "gray, chroma + 10": (lab_lch(50, 0, 0), lab_lch(50, 10, 0)),
         "red, L + 10": (lab_lch(50, 60, 30), lab_lch(60, 60, 30)),
         "red, chroma + 10": (lab_lch(50, 60, 30), lab_lch(50, 70, 30)),
         f"red, hue + {turn:.1f}°": (lab_lch(50, 60, 30), lab_lch(50, 60, 30 + turn)),
         f"blue, hue + {turn:.1f}°": (lab_lch(40, 60, 290), lab_lch(40, 60, 290 + turn))}
for name, (c1, c2) in pairs.items():
    print(f"{name:18s} CIE76 {deltaE_cie76(c1, c2):5.2f}   CIEDE2000 {deltaE_ciede2000(c1, c2):5.2f}")

# %%
from colorkit.evaluate.metrics import fid_from_features, kernel_distance

rng = np.random.default_rng(0)
dim, draws = 128, 3  # random "features" (Inception's have 2048): both sets from one distribution, true distance 0
for n in (50, 200, 1000, 4000):
    fid, kid = [], []
    for _ in range(draws):  # independent pairs of sets, to show the estimates' mean and spread
        real, fake = rng.standard_normal((n, dim)), rng.standard_normal((n, dim))
        fid.append(fid_from_features(real, fake))
        kid.append(kernel_distance(real, fake, subsets=2, subset_size=min(n, 1000))[0])
    print(f"{n:5d} per set: FID {np.mean(fid):7.2f} ± {np.std(fid):5.2f}   KID {np.mean(kid):+.4f} ± {np.std(kid):.4f}")

# %% [markdown]
# ## The held-out photos
# Every row of the leaderboard is scored on the same photos at the same resolution (the preset's
# `image_size`): the **test split** of the course data (lesson 01's, else prepared now), or of `DATA`
# (prepared once with its own split), which no model trains on. Under `smoke`, or offline without `DATA`, the
# built-in photos stand in (a banner says so): the lab below trains on their train split and the leaderboard
# scores their test split, so its numbers only show that the cells run.

# %%
from colorkit.course import lesson_source, record, record_data
from colorkit.evaluate import load_images

source = lesson_source(preset, DATA)
n_eval = EVAL_IMAGES or min(preset.eval_images, 300)
truths, names = load_images(source, preset.image_size, split="test", limit=n_eval)
print(f"scoring {len(truths)} photos from {source} at {preset.image_size}x{preset.image_size}")
record_data(source, eval_images=len(truths))
show_images(truths[:8], titles=names[:8], ncols=8);

# %% [markdown]
# ## The "why is it brown?" lab: one U-Net, four losses, one budget
# The same U-Net (the preset's width and depth), the same data, seed and training time, four ways:
# **L2** and **L1** regression on ab; **classification** over 261 quantized ab bins (soft-encoded targets,
# class rebalancing, annealed-mean decoding at temperature T); and the **GAN** (L1 + PatchGAN). We train
# them first, so this lesson has models to score even when it runs alone; they join the leaderboard.

# %%
from colorkit.paths import runs_dir
from colorkit.course.why_brown import LAB_IMAGES, lab_data, run_lab

train_L, train_ab = lab_data(source, preset.image_size, limit=LAB_IMAGES.get(preset.name))
print(f"lab training set: {len(train_L)} images from {source} (its train split)")
record("train_images", len(train_L))
budget = {"max_minutes": LAB_MINUTES} if LAB_MINUTES else {}
lab_models = run_lab(preset, (train_L, train_ab), out_dir=runs_dir("why_brown", preset.name), **budget)

# %% [markdown]
# ## The leaderboard
# Every checkpoint the course trained (`colorkit.paths.list_checkpoints`), the lab's four variants and the two
# reference models that ship with colorkit (`reference_unet` and `reference_unet_gan`: the same networks
# trained for longer; their cards say how long), against four trivial baselines: the **gray copy**, the training set's **mean ab**, an **L lookup** (each
# pixel gets the mean ab of the training pixels with its lightness, rounded to a whole L unit: the conditional
# mean E[ab | L], estimated by binning L)
# and the **nearest image** (copy the ab of the training photo whose small L thumbnail is closest).
# The gray copy is always the first row. `ms_per_image` is the prediction time on this machine.

# %%
from colorkit.course import record_table
from colorkit.evaluate import evaluate, write_results
from colorkit.course.progress import reference_models
from colorkit.paths import list_checkpoints

models = {k: v for k, v in list_checkpoints(preset.name).items() if k != "unet_classifier"}  # = lab classification
print(f"course checkpoints under {preset.name!r}: {sorted(models) or 'none yet (run lessons 02-05)'}")
models.update({f"lab {k}": m for k, m in lab_models.items()})
models.update(reference_models(device))  # shipped with colorkit: no training, no download
ev = evaluate(source, models, size=preset.image_size, limit=n_eval, device=device,
              keep_predictions=["lab L2", "lab classification", "lab GAN"],
              predict_kwargs={"lab classification": {"temperature": TEMPERATURE}})
paths = write_results(ev, runs_dir("evaluate", preset.name))
print("\n".join(ev.notes))
record_table(ev.table)  # ΔE2000, PSNR and colorfulness of each row
ev.table.round(3)

# %% [markdown]
# The same table in Markdown (paste it into a report; `results.csv` and `per_image.csv` are in the run folder):

# %%
print(ev.markdown(columns=["kind", "params", "ms_per_image", "de2000", "acc_de", "cf", "dcf", "psnr", "ssim"]))
print(f"\nwritten: {paths['csv']}")

# %% [markdown]
# The lab's classifier is kept for lesson 07 (its temperature slider), where the course's checkpoints live:

# %%
from colorkit.paths import checkpoint_path
from colorkit.checkpoint import export_checkpoint

print("saved", export_checkpoint(runs_dir("why_brown", preset.name) / "classification" / "last.pt",
                                 checkpoint_path("unet_classifier", preset.name)))

# %% [markdown]
# ## Bar plots and per-image distributions
# Gray bars are baselines. Read ΔE2000 and colorfulness together: the gray copy has a fine ΔE and no colour
# at all; a model that beats it on ΔE *and* gets close to the truth's colorfulness has learned something.
# A mean hides the failures: the box plots show how widely each model's per-image ΔE2000 spreads.

# %%
from colorkit.evaluate import plot_distributions, plot_leaderboard

plot_leaderboard(ev.table);

# %%
plot_distributions(ev.per_image, "de2000");

# %% [markdown]
# ## The failure gallery
# Larsson, Maire & Shakhnarovich ("Learning Representations for Automatic Colorization", ECCV 2016) show
# five failure modes in their failure-mode figure: **desaturated** (washed out), **inconsistent chroma**
# (blotchy saturation inside one object), **inconsistent hue** (one object in several hues), **edge
# pollution** (colour errors piled up at edges) and **colour bleeding** (colour running across a boundary).
# The names are theirs; they show examples and define no measure. The detectors that score each photo for
# each mode, and so sort photos into modes, are ours: colorkit's own heuristics (`colorkit.evaluate.gallery`
# says how each is computed: superpixel spreads, Canny edges), not a published measure. Below, the worst case
# of each mode for two lab variants, with the gray input, prediction, truth, the per-pixel ΔE2000 heat map,
# and the ab plane (truth gray, prediction in colour).

# %%
from colorkit.evaluate.gallery import dominant_mode, failure_table, plot_gallery

fails = failure_table(ev.preds, ev.truths, ev.names, max_images=200)
fails["mode"] = dominant_mode(fails)
pd.crosstab(fails["model"], fails["mode"])

# %%
plot_gallery(ev.preds["lab L2"], ev.truths, fails, "lab L2", k=1);

# %%
plot_gallery(ev.preds["lab classification"], ev.truths, fails, "lab classification", k=1);

# %% [markdown]
# ## Why is it brown? ΔE2000 against colorfulness
# Each point is a variant scored on the held-out photos; the gray copy sits at colorfulness 0, the truth
# (★) at ΔE 0. L2 minimizes its loss with the *average* of the plausible colours, and the average of red and
# blue and green is a dull brown-gray: low colorfulness. Classification keeps a distribution per pixel;
# the dashed path decodes it at temperatures from 1 (the mean: brown again) down to 0 (the most likely bin).
# Zhang, Isola & Efros (2016) chose T = 0.38 by eye: looking at colorizations decoded at several
# temperatures, they kept the one that looked as vivid as the most likely bin and as spatially coherent as the
# mean. They report no ΔE trade-off for it; the dashed path shows this lab's own trade-off, measured.
#
# **Read it with the budget in mind.** A few minutes on a CPU leave every network far from converged: the
# classifier starts from the data's colour distribution (mostly grays and browns, so its most likely bin is
# gray) and moves away from it slowly. Look at the direction each loss takes, not at the winner, and raise
# `LAB_MINUTES` to watch the variants separate.

# %%
from colorkit.course.why_brown import lab_summary, plot_de_vs_colorfulness, temperature_sweep

lab_tab = lab_summary(ev.table, truths)  # the lab rows of the leaderboard, plus the truth itself
record("cf/truth", lab_tab.loc["truth", "cf"])
sweep = temperature_sweep(lab_models["classification"], truths)
plot_de_vs_colorfulness(lab_tab, sweep=sweep);
lab_tab.round(3)

# %% [markdown]
# The four variants on the four sample photos (at the preset's image size, like training):

# %%
from colorkit.evaluate import predict_images

small = [square_crop(p, preset.image_size) for p in photos]
rows = [small] + [predict_images(m, small, **({"temperature": TEMPERATURE} if k == "classification" else {}))[0]
                  for k, m in lab_models.items()]
show_images([img for row in rows for img in row], ncols=4,
            titles=[f"{k}: {n}" for k in ["truth", *lab_models] for n in SAMPLE_NAMES]);

# %% [markdown]
# ## The annealed mean and class rebalancing, written out
# Two small formulas make the classifier of this lab (Zhang et al. 2016) colourful. **Class rebalancing**:
# most training pixels are grayish, so the loss would mostly teach grays; each pixel's cross-entropy is
# weighted by `w ∝ 1 / ((1 - λ) p + λ / Q)`, where `p` is the (smoothed) share of training pixels in the
# target's bin, `Q` = 261 bins and λ = 0.5, scaled so that the average weight over the training pixels is 1.
# **The annealed mean** decodes a distribution over the bins into one colour: `softmax(logits / T)`, then the
# expected bin centre; T = 1 is the plain mean (brown again), T → 0 the most likely bin, 0.38 in between.
# Both are computed by hand below and checked against `colorkit.quantize` on the same numbers.

# %%
import numpy as np
import torch

from colorkit import quantize as Qz

centres = Qz.bin_centres()  # Q x 2: the in-gamut ab bins, normalized


def annealed_mean_by_hand(logits, T):
    """softmax(logits / T) over the bins, then the expected bin centre (T = 0: the most likely bin)."""
    if T == 0:
        return centres[logits.argmax(1)].permute(0, 3, 1, 2)
    probs = torch.softmax(logits / T, dim=1)  # N x Q x H x W
    return torch.einsum("nqhw,qc->nchw", probs, centres)


def rebalance_by_hand(prior, lam=0.5):
    """w ∝ 1 / ((1 - lam) p + lam / Q) on the smoothed prior p, scaled so that sum(p w) = 1."""
    p = Qz.smooth_prior(prior)
    w = 1.0 / ((1 - lam) * p + lam / len(p))
    return w / (p * w).sum()


logits = 3 * torch.randn(2, Qz.N_BINS, 4, 4, generator=torch.Generator().manual_seed(0))
for T in (1.0, TEMPERATURE, 0.0):
    assert torch.allclose(annealed_mean_by_hand(logits, T), Qz.annealed_mean(logits, T), atol=1e-5)
prior = Qz.empirical_prior([train_ab[:512]])  # the lab's training colours
w = rebalance_by_hand(prior)
assert np.allclose(w, Qz.rebalance_weights(prior), rtol=1e-5)
gray_bin = int(Qz.hard_encode(torch.zeros(1, 2, 1, 1)).item())
print(f"annealed mean and rebalancing match colorkit's. A pixel whose colour falls in the gray bin weighs "
      f"{w[gray_bin]:.2f}; the rarest seen bins weigh up to {w[prior > 0].max():.2f} ({int((prior > 0).sum())} "
      f"of {Qz.N_BINS} bins occur in these {len(train_ab[:512])} photos)")

# %% [markdown]
# ## The temperature slider
# Drag T and watch the classifier's colours move from the brown mean (T = 1) to the vivid mode (T = 0).
# Outside Jupyter (or in CI) a static picture at the chosen temperature is shown instead.

# %%
from colorkit.widgets import TemperatureSlider

TemperatureSlider(lab_models["classification"], photos[1], temperature=TEMPERATURE, work_size=preset.image_size)

# %% [markdown]
# ## The course so far
# The same sample photos, colorized the same way (`colorize_samples`) by every model the course has saved
# under this preset so far, in the order the lessons train them, between the gray copy and the original.
# Lesson 06 adds the classifier (annealed mean at T = 0.38): every model the course trains is here now.
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
# ### Exercise 1 · easy · The gray copy on your own photos
# Score your own colour photos from the command line: `colorkit evaluate MY_PHOTOS --out runs/mine` (no
# `--checkpoint`: only the trivial baselines). Is the gray copy's PSNR/SSIM there close to its row in this
# lesson's leaderboard? Why does a picture with no colour at all score so high?
#
# **Hint:** the gray copy keeps L exactly; PSNR and SSIM are computed on the RGB image.
#
# **Time:** under a minute on the built-in photos (the four baselines only; a folder of your own takes longer
# the more photos it holds).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.cli import main

mine = runs_dir("mine", preset.name)
main(["evaluate", "samples", "--out", str(mine), "--no-perceptual"])  # or a folder of your photos for "samples"
theirs = pd.read_csv(mine / "results.csv", index_col=0)
for where, tab in (("the photos just scored", theirs), ("this lesson's leaderboard", ev.table)):
    print(f"gray copy on {where}: PSNR {tab.loc['gray copy', 'psnr']:.2f} dB, SSIM {tab.loc['gray copy', 'ssim']:.3f}, "
          f"ΔE2000 {tab.loc['gray copy', 'de2000']:.2f}")

# %% [markdown] tags=["solution"]
# <details><summary>Why it scores so high</summary>
#
# The gray copy gets every pixel's lightness right, and L carries most of what PSNR and SSIM see (structure,
# contrast): its PSNR and SSIM are high on any photos (compare the two printed rows). Photos with little colour
# score higher still. That is why every table starts with the gray copy: a model must beat it, and ΔE2000
# with colorfulness say more about colour than PSNR/SSIM.
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · The accuracy threshold
# `acc_de` counts the pixels whose ΔE2000 is below `colorkit.evaluate.metrics.ACC_THRESHOLD` (5). Score the
# kept lab predictions with `M.score_images(..., threshold=...)` at 1 (about one just-noticeable difference)
# and at 10. How does the ranking of the lab variants change? What is `acc_de` of `lab L2` at threshold 10?
#
# **Hint:** `ev.preds` holds the predictions of the variants named in `keep_predictions`, `ev.truths` the photos.
#
# **Time:** under a minute (it scores the three kept predictions of the held-out photos three times).

# %% tags=["answer"]
answer = None  # your number: acc_de of lab L2 at threshold 10 (a fraction of the pixels, 0 to 1)

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=M.score_images(ev.preds["lab L2"], ev.truths, threshold=10)["acc_de"], tol=1e-3,
      what="acc_de of lab L2 at threshold 10");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
for t in (1, 5, 10):
    acc = {k: M.score_images(p, ev.truths, threshold=t)["acc_de"] for k, p in ev.preds.items()}
    print(f"threshold {t:2d}, best first:", ", ".join(f"{k} {v:.3f}" for k, v in sorted(acc.items(), key=lambda kv: -kv[1])))

# %% [markdown] tags=["solution"]
# <details><summary>What the thresholds do</summary>
#
# At 1 few pixels of any variant count as right (the numbers are small and close); at 10 far more do. A
# strict threshold rewards the variant that is exactly right where it is confident (often the dull L2),
# a loose one forgives the vivid but approximate colours of the classifier and the GAN: the ranking can flip
# (compare the printed orders), which is why a single `acc_de` number needs its threshold stated.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · The classifier without class rebalancing
# Train the lab's classifier once more with class rebalancing off (`extra={"rebalance": False}`, read by
# `colorkit.objectives.classification`). Where does it land on the ΔE2000-vs-colorfulness plot?
#
# **Hint:** `run_lab(..., variants=["classification"], extra={"rebalance": False})` with the lab's own
# `out_dir` would meet the finished, rebalanced run there, which `train` refuses to resume with other settings:
# give it another `out_dir`.
#
# **Time:** about 3 minutes on a CPU under `cpu` (one lab variant: its 2.25 minutes of training, then scoring).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.course.why_brown import lab_table

flat = run_lab(preset, (train_L, train_ab), out_dir=runs_dir("why_brown_no_rebalance", preset.name),
               variants=["classification"], extra={"rebalance": False}, **budget)
both = {"rebalanced": lab_models["classification"], "not rebalanced": flat["classification"]}
tab, _ = lab_table(both, truths, predict_kwargs={k: {"temperature": TEMPERATURE} for k in both})
plot_de_vs_colorfulness(tab);
print(tab.round(3))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Without rebalancing the loss is dominated by the many grayish pixels, so the classifier is pushed to put its
# mass on gray and brown bins: expect lower colorfulness, closer to the L2 variant, and often a slightly lower
# ΔE2000. Rebalancing buys colour with ΔE. Compare the printed `cf` and `de2000` of the two rows: how far
# apart they land depends on the budget (under `smoke` a few steps, so the numbers mean nothing).
#
# </details>

# %% [markdown]
# ### Exercise 4 · easy · The worst photo of the lab GAN
# Find the photo where `lab GAN` has its worst ΔE2000 in `ev.per_image` (columns `model`, `image` and the
# metrics). What is that ΔE2000, and which failure mode is it (see `fails`)?
#
# **Hint:** filter the rows of `lab GAN`, then `idxmax` on `de2000`.
#
# **Time:** under a minute (it reads the tables above).

# %% tags=["answer"]
answer = None  # your number: the worst (largest) ΔE2000 of lab GAN on one held-out photo

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=ev.per_image.loc[ev.per_image["model"] == "lab GAN", "de2000"].max(), tol=0.01,
      what="the worst ΔE2000 of lab GAN");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
gan_rows = ev.per_image[ev.per_image["model"] == "lab GAN"]
worst = gan_rows.loc[gan_rows["de2000"].idxmax()]
print(f"worst photo of lab GAN: {worst['image']}, ΔE2000 {worst['de2000']:.2f}")
mode = fails.loc[(fails["model"] == "lab GAN") & (fails["image"] == worst["image"]), "mode"]
print("its dominant failure mode:", mode.iloc[0] if len(mode) else "not scored (failure_table keeps 200 photos)")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The `mode` column of `fails` names its dominant failure mode (colorkit's heuristic scores); look at the photo
# with `plot_gallery` to judge whether the name fits: often a large object in a wrong or washed-out colour.
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · L lookup against mean ab
# Why does the L lookup baseline get more colourful results than mean ab, but not a lower ΔE2000?
#
# **Hint:** compare what each predicts for a dark pixel and for a bright one, and what ΔE2000 averages.
#
# **Time:** under a minute (it fits the two baselines on as many training photos as the lesson scores).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.evaluate.baselines import LightnessLookup, MeanAb

fit_photos, _ = load_images(source, preset.image_size, split="train", limit=n_eval)
mean_ab, lookup = MeanAb().fit(fit_photos), LightnessLookup().fit(fit_photos)
print(f"fitted on {len(fit_photos)} training photos; the a*b* each predicts for a pixel of lightness L:")
for L in (20, 50, 80):
    print(f"  L = {L}: mean ab ({mean_ab.mean_ab[0]:+.1f}, {mean_ab.mean_ab[1]:+.1f}), "
          f"L lookup ({lookup.table[L][0]:+.1f}, {lookup.table[L][1]:+.1f})")
print(ev.table.loc[["gray copy", "mean ab", "L lookup"], ["de2000", "cf"]].round(3))

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# Mean ab paints every pixel with one colour, the average a*b* of the training photos: a constant tint, the same
# at every lightness (the printed rows), so the picture has no colour variation of its own. The L lookup gives
# each lightness its own average colour (see how its printed a*b* change with L), so the picture varies in
# colour and scores a higher colorfulness. But each of those colours is still an average over everything with
# that lightness: for a given pixel it may well be wrong, and a wrong vivid colour costs more ΔE2000 than a
# near-gray one. All the lookup can gain is what L alone says about colour (E[ab | L]); more colour without
# knowing *which* object is where does not make the error small. Compare the printed `de2000` and `cf` of the
# three rows: how much ΔE2000 the lookup gains on mean ab here, if any, and whether either beats the gray copy.
#
# </details>
