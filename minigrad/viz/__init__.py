"""Drawing computation graphs, to watch backpropagation happen.

    from minigrad import viz
    loss = model(x).sum()
    dot = viz.draw_graph(loss, compute_grads=True)   # before backward: every gradient
    dot                                               # inline SVG in Jupyter
    viz.write_graph(loss, "graph")                    # graph.dot, graph.svg, graph.png

The package is layered: ``graph.py`` turns the graph into a plain description
(nodes, edges, module clusters), ``collapse.py`` rewrites it with one node per
module call, ``colors.py`` and ``labels.py`` decide how a node looks, ``dot.py``
renders the description as a ``graphviz.Digraph``, and ``export.py`` writes files.
``gradients.py`` computes the gradient of every tensor, not only of the leaves.
``replay.py`` records the backward pass step by step, and ``replay_page.py`` makes
the page that steps through it (``viz.replay(loss).save("replay.html")``).
See docs/visualization.md and docs/replay.md.
"""

from .collapse import collapse
from .dot import ComputationGraph, GraphvizNotFoundError, to_digraph
from .draw import describe, draw_graph, to_dot
from .export import WrittenGraph, render_model_graph, write_graph
from .gradients import trace_gradients
from .graph import (
    DEFAULT_MAX_NODES,
    Cluster,
    Graph,
    GraphTooLargeError,
    ModuleNode,
    OpNode,
    TensorNode,
    build_graph,
)
from .replay import Replay, Step, replay

__all__ = [
    "DEFAULT_MAX_NODES",
    "Cluster",
    "ComputationGraph",
    "Graph",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "ModuleNode",
    "OpNode",
    "Replay",
    "Step",
    "TensorNode",
    "WrittenGraph",
    "build_graph",
    "collapse",
    "describe",
    "draw_graph",
    "render_model_graph",
    "replay",
    "to_digraph",
    "to_dot",
    "trace_gradients",
    "write_graph",
]
