"""``create_graph=True``: run a backward rule so that its result is a graph of its own.

The rule is the very same function as in a first-order pass; only its arguments
change. It receives Tensors: the incoming gradients, and in place of each saved value
the Tensor of the graph that the value stands for, by the role it was saved in
(``Context.saved_role``):

- input i: the op's own input Tensor, so the new graph reaches the same leaves;
- output j: a Tensor on the same node output (same value, same place in the graph);
- constant: the array itself (masks, signs: piecewise constant, derivative 0).

Under forward mode the stand-ins also bring the tangents their Tensors had
(``forward.py``), so a backward pass run inside ``func.jvp`` pushes tangents too: that
is how ``func.hvp`` and ``func.hessian`` go forward over reverse.

Arithmetic on those Tensors records ops, and numpy functions dispatch to minigrad ops
(``numpy_protocol.py``), so the gradients that come back can be differentiated again.
"""

from __future__ import annotations

import numpy as np


def run_rule_creating_graph(node, out_grads: list) -> tuple:
    """Call ``node``'s backward rule on Tensors; return its gradients as Tensors."""
    from .tensor import Tensor  # the stand-ins are Tensors; engine.py imports this module

    if node.fn.once_differentiable:
        raise RuntimeError(
            f"{node.name} is differentiable once only: it cannot be used with create_graph=True"
        )
    saved = node.saved_tensors
    node.saved_tensors = tuple(_stand_in(node, value, Tensor) for value in saved)
    node.create_graph = True
    try:
        grads = node.fn.backward(node, *(_as_tensor(g, Tensor) for g in out_grads))
    finally:
        node.saved_tensors = saved
        node.create_graph = False
    if type(grads) is not tuple:
        grads = (grads,)
    return tuple(None if g is None else _as_tensor(g, Tensor) for g in grads)


def _stand_in(node, value, tensor_type: type):
    """What a saved value is, in the graph: an input's Tensor, a Tensor on one of the
    node's outputs, or (a constant) the value itself."""
    kind, index = node.saved_role(value)
    if kind == "input" and node.inputs[index] is not None:
        return node.inputs[index]
    if kind == "input" and node.dual_args is not None:  # no grad, but a tangent
        return node.dual_args[index]
    if kind == "output":
        data = np.asarray(value)
        out = tensor_type._make(data, data.dtype.kind == "f", node, index)
        if node.output_tangents is not None:  # forward over reverse: its tangents too
            out._tangents = node.output_tangents[index]
        return out
    return value


def _as_tensor(g, tensor_type: type):
    return g if isinstance(g, tensor_type) else tensor_type(np.asarray(g))
