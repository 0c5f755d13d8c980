"""Optimizer benchmarks: funcnet.optim's Adam update against hand-written in-place NumPy.

    python benchmarks/bench_optim.py [--quick] [--only O1,O3] [--json out.json]

Workloads (the optimizer alone: no forward/backward pass; informational, no targets):

  O1  jitted Adam update + apply_updates, params of an MLP 32-64-64-1 (the W4 model)
  O2  eager Adam update + apply_updates, same params (no jit)
  O3  jitted Adam update + apply_updates, params of an MLP 784-512-512-10 (670k floats)

The baseline is NumPy Adam written by hand with in-place updates (``out=`` buffers), the
arithmetic of optax's ``scale_by_adam`` with bias correction. Every case runs the same
sequence of steps from the same state, so each call's result is checked against the
baseline's before timing. JAX + optax (jit) are timed when both are importable.
Same method as bench_core.py: one core, one thread, interleaved rounds, medians.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as H  # noqa: E402  (must come before numpy: sets threads + pinning)
import numpy as np  # noqa: E402
from _harness import Case, Workload, block, require  # noqa: E402

F32 = np.float32
SEED = 0
LR, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8


def init_params(sizes, seed=SEED):
    rng = np.random.default_rng(seed)
    params = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        params[f"w{i}"] = (rng.normal(size=(a, b)) / np.sqrt(a)).astype(F32)
        params[f"b{i}"] = np.zeros((b,), F32)
    return params


def make_grads(params, seed=SEED + 1):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=v.shape).astype(F32) for k, v in params.items()}


def numpy_adam_case(params0, grads):
    def build():
        p = {k: v.copy() for k, v in params0.items()}
        m = {k: np.zeros_like(v) for k, v in p.items()}
        v = {k: np.zeros_like(x) for k, x in p.items()}
        tmp = {k: np.empty_like(x) for k, x in p.items()}
        tmp2 = {k: np.empty_like(x) for k, x in p.items()}
        count = [0]

        def step():
            count[0] += 1
            t = count[0]
            bc1 = F32(1 - F32(B1) ** F32(t))
            bc2 = F32(1 - F32(B2) ** F32(t))
            for k in p:
                g, mk, vk, a, b = grads[k], m[k], v[k], tmp[k], tmp2[k]
                # m = (1 - b1) g + b1 m ; v = (1 - b2) g^2 + b2 v
                np.multiply(mk, F32(B1), out=mk)
                np.multiply(g, F32(1 - B1), out=a)
                np.add(a, mk, out=mk)
                np.multiply(vk, F32(B2), out=vk)
                np.square(g, out=a)
                np.multiply(a, F32(1 - B2), out=a)
                np.add(a, vk, out=vk)
                # p += -lr * (m / bc1) / (sqrt(v / bc2) + eps)
                np.divide(vk, bc2, out=a)
                np.sqrt(a, out=a)
                np.add(a, F32(EPS), out=a)
                np.divide(mk, bc1, out=b)
                np.divide(b, a, out=b)
                np.multiply(b, F32(-LR), out=b)
                np.add(p[k], b, out=p[k])
            return p

        return step

    return build


def funcnet_adam_case(params0, grads, use_jit):
    def build():
        import funcnet
        import funcnet.numpy as fnp
        from funcnet import optim

        opt = optim.adam(LR, b1=B1, b2=B2, eps=EPS)
        p = {k: fnp.asarray(v) for k, v in params0.items()}
        g = {k: fnp.asarray(v) for k, v in grads.items()}
        box = {"p": p, "s": opt.init(p)}

        def update(p, s, g):
            u, s = opt.update(g, s, p)
            return optim.apply_updates(p, u), s

        f = funcnet.jit(update) if use_jit else update

        def step():
            box["p"], box["s"] = f(box["p"], box["s"], g)
            return box["p"]

        return step

    return build


def jax_adam_case(params0, grads):
    def build():
        jax = require("jax")
        optax = require("optax")
        opt = optax.adam(LR, b1=B1, b2=B2, eps=EPS)
        p = jax.tree_util.tree_map(jax.numpy.asarray, params0)
        g = jax.tree_util.tree_map(jax.numpy.asarray, grads)
        box = {"p": p, "s": opt.init(p)}

        @jax.jit
        def update(p, s, g):
            u, s = opt.update(g, s, p)
            return optax.apply_updates(p, u), s

        def step():
            box["p"], box["s"] = update(box["p"], box["s"], g)
            return block(box["p"])

        return step

    return build


def adam_workload(key, title, sizes, use_jit):
    params0 = init_params(sizes)
    grads = make_grads(params0)
    cases = [Case("funcnet jit" if use_jit else "funcnet eager",
                  funcnet_adam_case(params0, grads, use_jit), note="optim.adam")]
    if use_jit:
        cases.append(Case("jax jit + optax", jax_adam_case(params0, grads)))
    return Workload(
        key, title,
        baseline=Case("numpy", numpy_adam_case(params0, grads), note="hand-written, in place"),
        cases=cases,
        target=None,
        precall=False,
    )


WORKLOADS = ["O1", "O2", "O3"]


def main(argv=None) -> int:
    parser = H.base_argparser(__doc__.split("\n\n")[0], WORKLOADS)
    args = parser.parse_args(argv)
    settings = H.Settings.from_args(args)
    keys = H.select(args.only, WORKLOADS)
    info = H.environment_info(settings)
    H.print_header("funcnet optimizer benchmarks (bench_optim.py)", info)
    builders = {
        "O1": lambda: adam_workload("O1", "jitted Adam update, MLP 32-64-64-1 params",
                                    [32, 64, 64, 1], True),
        "O2": lambda: adam_workload("O2", "eager Adam update, MLP 32-64-64-1 params",
                                    [32, 64, 64, 1], False),
        "O3": lambda: adam_workload("O3", "jitted Adam update, MLP 784-512-512-10 params",
                                    [784, 512, 512, 10], True),
    }
    results: list[H.Result] = []
    for key in keys:
        w = builders[key]()
        H._log(settings, f"{w.key}: {w.title}")
        results += H.run_workload(w, settings)
    print()
    H.print_table(results)
    if args.json:
        info["versions"] = H.library_versions()
        H.write_json(args.json, results, info)
        print(f"\nresults written to {args.json}")
    bad = [r for r in results if r.library == "numpy" and r.status != "baseline"]
    wrong = [r for r in results if r.status == "wrong"]
    return 1 if (bad or wrong) else 0


if __name__ == "__main__":
    sys.exit(main())
