"""The computation graph as a plain description: nodes, edges and clusters.

``build_graph(root)`` walks back from ``root`` through ``Tensor._node`` (the op that
made a tensor) and ``Context.inputs`` (the tensors that op consumed) and returns a
``Graph``: tensor nodes, op nodes, the data-flow edges between them, and one cluster
per ``nn.Module`` call recorded in the ops' scopes. It is a pure function of the
graph (it changes nothing and runs no op), and knows nothing about drawing:
``dot.py`` turns the description into DOT.

What is reachable is what is drawn. An op keeps only the inputs that needed a
gradient, so a constant operand (a Python number, a data batch that does not
require grad) is not a node: the op records how many such operands it had. A
tensor that no later op consumed (an unused output of a multi-output op) is not
reachable either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..core import Context, Tensor
from . import naming

DEFAULT_MAX_NODES = 5000


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: drawing it would not be readable
    (and Graphviz's layout would take minutes)."""


@dataclass
class Cluster:
    """One call of an ``nn.Module``: its label, and the call it was made from."""

    id: str
    label: str
    parent: str | None
    depth: int  # 0 for a call made outside any module


@dataclass
class TensorNode:
    """A tensor of the graph.

    ``kind`` is ``"parameter"`` (a leaf owned by a module), ``"leaf"`` (any other
    tensor that requires grad and was not made by an op) or ``"intermediate"``
    (made by an op). ``grad`` is the gradient of the root with respect to this
    tensor when it is known (see ``build_graph``), else None.
    """

    id: str
    name: str | None
    kind: str
    shape: tuple
    dtype: np.dtype
    data: np.ndarray
    grad: np.ndarray | None
    cluster: str | None
    is_root: bool = False


@dataclass
class OpNode:
    """One op call: its name, how many arguments it took, and how many of them were
    constants (needed no gradient, so they are not drawn)."""

    id: str
    name: str
    n_args: int
    n_constants: int
    cluster: str | None


@dataclass
class ModuleNode:
    """A whole module call drawn as one node (the collapsed view, ``collapse.py``).

    ``params`` are the parameters used inside the call; ``n_ops`` counts the ops it
    ran, ``in_shapes``/``out_shapes`` the tensors crossing its boundary.
    """

    id: str
    label: str
    cluster: str | None
    n_ops: int
    params: list[TensorNode]
    in_shapes: list[tuple]
    out_shapes: list[tuple]


Node = TensorNode | OpNode | ModuleNode


@dataclass
class Graph:
    """Nodes in data-flow order (producers first), edges ``(source id, target id)`` in
    data-flow direction, clusters by id (parents before children)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    # id() of each drawn tensor and op (Context) -> its node id: relates the drawing
    # back to the graph's own objects (viz.replay highlights the op that runs)
    ids: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.nodes)

    def tensors(self) -> list[TensorNode]:
        return [n for n in self.nodes if isinstance(n, TensorNode)]

    def ops(self) -> list[OpNode]:
        return [n for n in self.nodes if isinstance(n, OpNode)]


def build_graph(
    root: Tensor,
    *,
    grads: Mapping[Tensor, np.ndarray] | None = None,
    module=None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Graph:
    """Describe the graph that produced ``root``.

    ``grads`` maps tensors to their gradients (``trace_gradients`` makes one for
    every tensor of the graph); a tensor missing from it falls back to its ``.grad``,
    which backward fills for leaves only. ``module`` names the parameters and module
    calls; by default the outermost module found in the recorded scopes does.
    More than ``max_nodes`` tensors and ops raise ``GraphTooLargeError`` as soon as
    the walk has counted them (``None``: no limit).
    """
    check_root(root)
    check_max_nodes(max_nodes)
    if grads is not None and not isinstance(grads, Mapping):
        raise TypeError(f"grads must map Tensors to arrays, got {type(grads).__name__}")
    ops, tensors = reachable(root, max_nodes)
    order = sorted(ops, key=lambda op: op.seq)  # producers before consumers
    names = naming.Names.from_scopes((op.scope for op in order), module)

    graph = Graph()
    op_cluster = {op: _cluster_of(op.scope, names, graph.clusters) for op in order}
    leaf_cluster = _leaf_clusters(order, op_cluster, graph.clusters)
    outputs = _outputs_by_op(tensors)
    ids: dict[int, str] = {}  # id(tensor) -> node id

    def add_tensor(t: Tensor, cluster: str | None) -> None:
        ids[id(t)] = f"t{len(ids)}"
        grad = grads.get(t) if grads is not None else None
        if grad is None:
            grad = t.grad
        elif np.shape(grad) != t.shape:
            raise ValueError(
                f"grads: the gradient given for a tensor of shape {t.shape} has shape "
                f"{np.shape(grad)}"
            )
        param_name = names.parameter(t)
        kind = "intermediate" if t._node is not None else "parameter" if param_name else "leaf"
        graph.nodes.append(
            TensorNode(
                id=ids[id(t)],
                name=t.name if t.name is not None else param_name,
                kind=kind,
                shape=tuple(t.shape),
                dtype=t.dtype,
                data=t.data,
                grad=None if grad is None else np.asarray(grad),
                cluster=cluster,
                is_root=t is root,
            )
        )

    for k, op in enumerate(order):
        for t in op.inputs:
            if t is not None and t._node is None and id(t) not in ids:
                add_tensor(t, leaf_cluster.get(id(t)))
        op_id = f"op{k}"
        graph.ids[id(op)] = op_id
        graph.nodes.append(
            OpNode(
                id=op_id,
                name=op.name,
                n_args=len(op.inputs),
                n_constants=sum(t is None for t in op.inputs),
                cluster=op_cluster[op],
            )
        )
        graph.edges.extend((ids[id(t)], op_id) for t in op.inputs if t is not None)
        for t in outputs.get(op, ()):
            add_tensor(t, op_cluster[op])
            graph.edges.append((op_id, ids[id(t)]))
    if not order:  # a leaf: the graph is that one tensor
        add_tensor(root, None)
    graph.ids.update(ids)
    return graph


def check_root(root, fn: str | None = None) -> None:
    """``root`` must be a Tensor; with ``fn`` (the function asking), one with a backward
    pass to go through. The one check of a root, for every drawing and replay."""
    if not isinstance(root, Tensor):
        raise TypeError(f"expected a minigrad Tensor as the root, got {type(root).__name__}")
    if fn is not None and not root.requires_grad:
        raise RuntimeError(
            f"{fn}: the root does not require grad (nothing in the root's graph requires "
            "grad), so there is no backward pass to go through: create the leaves with "
            "requires_grad=True (and do not compute the root under no_grad)"
        )


def check_max_nodes(max_nodes) -> None:
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")


def reachable(root: Tensor, max_nodes: int | None) -> tuple[list[Context], list[Tensor]]:
    """Every op and tensor reachable from ``root`` (iterative walk), refusing early
    once there are more than ``max_nodes`` of them."""
    tensors = {id(root): root}
    ops: dict[Context, None] = {}
    stack = [root._node] if root._node is not None else []
    if stack:
        ops[root._node] = None
    while stack:
        for t in stack.pop().inputs:
            if t is None or id(t) in tensors:
                continue
            tensors[id(t)] = t
            node = t._node
            if node is not None and node not in ops:
                ops[node] = None
                stack.append(node)
            if max_nodes is not None and len(tensors) + len(ops) > max_nodes:
                raise GraphTooLargeError(
                    f"the graph has more than max_nodes={max_nodes} tensors and ops: too "
                    "many to draw readably. Draw one node per module call with "
                    "collapse_modules=True, or raise max_nodes (Graphviz may then take "
                    "minutes)."
                )
    return list(ops), list(tensors.values())


def _outputs_by_op(tensors: list[Tensor]) -> dict[Context, list[Tensor]]:
    """The reachable outputs of each op, in output order."""
    out: dict[Context, list[Tensor]] = {}
    for t in tensors:
        if t._node is not None:
            out.setdefault(t._node, []).append(t)
    for ts in out.values():
        ts.sort(key=lambda t: t._out_index)
    return out


def _cluster_of(scope, names: naming.Names, clusters: dict[str, Cluster]) -> str | None:
    """The cluster id of a module call, creating it and its enclosing calls."""
    if scope is None:
        return None
    parent = None
    for depth, s in enumerate(scope.chain()):
        cid = names.call_id(s)
        if cid not in clusters:
            clusters[cid] = Cluster(id=cid, label=names.call_label(s), parent=parent, depth=depth)
        parent = cid
    return parent


def _leaf_clusters(
    order: list[Context], op_cluster: dict[Context, str | None], clusters: dict[str, Cluster]
) -> dict[int, str | None]:
    """Each leaf goes in the innermost module call that holds all of its consumers, so
    a Linear's weight sits in that Linear's cluster, and a weight shared by two
    calls sits in the call that encloses both (or outside every cluster)."""
    where: dict[int, str | None] = {}
    for op in order:
        c = op_cluster[op]
        for t in op.inputs:
            if t is None or t._node is not None:
                continue
            key = id(t)
            where[key] = c if key not in where else _common(where[key], c, clusters)
    return where


def _common(a: str | None, b: str | None, clusters: dict[str, Cluster]) -> str | None:
    """The innermost cluster containing both ``a`` and ``b`` (None: the top level)."""
    ancestors = set()
    while a is not None:
        ancestors.add(a)
        a = clusters[a].parent
    while b is not None and b not in ancestors:
        b = clusters[b].parent
    return b
