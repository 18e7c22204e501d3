"""``colorkit colorize``: its options and what it runs (the logic lives in :mod:`colorkit.colorize`)."""
from __future__ import annotations

import logging
from pathlib import Path

from colorkit.colorize import DEFAULT_WORK_SIZE, colorize_paths

log = logging.getLogger("colorkit.colorize")


def add_cli_arguments(parser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="photo files and/or folders of photos")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="checkpoint file or http(s) URL (see colorkit.load), or a .onnx file "
                                          "from `colorkit export --onnx` (needs pip install colorkit[onnx])")
    src.add_argument("--model", help="a reference model shipped with colorkit (reference, reference:unet_gan; "
                                     "no training, offline) or the name of a checkpoint the course trained; "
                                     "`colorkit models` lists both (a trained checkpoint wins over a reference "
                                     "of the same plain name: write reference:NAME for the shipped one)")
    parser.add_argument("--preset", default="auto", help="preset whose checkpoints --model looks in (default: auto)")
    parser.add_argument("--sha256", help="expected SHA-256 of the checkpoint (refused if it differs)")
    parser.add_argument("--out", required=True, help="output folder (one PNG per input, named after it)")
    parser.add_argument("--size", type=int, default=None,
                        help="long side at which the model predicts colour (default: the image size the model "
                             f"was trained at, as its checkpoint records it, else {DEFAULT_WORK_SIZE})")
    parser.add_argument("--compare", action="store_true", help="also write <name>_compare.png: gray | colorized")
    parser.add_argument("--recursive", action="store_true", help="look into sub-folders of folder inputs")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")


def resolve_model_name(name: str, preset: str = "auto") -> Path:
    """The checkpoint the course trained as ``name`` under ``preset`` (then under any preset)."""
    from colorkit.paths import list_checkpoints
    from colorkit.presets import PRESET_NAMES, resolve_preset

    preset = resolve_preset(preset)
    found = list_checkpoints(preset)
    if name in found:
        return found[name]
    for other in PRESET_NAMES:
        if other != preset and name in list_checkpoints(other):
            log.warning("no %r checkpoint under preset %r; using the one trained under %r", name, preset, other)
            return list_checkpoints(other)[name]
    every = {p: sorted(list_checkpoints(p)) for p in PRESET_NAMES}
    listing = "; ".join(f"{p}: {', '.join(v) or '(none)'}" for p, v in every.items())
    raise FileNotFoundError(
        f"no trained checkpoint named {name!r}. Trained so far -> {listing}. "
        "Train one (colorkit train --model NAME ...) or pass --checkpoint PATH."
    )


class Reference(str):
    """A ``--model`` value that names a shipped reference model (:mod:`colorkit.reference`), not a file."""

    @property
    def name(self) -> str:
        return str(self)


def resolve_model(name: str, preset: str = "auto"):
    """What ``--model NAME`` runs: a :class:`Reference` for ``reference`` and ``reference:X``; else the
    checkpoint the course trained as ``NAME`` (:func:`resolve_model_name`); else the shipped reference ``NAME``."""
    from colorkit.reference import ALIAS, PREFIX, reference_names

    if name == ALIAS or name.startswith(PREFIX):
        return Reference(name)
    try:
        return resolve_model_name(name, preset)
    except FileNotFoundError as e:
        if name in reference_names():
            return Reference(name)
        raise FileNotFoundError(f"{e} Or run a model shipped with colorkit: --model {ALIAS} "
                                f"({', '.join(PREFIX + n for n in reference_names())}; see `colorkit models`).") from None


def _load_reference(name: str, sha256: str | None, dev):
    """The shipped reference ``name`` (its file checked against colorkit's index, and against ``--sha256``)."""
    from colorkit.cli.args import UsageError
    from colorkit.files import verify_sha256
    from colorkit.reference import load_reference, reference_path

    try:
        verify_sha256(reference_path(name), sha256)
        model = load_reference(name, device=dev)
    except KeyError as e:  # no reference of that name
        raise UsageError(f"--model: {e.args[0] if e.args else e}") from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    print(f"reference model {model.reference_name}: {model.checkpoint_path}")
    return model


def run_cli(args) -> int:
    from colorkit.checkpoint import is_url, load, verify_sha256
    from colorkit.cli.args import (
        UsageError,
        at_least,
        checkpoint_file,
        device,
        output_folder,
        photo_inputs,
        read_checkpoint,
        sha256_hex,
    )
    from colorkit.presets import resolve_preset

    at_least(args.size, 16, "--size")
    sha256_hex(args.sha256)
    photo_inputs(args.inputs, "INPUT", recursive=args.recursive)
    output_folder(args.out)
    dev = device(args.device)
    if args.checkpoint:
        ckpt, option = args.checkpoint, "--checkpoint"
    else:
        try:
            resolve_preset(args.preset)
        except ValueError as e:
            raise UsageError(f"--preset: {e}") from None
        ckpt, option = resolve_model(args.model, args.preset), "--model"  # FileNotFoundError naming the fix
    if isinstance(ckpt, Reference):
        model = _load_reference(ckpt.name, args.sha256, dev)
        return _colorize(model, args)
    onnx = str(ckpt).lower().endswith(".onnx") and not is_url(ckpt)  # a `colorkit export --onnx` file
    if onnx:
        if not Path(ckpt).expanduser().is_file():
            raise UsageError(f"{option}: no ONNX model at {ckpt}: give a file written by `colorkit export --onnx`")
        verify_sha256(Path(ckpt).expanduser(), args.sha256)
    elif not is_url(ckpt):  # a local file: refuse anything that is not a colorkit checkpoint before loading
        verify_sha256(checkpoint_file(ckpt, option), args.sha256)
        read_checkpoint(ckpt, option)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if onnx:  # onnxruntime on the CPU (--device is for PyTorch models); the same pipeline via OnnxColorizer
        from colorkit.onnx_export import load_onnx

        try:
            model = load_onnx(Path(ckpt).expanduser())  # OnnxUnavailable names pip install colorkit[onnx]
        except ValueError as e:  # a file onnxruntime cannot run
            raise UsageError(f"{option}: {e}") from None
    else:
        try:
            model = load(ckpt, sha256=args.sha256, device=dev)
        except KeyError as e:  # hub.model_from_checkpoint: a model or network this colorkit does not know
            raise UsageError(f"{ckpt}: {e.args[0] if e.args else e}") from None
    return _colorize(model, args)


def _colorize(model, args) -> int:
    """Colorize ``args.inputs`` into ``args.out`` with ``model`` and print what was written."""
    done, failed = colorize_paths(model, args.inputs, args.out, work_size=args.size, compare=args.compare,
                                  recursive=args.recursive)
    for d in done:
        print(f"{d['src']} -> {d['dst']} ({d['size'][0]}x{d['size'][1]})"
              + (f" + {d['compare'].name}" if d["compare"] else ""))
    if failed:
        print(f"{len(failed)} input(s) skipped:")
        for src, why in failed:
            print(f"  {why}")
    print(f"colorized {len(done)} photo(s) into {args.out}")
    return 1 if failed else 0
