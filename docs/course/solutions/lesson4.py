"""Lesson 4, norms and unit balls: worked solutions."""

import numpy as np

import minigrad as mg


def distances() -> tuple[float, float, float]:
    """Exercise 1: (1, 7) to (4, 3) is 3 across and 4 down: L1 3 + 4, L2 sqrt(9 + 16),
    L-inf the larger of the two."""
    difference = mg.tensor([1.0, 7.0]) - mg.tensor([4.0, 3.0])
    return tuple(difference.norm(p=p).item() for p in (1, 2, float("inf")))


def unit_sphere_point(direction: np.ndarray, p: float) -> np.ndarray:
    """Exercise 2: a norm is homogeneous, ||t d|| = t ||d|| for t > 0, so d / ||d||_p has
    p-norm 1 and points the same way."""
    d = mg.tensor(direction, dtype=mg.float64)
    return (d / d.norm(p=p)).numpy()


def nearest_point_in_diamond() -> tuple[float, float]:
    """Exercise 3: c = (2.6, 0.5). The nearest point of an edge w1 + w2 = 1 is where the
    perpendicular from c meets it, (2.6 - t, 0.5 - t) with t = 1.05: (1.55, -0.55), which
    is off the edge's end (w2 < 0). So the nearest point is the edge's end, the corner."""
    return (1.0, 0.0)
