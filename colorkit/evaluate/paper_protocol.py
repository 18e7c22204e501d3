"""The published colorization protocol (CT2, DDColor), so colorkit's numbers can sit beside their tables.

Used by ``colorkit evaluate --protocol paper`` and ``evaluate(..., protocol="paper")``. On the command line::

    colorkit evaluate PHOTOS --protocol paper --out DIR

What differs from colorkit's default protocol (:mod:`colorkit.evaluate.metrics`), on purpose, to match the papers'
evaluation code (numbers under the two protocols are **not comparable** with each other):

* **Photos**: centre square crop, then resize to 256 x 256 (Pillow bilinear, through torchvision's
  ``center_crop`` / ``resize``) from the original photo; ``--size`` is ignored.
* **FID**: features of torchvision's ImageNet *classifier* Inception-v3 (``torchvision.models.inception_v3``,
  ``inception_v3_google-*.pth``), the 2048-d pool3 output, *not* the FID Inception network of
  pytorch-fid / torch-fidelity. Input pipeline as in ``INCEPTION_V3_FID`` of shuchenweng/CT2
  ``segm/metrics.py`` (copied into piddnad/DDColor ``basicsr/metrics/custom_fid.py``): bilinear resize to
  299, then ``x * (std / 0.5) + (mean - 0.5) / 0.5`` per channel on RGB in [0, 1] (torchvision's
  ``transform_input`` formula applied to [0, 1] values, as their code does). Fréchet distance:
  :func:`colorkit.evaluate.metrics.fid_from_features` (the same formula as their ``calculate_frechet_distance``).
* **LPIPS** with the VGG backbone (``lpips.LPIPS(net='vgg')`` in CT2's ``avg_lpips``; torchmetrics here,
  same linear heads), on RGB scaled to [-1, 1], averaged over images.
* **Colourfulness** (Hasler & Suesstrunk) on the *absolute* opponent values ``|R - G|`` and
  ``|(R + G) / 2 - B|`` of 8-bit RGB (see :func:`colorfulness_abs`); ``delta_cf`` is the absolute
  difference between the mean colourfulness of the predictions and that of the true photos.
* **PSNR** on 8-bit RGB (data range 255, per image, averaged), as :func:`colorkit.evaluate.metrics.psnr`.

The networks need their ImageNet weights in torch hub's ``checkpoints`` folder
(``torch.hub.get_dir()/checkpoints``); without them each metric is reported unavailable with a note
naming the file to place there. They are never computed with random weights.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
from torch import nn

from colorkit.evaluate import metrics as M

SIZE = 256
NOTE = ("paper protocol: not comparable with colorkit's default protocol (centre crop then 256 px; FID on "
        "torchvision's ImageNet Inception-v3 classifier; LPIPS-VGG; colourfulness on absolute values, as in "
        "CT2 and DDColor)")
TABLE_COLUMNS = ("protocol", "kind", "params", "ms_per_image", "fid", "lpips_vgg", "cf", "delta_cf", "psnr")
INCEPTION_FILES = ("inception_v3_google-0cc3c7bd.pth",  # torchvision's Inception_V3_Weights.IMAGENET1K_V1
                   "inception_v3_google-1a9a5a14.pth")  # the older name CT2's and DDColor's code load
VGG16_FILE = "vgg16-397923af.pth"  # torchvision's VGG16_Weights.IMAGENET1K_V1, the LPIPS-VGG backbone
_MEAN, _STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
_POOL3_LAYERS = ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                 "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                 "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool")


# --- photos --------------------------------------------------------------------------------------
def preprocess(rgb: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Centre square crop of ``rgb`` (uint8 ``HxWx3``), then resized to ``size x size`` (bilinear)."""
    import torchvision.transforms.functional as TF
    from PIL import Image

    img = Image.fromarray(np.asarray(rgb, np.uint8))
    img = TF.center_crop(img, [min(img.size)] * 2)
    return np.asarray(TF.resize(img, [size, size], interpolation=TF.InterpolationMode.BILINEAR), np.uint8)


def load_photos(source, limit: int | None = None) -> tuple[list[np.ndarray], list[str], list[str]]:
    """``(images, names, notes)``: the photos of ``source`` (``samples``, a folder or files, a prepared
    folder's test split, or a list of uint8 images) through :func:`preprocess`."""
    from colorkit.data.photos import _subset, is_prepared, load_images

    if isinstance(source, list) and source and isinstance(source[0], np.ndarray):
        u8 = [i if i.dtype == np.uint8 else np.uint8(M.as_rgb_float(i) * 255 + 0.5) for i in source]
        return [preprocess(i) for i in u8], [f"image_{i:04d}" for i in range(len(u8))], []
    if isinstance(source, str) and source == "samples":
        from colorkit.data.samples import COLOR_SAMPLES, load_sample

        names = _subset(list(COLOR_SAMPLES), limit)
        return [preprocess(load_sample(n)) for n in names], names, []
    if isinstance(source, (str, os.PathLike)) and is_prepared(source):
        imgs, names = load_images(source, SIZE, "test", limit)
        return imgs, names, ["paper protocol: a prepared folder holds photos already cropped and resized by "
                             "`colorkit prepare`; score the original photos for numbers beside the papers'"]
    return _load_files(source, limit)


def _load_files(source, limit):
    from colorkit.data.images import ImageReadError, collect_inputs, load_rgb
    from colorkit.data.photos import _subset

    files = _subset(collect_inputs([source] if isinstance(source, (str, os.PathLike)) else list(source),
                                   recursive=True), limit)
    imgs, names, notes = [], [], []
    for f in files:
        try:
            imgs.append(preprocess(load_rgb(f)))
            names.append(Path(f).name)
        except ImageReadError as e:
            notes.append(f"skipped {f}: {e}")
    if not imgs:
        raise ValueError(f"no usable photos in {source!r}")
    return imgs, names, notes


# --- colourfulness -------------------------------------------------------------------------------
def colorfulness_abs(img) -> float:
    """Hasler & Suesstrunk colourfulness as CT2 and DDColor compute it: on 8-bit RGB (0..255), with
    ``rg = |R - G|`` and ``yb = |(R + G) / 2 - B|`` (absolute values, unlike :func:`colorkit.evaluate.metrics.colorfulness`),
    ``sqrt(std(rg)^2 + std(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2)``, population std.

    Reference: ``calculate_cf`` in piddnad/DDColor ``basicsr/metrics/colorfulness.py`` and
    ``image_colorfulness`` in shuchenweng/CT2 ``segm/eval_colorfullness.py`` (both ``np.absolute``).
    """
    a = np.asarray(img) if not hasattr(img, "detach") else None
    rgb = a.astype(np.float64) if a is not None and a.dtype == np.uint8 else M.as_rgb_float(img).astype(np.float64) * 255
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg, yb = np.abs(r - g), np.abs(0.5 * (r + g) - b)
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


# --- the networks (ImageNet weights from the torch hub cache, never random) ----------------------
def missing_note(what: str, files: Sequence[str]) -> str:
    """Why a metric is unavailable: which weight file to place, and where."""
    folder = Path(M._hub_file(files[0])).parent
    return (f"needs {what}: place {' or '.join(files)} in {folder} (torch hub's checkpoints folder; offline "
            "here), or allow the download with COLORKIT_ALLOW_DOWNLOAD=1")


class InceptionPool3(nn.Module):
    """torchvision's Inception-v3 classifier up to its 2048-d average pool, with CT2's input pipeline."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        """``x``: ``Nx3xHxW`` RGB in [0, 1] -> ``N x 2048``."""
        import torch
        import torch.nn.functional as F

        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        std, mean = torch.tensor(_STD).view(1, 3, 1, 1), torch.tensor(_MEAN).view(1, 3, 1, 1)
        x = x * (std.to(x) / 0.5) + (mean.to(x) - 0.5) / 0.5
        for name in _POOL3_LAYERS:
            x = getattr(self.net, name)(x)
        return x.flatten(1)


def load_inception(device="cpu"):
    """``(InceptionPool3, None)`` with torchvision's ImageNet weights, or ``(None, reason)``."""
    import torch
    import torchvision

    found = [M._hub_file(n) for n in INCEPTION_FILES if M._hub_file(n).exists()]
    try:
        if found:
            state = torch.load(found[0], map_location="cpu", weights_only=True)
        elif M._downloads_allowed(None):
            state = torchvision.models.Inception_V3_Weights.IMAGENET1K_V1.get_state_dict(progress=False)
        else:
            return None, missing_note("torchvision's ImageNet Inception-v3 weights", INCEPTION_FILES)
        net = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
        net.load_state_dict(state)
    except Exception as e:
        return None, f"could not load torchvision's ImageNet Inception-v3: {e}"
    return InceptionPool3(net).eval().to(device), None


def load_lpips_vgg(device="cpu"):
    """``(LPIPS-VGG network, None)`` (torchmetrics; torchvision loads the VGG16 weights), or ``(None, reason)``."""
    if not M._hub_file(VGG16_FILE).exists() and not M._downloads_allowed(None):
        return None, missing_note("torchvision's ImageNet VGG16 weights for LPIPS-VGG", (VGG16_FILE,))
    try:
        from torchmetrics.image.lpip import LearnedPerceptualImagePatchSimilarity

        return LearnedPerceptualImagePatchSimilarity(net_type="vgg", normalize=True).net.eval().to(device), None
    except Exception as e:
        return None, f"could not load LPIPS-VGG: {e}"


def _batches(images, device, batch_size: int = 16):
    x = M._to_nchw(images)
    for i in range(0, len(x), batch_size):
        yield x[i:i + batch_size].to(device)


def inception_pool3(net, images, device="cpu"):
    """``N x 2048`` float64 pool3 features of ``images`` (uint8 or float RGB)."""
    import torch

    with torch.no_grad():
        return torch.cat([net(x).double().cpu() for x in _batches(images, device)]).numpy()


def lpips_per_image(net, preds, truths, device="cpu") -> list[float]:
    """Per-image LPIPS distances (RGB in [0, 1], scaled to [-1, 1] by the network)."""
    import torch

    out = []
    with torch.no_grad():
        for p, t in zip(_batches(preds, device), _batches(truths, device)):
            out += net(p, t, normalize=True).flatten().cpu().tolist()
    return out


# --- scoring -------------------------------------------------------------------------------------
class PaperScorer:
    """Scores predictions against one fixed set of true photos; loads each network once and keeps the
    true photos' Inception features and colourfulness between rows."""

    def __init__(self, truths: Sequence[np.ndarray], perceptual: bool = True, device="cpu"):
        self.truths, self.device, self.notes = list(truths), device, [NOTE]
        self.cf_true = float(np.mean([colorfulness_abs(t) for t in self.truths]))
        self.inception = self.lpips = self.true_feats = None
        if perceptual:
            self.inception, why_fid = load_inception(device)
            self.lpips, why_lpips = load_lpips_vgg(device)
            self.notes += [f"{k}: unavailable ({w})" for k, w in (("fid", why_fid), ("lpips_vgg", why_lpips)) if w]
            if len(self.truths) < 2 and self.inception is not None:
                self.inception = None
                self.notes.append("fid: unavailable (needs at least 2 images)")

    def score(self, preds) -> tuple[dict, list[dict]]:
        """``(means, per-image rows)`` for one model's predictions (same order as the truths)."""
        per = [{"psnr": M.psnr(p, t), "cf": colorfulness_abs(p)} for p, t in zip(preds, self.truths)]
        if self.lpips is not None:
            for r, v in zip(per, lpips_per_image(self.lpips, preds, self.truths, self.device)):
                r["lpips_vgg"] = v
        means = {k: float(np.mean([r[k] for r in per])) for k in per[0]}
        means["delta_cf"] = abs(means["cf"] - self.cf_true)
        means["fid"] = self._fid(preds)
        means.setdefault("lpips_vgg", float("nan"))
        return means, per

    def _fid(self, preds) -> float:
        if self.inception is None:
            return float("nan")
        if self.true_feats is None:
            self.true_feats = inception_pool3(self.inception, self.truths, self.device)
        return M.fid_from_features(inception_pool3(self.inception, preds, self.device), self.true_feats)
