"""Elementwise functions, each with its derivative and its choice at any kink."""

from __future__ import annotations

import numpy as np

from ..function import Function


class Exp(Function):
    """y = exp(x);  dy/dx = y. Overflows to inf without a warning."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Log(Function):
    """y = log(x);  dy/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1/(2y), which is inf at x = 0 (no silent fix)."""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (2 * y)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x), and 0 at x = 0: the minimum-norm element of the
    subdifferential [-1, 1]."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (sign,) = ctx.saved_tensors
        return g * sign


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0 (0 at the kink x = 0).
    The backward reads the mask off the output (y > 0 exactly where x > 0), so no
    mask is stored."""

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y > 0)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y**2."""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) so that no exp
    overflows;  dy/dx = y (1 - y)."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(-np.logaddexp(0, -x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * (1 - y))


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 on the closed interval lo <= x <= hi
    (so 1 at both ends, as PyTorch's clamp), else 0. ``lo``/``hi`` may be None."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise ValueError("give at least one of lo and hi")
        y = np.clip(x, lo, hi)
        # array bounds may broadcast x to a larger shape: the mask has the output's shape
        inside = np.ones(y.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.save_for_backward(inside)
        return y

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside, None, None


class Maximum(Function):
    """y = max(a, b) elementwise;  the gradient goes to the larger input, split 0.5 /
    0.5 where a == b."""

    @staticmethod
    def forward(ctx, a, b):
        y = np.maximum(a, b)
        ctx.save_for_backward(_share_of_a(a > b, a == b, y.dtype))
        return y

    @staticmethod
    def backward(ctx, g):
        (share_a,) = ctx.saved_tensors
        return g * share_a, g * (1 - share_a)


class Minimum(Function):
    """y = min(a, b) elementwise;  the gradient goes to the smaller input, split 0.5 /
    0.5 where a == b."""

    @staticmethod
    def forward(ctx, a, b):
        y = np.minimum(a, b)
        ctx.save_for_backward(_share_of_a(a < b, a == b, y.dtype))
        return y

    @staticmethod
    def backward(ctx, g):
        (share_a,) = ctx.saved_tensors
        return g * share_a, g * (1 - share_a)


def _share_of_a(a_wins, tie, dtype) -> np.ndarray:
    share = np.asarray(a_wins, dtype=dtype)
    share[np.asarray(tie)] = 0.5
    return share


class Where(Function):
    """y = a where cond else b;  the gradient goes to the side that was chosen.
    ``cond`` is a constant boolean array."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        _, need_a, need_b = ctx.needs_input_grad
        ga = np.where(cond, g, 0) if need_a else None
        gb = np.where(cond, 0, g) if need_b else None
        return None, ga, gb


class Cast(Function):
    """y = x converted to another dtype;  the gradient is cast back (by the engine)."""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None
