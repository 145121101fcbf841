"""Checkers for lesson 4, norms and unit balls."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import functional as F

from .verdict import not_done, right, show, wrong

INF = float("inf")
START, GOAL = (1.0, 7.0), (4.0, 3.0)


def distance(p, q, order: float) -> float:
    """The p-norm distance of two points, ||p - q||_order, with minigrad."""
    return (mg.tensor(p, dtype=mg.float64) - mg.tensor(q, dtype=mg.float64)).norm(p=order).item()


def check_distances(answer) -> bool:
    """``answer`` = (L1, L2, L-inf) distances between START and GOAL."""
    if answer is None:
        return not_done("set answer = (L1 distance, L2 distance, L-inf distance).")
    try:
        yours = [float(v) for v in answer]
    except (TypeError, ValueError):
        return wrong(f"answer should be three numbers; got {answer!r}.")
    if len(yours) != 3:
        return wrong(f"answer should be three numbers, (L1, L2, L-inf); you gave {len(yours)}.")
    truth = [distance(START, GOAL, order) for order in (1, 2, INF)]
    for name, mine, true in zip(("L1", "L2", "L-inf"), yours, truth):
        if np.isclose(mine, true):
            continue
        if name == "L2" and np.isclose(mine, true**2):
            return wrong(
                f"your L2 distance {show(mine)} is the squared distance (the kind of "
                f"number the L2 *penalty* gives); the distance is its root, {show(true)}."
            )
        return wrong(f"your {name} distance is {show(mine)}; minigrad's norm gives {show(true)}.")
    return right(
        f"L1 {show(truth[0])} >= L2 {show(truth[1])} >= L-inf {show(truth[2])}, "
        "as for any pair of points."
    )


def elastic_net_ball_on_the_diagonal(l1_ratio: float = 0.5) -> float:
    """The a > 0 where the unit ball of ``F.elastic_net_penalty`` crosses the diagonal
    w1 = w2 = a, found by bisection on the penalty itself (it grows with a)."""
    low, high = 0.0, 1.0  # the penalty of (1, 1) is 2 for every l1_ratio: above 1
    for _ in range(60):
        middle = (low + high) / 2
        point = mg.tensor([middle, middle], dtype=mg.float64)
        if F.elastic_net_penalty([point], l1_ratio=l1_ratio).item() < 1:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def check_elastic_net_diagonal(a) -> bool:
    """``a``: where the ball {elastic_net_penalty([w], l1_ratio=0.5) <= 1} meets the
    diagonal w1 = w2 = a > 0."""
    if a is None:
        return not_done("set a to a number.")
    try:
        a = float(a)
    except (TypeError, ValueError):
        return wrong(f"a should be one number; got {a!r}.")
    truth = elastic_net_ball_on_the_diagonal()
    if np.isclose(a, truth, atol=1e-4):
        return right(
            f"a = {show(truth)}: beyond the diamond's 0.5 and inside the circle's "
            f"{show(np.sqrt(0.5))}, so the sides bulge out while the corners stay."
        )
    if np.isclose(a, 0.5):
        return wrong(
            "0.5 is where the L1 diamond crosses the diagonal; the elastic net's side "
            "bulges out beyond it."
        )
    if np.isclose(a, np.sqrt(0.5)):
        return wrong(
            f"{show(a)} is where the L2 circle crosses the diagonal; the elastic net's "
            "ball lies between the diamond and the circle."
        )
    penalty = F.elastic_net_penalty([mg.tensor([a, a], dtype=mg.float64)], l1_ratio=0.5).item()
    return wrong(
        f"at w = ({show(a)}, {show(a)}) the penalty is {show(penalty)}, not 1. Solve "
        "0.5 * (|w1| + |w2|) + 0.5 * (w1**2 + w2**2) = 1 with w1 = w2 = a."
    )


OUTSIDE = (2.6, 0.5)


def nearest_point_of_diamond(c, points_per_side: int = 4000) -> np.ndarray:
    """The point of the L1 ball's boundary nearest to ``c`` (outside the ball), by measuring
    the distance to every point of a fine walk around the diamond, corners included."""
    t = np.linspace(0.0, 1.0, points_per_side, endpoint=False)
    corners = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 0)]
    sides = zip(corners, corners[1:])
    walk = np.concatenate([np.outer(1 - t, start) + np.outer(t, end) for start, end in sides])
    distances = (mg.tensor(walk) - mg.tensor(c, dtype=mg.float64)).norm(p=2, axis=1)
    return walk[int(np.argmin(distances.numpy()))]


def check_nearest_point_in_diamond(point) -> bool:
    """``point``: the point of the L1 unit ball {|w1| + |w2| <= 1} nearest to OUTSIDE."""
    if point is None:
        return not_done("set point = (w1, w2).")
    point, c = np.asarray(point, dtype=float), np.array(OUTSIDE)
    truth = nearest_point_of_diamond(c)
    if point.shape != (2,):
        return wrong(f"point should be two numbers (w1, w2); its shape is {point.shape}.")
    if np.allclose(point, truth, atol=1e-3):
        zero = int(np.sum(np.isclose(truth, 0.0)))
        return right(f"{show(truth)}: a corner of the diamond, with {zero} coordinate exactly 0.")
    if np.allclose(point, c / np.linalg.norm(c), atol=1e-3):
        return wrong(
            f"{show(point)} is c / ||c||_2, the nearest point of the L2 ball (the "
            f"circle); its L1 norm is {show(np.abs(point).sum())}: outside the diamond."
        )
    l1 = np.abs(point).sum()
    if l1 > 1 + 1e-6:
        return wrong(f"your point has L1 norm {show(l1)}: it is outside the diamond.")
    yours, best = np.linalg.norm(point - c), np.linalg.norm(truth - c)
    return wrong(
        f"your point is at distance {show(yours)} from c; the nearest point of the "
        f"diamond is at {show(best)}. Try the corners."
    )
