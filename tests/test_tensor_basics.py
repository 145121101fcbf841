"""Tensor construction, dtypes, factories, conversions, comparisons and hashing."""

import operator
import warnings

import numpy as np
import pytest

import minigrad as mg

# ------------------------------------------------------------------ dtype inference


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),  # Python floats: the default dtype
        ([1, 2.5], np.float32),  # a list holding any float
        ([[1.0], [2.0]], np.float32),
        (3, np.int64),  # Python ints: int64, so mg.tensor([0, 2]) is a label vector
        ([0, 2], np.int64),
        (True, np.bool_),
        ([True, False], np.bool_),
        (np.float64(1.0), np.float64),  # numpy data keeps its dtype
        (np.ones(2), np.float64),
        (np.ones(2, dtype=np.float16), np.float16),
        (np.arange(3, dtype=np.int32), np.int32),
    ],
    ids=repr,
)
def test_dtype_inference(data, dtype):
    assert mg.tensor(data).dtype == dtype
    assert mg.Tensor(data).dtype == dtype


def test_numpy_array_is_wrapped_without_a_copy():
    a = np.ones(3)
    assert mg.tensor(a).data is a


def test_dtype_keyword_overrides_inference():
    assert mg.tensor([1, 2], dtype=mg.float64).dtype == np.float64
    assert mg.tensor(np.ones(2), dtype=mg.float32).dtype == np.float32


@pytest.mark.parametrize("data", [[1, 2], [True, False], np.arange(3)], ids=repr)
def test_integer_and_bool_tensors_cannot_require_grad(data):
    with pytest.raises(TypeError, match="floating-point.*(int64|bool)"):
        mg.tensor(data, requires_grad=True)
    t = mg.tensor(data)
    with pytest.raises(TypeError, match="floating-point"):
        t.requires_grad = True
    assert not t.requires_grad  # the refused change left the tensor as it was


def test_data_that_is_not_numeric_is_a_type_error():
    with pytest.raises(TypeError, match="str"):
        mg.tensor("abc")
    with pytest.raises(TypeError):
        mg.tensor({"a": 1})


# --------------------------------------------------------------- dtypes through ops


def test_float32_op_python_float_stays_float32_and_so_do_the_gradients():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = ((x * 2.5 + 1) / 3.0 - 0.5) ** 2 + 2.0**x + x.exp() * 1e-3 - 3  # 3: a Python int
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("scalar", [1.01, 3, -0.1, 1e-10, 2**70])
@pytest.mark.parametrize(
    "op",
    [
        lambda a, s: a + s,
        lambda a, s: s + a,
        lambda a, s: a - s,
        lambda a, s: s - a,
        lambda a, s: a * s,
        lambda a, s: s * a,
        lambda a, s: a / s,
        lambda a, s: s / a,
    ],
    ids=["add", "radd", "sub", "rsub", "mul", "rmul", "div", "rdiv"],
)
def test_python_scalar_operand_gives_numpys_result_to_the_bit(dtype, scalar, op):
    # the operators turn the scalar into a 0-d array of the tensor's dtype (once, for
    # speed): numpy casts a Python scalar to the array's dtype anyway, so nothing changes
    values = np.array([0.5, -1.25, 3.0], dtype=dtype)
    x = mg.tensor(values, requires_grad=True)
    with np.errstate(all="ignore"):  # 2**70 overflows float16, 1e-10 flushes it to 0
        y = op(x, scalar)
        expected = op(values, scalar)
        y.backward(np.ones(3, dtype))
    assert y.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(y.data, expected)
    assert x.grad.dtype == dtype


def test_a_number_that_overflows_the_dtype_warns_or_raises_each_time_as_in_numpy():
    x = mg.tensor(np.array([1.0, 2.0], dtype=np.float16))
    big = 1e5  # beyond float16's 65504
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x * big
        x * big
    assert [str(w.message) for w in caught] == ["overflow encountered in cast"] * 2
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        x * big


def test_plus_and_minus_zero_are_different_scalars():
    x = mg.tensor([1.0, -2.0])
    for zero in (0.0, -0.0, 0.0, -0.0):  # each in turn, as the same objects again
        np.testing.assert_array_equal(np.signbit((x * zero).data), np.signbit(x.data * zero))


def test_python_scalar_beside_an_int_tensor_is_left_to_numpy():
    n = mg.tensor([1, 2, 3])  # int64
    for y, expected in [(n * 1.5, np.array([1, 2, 3]) * 1.5), (n + 2, np.array([3, 4, 5]))]:
        assert y.dtype == expected.dtype
        np.testing.assert_array_equal(y.data, expected)


def test_python_scalar_that_overflows_the_dtype_does_what_numpy_does():
    x = mg.tensor([1.0, 2.0])  # float32
    with pytest.warns(RuntimeWarning, match="overflow"):
        y = x * 1e300
    np.testing.assert_array_equal(y.data, [np.inf, np.inf])
    with pytest.raises(OverflowError):
        x * 10**400


def test_float32_leaf_gets_float32_grad_through_a_float64_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * np.array([0.5, 0.25])  # numpy's promotion: float32 * float64 array -> float64
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [0.5, 0.25])


def test_float64_end_to_end():
    x = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ((x + 1e-10) - x) * x.exp()  # 1e-10 survives in float64, not in float32
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.data, 1e-10 * np.exp(x.data), rtol=1e-5)
    y.sum().backward()
    assert x.grad.dtype == np.float64


def test_set_default_dtype_changes_floats_and_float_factories_only():
    mg.set_default_dtype(mg.float64)
    assert mg.get_default_dtype() == np.float64
    made = [mg.tensor(1.0), mg.tensor([1, 2.5]), mg.zeros(2), mg.ones(2), mg.full(2, 3)]
    made += [mg.randn(2), mg.rand(2), mg.eye(2), mg.arange(0.5, 2)]
    assert all(t.dtype == np.float64 for t in made)
    assert mg.tensor([1, 2]).dtype == np.int64 and mg.arange(3).dtype == np.int64
    mg.set_default_dtype(mg.float32)
    assert mg.tensor(1.0).dtype == np.float32


def test_set_default_dtype_refuses_non_float_dtypes():
    with pytest.raises(TypeError, match="int64"):
        mg.set_default_dtype(mg.int64)
    assert mg.get_default_dtype() == np.float32


# ---------------------------------------------------------------------- factories


def full_of_seven(shape, **kwargs):
    return mg.full(shape, 7, **kwargs)


@pytest.mark.parametrize("make, value", [(mg.zeros, 0), (mg.ones, 1), (full_of_seven, 7)])
@pytest.mark.parametrize("shape, expected", [(3, (3,)), ((2, 3), (2, 3)), ((), ())], ids=str)
def test_filled_factories_take_an_int_or_a_tuple(make, value, shape, expected):
    t = make(shape)
    assert t.shape == expected and t.dtype == np.float32 and not t.requires_grad
    np.testing.assert_array_equal(t.data, np.full(expected, value))


FACTORIES = {
    "zeros": lambda **kw: mg.zeros((2, 2), **kw),
    "ones": lambda **kw: mg.ones(2, **kw),
    "full": lambda **kw: mg.full((2,), 0.5, **kw),
    "randn": lambda **kw: mg.randn(2, 2, **kw),
    "rand": lambda **kw: mg.rand((2, 2), **kw),
    "arange": lambda **kw: mg.arange(0.0, 1.0, 0.25, **kw),
    "eye": lambda **kw: mg.eye(3, **kw),
}


@pytest.mark.parametrize("make", FACTORIES.values(), ids=FACTORIES.keys())
def test_factories_take_requires_grad_and_dtype(make):
    t = make(requires_grad=True, dtype=mg.float64)
    assert t.requires_grad and t.is_leaf and t.dtype == np.float64
    assert make().dtype == np.float32


def test_randn_and_rand_take_ints_or_one_tuple():
    assert mg.randn(2, 3).shape == mg.randn((2, 3)).shape == (2, 3)
    assert mg.rand(4).shape == (4,) and mg.randn().shape == ()
    r = mg.rand(1000).data
    assert r.min() >= 0 and r.max() < 1


def test_arange_is_int64_only_for_int_arguments():
    t = mg.arange(5)
    assert t.dtype == np.int64 and t.tolist() == [0, 1, 2, 3, 4]
    assert mg.arange(1, 7, 2).tolist() == [1, 3, 5]
    f = mg.arange(0, 1, 0.25)
    assert f.dtype == np.float32 and f.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert mg.arange(3, dtype=mg.float64).dtype == np.float64


def test_eye():
    np.testing.assert_array_equal(mg.eye(3).data, np.eye(3))


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: mg.zeros(-1), ValueError),
        (lambda: mg.ones((2, -3)), ValueError),
        (lambda: mg.zeros((2.5, 3)), TypeError),
        (lambda: mg.randn(2.5), TypeError),
        (lambda: mg.rand("ab"), TypeError),
    ],
    ids=["negative int", "negative in tuple", "float in tuple", "float", "string"],
)
def test_factories_reject_bad_shapes(make, error):
    with pytest.raises(error, match="shape"):
        make()


def test_manual_seed_makes_random_factories_reproducible():
    mg.manual_seed(123)
    first = (mg.randn(5).data, mg.rand(5).data)
    mg.manual_seed(123)
    second = (mg.randn(5).data, mg.rand(5).data)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    mg.manual_seed(124)
    assert not np.array_equal(mg.randn(5).data, first[0])


# ----------------------------------------------------------- attributes, conversions


def test_attributes_follow_numpy():
    t = mg.tensor(np.zeros((2, 3, 4)))
    assert (t.shape, t.ndim, t.size, t.dtype) == ((2, 3, 4), 3, 24, np.float64)
    assert t.T.shape == (4, 3, 2)  # all axes reversed, as numpy
    assert t.is_leaf and not t.requires_grad and t.grad is None


def test_conversions():
    t = mg.tensor(np.array([[1.5, 2.0]]))
    assert t.numpy() is t.data
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert t.tolist() == [[1.5, 2.0]]
    item = mg.tensor(2.5).item()
    assert item == 2.5 and type(item) is float
    assert type(mg.tensor(3).item()) is int
    assert float(mg.tensor([2.5])) == 2.5 and int(mg.tensor([[3]])) == 3  # one element
    with pytest.raises(ValueError, match="size 1"):
        t.item()


def test_grad_is_none_until_backward_then_matches_data():
    x = mg.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    assert type(x.grad) is np.ndarray
    assert x.grad.shape == x.shape and x.grad.dtype == x.dtype


# ---------------------------------------------------------------------- comparisons

COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


@pytest.mark.parametrize("compare", COMPARISONS, ids=lambda f: f.__name__)
def test_comparisons_return_bool_tensors_without_graph(compare):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    other = np.array([2.0, 2.0, 2.0])
    for result, expected in [
        (compare(x, 2.0), compare(x.data, 2.0)),
        (compare(2.0, x), compare(2.0, x.data)),  # reflected
        (compare(x, mg.tensor(other)), compare(x.data, other)),
        (compare(other, x), compare(other, x.data)),  # numpy array on the left
        (compare(mg.tensor(2.0), 2.0), compare(np.array(2.0), 2.0)),  # 0-d
    ]:
        assert isinstance(result, mg.Tensor) and type(result.data) is np.ndarray
        assert result.dtype == np.bool_ and not result.requires_grad and result.grad_fn is None
        np.testing.assert_array_equal(result.data, expected)


def test_tensors_hash_by_identity():
    a, b = mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0])
    table = {a: "a", b: "b"}  # parameters are dict keys
    assert table[a] == "a" and table[b] == "b"
    assert len({a, b, a}) == 2
    assert isinstance(a == b, mg.Tensor)  # == stays elementwise
    key = hash(a)
    a.data[0] = 5.0
    assert hash(a) == key


def test_augmented_assignment_rebinds_instead_of_mutating():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = x * 1
    before = c
    c += 1
    assert c is not before
    np.testing.assert_array_equal(before.data, [1.0, 2.0])
    np.testing.assert_array_equal(c.data, [2.0, 3.0])
    for op in (operator.isub, operator.imul, operator.itruediv):
        d = op(c, 2.0)
        assert d is not c and d.grad_fn is not None


# ------------------------------------------------ numpy functions applied to Tensors

NUMPY_FUNCTIONS = {
    "exp": (np.exp, lambda x: x.exp()),
    "sqrt of square": (lambda x: np.sqrt(np.square(x) + 1), lambda x: (x * x + 1).sqrt()),
    "sum axis": (lambda x: np.sum(x, axis=0), lambda x: x.sum(axis=0)),
    "mean keepdims": (lambda x: np.mean(x, axis=1, keepdims=True), lambda x: x.mean(1, True)),
    "max": (np.max, lambda x: x.max()),
    "amax": (lambda x: np.amax(x, axis=0), lambda x: x.max(axis=0)),
    "amin": (np.amin, lambda x: x.min()),
    "where": (lambda x: np.where(x > 0, x, 0), lambda x: x.relu()),
    "maximum": (lambda x: np.maximum(x, 0.5), lambda x: mg.maximum(x, 0.5)),
    "broadcast_to": (lambda x: np.broadcast_to(x, (4, 2, 3)), lambda x: x.broadcast_to((4, 2, 3))),
    "reshape": (lambda x: np.reshape(x, (3, 2)), lambda x: x.reshape(3, 2)),
    "transpose": (np.transpose, lambda x: x.T),
    "concatenate": (lambda x: np.concatenate([x, x], axis=1), lambda x: mg.concatenate([x, x], 1)),
    "clip": (lambda x: np.clip(x, -0.5, 0.5), lambda x: x.clip(-0.5, 0.5)),
}


@pytest.mark.parametrize("numpy_fn, method", NUMPY_FUNCTIONS.values(), ids=NUMPY_FUNCTIONS.keys())
def test_numpy_functions_on_tensors_record_the_same_graph_as_methods(numpy_fn, method, rng):
    """What lets a backward rule written with numpy run on Tensors under create_graph."""
    x = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    out = numpy_fn(x)
    assert isinstance(out, mg.Tensor) and out.requires_grad
    expected = method(x)
    np.testing.assert_array_equal(out.data, expected.data)
    (gx,) = mg.grad(out, x, grad_outputs=np.ones(out.shape))
    (ge,) = mg.grad(expected, x, grad_outputs=np.ones(out.shape))
    np.testing.assert_array_equal(gx.data, ge.data)


def test_numpy_function_without_a_minigrad_version_refuses_to_cut_the_graph():
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(TypeError, match="sin.*no differentiable minigrad version"):
        np.sin(x)
    np.testing.assert_allclose(np.sin(x.detach()), np.sin([0.5, 1.0]))  # values only: fine
