"""The lessons' budgets live in one table (colorkit.course.budgets) and the lesson plans read it."""
import pytest

from colorkit.course import budgets as B


def test_every_lesson_budget_has_one_row_per_sized_preset():
    assert set(B.BUDGETS) == {"02_baseline_cnn", "03_unet", "04_vae", "05_gan", "06_evaluate",
                             "08_user_guided"}
    for rows in B.BUDGETS.values():
        assert set(rows) == {"cpu", "gpu"}  # smoke: the preset's own few steps


def test_lesson_plans_read_the_table():
    from colorkit.course import generative, supervised, why_brown

    assert supervised.lesson_config("cpu", "unet", "/tmp/x").max_minutes == B.budget("03_unet", "cpu")["unet"]
    assert supervised.lesson_config("smoke", "unet", "/tmp/x").max_minutes == B.as_preset("smoke").max_minutes
    gan = generative.gan_lesson_configs("gpu", "/tmp/x")
    assert gan["U-Net GAN"].max_minutes == B.budget("05_gan", "gpu")["gan"]
    vae = generative.vae_lesson_configs("cpu", "/tmp/x")
    assert vae["U-Net VAE, no annealing"].max_minutes == B.budget("04_vae", "cpu")["collapse"]
    assert why_brown.lab_budget("cpu")["max_minutes"] == B.budget("06_evaluate", "cpu")
    assert why_brown.LAB_IMAGES == B.per_preset("06_evaluate", "images")
    assert B.budget("06_evaluate", "smoke") is None


def test_an_unknown_lesson_is_an_error():
    with pytest.raises(KeyError, match="unknown lesson"):
        B.budget("99_nope", "cpu")
