"""Where the data helpers get their randomness from."""

from __future__ import annotations

import numpy as np


def generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a given seed; minigrad's global generator for ``None``.

    Drawing from the global generator when no seed is given makes ``mg.manual_seed(s)``
    reproduce a whole script, data shuffling included. A ``Generator`` passed as ``seed``
    is used as is (``default_rng`` returns it unchanged).
    """
    if seed is not None:
        return np.random.default_rng(seed)
    try:
        from minigrad.random import get_rng
    except ImportError:  # data helpers used without the autodiff core
        return np.random.default_rng()
    return get_rng()


def check_count(value: object, name: str, minimum: int) -> int:
    """``value`` as an ``int >= minimum``, or a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)
