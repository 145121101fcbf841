"""Reductions over an axis (an int), several axes (a tuple) or all axes (None).

Each backward first puts the reduced axes back as size-1 axes (``_keep``), so that
the gradient broadcasts against the input.
"""

from __future__ import annotations

import math

import numpy as np

from ..function import Function


def normalize_axis(axis, ndim: int) -> tuple | None:
    """None, an int or a sequence of ints -> None or a sorted tuple of axes >= 0."""
    if axis is None:
        return None
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of dimension {ndim}")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(out))


def reduced_size(shape: tuple, axes: tuple | None) -> int:
    """How many elements each output of a reduction over ``axes`` summarizes."""
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes)


def _keep(g, in_shape: tuple, axes: tuple | None, keepdims: bool):
    """The reduced gradient with the reduced axes present again with size 1."""
    if keepdims or not in_shape:
        return g
    if axes is None:
        return g.reshape((1,) * len(in_shape))
    return g.reshape(tuple(1 if i in axes else s for i, s in enumerate(in_shape)))


class Sum(Function):
    """y = sum of x over axes;  dy/dx = 1 for every summed element."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return np.broadcast_to(g, ctx.in_shape), None, None


class Mean(Function):
    """y = sum of x over axes / n;  dy/dx = 1/n."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        ctx.n = reduced_size(x.shape, axes)
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        return np.broadcast_to(g / ctx.n, ctx.in_shape), None, None


class _Extremum(Function):
    """Shared rule of Max and Min: the gradient goes to the extreme element, split
    evenly among the elements that tie for it."""

    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x, axes, keepdims):
        if x.size == 0:
            raise ValueError(f"{cls.__name__.lower()} of an empty tensor")
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        y = cls.reduce(x, axis=axes, keepdims=True)
        hit = x == y
        ctx.save_for_backward(hit / hit.sum(axis=axes, keepdims=True).astype(x.dtype))
        return y if keepdims else y.reshape(_reduced_shape(x.shape, axes))

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved_tensors
        return _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims) * share, None, None


def _reduced_shape(shape: tuple, axes: tuple | None) -> tuple:
    return () if axes is None else tuple(s for i, s in enumerate(shape) if i not in axes)


class Max(_Extremum):
    """y = max of x over axes (values only, like torch.amax)."""

    reduce = staticmethod(np.max)


class Min(_Extremum):
    """y = min of x over axes (values only, like torch.amin)."""

    reduce = staticmethod(np.min)


class LogSumExp(Function):
    """y = log(sum(exp(x))) = m + log(sum(exp(x - m))) with m = max(x), which keeps
    exp from overflowing;  dy/dx = exp(x - y) (the softmax)."""

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        m = np.max(x, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf) stays exact
        with np.errstate(divide="ignore"):
            y = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        y = y if keepdims else y.reshape(_reduced_shape(x.shape, axes))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        y = _keep(y, ctx.in_shape, ctx.axes, ctx.keepdims)
        return _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims) * np.exp(x - y), None, None


class PNorm(Function):
    """y = (sum |x|**p)**(1/p) for 1 < p < inf;  dy/dx = sign(x) |x|**(p-1) / y**(p-1),
    taken as 0 where y == 0 (an all-zero vector: the minimum-norm subgradient)."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdims):
        ctx.in_shape, ctx.axes, ctx.keepdims, ctx.p = x.shape, axes, keepdims, p
        ax = np.abs(x)
        if p == 2:
            y = np.sqrt((x * x).sum(axis=axes, keepdims=keepdims))
        else:
            # scale by the largest entry so that |x|**p neither overflows nor underflows
            top = np.max(ax, axis=axes, keepdims=True)
            safe_top = np.where(top > 0, top, 1)
            y = (((ax / safe_top) ** p).sum(axis=axes, keepdims=True)) ** (1 / p) * safe_top
            y = y if keepdims else y.reshape(_reduced_shape(x.shape, axes))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        p = ctx.p
        y = _keep(y, ctx.in_shape, ctx.axes, ctx.keepdims)
        g = _keep(g, ctx.in_shape, ctx.axes, ctx.keepdims)
        safe_y = np.where(y == 0, 1, y)
        if p == 2:
            return g * x / safe_y, None, None, None
        return g * np.sign(x) * (np.abs(x) / safe_y) ** (p - 1), None, None, None
