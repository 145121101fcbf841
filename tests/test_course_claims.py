"""The lecture notes' claims that lessons 3 and 4 of the course demonstrate, computed
again here with minigrad, independently of the notebooks' cells."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import optim

INF = float("inf")
START, GOAL = (-5.0, 4.0), (3.0, 10.0)  # lecture note 002's walk through Manhattan


def distance(p, q, order) -> float:
    return (mg.tensor(q, dtype=mg.float64) - mg.tensor(p, dtype=mg.float64)).norm(p=order).item()


def test_the_notes_walk_is_14_blocks_in_l1_and_10_in_l2():
    assert distance(START, GOAL, 1) == 14.0
    assert distance(START, GOAL, 2) == 10.0


def polyline_length(points: np.ndarray, order) -> float:
    return mg.tensor(np.diff(points, axis=0)).norm(p=order, axis=1).sum().item()


def staircases(east: int, north: int):
    """Every path of unit east and north steps from (0, 0) to (east, north)."""
    if east == 0 and north == 0:
        yield [(0, 0)]
        return
    if east:
        for path in staircases(east - 1, north):
            yield path + [(east, north)]
    if north:
        for path in staircases(east, north - 1):
            yield path + [(east, north)]


def test_many_shortest_paths_in_l1_and_one_in_l2():
    east, north = (int(g - s) for s, g in zip(START, GOAL))
    paths = [np.array(path, dtype=float) + START for path in staircases(east, north)]
    assert len(paths) == comb(east + north, north) == 3003
    straight = np.array([START, GOAL])
    # in L1 every staircase and the straight line are all shortest: 14 blocks each
    assert {polyline_length(path, 1) for path in paths} == {14.0}
    assert polyline_length(straight, 1) == 14.0
    # in L2 the straight line, 10, beats every staircase (the first one to bend is 14)
    assert polyline_length(straight, 2) == 10.0
    assert min(polyline_length(path, 2) for path in paths) == 14.0


def elastic_net(v):
    return F.elastic_net_penalty([v], l1_ratio=0.5)


def boundary_angle_at_1_0(penalty) -> float:
    """Degrees between the two sides of {penalty <= 1} where they meet at (1, 0)."""
    normals = []
    for side in (1e-9, -1e-9):
        v = mg.tensor([1.0, side], dtype=mg.float64, requires_grad=True)
        penalty(v).backward()
        normals.append(v.grad / np.linalg.norm(v.grad))
    return 180.0 - np.degrees(np.arccos(np.clip(normals[0] @ normals[1], -1, 1)))


def test_elastic_net_ball_keeps_corners_on_the_axes():
    for penalty in (elastic_net, lambda v: F.l1_penalty([v]), lambda v: F.l2_penalty([v])):
        assert penalty(mg.tensor([1.0, 0.0], dtype=mg.float64)).item() == 1.0  # same points
    assert boundary_angle_at_1_0(lambda v: F.l1_penalty([v])) == pytest.approx(90.0)
    assert boundary_angle_at_1_0(lambda v: F.l2_penalty([v])) == pytest.approx(180.0)
    # a corner, blunter than the diamond's: 180 - 2 atan(0.5 / 1.5)
    expected = 180.0 - 2 * np.degrees(np.arctan(1 / 3))
    assert boundary_angle_at_1_0(elastic_net) == pytest.approx(expected)
    assert 90.0 < expected < 180.0


def test_elastic_net_ball_bulges_between_the_diamond_and_the_circle():
    # on the diagonal (a, a): a = 0.5 for the diamond, sqrt(1/2) for the circle, and the
    # root of a**2 + a - 1 for the elastic net
    a = (np.sqrt(5.0) - 1.0) / 2.0
    assert elastic_net(mg.tensor([a, a], dtype=mg.float64)).item() == pytest.approx(1.0)
    assert 0.5 < a < np.sqrt(0.5)


def test_elastic_net_penalty_at_half_is_half_the_notes_plain_sum():
    w = mg.tensor([3.0, -4.0, 0.5], dtype=mg.float64)
    plain_sum = F.l1_penalty([w]).item() + F.l2_penalty([w]).item()  # 7.5 + 25.25
    assert plain_sum == 32.75
    assert elastic_net(w).item() == pytest.approx(plain_sum / 2)


def test_l1_penalty_gives_exact_zeros_where_l2_only_shrinks():
    targets = 1.5 * np.random.default_rng(1).standard_normal((300, 2))
    lam = 0.5
    w = mg.tensor(np.zeros_like(targets), requires_grad=True)
    steps = optim.SGD([w], lr=0.5, l1=lam)
    for _ in range(100):
        steps.zero_grad()
        (0.5 * ((w - targets) ** 2).sum()).backward()
        steps.step()
    soft_threshold = np.sign(targets) * np.maximum(np.abs(targets) - lam, 0)
    np.testing.assert_allclose(w.data, soft_threshold, atol=1e-12)
    assert np.array_equal(w.data == 0, np.abs(targets) <= lam) and (w.data == 0).sum() > 100
    ridge = targets / (1 + 2 * lam)  # the minimizer of 1/2 |w - c|^2 + lam |w|^2
    assert np.all(ridge != 0)


LR, LAM, B = 0.1, 1.0, 0.3  # the subgradient example of lesson 3 and docs/sparsity.md


def subgradient_path(b: float, steps: int = 200) -> np.ndarray:
    """Subgradient descent with autograd on (w - b)**2 / 2 + lam |w|, from w = 0."""
    w = mg.tensor(0.0, dtype=mg.float64, requires_grad=True)
    path = [0.0]
    for _ in range(steps):
        (grad,) = mg.grad(0.5 * (w - b) ** 2 + LAM * w.abs(), w)
        with mg.no_grad():
            w -= LR * grad
        path.append(w.item())
    return np.array(path)


def test_without_a_data_gradient_at_0_autograds_subgradient_stays_at_0():
    assert np.all(subgradient_path(b=0.0) == 0.0)


def test_with_a_data_term_the_weight_leaves_0_and_oscillates_in_a_band_of_lr_lam_plus_b():
    path = subgradient_path(b=B)
    assert path[1] == pytest.approx(LR * B)  # the first step already leaves the minimizer 0
    late = np.abs(path[50:])
    assert LR * LAM < late.max() <= LR * (LAM + B)  # the band is lr (lam + |b|), not lr lam
    assert np.sum(path[1:] == 0.0) == 0


def test_the_proximal_step_stays_at_exactly_0():
    w = mg.tensor(0.0, dtype=mg.float64, requires_grad=True)
    steps = optim.SGD([w], lr=LR, l1=LAM)
    for _ in range(200):
        steps.zero_grad()
        (0.5 * (w - B) ** 2).backward()
        steps.step()
        assert w.item() == 0.0
