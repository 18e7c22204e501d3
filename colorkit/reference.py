"""Reference models that ship inside the package: colorize offline, with no training, in one call.

Used by ``colorkit.load`` (the package's lazy alias of :func:`load`), ``colorkit models``
(:mod:`colorkit.cli.models`) and ``colorkit colorize --model reference`` (:mod:`colorkit.cli.colorize`)::

    model = colorkit.load("reference")            # the default reference model (the L1 U-Net, "unet")
    model = colorkit.load("reference:unet_gan")   # a named one (plain "unet_gan" works too)
    colorkit.reference.list_models()              # shipped references and the models trained here

**Shipped files** (package data, ``colorkit/weights/``): for each name a weights file ``<name>.pt`` (a colorkit
checkpoint holding only the generator, its floating-point tensors stored in float16 to keep the package small;
loading turns them back into float32) and its model card ``<name>.json`` (architecture and kwargs, training data
and its terms, steps, minutes, the held-out metrics table with the gray-copy row, colorkit version, the SHA-256 of
the weights file). ``index.json`` records each file's SHA-256 and the alias ``reference`` (-> ``unet`` unless the
index names another). Every load checks the file against the index: a damaged or replaced file is refused
(:class:`ReferenceIntegrityError`, naming the fix: reinstall colorkit), and the file is read with the safe
:func:`colorkit.checkpoint.load_checkpoint` (``weights_only``).

**Larger models from URLs**: an index entry may hold ``urls`` (a primary and mirrors) and ``sha256`` instead of a
file (:func:`add_remote`); ``colorkit.load([url, mirror], sha256=...)`` and ``colorkit.load(url, mirrors=[...])``
do the same for any checkpoint. Each address is tried in order (:func:`fetch_any`, through the resumable, atomic
:func:`colorkit.files.download`): a dead mirror falls through to the next; a file whose SHA-256 differs is deleted
and never loaded (the next mirror is tried; if none serves the promised file the load is refused with
:class:`~colorkit.files.ChecksumMismatchError`).

**Packaging a trained checkpoint** (one command: the generator only, in float16, measured against the gray copy on
held-out photos, the card written and the SHA-256 recorded in the index)::

    python -m colorkit.reference package runs/unet/last.pt --name unet --photos ../shared/data/tiny64/val \
        --preset cpu --threads 1 --default

or in Python :func:`package_reference`. ``python -m colorkit.reference list`` prints what :func:`list_models`
finds; ``python -m colorkit.reference verify`` checks every shipped file against the index. The whole recipe
that trained the shipped models (preparation, three training stages, packaging) is one command:
``python -m colorkit.reference_recipe SOURCE --preset cpu|gpu --out DIR`` (:mod:`colorkit.reference_recipe`).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

from colorkit.checkpoint import (
    FORMAT,
    card_path,
    is_url,
    load_checkpoint,
    model_from_checkpoint,
    read_card,
    save_checkpoint,
    train_image_size,
)
from colorkit.files import (
    ChecksumMismatchError,
    atomic_path,
    atomic_write_bytes,
    file_sha256,
)

log = logging.getLogger(__name__)

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"  # package data (pyproject: tool.setuptools.package-data)
INDEX_NAME = "index.json"
INDEX_FORMAT = "colorkit-reference-index/1"
ALIAS = "reference"  # colorkit.load("reference"), colorkit colorize --model reference
PREFIX = ALIAS + ":"  # colorkit.load("reference:unet_gan")
DEFAULT_MODEL = "unet"  # what "reference" means unless index.json names another
MAX_SHIPPED_BYTES = 7_500_000  # every file in colorkit/weights/ together (5 MB for issue 15's two, 7.5 with the hint model)
REINSTALL_HINT = ("reinstall colorkit (pip install --force-reinstall --no-deps colorkit; in a clone, "
                  "git checkout -- colorkit/weights)")
DATA_TERMS = ("Tiny ImageNet (a subset of ImageNet): non-commercial research and educational use only, under the "
              "ImageNet terms of access; the weights inherit these terms")
HELD_OUT_COLUMNS = ("de2000", "cf", "dcf", "acc_de", "psnr", "ssim")


class ReferenceIntegrityError(ChecksumMismatchError):
    """A shipped reference file is not the one the package's index promises (damaged or replaced)."""


# --- the index ---------------------------------------------------------------------------------------
def weights_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder of shipped references: ``folder`` if given, else :data:`WEIGHTS_DIR` (``colorkit/weights``)."""
    return Path(folder) if folder is not None else WEIGHTS_DIR


def read_index(folder: str | os.PathLike | None = None) -> dict:
    """``index.json`` of the references (an empty index when there is none)."""
    path = weights_dir(folder) / INDEX_NAME
    if not path.is_file():
        return {"format": INDEX_FORMAT, "aliases": {ALIAS: DEFAULT_MODEL}, "models": {}}
    index = json.loads(path.read_text(encoding="utf-8"))
    index.setdefault("aliases", {}).setdefault(ALIAS, DEFAULT_MODEL)
    index.setdefault("models", {})
    return index


def write_index(index: dict, folder: str | os.PathLike | None = None) -> Path:
    """Write ``index.json`` atomically (sorted, so that a diff shows what changed)."""
    path = weights_dir(folder) / INDEX_NAME
    atomic_write_bytes(path, (json.dumps(index, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return path


def reference_names(folder: str | os.PathLike | None = None) -> list[str]:
    """The names of the references in the index (shipped files and URL entries)."""
    return sorted(read_index(folder)["models"])


def hint_reference_names(folder: str | os.PathLike | None = None) -> list[str]:
    """The references that take colour hints (their card was measured with hints too: the shipped ``unet_hints``,
    lesson 08). The automatic comparisons of lessons 06 and 07 leave them out."""
    return [n for n in reference_names(folder)
            if "de2000_10_hints" in (((_shipped_card(n, folder) or {}).get("metrics")) or {})]


def resolve_name(name: str = ALIAS, folder: str | os.PathLike | None = None) -> str:
    """The index name that ``name`` means: ``reference`` -> the default, ``reference:X`` -> ``X``, ``X`` -> ``X``.

    Raises ``KeyError`` naming the references there are."""
    index = read_index(folder)
    key = name.removeprefix(PREFIX)
    key = index["aliases"].get(key, key)
    if key not in index["models"]:
        known = ", ".join([ALIAS] + sorted(index["models"])) or "(none)"
        raise KeyError(f"no reference model named {name!r}; shipped: {known} (see `colorkit models`)")
    return key


def is_reference(source, folder: str | os.PathLike | None = None) -> bool:
    """Whether ``source`` names a reference rather than a file or a URL (an existing file of that name wins)."""
    if not isinstance(source, str) or is_url(source) or Path(source).expanduser().exists():
        return False
    if source == ALIAS or source.startswith(PREFIX):
        return True
    index = read_index(folder)
    return source in index["models"] or source in index["aliases"]


# --- loading -------------------------------------------------------------------------------------------
def verify_shipped(name: str, folder: str | os.PathLike | None = None) -> Path:
    """The path of the shipped weights of ``name`` after checking its SHA-256 (and its card's) against the index.

    Raises :class:`ReferenceIntegrityError` (naming the fix: reinstall colorkit) when they differ."""
    entry = read_index(folder)["models"][name]
    path = weights_dir(folder) / entry["file"]
    if not path.is_file():
        raise FileNotFoundError(f"the reference model {name!r} has no weights file at {path}: {REINSTALL_HINT}")
    got, want = file_sha256(path), entry["sha256"]
    if got != want:
        raise ReferenceIntegrityError(
            f"refused to load the reference model {name!r}: {path} has SHA-256 {got}, but colorkit's index "
            f"promises {want}; the file is damaged or was replaced. Fix: {REINSTALL_HINT}")
    card = _shipped_card(name, folder)
    if card is not None and card.get("weights", {}).get("sha256") not in (None, want):
        raise ReferenceIntegrityError(
            f"the model card of the reference {name!r} ({entry.get('card')}) names other weights than the index: "
            f"it was edited or is stale. Fix: {REINSTALL_HINT}")
    return path


def _shipped_card(name: str, folder: str | os.PathLike | None = None) -> dict | None:
    entry = read_index(folder)["models"][name]
    if isinstance(entry.get("card"), dict):  # a URL entry may carry its card inline
        return entry["card"]
    path = weights_dir(folder) / entry.get("card", f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def reference_card(name: str = ALIAS, folder: str | os.PathLike | None = None) -> dict | None:
    """The model card of a reference (no weights are read)."""
    return _shipped_card(resolve_name(name, folder), folder)


def reference_path(name: str = ALIAS, folder: str | os.PathLike | None = None, cache_dir=None,
                   progress: bool = True) -> Path:
    """A verified local file of the reference ``name``: the shipped file, else a download from its ``urls``."""
    key = resolve_name(name, folder)
    entry = read_index(folder)["models"][key]
    if (entry.get("file") and (weights_dir(folder) / entry["file"]).is_file()) or not entry.get("urls"):
        return verify_shipped(key, folder)
    return fetch_any(entry["urls"], sha256=entry["sha256"], cache_dir=cache_dir, progress=progress,
                     filename=entry.get("file") or f"{key}.pt")


def to_float32(state: dict) -> dict:
    """A state dict with its floating-point tensors in float32 (integer buffers kept as they are)."""
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def to_float16(state: dict) -> dict:
    """A state dict with its floating-point tensors in float16 (what the shipped files hold)."""
    return {k: v.detach().cpu().half() if v.is_floating_point() else v.detach().cpu() for k, v in state.items()}


SHARED = "shared_weights"  # a shipped file leaves out a part another shipped file holds exactly (see share_weights)
SHARED_PREFIXES = ("reference.",)  # unet_hints(frozen_automatic=True): its frozen automatic U-Net


def share_weights(state: dict, folder: str | os.PathLike | None = None) -> tuple[dict, dict | None]:
    """``(state without the shared part, the record)`` when a part of a float16 generator ``state`` (the keys under
    a :data:`SHARED_PREFIXES` prefix: the hint model's frozen automatic U-Net) is bit for bit a shipped
    reference's generator in ``folder``; else ``(state, None)``. The record ``{"prefix", "reference", "sha256"}``
    goes into the file (:data:`SHARED`); :func:`fill_shared` puts the part back on loading. So the hint model
    does not ship the ``unet`` a second time (2.2 MB: the weights folder stays within :data:`MAX_SHIPPED_BYTES`)."""
    import torch

    folder = weights_dir(folder)
    for prefix in SHARED_PREFIXES:
        part = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if not part:
            continue
        for key, entry in sorted(read_index(folder)["models"].items()):
            path = folder / entry["file"]
            if not path.is_file():
                continue
            other = load_checkpoint(path, map_location="cpu")["state"]["generator"]
            if other.keys() == part.keys() and all(torch.equal(other[k], part[k]) for k in part):
                rest = {k: v for k, v in state.items() if not k.startswith(prefix)}
                return rest, {"prefix": prefix, "reference": key, "sha256": entry["sha256"]}
    return state, None


def fill_shared(ckpt: dict, folder: str | os.PathLike | None = None, cache_dir=None) -> dict:
    """Put back the part a shipped file shares with another (:func:`share_weights`), from that file, checked
    against the SHA-256 recorded with the share. A checkpoint without a share is returned as it is."""
    shared = ckpt.get(SHARED)
    if not shared:
        return ckpt
    path = reference_path(shared["reference"], folder, cache_dir=cache_dir)
    other = load_checkpoint(path, map_location="cpu", sha256=shared["sha256"])["state"]["generator"]
    gen = ckpt["state"]["generator"]
    ckpt["state"]["generator"] = {**gen, **{shared["prefix"] + k: v for k, v in other.items()}}
    return ckpt


def load_reference(name: str = ALIAS, device=None, folder: str | os.PathLike | None = None, cache_dir=None):
    """A shipped reference model, ready to colorize (eval mode, float32): the same kind of object as
    ``colorkit.load(path)``, with ``.card`` (the JSON card), ``.model_name``, ``.colorkit_train_size``,
    ``.checkpoint_path`` and ``.reference_name``.

    ``name``: ``reference`` (the default model), ``reference:unet_gan`` or ``unet_gan``. The file is checked
    against the index first (:class:`ReferenceIntegrityError` for a tampered file)."""
    key = resolve_name(name, folder)
    path = reference_path(key, folder, cache_dir=cache_dir)
    ckpt = load_checkpoint(path, map_location="cpu", sha256=read_index(folder)["models"][key]["sha256"])
    ckpt = fill_shared(ckpt, folder, cache_dir=cache_dir)
    ckpt["state"] = {net: to_float32(sd) for net, sd in (ckpt.get("state") or {}).items()}
    model = model_from_checkpoint(ckpt, device=device, source=f"the reference model {key!r} ({path})")
    card = _shipped_card(key, folder) or model.card
    model.card = card
    model.colorkit_train_size = train_image_size(ckpt, card=card)
    model.checkpoint_path = str(path)
    model.reference_name = key
    return model


def fetch_any(urls, sha256: str | None = None, cache_dir=None, progress: bool = True, timeout: float = 60.0,
              filename: str | None = None) -> Path:
    """Download the first of ``urls`` that serves the file (primary first, then each mirror) into the model cache.

    With ``sha256`` the cached file is named after the checksum, so any mirror's verified copy is reused at
    once. A mirror that cannot be reached falls through to the next; a mirror that serves other bytes is refused
    (its download deleted) and the next is tried. Raises :class:`ChecksumMismatchError` when some mirror served
    a wrong file and none the right one, else ``ConnectionError`` listing every failure."""
    from colorkit.checkpoint import cache_path
    from colorkit.files import download
    from colorkit.paths import data_dir

    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls or not all(is_url(u) for u in urls):
        raise ValueError(f"give http(s) URLs to download from, got {urls!r}")
    if sha256:
        name = filename or Path(urls[0].split("?")[0]).name or "model.pt"
        dest = (Path(cache_dir) if cache_dir else data_dir("models")) / f"{sha256.lower()[:16]}-{name}"
    else:
        log.warning("downloading %s without a checksum: pass sha256=... to make sure it is the file you expect",
                    urls[0])
        dest = cache_path(urls[0], cache_dir)
    failures, mismatch = [], None
    for url in urls:
        try:
            return download(url, dest, sha256=sha256, progress=progress, timeout=timeout)
        except ChecksumMismatchError as e:
            mismatch = e
            failures.append(f"{url}: wrong file (checksum), refused")
        except ConnectionError as e:
            failures.append(str(e).split(";")[0])
        log.warning("%s; trying the next mirror", failures[-1])
    if mismatch is not None:
        raise ChecksumMismatchError(f"refused: no mirror served the file with SHA-256 {sha256} "
                                    f"({'; '.join(failures)}). Nothing was loaded.")
    raise ConnectionError(f"could not download the model from any of {len(urls)} address(es): {'; '.join(failures)}")


def load(source, sha256: str | None = None, device=None, network: str = "generator", cache_dir=None,
         mirrors=None):
    """``colorkit.load``: a trained model from a reference name, a checkpoint path, a URL, or URLs with mirrors.

    - ``"reference"``, ``"reference:unet_gan"``, ``"unet_gan"``: a shipped reference (:func:`load_reference`);
      a file of that name in the working folder wins.
    - a path or one ``http(s)`` URL: exactly :func:`colorkit.checkpoint.load` (``sha256`` insisted on).
    - a list of URLs, or a URL with ``mirrors=[...]``: the first address that serves the file
      (:func:`fetch_any`), then :func:`colorkit.checkpoint.load` of the verified download.
    """
    from colorkit.checkpoint import load as load_checkpoint_model

    if isinstance(source, (list, tuple)) or (mirrors and is_url(source)):
        urls = [*([source] if isinstance(source, str) else source), *(mirrors or [])]
        path = fetch_any(urls, sha256=sha256, cache_dir=cache_dir)
        model = load_checkpoint_model(path, sha256=sha256, device=device, network=network)
        model.source_urls = urls
        return model
    if is_reference(source):
        if sha256:
            key = resolve_name(source)
            want = read_index()["models"][key]["sha256"]
            if sha256.lower() != want:
                raise ChecksumMismatchError(f"the reference {key!r} has SHA-256 {want}, not the {sha256} asked for")
        return load_reference(source, device=device, cache_dir=cache_dir)
    return load_checkpoint_model(source, sha256=sha256, device=device, network=network, cache_dir=cache_dir)


# --- packaging a trained checkpoint --------------------------------------------------------------------
def measure(model, photos, size: int | None = None, limit: int | None = None) -> dict:
    """Held-out scores of ``model`` and of the gray copy (L kept, ab = 0) on the same photos.

    ``photos``: a folder of colour photos, a prepared folder (its test split) or ``samples``; every photo is
    centre-cropped to ``size`` (default: the model's training size), colorized at that size and scored with
    :func:`colorkit.evaluate.metrics.score_images` (ΔE2000 with scikit-image's CIEDE2000, colourfulness of
    Hasler & Suesstrunk, ...). Returns ``{"photos", "images", "size", "table": {"gray copy": {...}, "model": {...}}}``."""
    import numpy as np

    from colorkit.color import gray_copy
    from colorkit.evaluate import load_images, predict_images
    from colorkit.evaluate.metrics import as_rgb_float, score_images

    size = int(size or getattr(model, "colorkit_train_size", None) or 64)
    truths, _ = load_images(photos, size, limit=limit)
    if not truths:
        raise FileNotFoundError(f"no photos to measure on in {photos}")
    preds, _ = predict_images(model, truths)
    gray = [gray_copy(as_rgb_float(t), dtype=np.uint8) for t in truths]  # 8-bit, as the leaderboard's row
    table = {}
    for row, images in (("gray copy", gray), ("model", preds)):
        scores = score_images(images, truths)
        table[row] = {k: round(float(scores[k]), 4) for k in HELD_OUT_COLUMNS}
    return {"photos": str(photos), "images": len(truths), "size": size, "table": table}


def _training_facts(ckpt: dict) -> dict:
    """Steps, minutes, preset, objective and loss of a training checkpoint (what its card and config say)."""
    card = ckpt.get("card") or {}
    config = ckpt.get("config") or {}
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    progress = ckpt.get("progress") or {}
    minutes = card.get("train_minutes")
    if minutes is None and progress.get("elapsed_s") is not None:
        minutes = round(float(progress["elapsed_s"]) / 60, 2)
    return {"steps": ckpt.get("step", card.get("steps")), "minutes": minutes,
            "preset": card.get("preset") or extra.get("preset"), "objective": card.get("objective", ckpt.get("objective")),
            "loss": card.get("loss", config.get("loss")), "images_seen": card.get("images_seen", progress.get("images_seen"))}


def _lineage_facts(ckpt: dict, depth: int = 0) -> dict:
    """:func:`_training_facts` over a fine-tune's whole history: when the run started from another checkpoint
    (``config.extra["init_generator"]``) that can still be read, ``steps``, ``minutes`` and ``images_seen`` are
    the sums over every stage and ``stages`` lists each (oldest first), so a card says how long the model
    really trained. A start that is gone is named in ``stages`` with unknown numbers."""
    facts = _training_facts(ckpt)
    extra = (ckpt.get("config") or {}).get("extra")
    init = extra.get("init_generator") if isinstance(extra, dict) else None
    if not init or depth >= 8:
        return facts
    own = {k: facts[k] for k in ("steps", "minutes", "objective", "loss", "images_seen")}
    try:
        parent = _lineage_facts(load_checkpoint(init, map_location="cpu"), depth + 1)
    except (OSError, ValueError, KeyError) as e:
        log.warning("the run started from %s, which cannot be read (%s): the card counts only the last stage", init, e)
        return {**facts, "stages": [{"from": str(init), "steps": None, "minutes": None}, own]}
    stages = parent.pop("stages", None) or [{k: parent.get(k) for k in own}]
    total = {}
    for key in ("steps", "minutes", "images_seen"):
        values = [st.get(key) for st in stages + [own]]
        if any(v is None for v in values):
            total[key] = None  # one stage's number is unknown: so is the total
        else:
            total[key] = round(sum(values), 2) if key == "minutes" else sum(values)
    return {**facts, **total, "stages": stages + [own]}


def package_reference(checkpoint, name: str, photos, *, data: dict | str | None = None, terms: str = DATA_TERMS,
                      size: int | None = None, limit: int | None = None, default: bool | None = None,
                      folder: str | os.PathLike | None = None, urls=None, preset: str | None = None) -> dict:
    """Turn a trained checkpoint (a ``last.pt`` of ``colorkit train``) into the shipped reference ``name``.

    Writes ``<folder>/<name>.pt`` (the generator's weights only, float16), measures the model and the gray copy on
    the held-out ``photos`` (:func:`measure`), writes the card ``<name>.json`` (architecture, training ``data`` and
    its ``terms``, steps, minutes, the metrics table with the gray-copy row, colorkit version, the file's SHA-256)
    and records the SHA-256 in ``index.json``. ``default=True`` makes ``reference`` mean ``name`` (``None``: only
    when ``name`` is :data:`DEFAULT_MODEL`); ``urls``: mirrors that also serve the file; ``preset``: the preset it
    was trained under, for the card (default: what the checkpoint records). Returns the card."""
    from colorkit.checkpoint import make_card

    folder = weights_dir(folder)
    src = load_checkpoint(checkpoint, map_location="cpu")
    if "generator" not in (src.get("state") or {}):
        raise KeyError(f"{checkpoint} holds no generator network ({sorted(src.get('state') or {})})")
    state, shared = share_weights(to_float16(src["state"]["generator"]), folder)
    slim = {"format": FORMAT, "model": src["model"], "state": {"generator": state},
            "step": src.get("step"), "card": {**(src.get("card") or {}),
                                              "image_size": train_image_size(src, path=checkpoint)},
            **({SHARED: shared} if shared else {})}
    out = folder / f"{name}.pt"
    with atomic_path(out) as tmp:  # moved into place only once measured: a failure leaves the shipped files as they were
        save_checkpoint(slim, tmp)
        sha, size_bytes = file_sha256(tmp), tmp.stat().st_size
        model = load_reference_file(tmp, folder=folder)  # what users will run: the float16 weights back in float32
        held_out = measure(model, photos, size=size, limit=limit)
    facts = _lineage_facts(src)
    recorded_preset = facts.pop("preset")
    table = held_out["table"]
    metrics = {"de2000": table["model"]["de2000"], "gray_copy_de2000": table["gray copy"]["de2000"],
               "minus_gray_de2000": round(table["model"]["de2000"] - table["gray copy"]["de2000"], 4),
               "colorfulness": table["model"]["cf"], "gray_copy_colorfulness": table["gray copy"]["cf"]}
    data = data if isinstance(data, dict) else {"source": data or "Tiny ImageNet subset"}
    card = make_card(src["model"]["name"], src["model"].get("kwargs"), preset=preset or recorded_preset,
                     data={**data, "terms": terms}, steps=facts.pop("steps"), metrics=metrics, model=model,
                     reference_name=name, image_size=model.colorkit_train_size, held_out=held_out, **facts,
                     weights={"file": out.name, "sha256": sha, "bytes": size_bytes, "dtype": "float16"})
    atomic_write_bytes(card_path(out), (json.dumps(card, indent=2) + "\n").encode("utf-8"))
    index = read_index(folder)
    index["format"] = INDEX_FORMAT
    index["models"][name] = {"file": out.name, "card": card_path(out).name, "sha256": sha,
                             "bytes": size_bytes, **({"urls": list(urls)} if urls else {})}
    if default or (default is None and name == DEFAULT_MODEL):
        index["aliases"][ALIAS] = name
    write_index(index, folder)
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    if total > MAX_SHIPPED_BYTES:
        log.warning("%s now holds %.1f MB, more than the %.0f MB colorkit ships: publish large models by URL "
                    "(add_remote) instead", folder, total / 1e6, MAX_SHIPPED_BYTES / 1e6)
    return card


def load_reference_file(path, device=None, folder: str | os.PathLike | None = None):
    """A model from a float16 reference file, without the index (what :func:`package_reference` measures); a
    part it shares with a shipped file comes from ``folder`` (:func:`fill_shared`)."""
    ckpt = fill_shared(load_checkpoint(path, map_location="cpu"), folder)
    ckpt["state"] = {net: to_float32(sd) for net, sd in (ckpt.get("state") or {}).items()}
    return model_from_checkpoint(ckpt, device=device, source=str(path))


def add_remote(name: str, urls, sha256: str, card: dict | None = None,
               folder: str | os.PathLike | None = None) -> dict:
    """Register a reference too large to ship: downloaded from ``urls`` (primary, then mirrors) on first use and
    verified against ``sha256`` (:func:`reference_path`). Returns the index entry."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls or not all(is_url(u) for u in urls):
        raise ValueError(f"give http(s) URLs for {name!r}, got {urls!r}")
    index = read_index(folder)
    index["format"] = INDEX_FORMAT
    entry = {"urls": urls, "sha256": sha256.lower(), "file": f"{name}.pt", **({"card": card} if card else {})}
    index["models"][name] = entry
    write_index(index, folder)
    return entry


# --- listing -------------------------------------------------------------------------------------------
def _row(name: str, kind: str, where: str, use: str, card: dict | None) -> dict:
    """One row of :func:`list_models`: the card's summary and its ΔE2000 next to the gray copy's, when known."""
    card = card if isinstance(card, dict) else {}
    arch = card.get("architecture") or {"name": card.get("model", "?"), "kwargs": {}}
    metrics = card.get("metrics") or {}
    de, gray = metrics.get("de2000"), metrics.get("gray_copy_de2000")
    numeric = isinstance(de, (int, float)) and isinstance(gray, (int, float))
    kw = ", ".join(f"{k}={v}" for k, v in (arch.get("kwargs") or {}).items())
    steps, minutes = card.get("steps"), card.get("minutes", card.get("train_minutes"))
    summary = f"{arch.get('name', '?')}({kw})" + (f", {steps} steps" if steps is not None else "") \
        + (f", {minutes} min" if minutes is not None else "")
    return {"name": name, "kind": kind, "where": where, "use": use, "summary": summary,
            "de2000": de, "gray_copy_de2000": gray, "minus_gray": round(de - gray, 3) if numeric else None,
            "colorfulness": metrics.get("colorfulness"), "card": card or None}


def _trained_checkpoints(home: Path) -> list[tuple[str, str, Path]]:
    """``(name, how to use it, path)`` of the checkpoints under ``<home>/runs``: the course's exports
    (``runs/checkpoints/<preset>/<model>.pt``) and the runs of ``colorkit train --out runs/...`` (``last.pt``)."""
    runs = Path(home) / "runs"
    if not runs.is_dir():
        return []
    found = []
    for p in sorted((runs / "checkpoints").glob("*/*.pt")):
        found.append((f"{p.parent.name}/{p.stem}", f"--model {p.stem} --preset {p.parent.name}", p))
    for p in sorted(runs.rglob("last.pt")):
        if (runs / "checkpoints") not in p.parents:
            found.append((str(p.parent.relative_to(runs)), f"--checkpoint {p}", p))
    return found


def _trained_card(path: Path) -> dict | None:
    """The card of a trained checkpoint: the ``.json`` beside it, else its own (completed with the architecture)."""
    if card_path(path).is_file():
        return read_card(path)
    ckpt = load_checkpoint(path)
    card = dict(ckpt.get("card") or {})
    if "architecture" not in card and isinstance(ckpt.get("model"), dict):
        card["architecture"] = ckpt["model"]
    return card or None


def list_models(home: str | os.PathLike | None = None, folder: str | os.PathLike | None = None) -> list[dict]:
    """The shipped references (with the ``reference`` alias marked) and the models trained under ``home``
    (default :func:`colorkit.paths.home`), one dict each: ``name``, ``kind`` (``reference`` or ``trained``),
    ``where``, ``use`` (the ``colorkit colorize`` option that runs it), ``summary``, ``de2000``,
    ``gray_copy_de2000``, ``minus_gray``, ``colorfulness`` and ``card``. A file whose card cannot be read is
    listed without one."""
    from colorkit.checkpoint import UnsafeCheckpointError
    from colorkit.paths import home as default_home

    index = read_index(folder)
    default = index["aliases"].get(ALIAS)
    rows = []
    for name in sorted(index["models"]):
        entry = index["models"][name]
        local = entry.get("file") and (weights_dir(folder) / entry["file"]).is_file()
        where = f"colorkit/weights/{entry['file']}" if local else f"download: {', '.join(entry.get('urls', []))}"
        label = f"{name} ({ALIAS})" if name == default else name
        card = _shipped_card(name, folder)
        hints = "de2000_10_hints" in ((card or {}).get("metrics") or {})  # the shipped hint model (issue 25)
        use = "--hints FILE.json (the default --method)" if hints else f"--model {PREFIX}{name}"
        rows.append(_row(label, "reference", where, use, card))
    for name, use, path in _trained_checkpoints(Path(home) if home is not None else default_home()):
        try:
            card = _trained_card(path)
        except (UnsafeCheckpointError, OSError, ValueError) as e:
            log.warning("%s: no card (%s)", path, e)
            card = None
        rows.append(_row(name, "trained", str(path), use, card))
    return rows


def format_models(rows: list[dict]) -> str:
    """:func:`list_models` as a text table (what ``colorkit models`` prints)."""
    def num(v, fmt="{:.2f}"):
        return fmt.format(v) if isinstance(v, (int, float)) else "-"

    head = ("name", "kind", "ΔE2000", "gray", "vs gray", "colorful", "model", "use")
    body = [(r["name"], r["kind"], num(r["de2000"]), num(r["gray_copy_de2000"]), num(r["minus_gray"], "{:+.2f}"),
             num(r["colorfulness"], "{:.1f}"), r["summary"], r["use"]) for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in (head, *body)]
    return "\n".join(lines)


# --- python -m colorkit.reference package|list|verify --------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m colorkit.reference", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    pk = sub.add_parser("package", help="turn a trained last.pt into a shipped reference (fp16 + card + index)")
    pk.add_argument("checkpoint", metavar="CKPT", help="a last.pt written by `colorkit train`")
    pk.add_argument("--name", required=True, help="the reference's name (unet, unet_gan, ...)")
    pk.add_argument("--photos", required=True, help="held-out photos to measure on (a folder, or 'samples')")
    pk.add_argument("--data", default="Tiny ImageNet subset", help="what the model was trained on (for the card)")
    pk.add_argument("--terms", default=DATA_TERMS, help="the training data's terms (for the card)")
    pk.add_argument("--size", type=int, default=None, help="side the photos are scored at (default: training size)")
    pk.add_argument("--limit", type=int, default=None, help="score at most N photos")
    pk.add_argument("--default", action="store_true", help="make `reference` mean this model")
    pk.add_argument("--url", action="append", default=None, help="an address that also serves the file (repeat)")
    pk.add_argument("--folder", default=None, help="weights folder (default: colorkit/weights in the package)")
    pk.add_argument("--preset", default=None, help="the preset it was trained under, for the card (e.g. cpu)")
    pk.add_argument("--threads", type=int, default=None, help="torch CPU threads while measuring")
    ls = sub.add_parser("list", help="shipped references and the models trained under COLORKIT_HOME")
    ls.add_argument("--home", default=None)
    sub.add_parser("verify", help="check every shipped file against index.json")
    a = ap.parse_args(argv)
    if a.command == "package":
        if a.threads:
            import torch

            torch.set_num_threads(a.threads)
        card = package_reference(a.checkpoint, a.name, a.photos, data=a.data, terms=a.terms, size=a.size,
                                 limit=a.limit, default=a.default or None, folder=a.folder, urls=a.url,
                                 preset=a.preset)
        print(json.dumps({"weights": card["weights"], "metrics": card["metrics"]}, indent=2))
        return 0
    if a.command == "list":
        print(format_models(list_models(a.home)))
        return 0
    index = read_index()
    for name, entry in sorted(index["models"].items()):
        if entry.get("file") and (weights_dir() / entry["file"]).is_file():
            verify_shipped(name)
            print(f"{name}: ok ({entry['sha256'][:16]}...)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
