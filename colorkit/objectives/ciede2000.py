"""CIEDE2000 in PyTorch, differentiable, so a model can be trained on the metric it is scored with.

The formula is Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes",
with kL = kC = kH = 1, as ``skimage.color.deltaE_ciede2000`` (the scorer of :mod:`colorkit.evaluate.metrics`;
``tests/test_objectives_ciede2000.py`` compares the two on random pairs and on the paper's test data). Two changes
keep the gradient finite without changing the value:

* the hue difference enters through ``dH'**2 = da'**2 + db'**2 - dC'**2`` (an identity of the formula)
  instead of ``atan2``, whose gradient is undefined at zero chroma;
* the mean hue (which only weights the terms, through ``T`` and the blue-region rotation ``R_T``) follows
  the paper's case analysis but is held constant for the gradient (computed under ``no_grad``).

Used as the ``de2000`` pixel loss of :mod:`colorkit.objectives.regression` (issue 15's recipe trials,
``benchmarks/recipe_trials.md``). The lessons train with L1; lesson ``06_evaluate`` introduces the metric.
"""

from __future__ import annotations

import math

import torch

_25_7 = 25.0 ** 7


def ciede2000(lab1: torch.Tensor, lab2: torch.Tensor, dim: int = -1, eps: float = 1e-6) -> torch.Tensor:
    """CIEDE2000 difference between two LAB tensors (LAB units, channels ``L, a, b`` along ``dim``).

    ``eps`` (added under square roots) keeps gradients finite where two colours are equal or gray; the value
    moves by at most about ``sqrt(eps)``. Returns the tensor without the channel dimension.
    """
    L1, a1, b1 = lab1.unbind(dim)
    L2, a2, b2 = lab2.unbind(dim)
    c_bar = 0.5 * (torch.sqrt(a1 * a1 + b1 * b1 + eps) + torch.sqrt(a2 * a2 + b2 * b2 + eps))
    c7 = c_bar ** 7
    g = 0.5 * (1.0 - torch.sqrt(c7 / (c7 + _25_7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p = torch.sqrt(a1p * a1p + b1 * b1 + eps)
    c2p = torch.sqrt(a2p * a2p + b2 * b2 + eps)

    dL = L2 - L1
    dC = c2p - c1p
    dH2 = ((a2p - a1p) ** 2 + (b2 - b1) ** 2 - dC * dC).clamp_min(0.0)
    sign = torch.sign(a1p * b2 - b1 * a2p)  # sign of sin(h2' - h1')

    with torch.no_grad():  # the mean hue only weights the terms
        h1 = torch.atan2(b1, a1p) % (2 * math.pi)
        h2 = torch.atan2(b2, a2p) % (2 * math.pi)
        h_sum = h1 + h2
        h_bar = torch.where((h1 - h2).abs() <= math.pi, h_sum / 2,
                            torch.where(h_sum < 2 * math.pi, (h_sum + 2 * math.pi) / 2, (h_sum - 2 * math.pi) / 2))
        gray = (a1p * a1p + b1 * b1) * (a2p * a2p + b2 * b2) == 0
        h_bar = torch.where(gray, h_sum, h_bar)  # a gray colour has hue 0: the mean is the other's hue
        t = (1.0 - 0.17 * torch.cos(h_bar - math.radians(30)) + 0.24 * torch.cos(2 * h_bar)
             + 0.32 * torch.cos(3 * h_bar + math.radians(6)) - 0.20 * torch.cos(4 * h_bar - math.radians(63)))
        d_theta = math.radians(30) * torch.exp(-(((torch.rad2deg(h_bar) - 275.0) / 25.0) ** 2))

    l_bar = 0.5 * (L1 + L2)
    cp_bar = 0.5 * (c1p + c2p)
    cp7 = cp_bar ** 7
    r_t = -torch.sin(2 * d_theta) * 2.0 * torch.sqrt(cp7 / (cp7 + _25_7))
    s_l = 1.0 + 0.015 * (l_bar - 50.0) ** 2 / torch.sqrt(20.0 + (l_bar - 50.0) ** 2)
    s_c = 1.0 + 0.045 * cp_bar
    s_h = 1.0 + 0.015 * cp_bar * t

    dl, dc = dL / s_l, dC / s_c
    dh2 = dH2 / (s_h * s_h)
    dh = sign * torch.sqrt(dh2 + eps)
    return torch.sqrt((dl * dl + dc * dc + dh2 + r_t * dc * dh).clamp_min(0.0) + eps)


def ciede2000_ab(ab1: torch.Tensor, ab2: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """CIEDE2000 between two ``N x 2 x H x W`` ab maps that share their lightness (LAB units).

    With equal L the lightness term is zero and no other term depends on L, so L is not needed.
    Returns ``N x H x W``.
    """
    zero = torch.zeros_like(ab1[:, :1])
    return ciede2000(torch.cat([zero, ab1], 1), torch.cat([zero, ab2], 1), dim=1, eps=eps)
