"""Small helpers shared by the functional modules."""

from __future__ import annotations

import numpy as np

from ..core import Tensor

REDUCTIONS = ("mean", "sum", "none")


def add_into(y: np.ndarray, b) -> np.ndarray:
    """y + b, written into ``y`` (a fresh array the caller owns) when that gives
    numpy's result anyway: no new array, same shape and dtype as ``y + b``."""
    fits = b.ndim <= y.ndim and (
        y.shape[y.ndim - b.ndim :] == b.shape  # a bias along the last axes: the usual case
        or np.broadcast_shapes(y.shape, b.shape) == y.shape
    )
    if fits and (b.dtype == y.dtype or np.result_type(y, b) == y.dtype):
        y += b
        return y
    return y + b


def check_reduction(reduction: str, fn: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of 'mean', 'sum', 'none', got {reduction!r}")


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """Elementwise losses -> their mean, their sum, or themselves ('none')."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def check_float(x: Tensor, fn: str, name: str = "input") -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be a floating-point Tensor, got dtype {x.dtype}")
