"""Lesson 2, watching backprop: worked solutions, by hand (the checkers use the replay)."""

import math


def fan_out_contributions() -> list[float]:
    """Exercise 1: y = (x + x) * x at x = 3, with s = x + x = 6.
    The Mul runs first: it sends x the gradient 1 times the other input, s = 6, and sends
    s the gradient 1 times x = 3. Then the Add passes that 3 to each of its two inputs,
    which are both x. Three arrows into x: 6 + 3 + 3 = 12 = 4x."""
    x = 3.0
    s = x + x
    to_s = 1.0 * x
    return [1.0 * s, to_s, to_s]


def neuron_gradients() -> dict[str, float]:
    """Exercise 2: o = tanh(n), n = x1*w1 + x2*w2 + b. The Tanh step multiplies by
    1 - o**2; the Add passes that on unchanged; each Mul multiplies by the other input."""
    x1, x2, w1, w2, b = 1.0, -2.0, 0.5, 1.5, 1.0
    o = math.tanh(x1 * w1 + x2 * w2 + b)
    do_dn = 1 - o**2
    return {"x1": do_dn * w1, "w1": do_dn * x1, "x2": do_dn * w2, "w2": do_dn * x2, "b": do_dn}
