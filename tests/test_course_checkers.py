"""The course's checkers (docs/course/checkers/): each accepts its worked solution
(docs/course/solutions/), reports the notebook's placeholder as not done, and rejects a
wrong answer, a common mistake where there is one, with words that name the mistake."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg

COURSE = Path(__file__).resolve().parents[1] / "docs" / "course"
sys.path.insert(0, str(COURSE))  # as in a notebook, whose kernel starts in docs/course

from checkers import lesson1, lesson2, lesson3, lesson4, lesson8  # noqa: E402
from solutions import lesson1 as solved1  # noqa: E402
from solutions import lesson2 as solved2  # noqa: E402
from solutions import lesson3 as solved3  # noqa: E402
from solutions import lesson4 as solved4  # noqa: E402
from solutions import lesson8 as solved8  # noqa: E402


def verdict(capsys, check, answer) -> tuple[bool, str]:
    """What a check cell shows: the checker's return value and the words it printed."""
    result = check(answer)
    return result, capsys.readouterr().out


# (checker, worked solution, the placeholder its learner cell starts with)
EXERCISES = [
    (lesson1.check_micrograd_gradients, solved1.micrograd_gradients(), None),
    (lesson1.check_broadcast_gradient, solved1.broadcast_gradient(), None),
    (lesson1.check_unbroadcast, solved1.unbroadcast, lambda grad, shape: None),
    (lesson2.check_fan_out, solved2.fan_out_contributions(), None),
    (lesson2.check_neuron_gradients, solved2.neuron_gradients(), None),
    (lesson3.check_abs_backward, solved3.abs_backward, lambda x, g: None),
    (lesson3.check_max_ties, solved3.max_ties_gradient(), None),
    (lesson3.check_prox_step, solved3.prox_l1_step, lambda w, grad, lr, lam: None),
    (lesson4.check_distances, solved4.distances(), None),
    (lesson4.check_elastic_net_diagonal, solved4.elastic_net_diagonal(), None),
    (lesson4.check_nearest_point_in_diamond, solved4.nearest_point_in_diamond(), None),
    (lesson8.check_softplus, solved8.Softplus, None),
    (lesson8.check_silu, solved8.SiLU, None),
    (lesson8.check_hypot, solved8.Hypot, None),
]
NAMES = [check.__name__ for check, _, _ in EXERCISES]


@pytest.mark.parametrize(("check", "solution", "placeholder"), EXERCISES, ids=NAMES)
def test_each_checker_accepts_the_worked_solution(capsys, check, solution, placeholder):
    ok, words = verdict(capsys, check, solution)
    assert ok is True and words.startswith("Right: "), words


@pytest.mark.parametrize(("check", "solution", "placeholder"), EXERCISES, ids=NAMES)
def test_each_checker_says_the_placeholder_is_not_done_without_raising(
    capsys, check, solution, placeholder
):
    ok, words = verdict(capsys, check, placeholder)
    assert ok is False and words.startswith("Not done yet: "), words


def test_every_checker_of_the_five_lessons_is_exercised_here():
    defined = {
        name
        for module in (lesson1, lesson2, lesson3, lesson4, lesson8)
        for name in dir(module)
        if name.startswith("check_")
    }
    assert defined == set(NAMES)


# ---- wrong answers, one or more per exercise, and the words that must name the mistake


def rejects(capsys, check, answer, *words: str) -> None:
    ok, said = verdict(capsys, check, answer)
    assert ok is False and said.startswith("Not yet: "), said
    for word in words:
        assert word in said, f"{word!r} not in {said!r}"


def test_lesson1_wrong_answers(capsys):
    rejects(capsys, lesson1.check_micrograd_gradients, (0.0, 645.577), "dg/da is 0", "138.8")
    forgot_to_sum = np.tile(np.arange(4.0), (3, 1))  # the (3, 4) product's gradient
    rejects(capsys, lesson1.check_broadcast_gradient, forgot_to_sum, "shape (3, 4)", "summed back")
    rejects(
        capsys, lesson1.check_broadcast_gradient, np.full((3, 1), 4.0), "[4, 4, 4]", "[6, 6, 6]"
    )

    def sums_only_leading_axes(grad, shape):
        return grad.sum(axis=tuple(range(grad.ndim - len(shape))))

    rejects(capsys, lesson1.check_unbroadcast, sums_only_leading_axes, "returns shape (3, 4)")
    rejects(capsys, lesson1.check_unbroadcast, lambda grad, shape: grad.reshape(-1)[99], "raised")


def test_lesson2_wrong_answers(capsys):
    rejects(
        capsys, lesson2.check_fan_out, [6.0, 3.0], "2 contributions adding up to 9", "sends x 3"
    )
    rejects(capsys, lesson2.check_fan_out, [4.0, 4.0, 4.0], "the count is right")
    x1, x2, w1, w2 = (lesson2.NEURON[name] for name in ("x1", "x2", "w1", "w2"))
    no_tanh = {"x1": w1, "w1": x1, "x2": w2, "w2": x2, "b": 1.0}  # the Muls' rules alone
    rejects(capsys, lesson2.check_neuron_gradients, no_tanh, "skipped the tanh", "1 - o**2 = 0.18")
    tanh_slope = 1 - np.tanh(x1 * w1 + x2 * w2 + lesson2.NEURON["b"]) ** 2
    swapped = {**solved2.neuron_gradients(), "x1": tanh_slope * x1}  # x1 times the slope
    rejects(capsys, lesson2.check_neuron_gradients, swapped, "*other* input")


def test_lesson3_wrong_answers(capsys):
    def right_slope_at_zero(x, g):
        return np.where(x >= 0, 1.0, -1.0) * g

    rejects(
        capsys,
        lesson3.check_abs_backward,
        right_slope_at_zero,
        "your backward gives 1 at x = 0; the subgradient table says 0",
    )
    rejects(capsys, lesson3.check_abs_backward, lambda x, g: np.sign(x), "should be sign(x) * g")
    rejects(capsys, lesson3.check_max_ties, np.array([0.0, 1.0, 0.0, 0.0]), "first tied element")
    rejects(capsys, lesson3.check_max_ties, np.array([0.0, 1.0, 1.0, 0.0]), "adds up to 2")

    def threshold_only(w, grad, lr, lam):
        return lesson3.soft_threshold(w, lr * lam)

    def subgradient_step(w, grad, lr, lam):
        return w - lr * (grad + lam * np.sign(w))

    def threshold_by_lam(w, grad, lr, lam):
        return lesson3.soft_threshold(w - lr * grad, lam)

    rejects(capsys, lesson3.check_prox_step, threshold_only, "first take the gradient step")
    rejects(capsys, lesson3.check_prox_step, subgradient_step, "subgradient step")
    rejects(capsys, lesson3.check_prox_step, threshold_by_lam, "lr * lam = 0.2")


def test_lesson4_wrong_answers(capsys):
    rejects(capsys, lesson4.check_distances, (7.0, 25.0, 4.0), "squared distance", "5")
    rejects(capsys, lesson4.check_distances, (5.0, 5.0, 4.0), "L1 distance is 5", "gives 7")

    rejects(capsys, lesson4.check_elastic_net_diagonal, 0.5, "L1 diamond")
    rejects(capsys, lesson4.check_elastic_net_diagonal, np.sqrt(0.5), "L2 circle")
    rejects(capsys, lesson4.check_elastic_net_diagonal, 0.6, "the penalty is 0.96")
    c = np.array(lesson4.OUTSIDE)
    rejects(
        capsys,
        lesson4.check_nearest_point_in_diamond,
        c / np.linalg.norm(c),
        "nearest point of the L2 ball",
    )
    rejects(capsys, lesson4.check_nearest_point_in_diamond, (0.5, 0.5), "Try the corners")


class SoftplusForgotG(mg.Function):
    """A backward that forgets to multiply by the incoming gradient: right only for g = 1,
    so a plain .backward() of the sum cannot tell; half the incoming gradient at x = 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 0.5 * g  # the slope at 0, everywhere


class SiLUSavedSigmoid(mg.Function):
    """Right first derivative; sigmoid(x) saved in forward is a constant to the second pass."""

    @staticmethod
    def forward(ctx, x):
        s = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return g * (s + x * s * (1 - s))


class HypotSwapped(mg.Function):
    @staticmethod
    def forward(ctx, a, b):
        r = np.sqrt(a * a + b * b)
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, b, r = ctx.saved_tensors
        return g * a / r, g * a / r  # b's gradient copied from a's


def test_lesson8_wrong_answers(capsys):
    rejects(
        capsys,
        lesson8.check_softplus,
        SoftplusForgotG,
        "your backward is 0.5 at x = -3; it should be 0.04743",
    )
    rejects(
        capsys,
        lesson8.check_silu,
        SiLUSavedSigmoid,
        "your second derivative is",
        "a constant to the second pass",
    )
    rejects(capsys, lesson8.check_silu, solved8.Softplus, "your value is")
    rejects(
        capsys,
        lesson8.check_hypot,
        HypotSwapped,
        "the gradient for b is wrong",
        "(3, 4) yours is 0.6, the truth 0.8",
    )


def test_a_learner_op_that_raises_is_reported_not_raised(capsys):
    class Broken(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            raise ValueError("not written yet")

    rejects(capsys, lesson8.check_softplus, Broken, "raised ValueError: not written yet")
