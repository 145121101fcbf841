"""micrograd-style scalar code runs unchanged on 0-d tensors and gives its answers."""

import numpy as np

import minigrad as mg


def test_micrograd_sanity_check_expression():
    x = mg.tensor(-4.0, requires_grad=True)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.item() == -20.0
    assert x.grad.item() == 46.0


def test_micrograd_more_ops_with_inplace_rebinding():
    a = mg.tensor(-4.0, requires_grad=True)
    b = mg.tensor(2.0, requires_grad=True)
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
    # the values micrograd's own test obtains from PyTorch
    np.testing.assert_allclose(g.item(), 24.70408163265306, rtol=1e-6)
    np.testing.assert_allclose(a.grad.item(), 138.83381924198252, rtol=1e-5)
    np.testing.assert_allclose(b.grad.item(), 645.5772594752186, rtol=1e-5)


def test_two_backward_calls_accumulate_into_leaf_grad():
    x = mg.tensor(3.0, requires_grad=True)
    z = 2 * (x * x + x)
    z.backward(retain_graph=True)
    assert x.grad.item() == 14.0
    z.backward()
    assert x.grad.item() == 28.0  # micrograd's stale intermediate grads give 54


def test_micrograd_tanh_neuron():
    """The neuron of micrograd's walkthrough: o = tanh(x1 w1 + x2 w2 + b)."""
    x1, x2 = mg.tensor(2.0, requires_grad=True), mg.tensor(0.0, requires_grad=True)
    w1, w2 = mg.tensor(-3.0, requires_grad=True), mg.tensor(1.0, requires_grad=True)
    b = mg.tensor(6.8813735870195432, requires_grad=True)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    np.testing.assert_allclose(o.item(), 0.7071067, rtol=1e-6)
    grads = [t.grad.item() for t in (x1, w1, x2, w2, b)]
    np.testing.assert_allclose(grads, [-1.5, 1.0, 0.5, 0.0, 0.5], rtol=1e-5, atol=1e-7)


def test_micrograd_tanh_neuron_spelled_with_exp():
    """tanh(n) = (e^2n - 1) / (e^2n + 1): same value, same gradients."""
    x1, w1 = mg.tensor(2.0, requires_grad=True), mg.tensor(-3.0, requires_grad=True)
    b = mg.tensor(6.8813735870195432, requires_grad=True)
    e = (2 * (x1 * w1 + b)).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    np.testing.assert_allclose(o.item(), 0.7071067, rtol=1e-6)
    np.testing.assert_allclose([x1.grad.item(), w1.grad.item()], [-1.5, 1.0], rtol=1e-5)


def test_scalar_results_are_0d_tensors():
    a = mg.tensor(2.0, requires_grad=True)
    c = a * 3 - 1
    assert isinstance(c, mg.Tensor) and c.shape == () and c.requires_grad
    c.backward()
    assert a.grad.shape == () and type(c.item()) is float


def test_fitting_a_line_with_python_sum_over_scalars():
    """micrograd-style training: scalar parameters, a loss built with Python's sum()."""
    w, b = mg.tensor(0.0, requires_grad=True), mg.tensor(0.0, requires_grad=True)
    data = [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0), (3.0, 7.0)]  # y = 2x + 1
    for _ in range(300):
        loss = sum((w * x + b - y) ** 2 for x, y in data) / len(data)
        w.grad = b.grad = None
        loss.backward()
        w.data -= 0.05 * w.grad
        b.data -= 0.05 * b.grad
    np.testing.assert_allclose([w.item(), b.item()], [2.0, 1.0], atol=1e-3)
