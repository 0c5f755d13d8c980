"""Control-flow and checkpointing benchmarks of funcnet against NumPy (and JAX when installed).

    python benchmarks/bench_lax.py [--quick] [--only RNN,RNNGRAD,FIRST,REMAT] [--json out.json]

Workloads (targets are funcnet's figure relative to the NumPy baseline):

  RNN      jit(lax.scan) of an RNN cell h = tanh(x_t Wx + h Wh + b), hidden 128, batch 32,
           1000 steps, per step                                                   <= 1.2x
  RNNGRAD  gradient through that scan (BPTT) vs hand-written NumPy BPTT          <= 1.5x
  FIRST    first call of a fresh jit(scan) (trace + compile + run), absolute     <= 50 ms
  REMAT    peak memory (tracemalloc) of the gradient of a 20-layer tanh MLP with and
           without funcnet.checkpoint on every block of 4 layers: the ratio is printed

Same method as bench_core.py: one pinned core, one BLAS thread, interleaved rounds, medians,
every result checked against the NumPy baseline before timing.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as H  # noqa: E402  (must come before numpy: sets threads + pinning)
import numpy as np  # noqa: E402
from _harness import Case, Target, Workload, require  # noqa: E402

F32 = np.float32
T, B, H_, D = 1000, 32, 128, 128
WORKLOADS = ["RNN", "RNNGRAD", "FIRST", "REMAT"]


def make_data(seed=0, steps=T):
    rng = np.random.default_rng(seed)
    p = {"Wx": (rng.standard_normal((D, H_)) / np.sqrt(D)).astype(F32),
         "Wh": (rng.standard_normal((H_, H_)) / np.sqrt(H_) * 0.5).astype(F32),
         "b": (0.1 * rng.standard_normal(H_)).astype(F32)}
    xs = rng.standard_normal((steps, B, D)).astype(F32)
    h0 = np.zeros((B, H_), F32)
    return p, xs, h0


# -- NumPy baselines --------------------------------------------------------------------------
def np_rnn(p, xs, h0):
    h = h0
    Wx, Wh, b = p["Wx"], p["Wh"], p["b"]
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return h


def np_rnn_grad(p, xs, h0):
    """Gradient of sum(h_T) w.r.t. (Wx, Wh, b) by hand-written BPTT."""
    Wx, Wh, b = p["Wx"], p["Wh"], p["b"]
    n = xs.shape[0]
    hs = np.empty((n + 1,) + h0.shape, F32)
    hs[0] = h0
    for t in range(n):
        hs[t + 1] = np.tanh(xs[t] @ Wx + hs[t] @ Wh + b)
    gWx, gWh, gb = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh = np.ones_like(h0)
    for t in range(n - 1, -1, -1):
        dz = dh * (1.0 - hs[t + 1] * hs[t + 1])
        gWx += xs[t].T @ dz
        gWh += hs[t].T @ dz
        gb += dz.sum(0)
        dh = dz @ Wh.T
    return {"Wx": gWx, "Wh": gWh, "b": gb}


# -- funcnet ----------------------------------------------------------------------------------
def fn_rnn():
    import funcnet
    import funcnet.numpy as fnp

    def run(p, xs, h0):
        def step(h, x):
            return fnp.tanh(x @ p["Wx"] + h @ p["Wh"] + p["b"]), None
        return funcnet.lax.scan(step, h0, xs)[0]
    return funcnet, fnp, run


def rnn_workload(settings) -> Workload:
    p, xs, h0 = make_data(steps=T if not settings.quick else 200)
    n = xs.shape[0]

    def numpy_case():
        return lambda: np_rnn(p, xs, h0)

    def funcnet_case():
        funcnet, fnp, run = fn_rnn()
        f = funcnet.jit(run)
        args = (funcnet.tree.map(fnp.asarray, p), fnp.asarray(xs), fnp.asarray(h0))
        return lambda: f(*args).block_until_ready()

    def jax_case():
        jax = require("jax")
        jnp = require("jax.numpy")

        def run(p, xs, h0):
            def step(h, x):
                return jnp.tanh(x @ p["Wx"] + h @ p["Wh"] + p["b"]), None
            return jax.lax.scan(step, h0, xs)[0]
        f = jax.jit(run)
        args = (jax.tree_util.tree_map(jnp.asarray, p), jnp.asarray(xs), jnp.asarray(h0))
        return lambda: f(*args).block_until_ready()

    return Workload("RNN", f"jit(lax.scan) RNN cell, hidden {H_}, batch {B}, {n} steps",
                    baseline=Case("numpy", numpy_case, note="Python loop"),
                    cases=[Case("funcnet jit(scan)", funcnet_case),
                           Case("jax jit(lax.scan)", jax_case)],
                    target=Target("ratio", 1.2), unit_divisor=n, unit="per step",
                    rtol=2e-3, atol=2e-4)


def rnn_grad_workload(settings) -> Workload:
    p, xs, h0 = make_data(steps=T if not settings.quick else 200)
    n = xs.shape[0]

    def numpy_case():
        return lambda: np_rnn_grad(p, xs, h0)

    def funcnet_case():
        funcnet, fnp, run = fn_rnn()
        g = funcnet.jit(funcnet.grad(lambda p, xs, h0: run(p, xs, h0).sum()))
        args = (funcnet.tree.map(fnp.asarray, p), fnp.asarray(xs), fnp.asarray(h0))
        return lambda: H.block(g(*args))

    def jax_case():
        jax = require("jax")
        jnp = require("jax.numpy")

        def run(p, xs, h0):
            def step(h, x):
                return jnp.tanh(x @ p["Wx"] + h @ p["Wh"] + p["b"]), None
            return jax.lax.scan(step, h0, xs)[0].sum()
        g = jax.jit(jax.grad(run))
        args = (jax.tree_util.tree_map(jnp.asarray, p), jnp.asarray(xs), jnp.asarray(h0))
        return lambda: H.block(g(*args))

    return Workload("RNNGRAD", f"gradient through the scan (BPTT), {n} steps",
                    baseline=Case("numpy", numpy_case, note="hand-written BPTT"),
                    cases=[Case("funcnet jit(grad(scan))", funcnet_case),
                           Case("jax jit(grad(lax.scan))", jax_case)],
                    target=Target("ratio", 1.5), unit_divisor=n, unit="per step",
                    rtol=5e-3, atol=5e-3)


def first_call(settings) -> list[H.Result]:
    """Trace + optimise + compile + run of a fresh jit(scan), absolute (median of runs)."""
    p, xs, h0 = make_data(steps=T if not settings.quick else 200)
    funcnet, fnp, run = fn_rnn()
    args = (funcnet.tree.map(fnp.asarray, p), fnp.asarray(xs), fnp.asarray(h0))
    base = []
    firsts = []
    for _ in range(3 if settings.quick else 7):
        t0 = time.perf_counter()
        np_rnn(p, xs, h0)
        base.append(time.perf_counter() - t0)
        f = funcnet.jit(lambda p, xs, h0: run(p, xs, h0))
        t0 = time.perf_counter()
        f(*args).block_until_ready()
        firsts.append(time.perf_counter() - t0)
    out = []
    for lib, s, note in (("numpy", base, "one Python-loop run, for scale"),
                         ("funcnet jit(scan), first call", firsts,
                          "fresh jit: trace + optimise + compile + run")):
        r = H.Result("FIRST", "first call of a fresh jit(scan)", lib,
                     "baseline" if lib == "numpy" else "ok", note=note)
        r.median_s = float(np.median(s))
        r.rounds, r.number, r.samples_s = len(s), 1, s
        if lib != "numpy":
            r.ratio = r.median_s / out[0].median_s
            r.target = Target("abs", 0.050).describe()
            r.verdict = "PASS" if r.median_s <= 0.050 else "MISS"
        out.append(r)
    return out


def remat(settings) -> list[H.Result]:
    """Peak traced memory of the gradient of a 20-layer tanh MLP, with / without checkpoint."""
    import funcnet
    import funcnet.numpy as fnp
    rng = np.random.default_rng(0)
    width, depth, batch, block = 256, 20, 512, 4
    ws = [fnp.asarray((rng.standard_normal((width, width)) / np.sqrt(width)).astype(F32))
          for _ in range(depth)]
    x = fnp.asarray(rng.standard_normal((batch, width)).astype(F32))

    def layers(ws_block, h):
        for w in ws_block:
            h = fnp.tanh(h @ w)
        return h

    def loss(ws, x, ck):
        # checkpoint every block of `block` layers (about sqrt(depth)): only block inputs are
        # kept; each block's inside is recomputed during the backward pass
        f = funcnet.checkpoint(layers) if ck else layers
        h = x
        for i in range(0, len(ws), block):
            h = f(ws[i:i + block], h)
        return (h * h).sum()

    res = {}
    grads = {}
    for ck in (False, True):
        funcnet.grad(loss)(ws, x, ck)  # warm up
        peaks = []
        for _ in range(3):
            tracemalloc.start()
            grads[ck] = funcnet.grad(loss)(ws, x, ck)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        res[ck] = float(np.median(peaks))
    for a, b in zip(grads[False], grads[True]):
        H.check_close(np.asarray(b), np.asarray(a), rtol=1e-4, atol=1e-5)
    out = []
    for ck, name in ((False, "funcnet grad"),
                     (True, f"funcnet grad, checkpoint per {block} layers")):
        r = H.Result("REMAT", f"peak memory of grad, {depth}-layer tanh MLP {width} wide, batch "
                     f"{batch} (eager)", name, "baseline" if not ck else "ok",
                     note=f"peak {res[ck] / 2**20:.2f} MiB (tracemalloc)", unit="bytes")
        r.median_s = res[ck]
        if ck:
            r.ratio = res[True] / res[False]
            r.note += f"; {res[False] / res[True]:.2f}x less memory"
        out.append(r)
    return out


def main(argv=None) -> int:
    parser = H.base_argparser(__doc__.split("\n\n")[0], WORKLOADS)
    args = parser.parse_args(argv)
    settings = H.Settings.from_args(args)
    keys = H.select(args.only, WORKLOADS)
    info = H.environment_info(settings)
    H.print_header("funcnet control-flow benchmarks (bench_lax.py)", info)
    results: list[H.Result] = []
    for key in keys:
        if key == "RNN":
            results += H.run_workload(rnn_workload(settings), settings)
        elif key == "RNNGRAD":
            results += H.run_workload(rnn_grad_workload(settings), settings)
        elif key == "FIRST":
            results += first_call(settings)
        elif key == "REMAT":
            rem = remat(settings)
            for r in rem:
                print(f"REMAT  {r.library:40s} {r.note}")
            results += [r for r in rem if r.unit != "bytes"]
    print()
    H.print_table(results)
    if args.json:
        H.write_json(args.json, results, info)
    wrong = [r for r in results if r.status == "wrong"]
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
