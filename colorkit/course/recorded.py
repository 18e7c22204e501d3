"""Results that a lesson cannot re-measure in its own run, read at run time from a recorded file.

Used by lessons 01-07 wherever the text discusses a measurement made elsewhere (an hour of training, a recipe
trial, another preset): the numbers are never typed into markdown; the lesson calls :func:`show_recorded`,
which prints the table together with the command, commit and machine that produced it. The files are JSON in
``colorkit/course/records/`` (installed with the package, so a lesson opened alone on Colab finds them):

.. code-block:: json

    {"title": "...", "command": "colorkit train ...", "commit": "1a2b3c4", "machine": "2 CPU cores (...)",
     "date": "2026-12-03", "source": "benchmarks/recipe_trials.md",
     "columns": ["run", "steps", "de2000"], "rows": [["base", 832, 10.86], ...], "note": "optional"}

``source`` names where the full record (every trial) lives in the repository. :func:`recorded_value` picks one
cell for a printed sentence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

RECORDS_DIR = Path(__file__).with_name("records")
REQUIRED = ("title", "command", "commit", "machine", "date", "columns", "rows")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


class RecordError(ValueError):
    """A recorded file that is missing or malformed (the message names the file and the fault)."""


def record_names() -> list[str]:
    """The names of the recorded files (without ``.json``), sorted."""
    return sorted(p.stem for p in RECORDS_DIR.glob("*.json"))


def _check(name: str, rec) -> dict:
    where = f"recorded file {name}.json"
    if not isinstance(rec, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    missing = [k for k in REQUIRED if k not in rec]
    if missing:
        raise RecordError(f"{where}: missing {', '.join(missing)}")
    for key in ("title", "command", "machine", "date"):
        if not isinstance(rec[key], str) or not rec[key].strip():
            raise RecordError(f"{where}: {key!r} must be a non-empty string")
    if not isinstance(rec["commit"], str) or not _COMMIT.match(rec["commit"]):
        raise RecordError(f"{where}: 'commit' must be a git commit (7-40 hex digits), got {rec['commit']!r}")
    cols, rows = rec["columns"], rec["rows"]
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
        raise RecordError(f"{where}: 'columns' must be a non-empty list of names")
    if len(set(cols)) != len(cols):
        raise RecordError(f"{where}: 'columns' repeats a name")
    if not isinstance(rows, list) or not rows:
        raise RecordError(f"{where}: 'rows' must be a non-empty list")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(cols):
            raise RecordError(f"{where}: row {i} has {len(row) if isinstance(row, list) else '?'} cells, "
                              f"the columns are {len(cols)}")
    return rec


def load_recorded(name: str) -> dict:
    """The recorded file ``name`` (validated), or :class:`RecordError` naming the fault."""
    path = RECORDS_DIR / f"{name}.json"
    if not path.is_file():
        raise RecordError(f"no recorded file {name!r} in {RECORDS_DIR} (there are: {', '.join(record_names())})")
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise RecordError(f"recorded file {name}.json is not valid JSON: {e}") from None
    return _check(name, rec)


def recorded_frame(name: str):
    """The recorded table as a pandas DataFrame (its first column as the index)."""
    import pandas as pd

    rec = load_recorded(name)
    frame = pd.DataFrame(rec["rows"], columns=rec["columns"])
    return frame.set_index(rec["columns"][0])


def recorded_value(name: str, row, column: str):
    """One cell of the recorded table: the row whose first column is ``row``, column ``column``."""
    frame = recorded_frame(name)
    if column not in frame.columns:
        raise RecordError(f"recorded file {name}.json has no column {column!r} (it has {list(frame.columns)})")
    if row not in frame.index:
        raise RecordError(f"recorded file {name}.json has no row {row!r} (it has {list(frame.index)})")
    return frame.loc[row, column]


def provenance(name: str) -> str:
    """One line saying who produced the record: command, commit, machine, date, and where the full record is."""
    rec = load_recorded(name)
    src = f"; every trial in `{rec['source']}`" if rec.get("source") else ""
    return (f"Recorded {rec['date']} by `{rec['command']}` at commit {rec['commit'][:10]} on "
            f"{rec['machine']}{src}.")


def recorded_markdown(name: str, floatfmt: str = ".2f") -> str:
    """The record as a markdown table with its title above and its provenance (and note) below."""
    rec = load_recorded(name)

    def cell(v):
        return format(v, floatfmt) if isinstance(v, float) else ("" if v is None else str(v))

    lines = [f"**{rec['title']}**", "", "| " + " | ".join(rec["columns"]) + " |",
             "|" + "---|" * len(rec["columns"])]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rec["rows"]]
    lines += ["", provenance(name)]
    if rec.get("note"):
        lines += ["", rec["note"]]
    return "\n".join(lines)


def show_recorded(name: str, floatfmt: str = ".2f") -> str:
    """Display the recorded table in a notebook (plain text elsewhere) and return its markdown."""
    text = recorded_markdown(name, floatfmt)
    try:
        from IPython.display import Markdown, display

        display(Markdown(text))
    except ImportError:  # pragma: no cover - IPython comes with the notebook extra
        print(text)
    return text
