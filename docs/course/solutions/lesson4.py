"""Lesson 4, norms and unit balls: worked solutions."""

import numpy as np

import minigrad as mg


def distances() -> tuple[float, float, float]:
    """Exercise 1: (1, 7) to (4, 3) is 3 across and 4 down: L1 3 + 4, L2 sqrt(9 + 16),
    L-inf the larger of the two."""
    difference = mg.tensor([1.0, 7.0]) - mg.tensor([4.0, 3.0])
    return tuple(difference.norm(p=p).item() for p in (1, 2, float("inf")))


def elastic_net_diagonal() -> float:
    """Exercise 2: on w1 = w2 = a > 0, 0.5 * (2a) + 0.5 * (2a**2) = 1, so a**2 + a - 1 = 0
    and a = (sqrt(5) - 1) / 2, the golden ratio's inverse, about 0.618."""
    return (np.sqrt(5.0) - 1.0) / 2.0


def nearest_point_in_diamond() -> tuple[float, float]:
    """Exercise 3: c = (2.6, 0.5). The nearest point of an edge w1 + w2 = 1 is where the
    perpendicular from c meets it, (2.6 - t, 0.5 - t) with t = 1.05: (1.55, -0.55), which
    is off the edge's end (w2 < 0). So the nearest point is the edge's end, the corner."""
    return (1.0, 0.0)
