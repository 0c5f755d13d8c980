"""The TensorFlow 2 examples of the seed Keras/TF guide (seed-keras-tensorflow-guide.md,
section "TensorFlow2"), written with funcnet, with the results the guide prints."""

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import grad, jit
from funcnet.test_util import check_grads


def as_list(x):
    return np.asarray(x).tolist()


A = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


@pytest.fixture
def tensor_a():
    return fnp.asarray(A)


# ----------------------------------------------------------------------------------------------
# Basic commands
# ----------------------------------------------------------------------------------------------


def test_constant_reshape_zeros_ones():
    x = fnp.asarray(list(range(12)))
    assert fnp.reshape(x, (3, 4)).shape == (3, 4)
    assert fnp.reshape(x, (-1, 4)).shape == (3, 4)  # the -1 dim is inferred
    assert as_list(fnp.zeros((2, 3))) == [[0.0] * 3] * 2
    assert as_list(fnp.ones((2, 3))) == [[1.0] * 3] * 2
    assert np.asarray(fnp.ones((2, 3))).sum() == 6
    assert len(fnp.ones((3, 4))) == 3
    assert fnp.ones((3, 4)).shape == (3, 4)


def test_random_normal_shape():
    x = funcnet.random.normal(funcnet.random.key(0), shape=(3, 4))
    assert x.shape == (3, 4) and x.dtype == np.float32


def test_argmax_accuracy():
    y_hat = fnp.asarray([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.9, 0.05, 0.05]])
    y = fnp.asarray([2, 1, 0])
    assert as_list(fnp.argmax(y_hat, axis=1)) == [2, 2, 0]
    assert float(fnp.mean(fnp.argmax(y_hat, axis=1) == y)) == pytest.approx(2 / 3)


# ----------------------------------------------------------------------------------------------
# gather / gather_nd / batch_gather / boolean_mask
# ----------------------------------------------------------------------------------------------


def test_gather_rows(tensor_a):
    assert as_list(fnp.gather(tensor_a, fnp.asarray([1, 2, 0]))) == [[4, 5, 6], [7, 8, 9],
                                                                     [1, 2, 3]]
    assert as_list(fnp.gather(tensor_a, fnp.asarray([0, 0]))) == [[1, 2, 3], [1, 2, 3]]


def test_gather_accepts_lists_and_axis(tensor_a):
    assert as_list(fnp.gather(tensor_a, [1, 2, 0])) == [[4, 5, 6], [7, 8, 9], [1, 2, 3]]
    assert as_list(fnp.gather(tensor_a, [2, 0], axis=1)) == [[3, 1], [6, 4], [9, 7]]


def test_gather_nd(tensor_a):
    assert as_list(fnp.gather_nd(tensor_a, fnp.asarray([[1, 0], [1, 1], [1, 2]]))) == [4, 5, 6]
    assert as_list(fnp.gather_nd(tensor_a, fnp.asarray([[0, 2], [2, 0]]))) == [3, 7]
    # a partial index selects rows
    assert as_list(fnp.gather_nd(tensor_a, fnp.asarray([[2], [0]]))) == [[7, 8, 9], [1, 2, 3]]


@pytest.mark.parametrize("indices,expected", [
    ([[0], [1], [2]], [[1], [5], [9]]),
    ([[0], [0], [0]], [[1], [4], [7]]),
])
def test_batch_gather(tensor_a, indices, expected):
    assert as_list(fnp.batch_gather(tensor_a, fnp.asarray(indices))) == expected
    got = fnp.gather(tensor_a, fnp.asarray(indices), axis=1, batch_dims=1)
    assert as_list(got) == expected


def test_gather_under_jit_and_grad(tensor_a):
    idx = fnp.asarray([1, 2, 0])
    assert as_list(jit(fnp.gather)(tensor_a, idx)) == [[4, 5, 6], [7, 8, 9], [1, 2, 3]]
    assert as_list(jit(fnp.gather_nd)(tensor_a, fnp.asarray([[0, 2], [2, 0]]))) == [3, 7]
    p = tensor_a.astype(fnp.float32)
    g = grad(lambda p: fnp.sum(fnp.gather(p, fnp.asarray([0, 0]))))(p)
    assert as_list(g) == [[2, 2, 2], [0, 0, 0], [0, 0, 0]]
    g2 = grad(lambda p: fnp.sum(fnp.batch_gather(p, fnp.asarray([[0], [1], [2]]))))(p)
    assert as_list(g2) == np.eye(3).tolist()


def test_boolean_mask():
    tensor = fnp.asarray([[1, 2], [3, 4], [5, 6]])
    mask = np.array([True, False, True])
    assert as_list(fnp.boolean_mask(tensor, mask)) == [[1, 2], [5, 6]]
    assert as_list(fnp.boolean_mask(tensor, fnp.asarray(mask))) == [[1, 2], [5, 6]]
    assert as_list(fnp.boolean_mask(tensor, [False, True], axis=1)) == [[2], [4], [6]]


def test_one_hot_cross_entropy_with_boolean_mask():
    # the guide's cross_entropy: pick y_hat at the label via a one-hot boolean mask
    y_hat = fnp.asarray([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = fnp.asarray([2, 0])
    mask = fnp.arange(3)[None, :] == y[:, None]
    picked = fnp.boolean_mask(y_hat, mask)
    np.testing.assert_allclose(np.asarray(-fnp.log(picked + 1e-8)),
                               -np.log(np.array([0.6, 0.3]) + 1e-8), rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# Operators
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def xy():
    X = fnp.reshape(fnp.arange(12), (3, 4)).astype(fnp.float32)
    Y = fnp.asarray([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]], dtype=fnp.float32)
    return X, Y


def test_elementwise_operators(xy):
    X, Y = xy
    Xn, Yn = np.asarray(X), np.asarray(Y)
    np.testing.assert_allclose(np.asarray(X + Y), Xn + Yn)
    np.testing.assert_allclose(np.asarray(X * Y), Xn * Yn)
    np.testing.assert_allclose(np.asarray(X / Y), Xn / Yn, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(fnp.exp(Y)), np.exp(Yn), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(X - Y), Xn - Yn)


def test_matmul_with_transpose(xy):
    X, Y = xy
    out = fnp.matmul(X, fnp.transpose(Y))
    assert out.shape == (3, 3)
    np.testing.assert_allclose(np.asarray(out), np.asarray(X) @ np.asarray(Y).T)
    np.testing.assert_allclose(np.asarray(X @ Y.T), np.asarray(out))


def test_matmul_int32():
    X = fnp.reshape(fnp.arange(12), (3, 4))
    Y = fnp.asarray([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    out = fnp.matmul(X, fnp.transpose(Y))
    assert out.dtype == np.int32
    assert as_list(out) == (np.arange(12).reshape(3, 4) @ np.asarray(Y).T).tolist()


def test_concatenate(xy):
    X, Y = xy
    c0, c1 = fnp.concatenate([X, Y], axis=0), fnp.concatenate([X, Y], axis=1)
    assert c0.shape == (6, 4) and c1.shape == (3, 8)
    np.testing.assert_array_equal(np.asarray(c0), np.concatenate([X, Y], axis=0))
    np.testing.assert_array_equal(np.asarray(c1), np.concatenate([X, Y], axis=1))


def test_equal(xy):
    X, Y = xy
    expected = [[False, True, False, True], [False, False, False, False],
                [False, False, False, False]]
    assert as_list(X == Y) == expected
    assert as_list(fnp.equal(X, Y)) == expected
    assert (X == Y).dtype == np.bool_


def test_sum_value():
    X = fnp.reshape(fnp.arange(12), (3, 4))
    s = fnp.sum(X)
    assert s.shape == () and int(s) == 66


def test_sum_int32_dtype():
    X = fnp.reshape(fnp.arange(12), (3, 4))
    assert X.dtype == np.int32
    assert fnp.sum(X).dtype == np.int32  # the guide: shape=(), dtype=int32, numpy=66
    assert jit(fnp.sum)(X).dtype == np.int32


def test_norm(xy):
    X, _ = xy
    n = fnp.linalg.norm(X)
    assert n.shape == ()
    np.testing.assert_allclose(float(n), np.sqrt(np.sum(np.arange(12.0) ** 2)), rtol=1e-6)
    np.testing.assert_allclose(float(n), 22.494444, rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# Broadcasting, indexing, assignment
# ----------------------------------------------------------------------------------------------


def test_broadcasting():
    A_ = fnp.reshape(fnp.asarray(range(3)), (3, 1))
    B_ = fnp.reshape(fnp.asarray(range(2)), (1, 2))
    assert A_.dtype == np.int32
    out = A_ + B_
    assert out.shape == (3, 2)
    assert as_list(out) == [[0, 1], [1, 2], [2, 3]]


@pytest.fixture
def X():
    return fnp.arange(12).reshape(3, 4).astype(fnp.float32)


def test_slicing(X):
    r = X[1:3]
    assert r.shape == (2, 4) and r.dtype == np.float32
    assert as_list(r) == [[4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]
    assert as_list(X[1:3, 1:3]) == [[5.0, 6.0], [9.0, 10.0]]


def test_assign_element_with_at(X):
    Y = X.at[1, 2].set(9)
    assert as_list(Y) == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 9.0, 7.0], [8.0, 9.0, 10.0, 11.0]]
    assert Y.dtype == np.float32
    assert as_list(X)[1][2] == 6.0  # X itself is unchanged


def test_assign_slice_with_at(X):
    Y = X.at[1:2, :].set(fnp.ones(X[1:2, :].shape) * 12)
    assert as_list(Y) == [[0.0, 1.0, 2.0, 3.0], [12.0] * 4, [8.0, 9.0, 10.0, 11.0]]
    assert as_list(X)[1] == [4.0, 5.0, 6.0, 7.0]


def test_assign_sub_is_functional(X):
    Y = fnp.ones((3, 4))
    assert as_list(X - Y) == as_list(X.at[:].add(-Y))


def test_at_under_jit_and_grad(X):
    f = lambda x: x.at[1, 2].set(9.0)
    np.testing.assert_array_equal(np.asarray(jit(f)(X)), np.asarray(f(X)))
    g = grad(lambda x: fnp.sum(f(x) * 2.0))(X)
    expected = np.full((3, 4), 2.0)
    expected[1, 2] = 0.0
    np.testing.assert_array_equal(np.asarray(g), expected)


# ----------------------------------------------------------------------------------------------
# Gradients (GradientTape examples)
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def x_col():
    return fnp.reshape(fnp.asarray(range(4), dtype=fnp.float32), (4, 1))


def test_grad_of_2_xT_x(x_col):
    assert x_col.shape == (4, 1)
    g = grad(lambda x: (2 * x.T @ x)[0, 0])(x_col)
    assert g.shape == (4, 1)
    assert as_list(g) == [[0.0], [4.0], [8.0], [12.0]]
    np.testing.assert_allclose(np.asarray(g), 4 * np.asarray(x_col))


def test_grad_of_2_xT_x_with_sum_and_functions(x_col):
    f = lambda x: fnp.sum(2 * fnp.matmul(fnp.transpose(x), x))
    g = grad(f)(x_col)
    np.testing.assert_allclose(np.asarray(g), 4 * np.asarray(x_col))
    np.testing.assert_allclose(np.asarray(jit(grad(f))(x_col)), np.asarray(g))


def dense_relu_weight():
    return funcnet.random.uniform(funcnet.random.key(0), (20, 20))


def fancy_mlp(x, w, dense_w, dense_b):
    """The guide's FancyMLP forward pass as a pure function (constant weight ``w``)."""
    x = fnp.matmul(x, dense_w) + dense_b
    x = fnp.maximum(fnp.matmul(x, w) + 1.0, 0.0)
    x = fnp.matmul(x, dense_w) + dense_b
    while fnp.linalg.norm(x) > 1:
        x = x / 2
    if fnp.linalg.norm(x) < 0.8:
        x = x * 10
    return fnp.sum(x)


def test_grad_through_python_control_flow():
    # the guide's 2.3.3: the gradient follows whichever branch the concrete values take
    def f(a):
        b = a * 2
        while fnp.linalg.norm(b) < 1000:
            b = b * 2
        c = b if fnp.sum(b) > 0 else 100 * b
        return fnp.sum(c)

    for a0 in (0.7, -0.3):
        a = fnp.asarray([a0])
        g = grad(f)(a)
        np.testing.assert_allclose(np.asarray(g), np.asarray(f(a)) / a0, rtol=1e-5)


def test_fancy_mlp_grad_matches_finite_differences():
    funcnet.config.update("enable_x64", True)
    try:
        rng = np.random.default_rng(0)
        w = fnp.asarray(np.asarray(dense_relu_weight(), dtype=np.float64))
        dense_w = fnp.asarray(rng.normal(size=(20, 20)) * 0.3)
        dense_b = fnp.asarray(rng.normal(size=20) * 0.1)
        x = fnp.asarray(rng.uniform(size=(2, 20)))
        assert x.dtype == np.float64
        f = lambda x, dw, db: fancy_mlp(x, w, dw, db)
        gx, gw, gb = grad(f, argnums=(0, 1, 2))(x, dense_w, dense_b)
        assert gx.shape == (2, 20) and gw.shape == (20, 20) and gb.shape == (20,)
        # central differences in random directions: the control flow takes the same path
        # for nearby inputs, so the derivative is that of a smooth piece
        eps = 1e-6
        for seed in range(3):
            d = np.random.default_rng(seed + 1)
            vx, vw, vb = d.normal(size=(2, 20)), d.normal(size=(20, 20)), d.normal(size=20)
            plus = f(fnp.asarray(np.asarray(x) + eps * vx), fnp.asarray(np.asarray(dense_w) +
                     eps * vw), fnp.asarray(np.asarray(dense_b) + eps * vb))
            minus = f(fnp.asarray(np.asarray(x) - eps * vx), fnp.asarray(np.asarray(dense_w) -
                      eps * vw), fnp.asarray(np.asarray(dense_b) - eps * vb))
            fd = (float(plus) - float(minus)) / (2 * eps)
            ad = (np.sum(np.asarray(gx) * vx) + np.sum(np.asarray(gw) * vw) +
                  np.sum(np.asarray(gb) * vb))
            np.testing.assert_allclose(ad, fd, rtol=1e-5, atol=1e-7)
        check_grads(lambda x: fancy_mlp(x, w, dense_w, dense_b), (x,), order=1)
    finally:
        funcnet.config.update("enable_x64", False)


def test_fancy_mlp_float32_runs_and_is_finite():
    w = dense_relu_weight()
    rng = np.random.default_rng(1)
    dense_w = fnp.asarray((rng.normal(size=(20, 20)) * 0.3).astype(np.float32))
    dense_b = fnp.zeros(20)
    x = funcnet.random.uniform(funcnet.random.key(1), (2, 20))
    out = fancy_mlp(x, w, dense_w, dense_b)
    assert out.shape == () and np.isfinite(float(out))
    g = grad(fancy_mlp)(x, w, dense_w, dense_b)
    assert g.shape == (2, 20) and np.all(np.isfinite(np.asarray(g)))
