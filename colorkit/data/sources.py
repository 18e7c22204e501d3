"""Where photos come from: COCO 2017, Tiny ImageNet, the Kaggle colorization set, a folder, the samples.

Introduced in notebook ``01_data_prep`` (``colorkit prepare SOURCE`` on the command line).

Every download goes through :func:`download`, i.e. :func:`colorkit.files.download`: a progress bar,
resume of a partial file with an HTTP ``Range`` request, verification of the size and checksum (MD5 as
published by the dataset, or SHA-256), then an atomic rename. Archives are unpacked by
:func:`safe_extract`, which refuses any member that would land outside the target folder (``../``,
absolute paths, drive letters) and symbolic links, before writing anything.

Downloads are cached under :func:`colorkit.paths.data_dir` (``<data>/downloads`` and ``<data>/raw``);
a second call finds them and returns at once.
"""
from __future__ import annotations

import os
import shutil
import socket
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from colorkit import files
from colorkit.files import ChecksumMismatchError, verify_file  # noqa: F401  (re-exported)


class SourceError(RuntimeError):
    """A data source could not be used (no network, bad credentials, bad archive...). The message says what to do."""


class UnsafeArchiveError(SourceError):
    """An archive member would be written outside the target folder (or is a link)."""


@dataclass(frozen=True)
class RemoteZip:
    """A published zip: where, how big, its checksum, and the folders inside that hold the photos."""

    name: str
    url: str
    size: int | None
    md5: str | None
    image_folders: tuple[str, ...]  # inside the extracted tree
    description: str = ""


COCO = {
    "val2017": RemoteZip("coco-val2017", "http://images.cocodataset.org/zips/val2017.zip", 815_585_330,
                         "442b8da7639aecaf257c1dceb8ba8c80", ("val2017",), "COCO 2017 validation, 5,000 photos, 778 MB"),
    "train2017": RemoteZip("coco-train2017", "http://images.cocodataset.org/zips/train2017.zip", None,
                           "cced6f7f71b7629ddf16f17bbcfab6b2", ("train2017",), "COCO 2017 train, 118,287 photos, 18 GB"),
}
TINY_IMAGENET = RemoteZip(
    "tiny-imagenet", "http://cs231n.stanford.edu/tiny-imagenet-200.zip", 248_100_043,
    "90528d7ca1a48142e341f4ef8d21d0de", ("tiny-imagenet-200/train", "tiny-imagenet-200/val"),
    "Tiny ImageNet: 200 classes, 110,000 photos of 64x64, 237 MB",
)
KAGGLE_DATASET = "aayush9753/image-colorization-dataset"
KAGGLE_COLOR_FOLDERS = ("train_color", "test_color")  # L is recomputed from these, never taken from *_black
KAGGLE_HELP = (
    "Kaggle needs an API token: create one at https://www.kaggle.com/settings (API -> Create New Token) and save "
    "it as ~/.kaggle/kaggle.json (or ~/.config/kaggle/kaggle.json; chmod 600), or set the environment variables "
    "KAGGLE_USERNAME and KAGGLE_KEY. On Colab, upload kaggle.json or use Colab secrets."
)


# --- network -----------------------------------------------------------------------------------
def is_online(timeout: float = 2.0, host: str = "images.cocodataset.org", port: int = 80) -> bool:
    """A quick check (one TCP connection, ``timeout`` seconds) that the internet is reachable.

    ``COLORKIT_OFFLINE=1`` forces False (CI, tests)."""
    if os.environ.get("COLORKIT_OFFLINE", "").strip() not in ("", "0"):
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def download(url: str, dest: str | os.PathLike, size: int | None = None, md5: str | None = None,
             sha256: str | None = None, progress: bool = True, timeout: float = 30.0,
             chunk: int = 1 << 20) -> Path:
    """Download a dataset archive: :func:`colorkit.files.download` (progress bar, resume of ``dest + '.part'``
    with an HTTP Range request, size and checksum verification, atomic rename; an existing ``dest`` is
    verified and reused), with network failures raised as :class:`SourceError`. A failed verification
    deletes the file and raises :class:`ChecksumMismatchError`."""
    try:
        return files.download(url, dest, sha256=sha256, progress=progress, size=size, md5=md5,
                              timeout=timeout, chunk=chunk)
    except ConnectionError as e:
        raise SourceError(str(e)) from None


# --- archives ----------------------------------------------------------------------------------
def _is_unsafe(member: zipfile.ZipInfo) -> str | None:
    name = member.filename
    if "\x00" in name:
        return "NUL byte in the name"
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if ".." in p.parts:
        return "'..' escapes the target folder"
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link"
    return None


def safe_extract(archive: str | os.PathLike, target: str | os.PathLike, members=None, progress: bool = True) -> Path:
    """Extract a zip into ``target`` after checking every member (see :class:`UnsafeArchiveError`).

    ``members``: only these member names (e.g. a random subset). Nothing is written if any member is
    unsafe. A ``.complete`` marker is written last, so an interrupted extraction is redone.
    """
    from tqdm.auto import tqdm

    target = Path(target)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for m in infos:
            why = _is_unsafe(m)
            if why:
                raise UnsafeArchiveError(f"refused to extract {archive}: member {m.filename!r}: {why}")
        if members is not None:
            wanted = set(members)
            infos = [m for m in infos if m.filename in wanted]
        target.mkdir(parents=True, exist_ok=True)
        root = target.resolve()
        for m in tqdm(infos, desc=f"extract {Path(archive).name}", unit="file", disable=not progress):
            out = (target / m.filename).resolve()
            if root not in out.parents and out != root:  # belt and braces
                raise UnsafeArchiveError(f"refused to extract {m.filename!r}: outside {target}")
            if m.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as src, open(out, "wb") as dst:  # zipfile checks each member's CRC
                shutil.copyfileobj(src, dst, 1 << 20)
    files.atomic_write_bytes(target / ".complete", b"ok\n")
    return target


def _subset_members(archive: Path, n: int | None, seed: int = 0, prefixes: tuple[str, ...] = ()) -> list[str] | None:
    """A seeded random subset of ``n`` image members of a zip under ``prefixes`` (None: all)."""
    if n is None:
        return None
    import random

    from colorkit.data.images import is_image_file

    with zipfile.ZipFile(archive) as zf:
        names = sorted(m.filename for m in zf.infolist() if not m.is_dir() and is_image_file(m.filename)
                       and (not prefixes or any(m.filename.startswith(p.rstrip("/") + "/") for p in prefixes)))
    if n >= len(names):
        return None
    return sorted(random.Random(seed).sample(names, n))


def fetch_zip(remote: RemoteZip, root: str | os.PathLike | None = None, max_images: int | None = None,
              progress: bool = True, seed: int = 0) -> Path:
    """Download (once, resumable, verified) and extract (once) a :class:`RemoteZip`; return the folder.

    ``max_images``: extract only a seeded random subset of that many photos (the zip is still downloaded
    whole: the datasets publish no smaller pieces).
    """
    from colorkit.paths import data_dir

    root = Path(root) if root is not None else data_dir()
    archive = root / "downloads" / Path(remote.url).name
    label = remote.name + (f"-n{max_images}" if max_images else "")
    target = root / "raw" / label
    if (target / ".complete").exists():
        return target
    if progress:
        size = f"{remote.size / 2**20:.0f} MB" if remote.size else "size unknown"
        print(f"downloading {remote.description or remote.name} ({size}) from {remote.url} into {archive.parent}")
    download(remote.url, archive, size=remote.size, md5=remote.md5, progress=progress)
    return safe_extract(archive, target, members=_subset_members(archive, max_images, seed, remote.image_folders), progress=progress)


def coco(split: str = "val2017", max_images: int | None = None, root=None, progress: bool = True) -> list[Path]:
    """COCO 2017 photos (``val2017`` by default, or ``train2017``): the image folders after extraction."""
    if split not in COCO:
        raise SourceError(f"unknown COCO split {split!r}; choose {' or '.join(COCO)}")
    remote = COCO[split]
    folder = fetch_zip(remote, root, max_images=max_images, progress=progress)
    return [folder / f for f in remote.image_folders if (folder / f).is_dir()] or [folder]


def tiny_imagenet(max_images: int | None = None, root=None, progress: bool = True) -> list[Path]:
    """Tiny ImageNet photos (train + val folders; the unlabeled test set is left out)."""
    folder = fetch_zip(TINY_IMAGENET, root, max_images=max_images, progress=progress)
    return [folder / f for f in TINY_IMAGENET.image_folders if (folder / f).is_dir()] or [folder]


def kaggle(root=None, progress: bool = True) -> list[Path]:
    """The Kaggle dataset ``aayush9753/image-colorization-dataset`` through the official ``kaggle`` client.

    Only its colour folders are returned: L is recomputed from them (its grayscale copies are not
    trusted). Missing or unreadable credentials raise :class:`SourceError` naming the fix.
    """
    from colorkit.paths import data_dir

    root = Path(root) if root is not None else data_dir()
    target = root / "raw" / "kaggle-image-colorization"
    if not (target / ".complete").exists():
        api = kaggle_api()
        dl = root / "downloads" / "kaggle"
        dl.mkdir(parents=True, exist_ok=True)
        try:
            api.dataset_download_files(KAGGLE_DATASET, path=str(dl), unzip=False, quiet=not progress)
        except (Exception, SystemExit) as e:  # the client raises many types, even SystemExit
            raise SourceError(f"Kaggle download of {KAGGLE_DATASET} failed: {e}. {KAGGLE_HELP}") from None
        zips = sorted(dl.glob("*.zip"))
        if not zips:
            raise SourceError(f"the Kaggle client left no zip in {dl}")
        safe_extract(zips[0], target, progress=progress)
    folders = sorted(p for p in target.rglob("*") if p.is_dir() and p.name in KAGGLE_COLOR_FOLDERS)
    if not folders:
        raise SourceError(f"no {' / '.join(KAGGLE_COLOR_FOLDERS)} folder inside {target}; the dataset layout changed")
    return folders


def kaggle_api():
    """An authenticated ``KaggleApi`` (imported lazily), or :class:`SourceError` with :data:`KAGGLE_HELP`."""
    try:
        from kaggle.api.kaggle_api_extended import KaggleApi  # importing `kaggle` itself authenticates
    except ImportError as e:
        if getattr(e, "name", None) in ("kaggle", "kaggle.api", "kaggle.api.kaggle_api_extended"):
            raise SourceError("the Kaggle source needs the kaggle package: pip install kaggle") from None
        fix = f"pip install {e.name}" if getattr(e, "name", None) else "pip install -U kaggle"
        raise SourceError(f"the kaggle package is installed but cannot import {e.name or e} ({e}): {fix}") from None
    except (Exception, SystemExit) as e:
        raise SourceError(f"the kaggle package could not start ({e}). {KAGGLE_HELP}") from None
    try:
        api = KaggleApi()
        api.authenticate()
    except (Exception, SystemExit) as e:
        raise SourceError(f"Kaggle credentials missing or unreadable ({e}). {KAGGLE_HELP}") from None
    return api


def samples() -> list[Path]:
    """The built-in colour photos (no network)."""
    from colorkit.data.samples import sample_paths

    return sample_paths("color")


def source_files(source: str, max_images: int | None = None, split: str | None = None, root=None,
                 progress: bool = True) -> tuple[list[Path], str]:
    """Resolve a ``colorkit prepare`` SOURCE into (folders or files, a short label for the output folder)."""
    name = str(source)
    if name == "samples":
        return samples(), "samples"
    if name == "coco":
        split = split or "val2017"
        return coco(split, max_images=max_images, root=root, progress=progress), f"coco-{split}"
    if name in ("tiny-imagenet", "tiny_imagenet", "tinyimagenet"):
        return tiny_imagenet(max_images=max_images, root=root, progress=progress), "tiny-imagenet"
    if name == "kaggle":
        return kaggle(root=root, progress=progress), "kaggle"
    path = Path(name).expanduser()
    if path.is_dir():
        return [path], f"folder-{path.resolve().name}"
    if path.is_file():
        return [path], f"file-{path.stem}"
    raise SourceError(f"unknown source {name!r}: use coco, kaggle, tiny-imagenet, samples or a folder of photos")
