"""A click-to-colour editor: put colour hints on a photo and watch the colorization follow.

Introduced in notebook ``08_user_guided``. :class:`HintEditor` shows a photo colorized from the hints
(:mod:`colorkit.guided.hints`) put on it so far. In a notebook with a kernel it is a small anywidget: an
``<img>`` with a click listener, a colour picker and a few buttons, with no ipyevents or ipycanvas. anywidget
supports ipywidgets 7.7.1 (Colab's) and 8.x in JupyterLab, Notebook 7, VS Code and Colab (it enables Colab's
custom widget manager itself); tests/test_hint_widget_browser.py drives it in Chromium under Voila. Without a
front end (papermill, nbconvert, the site) the same object takes its hints from Python and displays a static
PNG with the hints drawn as dots.

The user flow in the front end:

* **click the photo**: a hint is put on the pixel you clicked, with the *suggestion* as its colour (the colour
  the current colorization has there, what the model already predicts), and the colour picker shows it;
* **change the picker**: the selected hint takes the new colour and the picture is colorized again
  ("paint with the picker colour" puts the picker's colour on each new click instead of the suggestion);
* **click a dot** to select it, **drag a dot** to move it, **Delete** (button or key) removes it;
* **Undo** (or Ctrl+Z), **Clear**, **Save JSON** (written by the kernel to ``json_path``; the download link
  saves it from the browser), **Load JSON** (a file from your computer), and a **before/after** divider over
  the gray photo.

From Python: :meth:`~HintEditor.add`, :meth:`~HintEditor.move`, :meth:`~HintEditor.recolor`,
:meth:`~HintEditor.remove`, :meth:`~HintEditor.undo`, :meth:`~HintEditor.clear`, :meth:`~HintEditor.save`,
:meth:`~HintEditor.load`, :attr:`~HintEditor.hints`, :attr:`~HintEditor.picture` (``uint8 HxWx3``).

The colorization is a function ``colorize(image_uint8, hints) -> uint8 RGB`` of the same size, injected so
that this module needs no model: by default :func:`colorkit.colorize_guided.colorize_guided` with the shipped
hint model when it is there, else Levin's optimisation (``method="levin"``). Each change of the hints costs one
call of it; an undo, or any set of hints seen recently, costs none (pictures are cached by their hints).
"""
from __future__ import annotations

import base64
import json
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from colorkit.guided.hints import (MAX_HINTS, Hint, HintError, hex_color, hints_to_json, make_hint, parse_hints,
                                   pixel_of, read_hints, write_hints)
from colorkit.viz import add_caption, before_after, fit_within, image_to_png_bytes, to_rgb_uint8
from colorkit.widgets import _kernel_running

DEFAULT_MAX_SIDE = 512  # longest side of the picture the editor shows and colorizes
CACHE_SIZE = 32  # colorizations kept, keyed by their hints (undo and redo cost no colorize call)
HISTORY_SIZE = 500  # undo steps kept
HIT_PIXELS = 10  # a click within this many screen pixels of a dot selects it (front end)

Colorizer = Callable[[np.ndarray, Sequence[Hint]], np.ndarray]


# --------------------------------------------------------------------------------------------------
def default_colorizer(method=None, work_size: int | None = None) -> Colorizer:
    """``colorize(image, hints)`` through :func:`colorkit.colorize_guided.colorize_guided`.

    ``method``: a hint model, ``"levin"``, or ``None``: the shipped hint model when it is there, else
    ``"levin"`` (which needs no weights). The warning ``colorize_guided`` logs for zero hints is kept out of
    the editor: an editor starts with none, and shows the automatic result then.
    """
    import colorkit.colorize_guided as guided

    if method is None:
        method = guided.default_hint_model() if guided.hint_model_shipped() else "levin"

    def colorize(image, hints):
        quiet = logging.getLogger(guided.__name__)
        level = quiet.level
        if not hints:
            quiet.setLevel(logging.ERROR)
        try:
            return guided.colorize_guided(image, list(hints), method=method, work_size=work_size)
        finally:
            quiet.setLevel(level)

    colorize.method = method
    return colorize


def _as_colorizer(colorize, work_size) -> Colorizer:
    """A function ``(image, hints) -> rgb``: given, or built from a method (a model or ``"levin"``)."""
    if colorize is None or isinstance(colorize, str) or hasattr(colorize, "predict_ab"):
        return default_colorizer(colorize, work_size)
    if not callable(colorize):
        raise TypeError(f"colorize must be a function (image, hints) -> rgb, a hint model or 'levin', "
                        f"got {type(colorize).__name__}")
    return colorize


def _method_name(colorize) -> str:
    method = getattr(colorize, "method", colorize)
    if isinstance(method, str):
        return method
    return getattr(method, "name", None) or getattr(method, "__name__", None) or type(method).__name__


def dot_radius(height: int, width: int) -> int:
    """Radius in pixels of the dots that mark the hints on a static picture."""
    return max(3, round(max(height, width) / 90))


def draw_hints(picture, hints: Sequence[Hint], selected: int | None = None, radius: int | None = None) -> np.ndarray:
    """``picture`` with each hint drawn as a dot of its colour (white ring, dark outline) at its pixel; the
    selected hint's ring is yellow. Returns a new ``uint8 HxWx3`` array."""
    import cv2

    out = to_rgb_uint8(picture).copy()
    h, w = out.shape[:2]
    r = radius or dot_radius(h, w)
    for i, hint in enumerate(hints):
        row, col = pixel_of(hint.x, hint.y, h, w)
        ring = (255, 214, 0) if i == selected else (255, 255, 255)
        cv2.circle(out, (col, row), r + 2, (20, 20, 20), -1, cv2.LINE_AA)
        cv2.circle(out, (col, row), r + 1, ring, -1, cv2.LINE_AA)
        cv2.circle(out, (col, row), r - 1, tuple(int(c) for c in _rgb(hint.color)), -1, cv2.LINE_AA)
    return out


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _b64png(image) -> str:
    """PNG (exact pixels: the page can be measured) in base64, for the live view. OpenCV at compression 1:
    25 ms for 512 x 512 where Pillow takes 50 ms (2 busy cores), and the bytes only travel to the browser."""
    import cv2

    ok, data = cv2.imencode(".png", np.ascontiguousarray(to_rgb_uint8(image)[..., ::-1]),
                            [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - OpenCV always encodes uint8 HxWx3
        raise RuntimeError("OpenCV could not encode the picture as PNG")
    return base64.b64encode(data.tobytes()).decode("ascii")


def _load_photo(photo) -> tuple[np.ndarray, str | None]:
    """An image array, or a path read with :func:`colorkit.data.images.load_rgb`; and the photo's name."""
    if isinstance(photo, (str, Path)):
        from colorkit.data.images import load_rgb

        return load_rgb(photo), Path(photo).name
    return to_rgb_uint8(photo), None


# --------------------------------------------------------------------------------------------------
class HintEditor:
    """Colour hints on a photo, shown live (an anywidget) or as a static PNG with the hints as dots.

    ``photo``: an image (any array :func:`colorkit.viz.to_rgb_uint8` reads) or a path. ``colorize``: a
    function ``(image_uint8, hints) -> uint8 RGB``, a hint model, ``"levin"``, or ``None`` (the shipped hint
    model if present, else ``"levin"``). The editor works on the photo shrunk to ``max_side``
    (:attr:`photo`); :meth:`colorize_full` colorizes the original with the same hints. ``work_size`` goes to
    :func:`colorkit.colorize_guided.colorize_guided` when the editor builds the colorizer. ``radius`` is the
    patch radius (pixels of the work size) of the hints that clicks put. ``json_path``: where the Save JSON
    button writes (default ``<photo stem>.json`` for a path, else ``hints.json``, in the working folder).
    """

    def __init__(self, photo, colorize=None, hints: Sequence[Hint] = (), work_size: int | None = None,
                 max_side: int | None = DEFAULT_MAX_SIDE, radius: int = 1, json_path=None):
        from colorkit.colorize import gray_image

        self.original, self.photo_name = _load_photo(photo)
        self.photo = fit_within(self.original, max_side)
        self.gray = gray_image(self.photo)
        self.colorize = _as_colorizer(colorize, work_size)
        self.method = _method_name(self.colorize)
        self.radius = int(radius)
        stem = Path(self.photo_name).stem if self.photo_name else "hints"
        self.json_path = Path(json_path) if json_path is not None else Path(f"{stem}.json")
        self.calls = 0  # colorize calls so far (the cache saves the rest)
        self._cache: OrderedDict[tuple, tuple[np.ndarray, str]] = OrderedDict()
        self._history: list[tuple[Hint, ...]] = []
        self._merge_key = None
        self._hints: tuple[Hint, ...] = tuple(self._check_hints(hints))
        self.selected: int | None = None
        self.divider = 0.0  # before/after: columns left of it show the gray photo (0: the colorization only)
        self.message = ""
        self._widget = None
        self._colorization(self._hints)

    # --- state ------------------------------------------------------------------------------------
    @property
    def hints(self) -> list[Hint]:
        """The hints, in the order they were put (a later one wins where two overlap)."""
        return list(self._hints)

    @hints.setter
    def hints(self, hints: Sequence[Hint]) -> None:
        self._commit(self._check_hints(hints))

    @property
    def picture(self) -> np.ndarray:
        """The current colorization of :attr:`photo`, ``uint8 HxWx3`` (no dots)."""
        return self._colorization(self._hints)[0]

    @staticmethod
    def _check_hints(hints) -> list[Hint]:
        hints = list(hints)
        if len(hints) > MAX_HINTS:
            raise HintError(f"{len(hints):,} hints: at most {MAX_HINTS:,} are accepted")
        for i, h in enumerate(hints):
            if not isinstance(h, Hint):
                raise HintError(f"hint {i}: expected a colorkit.guided.hints.Hint, got {type(h).__name__}")
        return [make_hint({"x": h.x, "y": h.y, "color": h.color, "radius": h.radius}, i) for i, h in enumerate(hints)]

    def _colorization(self, hints: tuple) -> tuple[np.ndarray, str]:
        """(picture, its PNG in base64) for these hints: one colorize call unless cached."""
        if hints in self._cache:
            self._cache.move_to_end(hints)
            return self._cache[hints]
        out = to_rgb_uint8(self.colorize(self.photo, list(hints)))
        self.calls += 1
        if out.shape != self.photo.shape:
            raise ValueError(f"the colorizer returned a {out.shape[1]}x{out.shape[0]} picture for a "
                             f"{self.photo.shape[1]}x{self.photo.shape[0]} photo: it must keep the size")
        self._cache[hints] = (out, _b64png(out))
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return self._cache[hints]

    def _commit(self, hints, merge=None) -> None:
        """Make ``hints`` current (one undo step; consecutive changes with the same ``merge`` key make one)."""
        hints = tuple(hints)
        if hints == self._hints:
            return
        self._colorization(hints)  # first: a colorizer that fails leaves the editor as it was
        if merge is None or merge != self._merge_key:
            self._history.append(self._hints)
            del self._history[:-HISTORY_SIZE]
        self._merge_key = merge
        self._hints = hints
        self.message = ""
        if self.selected is not None and self.selected >= len(hints):
            self.selected = None
        self.refresh()

    def _index(self, i: int) -> int:
        n = len(self._hints)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -n <= i < n:
            raise IndexError(f"no hint {i!r}: the editor has {n} hint(s), numbered 0 to {n - 1}")
        return int(i) % n

    # --- editing ----------------------------------------------------------------------------------
    def suggestion(self, x: float, y: float) -> str:
        """The colour (``"#rrggbb"``) the current colorization has at ``(x, y)``: a new hint's default."""
        h, w = self.photo.shape[:2]
        row, col = pixel_of(x, y, h, w)
        return hex_color(self.picture[row, col])

    def add(self, x: float, y: float, color: str | None = None, radius: int | None = None) -> int:
        """Put a hint at ``(x, y)`` (fractions of width and height) with ``color`` (``"#rrggbb"``; default
        the :meth:`suggestion` there); it becomes the selected one. Returns its index."""
        hint = make_hint({"x": x, "y": y, "color": self.suggestion(x, y) if color is None else color,
                          "radius": self.radius if radius is None else radius}, len(self._hints))
        self._commit(self._hints + (hint,))
        self.selected = len(self._hints) - 1
        self.refresh()
        return self.selected

    def move(self, i: int, x: float, y: float) -> None:
        """Move hint ``i`` to ``(x, y)`` (its colour and radius stay)."""
        i = self._index(i)
        old = self._hints[i]
        new = make_hint({"x": x, "y": y, "color": old.color, "radius": old.radius}, i)
        self.selected = i
        self._commit(self._hints[:i] + (new,) + self._hints[i + 1:])

    def recolor(self, i: int, color: str) -> None:
        """Give hint ``i`` the colour ``color``. Consecutive recolourings of one hint (a drag in the colour
        picker) are one undo step."""
        i = self._index(i)
        old = self._hints[i]
        new = make_hint({"x": old.x, "y": old.y, "color": color, "radius": old.radius}, i)
        self.selected = i
        self._commit(self._hints[:i] + (new,) + self._hints[i + 1:], merge=("recolor", i))

    def remove(self, i: int) -> None:
        """Delete hint ``i``."""
        i = self._index(i)
        self.selected = None
        self._commit(self._hints[:i] + self._hints[i + 1:])

    def clear(self) -> None:
        """Delete every hint (one undo step)."""
        self.selected = None
        self._commit(())

    def undo(self) -> bool:
        """Go back one step; False when there is nothing to undo. Costs no colorize call."""
        if not self._history:
            return False
        self._hints = self._history.pop()
        self._merge_key = None
        if self.selected is not None and self.selected >= len(self._hints):
            self.selected = None
        self.refresh()
        return True

    def save(self, path=None) -> Path:
        """Write the hints as a hints file (:func:`colorkit.guided.hints.write_hints`; default
        :attr:`json_path`), with the photo's name when it came from a file. Returns the path."""
        meta = {"photo": self.photo_name} if self.photo_name else {}
        return write_hints(self.json_path if path is None else path, self._hints, **meta)

    def load(self, path) -> list[Hint]:
        """Replace the hints by those of a hints file (one undo step). Returns them."""
        self.selected = None
        self._commit(read_hints(path))
        return self.hints

    def colorize_full(self) -> np.ndarray:
        """The original photo (full size, not shrunk to ``max_side``) colorized with the current hints."""
        if self.original is self.photo:
            return self.picture
        return to_rgb_uint8(self.colorize(self.original, list(self._hints)))

    # --- static picture ---------------------------------------------------------------------------
    def caption(self) -> list[str]:
        n = len(self._hints)
        lines = [f"{n} hint{'' if n == 1 else 's'} ({self.method})"]
        if self.divider > 0:
            lines.append(f"before | after: gray left of {self.divider:.2f}")
        return lines

    def static_picture(self) -> np.ndarray:
        """The colorization (gray left of :attr:`divider`) with the hints as dots and a caption."""
        pic = before_after(self.gray, self.picture, self.divider) if self.divider > 0 else self.picture
        return add_caption(draw_hints(pic, self._hints, self.selected), self.caption())

    def png(self) -> bytes:
        """PNG bytes of :meth:`static_picture` (no kernel, no widgets needed)."""
        return image_to_png_bytes(self.static_picture())

    def save_png(self, path) -> Path:
        """Write :meth:`static_picture` as a PNG (atomically, folders made); returns the path."""
        from colorkit.files import atomic_write_bytes

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, self.png())
        return Path(path)

    # --- live view --------------------------------------------------------------------------------
    @property
    def widget(self):
        """The live anywidget view (built on first use)."""
        if self._widget is None:
            self._widget = _view_class()(gray=_b64png(self.gray), hit_pixels=HIT_PIXELS)
            self._widget.on_msg(self._on_msg)
            self._widget.observe(lambda change: setattr(self, "divider", float(change["new"])), names="divider")
            self.refresh()
        return self._widget

    def refresh(self) -> None:
        """Send the current state to the live view (every change calls it)."""
        if self._widget is None:
            return
        w = self._widget
        with w.hold_sync():
            w.picture = self._colorization(self._hints)[1]
            w.hints = [h.to_json() for h in self._hints]
            w.selected = -1 if self.selected is None else self.selected
            if self.selected is not None:
                w.color = self._hints[self.selected].color
            w.divider = self.divider
            w.json_name = self.json_path.name
            w.hints_json = json.dumps(hints_to_json(self._hints, **({"photo": self.photo_name}
                                                                    if self.photo_name else {})), indent=1)
            w.status = self._status()
            w.can_undo = bool(self._history)

    def _status(self) -> str:
        n = len(self._hints)
        parts = [f"{n} hint{'' if n == 1 else 's'} ({self.method})"]
        if self.selected is not None:
            parts.append(f"hint {self.selected} selected ({self._hints[self.selected].color})")
        else:
            parts.append("click the photo to put a hint")
        return "; ".join(parts) + (f". {self.message}" if self.message else "")

    def _on_msg(self, widget, content, buffers=None) -> None:
        """A command from the front end; an error is shown in the status line, never raised into the page."""
        self.message = ""
        try:
            if content.get("type") not in _COMMANDS:
                raise ValueError(f"unknown command {content.get('type')!r} from the front end")
            _COMMANDS[content["type"]](self, content)
        except (HintError, IndexError, KeyError, ValueError, OSError) as e:
            self.message = f"error: {e}"
        except Exception as e:  # a colorizer failing: say so where the user looks
            self.message = f"error: {type(e).__name__}: {e}"
        self.refresh()
        widget.revision = widget.revision + 1  # the front end sends the next command when this changes

    def _click(self, content) -> None:
        h, w = self.photo.shape[:2]
        row, col = pixel_of(min(max(float(content["x"]), 0.0), 1.0), min(max(float(content["y"]), 0.0), 1.0), h, w)
        self._widget.last_click = [(col + 0.5) / w, (row + 0.5) / h]  # the pixel centre that was clicked
        self.add(*self._widget.last_click, color=content.get("color"))

    def _select(self, content) -> None:
        i = content.get("i")
        self.selected = None if i is None or i < 0 else self._index(i)

    def _save_from_view(self, content) -> None:
        path = self.save()
        self.message = f"saved {len(self._hints)} hint(s) to {path}"

    def _load_from_view(self, content) -> None:
        name = content.get("name", "the file")
        try:
            hints = parse_hints(json.loads(content["text"]))
        except json.JSONDecodeError as e:
            raise HintError(f"{name}: not valid JSON ({e})") from None
        except HintError as e:
            raise HintError(f"{name}: {e}") from None
        self.selected = None
        self._commit(hints)
        self.message = f"loaded {len(self._hints)} hint(s) from {name}"

    def __repr__(self) -> str:
        return f"<HintEditor: {'; '.join(self.caption())}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The static PNG, and in a kernel the live view next to it. anywidget answers ``(data, metadata)``
        (in Colab the metadata names the custom widget manager, and asking enables it): both are kept."""
        data = {"image/png": base64.b64encode(self.png()).decode("ascii"), "text/plain": repr(self)}
        metadata = {}
        if _kernel_running():
            try:
                view = self.widget._repr_mimebundle_() or {}
            except Exception:  # no anywidget / ipywidgets: the static picture is what shows
                view = {}
            if isinstance(view, tuple):
                view, metadata = view
            data.update({k: v for k, v in view.items() if k != "text/plain"})
        return (data, metadata) if metadata else data

    def show(self):
        """Display in a notebook (live editor + static PNG fallback)."""
        from IPython.display import display

        display(self)
        return self


_COMMANDS = {
    "click": HintEditor._click,
    "select": HintEditor._select,
    "move": lambda self, c: self.move(c["i"], min(max(float(c["x"]), 0.0), 1.0), min(max(float(c["y"]), 0.0), 1.0)),
    "recolor": lambda self, c: self.recolor(c["i"], c["color"]),
    "remove": lambda self, c: self.remove(c["i"]),
    "undo": lambda self, c: self.undo(),
    "clear": lambda self, c: self.clear(),
    "save": HintEditor._save_from_view,
    "load": HintEditor._load_from_view,
}


# --------------------------------------------------------------------------------------------------
_VIEW_CLASS = None


def _view_class():
    """The anywidget class (defined on first use, so that importing this module needs no anywidget)."""
    global _VIEW_CLASS
    if _VIEW_CLASS is None:
        import anywidget
        import traitlets as T

        class HintEditorView(anywidget.AnyWidget):
            """The front end of :class:`HintEditor`: state flows down as traits, commands come up as messages."""

            _esm = ESM
            _css = CSS
            picture = T.Unicode("").tag(sync=True)  # the colorization, PNG in base64
            gray = T.Unicode("").tag(sync=True)  # the gray photo (before), PNG in base64, sent once
            hints = T.List([]).tag(sync=True)  # [{"x", "y", "color"[, "radius"]}]
            selected = T.Int(-1).tag(sync=True)
            color = T.Unicode("#808080").tag(sync=True)  # the colour picker's value (the suggestion)
            divider = T.Float(0.0).tag(sync=True)  # before/after slider
            hints_json = T.Unicode("").tag(sync=True)  # the hints file, for the download link
            json_name = T.Unicode("hints.json").tag(sync=True)  # the download's file name
            status = T.Unicode("").tag(sync=True)
            can_undo = T.Bool(False).tag(sync=True)
            last_click = T.List([]).tag(sync=True)  # [x, y] of the last click (pixel centre), fractions
            revision = T.Int(0).tag(sync=True)  # +1 after each command the kernel has handled
            hit_pixels = T.Int(HIT_PIXELS).tag(sync=True)

        _VIEW_CLASS = HintEditorView
    return _VIEW_CLASS


ESM = r"""
function h(tag, cls, attrs) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  Object.assign(e, attrs || {});
  return e;
}

function render({ model, el }) {
  const root = h("div", "ck-hint");
  const tools = h("div", "ck-tools");
  const picker = h("input", "ck-color", { type: "color", title: "colour of the selected hint (a click suggests the colour the picture has there)" });
  const paintBox = h("input", "ck-paint", { type: "checkbox" });
  const paint = h("label", "ck-paint-label");
  paint.append(paintBox, " paint with the picker colour");
  const btn = (name, title) => h("button", "ck-btn ck-" + name, { type: "button", textContent: title });
  const undo = btn("undo", "Undo"), del = btn("delete", "Delete"), clear = btn("clear", "Clear");
  const save = btn("save", "Save JSON");
  const download = h("a", "ck-download", { textContent: "download", href: "#" });
  const loadLabel = h("label", "ck-btn ck-load", { textContent: "Load JSON" });
  const file = h("input", "ck-file", { type: "file", accept: ".json,application/json" });
  loadLabel.append(file);
  tools.append(picker, paint, undo, del, clear, save, download, loadLabel);

  const stage = h("div", "ck-stage", { tabIndex: 0 });
  const after = h("img", "ck-after", { draggable: false, alt: "colorized photo" });
  const before = h("img", "ck-before", { draggable: false, alt: "gray photo" });
  const line = h("div", "ck-divider");
  const dots = h("div", "ck-dots");
  stage.append(after, before, line, dots);

  const compare = h("div", "ck-compare");
  const slider = h("input", "ck-slider", { type: "range", min: 0, max: 1, step: 0.01,
    title: "before/after: the gray photo shows left of the divider" });
  compare.append("before/after divider ", slider);
  const status = h("div", "ck-status");
  root.append(tools, stage, compare, status);
  el.append(root);

  // commands go up one at a time: the next leaves when the kernel has answered (revision changes); while
  // one is out, a drag in the colour picker keeps only its latest colour (one colorization, not dozens)
  let inflight = false, queue = [], timer = null;
  const send = (msg) => {
    if (inflight) {
      const last = queue[queue.length - 1];
      if (last && last.type === "recolor" && msg.type === "recolor" && last.i === msg.i) queue.pop();
      queue.push(msg);
      return;
    }
    inflight = true;
    clearTimeout(timer);
    timer = setTimeout(answered, 15000);  // a lost answer must not freeze the editor
    model.send(msg);
  };
  const answered = () => {
    inflight = false;
    clearTimeout(timer);
    if (queue.length) send(queue.shift());
  };

  const drawDots = () => {
    dots.replaceChildren();
    model.get("hints").forEach((hint, i) => {
      const d = h("div", "ck-dot" + (i === model.get("selected") ? " ck-selected" : ""));
      d.style.left = (hint.x * 100) + "%";
      d.style.top = (hint.y * 100) + "%";
      d.style.background = hint.color;
      d.dataset.index = i;
      dots.append(d);
    });
  };
  const setDivider = () => {
    const p = model.get("divider");
    slider.value = p;
    before.style.clipPath = "inset(0 " + ((1 - p) * 100) + "% 0 0)";
    line.style.left = (p * 100) + "%";
    line.style.display = p > 0 && p < 1 ? "block" : "none";
  };
  const update = () => {
    after.src = "data:image/png;base64," + model.get("picture");
    picker.value = model.get("color");
    status.textContent = model.get("status");
    undo.disabled = !model.get("can_undo");
    del.disabled = model.get("selected") < 0;
    clear.disabled = model.get("hints").length === 0;
    drawDots();
  };
  before.src = "data:image/png;base64," + model.get("gray");
  update();
  setDivider();
  const changes = ["picture", "hints", "selected", "color", "status", "can_undo"];
  changes.forEach((n) => model.on("change:" + n, update));
  model.on("change:divider", setDivider);
  model.on("change:revision", answered);

  // where a pointer event falls, as fractions of the picture, and which dot (if any) is under it
  const where = (e) => {
    const r = after.getBoundingClientRect();
    return { x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height, r };
  };
  const hit = (p) => {
    let best = -1, bestD = model.get("hit_pixels");
    model.get("hints").forEach((hint, i) => {
      const d = Math.hypot((hint.x - p.x) * p.r.width, (hint.y - p.y) * p.r.height);
      if (d <= bestD) { best = i; bestD = d; }
    });
    return best;
  };
  let drag = null;
  stage.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    stage.focus();
    const p = where(e);
    const i = hit(p);
    drag = { i, x0: e.clientX, y0: e.clientY, moved: false, p };
    if (i >= 0) stage.setPointerCapture(e.pointerId);
  });
  stage.addEventListener("pointermove", (e) => {
    if (!drag || drag.i < 0) return;
    if (Math.hypot(e.clientX - drag.x0, e.clientY - drag.y0) > 3) drag.moved = true;
    if (!drag.moved) return;
    const p = where(e);
    drag.p = p;
    const d = dots.children[drag.i];
    if (d) {
      d.style.left = (Math.min(Math.max(p.x, 0), 1) * 100) + "%";
      d.style.top = (Math.min(Math.max(p.y, 0), 1) * 100) + "%";
    }
  });
  stage.addEventListener("pointerup", (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.i >= 0 && d.moved) send({ type: "move", i: d.i, x: d.p.x, y: d.p.y });
    else if (d.i >= 0) send({ type: "select", i: d.i });
    else if (d.p.x >= 0 && d.p.x <= 1 && d.p.y >= 0 && d.p.y <= 1) {
      const msg = { type: "click", x: d.p.x, y: d.p.y };
      if (paintBox.checked) msg.color = picker.value;
      send(msg);
    }
  });
  stage.addEventListener("keydown", (e) => {
    if ((e.key === "Delete" || e.key === "Backspace") && model.get("selected") >= 0) {
      send({ type: "remove", i: model.get("selected") });
    } else if (e.key === "z" && (e.ctrlKey || e.metaKey)) {
      send({ type: "undo" });
    } else return;
    e.preventDefault();
    e.stopPropagation();
  });

  picker.addEventListener("input", () => {
    const i = model.get("selected");
    if (i >= 0) send({ type: "recolor", i, color: picker.value });
  });
  undo.addEventListener("click", () => send({ type: "undo" }));
  del.addEventListener("click", () => send({ type: "remove", i: model.get("selected") }));
  clear.addEventListener("click", () => send({ type: "clear" }));
  save.addEventListener("click", () => send({ type: "save" }));
  download.addEventListener("click", (e) => {
    const blob = new Blob([model.get("hints_json")], { type: "application/json" });
    download.href = URL.createObjectURL(blob);
    download.download = model.get("json_name");
  });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    send({ type: "load", name: f.name, text: await f.text() });
    file.value = "";
  });
  slider.addEventListener("input", () => {
    model.set("divider", parseFloat(slider.value));
    model.save_changes();
    setDivider();
  });

  return () => {
    changes.forEach((n) => model.off("change:" + n, update));
    model.off("change:divider", setDivider);
    model.off("change:revision", answered);
    clearTimeout(timer);
  };
}

export default { render };
"""

CSS = """
.ck-hint { font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; max-width: 100%;
  color: var(--jp-ui-font-color1, #222); }
.ck-hint .ck-tools { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
.ck-hint .ck-color { width: 44px; height: 28px; padding: 0; border: 1px solid #888; }
.ck-hint .ck-btn { padding: 3px 10px; border: 1px solid #888; border-radius: 3px; background: #f4f4f4;
  color: #222; cursor: pointer; font-size: 13px; }
.ck-hint .ck-btn:disabled { opacity: 0.45; cursor: default; }
.ck-hint .ck-file { display: none; }
.ck-hint .ck-stage { position: relative; display: inline-block; max-width: 100%; line-height: 0;
  cursor: crosshair; user-select: none; touch-action: none; outline: none; }
.ck-hint .ck-after { display: block; max-width: 100%; height: auto; }
.ck-hint .ck-before { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
.ck-hint .ck-divider { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #fff;
  pointer-events: none; }
.ck-hint .ck-dots { position: absolute; inset: 0; pointer-events: none; }
.ck-hint .ck-dot { position: absolute; width: 10px; height: 10px; margin: -7px 0 0 -7px; border-radius: 50%;
  border: 2px solid #fff; box-shadow: 0 0 0 1px #222; }
.ck-hint .ck-dot.ck-selected { border-color: #ffd600; width: 14px; height: 14px; margin: -9px 0 0 -9px; }
.ck-hint .ck-compare { margin-top: 4px; }
.ck-hint .ck-slider { width: 240px; vertical-align: middle; }
.ck-hint .ck-status { margin-top: 4px; color: var(--jp-ui-font-color1, #333); }
"""
