"""Reconstruction losses against closed forms and torch.nn references."""
import pytest
import torch

from colorkit.objectives.regression import get_loss


def test_l1_l2_closed_form():
    pred = torch.tensor([[0.5, -0.5], [0.0, 1.0]]).view(1, 2, 2, 1)
    true = torch.zeros_like(pred)
    assert get_loss("l1")(pred, true).item() == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    assert get_loss("l2")(pred, true).item() == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    assert get_loss("MSE")(pred, true).item() == get_loss("l2")(pred, true).item()


def test_smooth_l1_is_huber():
    e = torch.tensor([0.05, -0.05, 0.3, -2.0]).view(1, 2, 2, 1)
    beta = 0.1
    ref = torch.where(e.abs() < beta, 0.5 * e**2 / beta, e.abs() - 0.5 * beta).mean()
    assert get_loss("smooth_l1")(e, torch.zeros_like(e)).item() == pytest.approx(ref.item())
    assert get_loss("smooth_l1", beta=1.0)(e, 0 * e).item() == pytest.approx(
        torch.nn.HuberLoss(delta=1.0)(e, 0 * e).item())


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="smooth_l1"):
        get_loss("l3")
