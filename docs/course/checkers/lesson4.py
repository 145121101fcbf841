"""Checkers for lesson 4, norms and unit balls."""

from __future__ import annotations

import numpy as np

import minigrad as mg

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


SPHERE_CASES = [
    ((1.0, 1.0), 1),
    ((3.0, -1.0), 2),
    ((0.0, 2.0), 1),
    ((-1.0, 0.5), INF),
    ((2.0, 1.0), INF),
    ((1.0, 2.0), 1.5),
]


def check_unit_sphere_point(unit_sphere_point) -> bool:
    """``unit_sphere_point(direction, p)``: the point of the unit sphere ||w||_p = 1 in the
    given direction (a positive multiple of it)."""
    for direction, order in SPHERE_CASES:
        case = f"for direction {direction} and p = {order}"
        try:
            yours = unit_sphere_point(np.array(direction), order)
        except Exception as error:  # the learner's code: report it, do not stop the notebook
            return wrong(f"{case} your function raised {type(error).__name__}: {error}")
        if yours is None:
            return not_done("unit_sphere_point returns None; make it return a 2-vector.")
        yours = np.asarray(yours, dtype=float)
        d = mg.tensor(direction, dtype=mg.float64)
        truth = (d / d.norm(p=order)).numpy()
        if np.allclose(yours, truth):
            continue
        norm_p = mg.tensor(yours).norm(p=order).item()
        if yours.shape == (2,) and np.isclose(norm_p, 1.0):
            return wrong(
                f"{case} your point {show(yours)} is on the sphere but not in that "
                "direction: scale the direction itself, by a positive number."
            )
        if yours.shape == (2,) and np.isclose(np.hypot(*yours), 1.0):
            return wrong(
                f"{case} your point {show(yours)} is on the L2 circle; its p-norm "
                f"is {show(norm_p)}, not 1: divide by the direction's p-norm."
            )
        return wrong(f"{case} yours is {show(yours)}; the point is {show(truth)}.")
    return right(f"all {len(SPHERE_CASES)} directions land on their unit spheres.")


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
