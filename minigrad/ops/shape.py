"""Ops that move values around without changing them: their gradients move the
gradient back (reshape it back, transpose it back, scatter it back). Each is linear,
so it is its own jvp: the tangent moves exactly as the value does."""

from __future__ import annotations

import itertools

import numpy as np

from ..core.function import Function


class Reshape(Function):
    """y = x with a new shape.

    dy/dx: the identity, reshaped back (the gradient takes x's shape); jvp: ty = tx
    reshaped as y
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape, ctx.shape = x.shape, shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None

    @staticmethod
    def jvp(ctx, tx, tshape):
        return tx.reshape(ctx.shape)


class Transpose(Function):
    """y = x with its axes permuted.

    dy/dx: the identity, permuted back (the inverse permutation); jvp: ty = tx permuted
    as x is
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

    @staticmethod
    def jvp(ctx, tx, taxes):
        return tx.transpose(ctx.axes)


class BroadcastTo(Function):
    """y = x repeated along broadcast axes.

    dy/dx: 1 for every copy (the engine sums the copies' gradients back); jvp: ty = tx
    repeated as x is
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None

    @staticmethod
    def jvp(ctx, tx, tshape):
        return np.broadcast_to(tx, ctx.shape)


class Index(Function):
    """y = x[index] (ints, slices, None, Ellipsis, integer arrays, boolean masks).

    dy/dx: 1 at each selected element, scattered back (``IndexAdd``); where an index
    repeats, the gradients add up; jvp: ty = tx[index]
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

    @staticmethod
    def jvp(ctx, tx, tindex):
        (index,) = ctx.saved_tensors
        return tx[index]


class IndexAdd(Function):
    """y = zeros(shape) with g added at ``index`` (the backward of Index).

    dy/dx: the gradient read back at ``index``; jvp: ty = zeros(shape) with tg added at
    ``index``
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.shape = shape
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

    @staticmethod
    def jvp(ctx, tg, tshape, tindex):
        (index,) = ctx.saved_tensors
        return IndexAdd.apply(tg, ctx.shape, index)


def _has_integer_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


class Concatenate(Function):
    """y = the inputs joined along ``axis``.

    dy/dx: each input gets its own slice of the gradient; jvp: ty = the inputs'
    tangents joined along ``axis``, zeros for an input without one
    at the kink: none (smooth)
    second order: exact (the second derivative is 0)
    """

    @staticmethod
    def forward(ctx, axis, *xs):
        ctx.axis, ctx.in_shapes = axis, tuple(x.shape for x in xs)
        ctx.bounds = tuple(itertools.accumulate([0] + [x.shape[axis] for x in xs]))
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * (ctx.axis % g.ndim)
        b = ctx.bounds
        return (None,) + tuple(g[lead + (slice(b[i], b[i + 1]),)] for i in range(len(b) - 1))

    @staticmethod
    def jvp(ctx, taxis, *txs):
        given = next(t for t in txs if t is not None)  # forward.py calls with at least one
        parts = [
            np.zeros(shape, given.dtype) if t is None else t for shape, t in zip(ctx.in_shapes, txs)
        ]
        return np.concatenate(parts, axis=ctx.axis)
