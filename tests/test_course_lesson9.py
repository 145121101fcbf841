"""Lesson 9 of the course (docs/course/09_forward_and_reverse_mode.ipynb): its checkers,
and what the lesson says about forward and reverse mode.

Checkers: each accepts its worked solution (docs/course/solutions/lesson9.py), reports
the notebook's placeholder as not done, and rejects wrong answers a learner is likely to
write with words that name the mistake. Claims: the numbers the lesson's cells print,
computed the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import func

COURSE = Path(__file__).resolve().parents[1] / "docs" / "course"
if str(COURSE) not in sys.path:
    sys.path.insert(0, str(COURSE))  # as the notebooks, which run in docs/course

from checkers import lesson9  # noqa: E402
from solutions import lesson9 as solved  # noqa: E402

UNFILLED = dict(shape=None, mode=None, passes=None)

# (checker, the worked solution as the checker's arguments, the notebook's placeholder)
EXERCISES = {
    "softplus jvp": (lesson9.check_softplus_jvp, (solved.Softplus,), (None,)),
    "jacobian costs": (lesson9.check_jacobian_costs, solved.jacobian_costs(), (UNFILLED, UNFILLED)),
    "directional derivative": (
        lesson9.check_directional_derivative,
        (solved.directional_derivative,),
        (lambda f, x, v: None,),
    ),
}


def said(capsys, check, *answer) -> tuple[bool, str]:
    result = check(*answer)
    return result, capsys.readouterr().out


@pytest.mark.parametrize("exercise", EXERCISES)
def test_checker_accepts_the_worked_solution(exercise, capsys):
    check, solution, _ = EXERCISES[exercise]
    ok, words = said(capsys, check, *solution)
    assert ok is True and words.startswith("Right: "), words


@pytest.mark.parametrize("exercise", EXERCISES)
def test_checker_says_the_placeholder_is_not_done(exercise, capsys):
    check, _, placeholder = EXERCISES[exercise]
    ok, words = said(capsys, check, *placeholder)
    assert ok is False and words.startswith("Not done yet: "), words


def test_every_checker_of_lesson9_is_exercised_here():
    defined = {name for name in dir(lesson9) if name.startswith("check_")}
    assert defined == {check.__name__ for check, _, _ in EXERCISES.values()}


def rejects(capsys, check, *answer, words: tuple[str, ...]) -> None:
    ok, printed = said(capsys, check, *answer)
    assert ok is False and printed.startswith("Not yet: "), printed
    for word in words:
        assert word in printed, f"{word!r} not in {printed!r}"


# ---- exercise 1


class SoftplusForgetsTangent(solved.Softplus):
    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return 1 - np.exp(-y)  # the slope, not multiplied by tx


class SoftplusExpSlope(solved.Softplus):
    @staticmethod
    def jvp(ctx, tx):
        (y,) = ctx.saved_tensors
        return np.expm1(y) * tx  # exp(x): the derivative of exp, not of log(1 + exp)


class SoftplusNoJvp(mg.Function):  # lesson 8's op, as it was
    forward, backward = solved.Softplus.forward, solved.Softplus.backward


class SoftplusWrongBackward(solved.Softplus):
    @staticmethod
    def backward(ctx, g):
        return g  # right jvp, wrong backward: gradcheck catches it


class SoftplusRaises(solved.Softplus):
    @staticmethod
    def jvp(ctx, tx):
        raise ValueError("not written yet")


def test_lesson9_exercise1_wrong_answers(capsys):
    check = lesson9.check_softplus_jvp
    rejects(
        capsys, check, SoftplusForgetsTangent, words=("sigmoid(x) alone", "*times* the tangent")
    )
    rejects(capsys, check, SoftplusExpSlope, words=("Yours is exp(x) · tx",))
    rejects(capsys, check, SoftplusNoJvp, words=("has no jvp", "NotImplementedError"))
    rejects(capsys, check, SoftplusWrongBackward, words=("your backward is not", "gradcheck"))
    rejects(capsys, check, SoftplusRaises, words=("raised ValueError: not written yet",))
    rejects(capsys, check, lambda x: x, words=("subclass of mg.Function",))


# ---- exercise 2


def test_lesson9_exercise2_wrong_answers(capsys):
    check = lesson9.check_jacobian_costs
    decoder, loss = solved.jacobian_costs()
    rejects(
        capsys,
        check,
        {**decoder, "shape": (3, 200)},
        loss,
        words=("(200,) + (3,) = (200, 3), not (3, 200)", "outputs first"),
    )
    rejects(
        capsys,
        check,
        {**decoder, "mode": "reverse", "passes": 200},
        loss,
        words=("for the decoder forward mode is cheaper", "n = 3 passes"),
    )
    rejects(
        capsys,
        check,
        decoder,
        {"shape": (1, 1000), "mode": "forward", "passes": 1000},
        words=("() + (50, 20) = (50, 20), not (1, 1000)", "for the loss reverse mode is cheaper"),
    )
    rejects(capsys, check, decoder, {**loss, "passes": 1000}, words=("in 1 pass(es), not 1000",))
    rejects(capsys, check, decoder, {**loss, "mode": "sideways"}, words=("'forward' or 'reverse'",))


def test_lesson9_exercise2_accepts_other_spellings_of_the_modes(capsys):
    decoder, loss = solved.jacobian_costs()
    ok, words = said(
        capsys,
        lesson9.check_jacobian_costs,
        {**decoder, "mode": "jacfwd", "shape": [200, 3]},
        {**loss, "mode": "Reverse"},
    )
    assert ok is True, words


# ---- exercise 3


def test_lesson9_exercise3_wrong_answers(capsys):
    check = lesson9.check_directional_derivative

    def the_pair(f, x, v):
        return func.jvp(f, (x,), (v,))

    def the_value(f, x, v):
        return func.jvp(f, (x,), (v,))[0]

    def along_ones(f, x, v):
        return func.jvp(f, (x,), (mg.ones(x.shape, dtype=x.dtype),))[1]

    def the_gradient(f, x, v):
        return func.grad(f)(x)

    def normalized(f, x, v):
        return func.jvp(f, (x,), (v / float(np.linalg.norm(v.numpy())),))[1]

    def crashes(f, x, v):
        return func.jvp(f, x, v)  # not tuples

    rejects(capsys, check, the_pair, words=("returned a pair", "return the second"))
    rejects(capsys, check, the_value, words=("That is f(x)",))
    rejects(capsys, check, along_ones, words=("tangent of ones",))
    rejects(capsys, check, the_gradient, words=("shape (2,)", "one number"))
    rejects(capsys, check, normalized, words=("You divided by |v|",))
    rejects(capsys, check, crashes, words=("raised TypeError",))


# ---------------------------------------------------------------------------------------
# what the lesson says


def network(n, m, hidden=16, seed=0):
    rng = np.random.default_rng(seed)
    w1 = mg.tensor(rng.standard_normal((hidden, n)) / np.sqrt(n))
    w2 = mg.tensor(rng.standard_normal((m, hidden)) / np.sqrt(hidden))
    return lambda x: (w2 @ (w1 @ x).tanh()).tanh()


def test_jacfwd_and_jacrev_give_the_same_jacobian_in_n_and_m_passes():
    forward_calls = []

    def f(x):
        forward_calls.append(1)
        return network(3, 5)(x)

    x = mg.tensor(np.array([0.5, -1.0, 2.0]))
    by_columns = func.jacfwd(f)(x)
    assert len(forward_calls) == 3  # n passes, one per input element
    by_rows = func.jacrev(f)(x)
    assert len(forward_calls) == 4  # one more forward pass, then m backward passes
    assert by_columns.shape == by_rows.shape == (5, 3)
    np.testing.assert_allclose(by_columns.numpy(), by_rows.numpy(), atol=1e-14)


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def test_the_hessian_of_rosenbrock_at_its_minimum_and_newton_from_the_usual_start():
    minimum = mg.tensor([1.0, 1.0], dtype=mg.float64)
    H = func.hessian(rosenbrock)(minimum).numpy()
    np.testing.assert_array_equal(H, [[802.0, -400.0], [-400.0, 200.0]])
    np.testing.assert_array_equal(H, func.jacrev(func.jacrev(rosenbrock))(minimum).numpy())
    _, Hv = func.hvp(rosenbrock, (minimum,), (mg.tensor([1.0, -1.0], dtype=mg.float64),))
    np.testing.assert_array_equal(Hv.numpy(), H @ [1.0, -1.0])
    p = np.array([-1.2, 1.0])
    for _ in range(6):
        here = mg.tensor(p)
        p = p - np.linalg.solve(
            func.hessian(rosenbrock)(here).numpy(), func.grad(rosenbrock)(here).numpy()
        )
    np.testing.assert_allclose(p, [1.0, 1.0], atol=1e-9)


def test_nested_jvp_does_not_confuse_perturbations():
    one = mg.tensor(1.0, dtype=mg.float64)

    def outer(x):
        _, inner = func.jvp(lambda y: x + y, (one,), (one,))
        return x * inner

    assert func.jvp(outer, (one,), (one,))[1].item() == 1.0
