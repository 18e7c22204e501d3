"""The one table of presets: ``smoke`` (CI, seconds), ``cpu`` (2 cores, minutes), ``gpu`` (Colab A100).

Introduced in notebook ``00_quickstart``. Every notebook's ``parameters`` cell says ``PRESET = "auto"``;
:func:`resolve_preset` turns that into a name (the ``COLORKIT_PRESET`` environment variable if set,
else ``gpu`` on CUDA, else ``cpu``) and :func:`get_preset` into a :class:`Preset`. Notebooks may
override single fields with plain literals: ``get_preset(PRESET, batch_size=8)``. Every override given is
applied, ``None`` included (``max_minutes=None``: no time budget); to keep a preset's value, leave the
field out (a notebook parameter meaning "the preset's default" is filtered by the caller:
``get_preset(PRESET, **({"batch_size": BATCH_SIZE} if BATCH_SIZE else {}))``).
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

PRESET_NAMES = ("smoke", "cpu", "gpu")


@dataclass(frozen=True)
class Preset:
    name: str
    # data
    image_size: int  # side of the square crops the models train on
    max_images: int | None  # images taken from a source when preparing (None: all)
    data_source: str  # default course dataset when online: "samples", "tiny-imagenet" or "coco"
    # model
    base_width: int  # channels of the first U-Net stage (64 in the full-size models of README's "Earlier work")
    depth: int  # number of down-sampling stages of the U-Net family
    pretrained: bool  # ImageNet weights for ResNet encoders
    # training
    batch_size: int
    lr: float
    max_steps: int | None
    max_minutes: float | None
    val_every: int  # validate every N steps
    num_workers: int
    amp: bool  # mixed precision (used on CUDA only)
    channels_last: bool
    compile: bool
    # evaluation
    eval_images: int
    extra: dict = field(default_factory=dict)

    def replace(self, **overrides) -> "Preset":
        """A copy with the given fields changed, every one of them: ``None`` sets ``None`` (e.g.
        ``max_minutes=None`` removes the time budget). Nothing is silently ignored: unknown names, and
        ``None`` for a field that cannot be ``None`` (``batch_size``, ...), are errors. To keep the preset's
        value, leave the field out."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        unknown = set(overrides) - set(fields)
        if unknown:
            raise TypeError(f"unknown preset field(s) {sorted(unknown)}; known: {sorted(fields)}")
        not_optional = sorted(k for k, v in overrides.items() if v is None and not _optional(fields[k]))
        if not_optional:
            raise TypeError(f"preset field(s) {not_optional} cannot be None; leave them out to keep the "
                            f"{self.name!r} preset's value")
        return dataclasses.replace(self, **overrides)


def _optional(f: dataclasses.Field) -> bool:
    """Whether a :class:`Preset` field's annotation admits ``None`` (``int | None``)."""
    t = f.type if isinstance(f.type, str) else repr(f.type)
    return "None" in t or "Optional" in t


PRESETS: dict[str, Preset] = {
    "smoke": Preset(
        name="smoke", image_size=32, max_images=24, data_source="samples",
        base_width=8, depth=2, pretrained=False,
        batch_size=4, lr=2e-3, max_steps=4, max_minutes=0.5, val_every=2, num_workers=0,
        amp=False, channels_last=False, compile=False, eval_images=4,
        extra={"model_kwargs": {"baseline_cnn": {"width": 16}, "resnet_baseline": {"width": 8},
                                "resnet_unet": {"decoder_width": 8}}},
    ),
    "cpu": Preset(
        name="cpu", image_size=64, max_images=20000, data_source="tiny-imagenet",
        base_width=16, depth=4, pretrained=False,
        batch_size=32, lr=2e-3, max_steps=None, max_minutes=10.0, val_every=200, num_workers=0,
        amp=False, channels_last=True, compile=False, eval_images=200,
        # measured on 2 cores (notebook 03): a narrow U-Net sees 4x more photos than width 32 in the same
        # minutes; starting at the gray copy (zero-initialized ab head) and L1 beat the gray copy's ΔE2000.
        # unet stem="half": no double conv at full resolution (L is the last skip, same stride 16), ~1/5 of
        # the FLOPs, so more steps in the same minutes (speed: benchmarks/train_step.py; steps and ΔE2000
        # of both stems against the gray copy: benchmarks/recipe_trials.md and
        # colorkit/course/records/03_stem_15min.json)
        # unet_gan is the same U-Net (notebook 05 fine-tunes notebook 03's unet as the GAN's generator)
        extra={"loss": "l1", "model_kwargs": {"unet": {"zero_init_head": True, "stem": "half"},
                                              "unet_gan": {"zero_init_head": True, "stem": "half"},
                                              "unet_classifier": {"stem": "half"},  # same body as unet
                                              # lesson 02's baselines, sized against base_width
                                              "baseline_cnn": {"width": 32}, "resnet_baseline": {"width": 16},
                                              "resnet_unet": {"decoder_width": 16},
                                              # the hint network: the same U-Net body, L + hints + propagation in
                                              "unet_hints": {"stem": "half"}}},
    ),
    "gpu": Preset(
        name="gpu", image_size=256, max_images=10000, data_source="coco",
        base_width=64, depth=4, pretrained=True,
        batch_size=32, lr=2e-4, max_steps=None, max_minutes=60.0, val_every=500, num_workers=4,
        amp=True, channels_last=True, compile=False, eval_images=1000,
        # stem="half": the double convolutions at H/2 (about 1/4 of the FLOPs; not timed on a GPU here)
        extra={"model_kwargs": {"unet": {"stem": "half"}, "unet_gan": {"stem": "half"},
                                "unet_classifier": {"stem": "half"}, "baseline_cnn": {"width": 128},
                                "resnet_baseline": {"width": 64}, "resnet_unet": {"decoder_width": 64},
                                "unet_hints": {"stem": "half"}}},
    ),
}


def resolve_preset(name: str = "auto") -> str:
    """``auto`` -> ``$COLORKIT_PRESET`` if set, else ``gpu`` when CUDA is available, else ``cpu``."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        env = os.environ.get("COLORKIT_PRESET", "").strip().lower()
        if env:
            name = env
        else:
            from colorkit.runtime import cuda_available

            name = "gpu" if cuda_available() else "cpu"
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESET_NAMES)} or 'auto'")
    return name


def get_preset(name: str = "auto", **overrides) -> Preset:
    """The :class:`Preset` for ``name`` (resolved as in :func:`resolve_preset`), with overrides applied."""
    return PRESETS[resolve_preset(name)].replace(**overrides)


def preset_table() -> list[dict]:
    """The table as rows (for notebooks and the README)."""
    return [dataclasses.asdict(p) for p in PRESETS.values()]
