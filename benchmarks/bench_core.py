"""Core benchmarks of funcnet against NumPy (the baseline), JAX, PyTorch and autograd.

    python benchmarks/bench_core.py [--quick] [--only W1,W3] [--json out.json]

Workloads (targets are funcnet's time relative to the NumPy baseline):

  W1      eager dispatch: a chain of 50 elementwise ops on float32[100], per op   <= 2.5x
  W2      eager grad (no jit) of an MLP 784-256-10, tanh, softmax CE, batch 64    <= 1.5x
  W3      jitted SGD step, MLP 784-512-512-10, relu, softmax CE, batch 128       <= 1.05x
  W5      per-example grads jit(vmap(grad)), MLP 32-64-10, tanh, batch 64        <= 1.5x
  W6a     first call of a fresh jit of the W3 step (trace+compile+run)           <= 10x
  W6b     cache hit of the W3 step (the W3 figure, repeated)                     <= 1.05x
  W6c     jit cache-hit call of f(x, y) = x + y on float32[2], absolute          <= 7 us
  IMPORT  `import funcnet` vs `import numpy`, fresh interpreters                 <= 1.5x

Every library's result is checked against the NumPy baseline before timing; the
libraries are timed interleaved in one process pinned to one core (see _harness.py
and benchmarks/README.md). funcnet failing to import or to run a workload shows as
"unavailable" with the reason; JAX, PyTorch and autograd show "not installed" when
they are absent.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as H  # noqa: E402  (must come before numpy: sets threads + pinning)
import numpy as np  # noqa: E402
from _harness import Case, Target, Workload, block, require  # noqa: E402

F32 = np.float32
SEED = 0
LR = 0.01

# ==========================================================================
# Data
# ==========================================================================


def init_mlp(sizes, seed=SEED):
    """NumPy float32 params {"W1","b1",...}: W ~ N(0, 1/fan_in), small nonzero biases."""
    rng = np.random.default_rng(seed)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{i}"] = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(F32)
        params[f"b{i}"] = (0.1 * rng.standard_normal(n_out)).astype(F32)
    return params


def make_batch(batch, n_in, n_classes, seed=SEED + 1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, n_in)).astype(F32)
    y = rng.integers(0, n_classes, size=batch).astype(np.int32)
    return x, y


# ==========================================================================
# Model code written once for the array-API-like libraries (funcnet, jax.numpy,
# autograd.numpy) and once for torch. Labels are passed as int (B, 1) so the
# correct-class logit is a take_along_axis (no indexing inside the loss).
# ==========================================================================


def make_mlp_loss(xp, act, stop_gradient, pick):
    """Mean softmax cross-entropy of an MLP; logsumexp stabilised by max-subtraction."""

    def loss(params, x, y):
        n = len(params) // 2
        h = x
        for i in range(1, n):
            h = act(h @ params[f"W{i}"] + params[f"b{i}"])
        logits = h @ params[f"W{n}"] + params[f"b{n}"]
        m = stop_gradient(xp.max(logits, axis=1, keepdims=True))
        lse = xp.log(xp.sum(xp.exp(logits - m), axis=1, keepdims=True)) + m
        return xp.mean(lse - pick(logits, y))

    return loss


def _take_label(xp):
    return lambda logits, y: xp.take_along_axis(logits, y, axis=1)


def funcnet_mlp_loss(act_name):
    import funcnet
    import funcnet.numpy as fnp

    sg = getattr(funcnet, "stop_gradient", None)
    if sg is None:
        lax = getattr(funcnet, "lax", None)
        sg = getattr(lax, "stop_gradient", None) or (lambda v: v)  # exact: d lse / d m == 0
    act = fnp.tanh if act_name == "tanh" else (lambda z: fnp.maximum(z, 0.0))
    return make_mlp_loss(fnp, act, sg, _take_label(fnp))


def jax_mlp_loss(act_name):
    jax = require("jax")
    jnp = require("jax.numpy")
    act = jnp.tanh if act_name == "tanh" else (lambda z: jnp.maximum(z, 0.0))
    return make_mlp_loss(jnp, act, jax.lax.stop_gradient, _take_label(jnp))


def autograd_mlp_loss(act_name):
    anp = require("autograd.numpy")
    act = anp.tanh if act_name == "tanh" else (lambda z: anp.maximum(z, 0.0))

    def pick(logits, y):  # autograd has no VJP for take_along_axis: index instead
        return logits[np.arange(y.shape[0])[:, None], y]

    # autograd has no stop_gradient: the max's gradient is (exactly) zero anyway
    return make_mlp_loss(anp, act, lambda v: v, pick)


def torch_mlp_loss(act_name):
    torch = require("torch")
    act = torch.tanh if act_name == "tanh" else torch.relu

    def loss(params, x, y):  # y: int64 (B, 1)
        n = len(params) // 2
        h = x
        for i in range(1, n):
            h = act(h @ params[f"W{i}"] + params[f"b{i}"])
        logits = h @ params[f"W{n}"] + params[f"b{n}"]
        m = logits.max(dim=1, keepdim=True).values.detach()
        lse = torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True)) + m
        return (lse - logits.gather(1, y)).mean()

    return loss


def to_funcnet(tree):
    import funcnet.numpy as fnp

    if isinstance(tree, dict):
        return {k: fnp.asarray(v) for k, v in tree.items()}
    return fnp.asarray(tree)


def to_jax(tree):
    jnp = require("jax.numpy")
    if isinstance(tree, dict):
        return {k: jnp.asarray(v) for k, v in tree.items()}
    return jnp.asarray(tree)


def to_torch(tree, requires_grad=False, long=False):
    torch = require("torch")

    def one(v):
        t = torch.from_numpy(np.array(v, dtype=np.int64 if long else v.dtype))
        return t.requires_grad_(requires_grad)

    if isinstance(tree, dict):
        return {k: one(v) for k, v in tree.items()}
    return one(tree)


def check_cache_hits(jitted, call):
    """Call twice more; if the jit reports cache stats, a repeat must not re-trace."""
    call()
    call()
    info_fn = getattr(jitted, "cache_info", None)
    info = info_fn() if info_fn is not None else None
    misses = getattr(info, "misses", None)
    if misses is not None and misses > 1:
        reasons = getattr(info, "miss_reasons", None)
        raise RuntimeError(f"jit re-traced identical arguments (cache_info misses={misses}"
                           f"{', reasons: ' + str(reasons) if reasons else ''})")


def sgd_update(tree_map, params, grads, lr=LR):
    return tree_map(lambda p, g: p - lr * g, params, grads)


# ==========================================================================
# NumPy baselines: hand-written forward + backward passes
# ==========================================================================


def np_softmax_ce_dlogits(logits, y_flat, rows, scale):
    """d(mean CE)/d logits = (softmax - onehot) * scale."""
    m = logits.max(axis=1, keepdims=True)
    e = np.exp(logits - m)
    e /= e.sum(axis=1, keepdims=True)
    e[rows, y_flat] -= 1.0
    if scale != 1.0:
        e *= scale
    return e


def np_grads_tanh2(params, x, y_flat, rows):
    """Gradient of W2's loss: MLP x -> tanh -> logits, mean softmax CE."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    d = np_softmax_ce_dlogits(logits, y_flat, rows, 1.0 / x.shape[0])
    gW2 = h.T @ d
    gb2 = d.sum(axis=0)
    dz = (d @ W2.T) * (1.0 - h * h)
    gW1 = x.T @ dz
    gb1 = dz.sum(axis=0)
    return {"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2}


def np_sgd_step_relu3(params, x, y_flat, rows, lr=LR):
    """W3's step: forward + backward of a 3-layer relu MLP, returns new params."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z1 = x @ W1 + b1
    h1 = np.maximum(z1, 0.0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0.0)
    logits = h2 @ W3 + b3
    d = np_softmax_ce_dlogits(logits, y_flat, rows, 1.0 / x.shape[0])
    gW3 = h2.T @ d
    gb3 = d.sum(axis=0)
    dz2 = (d @ W3.T) * (z2 > 0)
    gW2 = h1.T @ dz2
    gb2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    gW1 = x.T @ dz1
    gb1 = dz1.sum(axis=0)
    return {
        "W1": W1 - lr * gW1, "b1": b1 - lr * gb1,
        "W2": W2 - lr * gW2, "b2": b2 - lr * gb2,
        "W3": W3 - lr * gW3, "b3": b3 - lr * gb3,
    }


def np_per_example_grads_tanh2(params, x, y_flat, rows):
    """Per-example gradients of W5's loss, vectorised over the batch by broadcasting."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.tanh(x @ W1 + b1)  # (B, H)
    logits = h @ W2 + b2  # (B, C)
    d = np_softmax_ce_dlogits(logits, y_flat, rows, 1.0)  # per-example loss: no 1/B
    gW2 = h[:, :, None] * d[:, None, :]  # (B, H, C)
    dz = (d @ W2.T) * (1.0 - h * h)  # (B, H)
    gW1 = x[:, :, None] * dz[:, None, :]  # (B, D, H)
    return {"W1": gW1, "b1": dz, "W2": gW2, "b2": d}


# ==========================================================================
# W1: eager dispatch
# ==========================================================================

W1_N_OPS = 50
W1_SIZE = 100


def _make_chain():
    """An unrolled chain of 50 ops cycling tanh, *m, exp, +c (all bounded)."""
    ops = ["x = tanh(x)", "x = x * m", "x = exp(x)", "x = x + c"]
    body = "\n".join("    " + ops[i % 4] for i in range(W1_N_OPS))
    src = f"def chain(x, m, c, tanh, exp):\n{body}\n    return x\n"
    ns: dict = {}
    exec(compile(src, "<w1-chain>", "exec"), ns)
    return ns["chain"]


def w1_workload() -> Workload:
    chain = _make_chain()
    rng = np.random.default_rng(SEED)
    x0 = rng.uniform(-1, 1, W1_SIZE).astype(F32)
    m0 = rng.uniform(0.3, 0.7, W1_SIZE).astype(F32)
    c0 = rng.uniform(-1.2, -0.8, W1_SIZE).astype(F32)

    def numpy_case():
        return lambda: chain(x0, m0, c0, np.tanh, np.exp)

    def funcnet_case():
        import funcnet.numpy as fnp

        x, m, c = fnp.asarray(x0), fnp.asarray(m0), fnp.asarray(c0)
        tanh, exp = fnp.tanh, fnp.exp
        return lambda: chain(x, m, c, tanh, exp).block_until_ready()

    def autograd_case():
        anp = require("autograd.numpy")
        return lambda: chain(x0, m0, c0, anp.tanh, anp.exp)

    def torch_case():
        torch = require("torch")
        x, m, c = (torch.from_numpy(a.copy()) for a in (x0, m0, c0))
        tanh, exp = torch.tanh, torch.exp
        return lambda: chain(x, m, c, tanh, exp)

    def jax_case():
        jnp = require("jax.numpy")
        x, m, c = (jnp.asarray(a) for a in (x0, m0, c0))
        tanh, exp = jnp.tanh, jnp.exp
        return lambda: chain(x, m, c, tanh, exp).block_until_ready()

    return Workload(
        "W1", f"eager dispatch, {W1_N_OPS}-op elementwise chain, float32[{W1_SIZE}]",
        baseline=Case("numpy", numpy_case),
        cases=[
            Case("funcnet eager", funcnet_case),
            Case("autograd.numpy", autograd_case, note="plain, no grad"),
            Case("torch eager", torch_case),
            Case("jax eager", jax_case, note="no jit"),
        ],
        target=Target("ratio", 2.5),
        unit_divisor=W1_N_OPS, unit="per op",
    )


# ==========================================================================
# W2: eager gradient of an MLP 784-256-10 (no jit)
# ==========================================================================


def w2_workload() -> Workload:
    params0 = init_mlp([784, 256, 10])
    x0, y0 = make_batch(64, 784, 10)
    y2 = y0[:, None]
    rows = np.arange(x0.shape[0])

    def numpy_case():
        return lambda: np_grads_tanh2(params0, x0, y0, rows)

    def funcnet_case():
        import funcnet

        g = funcnet.grad(funcnet_mlp_loss("tanh"))
        p, x, y = to_funcnet(params0), to_funcnet(x0), to_funcnet(y2)
        return lambda: block(g(p, x, y))

    def autograd_case():
        ag = require("autograd")
        g = ag.grad(autograd_mlp_loss("tanh"))
        return lambda: g(params0, x0, y2)

    def torch_case():
        torch = require("torch")
        loss = torch_mlp_loss("tanh")
        p = to_torch(params0, requires_grad=True)
        x, y = to_torch(x0), to_torch(y2, long=True)
        keys = list(p)
        leaves = [p[k] for k in keys]

        def fn():
            gs = torch.autograd.grad(loss(p, x, y), leaves)
            return dict(zip(keys, gs, strict=True))

        return fn

    def jax_case():
        jax = require("jax")
        g = jax.grad(jax_mlp_loss("tanh"))
        p, x, y = to_jax(params0), to_jax(x0), to_jax(y2)
        return lambda: block(g(p, x, y))

    return Workload(
        "W2", "eager grad (no jit), MLP 784-256-10 tanh, softmax CE, batch 64",
        baseline=Case("numpy", numpy_case, note="hand-written fwd+bwd"),
        cases=[
            Case("funcnet grad", funcnet_case),
            Case("autograd", autograd_case),
            Case("torch backward", torch_case, note="autograd.grad"),
            Case("jax grad", jax_case, note="no jit"),
        ],
        target=Target("ratio", 1.5),
    )


# ==========================================================================
# W3 / W6: jitted SGD step of an MLP 784-512-512-10
# ==========================================================================

W3_SIZES = [784, 512, 512, 10]
W3_BATCH = 128


def w3_data():
    params0 = init_mlp(W3_SIZES)
    x0, y0 = make_batch(W3_BATCH, W3_SIZES[0], W3_SIZES[-1])
    return params0, x0, y0


def make_funcnet_step():
    """A NEW step function object on every call (for the fresh-jit measurement)."""
    import funcnet

    loss = funcnet_mlp_loss("relu")

    def step(params, x, y):
        grads = funcnet.grad(loss)(params, x, y)
        return sgd_update(funcnet.tree.map, params, grads)

    return step


def make_jax_step():
    jax = require("jax")
    loss = jax_mlp_loss("relu")

    def step(params, x, y):
        grads = jax.grad(loss)(params, x, y)
        return sgd_update(jax.tree_util.tree_map, params, grads)

    return step


def w3_cases():
    params0, x0, y0 = w3_data()
    y2 = y0[:, None]
    rows = np.arange(W3_BATCH)

    def numpy_case():
        return lambda: np_sgd_step_relu3(params0, x0, y0, rows)

    def funcnet_jit_case():
        import funcnet

        step = funcnet.jit(make_funcnet_step())
        p, x, y = to_funcnet(params0), to_funcnet(x0), to_funcnet(y2)
        fn = lambda: block(step(p, x, y))  # noqa: E731
        check_cache_hits(step, fn)  # compiles outside the timing
        return fn

    def funcnet_fresh_case():
        import funcnet

        p, x, y = to_funcnet(params0), to_funcnet(x0), to_funcnet(y2)
        # new function object + new jit object each call: trace+optimise+compile+run
        return lambda: block(funcnet.jit(make_funcnet_step())(p, x, y))

    def jax_jit_case():
        jax = require("jax")
        step = jax.jit(make_jax_step())
        p, x, y = to_jax(params0), to_jax(x0), to_jax(y2)
        block(step(p, x, y))
        return lambda: block(step(p, x, y))

    def jax_fresh_case():
        jax = require("jax")
        p, x, y = to_jax(params0), to_jax(x0), to_jax(y2)
        return lambda: block(jax.jit(make_jax_step())(p, x, y))

    def torch_case():
        torch = require("torch")
        loss = torch_mlp_loss("relu")
        p = to_torch(params0, requires_grad=True)
        x, y = to_torch(x0), to_torch(y2, long=True)
        keys = list(p)
        leaves = [p[k] for k in keys]

        def fn():
            gs = torch.autograd.grad(loss(p, x, y), leaves)
            with torch.no_grad():
                return {k: q - LR * g for k, q, g in zip(keys, leaves, gs, strict=True)}

        return fn

    return {
        "numpy": Case("numpy", numpy_case, note="hand-written fwd+bwd+update"),
        "funcnet jit": Case("funcnet jit", funcnet_jit_case, note="cache hit"),
        "funcnet fresh": Case("funcnet jit, first call", funcnet_fresh_case,
                              note="fresh jit each call"),
        "jax jit": Case("jax jit", jax_jit_case, note="cache hit"),
        "jax fresh": Case("jax jit, first call", jax_fresh_case, note="fresh jit each call"),
        "torch": Case("torch eager", torch_case, note="autograd.grad + update"),
    }


def w3_workload() -> Workload:
    c = w3_cases()
    return Workload(
        "W3", "jitted SGD step, MLP 784-512-512-10 relu, softmax CE, batch 128",
        baseline=c["numpy"],
        cases=[c["funcnet jit"], c["jax jit"], c["torch"]],
        target=Target("ratio", 1.05),
    )


def w6a_workload() -> Workload:
    c = w3_cases()
    # The baseline is one warm NumPy step, as in W3: an untimed call first and a
    # loop of >= 25 ms per sample, so the state left by the compile of the case
    # before it (cold caches, allocator) is not counted.
    c["numpy"].precall = True
    c["numpy"].min_sample_s = 0.025
    return Workload(
        "W6a", "first call of a fresh jit of the W3 step (trace+compile+run) vs one NumPy step",
        baseline=c["numpy"],
        cases=[c["funcnet fresh"], c["jax fresh"]],
        target=Target("ratio", 10.0),
        budget_s=8.0, min_rounds=5, warmup=1, min_sample_s=0.0, precall=False,
    )


def w6c_workload() -> Workload:
    a0 = np.array([1.0, 2.0], dtype=F32)
    b0 = np.array([0.5, -0.25], dtype=F32)

    def numpy_case():
        return lambda: a0 + b0

    def funcnet_case():
        import funcnet

        f = funcnet.jit(lambda x, y: x + y)
        a, b = to_funcnet(a0), to_funcnet(b0)
        fn = lambda: f(a, b).block_until_ready()  # noqa: E731
        check_cache_hits(f, fn)
        return fn

    def jax_case():
        jax = require("jax")
        f = jax.jit(lambda x, y: x + y)
        a, b = to_jax(a0), to_jax(b0)
        f(a, b).block_until_ready()
        return lambda: f(a, b).block_until_ready()

    return Workload(
        "W6c", "jit cache-hit call of f(x, y) = x + y, float32[2], absolute time",
        baseline=Case("numpy", numpy_case, note="plain x + y, for scale"),
        cases=[
            Case("funcnet jit", funcnet_case, note="cache hit, incl. block_until_ready"),
            Case("jax jit", jax_case, note="cache hit, incl. block_until_ready"),
        ],
        target=Target("abs", 7e-6),
    )


def w6b_results(w3_results) -> list[H.Result]:
    """W6b is W3's cache-hit figure, repeated under its own name."""
    out = []
    for r in w3_results:
        if r.library in ("numpy", "funcnet jit", "jax jit"):
            d = r.as_dict(with_samples=True)
            d.update(workload="W6b", title="cache hit of the W3 step (= W3)",
                     note=H._join(r.note, "same measurement as W3"))
            out.append(H.Result(**d))
    return out


# ==========================================================================
# W5: per-example gradients
# ==========================================================================


def w5_workload() -> Workload:
    B = 64
    params0 = init_mlp([32, 64, 10])
    x0, y0 = make_batch(B, 32, 10)
    rows = np.arange(B)
    # per-example data: each example is a batch of one -> the W2 loss is reused as is
    xe, ye = x0[:, None, :], y0[:, None, None]  # (B, 1, 32), (B, 1, 1)

    def numpy_case():
        return lambda: np_per_example_grads_tanh2(params0, x0, y0, rows)

    def funcnet_case():
        import funcnet

        f = funcnet.jit(funcnet.vmap(funcnet.grad(funcnet_mlp_loss("tanh")),
                                     in_axes=(None, 0, 0)))
        p, x, y = to_funcnet(params0), to_funcnet(xe), to_funcnet(ye)
        fn = lambda: block(f(p, x, y))  # noqa: E731
        check_cache_hits(f, fn)
        return fn

    def funcnet_loop_case():
        import funcnet

        g = funcnet.grad(funcnet_mlp_loss("tanh"))
        p, x, y = to_funcnet(params0), to_funcnet(xe), to_funcnet(ye)
        return lambda: block([g(p, x[i], y[i]) for i in range(B)])

    def stack(per_example):
        return {k: np.stack([H.to_numpy(g[k]) for g in per_example]) for k in per_example[0]}

    def jax_case():
        jax = require("jax")
        f = jax.jit(jax.vmap(jax.grad(jax_mlp_loss("tanh")), in_axes=(None, 0, 0)))
        p, x, y = to_jax(params0), to_jax(xe), to_jax(ye)
        block(f(p, x, y))
        return lambda: block(f(p, x, y))

    def torch_case():
        require("torch")
        from torch.func import grad, vmap

        f = vmap(grad(torch_mlp_loss("tanh")), in_dims=(None, 0, 0))
        p, x, y = to_torch(params0), to_torch(xe), to_torch(ye, long=True)
        return lambda: f(p, x, y)

    return Workload(
        "W5", "per-example grads jit(vmap(grad)), MLP 32-64-10 tanh, batch 64",
        baseline=Case("numpy", numpy_case, note="hand-vectorised (broadcasting)"),
        cases=[
            Case("funcnet jit(vmap(grad))", funcnet_case),
            Case("funcnet loop of grad", funcnet_loop_case, convert=stack,
                 note="reference: Python loop, eager"),
            Case("jax jit(vmap(grad))", jax_case),
            Case("torch.func vmap(grad)", torch_case, note="no compile"),
        ],
        target=Target("ratio", 1.5),
        target_libraries=("funcnet jit(vmap(grad))",),
    )


# ==========================================================================
# main
# ==========================================================================

WORKLOADS = ["W1", "W2", "W3", "W5", "W6", "IMPORT"]


def main(argv=None) -> int:
    parser = H.base_argparser(__doc__.split("\n\n")[0], WORKLOADS)
    parser.add_argument("--import-runs", type=int, default=None,
                        help="fresh interpreters per module for IMPORT (default 10, quick 3)")
    args = parser.parse_args(argv)
    settings = H.Settings.from_args(args)
    keys = H.select(args.only, WORKLOADS)
    if "W6" in keys and "W3" not in keys:
        keys.insert(keys.index("W6"), "W3")  # W6b is W3's figure

    info = H.environment_info(settings)
    H.print_header("funcnet core benchmarks (bench_core.py)", info)

    results: list[H.Result] = []
    w3_results: list[H.Result] = []
    builders = {"W1": [w1_workload], "W2": [w2_workload], "W3": [w3_workload],
                "W5": [w5_workload], "W6": [w6a_workload, None, w6c_workload]}
    for key in keys:
        if key == "IMPORT":
            runs = args.import_runs or (3 if settings.quick else 10)
            results += H.measure_imports(
                "IMPORT", "import time, fresh interpreter minus `python -c pass`",
                [("numpy", "numpy", False), ("funcnet", "funcnet", True),
                 ("jax", "jax", False)],
                runs=runs, target=Target("ratio", 1.5), settings=settings)
            continue
        for build in builders[key]:
            if build is None:  # W6b
                results += w6b_results(w3_results)
                continue
            w = build()
            H._log(settings, f"{w.key}: {w.title}")
            res = H.run_workload(w, settings)
            if w.key == "W3":
                w3_results = res
            results += res
    for r in results:
        if r.workload == "W6b" and r.library.startswith("funcnet"):
            r.target = Target("ratio", 1.05).describe()

    print()
    H.print_table(results)
    if args.json:
        info["versions"] = H.library_versions()  # funcnet/jax/torch are imported by now
        H.write_json(args.json, results, info)
        print(f"\nresults written to {args.json}")

    bad_baseline = [r for r in results if r.library == "numpy" and r.status != "baseline"]
    wrong = [r for r in results if r.status == "wrong"]
    if bad_baseline:
        print("\nERROR: a NumPy baseline failed", file=sys.stderr)
    if wrong:
        print(f"\nERROR: {len(wrong)} result(s) differ from the baseline", file=sys.stderr)
    return 1 if (bad_baseline or wrong) else 0


if __name__ == "__main__":
    sys.exit(main())
