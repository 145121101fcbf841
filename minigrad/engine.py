"""The reverse-mode pass: walk the graph from the outputs back to the inputs.

1. ``run_backward`` keeps a queue of the nodes that a gradient has reached, and always
   runs the newest one: an op is created after the ops that made its inputs, so when
   the node with the largest creation number (``Context.seq``) runs, every consumer of
   its outputs has run and its gradient is complete. A node joins the queue when the
   first gradient reaches one of its outputs, so finding the graph and running it is
   one pass, with no recursion (a chain of 100,000 ops is no problem) and no visit to
   a node that no gradient reaches. (``topological_order`` lists the whole graph in
   the same order, for ``mg.grad``, which must know in advance which nodes lead to the
   Tensors it was asked for.)
2. Gradients wait in a local dict keyed by ``_slot(tensor)`` — the producing node, or
   the leaf Tensor — and are dropped as soon as the node has used them. The first
   gradient to reach a slot is stored as it is; only a second one creates a sum, so no
   array that something else holds is ever modified in place. Leaves receive their
   totals in ``.grad`` at the end.
3. Un-broadcasting happens here, once for every op: a rule may return the gradient
   in the broadcast shape and the engine sums it back to the input's shape.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from heapq import heappop, heappush

import numpy as np

from . import anomaly
from .function import _RELEASED, Context, _freed_message
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


def topological_order(root_nodes: Iterable[Context]) -> list[Context]:
    """Every node reachable from ``root_nodes``, each before all of its producers.

    An op is always created after the ops that made its inputs, so the nodes sorted by
    descending creation number (``Context.seq``) are in topological order: one
    iterative pass collects them, one sort orders them — no recursion, whatever the
    depth of the graph.
    """
    seen = set(root_nodes)
    stack = list(seen)
    while stack:
        for t in stack.pop().inputs:
            if t is not None:
                p = t._node
                if p is not None and p not in seen:
                    seen.add(p)
                    stack.append(p)
    return sorted(seen, key=_creation_number, reverse=True)


_creation_number = operator.attrgetter("seq")


def sum_to(g, shape: tuple, op_name: str = "op"):
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    lead = g.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, g.shape[lead:])):
        raise RuntimeError(
            f"backward of {op_name} returned a gradient of shape {tuple(g.shape)} "
            f"for an input of shape {tuple(shape)}"
        )
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if g.shape != shape else g


def _output_slot(node: Context, j: int):
    return node if j == 0 else (node, j)


def _slot(t: Tensor):
    """Where the gradient of ``t`` waits in the engine's dict: the leaf itself, or the
    node that made ``t`` (with the output's index when the node has several)."""
    return t if t._node is None else _output_slot(t._node, t._out_index)


def _accumulate(store: dict, key, g, owned: bool) -> None:
    """Add gradient ``g`` to what waits at ``key``: the first one is stored as it is; a
    later one is summed (``_add``)."""
    entry = store.get(key)
    if entry is None:
        store[key] = [g, owned]
    else:
        _add(entry, g)


def _add(entry: list, g) -> None:
    """Sum a later gradient into ``entry`` = [gradient so far, owned]: in place only
    into an array that is our own; otherwise into a new array, which then is."""
    if entry[1] and isinstance(entry[0], np.ndarray):
        entry[0] += g
    else:
        entry[0] = entry[0] + g
        entry[1] = True


def _normalize(ctx: Context, g, inp: Tensor, create_graph: bool):
    """The gradient as an array (a Tensor under create_graph) of the input's shape and
    dtype: the one place where broadcasting is undone, for every op."""
    if create_graph:
        if not isinstance(g, Tensor):
            g = Tensor(np.asarray(g))
    elif type(g) is not np.ndarray:
        g = np.asarray(g)  # numpy returns scalars for 0-d results
    data = inp.data
    if g.shape != data.shape:
        g = sum_to(g, data.shape, ctx.name)
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    return g


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence,
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Tensor] | None = None,
) -> dict:
    """Back-propagate ``root_grads`` from ``roots``.

    With ``targets=None`` returns ``{leaf: [gradient, owned]}`` for every leaf reached
    (what ``Tensor.backward`` adds to ``.grad``; ``owned`` says that no one else holds
    the array). With ``targets`` returns ``{target: [gradient, owned] or None}`` for
    those Tensors only (``mg.grad``), running only the nodes that lead to them.
    """
    grads: dict = {}  # _slot(tensor) -> [gradient so far, owned]
    # create_graph only: _slot(output) -> the output Tensor, for saved_tensors
    tensors_of: dict | None = {} if create_graph else None
    ready: list = []  # heap of (-seq, node): the nodes a gradient has reached, newest first
    for t, g in zip(roots, root_grads):
        _accumulate(grads, _slot(t), g, False)
        if t._node is not None:
            heappush(ready, (-t._node.seq, t._node))
            if create_graph:
                tensors_of[_slot(t)] = t  # saved_tensors may need the output itself

    wanted = needed = slots = None
    if targets is not None:
        wanted = dict.fromkeys(targets)
        slots = {_slot(t): t for t in targets if t._node is not None}
        needed = _needed_nodes(topological_order(n for _, n in ready), wanted)

    with enable_grad() if create_graph else no_grad():
        while ready:
            # a node queued twice (two outputs reached, or two roots) comes up twice in
            # a row; the second time its gradients are gone and it is passed over
            node = heappop(ready)[1]
            if node.n_outputs == 1 and slots is None:  # the usual case, in short
                entry = grads.pop(node, None)
                out_grads = None if entry is None else (entry[0],)
                del entry
            else:
                out_grads = _gather(node, grads, create_graph, slots, wanted, needed)
            if out_grads is None:
                continue  # its second time in the queue, or mg.grad does not need it
            if node.saved_tensors is _RELEASED:  # what node.freed says, without a call
                raise RuntimeError(_freed_message(node.name))
            if tensors_of is not None:
                in_grads = _backward_creating_graph(node, out_grads, tensors_of)
            elif len(out_grads) == 1:  # the usual first-order pass: arrays in, arrays out
                # spelled out: CPython 3.11 runs a call with *args in a frame of its own,
                # about 3 % of a chain of small ops
                in_grads = node.fn.backward(node, out_grads[0])
            else:
                in_grads = node.fn.backward(node, *out_grads)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if len(in_grads) != len(node.inputs):
                raise RuntimeError(
                    f"backward of {node.name} returned {len(in_grads)} gradients for "
                    f"{len(node.inputs)} inputs"
                )
            if anomaly._enabled:
                anomaly.check_gradients(node, in_grads)
            for inp, g in zip(node.inputs, in_grads):
                if inp is None or g is None:
                    continue
                key = _slot(inp)
                producer = inp._node
                leaf = producer is None
                if leaf and wanted is not None and inp not in wanted:
                    continue
                normalized = _normalize(node, g, inp, create_graph)
                if create_graph and not leaf:
                    tensors_of[key] = inp
                entry = grads.get(key)
                if entry is not None:  # a later gradient is summed into the first
                    _add(entry, normalized)
                else:  # the first: only a leaf's array is worth owning (-> .grad uncopied)
                    owned = (
                        leaf
                        and not create_graph
                        and (
                            _made_by_normalize(normalized, g)
                            or _is_fresh(g, node, out_grads, in_grads)
                        )
                    )
                    grads[key] = [normalized, owned]
                    if not leaf:
                        heappush(ready, (-producer.seq, producer))
            del out_grads, in_grads
            if not retain_graph:
                node.release()

    if wanted is None:
        return grads  # every node popped its own slots: only the leaves' are left
    for t in wanted:
        if t._node is None and t in grads:
            wanted[t] = grads[t]
    return wanted


def _gather(node: Context, grads: dict, create_graph: bool, slots, wanted, needed):
    """The gradients of all of ``node``'s outputs (zeros for an unused output of a
    multi-output op), or None when none reached it; for mg.grad, first capture those
    of the wanted non-leaf Tensors, and None when the node leads to no wanted Tensor."""
    outs = [grads.pop(_output_slot(node, j), None) for j in range(node.n_outputs)]
    if slots is not None:
        _capture(node, outs, slots, wanted)
        if node not in needed:
            return None
    if all(o is None for o in outs):
        return None
    return [_output_grad(node, j, o, create_graph) for j, o in enumerate(outs)]


def _capture(node: Context, outs, slots: dict, wanted: dict) -> None:
    """mg.grad of a non-leaf: its gradient is complete when its producer comes up."""
    for j, entry in enumerate(outs):
        if entry is not None and _output_slot(node, j) in slots:
            wanted[slots[_output_slot(node, j)]] = entry


def _backward_creating_graph(node: Context, out_grads: Sequence, tensors_of: dict):
    """Run the node's rule on Tensors (create_graph): ``saved_tensors`` then hands out
    the graph's Tensors, this node's outputs among them."""
    if node.fn.once_differentiable:
        raise RuntimeError(
            f"{node.name} is differentiable once only: it cannot be used with create_graph=True"
        )
    node.create_graph = True
    node._out_tensors = [tensors_of.pop(_output_slot(node, j), None) for j in range(node.n_outputs)]
    arrays = node.saved_tensors
    node.saved_tensors = tuple([node._as_tensor(a) for a in arrays])
    try:
        return node.fn.backward(node, *out_grads)
    finally:
        node.saved_tensors = arrays
        node.create_graph = False
        node._out_tensors = None  # it would be a reference cycle


def _output_grad(node: Context, j: int, entry, create_graph: bool):
    if entry is not None:
        return entry[0]
    shape, dtype = node._out_meta[j]  # an unused output of a multi-output op
    zeros = np.zeros(shape, dtype)
    return Tensor(zeros) if create_graph else zeros


def _made_by_normalize(normalized, g) -> bool:
    """True when ``_normalize`` had to sum or cast ``g``: the result is then a new array
    that no one else holds (not when it only viewed a subclass array as an ndarray)."""
    return normalized is not g and not np.may_share_memory(normalized, g)


def _is_fresh(g, node: Context, out_grads: Sequence, in_grads: tuple) -> bool:
    """True when ``g`` is a new array that nothing else holds, so that later gradients
    may be added into it in place. Not fresh: views, read-only arrays, the incoming
    gradient passed through (``Add`` returns ``g, g``), an input's data, a saved
    array, or one array returned for two inputs."""
    if type(g) is not np.ndarray or g.base is not None or not g.flags.writeable:
        return False
    places = 0  # where the node holds or returned g: only its own slot may
    for held in (in_grads, out_grads, node.saved_tensors):
        for a in held:
            if a is g:
                places += 1
    for t in node.inputs:
        if t is not None and t.data is g:
            return False
    return places == 1


def _needed_nodes(order: list[Context], wanted: dict) -> set:
    """The nodes from which some wanted Tensor can be reached."""
    needed: set = set()
    for node in reversed(order):  # producers first
        for t in node.inputs:
            if t is not None and (t in wanted or t._node in needed):
                needed.add(node)
                break
    return needed
