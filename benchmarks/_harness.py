"""Shared machinery for funcnet's benchmark scripts.

Import this module FIRST, before numpy or any array library: importing it
pins the process to one CPU core and limits every threading runtime
(OpenMP, OpenBLAS, MKL, XLA/Eigen, TensorFlow, PyTorch) to one thread, so
that every library is measured on the same single core.

What it provides:

* ``Case`` / ``Workload`` - one library's implementation of one workload, and
  the workload (baseline first, then the others, plus a target for funcnet).
* ``run_workload`` - builds every case, checks each result against the
  baseline (``np.testing.assert_allclose`` with float32 tolerances) BEFORE any
  timing, then times all cases INTERLEAVED (round r: baseline, funcnet, jax,
  ...) and reports medians.
* ``require`` - imports an optional library; a missing one becomes a
  "not installed" row instead of an error.
* ``measure_imports`` - import time of modules in fresh subprocesses.
* ``print_table`` / ``write_json`` / ``environment_info`` / ``base_argparser``.

Later benchmark scripts (nn/optim, control flow, ...) reuse all of this.
"""

from __future__ import annotations

import os
import sys

# --------------------------------------------------------------------------
# 1. Environment: must happen before numpy (or anything that loads a BLAS /
#    OpenMP runtime) is imported.
# --------------------------------------------------------------------------

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: some machines set these to force an old
# OpenBLAS kernel (a work-around for old OpenBLAS builds); with a current NumPy they
# make its matmuls much slower, which would flatter every ratio to the NumPy
# baseline. They are removed (both together) before NumPy loads, unless the
# command line has --keep-blas-env. The original values are reported.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
KEEP_BLAS_ENV = "--keep-blas-env" in sys.argv[1:]
BLAS_ENV_REMOVED: dict[str, str] = {}

_PRELOADED = sorted(
    m for m in ("numpy", "jax", "torch", "autograd", "tensorflow") if m in sys.modules
)


def configure_environment() -> None:
    """Limit all threading runtimes to one thread and pin to one core."""
    for k, v in THREAD_ENV.items():
        os.environ[k] = v
    # The benchmarks are CPU benchmarks: keep JAX off any accelerator.
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if not KEEP_BLAS_ENV and "numpy" not in sys.modules:
        for k in BLAS_ENV:
            if k in os.environ:
                BLAS_ENV_REMOVED[k] = os.environ.pop(k)
    pin_to_one_core()


def pin_to_one_core() -> int | None:
    """Pin this process (and so its subprocesses) to the first allowed CPU."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


configure_environment()

# Now it is safe to import numpy.
import argparse  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
    # Lets `python benchmarks/bench_*.py` find funcnet without installing it.
    sys.path.insert(0, REPO_ROOT)

# float32 tolerances for the correctness check done before timing.
RTOL = 2e-4
ATOL = 1e-5

BASELINE = "numpy"


# --------------------------------------------------------------------------
# 2. Optional libraries
# --------------------------------------------------------------------------


class NotInstalled(Exception):
    """An optional library is not importable: its row reads 'not installed'."""


_configured_libs: set[str] = set()


def require(name: str):
    """Import ``name`` (e.g. "jax", "torch", "autograd.numpy").

    A missing optional library raises NotInstalled, which the runner reports as
    "not installed". funcnet is never optional: use ``import funcnet`` directly so
    that any failure is reported as "unavailable" with its reason.
    """
    try:
        mod = importlib.import_module(name)
    except ImportError as e:
        top = name.split(".")[0]
        if getattr(e, "name", None) and e.name.split(".")[0] == top:
            raise NotInstalled(f"{top} not installed") from e
        raise
    top = name.split(".")[0]
    if top not in _configured_libs:
        _configured_libs.add(top)
        if top == "torch":
            import torch

            torch.set_num_threads(1)
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:  # only allowed before any parallel work
                pass
        elif top == "jax":
            import jax

            jax.config.update("jax_platforms", "cpu")
    return mod


def library_versions(names=("numpy", "funcnet", "jax", "jaxlib", "torch", "autograd")):
    """Versions of the libraries that are importable (without importing new ones)."""
    from importlib import metadata

    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            mod = sys.modules.get(n)
            out[n] = getattr(mod, "__version__", None) if mod else None
    return out


# --------------------------------------------------------------------------
# 3. Pytrees (dict / list / tuple) and conversion to NumPy for checking
# --------------------------------------------------------------------------


def tree_leaves(tree) -> list:
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in tree_leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for t in tree for leaf in tree_leaves(t)]
    if tree is None:
        return []
    return [tree]


def tree_paths(tree, prefix="") -> list[str]:
    if isinstance(tree, dict):
        return [p for k in sorted(tree) for p in tree_paths(tree[k], f"{prefix}[{k!r}]")]
    if isinstance(tree, (list, tuple)):
        return [p for i, t in enumerate(tree) for p in tree_paths(t, f"{prefix}[{i}]")]
    if tree is None:
        return []
    return [prefix or "<root>"]


def to_numpy(x) -> np.ndarray:
    """Any library's array (funcnet, jax, torch, numpy) to a NumPy array."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch.Tensor
        return x.detach().cpu().numpy()
    return np.asarray(x)


def block(tree):
    """Wait for every leaf (JAX dispatch is asynchronous); returns the tree."""
    for leaf in tree_leaves(tree):
        b = getattr(leaf, "block_until_ready", None)
        if b is not None:
            b()
    return tree


def check_close(result, expected, rtol=RTOL, atol=ATOL, check_dtype=True) -> None:
    """assert_allclose leaf by leaf; raises AssertionError with the path."""
    r_paths, e_paths = tree_paths(result), tree_paths(expected)
    if r_paths != e_paths:
        raise AssertionError(f"tree structure differs: {r_paths} vs {e_paths}")
    for path, r, e in zip(e_paths, tree_leaves(result), tree_leaves(expected), strict=True):
        r, e = to_numpy(r), to_numpy(e)
        if r.shape != e.shape:
            raise AssertionError(f"{path}: shape {r.shape} != expected {e.shape}")
        if check_dtype and r.dtype != e.dtype:
            raise AssertionError(f"{path}: dtype {r.dtype} != expected {e.dtype}")
        try:
            np.testing.assert_allclose(r, e, rtol=rtol, atol=atol)
        except AssertionError:
            with np.errstate(all="ignore"):
                r64, e64 = r.astype(np.float64), e.astype(np.float64)
                diff = np.abs(r64 - e64)
                bad = ~np.isclose(r64, e64, rtol=rtol, atol=atol, equal_nan=True)
                rel = diff / np.maximum(np.abs(e64), np.finfo(np.float64).tiny)
            raise AssertionError(
                f"{path}: {int(bad.sum())}/{e.size} elements differ, max abs diff "
                f"{np.nanmax(diff):.3g}, max rel diff {np.nanmax(rel):.3g} "
                f"(rtol={rtol:g}, atol={atol:g})") from None


# --------------------------------------------------------------------------
# 4. Workloads, cases and the interleaved runner
# --------------------------------------------------------------------------


@dataclass
class Target:
    """funcnet's target: ``ratio`` (<= value x baseline) or ``abs`` (<= value seconds)."""

    kind: str  # "ratio" | "abs"
    value: float

    def describe(self) -> str:
        if self.kind == "ratio":
            return f"<= {self.value:g}x"
        return f"<= {fmt_time(self.value)}"

    def met(self, median: float, ratio: float | None) -> bool:
        if self.kind == "ratio":
            return ratio is not None and ratio <= self.value
        return median <= self.value


@dataclass
class Case:
    """One library's implementation of a workload.

    ``build()`` does all set-up (imports, data conversion, jit warm-up is done by
    the runner) and returns a zero-argument callable that performs ONE timed unit
    of work and returns its result (blocked/ready). ``convert`` turns that result
    into a NumPy pytree for the check (default: leaf-wise ``to_numpy``).
    """

    library: str
    build: Callable[[], Callable[[], Any]]
    convert: Callable[[Any], Any] | None = None
    note: str = ""
    check: bool = True
    is_funcnet: bool | None = None  # default: library starts with "funcnet"
    min_sample_s: float | None = None  # overrides the workload's per-sample minimum
    precall: bool | None = None  # overrides the workload's precall

    def __post_init__(self):
        if self.is_funcnet is None:
            self.is_funcnet = self.library.startswith("funcnet")


@dataclass
class Workload:
    key: str  # "W1"
    title: str
    baseline: Case
    cases: list[Case]
    target: Target | None = None
    # which funcnet case(s) the target applies to (default: all funcnet cases
    # without "reference" in their note)
    target_libraries: tuple[str, ...] | None = None
    unit_divisor: float = 1.0  # e.g. 50 ops per call -> report per-op time
    unit: str = "per call"
    rtol: float = RTOL
    atol: float = ATOL
    check_dtype: bool = True
    budget_s: float | None = None  # timed seconds for the whole workload
    min_rounds: int | None = None
    max_rounds: int = 2000
    min_sample_s: float | None = None  # a sample loops fn until this long
    max_number: int = 100_000
    warmup: int = 3
    # one untimed call before each sample, so a sample does not start with the
    # caches left by the previous library (the steady state of a loop is measured)
    precall: bool = True
    description: str = ""


@dataclass
class Result:
    workload: str
    title: str
    library: str
    status: str  # ok | baseline | not installed | unavailable | error | wrong
    note: str = ""
    median_s: float | None = None  # per unit (divided by unit_divisor)
    p25_s: float | None = None
    p75_s: float | None = None
    ratio: float | None = None
    target: str | None = None
    verdict: str | None = None  # PASS | MISS | n/a
    rounds: int = 0
    number: int = 0
    unit: str = "per call"
    samples_s: list = field(default_factory=list)

    def as_dict(self, with_samples=False):
        d = dict(self.__dict__)
        if not with_samples:
            d.pop("samples_s")
        return d


@dataclass
class Settings:
    quick: bool = False
    budget_s: float = 4.0
    min_rounds: int = 7
    min_sample_s: float = 2e-3
    verbose: bool = True

    @classmethod
    def from_args(cls, args) -> Settings:
        if args.quick:
            s = cls(quick=True, budget_s=0.4, min_rounds=3, min_sample_s=1e-3)
        else:
            s = cls()
        if getattr(args, "budget", None):
            s.budget_s = args.budget
        s.verbose = not getattr(args, "quiet", False)
        return s


def _short_exc(e: BaseException, limit=160) -> str:
    msg = f"{type(e).__name__}: {e}".replace("\n", " ")
    return msg if len(msg) <= limit else msg[: limit - 3] + "..."


def _log(settings: Settings, msg: str) -> None:
    if settings.verbose:
        print(msg, file=sys.stderr, flush=True)


def _time_sample(fn: Callable[[], Any], number: int, precall: bool = False) -> float:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if precall:
            fn()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        t1 = time.perf_counter()
    finally:
        if gc_was_enabled:
            gc.enable()
    return (t1 - t0) / number


def _failure_status(case: Case, exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, NotInstalled):
        return "not installed", str(exc)
    if case.is_funcnet:
        return "unavailable", _short_exc(exc)
    return "error", _short_exc(exc)


def run_workload(w: Workload, settings: Settings) -> list[Result]:
    """Build, check (before timing), then time all cases interleaved."""
    budget = w.budget_s if w.budget_s is not None else settings.budget_s
    if settings.quick and w.budget_s is not None:
        budget = min(budget, max(settings.budget_s, w.budget_s / 10))
    min_rounds = w.min_rounds if w.min_rounds is not None else settings.min_rounds
    if settings.quick:
        min_rounds = min(min_rounds, settings.min_rounds)
    min_sample = w.min_sample_s if w.min_sample_s is not None else settings.min_sample_s
    target_desc = w.target.describe() if w.target else None

    all_cases = [w.baseline] + list(w.cases)
    results = {id(c): Result(w.key, w.title, c.library, "pending", note=c.note, unit=w.unit)
               for c in all_cases}
    fns: dict[int, Callable[[], Any]] = {}

    # -- build and check -------------------------------------------------
    expected = None
    for c in all_cases:
        r = results[id(c)]
        _log(settings, f"  [{w.key}] build+check {c.library}")
        try:
            fn = c.build()
            out = fn()
            conv = c.convert(out) if c.convert else out
            if c is w.baseline:
                expected = conv
                tree_leaves(expected)  # make sure it's a tree of arrays
            elif c.check:
                if expected is None:
                    raise RuntimeError("baseline failed; nothing to check against")
                try:
                    check_close(conv, expected, w.rtol, w.atol, w.check_dtype)
                except AssertionError as e:
                    r.status = "wrong"
                    r.note = _join(r.note, f"differs from baseline: {e}")
                    continue
            fns[id(c)] = fn
            r.status = "baseline" if c is w.baseline else "ok"
        except Exception as e:  # noqa: BLE001 - every failure becomes a table row
            r.status, reason = _failure_status(c, e)
            r.note = _join(r.note, reason)
            if c is w.baseline:
                r.note = _join(r.note, "BASELINE FAILED")
                traceback.print_exc()
            elif settings.verbose and r.status in ("error", "unavailable") and not isinstance(
                e, ImportError
            ):
                traceback.print_exc()

    timed = [c for c in all_cases if id(c) in fns]
    # -- warm up and calibrate -------------------------------------------
    numbers: dict[int, int] = {}
    for c in list(timed):
        fn = fns[id(c)]
        try:
            for _ in range(w.warmup):
                fn()
            t = _time_sample(fn, 1)
            # a second estimate guards against a one-off slow call
            t = min(t, _time_sample(fn, 1))
            want = c.min_sample_s if c.min_sample_s is not None else min_sample
            numbers[id(c)] = max(1, min(w.max_number, math.ceil(want / max(t, 1e-9))))
        except Exception as e:  # noqa: BLE001
            r = results[id(c)]
            r.status, reason = _failure_status(c, e)
            r.note = _join(r.note, reason)
            timed.remove(c)
    precall = {id(c): w.precall if c.precall is None else c.precall for c in timed}
    per_round = sum(_time_sample(fns[id(c)], numbers[id(c)])
                    * (numbers[id(c)] + precall[id(c)]) for c in timed)
    rounds = int(budget / max(per_round, 1e-9))
    rounds = max(min_rounds, min(w.max_rounds, rounds))
    _log(settings, f"  [{w.key}] timing {len(timed)} cases x {rounds} rounds "
                   f"(~{per_round * rounds:.1f}s)")

    # -- interleaved timing ------------------------------------------------
    samples: dict[int, list[float]] = {id(c): [] for c in timed}
    failed: set[int] = set()
    for _ in range(rounds):
        for c in timed:
            if id(c) in failed:
                continue
            try:
                samples[id(c)].append(_time_sample(fns[id(c)], numbers[id(c)], precall[id(c)]))
            except Exception as e:  # noqa: BLE001
                failed.add(id(c))
                r = results[id(c)]
                r.status, reason = _failure_status(c, e)
                r.note = _join(r.note, reason)

    # -- summarise ---------------------------------------------------------
    base_median = None
    for c in all_cases:
        r = results[id(c)]
        s = samples.get(id(c))
        if s and id(c) not in failed:
            s = [x / w.unit_divisor for x in s]
            r.samples_s = s
            r.median_s = statistics.median(s)
            q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
            r.p25_s, r.p75_s = q[0], q[2]
            r.rounds, r.number = len(s), numbers[id(c)]
            if c is w.baseline:
                base_median = r.median_s
    for c in all_cases:
        r = results[id(c)]
        if r.median_s is not None and base_median:
            r.ratio = r.median_s / base_median
        if c.is_funcnet and w.target is not None and _target_applies(w, c):
            r.target = target_desc
            if r.status == "wrong":
                r.verdict = "WRONG"
            elif r.median_s is None:
                r.verdict = "n/a"
            else:
                r.verdict = "PASS" if w.target.met(r.median_s, r.ratio) else "MISS"
    return [results[id(c)] for c in all_cases]


def _target_applies(w: Workload, c: Case) -> bool:
    if w.target_libraries is not None:
        return c.library in w.target_libraries
    return "reference" not in c.note


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b else (a or b)


# --------------------------------------------------------------------------
# 5. Import time in fresh subprocesses
# --------------------------------------------------------------------------


def measure_imports(
    key: str,
    title: str,
    modules: list[tuple[str, str, bool]],
    runs: int,
    target: Target | None = None,
    settings: Settings | None = None,
) -> list[Result]:
    """Time ``python -c "import M"`` minus ``python -c "pass"``, interleaved.

    ``modules``: (label, module, is_funcnet); the first one is the baseline.
    Each run starts a fresh interpreter (same executable, environment and core
    pinning as this process; the repo root is on PYTHONPATH). Reports the median
    of per-run (import - empty interpreter) differences.
    """
    settings = settings or Settings()
    env = dict(os.environ)
    extra = env.get("PYTHONPATH")
    env["PYTHONPATH"] = REPO_ROOT + (os.pathsep + extra if extra else "")
    env.pop("PYTHONSTARTUP", None)

    def once(code: str) -> float:
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        t1 = time.perf_counter()
        if p.returncode == 3 and "__file__" in code:
            raise RuntimeError("imports only as an empty namespace package (no __init__.py)")
        if p.returncode != 0:
            last = (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]
            raise RuntimeError(last)
        return t1 - t0

    # byte-compile funcnet first: NumPy's modules were compiled when pip installed them, and an
    # installed funcnet is too; this environment may set PYTHONDONTWRITEBYTECODE, which would
    # otherwise make every fresh interpreter recompile funcnet from source
    import compileall

    pkg = os.path.join(REPO_ROOT, "funcnet")
    if os.path.isdir(pkg):
        compileall.compile_dir(pkg, quiet=1)
    results: list[Result] = []
    ok: list[tuple[Result, str, bool]] = []
    for label, mod, is_fn in modules:
        r = Result(key, title, label, "baseline" if not results else "ok", unit="per import")
        results.append(r)
        _log(settings, f"  [{key}] check import {mod}")
        try:
            # a real package, not an empty namespace package of the same name
            once(f"import sys, {mod} as m; sys.exit(0 if getattr(m, '__file__', None) else 3)")
            ok.append((r, mod, is_fn))
        except Exception as e:  # noqa: BLE001
            if not is_fn and "No module named" in str(e):
                r.status, r.note = "not installed", f"{mod} not installed"
            else:
                r.status = "unavailable" if is_fn else "error"
                r.note = _short_exc(e)
        if is_fn and target is not None:
            r.target = target.describe()
            r.verdict = "n/a"
    diffs: dict[str, list[float]] = {mod: [] for _, mod, _ in ok}
    _log(settings, f"  [{key}] timing {len(ok)} imports x {runs} runs")
    for _ in range(runs):
        empty = once("pass")
        for _, mod, _ in ok:
            diffs[mod].append(once(f"import {mod}") - empty)
    base = None
    for r, mod, _ in ok:
        s = diffs[mod]
        r.samples_s = s
        r.median_s = statistics.median(s)
        q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
        r.p25_s, r.p75_s = q[0], q[2]
        r.rounds, r.number = len(s), 1
        if r is results[0]:
            base = r.median_s
    for r, _, is_fn in ok:
        if base:
            r.ratio = r.median_s / base
        if is_fn and target is not None:
            r.verdict = "PASS" if target.met(r.median_s, r.ratio) else "MISS"
    return results


# --------------------------------------------------------------------------
# 6. Output
# --------------------------------------------------------------------------


def fmt_time(t: float | None) -> str:
    if t is None:
        return "-"
    if t < 1e-6:
        return f"{t * 1e9:.0f} ns"
    if t < 1e-3:
        return f"{t * 1e6:.2f} us"
    if t < 1:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def print_table(results: list[Result], file=None) -> None:
    file = file or sys.stdout
    headers = ["workload", "library", "median", "unit", "ratio", "target", "result", "note"]
    rows = []
    for r in results:
        if r.status in ("ok", "baseline"):
            median = fmt_time(r.median_s)
            ratio = "1.00x" if r.status == "baseline" else (
                f"{r.ratio:.2f}x" if r.ratio is not None else "-")
        else:
            median, ratio = r.status, "-"
        verdict = r.verdict or ("baseline" if r.status == "baseline" else "")
        rows.append([r.workload, r.library, median, r.unit, ratio, r.target or "",
                     verdict, r.note])
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))

    def line(cells):
        out = "  ".join(c.ljust(widths[i]) if i < len(cells) - 1 else c
                        for i, c in enumerate(cells))
        return out.rstrip()

    print(line(headers), file=file)
    print(line(["-" * w for w in widths[:-1]] + ["----"]), file=file)
    prev = None
    for r, row in zip(results, rows, strict=True):
        if prev is not None and r.workload != prev:
            print(file=file)
        prev = r.workload
        print(line(row), file=file)


def environment_info(settings: Settings | None = None) -> dict:
    info = {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_count": os.cpu_count(),
        "thread_env": {k: os.environ.get(k) for k in THREAD_ENV},
        "blas_env": {k: os.environ.get(k) for k in BLAS_ENV},
        "blas_env_removed": dict(BLAS_ENV_REMOVED),
        "preloaded_before_harness": _PRELOADED,
        "versions": library_versions(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if settings is not None:
        info["quick"] = settings.quick
        info["budget_s"] = settings.budget_s
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                   "filepath")}
            for d in threadpool_info()
        ]
    except Exception:  # noqa: BLE001 - threadpoolctl is optional
        info["threadpools"] = None
    return info


def print_header(title: str, info: dict, file=None) -> None:
    file = file or sys.stdout
    v = info["versions"]
    libs = ", ".join(f"{k} {v[k]}" for k in v if v[k])
    print(f"{title}", file=file)
    print(f"python {info['python']} | {libs}", file=file)
    print(f"pinned to cpu {info['affinity']} | 1 thread per runtime | "
          f"{'quick run' if info.get('quick') else 'full run'}", file=file)
    tp = info.get("threadpools")
    if tp:
        blas = "; ".join(f"{d['internal_api']} {d['version']} {d['architecture']} "
                         f"threads={d['num_threads']}" for d in tp)
        print(f"threadpools: {blas}", file=file)
    if info.get("blas_env_removed"):
        removed = " ".join(f"{k}={v}" for k, v in info["blas_env_removed"].items())
        print(f"note: removed {removed} before loading NumPy (native BLAS kernel; "
              f"--keep-blas-env keeps them)", file=file)
    kept = {k: v for k, v in info.get("blas_env", {}).items() if v}
    if kept:
        print(f"note: {' '.join(f'{k}={v}' for k, v in kept.items())} in effect; it can "
              f"slow NumPy's BLAS and flatter ratios (see benchmarks/README.md)", file=file)
    if _PRELOADED:
        print(f"WARNING: {', '.join(_PRELOADED)} imported before the harness; thread "
              f"limits may not apply", file=file)
    print(file=file)


def write_json(path: str, results: list[Result], info: dict, with_samples=True) -> None:
    payload = {"environment": info, "results": [r.as_dict(with_samples) for r in results]}
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with open(path, "w") as f:
        json.dump(payload, f, indent=2, default=str)
        f.write("\n")


def base_argparser(description: str, workload_keys: list[str]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="fast smoke run (few rounds)")
    p.add_argument("--only", default=None,
                   help=f"comma-separated workloads to run (of {','.join(workload_keys)})")
    p.add_argument("--json", default=None, metavar="PATH", help="write results as JSON")
    p.add_argument("--budget", type=float, default=None,
                   help="timed seconds per workload (default 4, quick 0.4)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--keep-blas-env", action="store_true",
                   help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (removed by default)")
    return p


def select(only: str | None, keys: list[str]) -> list[str]:
    if not only:
        return list(keys)
    want = [k.strip().upper() for k in only.split(",") if k.strip()]
    unknown = [k for k in want if k not in keys]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {keys}")
    return [k for k in keys if k in want]
