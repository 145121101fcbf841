"""Checkers for lesson 9, forward and reverse mode: a ``jvp`` rule for Softplus, the shape
and the cost of two Jacobians, and a directional derivative with ``func.jvp``.

The truth comes from minigrad itself: Softplus composed from its own ops, Jacobians
built by ``func.jacfwd`` / ``func.jacrev``, and directional derivatives by reverse mode
(the gradient, dotted with the direction), so the learner's forward mode is compared
with something computed the other way.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import func
from minigrad.data import make_regression

from .verdict import NO_ANSWER, attempt, not_done, right, show, wrong

# ----------------------------------------------------------------------------------------
# exercise 1: a jvp rule for Softplus

POINTS = np.array([-3.0, -0.5, 0.0, 1.0, 4.0])
TANGENTS = np.array([2.0, -1.0, 0.5, 3.0, -2.0])  # not all 1: a rule that drops tx shows


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def check_softplus_jvp(Softplus) -> bool:
    """``Softplus``: an mg.Function with y = log(1 + exp(x)), a backward, and a static
    ``jvp(ctx, tx)`` returning sigmoid(x) * tx; checked at five points with tangents that
    are not all 1, then by ``mg.gradcheck(..., check_forward_ad=True)``."""
    if Softplus is None:
        return not_done("define class Softplus(mg.Function), with a jvp, in the cell above.")
    if not (isinstance(Softplus, type) and issubclass(Softplus, mg.Function)):
        return wrong(f"Softplus should be a subclass of mg.Function; it is {Softplus!r:.80}.")
    if Softplus.jvp is None:
        return wrong(
            "your Softplus has no jvp, so forward mode raises NotImplementedError through it. "
            "Add a static method jvp(ctx, tx) returning the output's tangent."
        )
    x = mg.tensor(POINTS.copy(), dtype=mg.float64)
    t = mg.tensor(TANGENTS.copy(), dtype=mg.float64)
    try:
        value, tangent = func.jvp(Softplus.apply, (x,), (t,))
        value, tangent = value.numpy(), tangent.numpy()
    except Exception as error:  # the learner's code: report it, do not stop the notebook
        return wrong(f"func.jvp through your Softplus raised {type(error).__name__}: {error}")
    true_value = np.logaddexp(0.0, POINTS)
    slope = _sigmoid(POINTS)
    truth = slope * TANGENTS
    bad = ~np.isclose(value, true_value, rtol=1e-9, atol=1e-12)
    if bad.any():
        i = int(np.argmax(bad))
        return wrong(
            f"your value at x = {show(POINTS[i])} is {show(value[i])}; "
            f"log(1 + exp(x)) = {show(true_value[i])}."
        )
    if not np.allclose(tangent, truth, rtol=1e-9, atol=1e-12):
        i = int(np.argmax(np.abs(tangent - truth)))
        said = (
            f"at x = {show(POINTS[i])} with tangent tx = {show(TANGENTS[i])} your jvp gives "
            f"{show(tangent[i])}; it should be sigmoid(x) · tx = {show(slope[i])} · "
            f"{show(TANGENTS[i])} = {show(truth[i])}."
        )
        if np.allclose(tangent, slope):
            said += (
                " Yours is sigmoid(x) alone: a jvp returns the derivative *times* the "
                "tangent it is given."
            )
        elif np.allclose(tangent, np.exp(POINTS) * TANGENTS):
            said += " Yours is exp(x) · tx: the derivative of log(1 + eˣ) is eˣ / (1 + eˣ)."
        elif np.allclose(tangent, true_value * TANGENTS):
            said += " Yours is y · tx, the value times the tangent; the slope is sigmoid(x)."
        return wrong(said)
    leaf = mg.tensor(POINTS.copy(), dtype=mg.float64, requires_grad=True)
    try:
        mg.gradcheck(Softplus.apply, (leaf,), check_forward_ad=True)
    except mg.GradcheckError as error:
        if "forward mode" in str(error):
            return wrong(f"mg.gradcheck(check_forward_ad=True) disagrees with your jvp: {error}")
        return wrong(f"your jvp is right, but your backward is not; mg.gradcheck says: {error}")
    except Exception as error:  # e.g. a backward that raises
        return wrong(f"mg.gradcheck through your Softplus raised {type(error).__name__}: {error}")
    return right(
        f"func.jvp gives sigmoid(x) · tx = {show(truth)} at x = {show(POINTS)}, and "
        "mg.gradcheck(Softplus.apply, (x,), check_forward_ad=True) passes: backward and "
        "forward mode both agree with finite differences."
    )


# ----------------------------------------------------------------------------------------
# exercise 2: the shape and the cost of two Jacobians

DECODER_IN, DECODER_OUT = (3,), (200,)  # f: a code of 3 numbers -> 200 outputs
LOSS_IN = (50, 20)  # g: a weight matrix -> one number

MODES = {
    "forward": "forward",
    "fwd": "forward",
    "jacfwd": "forward",
    "forward mode": "forward",
    "reverse": "reverse",
    "rev": "reverse",
    "jacrev": "reverse",
    "reverse mode": "reverse",
    "backward": "reverse",
}


def _decoder_and_loss():
    """Two small functions of those shapes, with fixed weights."""
    rng = np.random.default_rng(9)
    w_dec = mg.tensor(rng.standard_normal(DECODER_OUT + DECODER_IN))
    data = mg.tensor(rng.standard_normal((8, LOSS_IN[0])))
    target = mg.tensor(rng.standard_normal((8, LOSS_IN[1])))

    def decoder(z):
        return (w_dec @ z).tanh()

    def loss(w):
        return ((data @ w - target) ** 2).mean()

    return (decoder, mg.tensor(rng.standard_normal(DECODER_IN))), (
        loss,
        mg.tensor(rng.standard_normal(LOSS_IN)),
    )


def _truth() -> dict[str, dict]:
    """The Jacobians' shapes as minigrad's transforms return them, the cheaper mode and its
    number of passes: jacfwd one per input element, jacrev one per output element."""
    truths = {}
    for name, (fn, x) in zip(("decoder", "loss"), _decoder_and_loss()):
        out = fn(x)
        n, m = x.size, out.size
        mode = "forward" if n < m else "reverse"
        jacobian = (func.jacfwd if mode == "forward" else func.jacrev)(fn)(x)
        truths[name] = {
            "shape": jacobian.shape,
            "mode": mode,
            "passes": n if mode == "forward" else m,
            "n": n,
            "m": m,
            "in": x.shape,
            "out": out.shape,
        }
    return truths


def _problems(name: str, answer: dict, truth: dict) -> list[str]:
    problems = []
    try:
        shape = tuple(int(k) for k in answer["shape"])
    except (TypeError, ValueError):
        shape = answer["shape"]
    if shape != truth["shape"]:
        said = (
            f"the {name}'s Jacobian has shape output.shape + input.shape = {truth['out']} + "
            f"{truth['in']} = {truth['shape']}, not {shape}"
        )
        if shape == tuple(reversed(truth["shape"])) and len(shape) == 2:
            said += " (one row per output, one column per input: outputs first)"
        problems.append(said)
    mode = MODES.get(str(answer["mode"]).strip().lower())
    n, m = truth["n"], truth["m"]
    costs = f"jacfwd needs n = {n} passes (one per input element), jacrev m = {m} (one per output)"
    if mode is None:
        problems.append(
            f"the {name}'s mode should be 'forward' or 'reverse', not {answer['mode']!r}"
        )
    elif mode != truth["mode"]:
        problems.append(f"for the {name} {truth['mode']} mode is cheaper: {costs}")
    if mode == truth["mode"] and answer["passes"] != truth["passes"]:
        problems.append(
            f"{truth['mode']} mode builds the {name}'s Jacobian in {truth['passes']} "
            f"pass(es), not {answer['passes']}: {costs}"
        )
    return problems


def check_jacobian_costs(decoder, loss) -> bool:
    """``decoder`` and ``loss``: dicts with the Jacobian's ``shape``, the cheaper ``mode``
    ('forward' or 'reverse') and how many ``passes`` it takes, for f: R³ -> R²⁰⁰ and for
    g: a (50, 20) weight matrix -> one number."""
    answers = {"decoder": decoder, "loss": loss}
    for name, answer in answers.items():
        if not isinstance(answer, dict) or any(
            answer.get(key) is None for key in ("shape", "mode", "passes")
        ):
            return not_done(f"fill in shape, mode and passes in {name} (and in the other one).")
    truths = _truth()
    problems = [p for name in answers for p in _problems(name, answers[name], truths[name])]
    if problems:
        return wrong("; ".join(problems) + ".")
    d, g = truths["decoder"], truths["loss"]
    return right(
        f"the decoder's Jacobian is {d['shape']}, built by forward mode in {d['passes']} passes "
        f"(reverse mode would take {d['m']}); the loss's is {g['shape']}, the shape of the "
        f"weights, built by one backward pass (forward mode would take {g['n']})."
    )


# ----------------------------------------------------------------------------------------
# exercise 3: a directional derivative with func.jvp


def _cases():
    """(what, f, x, v): Rosenbrock's function at its usual start, along a unit direction;
    a linear model's mean squared error in its weights, along a direction of length
    ≠ 1 (the directional derivative J v is not divided by |v|)."""
    X, y = make_regression(n_samples=20, n_features=3, n_informative=3, noise=0.5, seed=0)
    X, y = mg.tensor(X, dtype=mg.float64), mg.tensor(y, dtype=mg.float64)

    def rosenbrock(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    def mse(w):
        return ((X @ w - y) ** 2).mean()

    return [
        ("Rosenbrock's function at (-1.2, 1)", rosenbrock, [-1.2, 1.0], [0.6, 0.8]),
        (
            "the mean squared error of a linear model at w = (1, 0, -1)",
            mse,
            [1.0, 0.0, -1.0],
            [1.0, -2.0, 0.5],
        ),
    ]


def _number(value):
    """The learner's result as a float, or a sentence saying why it is not one number."""
    if isinstance(value, tuple) and len(value) == 2:
        return "it returned a pair; func.jvp returns (f(x), J v): return the second"
    try:
        array = np.asarray(value.numpy() if isinstance(value, mg.Tensor) else value, dtype=float)
    except (TypeError, ValueError):
        return f"it returned {type(value).__name__}, not a number"
    if array.size != 1:
        return (
            f"it returned an array of shape {array.shape}; the directional derivative is one "
            "number, the rate of change of f along v"
        )
    return float(array.reshape(()))


def check_directional_derivative(directional_derivative) -> bool:
    """``directional_derivative(f, x, v)``: the derivative of f at x along v, J v, by one
    forward pass (``func.jvp``); compared with the gradient (reverse mode) dotted with v."""
    for what, f, x0, v0 in _cases():
        x = mg.tensor(np.array(x0), dtype=mg.float64)
        v = mg.tensor(np.array(v0), dtype=mg.float64)
        got = attempt(directional_derivative, "directional_derivative", f, x, v)
        if got is NO_ANSWER:
            return False
        got = _number(got)
        if isinstance(got, str):
            return wrong(f"for {what}, {got}.")
        gradient = func.grad(f)(x).numpy()
        truth = float(gradient @ v.numpy())
        if np.isclose(got, truth, rtol=1e-7, atol=1e-9):
            continue
        said = (
            f"for {what}, along v = {show(v.numpy())}, yours is {show(got, 6)}; the slope is "
            f"∇f(x) · v = {show(gradient, 6)} · {show(v.numpy())} = {show(truth, 6)}."
        )
        length = float(np.linalg.norm(v.numpy()))
        if np.isclose(got, f(x).item()):
            said += " That is f(x), the first result of func.jvp; J v is the second."
        elif np.isclose(got, gradient.sum()):
            said += " You pushed a tangent of ones; push v."
        elif np.isclose(got, truth / length):
            said += f" You divided by |v| = {show(length)}: J v is along v as given."
        return wrong(said)
    return right(
        "one forward pass of func.jvp gives the same slope as the gradient dotted with v, "
        "for Rosenbrock's function and for a model's loss."
    )
