"""Writing drawings to files: the core of the ``minigrad graph`` command.

``write_graph`` always writes the DOT source (``stem.dot``), then asks Graphviz's
``dot`` program for each image format. Without that program it does not raise: it
returns the install instructions with the ``.dot`` file, which any Graphviz
installation (or an online viewer) can render later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import graphviz

from ..core import Tensor
from .dot import INSTALL_HINT
from .draw import draw_graph


@dataclass
class WrittenGraph:
    """What ``write_graph`` wrote: the DOT file, the images by format, and the install
    instructions if Graphviz's ``dot`` was missing (then ``images`` is empty)."""

    dot: Path
    images: dict[str, Path] = field(default_factory=dict)
    missing_graphviz: str | None = None

    def lines(self) -> list[str]:
        """What to tell a user: the files written, and how to get the images if
        Graphviz is missing."""
        out = [f"wrote {self.dot}"] + [f"wrote {p}" for p in self.images.values()]
        if self.missing_graphviz:
            out.append(self.missing_graphviz)
        return out

    def __iter__(self) -> Iterator[str]:
        """``for line in write_graph(...): print(line)``"""
        return iter(self.lines())


def write_graph(
    graph: Tensor | graphviz.Digraph,
    path_stem: str | Path,
    formats: tuple[str, ...] = ("svg", "png"),
    **options,
) -> WrittenGraph:
    """Write ``path_stem.dot`` and ``path_stem.<format>`` for each format.

    ``graph`` is a Tensor (drawn with ``draw_graph(graph, **options)``) or a Digraph
    that ``draw_graph`` returned. Parent directories are created.
    """
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    bad = [f for f in formats if f not in graphviz.FORMATS]
    if bad:
        raise ValueError(f"unknown image format(s) {bad}; Graphviz knows e.g. svg, png, pdf")
    if isinstance(graph, Tensor):
        graph = draw_graph(graph, **options)
    elif not isinstance(graph, graphviz.Digraph):
        raise TypeError(f"expected a Tensor or a graphviz.Digraph, got {type(graph).__name__}")
    elif options:
        raise TypeError(f"drawing options {sorted(options)} only apply when given a Tensor")
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    result = WrittenGraph(dot=stem.with_name(stem.name + ".dot"))
    result.dot.write_text(graph.source, encoding="utf-8")
    for fmt in formats:
        try:
            image = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            result.images.clear()
            result.missing_graphviz = (
                f"{INSTALL_HINT} The DOT source was written to {result.dot}; render it "
                f"later with `dot -T{fmt} {result.dot} -o {stem}.{fmt}`."
            )
            return result
        path = stem.with_name(f"{stem.name}.{fmt}")
        path.write_bytes(image)
        result.images[fmt] = path
    return result


def render_model_graph(
    model,
    x,
    y,
    loss_fn,
    out_dir: str | Path,
    *,
    stem: str = "graph",
    formats: tuple[str, ...] = ("svg", "png"),
    **options,
) -> WrittenGraph:
    """Draw the graph of ``loss_fn(model(x), y)`` with every tensor's gradient, into
    ``out_dir/stem.{dot,svg,png}``.

    The gradients come from ``trace_gradients``, so the parameters' ``.grad`` are not
    touched. The forward pass runs in the model's current mode: in training mode
    dropout draws a mask and BatchNorm updates its running statistics, as any
    forward pass would. ``options`` go to ``draw_graph`` (e.g.
    ``collapse_modules=True`` for a large model).
    """
    if "grads" in options or "compute_grads" in options:
        raise TypeError("render_model_graph computes the gradients itself")
    x = x if isinstance(x, Tensor) else Tensor(x)
    y = y if isinstance(y, Tensor) else Tensor(y)
    loss = loss_fn(model(x), y)
    if not isinstance(loss, Tensor):
        raise TypeError(f"loss_fn must return a Tensor, got {type(loss).__name__}")
    options.setdefault("module", model)
    return write_graph(loss, Path(out_dir) / stem, formats, compute_grads=True, **options)
