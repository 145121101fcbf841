"""``draw_graph`` and ``to_dot``: describe the graph, optionally collapse it, render it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core import Tensor
from .collapse import collapse
from .dot import ComputationGraph, check_rankdir, to_digraph
from .gradients import trace_gradients
from .graph import (
    DEFAULT_MAX_NODES,
    Graph,
    GraphTooLargeError,
    build_graph,
    check_max_nodes,
    check_root,
    reachable,
)


def describe(
    root: Tensor,
    *,
    grads: Mapping[Tensor, np.ndarray] | None = None,
    compute_grads: bool = False,
    module=None,
    collapse_modules: bool | int = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Graph:
    """The graph description that ``draw_graph`` renders (see ``draw_graph``)."""
    check_root(root)
    depth = _collapse_depth(collapse_modules)
    check_max_nodes(max_nodes)
    if compute_grads and grads is not None:
        raise ValueError("pass either grads= or compute_grads=True, not both")
    # Without collapsing, an oversized graph is refused during the walk; collapsed, it
    # is walked whole (linear time) and the collapsed result is what must fit.
    limit = max_nodes if depth is False else None
    if compute_grads:
        if limit is not None:
            reachable(root, limit)  # refuse before running a reverse pass over it
        grads = trace_gradients(root)
    graph = build_graph(root, grads=grads, module=module, max_nodes=limit)
    if depth is False:
        return graph
    graph = collapse(graph, None if depth is True else depth)
    if max_nodes is not None and len(graph) > max_nodes:
        raise GraphTooLargeError(
            f"even collapsed, the graph has {len(graph)} nodes (max_nodes={max_nodes}): "
            "collapse at a shallower depth (collapse_modules=1 draws the top-level module "
            "calls) or raise max_nodes"
        )
    return graph


def draw_graph(
    root: Tensor,
    show_data: bool = False,
    show_grad: bool = True,
    rankdir: str = "LR",
    *,
    grads: Mapping[Tensor, np.ndarray] | None = None,
    compute_grads: bool = False,
    module=None,
    collapse_modules: bool | int = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> ComputationGraph:
    """The graph that produced ``root`` as a ``graphviz.Digraph`` (inline SVG in Jupyter).

    Tensors are boxes showing their name (``Tensor.name``, or the dotted parameter
    name from the module that owns them), shape and dtype; ``show_data`` adds the
    value (a 0-d tensor's number; mean, std and range of a larger one). Ops are
    ellipses. Edges follow the data, from inputs to outputs, laid out
    left-to-right (``rankdir="TB"`` for top-to-bottom). Ops run inside an
    ``nn.Module`` call are grouped in a labelled cluster per call, nested as the
    modules are.

    Gradients (``show_grad``): leaves show their ``.grad``. To see the gradient of
    every intermediate tensor too, pass ``compute_grads=True`` before calling
    ``backward()`` (it runs one extra reverse pass and keeps the graph), or pass
    ``grads=trace_gradients(loss)`` computed earlier. Each tensor with a known
    gradient is shaded by ``log10`` of its gradient's L2 norm on one fixed scale
    with a legend (``colors.py``); a zero gradient is grey and dashed, a NaN or inf
    one has a thick red border.

    ``module`` names parameters and clusters (default: the outermost module found in
    the graph). ``collapse_modules=True`` draws one node per module call, one level
    inside the model, shaded by the norm of its parameters' gradients; an int picks
    the nesting depth (0: the model itself).
    A graph of more than ``max_nodes`` tensors and ops is refused with
    ``GraphTooLargeError`` (a ``ValueError``) rather than handed to a layout that
    would take minutes. ``.render()`` needs Graphviz's ``dot`` program and raises
    ``GraphvizNotFoundError`` saying how to install it when it is missing.
    """
    check_rankdir(rankdir)
    graph = describe(
        root,
        grads=grads,
        compute_grads=compute_grads,
        module=module,
        collapse_modules=collapse_modules,
        max_nodes=max_nodes,
    )
    return to_digraph(graph, show_data=show_data, show_grad=show_grad, rankdir=rankdir)


def to_dot(
    root: Tensor,
    show_data: bool = False,
    show_grad: bool = True,
    rankdir: str = "LR",
    **options,
) -> str:
    """DOT source of the graph that produced ``root``; needs no Graphviz binary.
    Takes the same options as ``draw_graph``."""
    return draw_graph(root, show_data, show_grad, rankdir, **options).source


def _collapse_depth(collapse_modules) -> bool | int:
    """False (no collapsing), True (automatic depth) or a depth >= 0."""
    if isinstance(collapse_modules, (bool, np.bool_)):
        return bool(collapse_modules)
    if isinstance(collapse_modules, (int, np.integer)) and collapse_modules >= 0:
        return int(collapse_modules)
    raise ValueError(
        f"collapse_modules must be True, False or a nesting depth >= 0, got {collapse_modules!r}"
    )
