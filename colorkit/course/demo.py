"""A stand-in colorizer for when the course has trained none yet: :func:`train_demo_model`.

Notebook ``07_colorize_your_photos`` calls it when no trained checkpoint exists (the notebook run alone,
e.g. in CI): a small U-Net trained for a minute or two on random crops of photos, through the same
engine (:mod:`colorkit.train`) and data conversion (:func:`colorkit.data.photos.train_tensors`) as every
lesson. It colours only roughly, but every cell of the notebook can run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _demo_photos(source, size: int, limit: int = 512) -> tuple[list, str]:
    """Training photos for :func:`train_demo_model`: the ``train`` split of a prepared ``source`` at its
    stored size, else all built-in colour photos."""
    if source is None:
        from colorkit.data.samples import COLOR_SAMPLES, load_sample

        return [np.array(load_sample(n)) for n in COLOR_SAMPLES], "built-in colour photos"
    import json

    from colorkit.data.photos import load_images

    stored = json.loads((Path(source) / "prepare.json").read_text())["settings"]["size"]
    photos, _ = load_images(source, max(size, int(stored)), split="train", limit=limit)
    return photos, f"train split of {Path(source).name}"


def train_demo_model(preset="auto", steps: int | None = None, minutes: float = 2.0, out_dir=None,
                     crops_per_photo: int = 8, seed: int = 0, source=None):
    """Train a small U-Net on random crops of photos through :mod:`colorkit.train` (``steps``: the
    preset's ``max_steps``, else 150; at most ``minutes``) and return it loaded with :func:`colorkit.load`.
    ``source``: a prepared folder whose ``train`` split it learns from (so its ``test`` split stays held
    out); None: the built-in colour photos. Notebook 07 uses it when no trained checkpoint exists yet (run
    alone, e.g. in CI): it colours only roughly, but every cell can run.
    """
    import torch

    from colorkit.checkpoint import load, make_card, update_card
    from colorkit.course.budgets import as_preset
    from colorkit.data.photos import train_tensors
    from colorkit.paths import runs_dir
    from colorkit.train import TrainConfig, train

    p = as_preset(preset)
    size = p.image_size
    gen = torch.Generator().manual_seed(seed)
    crops = []
    photos, described = _demo_photos(source, size)
    for photo in photos:
        img = torch.from_numpy(np.ascontiguousarray(photo)).permute(2, 0, 1)
        _, h, w = img.shape
        scale = 4 * size / min(h, w)  # crops see a quarter of the photo's short side
        if scale < 1:
            img = torch.nn.functional.interpolate(img[None].float(), scale_factor=scale, mode="area")[0]
            img = img.round_().clamp_(0, 255).to(torch.uint8)
        _, h, w = img.shape
        for _ in range(crops_per_photo if min(h, w) > size else 1):  # a photo at the crop size: one crop
            y = int(torch.randint(0, h - size + 1, (1,), generator=gen))
            x = int(torch.randint(0, w - size + 1, (1,), generator=gen))
            crops.append(img[:, y:y + size, x:x + size].permute(1, 2, 0).numpy())
    L, ab = train_tensors(crops)  # uint8 HWC crops -> normalized L and ab, as every lesson's data
    out_dir = Path(out_dir) if out_dir else runs_dir("demo_model", p.name)
    steps = steps or p.max_steps or 150
    cfg = TrainConfig.from_preset(p, model="unet", max_steps=steps, max_minutes=minutes, out_dir=str(out_dir),
                                  val_every=steps, eval_images=min(8, len(L)), live_plot=False,
                                  tensorboard=False, progress_bar=False, seed=seed)
    result = train(cfg, (L, ab), (L[:8], ab[:8]), resume=False)
    path = Path(result.checkpoint or out_dir / "last.pt")
    card = make_card("unet", cfg.model_kwargs, preset=p.name, steps=result.step,
                     data={"source": described, "crops": len(L), "image_size": size},
                     notes="stand-in trained by colorkit.course.demo.train_demo_model")
    update_card(path, **card)
    return load(path)
