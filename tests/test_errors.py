"""funcnet's errors: the right class (subclassing the documented builtin) and a message that
names the function, the argument, the shapes / dtypes involved and the fix."""

import re

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import errors, grad, jit, vmap
from funcnet.errors import (
    AxisError,
    ConcretizationError,
    DeviceMismatchError,
    GradError,
    MutationError,
    ShapeError,
    StaticArgumentError,
    TracerLeakError,
)

# ----------------------------------------------------------------------------------------------
# The class hierarchy
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,builtin", [
    (ShapeError, ValueError),
    (AxisError, ValueError),
    (ConcretizationError, TypeError),
    (MutationError, TypeError),
    (GradError, TypeError),
    (StaticArgumentError, ValueError),
    (DeviceMismatchError, ValueError),
    (TracerLeakError, Exception),
])
def test_errors_subclass_builtins(cls, builtin):
    assert issubclass(cls, builtin)
    assert issubclass(cls, errors.FuncnetError)
    assert cls.__doc__


def test_every_public_error_is_exported():
    for name in ("ShapeError", "AxisError", "ConcretizationError", "TracerLeakError",
                 "MutationError", "GradError", "StaticArgumentError", "DeviceMismatchError"):
        assert name in errors.__all__
        assert isinstance(getattr(errors, name), type)


# ----------------------------------------------------------------------------------------------
# Shapes and axes
# ----------------------------------------------------------------------------------------------


def test_binary_op_shape_mismatch():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(4,\)"):
        fnp.ones(3) + fnp.ones(4)
    with pytest.raises(ValueError, match="broadcast"):  # still a ValueError
        fnp.ones((2, 3)) * fnp.ones((4, 3))


def test_binary_op_shape_mismatch_names_the_function():
    with pytest.raises(ShapeError, match=r"fnp\.add"):
        fnp.add(fnp.ones(3), fnp.ones(4))
    with pytest.raises(ShapeError, match=r"fnp\.multiply.*\(2, 3\).*\(4, 3\)"):
        fnp.multiply(fnp.ones((2, 3)), fnp.ones((4, 3)))


def test_binary_op_shape_mismatch_under_jit():
    f = jit(lambda a, b: a + b)
    with pytest.raises(ShapeError, match=r"\(3,\).*\(4,\)"):
        f(fnp.ones(3), fnp.ones(4))


def test_binary_op_shape_mismatch_under_grad():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(4,\)"):
        grad(lambda a: fnp.sum(a + fnp.ones(4)))(fnp.ones(3))


def test_binary_op_shape_mismatch_under_vmap_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"\(4,\)"):
        vmap(lambda a: a + fnp.ones(4))(fnp.ones((2, 3)))


def test_binary_op_shape_mismatch_under_vmap_names_per_example_shapes():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(4,\)"):
        vmap(lambda a: a + fnp.ones(4))(fnp.ones((2, 3)))


def test_errors_inside_vmap_report_per_example_shapes():
    with pytest.raises(ShapeError, match=r"'a' has shape \(3,\)"):
        vmap(lambda a: a @ fnp.ones((4, 2)))(fnp.ones((5, 3)))
    with pytest.raises(AxisError, match=r"axis 1.*dimension 1"):
        vmap(lambda a: fnp.sum(a, axis=1))(fnp.ones((5, 3)))
    with pytest.raises(ShapeError, match=r"\(3,\).*\(4,\)"):
        vmap(lambda a: a.reshape(4))(fnp.ones((5, 3)))


def test_matmul_mismatch_names_a_and_b():
    with pytest.raises(ShapeError, match=r"fnp\.matmul") as ei:
        fnp.matmul(fnp.ones((2, 5)), fnp.ones((4, 3)))
    msg = str(ei.value)
    assert "'a'" in msg and "'b'" in msg
    assert "(2, 5)" in msg and "(4, 3)" in msg


def test_matmul_operator_and_jit_mismatch():
    with pytest.raises(ShapeError, match=r"'b'.*\(4, 3\)"):
        fnp.ones((2, 5)) @ fnp.ones((4, 3))
    with pytest.raises(ShapeError, match=r"'a'.*'b'|'b'.*'a'"):
        jit(fnp.matmul)(fnp.ones((2, 5)), fnp.ones((4, 3)))


@pytest.mark.parametrize("axis", [2, -3])
def test_bad_axis(axis):
    with pytest.raises(AxisError, match=rf"fnp\.sum.*axis {axis}.*dimension 2"):
        fnp.sum(fnp.ones((2, 3)), axis=axis)


def test_bad_axis_is_value_and_index_error():
    with pytest.raises(ValueError):
        fnp.mean(fnp.ones(3), axis=1)
    with pytest.raises(IndexError):
        fnp.max(fnp.ones(3), axis=1)


def test_bad_axis_other_functions():
    with pytest.raises(AxisError, match=r"axis 3"):
        fnp.concatenate([fnp.ones((2, 2)), fnp.ones((2, 2))], axis=3)
    with pytest.raises(AxisError, match=r"axis 5"):
        fnp.ones((2, 3)).sum(axis=5)


def test_reshape_size_mismatch():
    with pytest.raises(ValueError, match=r"12|\(5, 2\)"):
        fnp.reshape(fnp.arange(12), (5, 2))


# ----------------------------------------------------------------------------------------------
# grad
# ----------------------------------------------------------------------------------------------


def test_grad_integer_input():
    with pytest.raises(GradError, match="int32") as ei:
        grad(lambda x: fnp.sum(x * x))(fnp.arange(3))
    msg = str(ei.value)
    assert "funcnet.grad" in msg and "float" in msg


def test_grad_integer_input_in_pytree_names_the_leaf():
    with pytest.raises(GradError, match=r"int32.*\(2,\)|\(2,\).*int32"):
        grad(lambda d: fnp.sum(d["w"]))({"w": fnp.asarray([1, 2])})


def test_grad_integer_input_is_a_type_error():
    with pytest.raises(TypeError):
        grad(lambda x: x * 2.0)(3)


def test_grad_non_scalar_output():
    with pytest.raises(GradError, match=r"scalar") as ei:
        grad(lambda x: x * x)(fnp.ones(3))
    msg = str(ei.value)
    assert "[3]" in msg or "(3,)" in msg
    assert "sum" in msg or "jacrev" in msg or "vjp" in msg  # says the fix


def test_grad_has_aux_without_pair():
    with pytest.raises(GradError, match="has_aux"):
        grad(lambda x: fnp.sum(x), has_aux=True)(fnp.ones(2))


def test_vjp_cotangent_shape_mismatch():
    _, pull = funcnet.vjp(lambda x: x * 2, fnp.ones(3))
    with pytest.raises(ShapeError, match=r"\(4,\).*\(3,\)"):
        pull(fnp.ones(4))


def test_jvp_tangent_shape_mismatch():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2,\)"):
        funcnet.jvp(lambda x: x * 2, (fnp.ones(3),), (fnp.ones(2),))


# ----------------------------------------------------------------------------------------------
# Concretization under jit and vmap
# ----------------------------------------------------------------------------------------------


def _check_concretization_message(msg, argname="'x'"):
    assert argname in msg, msg
    assert "fnp.where" in msg, msg
    assert "lax.cond" in msg, msg
    assert "static_argnums" in msg, msg


def test_if_on_traced_value_under_jit():
    def f(x):
        if fnp.sum(x) > 0:
            return x
        return -x

    with pytest.raises(ConcretizationError) as ei:
        jit(f)(fnp.ones(3))
    _check_concretization_message(str(ei.value))


def test_while_on_traced_value_under_jit():
    def f(x):
        while fnp.linalg.norm(x) > 1:
            x = x / 2
        return x

    with pytest.raises(ConcretizationError, match="while_loop") as ei:
        jit(f)(fnp.ones(3))
    _check_concretization_message(str(ei.value))


def test_int_of_traced_value_under_jit_names_the_argument():
    with pytest.raises(ConcretizationError) as ei:
        jit(lambda x, n: x * int(n))(fnp.ones(3), fnp.asarray(2))
    msg = str(ei.value)
    _check_concretization_message(msg, "'n'")
    assert "int(" in msg


@pytest.mark.parametrize("what,fn", [
    ("float", lambda x: float(x)),
    ("item", lambda x: x.item()),
    ("numpy", lambda x: np.asarray(x)),
    ("tolist", lambda x: x.tolist()),
])
def test_other_concretizations_under_jit(what, fn):
    with pytest.raises(ConcretizationError) as ei:
        jit(fn)(fnp.asarray(1.0))
    _check_concretization_message(str(ei.value))


def test_concretization_error_names_nested_argument():
    f = lambda d: d["a"] if d["b"] > 0 else -d["a"]
    with pytest.raises(ConcretizationError, match=r"'d'\['b'\]"):
        jit(f)({"a": fnp.ones(2), "b": fnp.asarray(1.0)})


def test_concretization_error_is_a_type_error():
    with pytest.raises(TypeError):
        jit(lambda x: 1 if x > 0 else 2)(1.0)


def test_static_argnums_fixes_the_concretization_error():
    f = jit(lambda x, n: x * 2 if n > 0 else x, static_argnums=1)
    np.testing.assert_allclose(np.asarray(f(fnp.ones(2), 1)), [2.0, 2.0])


def test_vmap_of_python_control_flow_on_batched_value():
    def f(x):
        if fnp.sum(x) > 0:
            return x
        return -x

    with pytest.raises(ConcretizationError, match=r"funcnet\.vmap") as ei:
        vmap(f)(fnp.ones((3, 2)))
    msg = str(ei.value)
    assert "fnp.where" in msg and "lax.cond" in msg


def test_vmap_control_flow_on_unbatched_value_is_fine():
    def f(x, flag):
        return x * 2 if flag > 0 else x

    out = vmap(f, in_axes=(0, None))(fnp.ones((3, 2)), fnp.asarray(1.0))
    np.testing.assert_allclose(np.asarray(out), np.full((3, 2), 2.0))


def test_boolean_mask_under_jit():
    with pytest.raises(ConcretizationError, match=r"boolean_mask.*fnp\.where"):
        jit(fnp.boolean_mask)(fnp.ones((3, 2)), fnp.asarray([True, False, True]))


# ----------------------------------------------------------------------------------------------
# Leaked tracers
# ----------------------------------------------------------------------------------------------


LEAK_MATCH = r"leaked tracer|after its transform"


def _leak_from_jit():
    box = []

    @jit
    def f(x):
        box.append(x)
        return x * 2

    f(fnp.ones(2))
    return box[0]


def _leak_from_grad():
    box = []

    def f(x):
        box.append(x)
        return fnp.sum(x * x)

    grad(f)(fnp.ones(2))
    return box[0]


def _leak_from_vmap():
    box = []
    vmap(lambda x: box.append(x) or x)(fnp.ones((3, 2)))
    return box[0]


@pytest.mark.parametrize("make_leak", [_leak_from_jit, _leak_from_grad, _leak_from_vmap],
                         ids=["jit", "grad", "vmap"])
@pytest.mark.parametrize("use", [
    lambda t: t + 1,
    lambda t: fnp.sin(t),
    lambda t: t.sum(),
    lambda t: float(t[0]),
    lambda t: bool(t[0]),
], ids=["add", "sin", "sum", "float", "bool"])
def test_leaked_tracer_used_after_transform(make_leak, use):
    t = make_leak()
    with pytest.raises(TracerLeakError, match=LEAK_MATCH):
        use(t)


@pytest.mark.parametrize("outer", ["jit", "grad", "vmap"])
def test_leaked_tracer_used_in_a_later_transform(outer):
    t = _leak_from_jit()
    with pytest.raises(TracerLeakError, match=LEAK_MATCH):
        if outer == "jit":
            jit(lambda y: y + t)(fnp.ones(2))
        elif outer == "grad":
            grad(lambda y: fnp.sum(y * t))(fnp.ones(2))
        else:
            vmap(lambda y: y * t)(fnp.ones((3, 2)))


def test_leaked_tracer_converted_to_numpy():
    t = _leak_from_jit()
    with pytest.raises(TracerLeakError, match=LEAK_MATCH):
        np.asarray(t)


# ----------------------------------------------------------------------------------------------
# Mutation
# ----------------------------------------------------------------------------------------------


def test_setitem_raises_mutation_error_mentioning_at():
    x = fnp.ones(3)
    with pytest.raises(MutationError, match=re.escape(".at[")):
        x[0] = 1
    with pytest.raises(TypeError, match=r"immutable"):
        x[1:] = fnp.zeros(2)
    assert np.asarray(x).tolist() == [1.0, 1.0, 1.0]


def test_setitem_under_jit():
    def f(x):
        x[0] = 1.0
        return x

    with pytest.raises(MutationError, match=re.escape(".at[")):
        jit(f)(fnp.ones(3))


def test_delitem_raises():
    x = fnp.ones(3)
    with pytest.raises(MutationError):
        del x[0]


def test_numpy_view_is_read_only():
    x = fnp.ones(3)
    a = np.asarray(x)
    with pytest.raises(ValueError):
        a[0] = 5.0
    assert np.asarray(x).tolist() == [1.0, 1.0, 1.0]


def test_in_place_operator_rebinds_instead_of_mutating():
    x = fnp.ones(3)
    y = x
    y += 1
    assert np.asarray(x).tolist() == [1.0, 1.0, 1.0]
    assert np.asarray(y).tolist() == [2.0, 2.0, 2.0]


def test_array_cannot_be_constructed_directly():
    with pytest.raises(TypeError, match="asarray"):
        funcnet.Array([1, 2])


# ----------------------------------------------------------------------------------------------
# jit arguments
# ----------------------------------------------------------------------------------------------


def test_unhashable_static_argnums():
    f = jit(lambda x, s: x * len(s), static_argnums=1)
    with pytest.raises(StaticArgumentError, match=r"'s'") as ei:
        f(fnp.ones(2), [1, 2])
    msg = str(ei.value)
    assert "list" in msg and "hashable" in msg and "tuple" in msg


def test_unhashable_static_argnames():
    f = jit(lambda x, s=(): x * len(s), static_argnames="s")
    with pytest.raises(StaticArgumentError, match=r"'s'.*list"):
        f(fnp.ones(2), s=[1, 2])
    with pytest.raises(ValueError):  # a ValueError too
        f(fnp.ones(2), s={"a": 1})


def test_array_as_static_argument():
    f = jit(lambda x, s: x, static_argnums=1)
    with pytest.raises(StaticArgumentError, match=r"'s'.*Array"):
        f(fnp.ones(2), fnp.ones(2))


def test_non_array_traced_argument():
    with pytest.raises(TypeError, match=r"'s'.*str.*static_argnums"):
        jit(lambda x, s: x)(fnp.ones(2), "abc")


# ----------------------------------------------------------------------------------------------
# vmap arguments
# ----------------------------------------------------------------------------------------------


def test_vmap_axis_sizes_disagree():
    with pytest.raises(ShapeError, match=r"same size") as ei:
        vmap(lambda a, b: a + b)(fnp.ones((3, 2)), fnp.ones((4, 2)))
    msg = str(ei.value)
    assert "size 3" in msg and "size 4" in msg
    assert "(3, 2)" in msg and "(4, 2)" in msg


def test_vmap_axis_sizes_disagree_with_in_axes():
    with pytest.raises(ShapeError, match=r"size 2.*size 5|size 5.*size 2"):
        vmap(lambda a, b: a * b, in_axes=(1, 0))(fnp.ones((3, 2)), fnp.ones((5,)))


def test_vmap_in_axes_wrong_length():
    with pytest.raises(ValueError, match=r"in_axes.*3.*2"):
        vmap(lambda a, b: a + b, in_axes=(0, 0, 0))(fnp.ones((3, 2)), fnp.ones((3, 2)))


def test_vmap_in_axes_structure_mismatch():
    with pytest.raises(ValueError, match=r"in_axes"):
        vmap(lambda a, b: a + b, in_axes=({"x": 0}, 0))(fnp.ones((3, 2)), fnp.ones((3, 2)))


def test_vmap_in_axes_out_of_range():
    with pytest.raises(ValueError, match=r"in_axes=2.*\(3, 2\)"):
        vmap(lambda a: a, in_axes=2)(fnp.ones((3, 2)))


def test_vmap_no_mapped_argument():
    with pytest.raises(ValueError, match="axis_size"):
        vmap(lambda a: a, in_axes=None)(fnp.ones(3))


def test_vmap_out_axes_none_for_batched_output():
    with pytest.raises(ValueError, match="out_axes"):
        vmap(lambda a: a * 2, out_axes=None)(fnp.ones((3, 2)))


# ----------------------------------------------------------------------------------------------
# Other
# ----------------------------------------------------------------------------------------------


def test_unknown_config_option():
    with pytest.raises(ValueError, match=r"enable_x64"):
        funcnet.config.update("enable_x46", True)


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="not supported|dtype"):
        fnp.zeros(3, dtype=object)


def test_len_of_scalar():
    with pytest.raises(TypeError, match=r"len\(\)"):
        len(fnp.asarray(1.0))


def test_array_is_unhashable_with_a_hint():
    with pytest.raises(TypeError, match=r"unhashable.*static"):
        hash(fnp.ones(2))


def test_mixed_devices_name_the_primitive_and_the_devices(monkeypatch):
    # a stand-in second device: a NumPy subclass registered as a "gpu" backend
    import numpy as _np

    from funcnet.core import backend as B
    from funcnet.core.array import wrap

    class _OnFakeGpu(_np.ndarray):
        pass

    monkeypatch.setitem(B._BY_TYPE, _OnFakeGpu, B.Backend("gpu", _np, "gpu"))
    a = wrap(_np.ones(3, _np.float32).view(_OnFakeGpu))
    with pytest.raises(funcnet.errors.DeviceMismatchError,
                       match=r"funcnet add: the operands are on different devices \(\(3,\) on "
                             r"gpu, \(3,\) on cpu\).*device_put"):
        fnp.add(a, fnp.ones(3))
    assert issubclass(funcnet.errors.DeviceMismatchError, ValueError)


@pytest.mark.parametrize("call, cls, message", [
    (lambda: fnp.quantile(fnp.ones(4), 1.5), ValueError,
     r"fnp.quantile: q must be in \[0, 1\], got 1.5"),
    (lambda: fnp.percentile(fnp.ones(4), [50, 101]), ValueError,
     r"fnp.percentile: q must be in \[0, 100\], got \[50.0, 101.0\]"),
    (lambda: fnp.quantile(fnp.ones(4), 0.5, method="cubic"), ValueError,
     r"fnp.quantile: method must be one of .*'nearest'\), got 'cubic'"),
    (lambda: fnp.quantile(fnp.ones(4), fnp.ones((2, 2)) * 0.5), ValueError,
     r"fnp.quantile: q must be a scalar or 1-D, got shape \(2, 2\)"),
    (lambda: fnp.median(fnp.ones((2, 0)), axis=1), ValueError,
     r"fnp.quantile: cannot take a quantile over an empty axis \(array shape \(2, 0\), axis 1\)"),
    (lambda: fnp.average(fnp.ones((2, 3)), weights=fnp.ones(2), axis=1), ValueError,
     r"fnp.average: 1-D weights must have length a.shape\[1\] = 3, got weights of shape "
     r"\(2,\) for a of shape \(2, 3\)"),
    (lambda: fnp.average(fnp.ones((2, 3)), weights=fnp.ones(3)), TypeError,
     r"fnp.average: weights of shape \(3,\) differ from a's shape \(2, 3\); pass axis="),
    (lambda: fnp.interp(fnp.ones(2), fnp.ones(3), fnp.ones(2)), ValueError,
     r"fnp.interp: xp and fp must be 1-D of the same non-zero length, got shapes \(3,\) and "
     r"\(2,\)"),
    (lambda: fnp.rot90(fnp.ones((2, 2)), axes=(1, 1)), ValueError,
     r"fnp.rot90: axes must be different, got \(1, 1\) for shape \(2, 2\)"),
    (lambda: fnp.rot90(fnp.ones(3)), ValueError,
     r"fnp.rot90: needs an array of at least 2 dims, got shape \(3,\)"),
    (lambda: fnp.cross(fnp.ones(2), fnp.ones(2)), ValueError,
     r"fnp.cross: both arrays need size 3 along axis -1, got shapes \(2,\) and \(2,\)"),
])
def test_statistics_and_shape_helpers_name_the_argument_and_shapes(call, cls, message):
    with pytest.raises(cls, match=message):
        call()
