"""Ops that move values around without changing them: their gradients move the
gradient back (reshape it back, transpose it back, scatter it back)."""

from __future__ import annotations

import itertools

import numpy as np

from ..core.function import Function


class Reshape(Function):
    """y = x with a new shape.

    dy/dx: the identity, reshaped back (the gradient takes x's shape)
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class Transpose(Function):
    """y = x with its axes permuted.

    dy/dx: the identity, permuted back (the inverse permutation)
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, axes):
        # backward inverts the permutation with argsort, which needs axes >= 0
        perm = tuple(a + x.ndim if a < 0 else a for a in axes)
        if sorted(perm) != list(range(x.ndim)):
            raise ValueError(f"axes {axes} are not a permutation of a {x.ndim}-d tensor's axes")
        ctx.axes = perm
        return x.transpose(perm)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(tuple(np.argsort(ctx.axes))), None


class BroadcastTo(Function):
    """y = x repeated along broadcast axes.

    dy/dx: 1 for every copy (the engine sums the copies' gradients back)
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Index(Function):
    """y = x[index] (ints, slices, None, Ellipsis, integer arrays, boolean masks).

    dy/dx: 1 at each selected element, scattered back (``IndexAdd``); where an index
    repeats, the gradients add up
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.save_for_backward(index)  # index arrays are released with the rest
        return x[index]

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return IndexAdd.apply(g, ctx.in_shape, index), None


class IndexAdd(Function):
    """y = zeros(shape) with g added at ``index`` (the backward of Index).

    dy/dx: the gradient read back at ``index``
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.save_for_backward(index)
        out = np.zeros(shape, dtype=g.dtype)
        if _has_integer_array(index):
            np.add.at(out, index, g)  # repeated indices must accumulate
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        (index,) = ctx.saved_tensors
        return gg[index], None, None


def _has_integer_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


class Concatenate(Function):
    """y = the inputs joined along ``axis``.

    dy/dx: each input gets its own slice of the gradient
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, axis, *xs):
        ctx.axis = axis
        ctx.bounds = tuple(itertools.accumulate([0] + [x.shape[axis] for x in xs]))
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * (ctx.axis % g.ndim)
        b = ctx.bounds
        return (None,) + tuple(g[lead + (slice(b[i], b[i + 1]),)] for i in range(len(b) - 1))
