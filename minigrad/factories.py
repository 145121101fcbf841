"""Tensor factories: zeros, ones, full, randn, rand, arange, eye, tensor."""

from __future__ import annotations

import numbers

import numpy as np

from . import random
from .core import Tensor, dtypes


def _float_dtype(dtype) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _shape(shape) -> tuple:
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
    if not all(isinstance(s, numbers.Integral) for s in dims):
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}")
    if any(s < 0 for s in dims):
        raise ValueError(f"negative dimension in shape {shape!r}")
    return tuple(int(s) for s in dims)


def _shape_from_args(shape: tuple) -> tuple:
    """``randn(2, 3)`` and ``randn((2, 3))`` alike."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        return _shape(shape[0])
    return _shape(shape)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Same as ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(shape, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(np.zeros(_shape(shape), _float_dtype(dtype)), requires_grad)


def ones(shape, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(np.ones(_shape(shape), _float_dtype(dtype)), requires_grad)


def full(shape, value, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(np.full(_shape(shape), value, _float_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(np.zeros(t.shape, t.dtype if dtype is None else dtype), requires_grad)


def ones_like(t: Tensor, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(np.ones(t.shape, t.dtype if dtype is None else dtype), requires_grad)


def randn(*shape, requires_grad: bool = False, dtype=None) -> Tensor:
    """Standard normal samples from minigrad's global generator (``mg.manual_seed``)."""
    dt = _float_dtype(dtype)
    data = random.get_rng().standard_normal(_shape_from_args(shape), dtype=_sampling_dtype(dt))
    return Tensor(data.astype(dt, copy=False), requires_grad)


def rand(*shape, requires_grad: bool = False, dtype=None) -> Tensor:
    """Uniform samples in [0, 1) from minigrad's global generator."""
    dt = _float_dtype(dtype)
    data = random.get_rng().random(_shape_from_args(shape), dtype=_sampling_dtype(dt))
    return Tensor(data.astype(dt, copy=False), requires_grad)


def _sampling_dtype(dt: np.dtype) -> np.dtype:
    # numpy samples float32 and float64 directly; other floats go through float64
    return dt if dt in (dtypes.float32, dtypes.float64) else dtypes.float64


def arange(*args, requires_grad: bool = False, dtype=None) -> Tensor:
    """``arange(stop)``, ``arange(start, stop[, step])``: int64 when every argument is an
    int (as PyTorch), else the default float dtype."""
    if not 1 <= len(args) <= 3:
        raise TypeError(f"arange takes 1 to 3 positional arguments, got {len(args)}")
    if dtype is None:
        all_int = all(isinstance(a, numbers.Integral) for a in args)
        dtype = dtypes.int64 if all_int else dtypes.get_default_dtype()
    return Tensor(np.arange(*args, dtype=dtype), requires_grad)


def eye(n: int, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(np.eye(n, dtype=_float_dtype(dtype)), requires_grad)
