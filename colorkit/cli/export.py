"""``colorkit export``: its options and what it runs (the logic lives in :mod:`colorkit.onnx_export`)."""
from __future__ import annotations

from pathlib import Path

from colorkit.onnx_export import INSTALL_HINT, OPSET, OnnxUnavailable, PARITY_TOLERANCE, _require, export_onnx, is_onnx_path, load_onnx, parity


def add_cli_arguments(parser) -> None:
    parser.add_argument("--onnx", action="store_true", required=True,
                        help="export to ONNX (the only format so far; needs pip install colorkit[onnx])")
    parser.add_argument("checkpoint", metavar="CKPT", help="checkpoint file or http(s) URL (see colorkit.load)")
    parser.add_argument("out", metavar="OUT.onnx", help="the ONNX file to write")
    parser.add_argument("--temperature", type=float, default=None,
                        help="annealed-mean temperature baked into a classifier's graph (default: the model's own)")
    parser.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset (default {OPSET})")
    parser.add_argument("--sha256", help="expected SHA-256 of the checkpoint (refused if it differs)")


def run_cli(args) -> int:
    import torch

    from colorkit.files import verify_sha256
    from colorkit.cli.args import UsageError, at_least, checkpoint_file, output_folder, read_checkpoint, sha256_hex
    from colorkit.checkpoint import is_url, load

    sha256_hex(args.sha256)
    at_least(args.temperature, 0, "--temperature")
    at_least(args.opset, 11, "--opset")  # Resize as PyTorch's bilinear upsampling needs opset 11
    if not is_onnx_path(args.out):
        raise UsageError(f"OUT.onnx: {args.out} does not end in .onnx: give a file name such as model.onnx")
    output_folder(Path(args.out).expanduser().parent, "OUT.onnx")
    _require("onnx")
    if not is_url(args.checkpoint):
        verify_sha256(checkpoint_file(args.checkpoint, "CKPT"), args.sha256)
        read_checkpoint(args.checkpoint, "CKPT")
    try:
        model = load(args.checkpoint, sha256=args.sha256)
    except KeyError as e:  # hub.model_from_checkpoint: a network this checkpoint does not hold
        raise UsageError(f"{args.checkpoint}: {e.args[0] if e.args else e}") from None
    try:
        out = export_onnx(model, args.out, temperature=args.temperature, opset=args.opset)
    except ValueError as e:  # check_colorizer: not a colorizer
        raise UsageError(f"{args.checkpoint} cannot be exported: {e}") from None
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {getattr(model, 'model_name', '?')}, "
          f"input N x 1 x H x W with H, W multiples of {getattr(model, 'stride', 32)})")
    try:
        session = load_onnx(out)
    except OnnxUnavailable:
        print(f"not checked against PyTorch: onnxruntime is not installed ({INSTALL_HINT})")
        return 0
    s = session.stride
    h, w = s * -(-64 // s), s * -(-96 // s)  # at least 64 x 96, multiples of the stride
    L = torch.rand(2, 1, h, w, generator=torch.Generator().manual_seed(0)) * 2 - 1
    diff = parity(model, session, L)
    ok = diff <= PARITY_TOLERANCE
    print(f"onnxruntime vs PyTorch on a 2 x 1 x {h} x {w} input: max |ab| difference {diff:.2e} "
          + ("(ok)" if ok else f"(above {PARITY_TOLERANCE:g}: do not trust this file)"))
    return 0 if ok else 1
