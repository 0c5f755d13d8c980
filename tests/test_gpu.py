"""GPU (CuPy) backend: every op-table row, the transforms and a training step on ``"gpu"``.

Skipped where CuPy or a GPU is missing (the CI machine): run on a GPU machine with
``bash scripts/gpu_check.sh``. Each check runs the same function on the CPU (NumPy) and on
the GPU and compares the results, and checks that the GPU results stay on the GPU.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_specs import SPECS, cases
from test_ops import assert_close, leaves

import funcnet
import funcnet.numpy as fnp
from funcnet.core.backend import gpu_available

if not gpu_available():
    pytest.skip("needs CuPy and an NVIDIA GPU", allow_module_level=True)


def _gpu(args):
    return [funcnet.device_put(fnp.asarray(a), "gpu") for a in args]


def _on_gpu(tree):
    for leaf in funcnet.tree.leaves(tree):
        if isinstance(leaf, funcnet.Array):
            assert leaf.device == "gpu", f"a result came back on {leaf.device}"


def _compare(gpu_out, cpu_out, tol, what):
    gs, cs = leaves(gpu_out), leaves(cpu_out)
    assert len(gs) == len(cs)
    for i, (g, c) in enumerate(zip(gs, cs, strict=True)):
        c = np.asarray(c)
        assert_close(g, c, c.dtype, max(tol, 1e-4), f"{what} output {i}")


def _rows(pred):
    return [pytest.param(s, id=s.name) for s in SPECS if pred(s) and not s.xfail]


@pytest.mark.parametrize("spec", _rows(lambda s: not s.meta))
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_op_values_on_gpu(spec, data):
    case = data.draw(cases(spec), label="case")
    args = case.args()
    cpu = spec.call(args, case.kwargs)
    gpu = spec.fn(*_gpu(args), **case.kwargs)
    _on_gpu(gpu)
    _compare(gpu, cpu, spec.tol, f"{spec.name} on gpu")


@pytest.mark.parametrize("spec", _rows(lambda s: s.jit and not s.meta))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_op_jit_on_gpu(spec, data):
    case = data.draw(cases(spec), label="case")
    args = case.args()
    cpu = spec.call(args, case.kwargs)
    gpu = funcnet.jit(lambda *a: spec.fn(*a, **case.kwargs))(*_gpu(args))
    _on_gpu(gpu)
    _compare(gpu, cpu, spec.tol, f"jit {spec.name} on gpu")


def _mlp_loss(params, x, y):
    h = fnp.tanh(x @ params["w1"] + params["b1"])
    logits = h @ params["w2"] + params["b2"]
    return funcnet.nn.losses.sparse_categorical_crossentropy(y, logits, from_logits=True).mean()


def _mlp_data():
    rng = np.random.default_rng(0)
    params = {"w1": rng.standard_normal((8, 16)).astype(np.float32) * 0.3,
              "b1": np.zeros(16, np.float32),
              "w2": rng.standard_normal((16, 3)).astype(np.float32) * 0.3,
              "b2": np.zeros(3, np.float32)}
    x = rng.standard_normal((32, 8)).astype(np.float32)
    y = rng.integers(0, 3, 32).astype(np.int32)
    return params, x, y


@pytest.mark.parametrize("transform", ["grad", "jit_grad", "vmap_grad", "jit_vmap_grad"])
def test_transforms_on_gpu(transform):
    params, x, y = _mlp_data()
    g = funcnet.grad(_mlp_loss)
    per_example = funcnet.vmap(lambda p, xi, yi: g(p, xi[None], yi[None]), in_axes=(None, 0, 0))
    fn = {"grad": g, "jit_grad": funcnet.jit(g), "vmap_grad": per_example,
          "jit_vmap_grad": funcnet.jit(per_example)}[transform]
    cpu = fn(funcnet.device_put(params, "cpu"), fnp.asarray(x), fnp.asarray(y))
    gpu = fn(funcnet.device_put(params, "gpu"), *_gpu([x, y]))
    _on_gpu(gpu)
    for k in params:
        np.testing.assert_allclose(np.asarray(gpu[k]), np.asarray(cpu[k]), rtol=1e-4, atol=1e-5)


def test_control_flow_on_gpu():
    def f(x):
        def body(c, xi):
            c = funcnet.lax.cond(xi > 0, lambda c: c * xi, lambda c: c - xi, c)
            return c, c
        return funcnet.lax.scan(body, fnp.ones((), x.dtype), x)[0]
    x = np.linspace(-1.0, 1.0, 7).astype(np.float32)
    cpu_v, cpu_g = funcnet.value_and_grad(f)(fnp.asarray(x))
    gpu_v, gpu_g = funcnet.value_and_grad(f)(*_gpu([x]))
    _on_gpu((gpu_v, gpu_g))
    np.testing.assert_allclose(np.asarray(gpu_v), np.asarray(cpu_v), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(gpu_g), np.asarray(cpu_g), rtol=1e-5)
    n = funcnet.lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, *_gpu([np.float32(1.0)]))
    assert float(n) == 16.0 and n.device == "gpu"


def test_creation_on_gpu():
    with funcnet.default_device("gpu"):
        z = fnp.zeros((2, 3))
        r = fnp.arange(4)
    assert z.device == "gpu" and r.device == "gpu"
    assert fnp.ones(2, device="gpu").device == "gpu"
    # keys live on the CPU (docs/api/devices.md, Status): sample there, then move
    u = funcnet.device_put(funcnet.random.uniform(funcnet.random.key(0), (4,)), "gpu")
    assert u.device == "gpu"
    np.testing.assert_array_equal(np.asarray(u * 2.0),
                                  2.0 * np.asarray(funcnet.random.uniform(funcnet.random.key(0),
                                                                          (4,))))


def test_mixing_devices_is_an_error():
    with pytest.raises(funcnet.errors.DeviceMismatchError, match="device_put"):
        fnp.ones(3) + _gpu([np.ones(3, np.float32)])[0]


def test_sgd_training_on_gpu():
    import funcnet.optim as optim
    params, x, y = _mlp_data()
    opt = optim.adam(1e-2)

    @funcnet.jit
    def step(p, s, xb, yb):
        loss, g = funcnet.value_and_grad(_mlp_loss)(p, xb, yb)
        u, s = opt.update(g, s, p)
        return optim.apply_updates(p, u), s, loss

    def run(device):
        p = funcnet.device_put(params, device)
        s = opt.init(p)
        xb, yb = funcnet.device_put((fnp.asarray(x), fnp.asarray(y)), device)
        losses = []
        for _ in range(20):
            p, s, loss = step(p, s, xb, yb)
            losses.append(float(loss))
        return p, losses

    p_gpu, l_gpu = run("gpu")
    p_cpu, l_cpu = run("cpu")
    _on_gpu(p_gpu)
    assert l_gpu[-1] < l_gpu[0]
    np.testing.assert_allclose(l_gpu, l_cpu, rtol=1e-3, atol=1e-4)
