"""Checks of command-line inputs shared by every ``colorkit`` command: each returns the checked value or
raises :class:`UsageError` with a message that names the fix (see :mod:`colorkit.cli`)."""

from __future__ import annotations

import json
from pathlib import Path

CHECKPOINT_HINT = "give the last.pt written by `colorkit train`"
PHOTOS_HINT = "give a folder of colour photos, a folder made by `colorkit prepare`, or 'samples'"


class UsageError(Exception):
    """A mistake on the command line that the user can fix. :func:`main` prints its message as one
    line (``colorkit <command>: error: <message>``) and returns 2; the message should name the fix."""


# --- checks for the run_cli functions: each raises UsageError naming the fix ------------------------
def at_least(value, minimum, option: str):
    """``value`` unless it is below ``minimum`` (None passes: the option was not given)."""
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, got {value}")
    return value


def json_object(text: str | None, option: str) -> dict | None:
    """``text`` parsed as a JSON object (None/empty -> None)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{option} is not valid JSON ({e.msg} at character {e.pos}): "
                         f"give an object such as '{{\"base_width\": 32}}', got {text!r}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{option} must be a JSON object such as '{{\"base_width\": 32}}', got {text!r}")
    return value


def existing_path(value, option: str, hint: str = "", kind: str = "any") -> Path:
    """``value`` as a Path that exists (``kind``: ``any``, ``file`` or ``dir``)."""
    p = Path(value).expanduser()
    fix = f": {hint}" if hint else ""
    if not p.exists():
        raise UsageError(f"{option}: no such file or folder: {value}{fix}")
    if kind == "dir" and not p.is_dir():
        raise UsageError(f"{option}: {value} is a file, not a folder{fix}")
    if kind == "file" and not p.is_file():
        raise UsageError(f"{option}: {value} is a folder, not a file{fix}")
    return p


def output_folder(value, option: str = "--out") -> Path:
    """``value`` as a folder to write into: it must not be an existing file."""
    p = Path(value).expanduser()
    if p.exists() and not p.is_dir():
        raise UsageError(f"{option} {value} is a file: give a folder to write the results into")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{option} {value}: {parent} is a file, so no folder can be made there")
            break
    return p


def _photo_candidates(p: Path, recursive: bool = True) -> list[Path]:
    """The files a photo reader would look at under ``p`` (a file: itself), found without logging."""
    from colorkit.data.images import is_image_file

    if p.is_file():
        return [p]
    if not p.is_dir():
        return []
    found = p.rglob("*") if recursive else p.iterdir()
    return sorted(q for q in found if q.is_file() and is_image_file(q) and not q.name.startswith("."))


def _first_readable(files) -> Path | None:
    """The first of ``files`` whose header a photo reader understands (no decoding), else None."""
    from colorkit.data.images import ImageReadError, image_size

    for f in files:
        try:
            image_size(f)
            return f
        except ImageReadError:
            continue
    return None


def photo_source(value, option: str, recursive: bool = True) -> str | Path:
    """Check a photo source (``samples``, a ``colorkit prepare`` folder, a folder of photos or one photo):
    it exists and, unless prepared, holds at least one file a photo reader can open (header check only)."""
    if str(value) == "samples":
        return "samples"
    p = existing_path(value, option, PHOTOS_HINT)
    if (p / "manifest.csv").is_file():
        return p
    if _first_readable(_photo_candidates(p, recursive)) is None:
        what = f"{value} is not a photo" if p.is_file() else f"no readable photos in {value}"
        raise UsageError(f"{option}: {what}: {PHOTOS_HINT}")
    return p


def photo_inputs(inputs, option: str = "INPUT", recursive: bool = False) -> None:
    """Check photo files/folders given on the command line: at least one exists and at least one photo
    among them is readable (header check only). Single missing or unreadable files among good ones are
    left to the command, which skips and lists them."""
    hint = "give photo files (.jpg, .png, ...) or folders holding them"
    paths = [Path(v).expanduser() for v in inputs]
    present = [p for p in paths if p.exists()]
    if not present:
        raise UsageError(f"{option}: no such file or folder: {', '.join(str(v) for v in inputs)}: {hint}")
    if _first_readable(f for p in present for f in _photo_candidates(p, recursive)) is None:
        names = ", ".join(str(p) for p in present)
        more = "" if recursive or not any(p.is_dir() for p in present) else " (sub-folders: add --recursive)"
        raise UsageError(f"{option}: no readable photos in {names}{more}: {hint}")


def device(name: str, option: str = "--device"):
    """The torch device for ``name`` (``auto``, ``cpu``, ``cuda``, ``cuda:1``, ``mps``)."""
    import torch

    from colorkit.runtime import get_device

    fix = "use auto, cpu, cuda, cuda:N or mps"
    if name != "auto":
        try:
            torch.device(name)
        except (RuntimeError, ValueError):
            raise UsageError(f"{option} {name!r} is not a device name: {fix}") from None
    try:
        return get_device(name)
    except (RuntimeError, ValueError) as e:  # a device this machine does not have
        raise UsageError(f"{option} {name!r}: {e}") from None


def sha256_hex(value: str | None, option: str = "--sha256") -> str | None:
    """``value`` if it is a SHA-256 written as 64 hexadecimal digits (None passes)."""
    if value is not None and (len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value)):
        raise UsageError(f"{option} must be 64 hexadecimal digits (as `sha256sum FILE` prints), got {value!r}")
    return value


def _is_torch_file(path: Path) -> bool:
    """True when the file starts like something ``torch.save`` writes (a zip, or a legacy pickle)."""
    with open(path, "rb") as f:
        head = f.read(4)
    return head.startswith(b"PK\x03\x04") or head[:1] == b"\x80"


def checkpoint_file(value, option: str = "--checkpoint") -> Path:
    """Check that ``value`` is an existing file that looks like a PyTorch checkpoint (cheap: first bytes)."""
    p = Path(value).expanduser()
    if p.is_dir():
        found = sorted(p.glob("*.pt"))
        inside = f" (it holds {', '.join(q.name for q in found[:3])})" if found else ""
        raise UsageError(f"{option} {value} is a folder{inside}: {CHECKPOINT_HINT}")
    if not p.is_file():
        raise UsageError(f"{option}: no checkpoint at {value}: {CHECKPOINT_HINT}")
    if p.stat().st_size == 0 or not _is_torch_file(p):
        raise UsageError(f"{value} is not a colorkit checkpoint (not a PyTorch file): {CHECKPOINT_HINT}")
    return p


def read_checkpoint(value, option: str = "--checkpoint") -> dict:
    """Load a checkpoint for a command (as :func:`colorkit.checkpoint.load_checkpoint` does) and check it is
    a colorkit one whose model this colorkit knows; any problem is a :class:`UsageError` naming the file."""
    import pickle

    from colorkit.checkpoint import FORMAT, UnsafeCheckpointError, load_checkpoint
    from colorkit.models import available

    p = checkpoint_file(value, option)
    try:
        ckpt = load_checkpoint(p)
    except UnsafeCheckpointError as e:
        if isinstance(e.__cause__, pickle.UnpicklingError):
            raise UsageError(f"refused to load {value}: it is not a plain-data colorkit checkpoint (loading it "
                             f"would run code); {CHECKPOINT_HINT}, and load only checkpoints you trust") from None
        detail = " ".join(str(e.__cause__ or e).split()).split(". ")[0][:160]  # torch's first sentence
        raise UsageError(f"{value} is not a colorkit checkpoint ({detail}): {CHECKPOINT_HINT}") from None
    except (KeyError, EOFError, AttributeError, ImportError, IndexError, TypeError) as e:  # torch.load on junk
        raise UsageError(f"{value} is not a colorkit checkpoint ({type(e).__name__}: {e}): {CHECKPOINT_HINT}") \
            from None
    if ckpt.get("format") != FORMAT:
        raise UsageError(f"{value} is not a colorkit checkpoint (format {ckpt.get('format')!r}, expected "
                         f"{FORMAT!r}): {CHECKPOINT_HINT}")
    name = (ckpt.get("model") or {}).get("name")
    if name not in available():
        raise UsageError(f"{value} holds a {name!r} model, which this colorkit does not know "
                         f"({', '.join(available())}): upgrade colorkit or check the file")
    return ckpt

