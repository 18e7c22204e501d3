"""Where colorkit keeps downloads, prepared shards, checkpoints and runs.

Introduced in notebook ``01_data_prep``. One rule: ``$COLORKIT_HOME`` if set; else, inside a
clone of the repository, its top folder (so ``data/`` and ``runs/`` sit beside ``notebooks/``);
else ``/content/colorkit`` on Colab; else ``~/.cache/colorkit``.
"""
from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path | None:
    """The clone this package was installed from (editable install), or None."""
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").exists() and (here / "notebooks").is_dir():
        return here
    return None


def home() -> Path:
    env = os.environ.get("COLORKIT_HOME")
    if env:
        return Path(env).expanduser()
    root = repo_root()
    if root is not None:
        return root
    from colorkit.runtime import in_colab

    if in_colab():
        return Path("/content/colorkit")
    return Path.home() / ".cache" / "colorkit"


def data_dir(*parts: str) -> Path:
    """``<home>/data/...``: downloads and prepared shards (ignored by git)."""
    return home().joinpath("data", *parts)


def runs_dir(*parts: str) -> Path:
    """``<home>/runs/...``: checkpoints, logs and executed notebooks (ignored by git)."""
    return home().joinpath("runs", *parts)


def checkpoint_path(model_name: str, preset: str) -> Path:
    """Where the course keeps the checkpoint a lesson trained: ``<home>/runs/checkpoints/<preset>/<model>.pt``.

    Later lessons (06 evaluate, 07 colorize) find the models earlier lessons trained here.
    """
    return runs_dir("checkpoints", preset, f"{model_name}.pt")


def list_checkpoints(preset: str) -> dict[str, Path]:
    """``{model name: path}`` of the checkpoints the course has trained under ``preset``."""
    folder = runs_dir("checkpoints", preset)
    return {p.stem: p for p in sorted(folder.glob("*.pt"))} if folder.is_dir() else {}


def persistent_home(enabled: bool, mount=None, drive: str = "/content/drive", kaggle: str = "/kaggle/working") -> Path:
    """The ``DRIVE`` parameter of lessons 01-07: keep ``COLORKIT_HOME`` where it outlives the runtime, so
    lessons opened one by one (each in its own fresh runtime) share data and checkpoints.

    On Colab, mounts Google Drive (``mount``: ``google.colab.drive.mount``; Colab asks for permission) and
    uses ``MyDrive/colorkit`` there; on Kaggle, ``/kaggle/working/colorkit`` (kept with a saved version);
    elsewhere, or with ``enabled`` False, nothing changes. Returns :func:`home`.
    """
    from colorkit.runtime import in_colab, in_kaggle

    if not enabled:
        return home()
    if in_colab():
        if mount is None:
            from google.colab import drive as google_drive  # only importable on Colab

            mount = google_drive.mount
        mount(drive)
        target = Path(drive) / "MyDrive" / "colorkit"
    elif in_kaggle(kaggle):
        target = Path(kaggle) / "colorkit"
    else:
        print(f"DRIVE only matters on Colab and Kaggle; colorkit keeps its files in {home()}")
        return home()
    target.mkdir(parents=True, exist_ok=True)
    os.environ["COLORKIT_HOME"] = str(target)
    print(f"COLORKIT_HOME = {target}: data and checkpoints stay there for the other lessons")
    return target
