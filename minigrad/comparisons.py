"""Functions that read tensors' values and record no graph, with PyTorch's names:
``equal``, ``allclose``, ``argmax``, ``argmin``. Each takes Tensors or arrays."""

from __future__ import annotations

import numpy as np

from .core import Tensor, as_tensor


def _values(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def equal(a, b) -> bool:
    """True when a and b have the same shape and the same values, as ``torch.equal``
    (no broadcasting; NaN equals nothing, not even NaN)."""
    return bool(np.array_equal(_values(a), _values(b)))


def allclose(a, b, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    """True when |a - b| <= atol + rtol * |b| for every element, a and b broadcast
    against each other, as ``torch.allclose`` (and ``numpy.allclose``)."""
    return bool(np.allclose(_values(a), _values(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def argmax(t, axis: int | None = None, keepdims: bool = False, *, dim=None) -> Tensor:
    """The index of the largest value along ``axis`` (or ``dim``), or in the flattened
    tensor when it is None, as an int64 Tensor with no graph; the first one on ties (as
    numpy and PyTorch): ``mg.argmax(logits, axis=1)`` is each row's predicted class."""
    return as_tensor(t).argmax(axis, keepdims, dim=dim)


def argmin(t, axis: int | None = None, keepdims: bool = False, *, dim=None) -> Tensor:
    """The index of the smallest value, as ``argmax`` finds the largest."""
    return as_tensor(t).argmin(axis, keepdims, dim=dim)
