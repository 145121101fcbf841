"""The two ways to ask for gradients: ``Tensor.backward`` and ``mg.grad``.

Both check their arguments, make the seed gradients, and hand the engine plain
arguments (``engine.run_backward``); then ``backward`` adds the leaves' totals to
their ``.grad`` (an array of its own the first time: the engine's sum, or a copy;
``+=`` after), and ``grad`` returns the gradients of the tensors asked for, touching
no ``.grad``. ``grad`` also prunes: it runs only the nodes from which a wanted tensor
can be reached. Like the engine, this module works on any object with the Tensor's
attributes; it needs the class itself only to check ``mg.grad``'s arguments.
"""

from __future__ import annotations

import numpy as np

from .engine import run_backward, slot


def backward(tensor, gradient=None, retain_graph: bool = False) -> None:
    """Add d(tensor)/d(leaf), times ``gradient``, to the ``.grad`` of every leaf."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward() on a tensor that does not require grad: no input of its graph "
            "has requires_grad=True (or it was computed under no_grad)"
        )
    seed = make_seed(tensor, gradient, "the tensor", create_graph=False)
    grads, sums = run_backward([tensor], [seed], retain_graph, create_graph=False)
    for leaf, g in grads.items():  # only leaves are left: every node took its own slots
        if leaf.grad is None:  # an array of its own: a sum made by the engine is new
            leaf.grad = g if leaf in sums else g.copy()
        else:
            leaf.grad += g


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    ``outputs``/``inputs``/``grad_outputs`` are each a Tensor or a sequence of them
    (``grad_outputs`` entries may be arrays, or None for one-element outputs). With
    ``create_graph=True`` the results are part of a graph themselves, so they can be
    differentiated again (Hessian-vector products, gradient penalties).
    ``retain_graph`` defaults to ``create_graph``. An input that the outputs do not
    depend on is an error unless ``allow_unused=True``, which gives None for it.
    """
    from .tensor import Tensor  # for the argument checks and the results

    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grad_outputs = [None] * len(outputs) if grad_outputs is None else _as_list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} is not a Tensor that requires grad")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor) or not out.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad (it has no graph)")
        seeds.append(make_seed(out, g, f"output {i}", create_graph))
    wanted = [slot(t) for t in inputs]
    retain = create_graph if retain_graph is None else retain_graph
    found, sums = run_backward(
        outputs,
        seeds,
        retain,
        create_graph,
        needed=_nodes_leading_to(outputs, wanted),
        keep=set(wanted),
    )
    result, handed_out = [], set()
    for i, key in enumerate(wanted):
        g = found.get(key)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs "
                "(pass allow_unused=True to get None for it)"
            )
        if g is not None and not create_graph:  # shares memory with nothing
            is_new = key in sums and id(g) not in handed_out  # an input asked for twice
            handed_out.add(id(g))
            g = Tensor(g if is_new else g.copy())
        result.append(g)
    return tuple(result)


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def make_seed(out, gradient, position: str, create_graph: bool):
    """The gradient that starts the pass at ``out``: ones for one element, else the
    given one, checked against ``out``'s shape; a Tensor under create_graph."""
    if gradient is None:
        if out.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for a tensor of one element; {position} "
                f"has shape {out.shape}: pass `gradient` (the vector of the vector-Jacobian "
                "product) of that shape"
            )
        gradient = np.ones(out.shape, dtype=out.dtype)
    if create_graph and hasattr(gradient, "_node"):  # a Tensor: differentiable in it too
        seed = gradient if gradient.dtype == out.dtype else gradient.astype(out.dtype)
    else:
        values = gradient.data if hasattr(gradient, "_node") else gradient
        seed = np.asarray(values, dtype=out.dtype)
    if seed.shape != out.shape:
        raise RuntimeError(
            f"gradient of shape {seed.shape} given for {position} of shape {out.shape}"
        )
    return type(out)(seed) if create_graph and not hasattr(seed, "_node") else seed


def _nodes_leading_to(outputs: list, wanted: list) -> set:
    """The nodes of the outputs' graph from which some wanted slot can be reached."""
    wanted = set(wanted)
    nodes, stack = set(), [o._node for o in outputs if o._node is not None]
    while stack:  # every node of the graph, without recursion
        node = stack.pop()
        if node not in nodes:
            nodes.add(node)
            stack.extend(t._node for t in node.inputs if t is not None and t._node is not None)
    needed: set = set()
    for node in sorted(nodes, key=lambda n: n.seq):  # producers first
        if any(t is not None and (slot(t) in wanted or t._node in needed) for t in node.inputs):
            needed.add(node)
    return needed
