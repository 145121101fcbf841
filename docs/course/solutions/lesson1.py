"""Lesson 1, from scalars to tensors: worked solutions."""

import numpy as np

import minigrad as mg


def micrograd_gradients() -> tuple[float, float]:
    """Exercise 1: build micrograd's second example with leaves that require grad, and read
    their .grad after one backward(). Every `c += ...` rebinds c to a new node, so c's
    earlier values stay in the graph and their gradients add up."""
    a = mg.tensor(-4.0, dtype=mg.float64, requires_grad=True)
    b = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a.grad.item(), b.grad.item()


def broadcast_gradient() -> np.ndarray:
    """Exercise 2, by hand: y = sum_ij a_i b_j, so dy/da_i = sum_j b_j = 0 + 1 + 2 + 3 = 6
    for each of the 3 rows, in a's shape (3, 1)."""
    return np.full((3, 1), 6.0)


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Exercise 3: sum away the leading axes broadcasting added, then every axis where the
    operand had size 1 (keeping it, so the result has the operand's shape)."""
    extra_axes = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra_axes)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.sum(axis=stretched, keepdims=True)
