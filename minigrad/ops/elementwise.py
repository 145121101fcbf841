"""Elementwise functions, each with its derivative and its choice at any kink."""

from __future__ import annotations

import numpy as np

from ..core.forward import tangent_sum
from ..core.function import Function


class Exp(Function):
    """y = exp(x); overflows to inf without a warning.

    dy/dx: y; jvp: ty = y tx
    at the kink: none (smooth)
    second order: exact (the rule uses the output y)
    """

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

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Log(Function):
    """y = log(x).

    dy/dx: 1/x; jvp: ty = tx / x
    at the kink: inf at x = 0, where log(0) = -inf (deliberate, no silent fix); below
    0 the value is nan and the gradient still 1/x, as PyTorch
    second order: exact (the rule uses the input x)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Sqrt(Function):
    """y = sqrt(x).

    dy/dx: 1/(2 sqrt(x)); jvp: ty = tx / (2 y)
    at the kink: inf at x = 0 (the true limit; no silent fix); nan below 0, as the
    value
    second order: exact (the rule uses the output y)
    """

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (2 * y)

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Abs(Function):
    """y = |x|.

    dy/dx: sign(x); jvp: ty = sign(x) tx
    at the kink: 0 at x = 0 (the minimum-norm element of the subdifferential [-1, 1])
    second order: exact (0 almost everywhere: sign is piecewise constant)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(Abs.subgradient(x))
        return np.abs(x)

    @staticmethod
    def subgradient(x):
        """sign(x), 0 at 0: the derivative of |x| (also used by the L1 penalty)."""
        return np.sign(x)

    @staticmethod
    def backward(ctx, g):
        (sign,) = ctx.saved_tensors
        return g * sign

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class SignedPower(Function):
    """y = sign(x) |x|**q for a constant q > 0: x**q made odd, so that it is defined for
    x < 0. It is the factor of PNorm's gradient that holds the norm's curvature, as an
    op of its own so that its kink has a rule.

    dy/dx: q |x|**(q-1); jvp: ty = q |x|**(q-1) tx, 0 where tx = 0
    at the kink: for q < 1, inf at x = 0 (the slope really is vertical there); but an
    incoming gradient of exactly 0 gives 0, not 0 * inf = nan: the output is then not
    used, so nothing depends on x through it
    second order: exact away from x = 0 (the rule uses the input x)
    """

    @staticmethod
    def forward(ctx, x, q):
        ctx.q = q
        ctx.save_for_backward(x)
        return np.sign(x) * np.abs(x) ** q

    @staticmethod
    def backward(ctx, g):
        return SignedPower.times_slope(ctx, g), None

    @staticmethod
    def jvp(ctx, tx, tq):
        return SignedPower.times_slope(ctx, tx)

    @staticmethod
    def times_slope(ctx, v):
        """v q |x|**(q-1), and 0 where v is 0 (a gradient, or a tangent)."""
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # the inf at x = 0
            slope = ctx.q * np.abs(x) ** (ctx.q - 1)
            return np.where(v == 0, 0, v * slope)


class Relu(Function):
    """y = max(x, 0). The rule reads the mask off the output (y > 0 exactly where
    x > 0), so no mask is stored.

    dy/dx: 1 for x > 0, else 0; jvp: ty = tx where x > 0, else 0
    at the kink: 0 at x = 0 (the minimum-norm element of the subdifferential [0, 1])
    second order: exact (0 almost everywhere: the mask is piecewise constant)
    """

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y > 0)

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Tanh(Function):
    """y = tanh(x).

    dy/dx: 1 - y**2; jvp: ty = (1 - y**2) tx
    at the kink: none (smooth)
    second order: exact (the rule uses the output y)
    """

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) so that no exp
    overflows.

    dy/dx: y (1 - y); jvp: ty = y (1 - y) tx
    at the kink: none (smooth)
    second order: exact (the rule uses the output y)
    """

    @staticmethod
    def forward(ctx, x):
        y = np.exp(-np.logaddexp(0, -x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * (1 - y))

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Clip(Function):
    """y = min(max(x, lo), hi); ``lo`` or ``hi`` may be None.

    dy/dx: 1 for lo <= x <= hi, else 0; jvp: ty = tx inside [lo, hi], else 0
    at the kink: 1 at x = lo and at x = hi (the interval is closed, as PyTorch's clamp)
    second order: exact (0 almost everywhere: the mask is piecewise constant)
    """

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

    @staticmethod
    def jvp(ctx, tx, tlo, thi):
        (inside,) = ctx.saved_tensors  # the bounds are constants: their tangents count not
        return tx * inside


class _Extreme(Function):
    """Shared rule of Maximum and Minimum: the gradient goes to the winning input,
    half to each where they tie."""

    @classmethod
    def forward(cls, ctx, a, b):
        y = cls.pick(a, b)
        share_of_a = np.asarray(cls.wins(a, b), dtype=y.dtype)
        share_of_a[np.asarray(a == b)] = 0.5
        ctx.save_for_backward(share_of_a)
        return y

    @staticmethod
    def backward(ctx, g):
        (share_of_a,) = ctx.saved_tensors
        return g * share_of_a, g * (1 - share_of_a)

    @staticmethod
    def jvp(ctx, ta, tb):
        (share_of_a,) = ctx.saved_tensors
        return tangent_sum(
            None if ta is None else ta * share_of_a, None if tb is None else tb * (1 - share_of_a)
        )


class Maximum(_Extreme):
    """y = max(a, b) elementwise.

    dy/dx: dy/da = 1 where a > b, dy/db = 1 where b > a, else 0; jvp: ty = the
    winner's tangent, the mean of both where a == b
    at the kink: 0.5 to each side where a == b (the mean of the two one-sided choices)
    second order: exact (0 almost everywhere: the shares are piecewise constant)
    """

    pick = staticmethod(np.maximum)
    wins = staticmethod(np.greater)


class Minimum(_Extreme):
    """y = min(a, b) elementwise.

    dy/dx: dy/da = 1 where a < b, dy/db = 1 where b < a, else 0; jvp: ty = the
    winner's tangent, the mean of both where a == b
    at the kink: 0.5 to each side where a == b (the mean of the two one-sided choices)
    second order: exact (0 almost everywhere: the shares are piecewise constant)
    """

    pick = staticmethod(np.minimum)
    wins = staticmethod(np.less)


class Where(Function):
    """y = a where cond else b; ``cond`` is a constant boolean array.

    dy/dx: dy/da = cond, dy/db = not cond (the gradient goes to the side chosen);
    jvp: ty = ta where cond else tb
    at the kink: none (cond is a constant)
    second order: exact (the second derivative is 0)
    """

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

    @staticmethod
    def jvp(ctx, tcond, ta, tb):
        (cond,) = ctx.saved_tensors
        return np.where(cond, 0 if ta is None else ta, 0 if tb is None else tb)


class Cast(Function):
    """y = x converted to another dtype.

    dy/dx: 1 (the engine casts the gradient back to x's dtype); jvp: ty = tx, cast
    to y's dtype
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None

    @staticmethod
    def jvp(ctx, tx, tdtype):
        return tx  # forward.py casts every tangent to its output's dtype


class Clone(Function):
    """y = a copy of x in new memory (``x.clone()``): an in-place update of one leaves
    the other unchanged.

    dy/dx: 1; jvp: ty = tx
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward
