"""The reverse-mode pass: send gradients from the outputs back to the leaves.

1. **The queue.** A node joins the queue when the first gradient reaches one of its
   outputs, and the newest node (largest creation number ``seq``) always runs next.
   An op is created after the ops that made its inputs, so when a node runs, every
   node that consumed its outputs has already run: its gradients are complete. This
   is a topological order found on the way, with no recursion (a chain of 100,000
   ops is fine) and no visit to a node that no gradient reaches.
2. **Accumulate.** Gradients wait in a dict keyed by the *slot* of a tensor: the leaf
   itself, or (the node that made it, which output). A second gradient for the same
   slot is added as ``a + b``, a new array: nothing someone else holds is changed.
   A node's slots are emptied when it runs, so gradients live only as long as needed.
3. **Un-broadcast.** A rule may return a gradient in the broadcast shape; ``fit``
   sums it back to the input's shape and casts it to the input's dtype, once here
   for every op.
4. **Release.** Without ``retain_graph`` a node drops its saved arrays after running.

``grad.py`` turns the returned dict into ``.grad`` or ``mg.grad``'s results;
``higher_order.py`` runs a rule under ``create_graph``.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from heapq import heappop, heappush

import numpy as np

from . import higher_order, modes, versions
from .function import freed_message
from .shapes import sum_to


def slot(t) -> object:
    """Where the gradient of tensor ``t`` waits: the leaf itself, or (its node, output)."""
    return t if t._node is None else (t._node, t._out_index)


def run_backward(
    roots: Sequence,
    seeds: Sequence,
    retain_graph: bool,
    create_graph: bool,
    needed: Container | None = None,
    keep: Container = (),
    on_node: Callable | None = None,
) -> tuple[dict, set]:
    """Back-propagate ``seeds`` from ``roots``. Returns ``{slot: total gradient}`` for
    every leaf reached and for the slots in ``keep``, and the set of those slots whose
    total is a sum made here (a new array that nothing else holds). With ``needed``,
    only the nodes in it run their rules (``mg.grad`` skips what leads to no wanted
    tensor). ``on_node(node, out_grads, in_grads)`` is told of every rule run, with the
    gradients as the rule returned them (``fit`` gives each in its input's shape)."""
    grads: dict = {}
    sums: set = set()
    queue: list = []  # heap of (-seq, node): the newest node comes out first
    for root, seed in zip(roots, seeds):
        _send(grads, sums, queue, root, seed)
    kept = {}
    while queue:
        node = heappop(queue)[1]
        out_grads = _take_output_grads(grads, node)
        if out_grads is None:
            continue  # queued twice (two outputs reached): it has run already
        if keep:
            kept.update((s, g) for s, g in zip(_slots(node), out_grads) if s in keep)
        if needed is not None and node not in needed:
            continue
        in_grads = _run_rule(node, out_grads, create_graph)
        if on_node is not None:
            on_node(node, out_grads, in_grads)
        for inp, g in zip(node.inputs, in_grads):
            if inp is not None and g is not None:
                _send(grads, sums, queue, inp, fit(g, inp, node))
        if not retain_graph:
            node.release()
    grads.update(kept)
    return grads, sums


def _send(grads: dict, sums: set, queue: list, t, g) -> None:
    """Add ``g`` to the gradient waiting at ``t``'s slot, as ``a + b``, a new array;
    the first arrival queues the node that made ``t``."""
    key = slot(t)
    if key in grads:
        # taken out of the dict first: when nothing else holds that array, numpy may
        # then reuse its buffer for the sum (its temporary elision) instead of a new one
        grads[key] = grads.pop(key) + g
        sums.add(key)
    else:
        grads[key] = g
        if t._node is not None:
            heappush(queue, (-t._node.seq, t._node))


def _slots(node) -> list:
    return [(node, j) for j in range(node.n_outputs)]


def _take_output_grads(grads: dict, node) -> list | None:
    """The gradients of all of ``node``'s outputs, taken out of ``grads`` (zeros for an
    output no gradient reached), or None if none reached it."""
    if node.n_outputs == 1:  # most ops
        g = grads.pop((node, 0), None)
        return None if g is None else [g]
    found = [grads.pop(s, None) for s in _slots(node)]
    if all(g is None for g in found):
        return None
    return [np.zeros(*node.out_meta[j]) if g is None else g for j, g in enumerate(found)]


def _run_rule(node, out_grads: list, create_graph: bool) -> tuple:
    """The node's backward rule, called and checked: one gradient (or None) per input."""
    if node.freed:
        raise RuntimeError(freed_message(node.name))
    if node.seq < versions.last_update:
        versions.check(node)  # something was updated in place since the node was made
    if create_graph:
        in_grads = higher_order.run_rule_creating_graph(node, out_grads)
    else:
        in_grads = node.fn.backward(node, *out_grads)
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    if len(in_grads) != len(node.inputs):
        raise RuntimeError(
            f"backward of {node.name} returned {len(in_grads)} gradients for "
            f"{len(node.inputs)} inputs"
        )
    if modes.anomaly_enabled:
        modes.check_gradients(node, in_grads)
    return in_grads


def fit(g, inp, node):
    """``g`` in the shape and dtype of input ``inp``: the one place where broadcasting
    is undone, for every op."""
    if type(g) is not np.ndarray and not hasattr(g, "_node"):
        g = np.asarray(g)  # numpy returns scalars for 0-d results; a rule may return lists
    data = inp.data
    if g.shape != data.shape:
        g = sum_to(g, data.shape, node.name)
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    return g
