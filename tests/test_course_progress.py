import shutil
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from colorkit.color import rgb_to_lab
from colorkit.course.progress import colorize_samples, course_models
from colorkit.data.samples import load_sample

FIXTURES = Path(__file__).parent / "fixtures"


class SizeSpy(nn.Module):
    """Predicts a constant ab and remembers the size it was asked to work at."""

    def __init__(self, ab=(20.0, -30.0)):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))
        self.ab, self.seen = ab, []

    def forward(self, L):
        self.seen.append(tuple(L.shape[-2:]))
        ab = torch.tensor(self.ab, dtype=L.dtype).view(1, 2, 1, 1) / 110.0
        return ab.expand(L.shape[0], 2, *L.shape[-2:]) + 0 * self.w


def test_every_model_sees_the_photo_at_its_training_size_and_answers_at_full_size():
    photo = load_sample("chelsea")  # 300 x 451
    fresh, loaded = SizeSpy(), SizeSpy()
    loaded.colorkit_train_size = 32  # what a checkpoint loader attaches
    rows = colorize_samples({"fresh": fresh, "loaded": loaded}, [photo], work_size=64)
    assert list(rows) == ["gray copy", "fresh", "loaded", "original"]
    assert max(fresh.seen[-1]) >= 64 > max(loaded.seen[-1]) >= 32  # padded to the stride, not resized
    for name in ("gray copy", "fresh", "loaded"):
        assert rows[name][0].shape == photo.shape and rows[name][0].dtype == np.uint8
    # lightness kept, the constant ab everywhere (independent: the LAB of the output)
    lab_in, lab_out = rgb_to_lab(photo), rgb_to_lab(rows["fresh"][0])
    assert np.abs(lab_out[..., 0] - lab_in[..., 0]).mean() < 1.0
    assert abs(np.median(lab_out[..., 1]) - 20) < 2 and abs(np.median(lab_out[..., 2]) + 30) < 2
    assert np.abs(rgb_to_lab(rows["gray copy"][0])[..., 1:]).max() < 1.0


def test_course_models_come_in_the_order_the_lessons_train_them(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    from colorkit.paths import runs_dir

    folder = runs_dir("checkpoints", "smoke")
    folder.mkdir(parents=True)
    for name, fixture in (("unet_gan", "v0.1.0_unet_gan.pt"), ("my_model", "v0.1.0_unet.pt"),
                          ("baseline_cnn", "v0.1.0_unet.pt")):
        shutil.copy(FIXTURES / fixture, folder / f"{name}.pt")
    models = course_models("smoke")
    assert list(models) == ["baseline_cnn", "unet_gan", "my_model"]
    assert all(not m.training for m in models.values())


def test_reference_models_are_the_shipped_ones_and_describe_their_cards():
    from colorkit.course.progress import describe_references, reference_models
    from colorkit.reference import hint_reference_names, read_index

    refs = reference_models()  # the hint model is lesson 08's: not among the automatic references
    assert sorted(refs) == sorted(f"reference_{n}" for n in read_index()["models"] if n not in hint_reference_names())
    text = describe_references(refs)
    for name, m in refs.items():
        card = m.card
        assert f"{name}:" in text and f"{card['metrics']['gray_copy_de2000']:.2f}" in text
