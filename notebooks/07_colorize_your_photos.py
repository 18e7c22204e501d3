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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/07_colorize_your_photos.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/07_colorize_your_photos.ipynb)
#
# # 07 · Colorize your own and archival photos, at full resolution
#
# **What you will learn**
# - how a model trained on small images colorizes a 12-megapixel photo: predict a*b* small, upsample it,
#   keep the photo's own L. Every pixel's lightness is kept; fine colour detail is not;
# - what happens to a predicted colour that sRGB cannot show: pictures reduce its chroma, scores clip it;
# - how to pick the best model by measuring it on held-out photos, not by its name;
# - why sepia and faded prints are reduced to L first;
# - how to compare models on one photo with a before/after slider and its metrics, draw several
#   colorizations from a VAE, and tune the classifier's temperature;
# - how to share a trained model: model cards, checksums, and `colorkit.load`; why a tampered file is refused;
# - what goes wrong on real black-and-white photos, and why.
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (the shipped reference models compete when no lesson has trained one) |
# | `cpu` | 2-5 | a laptop or 2 CPU cores, with the models lessons 02-05 trained |
# | `gpu` | 2-5 | a Colab GPU |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # photos or a prepared folder whose test split ranks the models; empty: the course data
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons
PHOTO = ""  # path of a photo of your own (empty: upload one in Colab, else a built-in photo)
ARCHIVE = ""  # a folder of old black-and-white / sepia photos for the gallery (empty: built-in ones only)
WORK_SIZE = 0  # long side at which the models predict colour; 0 means each model's training size (its checkpoint says)
MAX_ARCHIVE = 6  # photos taken from ARCHIVE
OUT = ""  # where the full-resolution PNGs go (empty: runs/colorized/<preset>)

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
# The same four photos as in every lesson, so you can compare with what you saw before.

# %%
from colorkit.course import record
from colorkit.data.samples import GRAY_SAMPLES, SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = {name: load_sample(name) for name in SAMPLE_NAMES}
record("images", len(photos))
show_images(list(photos.values()), titles=list(photos), ncols=4);

# %% [markdown]
# ## The models the course trained
# Lessons 02-05 save their models with `colorkit.paths.checkpoint_path(model, preset)`;
# `list_checkpoints(preset)` finds them. Each checkpoint carries a **model card**: architecture, preset,
# data, steps, metrics, colorkit version. Next to them are the two **reference models** that ship inside
# colorkit (`colorkit.load("reference")`, `colorkit colorize --model reference`): the U-Net of lesson 03 and
# the U-Net GAN of lesson 05 trained for longer on one CPU core, on the train split of Tiny ImageNet photos
# (their cards say how long, on which data and under which terms). So this lesson works out of the box, even
# opened alone on a fresh runtime with nothing trained; run lessons 02-05 (with `DRIVE = True` on Colab) to
# put your own models in the race.

# %%
import colorkit
from colorkit.colorize import check_colorizer
from colorkit.course import lesson_source, record_data
from colorkit.course.progress import reference_models
from colorkit.checkpoint import format_card
from colorkit.paths import list_checkpoints

held_out = lesson_source(preset, DATA)  # the photos that rank the models below (their test split)

models = {}
for name, path in list_checkpoints(preset.name).items():
    try:
        models[name] = check_colorizer(colorkit.load(path, device=device))
    except Exception as e:  # a discriminator-only file, an unknown model...: say so and go on
        print(f"skipped {name}: {e}")
if not models:
    print(f"no trained checkpoints under preset {preset.name!r} yet: the reference models compete alone "
          f"(run lessons 02-05 to add yours)")
models.update(reference_models(device))  # shipped with colorkit, verified against their SHA-256
for name, m in models.items():
    print(f"--- {name}\n{format_card(m.card)}\n")
record("models", len(models))

# %% [markdown]
# ## Which model is best? Measure it
# Not the first name in the list: every model colorizes the same held-out photos (the `test` split of
# the course data or of `DATA`, which no lesson trains on), and the models are
# ranked by ΔE2000, the gray copy first as always. The rest of this lesson uses them in that order.

# %%
from colorkit.course import record_table
from colorkit.evaluate import evaluate

board = evaluate(held_out, models, size=preset.image_size, limit=preset.eval_images, baselines=("gray copy",),
                 perceptual=False, progress=False)
ranked = board.table.drop("gray copy").sort_values("de2000")
models = {name: models[name] for name in ranked.index}  # best first
print(f"{len(board.names)} held-out photos from {held_out}; best: {next(iter(models))}")
record_data(held_out, eval_images=len(board.names))
record("best_model", next(iter(models)))
record_table(board.table, columns=("de2000",))
board.table[["de2000", "cf", "psnr"]].round(3)

# %% [markdown]
# ## Full resolution: predict small, keep the photo's own L
# A colorizer predicts a*b* (the two colour numbers per pixel) from L. Running it on a 4000x3000 photo
# would be slow and would show it objects far larger than it was trained on. Instead
# `colorize_image`: (1) takes the photo's L at full resolution; (2) shrinks a copy to the size the model
# was trained at (its checkpoint records it: 64 px under `cpu`; `WORK_SIZE` overrides) on the long side
# (padded to the model's stride) and predicts a*b* there; (3) upsamples a*b* to the photo's size with OpenCV
# (bilinear); (4) recombines it with the **full-resolution L**.
#
# **What is kept, and what is not.** The lightness of every pixel is the photo's own: every edge, grain and
# letter comes from the original. The colour is not: it has the resolution of the working size, and each
# predicted a*b* is spread over a block of photo pixels. Under `cpu` a 4000x3000 photo is predicted at 64x48,
# so one predicted colour covers about 62x62 of its pixels (4000 / 64; the cell under "The four steps, written
# out" prints the block for the model at hand). Anything coloured that is smaller than that block, a red button
# or one flower in a meadow, gets the colour of its surroundings, and colour can run across an edge that L draws
# sharply. Sharp L under smooth colour still looks natural, because our eyes resolve colour less finely than
# lightness (which is also why JPEG usually stores colour at half resolution, in blocks of 2x2), but a block of
# 62x62 is far coarser than that: what this method keeps at full resolution is L, not colour.
#
# Why the training size? A model trained on 64-pixel photos has learnt what objects look like at 64
# pixels; shown a 256-pixel copy, each object is four times larger than anything it saw (try it in
# exercise 1).

# %%
import numpy as np

from colorkit.color import lab_to_rgb8, rgb_to_lab
from colorkit.colorize import colorize_image, gray_image, model_work_size
from colorkit.course import record

WORK_SIZE = WORK_SIZE or None  # None: each model predicts at its training size
first = next(iter(models.values()))
photo = photos["astronaut"]
out, ab = colorize_image(first, photo, work_size=WORK_SIZE, return_ab=True)
dL = np.abs(rgb_to_lab(out)[..., 0] - rgb_to_lab(photo)[..., 0])
print(f"prediction at {WORK_SIZE or model_work_size(first)} px, output {out.shape[1]}x{out.shape[0]}: "
      f"|L_out - L_in| median {np.median(dL):.2f}, 99th percentile {np.percentile(dL, 99):.2f} (8-bit rounding)")
record("fullres_l_error_median", float(np.median(dL)))
record("fullres_l_error_p99", float(np.percentile(dL, 99)))
colour_only = lab_to_rgb8(np.full(ab.shape[:2], 70, np.float32), ab)  # a*b* shown at a constant lightness
show_images([gray_image(photo), colour_only, out], titles=["input L", "predicted a*b*, upsampled", "recombined"],
            ncols=3);

# %% [markdown]
# ### The four steps, written out
# `colorize_image` in a dozen lines: the photo's L (`rgb8_to_l`, colorkit's fast 8-bit path of `rgb_to_lab`'s
# L), shrunk by area averaging to the working shape and reflect-padded to the model's stride, the model run on
# it (`predict_ab` handles the models' calling conventions), the padding cropped off, a*b* upsampled
# bilinearly to the photo's size and recombined with the full-resolution L. The cell checks the result against
# the package's `colorize_image` on the same photo (exact on a CPU; on a GPU the convolutions may pick other
# algorithms from call to call and move the last bits of a*b*), and prints how many photo pixels each
# predicted colour covers, here and on a 4000x3000 photo.

# %%
import cv2
import torch

from colorkit.color import denormalize_ab, normalize_l, rgb8_to_l
from colorkit.colorize import model_stride, predict_ab, working_shape


def colorize_by_hand(model, rgb8, work_size):
    L = rgb8_to_l(rgb8)  # (1) the photo's own L, every pixel (float32, 0..100)
    H, W = L.shape
    stride = model_stride(model)
    h, w = working_shape(H, W, work_size, stride)  # long side work_size, aspect kept
    small = cv2.resize(L, (w, h), interpolation=cv2.INTER_AREA)  # (2) L shrunk by area averaging,
    small = np.pad(small, ((0, -h % stride), (0, -w % stride)), mode="reflect")  # padded to the stride
    p = next(model.parameters())
    x = torch.from_numpy(normalize_l(small)[None, None]).to(device=p.device, dtype=p.dtype)
    ab_small = denormalize_ab(predict_ab(model, x)[0, :, :h, :w].permute(1, 2, 0).cpu().numpy())  # padding off
    ab_full = cv2.resize(ab_small, (W, H), interpolation=cv2.INTER_LINEAR)  # (3) a*b* upsampled
    return lab_to_rgb8(L, ab_full), ab_full, (h, w)  # (4) the full-resolution L with the upsampled a*b*


size = WORK_SIZE or model_work_size(first)
by_hand, ab_by_hand, (h, w) = colorize_by_hand(first, photo, size)
assert np.allclose(ab_by_hand, ab, atol=1e-3)  # the same a*b* as colorize_image's
assert np.allclose(by_hand, out, atol=1)  # the same picture (up to one 8-bit level where a*b* moved a bit)
print(f"by hand vs colorize_image: a*b* differ by at most {np.abs(ab_by_hand - ab).max():.1e}, the pictures by "
      f"{np.abs(by_hand.astype(int) - out).max()} levels")
print(f"each predicted colour covers {photo.shape[0] / h:.1f} x {photo.shape[1] / w:.1f} pixels of this "
      f"{photo.shape[1]}x{photo.shape[0]} photo (predicted at {w}x{h})")
h12, w12 = working_shape(3000, 4000, size, model_stride(first))
print(f"on a 4000x3000 photo: predicted at {w12}x{h12}, one colour per {3000 / h12:.1f} x {4000 / w12:.1f} pixels")

# %% [markdown]
# ### A colour that sRGB cannot show: pictures and scores differ
# A model may predict an a*b* that no sRGB colour has at that lightness (lesson 00, exercise 3, builds some).
# The course turns such LAB values into RGB in two ways, and this is the one place that says so:
# - **pictures** made by `colorize_image` (every PNG, gallery and slider of this lesson, and the sample photos
#   and progress strips of every lesson, `colorize_samples`) go through `colorkit.color.lab_to_rgb8`: the
#   colour loses chroma at the same L and hue until it fits, so the picture's L is the photo's up to 8-bit
#   rounding, whatever the model predicts;
# - **scores**, made from `colorkit.evaluate.predict_images` (every score table of lessons 02-06, the ranking
#   above, and lesson 06's small strip of its four lab variants), go through `colorkit.color.lab_to_rgb`,
#   which clips each RGB channel to [0, 1]. A clipped colour changes lightness and hue as well, and ΔE2000,
#   PSNR and colourfulness are computed on it.
#
# The slider's metrics further down score the picture it shows, so for a model they see chroma reduction.
# Below, the same prediction (the photo's L with the upsampled a*b* from above) converted both ways.

# %%
from colorkit.color import lab_to_rgb

lab = np.dstack([rgb8_to_l(photo), ab])
clipped, report = lab_to_rgb(lab, return_report=True, dtype=np.uint8)  # how scores see it
reduced = lab_to_rgb8(lab[..., 0], ab)  # how pictures show it
print(f"{report.fraction:.1%} of the pixels are outside sRGB; the two conversions differ by up to "
      f"{np.abs(clipped.astype(int) - reduced).max()} levels")
for how, rgb in (("lab_to_rgb, clipped (scores)", clipped), ("lab_to_rgb8, chroma reduced (pictures)", reduced)):
    print(f"{how}: |L - L of the photo| up to {np.abs(rgb_to_lab(rgb)[..., 0] - lab[..., 0]).max():.2f}")

# %% [markdown]
# ## Every model on the sample photos
# Each row starts with the gray copy (L kept, a = b = 0): the honest baseline.

# %%
rows, titles = [], []
for pname, p in photos.items():
    rows += [gray_image(p)] + [colorize_image(m, p, work_size=WORK_SIZE) for m in models.values()]
    titles += [f"{pname}: gray copy"] + [f"{pname}: {n}" for n in models]
show_images(rows, titles=titles, ncols=len(models) + 1, size=2.5);

# %% [markdown]
# ## Your own photo
# In Colab, an upload button appears (choose any photo: phone pictures are turned upright from their EXIF
# tag; 16-bit, palette and transparent files work). Elsewhere, set `PHOTO` in the parameters cell.
# Without either, the rocket photo stands in. Each model writes a full-resolution PNG.

# %%
from pathlib import Path

from colorkit.colorize import colorize_file, read_image
from colorkit.data.samples import sample_path
from colorkit.paths import runs_dir
from colorkit.runtime import in_colab

if not PHOTO and in_colab():
    from google.colab import files

    uploaded = files.upload()
    PHOTO = next(iter(uploaded), "")
photo_path = Path(PHOTO) if PHOTO else sample_path("rocket")
mine = read_image(photo_path)
out_dir = Path(OUT) if OUT else runs_dir("colorized", preset.name)
for name, m in models.items():
    res = colorize_file(m, photo_path, out_dir / f"{photo_path.stem}_{name}.png", work_size=WORK_SIZE, compare=True)
    print(f"{name}: {res['dst']} ({res['size'][0]}x{res['size'][1]}) and {res['compare'].name}")

# %% [markdown]
# ## Compare with a slider
# Drag the divider: left of it the gray input (or the ground truth, when the photo has colour), right of it
# the model or baseline chosen in the dropdown. The baselines are the trivial ones of lesson 06: the mean
# a*b* of the built-in photos, and a lookup from lightness to colour. Under the picture are the photo's
# metrics: ΔE2000 (colour error as the eye sees it, lower is better), PSNR and colorfulness, always next to
# the gray copy. A black-and-white or sepia photo has no ground truth, so it gets no metrics. Where no
# kernel runs (GitHub, CI) you see the picture as it was when the notebook was saved.

# %%
from colorkit.evaluate.baselines import LightnessLookup, MeanAb
from colorkit.data.samples import COLOR_SAMPLES
from colorkit.widgets import BeforeAfter, CompareWidget

# the trivial baselines learn from the built-in colour photos (never from the photo they are scored on)
train_photos = [load_sample(n) for n in COLOR_SAMPLES if sample_path(n) != photo_path]
baselines = {"mean ab (baseline)": MeanAb().fit(train_photos),
             "L lookup (baseline)": LightnessLookup().fit(train_photos)}
compare = CompareWidget(mine, {**models, **baselines}, work_size=WORK_SIZE)
compare.show();

# %%
# The widgets are driven from Python too: move the divider, pick another model.
compare.position = 0.3
compare.choice = list(models)[0]
print("\n".join(compare.caption()))
if compare.truth is not None:
    record("delta_e2000_your_photo", compare.metrics(compare.choice)["dE2000"])
cat = photos["chelsea"]
BeforeAfter(gray_image(cat), colorize_image(first, cat), labels=("gray", "colorized")).show();

# %% [markdown]
# ## Several colorizations from one VAE, and the classifier's temperature
# A VAE (lesson 04) can draw a different, equally plausible colorization each time: press the button.
# The classification model (lesson 06) predicts a distribution over colours per pixel; its *annealed mean*
# with temperature T chooses between the most likely colour (T near 0: vivid, patchy) and the mean
# (T = 1: smooth, brownish). These widgets appear when such models were trained.

# %%
from colorkit.colorize import takes_temperature
from colorkit.widgets import TemperatureSlider, VAESampler

vaes = [n for n, m in models.items() if hasattr(m, "sample")]
classifiers = [n for n, m in models.items() if takes_temperature(m)]  # an annealed mean (lesson 06's classifier)
if vaes:
    VAESampler(models[vaes[0]], photos["chelsea"], temperature=1.0, work_size=WORK_SIZE).show()
if classifiers:
    TemperatureSlider(models[classifiers[0]], photos["coffee"], work_size=WORK_SIZE).show()
if not (vaes or classifiers):
    print("no VAE or classification model among the trained ones: run lessons 04 and 06 to see these widgets")

# %% [markdown]
# ## A gallery of real black-and-white photos
# The built-in gray photos (`GRAY_SAMPLES`) plus up to `MAX_ARCHIVE` from your `ARCHIVE` folder. There is no
# ground truth here, only your eyes. Things to look for: skies and vegetation usually come out right (L and
# texture give them away); clothes, cars and painted walls get the average colour of their kind (often
# brownish: the L1/L2 losses pick the safe mean); the text page and the coins have no colour to find; scans
# of old prints have grain, scratches and halftone dots the models never saw in training.

# %%
from colorkit.colorize import collect_inputs

gallery = {name: load_sample(name) for name in GRAY_SAMPLES}
if ARCHIVE:
    for path in collect_inputs([ARCHIVE])[:MAX_ARCHIVE]:
        gallery[path.name] = read_image(path)
best = models[list(models)[0]]  # the lowest ΔE2000 on the held-out photos
shown = []
for name, img in gallery.items():
    shown += [gray_image(img), colorize_image(best, img, work_size=WORK_SIZE)]
record("archive_images", len(gallery))
show_images(shown, titles=[t for n in gallery for t in (n, f"{n}: {list(models)[0]}")], ncols=4, size=2.5);

# %% [markdown]
# ## Sepia and tinted prints are reduced to L first
# An old print is often brown (sepia toning) or yellowed. Its tint is not the scene's colour, so
# `colorize_image` keeps only the lightness L. Below: a sepia-toned print of the camera photo (same L, brown
# a*b*) gives the same result as the gray original, up to rounding (where a brown of that lightness does
# not exist in sRGB, as in the darkest coat, `tint` keeps L and gives up chroma, so L is still the photo's).

# %%
from colorkit.colorize import tint

camera = load_sample("camera")
sepia = tint(camera, a=6, b=20)  # the photo's L with a brown a*b*: how a sepia print looks
from_sepia, from_gray = colorize_image(best, sepia), colorize_image(best, camera)
print("largest difference between the two results:", int(np.abs(from_sepia.astype(int) - from_gray).max()), "levels")
show_images([sepia, from_sepia, from_gray], titles=["sepia print", "colorized from sepia", "colorized from gray"],
            ncols=3);

# %% [markdown]
# ## Share a model: card, checksum, `colorkit.load`
# `export_model` writes a slim copy (weights and card, no optimizer state) and returns its SHA-256. Publish
# both; anyone can then run `colorkit.load(url, sha256=...)`: the download is cached and verified, a file
# whose checksum differs is refused, and the file is opened with `torch.load(weights_only=True)`, so a
# pickle that would run code is refused too, whatever its checksum.
#
# The two reference models were published the same way: file, card, checksum. The recipe that trained them
# (and lesson 08's hint network) is one command, which prepares the photos, trains its stages and writes the
# files, cards and checksums: `python -m colorkit.reference_recipe ../shared/data/tiny64/train --preset cpu
# --out runs/references` trains them again on a CPU, and `coco --preset gpu` the full-size versions on a GPU
# (the README's "Reference models" has the details). The second cell below prints the stages and their
# training budgets, read from the recipe itself (`colorkit.reference_recipe.RECIPE`).

# %%
from colorkit.checkpoint import ChecksumMismatchError
from colorkit.checkpoint import export_model

shared, sha = export_model(first.checkpoint_path, runs_dir("shared", preset.name, "model.pt"))
print(f"{shared} ({shared.stat().st_size / 1e6:.2f} MB), sha256 {sha}")
again = colorkit.load(shared, sha256=sha)
tampered = shared.with_name("tampered.pt")
data = bytearray(shared.read_bytes())
data[len(data) // 2] ^= 0xFF
tampered.write_bytes(bytes(data))
try:
    colorkit.load(tampered, sha256=sha)
except ChecksumMismatchError as e:
    print("refused:", e)

# %%
from colorkit.reference_recipe import PACKAGED, PACKAGED_HINTS, RECIPE

for stage in RECIPE:
    start = f", started from {stage.init}" if stage.init else ""
    kept = " (packaged)" if stage.name in PACKAGED + PACKAGED_HINTS else ""
    print(f"{stage.name}{kept}: {stage.model}, {stage.minutes:g} minutes of training{start}")
print(f"in all {sum(s.minutes for s in RECIPE):g} minutes; the two references alone (base, unet, unet_gan): "
      f"{sum(s.minutes for s in RECIPE if s.name not in PACKAGED_HINTS):g}")

# %% [markdown]
# ## The same from the command line
# `colorkit colorize` takes files and folders (one PNG per input, named after it, a progress bar for
# folders), a checkpoint path or URL (`--checkpoint`) or a model name the course trained (`--model`),
# `--compare` for a side-by-side gray | colorized image, and `--size` for the working size.

# %%
from colorkit.cli import main

exit_code = main(["colorize", "--checkpoint", str(shared), "--sha256", sha, str(photo_path),
                  "--out", str(out_dir / "cli"), "--compare", *(["--size", str(WORK_SIZE)] if WORK_SIZE else [])])
print("exit code", exit_code)

# %%
from colorkit.course import record_minutes

record_minutes()  # this lesson's wall-clock minutes; RECORD lines stay in the executed notebook

# %% [markdown]
# ## Exercises
# Each exercise has a level, a hint, and a solution below it that stays folded until you open it.

# %% [markdown]
# ### Exercise 1 · easy · The working size
# Colorize one photo with `work_size` 64, 128, 256 and 512. First: at what size does the best model (`first`)
# predict by default? Where does a small working size show (small coloured objects), where does a large one go
# wrong (colours of textures instead of objects), and what does it cost in time?
#
# **Hint:** `colorkit.colorize.model_work_size(model)` reads the training size from the checkpoint.
#
# **Time:** under a minute (four colorizations of one photo).

# %% tags=["answer"]
answer = None  # your number: the working size (px) at which `first` predicts by default

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=model_work_size(first), tol=0, what="the default working size of the best model (px)");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import time

print("default working size:", model_work_size(first))
outs = []
for s in (64, 128, 256, 512):
    t0 = time.perf_counter()
    outs.append(colorize_image(first, photo, work_size=s))
    print(f"work_size {s}: {time.perf_counter() - t0:.2f} s")
show_images(outs, titles=["64", "128", "256", "512"], ncols=4);

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The default is the model's training size (the first printed line). Smaller: small objects get the colour of
# their surroundings. Larger than the training size: every object looks bigger than anything the model saw, so
# it colours textures rather than objects, often blotchy. The work grows with the number of pixels (4x per
# doubling of the side); compare the printed times, where the smallest sizes are mostly fixed overhead.
#
# </details>

# %% [markdown]
# ### Exercise 2 · easy · Nearest-neighbour upsampling
# Upsample a*b* with `upsample="nearest"` instead of `"bilinear"` and zoom into an edge: what do you see, and why
# does bilinear hide it?
#
# **Hint:** `colorize_image(first, photo, work_size=WORK_SIZE, upsample="nearest")`; crop a 64x64 region on an edge.
#
# **Time:** under a minute.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
near, ab_near = colorize_image(first, photo, work_size=WORK_SIZE, upsample="nearest", return_ab=True)
bil, ab_bil = colorize_image(first, photo, work_size=WORK_SIZE, return_ab=True)
for how, a in (("nearest", ab_near), ("bilinear", ab_bil)):
    print(f"{how}: largest a*b* step between two neighbouring pixels {np.abs(np.diff(a, axis=1)).max():.1f}")
# a 64x64 crop around the largest colour step of the nearest version
y, x = np.unravel_index(np.abs(np.diff(ab_near, axis=1)).sum(-1).argmax(), ab_near.shape[:2])
y0, x0 = np.clip([y - 32, x - 32], 0, np.subtract(photo.shape[:2], 64))
show_images([near[y0:y0 + 64, x0:x0 + 64], bil[y0:y0 + 64, x0:x0 + 64]], titles=["nearest", "bilinear"], ncols=2);

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Nearest gives blocks of constant colour, one per predicted pixel: staircase edges of colour across the sharp
# L edges, and the whole colour change between two predictions happens from one pixel to the next (the larger
# printed step). Bilinear blends neighbouring predictions, so the colour changes smoothly and the staircase is
# gone. It adds no colour detail: the colour is still one prediction per block (on a 4000x3000 photo, the block
# the full-resolution cell printed), so small objects keep the colour of their surroundings and colour still
# runs across sharp L edges. Our eyes resolve colour less finely than lightness, so a smooth blur of colour
# under a sharp L is much less visible than blocks; with blocks that large it shows wherever a small object
# should have its own colour.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · Your family photos
# Run the gallery on your own old photos (`ARCHIVE`, up to `MAX_ARCHIVE` of them). Which kinds of objects does
# the model get right, which does it always paint brown? Relate it to what you learned about L1/L2 losses in
# lesson 02.
#
# **Hint:** set `ARCHIVE` in the parameters cell and rerun the gallery cell.
#
# **Time:** under a minute for a few photos (one colorization each, at the model's working size).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
# the gallery cell above colorized the built-in gray photos and, with ARCHIVE set, yours: measure the colours
hues = {"warm (red, orange, brown)": (0, 90), "green": (90, 180), "blue": (180, 300), "purple, pink": (300, 360)}
print(f"{list(models)[0]}, share of the coloured pixels (chroma > 5) by hue:")
for name, colorized in zip(gallery, shown[1::2]):
    ab = rgb_to_lab(colorized)[..., 1:].reshape(-1, 2)
    chroma, hue = np.hypot(ab[:, 0], ab[:, 1]), np.degrees(np.arctan2(ab[:, 1], ab[:, 0])) % 360
    coloured = chroma > 5
    shares = {k: np.mean((hue[coloured] >= lo) & (hue[coloured] < hi)) if coloured.any() else 0.0
              for k, (lo, hi) in hues.items()}
    print(f"  {name}: mean chroma {chroma.mean():.1f}, " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Sky, grass, foliage and skin usually come out right: their lightness and texture say which colour
# they are. Clothes, cars, walls and furniture, which come in any colour, get brownish-gray: under an L1 or L2
# loss the best single answer for "could be red, blue or green" is the median or mean, a dull brown. The printed
# shares say how much of each photo's colour is warm (brown included) and how saturated it is on average; look
# at the gallery to see which objects carry it. Scans also have grain and halftone dots that the model never saw.
#
# </details>

# %% [markdown]
# ### Exercise 4 · medium · Eight draws from the VAE
# Draw 8 colorizations of one photo from the VAE; which parts change between draws, which never do? Why?
#
# **Hint:** `colorkit.course.figures.draw_colorizations(model, photo, n=8)` (lesson 04), with `vaes` from the
# widget cell (empty if lesson 04 has not run under this preset).
#
# **Time:** under a minute (nine colorizations of one photo).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.course.figures import draw_colorizations

if vaes:
    draws, mean, div = draw_colorizations(models[vaes[0]], photos["chelsea"], n=8, work_size=WORK_SIZE)
    labs = [rgb_to_lab(d) for d in draws]
    ab_spread = np.std([lab[..., 1:] for lab in labs], axis=0).sum(-1)  # per pixel, over the draws
    print(f"{vaes[0]}: diversity {div:.1f}; per-pixel spread of a*b* over the draws: median "
          f"{np.median(ab_spread):.2f}, 99th percentile {np.percentile(ab_spread, 99):.2f}; L differs between "
          f"draws by at most {max(np.abs(lab[..., 0] - labs[0][..., 0]).max() for lab in labs):.2f}")
    show_images([*draws, mean], ncols=3, titles=[f"draw {k}" for k in range(8)] + [f"mean (diversity {div:.1f})"]);
else:
    print(f"no VAE among the models under preset {preset.name!r}: run lesson 04, then this lesson again")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Objects whose colour L cannot tell (clothes, a cat's fur, painted things) change between draws; the L of the
# photo never changes (it is kept: the printed L difference is 8-bit rounding), and colours that L and texture
# settle (sky, grass) change little. The latent only carries what the decoder could not read from L; a short
# training leaves the draws close together (compare the printed spread with the diversity).
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · A tampered file without a checksum
# Flip one byte of an exported model and load it *without* `sha256`. What protects you now, and what could
# still go wrong?
#
# **Hint:** `colorkit.load(tampered)`; read the docstring of `colorkit.checkpoint.load_checkpoint`.
#
# **Time:** under a minute.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
try:
    colorkit.load(tampered)
    print("loaded: the flipped byte sat in the weights, and nothing noticed")
except Exception as e:
    print("refused:", type(e).__name__, e)

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# Without a checksum only the file format protects you: `torch.load(weights_only=True)` refuses a pickle that
# would run code and a file that is truncated or not a checkpoint. But a byte flipped inside a weight tensor
# loads fine: the model silently colours worse (or outputs garbage). Only the published SHA-256 tells that the
# file is exactly the one released.
#
# </details>
