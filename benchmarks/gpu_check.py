"""GPU readiness check: every lesson's ``gpu``-preset run trained for a few steps on one CUDA device.

Run on the device machine, from the repository root (colorkit is imported from this working tree, so it
need not be installed; torch and torchvision must be)::

    python benchmarks/gpu_check.py            # all runs, 20 steps each (5 warm-up steps not timed)

It should take about 3-5 minutes on one H200 (estimated: 16 runs of 20 steps at 256 px, one torch.compile,
two resume checks; not yet timed on a GPU). ``--time-limit`` (540 s) skips what is left after that and
counts it as a failure, so it stays under 10 minutes. Without a CUDA device it refuses with exit status 2.
Test the script itself anywhere with ``python benchmarks/gpu_check.py --cpu-dry-run``: the same code on
CPU, with the ``gpu`` preset's recipe (its model settings, AMP/channels_last flags, the lessons' gpu plans)
at the ``smoke`` preset's sizes, 2 steps per run, under a minute on 2 cores (``--preset smoke`` runs the
smoke preset itself); ``tests/test_gpu_check.py`` runs it.

What it checks, in order:

1. dependencies: colorkit's optional imports (tqdm, pandas, torchmetrics, tensorboard, requests, ...) are
   looked up first and any missing one is reported with what needs it. ``colorkit.train.train`` imports
   tqdm, so without it a no-op stand-in is installed (said so in the output); TensorBoard logging is off.
2. every run the lessons build (``colorkit.course.supervised.lesson_config`` for 02/03, ``colorkit.course.generative``
   ``vae_lesson_configs`` / ``gan_lesson_configs`` for 04/05, ``why_brown.lab_configs`` for 06) with the
   preset's AMP, channels_last and torch.compile settings, on synthetic photos (smooth random colour
   fields at the preset's ``image_size``, nothing is downloaded). ResNet encoders run with
   ``pretrained=False`` (ImageNet weights are not fetched; speed and memory are the same). Per run:
   ``RESULT gpu_<run>_images_per_s`` (steps after the warm-up, CUDA synchronized around the timing) and
   ``RESULT gpu_<run>_peak_mem_gib`` (``torch.cuda.max_memory_allocated`` over the whole run; on CPU the
   process's peak RSS so far), plus the AMP dtype and whether the 3x3 weights really are channels_last.
3. ``torch.compile`` once (lesson 03's U-Net with ``compile=True``: the presets do not compile yet),
   unless ``--no-compile-check``.
4. resume with the grad scaler, for lesson 03's U-Net (one scaler) and lesson 05's U-Net GAN (two): an
   uninterrupted run of N+M steps against a run interrupted after N steps (a KeyboardInterrupt from a
   callback, as a notebook interrupt does) and resumed to N+M. fp16 is forced for this check (bf16 AMP uses
   no scaler) by making ``torch.cuda.is_bf16_supported`` answer False, the engine's own fallback (Colab's
   T4 takes it). Checked: the checkpoint's scaler state (scale, growth tracker) is what the scalers hold
   at the first resumed step, the final scaler states of both runs agree, and so do their per-step
   losses and final weights (within a tolerance on CUDA; exactly on CPU). The dry run enables the grad
   scalers on CPU (the engine enables them for CUDA fp16 only; scaling fp32 by a power of two is exact) so
   that their save/restore is checked there too.

Ends with ``RESULT gpu_check_ok 1``, or ``0`` after ``FAILED ...`` lines naming each failure. Exit status:
0 ok, 1 failures, 2 no CUDA device (and no ``--cpu-dry-run``).
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import importlib.util
import math
import re
import sys
import tempfile
import time
import traceback
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# module -> what in colorkit needs it (all imported lazily by colorkit, so a gap shows only when used)
OPTIONAL_DEPS = {
    "torchvision": "models (ResNet encoders), the training sample grid: REQUIRED here",
    "tqdm": "colorkit.train.train (progress bars; imported on every call)",
    "numpy": "everything: REQUIRED",
    "PIL": "colorkit.data (imported by colorkit.course.generative): REQUIRED here",
    "tensorboard": "TensorBoard logging in colorkit.train (off in this check)",
    "pandas": "lesson tables (why_brown.lab_table, evaluate)",
    "torchmetrics": "FID/KID in colorkit.evaluate.metrics",
    "requests": "colorkit.checkpoint / downloads",
    "skimage": "ΔE2000 in colorkit.evaluate.metrics, built-in samples",
    "cv2": "fast image decoding/resizing in colorkit.data",
    "matplotlib": "plots (viz, live loss plot)",
    "scipy": "FID in colorkit.evaluate.metrics",
}
REQUIRED = ("numpy", "torchvision", "PIL")


def _failed(failures: list, key: str, label: str, e: Exception) -> bool:
    """Note a run that raised: one FAILED entry, a FAIL line with a short traceback; returns False."""
    failures.append(f"{key}: {type(e).__name__}: {e}")
    print(f"FAIL {label}: {type(e).__name__}: {e}")
    traceback.print_exc(limit=6, file=sys.stdout)
    return False

def check_dependencies() -> list[str]:
    """Print one line per dependency; return the missing ones."""
    missing = []
    for mod, why in OPTIONAL_DEPS.items():
        try:
            found = importlib.util.find_spec(mod) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(mod)
            print(f"DEPENDENCY {mod}: MISSING (needed for {why})")
    if not missing:
        print("DEPENDENCY all of colorkit's imports are present")
    return missing


def install_tqdm_stand_in() -> None:
    """colorkit.train imports ``tqdm.auto.tqdm``; progress bars are off here, so a no-op class is enough."""

    class tqdm:  # noqa: N801  (the name colorkit imports)
        def __init__(self, iterable=None, *args, **kwargs):
            self.iterable = iterable

        def __iter__(self):
            return iter(self.iterable or ())

        def update(self, n=1):
            pass

        def set_postfix(self, *args, **kwargs):
            pass

        def close(self):
            pass

    top, auto = types.ModuleType("tqdm"), types.ModuleType("tqdm.auto")
    top.tqdm = auto.tqdm = tqdm
    top.auto = auto
    sys.modules["tqdm"], sys.modules["tqdm.auto"] = top, auto


def slug(text: str) -> str:
    """``"U-Net VAE, no annealing"`` -> ``"unet_vae_no_annealing"``."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower().replace("u-net", "unet")).strip("_")


def result(name: str, value) -> None:
    v = f"{value:.4g}" if isinstance(value, float) else str(value)
    print(f"RESULT gpu_{name} {v}", flush=True)


# ------------------------------------------------------------------------------------------------ data
_DATA: dict = {}


def synthetic_data(size: int, n: int, seed: int):
    """``(L_norm N1HW, ab_norm N2HW)`` of smooth random colour fields (in gamut, varied ab bins)."""
    import torch
    import torch.nn.functional as F

    from colorkit.color import rgb_to_lab_norm_torch

    key = (size, n, seed)
    if key not in _DATA:
        g = torch.Generator().manual_seed(seed)
        rgb = F.interpolate(torch.rand(n, 3, 8, 8, generator=g), size=(size, size), mode="bicubic",
                            align_corners=False).clamp_(0, 1)
        L, ab = rgb_to_lab_norm_torch(rgb)
        _DATA[key] = (L.float().contiguous(), ab.float().contiguous())
    return _DATA[key]


def data_for(cfg, size: int):
    n = max(4 * cfg.batch_size, 16)
    return synthetic_data(size, n, 0), synthetic_data(size, max(cfg.batch_size, 8), 1)


# ------------------------------------------------------------------------------------------------ runs
def lesson_runs(p, out: Path, failures: list) -> list[tuple[str, object]]:
    """``[(run name, TrainConfig)]`` of every lesson, as the notebooks build them."""
    from colorkit.course import generative as GL
    from colorkit.course import supervised as SL
    from colorkit.course import why_brown as WB

    builders = [
        ("l02", lambda: {r: SL.lesson_config(p, r, out / "l02") for r in SL.RUNS_02}),
        ("l03", lambda: {r: SL.lesson_config(p, r, out / "l03") for r in SL.RUNS_03}),
        ("l04", lambda: GL.vae_lesson_configs(p, out / "l04")),
        ("l05", lambda: GL.gan_lesson_configs(p, out / "l05")),
        ("l06", lambda: WB.lab_configs(p, out / "l06")),
    ]
    runs = []
    for lesson, build in builders:
        try:
            runs += [(f"{lesson}_{slug(name)}", cfg) for name, cfg in build().items()]
        except Exception as e:  # a config that cannot even be built is a failure of that lesson
            failures.append(f"{lesson} configs: {type(e).__name__}: {e}")
            print(f"FAIL {lesson} configs: {type(e).__name__}: {e}")
            traceback.print_exc(limit=4, file=sys.stdout)
    return runs


def by_lesson(runs, prefix: str) -> list[str]:
    return [n for n, _ in runs if n.startswith(prefix)]


def for_check(cfg, steps: int, compile_mode: str, **more):
    """The lesson's config, cut to ``steps`` steps (no time budget), quiet, validating once at the end."""
    kw = dict(cfg.model_kwargs)
    if "pretrained" in kw:
        kw["pretrained"] = False
    comp = {"preset": cfg.compile, "all": True, "none": False}[compile_mode]
    fields = dict(max_steps=steps, max_minutes=None, val_every=10**9, save_every=None, log_every=1,
                  eval_images=min(cfg.eval_images, cfg.batch_size), n_visuals=min(cfg.n_visuals, 4),
                  tensorboard=False, progress_bar=False, live_plot=False, model_kwargs=kw, compile=comp)
    fields.update(more)
    return dataclasses.replace(cfg, **fields)


class Meter:
    """Training callback: times the steps after the warm-up and records what the engine set up."""

    def __init__(self, warmup: int, steps: int, cuda: bool):
        import torch

        self.torch, self.warmup, self.steps, self.cuda = torch, warmup, steps, cuda
        self.t0 = self.t1 = None
        self.losses: dict[int, float] = {}
        self.first: dict = {}
        self.last_step = 0

    def _sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def __call__(self, step, logs, objective):
        torch = self.torch
        self.last_step = step
        key = next((k for k in ("loss", "loss_g", "rec", "l1") if k in logs), None) or next(iter(logs), None)
        if key is not None:
            self.losses[step] = float(logs[key])
        if not self.first:
            gen = objective.networks["generator"]
            w3 = [q for q in gen.parameters() if q.ndim == 4 and q.shape[-1] > 1 and q.shape[-2] > 1]
            self.first = {
                "step": step,
                "amp_dtype": str(objective.amp_dtype).replace("torch.", "") if objective.amp_dtype else "fp32",
                "channels_last": bool(w3) and all(q.is_contiguous(memory_format=torch.channels_last) for q in w3),
                "compiled": any(type(m).__name__ == "OptimizedModule" for m in objective.wrapped.values()),
                "scalers": {n: _scaler_state(s) for n, s in objective.scalers.items()},
            }
        if step == self.warmup:
            self._sync()
            self.t0 = time.perf_counter()
        if step == self.steps:
            self._sync()
            self.t1 = time.perf_counter()


def _scaler_state(s) -> dict:
    """``{"enabled", "scale", "growth_tracker"}`` of a GradScaler (scale None when disabled)."""
    st = s.state_dict() if s.is_enabled() else {}
    return {"enabled": bool(s.is_enabled()), "scale": st.get("scale"), "growth_tracker": st.get("_growth_tracker")}


def peak_memory_gib(cuda: bool) -> float:
    import torch

    if cuda:
        return torch.cuda.max_memory_allocated() / 2**30
    try:
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        return kib * (1 if sys.platform != "darwin" else 1 / 1024) / 2**20
    except Exception:
        return float("nan")


def free_memory(cuda: bool) -> None:
    import torch

    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def run_one(name: str, cfg, p, args, cuda: bool, failures: list) -> bool:
    from colorkit.train import train

    free_memory(cuda)
    train_data, val_data = data_for(cfg, p.image_size)
    meter = Meter(args.warmup, args.steps, cuda)
    t = time.perf_counter()
    try:
        res = train(cfg, train_data, val_data, resume=False, callbacks=[meter])
    except Exception as e:
        return _failed(failures, name, f"{name} ({cfg.model}/{cfg.objective} {cfg.model_kwargs})", e)
    wall = time.perf_counter() - t
    problems = []
    if res.step != args.steps:
        problems.append(f"stopped at step {res.step} ({res.stop_reason}), not {args.steps}")
    bad = [s for s, v in meter.losses.items() if not math.isfinite(v)]
    if bad:
        problems.append(f"non-finite loss at steps {bad[:5]}")
    f = meter.first
    if cfg.channels_last and not f.get("channels_last"):
        problems.append("channels_last asked for but the generator's 3x3 weights are not channels_last")
    if cfg.compile and not f.get("compiled"):
        problems.append("compile asked for but no network was compiled")
    if cuda and cfg.amp and f.get("amp_dtype") == "fp32":
        problems.append("amp asked for but the run used fp32")
    ips = float("nan")
    if meter.t0 is not None and meter.t1 is not None and meter.t1 > meter.t0:
        ips = (args.steps - args.warmup) * cfg.batch_size / (meter.t1 - meter.t0)
    result(f"{name}_images_per_s", ips)
    result(f"{name}_peak_mem_gib", peak_memory_gib(cuda))
    print(f"INFO {name}: {cfg.model}/{cfg.objective} {cfg.model_kwargs} batch {cfg.batch_size} at "
          f"{p.image_size} px, amp {f.get('amp_dtype')}, channels_last {f.get('channels_last')}, "
          f"compiled {f.get('compiled')}, loss {meter.losses.get(1, float('nan')):.4f} -> "
          f"{meter.losses.get(args.steps, float('nan')):.4f}, {wall:.1f} s wall", flush=True)
    for msg in problems:
        failures.append(f"{name}: {msg}")
        print(f"FAIL {name}: {msg}")
    del res
    return not problems


# ------------------------------------------------------------------------------------------------ resume
@contextlib.contextmanager
def scalers_on_cpu(active: bool):
    """Dry run only: grad scalers enabled on CPU too (the engine enables them for CUDA fp16 only), so that
    saving and restoring their state is exercised without a GPU. Scaling by a power of two is exact in fp32."""
    import torch

    if not active:
        yield
        return
    orig = torch.amp.GradScaler

    class CPUScaler(orig):
        def __init__(self, device="cuda", *args, **kwargs):
            if str(device) == "cpu":
                kwargs["enabled"] = True
            super().__init__(device, *args, **kwargs)

    torch.amp.GradScaler = CPUScaler
    try:
        yield
    finally:
        torch.amp.GradScaler = orig


@contextlib.contextmanager
def forced_fp16(active: bool):
    """Make the engine choose fp16 + grad scaling (its fallback where bf16 is unsupported)."""
    import torch

    if not active:
        yield
        return
    orig = torch.cuda.is_bf16_supported
    torch.cuda.is_bf16_supported = lambda *a, **k: False
    try:
        yield
    finally:
        torch.cuda.is_bf16_supported = orig


def _rel_diff(a, b) -> float:
    """``|a - b| / |b|`` over all floating-point tensors of two state dicts together (inf if others differ)."""
    import torch

    num = den = 0.0
    for k in b:
        x, y = a[k], b[k]
        if not torch.is_floating_point(y):
            if x.shape != y.shape or not torch.equal(x.cpu(), y.cpu()):
                return float("inf")
            continue
        num += (x.double() - y.double()).pow(2).sum().item()
        den += y.double().pow(2).sum().item()
    return math.sqrt(num) / (math.sqrt(den) + 1e-12)


def resume_check(name: str, cfg, p, args, cuda: bool, tmp: Path, failures: list) -> bool:
    """Interrupted after N steps and resumed to N+M against uninterrupted N+M (fp16 on CUDA)."""

    from colorkit.checkpoint import load_checkpoint
    from colorkit.train import train

    n, m = args.resume_steps
    free_memory(cuda)
    train_data, val_data = data_for(cfg, p.image_size)
    base = dataclasses.replace(cfg, max_steps=n + m)
    full_cfg = dataclasses.replace(base, out_dir=str(tmp / f"resume_{name}" / "full"))
    part_cfg = dataclasses.replace(base, out_dir=str(tmp / f"resume_{name}" / "part"))

    def interrupt(step, logs, objective):
        if step == n:
            raise KeyboardInterrupt  # what a notebook's stop button does

    problems = []
    try:
        with forced_fp16(cuda and args.resume_dtype == "fp16"), scalers_on_cpu(not cuda):
            full_m = Meter(1, n + m, cuda)
            full = train(full_cfg, train_data, val_data, resume=False, callbacks=[full_m])
            part_m = Meter(1, n + m, cuda)
            train(part_cfg, train_data, val_data, resume=False, callbacks=[part_m, interrupt])
            saved = load_checkpoint(Path(part_cfg.out_dir) / "last.pt")
            res_m = Meter(1, n + m, cuda)
            resumed = train(part_cfg, train_data, val_data, resume=True, callbacks=[res_m])
    except Exception as e:
        return _failed(failures, f"resume {name}", f"resume {name}", e)

    dtype = full_m.first.get("amp_dtype")
    scalers = full_m.first.get("scalers", {})
    in_use = [k for k, s in scalers.items() if s["enabled"]]
    print(f"INFO resume {name}: N={n}, M={m}, amp dtype {dtype}, grad scalers in use: {in_use or 'none'}"
          + ("" if cuda else " (enabled on CPU by the dry run)"))
    if cuda and args.resume_dtype == "fp16" and dtype != "float16":
        problems.append(f"could not force fp16 for the check (the engine used {dtype}): the scaler goes untested")
    if int(saved.get("step", -1)) != n:
        problems.append(f"the interrupted run saved step {saved.get('step')}, not {n}")
    if res_m.first.get("step") != n + 1 or resumed.step != n + m:
        problems.append(f"the resumed run went from step {res_m.first.get('step')} to {resumed.step}, "
                        f"not {n + 1} to {n + m}")
    # 1. the scalers hold the checkpoint's state when training goes on (seen right after the first step)
    for k in in_use:
        sv = (saved.get("scaler") or {}).get(k) or {}
        s0, g0 = sv.get("scale"), sv.get("_growth_tracker")
        now = res_m.first["scalers"].get(k, {})
        s1, g1 = now.get("scale"), now.get("growth_tracker")
        print(f"INFO resume {name}: scaler {k!r}: checkpoint scale {s0} tracker {g0}; first resumed step "
              f"scale {s1} tracker {g1}")
        if s0 is None:
            problems.append(f"scaler {k!r}: the checkpoint holds no scaler state")
            continue
        # went on from the checkpoint: one more good step, or an overflow (halved) / growth (doubled), or
        # no update of this network in that step (a GAN's discriminator held back while it wins)
        ok = (s1 == s0 and g1 in (g0, g0 + 1)) or (g1 == 0 and s1 in (s0 * 0.5, s0 * 2.0))
        if not ok:
            problems.append(f"scaler {k!r} not restored on resume: checkpoint scale {s0} / growth tracker {g0}, "
                            f"but after the first resumed step scale {s1} / tracker {g1} (a fresh scaler's)")
    # 2. both runs end with the same scaler state
    end_full = {k: _scaler_state(s) for k, s in full.objective.scalers.items()}
    end_res = {k: _scaler_state(s) for k, s in resumed.objective.scalers.items()}
    for k in in_use:
        if end_full.get(k) != end_res.get(k):
            problems.append(f"scaler {k!r} at step {n + m}: uninterrupted {end_full.get(k)}, resumed {end_res.get(k)}")
    # 3. same losses and weights
    tol = args.resume_tol if cuda else 1e-5
    worst_loss = 0.0
    for s in range(n + 1, n + m + 1):
        a, b = res_m.losses.get(s), full_m.losses.get(s)
        if a is None or b is None:
            worst_loss = float("inf")
            break
        worst_loss = max(worst_loss, abs(a - b) / max(abs(b), 1e-8))
    w = 0.0
    for net in full.objective.networks:
        w = max(w, _rel_diff(resumed.objective.networks[net].state_dict(), full.objective.networks[net].state_dict()))
    result(f"resume_{name}_loss_rel_diff", worst_loss)
    result(f"resume_{name}_weights_rel_diff", w)
    if not worst_loss <= tol:
        problems.append(f"losses of steps {n + 1}..{n + m} differ from the uninterrupted run by {worst_loss:.3g} "
                        f"(relative; tolerance {tol:g})")
    if not w <= tol:
        problems.append(f"final weights differ from the uninterrupted run by {w:.3g} (relative; tolerance {tol:g})")
    for msg in problems:
        failures.append(f"resume {name}: {msg}")
        print(f"FAIL resume {name}: {msg}")
    result(f"resume_{name}_ok", int(not problems))
    del full, resumed
    return not problems


# ------------------------------------------------------------------------------------------------ main
def build_preset(args, cuda: bool):
    from colorkit.presets import PRESETS, get_preset

    if args.cpu_dry_run and args.preset == "gpu":
        # the gpu recipe (model_kwargs, amp, channels_last, compile, the lessons' gpu plans) at smoke sizes
        s = PRESETS["smoke"]
        p = get_preset("gpu").replace(image_size=s.image_size, base_width=s.base_width, depth=s.depth,
                                      batch_size=s.batch_size, eval_images=s.eval_images, num_workers=0)
    else:
        p = get_preset(args.preset)
    if p.pretrained:
        print("NOTE ResNet encoders run with pretrained=False: ImageNet weights are not fetched here "
              "(same speed and memory as with them)")
        p = p.replace(pretrained=False)
    return p


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu-dry-run", action="store_true",
                    help="run the same code on CPU at the smoke preset's sizes, 2 steps per run (tests the script)")
    ap.add_argument("--preset", default="gpu", help="gpu (default; under --cpu-dry-run: at smoke sizes) | cpu | smoke")
    ap.add_argument("--steps", type=int, default=None, help="steps per run (default 20; dry run 2)")
    ap.add_argument("--warmup", type=int, default=None, help="steps not timed (default 5; dry run 1)")
    ap.add_argument("--runs", default="", help="comma-separated substrings: only runs whose name has one")
    ap.add_argument("--compile", default="preset", choices=("preset", "all", "none"),
                    help="torch.compile as the preset says (default), for every run, or never")
    ap.add_argument("--no-compile-check", action="store_true", help="skip the extra compiled U-Net run")
    ap.add_argument("--no-resume-check", action="store_true")
    ap.add_argument("--resume-steps", type=int, nargs=2, default=None, metavar=("N", "M"),
                    help="interrupt after N steps, resume to N+M (default 10 10; dry run 2 2)")
    ap.add_argument("--resume-dtype", default="fp16", choices=("fp16", "auto"),
                    help="AMP dtype of the resume check: fp16 (grad scaler in use; default) or the engine's choice")
    ap.add_argument("--resume-tol", type=float, default=2e-2, help="relative tolerance on CUDA")
    ap.add_argument("--time-limit", type=float, default=540.0, help="seconds; runs not started by then fail")
    ap.add_argument("--keep", default=None, help="write the runs here instead of a deleted temporary folder")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.cpu_dry_run:
        print("no CUDA device: this check is for a GPU machine; use --cpu-dry-run to test the script itself",
              file=sys.stderr)
        return 2
    dry = args.cpu_dry_run
    if dry:
        cuda = False
    args.steps = args.steps or (2 if dry else 20)
    args.warmup = args.warmup if args.warmup is not None else (1 if dry else 5)
    args.warmup = min(max(args.warmup, 1), args.steps - 1) if args.steps > 1 else 0
    args.resume_steps = args.resume_steps or ((2, 2) if dry else (10, 10))

    print(f"MODE {'cpu-dry-run' if dry else 'cuda'}: torch {torch.__version__}, python {sys.version.split()[0]}")
    if cuda:
        print(f"DEVICE {torch.cuda.get_device_name(0)}, {torch.cuda.get_device_properties(0).total_memory / 2**30:.0f} "
              f"GiB, bf16 supported {torch.cuda.is_bf16_supported()}, cuDNN {torch.backends.cudnn.version()}")
    missing = check_dependencies()
    result("missing_dependencies", len(missing))
    failures: list[str] = []
    hard = [m for m in missing if m in REQUIRED]
    if hard:
        failures.append(f"required module(s) missing: {', '.join(hard)}")
    if "tqdm" in missing:
        print("NOTE tqdm is missing: colorkit.train imports it on every call, so a no-op stand-in is used here "
              "(pip install tqdm for the notebooks)")
        install_tqdm_stand_in()

    ok_runs = 0
    out_ctx = contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory(prefix="gpu_check_")
    with out_ctx as out:
        out = Path(out)
        try:
            import colorkit

            here = Path(colorkit.__file__).resolve().parent
            where = "this working tree" if here.is_relative_to(REPO) else f"{here} (NOT this working tree)"
            print(f"COLORKIT imported from {where}")
            p = build_preset(args, cuda)
            print(f"PRESET {p.name}: image_size {p.image_size}, batch {p.batch_size}, base_width {p.base_width}, "
                  f"depth {p.depth}, amp {p.amp}, channels_last {p.channels_last}, compile {p.compile}, "
                  f"workers {p.num_workers}; {args.steps} steps per run, {args.warmup} warm-up", flush=True)
            runs = lesson_runs(p, out, failures)
        except Exception as e:
            failures.append(f"setup: {type(e).__name__}: {e}")
            print(f"FAIL setup: {type(e).__name__}: {e}")
            traceback.print_exc(file=sys.stdout)
            runs, p = [], None
        wanted = [w.strip() for w in args.runs.split(",") if w.strip()]
        selected = [(n, c) for n, c in runs if not wanted or any(w in n for w in wanted)
                    # lesson 05's GAN runs start from its L1 run's checkpoint (init_generator)
                    or (n == "l05_l1_unet" and any(w in m for m in by_lesson(runs, "l05_") for w in wanted))]
        # the dry run pins 1 CPU thread: no load sampling per run, no oversubscribed shared cores
        more = {"num_threads": 1} if dry else {}
        checks = [("run", n, for_check(c, args.steps, args.compile, **more)) for n, c in selected]
        by_name = dict(selected)
        if not args.no_compile_check and not dry and "l03_unet" in by_name:
            checks.append(("run", "l03_unet_compiled", for_check(by_name["l03_unet"], args.steps, "all",
                                                                  out_dir=str(out / "l03" / "unet_compiled"))))
        if not args.no_resume_check:
            for n in ("l03_unet", "l05_unet_gan"):
                if n in by_name:
                    checks.append(("resume", n, for_check(by_name[n], args.steps, args.compile, **more)))
        for kind, name, cfg in checks:
            used = time.perf_counter() - t_start
            if used > args.time_limit:
                failures.append(f"{kind} {name}: not started, time limit {args.time_limit:.0f} s reached")
                print(f"FAIL {kind} {name}: not started (time limit {args.time_limit:.0f} s reached)")
                continue
            if kind == "run":
                ok_runs += run_one(name, cfg, p, args, cuda, failures)
            else:
                resume_check(name, cfg, p, args, cuda, out, failures)
            sys.stdout.flush()

    total = time.perf_counter() - t_start
    result("check_seconds", round(total, 1))
    result("runs_ok", ok_runs)
    for f in failures:
        print(f"FAILED {f}")
    result("check_ok", int(not failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
