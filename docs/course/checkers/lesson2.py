"""Checkers for lesson 2, watching backprop."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import viz

from .verdict import not_done, right, show, wrong

FAN_OUT_X = 3.0


def fan_out_contributions() -> list[float]:
    """What each step of the backward pass of y = (x + x) * x sends to x, from the replay."""
    x = mg.tensor(FAN_OUT_X, dtype=mg.float64, requires_grad=True)
    y = (x + x) * x
    sent = []
    for step in viz.replay(y).steps:
        for tensor, contribution in zip(step.inputs, step.contributions):
            if tensor is x:  # an op using x twice sends it two contributions
                sent.append(float(contribution))
    return sent


def check_fan_out(contributions) -> bool:
    """``contributions``: every gradient the backward pass of y = (x + x) * x sends to x,
    at x = 3, in any order."""
    if contributions is None:
        return not_done("set contributions to a list of numbers, one per arrow into x.")
    truth = sorted(fan_out_contributions())
    try:
        yours = sorted(float(c) for c in contributions)
    except (TypeError, ValueError):
        return wrong(f"contributions should be a list of numbers; got {contributions!r}.")
    if len(yours) == len(truth) and np.allclose(yours, truth):
        return right(
            f"x receives {len(truth)} contributions, {show(truth)}, which add up to "
            f"x.grad = {show(sum(truth))} = 4x at x = {show(FAN_OUT_X)}."
        )
    if len(yours) != len(truth):
        return wrong(
            f"you list {len(yours)} contributions adding up to {show(sum(yours))}; the engine "
            f"sends x {len(truth)}, one per use of x: the Add uses x twice and the Mul once."
        )
    return wrong(
        f"the count is right, the values are not: yours {show(yours)}; the replay's {show(truth)}."
    )


# a neuron with other values than micrograd's, which the lesson replays
NEURON = {"x1": 1.0, "x2": -2.0, "w1": 0.5, "w2": 1.5, "b": 1.0}


def neuron_gradients() -> tuple[dict[str, float], float]:
    """The neuron o = tanh(x1*w1 + x2*w2 + b): each input's do/d(input), and o."""
    t = {name: mg.tensor(v, dtype=mg.float64, requires_grad=True) for name, v in NEURON.items()}
    o = (t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"]).tanh()
    o.backward()
    return {name: leaf.grad.item() for name, leaf in t.items()}, o.item()


# the Mul x1 * w1 sends each input the gradient times the *other* input
PARTNER = {"x1": "w1", "w1": "x1", "x2": "w2", "w2": "x2"}


def check_neuron_gradients(grads) -> bool:
    """``grads``: a dict, input name -> do/d(input), for the neuron at NEURON."""
    if grads is None:
        return not_done("set grads to a dict such as {'x1': ..., 'w1': ..., ...}.")
    truth, o = neuron_gradients()
    missing = sorted(set(truth) - set(grads))
    if missing:
        return wrong(f"grads has no entry for {', '.join(missing)}.")
    tanh_slope = 1 - o**2
    for name, true_value in truth.items():
        yours = float(grads[name])
        if np.isclose(yours, true_value, atol=1e-6):
            continue
        message = f"your do/d{name} is {show(yours)}; the backward pass gives {show(true_value)}."
        local = NEURON.get(PARTNER.get(name), 1.0)  # what the step below the tanh multiplies by
        if np.isclose(yours, local) and not np.isclose(local, true_value):
            message += (
                f" You skipped the tanh step: its rule multiplies by 1 - o**2 = "
                f"{show(tanh_slope)} before anything reaches {name}."
            )
        elif name in PARTNER and np.isclose(yours, tanh_slope * NEURON[name]):
            message += (
                f" That is {name} times the tanh's slope: a Mul sends each input the "
                f"gradient times the *other* input, here {PARTNER[name]}."
            )
        return wrong(message)
    return right(", ".join(f"do/d{n} = {show(v)}" for n, v in truth.items()) + ".")
