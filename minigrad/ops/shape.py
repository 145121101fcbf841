"""Ops that move values around without changing them: their gradients move the
gradient back (reshape it back, transpose it back, scatter it back)."""

from __future__ import annotations

import numpy as np

from ..function import Function


class Reshape(Function):
    """y = x with a new shape;  the gradient is reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class Transpose(Function):
    """y = x with its axes permuted;  the gradient is permuted back."""

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
    """y = x repeated along broadcast axes;  the engine sums the gradient back."""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Index(Function):
    """y = x[index] (ints, slices, None, Ellipsis, integer arrays, boolean masks);
    the gradient is scattered back and added where an index repeats."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, ctx.in_shape, ctx.index), None


class IndexAdd(Function):
    """y = zeros(shape) with g added at ``index`` (the backward of Index);
    its own gradient is the gradient read back at ``index``."""

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if _has_integer_array(index):
            np.add.at(out, index, g)  # repeated indices must accumulate
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index], None, None


def _has_integer_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


def normalize_index(index):
    """Replace Tensors and lists inside an index by numpy arrays."""
    if isinstance(index, tuple):
        return tuple(_index_part(p) for p in index)
    return _index_part(index)


def _index_part(p):
    if hasattr(p, "_node"):  # a Tensor
        p = p.data
    if isinstance(p, list):
        p = np.asarray(p)
    if isinstance(p, np.ndarray) and p.dtype.kind not in "iub":
        raise IndexError(f"tensors used as indices must be integer or boolean, got {p.dtype}")
    return p


class Concatenate(Function):
    """y = the inputs joined along ``axis``;  each input gets its slice of the gradient."""

    @staticmethod
    def forward(ctx, axis, *xs):
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [x.shape[axis] for x in xs])
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * (ctx.axis % g.ndim)
        b = ctx.bounds
        return (None,) + tuple(g[lead + (slice(b[i], b[i + 1]),)] for i in range(len(b) - 1))


def squeezed_shape(shape: tuple, axis) -> tuple:
    """numpy's squeeze: drop the given size-1 axes (all size-1 axes when None)."""
    if axis is None:
        return tuple(s for s in shape if s != 1)
    ndim = len(shape)
    axes = set()
    for a in (axis,) if np.ndim(axis) == 0 else axis:
        if not -ndim <= a < ndim:
            raise ValueError(f"squeeze: axis {a} is out of range for a tensor of {ndim} dims")
        axes.add(a % ndim)
    for a in axes:
        if shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} has size {shape[a]}, not 1")
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def unsqueezed_shape(shape: tuple, axis: int) -> tuple:
    n = len(shape) + 1
    if not -n <= axis < n:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for a result of {n} dims")
    axis %= n
    return shape[:axis] + (1,) + shape[axis:]
