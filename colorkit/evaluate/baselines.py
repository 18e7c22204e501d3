"""Trivial colorization baselines: every leaderboard row has to beat these to mean anything.

Scored in notebook ``06_evaluate`` by :func:`colorkit.evaluate.evaluate` (the leaderboard's baseline rows); introduced in notebook ``07_colorize_your_photos``, whose slider fits two of them. Each baseline predicts a*b* (LAB units, ``HxWx2`` float32)
from the lightness ``L`` (``HxW``, [0, 100]) of one image, after :meth:`Baseline.fit` on training
photos. The prediction is recombined with the image's own L, like every model's.

* :class:`GrayCopy`: a = b = 0 (keep L). Needs no data. On colourful photos it already reaches
  PSNR ~ 21 / SSIM ~ 0.9, which is why PSNR/SSIM alone say little about colorization.
* :class:`MeanAb`: the training set's mean a*b* everywhere (a constant tint).
* :class:`LightnessLookup`: per-pixel nearest neighbour on lightness: every training pixel votes with
  its ab for its 1-unit L bin, and a pixel gets the mean ab of its bin (sky-bright pixels go bluish,
  dark ones brownish). It uses no context at all.
* :class:`NearestImage`: global nearest neighbour: the training image whose 16x16 L thumbnail is
  closest (Euclidean, after removing the mean) lends its a*b*, resized to the query.

``fit`` accumulates additive statistics per image, so :meth:`Baseline.fit_leave_one_out` can score a
folder of photos against baselines fitted on *all the other* photos when no training split exists.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from colorkit.color import lab_to_rgb, rgb_to_lab

L_BINS = 101  # 1-unit lightness bins for LightnessLookup
THUMB = 16  # thumbnail side for NearestImage


def _lab(img) -> np.ndarray:
    from colorkit.evaluate.metrics import as_rgb_float

    return rgb_to_lab(as_rgb_float(img))


class Baseline:
    """Interface: ``fit(images)``, ``predict_ab(L)``, ``colorize(rgb)``, ``n_params``."""

    name = "baseline"
    needs_fit = True

    def fit(self, images: Iterable) -> "Baseline":
        """Fit on sRGB training photos (uint8 or float ``HxWx3``)."""
        self._stats = [self._image_stats(_lab(im)) for im in images]
        if self.needs_fit and not self._stats:
            raise ValueError(f"{self.name}: fit needs at least one training photo")
        self._set(self._stats, exclude=None)
        return self

    def fit_leave_one_out(self, images: list) -> list["Baseline"]:
        """One fitted copy per image, each fitted on all the *other* images (for a folder with no train split)."""
        stats = [self._image_stats(_lab(im)) for im in images]
        if self.needs_fit and len(stats) < 2:
            raise ValueError(f"{self.name}: leave-one-out needs at least two photos")
        out = []
        for i in range(len(stats)):
            b = type(self)()
            b._set(stats, exclude=i)
            out.append(b)
        return out

    def colorize(self, img) -> np.ndarray:
        """sRGB in -> colorized sRGB float32 ``HxWx3`` (the image's own L with the predicted ab)."""
        lab = _lab(img)
        lab[..., 1:] = self.predict_ab(lab[..., 0])
        return lab_to_rgb(lab)

    # subclasses
    def _image_stats(self, lab: np.ndarray):
        return None

    def _set(self, stats: list, exclude: int | None) -> None:
        pass

    def predict_ab(self, L: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @property
    def n_params(self) -> int:
        return 0


class GrayCopy(Baseline):
    name = "gray copy"
    needs_fit = False

    def predict_ab(self, L):
        return np.zeros((*np.shape(L), 2), np.float32)


class MeanAb(Baseline):
    name = "mean ab"

    def _image_stats(self, lab):
        ab = lab[..., 1:].reshape(-1, 2).astype(np.float64)
        return ab.sum(0), len(ab)

    def _set(self, stats, exclude):
        s = sum(st[0] for i, st in enumerate(stats) if i != exclude)
        n = sum(st[1] for i, st in enumerate(stats) if i != exclude)
        self.mean_ab = (s / max(n, 1)).astype(np.float32)

    def predict_ab(self, L):
        return np.broadcast_to(self.mean_ab, (*np.shape(L), 2)).astype(np.float32)

    @property
    def n_params(self) -> int:
        return 2


class LightnessLookup(Baseline):
    name = "L lookup"

    def _image_stats(self, lab):
        idx = np.clip(np.rint(lab[..., 0]), 0, L_BINS - 1).astype(int).ravel()
        ab = lab[..., 1:].reshape(-1, 2).astype(np.float64)
        sums = np.stack([np.bincount(idx, ab[:, c], L_BINS) for c in range(2)], -1)
        return sums, np.bincount(idx, minlength=L_BINS).astype(np.float64)

    def _set(self, stats, exclude):
        sums = sum(st[0] for i, st in enumerate(stats) if i != exclude)
        counts = sum(st[1] for i, st in enumerate(stats) if i != exclude)
        table = np.zeros((L_BINS, 2))
        seen = counts > 0
        table[seen] = sums[seen] / counts[seen, None]
        if seen.any() and not seen.all():  # unseen lightness: interpolate between seen neighbours
            xs = np.arange(L_BINS)
            for c in range(2):
                table[~seen, c] = np.interp(xs[~seen], xs[seen], table[seen, c])
        self.table = table.astype(np.float32)

    def predict_ab(self, L):
        idx = np.clip(np.rint(L), 0, L_BINS - 1).astype(int)
        return self.table[idx]

    @property
    def n_params(self) -> int:
        return L_BINS * 2


class NearestImage(Baseline):
    name = "nearest image"

    @staticmethod
    def _thumb(L):
        import cv2

        t = cv2.resize(np.asarray(L, np.float32), (THUMB, THUMB), interpolation=cv2.INTER_AREA).ravel()
        return t - t.mean()

    def _image_stats(self, lab):
        import cv2

        ab = cv2.resize(lab[..., 1:].astype(np.float32), (THUMB * 4, THUMB * 4), interpolation=cv2.INTER_AREA)
        return self._thumb(lab[..., 0]), ab

    def _set(self, stats, exclude):
        keep = [st for i, st in enumerate(stats) if i != exclude]
        self.thumbs = np.stack([k[0] for k in keep])
        self.abs = np.stack([k[1] for k in keep])

    def predict_ab(self, L):
        import cv2

        d = ((self.thumbs - self._thumb(L)) ** 2).sum(1)
        ab = self.abs[int(np.argmin(d))]
        h, w = np.shape(L)
        return cv2.resize(ab, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)

    @property
    def n_params(self) -> int:
        return int(self.thumbs.size + self.abs.size)


BASELINES = {"gray copy": GrayCopy, "mean ab": MeanAb, "L lookup": LightnessLookup, "nearest image": NearestImage}
