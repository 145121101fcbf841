"""Worked solutions to the exercises of lesson 7, keeping training stable."""

from __future__ import annotations

import numpy as np


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Scale all gradients by one factor so that their joint L2 norm is at most max_norm:
    the update keeps its direction and only its length is capped."""
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    if total <= max_norm:
        return grads
    return [g * (max_norm / total) for g in grads]


def max_norm_rows(W: np.ndarray, c: float) -> np.ndarray:
    """Shrink every row (a unit's incoming weight vector) longer than c onto the sphere of
    radius c, in its own direction; shorter rows are left alone."""
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return np.where(norms > c, W * (c / norms), W)


def huber(r: np.ndarray, delta: float) -> np.ndarray:
    """r²/2 near 0 (like the squared error), δ(|r| − δ/2) beyond δ (like the absolute
    error); the − δ/2 makes the two pieces meet with the same value and slope at |r| = δ."""
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))
