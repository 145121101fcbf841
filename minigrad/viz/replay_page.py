"""The replay page: one self-contained HTML file that steps through a ``Replay``.

The page is three things put together, and loads nothing else:

1. the graph's SVG, laid out by Graphviz exactly as ``draw_graph`` lays it out
   (``build_graph`` and ``to_digraph``, without gradients: those appear step by
   step). Graphviz writes each node's id as the ``<title>`` of its SVG group, which
   is how the script finds the op to highlight;
2. the steps as JSON in ``<script type="application/json" id="replay-data">``:
   per step the op, its rule and kinks, the drawn ids of its tensors, and every
   gradient as text (``array_text``), so the script does no arithmetic;
3. ``replay_page.js`` and ``replay_page.css``, which show step ``k`` of ``n``.

The text is a pure function of the replay: no timestamps, no random ids.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from . import colors, labels
from .dot import to_digraph
from .graph import Graph, build_graph
from .replay import Replay

HERE = Path(__file__).parent
SMALL_ARRAY = 36  # arrays up to this size are shown in full, larger ones summarised
FIRST_VALUES = 4  # how many values a summary shows
EDGE_VALUES = 4  # gradients up to this size are written on the edges in full
LINE = 44  # characters per line of an array shown in full: it fits the side panel
RANKDIR = "TB"  # top to bottom: a deep graph scrolls down, as pages do, beside the panel


def array_text(a: np.ndarray) -> str:
    """A gradient for the side panel: in full when small, else its shape, L2 norm and
    first values (so the page of a real model stays small)."""
    if a.size <= SMALL_ARRAY:
        if a.ndim == 0:
            return _number(a)
        return np.array2string(a, separator=", ", formatter={"all": _number}, max_line_width=LINE)
    first = ", ".join(_number(v) for v in a.reshape(-1)[:FIRST_VALUES])
    return f"shape {labels.shape_text(a.shape)}, {_norm(a)},\nfirst values [{first}, …]"


def edge_text(a: np.ndarray) -> str:
    """A gradient written on an edge: its values when there are a few, else its L2
    norm (the panel has the rest)."""
    return array_text(a) if a.size <= EDGE_VALUES else _norm(a)


def _number(v) -> str:
    # + 0.0 turns -0.0 (a ReLU's mask times a negative gradient) into 0: a sign on a
    # zero would only puzzle
    return labels.number(float(v) + 0.0)


def _norm(a: np.ndarray) -> str:
    return f"norm {labels.number(colors.grad_norm(a))}"


def render(replay: Replay) -> str:
    """The page of ``replay``, as a string."""
    if any(step.node.freed for step in replay.steps):
        raise RuntimeError(
            "the replayed graph was freed by a backward() after the replay, and the page "
            "draws it: make the page (to_html, save) before calling backward(), or call "
            "backward(retain_graph=True)"
        )
    graph = build_graph(replay.root, module=replay.module, max_nodes=None)
    svg = to_digraph(graph, show_data=True, show_grad=False, rankdir=RANKDIR)
    svg = svg.pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG sits in HTML
    data = page_data(replay, graph)
    n = len(replay.steps)
    return TEMPLATE.format(
        title=html.escape(f"Backprop replay of {replay.root.name or 'a backward pass'}"),
        n=n,
        legend=LEGEND,
        svg=svg,
        data=_json_for_script(data),
        style=(HERE / "replay_page.css").read_text(encoding="utf-8"),
        script=(HERE / "replay_page.js").read_text(encoding="utf-8"),
    )


def page_data(replay: Replay, graph: Graph) -> dict:
    """What the script shows, as plain JSON values. Tensors and ops are named by their
    node ids in the drawing (``graph.ids``)."""
    node_id = graph.ids

    def tensor_id(t) -> str | None:
        return None if t is None else node_id[id(t)]

    root = tensor_id(replay.root)
    # the running gradient of each tensor, after each step that sent it something,
    # summed in the engine's order (a + b), so the last sum is the engine's total
    totals: dict[str, np.ndarray] = {root: replay.seed}
    running: dict[str, list] = {root: [[0, array_text(replay.seed)]]}
    complete_after: dict[str, int] = {root: 0}  # the step after which it gets no more
    steps = []
    for k, step in enumerate(replay.steps, start=1):
        for t, g in zip(step.inputs, step.contributions):
            if g is None:
                continue
            key = tensor_id(t)
            totals[key] = totals[key] + g if key in totals else g
            running.setdefault(key, []).append([k, array_text(totals[key])])
            complete_after[key] = k
        steps.append(
            {
                "op": step.op,
                "rule": step.rule,
                "kinks": step.kinks,
                "node": node_id[id(step.node)],
                "inputs": [tensor_id(t) for t in step.inputs],
                "outputs": [tensor_id(t) for t in step.outputs],
                "upstream": [array_text(g) for g in step.upstream],
                "contributions": [None if g is None else array_text(g) for g in step.contributions],
                "on_edges": [None if g is None else edge_text(g) for g in step.contributions],
            }
        )
    names = tensor_names(graph)
    tensors = {
        t.id: {"name": names[t.id], "shape": labels.shape_text(t.shape), "kind": t.kind}
        for t in graph.tensors()
    }
    return {
        "root": root,
        "tensors": tensors,
        "steps": steps,
        "running": running,
        "complete_after": complete_after,
    }


def tensor_names(graph: Graph) -> dict[str, str]:
    """Node id -> what the page calls the tensor: its name (``Tensor.name``, or the
    parameter's dotted name), else "root", "<op> output" or "leaf"."""
    op_names = {op.id: op.name for op in graph.ops()}
    made_by = {b: op_names[a] for a, b in graph.edges if a in op_names}
    names = {}
    for t in graph.tensors():
        if t.name is not None:
            names[t.id] = t.name
        elif t.is_root:
            names[t.id] = "root"
        elif t.id in made_by:
            names[t.id] = f"{made_by[t.id]} output"
        else:
            names[t.id] = "leaf"
    return names


def _json_for_script(data: dict) -> str:
    """JSON that cannot end its <script> element early: <, > and & as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


LEGEND = (
    "<b>Backprop, one op at a time:</b> "
    '<span class="key key-current">yellow</span> the op running now, '
    '<span class="key key-upstream">light yellow</span> its output, whose gradient is complete, '
    '<span class="key key-sending">orange</span> the gradient it sends to each input, '
    '<span class="key key-complete">green border</span> a tensor whose gradient is final.'
)

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{style}</style>
</head>
<body>
<header>
  <nav class="controls">
    <button type="button" data-action="first" title="first step (Home)">« First</button>
    <button type="button" data-action="prev" title="previous step (←)">‹ Prev</button>
    <button type="button" data-action="play" title="play / pause">▶ Play</button>
    <button type="button" data-action="next" title="next step (→)">Next ›</button>
    <button type="button" data-action="last" title="last step (End)">Last »</button>
    <input type="range" data-role="slider" min="0" max="{n}" value="0" aria-label="step">
    <span class="counter">step <span data-role="step">0 / {n}</span></span>
  </nav>
  <p class="legend">{legend}</p>
</header>
<main>
  <div class="graph" data-role="graph">
{svg}  </div>
  <aside class="panel">
    <h2 data-role="op"></h2>
    <p class="rule" data-role="rule"></p>
    <p class="kinks" data-role="kinks"></p>
    <h3>Upstream: the gradient at its output</h3>
    <ul data-role="upstream"></ul>
    <h3>Sent to each input</h3>
    <ul data-role="contributions"></ul>
    <p class="note" data-role="note"></p>
    <h3>Gradient of every tensor so far</h3>
    <table data-role="running">
      <thead><tr><th>tensor</th><th>shape</th><th>gradient</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
  </aside>
</main>
<script type="application/json" id="replay-data">{data}</script>
<script>
{script}</script>
</body>
</html>
"""
