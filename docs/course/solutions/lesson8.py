"""Lesson 8, write your own op: worked solutions."""

import numpy as np

import minigrad as mg


class Softplus(mg.Function):
    """Exercise 1: y = log(1 + exp(x)), dy/dx = sigmoid(x) = 1 - exp(-y)."""

    @staticmethod
    def forward(ctx, x):
        y = np.logaddexp(0.0, x)  # log(1 + exp(x)) without overflow for large x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - np.exp(-y))  # sigmoid(x), from the output alone


class SiLU(mg.Function):
    """Exercise 2: y = x * sigmoid(x), dy/dx = s + x s (1 - s) with s = sigmoid(x).
    s is recomputed from x inside backward: under create_graph=True, x arrives there as
    a Tensor, so the rule records a graph and the second derivative comes out right."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + np.exp(-x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = 1 / (1 + np.exp(-x))
        return g * (s + x * s * (1 - s))


class Hypot(mg.Function):
    """Exercise 3: r = sqrt(a**2 + b**2); dr/da = a / r, dr/db = b / r, one per input."""

    @staticmethod
    def forward(ctx, a, b):
        r = np.sqrt(a * a + b * b)
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, b, r = ctx.saved_tensors
        return g * a / r, g * b / r
