"""Keeping Graphviz's layout fast: long fan-out edges are drawn from a copy.

``dot`` puts nodes on ranks (columns, with ``rankdir="LR"``) and turns an edge that
spans ``k`` ranks into ``k - 1`` invisible "virtual" nodes, which its positioning
phase then handles like real ones, in superlinear time. One tensor used all along
a long graph is the bad case: a weight shared by the 70 steps of an unrolled loop
gives about 20,000 virtual nodes on 280 ranks, and dot 2.43 spends 16 s on it
(over 9 minutes at 250 steps; its ``nslimit`` attribute, which would cap the
work, made it crash there).

So when the long edges of a graph would add more than ``VIRTUAL_BUDGET`` virtual
nodes, the longest edges out of tensors with several consumers are redrawn from a
copy of the tensor placed next to its consumer (dashed, same colour), the longest
first, until the rest fit. The copies are a drawing device only: the graph
description still has one node per tensor.
"""

from __future__ import annotations

from .graph import Graph

VIRTUAL_BUDGET = 4000


def estimate_ranks(graph: Graph) -> dict[str, int]:
    """Roughly the rank dot gives each node: one more than its latest non-source
    input; a source (a leaf) sits just before its first consumer, as dot's
    edge-length minimisation pulls it there."""
    preds: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    succs: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    for a, b in graph.edges:
        preds[b].append(a)
        succs[a].append(b)
    rank: dict[str, int] = {}
    for node in graph.nodes:  # producers come before consumers
        if preds[node.id]:
            rank[node.id] = 1 + max((rank[p] for p in preds[node.id] if p in rank), default=0)
    for node in graph.nodes:
        if not preds[node.id]:
            rank[node.id] = min((rank[c] for c in succs[node.id]), default=1) - 1
    return rank


def proxied_edges(graph: Graph, budget: int = VIRTUAL_BUDGET) -> set[int]:
    """Indices into ``graph.edges`` of the edges to draw from a copy of their source
    (see the module docstring). Each source keeps its shortest edge."""
    rank = estimate_ranks(graph)
    spans = [rank[b] - rank[a] for a, b in graph.edges]
    virtual = sum(max(s - 1, 0) for s in spans)
    if virtual <= budget:
        return set()
    by_source: dict[str, list[int]] = {}
    for i, (a, _) in enumerate(graph.edges):
        by_source.setdefault(a, []).append(i)
    candidates = []
    for edges in by_source.values():
        if len(edges) > 1:
            shortest = min(edges, key=lambda i: spans[i])
            candidates.extend(i for i in edges if i != shortest)
    chosen = set()
    for i in sorted(candidates, key=lambda i: -spans[i]):
        if virtual <= budget or spans[i] <= 1:
            break
        chosen.add(i)
        virtual -= spans[i] - 1
    return chosen
