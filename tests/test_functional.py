"""minigrad.functional: activations, softmax, losses, dropout and penalties.

Every op is gradient-checked in float64 (first and second order: the fused ops claim
to be twice differentiable); values are compared with formulas written out here.
Normalization layers have their own file (test_normalization.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import functional as F


def t64(a, grad: bool = True) -> mg.Tensor:
    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def away_from_zero(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values with |x| in [0.3, 2]: no kinks of relu / leaky_relu / abs nearby."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)


# ------------------------------------------------------------------------- erf
def test_erf_and_erfc_match_math_module_on_a_grid():
    xs = np.linspace(-9, 9, 3601)
    erf_ref = np.array([math.erf(v) for v in xs])
    erfc_ref = np.array([math.erfc(v) for v in xs])
    # relative error: erfc is tiny in the right tail and must stay accurate there
    assert np.max(np.abs(F.erf(xs) - erf_ref) / np.maximum(np.abs(erf_ref), 1e-300)) < 1e-13
    assert np.max(np.abs(F.erfc(xs) - erfc_ref) / erfc_ref) < 1e-13


def test_erf_special_values_and_dtypes():
    out = F.erf(np.array([0.0, np.inf, -np.inf, np.nan]))
    np.testing.assert_array_equal(out[:3], [0.0, 1.0, -1.0])
    assert np.isnan(out[3])
    assert F.erf(np.ones(3, np.float32)).dtype == np.float32
    assert F.normal_cdf(np.array([-10.0]))[0] == pytest.approx(7.619853024160527e-24, rel=1e-12)


# ----------------------------------------------------------------- activations
ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "gelu_exact": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "softmax_last_axis": F.softmax,
    "softmax_axis0": lambda x: F.softmax(x, axis=0),
    "log_softmax_last_axis": F.log_softmax,
    "log_softmax_axis0": lambda x: F.log_softmax(x, axis=0),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradcheck_float64(name, rng):
    x = t64(away_from_zero(rng, 3, 4))
    assert mg.gradcheck(ACTIVATIONS[name], (x,))


@pytest.mark.parametrize(
    "name", ["leaky_relu", "gelu_exact", "gelu_tanh", "softmax_last_axis", "log_softmax_axis0"]
)
def test_fused_activation_gradgradcheck(name, rng):
    x = t64(away_from_zero(rng, 3, 4))
    assert mg.gradgradcheck(ACTIVATIONS[name], (x,))


def test_leaky_relu_values_and_slope_at_the_kink():
    x = t64([-2.0, 0.0, 3.0])
    y = F.leaky_relu(x, negative_slope=0.2)
    np.testing.assert_allclose(y.data, [-0.4, 0.0, 3.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.2, 0.2, 1.0])  # at 0: the slope, as PyTorch


def test_gelu_exact_and_tanh_values():
    xs = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in xs])
    c = math.sqrt(2 / math.pi)
    tanh_form = 0.5 * xs * (1 + np.tanh(c * (xs + 0.044715 * xs**3)))
    np.testing.assert_allclose(F.gelu(t64(xs, False)).data, exact, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(F.gelu(t64(xs, False), "tanh").data, tanh_form, rtol=1e-14)
    assert abs(exact - tanh_form).max() < 1e-3  # the approximation is close, not equal


def test_gelu_far_negative_tail_is_not_flushed_to_zero():
    y = F.gelu(t64([-10.0], False)).data[0]
    assert y == pytest.approx(-10 * 7.619853024160527e-24, rel=1e-12)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(t64([1.0]), approximate="erf")


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(rng):
    x = t64(rng.standard_normal((4, 5)), False)
    p = F.softmax(x).data
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(F.log_softmax(x).data, np.log(p), atol=1e-14)
    ref = np.exp(x.data) / np.exp(x.data).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(p, ref, rtol=1e-14)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    seed=st.integers(0, 2**16),
)
def test_softmax_matches_numpy_on_random_shapes(shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape) * 3
    axis = len(shape) - 1
    ref = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(F.softmax(mg.tensor(x), axis=axis).data, ref, rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(mg.tensor(x), axis=axis).data, np.log(ref), atol=1e-12)


def test_log_softmax_is_finite_and_exact_for_logits_of_magnitude_1e4():
    x = t64([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    y = F.log_softmax(x)
    np.testing.assert_allclose(y.data[0], [0.0, -2e4, -1e4])
    np.testing.assert_allclose(y.data[1], np.full(3, -math.log(3)))
    y.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad[0], [-2.0, 1.0, 1.0])  # 1 - 3 * softmax
    np.testing.assert_allclose(F.softmax(x).data[0], [1.0, 0.0, 0.0])


def test_softmax_rejects_0d_input():
    with pytest.raises(ValueError, match="0-d"):
        F.softmax(t64(1.0))


# ---------------------------------------------------------------------- dropout
def test_dropout_keeps_units_scaled_by_one_over_keep_probability():
    mg.manual_seed(0)
    x = mg.ones((200, 500))
    y = F.dropout(x, p=0.3).data
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.7)}
    assert y.dtype == np.float32


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_dropped_fraction_is_within_five_binomial_sigmas(p):
    mg.manual_seed(1)
    n = 100_000
    dropped = int((F.dropout(mg.ones(n), p=p).data == 0).sum())
    assert abs(dropped - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_dropout_is_identity_in_eval_and_for_p_zero():
    x = mg.randn(4, 3)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_with_p_one_gives_zeros_and_zero_gradient():
    x = t64(np.ones((2, 3)))
    y = F.dropout(x, p=1.0)
    np.testing.assert_array_equal(y.data, 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, 0.0)


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True])
def test_dropout_rejects_probabilities_outside_the_unit_interval(p):
    with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\]"):
        F.dropout(mg.ones(3), p=p)


def test_dropout_gradcheck_with_a_fixed_mask(rng):
    x = t64(rng.standard_normal((4, 5)))

    def fixed_mask_dropout(x):
        mg.manual_seed(123)  # the same mask for every evaluation of the check
        return F.dropout(x, p=0.4)

    assert mg.gradcheck(fixed_mask_dropout, (x,))
    assert mg.gradgradcheck(fixed_mask_dropout, (x,))


def test_dropout_gradient_is_the_mask_times_the_scale():
    mg.manual_seed(5)
    x = t64(np.ones(1000))
    y = F.dropout(x, p=0.25)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # ones in, so y is exactly mask / 0.75


# ----------------------------------------------------------------------- losses
def _pred_target(rng):
    return t64(rng.standard_normal((3, 4))), t64(rng.standard_normal((3, 4)))


REGRESSION = {
    "mse": (F.mse_loss, lambda d: d**2),
    "l1": (F.l1_loss, np.abs),
    "huber": (F.huber_loss, lambda d: np.where(abs(d) <= 1, 0.5 * d**2, abs(d) - 0.5)),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", REGRESSION)
def test_regression_loss_values_every_reduction(name, reduction, rng):
    fn, elementwise = REGRESSION[name]
    pred, target = _pred_target(rng)
    pred = t64(pred.data * 2)  # spread the differences over both Huber pieces
    ref = elementwise(pred.data - target.data)
    ref = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    np.testing.assert_allclose(fn(pred, target, reduction=reduction).data, ref, rtol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", REGRESSION)
def test_regression_loss_gradcheck_in_pred_and_target(name, reduction, rng):
    fn = REGRESSION[name][0]
    pred = t64(away_from_zero(rng, 3, 4) * 1.5)  # |d| away from 0 and (mostly) from delta
    target = t64(np.zeros((3, 4)))
    assert mg.gradcheck(lambda p, t: fn(p, t, reduction=reduction), (pred, target))


def test_huber_loss_delta_and_its_pieces_meet_smoothly():
    d = t64([-3.0, -0.5, 0.0, 0.5, 2.0, 3.0])
    loss = F.huber_loss(d, np.zeros(6), delta=2.0, reduction="none")
    np.testing.assert_allclose(loss.data, [4.0, 0.125, 0.0, 0.125, 2.0, 4.0])
    loss.sum().backward()
    np.testing.assert_allclose(d.grad, [-2.0, -0.5, 0.0, 0.5, 2.0, 2.0])  # = clip(d, -2, 2)


def test_huber_loss_rejects_non_positive_delta():
    with pytest.raises(ValueError, match="delta"):
        F.huber_loss(t64([1.0]), np.zeros(1), delta=0)


def test_l1_loss_subgradient_is_zero_where_prediction_is_exact():
    pred = t64([1.0, 2.0, 3.0])
    F.l1_loss(pred, np.array([1.0, 0.0, 5.0]), reduction="sum").backward()
    np.testing.assert_array_equal(pred.grad, [0.0, 1.0, -1.0])


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.huber_loss, F.cross_entropy])
def test_unknown_reduction_is_a_value_error(fn):
    target = np.array([0, 1]) if fn is F.cross_entropy else np.zeros((2, 2))
    with pytest.raises(ValueError, match="reduction"):
        fn(t64(np.zeros((2, 2))), target, reduction="average")


def test_broadcasting_targets_warn_as_pytorch_does():
    with pytest.warns(UserWarning, match="broadcast"):
        loss = F.mse_loss(t64(np.zeros((3, 1))), np.ones(3))
    assert loss.item() == 1.0
    with pytest.raises(ValueError, match="do not broadcast"):
        F.mse_loss(t64(np.zeros((3, 2))), np.ones(4))


def test_cross_entropy_value_is_minus_log_softmax_at_the_label(rng):
    logits = rng.standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    per_sample = -log_p[np.arange(5), labels]
    for reduction, ref in (("mean", per_sample.mean()), ("sum", per_sample.sum())):
        out = F.cross_entropy(t64(logits), labels, reduction=reduction)
        assert out.item() == pytest.approx(ref, rel=1e-14)
    none = F.cross_entropy(t64(logits), mg.tensor(labels), reduction="none")
    np.testing.assert_allclose(none.data, per_sample, rtol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradcheck_and_gradgradcheck(reduction, rng):
    logits = t64(rng.standard_normal((4, 3)))
    labels = np.array([2, 0, 1, 2])
    fn = lambda x: F.cross_entropy(x, labels, reduction=reduction)  # noqa: E731
    assert mg.gradcheck(fn, (logits,))
    assert mg.gradgradcheck(fn, (logits,))


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n(rng):
    logits = t64(rng.standard_normal((4, 3)))
    labels = np.array([2, 0, 1, 2])
    F.cross_entropy(logits, labels).backward()
    p = F.softmax(logits).data
    np.testing.assert_allclose(logits.grad, (p - np.eye(3)[labels]) / 4, rtol=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_reduction_is_inside_the_one_node_and_float32_stays(reduction, rng):
    logits = mg.Tensor(rng.standard_normal((6, 4)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(logits, np.arange(6) % 4, reduction=reduction)
    assert loss.grad_fn.name == "CrossEntropy" and loss.dtype == np.float32
    loss.backward()
    assert logits.grad.dtype == np.float32


def test_cross_entropy_single_sample_and_spatial_targets(rng):
    x = t64(rng.standard_normal(4))
    assert F.cross_entropy(x, np.array(3)).item() == pytest.approx(
        -F.log_softmax(x).data[3], rel=1e-14
    )
    x3 = t64(rng.standard_normal((2, 3, 5)))  # (N, C, L): classes on axis 1, as PyTorch
    labels = rng.integers(0, 3, (2, 5))
    ref = -np.take_along_axis(F.log_softmax(x3, axis=1).data, labels[:, None], 1)[:, 0]
    np.testing.assert_allclose(F.cross_entropy(x3, labels, reduction="none").data, ref, rtol=1e-13)
    assert mg.gradcheck(lambda x: F.cross_entropy(x, labels), (x3,))
    x4 = t64(rng.standard_normal((2, 3, 2, 4)))  # (N, C, H, W)
    labels4 = rng.integers(0, 3, (2, 2, 4))
    ref4 = -np.take_along_axis(F.log_softmax(x4, axis=1).data, labels4[:, None], 1)[:, 0]
    np.testing.assert_allclose(F.cross_entropy(x4, labels4, reduction="none").data, ref4)
    assert mg.gradcheck(lambda x: F.cross_entropy(x, labels4, reduction="sum"), (x4,))


@pytest.mark.parametrize("bad", [3, -1, 100])
def test_cross_entropy_out_of_range_label_is_a_value_error(bad):
    with pytest.raises(ValueError, match=f"target label {bad} is out of range for 3 classes"):
        F.cross_entropy(t64(np.zeros((2, 3))), np.array([0, bad]))


def test_cross_entropy_rejects_float_labels_and_wrong_target_shape():
    with pytest.raises(TypeError, match="integer class labels"):
        F.cross_entropy(t64(np.zeros((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"target of shape \(2,\)"):
        F.cross_entropy(t64(np.zeros((2, 3))), np.array([0, 1, 2]))


def test_cross_entropy_at_logits_1e4_is_finite_and_correct():
    x = t64([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]])
    loss = F.cross_entropy(x, np.array([0, 1]), reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 2e4])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.0, 0.0], [1.0, -1.0, 0.0]])


def test_bce_with_logits_matches_the_probability_formula(rng):
    x = rng.standard_normal((3, 4))
    t = rng.uniform(0, 1, (3, 4))
    s = 1 / (1 + np.exp(-x))
    ref = -(t * np.log(s) + (1 - t) * np.log(1 - s))
    out = F.binary_cross_entropy_with_logits(t64(x), t, reduction="none")
    np.testing.assert_allclose(out.data, ref, rtol=1e-13)
    assert F.binary_cross_entropy_with_logits(t64(x), t).item() == pytest.approx(ref.mean())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_gradcheck_in_logits_and_target(reduction, rng):
    x, t = t64(rng.standard_normal((3, 2))), t64(rng.uniform(0, 1, (3, 2)))
    fn = lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction)  # noqa: E731
    assert mg.gradcheck(fn, (x, t))
    assert mg.gradgradcheck(fn, (x, t))


def test_bce_with_logits_gradient_at_logit_zero_is_one_half_minus_target():
    # a composition through |x| would give -t here (abs's subgradient 0 at 0)
    x = t64([0.0, 0.0])
    F.binary_cross_entropy_with_logits(x, np.array([0.0, 1.0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad, [0.5, -0.5])


def test_bce_with_logits_at_logits_1e4_is_finite_and_correct():
    x = t64([1e4, -1e4, 1e4, -1e4])
    loss = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1e4, 1e4])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0, -1.0])


def test_bce_with_logits_requires_matching_shapes():
    with pytest.raises(ValueError, match="must equal logits shape"):
        F.binary_cross_entropy_with_logits(t64(np.zeros((3, 1))), np.zeros(3))


def test_losses_keep_float32_with_float64_targets():
    pred = mg.tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    for loss in (
        F.mse_loss(pred, np.ones((2, 3))),
        F.huber_loss(pred, np.ones((2, 3))),
        F.binary_cross_entropy_with_logits(pred, np.ones((2, 3))),
        F.cross_entropy(pred, np.array([0, 2])),
    ):
        assert loss.dtype == np.float32
        pred.grad = None
        loss.backward()
        assert pred.grad.dtype == np.float32


# -------------------------------------------------------------------- penalties
def test_penalties_reproduce_the_lecture_notes_numbers():
    w = mg.tensor([3.0, -4.0, 0.5])
    assert F.l1_penalty([w]).item() == 7.5
    assert F.l2_penalty([w]).item() == 25.25
    assert F.elastic_net_penalty([w], l1_ratio=0.5).item() == pytest.approx(16.375)
    assert F.elastic_net_penalty([w], l1_ratio=1.0).item() == 7.5
    assert F.elastic_net_penalty([w], l1_ratio=0.0).item() == 25.25


def test_penalties_sum_over_every_tensor_and_accept_one_tensor_or_a_generator():
    a, b = mg.tensor([[1.0, -2.0]]), mg.tensor([3.0])
    assert F.l1_penalty(t for t in (a, b)).item() == 6.0
    assert F.l2_penalty([a, b]).item() == 14.0
    assert F.l2_penalty(a).item() == 5.0
    assert F.l1_penalty([]).item() == 0.0


@pytest.mark.parametrize(
    "penalty",
    [F.l1_penalty, F.l2_penalty, lambda ps: F.elastic_net_penalty(ps, l1_ratio=0.3)],
    ids=["l1", "l2", "elastic_net"],
)
def test_penalty_gradcheck_over_two_tensors(penalty, rng):
    a, b = t64(away_from_zero(rng, 2, 3)), t64(away_from_zero(rng, 4))
    assert mg.gradcheck(lambda a, b: penalty([a, b]), (a, b))


def test_penalty_gradients_are_sign_and_two_w_with_zero_at_zero():
    w = t64([2.0, 0.0, -1.0])
    F.l1_penalty([w]).backward()
    np.testing.assert_array_equal(w.grad, [1.0, 0.0, -1.0])
    w.grad = None
    F.l2_penalty([w]).backward()
    np.testing.assert_array_equal(w.grad, [4.0, 0.0, -2.0])


def test_penalty_over_many_tensors_is_one_node_and_skips_frozen_ones():
    ws = [mg.Tensor(np.full(3, -2.0), requires_grad=True) for _ in range(4)]
    frozen = mg.Tensor(np.ones(2))  # requires no gradient: none is computed for it
    for penalty, slope in ((F.l1_penalty, -1.0), (F.l2_penalty, -4.0)):
        out = penalty([*ws, frozen])
        assert out.grad_fn.inputs == (*ws, None)
        for g in mg.grad(out, ws):
            np.testing.assert_array_equal(g.data, np.full(3, slope))


def test_penalty_dtype_follows_numpy_promotion_over_its_tensors():
    w32 = mg.Tensor(np.ones(2, np.float32), requires_grad=True)
    w64 = mg.Tensor(np.ones(2), requires_grad=True)
    assert F.l2_penalty([w32]).dtype == np.float32
    assert F.l2_penalty([w32, w64]).dtype == np.float64
    F.l1_penalty([w32, w64]).backward()
    assert w32.grad.dtype == np.float32 and w64.grad.dtype == np.float64


def test_penalties_reject_bad_input():
    with pytest.raises(ValueError, match="l1_ratio"):
        F.elastic_net_penalty([mg.ones(2)], l1_ratio=1.5)
    with pytest.raises(TypeError, match="not a Tensor"):
        F.l2_penalty([np.ones(2)])


# ----------------------------------------------------------------------- linear
@pytest.mark.parametrize("x_shape", [(5,), (4, 5), (2, 3, 5)], ids=["1d", "2d", "batched_3d"])
def test_linear_gradcheck_and_gradgradcheck(x_shape, rng):
    x, w, b = (
        t64(rng.standard_normal(x_shape)),
        t64(rng.standard_normal((3, 5))),
        t64(rng.standard_normal(3)),
    )
    assert mg.gradcheck(F.linear, (x, w, b))
    assert mg.gradgradcheck(F.linear, (x, w, b))
    np.testing.assert_allclose(F.linear(x, w, b).data, x.data @ w.data.T + b.data)


@pytest.mark.parametrize("x_shape", [(5,), (4, 5), (2, 3, 5)], ids=["1d", "2d", "batched_3d"])
def test_linear_is_matmul_and_add_fused_first_and_second_order(x_shape, rng):
    """Affine is one node for x @ W.T + b: the same values and the same gradients,
    to first and second order, as the two primitive ops it fuses."""

    def leaves():
        return [t64(np.random.default_rng(1).standard_normal(s)) for s in (x_shape, (3, 5), (3,))]

    v = rng.standard_normal(x_shape[:-1] + (3,))
    fused, composed = leaves(), leaves()
    y_fused = F.linear(*fused)
    x, w, b = composed
    y_composed = x @ w.T + b
    np.testing.assert_allclose(y_fused.data, y_composed.data, rtol=1e-12)
    g_fused = mg.grad(y_fused, fused, grad_outputs=v, create_graph=True)
    g_composed = mg.grad(y_composed, composed, grad_outputs=v, create_graph=True)
    for a, c in zip(g_fused, g_composed):
        np.testing.assert_allclose(a.data, c.data, rtol=1e-12)
    hvp_fused = mg.grad(sum((g * g).sum() for g in g_fused), fused[:2])
    hvp_composed = mg.grad(sum((g * g).sum() for g in g_composed), composed[:2])
    for a, c in zip(hvp_fused, hvp_composed):
        np.testing.assert_allclose(a.data, c.data, rtol=1e-12)


@pytest.mark.parametrize(
    "y_shape, b_shape, b_dtype",
    [
        ((4, 3), (3,), np.float32),  # a bias along the last axis: added in place
        ((4, 3), (3,), np.float64),  # would lose precision in place: a new array
        ((3,), (2, 3), np.float32),  # would broadcast y larger: a new array
        ((2, 3, 4), (3, 1), np.float32),  # a per-channel bias
        ((1, 2), (2, 1), np.float32),
    ],
)
def test_add_into_gives_exactly_numpys_sum(y_shape, b_shape, b_dtype):
    from minigrad.functional._common import add_into

    y, b = np.ones(y_shape, np.float32), np.full(b_shape, 0.5, b_dtype)
    expected = y + b
    got = add_into(y, b)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    assert (got is y) == (expected.shape == y.shape and expected.dtype == y.dtype)


def test_linear_and_batch_norm_promote_dtypes_as_numpy_with_a_float64_bias():
    x32, w32 = mg.Tensor(np.ones((2, 3), np.float32)), mg.Tensor(np.ones((4, 3), np.float32))
    b64 = mg.Tensor(np.full(4, 0.5))
    assert F.linear(x32, w32, b64).dtype == (x32.data @ w32.data.T + b64.data).dtype
    ints = mg.Tensor(np.ones((2, 3), np.int64)), mg.Tensor(np.ones((4, 3), np.int64))
    np.testing.assert_array_equal(F.linear(*ints, b64).data, np.full((2, 4), 3.5))
    bn = F.batch_norm(mg.randn(5, 4), None, None, mg.ones(4), mg.Tensor(np.zeros(4)), True)
    assert bn.dtype == np.float64  # float32 xhat * weight + float64 bias


def test_linear_without_bias_and_shape_errors(rng):
    x, w = t64(rng.standard_normal((4, 5))), t64(rng.standard_normal((3, 5)))
    np.testing.assert_allclose(F.linear(x, w).data, x.data @ w.data.T)
    with pytest.raises(ValueError, match=r"expected input of shape \(\.\.\., 5\), got \(4, 6\)"):
        F.linear(t64(np.zeros((4, 6))), w)


def test_fused_penalties_equal_their_composition_in_value_and_gradient():
    rng = np.random.default_rng(3)
    ws = [mg.Tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 4), (4,))]
    ws[0].data[0, 0] = 0.0  # a kink of |w|: both give the subgradient 0
    for fused, composed in (
        (F.l1_penalty, lambda ps: sum(abs(p).sum() for p in ps)),
        (F.l2_penalty, lambda ps: sum((p * p).sum() for p in ps)),
    ):
        got = mg.grad(fused(ws), ws)
        want = mg.grad(composed(ws), ws)
        np.testing.assert_allclose(fused(ws).item(), composed(ws).item(), rtol=1e-12)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g.data, w.data, rtol=1e-12)
        away_from_kink = [
            mg.Tensor(w.data + np.sign(w.data) * 0.1 + (w.data == 0), requires_grad=True)
            for w in ws
        ]
        assert mg.gradgradcheck(lambda *ps, f=fused: f(ps), tuple(away_from_kink))
