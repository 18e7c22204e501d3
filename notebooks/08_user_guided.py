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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/08_user_guided.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/08_user_guided.ipynb)
#
# # 08 · User-guided colorization: a few clicks make the colour right
#
# **What you will learn**
# - why automatic colorization is ambiguous: one gray photo is many colour photos, and a model that must
#   choose one answer for all of them stays close to gray;
# - Levin, Lischinski & Weiss 2004 ("Colorization using Optimization", SIGGRAPH): a few colours clicked on
#   the photo, spread where the lightness is similar, written out in numpy/scipy and checked against colorkit;
# - a hint network after Zhang et al. 2017 ("Real-Time User-Guided Image Colorization with Learned Deep
#   Priors", SIGGRAPH): L, sparse a*b* hints and a mask in, trained with a simulated user;
# - how to measure both honestly: ΔE2000 and PSNR against the number of hints on held-out photos, the same
#   hints for every method, next to the gray copy and the automatic U-Net;
# - the click-to-colour editor (`colorkit.hint_widget.HintEditor`) on an archival photo, and
#   `colorkit colorize --hints` on the command line.
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (a few training steps: numbers are meaningless) |
# | `cpu` | about 7-15 | 2 CPU cores: the hint network trains 6 minutes on 64x64 photos, then 200 held-out photos are scored |
# | `gpu` | about 30 | a Colab GPU: 20 minutes of training on 256x256 photos, 100 held-out photos scored |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # a `colorkit prepare` folder (or photos) to train on; empty: the course data (downloaded if missing)
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons
EVAL_IMAGES = 0  # held-out photos scored at every hint count; 0 means the lesson's budget for the preset
RESUME = False  # True: continue an interrupted training run from its last checkpoint instead of starting over
PHOTO = ""  # an old black-and-white photo for the hint editor (empty: the built-in camera photo)

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
# The same four photos as in every lesson.

# %%
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = {name: load_sample(name) for name in SAMPLE_NAMES}
show_images(list(photos.values()), titles=list(photos), ncols=4);

# %% [markdown]
# ## One gray photo, many colour photos
# A colorizer sees only the lightness L. Below, the astronaut's suit is turned green, teal and blue: the hue of
# every colourful pixel (chroma above 35) is rotated in the a*b* plane and L is kept
# (`colorkit.course.guided.recolor`; the flag's stripes turn too, the rule only looks at colour). All four
# photos have the same gray copy, so no colorizer can tell them apart. Each one is a perfectly plausible photo,
# and yet the metric scores every one but the original as an error. A model trained to be right *on average*
# over all such photos predicts their mean, and the mean of a green, a blue and an orange suit is grayish:
# the last picture averages the four photos' a*b*. The lines under the code compare its ΔE2000 against the
# original with the recoloured photos': a dull average can score better than a vivid plausible answer, which
# is why a colorizer trained to lower an average error learns to be dull.

# %%
import numpy as np

from colorkit.color import gray_copy, lab_to_rgb8, rgb8_to_l, rgb_to_lab
from colorkit.course import record
from colorkit.course.guided import recolor
from colorkit.evaluate.metrics import colorfulness, delta_e2000_map

astronaut = photos["astronaut"]
variants = {"original": astronaut, **{f"hue {d:+d}°": recolor(astronaut, d) for d in (100, 160, -120)}}
mean_ab = np.mean([rgb_to_lab(v)[..., 1:] for v in variants.values()], axis=0)
average = lab_to_rgb8(rgb8_to_l(astronaut), mean_ab.astype(np.float32))
dL = max(float(np.abs(rgb8_to_l(v) - rgb8_to_l(astronaut)).max()) for v in variants.values())
print(f"largest |L difference| between the four photos: {dL:.2f} (8-bit rounding)")
record("ambiguity_l_max_diff", dL)

# %%
for name, v in variants.items():
    print(f"{name:>10}: ΔE2000 against the original {delta_e2000_map(v, astronaut).mean():5.2f}, "
          f"colourfulness {colorfulness(v):5.1f}")
de_avg, de_wrong = delta_e2000_map(average, astronaut).mean(), [delta_e2000_map(v, astronaut).mean()
                                                                 for v in list(variants.values())[1:]]
print(f"{'average':>10}: ΔE2000 against the original {de_avg:5.2f}, colourfulness {colorfulness(average):5.1f}: "
      f"{'lower' if de_avg < min(de_wrong) else 'not lower'} than every recoloured photo's ΔE2000")
show_images([*variants.values(), gray_copy(astronaut, dtype=np.uint8), average],
            titles=[*variants, "the gray copy of all four", "average of the four"], ncols=3, size=3);

# %% [markdown]
# ## What the automatic U-Net does with it
# The reference U-Net that ships with colorkit (`colorkit.load("reference")`: lesson 03's U-Net trained for
# longer, see its card) colorizes the sample photos without any help. Compare its colourfulness with the
# originals' (printed under the code) and look at the suit: where the colour is not written in L and texture,
# it stays near gray, the safe answer when a suit could be any colour (lesson 06 showed why L1 and L2 losses
# end there). Its ΔE2000 is printed next to the gray copy's, photo by photo.

# %%
import colorkit
from colorkit.colorize import colorize_image

automatic = colorkit.load("reference", device=device)  # shipped with colorkit, verified against its SHA-256
auto_name = f"reference_{automatic.model_name}"
auto_out = {name: colorize_image(automatic, p) for name, p in photos.items()}
for name, p in photos.items():
    print(f"{name:>9}: colourfulness original {colorfulness(p):5.1f}, {auto_name} {colorfulness(auto_out[name]):5.1f}, "
          f"ΔE2000 {delta_e2000_map(auto_out[name], p).mean():5.2f} "
          f"(gray copy {delta_e2000_map(gray_copy(p, dtype=np.uint8), p).mean():5.2f})")
show_images([im for name in photos for im in (auto_out[name], photos[name])], ncols=4, size=2.6,
            titles=[t for name in photos for t in (f"{name}: {auto_name}", f"{name}: original")]);

# %% [markdown]
# ## Let the person say what they know: Levin et al. 2004
# If someone clicks a few pixels and says which colour they are, the rest follows from one idea: **neighbouring
# pixels with similar lightness should have similar colour**. Levin, Lischinski & Weiss write each unhinted
# pixel's a (and b) as the weighted mean of its 8 neighbours' in a 3x3 window,
#
# $$a_r = \sum_{s \in N(r)} w_{rs}\, a_s, \qquad w_{rs} \propto \exp\!\left(-\frac{(Y_r - Y_s)^2}{2\sigma_r^2}\right),
# \qquad \sum_s w_{rs} = 1,$$
#
# with $Y = L/100$ and $2\sigma_r^2$ taken from the variance of $Y$ in the window around $r$ (their Matlab code
# uses 0.6 times it, raised where needed so the most similar neighbour keeps a weight of at least 0.01 before
# normalizing, and never below 2e-6). Hinted pixels keep their hint. That is a sparse linear system
# $(I - W)\,a = 0$ on the unhinted rows and $a_r = \text{hint}_r$ on the hinted ones, one matrix for a* and b*.
# Where L changes a lot (an edge), the weights across it are small and colour stops there.
#
# Below it is written out pixel by pixel (slow, but readable) on a 48x48 copy of the astronaut with 10 simulated
# hints, and checked against colorkit's `levin_weights` and `levin_ab` (vectorized, with a faster solver).

# %%
import cv2
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from colorkit.guided.hints import hint_maps
from colorkit.guided.levin import levin_ab, levin_weights
from colorkit.guided.simulate import simulate_hints


def affinities(L):
    """Levin's weights in a 3x3 window: W[r, s] for each pixel r and neighbour s, every row summing to 1."""
    Y = np.asarray(L, np.float64) / 100.0
    H, W = Y.shape
    rows, cols, vals = [], [], []
    for i in range(H):
        for j in range(W):
            nbrs = [(i + di, j + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)
                    if (di or dj) and 0 <= i + di < H and 0 <= j + dj < W]
            y_nb = np.array([Y[p] for p in nbrs])
            d2 = (y_nb - Y[i, j]) ** 2
            c = max(0.6 * np.var(np.append(y_nb, Y[i, j])), d2.min() / np.log(100), 2e-6)  # 2 sigma_r^2
            w = np.exp(-d2 / c)
            rows += [i * W + j] * len(nbrs)
            cols += [a * W + b for a, b in nbrs]
            vals += list(w / w.sum())
    return sp.csr_matrix((vals, (rows, cols)), shape=(H * W, H * W))


def levin_solve(L, hint_ab, mask):
    """(I - W) a = 0 on unhinted pixels, a = hint on hinted ones: one sparse solve for a* and b* together."""
    free = sp.diags((mask.ravel() < 0.5).astype(float))  # 1 on the rows of unhinted pixels
    A = sp.identity(L.size) - free @ affinities(L)
    rhs = (hint_ab * mask[..., None]).reshape(L.size, 2)
    return spla.spsolve(A.tocsc(), rhs).reshape(*L.shape, 2)


small = cv2.resize(astronaut, (48, 48), interpolation=cv2.INTER_AREA)
L_small = rgb8_to_l(small)
hint_ab, mask = hint_maps(simulate_hints(small, count=10, seed=0), *L_small.shape)
ours_w, ours_ab = affinities(L_small), levin_solve(L_small, hint_ab, mask)
w_diff = abs(ours_w - levin_weights(L_small)).max()
ab_diff = float(np.abs(ours_ab - levin_ab(L_small, hint_ab, mask)).max())
print(f"weights: max |ours - colorkit| = {w_diff:.1e}; a*b*: max |ours - colorkit| = {ab_diff:.1e} (LAB units)")
assert np.allclose(ours_w.toarray(), levin_weights(L_small).toarray(), atol=1e-12), "the weights differ"
assert np.allclose(ours_ab, levin_ab(L_small, hint_ab, mask), atol=1e-4), "the solves differ"
record("levin_written_out_max_diff", ab_diff)

# %% [markdown]
# ## Levin on a whole photo
# `colorkit.colorize_guided.colorize_guided(photo, hints, method="levin")` does the same at full resolution, the
# way every colorkit colorization does: L shrunk to a work size (256 px on the long side), the system solved
# there, a*b* upsampled and put back on the photo's own full-resolution L. Each photo gets hints from the
# **simulated user** (`colorkit.colorize_guided.simulate_photo_hints`): single pixels or small patches holding
# the photo's true colour, as Zhang et al. 2017 simulate their users. The dots show where the hints are.

# %%
from colorkit.colorize_guided import colorize_guided, simulate_photo_hints
from colorkit.hint_widget import draw_hints

shown, titles = [], []
for name in ("astronaut", "coffee"):
    p = photos[name]
    for n in (2, 10):
        hints = simulate_photo_hints(p, count=n, seed=0)
        out = colorize_guided(p, hints, method="levin")
        shown += [draw_hints(gray_copy(p, dtype=np.uint8), hints), out]
        titles += [f"{name}: {n} hints", f"Levin, ΔE2000 {delta_e2000_map(out, p).mean():.2f}"]
show_images(shown, titles=titles, ncols=4, size=2.8);

# %% [markdown]
# ## The simulated user
# Training and scoring need many hints, so nobody clicks them: `colorkit.guided.simulate` draws them as Zhang et
# al. 2017 do. The number of hints is geometric (a coin that stops with probability 1/8 decides whether one more
# comes, so no hint at all happens one time in eight), positions follow a normal distribution around the
# centre of the photo (a quarter of the side wide), each hint is a square patch 1 to 9 pixels wide, and its colour
# is the patch's mean a*b* in the true photo. Here are 20,000 draws of the count, and the hints the training
# objective (`colorkit.objectives.hints`) gives one batch at one step: they depend only on the run's seed and
# the step number, so an interrupted run resumes exactly.

# %%
import torch

from colorkit.color import normalize_ab
from colorkit.guided.simulate import sample_count, simulate_hint_batch
from colorkit.objectives.hints import step_rng

rng = np.random.default_rng(0)
counts = np.array([sample_count(rng) for _ in range(20_000)])
print(f"hints per photo: mean {counts.mean():.2f}, none {np.mean(counts == 0):.3f} of the time, "
      f"more than 20 {np.mean(counts > 20):.3f}")
thumbs = [cv2.resize(p, (64, 64), interpolation=cv2.INTER_AREA) for p in photos.values()]  # a batch of 4
batch_ab = torch.from_numpy(normalize_ab(np.stack([rgb_to_lab(t)[..., 1:] for t in thumbs]))).permute(0, 3, 1, 2)
batch_hints = simulate_hint_batch(batch_ab, step_rng(seed=0, step=0))
print("hinted pixels per photo in the batch of step 0:", batch_hints[:, 2].sum(dim=(1, 2)).int().tolist())

# %% [markdown]
# ## A hint network that starts where the classic stops
# Zhang et al. 2017 train a network that takes L, the hints' a*b* and a mask of where hints are, and learns from
# a million photos what Levin's rule cannot know: that a hint on a shirt colours the whole shirt, not the wall
# behind it of the same gray, and what colour the unhinted parts probably are. Our `unet_hints` follows them on a
# CPU budget: the hints are first spread by a cheap **normalized convolution** (`colorkit.guided.propagate`:
# blur(a*b* x mask) / blur(mask) at three scales, also with lightness-aware weights, after Knutsson & Westin
# 1993), and those maps are extra input channels of a U-Net whose output is `base + (1 - reach) * automatic +
# correction`: `base` is the spread hints, `reach` how much the hints decide at each pixel, and both heads start
# at zero. So the untrained network *is* the classic propagation (and the gray copy without hints); training
# only adds what the propagation gets wrong. Trained with zero hints one time in eight, it is also an automatic
# colorizer. Below, the spread hints (`base`) of 10 hints on the 48x48 astronaut, next to Levin's result.

# %%
from colorkit.color import denormalize_ab, normalize_l
from colorkit.guided.hints import hint_tensor
from colorkit.guided.propagate import propagate_hints
from colorkit.models.unet_hints import UNetHints

hints10 = simulate_hints(small, count=10, seed=0)
L_norm = torch.from_numpy(normalize_l(L_small))[None, None].float()
spread = propagate_hints(hint_tensor(hints10, *L_small.shape), L_norm)[0, :2].permute(1, 2, 0).numpy()
base_rgb = lab_to_rgb8(L_small, denormalize_ab(spread).astype(np.float32))  # normalized a*b* back to LAB units
levin_rgb = lab_to_rgb8(L_small, levin_ab(L_small, *hint_maps(hints10, *L_small.shape)))
net = UNetHints(base_width=8, depth=2)
print(f"unet_hints input channels: {net.in_channels} (L, 3 hint channels, the propagated maps)")
big = lambda im: cv2.resize(im, (192, 192), interpolation=cv2.INTER_NEAREST)  # noqa: E731  (4x, to see the pixels)
show_images([draw_hints(big(gray_copy(small, dtype=np.uint8)), hints10), big(base_rgb), big(levin_rgb), big(small)],
            titles=["10 hints", "normalized convolution (base)", "Levin", "original"], ncols=4, size=2.6);

# %% [markdown]
# ## Data
# As in lessons 02-05: the train split of the course data (prepared now if lesson 01 has not run here), or of
# `DATA`; the scores use its test split, which no lesson trains on. A banner says so when the built-in photos
# stand in.

# %%
from colorkit.course import lesson_source, record_data
from colorkit.course.budgets import budget
from colorkit.course.generative import lesson_data
from colorkit.course.guided import LESSON
from colorkit.data.photos import load_images

source = lesson_source(preset, DATA)
train_data, val_data = lesson_data(preset, source, lesson=LESSON)
n_eval = EVAL_IMAGES or budget(LESSON, preset, "eval_images") or preset.eval_images
truths, _ = load_images(source, preset.image_size, split="test", limit=n_eval)
print(f"training on {len(train_data[0])} photos from {source} at {preset.image_size} px; scoring {len(truths)}")
record_data(source, train_images=len(train_data[0]), eval_images=len(truths))

# %% [markdown]
# ## Train the hint network
# The same engine as every lesson (`colorkit.train`), with the `hints` objective: at each step the batch gets
# fresh simulated hints and the L1 loss is taken on every pixel. The budget is the lesson's row in
# `colorkit.course.budgets`. The model is saved where the other lessons and the command line find it
# (`colorkit colorize --hints ... --method unet_hints`).

# %%
from colorkit.course import record_training
from colorkit.course.guided import hint_config
from colorkit.course.supervised import save_for_later_lessons
from colorkit.paths import runs_dir
from colorkit.train import train

cfg = hint_config(preset, runs_dir(LESSON, preset.name))
print(f"{cfg.model} {cfg.model_kwargs}, objective {cfg.objective}, loss {cfg.loss}, batch {cfg.batch_size}, "
      f"budget {cfg.max_minutes} min / {cfg.max_steps} steps")
result = train(cfg, train_data, val_data, resume=RESUME)
hint_net = result.model.eval()
print(f"{result.step} steps, {result.images_seen} photos seen, {result.images_per_second:.0f} images/s")
record_training({"unet_hints": result})
print("saved", save_for_later_lessons(result, "unet_hints", preset))

# %% [markdown]
# ## ΔE2000 and PSNR against the number of hints
# Every method colorizes the same held-out photos with the **same** simulated hints: each photo gets one list
# of single-pixel hints holding its true colour (a fixed random generator per photo), and `n` hints are the
# first `n` of that list, as a person who keeps adding clicks (`colorkit.evaluate.hints.score_hint_methods`).
# 0 hints is each method's automatic result: Levin's is the gray copy, the hint network's its own guess. The
# gray copy and the automatic U-Net take no hints: they are the flat lines.

# %%
from IPython.display import Markdown, display

from colorkit.course import record_table
from colorkit.course.guided import hint_frame
from colorkit.evaluate.hints import HINT_COUNTS, format_hint_table, score_hint_methods
from colorkit.evaluate.metrics import score_images
from colorkit.guided.levin import levin_colorize
from colorkit.hint_widget import default_colorizer

methods = {"levin": levin_colorize, "hint_net": default_colorizer(hint_net, work_size=preset.image_size)}
table = score_hint_methods(methods, truths, counts=HINT_COUNTS, seed=0)
auto = score_images([colorize_image(automatic, t) for t in truths], truths)
flat = {auto_name: {k: auto[k] for k in ("de2000", "psnr", "cf")}}
print(f"{len(truths)} held-out photos at {preset.image_size} px; the truth's colourfulness {table['truth']['cf']:.1f}, "
      f"{auto_name}: ΔE2000 {auto['de2000']:.2f}, PSNR {auto['psnr']:.2f} dB (it takes no hints)")
frame = hint_frame(table, flat)
record_table(frame, columns=("de2000", "psnr"))
display(Markdown("**ΔE2000** (lower is better)\n\n" + format_hint_table(table, "de2000") +
                 "\n\n**PSNR dB** (higher is better)\n\n" + format_hint_table(table, "psnr")))

# %%
from colorkit.course.guided import fewest_hints, plot_hint_curves

plot_hint_curves(table, flat, title=f"{len(truths)} held-out photos, {preset.image_size} px");
for m in methods:
    n = fewest_hints(table, m, auto["de2000"])
    print(f"{m}: beats {auto_name}'s ΔE2000 from {n} hint{'' if n == 1 else 's'} on" if n is not None else
          f"{m}: never beats {auto_name}'s ΔE2000 at these counts")
better = [n for n in HINT_COUNTS if table["hint_net"][n]["de2000"] < table["levin"][n]["de2000"]]
print(f"the hint network is below Levin at {better or 'no'} hint count(s) of {list(HINT_COUNTS)}")
for n in (0, 10):
    print(f"{n} hints: ΔE2000 Levin {table['levin'][n]['de2000']:.2f}, hint network {table['hint_net'][n]['de2000']:.2f}, "
          f"gray copy {table['gray copy']['de2000']:.2f}; colourfulness Levin {table['levin'][n]['cf']:.1f}, "
          f"hint network {table['hint_net'][n]['cf']:.1f}")

# %% [markdown]
# How to read the curves. Every hint holds the true colour, so both methods only get better with more hints,
# and each curve starts at its automatic result: Levin's at the gray copy (it has nothing to spread), the
# hint network's at its own automatic guess. The flat line of the automatic U-Net is what lessons 02-07 can
# reach; where a curve crosses it, a few clicks have done more than all of that training. Levin knows only
# "similar lightness, similar colour", so each hint colours the region of similar L around it and nothing
# else. The hint network has seen many photos with their hints, so it can learn what a hint means beyond
# its region and what colour the unhinted parts probably are, but it has to earn that in its training
# budget: after a few CPU minutes it may still sit above Levin at some counts. The lines printed above say
# where it stands on this run; `colorkit.colorize_guided.hint_model_shipped()` says whether this colorkit
# ships a hint network trained for longer.

# %% [markdown]
# ## The sample photos with 10 hints
# Each photo at its full size: the automatic U-Net, then Levin and the hint network with the same 10 simulated
# hints (the dots), then the original.

# %%
from colorkit.colorize_guided import hint_model_shipped

pictures, titles = [], []
for name, p in photos.items():
    hints = simulate_photo_hints(p, count=10, seed=0)
    pictures += [auto_out[name], draw_hints(colorize_guided(p, hints, method="levin"), hints),
                 draw_hints(colorize_guided(p, hints, method=hint_net, work_size=preset.image_size), hints), p]
    titles += [f"{name}: {auto_name}", "Levin, 10 hints", "hint network, 10 hints", "original"]
show_images(pictures, titles=titles, ncols=4, size=2.6);
print("a shipped hint model is in this colorkit" if hint_model_shipped() else
      "no shipped hint model in this colorkit yet: the editor below uses what this lesson measured")

# %% [markdown]
# ## The hint editor on an archival photo
# `HintEditor` shows a photo colorized from the hints put on it so far. With a running kernel (Jupyter, VS Code,
# Colab) it is live: **click** the photo to put a hint (its colour starts as the colour the current colorization
# has there; change it with the colour picker), drag a dot to move it, Delete removes it, Undo, Clear, Save and
# Load the hints as JSON, and a before/after divider over the gray photo. Without a kernel (this page on GitHub
# or the course site) you see the static picture: the hints as dots. The editor colorizes with the method that
# scored the lower ΔE2000 at 10 hints above (or the shipped hint model, when there is one). The hints here
# are put from Python, the same calls the buttons make: sky, grass, the coat and the face of the built-in
# camera photo (a gray photo: there is no true colour, only your judgement).

# %%
from colorkit.colorize_guided import default_hint_model
from colorkit.data.images import load_rgb
from colorkit.hint_widget import HintEditor

old = load_rgb(PHOTO) if PHOTO else load_sample("camera")
if hint_model_shipped():
    method, method_name = default_hint_model(device=device), "the shipped hint model"
elif table["hint_net"][10]["de2000"] < table["levin"][10]["de2000"]:
    method, method_name = hint_net, "this lesson's hint network"
else:
    method, method_name = "levin", "Levin"
editor = HintEditor(old, colorize=method, work_size=preset.image_size if method is hint_net else None)
for x, y, colour in [(0.15, 0.08, "#8db4dc"), (0.85, 0.12, "#9bbfe0"), (0.75, 0.75, "#6f8f4a"),
                     (0.95, 0.55, "#7a9a52"), (0.15, 0.55, "#3a3248"), (0.43, 0.34, "#c99877")]:
    editor.add(x, y, colour)
print(f"the editor colorizes with {method_name}; {len(editor.hints)} hints")
editor

# %% [markdown]
# The editor's state is plain Python: `editor.hints` (a list of `Hint(x, y, color, radius)`, positions as
# fractions of width and height, so one file serves every resolution), `editor.undo()`, `editor.picture` (the
# colorization) and `editor.save(path)` (the JSON file `colorkit colorize --hints` reads).

# %%
from colorkit.viz import before_after

editor.undo()  # takes the last hint (the face) away again
print(len(editor.hints), "hints after undo; the first:", editor.hints[0])
editor.add(0.43, 0.34, "#c99877")
hints_file = editor.save(runs_dir(LESSON, preset.name) / "camera_hints.json")
print("saved", hints_file)
show_images([before_after(editor.gray, editor.picture, 0.5), editor.colorize_full()],
            titles=["before | after", f"full resolution, {len(editor.hints)} hints"], ncols=2, size=4);

# %% [markdown]
# ## The same from the command line
# `colorkit hints PHOTO --count N --out FILE.json` writes a simulated user's hints for a colour photo (for
# benchmarks and exercises); `colorkit colorize PHOTO --hints FILE.json --out DIR` colorizes at full resolution
# with `--method levin`, a checkpoint, a model name the course trained (`unet_hints`), or, when colorkit ships
# one, the shipped hint model by default. For several photos, `--hints DIR` holds one `<photo stem>.json` each.

# %%
from colorkit.cli import main
from colorkit.data.samples import sample_path

out_dir = runs_dir(LESSON, preset.name) / "cli"
print("exit code", main(["hints", str(sample_path("rocket")), "--count", "10", "--out", str(out_dir / "rocket.json")]))
print("exit code", main(["colorize", str(sample_path("rocket")), "--hints", str(out_dir / "rocket.json"),
                         "--method", "levin", "--out", str(out_dir), "--compare"]))
print("exit code", main(["colorize", str(sample_path("camera")), "--hints", str(hints_file), "--method", "unet_hints",
                         "--preset", preset.name, "--out", str(out_dir)]))

# %% [markdown]
# ## What you learned
# - One gray photo stands for many colour photos; a colorizer scored on average over all of them learns to stay
#   near gray where the colour is not written in L and texture.
# - Levin et al. 2004 turn a few hints into a whole colorization with one sparse solve: similar lightness,
#   similar colour. You wrote it in a few lines of numpy/scipy and checked it against colorkit's.
# - A hint network (after Zhang et al. 2017) learns from photos what a hint means; started at the classic
#   propagation, it only has to learn the corrections, and with zero hints it is an automatic colorizer.
# - Honest comparison: the same simulated hints for every method, counts from 0 to 50, the gray copy and the
#   automatic U-Net beside them, ΔE2000 and PSNR on held-out photos.
# - The editor and `colorkit colorize --hints` put this on your own photos.

# %%
from colorkit.course import record_minutes

record_minutes()  # this lesson's wall-clock minutes; RECORD lines stay in the executed notebook

# %% [markdown]
# ## Exercises
# Each exercise has a level, a hint, and a solution below it that stays folded until you open it.

# %% [markdown]
# ### Exercise 1 · easy · How many clicks beat the automatic U-Net?
# From the table above: at how many hints does Levin first score a lower ΔE2000 than the automatic U-Net on the
# held-out photos? (Answer -1 if no count does.) What does that say about training a colorizer for hours?
#
# **Hint:** `table["levin"][n]["de2000"]` for `n` in `HINT_COUNTS`, against `auto["de2000"]`.
#
# **Time:** under a minute (it reads the table above).

# %% tags=["answer"]
answer = None  # your number: the fewest hints with which Levin beats the automatic U-Net (-1: never)

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

first = fewest_hints(table, "levin", auto["de2000"])
check(answer, expected=-1 if first is None else first, tol=0, what="the fewest hints for Levin to beat the U-Net");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
n = next((n for n in HINT_COUNTS if table["levin"][n]["de2000"] < auto["de2000"]), -1)
print(f"Levin beats {auto_name} ({auto['de2000']:.2f}) from {n} hint(s) on" if n >= 0 else "no count does")

# %% [markdown] tags=["solution"]
# <details><summary>Why it matters</summary>
#
# On real photos it takes very few: a handful of true colours, spread by a rule that knows nothing of objects,
# does better than a network that had to guess every colour from L. Automatic colorization is limited by what
# L does not say, not only by training time: the missing information is exactly what a person can add.
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · A wider window
# Levin's weights use a 3x3 window (`window=1`). Try `window=2` (5x5) with 10 hints on 50 held-out photos:
# does ΔE2000 change, and what does the solve cost?
#
# **Hint:** `levin_colorize(photo, hints, window=2)`; `score_hint_methods({"3x3": levin_colorize, "5x5": ...},
# truths[:50], counts=(10,))`, and `time.perf_counter()` around it.
#
# **Time:** about 1 minute on a CPU under `cpu` (50 photos at 64 px, twice).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import time

for window in (1, 2):
    t0 = time.perf_counter()
    t = score_hint_methods({f"window {window}": lambda p, h, w=window: levin_colorize(p, h, window=w)},
                           truths[:50], counts=(10,))
    print(f"window {window} ({2 * window + 1}x{2 * window + 1}): ΔE2000 {t[f'window {window}'][10]['de2000']:.2f}, "
          f"{time.perf_counter() - t0:.1f} s for {len(truths[:50])} photos")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# A 5x5 window links each pixel to 24 neighbours instead of 8: the matrix has about three times more entries
# and the solve costs more. Colour travels a little further per step, and the weights are taken from a larger,
# more varied window, so they are flatter across fine edges; compare the two printed scores to see how much
# that moves ΔE2000 on these photos.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · Patches instead of pixels
# The table uses single-pixel hints. The network was trained on patches 1 to 9 pixels wide (`max_radius=4`).
# Score both methods with patch hints: which one gains more from them, and why?
#
# **Hint:** `score_hint_methods(methods, truths, counts=(2, 10), max_radius=4)`.
#
# **Time:** about 2 minutes on a CPU under `cpu` (200 photos, two methods, two counts).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
patches = score_hint_methods(methods, truths, counts=(2, 10), max_radius=4)
for m in methods:
    print(m, "ΔE2000 change from single pixels to patches:",
          {n: round(patches[m][n]["de2000"] - table[m][n]["de2000"], 2) for n in (2, 10)})

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# A patch gives each hint several true pixels at once, and a patch's mean colour is less noisy than one pixel's,
# so both methods should gain (negative changes above). The network also sees the kind of hint it was trained
# on (the simulated user of Zhang et al. 2017 draws patches), while for Levin a patch is simply more hinted
# pixels; the printed changes say which gained more on this run.
#
# </details>

# %% [markdown]
# ### Exercise 4 · medium · A wrong click
# Put one hint of the wrong colour on the camera photo (a red one on the grass, say) and look where the red
# goes with Levin and with the hint network. Then undo it.
#
# **Hint:** `editor.add(0.6, 0.8, "#d02020")`, `editor.picture`; a second editor built with
# `HintEditor(old, colorize="levin", hints=editor.hints)` shows the other method.
#
# **Time:** under a minute.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
editor.add(0.6, 0.8, "#d02020")
other_method = hint_net if isinstance(method, str) else "levin"  # the method the editor does not use
other = HintEditor(old, colorize=other_method, hints=editor.hints,
                   work_size=preset.image_size if other_method is hint_net else None)
show_images([editor.static_picture(), other.static_picture()],
            titles=[f"{method_name}, a red hint on the grass", "the other method, the same hints"], ncols=2, size=4)
editor.undo()
print(len(editor.hints), "hints again after undo")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Levin spreads the red over all the grass of similar lightness until it meets a green hint or an edge: the
# nearest hints fight, and the boundary between them lies where L changes. The network's propagation fades
# with distance, and what it learned about grass may pull the rest back towards green, so a wrong click can stay
# more local. Either way, one more click (undo, or a green hint) fixes it: that is the point of the editor.
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · Start from the automatic U-Net
# The hint network can start from a trained automatic U-Net (`init_generator`): its body and its automatic head
# are copied, so with zero hints it colours as that U-Net from the first step. Start it from the shipped reference
# U-Net and train it with the same budget: how do its 0-hint and 10-hint ΔE2000 compare with your run's?
#
# **Hint:** `hint_config(preset, out, model_kwargs=<the reference's kwargs>, extra={"init_generator":
# str(reference_path("unet"))})` with `from colorkit.reference import reference_path`; the reference's sizes are
# in `automatic.card["architecture"]["kwargs"]` (leave out `zero_init_head`: both heads start at zero anyway).
#
# **Time:** the lesson's training budget again (about 6 minutes under `cpu`), then 1-2 minutes of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.reference import reference_path

kwargs = {k: v for k, v in automatic.card["architecture"]["kwargs"].items() if k != "zero_init_head"}
warm_cfg = hint_config(preset, runs_dir(LESSON, preset.name) / "from_reference", model_kwargs=kwargs,
                       extra={"init_generator": str(reference_path("unet"))})
warm = train(warm_cfg, train_data, val_data).model.eval()
warm_table = score_hint_methods({"warm start": default_colorizer(warm, work_size=preset.image_size)},
                                truths, counts=(0, 10))
for n in (0, 10):
    print(f"{n} hints: ΔE2000 warm start {warm_table['warm start'][n]['de2000']:.2f}, "
          f"this lesson's run {table['hint_net'][n]['de2000']:.2f}")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# With zero hints the warm start is the reference U-Net (up to what the budget's training changes), so it starts
# where lessons 03-07 ended instead of at the gray copy; with hints it starts from the propagation plus the
# U-Net's guess wherever the hints do not reach. The reference is wider than the preset's U-Net, so each step
# costs more and fewer steps fit in the budget: whether the 10-hint score improves depends on that trade.
#
# </details>
