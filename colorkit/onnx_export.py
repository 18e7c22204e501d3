"""Export a colorizer to ONNX and run it with onnxruntime.

Used by ``colorkit export --onnx`` and by ``colorkit colorize`` given an ``.onnx`` file (the README's
"Export to ONNX"); lesson 07 shares models as checkpoints. An ONNX file runs without
PyTorch or colorkit (onnxruntime in Python, C++, C#, JavaScript, mobile). The exported graph is the
model's *prediction path*: normalized L ``N x 1 x H x W`` in (``L / 50 - 1``, :func:`colorkit.color.normalize_l`),
normalized ab ``N x 2 x H x W`` out (``ab / 110``), with N, H and W dynamic (H and W multiples of the
model's stride: :func:`colorkit.colorize.predict_ab_small` pads to it). For the bin classifier
(``unet_classifier``) the annealed-mean decoding is part of the graph, at the model's own temperature
(its checkpoint's, 0.38 by default) unless ``temperature=`` is given, so the file outputs ab as
:func:`colorkit.colorize.predict_ab` does. The file's metadata records the stride, the training size
(the default working size) and the model card, so ``colorkit colorize --checkpoint model.onnx`` works
like the checkpoint.

Command line::

    colorkit export --onnx runs/checkpoints/cpu/unet.pt unet.onnx
    colorkit colorize --checkpoint unet.onnx old_photo.jpg --out colorized/

Needs ``pip install colorkit[onnx]`` (onnx, onnxruntime).
"""
from __future__ import annotations

import copy
import io
import json
import os
import warnings
from pathlib import Path

import numpy as np

ONNX_FORMAT = "colorkit-onnx/1"
OPSET = 17
INPUT, OUTPUT = "L", "ab"
PARITY_TOLERANCE = 1e-4  # max |ab| difference (normalized units) accepted between onnxruntime and PyTorch
INSTALL_HINT = "pip install colorkit[onnx]"


class OnnxUnavailable(ImportError):
    """onnx or onnxruntime is not installed; the message names the fix (:data:`INSTALL_HINT`)."""


def _require(module: str):
    """Import ``module`` (``onnx`` or ``onnxruntime``) or raise :class:`OnnxUnavailable` naming the fix."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise OnnxUnavailable(f"{module} is not installed, and ONNX models need it: {INSTALL_HINT}") from None


# --- export --------------------------------------------------------------------------------------
def _prediction_graph(model, temperature: float | None = None):
    """A module whose ``forward(L)`` is the model's prediction path (:func:`colorkit.colorize.predict_ab`
    without sampling): ``predict_ab`` (the classifier's annealed mean, ``temperature`` fixed) or ``forward``."""
    import torch

    class Prediction(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, L):
            if hasattr(self.model, "predict_ab"):
                out = self.model.predict_ab(L) if temperature is None else self.model.predict_ab(L, temperature)
            else:
                out = self.model(L)
            if isinstance(out, (tuple, list)):
                out = out[0]
            if isinstance(out, dict):
                out = out["ab"]
            return out.float()

    return Prediction().eval()


def _metadata(model, temperature: float | None) -> dict[str, str]:
    from colorkit.colorize import model_stride, model_work_size

    t = temperature if temperature is not None else getattr(model, "temperature", None)
    meta = {"format": ONNX_FORMAT, "model_name": str(getattr(model, "model_name", type(model).__name__)),
            "stride": str(model_stride(model)), "train_size": str(model_work_size(model)),
            "input": "normalized L (L / 50 - 1), N x 1 x H x W, H and W multiples of stride",
            "output": "normalized ab (ab / 110), N x 2 x H x W"}
    if t is not None:
        meta["temperature"] = repr(float(t))
    if getattr(model, "card", None):
        meta["card"] = json.dumps(model.card)
    return meta


def _trace_to_bytes(graph, stride: int, opset: int) -> bytes:
    """The ONNX bytes of ``graph``, traced on a 1 x 1 x 2s x 3s input with N, H, W declared dynamic.

    Exporter choice: the TorchScript tracer (``dynamo=False``). The torch.export-based exporter (the
    default since torch 2.9) needs the ``onnxscript`` package and, for dynamic H/W, shape constraints
    that agree with the models' divisibility checks; the tracer needs neither, works offline with only
    ``onnx`` installed, and gives dynamic N/H/W for every zoo colorizer (convolutions, pooling,
    transposed convolutions, pixel (un)shuffle, bilinear upsampling by 2). Its deprecation warning and
    the tracer's warnings about the models' Python shape checks (true for the traced size, re-checked
    by the tests at other sizes) are silenced.
    """
    import torch

    example = torch.zeros(1, 1, 2 * stride, 3 * stride)
    buf = io.BytesIO()
    dims = {0: "batch", 2: "height", 3: "width"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(graph, (example,), buf, dynamo=False, opset_version=opset, input_names=[INPUT],
                          output_names=[OUTPUT], dynamic_axes={INPUT: dims, OUTPUT: dims})
    return buf.getvalue()


def export_onnx(model, out: str | os.PathLike, temperature: float | None = None, opset: int = OPSET) -> Path:
    """Write ``model`` (a loaded colorizer, or a checkpoint path/URL for :func:`colorkit.load`) to the ONNX
    file ``out`` (atomically) with dynamic batch, height and width, and the metadata
    :class:`OnnxColorizer` reads. Raises ValueError for a model that does not colorize."""
    import torch

    from colorkit.files import atomic_write_bytes
    from colorkit.colorize import check_colorizer, model_stride

    onnx = _require("onnx")
    if not isinstance(model, torch.nn.Module):
        from colorkit.checkpoint import load

        model = load(model)
    model = check_colorizer(copy.deepcopy(model).cpu().float().eval())  # the caller's model is left as it was
    proto = onnx.load_from_string(_trace_to_bytes(_prediction_graph(model, temperature), model_stride(model), opset))
    for key, value in _metadata(model, temperature).items():
        proto.metadata_props.add(key=key, value=value)
    proto.doc_string = "colorkit colorizer: normalized L -> normalized ab"
    atomic_write_bytes(out, proto.SerializeToString())
    return Path(out)


# --- running an exported file --------------------------------------------------------------------
class OnnxColorizer:
    """An onnxruntime session that :mod:`colorkit.colorize` uses like a torch colorizer: ``model(L_norm)``
    takes and returns torch tensors, and ``stride``, ``colorkit_train_size``, ``card``, ``model_name`` and
    ``temperature`` come from the file's metadata."""

    def __init__(self, path: str | os.PathLike, providers: list[str] | None = None):
        ort = _require("onnxruntime")
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no ONNX model at {self.path}")
        try:
            self.session = ort.InferenceSession(str(self.path), providers=providers or ["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types for a file that is not ONNX
            raise ValueError(f"{self.path} is not an ONNX model onnxruntime can run: {e}") from None
        meta = self.session.get_modelmeta().custom_metadata_map
        self.stride = int(meta.get("stride", 32))
        self.colorkit_train_size = int(meta["train_size"]) if "train_size" in meta else None
        self.model_name = meta.get("model_name", self.path.stem)
        self.temperature = float(meta["temperature"]) if "temperature" in meta else None
        self.card = json.loads(meta["card"]) if "card" in meta else None
        self.checkpoint_path = str(self.path)
        self.training = False

    def __call__(self, L_norm):
        import torch

        x = np.ascontiguousarray(L_norm.detach().cpu().numpy(), np.float32)
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] % self.stride or x.shape[3] % self.stride:
            raise ValueError(f"{self.path.name} expects normalized L shaped N x 1 x H x W with H and W multiples "
                             f"of {self.stride}, got {x.shape}")  # the traced graph has no such check
        (ab,) = self.session.run([OUTPUT], {INPUT: x})
        return torch.from_numpy(ab)

    def __repr__(self) -> str:
        return f"OnnxColorizer({str(self.path)!r}, model_name={self.model_name!r}, stride={self.stride})"


def load_onnx(path: str | os.PathLike, providers: list[str] | None = None) -> OnnxColorizer:
    """An exported ``.onnx`` colorizer, ready for :func:`colorkit.colorize.colorize_image` (CPU by default)."""
    return OnnxColorizer(path, providers)


def is_onnx_path(path) -> bool:
    return str(path).lower().endswith(".onnx")


def parity(model, onnx_model: OnnxColorizer, L_norm) -> float:
    """Max |ab| difference (normalized units) between the PyTorch prediction path and the ONNX file."""
    from colorkit.colorize import predict_ab

    t = onnx_model.temperature
    kwargs = {"temperature": t} if hasattr(model, "predict_ab") and t is not None else {}
    ref = predict_ab(model, L_norm, **kwargs)
    return float((onnx_model(L_norm) - ref.cpu()).abs().max())
