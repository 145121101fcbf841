"""Second (and third) derivatives: the same backward rules, run with create_graph=True.

Closed forms first, then gradgradcheck (finite differences of the first derivative) on
a table of ops, then a Hessian-vector product of a small network, then user-defined
Functions.
"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F


def second_derivative(fn, x: mg.Tensor) -> np.ndarray:
    """d^2 sum(fn(x)) / dx^2, elementwise (fn acts elementwise, so the Hessian is diagonal)."""
    (g,) = mg.grad(fn(x).sum(), x, create_graph=True)
    assert g.requires_grad
    (h,) = mg.grad(g.sum(), x)
    return h.data


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name, function of a Tensor, its second derivative on numpy arrays
CLOSED_FORMS = [
    ("tanh", lambda x: x.tanh(), lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (
        "sigmoid",
        lambda x: x.sigmoid(),
        lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
    ),
    ("exp", lambda x: x.exp(), np.exp),
    ("cube", lambda x: x**3, lambda x: 6 * x),
    ("log", lambda x: (x * x).log(), lambda x: -2 / x**2),
    ("sqrt", lambda x: (x * x + 1).sqrt(), lambda x: (x * x + 1) ** -1.5),
    ("reciprocal", lambda x: 1 / x, lambda x: 2 / x**3),
]


@pytest.mark.parametrize("fn, d2", [c[1:] for c in CLOSED_FORMS], ids=[c[0] for c in CLOSED_FORMS])
def test_second_derivative_matches_closed_form(fn, d2):
    x = mg.tensor([-1.3, -0.4, 0.7, 2.1], dtype=mg.float64, requires_grad=True)
    np.testing.assert_allclose(second_derivative(fn, x), d2(x.data), rtol=1e-10)


def test_mixed_second_derivatives_of_a_product():
    """f = x * y**2: d2f/dx dy = 2y, d2f/dy2 = 2x, d2f/dx2 = 0."""
    x = mg.tensor(1.5, dtype=mg.float64, requires_grad=True)
    y = mg.tensor(-2.0, dtype=mg.float64, requires_grad=True)
    fx, fy = mg.grad(x * y * y, [x, y], create_graph=True)
    assert fx.item() == 4.0 and fy.item() == -6.0
    # fx and fy share nodes: keep them for the second call
    fxx, fxy = mg.grad(fx, [x, y], retain_graph=True, allow_unused=True)
    fyx, fyy = mg.grad(fy, [x, y])
    assert fxx is None  # fx = y**2 does not involve x
    assert fxy.item() == fyx.item() == -4.0
    assert fyy.item() == 3.0


def test_third_derivative_of_a_power():
    x = mg.tensor([0.5, 2.0], dtype=mg.float64, requires_grad=True)
    (d1,) = mg.grad((x**4).sum(), x, create_graph=True)
    (d2,) = mg.grad(d1.sum(), x, create_graph=True)
    (d3,) = mg.grad(d2.sum(), x)
    np.testing.assert_allclose(d3.data, 24 * x.data)


def test_gradient_penalty_backpropagates_through_the_gradient():
    """backward() on a function of a create_graph gradient: d/dx sum((3x^2)^2) = 36 x^3."""
    x = mg.tensor([1.0, -2.0], dtype=mg.float64, requires_grad=True)
    (g,) = mg.grad((x**3).sum(), x, create_graph=True)
    (g * g).sum().backward()
    np.testing.assert_allclose(x.grad, 36 * x.data**3)


def test_gradient_without_create_graph_has_no_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = mg.grad((x**3).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


# gradgradcheck: finite differences of the first derivative, for a sample of every kind
# of rule (saved inputs, saved outputs, masks, scatter, broadcasting, reductions)
# fmt: off
SECOND_ORDER = [
    ("mul broadcast",    lambda a, b: a * b,                      [(2, 3), (3,)]),
    ("div",              lambda a, b: a / (b * b + 1),            [(2, 3), (2, 3)]),
    ("pow both",         lambda a, b: (a * a + 1) ** b,           [(3,), (3,)]),
    ("matmul batched",   lambda a, b: a @ b,                      [(2, 2, 3), (3, 2)]),
    ("matmul 1-D",       lambda a, b: a @ b,                      [(3,), (3, 2)]),
    ("exp log sqrt",     lambda x: (x.exp() + 1).log().sqrt(),    [(2, 3)]),
    ("tanh sigmoid",     lambda x: x.tanh() * x.sigmoid(),        [(2, 3)]),
    ("logsumexp",        lambda x: x.logsumexp(axis=1),           [(2, 3)]),
    ("norm p=2",         lambda x: x.norm(axis=0, keepdims=True), [(2, 3)]),
    ("norm p=3",         lambda x: x.norm(3),                     [(2, 3)]),
    ("var std",          lambda x: x.var(axis=1) + x.std(ddof=1), [(2, 3)]),
    ("mean sum",         lambda x: x.mean(axis=0) * x.sum(),      [(2, 3)]),
    ("max times x",      lambda x: x.max(axis=1, keepdims=True) * x, [(2, 3)]),
    ("index repeats",    lambda x: x[np.array([0, 0, 1])] ** 2,   [(3,)]),
    ("bool mask",        lambda x: x[x.data > 0] ** 3,            [(2, 3)]),
    ("where",            lambda x: mg.where(x > 0, x * x, x**3),  [(2, 3)]),
    ("maximum",          lambda a, b: mg.maximum(a, b) * a,       [(2, 3), (3,)]),
    ("concatenate",      lambda a, b: mg.concatenate([a * b, b * b]), [(2,), (2,)]),
    ("stack",            lambda a, b: mg.stack([a * b, a], axis=1), [(2,), (2,)]),
    ("shape ops",        lambda x: (x.T.reshape(6) * x.flatten()).unsqueeze(0), [(2, 3)]),
    ("broadcast_to",     lambda x: x.broadcast_to((2, 3)) * x,    [(3,)]),
    ("relu abs clip",    lambda x: x.relu() * abs(x) * x.clip(-0.5, 0.5), [(2, 3)]),
]
# fmt: on


@pytest.mark.parametrize(
    "fn, shapes", [c[1:] for c in SECOND_ORDER], ids=[c[0] for c in SECOND_ORDER]
)
def test_gradgradcheck(fn, shapes, rng):
    inputs = [mg.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert mg.gradgradcheck(fn, inputs)


def two_layer(w1: mg.Tensor, w2: mg.Tensor, x: np.ndarray, y: np.ndarray) -> mg.Tensor:
    hidden = (x @ w1).tanh()
    return ((hidden @ w2 - y) ** 2).mean()


def test_hessian_vector_product_matches_finite_differences_of_gradients(rng):
    x, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    w1 = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w2 = mg.tensor(rng.standard_normal(4), requires_grad=True)
    v1, v2 = rng.standard_normal((3, 4)), rng.standard_normal(4)

    g1, g2 = mg.grad(two_layer(w1, w2, x, y), [w1, w2], create_graph=True)
    hv1, hv2 = mg.grad((g1 * v1).sum() + (g2 * v2).sum(), [w1, w2])

    def gradient_at(step: float) -> list[np.ndarray]:
        a = mg.tensor(w1.data + step * v1, requires_grad=True)
        b = mg.tensor(w2.data + step * v2, requires_grad=True)
        return [g.data for g in mg.grad(two_layer(a, b, x, y), [a, b])]

    eps = 1e-5
    (p1, p2), (m1, m2) = gradient_at(eps), gradient_at(-eps)
    np.testing.assert_allclose(hv1.data, (p1 - m1) / (2 * eps), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(hv2.data, (p2 - m2) / (2 * eps), rtol=1e-6, atol=1e-9)


def issue_20_program(x0: mg.Tensor, x1: np.ndarray, w: float) -> mg.Tensor:
    """relu, a batched matmul, softmax, var over a tuple of axes, swapaxes, norm p=1.5."""
    c = F.softmax(x0.relu() @ x1, axis=2)
    spread = c.var(axis=(-2, 2), keepdims=True).swapaxes(0, -1)
    return (spread.norm(p=1.5, axis=(0, 1, -1)) * w).sum()


def test_hessian_vector_product_is_finite_where_a_norm_p_1_5_meets_a_zero_variance(rng):
    """Issue 20. The first batch of x0 is negative, so relu zeros it, its softmax is
    uniform and its variance exactly 0: a zero entry of norm(p=1.5), where the second
    derivative is inf. Nothing depends on that batch near x0, so the Hessian-vector
    product is finite (it was all nan: the entry's 0 * inf reached every entry through
    the norm's value y), 0 on that batch, and what finite differences give."""
    x0 = rng.standard_normal((2, 3, 4))
    x0[0] = -np.abs(x0[0])
    x1, w, v = rng.standard_normal((2, 4, 2)), rng.standard_normal(), rng.standard_normal(x0.shape)

    x = mg.tensor(x0, requires_grad=True)
    (g,) = mg.grad(issue_20_program(x, x1, w), x, create_graph=True)
    (hv,) = mg.grad((g * v).sum(), x)

    def gradient_at(step: float) -> np.ndarray:
        shifted = mg.tensor(x0 + step * v, requires_grad=True)
        return mg.grad(issue_20_program(shifted, x1, w), shifted)[0].data

    eps = 1e-5
    np.testing.assert_array_equal(hv.data[0], 0.0)
    np.testing.assert_allclose(
        hv.data, (gradient_at(eps) - gradient_at(-eps)) / (2 * eps), rtol=1e-6, atol=1e-9
    )
    assert mg.gradgradcheck(lambda t: issue_20_program(t, x1, w), [x])


class Cube(mg.Function):
    """y = x**3 with a backward written with operators: differentiable again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * g * x * x


class Softplus(mg.Function):
    """y = log(1 + exp(x)); backward with numpy functions, which dispatch to minigrad."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + np.exp(-x))


def test_user_function_with_operator_backward_is_differentiable_twice():
    x = mg.tensor([-1.5, 0.5, 2.0], dtype=mg.float64, requires_grad=True)
    np.testing.assert_allclose(second_derivative(Cube.apply, x), 6 * x.data)
    assert mg.gradgradcheck(Cube.apply, (x,))


def test_user_function_with_numpy_backward_is_differentiable_twice():
    x = mg.tensor([-1.5, 0.5, 2.0], dtype=mg.float64, requires_grad=True)
    s = sigmoid(x.data)
    np.testing.assert_allclose(second_derivative(Softplus.apply, x), s * (1 - s), rtol=1e-12)
    assert mg.gradgradcheck(Softplus.apply, (x,))


class OnceOnly(mg.Function):
    """Saves a continuous intermediate, so its backward is right to first order only."""

    once_differentiable = True

    @staticmethod
    def forward(ctx, x):
        square = x * x
        ctx.save_for_backward(square)
        return square * x

    @staticmethod
    def backward(ctx, g):
        (square,) = ctx.saved_tensors
        return 3 * g * square


def test_once_differentiable_function_refuses_create_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = mg.grad(OnceOnly.apply(x).sum(), x)  # first order is fine
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    with pytest.raises(RuntimeError, match="OnceOnly.*create_graph"):
        mg.grad(OnceOnly.apply(x).sum(), x, create_graph=True)


class ScaleAndExp(mg.Function):
    """Two outputs, (2x, exp(x)); the rule reads the saved second output."""

    @staticmethod
    def forward(ctx, x):
        e = np.exp(x)
        ctx.save_for_backward(e)
        return 2 * x, e

    @staticmethod
    def backward(ctx, g_scaled, g_exp):
        (e,) = ctx.saved_tensors
        return 2 * g_scaled + g_exp * e


def test_multi_output_function_gradients_of_every_order():
    x = mg.tensor([-0.5, 0.3, 1.2], dtype=mg.float64, requires_grad=True)
    assert mg.gradcheck(ScaleAndExp.apply, (x,))
    assert mg.gradgradcheck(ScaleAndExp.apply, (x,))


def test_multi_output_function_with_an_unused_output():
    """Only the first output is used: the second gets a zero gradient, and the rule's
    saved copy of it must still join the graph under create_graph."""
    x = mg.tensor([-0.5, 0.3, 1.2], dtype=mg.float64, requires_grad=True)

    def scaled_squared(t):
        scaled, _ = ScaleAndExp.apply(t)
        return scaled * scaled

    assert mg.gradcheck(scaled_squared, (x,))
    assert mg.gradgradcheck(scaled_squared, (x,))
    scaled_squared(x).sum().backward()
    np.testing.assert_allclose(x.grad, 8 * x.data)


# ------------------------------------------------- one array behind two arguments
def test_a_detached_input_is_a_constant_of_the_second_pass():
    """x.detach() shares x's very array; saved values are named by their argument's
    role, so x * x.detach() still differentiates as x * c."""
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    assert x.detach().data is x.data
    (g,) = mg.grad((x * x.detach()).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, x.data)
    assert not g.requires_grad  # d/dx (x c) = c, a constant: no second derivative
    np.testing.assert_allclose(second_derivative(lambda t: t * t.detach() * t, x), 2 * x.data)


SHARING_ARGUMENTS = {
    "the_raw_array": lambda x: x.data,
    "a_constant_tensor_over_it": lambda x: mg.tensor(x.data),
    "another_leaf_over_it": lambda x: mg.tensor(x.data, requires_grad=True),
}


@pytest.mark.parametrize("other", SHARING_ARGUMENTS.values(), ids=SHARING_ARGUMENTS.keys())
def test_one_array_behind_two_arguments_keeps_each_arguments_role(other):
    """In x * c with c over x's very array, d/dx = c and d2/dx2 = 0: c is the other
    argument, never a second x."""
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    c = other(x)
    (g,) = mg.grad((x * c).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, x.data)
    if g.requires_grad:  # c is a leaf of its own: g depends on c, not on x
        assert mg.grad(g.sum(), x, allow_unused=True) == (None,)
    (x * c).sum().backward()
    np.testing.assert_array_equal(x.grad, x.data)


def test_one_tensor_twice_is_not_two_arguments_over_one_array():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    np.testing.assert_allclose(second_derivative(lambda t: t * t, x), [2.0, 2.0])
