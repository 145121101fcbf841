"""Reductions over an axis (an int), several axes (a tuple) or all axes (None).

Each backward first puts the reduced axes back as size-1 axes (``_keep``), so that
the gradient broadcasts against the input. Each jvp goes the other way: it multiplies
the tangent by the same local derivative and reduces it over the same axes, with
``Sum.apply`` (a reduction's tangent is itself a sum).
"""

from __future__ import annotations

import numpy as np

from ..core.function import Function
from ..core.shapes import degrees_of_freedom, reduced_shape, reduced_size
from ..core.shapes import keep_reduced_axes as _keep
from .elementwise import SignedPower


def log_softmax_and_logsumexp(x: np.ndarray, axes: tuple | None) -> tuple:
    """(log softmax of x, logsumexp of x) over ``axes`` (kept as size-1 axes), stable
    for inputs of any magnitude: with m = max(x), logsumexp = m + log(sum(exp(x - m)))
    and log softmax = (x - m) - log(sum(exp(x - m))), so no exp overflows and the
    log-probability of a far-behind entry is very negative, never -inf. An all -inf
    slice keeps logsumexp -inf. The one stable formula of LogSumExp, Softmax,
    LogSoftmax and CrossEntropy."""
    m = np.max(x, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # an all -inf (or an inf) slice stays exact
    shifted = x - m
    with np.errstate(divide="ignore"):
        log_norm = np.log(np.exp(shifted).sum(axis=axes, keepdims=True))
    return shifted - log_norm, log_norm + m


class Sum(Function):
    """y = sum of x over axes.

    dy/dx: 1 for every summed element; jvp: ty = sum of tx over the axes
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return np.broadcast_to(g, ctx.in_shape), None, None

    @staticmethod
    def jvp(ctx, tx, taxes, tkeepdims):
        # linear: the tangent goes through the op itself (axes and keepdims have none)
        return Sum.apply(tx, ctx.axes, ctx.keepdims)


class Mean(Function):
    """y = sum of x over axes / n.

    dy/dx: 1/n for every averaged element; jvp: ty = mean of tx over the axes
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        ctx.n = reduced_size(x.shape, axes)
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return np.broadcast_to(g / ctx.n, ctx.in_shape), None, None

    @staticmethod
    def jvp(ctx, tx, taxes, tkeepdims):
        # linear: the tangent goes through the op itself
        return Mean.apply(tx, ctx.axes, ctx.keepdims)


class _Extremum(Function):
    """Shared rule of Max and Min: the gradient goes to the extreme element, split
    evenly among the elements that tie for it; the tangent comes from it, the mean
    of the tied elements' tangents at a tie (the same shares, summed)."""

    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x, axes, keepdims):
        if x.size == 0:
            raise ValueError(f"{cls.__name__.lower()} of an empty tensor")
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        y = cls.reduce(x, axis=axes, keepdims=True)
        hit = x == y
        ctx.save_for_backward(hit / hit.sum(axis=axes, keepdims=True).astype(x.dtype))
        return y if keepdims else y.reshape(reduced_shape(x.shape, axes))

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved_tensors
        return _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims) * share, None, None

    @staticmethod
    def jvp(ctx, tx, taxes, tkeepdims):
        (share,) = ctx.saved_tensors  # 1/k at each of the k extreme elements, else 0
        return Sum.apply(tx * share, ctx.axes, ctx.keepdims)


class Max(_Extremum):
    """y = max of x over axes (values only, like torch.amax).

    dy/dx: 1 at the largest element, 0 elsewhere; jvp: ty = tx at the largest element
    at the kink: split evenly among tied elements (1/k each for a k-way tie), so the
    tangent is the mean of the tied elements' tangents (as PyTorch)
    second order: exact (0 almost everywhere: the shares are piecewise constant)
    """

    reduce = staticmethod(np.max)


class Min(_Extremum):
    """y = min of x over axes (values only, like torch.amin).

    dy/dx: 1 at the smallest element, 0 elsewhere; jvp: ty = tx at the smallest element
    at the kink: split evenly among tied elements (1/k each for a k-way tie), so the
    tangent is the mean of the tied elements' tangents (as PyTorch)
    second order: exact (0 almost everywhere: the shares are piecewise constant)
    """

    reduce = staticmethod(np.min)


class LogSumExp(Function):
    """y = log(sum(exp(x))) over axes, without overflow (``log_softmax_and_logsumexp``).

    dy/dx: exp(x - y), the softmax of x; jvp: ty = sum of exp(x - y) tx over the axes
    at the kink: nan for an all -inf slice, where y = -inf and exp(x - y) is
    exp(-inf + inf), in the gradient and the tangent (deliberate, as PyTorch)
    second order: exact (the rule uses the input x and the output y)
    """

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        _, y = log_softmax_and_logsumexp(x, axes)
        y = y if keepdims else y.reshape(reduced_shape(x.shape, axes))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return g * LogSumExp.softmax(ctx), None, None

    @staticmethod
    def jvp(ctx, tx, taxes, tkeepdims):
        return Sum.apply(tx * LogSumExp.softmax(ctx), ctx.axes, ctx.keepdims)

    @staticmethod
    def softmax(ctx):
        """dy/dx = exp(x - y), the softmax of x, in x's shape."""
        x, y = ctx.saved_tensors
        return np.exp(x - _keep(y, ctx.in_shape, ctx.axes, ctx.keepdims))


class Std(Function):
    """y = sqrt(sum((x - mean(x))**2) / (n - ddof)) over axes: the standard deviation.

    The mean is clipped into [min(x), max(x)], where the true mean always lies: the
    rounded mean of equal values can miss them (three 0.1 average to 0.1 + 1.4e-17),
    and then equal values would get a tiny y > 0 and a gradient of about -1/n each
    instead of the kink's 0.

    dy/dx: (x - mean(x)) / ((n - ddof) y); jvp: ty = sum of (dy/dx) tx over the axes
    at the kink: 0 where y = 0, equal values (the minimum-norm subgradient, as
    PyTorch), for the gradient and the tangent; their second derivative is 0 too
    second order: exact (the rule uses the input x and the output y)
    """

    @staticmethod
    def forward(ctx, x, axes, keepdims, ddof):
        ctx.dof = degrees_of_freedom(x.shape, axes, ddof, "std")
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        mean = np.clip(
            x.mean(axis=axes, keepdims=True),
            x.min(axis=axes, keepdims=True),
            x.max(axis=axes, keepdims=True),
        )
        centered = x - mean
        y = np.sqrt((centered * centered).sum(axis=axes, keepdims=keepdims) / ctx.dof)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return Std.times_slope(ctx, g), None, None, None

    @staticmethod
    def jvp(ctx, tx, taxes, tkeepdims, tddof):
        return Sum.apply(tx * Std.times_slope(ctx, 1), ctx.axes, ctx.keepdims)

    @staticmethod
    def times_slope(ctx, g):
        """g dy/dx, for one g per reduced slice (its axes kept; 1 gives dy/dx itself),
        and 0 where y = 0. g multiplies the small reduced factor first, so backward
        makes one full-size product."""
        x, y = ctx.saved_tensors
        y = _keep(y, ctx.in_shape, ctx.axes, ctx.keepdims)
        centered = x - np.mean(x, axis=ctx.axes, keepdims=True)
        # 0 where y = 0 through two wheres: the one inside keeps the unused branch free
        # of 1/0, so that a second pass through it meets no inf (and 0 * inf = nan)
        safe_y = np.where(y == 0, 1, y)
        return centered * np.where(y == 0, 0, g / (ctx.dof * safe_y))


class PNorm(Function):
    """y = (sum |x|**p)**(1/p) over axes, for 1 < p < inf (p = 1 and p = inf are
    abs().sum() and abs().max(), see Tensor.norm).

    dy/dx: sign(x) |x|**(p-1) / y**(p-1); jvp: ty = sum of (dy/dx) tx over the axes
    at the kink: 0 where y = 0, an all-zero vector (the minimum-norm subgradient, as
    PyTorch), for the gradient and the tangent, and its second derivative 0 there too
    second order: exact; at a zero entry, for p < 2, the second derivative in that
    entry is inf (|x|**(p-1) is vertical at 0: SignedPower's kink)
    """

    @staticmethod
    def forward(ctx, x, p, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims, ctx.p = x.shape, axes, keepdims, p
        ax = np.abs(x)
        if p == 2:
            y = np.sqrt((x * x).sum(axis=axes, keepdims=keepdims))
        else:
            # scale by the largest entry so that |x|**p neither overflows nor underflows;
            # not by 0 (all zeros) or inf (then inf / inf would make the norm nan, not inf)
            top = np.max(ax, axis=axes, keepdims=True)
            safe_top = np.where((top > 0) & (top < np.inf), top, 1)
            y = (((ax / safe_top) ** p).sum(axis=axes, keepdims=True)) ** (1 / p) * safe_top
            y = y if keepdims else y.reshape(reduced_shape(x.shape, axes))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return PNorm.times_slope(ctx, g), None, None, None

    @staticmethod
    def jvp(ctx, tx, tp, taxes, tkeepdims):
        # 0 where tx is 0, as in SignedPower's rule: an entry that the tangent leaves at
        # rest adds nothing, even where an outer level finds the slope's own slope inf
        # (p < 2 at a zero entry); its inf * 0 = nan stays in the branch not taken
        with np.errstate(invalid="ignore"):
            terms = np.where(tx == 0, 0, tx * PNorm.times_slope(ctx, 1))
        return Sum.apply(terms, ctx.axes, ctx.keepdims)

    @staticmethod
    def times_slope(ctx, g):
        """g dy/dx, for one g per reduced slice (its axes kept; 1 gives dy/dx itself),
        and 0 for an all-zero vector."""
        x, y = ctx.saved_tensors
        p = ctx.p
        y = _keep(y, ctx.in_shape, ctx.axes, ctx.keepdims)
        # 0 for an all-zero vector (y = 0), through two wheres: the inner one keeps 1/0
        # out of the branch not taken, so that a second pass meets no inf there either
        safe_y = np.where(y == 0, 1, y)
        g = np.where(y == 0, 0, g)
        if p == 2:
            return g * x / safe_y
        # sign(x) |x|**(p-1) / y**(p-1) written as sign(x) |x/s|**(p-1) (s/y)**(p-1),
        # with s the value of y, a constant: |x/s| <= 1 cannot overflow, and the inf
        # slope at a zero entry (p < 2) reaches that entry of x alone; through y it
        # would meet the entry's zero factor, and inf * 0 = nan would reach every entry
        s = np.asarray(safe_y)
        # in an all-zero vector, x is swapped for the constant 0 (its value): a tangent of
        # x there would meet SignedPower's vertical slope at 0, and inf * g = inf * 0
        x = np.where(y == 0, 0, x)
        return g * SignedPower.apply(x / s, p - 1) * (s / safe_y) ** (p - 1)
