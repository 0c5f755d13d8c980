"""funcnet.lax.conv_general_dilated and lax.reduce_window against NumPy loop references.

1-D and 2-D convolutions with strides, SAME / VALID / explicit padding, NHWC (Keras) and NCHW
(JAX default) layouts; second-order gradients by finite differences; vmap and jit.
"""

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import grad, jit, lax, vmap
from funcnet.test_util import check_grads


@pytest.fixture
def x64():
    """float64 for finite differences; enable_x64 is set back to False afterwards."""
    funcnet.config.update("enable_x64", True)
    try:
        yield
    finally:
        funcnet.config.update("enable_x64", False)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def close(a, b, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=rtol, atol=atol)


def same_pads(size, window, stride):
    """TensorFlow / JAX "SAME": output ceil(size / stride), the extra pad at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def ref_conv(x, k, strides, padding):
    """Cross-correlation by explicit loops. x: (N, *spatial, C); k: (*window, C, O)."""
    nsp = x.ndim - 2
    window = k.shape[:nsp]
    if padding == "VALID":
        pads = [(0, 0)] * nsp
    elif padding == "SAME":
        pads = [same_pads(x.shape[1 + d], window[d], strides[d]) for d in range(nsp)]
    else:
        pads = list(padding)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_sp = [(xp.shape[1 + d] - window[d]) // strides[d] + 1 for d in range(nsp)]
    out = np.zeros((x.shape[0], *out_sp, k.shape[-1]))
    for n in range(x.shape[0]):
        for pos in np.ndindex(*out_sp):
            for o in range(k.shape[-1]):
                acc = 0.0
                for off in np.ndindex(*window):
                    src = tuple(p * s + w for p, s, w in zip(pos, strides, off, strict=True))
                    acc += np.dot(xp[(n,) + src], k[off + (slice(None), o)])
                out[(n,) + pos + (o,)] = acc
    return out


def ref_reduce_window(x, init, op, window, strides, padding):
    if padding == "VALID":
        pads = [(0, 0)] * x.ndim
    elif padding == "SAME":
        pads = [same_pads(x.shape[d], window[d], strides[d]) for d in range(x.ndim)]
    else:
        pads = list(padding)
    xp = np.pad(x, pads, constant_values=init)
    out_shape = [(xp.shape[d] - window[d]) // strides[d] + 1 for d in range(x.ndim)]
    out = np.empty(out_shape)
    for pos in np.ndindex(*out_shape):
        sl = tuple(slice(p * s, p * s + w) for p, s, w in zip(pos, strides, window, strict=True))
        out[pos] = op(xp[sl])
    return out


NHWC = ("NHWC", "HWIO", "NHWC")
NWC = ("NWC", "WIO", "NWC")
PADDINGS = ["VALID", "SAME", [(1, 2), (0, 1)]]


# ----------------------------------------------------------------------------------------------
# conv_general_dilated: values
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding", PADDINGS, ids=["valid", "same", "explicit"])
@pytest.mark.parametrize("strides", [(1, 1), (2, 3)])
def test_conv2d_nhwc_matches_loop(padding, strides):
    x, k = randn(2, 7, 6, 3, seed=0), randn(3, 2, 3, 4, seed=1)
    y = lax.conv_general_dilated(fnp.asarray(x, dtype=fnp.float32),
                                 fnp.asarray(k, dtype=fnp.float32), strides, padding,
                                 dimension_numbers=NHWC)
    r = ref_conv(x, k, strides, padding)
    assert y.shape == r.shape and y.dtype == np.float32
    close(y, r, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding", PADDINGS, ids=["valid", "same", "explicit"])
def test_conv2d_nchw_default_layout_matches_loop(padding):
    x, k = randn(2, 6, 5, 3, seed=2), randn(2, 3, 3, 2, seed=3)  # NHWC / HWIO
    y = lax.conv_general_dilated(fnp.asarray(x.transpose(0, 3, 1, 2), dtype=fnp.float32),
                                 fnp.asarray(k.transpose(3, 2, 0, 1), dtype=fnp.float32),
                                 (2, 1), padding)  # default ("NCHW", "OIHW", "NCHW")
    r = ref_conv(x, k, (2, 1), padding).transpose(0, 3, 1, 2)
    assert y.shape == r.shape
    close(y, r, rtol=1e-4, atol=1e-4)
    y2 = lax.conv_general_dilated(fnp.asarray(x.transpose(0, 3, 1, 2), dtype=fnp.float32),
                                  fnp.asarray(k.transpose(3, 2, 0, 1), dtype=fnp.float32),
                                  (2, 1), padding,
                                  dimension_numbers=("NCHW", "OIHW", "NCHW"))
    close(y2, y)


def test_conv_mixed_layouts():
    x, k = randn(1, 5, 4, 2, seed=4), randn(2, 2, 2, 3, seed=5)
    y = lax.conv_general_dilated(fnp.asarray(x, dtype=fnp.float32),
                                 fnp.asarray(k.transpose(3, 2, 0, 1), dtype=fnp.float32), (1, 1),
                                 "SAME", dimension_numbers=("NHWC", "OIHW", "NCHW"))
    close(y, ref_conv(x, k, (1, 1), "SAME").transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding", ["VALID", "SAME", [(2, 0)]], ids=["valid", "same", "explicit"])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv1d_matches_loop(padding, stride):
    x, k = randn(2, 9, 3, seed=6), randn(4, 3, 2, seed=7)
    y = lax.conv_general_dilated(fnp.asarray(x, dtype=fnp.float32),
                                 fnp.asarray(k, dtype=fnp.float32), (stride,), padding,
                                 dimension_numbers=NWC)
    r = ref_conv(x, k, (stride,), padding)
    assert y.shape == r.shape
    close(y, r, rtol=1e-4, atol=1e-4)
    # the NCW / OIW default layout gives the same numbers
    y2 = lax.conv_general_dilated(fnp.asarray(x.transpose(0, 2, 1), dtype=fnp.float32),
                                  fnp.asarray(k.transpose(2, 1, 0), dtype=fnp.float32),
                                  (stride,), padding)
    close(y2, r.transpose(0, 2, 1), rtol=1e-4, atol=1e-4)


def test_padtype_to_pads():
    assert lax.padtype_to_pads((7, 6), (3, 2), (2, 3), "SAME") == ((1, 1), (0, 0))
    assert lax.padtype_to_pads((9,), (4,), (2,), "SAME") == ((1, 2),)
    assert lax.padtype_to_pads((9,), (4,), (2,), "valid") == ((0, 0),)
    assert lax.padtype_to_pads((5, 5), (3, 3), (1, 1), [(1, 0), (0, 2)]) == ((1, 0), (0, 2))


def test_conv_errors():
    x = fnp.ones((1, 5, 5, 3))
    with pytest.raises(ValueError, match=r"input features \(2\).*feature dim \(3\)"):
        lax.conv_general_dilated(x, fnp.ones((3, 3, 2, 4)), (1, 1), "VALID",
                                 dimension_numbers=NHWC)
    with pytest.raises(ValueError, match="same rank"):
        lax.conv_general_dilated(x, fnp.ones((3, 3, 3)), (1, 1), "VALID",
                                 dimension_numbers=NHWC)
    with pytest.raises(ValueError, match="padding must be"):
        lax.conv_general_dilated(x, fnp.ones((3, 3, 3, 4)), (1, 1), "FULL",
                                 dimension_numbers=NHWC)


# ----------------------------------------------------------------------------------------------
# conv_general_dilated: transforms
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding,strides", [("SAME", (2, 1)), ("VALID", (1, 2)),
                                             ([(1, 0), (2, 1)], (1, 1))])
def test_conv2d_grads_order2(x64, padding, strides):
    x, k = fnp.asarray(randn(1, 5, 4, 2, seed=8)), fnp.asarray(randn(3, 2, 2, 3, seed=9))
    check_grads(lambda x, k: lax.conv_general_dilated(x, k, strides, padding,
                                                      dimension_numbers=NHWC),
                (x, k), order=2)


def test_conv_grads_nchw_and_1d(x64):
    x, k = fnp.asarray(randn(2, 2, 5, 4, seed=10)), fnp.asarray(randn(3, 2, 2, 2, seed=11))
    check_grads(lambda x, k: lax.conv_general_dilated(x, k, (1, 2), "SAME"), (x, k), order=2)
    x1, k1 = fnp.asarray(randn(2, 7, 2, seed=12)), fnp.asarray(randn(3, 2, 2, seed=13))
    check_grads(lambda x, k: lax.conv_general_dilated(x, k, (2,), "SAME",
                                                      dimension_numbers=NWC), (x1, k1), order=2)


def test_conv_gradient_matches_loop_reference(x64):
    # d/dk sum(conv(x, k) * u) = correlation of x with u: check one entry against the loop
    x, k, = randn(1, 6, 5, 2, seed=14), randn(3, 3, 2, 2, seed=15)
    u = randn(1, 3, 3, 2, seed=16)

    def f(k):
        return fnp.sum(lax.conv_general_dilated(fnp.asarray(x), k, (2, 2), "SAME",
                                                dimension_numbers=NHWC) * u)

    g = grad(f)(fnp.asarray(k))
    eps = 1e-6
    for idx in [(0, 0, 0, 0), (1, 2, 1, 1), (2, 1, 0, 1)]:
        kp, km = k.copy(), k.copy()
        kp[idx] += eps
        km[idx] -= eps
        fd = (np.sum(ref_conv(x, kp, (2, 2), "SAME") * u)
              - np.sum(ref_conv(x, km, (2, 2), "SAME") * u)) / (2 * eps)
        close(g[idx], fd, rtol=1e-6, atol=1e-8)


def test_conv_jit_matches_eager():
    x, k = fnp.asarray(randn(2, 7, 6, 3, seed=17)), fnp.asarray(randn(3, 3, 3, 4, seed=18))
    f = lambda x, k: lax.conv_general_dilated(x, k, (2, 2), "SAME",  # noqa: E731
                                              dimension_numbers=NHWC)
    close(jit(f)(x, k), f(x, k))
    close(jit(grad(lambda x, k: fnp.sum(f(x, k) ** 2), 1))(x, k),
          grad(lambda x, k: fnp.sum(f(x, k) ** 2), 1)(x, k), rtol=1e-4)


def test_conv_vmap_matches_loop():
    xs = fnp.asarray(randn(3, 2, 6, 5, 2, seed=19), dtype=fnp.float32)  # 3 batches of NHWC
    ks = fnp.asarray(randn(3, 3, 3, 2, 4, seed=20), dtype=fnp.float32)
    f = lambda x, k: lax.conv_general_dilated(x, k, (1, 2), "SAME",  # noqa: E731
                                              dimension_numbers=NHWC)
    out = vmap(f)(xs, ks)
    for i in range(3):
        close(out[i], f(xs[i], ks[i]), rtol=1e-5)
    out_x = vmap(f, (0, None))(xs, ks[0])
    out_k = vmap(f, (None, 0))(xs[0], ks)
    for i in range(3):
        close(out_x[i], f(xs[i], ks[0]), rtol=1e-5)
        close(out_k[i], f(xs[0], ks[i]), rtol=1e-5)
    close(jit(vmap(f))(xs, ks), out, rtol=1e-5)
    # per-example kernel gradients
    g = vmap(grad(lambda k, x: fnp.sum(f(x, k) ** 2)))(ks, xs)
    for i in range(3):
        close(g[i], grad(lambda k: fnp.sum(f(xs[i], k) ** 2))(ks[i]), rtol=1e-4)


# ----------------------------------------------------------------------------------------------
# reduce_window
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("window,strides,padding", [
    ((1, 2, 2, 1), (1, 2, 2, 1), "VALID"),
    ((1, 3, 3, 1), (1, 2, 2, 1), "SAME"),
    ((1, 2, 3, 1), (1, 1, 2, 1), "VALID"),
    ((2, 2, 1, 1), (1, 1, 1, 1), [(0, 1), (1, 0), (0, 0), (0, 0)]),
])
def test_reduce_window_max_and_add(window, strides, padding):
    a = randn(2, 5, 6, 3, seed=21)
    x = fnp.asarray(a, dtype=fnp.float32)
    m = lax.reduce_window(x, -np.inf, "max", window, strides, padding)
    close(m, ref_reduce_window(a, -np.inf, np.max, window, strides, padding))
    s = lax.reduce_window(x, 0.0, "add", window, strides, padding)
    close(s, ref_reduce_window(a, 0.0, np.sum, window, strides, padding), rtol=1e-5)
    mn = lax.reduce_window(x, np.inf, "min", window, strides, padding)
    close(mn, ref_reduce_window(a, np.inf, np.min, window, strides, padding))
    close(jit(lambda x: lax.reduce_window(x, -np.inf, "max", window, strides, padding))(x), m)


def test_reduce_window_is_max_pooling():
    x = fnp.arange(16.0).reshape(1, 4, 4, 1)
    out = lax.reduce_window(x, -fnp.inf, "max", (1, 2, 2, 1), (1, 2, 2, 1))
    assert out.reshape(2, 2).tolist() == [[5.0, 7.0], [13.0, 15.0]]


def test_reduce_window_grads_and_vmap(x64):
    a = fnp.asarray(randn(1, 4, 6, 2, seed=22))
    check_grads(lambda a: lax.reduce_window(a, 0.0, "add", (1, 2, 2, 1), (1, 1, 2, 1), "SAME"),
                (a,), order=2)
    check_grads(lambda a: lax.reduce_window(a, -np.inf, "max", (1, 2, 2, 1), (1, 2, 2, 1)),
                (a,), order=2)
    # max pooling routes the gradient to the arg-max of each window
    x = fnp.asarray([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 9.0, 8.0]])
    g = grad(lambda x: fnp.sum(lax.reduce_window(x, -np.inf, "max", (2, 2), (2, 2))))(x)
    close(g, [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    xs = fnp.asarray(randn(3, 4, 6, seed=23))
    f = lambda x: lax.reduce_window(x, -np.inf, "max", (2, 3), (2, 3))  # noqa: E731
    out = vmap(f)(xs)
    for i in range(3):
        close(out[i], ref_reduce_window(np.asarray(xs[i]), -np.inf, np.max, (2, 3), (2, 3),
                                        "VALID"))


def test_reduce_window_errors():
    with pytest.raises(ValueError, match="one window size and stride per dim"):
        lax.reduce_window(fnp.ones((4, 4)), 0.0, "add", (2,), (2,))
    with pytest.raises(ValueError, match="'max', 'min' or 'add'"):
        lax.reduce_window(fnp.ones((4, 4)), 0.0, "mean", (2, 2), (2, 2))
