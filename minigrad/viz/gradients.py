"""Gradients of every tensor of a graph, for colouring the drawing.

``backward()`` keeps gradients of leaves only (``.grad``); the gradient reaching an
intermediate tensor is used and dropped. To see where gradients vanish or explode
between layers we need those too, so ``trace_gradients(loss)`` asks the engine for
d loss / d t for every tensor ``t`` of the graph in one reverse pass
(``mg.grad`` accepts non-leaf inputs) and keeps the graph, so that
``loss.backward()`` can still run afterwards.
"""

from __future__ import annotations

import numpy as np

from ..core import Context, Tensor, grad
from .graph import check_root, reachable


def trace_gradients(root: Tensor, gradient=None) -> dict[Tensor, np.ndarray]:
    """``{t: d(root)/dt}`` for every tensor ``t`` of the graph that produced ``root``.

    Call it before ``root.backward()`` (or after ``root.backward(retain_graph=True)``):
    the reverse pass needs the buffers that a plain backward frees. ``.grad`` is not
    touched. ``gradient`` seeds the pass as in ``Tensor.backward`` and may be omitted
    for a one-element root. A tensor the root does not depend on gets no entry.
    """
    check_root(root, "trace_gradients")
    ops, tensors = reachable(root, max_nodes=None)
    _check_not_freed(ops)
    targets = [t for t in tensors if t.requires_grad]
    found = grad(root, targets, grad_outputs=gradient, retain_graph=True, allow_unused=True)
    return {t: g.data for t, g in zip(targets, found) if g is not None}


def _check_not_freed(ops: list[Context]) -> None:
    for op in ops:
        if op.freed:
            raise RuntimeError(
                f"trace_gradients: the graph was already used by a backward pass that freed "
                f"its buffers (at {op.name}). Trace the gradients before calling "
                "backward(), or call backward(retain_graph=True) first."
            )
