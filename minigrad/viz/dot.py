"""Rendering a graph description (``graph.py``) as a ``graphviz.Digraph``.

Tensors are boxes (parameters with a double border, the root with a thick one),
ops are grey ellipses, collapsed module calls are 3-d boxes; module calls are
nested clusters. With gradients known, tensor and module nodes are shaded on the
fixed scale of ``colors.py`` and a legend of that scale is drawn. In a big graph, a
tensor used far apart may be drawn again, dashed, next to a distant consumer
(``layout.py``).

Building the DOT text needs only the ``graphviz`` Python package; turning it into
an image needs Graphviz's ``dot`` program. ``ComputationGraph`` is a
``graphviz.Digraph`` whose ``render``/``pipe`` (and so Jupyter's inline display)
say how to install that program when it is missing.
"""

from __future__ import annotations

from contextlib import contextmanager

import graphviz

from . import colors, labels, layout
from .graph import Graph, ModuleNode, OpNode, TensorNode

RANKDIRS = ("LR", "RL", "TB", "BT")
INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH; it is needed to render the graph "
    "as an image. Install it with `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`."
)
_FONT = "Helvetica"
_CLUSTER_FILLS = ("#f4f6fb", "#e9eef8", "#dde5f4", "#d1dcf0")  # darker with each nesting


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """``dot`` is missing: a ``graphviz.ExecutableNotFound`` that says how to install it."""

    def __init__(self, detail: str = "") -> None:
        message = (
            f"{INSTALL_HINT} The DOT source needs no binary: minigrad.viz.to_dot(), or "
            "`.source` of the graph."
        )
        RuntimeError.__init__(self, message + (f" ({detail})" if detail else ""))


@contextmanager
def _explaining_missing_dot():
    """Turn graphviz's ExecutableNotFound into a GraphvizNotFoundError (how to install)."""
    try:
        yield
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFoundError(str(err)) from err


class ComputationGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` (inline SVG in Jupyter) whose rendering methods explain a
    missing Graphviz installation."""

    def pipe(self, *args, **kwargs):
        with _explaining_missing_dot():
            return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):
        with _explaining_missing_dot():
            return super().render(*args, **kwargs)


def check_rankdir(rankdir: str) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")


def to_digraph(
    graph: Graph, show_data: bool = False, show_grad: bool = True, rankdir: str = "LR"
) -> ComputationGraph:
    """The Digraph of a graph description (see the module docstring for the look)."""
    check_rankdir(rankdir)
    dot = ComputationGraph(
        name="minigrad",
        graph_attr={
            "rankdir": rankdir,
            "fontname": _FONT,
            "bgcolor": "white",
            "nodesep": "0.2",
            "ranksep": "0.3",
        },
        node_attr={"fontname": _FONT, "fontsize": "11", "margin": "0.08,0.04"},
        edge_attr={"arrowsize": "0.6", "color": "#555555"},
    )
    members: dict[str | None, list[tuple[str, dict]]] = {}
    node_attrs = {}
    shaded = False
    for node in graph.nodes:
        attrs, has_shade = _node_attrs(node, show_data, show_grad)
        shaded = shaded or has_shade
        node_attrs[node.id] = attrs
        members.setdefault(node.cluster, []).append((node.id, attrs))
    edges = list(graph.edges)
    cluster_of = {n.id: n.cluster for n in graph.nodes}
    for i in sorted(layout.proxied_edges(graph)):
        a, b = edges[i]
        proxy = f"{a}_copy{i}"
        attrs = dict(node_attrs[a], tooltip=f"the tensor {a} again (see docs: long edges)")
        attrs["style"] = "filled,dashed"
        members.setdefault(cluster_of[b], []).append((proxy, attrs))
        edges[i] = (proxy, b)

    children: dict[str | None, list[str]] = {}
    for c in graph.clusters.values():
        children.setdefault(c.parent, []).append(c.id)
    # Clusters deepest first, so that a cluster's children are complete when it is.
    built: dict[str, graphviz.Digraph] = {}
    for c in sorted(graph.clusters.values(), key=lambda c: -c.depth):
        sub = graphviz.Digraph(name=f"cluster_{c.id}")
        sub.attr(
            label=f"<{labels.escape(c.label, limit=64)}>",
            labeljust="l",
            style="rounded,filled",
            fillcolor=_CLUSTER_FILLS[min(c.depth, len(_CLUSTER_FILLS) - 1)],
            color="#9aa5c0",
            fontsize="11",
            fontname=_FONT,
        )
        for node_id, attrs in members.get(c.id, ()):
            sub.node(node_id, **attrs)
        for child in children.get(c.id, ()):
            sub.subgraph(built.pop(child))
        built[c.id] = sub
    for node_id, attrs in members.get(None, ()):
        dot.node(node_id, **attrs)
    for top in children.get(None, ()):
        dot.subgraph(built.pop(top))
    for a, b in edges:
        dot.edge(a, b)
    if show_grad and shaded:
        # On a rank of its own at the end: left among the graph's first nodes, this
        # one wide node made dot's positioning 60x slower (0.4 s to 25 s on 200 nodes).
        with dot.subgraph(graph_attr={"rank": "sink"}) as sink:
            sink.node("legend", label=_legend_table(), shape="plaintext")
    return dot


def _node_attrs(node, show_data: bool, show_grad: bool) -> tuple[dict, bool]:
    """DOT attributes of a node, and whether it is shaded by a gradient."""
    if isinstance(node, OpNode):
        attrs = {"shape": "ellipse", "style": "filled", "fillcolor": "#eeeeee", "fontsize": "10"}
        return {"label": labels.op_label(node), **attrs}, False
    if isinstance(node, TensorNode):
        known = show_grad and node.grad is not None
        shade = colors.shade(colors.grad_norm(node.grad)) if known else colors.NO_GRADIENT
        attrs = {"label": labels.tensor_label(node, show_data, show_grad, shade.font)}
        attrs["shape"] = "box"
        if node.kind == "parameter":
            attrs["peripheries"] = "2"
        penwidth = max(shade.penwidth, 2.5) if node.is_root else shade.penwidth
    else:
        assert isinstance(node, ModuleNode)
        norm = labels.module_grad_norm(node)
        known = show_grad and norm is not None
        shade = colors.shade(norm) if known else colors.NO_GRADIENT
        attrs = {"label": labels.module_label(node, show_grad, shade.font), "shape": "box3d"}
        attrs["margin"] = "0.15,0.1"  # keeps the first line clear of the 3-d edge
        penwidth = shade.penwidth
    attrs["style"] = "filled,dashed" if shade.dashed else "filled"
    attrs["fillcolor"] = shade.fill
    attrs["color"] = shade.border
    if penwidth != 1.0:
        attrs["penwidth"] = f"{penwidth:g}"
    return attrs, known


def _legend_table() -> str:
    """An HTML-like table of the colour scale."""
    cells = []
    for text, shade in colors.legend_entries():
        border = f' COLOR="{shade.border}" BORDER="{2 if shade.penwidth > 1 else 1}"'
        cells.append(
            f'<TD BGCOLOR="{shade.fill}"{border}><FONT COLOR="{shade.font}" POINT-SIZE="9">'
            f"{labels.escape(text)}</FONT></TD>"
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
        f'<TR><TD COLSPAN="{len(cells)}" BORDER="0"><FONT POINT-SIZE="10">'
        "gradient L2 norm, one colour per decade</FONT></TD></TR>"
        f"<TR>{''.join(cells)}</TR></TABLE>>"
    )
