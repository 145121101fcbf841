"""The three ways a checker ends, and the number formats its messages use."""

from __future__ import annotations

import numpy as np


def right(message: str) -> bool:
    print(f"Right: {message}")
    return True


def wrong(message: str) -> bool:
    print(f"Not yet: {message}")
    return False


def not_done(what_to_do: str) -> bool:
    """The learner cell still holds its placeholder (None, or a stub returning None)."""
    print(f"Not done yet: {what_to_do}")
    return False


def show(value, digits: int = 4) -> str:
    """A number or an array as a message prints it: 4 significant digits unless told, no
    dtype."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.{digits}g}"
    return np.array2string(
        array, separator=", ", formatter={"float_kind": lambda x: f"{x:.{digits}g}"}
    )


def same(answer, truth, tol: float = 1e-6) -> bool:
    """Same shape and the same values, up to a tolerance relative to the truth's size."""
    answer, truth = np.asarray(answer, dtype=float), np.asarray(truth, dtype=float)
    return answer.shape == truth.shape and np.allclose(answer, truth, rtol=tol, atol=tol)
