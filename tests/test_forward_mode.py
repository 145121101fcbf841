"""Forward mode, op by op: every case of the op catalogue (``minigrad/catalogue.py``)
has a jvp rule that agrees with finite differences in float64, to first order and,
nested (forward over forward, forward over reverse), to second order; and at every
kink it uses the subgradient table's value, to the last bit.

The transforms themselves, and their agreement with ``torch.func``, are in
test_func.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import func
from minigrad.catalogue import OPS, Case, Exact

CASES = [case for op in OPS for case in op.cases]
CHECKS = [check for op in OPS for kink in op.kinks for check in kink.checks]


def by_name(items: list):
    return pytest.mark.parametrize("item", items, ids=lambda c: c.name)


def leaves(case: Case, rng: np.random.Generator) -> list[mg.Tensor]:
    return [mg.tensor(a, requires_grad=True) for a in case.arrays(rng)]


def test_every_op_of_the_catalogue_has_a_forward_mode_rule():
    missing = [op.name for op in OPS if op.function is not None and op.function.jvp is None]
    assert not missing


def test_every_op_states_its_forward_mode_rule_in_its_docstring():
    from minigrad.catalogue import rule_of

    unstated = [op.name for op in OPS if op.function is not None and not rule_of(op.function).jvp]
    assert not unstated


@by_name(CASES)
def test_jvp_matches_finite_differences(item: Case, rng):
    assert mg.gradcheck(item.fn, leaves(item, rng), check_forward_ad=True)


@by_name([case for op in OPS if op.gradgradcheck_applies for case in op.cases])
def test_forward_over_reverse_matches_finite_differences(item: Case, rng):
    """The jvp of the first derivatives: what func.hvp and func.hessian compute."""
    assert mg.gradgradcheck(item.fn, leaves(item, rng), check_forward_ad=True)


@by_name([case for op in OPS if op.gradgradcheck_applies for case in op.cases])
def test_forward_over_forward_equals_reverse_over_reverse(item: Case, rng):
    """Second derivatives along two random directions u, v: u^T H v, by nesting jvp in
    jvp, and by nesting grads (the reverse pass, checked by gradgradcheck)."""
    xs = leaves(item, rng)
    us = [mg.tensor(rng.standard_normal(x.shape)) for x in xs]
    vs = [mg.tensor(rng.standard_normal(x.shape)) for x in xs]
    w = rng.standard_normal(item.fn(*xs).shape)  # a fixed linear functional of the output

    def scalar(*values):
        return (item.fn(*values) * mg.tensor(w)).sum()

    def along_u(*values):
        return func.jvp(scalar, values, tuple(us))[1]

    _, forward_forward = func.jvp(along_u, tuple(xs), tuple(vs))
    gradients = mg.grad(scalar(*xs), xs, create_graph=True, allow_unused=True)
    along = sum((g * u).sum() for g, u in zip(gradients, us) if g is not None and g.requires_grad)
    reverse = 0.0
    if isinstance(along, mg.Tensor):
        second = mg.grad(along, xs, allow_unused=True)
        reverse = sum(float((s * v).sum()) for s, v in zip(second, vs) if s is not None)
    np.testing.assert_allclose(forward_forward.item(), reverse, rtol=1e-9, atol=1e-9)


def _deliberate_inf_and_nan():
    return np.errstate(divide="ignore", invalid="ignore")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@by_name([check for check in CHECKS if not check.not_in_forward_mode])
def test_the_tangent_at_the_kink_is_the_tables_value(item: Exact, dtype):
    """Along e_j, the jvp of sum(fn(x)) is the j-th entry of the table's gradient, to
    the last bit. Where the table has inf (sqrt at 0), the other directions meet
    0 / 0; there, along the all-ones direction, the tangent is the table's inf."""
    x = mg.tensor(np.array(item.at, dtype=dtype))
    expected = np.asarray(item.gradient, dtype=dtype)
    with _deliberate_inf_and_nan():
        if np.all(np.isfinite(expected)):
            rows = func.jacfwd(lambda x: item.fn(x).sum())(x)
            np.testing.assert_array_equal(rows.data, expected)
        else:
            _, along_ones = func.jvp(lambda x: item.fn(x).sum(), (x,), (mg.ones_like(x),))
            np.testing.assert_array_equal(along_ones.data, expected.sum(dtype=dtype))


def test_the_one_kink_where_forward_mode_differs_gives_nan_there():
    (check,) = [check for check in CHECKS if check.not_in_forward_mode]
    x = mg.tensor(np.array(check.at))
    with _deliberate_inf_and_nan():
        rows = func.jacfwd(lambda x: check.fn(x).sum())(x)
    assert np.isnan(rows.data[0]) and check.gradient[0] == 0.0  # reverse mode: 0
    np.testing.assert_array_equal(rows.data[1:], check.gradient[1:])


def test_jvp_of_abs_at_zero_is_zero_and_of_a_tie_in_maximum_the_mean_of_both():
    zero = mg.tensor(np.zeros(3))
    _, t = func.jvp(mg.Tensor.abs, (zero,), (mg.tensor(np.array([1.0, -2.0, 5.0])),))
    np.testing.assert_array_equal(t.data, [0.0, 0.0, 0.0])
    a, b = mg.tensor(np.array([1.0, 2.0])), mg.tensor(np.array([1.0, 0.0]))
    ta, tb = mg.tensor(np.array([4.0, 4.0])), mg.tensor(np.array([2.0, 2.0]))
    _, t = func.jvp(mg.maximum, (a, b), (ta, tb))
    np.testing.assert_array_equal(t.data, [3.0, 4.0])


def test_a_tie_in_max_gives_the_mean_of_the_tied_tangents_and_clip_passes_at_its_bounds():
    x = mg.tensor(np.array([3.0, 1.0, 3.0]))
    _, t = func.jvp(lambda x: x.max(), (x,), (mg.tensor(np.array([1.0, 7.0, 2.0])),))
    assert t.item() == 1.5
    _, t = func.jvp(lambda x: x.clip(1.0, 3.0), (x,), (mg.tensor(np.array([1.0, 7.0, 2.0])),))
    np.testing.assert_array_equal(t.data, [1.0, 7.0, 2.0])


def test_the_tangent_of_the_two_norm_at_the_zero_vector_is_zero():
    _, t = func.jvp(lambda x: x.norm(), (mg.tensor(np.zeros(3)),), (mg.tensor(np.ones(3)),))
    assert t.item() == 0.0
