"""Module-level tensor ops: ``mg.where``, ``mg.maximum``, ``mg.minimum``,
``mg.concatenate``, ``mg.stack``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import ops
from .tensor import Tensor


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def where(cond, a, b) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcast); differentiable in a and b."""
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    return _as_tensor(ops.Where.apply(cond, a, b))


def maximum(a, b) -> Tensor:
    """Elementwise max; where a == b each side gets half of the gradient."""
    return _as_tensor(ops.Maximum.apply(a, b))


def minimum(a, b) -> Tensor:
    """Elementwise min; where a == b each side gets half of the gradient."""
    return _as_tensor(ops.Minimum.apply(a, b))


def concatenate(tensors: Sequence, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy's concatenate)."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    return ops.Concatenate.apply(int(axis), *tensors)


def stack(tensors: Sequence, axis: int = 0) -> Tensor:
    """Join tensors along a new axis (numpy's stack)."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return concatenate([t.unsqueeze(axis) for t in tensors], axis=axis)
