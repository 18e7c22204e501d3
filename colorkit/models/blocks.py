"""Building blocks shared by the model families (used by every family; notebook ``03_unet`` writes the double convolution out by hand).

Plain layers only: a conv + norm + ReLU unit, the U-Net double convolution, the ``tanh`` ab head, and the
ResNet encoder with its first convolution adapted to one input channel (L).
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

NORMS = ("batch", "group", "none")


def norm_layer(kind: str, channels: int) -> nn.Module:
    """``batch`` (the models' of README's "Earlier work"), ``group`` (batch-size independent) or ``none``."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "group":
        return nn.GroupNorm(min(8, channels), channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}; choose one of {', '.join(NORMS)}")


class ConvNormReLU(nn.Sequential):
    """3x3 convolution (no bias when a norm follows), normalization, ReLU."""

    def __init__(self, cin: int, cout: int, norm: str = "batch", stride: int = 1):
        super().__init__(
            nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=norm == "none"),
            norm_layer(norm, cout),
            nn.ReLU(inplace=True),
        )


class DoubleConv(nn.Sequential):
    """The U-Net unit: two (3x3 conv, norm, ReLU) in a row."""

    def __init__(self, cin: int, cout: int, norm: str = "batch"):
        super().__init__(ConvNormReLU(cin, cout, norm), ConvNormReLU(cout, cout, norm))


class AbHead(nn.Module):
    """1x1 convolution to the two ab channels, then ``tanh`` (normalized ab lives in [-1, 1]).

    ``zero_init=True`` starts the model at the gray copy (ab = 0 everywhere): the network then only
    adds colour where training finds it pays off (see notebook ``03_unet``).
    """

    def __init__(self, cin: int, zero_init: bool = False):
        super().__init__()
        self.conv = nn.Conv2d(cin, 2, 1)
        if zero_init:
            nn.init.zeros_(self.conv.weight)
            nn.init.zeros_(self.conv.bias)

    def forward(self, x):
        return torch.tanh(self.conv(x))


def check_input(x: torch.Tensor, stride: int, model: str) -> None:
    """A clear error for wrong shapes instead of a size mismatch deep inside ``torch.cat``."""
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"{model} expects normalized L shaped N x 1 x H x W, got {tuple(x.shape)}")
    h, w = x.shape[-2:]
    if h % stride or w % stride:
        raise ValueError(
            f"{model}: input size {h}x{w} must be divisible by {stride}; resize or crop to a multiple of {stride}"
        )


# ----------------------------------------------------------------------------------------------- ResNet encoder
RESNET_ARCHS = ("resnet18", "resnet34")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class PretrainedWeightsUnavailable(RuntimeError):
    """ImageNet weights were asked for but cannot be had (offline, no cached copy)."""


def _weights_enum(arch: str):
    import torchvision.models as tvm

    return {"resnet18": tvm.ResNet18_Weights, "resnet34": tvm.ResNet34_Weights}[arch].IMAGENET1K_V1


def torchvision_state_dict(weights, source, what: str, use_instead: str,
                           error: type = PretrainedWeightsUnavailable, option: str = "pretrained") -> dict:
    """The state dict of a torchvision ``weights`` enum: from a local ``.pth`` file when ``source`` is a path,
    else from the torch hub cache (downloading once). The one home for pretrained weights (ResNet encoders
    here, VGG16 for the perceptual loss in :mod:`colorkit.objectives.gan`).

    Never falls back to random weights: a missing file raises ``FileNotFoundError`` and weights that cannot
    be downloaded raise ``error``, each naming the URL, the cache path, the local-file option and
    ``use_instead`` (how to do without them).
    """
    cache = Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"{option}={str(source)!r}: no such file. Download {weights.url} and pass its path, "
                f"or {option}=True (downloads to the torch hub cache), or {use_instead}."
            )
        sd = torch.load(path, map_location="cpu", weights_only=True)
        if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
            sd = sd["state_dict"]
        return sd
    try:
        return weights.get_state_dict(progress=False)
    except Exception as e:  # URLError, socket errors, HTTP errors, a corrupt partial download...
        raise error(
            f"could not get the ImageNet weights for {what} ({type(e).__name__}: {e}). Fixes: connect to the "
            f"internet once (they are cached at {cache}); or download {weights.url} elsewhere, copy it to "
            f"{cache} or anywhere and pass {option}='path/to/{cache.name}'; or {use_instead}."
        ) from e


def imagenet_state_dict(arch: str, pretrained) -> dict:
    """The ImageNet state dict of a torchvision ResNet (see :func:`torchvision_state_dict`)."""
    return torchvision_state_dict(_weights_enum(arch), pretrained, arch,
                                  "train from scratch with pretrained=False (the cpu and smoke presets do)")


class ResNetEncoder(nn.Module):
    """A torchvision ResNet-18/34 trunk taking one channel (L). Returns the feature maps at strides
    2, 4, 8, 16, 32 (or fewer with ``stages``).

    The first convolution is adapted from RGB to gray: its weights become ``sum_c w_c / std_c`` and the
    input is shifted like an ImageNet-normalized gray image, so pretrained filters see what they expect.
    """

    def __init__(self, arch: str = "resnet18", pretrained=False, stages: int = 5):
        super().__init__()
        import torchvision.models as tvm

        if arch not in RESNET_ARCHS:
            raise ValueError(f"unknown encoder {arch!r}; choose one of {', '.join(RESNET_ARCHS)}")
        if not 1 <= stages <= 5:
            raise ValueError("stages must be between 1 and 5")
        net = getattr(tvm, arch)(weights=None)
        if pretrained:
            net.load_state_dict(imagenet_state_dict(arch, pretrained))
        w = net.conv1.weight.detach()  # 64 x 3 x 7 x 7
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        conv1 = nn.Conv2d(1, 64, 7, stride=2, padding=3, bias=False)
        with torch.no_grad():
            conv1.weight.copy_((w / std).sum(1, keepdim=True))
        self.stem = nn.Sequential(conv1, net.bn1, net.relu)  # stride 2
        layers = [nn.Sequential(net.maxpool, net.layer1), net.layer2, net.layer3, net.layer4]
        self.layers = nn.ModuleList(layers[: stages - 1])
        self.channels = [64, 64, 128, 256, 512][:stages]
        self.gray_mean = sum(IMAGENET_MEAN) / 3

    def forward(self, L_norm):
        x = (L_norm + 1) / 2 - self.gray_mean  # L_norm in [-1, 1] -> gray in [0, 1], centred like ImageNet
        feats = [self.stem(x)]
        for layer in self.layers:
            feats.append(layer(feats[-1]))
        return feats
