"""The Tensor surface a PyTorch script uses: in-place updates and version counters,
the ``_`` methods, ``dim=``, ``argmax``/``argmin``, dtype conversions, ``view`` and
``clone``.

The rule of every in-place update (``t += x``, ``t.zero_()``): inside ``no_grad``, or
when nothing involved requires grad, ``.data`` changes in place and ``t._version``
counts it; a leaf that requires grad is refused while a graph is recorded; anything
else that belongs in the graph becomes a new node (``+=`` rebinds, a method refuses).
A backward that needs a value changed in place after it was saved raises: a gradient
is never computed from the new values.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import nn

AUGMENTED = {  # t op= x, and the same as numpy computes it
    "+=": (operator.iadd, np.add),
    "-=": (operator.isub, np.subtract),
    "*=": (operator.imul, np.multiply),
    "/=": (operator.itruediv, np.true_divide),
}
IN_PLACE_METHODS = {  # the in-place update, and the line the error offers instead
    "+=": (lambda t: operator.iadd(t, 1.0), "w += ..."),
    "zero_()": (lambda t: t.zero_(), "w.zero_()"),
    "fill_(v)": (lambda t: t.fill_(2.0), "w.fill_(v)"),
    "copy_(src)": (lambda t: t.copy_(mg.tensor([5.0, 6.0])), "w.copy_(src)"),
}
VERSION_ERROR = "modified by an inplace operation"


# ------------------------------------------------------- in-place: where it applies


def test_the_manual_sgd_step_under_no_grad_updates_the_models_own_parameters():
    mg.manual_seed(0)
    model = nn.Linear(3, 2)
    x, lr = mg.randn(4, 3), 0.1
    model(x).sum().backward()
    expected = [p.data - lr * p.grad for p in model.parameters()]
    arrays = [p.data for p in model.parameters()]
    with mg.no_grad():
        for p in model.parameters():
            p -= lr * p.grad  # rebinds the loop variable to the same object
    for p, want, array in zip(model.parameters(), expected, arrays):
        np.testing.assert_allclose(p.data, want, rtol=1e-6)
        assert p.data is array  # the very array: the optimizer's state still matches
        assert p._version == 1 and p.requires_grad and p.is_leaf


@pytest.mark.parametrize("symbol", AUGMENTED)
def test_augmented_assignment_updates_a_tensor_without_grad_in_place(symbol):
    op, reference = AUGMENTED[symbol]
    t = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    same, array = t, t.data
    t = op(t, [2.0, 4.0, 8.0])  # broadcast into t's shape
    assert t is same and t.data is array
    np.testing.assert_array_equal(t.data, reference([[1, 2, 3], [4, 5, 6]], [2, 4, 8]))
    assert t._version == 1 and t.dtype == np.float32


def test_in_place_under_no_grad_keeps_a_leaf_that_requires_grad_a_leaf():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        w *= 3
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    np.testing.assert_array_equal(w.data, [3.0, 6.0])


def test_a_zero_dimensional_tensor_is_updated_in_place_too():
    s = mg.tensor(1.5)
    array = s.data
    s += 1
    assert s.data is array and s.item() == 2.5 and s._version == 1


@pytest.mark.parametrize("update", IN_PLACE_METHODS)
def test_a_leaf_that_requires_grad_refuses_in_place_updates_naming_the_two_right_forms(update):
    do, under_no_grad = IN_PLACE_METHODS[update]
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Tensor that requires grad") as error:
        do(w)
    assert f"with mg.no_grad(): {under_no_grad}" in str(error.value)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])  # refused: nothing changed
    assert w._version == 0
    with mg.no_grad():
        do(w)  # the first right form works
    assert w._version == 1


def test_the_leaf_error_names_the_new_node_form_too():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"`w = w - \.\.\.`"):
        w -= 1


def test_micrograd_c_plus_equals_c_plus_one_rebinds_and_differentiates():
    a = mg.tensor(-4.0, requires_grad=True)
    b = mg.tensor(2.0, requires_grad=True)
    c = a + b
    before = c
    c += c + 1  # c = 2 (a + b) + 1
    assert c is not before and before.item() == -2.0  # the recorded value is kept
    assert c.item() == -3.0 and c.grad_fn is not None
    c.backward()
    assert a.grad.item() == 2.0 and b.grad.item() == 2.0


def test_a_result_that_needs_a_graph_rebinds_even_a_constant_accumulator():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    total = mg.zeros(())
    before = total
    total += (w * 3).sum()  # in place would drop the graph: a new node instead
    assert total is not before and before.item() == 0.0 and before._version == 0
    total.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])


@pytest.mark.parametrize(
    "make, update, problem",
    [
        (lambda: mg.tensor([1, 2]), lambda t: operator.itruediv(t, 2), "dtype float64"),
        (lambda: mg.tensor([1, 2]), lambda t: operator.iadd(t, 0.5), "dtype float64"),
        (lambda: mg.tensor([1.0, 2.0]), lambda t: operator.iadd(t, [[1.0], [2.0]]), r"\(2, 2\)"),
        (lambda: mg.zeros(2).broadcast_to((3, 2)), lambda t: t.zero_(), "read-only"),
        (lambda: mg.tensor([1.0, 2.0]), lambda t: t.copy_([1.0, 2.0, 3.0]), r"\(3,\)"),
    ],
    ids=["int /= int", "int += float", "shape grows", "broadcast view", "copy_ of a bigger src"],
)
def test_an_in_place_result_must_fit_the_tensors_shape_and_dtype(make, update, problem):
    t = make()
    before = t.data.copy()
    with pytest.raises(RuntimeError, match=problem) as error:
        update(t)
    assert "for a new tensor" in str(error.value)
    np.testing.assert_array_equal(t.data, before)
    assert t._version == 0


def test_in_place_casts_within_a_kind_as_pytorch():
    t = mg.tensor([1.0, 2.0])  # float32
    t += np.array([0.5, 0.5], dtype=np.float64)
    assert t.dtype == np.float32 and t.tolist() == [1.5, 2.5]
    labels = mg.tensor([0, 1])
    labels += 1
    assert labels.tolist() == [1, 2] and labels.dtype == np.int64


# ------------------------------------------------------------------ version counters


def test_a_new_tensor_is_at_version_0_and_only_in_place_updates_move_it():
    x = mg.tensor([1.0, 2.0])
    y = x * 2
    assert x._version == 0 and y._version == 0
    x += 1
    x.zero_()
    x.fill_(3.0)
    x.copy_(y)
    assert x._version == 4 and y._version == 0


@pytest.mark.parametrize(
    "share",
    [
        lambda t: t.detach(),
        lambda t: t.T,
        lambda t: t[0],
        lambda t: t.reshape(-1),
        lambda t: t.view(3, 2),
        lambda t: mg.Tensor(t),
    ],
    ids=["detach", "T", "t[0]", "reshape", "view", "Tensor(t)"],
)
def test_tensors_over_one_memory_share_one_version(share):
    t = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    other = share(t)
    assert np.shares_memory(other.data, t.data)
    other += 1  # through the view: t's values change
    assert t.data[0, 0] == 2.0
    assert t._version == other._version == 1
    t.zero_()
    assert t._version == other._version == 2


def test_a_clone_has_its_own_memory_and_version():
    t = mg.tensor([1.0, 2.0])
    c = t.clone()
    assert not np.shares_memory(c.data, t.data)
    c += 1
    assert t.tolist() == [1.0, 2.0] and t._version == 0 and c._version == 1


# ------------------------------------- the check: never a gradient from changed values


def test_updating_a_weight_between_two_backwards_of_a_retained_graph_raises():
    x = mg.tensor([3.0, 4.0], requires_grad=True)
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * w).sum()
    loss.backward(retain_graph=True)
    with mg.no_grad():
        w -= 0.1 * w.grad
    with pytest.raises(RuntimeError, match=VERSION_ERROR) as error:
        loss.backward()
    message = str(error.value)
    assert "input 1 of Mul" in message
    assert "is at version 1; expected version 0" in message
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])  # the refused pass added nothing


def test_a_weight_seen_through_its_transpose_is_checked_too():
    mg.manual_seed(0)
    x, W = mg.randn(4, 3, requires_grad=True), mg.randn(2, 3, requires_grad=True)
    loss = (x @ W.T).sum()  # MatMul saved W.T, a view of W's memory
    loss.backward(retain_graph=True)
    with mg.no_grad():
        W -= 0.1 * W.grad
    with pytest.raises(RuntimeError, match=r"input 1 of MatMul \(shape \(3, 2\), float32\) is"):
        loss.backward()


def test_an_optimizer_style_step_after_backward_is_no_problem():
    x = mg.tensor([3.0, 4.0])
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):  # each step's graph is made after the last update
        w.grad = None
        (x * w).sum().backward()
        np.testing.assert_array_equal(w.grad, [3.0, 4.0])
        with mg.no_grad():
            w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [1.0 - 0.9, 2.0 - 1.2], rtol=1e-6)


def test_a_constant_operand_changed_after_use_raises_when_the_op_saved_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    y = (x * c).sum()  # Mul saves c: dy/dx = c
    c += 1
    c += 1
    with pytest.raises(RuntimeError, match="input 1 of Mul .* is at version 2; expected version 0"):
        y.backward()


def test_a_constant_operand_changed_after_use_is_fine_when_the_op_did_not_save_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    y = (x + c).sum()  # Add saves nothing: dy/dx = 1 whatever c is
    c += 1
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_an_input_may_change_when_its_op_saved_only_the_output():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    y = x.exp()  # Exp saves y: dy/dx = y, the values of the recorded pass
    with mg.no_grad():
        x += 5
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp([0.0, 1.0]), rtol=1e-6)


def test_zero_on_a_saved_output_raises():
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    y = x.tanh()  # Tanh saves y: 1 - y**2
    with mg.no_grad():
        y.zero_()
    with pytest.raises(RuntimeError, match="output 0 of Tanh .* is at version 1; expected"):
        y.sum().backward()


def test_zero_on_a_saved_constant_raises():
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    mask = mg.tensor([1.0, 0.0])
    y = (x * mask).sum()
    mask.zero_()
    with pytest.raises(RuntimeError, match="input 1 of Mul"):
        y.backward()


def test_an_update_through_detach_counts_for_the_saved_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    m = mg.tensor([3.0, 4.0])
    y = (x * m).sum()
    m.detach().fill_(0.0)  # the same memory as m
    with pytest.raises(RuntimeError, match="input 1 of Mul"):
        y.backward()


def test_an_update_through_a_view_of_a_saved_output_counts_for_it():
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    y = x.sigmoid()  # Sigmoid saves y
    first = y[:1]  # a view of y's memory
    with mg.no_grad():
        first += 1.0
    with pytest.raises(RuntimeError, match="output 0 of Sigmoid"):
        y.sum().backward()


def test_a_tensor_updated_before_the_op_is_checked_from_the_version_it_had_then():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    c += 1  # version 1 when Mul saves it
    y = (x * c).sum()
    y.backward(retain_graph=True)  # no false alarm
    np.testing.assert_array_equal(x.grad, [4.0, 5.0])
    c += 1
    with pytest.raises(RuntimeError, match="is at version 2; expected version 1"):
        y.backward()


def test_updating_a_clone_of_a_saved_tensor_is_no_problem():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    y = (x * c).sum()
    c2 = c.clone()
    c2 += 10
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_second_order_graphs_are_checked_too():
    x = mg.tensor([1.0, 2.0], requires_grad=True, dtype=mg.float64)
    (dy,) = mg.grad((x * x * x).sum(), x, create_graph=True)  # 3 x**2: its Muls save x
    with mg.no_grad():
        x += 1
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        mg.grad(dy.sum(), x)


# ---------------------------------------------------------------- the _ methods


def test_zero_fill_and_copy_update_in_place_and_return_the_tensor():
    t = mg.tensor([1.0, 2.0, 3.0])
    array = t.data
    assert t.zero_() is t and t.tolist() == [0.0, 0.0, 0.0]
    assert t.fill_(1.5) is t and t.tolist() == [1.5, 1.5, 1.5]
    assert t.copy_(mg.tensor([4.0, 5.0, 6.0])) is t and t.tolist() == [4.0, 5.0, 6.0]
    assert t.data is array and t._version == 3


def test_fill_and_copy_cast_to_the_tensors_dtype_as_pytorch():
    labels = mg.tensor([0, 0])
    labels.fill_(2.7)  # an int tensor truncates, as PyTorch's fill_
    assert labels.tolist() == [2, 2] and labels.dtype == np.int64
    labels.copy_(np.array([1.9, -1.9]))
    assert labels.tolist() == [1, -1]
    t = mg.zeros((2, 3))
    t.copy_(mg.tensor([1.0, 2.0, 3.0]))  # broadcast along the rows
    assert t.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    t.fill_(mg.tensor([7.0]))  # a one-element tensor is a value
    assert t.data.max() == t.data.min() == 7.0


def test_fill_takes_one_value():
    t = mg.zeros(2)
    with pytest.raises(RuntimeError, match=r"one-element tensor, got one of shape \(2,\)"):
        t.fill_(mg.tensor([1.0, 2.0]))


def test_a_leaf_that_requires_grad_is_reinitialized_under_no_grad():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        w.fill_(0.5)
    assert w.tolist() == [0.5, 0.5] and w.requires_grad and w._version == 1


def test_a_method_refuses_to_update_a_tensor_of_the_graph_in_place():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    with pytest.raises(RuntimeError, match=r"t.zero_\(\) cannot update in place") as error:
        h.zero_()  # it cannot rebind h to a new node, as += does
    assert "t = mg.zeros_like(t)" in str(error.value)
    assert h.tolist() == [2.0, 4.0] and h._version == 0


def test_copying_a_tensor_that_requires_grad_into_a_constant_is_refused():
    buffer = mg.zeros(2)
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="its argument does.*t = src.clone()"):
        buffer.copy_(w)  # would drop w's graph
    assert buffer.tolist() == [0.0, 0.0]
    with mg.no_grad():
        buffer.copy_(w)
    assert buffer.tolist() == [1.0, 2.0] and not buffer.requires_grad


def test_detach_in_place_makes_a_leaf_that_does_not_require_grad():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    assert w.detach_() is w
    assert not w.requires_grad and w.is_leaf and w._version == 0  # values unchanged


def test_detach_in_place_refuses_a_tensor_made_by_an_op_of_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = (h * 3).sum()
    with pytest.raises(RuntimeError, match=r"t = t.detach\(\)"):
        h.detach_()
    y.backward()  # the graph is intact: the gradient still reaches x
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


# ----------------------------------------------------------------------------- dim=

DIM_METHODS = {  # name -> (call with axis=, call with dim=), on a (2, 3, 1) tensor
    "sum": (lambda t: t.sum(axis=1), lambda t: t.sum(dim=1)),
    "mean": (lambda t: t.mean(axis=1, keepdims=True), lambda t: t.mean(dim=1, keepdims=True)),
    "max": (lambda t: t.max(axis=0), lambda t: t.max(dim=0)),
    "min": (lambda t: t.min(axis=-2), lambda t: t.min(dim=-2)),
    "var": (lambda t: t.var(axis=1, ddof=1), lambda t: t.var(dim=1, ddof=1)),
    "std": (lambda t: t.std(axis=(0, 1)), lambda t: t.std(dim=(0, 1))),
    "logsumexp": (lambda t: t.logsumexp(axis=1), lambda t: t.logsumexp(dim=1)),
    "norm": (lambda t: t.norm(1, axis=1), lambda t: t.norm(1, dim=1)),
    "argmax": (lambda t: t.argmax(axis=1), lambda t: t.argmax(dim=1)),
    "argmin": (lambda t: t.argmin(axis=1), lambda t: t.argmin(dim=1)),
    "squeeze": (lambda t: t.squeeze(axis=2), lambda t: t.squeeze(dim=2)),
    "unsqueeze": (lambda t: t.unsqueeze(axis=0), lambda t: t.unsqueeze(dim=0)),
    "F.softmax": (lambda t: F.softmax(t, axis=1), lambda t: F.softmax(t, dim=1)),
    "F.log_softmax": (lambda t: F.log_softmax(t, axis=0), lambda t: F.log_softmax(t, dim=0)),
    "mg.concatenate": (
        lambda t: mg.concatenate([t, t], axis=1),
        lambda t: mg.concatenate([t, t], dim=1),
    ),
    "mg.stack": (lambda t: mg.stack([t, t], axis=3), lambda t: mg.stack([t, t], dim=3)),
    "mg.argmax": (lambda t: mg.argmax(t, axis=0), lambda t: mg.argmax(t, dim=0)),
}


@pytest.mark.parametrize("name", DIM_METHODS)
def test_dim_is_an_alias_of_axis(name):
    with_axis, with_dim = DIM_METHODS[name]
    t = mg.tensor([[[1.0], [5.0], [3.0]], [[4.0], [2.0], [6.0]]])
    expected = with_axis(t)
    assert with_dim(t).shape == expected.shape
    np.testing.assert_array_equal(with_dim(t).data, expected.data)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(axis=0, dim=1),
        lambda t: t.mean(0, dim=0),  # even when they agree
        lambda t: t.argmax(axis=1, dim=1),
        lambda t: t.squeeze(axis=2, dim=2),
        lambda t: F.softmax(t, axis=0, dim=1),
        lambda t: mg.concatenate([t, t], axis=1, dim=0),
    ],
    ids=["sum", "mean positional", "argmax", "squeeze", "F.softmax", "mg.concatenate"],
)
def test_axis_and_dim_together_are_a_type_error(call):
    t = mg.ones((2, 3, 1))
    with pytest.raises(TypeError, match="got both axis=.* and dim=.*pass only one"):
        call(t)


def test_unsqueeze_needs_an_axis():
    with pytest.raises(TypeError, match="position of the new axis"):
        mg.ones(3).unsqueeze()


# ------------------------------------------------------------------ argmax, argmin


def test_argmax_and_argmin_give_int64_indices_with_no_graph():
    scores = mg.tensor([[0.1, 0.7, 0.2], [0.9, 0.05, 0.9]], requires_grad=True)
    best = scores.argmax(axis=1)
    assert best.tolist() == [1, 0]  # row 1 ties at 0 and 2: the first, as numpy
    assert best.dtype == np.int64 and not best.requires_grad and best.grad_fn is None
    assert scores.argmin(axis=1).tolist() == [0, 1]
    assert scores.argmax().item() == 3  # of the flattened tensor
    assert scores.argmax(axis=0, keepdims=True).shape == (1, 3)


def test_a_pytorch_accuracy_line_runs_as_written():
    logits = mg.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    labels = mg.tensor([0, 1, 1])
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    assert accuracy == pytest.approx(2 / 3)


# ------------------------------------------------------------------ dtype conversions

CONVERSIONS = {
    "float": np.float32,
    "double": np.float64,
    "long": np.int64,
    "int": np.int32,
    "bool": np.bool_,
}


@pytest.mark.parametrize("name", CONVERSIONS)
def test_conversion_methods_give_pytorchs_dtypes(name):
    t = mg.tensor([0.0, 1.5, -2.5], dtype=mg.float64)
    converted = getattr(t, name)()
    assert converted.dtype == CONVERSIONS[name]
    np.testing.assert_array_equal(converted.data, t.data.astype(CONVERSIONS[name]))
    assert t.to(CONVERSIONS[name]).dtype == t.type(CONVERSIONS[name]).dtype == CONVERSIONS[name]


def test_a_conversion_to_the_same_dtype_is_the_tensor_itself_as_pytorch():
    t = mg.tensor([1.0, 2.0])
    assert t.float() is t and t.to(mg.float32) is t and t.type(np.float32) is t


def test_conversions_between_float_dtypes_are_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True, dtype=mg.float64)
    y = x.float()
    assert y.dtype == np.float32 and y.grad_fn is not None
    (y * mg.tensor([3.0, 0.5])).sum().backward()
    assert x.grad.dtype == np.float64  # cast back to x's dtype
    np.testing.assert_array_equal(x.grad, [3.0, 0.5])


def test_a_conversion_to_integers_or_bool_has_no_graph():
    x = mg.tensor([1.7, -0.2], requires_grad=True)
    for converted in (x.long(), x.int(), x.bool(), x.to(mg.int64)):
        assert not converted.requires_grad and converted.grad_fn is None
    assert x.long().tolist() == [1, 0]


def test_pythons_float_int_and_bool_of_a_tensor_still_give_python_values():
    t = mg.tensor([2.5])
    assert float(t) == 2.5 and int(t) == 2 and bool(t) is True
    assert isinstance(t.float(), mg.Tensor)  # the method: PyTorch's conversion


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.clone() * x,
        lambda x: x.view(3, 2) * 2,
        lambda x: x.view((6,)).exp(),
        lambda x: x.double() * x,
        lambda x: x.to(mg.float64).tanh(),
        lambda x: x.type(mg.float64) ** 2,
    ],
    ids=["clone", "view", "view tuple", "double", "to", "type"],
)
def test_gradcheck_in_float64(fn):
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    assert mg.gradcheck(fn, (x,))


def test_gradcheck_through_float32_and_back():
    x = mg.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    # float32 rounds to 6e-8 relative: a step of 1e-2 keeps that far below the tolerance
    assert mg.gradcheck(lambda x: x.float().double() * 3, (x,), eps=1e-2)


# ------------------------------------------------------------------------ view, clone


def test_view_is_reshape_and_shares_memory():
    t = mg.arange(6.0)
    assert t.view(2, 3).shape == t.view((2, 3)).shape == t.reshape(2, 3).shape == (2, 3)
    assert t.view(-1, 2).shape == (3, 2)
    assert np.shares_memory(t.view(2, 3).data, t.data)


def test_clone_is_a_differentiable_copy_in_new_memory():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name == "Clone" and not np.shares_memory(c.data, x.data)
    (c * mg.tensor([3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_an_optimizer_step_between_two_backwards_is_refused_not_silently_used():
    """opt.step() changes the weights in place: a retained graph that saved them must
    refuse a second backward instead of differentiating at the new weights."""
    from minigrad import nn, optim

    layer = nn.Linear(3, 2)
    x = mg.randn(4, 3, requires_grad=True)
    loss = (layer(x) ** 2).sum()
    loss.backward(retain_graph=True)
    optim.SGD(layer.parameters(), lr=0.1).step()
    with pytest.raises(RuntimeError, match="version"):
        loss.backward()


def test_max_norm_between_two_backwards_is_refused_not_silently_used():
    from minigrad import nn

    layer = nn.Linear(3, 2)
    layer.weight.data *= 10
    x = mg.randn(4, 3, requires_grad=True)
    loss = (layer(x) ** 2).sum()
    loss.backward(retain_graph=True)
    nn.utils.max_norm_(layer.weight, 1.0)
    with pytest.raises(RuntimeError, match="version"):
        loss.backward()
