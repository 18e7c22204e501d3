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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/01_data_prep.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/01_data_prep.ipynb)
#
# # 01 · Data: from photo files to compact LAB shards
#
# **What you will learn**
# - why a colorizer is trained to predict a and b from L, and what that means for the data we store;
# - how colorkit turns any folder of photos (or COCO, Tiny ImageNet, the Kaggle set) into small LAB
#   shards: fast, resumable, and robust to broken files;
# - the deterministic 60/20/20 split by content hash, written out and checked against colorkit's: an exact copy
#   of a photo (the same bytes) can never land in another split, but a re-saved or resized copy can;
# - what the ab histogram of a dataset looks like, and why it makes naive models turn brown;
# - how the lessons read the shards: random crops and flips for training, fixed crops for evaluation.
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: the 8 built-in photos, no network |
# | `cpu` | about 5 | downloads Tiny ImageNet once (237 MB), prepares 20,000 photos of 64x64 |
# | `gpu` | about 10 | downloads COCO val2017 once (778 MB), prepares its 5,000 photos |
#
# Offline, every preset falls back to the built-in photos, with a message.

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # a folder of your own photos to prepare instead of the course's dataset
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons

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
from colorkit.runtime import print_environment, seed_everything

lesson_timer()  # starts the clock of this lesson's `minutes` record
persistent_home(DRIVE)  # DRIVE: mount Google Drive (Colab) or use /kaggle/working
print_environment()
preset = get_preset(PRESET)
seed_everything(0)
print(preset)

# %% [markdown]
# ## The sample photos
# The same four photos as in every lesson.

# %%
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = [load_sample(name) for name in SAMPLE_NAMES]
show_images(photos, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown]
# ## Why we predict ab from L
# In CIELAB, **L** is the lightness a black-and-white photo already records; **a** and **b** are the
# colour. So the input of a colorizer is L and its output is (a, b): two numbers per pixel, not three,
# and the lightness of the result is exactly the input's. That is also what we store: L and ab for each
# photo, so training never converts colours again.

# %%
from colorkit.color import lab_channel_images

ch = lab_channel_images(photos[2])
show_images([photos[2], ch["L"], ch["ab"]], titles=["photo", "L: the input", "a and b: what we predict"], ncols=3);

# %% [markdown]
# ## Reading photos robustly
# Real folders hold surprises: truncated downloads, empty files, text files named `.jpg`, CMYK JPEGs,
# 16-bit PNGs, transparent PNGs, phone photos rotated by an EXIF tag, 1-pixel images, and files whose
# header claims billions of pixels (a *decompression bomb*, which would exhaust memory).
# `colorkit.data.images.load_rgb` turns every readable one into upright 8-bit RGB and refuses the rest
# with a reason. Let us build such a folder and prepare it: nothing crashes, and nothing is lost silently.

# %%
import tempfile
from pathlib import Path

import pandas as pd

from colorkit.data.prepare import prepare
from colorkit.course import record, record_data
from colorkit.data.problem_photos import write_problem_photos

tmp = Path(tempfile.mkdtemp(prefix="colorkit01_"))
expected = write_problem_photos(tmp / "problems")
report = prepare(tmp / "problems", tmp / "problems_prepared", size=64, workers=1, progress=False)
print(report.summary())
record("problems_prepared", report.images)
record("problems_skipped", len(report.skipped))
pd.DataFrame([{**s, "source": Path(s["source"]).name} for s in report.skipped])

# %% [markdown]
# Every file is accounted for: the good ones (including CMYK, 16-bit, transparent and rotated files)
# are in the shards exactly once; the broken ones are listed as `unreadable`; the 1x1 image is
# `too_small`; the exact copy of a photo is a `duplicate`; and the gray photos are `grayscale`:
# a colour dataset should not teach a colorizer that gray is a right answer. "Near-grayscale" means the
# colours follow the lightness along one line (gray, sepia, one tint) to within `GRAY_THRESHOLD` (4) LAB
# units for 95% of the pixels. The measure is `colorkit.data.prepare.chroma_spread`, stored for every
# prepared photo in the manifest's `chroma_spread` column. How many photos of the course dataset it left
# out is printed further down, under "What preparation did".
#
# It is **not** the colourfulness of Hasler and Süsstrunk (`colorkit.evaluate.metrics.colorfulness`, the
# `cf` column of every score table from lesson 02 on), which measures how saturated and varied the colours
# are, wherever they lie. Below, one photo and a toned black-and-white print made from it (its gray times
# one warm tint): compare the two measures printed for each.

# %%
import numpy as np

from colorkit.color import rgb_to_lab
from colorkit.data.prepare import GRAY_THRESHOLD, chroma_spread
from colorkit.evaluate.metrics import colorfulness

cat = photos[SAMPLE_NAMES.index("chelsea")]
toned = (cat.mean(axis=2, keepdims=True) * np.array([1.0, 0.6, 0.2])).astype(np.uint8)
for name, im in (("colour photo", cat), ("toned black-and-white", toned)):
    spread = chroma_spread(rgb_to_lab(im))
    print(f"{name:22s} chroma_spread {spread:5.1f} ({'left out' if spread < GRAY_THRESHOLD else 'kept'}), "
          f"Hasler-Süsstrunk colourfulness {colorfulness(im):5.1f}")
show_images([cat, toned], titles=["colour photo", "toned black-and-white"], ncols=2, size=2.6);

# %% [markdown]
# ## Downloading the course dataset 🌐 (needs the network)
# `course_data(PRESET, DATA)` is the one call every lesson makes. It picks, in order: your `DATA` folder;
# the built-in photos for `smoke`; online, the preset's dataset (Tiny ImageNet for `cpu`, COCO val2017
# for `gpu`), downloaded once with a progress bar, resumed if interrupted, verified against its published
# checksum, unpacked safely; offline, the built-in photos. The result is cached: the next lessons get it
# instantly.

# %%
from colorkit.data import course_data
from colorkit.data.sources import is_online

online = is_online()
print("network:", "online" if online else "offline (network cells use the built-in photos)")
root = course_data(preset, DATA)
print("prepared shards in", root)
record_data(root)

# %% [markdown]
# ## What preparation did
# Each photo was read once, hashed (SHA-256 of its bytes), decoded, centre-cropped and resized, converted
# to LAB and written into shards of many photos: **L as uint8** (L × 2.55, at most 0.2 units off) and
# **ab as int8** (whole LAB units, at most 0.5 off, far below a visible difference). That is 3 bytes per
# pixel instead of 24 for scikit-image's float64 LAB, which is what the student report *Picture
# Colourization* (He, Imran, Siddiqua and You, APS360 final report, University of Toronto) saved as `.npz`
# files: 1/8 of the disk and memory. A run that is interrupted resumes where it stopped, with no photo lost
# or doubled; `colorkit prepare SOURCE --size 256 --out DIR` does the same from a terminal. The cell also
# counts the files that were left out, by kind.

# %%
import json

from colorkit.data import read_manifest, read_skipped

meta = json.loads((root / "prepare.json").read_text())
manifest = pd.DataFrame(read_manifest(root))
size = meta["settings"]["size"]
shard_bytes = sum(p.stat().st_size for p in root.glob("part-*.npz"))
print(f"{meta['images']} photos of {size}x{size} in {meta['shards']} shard(s): "
      f"{shard_bytes / max(meta['images'], 1) / 1024:.0f} KiB per photo, float64 LAB would need "
      f"{size * size * 3 * 8 / 1024:.0f} KiB")
record("images", meta["images"])
skipped = pd.DataFrame(read_skipped(root), columns=["source", "kind", "reason"])
n_gray, n_read = int((skipped["kind"] == "grayscale").sum()), meta["images"] + len(skipped)
print(f"left out as near-grayscale: {n_gray} of the {n_read} files read ({n_gray / max(n_read, 1):.1%}); "
      f"all left out, by kind: {skipped['kind'].value_counts().to_dict()}")
manifest.head()

# %% [markdown]
# ## The split: 60/20/20 by content hash
# A photo's split depends only on its hash (the first 8 hex digits as a number, modulo 100: 0-59 train,
# 60-79 val, 80-99 test). The same file lands in the same split on every machine, and adding photos never
# moves old ones. (When val or test would come out empty, which can happen with a handful of photos as in
# `smoke`, one photo is moved into it: `colorkit.data.split.assign_splits`; the cell prints how many moved.)
#
# What this guarantees about duplicates, exactly: two files with **the same bytes** have the same hash, so
# they can never end up one in train and one in test (and `prepare` keeps only one of them anyway: the
# `duplicate` above). Nothing more. A copy that was re-saved as JPEG, resized, cropped or had its metadata
# edited has other bytes, hence an unrelated hash, and lands in a split independently of the original.
# Finding those needs a perceptual comparison of the pixels, which colorkit does not do. Below, the rule
# written out in a few lines and checked against colorkit's on every hash of the manifest (and on a
# thousand made-up hashes, so that all three splits are exercised even under `smoke`).

# %%
import hashlib

from colorkit.data.split import FRACTIONS, assign_splits, split_of


def my_split(sha256_hex):
    number = int(sha256_hex[:8], 16) % 100  # the first 8 hex digits as a number, then 0..99
    return "train" if number < 60 else "val" if number < 80 else "test"


made_up = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(1000)]
assert [my_split(h) for h in made_up] == [split_of(h) for h in made_up]
hashes = list(manifest["hash"])
assert [my_split(h) for h in hashes] == [split_of(h) for h in hashes]
assert assign_splits(hashes) == list(manifest["split"])  # the manifest's split: the rule plus the fallback
on_disk = [r for r in manifest.itertuples() if Path(r.source).is_file()][:20]
assert all(hashlib.sha256(Path(r.source).read_bytes()).hexdigest() == r.hash for r in on_disk)
moved = sum(my_split(h) != s for h, s in zip(hashes, manifest["split"]))
print(f"the rule gives colorkit's split for all {len(hashes) + len(made_up)} hashes; the small-dataset fallback "
      f"moved {moved}; SHA-256 of {len(on_disk)} source files re-read: same hashes")
print(f"a photo and a re-saved copy of it (other bytes) land one in train, one in test with probability "
      f"2 x {FRACTIONS[0]} x {FRACTIONS[2]} = {2 * FRACTIONS[0] * FRACTIONS[2]:.2f}")

# %%
stats = manifest.groupby("split").agg(photos=("hash", "size"), mean_chroma_spread=("chroma_spread", "mean"))
stats["fraction"] = stats["photos"] / stats["photos"].sum()
for split in ("train", "val", "test"):
    record(f"{split}_images", int(stats.loc[split, "photos"]))
stats.loc[["train", "val", "test"]].round(3)

# %% [markdown]
# ## A grid of training photos
# Back from the shards to RGB (L and ab stored, converted with `colorkit.color`).

# %%
from colorkit.data import load_split

grid = load_split(root, "train", limit=8)
show_images(list(grid.rgb()), titles=[Path(s).stem[:18] for s in grid.sources], ncols=4, size=2.2);

# %% [markdown]
# ## The ab histogram, and why naive models turn brown
# Most pixels of most photos are barely coloured: the histogram of a and b is a sharp peak near (0, 0),
# leaning towards positive a and b (warm, brownish tones: skin, wood, earth). A model trained with an L1
# or L2 loss, unsure which colour is right, predicts the *median* or *mean* of the plausible colours, which
# sits near that peak: a desaturated brown. Lessons 02-05 fight exactly this. (The 8 built-in photos of
# the `smoke` preset are few and unusually colourful; Tiny ImageNet or COCO show the sharp peak.)

# %%
import matplotlib.pyplot as plt
import numpy as np

from colorkit.data.dataset import ab_values
from colorkit.viz import ab_histogram

ab = ab_values(root, "train", max_pixels=500_000)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
ab_histogram(ab, ax=axes[0], title="ab of the training pixels")
axes[1].hist(np.hypot(ab[:, 0], ab[:, 1]), bins=60, color="gray")
axes[1].set_xlabel("chroma sqrt(a² + b²)")
axes[1].set_title("how colourful the pixels are")
fig.tight_layout()
print("mean a = %.1f, mean b = %.1f, median chroma = %.1f LAB units"
      % (ab[:, 0].mean(), ab[:, 1].mean(), np.median(np.hypot(ab[:, 0], ab[:, 1]))))

# %% [markdown]
# ## How the lessons read the shards
# `ShardDataset` gives `(L_norm, ab_norm)` tensors scaled to about [-1, 1]: random crops and horizontal
# flips for training, the centre crop for evaluation; it memory-maps the shards, so it also works with
# DataLoader worker processes. `make_loaders(root, preset)` builds both loaders for a preset.

# %%
from colorkit.color import lab_norm_to_rgb
from colorkit.data import ShardDataset, make_loaders

train_loader, val_loader = make_loaders(root, preset, num_workers=0)
L_norm, ab_norm = next(iter(train_loader))
print("one batch:", tuple(L_norm.shape), tuple(ab_norm.shape), f"L in [{L_norm.min():.2f}, {L_norm.max():.2f}]")
crops = [lab_norm_to_rgb(L_norm[i, 0].numpy(), ab_norm[i].permute(1, 2, 0).numpy()) for i in range(min(4, len(L_norm)))]
show_images(crops, titles=[f"random crop {i}" for i in range(len(crops))], ncols=4, size=2.2);

# %%
from colorkit.course import record_minutes

record_minutes()  # this lesson's wall-clock minutes; RECORD lines stay in the executed notebook

# %% [markdown]
# ## Exercises
# Each exercise has a level, a hint, and a solution below it that stays folded until you open it.

# %% [markdown]
# ### Exercise 1 · easy · Your own photos
# Put a few of your own photos in a folder, set `DATA` to it in the parameters cell and run the lesson again.
# Which were skipped, and why?
#
# **Hint:** `course_data` prepares `DATA`; the skipped files are in `read_skipped(root)` with a `kind` and a `reason`.
#
# **Time:** under a minute to read the table; running the lesson again on your folder adds its preparation
# (seconds for a few dozen photos, a few minutes for thousands).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
# run the lesson with DATA = "path/to/your/folder" first: root is then your folder's shards
left_out_files = pd.DataFrame(read_skipped(root), columns=["source", "kind", "reason"])
print(f"{root.name}: {meta['images']} photos prepared, {len(left_out_files)} files left out, by kind:",
      left_out_files["kind"].value_counts().to_dict())
left_out_files.assign(source=[Path(s).name for s in left_out_files["source"]])

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Each left-out file has a `kind` and a `reason`: `unreadable` (not an image, truncated), `too_small`,
# `duplicate` (the same bytes twice) and `grayscale` (black-and-white or sepia photos, whose `chroma_spread` is
# below `GRAY_THRESHOLD`). With the built-in photos the table is empty: all of them are kept.
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · Pad instead of crop
# Prepare the built-in photos with `resize="pad"` instead of the default `crop` and look at a few of them:
# what happens at the borders, and what would a model learn there?
#
# **Hint:** `colorkit.data.samples.sample_paths()` lists the built-in photos; `prepare(sample_paths(), folder, size=64, resize="pad", workers=1)`, then `load_split(folder, "train").rgb()`.
#
# **Time:** under a minute (8 photos at 64 px, twice).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.data.samples import sample_paths

for mode in ("crop", "pad"):
    folder = tmp / f"samples_{mode}"
    print(mode + ":", prepare(sample_paths(), folder, size=64, resize=mode, workers=1, progress=False).summary())
    resized = load_split(folder, "train")
    neutral = (np.abs(resized.ab).max(axis=-1) == 0).mean(axis=(1, 2))  # the bars are mid-gray: a = b = 0
    print(f"  share of pixels with a = b = 0 in each training photo: {neutral.round(2)}")
show_images(list(resized.rgb()), titles=[Path(s).stem for s in resized.sources], ncols=4, size=2.2);

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The whole photo is kept and fitted inside the square; the rest of a photo that is not square is mid-gray bars
# (a = b = 0: compare the printed shares of neutral pixels, crop against pad). A model trained on them learns that
# flat gray regions at the borders stay gray, which is true for the bars but wrong for a sky or a wall in a real
# photo, and it wastes pixels of every batch on them. Cropping loses the sides instead.
#
# </details>

# %% [markdown]
# ### Exercise 3 · medium · An interrupted preparation resumes
# Preparation resumes where it stopped. The 8 built-in photos are done in a fraction of a second, too fast to
# interrupt by hand, so stop a run early on purpose: prepare only 4 of them (`max_images=4`) into a new folder,
# then prepare all of them into the same folder. Check in the manifest that no photo is missing or doubled.
# (On a real dataset, `colorkit prepare coco --size 128 --out /tmp/s`, Ctrl-C and the same command again do
# the same.)
#
# **Hint:** `max_images` is not one of the settings a resumed run must share; `read_manifest(folder)` has one row per photo, with its `hash`.
#
# **Time:** under a minute.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.data.samples import sample_paths

resumed = Path(tempfile.mkdtemp(prefix="colorkit01_resumed_"))  # a new folder each time the cell runs
first = prepare(sample_paths(), resumed, size=64, max_images=4, workers=1, progress=False)
second = prepare(sample_paths(), resumed, size=64, workers=1, progress=False)
print("first: ", first.summary())
print("second:", second.summary())
resumed_hashes = [row["hash"] for row in read_manifest(resumed)]
print(f"{len(sample_paths())} built-in photos; the manifest: {len(resumed_hashes)} rows, "
      f"{len(set(resumed_hashes))} different photos")

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# The second run adds only the photos the first did not (its `new` count), and the manifest holds every
# photo exactly once: compare the printed counts.
#
# </details>

# %% [markdown]
# ### Exercise 4 · easy · A stricter grayscale threshold
# `GRAY_THRESHOLD` is 4 LAB units. The manifest's `chroma_spread` column is the same measure, computed for every
# prepared photo. How many photos of this lesson's dataset would `prepare(..., gray_threshold=10)` have left
# out, and which?
#
# **Hint:** a photo is left out when its chroma spread is below the threshold: `manifest[manifest["chroma_spread"] < 10]`.
#
# **Time:** under a minute.

# %% tags=["answer"]
answer = None  # your number: how many photos a gray_threshold of 10 leaves out

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=int((manifest["chroma_spread"] < 10).sum()), tol=0, what="photos below chroma spread 10");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
left_out = manifest[manifest["chroma_spread"] < 10]
print(len(left_out), "of", len(manifest), "photos:", [Path(s).name for s in left_out["source"]][:20])
# to see it happen, prepare (up to 50 of) them again with gray_threshold=10, at this lesson's size
again = [s for s in left_out["source"] if Path(s).is_file()][:50]
if again:
    stricter = prepare(again, Path(tempfile.mkdtemp(prefix="colorkit01_gray10_")), size=size, gray_threshold=10,
                       resize=meta["settings"]["resize"], workers=1, progress=False)
    print(f"prepared again with gray_threshold=10: {stricter.images} kept, left out by kind:", stricter.skipped_by_kind())

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# A photo is left out when its chroma spread is below the threshold; prepared again with `gray_threshold=10`,
# those photos come back as `grayscale` (the last printed line, when their files are still on disk). Such photos
# are nearly gray already; leaving them out makes the training set more colourful, but also teaches the model
# that faint colour is rare.
#
# </details>

# %% [markdown]
# ### Exercise 5 · hard · The brown baseline
# Compute the mean ab of the training pixels (`ab` above) and colour the four sample photos with that single
# colour, keeping their L. How far is that one colour from gray (its chroma), and how does this "brown
# baseline" compare with the gray copy in ΔE2000?
#
# **Hint:** `rgb_to_lab(photo)`, then set `lab[..., 1:] = ab.mean(axis=0)` and convert back with `lab_to_rgb(lab, dtype=np.uint8)`; `score_images` from `colorkit.evaluate.metrics` scores both.
#
# **Time:** under a minute.

# %% tags=["answer"]
answer = None  # your number: the chroma sqrt(a² + b²) of the mean ab of the training pixels, LAB units

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

check(answer, expected=float(np.hypot(*ab.mean(axis=0))), tol=0.05, what="the chroma of the mean colour");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.color import gray_copy, lab_to_rgb, rgb_to_lab
from colorkit.evaluate.metrics import score_images

mean_ab = ab.mean(axis=0)
browns = []
for photo in photos:
    photo_lab = rgb_to_lab(photo)
    photo_lab[..., 1:] = mean_ab
    browns.append(lab_to_rgb(photo_lab, dtype=np.uint8))
print(f"mean ab of the training pixels {mean_ab.round(1)}: chroma {np.hypot(*mean_ab):.1f} LAB units")
brown_mean, brown_rows = score_images(browns, photos, per_image=True)
gray_mean, gray_rows = score_images([gray_copy(p) for p in photos], photos, per_image=True)
for name, brown, gray in [*zip(SAMPLE_NAMES, brown_rows, gray_rows), ("mean", brown_mean, gray_mean)]:
    print(f"{name:10s} ΔE2000: one colour {brown['de2000']:5.2f}, gray copy {gray['de2000']:5.2f}")
show_images(browns, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The mean colour is the single colour that an L2 model, unsure of everything, would predict; positive a and b
# (compare the printed mean ab) make it a warm, brownish tone. Whether it beats the gray copy depends on the
# photo: compare the printed rows. On a photo whose colours are far from that one (a blue sky, green grass), the
# wrong hue can cost more ΔE2000 than no colour at all.
#
# </details>
