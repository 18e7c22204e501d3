"""colorkit.course.recorded: every recorded file is valid and names its provenance; bad files give clear errors."""

from __future__ import annotations

import json

import pytest

from colorkit.course import recorded
from colorkit.course.recorded import RecordError

GOOD = {"title": "Two runs", "command": "colorkit train --model unet --preset cpu", "commit": "8bba15a",
        "machine": "2 CPU cores", "date": "2026-12-03", "source": "benchmarks/recipe_trials.md",
        "columns": ["run", "steps", "de2000"], "rows": [["base", 832, 10.861], ["half stem", 790, 10.83]]}


@pytest.fixture
def records(tmp_path, monkeypatch):
    monkeypatch.setattr(recorded, "RECORDS_DIR", tmp_path)
    return tmp_path


def write(folder, name, rec):
    (folder / f"{name}.json").write_text(json.dumps(rec) if not isinstance(rec, str) else rec)


@pytest.mark.parametrize("name", recorded.record_names())
def test_every_shipped_record_is_valid_and_says_where_it_came_from(name):
    rec = recorded.load_recorded(name)
    assert rec["command"].split()[0] in {"colorkit", "make", "python", ".venv/bin/python", "COLORKIT_PRESET=cpu"} \
        or "benchmarks/" in rec["command"], rec["command"]
    assert recorded.recorded_frame(name).shape == (len(rec["rows"]), len(rec["columns"]) - 1)


def test_markdown_table_holds_every_cell_and_the_provenance(records):
    write(records, "runs", GOOD)
    text = recorded.recorded_markdown("runs")
    assert "| run | steps | de2000 |" in text and "| base | 832 | 10.86 |" in text
    assert "`colorkit train --model unet --preset cpu`" in text and "8bba15a" in text and "2 CPU cores" in text
    assert "benchmarks/recipe_trials.md" in text


def test_value_picks_row_and_column(records):
    write(records, "runs", GOOD)
    assert recorded.recorded_value("runs", "half stem", "de2000") == pytest.approx(10.83)
    assert recorded.recorded_value("runs", "base", "steps") == 832
    with pytest.raises(RecordError, match="no row 'other'"):
        recorded.recorded_value("runs", "other", "de2000")
    with pytest.raises(RecordError, match="no column 'psnr'"):
        recorded.recorded_value("runs", "base", "psnr")


@pytest.mark.parametrize("change, message", [
    ({"commit": "HEAD"}, "must be a git commit"),
    ({"command": ""}, "'command' must be a non-empty string"),
    ({"rows": [["base", 1]]}, "row 0 has 2 cells, the columns are 3"),
    ({"columns": ["a", "a", "b"]}, "repeats a name"),
    ({"rows": []}, "'rows' must be a non-empty list"),
])
def test_malformed_records_are_refused_with_the_fault(records, change, message):
    write(records, "bad", {**GOOD, **change})
    with pytest.raises(RecordError, match=message):
        recorded.load_recorded("bad")


def test_missing_key_missing_file_and_broken_json(records):
    write(records, "nomachine", {k: v for k, v in GOOD.items() if k != "machine"})
    with pytest.raises(RecordError, match="missing machine"):
        recorded.load_recorded("nomachine")
    with pytest.raises(RecordError, match="no recorded file 'absent'"):
        recorded.load_recorded("absent")
    write(records, "broken", "{not json")
    with pytest.raises(RecordError, match="not valid JSON"):
        recorded.load_recorded("broken")
