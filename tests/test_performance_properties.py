"""Properties that keep minigrad fast, stated as behaviour: how many nodes a training
step records, which gradients are never computed, what a step keeps in memory. The
time itself is the benchmark's to measure (``python -m benchmarks``), never a test's."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad import nn


def _graph_op_names(root: mg.Tensor) -> list[str]:
    names, seen, stack = [], set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(node.name)
        stack.extend(t.grad_fn for t in node.inputs if t is not None)
    return names


def test_an_mlp_step_records_one_node_per_layer_op_and_loss_term():
    model = nn.MLP(8, [16, 16], 3)
    x, y = mg.randn(32, 8), np.arange(32) % 3
    loss = F.cross_entropy(model(x), y) + 1e-4 * F.l2_penalty(model.parameters())
    # fused: no Mean after CrossEntropy, no Add chain over the six penalty terms
    assert sorted(_graph_op_names(loss)) == sorted(
        ["Affine"] * 3 + ["Relu"] * 2 + ["CrossEntropy", "SquareSum", "Mul", "Add"]
    )


def test_float32_stays_float32_through_a_training_step():
    model = nn.MLP(4, [8], 3, norm="batch", dropout=0.1)
    x = mg.randn(16, 4)
    loss = F.cross_entropy(model(x * 2.0 + 1), np.arange(16) % 3) + 0.1 * F.l2_penalty(
        model.parameters()
    )
    assert loss.dtype == np.float32
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad.dtype == np.float32, name


def test_no_graph_is_recorded_under_no_grad():
    w = mg.randn(3, 3, requires_grad=True)
    with mg.no_grad():
        y = (w @ w).tanh().sum()
    assert y.grad_fn is None and not y.requires_grad


def test_inputs_that_do_not_require_grad_get_no_gradient_computed():
    seen = []

    class Spy(mg.ops.MatMul):  # MatMul, noting what its backward is told
        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            return mg.ops.MatMul.backward(ctx, g)

    x = mg.randn(5, 4)  # data: no gradient wanted
    w = mg.randn(4, 3, requires_grad=True)
    Spy.apply(x, w).sum().backward()
    assert seen == [(False, True)] and x.grad is None and w.grad.shape == (4, 3)

    # the built-in matmul skips the data gradient: x @ w's backward makes one product
    calls = []

    class Counting(np.ndarray):
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            calls.append(ufunc.__name__)
            inputs = [i.view(np.ndarray) if isinstance(i, Counting) else i for i in inputs]
            return getattr(ufunc, method)(*inputs, **kwargs)

    y = mg.ops.MatMul.apply(x, w)
    y.grad_fn.saved_tensors = tuple(a.view(Counting) for a in y.grad_fn.saved_tensors)
    y.sum().backward()
    assert calls == ["matmul"]
