"""Architecture diagrams drawn from the model itself, so a picture can never drift from the code: every
stage's output shape is recorded on a real forward pass and drawn as a box at its resolution (notebooks
``02_baseline_cnn``, ``03_unet``, ``04_vae``, ``05_gan``).

A box's height grows with the stage's resolution (higher resolution higher up), its width with the
channel count; stages follow left to right in the order they run. A U-Net draws as a U, an
encoder-decoder without skips as a V through its bottleneck; ``skips=True`` adds the U-Net's skip
connections (each encoder stage to the decoder stage at the same resolution).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn


def _stage_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The model's direct children that hold weights, with a ``ModuleList`` of blocks opened one level and
    a ``Sequential`` of plain layers opened to its convolutions (dropout, identity, pooling, normalization
    and activation layers on their own are not stages)."""
    out = []
    for name, child in model.named_children():
        if isinstance(child, nn.ModuleList):
            out += [(f"{name}.{i}", m) for i, m in enumerate(child)]
        elif isinstance(child, nn.Sequential) and not any(any(True for _ in c.children()) for c in child):
            out += [(f"{name}.{i}", m) for i, m in enumerate(child) if isinstance(m, nn.modules.conv._ConvNd)]
        else:
            out.append((name, child))
    return [(n, m) for n, m in out if any(True for _ in m.parameters())]


def architecture_stages(model: nn.Module, size: int = 64, in_channels: int = 1, **forward_kwargs) -> list[dict]:
    """``[{"name", "channels", "height", "width"}, ...]``: the output shape of each stage of ``model`` on one
    ``in_channels x size x size`` input, in the order the stages ran (a stage that runs twice is listed
    twice; stages that return no 4-D tensor, such as activations folded into a loss, are left out)."""
    records, hooks = [], []

    def hook(name):
        def record(_module, _inputs, output):
            t = output[0] if isinstance(output, (tuple, list)) else output
            if torch.is_tensor(t) and t.ndim == 4:
                records.append({"name": name, "channels": int(t.shape[1]), "height": int(t.shape[2]),
                                "width": int(t.shape[3])})
        return record

    for name, module in _stage_modules(model):
        hooks.append(module.register_forward_hook(hook(name)))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, in_channels, size, size), **forward_kwargs)
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    return records


def skip_pairs(stages: list[dict]) -> list[tuple[int, int]]:
    """Index pairs ``(encoder stage, decoder stage)`` of a U-Net's skips: each encoder stage that is the
    last at its resolution (the next one is smaller), paired with the first decoder stage, after the
    bottleneck (the first stage of lowest resolution), back at that resolution."""
    low = min(range(len(stages)), key=lambda i: stages[i]["height"])
    pairs = []
    for i in range(low):
        if stages[i + 1]["height"] >= stages[i]["height"]:
            continue
        j = next((j for j in range(low + 1, len(stages)) if stages[j]["height"] == stages[i]["height"]), None)
        if j is not None:
            pairs.append((i, j))
    return pairs


def plot_architecture(model: nn.Module, size: int = 64, in_channels: int = 1, skips: bool = False,
                      title: str = "", ax=None, **forward_kwargs):
    """Draw ``model`` as boxes (see the module docstring); returns the matplotlib ``Axes``. The input is
    drawn first, labelled with its shape."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, Rectangle

    stages = [{"name": "input", "channels": in_channels, "height": size, "width": size}]
    stages += architecture_stages(model, size, in_channels, **forward_kwargs)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(stages)), 3.6))
    top = math.log2(size)
    for x, s in enumerate(stages):
        w = min(0.8, 0.25 + 0.06 * math.log2(max(s["channels"], 1)))
        y = math.log2(max(s["height"], 1))
        ax.add_patch(Rectangle((x - w / 2, y - 0.35), w, 0.7, facecolor="#9ecae1" if x else "#dddddd",
                               edgecolor="black", lw=0.8))
        ax.text(x, y - 0.5, f"{s['name']}\n{s['channels']}x{s['height']}", ha="center", va="top", fontsize=7)
        if x:
            ax.annotate("", (x - w / 2, y), (x - 1 + 0.2, math.log2(max(stages[x - 1]["height"], 1))),
                        arrowprops=dict(arrowstyle="->", lw=0.8, color="gray"))
    if skips:
        for i, j in skip_pairs(stages):
            y = math.log2(stages[i]["height"]) + 0.35
            ax.add_patch(FancyArrowPatch((i, y), (j, y), connectionstyle="arc3,rad=-0.25", arrowstyle="->",
                                         linestyle="--", color="tab:orange", mutation_scale=10, lw=1.2))
    low = min(math.log2(max(s["height"], 1)) for s in stages)
    ax.set(xlim=(-0.8, len(stages) - 0.2), ylim=(low - 1.3, top + (1.8 if skips else 0.8)), title=title)
    ax.set_yticks([math.log2(h) for h in sorted({s["height"] for s in stages})],
                  [f"{h} px" for h in sorted({s["height"] for s in stages})])
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return ax
