"""The user-facing entry points of the reverse pass: ``Tensor.backward`` and
``mg.grad``. Both check their arguments and hand over to ``engine.run_backward``."""

from __future__ import annotations

import numpy as np

from .engine import run_backward
from .tensor import Tensor


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _seed_gradient(out: Tensor, gradient, position: str, create_graph: bool):
    """The gradient that starts the pass at ``out``: ones for one element, else given."""
    if gradient is None:
        if out.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for a tensor of one element; {position} "
                f"has shape {out.shape}: pass `gradient` (the vector of the vector-Jacobian "
                "product) of that shape"
            )
        return np.ones(out.shape, dtype=out.dtype)
    if isinstance(gradient, Tensor):
        if gradient.shape != out.shape:
            raise RuntimeError(
                f"gradient of shape {gradient.shape} given for {position} of shape {out.shape}"
            )
        if create_graph:
            return gradient if gradient.dtype == out.dtype else gradient.astype(out.dtype)
        gradient = gradient.data
    g = np.asarray(gradient, dtype=out.dtype)
    if g.shape != out.shape:
        raise RuntimeError(f"gradient of shape {g.shape} given for {position} of shape {out.shape}")
    return g


def backward(tensor: Tensor, gradient=None, retain_graph: bool = False) -> None:
    """Add d(tensor)/d(leaf) (times ``gradient``) to the ``.grad`` of every leaf."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward() on a tensor that does not require grad: no input of its graph "
            "has requires_grad=True (or it was computed under no_grad)"
        )
    seed = _seed_gradient(tensor, gradient, "the tensor", False)
    leaves = run_backward([tensor], [seed], retain_graph=retain_graph, create_graph=False)
    for leaf, (g, owned) in leaves.items():
        if leaf.grad is None:
            leaf.grad = g if owned else g.copy()
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
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    grad_outputs = _as_list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} is not a Tensor that requires grad")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor) or not out.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad (it has no graph)")
        seed = _seed_gradient(out, g, f"output {i}", create_graph)
        seeds.append(Tensor(seed) if create_graph and not isinstance(seed, Tensor) else seed)
    retain = create_graph if retain_graph is None else retain_graph
    found = run_backward(outputs, seeds, retain, create_graph, targets=inputs)
    result = []
    handed_out = set()  # ids of the arrays already returned
    for i, t in enumerate(inputs):
        entry = found.get(t)
        if entry is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} was not used to compute the outputs "
                    "(pass allow_unused=True to get None for it)"
                )
            result.append(None)
            continue
        g, owned = entry
        if not isinstance(g, Tensor):
            # the engine passes one array on to several inputs where it can (Add gives
            # g, g), and a seed may be the caller's grad_outputs: copy what is not ours
            if not owned or id(g) in handed_out:
                g = g.copy()
            handed_out.add(id(g))
            g = Tensor._make(g, False, None, 0)
        result.append(g)
    return tuple(result)
