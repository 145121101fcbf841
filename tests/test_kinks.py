"""The subgradients at kinks, exactly as the table of docs/subgradients.md fixes them:
every exact check of every kink in the op catalogue (``minigrad/catalogue.py``).

Finite differences cannot check these points (the function has no derivative there), so
each check states the value the engine must use. Every check runs in float32 and
float64, and must hold to the last bit.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.catalogue import OPS, Exact

CHECKS = [check for op in OPS for kink in op.kinks for check in kink.checks]


def by_name(checks: list[Exact]):
    return pytest.mark.parametrize("check", checks, ids=lambda c: c.name)


@pytest.fixture(params=[np.float32, np.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param


def at(check: Exact, dtype) -> mg.Tensor:
    return mg.tensor(np.array(check.at, dtype=dtype), requires_grad=True)


def assert_exactly(actual: np.ndarray, expected) -> None:
    """Equal to the last bit (nan where nan is expected), with the expected values
    rounded to the actual dtype."""
    np.testing.assert_array_equal(actual, np.asarray(expected, dtype=actual.dtype))


def deliberate_inf_and_nan():
    """Some points have an inf or nan gradient on purpose (sqrt at 0): no warning."""
    return np.errstate(divide="ignore", invalid="ignore")


@by_name(CHECKS)
def test_gradient_at_the_kink(check: Exact, dtype):
    x = at(check, dtype)
    with deliberate_inf_and_nan():
        check.fn(x).sum().backward()
    assert x.grad.dtype == dtype
    assert_exactly(x.grad, check.gradient)


@by_name([check for check in CHECKS if check.second_derivative is not None])
def test_second_derivative_at_the_kink(check: Exact, dtype):
    x = at(check, dtype)
    with deliberate_inf_and_nan():
        (g,) = mg.grad(check.fn(x).sum(), x, create_graph=True)
        # a gradient that records no graph does not depend on x: its derivative is 0
        (gg,) = mg.grad(g.sum(), x, allow_unused=True) if g.requires_grad else (None,)
    assert_exactly(g.data, check.gradient)  # the rule run on Tensors: the same gradient
    assert_exactly(np.zeros_like(x.data) if gg is None else gg.data, check.second_derivative)


def test_sign_has_no_graph(dtype):
    x = mg.tensor(np.array([-2.0, 0.0, 3.0], dtype=dtype), requires_grad=True)
    s = x.sign()
    assert not s.requires_grad and s.grad_fn is None
    assert_exactly(s.data, [-1.0, 0.0, 1.0])
    assert not np.sign(x).requires_grad  # numpy's sign on a Tensor: no graph either
