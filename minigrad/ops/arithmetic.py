"""The arithmetic operators. A gradient may come back in the broadcast shape: the
engine sums it to the operand's shape (``core/shapes.sum_to``)."""

from __future__ import annotations

import numpy as np

from ..core.forward import tangent_sum
from ..core.function import Function


class Add(Function):
    """y = a + b.

    dy/dx: dy/da = 1, dy/db = 1; jvp: ty = ta + tb
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g

    @staticmethod
    def jvp(ctx, ta, tb):
        return tangent_sum(ta, tb)


class Sub(Function):
    """y = a - b.

    dy/dx: dy/da = 1, dy/db = -1; jvp: ty = ta - tb
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, ta, tb):
        return tangent_sum(ta, None if tb is None else -tb)


class Neg(Function):
    """y = -x.

    dy/dx: -1; jvp: ty = -tx
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g

    @staticmethod
    def jvp(ctx, tx):
        return -tx


class Mul(Function):
    """y = a * b.

    dy/dx: dy/da = b, dy/db = a; jvp: ty = ta b + a tb
    at the kink: none (smooth)
    second order: exact (the rule uses the inputs a and b)
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return tangent_sum(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    """y = a / b.

    dy/dx: dy/da = 1/b, dy/db = -a/b**2, computed as -(1/b)(a/b), which has no b*b to
    underflow; jvp: ty = ta/b - (tb/b)(a/b)
    at the kink: b = 0 is a pole: y is inf (nan for 0 / 0), and so are its
    derivatives, deliberately (no silent fix)
    second order: exact (the rule uses the inputs a and b)
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g / b if need_a else None), (-(g / b) * (a / b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return tangent_sum(
            None if ta is None else ta / b, None if tb is None else -(tb / b) * (a / b)
        )


class Pow(Function):
    """y = a ** b.

    dy/dx: dy/da = b * a**(b-1), dy/db = y * log(a); jvp: ty = (dy/da) ta + (dy/db) tb
    at the kink: dy/da = 0 where a = 0 and b = 0 (a**0 is 1 for every a; the formula
    would give 0 * inf = nan), and its second derivatives 0 there too; dy/db takes
    log(a) as 0 where a <= 0 (a**b * log(a) -> 0 as a -> 0 for b > 0, and a real log
    of a < 0 does not exist); at a = 0, dy/da is inf for 0 < b < 1 (a vertical slope,
    as sqrt) and -inf for b < 0 (a pole: y is inf)
    second order: exact (the rule uses the inputs and the output)
    """

    @staticmethod
    def forward(ctx, a, b):
        y = a**b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * Pow.d_base(a, b) if need_a else None), (
            g * Pow.d_exponent(a, y) if need_b else None
        )

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b, y = ctx.saved_tensors
        return tangent_sum(
            None if ta is None else ta * Pow.d_base(a, b),
            None if tb is None else tb * Pow.d_exponent(a, y),
        )

    @staticmethod
    def d_base(a, b):
        """dy/da = b a**(b-1), and 0 at 0**0 through two wheres: the inner one keeps
        0**-1 = inf out of the branch not taken, so that a second pass meets no inf."""
        zero_to_zero = np.logical_and(a == 0, b == 0)
        safe_a = np.where(zero_to_zero, 1, a)
        return np.where(zero_to_zero, 0, b * safe_a ** (b - 1))

    @staticmethod
    def d_exponent(a, y):
        """dy/db = y log(a), with log(a) taken as 0 where a <= 0."""
        return y * np.log(np.where(a > 0, a, 1))


class MatMul(Function):
    """y = a @ b, numpy's matmul: 1-D, 2-D and batched N-D operands.

    dy/dx: dL/da = g @ b^T, dL/db = a^T @ g (``matmul_gradients``); jvp: ty = ta @ b + a @ tb
    at the kink: none (smooth)
    second order: exact (the rule uses the inputs a and b)
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return matmul_gradients(g, a, b, *ctx.needs_input_grad)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return tangent_sum(None if ta is None else ta @ b, None if tb is None else a @ tb)


def matmul_gradients(g, a, b, need_a: bool = True, need_b: bool = True) -> tuple:
    """(dL/da, dL/db) for y = a @ b and dL/dy = g: g @ b^T and a^T @ g.

    A 1-D operand is treated as a row (a) or a column (b), and that axis is removed
    again; batch axes that broadcasting added are summed by the engine. Works on
    arrays and, under create_graph, on Tensors.
    """
    if a.ndim == 1 and b.ndim == 1:  # a dot product: y is a scalar
        return (g * b if need_a else None), (g * a if need_b else None)
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    if a.ndim == 1:
        g = g[..., None, :]
    if b.ndim == 1:
        g = g[..., None]
    ga = gb = None
    if need_a:
        ga = g @ b2.swapaxes(-1, -2)
        if a.ndim == 1:
            ga = ga[..., 0, :]
    if need_b:
        # a^T @ g computed as (g^T @ a)^T, the same product: for Affine, where b is W^T,
        # W's gradient then comes out in W's own memory order (no strided copy later)
        gb = (g.swapaxes(-1, -2) @ a2).swapaxes(-1, -2)
        if b.ndim == 1:
            gb = gb[..., 0]
    return ga, gb
