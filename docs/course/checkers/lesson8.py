"""Checkers for lesson 8, write your own op.

Each exercise hands in an ``mg.Function`` subclass. The checker compares it with the same
function composed from minigrad's own ops (whose derivatives are tested), point by point,
so it can say where and by how much the learner's op differs, not only that it does.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg

from .verdict import not_done, right, show, wrong

POINTS = np.array([-3.0, -0.5, 0.0, 1.0, 4.0])


def _leaf(values) -> mg.Tensor:
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def _first_and_second(fn, x: mg.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fn(x), its first and its second derivative, elementwise, by minigrad's autograd."""
    y = fn(x)
    (dy,) = mg.grad(y.sum(), x, create_graph=True)
    (d2y,) = mg.grad(dy.sum(), x)
    return y.numpy(), dy.numpy(), d2y.numpy()


def _compare(name: str, op, reference, order: int) -> bool | None:
    """Compare ``op.apply`` with ``reference`` at POINTS up to ``order`` (1 or 2).
    Returns None when they agree, else the verdict already printed (False)."""
    x = _leaf(POINTS)
    try:
        yours = _first_and_second(op.apply, x) if order == 2 else _first_only(op.apply, x)
    except Exception as error:  # the learner's code: report it, do not stop the notebook
        return wrong(
            f"calling {name}.apply and its backward raised {type(error).__name__}: {error}"
        )
    truth = _first_and_second(reference, _leaf(POINTS))
    what = ("value", "backward", "second derivative")
    for quantity, mine, true in zip(what[: order + 1], yours, truth):
        bad = ~np.isclose(mine, true, rtol=1e-6, atol=1e-9)
        if bad.any():
            i = int(np.argmax(bad))
            return wrong(
                f"your {quantity} is {show(mine[i])} at x = {show(POINTS[i])}; "
                f"it should be {show(true[i])}."
            )
    return None


def _first_only(fn, x):
    y = fn(x)
    (dy,) = mg.grad(y.sum(), x)
    return y.numpy(), dy.numpy()


def _gradcheck_says(check, fn, inputs) -> str | None:
    """None if ``check`` (gradcheck or gradgradcheck) passes, else its message."""
    try:
        check(fn, inputs)
    except mg.GradcheckError as error:
        return str(error)
    return None


def softplus_reference(x: mg.Tensor) -> mg.Tensor:
    return (x.exp() + 1).log()


def check_softplus(Softplus) -> bool:
    """``Softplus``: an mg.Function with y = log(1 + exp(x)) and dy/dx = sigmoid(x)."""
    if Softplus is None:
        return not_done("define class Softplus(mg.Function) in the cell above.")
    verdict = _compare("Softplus", Softplus, softplus_reference, order=1)
    if verdict is not None:
        return verdict
    failure = _gradcheck_says(mg.gradcheck, Softplus.apply, (_leaf(POINTS),))
    if failure:
        return wrong(f"mg.gradcheck disagrees: {failure}")
    return right("values and backward match log(1 + exp(x)) and sigmoid(x); gradcheck passes.")


def silu_reference(x: mg.Tensor) -> mg.Tensor:
    return x * x.sigmoid()


def check_silu(SiLU) -> bool:
    """``SiLU``: an mg.Function with y = x * sigmoid(x), right to the second derivative."""
    if SiLU is None:
        return not_done("define class SiLU(mg.Function) in the cell above.")
    verdict = _compare("SiLU", SiLU, silu_reference, order=1)
    if verdict is not None:
        return verdict
    if _compare("SiLU", SiLU, silu_reference, order=2) is not None:
        print(
            "  The first derivative is right, so only the backward's own derivative is off. "
            "An array that forward computes and saves (other than its inputs and outputs) is "
            "a constant to the second pass: compute it from x inside backward instead."
        )
        return False
    failure = _gradcheck_says(mg.gradgradcheck, SiLU.apply, (_leaf(POINTS),))
    if failure:
        return wrong(f"mg.gradgradcheck disagrees: {failure}")
    return right("first and second derivatives match x * sigmoid(x); gradgradcheck passes.")


HYPOT_A = np.array([3.0, 1.0, -2.0])
HYPOT_B = np.array([4.0, -2.0, 0.5])


def check_hypot(Hypot) -> bool:
    """``Hypot``: an mg.Function of two inputs, r = sqrt(a**2 + b**2), with one gradient
    per input."""
    if Hypot is None:
        return not_done("define class Hypot(mg.Function) in the cell above.")
    a, b = _leaf(HYPOT_A), _leaf(HYPOT_B)
    try:
        r = Hypot.apply(a, b)
        yours = mg.grad(r.sum(), (a, b))
    except Exception as error:  # the learner's code: report it, do not stop the notebook
        return wrong(f"calling Hypot.apply and its backward raised {type(error).__name__}: {error}")
    a0, b0 = _leaf(HYPOT_A), _leaf(HYPOT_B)
    true_r = (a0 * a0 + b0 * b0).sqrt()
    truth = mg.grad(true_r.sum(), (a0, b0))
    if not np.allclose(r.numpy(), true_r.numpy()):
        return wrong(
            f"your values {show(r.numpy())} differ from sqrt(a**2 + b**2) = {show(true_r.numpy())}."
        )
    for name, mine, true in zip(("a", "b"), yours, truth):
        bad = ~np.isclose(mine.numpy(), true.numpy())
        if bad.any():
            i = int(np.argmax(bad))
            return wrong(
                f"the gradient for {name} is wrong: at (a, b) = ({show(HYPOT_A[i])}, "
                f"{show(HYPOT_B[i])}) yours is {show(mine.numpy()[i])}, the truth "
                f"{show(true.numpy()[i])} ({name} / r)."
            )
    failure = _gradcheck_says(mg.gradcheck, Hypot.apply, (_leaf(HYPOT_A), _leaf(HYPOT_B)))
    if failure:
        return wrong(f"mg.gradcheck disagrees: {failure}")
    return right("both gradients, a / r and b / r, match; gradcheck passes.")
