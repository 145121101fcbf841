"""Lesson 9, forward and reverse mode: worked solutions."""

import numpy as np

import minigrad as mg
from minigrad import func


class Softplus(mg.Function):
    """Exercise 1: y = log(1 + exp(x)); dy/dx = sigmoid(x) = 1 - exp(-y).

    backward: g * sigmoid(x); jvp: sigmoid(x) * tx. The Jacobian of an elementwise op is
    diagonal, so the two products are the same multiplication (``jvp = backward`` would
    do); written out here to show the rule."""

    @staticmethod
    def forward(ctx, x):
        y = np.logaddexp(0.0, x)  # log(1 + exp(x)) without overflow for large x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - np.exp(-y))  # sigmoid(x), from the output alone

    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return (1 - np.exp(-y)) * tx


def jacobian_costs() -> tuple[dict, dict]:
    """Exercise 2. The decoder, R³ -> R²⁰⁰: a tall (200, 3) Jacobian, 3 forward passes
    against 200 backward ones. The loss, (50, 20) -> a number: its Jacobian is the
    gradient, shape () + (50, 20), one backward pass against 1000 forward ones."""
    decoder = dict(shape=(200, 3), mode="forward", passes=3)
    loss = dict(shape=(50, 20), mode="reverse", passes=1)
    return decoder, loss


def directional_derivative(f, x, v):
    """Exercise 3: J v, the second result of one forward pass with tangent v."""
    _, slope = func.jvp(f, (x,), (v,))
    return slope
