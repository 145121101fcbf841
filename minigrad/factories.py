"""Tensor factories: zeros, ones, full, randn, rand, arange, eye, tensor, and, with
PyTorch's names, randint, randperm and from_numpy."""

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


def randint(low: int, high: int | None = None, size=None) -> Tensor:
    """``randint(low, high, size)`` or, as PyTorch also allows, ``randint(high, size)``:
    int64 integers drawn uniformly from [low, high) (low = 0 when only high is given)
    by minigrad's global generator. ``size`` is an int or a tuple."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=size)
        low, high = 0, low
    if size is None:
        raise TypeError("randint: size is required, e.g. randint(0, 10, (3,))")
    if not (isinstance(low, numbers.Integral) and isinstance(high, numbers.Integral)):
        raise TypeError(f"randint: low and high must be ints, got {low!r} and {high!r}")
    if not low < high:
        raise ValueError(f"randint: low must be less than high, got low={low}, high={high}")
    return Tensor(random.get_rng().integers(low, high, _shape(size), dtype=np.int64))


def randperm(n: int) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1 (int64), from minigrad's global
    generator: ``x[mg.randperm(len(x))]`` shuffles the rows of x."""
    if not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"randperm: n must be an int >= 0, got {n!r}")
    return Tensor(random.get_rng().permutation(int(n)).astype(np.int64, copy=False))


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor that shares ``array``'s memory and keeps its dtype, as PyTorch's: a
    change to one shows in the other. (``mg.tensor(array)`` also keeps the dtype.)"""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"from_numpy: expected a numpy array, got a {type(array).__name__} "
            "(mg.tensor(data) makes a Tensor from other data)"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"from_numpy: a Tensor holds bool, integer or float values, got dtype {array.dtype}"
        )
    return Tensor(array)
