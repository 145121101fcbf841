"""The collapsed view: one node per module call, for models too big to draw op by op.

``collapse(graph)`` rewrites a graph description (``graph.py``): every module call
at one nesting depth becomes a single ``ModuleNode`` holding its ops, their
internal tensors and its parameters. The tensors that leave the call (consumed
outside it, or the root) stay drawn, so the picture is still
``module → tensor → module`` and the gradient reaching each layer's output keeps
its colour; so do leaves that are not parameters (an input with
``requires_grad=True``).

The depth: calls of the outermost module are depth 0, the calls it makes are
depth 1, and so on. By default the view looks through wrappers: it starts at depth 0
and goes one level down while that level holds a single call that made calls of its
own. ``nn.MLP`` is one call that makes one call of its ``Sequential``, so the view
shows the layers inside that.
"""

from __future__ import annotations

from dataclasses import replace

from .graph import Graph, ModuleNode, OpNode, TensorNode


def auto_depth(graph: Graph) -> int:
    """The depth whose calls the collapsed view draws (see the module docstring)."""
    depth = 0
    while True:
        here = sum(c.depth == depth for c in graph.clusters.values())
        below = any(c.depth == depth + 1 for c in graph.clusters.values())
        if here != 1 or not below:
            return depth
        depth += 1


def collapse(graph: Graph, depth: int | None = None) -> Graph:
    """``graph`` with every module call at ``depth`` (default ``auto_depth``) drawn as
    one node. Ops made outside such calls (a loss computed after the model, the
    ops of an enclosing module's own ``forward``) are kept as they are."""
    if depth is None:
        depth = auto_depth(graph)
    if depth < 0:
        raise ValueError(f"collapse depth must be >= 0, got {depth}")
    if any(isinstance(n, ModuleNode) for n in graph.nodes):
        raise ValueError("this graph is already collapsed: collapse the graph from describe()")
    group = _groups(graph, depth)  # cluster id -> the call at `depth` holding it, or None
    consumers: dict[str, list[str]] = {}
    for a, b in graph.edges:
        consumers.setdefault(a, []).append(b)

    def group_of(node) -> str | None:
        return group.get(node.cluster) if node.cluster is not None else None

    groups_of_nodes = {n.id: group_of(n) for n in graph.nodes}
    out = Graph()
    modules: dict[str, ModuleNode] = {}
    stand_in: dict[str, str] = {}  # absorbed node id -> its module node id
    kept_outputs: dict[str, str] = {}  # tensor leaving a call -> that call's group
    for node in graph.nodes:
        g = groups_of_nodes[node.id]
        if g is None:
            out.nodes.append(node)
            continue
        if g not in modules:
            c = graph.clusters[g]
            modules[g] = ModuleNode(
                id=f"m{len(modules)}",
                label=c.label,
                cluster=c.parent,
                n_ops=0,
                params=[],
                in_shapes=[],
                out_shapes=[],
            )
            out.nodes.append(modules[g])
        m = modules[g]
        leaves_call = isinstance(node, TensorNode) and (
            node.is_root or any(groups_of_nodes[c] != g for c in consumers.get(node.id, ()))
        )
        if isinstance(node, TensorNode) and node.kind == "intermediate" and leaves_call:
            kept_outputs[node.id] = g
            m.out_shapes.append(node.shape)
            out.nodes.append(replace(node, cluster=m.cluster))
            continue
        if isinstance(node, TensorNode) and node.kind == "leaf":
            # an input that requires grad but belongs to no module stays visible
            out.nodes.append(replace(node, cluster=m.cluster))
            continue
        stand_in[node.id] = m.id
        if isinstance(node, OpNode):
            m.n_ops += 1
        elif node.kind == "parameter":
            m.params.append(node)

    tensor_shapes = {n.id: n.shape for n in graph.nodes if isinstance(n, TensorNode)}
    seen = set()
    for a, b in graph.edges:
        if kept_outputs.get(a) is not None and kept_outputs[a] == groups_of_nodes[b]:
            continue  # a call's output also used inside the call: not a way back in
        edge = (stand_in.get(a, a), stand_in.get(b, b))
        if edge[0] == edge[1] or edge in seen:
            continue
        seen.add(edge)
        out.edges.append(edge)
        if b in stand_in and a not in stand_in and a in tensor_shapes:
            modules[groups_of_nodes[b]].in_shapes.append(tensor_shapes[a])

    used = set()
    for node in out.nodes:
        c = node.cluster
        while c is not None and c not in used:
            used.add(c)
            c = graph.clusters[c].parent
    out.clusters = {cid: c for cid, c in graph.clusters.items() if cid in used}
    return out


def _groups(graph: Graph, depth: int) -> dict[str, str | None]:
    """For every cluster, its enclosing call at ``depth`` (itself if at that depth);
    None for clusters shallower than ``depth``, whose own nodes stay drawn."""
    group: dict[str, str | None] = {}
    for cid, c in graph.clusters.items():
        a = c
        while a.depth > depth:
            a = graph.clusters[a.parent]
        group[cid] = a.id if a.depth == depth else None
    return group
