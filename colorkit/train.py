"""The one training engine, used by every notebook and by ``colorkit train`` (introduced in notebook
``02_baseline_cnn``).

``train(config, train_data, val_data)`` runs any :class:`~colorkit.objectives.base.Objective` (``regression``
here; VAE and GAN objectives plug in the same way) with:

* AdamW/Adam and a progress-driven schedule (one-cycle by default) that works for a step budget
  (``max_steps``) or a time budget (``max_minutes``), whichever ends first;
* mixed precision (bf16, or fp16 with grad scaling) on CUDA only, channels_last, optional ``torch.compile``,
  gradient clipping;
* validation every ``val_every`` steps on a fixed set of held-out images, with a sample grid (gray / predicted
  / true) logged to TensorBoard (``<out_dir>/tb``), tqdm progress and a live loss plot inside notebooks;
* atomic checkpoints (``<out_dir>/last.pt``) holding networks, optimizers, grad scalers, schedule progress,
  step, RNG states (torch, numpy, python) and the config, all as plain data (``torch.load(weights_only=True)``);
  ``resume=True`` continues an interrupted run to exactly the weights of an uninterrupted one on CPU (the
  data order is a function of ``seed`` and the step; with ``num_workers=0``, which the presets use on CPU);
  Ctrl-C / a notebook interrupt saves a checkpoint first;
* a NaN/inf loss stops training *before* the bad update with a clear message
  (:class:`~colorkit.objectives.base.NonFiniteLossError`); the last good checkpoint is left untouched;
* the same code under ``torchrun --nproc_per_node N`` with DistributedDataParallel (gloo on CPU, nccl on
  CUDA): ``batch_size`` is the *global* batch, each rank takes its slice of the same batches a single process
  would use; only rank 0 logs and saves.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from colorkit.checkpoint import (
    FORMAT,
    load_checkpoint,
    save_checkpoint,
)
from colorkit.objectives.base import NonFiniteLossError, get_objective  # noqa: F401  (re-exported)

CHECKPOINT_NAME = "last.pt"


# --------------------------------------------------------------------------------------------------- config
@dataclass
class TrainConfig:
    """Everything a run depends on, as plain data (it is stored in the checkpoint)."""

    model: str = "unet"
    model_kwargs: dict = field(default_factory=dict)
    objective: str = "regression"
    loss: str = "l1"
    optimizer: str = "adamw"
    lr: float = 2e-3
    betas: tuple = (0.9, 0.999)
    weight_decay: float = 1e-4
    schedule: str = "onecycle"  # onecycle | cosine | constant (see colorkit.objectives.base.lr_factor)
    warmup: float = 0.1  # fraction of the budget spent warming up (onecycle)
    batch_size: int = 32  # global batch (split over DDP ranks)
    max_steps: int | None = None
    max_minutes: float | None = None
    val_every: int = 200
    eval_images: int = 200  # held-out images scored at each validation
    n_visuals: int = 8  # images in the fixed sample grid
    log_every: int = 10
    save_every: int | None = None  # default: at each validation
    seed: int = 0
    amp: bool = True  # CUDA only; bf16 where supported, else fp16 + grad scaling
    channels_last: bool = False
    compile: bool = False
    grad_clip: float | None = None
    num_workers: int = 0
    num_threads: int = 0  # torch CPU threads; 0: auto (see cpu_threads_for_training)
    hflip: bool = True  # random horizontal flips of the batch (a cheap augmentation, seeded)
    device: str = "auto"
    out_dir: str = "runs/train"
    live_plot: str | bool = "auto"  # "auto": in notebooks only
    tensorboard: bool = True
    progress_bar: bool = True
    extra: dict = field(default_factory=dict)  # objective-specific settings (GAN weights, KL beta, ...)

    def __post_init__(self):
        if self.max_steps is None and self.max_minutes is None:
            raise ValueError("set a budget: max_steps and/or max_minutes")
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.betas = tuple(self.betas)

    @classmethod
    def from_preset(cls, preset, model: str = "unet", **overrides) -> "TrainConfig":
        """A config from a :class:`~colorkit.presets.Preset` (or its name). Model keyword arguments the
        constructor accepts (``base_width``, ``depth``, ``pretrained``, ...) come from the preset and its
        ``extra["model_kwargs"][model]``; ``overrides`` (including ``model_kwargs``) win."""
        from colorkit.presets import Preset, get_preset

        p = preset if isinstance(preset, Preset) else get_preset(preset)
        extra = dict(p.extra or {})
        kw = default_model_kwargs(model, p)
        kw.update(overrides.pop("model_kwargs", None) or {})
        fields = {f.name for f in dataclasses.fields(cls)}
        from colorkit.objectives.base import (
            default_objective,  # gan/unet_gan -> "gan", vae/unet_vae -> "vae"
        )

        values = dict(
            model=model, model_kwargs=kw, objective=default_objective(model),
            batch_size=p.batch_size, lr=p.lr, max_steps=p.max_steps,
            max_minutes=p.max_minutes, val_every=p.val_every, eval_images=p.eval_images, num_workers=p.num_workers,
            amp=p.amp, channels_last=p.channels_last, compile=p.compile,
        )
        values.update({k: v for k, v in extra.items() if k in fields and k not in ("model_kwargs", "extra")})
        unknown = set(overrides) - fields
        if unknown:
            raise TypeError(f"unknown TrainConfig field(s) {sorted(unknown)}; known: {sorted(fields)}")
        values.update({k: v for k, v in overrides.items()})
        return cls(**values)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["betas"] = list(self.betas)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in fields})


def default_model_kwargs(model: str, preset) -> dict:
    """The preset's size settings that ``model``'s constructor accepts, plus ``preset.extra["model_kwargs"]``."""
    from colorkit.models import _REGISTRY, _load_all

    _load_all()
    if model not in _REGISTRY:
        raise KeyError(f"unknown model {model!r}; available: {', '.join(sorted(_REGISTRY))}")
    params = inspect.signature(_REGISTRY[model]).parameters
    kw = {k: getattr(preset, k) for k in ("base_width", "depth", "pretrained") if k in params}
    per_model = (preset.extra or {}).get("model_kwargs", {})
    kw.update({k: v for k, v in per_model.get(model, {}).items() if k in params})
    return kw


@dataclass
class TrainResult:
    """What :func:`train` returns: the trained objective (``.model`` is the plain generator), the logs and
    where the checkpoint is."""

    objective: object
    config: TrainConfig
    step: int
    images_seen: int
    elapsed_s: float
    stop_reason: str  # "max_steps", "max_minutes", "interrupted"
    history: list = field(default_factory=list)  # [{"step", "lr", <loss names>...}] every log_every steps
    val_history: list = field(default_factory=list)  # [{"step", "val_..."}]
    checkpoint: str | None = None
    sample_grid: np.ndarray | None = None  # H x W x 3 float image of the last validation's grid

    @property
    def model(self):
        return self.objective.networks["generator"]

    @property
    def images_per_second(self) -> float:
        return self.images_seen / max(self.elapsed_s, 1e-9)

    def predict(self, L_norm):
        """Normalized L -> normalized ab with the trained generator (eval mode)."""
        self.objective.train_mode(False)
        return self.objective.predict(L_norm.to(self.objective.device)).cpu()


# --------------------------------------------------------------------------------------------------- data
class StepBatchSampler(torch.utils.data.Sampler):
    """Infinite batches whose content is a pure function of ``(seed, step)``: the index stream is the
    concatenation of one seeded permutation per epoch, cut into global batches of ``batch_size``; rank
    ``r`` of ``world`` takes the ``r``-th contiguous slice. Starting at ``start_step`` continues exactly
    where an interrupted run stopped (this replaces ``DistributedSampler``, which only knows epochs)."""

    def __init__(self, n: int, batch_size: int, seed: int = 0, start_step: int = 0, rank: int = 0, world: int = 1):
        if n < 1:
            raise ValueError("the training data is empty")
        if batch_size % world:
            raise ValueError(f"batch_size {batch_size} must be divisible by the number of processes ({world})")
        self.n, self.batch_size, self.seed = n, batch_size, seed
        self.start_step, self.rank, self.world = start_step, rank, world
        self._perm_cache: dict[int, torch.Tensor] = {}

    def _perm(self, epoch: int) -> torch.Tensor:
        if epoch not in self._perm_cache:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._perm_cache = {epoch: torch.randperm(self.n, generator=g)}
        return self._perm_cache[epoch]

    def global_batch(self, step: int) -> list[int]:
        out, pos = [], step * self.batch_size
        while len(out) < self.batch_size:
            epoch, off = divmod(pos, self.n)
            take = min(self.batch_size - len(out), self.n - off)
            out += self._perm(epoch)[off:off + take].tolist()
            pos += take
        return out

    def __iter__(self):
        step, per = self.start_step, self.batch_size // self.world
        while True:
            yield self.global_batch(step)[self.rank * per:(self.rank + 1) * per]
            step += 1

    def __len__(self):  # infinite in principle; a large number keeps DataLoader happy
        return 2**62


def as_dataset(data):
    """A map-style dataset of ``(L_norm 1xHxW, ab_norm 2xHxW)`` items from: a Dataset, or a pair of tensors
    ``(L N1HW, ab N2HW)``."""
    if data is None:
        return None
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(torch.is_tensor(t) for t in data):
        L, ab = data
        if L.ndim != 4 or ab.ndim != 4 or L.shape[1] != 1 or ab.shape[1] != 2 or len(L) != len(ab):
            raise ValueError(f"expected (L N x 1 x H x W, ab N x 2 x H x W), got {tuple(L.shape)}, {tuple(ab.shape)}")
        return torch.utils.data.TensorDataset(L.float(), ab.float())
    if hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        return data
    raise TypeError(
        "train_data must be a map-style Dataset returning (L_norm, ab_norm) (e.g. colorkit.data ShardDataset) "
        f"or a pair of tensors (L, ab); got {type(data).__name__}"
    )


def fixed_batches(dataset, n: int, batch_size: int) -> list:
    """The first ``n`` items of ``dataset`` as a list of batches (the fixed validation set)."""
    n = min(n, len(dataset))
    items = [dataset[i] for i in range(n)]
    batches = []
    for i in range(0, n, batch_size):
        chunk = items[i:i + batch_size]
        batches.append(tuple(torch.stack([torch.as_tensor(c[k]) for c in chunk]) for k in range(2)))
    return batches


# --------------------------------------------------------------------------------------------------- RNG state
def rng_state() -> dict:
    """torch, numpy and python RNG states as plain data (tensors, ints, lists)."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    st = {
        "torch": torch.get_rng_state(),
        "numpy": {"key": torch.from_numpy(np_state[1].astype(np.int64)), "pos": int(np_state[2]),
                  "has_gauss": int(np_state[3]), "cached_gaussian": float(np_state[4])},
        "python": {"version": py_state[0], "state": list(py_state[1]), "gauss": py_state[2]},
    }
    if torch.cuda.is_available():
        st["cuda"] = torch.cuda.get_rng_state_all()
    return st


def set_rng_state(st: dict) -> None:
    torch.set_rng_state(st["torch"].cpu())
    n = st["numpy"]
    np.random.set_state(("MT19937", n["key"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached_gaussian"]))
    p = st["python"]
    random.setstate((p["version"], tuple(p["state"]), p["gauss"]))
    if "cuda" in st and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in st["cuda"]])


# --------------------------------------------------------------------------------------------------- distributed
@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    initialized_here: bool = False

    @property
    def main(self) -> bool:
        return self.rank == 0


def init_distributed(device_type: str) -> Dist:
    """Join the process group when started by ``torchrun`` (``WORLD_SIZE`` > 1): gloo on CPU, nccl on CUDA."""
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1 and not (dist.is_available() and dist.is_initialized()):
        return Dist()
    here = False
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device_type == "cuda" else "gloo")
        here = True
    return Dist(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")), here)


# --------------------------------------------------------------------------------------------------- live plot
def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        ip = get_ipython()
        return ip is not None and hasattr(ip, "kernel")
    except Exception:
        return False


class LivePlot:
    """A matplotlib figure of the training and validation losses, redrawn in place in a notebook."""

    def __init__(self, title: str = ""):
        from IPython.display import display

        self.title = title
        self.handle = display(None, display_id=True)

    def update(self, history: list, val_history: list, names) -> None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 3))
        for name in names:
            pts = [(h["step"], h[name]) for h in history if name in h]
            if pts:
                ax.plot(*zip(*pts), label=name, alpha=0.8)
        vnames = sorted({k for v in val_history for k in v if k.startswith("val_")})
        for name in vnames:
            pts = [(v["step"], v[name]) for v in val_history if name in v]
            ax.plot(*zip(*pts), "o-", label=name)
        ax.set_xlabel("step")
        ax.set_yscale("log")
        ax.set_title(self.title)
        ax.legend(fontsize=8)
        fig.tight_layout()
        self.handle.update(fig)
        plt.close(fig)


# --------------------------------------------------------------------------------------------------- engine
def _device(config: TrainConfig, d: Dist) -> torch.device:
    from colorkit.runtime import get_device

    dev = get_device(config.device)
    if dev.type == "cuda" and d.world > 1:
        dev = torch.device("cuda", d.local_rank)
        torch.cuda.set_device(dev)
    return dev


_THREADS = {"default": None, "set": None}  # torch's thread count before colorkit changed it, and what it set


def _default_threads() -> int:
    """torch's thread count as the user left it: what it is now, unless it is what :func:`train` last set
    (then the count from before that), so a busy moment does not pin every later run to 1 thread."""
    now = torch.get_num_threads()
    if _THREADS["default"] is None or now != _THREADS["set"]:
        _THREADS["default"] = now
    return _THREADS["default"]


def _set_threads(n: int) -> None:
    _default_threads()  # remember the user's count first
    torch.set_num_threads(n)
    _THREADS["set"] = n


def cpu_threads_for_training(read_stat=None, own_cpu=None, interval: float = 0.3) -> int:
    """torch's default thread count, or 1 when *other* processes already keep the CPUs busy (about
    ``cores - 0.5`` of the cores this process may use, measured now over ``interval`` seconds by
    :func:`colorkit.runtime.other_processes_cpu`; torch's default where that cannot be measured).

    Measured on a shared 2-core machine under load: a small U-Net trained 5x *slower* with 2 threads than
    with 1, because OpenMP threads wait at every barrier for a sibling the OS has descheduled. The load
    average is not used: it still holds colorkit's own previous run (and the previous notebook kernel of
    ``make run``) for a minute, which sent every training after the first to 1 thread on an idle machine.
    ``read_stat`` / ``own_cpu``: see :func:`~colorkit.runtime.other_processes_cpu` (tests)."""
    from colorkit.runtime import other_processes_cpu

    default = _default_threads()
    sample = other_processes_cpu(interval, read_stat=read_stat, own_cpu=own_cpu)
    _THREADS["sample"] = sample
    if sample is None:
        return default
    others, cores = sample
    return 1 if others >= cores - 0.5 else default


def _amp_dtype(config: TrainConfig, device: torch.device):
    if not config.amp or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _flip(batch, step: int, seed: int):
    """Deterministic horizontal flip of the whole batch on odd (seed+step) draws: cheap augmentation that
    depends only on the step, so resume stays exact."""
    if (step * 2654435761 + seed) % 4 < 2:
        return batch
    return tuple(t.flip(-1) if torch.is_tensor(t) and t.ndim == 4 else t for t in batch)


def _sample_grid(objective, batch) -> np.ndarray:
    import torchvision

    vis = objective.visuals(batch)
    rows = [vis[n].float().cpu().clamp(0, 1) for n in objective.visual_names if n in vis]
    grid = torchvision.utils.make_grid(torch.cat(rows), nrow=len(rows[0]), padding=2, pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def _validate(objective, batches) -> dict:
    objective.train_mode(False)
    sums, n = {}, 0
    try:
        for b in batches:
            b = objective.to_device(b)
            logs = objective.validation_step(b)
            k = len(b[0])
            for key, v in logs.items():
                sums[key] = sums.get(key, 0.0) + float(v) * k
            n += k
    finally:
        objective.train_mode(True)
    return {k: v / max(n, 1) for k, v in sums.items()}


def checkpoint_dict(objective, config: TrainConfig, step: int, elapsed_s: float, images_seen: int,
                    history: list, val_history: list, image_size: int | None = None) -> dict:
    """The checkpoint layout of :mod:`colorkit.checkpoint` filled from a running objective.

    ``image_size``: the side of the training images (recorded in the card as ``image_size``: colorization
    predicts at that scale by default, see :func:`colorkit.checkpoint.train_image_size`)."""
    import torch as _t

    from colorkit import __version__

    st = objective.state_dict()
    return {
        "format": FORMAT,
        "model": {"name": config.model, "kwargs": dict(config.model_kwargs)},
        "objective": config.objective,
        "state": st["state"],
        "optim": st["optim"],
        "scaler": st["scaler"],
        "sched": {"schedule": config.schedule, "progress": float(objective.progress)},
        "step": int(step),
        "rng": rng_state(),
        "config": config.to_dict(),
        "progress": {"elapsed_s": float(elapsed_s), "images_seen": int(images_seen)},
        "history": {"train": history, "val": val_history},
        "card": {
            "colorkit": __version__, "torch": str(_t.__version__), "model": config.model, "objective": config.objective,
            "loss": config.loss, "steps": int(step), "images_seen": int(images_seen),
            "train_minutes": round(elapsed_s / 60, 2), "val": val_history[-1] if val_history else {},
            "saved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **({"image_size": int(image_size)} if image_size else {}),
        },
    }


def _check_compatible(ckpt: dict, config: TrainConfig, path: Path) -> None:
    old = ckpt.get("config", {})
    for key in ("model", "objective"):
        if old.get(key) != getattr(config, key):
            raise ValueError(
                f"{path} was trained with {key}={old.get(key)!r} but this run asks for {getattr(config, key)!r}: "
                "use another out_dir, or resume=False to start over (the old checkpoint is then overwritten)"
            )
    for key in ("loss", "extra"):  # a changed loss or objective setting would be silently ignored otherwise
        if key in old and old[key] != config.to_dict()[key]:
            raise ValueError(f"{path} was trained with {key}={old[key]!r} but this run asks for "
                             f"{config.to_dict()[key]!r}: use another out_dir, or resume=False to start over")
    old_kw = {k: v for k, v in (old.get("model_kwargs") or {}).items() if k != "pretrained"}
    new_kw = {k: v for k, v in config.model_kwargs.items() if k != "pretrained"}
    if old_kw != new_kw:
        raise ValueError(f"{path} was trained with model_kwargs={old_kw} but this run asks for {new_kw}: "
                         "use another out_dir, or resume=False")


def train(config: TrainConfig, train_data, val_data=None, resume: bool = True, callbacks=()) -> TrainResult:
    """Train ``config.objective`` on ``train_data`` (a Dataset of ``(L_norm, ab_norm)`` or a pair of tensors)
    until ``max_steps`` or ``max_minutes``; validate on the first ``eval_images`` of ``val_data``.

    ``resume=True`` continues from ``<out_dir>/last.pt`` if it exists (same model and objective required).
    ``callbacks``: functions ``cb(step, logs, objective)`` called after every step (on rank 0 only for
    logging; they run on every rank). Returns a :class:`TrainResult`.
    """
    run = _Run(config, train_data, val_data, resume)
    stop_reason = run.loop(callbacks)
    return run.finish(stop_reason)


def _start_device(config: TrainConfig) -> tuple[Dist, torch.device]:
    """Join the process group if any, pick the device and, on CPU, the torch thread count."""
    dev_type = "cuda" if (config.device in ("auto", "cuda") and torch.cuda.is_available()) else "cpu"
    if str(config.device).startswith("cuda"):
        dev_type = "cuda"
    d = init_distributed(dev_type)
    device = _device(config, d)
    if device.type == "cpu":
        _use_cpu_threads(config, d)
    return d, device


def _use_cpu_threads(config: TrainConfig, d: Dist) -> None:
    """Set torch's CPU thread count for training (``num_threads``, or :func:`cpu_threads_for_training`)."""
    threads = config.num_threads or cpu_threads_for_training()
    if threads == torch.get_num_threads():
        return
    if d.main:
        why = "asked for"
        if not config.num_threads:
            sample = _THREADS.get("sample")
            why = ("other processes use {:.1f} of {} CPUs".format(*sample) if sample
                   else "torch's default")
        print(f"[colorkit.train] using {threads} CPU thread(s) ({why}; set num_threads to choose)")
    _set_threads(threads)


def _resume_checkpoint(config: TrainConfig, ckpt_path: Path, resume: bool) -> dict | None:
    """The checkpoint to continue from (checked against ``config``), or None to start over."""
    if not (resume and ckpt_path.exists()):
        return None
    ckpt = load_checkpoint(ckpt_path, map_location="cpu")
    _check_compatible(ckpt, config, ckpt_path)
    return ckpt


def _build_objective(config: TrainConfig, resuming: bool):
    """Seed everything, then build the objective and its networks (no pretrained download when resuming)."""
    from colorkit.runtime import seed_everything

    seed_everything(config.seed)
    obj_cls = get_objective(config.objective)
    build_config = config
    if resuming and config.model_kwargs.get("pretrained"):  # weights come from the checkpoint
        build_config = dataclasses.replace(config, model_kwargs={**config.model_kwargs, "pretrained": False})
    networks = obj_cls.build_networks(build_config)
    return obj_cls(networks, config)


def _net_wrapper(config: TrainConfig, d: Dist, device: torch.device):
    """The ``wrap(name, net)`` the objective applies to its trainable networks: DDP and/or torch.compile."""

    def wrap(name, net):
        if not any(p.requires_grad for p in net.parameters()):
            return net
        if d.world > 1:
            from torch.nn.parallel import DistributedDataParallel as DDP

            net = DDP(net, device_ids=[device.index] if device.type == "cuda" else None)
        if config.compile:
            net = torch.compile(net)
        return net

    return wrap


def _open_writer(config: TrainConfig, d: Dist, out_dir: Path, step: int):
    """A TensorBoard writer on rank 0 (None when off or when tensorboard is missing)."""
    if not (d.main and config.tensorboard):
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter

        return SummaryWriter(str(out_dir / "tb"), purge_step=step or None)
    except Exception as e:  # tensorboard missing: log and go on
        print(f"[colorkit.train] TensorBoard logging off ({e}); pip install tensorboard to enable it")
        return None


def _open_live_plot(config: TrainConfig, d: Dist):
    """A :class:`LivePlot` on rank 0 when asked for (or in a notebook), else None."""
    if not (d.main and (config.live_plot is True or (config.live_plot == "auto" and _in_notebook()))):
        return None
    try:
        return LivePlot(f"{config.model} / {config.objective} ({config.loss})")
    except Exception:
        return None


class _Run:
    """The state of one :func:`train` call: setup and resume, the step loop, validation, checkpoints, finish."""

    def __init__(self, config: TrainConfig, train_data, val_data, resume: bool):
        self.config = config
        self.d, self.device = _start_device(config)
        self.out_dir = Path(config.out_dir)
        self.ckpt_path = self.out_dir / CHECKPOINT_NAME
        self.train_ds = as_dataset(train_data)
        # the side the model learns at, recorded in the checkpoint: colorization predicts at that scale by default
        self.image_size = int(max(self.train_ds[0][0].shape[-2:])) if len(self.train_ds) else None
        self.val_ds = as_dataset(val_data)
        ckpt = _resume_checkpoint(config, self.ckpt_path, resume)
        self.objective = _build_objective(config, ckpt is not None)
        self._restore(ckpt)
        del ckpt
        self._make_data()
        self.writer = _open_writer(config, self.d, self.out_dir, self.step)
        self.live = _open_live_plot(config, self.d)
        self.max_s = config.max_minutes * 60 if config.max_minutes else None
        self.save_every = config.save_every or config.val_every
        self.grid, self.saved, self.running = None, None, {}
        self.t_start = None  # set when the loop starts

    def _restore(self, ckpt: dict | None) -> None:
        """Counters, logs and weights from ``ckpt``; set up the objective; then the RNG states (exact resume)."""
        self.step, self.elapsed0, self.images_seen, self.history, self.val_history = 0, 0.0, 0, [], []
        if ckpt is not None:
            self.objective.load_state_dict({k: ckpt.get(k) for k in ("state", "optim", "scaler")})
            self.step = int(ckpt["step"])
            self.elapsed0 = float(ckpt.get("progress", {}).get("elapsed_s", 0.0))
            self.images_seen = int(ckpt.get("progress", {}).get("images_seen", 0))
            self.history = list(ckpt.get("history", {}).get("train", []))
            self.val_history = list(ckpt.get("history", {}).get("val", []))
        wrap = _net_wrapper(self.config, self.d, self.device)
        self.objective.setup(self.device, _amp_dtype(self.config, self.device), self.config.channels_last, wrap)
        if ckpt is not None:
            set_rng_state(ckpt["rng"])

    def _make_data(self) -> None:
        """The step-seeded training loader, the fixed validation batches and the fixed sample-grid batch."""
        cfg, d = self.config, self.d
        sampler = StepBatchSampler(len(self.train_ds), cfg.batch_size, cfg.seed, self.step, d.rank, d.world)
        self.loader = torch.utils.data.DataLoader(
            self.train_ds, batch_sampler=sampler, num_workers=cfg.num_workers,
            pin_memory=self.device.type == "cuda", persistent_workers=cfg.num_workers > 0,
        )
        val_ds = self.val_ds
        self.val_batches = fixed_batches(val_ds, cfg.eval_images, max(1, cfg.batch_size)) if val_ds is not None else []
        self.vis_batch = fixed_batches(val_ds or self.train_ds, cfg.n_visuals, cfg.n_visuals)[0]

    def _elapsed(self) -> float:
        """Seconds trained so far, this call and the runs it resumes."""
        return self.elapsed0 + time.perf_counter() - self.t_start

    def _progress(self, st: int, el: float) -> float:
        """The fraction of the budget spent (the larger of steps and time), the same on every rank."""
        import torch.distributed as tdist

        cfg, p = self.config, 0.0
        if cfg.max_steps:
            p = max(p, st / cfg.max_steps)
        if self.max_s:
            p = max(p, el / self.max_s)
        if self.d.world > 1:  # every rank must stop at the same step
            t = torch.tensor([p], dtype=torch.float64)
            tdist.broadcast(t, 0)
            p = float(t)
        return p

    def loop(self, callbacks) -> str:
        """Take steps until the budget is spent (or Ctrl-C); returns the stop reason."""
        from tqdm.auto import tqdm

        cfg = self.config
        self.objective.train_mode(True)
        self.t_start = time.perf_counter()
        bar = tqdm(total=cfg.max_steps, initial=self.step, disable=not (self.d.main and cfg.progress_bar),
                   desc=f"train {cfg.model}", dynamic_ncols=True)
        stop_reason = "max_steps"
        try:
            it = iter(self.loader)
            while True:
                p = self._progress(self.step, self._elapsed())
                if p >= 1.0:
                    stop_reason = "max_steps" if cfg.max_steps and self.step >= cfg.max_steps else "max_minutes"
                    break
                self._one_step(it, p, callbacks, bar)
        except KeyboardInterrupt:
            stop_reason = "interrupted"
            print(f"[colorkit.train] interrupted at step {self.step}: saving a checkpoint, resume with resume=True")
        finally:
            bar.close()
        return stop_reason

    def _one_step(self, it, p: float, callbacks, bar) -> None:
        """One optimization step at progress ``p``, then logging, validation and checkpoint when due."""
        cfg, objective = self.config, self.objective
        objective.set_progress(p)
        batch = objective.to_device(_flip(next(it), self.step, cfg.seed) if cfg.hflip else next(it))
        logs = objective.training_step(batch, self.step)
        self.step += 1
        self.images_seen += cfg.batch_size
        for k, v in logs.items():
            self.running.setdefault(k, []).append(float(v))
        for cb in callbacks:
            cb(self.step, logs, objective)
        if self.d.main and (self.step % cfg.log_every == 0):
            self._log(bar)
        bar.update(1)
        if self.step % cfg.val_every == 0:
            self.validate()
        if self.step % self.save_every == 0:
            self.save(self._elapsed())

    def _log(self, bar) -> None:
        """Average the losses since the last log into ``history``, TensorBoard and the progress bar."""
        step, objective = self.step, self.objective
        rec = {"step": step, "lr": objective.optimizers["generator"].param_groups[0]["lr"]
               if "generator" in objective.optimizers else None}
        rec.update({k: float(np.mean(v)) for k, v in self.running.items()})
        self.running = {}
        self.history.append(rec)
        if self.writer is not None:
            for k, v in rec.items():
                if k != "step" and v is not None:
                    self.writer.add_scalar(f"train/{k}", v, step)
        bar.set_postfix({k: f"{v:.4f}" for k, v in rec.items() if k not in ("step", "lr") and v is not None})

    def save(self, elapsed: float) -> None:
        """Write the checkpoint at the current step (rank 0 only)."""
        if self.d.main:
            save_checkpoint(checkpoint_dict(self.objective, self.config, self.step, elapsed, self.images_seen,
                                            self.history, self.val_history, self.image_size), self.ckpt_path)
            self.saved = str(self.ckpt_path)

    def validate(self) -> None:
        """Score the fixed validation batches and draw the sample grid (rank 0 only); log both."""
        if not self.d.main:
            return
        st, objective = self.step, self.objective
        vlogs = _validate(objective, self.val_batches) if self.val_batches else {}
        vlogs = {"step": st, **vlogs}
        self.val_history.append(vlogs)
        objective.train_mode(False)
        try:
            self.grid = _sample_grid(objective, objective.to_device(self.vis_batch))
        finally:
            objective.train_mode(True)
        if self.writer is not None:
            for k, v in vlogs.items():
                if k != "step":
                    self.writer.add_scalar(f"val/{k}", v, st)
            self.writer.add_image("samples (gray / predicted / true)", self.grid, st, dataformats="HWC")
            self.writer.flush()
        if self.live is not None:
            self.live.update(self.history, self.val_history, objective.loss_names)

    def finish(self, stop_reason: str) -> TrainResult:
        """Last validation and checkpoint, close the loggers and the process group; the :class:`TrainResult`."""
        import torch.distributed as tdist

        elapsed = self._elapsed()
        if not self.val_history or self.val_history[-1]["step"] != self.step:
            self.validate()
        self.save(elapsed)
        if self.writer is not None:
            self.writer.close()
        if self.live is not None:
            self.live.update(self.history, self.val_history, self.objective.loss_names)
        if self.d.world > 1:
            tdist.barrier()
            if self.d.initialized_here:
                tdist.destroy_process_group()
        self.objective.train_mode(False)
        return TrainResult(self.objective, self.config, self.step, self.images_seen, elapsed, stop_reason,
                           self.history, self.val_history, self.saved, self.grid)
