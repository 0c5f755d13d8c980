"""nn/optim benchmarks of funcnet against hand-written NumPy (the baseline), JAX + optax,
PyTorch and autograd.

    python benchmarks/bench_nn.py [--quick] [--only W4,W7,FIT] [--json out.json] [--rounds N]

Workloads (targets are funcnet's time relative to the workload's baseline):

  W4   jitted Adam step, MLP 32-64-64-1 tanh, MSE, batch 32; baseline: NumPy        <= 1.0x
       forward + backward + in-place Adam
  W7   the quickstart demo's whole run: build an MLP 64-128-10 relu, 30 epochs of   <= 1.2x
       Adam 1e-3, batch 32, shuffled, on the 80/20 digits split, then evaluate;
       funcnet: a fresh nn.Trainer each run (compile included); baseline: a NumPy
       training loop on the same batches from the same initial parameters
  FIT  nn.Trainer.fit (the demo's config, warm) against the same jitted step      <= 1.1x
       written by hand with funcnet.jit(value_and_grad) + optim.adam, same batches

Every library's result is checked against the baseline before timing (W4: parameters and
loss after one step from identical parameters; W7: test and last-epoch training loss and
accuracy; FIT: the parameters after 30 epochs); the libraries are timed interleaved in one
process pinned to one core (see _harness.py and benchmarks/README.md). funcnet failing to
import or to run a workload shows as "unavailable" with the reason; JAX (+ optax), PyTorch
and autograd show "not installed" when they are absent. W7 and FIT (one call is a whole
training run) time one call per round, 7 and 11 rounds (3 with --quick), and also give the
median process CPU time in the note, the steadier figure on a shared machine.
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
LR, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8
# funcnet's targets (issue 3, section 7): time relative to the workload's baseline
TARGETS = {"W4": Target("ratio", 1.0), "W7": Target("ratio", 1.2), "FIT": Target("ratio", 1.10)}

# ==========================================================================
# Shared pieces
# ==========================================================================


def init_mlp(sizes, seed=SEED):
    """NumPy float32 params {"W1","b1",...}: W ~ N(0, 1/fan_in), small nonzero biases."""
    rng = np.random.default_rng(seed)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{i}"] = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(F32)
        params[f"b{i}"] = (0.1 * rng.standard_normal(n_out)).astype(F32)
    return params


class NumpyAdam:
    """Adam written by hand, updating params IN PLACE (``out=`` / ``*=``, no new arrays).

    The arithmetic is optax's ``adam`` (eps outside the square root, eps_root 0), with
    the bias corrections ``1 - b**t`` computed in float32 as optax and funcnet do.
    """

    def __init__(self, params, lr=LR, b1=B1, b2=B2, eps=EPS):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.tmp = {k: np.empty_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        t = F32(self.t)
        bc1 = F32(1) - F32(self.b1) ** t
        bc2 = F32(1) - F32(self.b2) ** t
        b1, b2, c1, c2 = F32(self.b1), F32(self.b2), F32(1 - self.b1), F32(1 - self.b2)
        eps, scale = F32(self.eps), F32(-self.lr) / bc1
        for k, p in params.items():
            g, m, v, a = grads[k], self.m[k], self.v[k], self.tmp[k]
            m *= b1                      # m = b1 m + (1 - b1) g
            np.multiply(g, c1, out=a)
            m += a
            v *= b2                      # v = b2 v + (1 - b2) g^2
            np.multiply(g, g, out=a)
            a *= c2
            v += a
            np.divide(v, bc2, out=a)     # p -= lr * (m / bc1) / (sqrt(v / bc2) + eps)
            np.sqrt(a, out=a)
            a += eps
            np.divide(m, a, out=a)
            a *= scale
            p += a
        return params


def snapshot(tree):
    """A NumPy copy of a pytree (the in-place baselines mutate what they return)."""
    if isinstance(tree, dict):
        return {k: snapshot(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(snapshot(v) for v in tree)
    return np.array(H.to_numpy(tree), copy=True)


def cache_misses(jitted):
    info_fn = getattr(jitted, "cache_info", None)
    info = info_fn() if info_fn is not None else None
    return getattr(info, "misses", None), getattr(info, "miss_reasons", None)


def check_no_retrace(jitted, expected_misses):
    misses, reasons = cache_misses(jitted)
    if misses is not None and misses > expected_misses:
        raise RuntimeError(f"jit re-traced identical signatures (cache_info misses={misses}, "
                           f"expected {expected_misses}; reasons: {reasons})")


def _time_one(fn):
    """One call: (wall-clock seconds, process CPU seconds), garbage collector off."""
    import gc
    import time

    was = gc.isenabled()
    gc.disable()
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        c1, t1 = time.process_time(), time.perf_counter()
    finally:
        if was:
            gc.enable()
    return t1 - t0, c1 - c0


def run_long_workload(w: Workload, settings: H.Settings, rounds: int,
                      tolerances: dict | None = None) -> list[H.Result]:
    """``H.run_workload`` for workloads whose one call lasts 0.1-5 s (W7, FIT).

    The same build, check-before-timing and interleaving, but no calibration: the check
    call is the only untimed call, then ``rounds`` rounds each time ONE call of every case
    in turn (baseline, funcnet, ...). ``run_workload``'s three calibration calls per case
    would double a quick run for nothing (one call is already far above the timer's
    resolution). The garbage collector is off inside each call, as in the harness.
    Besides the wall-clock median (the table's figure and ratio, as everywhere), the note
    gives the median process CPU time and its ratio: on a machine shared with other work
    it is the steadier of the two. ``tolerances`` ({key: (rtol, atol)}, for a result that
    is a flat dict) replaces the workload's single rtol/atol with one per entry.
    """
    import statistics

    all_cases = [w.baseline] + list(w.cases)
    results = {id(c): H.Result(w.key, w.title, c.library, "pending", note=c.note, unit=w.unit)
               for c in all_cases}
    fns = {}
    expected = None
    for c in all_cases:
        r = results[id(c)]
        H._log(settings, f"  [{w.key}] build+check {c.library}")
        try:
            fn = c.build()
            out = fn()
            conv = c.convert(out) if c.convert else out
            if c is w.baseline:
                expected = conv
                H.tree_leaves(expected)
            elif c.check:
                if expected is None:
                    raise RuntimeError("baseline failed; nothing to check against")
                try:
                    if tolerances:
                        if sorted(conv) != sorted(expected):
                            raise AssertionError(f"keys {sorted(conv)} != {sorted(expected)}")
                        for k, (rtol, atol) in tolerances.items():
                            try:
                                H.check_close(conv[k], expected[k], rtol, atol, w.check_dtype)
                            except AssertionError as e:
                                raise AssertionError(f"{k}: {e}") from None
                    else:
                        H.check_close(conv, expected, w.rtol, w.atol, w.check_dtype)
                except AssertionError as e:
                    r.status = "wrong"
                    r.note = H._join(r.note, f"differs from baseline: {e}")
                    continue
            fns[id(c)] = fn
            r.status = "baseline" if c is w.baseline else "ok"
        except Exception as e:  # noqa: BLE001 - every failure becomes a table row
            r.status, reason = H._failure_status(c, e)
            r.note = H._join(r.note, reason)
            if c is w.baseline:
                r.note = H._join(r.note, "BASELINE FAILED")
                if not c.is_funcnet or not isinstance(e, ImportError):
                    import traceback

                    traceback.print_exc()
    timed = [c for c in all_cases if id(c) in fns]
    H._log(settings, f"  [{w.key}] timing {len(timed)} cases x {rounds} rounds, one call each")
    samples = {id(c): [] for c in timed}
    cpu = {id(c): [] for c in timed}
    failed = set()
    for _ in range(rounds):
        for c in timed:
            if id(c) in failed:
                continue
            try:
                wall_s, cpu_s = _time_one(fns[id(c)])
                samples[id(c)].append(wall_s)
                cpu[id(c)].append(cpu_s)
            except Exception as e:  # noqa: BLE001
                failed.add(id(c))
                r = results[id(c)]
                r.status, reason = H._failure_status(c, e)
                r.note = H._join(r.note, reason)
    base = base_cpu = None
    for c in all_cases:
        r, s = results[id(c)], samples.get(id(c))
        if s and id(c) not in failed:
            r.samples_s, r.median_s = s, statistics.median(s)
            q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
            r.p25_s, r.p75_s, r.rounds, r.number = q[0], q[2], len(s), 1
            # process CPU time: what the library spent, less the time another process
            # had the core (reported beside the wall-clock figure; JSON: cpu_*)
            r.cpu_samples_s = cpu[id(c)]
            r.cpu_median_s = statistics.median(cpu[id(c)])
            if c is w.baseline:
                base, base_cpu = r.median_s, r.cpu_median_s
    for c in all_cases:
        r = results[id(c)]
        if r.median_s is not None and base:
            r.ratio = r.median_s / base
            if base_cpu:
                r.cpu_ratio = r.cpu_median_s / base_cpu
                r.note = H._join(r.note, f"cpu {H.fmt_time(r.cpu_median_s)} "
                                         f"({r.cpu_ratio:.2f}x)")
        applies = (c.library in w.target_libraries if w.target_libraries is not None
                   else "reference" not in c.note)
        if c.is_funcnet and w.target is not None and applies:
            r.target = w.target.describe()
            r.verdict = ("WRONG" if r.status == "wrong" else "n/a" if r.median_s is None
                         else "PASS" if w.target.met(r.median_s, r.ratio) else "MISS")
    return [results[id(c)] for c in all_cases]


# ==========================================================================
# W4: jitted Adam step, MLP 32-64-64-1 tanh, MSE, batch 32
# ==========================================================================

W4_SIZES = [32, 64, 64, 1]
W4_BATCH = 32


def make_mse_loss(xp, act):
    def loss(params, x, y):
        h = act(x @ params["W1"] + params["b1"])
        h = act(h @ params["W2"] + params["b2"])
        out = h @ params["W3"] + params["b3"]
        r = out - y
        return xp.mean(r * r)

    return loss


def np_mse_grads(params, x, y):
    """Forward + backward of the W4 MLP by hand: (loss, grads)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    h1 = x @ W1
    h1 += b1
    np.tanh(h1, out=h1)
    h2 = h1 @ W2
    h2 += b2
    np.tanh(h2, out=h2)
    r = h2 @ W3
    r += b3
    r -= y
    loss = np.mean(r * r)
    r *= F32(2.0 / r.size)                 # d loss / d out
    gW3 = h2.T @ r
    gb3 = r.sum(axis=0)
    d2 = r @ W3.T
    h2 *= h2                               # 1 - h^2 = tanh'
    np.subtract(1.0, h2, out=h2)
    d2 *= h2
    gW2 = h1.T @ d2
    gb2 = d2.sum(axis=0)
    d1 = d2 @ W2.T
    h1 *= h1
    np.subtract(1.0, h1, out=h1)
    d1 *= h1
    gW1 = x.T @ d1
    gb1 = d1.sum(axis=0)
    return loss, {"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2, "W3": gW3, "b3": gb3}


def np_mse_step(params, x, y, adam):
    """One training step: hand-written gradients, then in-place Adam; (loss, params, m)."""
    loss, grads = np_mse_grads(params, x, y)
    adam.step(params, grads)
    return loss, params, adam.m


def check_grads_fd(loss_fn, grad_fn, params, *args, seed=SEED, rel=1e-6):
    """Checks a hand-written gradient against central finite differences in float64, one
    random direction per parameter (verifies the NumPy baselines themselves)."""
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    a64 = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in args]
    _, g = grad_fn({k: v.copy() for k, v in p64.items()}, *a64)
    rng = np.random.default_rng(seed)
    h = 1e-6
    for k in sorted(p64):
        d = rng.standard_normal(p64[k].shape)
        plus = {**p64, k: p64[k] + h * d}
        minus = {**p64, k: p64[k] - h * d}
        fd = (loss_fn(plus, *a64) - loss_fn(minus, *a64)) / (2 * h)
        an = float(np.sum(g[k] * d))
        if abs(fd - an) > rel * max(1.0, abs(fd)) + 1e-9:
            raise AssertionError(f"hand-written gradient of {k} is wrong: directional "
                                 f"derivative {an:.10g}, finite differences {fd:.10g}")


def w4_convert(out):
    """(loss, params, Adam's first moment m) -> NumPy. After one step from m = 0,
    m = (1 - b1) * grad, so this checks the gradient itself too (the first Adam step,
    lr * g / (|g| + eps), only shows its sign)."""
    loss, params, m = out
    d = {"params": snapshot(params), "m": snapshot(m)}
    d["loss"] = np.asarray(H.to_numpy(loss)).reshape(())
    return d


def w4_workload() -> Workload:
    params0 = init_mlp(W4_SIZES)
    rng = np.random.default_rng(SEED + 1)
    x0 = rng.standard_normal((W4_BATCH, W4_SIZES[0])).astype(F32)
    y0 = rng.standard_normal((W4_BATCH, W4_SIZES[-1])).astype(F32)

    def numpy_case():
        check_grads_fd(make_mse_loss(np, np.tanh), np_mse_grads, params0, x0, y0)
        params = snapshot(params0)
        adam = NumpyAdam(params)
        return lambda: np_mse_step(params, x0, y0, adam)

    def funcnet_case():
        import funcnet
        import funcnet.numpy as fnp
        from funcnet import optim

        loss = make_mse_loss(fnp, fnp.tanh)
        opt = optim.adam(LR, b1=B1, b2=B2, eps=EPS)

        @funcnet.jit
        def step(params, opt_state, x, y):
            value, grads = funcnet.value_and_grad(loss)(params, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optim.apply_updates(params, updates), opt_state, value

        p = {k: fnp.asarray(v) for k, v in params0.items()}
        x, y = fnp.asarray(x0), fnp.asarray(y0)
        for _ in range(3):  # compile outside the check and the timing
            step(p, opt.init(p), x, y)
        check_no_retrace(step, 1)
        box = [p, opt.init(p)]

        def fn():
            box[0], box[1], value = step(box[0], box[1], x, y)
            return block((value, box[0], box[1][0].mu))

        return fn

    def jax_case():
        jax = require("jax")
        jnp = require("jax.numpy")
        optax = require("optax")
        loss = make_mse_loss(jnp, jnp.tanh)
        opt = optax.adam(LR, b1=B1, b2=B2, eps=EPS)

        @jax.jit
        def step(params, opt_state, x, y):
            value, grads = jax.value_and_grad(loss)(params, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value

        p = {k: jnp.asarray(v) for k, v in params0.items()}
        x, y = jnp.asarray(x0), jnp.asarray(y0)
        block(step(p, opt.init(p), x, y))
        box = [p, opt.init(p)]

        def fn():
            box[0], box[1], value = step(box[0], box[1], x, y)
            return block((value, box[0], box[1][0].mu))

        return fn

    def torch_case():
        torch = require("torch")
        p = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in params0.items()}
        x, y = torch.from_numpy(x0.copy()), torch.from_numpy(y0.copy())
        opt = torch.optim.Adam(list(p.values()), lr=LR, betas=(B1, B2), eps=EPS)
        loss = make_mse_loss(torch, torch.tanh)

        def fn():
            opt.zero_grad(set_to_none=True)
            value = loss(p, x, y)
            value.backward()
            opt.step()
            return value.detach(), p, {k: opt.state[v]["exp_avg"] for k, v in p.items()}

        return fn

    def autograd_case():
        ag = require("autograd")
        anp = require("autograd.numpy")
        vg = ag.value_and_grad(make_mse_loss(anp, anp.tanh))
        params = snapshot(params0)
        adam = NumpyAdam(params)

        def fn():
            value, grads = vg(params, x0, y0)
            adam.step(params, grads)
            return value, params, adam.m

        return fn

    return Workload(
        "W4", "jitted Adam step, MLP 32-64-64-1 tanh, MSE, batch 32",
        baseline=Case("numpy", numpy_case, convert=w4_convert,
                      note="hand-written fwd+bwd, in-place Adam"),
        cases=[
            Case("funcnet jit", funcnet_case, convert=w4_convert,
                 note="jit(value_and_grad + optim.adam)"),
            Case("jax jit + optax", jax_case, convert=w4_convert),
            Case("torch", torch_case, convert=w4_convert, note="backward + torch.optim.Adam"),
            Case("autograd", autograd_case, convert=w4_convert,
                 note="value_and_grad + in-place NumPy Adam"),
        ],
        target=TARGETS["W4"],
    )


# ==========================================================================
# W7 / FIT: the quickstart demo (MLP 64-128-10 relu on the digits, Adam 1e-3,
# batch 32, 30 epochs, shuffled with the Trainer's permutations)
# ==========================================================================

DEMO_EPOCHS = 30
DEMO_BATCH = 32
DEMO_HIDDEN = 128
DEMO_SEED = 0  # nn.Trainer's default seed: initialisation and shuffling


def demo_data():
    """The demo's data: digits / 16, 80/20 split with random_state=0 (NumPy arrays)."""
    from funcnet import data

    X, y = data.load_digits(return_X_y=True)
    X = X / 16.0
    x_tr, x_te, y_tr, y_te = data.train_test_split(X, y, test_size=0.2, random_state=0)
    return tuple(np.asarray(a) for a in (x_tr, x_te, y_tr, y_te))


def demo_orders(n, epochs=DEMO_EPOCHS, seed=DEMO_SEED):
    """Per-epoch shuffles, exactly nn.Trainer.fit's: default_rng([seed, epoch])."""
    for epoch in range(epochs):
        yield np.random.default_rng([seed, epoch]).permutation(n)


def make_demo_model():
    from funcnet import nn

    return nn.Sequential([
        nn.Dense(DEMO_HIDDEN, activation="relu", input_dim=64),
        nn.Dense(10),
    ])


def demo_init_params():
    """The parameters nn.Trainer starts from (model.init with key(seed)), as NumPy:
    {"W1","b1","W2","b2"}. Every library in W7 starts from these."""
    import funcnet

    params, _ = make_demo_model().init(funcnet.random.key(DEMO_SEED), (None, 64))
    return {"W1": np.asarray(params["dense"]["kernel"]), "b1": np.asarray(params["dense"]["bias"]),
            "W2": np.asarray(params["dense_1"]["kernel"]),
            "b2": np.asarray(params["dense_1"]["bias"])}


def to_funcnet_demo_params(p):
    import funcnet.numpy as fnp

    return {"dense": {"kernel": fnp.asarray(p["W1"]), "bias": fnp.asarray(p["b1"])},
            "dense_1": {"kernel": fnp.asarray(p["W2"]), "bias": fnp.asarray(p["b2"])}}


def summary(train_loss, train_acc, test_loss, test_acc):
    return {"train_loss": float(train_loss), "train_acc": float(train_acc),
            "test_loss": float(test_loss), "test_acc": float(test_acc)}


def summary_convert(s):
    return {k: np.asarray(v, dtype=np.float64) for k, v in s.items()}


def np_demo_grads(p, xb, yb):
    """Forward + backward of the demo MLP (relu, mean softmax cross-entropy from logits)
    by hand: (summed loss, grads, logits)."""
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    bsz = xb.shape[0]
    rows = np.arange(bsz)
    z1 = xb @ W1
    z1 += b1
    h = np.maximum(z1, 0.0)
    logits = h @ W2
    logits += b2
    e = logits - logits.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)      # softmax
    loss_sum = -np.log(e[rows, yb]).sum()
    e[rows, yb] -= 1.0                     # d(mean CE)/d logits = (softmax - onehot) / B
    e *= e.dtype.type(1.0 / bsz)
    gW2 = h.T @ e
    gb2 = e.sum(axis=0)
    dh = e @ W2.T
    dh *= z1 > 0
    gW1 = xb.T @ dh
    gb1 = dh.sum(axis=0)
    return loss_sum, {"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2}, logits


def np_demo_mean_loss(p, xb, yb):
    return np_demo_grads(p, xb, yb)[0] / xb.shape[0]


def np_demo_mean_grads(p, xb, yb):
    loss_sum, g, _ = np_demo_grads(p, xb, yb)
    return loss_sum / xb.shape[0], g


def numpy_demo_run(params0, x_tr, y_tr, x_te, y_te):
    """The demo written by hand in NumPy: forward, softmax CE backward, in-place Adam,
    streamed training loss/accuracy per epoch (as the Trainer's metrics), then the test
    set."""
    p = snapshot(params0)
    adam = NumpyAdam(p)
    n = x_tr.shape[0]
    for order in demo_orders(n):
        loss_sum, correct = 0.0, 0
        for s in range(0, n, DEMO_BATCH):
            idx = order[s:s + DEMO_BATCH]
            yb = y_tr[idx]
            lsum, grads, logits = np_demo_grads(p, x_tr[idx], yb)
            loss_sum += float(lsum)
            correct += int((logits.argmax(axis=1) == yb).sum())
            adam.step(p, grads)
    logits = np.maximum(x_te @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"]
    m = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(axis=1)) + m[:, 0]
    test_loss = float(np.mean(lse - logits[np.arange(len(y_te)), y_te]))
    test_acc = float(np.mean(logits.argmax(axis=1) == y_te))
    return summary(loss_sum / n, correct / n, test_loss, test_acc), p


def make_funcnet_raw_step(model, with_accuracy=True):
    """The Trainer's step written by hand: jit(value_and_grad) + optim.adam, same loss
    object; ``with_accuracy`` streams the loss sum and correct count like the metric."""
    import funcnet
    import funcnet.numpy as fnp
    from funcnet import nn, optim

    loss_obj = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = optim.adam(LR)

    def step(params, opt_state, acc, x, y):
        def objective(p):
            logits, _ = model.apply(p, {}, x)
            return loss_obj(y, logits), logits

        (value, logits), grads = funcnet.value_and_grad(objective, has_aux=True)(params)
        updates, opt_state = opt.update(grads, opt_state, params)
        params = optim.apply_updates(params, updates)
        if with_accuracy:
            n = logits.shape[0]
            correct = fnp.sum(fnp.argmax(logits, axis=-1) == y)
            acc = (acc[0] + value * n, acc[1] + correct, acc[2] + n)
        return params, opt_state, acc

    return funcnet.jit(step), opt


def funcnet_raw_fit(step, opt, params, x_tr, y_tr, with_accuracy=True):
    """The raw training loop: same batches as Trainer.fit; per-epoch loss/accuracy."""
    import funcnet.numpy as fnp

    opt_state = opt.init(params)
    n = x_tr.shape[0]
    logs = (0.0, 0.0)
    for order in demo_orders(n):
        acc = (fnp.zeros(()), fnp.zeros(()), fnp.zeros(())) if with_accuracy else ()
        for s in range(0, n, DEMO_BATCH):
            idx = order[s:s + DEMO_BATCH]
            params, opt_state, acc = step(params, opt_state, acc, fnp.asarray(x_tr[idx]),
                                          fnp.asarray(y_tr[idx]))
        if with_accuracy:
            logs = (float(acc[0]) / float(acc[2]), float(acc[1]) / float(acc[2]))
    return params, logs


# W7's check: after 1350 float32 steps the libraries drift a little (NumPy, funcnet and JAX
# agree to ~1e-6; PyTorch's losses differ by ~6e-4 relative and its test accuracy by one
# image): losses to 0.5% relative, accuracies to two images (of 360 test images)
W7_TOLERANCES = {"train_loss": (5e-3, 0.0), "test_loss": (5e-3, 0.0),
                 "train_acc": (0.0, 0.006), "test_acc": (0.0, 0.006)}


def w7_workload(notes: dict) -> Workload:
    """``notes`` receives each library's last summary (for the table's note)."""
    x_tr, x_te, y_tr, y_te = demo_data()
    params0 = demo_init_params()

    def record(lib, s):
        notes[lib] = s
        return s

    def numpy_case():
        check_grads_fd(np_demo_mean_loss, np_demo_mean_grads, params0, x_tr[:DEMO_BATCH],
                       y_tr[:DEMO_BATCH])
        return lambda: record("numpy", numpy_demo_run(params0, x_tr, y_tr, x_te, y_te)[0])

    def funcnet_trainer_case():
        from funcnet import nn, optim

        def run():
            model = make_demo_model()
            trainer = nn.Trainer(
                model, loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                optimizer=optim.adam(learning_rate=LR), metrics=["accuracy"])
            hist = trainer.fit(x_tr, y_tr, epochs=DEMO_EPOCHS, batch_size=DEMO_BATCH,
                               verbose=0, shuffle=True)
            test_loss, test_acc = trainer.evaluate(x_te, y_te)
            check_no_retrace(trainer._train_step, 2)  # full batch + partial last batch
            h = hist.history
            return record("funcnet Trainer.fit", summary(h["loss"][-1], h["accuracy"][-1],
                                                         test_loss, test_acc))

        return run

    def funcnet_raw_case():
        import funcnet
        import funcnet.numpy as fnp
        from funcnet import nn

        def run():
            model = make_demo_model()
            params, _ = model.init(funcnet.random.key(DEMO_SEED), (None, 64))
            step, opt = make_funcnet_raw_step(model)  # a new jit: compile included
            params, (tl, ta) = funcnet_raw_fit(step, opt, params, x_tr, y_tr)
            logits, _ = model.apply(params, {}, fnp.asarray(x_te))
            y = fnp.asarray(y_te)
            test_loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
            test_acc = fnp.mean(fnp.argmax(logits, axis=-1) == y)
            return record("funcnet raw jit loop", summary(tl, ta, test_loss, test_acc))

        return run

    def torch_case():
        torch = require("torch")
        F = torch.nn.functional
        xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr.astype(np.int64))
        xe, ye = torch.from_numpy(x_te), torch.from_numpy(y_te.astype(np.int64))

        def run():
            p = [torch.from_numpy(params0[k].copy()).requires_grad_(True)
                 for k in ("W1", "b1", "W2", "b2")]
            W1, b1, W2, b2 = p
            opt = torch.optim.Adam(p, lr=LR, betas=(B1, B2), eps=EPS)
            n = xt.shape[0]
            for order in demo_orders(n):
                order = torch.from_numpy(order)
                loss_sum = torch.zeros(())
                correct = torch.zeros((), dtype=torch.int64)
                for s in range(0, n, DEMO_BATCH):
                    idx = order[s:s + DEMO_BATCH]
                    xb, yb = xt[idx], yt[idx]
                    logits = torch.relu(xb @ W1 + b1) @ W2 + b2
                    loss = F.cross_entropy(logits, yb)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    with torch.no_grad():
                        loss_sum += loss * idx.shape[0]
                        correct += (logits.argmax(dim=1) == yb).sum()
            with torch.no_grad():
                logits = torch.relu(xe @ W1 + b1) @ W2 + b2
                test_loss = F.cross_entropy(logits, ye)
                test_acc = (logits.argmax(dim=1) == ye).double().mean()
            return record("torch", summary(loss_sum / n, correct.item() / n, test_loss.item(),
                                           test_acc.item()))

        return run

    def jax_case():
        jax = require("jax")
        jnp = require("jax.numpy")
        optax = require("optax")

        def forward(p, x):
            return jax.nn.relu(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

        def ce(logits, y):
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        def run():
            opt = optax.adam(LR, b1=B1, b2=B2, eps=EPS)

            def step(p, s, acc, x, y):  # a new function each run: compile included
                def objective(p):
                    logits = forward(p, x)
                    return ce(logits, y), logits

                (value, logits), grads = jax.value_and_grad(objective, has_aux=True)(p)
                updates, s = opt.update(grads, s, p)
                n = logits.shape[0]
                acc = (acc[0] + value * n, acc[1] + jnp.sum(jnp.argmax(logits, -1) == y))
                return optax.apply_updates(p, updates), s, acc

            step = jax.jit(step)
            evaluate = jax.jit(lambda p, x, y: (ce(forward(p, x), y),
                                                jnp.mean(jnp.argmax(forward(p, x), -1) == y)))
            p = {k: jnp.asarray(v) for k, v in params0.items()}
            s = opt.init(p)
            n = x_tr.shape[0]
            for order in demo_orders(n):
                acc = (jnp.zeros(()), jnp.zeros((), jnp.int32))
                for b in range(0, n, DEMO_BATCH):
                    idx = order[b:b + DEMO_BATCH]
                    p, s, acc = step(p, s, acc, x_tr[idx], y_tr[idx])
            test_loss, test_acc = evaluate(p, x_te, y_te)
            return record("jax jit + optax", summary(float(acc[0]) / n, int(acc[1]) / n,
                                                     test_loss, test_acc))

        return run

    conv = summary_convert
    return Workload(
        "W7", f"the demo's whole run: build, {DEMO_EPOCHS} epochs of Adam on digits "
              f"(MLP 64-{DEMO_HIDDEN}-10), evaluate; compile included",
        baseline=Case("numpy", numpy_case, convert=conv,
                      note="hand-written loop, in-place Adam"),
        cases=[
            Case("funcnet Trainer.fit", funcnet_trainer_case, convert=conv,
                 note="fresh Trainer each run"),
            Case("funcnet raw jit loop", funcnet_raw_case, convert=conv,
                 note="reference: fresh jit(value_and_grad)+optim.adam"),
            Case("torch", torch_case, convert=conv, note="eager, torch.optim.Adam"),
            Case("jax jit + optax", jax_case, convert=conv, note="fresh jax.jit each run"),
        ],
        target=TARGETS["W7"],
    )


def fit_workload() -> Workload:
    """Trainer.fit (warm: compiled once, state reset before each fit) against the same
    jitted step driven by a hand-written loop; both compute the loss and accuracy."""
    x_tr, _, y_tr, _ = demo_data()
    params0 = demo_init_params()

    def raw_case(with_accuracy):
        def build():
            model = make_demo_model()
            step, opt = make_funcnet_raw_step(model, with_accuracy)
            fit = lambda: funcnet_raw_fit(  # noqa: E731
                step, opt, to_funcnet_demo_params(params0), x_tr, y_tr, with_accuracy)[0]
            fit()  # compile (full and partial batch) outside the check and the timing
            check_no_retrace(step, 2)
            return fit

        return build

    def trainer_case(metrics):
        def build():
            from funcnet import nn, optim

            trainer = nn.Trainer(
                make_demo_model(), loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                optimizer=optim.adam(learning_rate=LR), metrics=metrics)

            def fit():
                # restart from the initial parameters (cheap): same work as a first fit
                trainer.params = to_funcnet_demo_params(params0)
                trainer.state = {}
                trainer.opt_state = trainer.optimizer.init(trainer.params)
                trainer.fit(x_tr, y_tr, epochs=DEMO_EPOCHS, batch_size=DEMO_BATCH, verbose=0,
                            shuffle=True)
                return trainer.params

            fit()  # compile outside the check and the timing
            check_no_retrace(trainer._train_step, 2)
            return fit

        return build

    return Workload(
        "FIT", f"nn.Trainer.fit overhead: {DEMO_EPOCHS} epochs of the demo, warm (no compile), "
               "vs the same jitted step in a hand-written loop",
        baseline=Case("funcnet raw jit loop", raw_case(True),
                      note="jit(value_and_grad)+optim.adam, loss+accuracy"),
        cases=[
            Case("funcnet Trainer.fit", trainer_case(["accuracy"]), note="metrics=['accuracy']"),
            Case("funcnet Trainer.fit, no metrics", trainer_case([]),
                 note="reference: metrics=[]"),
            Case("funcnet raw jit loop, no metrics", raw_case(False),
                 note="reference: loss only, no accumulation"),
        ],
        target=TARGETS["FIT"],
        target_libraries=("funcnet Trainer.fit",),
        # the same arithmetic: the parameters after 30 epochs agree (bit for bit when written;
        # the default float32 tolerances apply)
    )


# ==========================================================================
# main
# ==========================================================================

WORKLOADS = ["W4", "W7", "FIT"]


def main(argv=None) -> int:
    parser = H.base_argparser(__doc__.split("\n\n")[0], WORKLOADS)
    parser.add_argument("--rounds", type=int, default=None,
                        help="timed rounds of W7 and FIT, one whole run each (default W7 7, "
                             "FIT 11; quick 3)")
    args = parser.parse_args(argv)
    if args.only:  # the name for FIT
        args.only = ",".join("FIT" if k.strip().upper() == "FIT-OVERHEAD" else k
                             for k in args.only.split(","))
    settings = H.Settings.from_args(args)
    keys = H.select(args.only, WORKLOADS)
    long_rounds = {"W7": 3 if settings.quick else 7, "FIT": 3 if settings.quick else 11}
    if args.rounds:
        long_rounds = dict.fromkeys(long_rounds, args.rounds)

    info = H.environment_info(settings)
    H.print_header("funcnet nn benchmarks (bench_nn.py)", info)
    try:
        info["loadavg_start"] = os.getloadavg()
    except OSError:
        pass

    results: list[H.Result] = []
    baselines: list[H.Result] = []
    w7_notes: dict = {}
    for key in keys:
        try:
            w = {"W4": w4_workload, "W7": lambda: w7_workload(w7_notes),
                 "FIT": fit_workload}[key]()
        except Exception as e:  # noqa: BLE001 - e.g. funcnet.data missing: W7/FIT need it
            # W7 and FIT take the data (funcnet.data) and the initial parameters (the
            # model's init) from funcnet: without funcnet no row of them can run
            results.append(H.Result(key, key, "funcnet", "unavailable",
                                    note=f"set-up failed: {H._short_exc(e)}",
                                    target=TARGETS[key].describe(), verdict="n/a"))
            continue
        H._log(settings, f"{w.key}: {w.title}")
        if key in long_rounds:
            res = run_long_workload(w, settings, long_rounds[key],
                                    W7_TOLERANCES if key == "W7" else None)
        else:
            res = H.run_workload(w, settings)
        baselines.append(res[0])
        if key == "W7":
            for r in res:
                s = w7_notes.get(r.library)
                if s is not None:
                    r.note = H._join(r.note, f"test acc {s['test_acc']:.4f}, "
                                             f"test loss {s['test_loss']:.4f}")
        results += res

    print()
    H.print_table(results)
    try:
        la = os.getloadavg()
        print(f"\nload average at the end: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} "
              f"({os.cpu_count()} CPUs)")
        info["loadavg_end"] = la
    except OSError:
        pass
    if args.json:
        info["versions"] = H.library_versions(
            ("numpy", "funcnet", "jax", "jaxlib", "optax", "torch", "autograd"))
        if w7_notes:
            info["w7_accuracy"] = w7_notes
        H.write_json(args.json, results, info)
        print(f"results written to {args.json}")

    # a failed NumPy baseline is an error; FIT's baseline is funcnet itself (then the row
    # reads "unavailable" like any funcnet row)
    bad_baseline = [r for r in baselines if r.library == "numpy" and r.status != "baseline"]
    wrong = [r for r in results if r.status == "wrong"]
    if bad_baseline:
        print("\nERROR: a NumPy baseline failed", file=sys.stderr)
    if wrong:
        print(f"\nERROR: {len(wrong)} result(s) differ from the baseline", file=sys.stderr)
    return 1 if (bad_baseline or wrong) else 0


if __name__ == "__main__":
    sys.exit(main())
