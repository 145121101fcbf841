"""Shapes and axes: the small calculations that every op needs and none should repeat.

- ``normalize_axis``: None, an int or ints -> None or a sorted tuple of axes >= 0;
- ``axis_or_dim``: ``dim=`` (PyTorch's name) accepted wherever ``axis=`` is;
- ``reduced_size``, ``reduced_shape``, ``keep_reduced_axes``: a reduction's count,
  result shape, and its gradient with the reduced axes back as size 1;
- ``sum_to``: undo broadcasting, the one place every gradient passes (engine.py);
- ``shape_args``, ``squeezed_shape``, ``unsqueezed_shape``, ``normalize_index``:
  numpy's rules for reshape, squeeze, unsqueeze and indexing arguments.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


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


def axis_or_dim(fn: str, axis, dim, default=None):
    """The axis argument of ``fn``, given as ``axis=`` (numpy's name) or as ``dim=``
    (PyTorch's); ``default`` is ``fn``'s own default for ``axis``, which does not count
    as given. Both at once is a TypeError, as any argument given twice."""
    if dim is None:
        return axis
    axis_given = axis is not None if default is None else axis != default
    if axis_given:
        raise TypeError(
            f"{fn}() got both axis={axis!r} and dim={dim!r}: dim is PyTorch's name for "
            "numpy's axis, pass only one of them"
        )
    return dim


def reduced_size(shape: tuple, axes: tuple | None) -> int:
    """How many elements each output of a reduction over ``axes`` summarizes."""
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes)


def degrees_of_freedom(shape: tuple, axes: tuple | None, ddof: int, fn: str) -> int:
    """``n - ddof`` for a variance over ``axes``, or a ValueError when it is not positive."""
    n = reduced_size(shape, axes)
    if n - ddof <= 0:
        raise ValueError(f"{fn}: ddof={ddof} leaves no degrees of freedom for {n} values")
    return n - ddof


def reduced_shape(shape: tuple, axes: tuple | None) -> tuple:
    """The shape of a reduction over ``axes`` without keepdims."""
    return () if axes is None else tuple(s for i, s in enumerate(shape) if i not in axes)


def keep_reduced_axes(g, in_shape: tuple, axes: tuple | None, keepdims: bool):
    """A reduction's result (or gradient) with the reduced axes back as size 1, so that
    it broadcasts against the reduction's input."""
    if keepdims or not in_shape:
        return g
    if axes is None:
        return g.reshape((1,) * len(in_shape))
    return g.reshape(tuple(1 if i in axes else s for i, s in enumerate(in_shape)))


def sum_to(g, shape: tuple, op_name: str = "op"):
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``.
    Written with ``sum`` and ``reshape`` only, so it works on Tensors as well."""
    lead = g.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, g.shape[lead:])):
        raise RuntimeError(
            f"backward of {op_name} returned a gradient of shape {tuple(g.shape)} "
            f"for an input of shape {tuple(shape)}"
        )
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if g.shape != shape else g


def shape_args(shape: tuple) -> tuple:
    """``reshape(2, 3)`` and ``reshape((2, 3))`` alike."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        return tuple(shape[0])
    return tuple(shape)


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


def normalize_index(index):
    """Replace Tensors and lists inside an index by numpy arrays."""
    if isinstance(index, tuple):
        return tuple(_index_part(p) for p in index)
    return _index_part(index)


def _index_part(p):
    if hasattr(p, "_node"):  # a Tensor (this module imports none)
        p = p.data
    if isinstance(p, list):
        p = np.asarray(p)
    if isinstance(p, np.ndarray) and p.dtype.kind not in "iub":
        raise IndexError(f"tensors used as indices must be integer or boolean, got {p.dtype}")
    return p
