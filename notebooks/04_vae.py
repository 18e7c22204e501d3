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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/colorkit/colorkit/blob/main/notebooks/04_vae.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/colorkit/colorkit/blob/main/notebooks/04_vae.ipynb)
#
# # 04 · VAEs: several plausible colorizations of one photo
#
# **What you will learn**
# - what a latent variable is, and how a VAE samples it with the reparameterization trick;
# - the KL term: its closed form, what it costs, and what `beta` trades;
# - posterior collapse (the decoder learns to ignore the latent) and KL annealing, the usual remedy;
# - a plain conv VAE against a U-Net VAE (a U-Net whose bottleneck is the latent);
# - how to draw several colorizations of one photo, score how different they are, and decode the one at
#   z = 0 (the prior's mode, which is not the average of the draws).
#
# | preset | minutes | what it is for |
# |---|---|---|
# | `smoke` | < 1 | CI: checks that every cell runs (a few steps per run: numbers are meaningless) |
# | `cpu` | about 12 | 2 CPU cores: 3 min VAE + 5 min U-Net VAE + 3 min without annealing, 64x64 photos |
# | `gpu` | about 45 | a Colab GPU: 10 + 20 + 10 minutes, 256x256 photos |

# %% tags=["parameters"]
PRESET = "auto"  # "auto", "smoke", "cpu" or "gpu"
DATA = ""  # a `colorkit prepare` folder (or photos) to train on; empty: the course data (downloaded if missing)
DRIVE = False  # Colab: keep data and checkpoints on Google Drive (Kaggle: /kaggle/working), shared by all lessons
BETA = 0.001  # final KL weight (KL per latent element against L1 per ab value)
LATENT_CHANNELS = 16  # channels of the latent map
DRAWS = 4  # colorizations drawn per photo
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
# Colorization has many right answers: the bus may be red or yellow, the shirt any colour. Regression
# (lessons 02 and 03) gives one answer per pixel, the safe average. A VAE instead learns a *distribution*
# of colorizations from which we can draw several.

# %%
from colorkit.data.samples import SAMPLE_NAMES, load_sample
from colorkit.viz import show_images

photos = [load_sample(n) for n in SAMPLE_NAMES]
show_images(photos, titles=list(SAMPLE_NAMES), ncols=4);

# %% [markdown]
# ## Latent variables and the reparameterization trick
# A latent `z` is a small map of random numbers that selects *which* of the plausible colorizations the
# decoder paints. During training an encoder (the *posterior*) outputs, for every cell of the latent map,
# a Gaussian: a mean `mu` and a log-variance `logvar`. We draw `z = mu + exp(logvar / 2) * eps` with
# `eps ~ N(0, 1)`: the randomness sits in `eps`, so gradients still reach `mu` and `logvar` (the
# *reparameterization trick*, Kingma and Welling 2014).
#
# Two choices for what the posterior sees (`conditional` in `colorkit.models.vae`):
# - only L: then `z` can only repeat what L already says, and its "diversity" is noise;
# - L **and the true colour** (a *conditional VAE*, Sohn et al. 2015; Deshpande et al. 2017 for colour):
#   `z` can carry what L cannot tell (red or blue?). At test time there is no true colour, so we draw `z`
#   from the prior N(0, 1): each draw is a colorization. `z = 0`, the prior's mode, gives one more: the
#   decoder at the single most likely latent. It is *not* the mean colorization: the decoder is nonlinear,
#   so decoder(0) is in general not the average of the decoded draws, E_z[decoder(z)]. This lesson calls it
#   the *z = 0 colorization*. This lesson trains conditional VAEs.
#
# Two networks: the plain **VAE** (strided convolutions down to the latent, transposed convolutions back up,
# no skips) and the **U-Net VAE** (the U-Net of lesson 03 whose bottleneck joins the latent, skips kept).
# Both are among the six models that J. Shreekumar compared in *Image Colorization*, a course project for
# ECE 60131 (Learning and Inference in Generative Models), December 2025: a VAE of convolutions and
# transposed convolutions, and a U-Net VAE with skips.

# %%
import math

import torch

from colorkit.models import build
from colorkit.models.summary import model_summary

for name in ("vae", "unet_vae"):
    m = build(name, base_width=preset.base_width, latent_channels=LATENT_CHANNELS, conditional=True)
    ab, mu, logvar = m(torch.zeros(1, 1, 64, 64), ab=torch.zeros(1, 2, 64, 64), return_latent=True)
    print(f"{name}: {model_summary(m)['params'] / 1e6:.2f} M parameters; 64x64 L -> latent {tuple(mu.shape[1:])} -> ab {tuple(ab.shape[1:])}")

# %% [markdown]
# Both drawn from the models themselves at test time (one 64x64 L, `z = 0`): boxes are the stages'
# outputs, higher for a higher resolution, wider for more channels. The VAE funnels everything through its
# latent at the bottom (`to_mu` and `to_logvar` are its two heads); the U-Net VAE's skips (dashed) carry the
# edges past it.

# %%
import matplotlib.pyplot as plt

from colorkit.course.diagrams import plot_architecture

fig, axes = plt.subplots(2, 1, figsize=(12, 7))
for ax, name in zip(axes, ("vae", "unet_vae")):
    plot_architecture(build(name, base_width=preset.base_width, latent_channels=LATENT_CHANNELS, conditional=True),
                      size=64, skips=name == "unet_vae", ax=ax, title=name)
plt.tight_layout()

# %% [markdown]
# ## The KL term
# Without a price on it (`beta = 0`), nothing stops a conditional VAE's encoder from copying the true ab
# into `z` (every `sigma` tiny, `mu` the colour itself): the decoder learns to read the colour off `z` and
# reconstructs almost perfectly. At test time there is no true ab, and draws from N(0, 1) look nothing like
# the `z` the decoder was trained on (they are out of distribution), so what it paints from them is
# arbitrary. The **KL divergence** to the standard normal prices how far each posterior is from N(0, 1),
# so that the prior's draws land where the decoder has been; for Gaussians it has a closed form,
# `KL = 0.5 * (mu² + sigma² - 1 - log sigma²)` per latent element (0 when `mu = 0, sigma = 1`).
# The loss is `reconstruction + beta * KL`: a larger `beta` keeps the posteriors closer to N(0, 1).

# %%
from colorkit.objectives.vae import kl_divergence

for mu_, sigma in [(0.0, 1.0), (1.0, 1.0), (0.0, 0.1), (2.0, 0.5)]:
    kl = kl_divergence(torch.tensor([mu_]), torch.tensor([2 * torch.log(torch.tensor(sigma)).item()]))
    print(f"mu = {mu_:3.1f}, sigma = {sigma:3.1f}: KL = {kl.item():.3f} nats")

# %% [markdown]
# ### Both pieces, written out and checked
# The reparameterization trick and the KL term are two lines each. Below: our lines next to colorkit's
# (`colorkit.models.vae.reparameterize`, `colorkit.objectives.vae.kl_divergence`) on the same numbers, the
# gradient reaching `mu` through the draw, and the closed-form KL against a Monte Carlo estimate
# `E_q[log q(z) - log p(z)]` from many draws.

# %%
from colorkit.models.vae import reparameterize


def reparameterize_by_hand(mu, logvar, eps):
    """z = mu + sigma * eps, with sigma = exp(logvar / 2)."""
    return mu + torch.exp(0.5 * logvar) * eps


def kl_by_hand(mu, logvar):
    """KL(N(mu, sigma²) || N(0, 1)) per latent element, averaged."""
    return (0.5 * (mu ** 2 + logvar.exp() - 1 - logvar)).mean()


g = torch.Generator().manual_seed(0)
mu_, logvar_ = torch.randn(2, 4, 8, 8, generator=g), torch.randn(2, 4, 8, 8, generator=g)
eps = torch.randn(mu_.shape, generator=torch.Generator().manual_seed(1))
z = reparameterize(mu_, logvar_, generator=torch.Generator().manual_seed(1))  # the same eps inside
assert torch.allclose(reparameterize_by_hand(mu_, logvar_, eps), z, atol=1e-6)
assert torch.allclose(kl_by_hand(mu_, logvar_), kl_divergence(mu_, logvar_), atol=1e-6)
mu_.requires_grad_(True)
reparameterize_by_hand(mu_, logvar_, eps).sum().backward()
print("reparameterization and KL match colorkit's; d(sum z)/d mu =", mu_.grad.unique().tolist())

m, s_ = 1.0, 0.5  # one Gaussian posterior: mean 1, sigma 0.5
draws = m + s_ * torch.randn(200_000, generator=torch.Generator().manual_seed(2))
log_q = torch.distributions.Normal(m, s_).log_prob(draws)
log_p = torch.distributions.Normal(0.0, 1.0).log_prob(draws)
closed = kl_by_hand(torch.tensor(m), torch.tensor(2 * math.log(s_)))
print(f"KL closed form {closed.item():.4f} nats, Monte Carlo {(log_q - log_p).mean().item():.4f}")

# %% [markdown]
# ## Posterior collapse, and annealing
# The U-Net VAE has a shortcut: its skips already hand the decoder everything about L, and the average
# colour is a fine L1 answer. If the KL term bites hard from the first step, the cheapest solution is to
# make every posterior exactly N(0, 1) (KL = 0) and let the decoder ignore `z`: all draws then look the
# same. This is **posterior collapse**.
# **KL annealing** (Bowman et al. 2016) starts with `beta = 0` and raises it over the first part of
# training, so the decoder learns to use `z` before the KL term asks for anything back. The cyclical
# schedule (Fu et al. 2019) repeats the ramp.

# %%
from colorkit.course.figures import plot_kl_schedules

plot_kl_schedules(beta=1.0, warmup=0.3);

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
# ## Three runs
# The VAE and the U-Net VAE with linear KL annealing to `BETA` over the first 30% of their budget, and the
# U-Net VAE once more to show collapse. That third run differs from the second in **three** things at once:
# no annealing (a constant `beta` from the first step), a 10x larger `beta`, and a shorter budget (each
# run's settings and budget are printed below). If it collapses, this lesson alone cannot say which of the
# three did it; exercise 1 trains the annealed runs at 10x `beta`, which separates `beta` from the schedule.

# %%
from colorkit.course import record_training
from colorkit.course.generative import vae_lesson_configs
from colorkit.paths import runs_dir
from colorkit.train import train

runs = vae_lesson_configs(preset, runs_dir("04_vae", preset.name), beta=BETA, latent_channels=LATENT_CHANNELS)
results = {}
for name, cfg in runs.items():
    budget = " or ".join(b for b in (cfg.max_minutes and f"{cfg.max_minutes:g} minutes",
                                     cfg.max_steps and f"{cfg.max_steps} steps") if b)
    print(f"--- {name}: beta {cfg.extra['beta']:g}, schedule {cfg.extra['kl_schedule']}, budget {budget}")
    results[name] = train(cfg, train_data, val_data)
record_training(results)  # minutes of each run

# %% [markdown]
# ## Reading the curves
# Watch the KL curve and the share of *active* latent channels (those whose KL stays above 0.01 nats):
# when both fall to zero, the posterior has collapsed to the prior and `z` carries nothing.
# The validation diversity (the mean Euclidean a*b* distance between draws, in LAB units; not the CIEDE2000
# ΔE the course scores with) tells the same story from the output side.
#
# The table below the curves holds this run's numbers, and the lines under it say, for each run, whether it
# ended collapsed and how far apart its draws are. Read the third row against the second with its three
# differences in mind. A decoder can be slow to learn to use `z`: on a short budget the draws may differ
# little even where latents are alive, and the KL and active-latent curves show whether they were still
# changing when the budget ran out.

# %%
import pandas as pd

from colorkit.course.figures import plot_vae_histories

plot_vae_histories({n: r.history for n, r in results.items()});
final = pd.DataFrame({n: {"final KL": r.history[-1]["kl"], "active latents": r.history[-1]["active_latents"],
                          "val diversity (a*b* distance)": r.val_history[-1]["val_diversity"],
                          "val L1": r.val_history[-1]["val_l1"]} for n, r in results.items()}).T
for n, row in final.iterrows():
    alive = "collapsed (no latent channel active)" if row["active latents"] == 0 else \
        f"{row['active latents']:.0%} of latent channels active"
    print(f"{n}: {alive}; draws {row['val diversity (a*b* distance)']:.2f} a*b* units apart")
print("most diverse draws:", final["val diversity (a*b* distance)"].idxmax())
final.round(4)

# %% [markdown]
# ## Several colorizations of one photo
# For each sample photo: the gray input, `DRAWS` draws (random seeds 0, 1, ...) and the z = 0 colorization
# (the decoder at the prior's mode: our VAEs are conditional, so at test time z comes from the prior
# N(0, 1)), with the diversity score of the draws (mean Euclidean a*b* distance between them, LAB units).
# Draws of a VAE whose posterior collapsed hardly differ.

# %%
from colorkit.color import gray_copy
from colorkit.course.figures import draw_colorizations

model = results["U-Net VAE"].model.eval()
for name, photo in zip(SAMPLE_NAMES, photos):
    draws, z0, div = draw_colorizations(model, photo, n=DRAWS, work_size=preset.image_size)
    show_images([gray_copy(photo), *draws, z0], ncols=DRAWS + 2,
                titles=["gray"] + [f"draw {k}" for k in range(DRAWS)] + [f"z = 0 (diversity {div:.1f})"]);

# %% [markdown]
# ## The honest table
# The z = 0 colorization of each VAE on the held-out photos, next to the gray copy and the truth; the lines
# under the table say whether each VAE is below the gray copy's ΔE2000. In Shreekumar's comparison (2025, see
# above) both VAEs scored worse than his plain U-Net on every measure he reports (SSIM, LPIPS and ΔE): a VAE
# is there for diversity, not accuracy. Exercise 5 puts this lesson's U-Net VAE against lesson 03's U-Net.

# %%
from colorkit.course import record_table
from colorkit.course.why_brown import lab_table

table, preds = lab_table({n: r.model.eval() for n, r in results.items()}, truths)
record_table(table)  # ΔE2000, PSNR and colorfulness of each row
for n in results:
    de, gray = table.loc[n, "de2000"], table.loc["gray copy", "de2000"]
    print(f"{n}: ΔE2000 {de:.2f} against the gray copy's {gray:.2f}: {'below' if de < gray else 'not below'} it")
table.round(3)

# %% [markdown]
# ## Save the VAEs for lessons 06 and 07
# Lesson 07's sampler widget draws new colorizations from the saved U-Net VAE.

# %%
from colorkit.paths import checkpoint_path
from colorkit.checkpoint import export_checkpoint

for name, key in (("VAE", "vae"), ("U-Net VAE", "unet_vae")):
    print("saved", export_checkpoint(results[name].checkpoint, checkpoint_path(key, preset.name)))

# %% [markdown]
# ## The course so far
# The same sample photos, colorized the same way (`colorize_samples`) by every model the course has saved
# under this preset so far, in the order the lessons train them, between the gray copy and the original.
# Lesson 04 adds the VAEs; each row is the VAE's z = 0 colorization (the decoder at the prior's mode).
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
# ### Exercise 1 · easy · A larger and a smaller beta
# Train the three runs again with `BETA` 10x larger (0.01) and 10x smaller (0.0001). How do the
# reconstruction, the KL and the validation diversity move?
#
# **Hint:** `train` resumes the run already in its `out_dir` and refuses one trained with other settings, so
# give each new `beta` its own folder: `vae_lesson_configs(preset, runs_dir("04_vae_beta0.01", preset.name), beta=0.01, ...)`.
#
# **Time:** about 22 minutes on a CPU under `cpu` (six retrains: the three runs above, 3 + 5 + 3 minutes, once
# for each of the two betas).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
by_beta = {(f"{BETA:g} (above)", n): r for n, r in results.items()}  # this lesson's runs
for beta in (BETA * 10, BETA / 10):
    cfgs = vae_lesson_configs(preset, runs_dir(f"04_vae_beta{beta:g}", preset.name), beta=beta,
                              latent_channels=LATENT_CHANNELS)
    by_beta.update({(f"{beta:g}", n): train(c, train_data, val_data) for n, c in cfgs.items()})
betas = pd.DataFrame({k: {"beta": r.config.extra["beta"], "recon (L1)": r.history[-1]["recon"],
                          "final KL": r.history[-1]["kl"], "val diversity": r.val_history[-1]["val_diversity"]}
                      for k, r in by_beta.items()}).T
print(betas.sort_index(level=1, sort_remaining=False).round(4).to_string())

# %% [markdown] tags=["solution"]
# <details><summary>What to look for</summary>
#
# Each run's own `beta` is in the first column (the "no annealing" run trains at 10x its row's `BETA`). A larger
# `beta` prices the KL term more, so training pushes every posterior towards N(0, 1): the KL should fall
# (towards 0 nats: collapse, as in the "no annealing" run), the reconstruction get worse and the diversity
# shrink. A smaller `beta` lets the encoder pass more about the true colour through `z`: the KL and the
# diversity can grow and the reconstruction improve, but the prior N(0, 1) then matches the posteriors less
# well, so draws at test time can look less plausible. Compare the printed numbers, run by run: on a short
# budget (and under `smoke`, where they mean nothing) they need not follow this pattern.
#
# </details>

# %% [markdown]
# ### Exercise 2 · medium · The cyclical KL schedule
# Train the U-Net VAE once more with the cyclical schedule (Fu et al. 2019) instead of the linear ramp.
# Does it keep more active latent channels at the end?
#
# **Hint:** `vae_lesson_configs` has no `extra` argument: copy its config with `dataclasses.replace`, changing
# `extra["kl_schedule"]` to `"cyclical"` (a setting of `colorkit.objectives.vae.VAE_DEFAULTS`) and `out_dir`
# (the lesson's folder holds a run with other settings, which `train` refuses to resume).
#
# **Time:** about 5 minutes on a CPU under `cpu` (one U-Net VAE run).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
import dataclasses

linear = runs["U-Net VAE"]
cyclical = dataclasses.replace(linear, extra={**linear.extra, "kl_schedule": "cyclical"},
                               out_dir=str(runs_dir("04_vae_cyclical", preset.name)))
cyclic = train(cyclical, train_data, val_data)
print(f"active latent channels at the end: linear {results['U-Net VAE'].history[-1]['active_latents']:.0%}, "
      f"cyclical {cyclic.history[-1]['active_latents']:.0%}")
plot_vae_histories({"linear": results["U-Net VAE"].history, "cyclical": cyclic.history});

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# `kl_cycles` (default 4) sets the number of ramps. Each cycle starts again at `beta = 0`, so the decoder gets
# several chances to learn to use `z` before the KL term asks for its price: the hope is as many or more
# active channels at the end. On a CPU budget the difference can be small or go the other way; the printed
# shares say which it was here, and the KL-weight curve shows the saw-tooth.
#
# </details>

# %% [markdown]
# ### Exercise 3 · easy · Sampling temperature
# Draw at `temperature=0.5` and `2.0` (`draw_colorizations(..., temperature=...)`): what changes? Then draw
# at `temperature=0`: what diversity score do you get for the first sample photo, and why? Last, by hand: at
# test time our conditional VAE draws `z` from N(0, T²) at temperature T instead of from the prior N(0, 1).
# How far is that from the prior at T = 2, in nats per latent element (the KL term above)? Enter it in the
# check cell.
#
# **Hint:** a draw is `z = mu + temperature * sigma * eps` (`colorkit.models.vae.reparameterize`); for the
# KL, put `mu = 0` and `sigma = T` into the closed form.
#
# **Time:** under a minute (no training).

# %% tags=["answer"]
answer = None  # your number: the KL of N(0, 2²) to N(0, 1), in nats per latent element

# %% cellView="form" jupyter={"source_hidden": true} tags=["check"]
# @title Check your answer (run it after setting answer)
from colorkit.course.exercises import check

T = 2.0
check(answer, expected=kl_divergence(torch.zeros(1), torch.full((1,), 2 * math.log(T))).item(), tol=1e-3,
      what="the KL of the draws at temperature 2 to the prior, per latent element");

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
for t in (0.5, 2.0, 0.0):
    t_draws, t_z0, t_div = draw_colorizations(model, photos[0], n=DRAWS, temperature=t, work_size=preset.image_size)
    show_images([*t_draws, t_z0], ncols=DRAWS + 1, titles=[f"T={t} draw {k}" for k in range(DRAWS)] + ["z = 0"]);
    print(f"temperature {t}: diversity {t_div:.3f} (a*b* units)")
T = 2.0
print(f"KL of N(0, {T:g}²) to N(0, 1): 0.5 * (T² - 1 - log T²) = {0.5 * (T ** 2 - 1 - math.log(T ** 2)):.4f} nats")

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The temperature scales the spread of `z`: at 0.5 the draws stay closer to the z = 0 colorization (expect a
# lower diversity), at 2.0 they spread further (a higher one, sometimes implausible colours, since the decoder
# never saw `z` that far out); compare the printed scores. At 0 every draw is `z = mu`, which for our
# conditional VAE is the prior's mode 0: every draw is the z = 0 colorization, so the draws are identical and
# the diversity is 0. The KL of N(0, T²) to N(0, 1) is `0.5 * (T² - 1 - log T²)`: it is 0 at T = 1 and grows
# with the distance of T from 1 either way.
#
# </details>

# %% [markdown]
# ### Exercise 4 · hard · A VAE whose posterior sees only L
# Our VAEs are *conditional*: in training the encoder also sees the true ab, and at test time `z` comes from
# the prior N(0, 1). Train one whose posterior sees only L (`vae_lesson_configs(..., conditional=False)`).
# How do the diversity of the draws and the ΔE2000 of its posterior-mean colorization (`z = mu(L)`) change,
# and why?
#
# **Hint:** use a new `out_dir` (the saved runs have other `model_kwargs` and would be refused); compare with
# `lab_table` as in "The honest table".
#
# **Time:** about 5 minutes on a CPU under `cpu` (one U-Net VAE run), then under a minute of scoring.

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
plain = vae_lesson_configs(preset, runs_dir("04_vae_unconditional", preset.name), beta=BETA,
                           latent_channels=LATENT_CHANNELS, conditional=False)
l_only = train(plain["U-Net VAE"], train_data, val_data)
print(f"val diversity (a*b* distance): conditional {results['U-Net VAE'].val_history[-1]['val_diversity']:.3f}, "
      f"L only {l_only.val_history[-1]['val_diversity']:.3f}")
cond_table, _ = lab_table({"conditional (z = 0)": results["U-Net VAE"].model.eval(),
                           "L only (z = mu(L))": l_only.model.eval()}, truths)
print(cond_table["de2000"].round(3).to_string())

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# A posterior that sees only L can put into `z` nothing the decoder does not already get through the skips:
# expect its latents to collapse or carry noise, its draws to differ less (or in meaningless ways), and its
# posterior-mean colorization to be close to a plain L1 U-Net's. The conditional VAE's `z` carries the colour
# that L cannot tell; its z = 0 colorization is the decoder at the prior's mode, one colorization among those
# choices, not their average. Compare the printed diversities and ΔE2000 (on a short budget the two runs may
# differ little).
#
# </details>

# %% [markdown]
# ### Exercise 5 · medium · The z = 0 colorization against lesson 03's U-Net
# Compare the U-Net VAE's z = 0 colorization with lesson 03's U-Net on ΔE2000. Why is it not better?
#
# **Hint:** lesson 03 saves its U-Net as `checkpoint_path("unet", preset.name)`; `colorkit.evaluate.load_model`
# reads it, and `lab_table` scores both on `truths`.
#
# **Time:** under a minute (no training; lesson 03 must have run under the same preset).

# %% cellView="form" jupyter={"source_hidden": true} tags=["solution"]
# @title Solution (open it after you have tried)
from colorkit.evaluate import load_model

both = {"U-Net VAE (z = 0)": results["U-Net VAE"].model.eval()}
if checkpoint_path("unet", preset.name).exists():
    both["U-Net of lesson 03"] = load_model(checkpoint_path("unet", preset.name))
else:
    print(f"lesson 03's U-Net is not on disk under {preset.name!r}: run lesson 03 first (or DRIVE = True in both)")
vs_unet, _ = lab_table(both, truths)
print(vs_unet["de2000"].round(3).to_string())

# %% [markdown] tags=["solution"]
# <details><summary>Why</summary>
#
# The VAE spends part of its training on the KL term and on decoding random `z`, and its decoder learned to
# colour from `z` drawn around the posterior, not from exactly 0: the z = 0 colorization is at best about as
# good as a plain L1 U-Net's, and usually a little worse (Shreekumar's VAEs too, see "The honest table"); the
# printed ΔE2000 say how it went here (lesson 03's U-Net also trained with its own budget). A VAE buys
# diversity, not accuracy.
#
# </details>
