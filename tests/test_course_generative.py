"""Lesson plans of notebooks 04 and 05 (colorkit.course.generative)."""
from colorkit.course.generative import gan_lesson_configs, vae_lesson_configs


def test_a_changed_lesson_parameter_trains_in_its_own_folder(tmp_path):
    """train refuses to resume a run with other settings, so a lesson rerun with another BETA, ADVERSARIAL or
    L1_WEIGHT must not meet the old run's folder; the recipe's own settings keep the plain names."""
    plain = {k: c.out_dir for k, c in vae_lesson_configs("smoke", tmp_path).items()}
    assert plain["U-Net VAE"] == str(tmp_path / "u-net_vae")
    beta = {k: c.out_dir for k, c in vae_lesson_configs("smoke", tmp_path, beta=0.01).items()}
    assert beta["U-Net VAE"] == str(tmp_path / "u-net_vae-beta0.01") and not set(beta.values()) & set(plain.values())
    gan = {k: c.out_dir for k, c in gan_lesson_configs("smoke", tmp_path).items()}
    assert gan["U-Net GAN"] == str(tmp_path / "unet_gan")
    other = {k: c.out_dir for k, c in gan_lesson_configs("smoke", tmp_path, adversarial="bce", l1_weight=10).items()}
    assert other["U-Net GAN"] == str(tmp_path / "unet_gan-bce-lambda10")
    assert other["L1 U-Net"] == gan["L1 U-Net"]  # the L1 phase does not depend on them: it is shared
    assert all(other[k] != gan[k] for k in gan if k != "L1 U-Net")
