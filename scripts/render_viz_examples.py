"""Regenerate the graph pictures of docs/visualization.md in docs/images/.

    python scripts/render_viz_examples.py            # all of them
    python scripts/render_viz_examples.py scalar     # one (see --help for names)

Each example builds a small computation, draws it with ``minigrad.viz`` and writes
``docs/images/viz_<name>.svg`` and ``.png`` (the ``.dot`` source goes to a temporary
folder). Seeds are fixed, so the pictures only change when the drawing code does.
Needs Graphviz's ``dot`` program.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, viz

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def scalar():
    """micrograd's neuron, o = tanh(x1*w1 + x2*w2 + b), after backward."""
    values = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    t = {}
    for name, value in values.items():
        t[name] = mg.tensor(value, dtype=mg.float64, requires_grad=True)
        t[name].name = name
    n = t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"]
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    grads = viz.trace_gradients(o)  # before backward: the gradient of every tensor
    o.backward()
    return viz.draw_graph(o, show_data=True, grads=grads)


def _mlp_loss(hidden, **kwargs):
    mg.manual_seed(0)
    model = nn.MLP(8, hidden, 3, **kwargs)
    x = mg.randn(32, 8)
    y = mg.tensor(np.random.default_rng(0).integers(0, 3, size=32))
    loss = F.cross_entropy(model(x), y)
    loss.name = "loss"
    return model, loss


def mlp():
    """A 6-layer MLP with BatchNorm and dropout, every tensor shaded by its gradient."""
    _, loss = _mlp_loss([16] * 5, norm="batch", dropout=0.2)
    return viz.draw_graph(loss, compute_grads=True, rankdir="TB")


def mlp_collapsed():
    """The same model, one node per layer call."""
    _, loss = _mlp_loss([16] * 5, norm="batch", dropout=0.2)
    return viz.draw_graph(loss, compute_grads=True, collapse_modules=True, rankdir="TB")


def vanishing():
    """A 10-layer sigmoid MLP without normalization: the gradient fades layer by layer."""
    _, loss = _mlp_loss([16] * 9, activation="sigmoid")
    return viz.draw_graph(loss, compute_grads=True, collapse_modules=True, rankdir="TB")


EXAMPLES: dict[str, Callable] = {
    "scalar": scalar,
    "mlp": mlp,
    "mlp_collapsed": mlp_collapsed,
    "vanishing": vanishing,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(EXAMPLES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(EXAMPLES))
    if unknown:
        parser.error(f"unknown example(s) {', '.join(unknown)}; choose from {', '.join(EXAMPLES)}")
    if shutil.which("dot") is None:
        print(viz.dot.INSTALL_HINT, file=sys.stderr)
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.names or EXAMPLES:
            result = viz.write_graph(EXAMPLES[name](), Path(tmp) / f"viz_{name}")
            for fmt, path in result.images.items():
                target = IMAGES / path.name
                shutil.copyfile(path, target)
                print(f"wrote {target.relative_to(IMAGES.parent.parent)} ({fmt})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
