#!/usr/bin/env bash
# GPU check for a lent device machine (CuPy preinstalled there, no network): the GPU tests,
# then a short timing of a jitted MLP training step on the GPU against the same step on the
# CPU and, where installed, PyTorch on the GPU. Uses the machine's python3; needs numpy,
# cupy, pytest and hypothesis there (if pytest is missing, carry a wheel folder and
# pip install --no-index from it first).
#   bash scripts/gpu_check.sh            (from the repository root)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" HYPOTHESIS_PROFILE=ci
python3 - <<'PY'
import importlib
for m in ("numpy", "cupy", "pytest", "hypothesis", "torch", "jax"):
    try:
        mod = importlib.import_module(m)
        print(f"{m:10s} {getattr(mod, '__version__', '?')}")
    except Exception as e:  # noqa: BLE001
        print(f"{m:10s} missing ({type(e).__name__})")
import funcnet
print("funcnet devices:", funcnet.devices())
PY
python3 -m pytest tests/test_gpu.py -q -p no:cacheprovider --maxfail=30 -rs 2>&1 | tail -40
python3 - <<'PY'
import time
import numpy as np
import funcnet, funcnet.numpy as fnp

def loss(p, x, y):
    h = fnp.maximum(x @ p["w1"] + p["b1"], 0.0)
    h = fnp.maximum(h @ p["w2"] + p["b2"], 0.0)
    logits = h @ p["w3"] + p["b3"]
    return funcnet.nn.losses.sparse_categorical_crossentropy(y, logits, from_logits=True).mean()

@funcnet.jit
def step(p, x, y):
    g = funcnet.grad(loss)(p, x, y)
    return funcnet.tree.map(lambda a, b: a - 0.01 * b, p, g)

rng = np.random.default_rng(0)
sizes = [784, 512, 512, 10]
p0 = {}
for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
    p0[f"w{i}"] = (rng.standard_normal((a, b)) / np.sqrt(a)).astype(np.float32)
    p0[f"b{i}"] = np.zeros(b, np.float32)

def median_ms(fn, sync, n=50):
    for _ in range(5):
        fn()
    sync()
    ts = []
    for _ in range(n):
        s = time.perf_counter(); fn(); sync(); ts.append(time.perf_counter() - s)
    return float(np.median(ts)) * 1e3

rows = []
for batch in (128, 4096):
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch).astype(np.int32)
    for dev in ("cpu", "gpu") if funcnet.devices("gpu") else ("cpu",):
        p, xb, yb = funcnet.device_put((p0, x, y), dev)
        if dev == "gpu":
            import cupy
            sync = cupy.cuda.Device().synchronize
        else:
            sync = lambda: None
        rows.append((batch, f"funcnet jit {dev}", median_ms(lambda: step(p, xb, yb), sync)))
    try:
        import torch
        tp = {k: torch.tensor(v, device="cuda", requires_grad=True) for k, v in p0.items()}
        tx, ty = torch.tensor(x, device="cuda"), torch.tensor(y, device="cuda").long()
        def tstep():
            h = torch.relu(tx @ tp["w1"] + tp["b1"]); h = torch.relu(h @ tp["w2"] + tp["b2"])
            l = torch.nn.functional.cross_entropy(h @ tp["w3"] + tp["b3"], ty)
            gs = torch.autograd.grad(l, list(tp.values()))
            return [v - 0.01 * g for v, g in zip(tp.values(), gs)]
        rows.append((batch, "torch eager cuda", median_ms(tstep, torch.cuda.synchronize)))
    except Exception as e:  # noqa: BLE001
        rows.append((batch, f"torch unavailable ({type(e).__name__})", float("nan")))
print(f"{'batch':>6} {'case':28s} {'median ms':>10}")
for b, name, ms in rows:
    print(f"{b:6d} {name:28s} {ms:10.3f}")
PY
