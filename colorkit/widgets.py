"""Interactive pictures for notebooks: before/after slider, model comparison, VAE sampler, temperature.

Introduced in notebook ``07_colorize_your_photos`` (lessons ``04``, VAEs, and ``06``, the
classification model, may show the sampler and the temperature slider too). Only core ipywidgets
are used (``Image``, ``FloatSlider``, ``Dropdown``, ``Button``, ``HTML``, boxes), so they work in
Colab, Kaggle, JupyterLab and VS Code without any extension, on ipywidgets 7.6+ (Colab ships 7.7.1)
and 8.x.

Every widget

* is drivable from Python: setting ``w.position``, ``w.choice``, ``w.temperature`` or calling
  ``w.draw()`` updates ``w.picture`` (a ``uint8 HxWx3`` array) and, when it is on screen, the view;
  moving the on-screen controls does the same, and that is how the tests drive them;
* renders a static fallback: displaying it puts both the live widget and a PNG of the current
  picture (with its caption: settings and metrics) into the output, so GitHub, nbconvert and papermill
  show the picture where no kernel runs. ``w.png()`` and ``w.save(path)`` give that PNG directly and
  never need a kernel or ipywidgets.
"""
from __future__ import annotations

import base64
from typing import Callable, Mapping

import numpy as np

from colorkit.viz import add_caption, before_after, fit_within, image_to_png_bytes, resize_to, side_by_side, to_rgb_uint8

DEFAULT_MAX_SIDE = 640  # longest side of the pictures the widgets show (full resolution goes to files)


class PictureWidget:
    """Base class: a picture that depends on a few settings, shown live or as a static PNG."""

    def __init__(self):
        self._widget = None
        self._image = None
        self._caption = None

    # --- what subclasses provide ----------------------------------------------------------------
    def render(self) -> np.ndarray:  # pragma: no cover - abstract
        """The current picture (without caption)."""
        raise NotImplementedError

    def caption(self) -> list[str]:
        """Lines under the picture: settings and metrics."""
        return []

    def _controls(self) -> list:
        """The ipywidgets controls (built lazily, with their observers wired to the setters)."""
        return []

    # --- shared machinery -------------------------------------------------------------------------
    @property
    def picture(self) -> np.ndarray:
        """The current picture, ``uint8 HxWx3`` (no caption)."""
        return self.render()

    def static_picture(self) -> np.ndarray:
        """The static fallback: the picture with its caption strip."""
        return add_caption(self.picture, self.caption())

    def png(self) -> bytes:
        """PNG bytes of :meth:`static_picture` (no kernel, no ipywidgets needed)."""
        return image_to_png_bytes(self.static_picture())

    def save(self, path):
        """Write the static fallback PNG to ``path``; returns the path."""
        from pathlib import Path

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.png())
        return path

    @property
    def widget(self):
        """The live ipywidgets view (built on first use)."""
        if self._widget is None:
            import ipywidgets as W

            self._image = W.Image(value=image_to_png_bytes(self.picture), format="png",
                                  layout=W.Layout(max_width="100%", height="auto"))
            self._caption = W.HTML(value=self._caption_html())
            self._widget = W.VBox([*self._controls(), self._image, self._caption])
        return self._widget

    def _caption_html(self) -> str:
        import html

        return "<br>".join(html.escape(line) for line in self.caption())

    def refresh(self) -> None:
        """Redraw the live view after a change (the setters call it)."""
        if self._widget is not None:
            self._image.value = image_to_png_bytes(self.picture)
            self._caption.value = self._caption_html()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"image/png": base64.b64encode(self.png()).decode("ascii"),
                  "text/plain": f"<{type(self).__name__}: {'; '.join(self.caption())}>"}
        if _kernel_running():
            try:
                bundle.update({k: v for k, v in _view_bundle(self.widget).items() if k != "text/plain"})
            except Exception:  # no ipywidgets: the static picture is what shows
                pass
        return bundle

    def show(self):
        """Display in a notebook (live widget + static PNG fallback)."""
        from IPython.display import display

        display(self)
        return self


WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def _view_bundle(widget) -> dict:
    """The mimebundle that shows a live ipywidget. ipywidgets 8 gives it through ``_repr_mimebundle_``;
    7.x (Colab ships 7.7.1) has no such method, only ``_ipython_display_``, which displays the same
    widget-view entry itself, so on 7.x the entry is written here the way 7.x writes it."""
    if hasattr(widget, "_repr_mimebundle_"):  # 8.x (None once the widget is closed)
        method = widget._repr_mimebundle_
        return (method() or {}) if callable(method) else {}
    if getattr(widget, "_view_name", None) is None or getattr(widget, "comm", None) is None:
        return {}  # a model without a view, or a closed widget
    return {WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}}


def _kernel_running() -> bool:
    try:
        from IPython import get_ipython

        return getattr(get_ipython(), "kernel", None) is not None
    except ImportError:  # pragma: no cover
        return False


def _slider(value: float, description: str, min=0.0, max=1.0, step=0.01):
    import ipywidgets as W

    return W.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         continuous_update=True, readout_format=".2f", layout=W.Layout(width="95%"))


def _link(widget, setter: Callable) -> None:
    widget.observe(lambda change: setter(change["new"]), names="value")


# --------------------------------------------------------------------------------------------------
class BeforeAfter(PictureWidget):
    """Before/after slider over two images of any size: left of the divider the first image, right of
    it the second (resized to the first's size). ``position`` in [0, 1] is the divider's place."""

    def __init__(self, first, second, position: float = 0.5, labels=("before", "after"),
                 max_side: int | None = DEFAULT_MAX_SIDE):
        super().__init__()
        self.max_side = max_side
        self.labels = tuple(labels)
        self._position = float(np.clip(position, 0, 1))
        self._slider = None
        self.set_images(first, second)

    def set_images(self, first=None, second=None) -> None:
        if first is not None:
            self.first = fit_within(to_rgb_uint8(first), self.max_side)
        if second is not None:
            self._second_src = to_rgb_uint8(second)
        self.second = resize_to(fit_within(self._second_src, max(self.first.shape[:2]) * 2),
                                *self.first.shape[:2])
        self.refresh()

    @property
    def position(self) -> float:
        return self._position

    @position.setter
    def position(self, value: float) -> None:
        value = float(np.clip(value, 0.0, 1.0))
        if value == self._position:
            return
        self._position = value
        if self._slider is not None and abs(self._slider.value - value) > 1e-9:
            self._slider.value = value
        self.refresh()

    def render(self) -> np.ndarray:
        return before_after(self.first, self.second, self._position)

    def caption(self) -> list[str]:
        return [f"left: {self.labels[0]} | right: {self.labels[1]}  (divider at {self._position:.2f})"]

    def _controls(self) -> list:
        self._slider = _slider(self._position, "divider")
        _link(self._slider, lambda v: setattr(self, "position", v))
        return [self._slider]


# --------------------------------------------------------------------------------------------------
def _candidate_colorize(candidate, photo: np.ndarray, work_size: int | None, **kw) -> np.ndarray:
    """A colorization from a torch model, a baseline (``.colorize(rgb)``) or a function ``rgb -> rgb``."""
    from colorkit.colorize import colorize_image

    try:
        import torch

        if isinstance(candidate, torch.nn.Module):
            return colorize_image(candidate, photo, work_size=work_size, **kw)
    except ImportError:  # pragma: no cover
        pass
    if hasattr(candidate, "colorize"):
        return to_rgb_uint8(candidate.colorize(photo))
    if callable(candidate):
        return to_rgb_uint8(candidate(photo))
    raise TypeError(f"cannot colorize with a {type(candidate).__name__}: give a model, a baseline or a function")


def photo_metrics(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """The few numbers the comparison widget shows (from :mod:`colorkit.evaluate.metrics`)."""
    from colorkit.evaluate.metrics import colorfulness, score_image

    s = score_image(pred, truth)
    return {"dE2000": s["de2000"], "PSNR": s["psnr"], "colorfulness": s["cf"], "true colorfulness": colorfulness(truth)}


def _has_colour(rgb: np.ndarray, threshold: float = 10.0) -> bool:
    """True when a photo has real colour: not gray, and not a toned print (sepia, cyanotype, a yellowed
    cast). A toned print's a*b* is a function of its lightness (the tone follows the silver density), so
    the test is how far a*b* strays from the median a*b* of pixels of the same lightness (5-unit L bins):
    its 90th percentile is 15-40 on the built-in colour photos and under 10 on nearly all of about 100
    real black-and-white and sepia prints we tried (faded colour prints score as colour, rightly)."""
    from colorkit.color import rgb_to_lab

    lab = rgb_to_lab(fit_within(rgb, 128)).reshape(-1, 3)
    bins = np.clip((lab[:, 0] // 5).astype(int), 0, 20)
    residual = np.empty((len(lab), 2), np.float32)
    for k in np.unique(bins):
        m = bins == k
        residual[m] = lab[m, 1:] - np.median(lab[m, 1:], axis=0)
    return float(np.percentile(np.hypot(*residual.T), 90)) > threshold


class CompareWidget(PictureWidget):
    """One photo, a dropdown of models and baselines, a before/after slider, and the photo's metrics.

    ``models``: ``{name: model}``; a model is a torch colorizer, a fitted baseline from
    :mod:`colorkit.evaluate.baselines`, or a function ``rgb -> rgb``. The gray copy is always offered.
    If the photo has colour (not gray, not a sepia-toned print; or pass ``truth=``) it is the ground
    truth: the caption shows ΔE2000 / PSNR / colorfulness
    of the choice next to the gray copy's, and the left side can show the truth instead of the input.
    """

    GRAY = "gray copy (baseline)"
    TRUTH = "ground truth"
    INPUT = "gray input"

    def __init__(self, photo, models: Mapping[str, object] | None = None, choice: str | None = None,
                 position: float = 0.5, left: str | None = None, work_size: int | None = None,
                 max_side: int | None = DEFAULT_MAX_SIDE, truth=None, **predict_kwargs):
        super().__init__()
        from colorkit.colorize import gray_image

        self.photo = fit_within(to_rgb_uint8(photo), max_side)
        if truth is not None:
            self.truth = resize_to(to_rgb_uint8(truth), *self.photo.shape[:2])
        else:
            self.truth = self.photo if _has_colour(self.photo) else None
        self.gray = gray_image(self.photo)
        self.models = dict(models or {})
        self.work_size = work_size
        self.predict_kwargs = predict_kwargs
        self.options = [*self.models, self.GRAY] + ([self.TRUTH] if self.truth is not None else [])
        self.left_options = [self.INPUT] + ([self.TRUTH] if self.truth is not None else [])
        self._cache: dict[str, np.ndarray] = {}
        self._metrics: dict[str, dict] = {}
        self._choice = choice if choice is not None else self.options[0]
        self._left = left or self.INPUT
        self._check(self._choice, self.options)
        self._check(self._left, self.left_options)
        self.slider = BeforeAfter(self.gray, self.colorization(self._choice), position, max_side=None)
        self._dropdown = self._left_dropdown = None
        self._sync()

    @staticmethod
    def _check(value, options):
        if value not in options:
            raise ValueError(f"{value!r} is not one of {options}")

    def colorization(self, name: str) -> np.ndarray:
        """The photo as colorized by option ``name`` (cached)."""
        if name not in self._cache:
            if name == self.GRAY:
                self._cache[name] = self.gray
            elif name == self.TRUTH:
                self._cache[name] = self.truth
            else:
                self._cache[name] = _candidate_colorize(self.models[name], self.photo, self.work_size,
                                                        **self.predict_kwargs)
        return self._cache[name]

    def metrics(self, name: str) -> dict[str, float] | None:
        """Metrics of option ``name`` against the ground truth (None without a truth)."""
        if self.truth is None:
            return None
        if name not in self._metrics:
            self._metrics[name] = photo_metrics(self.colorization(name), self.truth)
        return self._metrics[name]

    def _sync(self) -> None:
        left = self.gray if self._left == self.INPUT else self.truth
        self.slider.set_images(left, self.colorization(self._choice))
        self.slider.labels = (self._left, self._choice)
        self.refresh()

    @property
    def choice(self) -> str:
        return self._choice

    @choice.setter
    def choice(self, name: str) -> None:
        self._check(name, self.options)
        if name != self._choice:
            self._choice = name
            if self._dropdown is not None and self._dropdown.value != name:
                self._dropdown.value = name
            self._sync()

    @property
    def left(self) -> str:
        return self._left

    @left.setter
    def left(self, name: str) -> None:
        self._check(name, self.left_options)
        if name != self._left:
            self._left = name
            if self._left_dropdown is not None and self._left_dropdown.value != name:
                self._left_dropdown.value = name
            self._sync()

    @property
    def position(self) -> float:
        return self.slider.position

    @position.setter
    def position(self, value: float) -> None:
        self.slider.position = value
        self.refresh()

    def render(self) -> np.ndarray:
        return self.slider.render()

    def caption(self) -> list[str]:
        lines = self.slider.caption()
        m = self.metrics(self._choice)
        if m is not None:
            g = self.metrics(self.GRAY)
            fmt = "{}: dE2000 {dE2000:.2f}, PSNR {PSNR:.2f} dB, colorfulness {colorfulness:.1f}"
            lines.append(fmt.format(self._choice, **m))
            if self._choice != self.GRAY:
                lines.append(fmt.format("gray copy", **g))
            lines.append(f"(truth colorfulness {m['true colorfulness']:.1f}; lower dE2000 is better)")
        else:
            lines.append(f"{self._choice} (no ground truth: a black-and-white photo has no metrics)")
        return lines

    def _controls(self) -> list:
        import ipywidgets as W

        self._dropdown = W.Dropdown(options=self.options, value=self._choice, description="right")
        _link(self._dropdown, lambda v: setattr(self, "choice", v))
        controls = [self._dropdown]
        if len(self.left_options) > 1:
            self._left_dropdown = W.Dropdown(options=self.left_options, value=self._left, description="left")
            _link(self._left_dropdown, lambda v: setattr(self, "left", v))
            controls.insert(0, self._left_dropdown)
        slider = _slider(self.slider.position, "divider")
        self.slider._slider = slider
        _link(slider, lambda v: setattr(self, "position", v))
        return [W.HBox(controls), slider]


# --------------------------------------------------------------------------------------------------
class VAESampler(PictureWidget):
    """A button that draws another colorization from a VAE (``model.sample``): each draw uses the next
    seed, so a draw can be reproduced from its seed. Picture: gray input | current draw."""

    def __init__(self, model, photo, seed: int = 0, temperature: float = 1.0, work_size: int | None = None,
                 max_side: int | None = DEFAULT_MAX_SIDE):
        super().__init__()
        from colorkit.colorize import gray_image

        if not hasattr(model, "sample"):
            raise TypeError(f"{type(model).__name__} has no .sample method; VAESampler needs a VAE (vae, unet_vae)")
        self.model = model
        self.photo = fit_within(to_rgb_uint8(photo), max_side)
        self.gray = gray_image(self.photo)
        self.temperature = float(temperature)
        self.work_size = work_size
        self.draws = 0
        self._seed = int(seed)
        self._current = self._sample()

    def _sample(self) -> np.ndarray:
        from colorkit.colorize import colorize_image

        return colorize_image(self.model, self.photo, work_size=self.work_size, sample_seed=self._seed,
                              temperature=self.temperature)

    @property
    def seed(self) -> int:
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        self._seed = int(value)
        self._current = self._sample()
        self.refresh()

    def draw(self) -> np.ndarray:
        """Draw another colorization (the next seed); returns it."""
        self.draws += 1
        self.seed = self._seed + 1
        return self._current

    @property
    def current(self) -> np.ndarray:
        return self._current

    def render(self) -> np.ndarray:
        return side_by_side([self.gray, self._current])

    def caption(self) -> list[str]:
        return [f"gray input | VAE draw with seed {self._seed} (temperature {self.temperature:g}); "
                f"{self.draws} redraw(s) so far"]

    def _controls(self) -> list:
        import ipywidgets as W

        button = W.Button(description="Draw another colorization", icon="refresh",
                          layout=W.Layout(width="auto"))
        button.on_click(lambda _: self.draw())
        self._button = button
        return [button]


# --------------------------------------------------------------------------------------------------
class TemperatureSlider(PictureWidget):
    """The classification model's annealed mean: a slider for the temperature T (0 = the most likely
    bin per pixel, vivid and blotchy; 1 = the mean, smooth and washed out; 0.38 = Zhang et al.).
    Picture: gray input | colorization at T."""

    def __init__(self, model, photo, temperature: float = 0.38, work_size: int | None = None,
                 max_side: int | None = DEFAULT_MAX_SIDE):
        super().__init__()
        from colorkit.colorize import gray_image

        if not hasattr(model, "predict_ab"):
            raise TypeError(f"{type(model).__name__} has no predict_ab(L, temperature); "
                            "TemperatureSlider needs the classifier (unet_classifier)")
        self.model = model
        self.photo = fit_within(to_rgb_uint8(photo), max_side)
        self.gray = gray_image(self.photo)
        self.work_size = work_size
        self._cache: dict[float, np.ndarray] = {}
        self._temperature = round(float(temperature), 2)
        self._slider = None

    def colorization(self, temperature: float) -> np.ndarray:
        from colorkit.colorize import colorize_image

        t = round(float(temperature), 2)
        if t not in self._cache:
            self._cache[t] = colorize_image(self.model, self.photo, work_size=self.work_size, temperature=t)
        return self._cache[t]

    @property
    def temperature(self) -> float:
        return self._temperature

    @temperature.setter
    def temperature(self, value: float) -> None:
        value = round(float(np.clip(value, 0.0, 1.0)), 2)
        if value == self._temperature:
            return
        self._temperature = value
        if self._slider is not None and abs(self._slider.value - value) > 1e-9:
            self._slider.value = value
        self.refresh()

    def render(self) -> np.ndarray:
        return side_by_side([self.gray, self.colorization(self._temperature)])

    def caption(self) -> list[str]:
        from colorkit.evaluate.metrics import colorfulness

        return [f"gray input | annealed mean at T = {self._temperature:.2f} "
                f"(colorfulness {colorfulness(self.colorization(self._temperature)):.1f})",
                "T -> 0: most likely colour per pixel (vivid, blotchy); T = 1: the mean (washed out)"]

    def _controls(self) -> list:
        self._slider = _slider(self._temperature, "temperature")
        _link(self._slider, lambda v: setattr(self, "temperature", v))
        return [self._slider]
