"""The words every checker of the course ends with, and what it does before it compares.

A checker ends in one of three ways, each one printed sentence and a return value:
``right`` ("Right: ...", True), ``wrong`` ("Not yet: ...", False) and ``not_done``
("Not done yet: ...", False, for an exercise still holding its placeholder). It never
raises on a learner's answer: the notebook must run top to bottom with the exercises
unsolved, and a sentence teaches more than a traceback.

When the answer is a function, ``attempt`` calls it and turns a stub (None) or an
exception into one of those sentences; ``as_array`` checks what it returned. ``show``
formats the numbers the sentences quote; ``same`` compares an answer with the truth.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# what ``attempt`` returns when there is no answer to compare; the verdict is printed
NO_ANSWER = object()


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
    dtype, and 0 for -0.0."""
    array = np.asarray(value, dtype=float) + 0.0  # + 0.0 turns -0.0 into 0.0
    if array.ndim == 0:
        return f"{float(array):.{digits}g}"
    return np.array2string(
        array, separator=", ", formatter={"float_kind": lambda x: f"{x:.{digits}g}"}
    )


def same(answer, truth, tol: float = 1e-6) -> bool:
    """Same shape and the same values, up to a tolerance relative to the truth's size."""
    answer, truth = np.asarray(answer, dtype=float), np.asarray(truth, dtype=float)
    return answer.shape == truth.shape and np.allclose(answer, truth, rtol=tol, atol=tol)


def attempt(fn: Any, name: str, *args: Any) -> Any:
    """``fn(*args)``, or ``NO_ANSWER`` after saying why there is no answer to check: ``fn``
    is still None, is not a function, returned None, or raised.

    Arrays passed in are copies, so that a learner's function that writes into its
    input cannot change what the checker compares against.
    """
    if fn is None:
        not_done(f"{name} is still None. Write it and run the check again.")
        return NO_ANSWER
    if not callable(fn):
        wrong(f"{name} should be a function; it is a {type(fn).__name__}.")
        return NO_ANSWER
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        result = fn(*copies)
    except Exception as error:  # the learner's bug, reported in words
        wrong(f"your {name} raised {type(error).__name__}: {error}")
        return NO_ANSWER
    if result is None:
        not_done(f"{name} still returns None. Write it and run the check again.")
        return NO_ANSWER
    return result


def as_array(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """``value`` as a float array of ``shape``, or None after saying what is wrong."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        wrong(f"{name} should give numbers; it gave {type(value).__name__} {value!r:.80}.")
        return None
    if array.shape != shape:
        wrong(f"{name} gives an array of shape {array.shape}; it should have shape {shape}.")
        return None
    return array
