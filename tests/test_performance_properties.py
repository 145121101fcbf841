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
