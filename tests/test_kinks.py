"""The subgradients at kinks, exactly as the table of API.md fixes them, one test per row.

Finite differences cannot check these points (the function has no derivative there), so
each test states the value the engine must use. Every test runs in float32 and float64.
"""

import numpy as np
import pytest

import minigrad as mg


@pytest.fixture(params=[np.float32, np.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param


def grad_of(fn, values, dtype) -> np.ndarray:
    """d sum(fn(x)) / dx at ``values``."""
    x = mg.tensor(np.array(values, dtype=dtype), requires_grad=True)
    fn(x).sum().backward()
    assert x.grad.dtype == dtype
    return x.grad


def assert_exactly(actual: np.ndarray, expected) -> None:
    """Equal to the last bit, with the expected values rounded to the actual dtype."""
    np.testing.assert_array_equal(actual, np.asarray(expected, dtype=actual.dtype))


def test_abs_at_zero_has_gradient_zero(dtype):
    assert_exactly(grad_of(abs, [-2.0, 0.0, 3.0], dtype), [-1.0, 0.0, 1.0])


def test_sign_has_no_graph_so_its_gradient_is_zero(dtype):
    x = mg.tensor(np.array([-2.0, 0.0, 3.0], dtype=dtype), requires_grad=True)
    s = x.sign()
    assert not s.requires_grad and s.grad_fn is None
    assert_exactly(s.data, [-1.0, 0.0, 1.0])
    # sign(x) * x = |x|: the product rule gets sign(x) from x and nothing from sign
    (x.sign() * x).sum().backward()
    assert_exactly(x.grad, [-1.0, 0.0, 1.0])
    assert not np.sign(x).requires_grad  # numpy's sign on a Tensor: no graph either


def test_relu_at_zero_has_gradient_zero(dtype):
    assert_exactly(grad_of(mg.Tensor.relu, [-1.0, 0.0, 2.0], dtype), [0, 0, 1])


def test_clip_at_lower_bound_has_gradient_one(dtype):
    g = grad_of(lambda x: x.clip(0.0, 1.0), [-1.0, 0.0, 0.5], dtype)
    assert_exactly(g, [0.0, 1.0, 1.0])


def test_clip_at_upper_bound_has_gradient_one(dtype):
    g = grad_of(lambda x: x.clip(0.0, 1.0), [0.5, 1.0, 2.0], dtype)
    assert_exactly(g, [1.0, 1.0, 0.0])


def test_maximum_tie_gives_half_to_each_side(dtype):
    a = mg.tensor(np.array([1.0, 2.0, 3.0], dtype=dtype), requires_grad=True)
    b = mg.tensor(np.array([1.0, 0.0, 5.0], dtype=dtype), requires_grad=True)
    mg.maximum(a, b).sum().backward()
    assert_exactly(a.grad, [0.5, 1.0, 0.0])
    assert_exactly(b.grad, [0.5, 0.0, 1.0])


def test_minimum_tie_gives_half_to_each_side(dtype):
    a = mg.tensor(np.array([1.0, 2.0, 3.0], dtype=dtype), requires_grad=True)
    b = mg.tensor(np.array([1.0, 0.0, 5.0], dtype=dtype), requires_grad=True)
    mg.minimum(a, b).sum().backward()
    assert_exactly(a.grad, [0.5, 0.0, 1.0])
    assert_exactly(b.grad, [0.5, 1.0, 0.0])


def test_maximum_tie_with_a_constant_gives_half(dtype):
    g = grad_of(lambda x: mg.maximum(x, 0.0), [-1.0, 0.0, 1.0], dtype)
    assert_exactly(g, [0.0, 0.5, 1.0])


def test_max_reduction_ties_split_evenly(dtype):
    assert_exactly(
        grad_of(lambda x: x.max(), [3.0, 1.0, 3.0, 3.0], dtype), [1 / 3, 0, 1 / 3, 1 / 3]
    )
    g = grad_of(lambda x: x.max(axis=1), [[1.0, 1.0, 0.0], [2.0, 0.0, 2.0]], dtype)
    assert_exactly(g, [[0.5, 0.5, 0.0], [0.5, 0.0, 0.5]])


def test_min_reduction_ties_split_evenly(dtype):
    assert_exactly(grad_of(lambda x: x.min(), [-3.0, 1.0, -3.0, 0.0], dtype), [0.5, 0, 0.5, 0])
    g = grad_of(lambda x: x.min(axis=0, keepdims=True), [[1.0, 5.0], [1.0, 4.0]], dtype)
    assert_exactly(g, [[0.5, 0.0], [0.5, 1.0]])


def test_norm_p2_of_all_zero_vector_has_gradient_zero(dtype):
    assert_exactly(grad_of(lambda x: x.norm(), [0.0, 0.0, 0.0], dtype), [0, 0, 0])
    # row by row: the zero row gets 0, the other one x / ||x||
    g = grad_of(lambda x: x.norm(axis=1), [[0.0, 0.0], [3.0, 4.0]], dtype)
    np.testing.assert_allclose(g, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)


def test_norm_p1_at_zero_entries_has_gradient_zero(dtype):
    g = grad_of(lambda x: x.norm(1), [0.0, -2.0, 3.0, 0.0], dtype)
    assert_exactly(g, [0.0, -1.0, 1.0, 0.0])


def test_norm_pinf_ties_split_evenly(dtype):
    g = grad_of(lambda x: x.norm(float("inf")), [-3.0, 3.0, 1.0], dtype)
    assert_exactly(g, [-0.5, 0.5, 0.0])


def test_sqrt_at_zero_has_infinite_gradient(dtype):
    with np.errstate(divide="ignore"):  # 1 / (2 * sqrt(0)) is inf on purpose
        g = grad_of(mg.Tensor.sqrt, [0.0, 4.0], dtype)
    assert_exactly(g, [np.inf, 0.25])


def test_std_of_equal_values_has_nan_gradient_from_sqrt_at_zero(dtype):
    """Not a row of its own: std is var(x).sqrt(), so at zero variance sqrt's inf meets a
    zero gradient of var and gives nan, as in PyTorch (no silent fix either)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = grad_of(lambda x: x.std(), [2.0, 2.0, 2.0], dtype)
    assert np.isnan(g).all()
