"""What every checker of lessons 5-7 does before it compares anything: notice an exercise
still left as its stub, and turn a learner's exception into a sentence, not a traceback.

A checker never raises on a learner's answer: the notebook must run top to bottom with
the exercises unsolved, and a message in words teaches more than a stack trace.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# returned by ``attempt`` when the learner's code raised or gave None: the checker stops
NO_ANSWER = object()


def not_done(name: str, what: str = "still returns None") -> bool:
    """Say that the exercise is still the stub; returns False."""
    print(f"Not done yet: {name} {what}. Write it and run the check again.")
    return False


def attempt(fn: Any, name: str, *args: Any) -> Any:
    """``fn(*args)``, or ``NO_ANSWER`` after saying why there is no answer to check.

    Arrays passed in are copies, so that a learner's function that writes into its
    input cannot change what the checker compares against.
    """
    if not callable(fn):
        if fn is None:
            not_done(name, "is still None")
            return NO_ANSWER
        print(f"{name} should be a function; it is a {type(fn).__name__}.")
        return NO_ANSWER
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        result = fn(*copies)
    except Exception as error:  # the learner's bug, reported in words
        print(f"Your {name} raised {type(error).__name__}: {error}")
        return NO_ANSWER
    if result is None:
        not_done(name)
        return NO_ANSWER
    return result


def as_array(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """``value`` as a float array of ``shape``, or None after saying what is wrong."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        print(f"{name} should give numbers; it gave {type(value).__name__} {value!r:.80}.")
        return None
    if array.shape != shape:
        print(f"{name} gives an array of shape {array.shape}; it should have shape {shape}.")
        return None
    return array


def verdict(ok: bool, right: str = "", wrong: str = "") -> bool:
    """Print the closing sentence of a check and return ``ok``."""
    ok = bool(ok)  # a numpy bool from a comparison prints and tests as a plain one
    print(("Right: " + right) if ok else ("Not yet: " + wrong).rstrip())
    return ok


def fmt(x: Any) -> str:
    """A number or an array, short enough for a sentence."""
    shown = np.asarray(x, dtype=float) + 0.0  # + 0.0 turns -0.0 into 0.0
    return np.array2string(shown, precision=4, suppress_small=True)
