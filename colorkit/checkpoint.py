"""Checkpoints: safe files, model cards, rebuilding models, exports, and ``colorkit.load``.

Safe checkpoint files: atomic writes, ``weights_only`` loads, and checksums.

Written by :mod:`colorkit.train` in every training lesson; introduced in notebook ``07_colorize_your_photos`` (sharing).
A checkpoint is a plain dict of tensors, numbers, strings, lists and dicts, so that it loads with
``torch.load(weights_only=True)``: a file that needs anything else (a pickle that would run code)
is refused with :class:`UnsafeCheckpointError`.

Layout written by the training engine (``FORMAT``)::

    {"format": "colorkit-checkpoint/1",
     "model": {"name": <registry name>, "kwargs": {...}},   # enough to rebuild the network
     "state": {<network name>: state_dict, ...},           # "generator", "discriminator", ...
     "optim": {...}, "sched": {...}, "scaler": {...},       # training state (may be absent in exports)
     "step": int, "rng": {...}, "config": {...}, "card": {...}}

Introduced in notebook ``07_colorize_your_photos``. A *model card* is a small plain-data dict saved
inside every checkpoint (``card`` key) and as a ``.json`` beside it: architecture, preset, data,
steps, metrics on the test split, colorkit version. The training engine builds it with
:func:`make_card` and writes it with :func:`write_card`.

:func:`load` takes a checkpoint path or an ``http(s)://`` URL. Downloads are cached under
``colorkit.paths.data_dir("models")`` and verified: with ``sha256=...`` a file whose checksum differs
is refused (:class:`~colorkit.checkpoint.ChecksumMismatchError`) and never reaches ``torch.load``; and
every checkpoint is loaded with ``torch.load(weights_only=True)``, so a pickle that would run code is
refused (:class:`~colorkit.checkpoint.UnsafeCheckpointError`) whatever its checksum.
"""
from __future__ import annotations


import datetime as _dt
import hashlib
import json
import logging
import os
import pickle
import urllib.parse
from pathlib import Path

import torch

from colorkit import files
from colorkit.files import (  # noqa: F401  (re-exported: checkpoint users verify files too)
    ChecksumMismatchError,
    atomic_write_bytes,
    file_sha256,
    verify_sha256,
)

FORMAT = "colorkit-checkpoint/1"


class UnsafeCheckpointError(RuntimeError):
    """The file is not a plain-data checkpoint (it would need to run code to load), or is corrupt."""


def save_checkpoint(obj: dict, path: str | os.PathLike) -> Path:
    """Save a plain-data checkpoint dict atomically (see the module docstring for the layout)."""
    import io

    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def load_checkpoint(path: str | os.PathLike, map_location="cpu", sha256: str | None = None) -> dict:
    """Load a checkpoint with ``torch.load(weights_only=True)``; verify ``sha256`` first if given.

    Raises :class:`UnsafeCheckpointError` for a file that would need to execute code to load (a
    tampered or foreign pickle), or that is truncated or not a checkpoint at all.
    """
    import torch

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    verify_sha256(path, sha256)
    try:
        obj = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise UnsafeCheckpointError(
            f"refused to load {path}: it is not a plain-data checkpoint (loading it would run code "
            f"or needs objects colorkit does not allow). Only load checkpoints you trust. Detail: {e}"
        ) from e
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise UnsafeCheckpointError(f"could not read {path} as a checkpoint (truncated or corrupt?): {e}") from e
    if not isinstance(obj, dict):
        raise UnsafeCheckpointError(f"{path} holds a {type(obj).__name__}, not a colorkit checkpoint dict")
    return obj


# what colorization assumes when a checkpoint says nothing (256 px, the size of README's "Earlier work")
DEFAULT_TRAIN_SIZE = 256


def train_image_size(ckpt: dict, card: dict | None = None, path: str | os.PathLike | None = None) -> int:
    """The side of the images a checkpoint's model was trained on: the scale colorization predicts at.

    Looks, in order, at the card's ``image_size`` (written by the training engine since issue 11), the
    card's ``data["image_size"]`` (:func:`make_card`), the card's ``preset`` (smoke 32,
    cpu 64, gpu 256: :mod:`colorkit.presets`), a preset named by the config's ``extra``, then a preset
    name as a folder of the checkpoint's path or the run's ``out_dir`` (the course keeps checkpoints in
    ``runs/checkpoints/<preset>/``); else :data:`DEFAULT_TRAIN_SIZE`. ``card`` overrides ``ckpt["card"]``
    (e.g. the ``.json`` beside the file).
    """
    from colorkit.presets import PRESET_NAMES, PRESETS

    card = card if card is not None else (ckpt.get("card") or {})
    card = card if isinstance(card, dict) else {}
    data = card.get("data")
    for v in (card.get("image_size"), data.get("image_size") if isinstance(data, dict) else None):
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1:
            return int(v)
    config = ckpt.get("config") if isinstance(ckpt.get("config"), dict) else {}
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    for name in (card.get("preset"), extra.get("preset")):
        if name in PRESETS:
            return PRESETS[name].image_size
    folders = [Path(path).parent if isinstance(path, (str, os.PathLike)) else None, config.get("out_dir")]
    for where in folders:
        if isinstance(where, (str, os.PathLike)) and "://" not in str(where):
            parts = [p for p in Path(where).parts if p in PRESET_NAMES]
            if parts:
                return PRESETS[parts[-1]].image_size
    return DEFAULT_TRAIN_SIZE


# ---- model cards, rebuilding, exports, loading --------------------------------------------------

log = logging.getLogger(__name__)

CARD_FORMAT = "colorkit-card/1"
CARD_FIELDS = ("architecture", "preset", "data", "steps", "metrics", "colorkit_version")


# --- model cards -------------------------------------------------------------------------------
def _plain(x):
    """Make a value safe for both JSON and ``torch.load(weights_only=True)``."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (str, bool, int)) or x is None:
        return x
    if isinstance(x, float):
        return x if x == x and abs(x) != float("inf") else str(x)  # NaN/inf are not valid JSON
    if hasattr(x, "item") and getattr(x, "ndim", 1) == 0:  # numpy / torch scalars
        return _plain(x.item())
    if isinstance(x, os.PathLike):
        return os.fspath(x)
    return str(x)


def make_card(model_name: str, model_kwargs: dict | None = None, *, preset: str | None = None,
              data: str | dict | None = None, steps: int | None = None, metrics: dict | None = None,
              model=None, **extra) -> dict:
    """A model card (plain data) for a checkpoint.

    ``model_name``/``model_kwargs``: the registry name and constructor arguments; ``preset``: the
    preset trained under; ``data``: what it was trained on (a folder, a dataset name, or a dict such
    as ``{"source": ..., "images": ..., "image_size": ...}``); ``steps``: optimizer steps; ``metrics``:
    scores on the test split (e.g. ``{"de2000": 9.8, "gray_copy_de2000": 11.6}``); ``model``: the
    network, to record its parameter count. Extra keyword arguments are stored as they are.
    """

    from colorkit import __version__

    card = {
        "format": CARD_FORMAT,
        "architecture": {"name": model_name, "kwargs": dict(model_kwargs or {})},
        "preset": preset,
        "data": data,
        "steps": None if steps is None else int(steps),
        "metrics": dict(metrics or {}),
        "colorkit_version": __version__,
        "torch_version": torch.__version__.split("+")[0],
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if model is not None:
        card["architecture"]["parameters"] = int(sum(p.numel() for p in model.parameters()))
    card.update(extra)
    return _plain(card)


def card_path(checkpoint: str | os.PathLike) -> Path:
    """Where the card of ``checkpoint`` sits: ``<checkpoint without .pt>.json``."""
    return Path(checkpoint).with_suffix(".json")


def write_card(card: dict, checkpoint: str | os.PathLike) -> Path:
    """Write ``card`` as pretty JSON beside ``checkpoint`` (atomically). Returns the JSON path."""
    path = card_path(checkpoint)
    atomic_write_bytes(path, (json.dumps(_plain(card), indent=2, sort_keys=False) + "\n").encode("utf-8"))
    return path


def read_card(checkpoint: str | os.PathLike | dict) -> dict | None:
    """The card of a checkpoint: its ``card`` key, else the ``.json`` beside it, else None."""
    if isinstance(checkpoint, dict):
        return checkpoint.get("card")
    path = Path(checkpoint)
    js = card_path(path)
    if js.is_file() and js != path:
        return json.loads(js.read_text(encoding="utf-8"))
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return load_checkpoint(path).get("card")


def update_card(checkpoint: str | os.PathLike, **fields) -> dict:
    """Add or change card fields of a saved checkpoint (e.g. ``metrics=`` after evaluating it on the
    test split): rewrites the checkpoint atomically and the ``.json`` beside it. Returns the card."""
    ckpt = load_checkpoint(checkpoint)
    card = dict(ckpt.get("card") or {})
    for k, v in fields.items():
        if isinstance(v, dict) and isinstance(card.get(k), dict):
            card[k] = {**card[k], **v}
        else:
            card[k] = v
    ckpt["card"] = _plain(card)
    save_checkpoint(ckpt, checkpoint)
    write_card(ckpt["card"], checkpoint)
    return ckpt["card"]


def format_card(card: dict | None) -> str:
    """A short human-readable summary of a card (what notebook 07 prints under each model).

    Also reads the engine's own card keys (``model``, ``colorkit``, ``val``) when the :func:`make_card`
    ones are missing."""
    if not card:
        return "(no model card)"
    arch = card.get("architecture") or {"name": card.get("model", "?")}
    kw = ", ".join(f"{k}={v}" for k, v in (arch.get("kwargs") or {}).items())
    params = arch.get("parameters")
    lines = [f"{arch.get('name', '?')}({kw})" + (f", {params / 1e6:.2f} M parameters" if params else "")]
    lines.append(", ".join(f"{k} {card[k]}" for k in ("preset", "steps", "data", "objective", "loss")
                           if card.get(k) is not None))
    version = card.get("colorkit_version", card.get("colorkit"))
    if version:
        lines.append(f"colorkit {version}")
    metrics = card.get("metrics") or card.get("val") or {}
    if metrics:
        lines.append("metrics: " + ", ".join(
            f"{k} {v:.3g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in metrics.items()))
    return "\n".join(line for line in lines if line)


# --- building a network from a checkpoint --------------------------------------------------------
def model_from_checkpoint(ckpt: dict, network: str = "generator", device=None, source: str = "checkpoint"):
    """Rebuild the network stored in a checkpoint dict (layout in :mod:`colorkit.checkpoint`), load its
    weights (strictly) and return it in eval mode, with ``.card``, ``.model_name`` and
    ``.colorkit_train_size`` (the side of its training images, :func:`colorkit.checkpoint.train_image_size`:
    :func:`colorkit.colorize.colorize_image` predicts at that scale by default) attached."""

    from colorkit.models import available, build

    if ckpt.get("format") != FORMAT:
        raise UnsafeCheckpointError(
            f"{source} is not a colorkit checkpoint (format {ckpt.get('format')!r}, expected {FORMAT!r}); "
            "checkpoints are written by colorkit train or colorkit.checkpoint.export_model")
    spec = ckpt.get("model") or {}
    name = spec.get("name")
    if name not in available():
        raise KeyError(f"{source} holds a {name!r} model, which this colorkit ({available()}) does not know; "
                       "upgrade colorkit (pip install -U colorkit) or check the file")
    states = ckpt.get("state") or {}
    if network not in states:
        raise KeyError(f"{source} has no {network!r} network; it holds {sorted(states)}")
    kwargs = dict(spec.get("kwargs") or {})
    if "pretrained" in kwargs:  # the checkpoint holds the trained weights: never fetch ImageNet ones again
        kwargs["pretrained"] = False
    shared = ckpt.get("shared_weights")
    if shared and network == "generator" and not any(k.startswith(shared["prefix"]) for k in states[network]):
        raise ValueError(f"{source} leaves out its {shared['prefix']}* weights, which the shipped reference "
                         f"{shared['reference']!r} holds: load the shipped model by its name (colorkit.load("
                         f"{name!r})) or with colorkit.reference.load_reference_file(path, folder=the folder of "
                         f"{shared['reference']}.pt), which put them back from that file")
    model = build(name, **kwargs)
    model.load_state_dict(states[network], strict=True)
    model.eval()
    if device is not None:
        model.to(torch.device(device) if isinstance(device, str) else device)
    card = dict(ckpt.get("card") or {})
    if card and "architecture" not in card:  # the engine's own card: complete it from the checkpoint
        card["architecture"] = {"name": name, "kwargs": dict(spec.get("kwargs") or {}),
                                "parameters": int(sum(p.numel() for p in model.parameters()))}
    model.card = card or None
    model.model_name = name
    model.colorkit_train_size = train_image_size(ckpt, path=None if is_url(source) else source)
    return model


def export_model(checkpoint: str | os.PathLike, out: str | os.PathLike, card: dict | None = None,
                 networks: tuple[str, ...] = ("generator",)) -> tuple[Path, str]:
    """Write a shareable copy of ``checkpoint``: only the networks and the card (no optimizer, RNG or
    config), plus the card JSON beside it. Returns ``(path, sha256)`` to publish together."""
    ckpt = load_checkpoint(checkpoint)
    card = card if card is not None else ckpt.get("card")
    slim = {"format": FORMAT, "model": ckpt["model"],
            "state": {k: v for k, v in ckpt.get("state", {}).items() if k in networks},
            "step": ckpt.get("step"), "card": _plain(card) if card else None}
    out = save_checkpoint(slim, out)
    if card:
        write_card(card, out)
    return out, file_sha256(out)


# --- downloads ---------------------------------------------------------------------------------
def is_url(s) -> bool:
    return isinstance(s, str) and urllib.parse.urlparse(s).scheme in ("http", "https")


def cache_path(url: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where a download of ``url`` is cached: ``<data>/models/<hash of the URL>-<file name>``."""
    from colorkit.paths import data_dir

    folder = Path(cache_dir) if cache_dir else data_dir("models")
    name = Path(urllib.parse.urlparse(url).path).name or "model.pt"
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    return folder / f"{key}-{name}"


def download(url: str, sha256: str | None = None, cache_dir: str | os.PathLike | None = None,
             progress: bool = True, timeout: float = 60.0) -> Path:
    """Download ``url`` once into the model cache (:func:`cache_path`) and return the local path.

    The work is :func:`colorkit.files.download` (progress bar, resumable ``.part`` file, atomic rename).
    With ``sha256`` the file is verified after download (and on every cache hit): a mismatch deletes
    the download and raises :class:`ChecksumMismatchError`. Without it the file is cached by URL and
    a warning says it is unverified (it is still loaded with ``weights_only=True``).
    """
    dst = cache_path(url, cache_dir)
    if not sha256 and not dst.is_file():
        log.warning("downloading %s without a checksum: pass sha256=... to make sure it is the file you expect", url)
    return files.download(url, dst, sha256=sha256, progress=progress, timeout=timeout)


def resolve(path_or_url, sha256: str | None = None, cache_dir=None) -> Path:
    """A local path for a checkpoint path or URL (downloading and verifying URLs)."""
    if is_url(path_or_url):
        return download(path_or_url, sha256=sha256, cache_dir=cache_dir)
    p = Path(path_or_url).expanduser()
    if not p.is_file():
        raise FileNotFoundError(f"no checkpoint at {p}; give a .pt file path or an http(s) URL")
    return p


def load(path_or_url, sha256: str | None = None, device=None, network: str = "generator", cache_dir=None):
    """Load a trained colorization model from a checkpoint path or URL, ready to use (eval mode).

    ``sha256``: the checksum to insist on (a mismatch is refused before anything is unpickled).
    Returns the ``torch.nn.Module`` with ``.card`` (the model card, or None), ``.model_name`` and
    ``.colorkit_train_size`` (the side of its training images: the default working size of colorization);
    pass it to :func:`colorkit.colorize.colorize_image`. Raises
    :class:`~colorkit.checkpoint.ChecksumMismatchError` or :class:`~colorkit.checkpoint.UnsafeCheckpointError`
    for tampered files.
    """
    path = resolve(path_or_url, sha256=sha256, cache_dir=cache_dir)
    ckpt = load_checkpoint(path, map_location="cpu", sha256=sha256)
    model = model_from_checkpoint(ckpt, network=network, device=device, source=str(path_or_url))
    if model.card is None and not is_url(path_or_url) and card_path(path).is_file():
        model.card = json.loads(card_path(path).read_text(encoding="utf-8"))
        model.colorkit_train_size = train_image_size(ckpt, card=model.card, path=path)
    model.checkpoint_path = str(path)
    return model


# ---- from colorkit.train ------------------------------------------------------------


# --------------------------------------------------------------------------------------------------- loading
def load_trained(path, device="cpu", network: str = "generator"):
    """``(model, checkpoint)`` from a colorkit checkpoint: the network rebuilt from ``checkpoint["model"]``
    (ImageNet weights are not fetched: the checkpoint has them), its weights loaded, in eval mode."""
    from colorkit.models import build

    ckpt = load_checkpoint(path, map_location="cpu")
    if ckpt.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file (format={ckpt.get('format')!r})")
    kwargs = dict(ckpt["model"].get("kwargs") or {})
    if "pretrained" in kwargs:
        kwargs["pretrained"] = False
    model = build(ckpt["model"]["name"], **kwargs)
    model.load_state_dict(ckpt["state"][network])
    model.colorkit_train_size = train_image_size(ckpt, path=path)  # colorization predicts at this scale
    return model.to(device).eval(), ckpt


def export_checkpoint(src, dst, keep_training_state: bool = False):
    """Copy a run's checkpoint to ``dst`` (e.g. :func:`colorkit.paths.checkpoint_path`), by default without
    optimizer/scaler/RNG state (a smaller file that later lessons load for inference)."""
    ckpt = load_checkpoint(src)
    if not keep_training_state:
        for k in ("optim", "scaler", "rng", "sched", "history"):
            ckpt.pop(k, None)
    return save_checkpoint(ckpt, dst)
