"""Dtypes are numpy dtypes; this module owns the default float dtype.

Python floats (and lists holding any float) become the default dtype, as in PyTorch;
numpy arrays keep the dtype they have.
"""

from __future__ import annotations

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)

_default_dtype = float32


def get_default_dtype() -> np.dtype:
    """The dtype given to Python floats and to the results of the float factories."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the default float dtype (``mg.float32`` or ``mg.float64``)."""
    global _default_dtype
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {dt}")
    _default_dtype = dt


def resolve_dtype(dtype) -> np.dtype | None:
    return None if dtype is None else np.dtype(dtype)


def as_array(data, dtype=None) -> np.ndarray:
    """Turn user data into an ndarray following PyTorch's inference rules.

    numpy arrays and numpy scalars keep their dtype (no copy when none is needed);
    Python floats become the default dtype; Python ints become int64, bools bool.
    """
    if dtype is not None:
        return np.asarray(data, dtype=np.dtype(dtype))
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return arr.astype(_default_dtype, copy=False)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind in "bc":
        return arr
    raise TypeError(f"cannot make a Tensor from {type(data).__name__} (numpy dtype {arr.dtype})")
