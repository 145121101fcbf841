"""Checkers for lesson 1, from scalars to tensors."""

from __future__ import annotations

import numpy as np

import minigrad as mg

from .verdict import not_done, right, same, show, wrong


def micrograd_second_example() -> tuple[mg.Tensor, mg.Tensor, mg.Tensor]:
    """micrograd's second test expression, in float64: returns (a, b, g) after g.backward()."""
    a = mg.tensor(-4.0, dtype=mg.float64, requires_grad=True)
    b = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def check_micrograd_gradients(answer) -> bool:
    """``answer`` = (dg/da, dg/db) of micrograd's second example."""
    if answer is None:
        return not_done("set answer = (dg/da, dg/db), two numbers.")
    a, b, _ = micrograd_second_example()
    truth = {"dg/da": a.grad.item(), "dg/db": b.grad.item()}
    try:
        yours = dict(zip(truth, (float(v) for v in answer), strict=True))
    except (TypeError, ValueError):
        return wrong(f"answer should be two numbers (dg/da, dg/db); got {answer!r}.")
    off = [name for name in truth if not np.isclose(yours[name], truth[name], rtol=1e-4)]
    if not off:
        return right(f"dg/da = {show(truth['dg/da'], 10)} and dg/db = {show(truth['dg/db'], 10)}.")
    return wrong(
        "; ".join(
            f"your {n} is {show(yours[n], 10)}, minigrad gives {show(truth[n], 10)}" for n in off
        )
        + ". Build the expression with requires_grad=True leaves and call g.backward()."
    )


def broadcast_example() -> tuple[mg.Tensor, mg.Tensor]:
    """a of shape (3, 1) times b of shape (4,), summed: returns (a, b) after backward."""
    a = mg.tensor(np.ones((3, 1)), requires_grad=True)
    b = mg.tensor(np.arange(4.0), requires_grad=True)
    (a * b).sum().backward()
    return a, b


def check_broadcast_gradient(a_grad) -> bool:
    """``a_grad``: the gradient of ``(a * b).sum()`` with respect to a (shape (3, 1))."""
    if a_grad is None:
        return not_done("set a_grad to the array you expect in a.grad.")
    a, b = broadcast_example()
    a_grad = np.asarray(a_grad, dtype=float)
    if same(a_grad, a.grad):
        return right(
            f"a.grad = {show(a.grad.ravel())} as a column of shape {a.grad.shape}: each a_i "
            f"meets all {b.shape[0]} entries of b, so it gets their sum, {show(b.data.sum())}."
        )
    product_shape = np.broadcast_shapes(a.shape, b.shape)
    if a_grad.shape == product_shape:
        return wrong(
            f"your a_grad has shape {a_grad.shape}, the shape of a * b; a has shape {a.shape}. "
            "The gradient of a broadcast operand is summed back to the operand's shape, "
            "over the axis it was stretched along (axis 1 here)."
        )
    if a_grad.shape != a.shape:
        return wrong(f"your a_grad has shape {a_grad.shape}; a.grad has a's shape, {a.shape}.")
    return wrong(
        f"the shape is right; the values are {show(a_grad.ravel())}, "
        f"minigrad gives {show(a.grad.ravel())}."
    )


# (gradient shape, operand shape): every way numpy broadcasting stretches an operand
UNBROADCAST_CASES = [
    ((3, 4), (3, 4)),  # no broadcasting: the gradient passes through unchanged
    ((3, 4), (3, 1)),  # a column stretched along axis 1
    ((3, 4), (4,)),  # a row, given a new leading axis
    ((2, 3, 4), (3, 1)),  # both at once
    ((5,), ()),  # a scalar
]


def true_unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """What minigrad puts in .grad of an operand of ``shape`` broadcast to grad's shape."""
    operand = mg.tensor(np.zeros(shape), requires_grad=True)
    operand.broadcast_to(grad.shape).backward(grad)
    return operand.grad


def check_unbroadcast(unbroadcast) -> bool:
    """``unbroadcast(grad, shape)`` must sum ``grad`` back to ``shape``, as the engine does."""
    rng = np.random.default_rng(1)
    for grad_shape, shape in UNBROADCAST_CASES:
        grad = rng.integers(-3, 4, size=grad_shape).astype(float)
        case = f"for a gradient of shape {grad_shape} and an operand of shape {shape}"
        try:
            yours = unbroadcast(grad, shape)
        except Exception as error:  # the learner's code: report it, do not stop the notebook
            return wrong(f"{case} your function raised {type(error).__name__}: {error}")
        if yours is None:
            return not_done("unbroadcast returns None; make it return the summed gradient.")
        truth = true_unbroadcast(grad, shape)
        yours = np.asarray(yours, dtype=float)
        if yours.shape != truth.shape:
            return wrong(f"{case} your function returns shape {yours.shape}, not {shape}.")
        if not same(yours, truth):
            return wrong(f"{case} your values {show(yours)} differ from minigrad's {show(truth)}.")
    return right(f"all {len(UNBROADCAST_CASES)} cases match minigrad's own un-broadcasting.")
