"""BatchNorm and LayerNorm: the fused op against the same math from primitive ops,
the lecture notes' numbers, running statistics, and the layers' error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import functional as F
from minigrad import nn


def t64(a, grad: bool = True) -> mg.Tensor:
    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def composed_norm(x, axes, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias from primitive Tensor ops."""
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) * (x - mean)).mean(axis=axes, keepdims=True)
    y = (x - mean) / (var + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def values_and_grads(fn, inputs, upstream):
    out = fn(*inputs)
    grads = mg.grad(out, [t for t in inputs if t.requires_grad], grad_outputs=upstream)
    return out.data, [g.data for g in grads]


# ------------------------------------------------------- the lecture notes' numbers
def test_batch_norm_of_10_20_30_40_without_affine():
    bn = nn.BatchNorm1d(1, affine=False, dtype=mg.float64)
    y = bn(mg.tensor([[10.0], [20.0], [30.0], [40.0]], dtype=mg.float64))
    # mean 25, biased standard deviation sqrt(125) = 11.18
    np.testing.assert_array_equal(np.round(y.data[:, 0], 2), [-1.34, -0.45, 0.45, 1.34])


def test_layer_norm_of_5_7_9_uses_the_biased_variance():
    y = nn.LayerNorm(3, elementwise_affine=False)(mg.tensor([[5.0, 7.0, 9.0]], dtype=mg.float64))
    # variance 8/3 (biased), not the unbiased 4 that would give [-1, 0, 1]
    expected = np.array([-2.0, 0.0, 2.0]) / np.sqrt(8 / 3 + 1e-5)
    np.testing.assert_allclose(y.data[0], expected, rtol=1e-12)
    np.testing.assert_array_equal(np.round(y.data[0], 4), [-1.2247, 0.0, 1.2247])


# ------------------------------------------------- fused against composed, gradcheck
BN_CASES = {
    "NC_affine": ((6, 3), True),
    "NC_plain": ((6, 3), False),
    "NCL_affine": ((4, 3, 5), True),
    "NCL_plain": ((4, 3, 5), False),
}


@pytest.mark.parametrize("case", BN_CASES)
def test_batch_norm_training_matches_composition_values_and_gradients(case, rng):
    shape, affine = BN_CASES[case]
    c = shape[1]
    x = t64(rng.standard_normal(shape) * 3 + 1)
    w = t64(rng.uniform(0.5, 2, c)) if affine else None
    b = t64(rng.standard_normal(c)) if affine else None
    inputs = [t for t in (x, w, b) if t is not None]
    axes = (0,) if len(shape) == 2 else (0, 2)
    bshape = (c,) if len(shape) == 2 else (c, 1)
    upstream = rng.standard_normal(shape)

    def fused(x, w=None, b=None):
        return F.batch_norm(x, None, None, w, b, training=True)

    def composed(x, w=None, b=None):
        return composed_norm(
            x,
            axes,
            None if w is None else w.reshape(bshape),
            None if b is None else b.reshape(bshape),
        )

    y1, g1 = values_and_grads(fused, inputs, upstream)
    y2, g2 = values_and_grads(composed, inputs, upstream)
    np.testing.assert_allclose(y1, y2, rtol=1e-12, atol=1e-12)
    for a, b_ in zip(g1, g2):
        np.testing.assert_allclose(a, b_, rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(fused, inputs)


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4)], ids=["NC", "NCL"])
def test_batch_norm_training_gradgradcheck_through_the_batch_statistics(shape, rng):
    c = shape[1]
    x, w, b = (
        t64(rng.standard_normal(shape)),
        t64(rng.uniform(0.5, 2, c)),
        t64(rng.standard_normal(c)),
    )
    assert mg.gradgradcheck(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b)
    )


def test_batch_norm_eval_gradcheck_with_running_statistics(rng):
    x, w, b = (
        t64(rng.standard_normal((4, 3, 2))),
        t64(rng.uniform(0.5, 2, 3)),
        t64(rng.standard_normal(3)),
    )
    rm, rv = mg.tensor(rng.standard_normal(3)), mg.tensor(rng.uniform(0.5, 2, 3))
    fn = lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False)  # noqa: E731
    assert mg.gradcheck(fn, (x, w, b))
    assert mg.gradgradcheck(fn, (x, w, b))
    expected = (x.data - rm.data[:, None]) / np.sqrt(rv.data[:, None] + 1e-5) * w.data[:, None]
    np.testing.assert_allclose(fn(x, w, b).data, expected + b.data[:, None], rtol=1e-12)


LN_CASES = {
    "last_dim_affine": ((4, 5), (5,), True),
    "last_dim_plain": ((4, 5), (5,), False),
    "two_dims_affine": ((2, 3, 4), (3, 4), True),
    "whole_input": ((3, 4), (3, 4), True),
}


@pytest.mark.parametrize("case", LN_CASES)
def test_layer_norm_matches_composition_values_and_gradients(case, rng):
    shape, normalized, affine = LN_CASES[case]
    x = t64(rng.standard_normal(shape) * 2 - 1)
    w = t64(rng.uniform(0.5, 2, normalized)) if affine else None
    b = t64(rng.standard_normal(normalized)) if affine else None
    inputs = [t for t in (x, w, b) if t is not None]
    axes = tuple(range(len(shape) - len(normalized), len(shape)))
    upstream = rng.standard_normal(shape)
    y1, g1 = values_and_grads(lambda *a: F.layer_norm(a[0], normalized, *a[1:]), inputs, upstream)
    y2, g2 = values_and_grads(lambda *a: composed_norm(a[0], axes, *a[1:]), inputs, upstream)
    np.testing.assert_allclose(y1, y2, rtol=1e-12, atol=1e-12)
    for a, b_ in zip(g1, g2):
        np.testing.assert_allclose(a, b_, rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(lambda *a: F.layer_norm(a[0], normalized, *a[1:]), inputs)
    assert mg.gradgradcheck(lambda *a: F.layer_norm(a[0], normalized, *a[1:]), inputs)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(2, 6),
    c=st.integers(1, 4),
    length=st.one_of(st.none(), st.integers(1, 4)),
    seed=st.integers(0, 2**16),
)
def test_batch_norm_equals_composition_on_random_shapes(n, c, length, seed):
    rng = np.random.default_rng(seed)
    shape = (n, c) if length is None else (n, c, length)
    x = t64(rng.standard_normal(shape) * 5)
    axes = (0,) if length is None else (0, 2)
    upstream = rng.standard_normal(shape)
    y1, (g1,) = values_and_grads(
        lambda x: F.batch_norm(x, None, None, training=True), [x], upstream
    )
    y2, (g2,) = values_and_grads(lambda x: composed_norm(x, axes), [x], upstream)
    np.testing.assert_allclose(y1, y2, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g1, g2, rtol=1e-8, atol=1e-8)


# --------------------------------------------------------------- running statistics
def test_running_statistics_follow_the_momentum_formula_over_several_steps(rng):
    bn = nn.BatchNorm1d(3, momentum=0.2, dtype=mg.float64)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(4):
        x = rng.standard_normal((8, 3)) * 2 + 3
        bn(mg.tensor(x))
        mean = 0.8 * mean + 0.2 * x.mean(axis=0)
        var = 0.8 * var + 0.2 * x.var(axis=0, ddof=1)  # unbiased in the running estimate
    np.testing.assert_allclose(bn.running_mean.data, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, var, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 4


def test_running_statistics_of_NCL_input_pool_batch_and_length(rng):
    bn = nn.BatchNorm1d(2, dtype=mg.float64)
    x = rng.standard_normal((3, 2, 5))
    bn(mg.tensor(x))
    pooled = x.transpose(1, 0, 2).reshape(2, -1)
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * pooled.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * pooled.var(axis=1, ddof=1))


def test_momentum_none_gives_the_cumulative_average(rng):
    bn = nn.BatchNorm1d(2, momentum=None, dtype=mg.float64)
    batches = [rng.standard_normal((5, 2)) for _ in range(3)]
    for x in batches:
        bn(mg.tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([x.mean(0) for x in batches], 0))
    np.testing.assert_allclose(bn.running_var.data, np.mean([x.var(0, ddof=1) for x in batches], 0))


def test_eval_mode_normalizes_with_the_running_statistics_and_leaves_them_alone(rng):
    bn = nn.BatchNorm1d(3, dtype=mg.float64)
    for _ in range(3):
        bn(mg.tensor(rng.standard_normal((6, 3))))
    bn.weight.data[:] = [1.0, 2.0, 0.5]
    bn.bias.data[:] = [0.0, 1.0, -1.0]
    state = {k: v.copy() for k, v in bn.state_dict().items()}
    bn.eval()
    x = rng.standard_normal((1, 3))  # a single sample is fine in eval mode
    y = bn(mg.tensor(x)).data
    expected = (x - state["running_mean"]) / np.sqrt(state["running_var"] + 1e-5)
    np.testing.assert_allclose(y, expected * state["weight"] + state["bias"], rtol=1e-12)
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v, state[k])


def test_without_running_statistics_batch_statistics_are_used_in_eval_too(rng):
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False, dtype=mg.float64).eval()
    assert bn.running_mean is None and bn.state_dict() == {}
    x = rng.standard_normal((4, 2))
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(bn(mg.tensor(x)).data, expected, rtol=1e-12)


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1)], ids=["N1", "N1_L1"])
def test_one_value_per_channel_in_training_is_an_error_that_changes_nothing(shape):
    bn = nn.BatchNorm1d(3)
    before = bn.state_dict()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(mg.ones(shape))
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_batch_norm_needs_running_statistics_in_eval():
    with pytest.raises(ValueError, match="running_mean and running_var"):
        F.batch_norm(mg.ones((2, 3)), None, None, training=False)


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize("shape", [(4, 5), (4,), (4, 5, 2, 1)])
def test_batch_norm_layer_names_itself_and_the_shapes_on_wrong_input(shape):
    with pytest.raises(ValueError) as err:
        nn.BatchNorm1d(3)(mg.ones(shape))
    message = str(err.value)
    assert "BatchNorm1d(3" in message and "(N, 3)" in message and str(shape) in message


def test_layer_norm_layer_names_itself_and_the_shapes_on_wrong_input():
    with pytest.raises(ValueError, match=r"LayerNorm\(\(4,\).*\(\.\.\., 4\), got \(2, 5\)"):
        nn.LayerNorm(4)(mg.ones((2, 5)))


def test_functional_norms_check_parameter_shapes():
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.batch_norm(mg.ones((2, 3)), None, None, mg.ones(4), training=True)
    with pytest.raises(ValueError, match=r"bias must have shape \(2, 2\)"):
        F.layer_norm(mg.ones((3, 2, 2)), (2, 2), None, mg.ones(2))
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm(0)


# ---------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("layer", ["batch", "layer"])
def test_float32_stays_float32_through_normalization_layers(layer, rng):
    m = nn.BatchNorm1d(4) if layer == "batch" else nn.LayerNorm(4)
    x = mg.tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
    y = m(x)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in m.parameters())
    assert all(v.dtype in (np.float32, np.int64) for v in m.state_dict().values())


@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_affine_parameters_get_gradients_when_the_input_is_a_constant(kind, rng):
    x = t64(rng.standard_normal((4, 3)), grad=False)  # e.g. normalizing raw features
    w, b = t64(rng.uniform(0.5, 2, 3)), t64(rng.standard_normal(3))
    if kind == "batch":
        fn = lambda w, b: F.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    else:
        fn = lambda w, b: F.layer_norm(x, 3, w, b)  # noqa: E731
    assert mg.gradcheck(fn, (w, b))
    assert mg.gradgradcheck(fn, (w, b))
