"""A folder of awkward and broken photo files, built from the built-in samples (nothing downloaded).

Introduced in notebook ``01_data_prep`` ("what was skipped and why"); the tests prepare it too.
:func:`write_problem_photos` writes the files and returns what should happen to each one:
``"ok"`` (prepared, exactly once), ``"unreadable"``, ``"too_small"``, ``"grayscale"`` or ``"duplicate"``
(the ``kind`` of the skip record in :func:`colorkit.data.prepare.prepare`).
"""
from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from colorkit.data.samples import load_sample


def _jpeg(im: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def _png(im: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", **kw)
    return buf.getvalue()


def bomb_png_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims ``width x height`` pixels (10 gigapixels by default)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def write_problem_photos(folder: str | os.PathLike, side: int = 96) -> dict[str, str]:
    """Write the problem files into ``folder``; return ``{file name: expected outcome}``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = Image.fromarray(load_sample("astronaut")).resize((side, side))
    cat = Image.fromarray(load_sample("chelsea")).resize((side * 3 // 2, side))
    files: dict[str, tuple[bytes, str]] = {}
    files["good.jpg"] = (_jpeg(base), "ok")
    files["good_copy.jpg"] = (_jpeg(base), "duplicate")
    full = _jpeg(cat)
    files["truncated.jpg"] = (full[: len(full) // 2], "unreadable")
    files["empty.jpg"] = (b"", "unreadable")
    files["text_named.jpg"] = (b"this is not a photo, just text\n" * 20, "unreadable")
    files["cmyk.jpg"] = (_jpeg(cat.convert("CMYK")), "ok")
    sixteen = (np.asarray(cat.convert("RGB"), np.uint16) * 257)
    files["sixteen_bit_gray.png"] = (_png(Image.fromarray(np.ascontiguousarray(sixteen[..., 1]))), "grayscale")
    try:  # 16-bit colour PNG through OpenCV (Pillow cannot write one)
        import cv2

        ok, enc = cv2.imencode(".png", np.ascontiguousarray(sixteen[..., ::-1]))
        if ok:
            files["sixteen_bit_color.png"] = (enc.tobytes(), "ok")
    except Exception:  # pragma: no cover
        pass
    pal = Image.fromarray(load_sample("coffee")).resize((side, side)).convert("RGBA")
    a = np.asarray(pal).copy()
    a[: side // 3, :, 3] = 0  # transparent band on top -> white after compositing
    files["palette_transparent.png"] = (_png(Image.fromarray(a, "RGBA").quantize(64)), "ok")
    files["rgba.png"] = (_png(Image.fromarray(a, "RGBA")), "ok")
    files["grayscale.jpg"] = (_jpeg(cat.convert("L")), "grayscale")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    files["exif_rotated.jpg"] = (_jpeg(cat, exif=exif.tobytes()), "ok")
    files["one_pixel.png"] = (_png(Image.new("RGB", (1, 1), (200, 30, 30))), "too_small")
    files["bomb.png"] = (bomb_png_header(), "unreadable")  # 10 GP: Pillow refuses it
    files["bomb_81mp.png"] = (bomb_png_header(9_000, 9_000), "unreadable")  # over our 60 MP limit only
    files["notes.txt"] = (b"not an image extension: never opened\n", "ignored")
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return {name: expected for name, (_, expected) in files.items()}
