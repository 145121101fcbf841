"""Lesson 3, subgradients at the kinks: worked solutions."""

import numpy as np


def abs_backward(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Exercise 1: d|x|/dx = sign(x), and np.sign(0) is 0: the minimum-norm subgradient."""
    return np.sign(x) * g


def max_ties_gradient() -> np.ndarray:
    """Exercise 2: the two tied maxima (5 and 5) share the gradient 1 evenly."""
    return np.array([0.0, 0.5, 0.5, 0.0])


def prox_l1_step(w: np.ndarray, grad: np.ndarray, lr: float, lam: float) -> np.ndarray:
    """Exercise 3: a gradient step on the data term, then the soft threshold by lr * lam."""
    v = w - lr * grad
    return np.sign(v) * np.maximum(np.abs(v) - lr * lam, 0.0)
