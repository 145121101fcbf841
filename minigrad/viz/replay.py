"""Backprop replay: record the engine's own backward pass, one step per op, to watch it.

    from minigrad import viz
    r = viz.replay(loss)          # runs the pass, touches no .grad, frees nothing
    r.steps[0].op, r.steps[0].upstream, r.steps[0].contributions
    r.save("replay.html")         # a page that steps through it (replay_page.py)

Recording is not a second backward algorithm: ``replay`` calls the engine
(``engine.run_backward``) with ``retain_graph=True`` and an ``on_node`` callback,
which the engine calls after every rule it runs with the gradients the rule got
(one per output, complete) and gave (one per input; ``engine.fit`` puts each in its
input's shape, as the engine does before sending it).
So the steps come in the engine's own order and hold the engine's own arrays: each
step's ``upstream`` is the seed plus everything earlier steps sent to that output,
and what the steps send to a leaf adds up to ``Replay.grads``, exactly.

Each step also says, in words, which local rule ran (``rule_text``: read from the
op's docstring, the same text as the op catalogue) and how many input elements sat
exactly at one of the op's kinks, where the rule picked a subgradient
(``catalogue.count_kinks``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from ..catalogue import count_kinks, rule_of
from ..core import Context, Function, Tensor
from ..core.engine import fit, run_backward
from ..core.grad import make_seed  # the seed exactly as backward() makes and checks it
from .graph import DEFAULT_MAX_NODES, check_max_nodes, check_root, reachable


@dataclass(slots=True, eq=False)  # arrays have no one truth value: equal means the same
class Step:
    """One op's backward rule, as the engine ran it.

    ``inputs`` and ``outputs`` are the graph's own Tensors (None for a constant
    argument, and for an output that nothing used); ``upstream`` holds the gradient
    of each output, complete when the step ran; ``contributions`` what the step
    sent to each input, in that input's shape (None where it sent nothing).
    """

    op: str  # the op's name, as graphs draw it
    inputs: tuple
    outputs: tuple
    upstream: tuple
    contributions: tuple
    rule: str  # the local derivative in one line, and the subgradient at a kink
    kinks: int  # input elements that sat exactly at a kink of the op
    node: Context = field(repr=False)  # the graph node that ran


@dataclass(eq=False)
class Replay:
    """What ``replay`` recorded: the steps in the order they ran, and each leaf's total
    gradient (``grads``: leaf -> what ``root.backward(gradient)`` would add to its
    ``.grad``). ``to_html`` and ``save`` make the page that replays them."""

    steps: list[Step]
    grads: dict[Tensor, np.ndarray]
    root: Tensor
    seed: np.ndarray  # the gradient the pass started from, at the root
    module: object = field(default=None, repr=False)  # names clusters and parameters

    def to_html(self) -> str:
        """One self-contained page (script, style and the graph's SVG inline) that
        steps through the pass. Laying out the graph needs Graphviz's ``dot``."""
        from .replay_page import render  # the page's own module: the record needs none of it

        return render(self)

    def save(self, path: str | Path) -> Path:
        """Write ``to_html()`` to ``path`` as UTF-8, byte for byte; return the path."""
        path = Path(path)
        path.write_bytes(self.to_html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        """The page in a Jupyter cell, inside its own frame: two replays in one
        notebook keep their scripts and element ids apart."""
        page = html.escape(self.to_html(), quote=True)
        return (
            f'<iframe srcdoc="{page}" sandbox="allow-scripts" '
            'style="width: 100%; height: 640px; border: 1px solid #ccc"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<Replay of {len(self.steps)} steps, {len(self.grads)} leaves>"


def replay(root: Tensor, gradient=None, module=None, max_nodes: int | None = None) -> Replay:
    """Run the backward pass from ``root`` with the engine's own rules, in the engine's
    own order, and record every step.

    ``gradient`` seeds the pass as in ``root.backward(gradient)``; it may be left out
    when ``root`` has one element. No ``.grad`` is touched and no buffer is freed,
    so the graph can still be used afterwards. ``module`` names the parameters and
    module calls on the page. A graph of more than ``max_nodes`` tensors and ops
    (default: the drawing's ``DEFAULT_MAX_NODES``, since the page draws it) is
    refused with ``GraphTooLargeError``, as ``draw_graph`` refuses it.
    """
    check_root(root, "replay")
    max_nodes = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
    check_max_nodes(max_nodes)
    ops, tensors = reachable(root, max_nodes)
    seed = make_seed(root, gradient, "the root", create_graph=False)
    outputs_of = _outputs_of(ops, tensors)
    steps: list[Step] = []

    def record(node: Context, out_grads: list, in_grads: list) -> None:
        steps.append(
            Step(
                op=node.name,
                inputs=node.inputs,
                outputs=outputs_of[node],
                upstream=tuple(out_grads),
                contributions=tuple(
                    [
                        None if t is None or g is None else fit(g, t, node)  # as the engine
                        for t, g in zip(node.inputs, in_grads)
                    ]
                ),
                rule=rule_text(node.fn),
                kinks=_kinks(node),
                node=node,
            )
        )

    # retain_graph: keep every saved buffer; the dict returned holds only leaves
    grads, _ = run_backward([root], [seed], retain_graph=True, create_graph=False, on_node=record)
    return Replay(steps=steps, grads=grads, root=root, seed=seed, module=module)


def _outputs_of(ops: list[Context], tensors: list[Tensor]) -> dict[Context, tuple]:
    """Each op's output Tensors, in output order (None for an output nothing used:
    the graph's tensors know their op, the op does not know them)."""
    outputs = {op: [None] * op.n_outputs for op in ops}
    for t in tensors:
        if t._node is not None:
            outputs[t._node][t._out_index] = t
    return {op: tuple(ts) for op, ts in outputs.items()}


@cache
def rule_text(function: type[Function]) -> str:
    """The op's local rule in one line, from the closing lines of its docstring (the
    op catalogue reads the same lines): ``dy/dx = sign(x); at the kink: 0 at x = 0
    (...)``. An op whose docstring states no rule says so."""
    try:
        rule = rule_of(function)
    except ValueError:
        return f"({function.__name__}'s docstring states no rule)"
    derivative = rule.derivative.replace("``", "")  # docstring markup, not math
    # most rules give dy/dx alone; some name their own derivatives (dy/da = ..., dL/dx = ...)
    if not re.match(r"d\w*/d\w+ =", derivative):
        derivative = f"dy/dx = {derivative}"
    if rule.kink.startswith("none"):  # a smooth op: nothing is chosen anywhere
        return derivative
    return f"{derivative}; at the kink: {rule.kink}"


def _kinks(node: Context) -> int:
    """Input elements at a kink of the op. The arrays forward received are kept on the
    node while it holds saved buffers, which every op with a kink has."""
    if node.forward_args is None:
        return 0
    return count_kinks(node.fn, node.forward_args, node.forward_results)
