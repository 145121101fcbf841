"""Worked solutions to the exercises of lesson 6, dropout and normalization."""

from __future__ import annotations

import numpy as np

EPS = 1e-5


def batch_norm(x: np.ndarray) -> np.ndarray:
    """Standardize each feature (column) over the batch (axis 0), with the biased
    variance: the mean and the variance are those of the N samples in front of us."""
    mean = x.mean(axis=0, keepdims=True)
    variance = x.var(axis=0, keepdims=True)  # ddof=0: divide by N
    return (x - mean) / np.sqrt(variance + EPS)


def layer_norm(x: np.ndarray) -> np.ndarray:
    """Standardize each sample (row) over its own features (axis -1): no other sample of
    the batch enters, so the result does not depend on the batch."""
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)  # ddof=0: divide by D, not D - 1
    return (x - mean) / np.sqrt(variance + EPS)


_rng = np.random.default_rng()


def dropout(x: np.ndarray, p: float, training: bool) -> np.ndarray:
    """Inverted dropout: keep each element with probability 1 − p and divide the kept
    ones by 1 − p, so that the expected output is x and evaluation needs no rescaling."""
    if not training or p == 0:
        return x
    keep = _rng.random(x.shape) >= p
    return x * keep / (1 - p)
