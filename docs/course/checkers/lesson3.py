"""Checkers for lesson 3, subgradients at the kinks."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import optim

from .verdict import not_done, right, same, show, wrong

ABS_POINTS = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
INCOMING = np.array([2.0, -1.0, 1.0, 3.0, 0.5])  # not all ones: the rule must multiply by g


def true_abs_backward(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """minigrad's own abs backward: the gradient reaching x when g arrives at |x|."""
    leaf = mg.tensor(x, requires_grad=True)
    leaf.abs().backward(g)
    return leaf.grad


def check_abs_backward(abs_backward) -> bool:
    """``abs_backward(x, g)``: the gradient that reaches x when g arrives at |x|."""
    try:
        yours = abs_backward(ABS_POINTS.copy(), INCOMING.copy())
    except Exception as error:  # the learner's code: report it, do not stop the notebook
        return wrong(f"your function raised {type(error).__name__}: {error}")
    if yours is None:
        return not_done("abs_backward returns None; make it return an array like x.")
    truth = true_abs_backward(ABS_POINTS, INCOMING)
    yours = np.asarray(yours, dtype=float)
    if yours.shape != truth.shape:
        return wrong(f"your backward returns shape {yours.shape} for x of shape {truth.shape}.")
    for x, g, mine, true in zip(ABS_POINTS, INCOMING, yours, truth):
        if np.isclose(mine, true):
            continue
        if x == 0:
            return wrong(
                f"your backward gives {show(mine)} at x = 0; the subgradient table says "
                f"{show(true)}: any slope in [-1, 1] touches |x| there, and minigrad takes 0, "
                "the one of smallest size."
            )
        return wrong(
            f"at x = {show(x)}, with {show(g)} arriving, your backward gives {show(mine)}; "
            f"it should be sign(x) * g = {show(true)}."
        )
    return right(f"{show(truth)} at x = {show(ABS_POINTS)}, with 0 at the kink.")


TIES = np.array([2.0, 5.0, 5.0, 1.0])


def check_max_ties(grad) -> bool:
    """``grad``: the gradient of ``mg.tensor([2., 5., 5., 1.]).max()`` with respect to it."""
    if grad is None:
        return not_done("set grad to the array you expect in t.grad.")
    t = mg.tensor(TIES, requires_grad=True)
    t.max().backward()
    truth, grad = t.grad, np.asarray(grad, dtype=float)
    tied = int(np.sum(TIES == TIES.max()))
    if same(grad, truth):
        return right(f"{show(truth)}: the {tied} tied maxima share the gradient, 1/{tied} each.")
    if grad.shape != truth.shape:
        return wrong(f"your gradient has shape {grad.shape}; t has shape {truth.shape}.")
    if np.isclose(grad.sum(), tied):
        return wrong(
            f"your gradient {show(grad)} adds up to {tied}: a max that moves by "
            "1 per unit can only send a total of 1; minigrad splits it evenly."
        )
    if np.count_nonzero(grad) == 1 and grad[np.argmax(TIES)] == 1:
        return wrong(
            f"you give everything to the first tied element, as argmax would; "
            f"minigrad splits it evenly among the {tied} ties: {show(truth)}."
        )
    return wrong(f"yours {show(grad)}, minigrad's {show(truth)}.")


PROX_CASE = {  # lr * lam = 0.2: the weights near zero fall inside the threshold
    "w": np.array([3.0, -0.1, 0.05, 0.0, -2.0]),
    "grad": np.array([1.0, 0.5, -0.2, 0.3, -1.0]),
    "lr": 0.1,
    "lam": 2.0,
}


def true_prox_step(w, grad, lr, lam) -> np.ndarray:
    """One step of ``optim.SGD(params, lr, l1=lam)`` from ``w`` with this gradient."""
    weight = mg.tensor(np.array(w, dtype=np.float64), requires_grad=True)
    weight.grad = np.array(grad, dtype=np.float64)
    optim.SGD([weight], lr=lr, l1=lam).step()
    return weight.data


def soft_threshold(v, threshold) -> np.ndarray:
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0.0)


def check_prox_step(prox_l1_step) -> bool:
    """``prox_l1_step(w, grad, lr, lam)``: one proximal gradient step for loss + lam*|w|_1."""
    w, grad, lr, lam = (PROX_CASE[k] for k in ("w", "grad", "lr", "lam"))
    try:
        yours = prox_l1_step(w.copy(), grad.copy(), lr, lam)
    except Exception as error:  # the learner's code: report it, do not stop the notebook
        return wrong(f"your function raised {type(error).__name__}: {error}")
    if yours is None:
        return not_done("prox_l1_step returns None; make it return the new weights.")
    truth = true_prox_step(w, grad, lr, lam)
    yours = np.asarray(yours, dtype=float)
    if same(yours, truth):
        zeros = int(np.sum(truth == 0))
        return right(f"{show(truth)}, as optim.SGD(l1={lam}) gives, with {zeros} exact zeros.")
    if same(yours, soft_threshold(w, lr * lam)):
        return wrong(
            "you soft-thresholded w itself and dropped the data term: first take the "
            "gradient step v = w - lr * grad, then threshold v by lr * lam."
        )
    if same(yours, w - lr * (grad + lam * np.sign(w))):
        return wrong(
            "that is the subgradient step, w - lr * (grad + lam * sign(w)): it steps "
            "across zero instead of stopping there. Threshold v = w - lr * grad."
        )
    if same(yours, soft_threshold(w - lr * grad, lam)):
        return wrong(f"the threshold is lr * lam = {show(lr * lam)}, not lam = {show(lam)}.")
    return wrong(f"yours {show(yours)}; optim.SGD(l1={lam}) gives {show(truth)}.")
