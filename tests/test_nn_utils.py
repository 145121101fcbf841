"""nn.utils: gradient clipping by norm and by value, and the max-norm constraint."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def with_grad(grad) -> mg.Tensor:
    g = np.asarray(grad, dtype=np.float64)
    t = mg.tensor(np.zeros_like(g), requires_grad=True)
    t.grad = g.copy()
    return t


def test_clip_grad_norm_scales_all_gradients_together():
    a, b = with_grad([3.0, 0.0]), with_grad([[0.0], [4.0]])  # joint 2-norm 5
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert isinstance(total, float) and total == 5.0
    scale = 1.0 / (5.0 + 1e-6)  # PyTorch's formula, with its 1e-6
    np.testing.assert_allclose(a.grad, [3 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(b.grad, [[0.0], [4 * scale]], rtol=1e-15)


def test_clip_grad_norm_leaves_small_gradients_alone_and_returns_their_norm():
    a = with_grad([0.3, 0.4])
    assert nn.utils.clip_grad_norm_([a], max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(a.grad, [0.3, 0.4])


def test_clip_grad_norm_at_exactly_max_norm_still_applies_the_1e6_margin():
    a = with_grad([3.0, 4.0])
    nn.utils.clip_grad_norm_(a, max_norm=5.0)  # scale 5 / (5 + 1e-6) < 1, as PyTorch
    np.testing.assert_allclose(a.grad, np.array([3.0, 4.0]) * 5 / (5 + 1e-6), rtol=1e-15)


def test_clip_grad_norm_inf_and_one_norms():
    a, b = with_grad([1.0, -6.0]), with_grad([2.0])
    assert nn.utils.clip_grad_norm_([a, b], 3.0, norm_type=math.inf) == 6.0
    np.testing.assert_allclose(a.grad, np.array([1.0, -6.0]) * 3 / (6 + 1e-6))
    c = with_grad([1.0, -2.0])
    assert nn.utils.clip_grad_norm_([c], 10.0, norm_type=1) == 3.0


def test_clip_grad_norm_skips_parameters_without_gradients_and_handles_none_at_all():
    a = mg.tensor([1.0], requires_grad=True)
    assert nn.utils.clip_grad_norm_([a], 1.0) == 0.0
    b = with_grad([10.0])
    assert nn.utils.clip_grad_norm_([a, b], 1.0) == 10.0
    assert a.grad is None


def test_clip_grad_norm_nonfinite_total():
    a = with_grad([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm"):
        nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(a.grad, [np.inf, 1.0])


def test_clip_grad_norm_bad_arguments():
    with pytest.raises(ValueError, match="max_norm"):
        nn.utils.clip_grad_norm_([with_grad([1.0])], -1.0)
    with pytest.raises(ValueError, match="norm_type"):
        nn.utils.clip_grad_norm_([with_grad([1.0])], 1.0, norm_type=0)


def test_clip_grad_value_clips_each_entry():
    a = with_grad([-3.0, -0.5, 0.2, 7.0])
    nn.utils.clip_grad_value_([a], 1.0)
    np.testing.assert_array_equal(a.grad, [-1.0, -0.5, 0.2, 1.0])
    with pytest.raises(ValueError, match="clip_value"):
        nn.utils.clip_grad_value_([a], -1.0)


def test_clipping_keeps_float32_gradients_float32():
    p = mg.tensor(np.zeros(3, np.float32), requires_grad=True)
    p.grad = np.array([3.0, 4.0, 12.0], np.float32)
    nn.utils.clip_grad_norm_([p], 1.0)
    nn.utils.clip_grad_value_([p], 0.5)
    assert p.grad.dtype == np.float32


def test_max_norm_rescales_only_the_rows_above_the_limit(rng):
    w = nn.Parameter(rng.standard_normal((5, 4)) * 2)
    before = w.data.copy()
    norms = np.linalg.norm(before, axis=1)
    limit = float(np.median(norms))
    assert nn.utils.max_norm_(w, limit) is w
    # the formula, written out: rows over the limit scaled by limit / (norm + 1e-7)
    factor = np.where(norms > limit, limit / (norms + 1e-7), 1.0)
    np.testing.assert_allclose(w.data, before * factor[:, None], rtol=1e-15)
    after = np.linalg.norm(w.data, axis=1)
    assert np.all(after <= limit) and np.all(after[norms <= limit] == norms[norms <= limit])


def test_max_norm_on_a_linear_weight_equals_torch_renorm_over_dim_0():
    # torch.renorm(w, p=2, dim=0, maxnorm=1) on this weight, worked by hand:
    # row norms 5, 0.5, 13 -> rows 0 and 2 scaled by 1/(5+1e-7) and 1/(13+1e-7)
    w = nn.Parameter(np.array([[3.0, 4.0], [0.3, 0.4], [5.0, 12.0]]))
    nn.utils.max_norm_(w, 1.0)
    expected = [[3 / (5 + 1e-7), 4 / (5 + 1e-7)], [0.3, 0.4], [5 / (13 + 1e-7), 12 / (13 + 1e-7)]]
    np.testing.assert_allclose(w.data, expected, rtol=1e-15)


def test_max_norm_over_another_axis_and_bad_input():
    w = nn.Parameter(np.array([[3.0, 0.1], [4.0, 0.1]]))
    nn.utils.max_norm_(w, 1.0, axis=0)  # column norms 5 and 0.14
    np.testing.assert_allclose(w.data[:, 0], np.array([3.0, 4.0]) / (5 + 1e-7))
    np.testing.assert_array_equal(w.data[:, 1], [0.1, 0.1])
    with pytest.raises(TypeError, match="Tensor"):
        nn.utils.max_norm_(np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        nn.utils.max_norm_(w, -1.0)
