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
