"""Module-level tensor ops: ``mg.where``, ``mg.maximum``, ``mg.minimum``,
``mg.concatenate``, ``mg.stack``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.shapes import axis_or_dim
from ..core.tensor import Tensor, as_tensor
from .elementwise import Maximum, Minimum, Where
from .shape import Concatenate


def where(cond, a, b) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcast); differentiable in a and b."""
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    return as_tensor(Where.apply(cond, a, b))


def maximum(a, b) -> Tensor:
    """Elementwise max; where a == b each side gets half of the gradient."""
    return as_tensor(Maximum.apply(a, b))


def minimum(a, b) -> Tensor:
    """Elementwise min; where a == b each side gets half of the gradient."""
    return as_tensor(Minimum.apply(a, b))


def concatenate(tensors: Sequence, axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (numpy's concatenate; PyTorch's cat)."""
    axis = axis_or_dim("concatenate", axis, dim, default=0)
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    return Concatenate.apply(int(axis), *tensors)


def stack(tensors: Sequence, axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along a new axis (numpy's stack)."""
    axis = axis_or_dim("stack", axis, dim, default=0)
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return concatenate([t.unsqueeze(axis) for t in tensors], axis=axis)
