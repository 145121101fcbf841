"""The one global random generator, used by randn, rand, dropout and layer init."""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Re-seed minigrad's global ``numpy.random.Generator``; returns it."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def get_rng() -> np.random.Generator:
    """The global generator (re-read after every ``manual_seed``)."""
    return _rng
