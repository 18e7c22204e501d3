# ---
# jupyter:
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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/00_quickstart.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/00_quickstart.ipynb)
#
# # 00 · Quickstart: colour is two numbers per pixel
#
# **What you will learn**
# - why colorizers work in the CIELAB colour space, and what its three channels L, a and b hold;
# - what the *gray copy* is (keep L, set a = b = 0) and why every table in this course starts with it;
# - how the presets (`smoke`, `cpu`, `gpu`) scale every lesson from a CI check to a Colab A100;
# - how the course is laid out.
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs |
# | `cpu` | 1 | a laptop or 2 CPU cores |
# | `gpu` | 1 | a Colab GPU |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # a folder of your own photos (unused in this lesson)

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
from colorkit.presets import get_preset
from colorkit.runtime import print_environment, seed_everything

lesson_timer()  # starts the clock of this lesson's `minutes` record
print_environment()
preset = get_preset(PRESET)
seed_everything(0)
print(preset)

# %% [markdown]
# ## The sample photos
# Every lesson shows the same four photos, all shipped inside scikit-image (public domain or CC0), so you
# can watch the colorizations get better from lesson to lesson.

# %%
from colorkit.course import record, record_data
from colorkit.data.samples import SAMPLE_NAMES, license_table, load_sample
from colorkit.viz import show_images

photos = [load_sample(name) for name in SAMPLE_NAMES]
record_data("samples", images=len(photos))
show_images(photos, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown]
# ## CIELAB: lightness apart from colour
# An RGB pixel mixes brightness and colour in all three numbers. CIELAB separates them:
# **L** (0 black to 100 white) is the lightness a black-and-white photo already records, and **a**
# (green to magenta) and **b** (blue to yellow) carry the colour. A colorizer therefore gets L and only
# has to predict two numbers per pixel, a and b. Below, each channel alone (colour channels are shown at
# a constant lightness so you see only their colour).

# %%
from colorkit.color import lab_channel_images

channels = lab_channel_images(photos[0])
show_images([photos[0], *channels.values()], titles=["original", "L only (gray copy)", "a only", "b only", "a and b"], ncols=5);

# %% [markdown]
# ## The formulas, written out
# sRGB to CIELAB is three steps. (1) Undo the display gamma: each 8-bit value `c / 255` becomes linear light,
# `c / 12.92` below 0.04045, else `((c + 0.055) / 1.055) ** 2.4`. (2) Mix the three linear channels into
# CIE XYZ with a 3x3 matrix (sRGB primaries, D65 white) and divide by the white point. (3) Compress each
# with a cube root (a straight line near black) and take differences: `L = 116 f(Y) - 16`,
# `a = 500 (f(X) - f(Y))`, `b = 200 (f(Y) - f(Z))`. The cell checks this against `colorkit.color.rgb_to_lab`.
# (The constants are scikit-image's; the CIE's exact ones, 216/24389 and 24389/27, move L, a, b by a few
# thousandths.)

# %%
import numpy as np

from colorkit.color import rgb_to_lab

SRGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],  # scikit-image's digits, which colorkit uses
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]])
D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def rgb_to_lab_by_hand(rgb8):
    c = rgb8 / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)  # (1) undo the gamma
    xyz = linear @ SRGB_TO_XYZ.T / D65_WHITE  # (2) to XYZ, relative to white
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)  # (3) the perceptual compression
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


diff = np.abs(rgb_to_lab_by_hand(photos[1]) - rgb_to_lab(photos[1])).max()
print(f"by hand vs colorkit: max difference {diff:.1e} LAB units")
assert np.allclose(rgb_to_lab_by_hand(photos[1]), rgb_to_lab(photos[1]), atol=1e-3)

# %% [markdown]
# ## The conversion is exact and fast
# `colorkit.color` implements sRGB to CIELAB (D65) once, for numpy and for torch (differentiable, so a loss
# can be computed in any colour space). It agrees with scikit-image to about 1e-4 LAB units on all
# 2^24 8-bit colours and is several times faster (see `benchmarks/lab_speed.py`).

# %%
import numpy as np
from skimage.color import rgb2lab

from colorkit.color import lab_to_rgb, rgb_to_lab

lab = rgb_to_lab(photos[1])
print("largest difference to scikit-image:", float(np.abs(lab - rgb2lab(photos[1])).max()))
print("L range %.1f..%.1f, a range %.1f..%.1f, b range %.1f..%.1f" % (
    lab[..., 0].min(), lab[..., 0].max(), lab[..., 1].min(), lab[..., 1].max(), lab[..., 2].min(), lab[..., 2].max()))
back, report = lab_to_rgb(lab, return_report=True, dtype=np.uint8)
print("round trip: max error", int(np.abs(back.astype(int) - photos[1]).max()), "levels;",
      f"{report.clipped_pixels} pixels clipped to the sRGB gamut")
record("lab_max_diff_skimage", float(np.abs(lab - rgb2lab(photos[1])).max()))

# %% [markdown]
# ## The gray copy: the baseline to beat
# Keeping L and setting a = b = 0 gives a gray photo that already scores well on PSNR and SSIM against the
# colour original (the cell below prints about 18 dB and 0.87 on the four photos), because L carries most
# of the structure. A colorizer that does not beat the
# gray copy on colour error has learned nothing useful, so every table in this course shows it first.

# %%
from colorkit.color import gray_copy
from colorkit.evaluate.metrics import score_images

grays = [gray_copy(p) for p in photos]
gray_scores = score_images(grays, photos)  # the gray copy against the colour originals
for metric in ("psnr", "ssim", "de2000"):
    record(f"{metric}/gray copy", gray_scores[metric])
show_images(grays, titles=[f"gray copy: {n}" for n in SAMPLE_NAMES], ncols=4);

# %% [markdown]
# ## Presets
# Every lesson starts with `PRESET = "auto"`. `auto` means: the `COLORKIT_PRESET` environment variable if
# set, else `gpu` when CUDA is available, else `cpu`. One table in `colorkit.presets` holds them all;
# a lesson may override single values, e.g. `get_preset(PRESET, batch_size=8)`.

# %%
import pandas as pd

from colorkit.presets import preset_table

pd.DataFrame(preset_table()).set_index("name").drop(columns="extra")

# %% [markdown]
# ## How the course is laid out
# | lesson | topic |
# |---|---|
# | 00 | this quickstart: LAB, the gray copy, presets |
# | 01 | data: download, prepare compact LAB shards, split 60/20/20 |
# | 02 | a baseline CNN and a ResNet baseline; L1 vs L2; why they come out brown |
# | 03 | U-Net and a pretrained-encoder U-Net |
# | 04 | VAEs: several plausible colorizations of one photo |
# | 05 | GANs: U-Net + PatchGAN |
# | 06 | honest evaluation: metrics, baselines, failure gallery, "why is it brown?" |
# | 07 | colorize your own and archival photos at full resolution |
#
# All logic lives in the `colorkit` package; the lessons explain, call it, and show.
# The photos' licences:

# %%
pd.DataFrame(license_table())

# %%
from colorkit.course import record_minutes

record_minutes()  # this lesson's wall-clock minutes; RECORD lines stay in the executed notebook

# %% [markdown]
# ## Exercises
# Each exercise has a level, a hint, and a solution below it that stays folded until you open it.

# %% [markdown]
# ### Exercise 1 · easy · The most saturated pixel
# Convert the rocket photo (`photos[3]`) with `rgb_to_lab` and find its most saturated pixel: the largest
# chroma `sqrt(a² + b²)`. Where is it, and what colour? Then do the same with a photo of your own
# (`colorkit.data.images.load_rgb("my_photo.jpg")`).
#
# **Hint:** chroma is `np.hypot(lab[..., 1], lab[..., 2])`; `np.unravel_index(c.argmax(), c.shape)` gives its row and column.
#
# **Time:** under a minute.

# %% tags=["answer"]
answer = None  # your number: the largest chroma sqrt(a² + b²) in photos[3], LAB units

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

lab3 = rgb_to_lab(photos[3])
check(answer, expected=float(np.hypot(lab3[..., 1], lab3[..., 2]).max()), tol=0.1, what="the largest chroma of the rocket photo");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
def most_saturated(rgb):
    """The largest chroma sqrt(a² + b²) of a photo, its row and column, and that pixel's LAB."""
    lab_px = rgb_to_lab(rgb)
    c = np.hypot(lab_px[..., 1], lab_px[..., 2])
    row, col = np.unravel_index(c.argmax(), c.shape)
    return float(c[row, col]), row, col, lab_px[row, col]


chroma, row, col, lab_px = most_saturated(photos[3])
print(f"rocket: chroma {chroma:.1f} at row {row}, column {col}: LAB {lab_px.round(1)}, RGB {photos[3][row, col]}")
for name, rgb in (("red", [255, 0, 0]), ("magenta", [255, 0, 255]), ("blue", [0, 0, 255])):
    pure = rgb_to_lab(np.array([[rgb]], dtype=np.uint8))[0, 0]
    print(f"pure {name} {rgb}: chroma {np.hypot(pure[1], pure[2]):.1f}")
# your own photo: from colorkit.data.images import load_rgb; most_saturated(load_rgb("my_photo.jpg"))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The printed RGB of the pixel says what colour it is. Compare its chroma with the printed chroma of pure red,
# magenta and blue: three corners of the RGB cube, among the most vivid colours an 8-bit sRGB screen can show.
# Your own photo: `most_saturated(load_rgb("my_photo.jpg"))`, with `from colorkit.data.images import load_rgb`.
#
# </details>

# %% [markdown]
# ### Exercise 2 · easy · Colour at another lightness
# Call `lab_channel_images(photos[0], L_fixed=30)` and `L_fixed=90` and show the a and b pictures. Why do
# they look different from the default `L_fixed=70`, although a and b are the same numbers?
#
# **Hint:** the sRGB gamut is narrow near black and near white; look at how much chroma fits at L = 30 and L = 90.
#
# **Time:** under a minute.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
lab0, pictures, titles = rgb_to_lab(photos[0]), [], []
for L_fixed in (30, 70, 90):
    ch = lab_channel_images(photos[0], L_fixed=L_fixed)
    pictures += [ch["a"], ch["b"]]
    titles += [f"a at L={L_fixed}", f"b at L={L_fixed}"]
    clipped = {}
    for name, c in (("a", 1), ("b", 2)):  # the same LAB picture again, to count what lab_to_rgb clips
        one = np.zeros_like(lab0)
        one[..., 0], one[..., c] = L_fixed, lab0[..., c]
        clipped[name] = lab_to_rgb(one, return_report=True)[1].fraction
    print(f"L = {L_fixed}: clipped to the sRGB gamut: {clipped['a']:.1%} of the a picture, {clipped['b']:.1%} of the b picture")
show_images(pictures, titles=titles, ncols=2, size=2.6);

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The same (a, b) is shown at another lightness, and the sRGB gamut depends on lightness: it is narrow near
# black and near white, and not in the same directions (a dark yellow or a light, saturated blue does not exist
# on a screen). Colours outside it are clipped, so strong values of a or b that differed come out alike; compare
# the printed fractions to see which channel loses most at which lightness. How colourful a colour can look
# depends on L, which is why a colorizer predicts ab *for* a given L.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · Colours outside the sRGB gamut
# The round trip above clipped nothing, and it never will: every 8-bit RGB colour is inside the sRGB gamut.
# Clipping happens when LAB values come from somewhere else, such as a colorizer's prediction. Build a LAB
# strip of 201 pixels with L = 90, a = 0 and b = -100, -99, ..., 100, convert it with
# `lab_to_rgb(strip, return_report=True)` and read `report.fraction`: what fraction of the strip is clipped?
#
# **Hint:** `strip = np.zeros((1, 201, 3)); strip[..., 0] = 90; strip[0, :, 2] = np.arange(-100, 101)`; light blues (b < 0 at L = 90) are the first to leave the gamut.
#
# **Time:** under a minute.

# %% tags=["answer"]
answer = None  # your number: the fraction of the strip that lab_to_rgb clipped (0 to 1)

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

strip = np.zeros((1, 201, 3))
strip[..., 0] = 90
strip[0, :, 2] = np.arange(-100, 101)
check(answer, expected=lab_to_rgb(strip, return_report=True)[1].fraction, tol=0.005, what="the clipped fraction");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
strip = np.zeros((1, 201, 3))
strip[..., 0] = 90
strip[0, :, 2] = np.arange(-100, 101)
rgb, strip_report = lab_to_rgb(strip, return_report=True)
print(strip_report.clipped_pixels, "of", strip_report.total_pixels, "clipped:", round(strip_report.fraction, 3))
fits = [px[2] for px in strip[0] if lab_to_rgb(px[None, None], return_report=True)[1].clipped_pixels == 0]  # one by one
print(f"at L = 90 (a = 0) sRGB holds b from {min(fits):.0f} to {max(fits):.0f} only")

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# At L = 90 only a narrow band of b fits into sRGB (the printed range), so the rest of the strip, the strong
# blues and the most saturated yellows, is clipped, channel by channel, which shifts the colour's hue and
# lightness. A colorizer can predict such values too; what the course does with them, in its pictures and in its
# scores, is told once, in lesson 07 ("A colour that sRGB cannot show"), with both conversions on one prediction.
#
# </details>

# %% [markdown]
# ### Exercise 4 · medium · PSNR of each gray copy
# Compute the PSNR of the gray copy of each sample photo against its original (`score_images(grays, photos,
# per_image=True)` returns the mean and one row per photo). Which photo has the lowest PSNR, and why is that
# the most colourful one?
#
# **Hint:** the gray copy keeps L exactly, so all of its error is the missing a and b: the more colour, the lower the PSNR.
#
# **Time:** under a minute.

# %% tags=["answer"]
answer = None  # your number: the lowest PSNR (dB) of a gray copy among the four photos

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=min(r["psnr"] for r in score_images(grays, photos, per_image=True)[1]), tol=0.01, what="the lowest gray-copy PSNR");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
means, rows = score_images(grays, photos, per_image=True)
for name, photo, row in zip(SAMPLE_NAMES, photos, rows):
    lab_photo = rgb_to_lab(photo)
    rms_chroma = np.sqrt(np.mean(lab_photo[..., 1] ** 2 + lab_photo[..., 2] ** 2))  # the gray copy's ab error
    print(f"{name:10s} PSNR {row['psnr']:5.2f} dB, root-mean-square chroma {rms_chroma:5.1f} LAB units")
print("lowest PSNR:", SAMPLE_NAMES[int(np.argmin([r["psnr"] for r in rows]))])

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The coffee photo scores lowest: its red cup and brown coffee are far from gray, so setting a = b = 0 loses the
# most there. The chroma column is the error the gray copy makes in a and b; compare the two columns:
# the larger the root-mean-square chroma, the lower the PSNR (PSNR is computed in RGB, so the match is in the
# order, not the numbers).
#
# </details>
