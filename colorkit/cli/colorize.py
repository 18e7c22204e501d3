"""``colorkit colorize``: its options and what it runs (the logic lives in :mod:`colorkit.colorize`, and with
``--hints`` in :mod:`colorkit.colorize_guided`)."""
from __future__ import annotations

import logging
from pathlib import Path

from colorkit.colorize import DEFAULT_WORK_SIZE, colorize_paths
from colorkit.colorize_guided import HINT_REFERENCE, LEVIN

log = logging.getLogger("colorkit.colorize")


def add_cli_arguments(parser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="photo files and/or folders of photos")
    src = parser.add_mutually_exclusive_group()  # one of them is required unless --hints is given (run_cli checks)
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
    guided = parser.add_argument_group("user-guided colorization (colour hints; see `colorkit hints`)")
    guided.add_argument("--hints", metavar="FILE.json|DIR",
                        help="colour hints: a hints file for one photo, or a folder holding <photo stem>.json for "
                             "each photo (a photo without one gets the automatic result, with a warning; a hints "
                             "file whose photo is not among the inputs is an error). One FILE with several photos "
                             "is refused: hints belong to one photo. Replaces --checkpoint/--model: see --method")
    guided.add_argument("--method", metavar="levin|MODEL",
                        help="with --hints: 'levin' (Levin et al. 2004: no weights, work size 256 unless --size), "
                             "a checkpoint file of a hint model, or a model name as --model takes; default: the "
                             f"shipped reference hint model ({HINT_REFERENCE})")


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


def _load_reference(name: str, sha256: str | None, dev, option: str = "--model"):
    """The shipped reference ``name`` (its file checked against colorkit's index, and against ``--sha256``)."""
    from colorkit.cli.args import UsageError
    from colorkit.files import verify_sha256
    from colorkit.reference import load_reference, reference_path

    try:
        verify_sha256(reference_path(name), sha256)
        model = load_reference(name, device=dev)
    except KeyError as e:  # no reference of that name
        raise UsageError(f"{option}: {e.args[0] if e.args else e}") from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    print(f"reference model {model.reference_name}: {model.checkpoint_path}")
    return model


def run_cli(args) -> int:
    from colorkit.cli.args import UsageError, at_least, device, output_folder, photo_inputs, sha256_hex

    at_least(args.size, 16, "--size")
    sha256_hex(args.sha256)
    if args.hints is not None:
        return _run_guided(args)
    if args.method is not None:
        raise UsageError("--method goes with --hints FILE.json|DIR (user-guided colorization); "
                         "without hints give --checkpoint FILE or --model NAME")
    if not (args.checkpoint or args.model):
        raise UsageError("give the model: --checkpoint FILE or --model NAME (`colorkit models` lists them), "
                         "or --hints FILE.json|DIR for user-guided colorization")
    photo_inputs(args.inputs, "INPUT", recursive=args.recursive)
    output_folder(args.out)
    dev = device(args.device)
    if args.checkpoint:
        model = _load_model(args.checkpoint, "--checkpoint", args.sha256, dev)
    else:
        model = _load_model(_named_model(args.model, args.preset), "--model", args.sha256, dev)
    return _colorize(model, args)


def _named_model(name: str, preset: str):
    """What a model name runs (:func:`resolve_model`), after checking ``--preset``."""
    from colorkit.cli.args import UsageError
    from colorkit.presets import resolve_preset

    try:
        resolve_preset(preset)
    except ValueError as e:
        raise UsageError(f"--preset: {e}") from None
    return resolve_model(name, preset)  # FileNotFoundError naming the fix


def _load_model(ckpt, option: str, sha256: str | None, dev):
    """The model ``ckpt`` names: a :class:`Reference`, a checkpoint file or URL, or a ``.onnx`` file (each
    refused with a :class:`UsageError` naming the fix when it is not a model this colorkit can run)."""
    from colorkit.checkpoint import is_url, load, verify_sha256
    from colorkit.cli.args import UsageError, checkpoint_file, read_checkpoint

    if isinstance(ckpt, Reference):
        return _load_reference(ckpt.name, sha256, dev, option)
    onnx = str(ckpt).lower().endswith(".onnx") and not is_url(ckpt)  # a `colorkit export --onnx` file
    if onnx:
        if not Path(ckpt).expanduser().is_file():
            raise UsageError(f"{option}: no ONNX model at {ckpt}: give a file written by `colorkit export --onnx`")
        verify_sha256(Path(ckpt).expanduser(), sha256)
    elif not is_url(ckpt):  # a local file: refuse anything that is not a colorkit checkpoint before loading
        verify_sha256(checkpoint_file(ckpt, option), sha256)
        read_checkpoint(ckpt, option)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if onnx:  # onnxruntime on the CPU (--device is for PyTorch models); the same pipeline via OnnxColorizer
        from colorkit.onnx_export import load_onnx

        try:
            return load_onnx(Path(ckpt).expanduser())  # OnnxUnavailable names pip install colorkit[onnx]
        except ValueError as e:  # a file onnxruntime cannot run
            raise UsageError(f"{option}: {e}") from None
    try:
        return load(ckpt, sha256=sha256, device=dev)
    except KeyError as e:  # hub.model_from_checkpoint: a model or network this colorkit does not know
        raise UsageError(f"{ckpt}: {e.args[0] if e.args else e}") from None


# --- user-guided: --hints ----------------------------------------------------------------------------
def _run_guided(args) -> int:
    """``colorize --hints``: match photos and hints files and read them all, then load the method, then colorize."""
    from colorkit.cli.args import UsageError, device, existing_path, output_folder, photo_inputs
    from colorkit.colorize_guided import plan_guided, run_guided

    if args.checkpoint or args.model:
        raise UsageError("with --hints the model is given as --method (levin, a checkpoint file or a model name), "
                         "not --checkpoint/--model")
    photo_inputs(args.inputs, "INPUT", recursive=args.recursive)
    output_folder(args.out)
    existing_path(args.hints, "--hints", "give a hints file (.json, see `colorkit hints`) or a folder of "
                                         "<photo stem>.json files")
    dev = device(args.device)
    jobs, failed = plan_guided(args.inputs, args.hints, args.out, recursive=args.recursive)  # HintError: bad file
    method = _hint_method(args, dev)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    done, skipped = run_guided(method, jobs, work_size=args.size, compare=args.compare)
    return _report(done, failed + skipped, args.out)


def _hint_method(args, dev):
    """What ``--method`` runs: ``"levin"``, or a model that takes hints (default: the shipped hint model)."""
    from colorkit.checkpoint import is_url
    from colorkit.cli.args import UsageError
    from colorkit.colorize_guided import accepts_hints, hint_model_shipped

    name = args.method
    if name == LEVIN:
        if args.sha256:
            raise UsageError("--sha256 checks a model file, and --method levin uses none: leave it out")
        return LEVIN
    if name is None:
        if not hint_model_shipped():
            raise UsageError(f"--method: no shipped hint model ({HINT_REFERENCE}) in this colorkit yet: use "
                             f"--method levin (no weights needed), or --method CHECKPOINT of a {HINT_REFERENCE} "
                             f"model you trained (colorkit train --model {HINT_REFERENCE})")
        model = _load_reference(HINT_REFERENCE, args.sha256, dev, "--method")
    else:
        p = Path(name).expanduser()
        path_like = is_url(name) or p.exists() or p.suffix.lower() in (".pt", ".onnx") or len(p.parts) > 1
        try:
            ckpt = name if path_like else _named_model(name, args.preset)
        except FileNotFoundError as e:
            raise UsageError(f"--method {name!r} is not levin, a checkpoint file or a model name: {e}") from None
        model = _load_model(ckpt, "--method", args.sha256, dev)
    if not accepts_hints(model):
        kind = getattr(model, "model_name", None) or type(model).__name__
        raise UsageError(f"--method {name or HINT_REFERENCE}: a {kind} model takes no colour hints: give a hint "
                         f"model ({HINT_REFERENCE}) or --method levin")
    return model


def _colorize(model, args) -> int:
    """Colorize ``args.inputs`` into ``args.out`` with ``model`` and print what was written."""
    done, failed = colorize_paths(model, args.inputs, args.out, work_size=args.size, compare=args.compare,
                                  recursive=args.recursive)
    return _report(done, failed, args.out)


def _report(done, failed, out) -> int:
    """Print what was written (and skipped); the exit status: 1 if any input was skipped."""
    for d in done:
        hints = f", {d['hints']} hint(s)" if "hints" in d else ""
        print(f"{d['src']} -> {d['dst']} ({d['size'][0]}x{d['size'][1]}{hints})"
              + (f" + {d['compare'].name}" if d["compare"] else ""))
    if failed:
        print(f"{len(failed)} input(s) skipped:")
        for src, why in failed:
            print(f"  {why}")
    print(f"colorized {len(done)} photo(s) into {out}")
    return 1 if failed else 0
