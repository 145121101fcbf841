"""Every case of the op catalogue (``minigrad/catalogue.py``) in float64: its gradient
against central finite differences, its forward value against numpy, and, where the
op's second order is exact, its second derivatives (gradgradcheck).

Adding an op to minigrad is adding an ``Op`` to the catalogue; its kinks are tested
exactly, point by point, in test_kinks.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad as mg
from minigrad.catalogue import OPS, Case

CASES = [case for op in OPS for case in op.cases]
assert len({c.name for c in CASES}) == len(CASES), "case names are test ids: keep them unique"


def by_name(cases: list[Case]):
    return pytest.mark.parametrize("case", cases, ids=lambda c: c.name)


def leaves(case: Case, rng: np.random.Generator, dtype=np.float64) -> list[mg.Tensor]:
    return [mg.tensor(a.astype(dtype), requires_grad=True) for a in case.arrays(rng)]


@by_name(CASES)
def test_gradient_matches_finite_differences(case: Case, rng):
    assert mg.gradcheck(case.fn, leaves(case, rng))


@by_name([case for op in OPS if op.gradgradcheck_applies for case in op.cases])
def test_second_derivatives_match_finite_differences(case: Case, rng):
    assert mg.gradgradcheck(case.fn, leaves(case, rng))


@by_name([case for case in CASES if case.numpy is not None])
def test_forward_matches_numpy(case: Case, rng):
    arrays = case.arrays(rng)
    expected = case.numpy(*arrays)
    assert not isinstance(expected, mg.Tensor), "a reference computes on numpy arrays"
    out = case.fn(*[mg.tensor(a) for a in arrays])
    assert isinstance(out.data, np.ndarray)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@by_name(CASES)
def test_backward_keeps_inputs_and_gives_private_grads_of_their_shape_and_dtype(case: Case, rng):
    """MyGrad's invariants: forward/backward do not mutate the inputs; each .grad has its
    leaf's shape and dtype (float32 here) and shares memory with nothing else."""
    xs = leaves(case, rng, np.float32)
    before = [x.data.copy() for x in xs]
    out = case.fn(*xs)
    (out * rng.standard_normal(out.shape)).sum().backward()
    for x, b in zip(xs, before):
        np.testing.assert_array_equal(x.data, b)
        assert x.grad.shape == x.shape and x.grad.dtype == np.float32
    for x, y in itertools.combinations(xs, 2):
        assert not np.shares_memory(x.grad, y.grad)
    for x in xs:
        assert not any(np.shares_memory(x.grad, y.data) for y in xs)
