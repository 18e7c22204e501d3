"""``model_summary``: parameter count and FLOPs of any model (introduced in notebook ``02_baseline_cnn``)."""
from __future__ import annotations

import torch
from torch import nn


def model_summary(model: nn.Module, size: int = 256, in_channels: int = 1) -> dict:
    """``{"params": trainable + frozen parameter count, "flops": FLOPs of one forward pass on a
    1 x in_channels x size x size input}``, counted by ``torch.utils.flop_counter.FlopCounterMode``
    (a multiply-add counts as 2 FLOPs; convolutions and matmuls only, which dominate)."""
    from torch.utils.flop_counter import FlopCounterMode

    params = sum(p.numel() for p in model.parameters())
    was_training = model.training
    model.eval()
    try:
        p = next(model.parameters(), None)
        x = torch.zeros(1, in_channels, size, size, device=p.device if p is not None else "cpu")
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            model(x)
    finally:
        model.train(was_training)
    return {"params": int(params), "flops": int(counter.get_total_flops())}
