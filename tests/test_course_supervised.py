"""Lesson plans of notebooks 02 and 03 (colorkit.course.supervised)."""
import pytest

from colorkit.course.supervised import RUNS_02, RUNS_03, lesson_config
from colorkit.presets import get_preset
from colorkit.train import TrainConfig


@pytest.mark.parametrize("preset", ["smoke", "cpu", "gpu"])
def test_the_lessons_and_the_command_line_build_the_same_model_sizes(preset, tmp_path):
    """Model sizes have one home (the preset): `colorkit train --model M --preset P` builds what lessons 02 and
    03 build (once, lesson 02's baseline CNN was 64 wide from the command line and 32 in the lesson)."""
    p = get_preset(preset)
    for run, spec in {**RUNS_02, **RUNS_03}.items():
        lesson = lesson_config(p, run, tmp_path).model_kwargs
        cli = TrainConfig.from_preset(p, model=spec["model"]).model_kwargs
        assert lesson == cli, run
    assert lesson_config(get_preset("cpu"), "baseline_l1", tmp_path).model_kwargs["width"] == 2 * 16
