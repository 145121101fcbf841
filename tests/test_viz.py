"""Graph drawing: what the DOT says must match the graph that was built.

The DOT text is parsed back (a small line-based parser below: our writer puts one
statement per line) and compared with counts worked out by hand from the
expression, with ``named_parameters()`` and with known gradients. Rendering goes
through the real ``dot`` program when it is installed.
"""

from __future__ import annotations

import math
import re
import warnings
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, viz
from minigrad.core.modes import ModuleScope
from minigrad.viz import colors

needs_dot = pytest.mark.needs_dot  # skipped where dot is missing, unless CI=true (conftest.py)

# ----------------------------------------------------------------- a DOT reader

_NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)")
_SUBGRAPH = re.compile(r"^\s*subgraph (\w+) \{$")


class Dot:
    """Nodes (id -> attribute text), edges, and for every node the chain of clusters
    it was declared in, outermost first."""

    def __init__(self, source: str) -> None:
        self.nodes: dict[str, str] = {}
        self.edges: list[tuple[str, str]] = []
        self.where: dict[str, tuple[str, ...]] = {}
        self.cluster_labels: dict[str, str] = {}
        stack: list[str] = []
        for line in source.splitlines():
            if m := _SUBGRAPH.match(line):
                stack.append(m.group(1))
            elif line.strip() == "}":
                if stack:
                    stack.pop()
            elif m := _EDGE.match(line):
                self.edges.append((m.group(1), m.group(2)))
            elif m := _NODE.match(line):
                if m.group(1) in ("graph", "node", "edge"):
                    continue
                self.nodes[m.group(1)] = m.group(2)
                self.where[m.group(1)] = tuple(s for s in stack if s.startswith("cluster"))
            elif stack and (m := re.match(r"^\s*.*label=<(.*)> labeljust", line)):
                self.cluster_labels[stack[-1]] = m.group(1)

    def graph_nodes(self) -> dict[str, str]:
        """Every node but the legend."""
        return {k: v for k, v in self.nodes.items() if k != "legend"}

    def text(self, node_id: str) -> str:
        """The label's visible text, tags removed, lines joined by '|'."""
        label = re.search(r"label=<(.*)>", self.nodes[node_id]).group(1)
        label = label.replace("<BR/>", "|")
        return re.sub(r"<[^>]+>", "", label)

    def by_name(self, name: str) -> str:
        """The id of the node whose first label line is ``name``."""
        hits = [k for k in self.graph_nodes() if self.text(k).split("|")[0] == name]
        assert len(hits) == 1, (name, hits)
        return hits[0]

    def attr(self, node_id: str, key: str) -> str | None:
        m = re.search(rf'(?:^|\s){key}=("[^"]*"|\S+)', self.nodes[node_id].split(">")[-1])
        return None if m is None else m.group(1).strip('"')

    def ops(self) -> list[str]:
        return [k for k in self.graph_nodes() if self.attr(k, "shape") == "ellipse"]

    def tensors(self) -> list[str]:
        return [k for k in self.graph_nodes() if self.attr(k, "shape") == "box"]


def _leaf(value, name=None) -> mg.Tensor:
    t = mg.tensor(np.asarray(value, dtype=np.float64), requires_grad=True)
    t.name = name
    return t


def _fill(dot: Dot, node_id: str) -> str:
    return dot.attr(node_id, "fillcolor")


# ------------------------------------------------------------- micrograd's neuron


def _neuron():
    x1, x2 = _leaf(2.0, "x1"), _leaf(0.0, "x2")
    w1, w2 = _leaf(-3.0, "w1"), _leaf(1.0, "w2")
    b = _leaf(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    return o, (x1, x2, w1, w2, b)


def _label_numbers(dot: Dot, node_id: str) -> dict[str, float]:
    out = {}
    for line in dot.text(node_id).split("|"):
        key, _, value = line.partition(" ")
        if key in ("data", "grad"):
            out[key] = float(value)
    return out


def test_scalar_neuron_labels_carry_values_and_gradients_after_backward():
    o, _ = _neuron()
    o.backward(retain_graph=True)  # keeps the intermediates' values for the drawing
    dot = Dot(viz.to_dot(o, show_data=True))
    expected = {  # micrograd's hand-worked example
        "x1": (2.0, -1.5),
        "w1": (-3.0, 1.0),
        "x2": (0.0, 0.5),
        "w2": (1.0, 0.0),
        "b": (6.8813735870195432, 0.5),
    }
    for name, (value, grad) in expected.items():
        got = _label_numbers(dot, dot.by_name(name))
        assert got["data"] == pytest.approx(value, rel=1e-3)
        assert got["grad"] == pytest.approx(grad, abs=1e-4)
    assert _label_numbers(dot, dot.by_name("o"))["data"] == pytest.approx(0.7071, abs=1e-4)
    # intermediates have no .grad after backward: no gradient line
    assert "grad" not in _label_numbers(dot, dot.by_name("n"))


def test_after_a_plain_backward_the_drawing_keeps_the_graph_but_not_freed_values():
    """backward() without retain_graph frees what the graph held (as PyTorch): the
    drawing still shows every node and name, the leaves' values and gradients and the
    root's value, but an intermediate's value says it was freed."""
    o, _ = _neuron()
    o.backward()
    dot = Dot(viz.to_dot(o, show_data=True))
    assert len(dot.tensors()) == 10
    assert "data freed by backward()" in dot.text(dot.by_name("n"))
    assert _label_numbers(dot, dot.by_name("w1")) == {"data": -3.0, "grad": 1.0}


def test_scalar_neuron_structure_counts_nodes_and_edges():
    o, _ = _neuron()
    dot = Dot(viz.to_dot(o))
    # 5 leaves + x1*w1, x2*w2, their sum, n, o; ops Mul, Mul, Add, Add, Tanh
    assert len(dot.tensors()) == 10
    assert sorted(dot.text(k) for k in dot.ops()) == ["Add", "Add", "Mul", "Mul", "Tanh"]
    assert len(dot.edges) == 3 + 3 + 3 + 3 + 2
    assert "legend" not in dot.nodes  # no gradient known yet: nothing to explain


def test_compute_grads_shows_intermediate_gradients_without_touching_grad():
    o, leaves = _neuron()
    dot = Dot(viz.to_dot(o, show_data=True, compute_grads=True))
    assert _label_numbers(dot, dot.by_name("n"))["grad"] == pytest.approx(0.5, abs=1e-6)
    assert _label_numbers(dot, dot.by_name("o"))["grad"] == 1.0
    assert all(t.grad is None for t in leaves)
    o.backward()  # the graph was kept
    assert leaves[0].grad.item() == pytest.approx(-1.5)


def test_fan_out_x_plus_x_times_x_draws_each_use_as_an_edge():
    x = _leaf(3.0, "x")
    y = (x + x) * x
    dot = Dot(viz.to_dot(y))
    xid = dot.by_name("x")
    assert len(dot.graph_nodes()) == 5  # x, Add, x+x, Mul, y
    assert sum(a == xid for a, _ in dot.edges) == 3
    assert len(dot.edges) == 6


def test_constant_operands_are_not_nodes_but_are_counted_on_the_op():
    x = _leaf([1.0, 2.0], "x")
    data = mg.tensor([3.0, 4.0])  # needs no gradient
    y = (x * data) * 2.0
    dot = Dot(viz.to_dot(y))
    assert len(dot.tensors()) == 3
    assert [dot.text(k) for k in dot.ops()] == ["Mul|+1 constant arg", "Mul|+1 constant arg"]
    two = Dot(viz.to_dot(mg.where(np.array([True, False]), x, 0.0)))
    assert [two.text(k) for k in two.ops()] == ["Where|+2 constant args"]


# --------------------------------------------------------------- graph structure

_UNARY = ("tanh", "exp", "relu", "neg")


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple),
    steps=st.lists(st.tuples(st.sampled_from(_UNARY + ("add", "mul")), st.integers(0, 10**6))),
)
def test_random_expression_node_and_edge_counts(shape, steps):
    """Built step by step, writing down each op's inputs; the drawing must hold what
    the root depends on: those tensors, one op per made tensor, one edge per input
    and one per output."""
    rng = np.random.default_rng(0)
    pool = [_leaf(rng.normal(size=shape))]
    made: dict[int, list] = {}  # id(output) -> its inputs
    for op, pick in steps:
        a = pool[pick % len(pool)]
        if op in _UNARY:
            out, inputs = (-a if op == "neg" else getattr(a, op)()), [a]
        else:
            b = pool[(pick // 7) % len(pool)]
            out, inputs = (a + b if op == "add" else a * b), [a, b]
        made[id(out)] = inputs
        pool.append(out)
    root = pool[-1]
    reached, stack = {id(root)}, [root]
    while stack:
        for u in made.get(id(stack.pop()), ()):
            if id(u) not in reached:
                reached.add(id(u))
                stack.append(u)
    n_ops = sum(k in made for k in reached)
    n_edges = sum(len(made[k]) + 1 for k in reached if k in made)
    dot = Dot(viz.to_dot(root))
    assert len(dot.tensors()) == len(reached)
    assert len(dot.ops()) == n_ops
    assert len(dot.edges) == n_edges


def test_leaf_root_draws_the_single_node():
    x = _leaf([1.0, 2.0], "x")
    dot = Dot(viz.to_dot(x))
    assert list(dot.graph_nodes()) == ["t0"] and dot.edges == []
    assert dot.text("t0") == "x|(2,) float64"


def test_tensor_without_graph_draws_the_single_node():
    with mg.no_grad():
        y = _leaf([1.0, 2.0]) * 2
    dot = Dot(viz.to_dot(y, show_data=True))
    assert len(dot.graph_nodes()) == 1
    assert "data [2, 4]" in dot.text("t0")


@pytest.mark.parametrize("bad", [np.ones(3), 3.0, None, [mg.tensor(1.0)]])
def test_non_tensor_root_is_a_type_error(bad):
    with pytest.raises(TypeError, match="Tensor"):
        viz.to_dot(bad)
    with pytest.raises(TypeError, match="Tensor"):
        viz.draw_graph(bad)


def test_unused_output_of_a_multi_output_op_is_not_drawn():
    class Halves(mg.Function):
        """(a, b) = (x[:1], x[1:]); the gradient is the two gradients side by side."""

        @staticmethod
        def forward(ctx, x):
            return x[:1].copy(), x[1:].copy()

        @staticmethod
        def backward(ctx, ga, gb):
            return np.concatenate([ga, gb])

    x = _leaf([1.0, 2.0, 3.0], "x")
    a, _ = Halves.apply(x)
    g = viz.build_graph(a.sum())
    assert [t.shape for t in g.tensors()] == [(3,), (1,), ()]


def test_rankdir_is_written_and_checked():
    y = _leaf(1.0) * 2
    assert "rankdir=TB" in viz.to_dot(y, rankdir="TB")
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(y, rankdir="sideways")


def test_show_data_summaries_for_tiny_and_larger_tensors():
    small = _leaf([1.0, -2.5], "small")
    big = _leaf(np.arange(10.0), "big")
    dot = Dot(viz.to_dot(small.sum() + big.sum(), show_data=True))
    assert "data [1, -2.5]" in dot.text(dot.by_name("small"))
    assert "mean 4.5, std 2.872|range [0, 9]" in dot.text(dot.by_name("big"))


def test_show_data_with_nonfinite_values_says_so_without_warnings():
    x = _leaf([np.inf, 1.0, 2.0, 3.0, np.nan], "x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dot = Dot(viz.to_dot(x, show_data=True))
    assert dot.text("t0") == "x|(5,) float64|mean nan, std nan|range [nan, nan]"


def test_higher_order_graph_is_drawn_too():
    x = _leaf(2.0, "x")
    (gx,) = mg.grad(x**3, x, create_graph=True)  # 3x², itself a graph
    dot = Dot(viz.to_dot(gx, show_data=True))
    assert "x" in [dot.text(k).split("|")[0] for k in dot.tensors()]
    root = [k for k in dot.tensors() if dot.attr(k, "penwidth") == "2.5"]
    assert _label_numbers(dot, root[0])["data"] == 12.0


# -------------------------------------------------------------------- modules


class _Scaled(nn.Module):
    """A module whose forward runs a Linear, then ops of its own."""

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(3, 2)
        self.scale = nn.Parameter(np.ones(2))

    def forward(self, x):
        return (self.inner(x) * self.scale).tanh()


def _mlp_loss(**kwargs):
    mg.manual_seed(0)
    model = nn.MLP(4, [5, 5], 3, **kwargs)
    x = mg.randn(6, 4)
    y = mg.tensor([0, 1, 2, 0, 1, 2])
    return model, F.cross_entropy(model(x), y)


def test_mlp_parameters_are_labelled_with_named_parameters_names():
    model, loss = _mlp_loss(norm="batch", dropout=0.5)
    dot = Dot(viz.to_dot(loss))
    names = [dot.text(k).split("|")[0] for k in dot.tensors()]
    expected = [n for n, _ in model.named_parameters()]
    assert sorted(n for n in names if n.startswith("layers.")) == sorted(expected)
    for n in expected:
        assert dot.attr(dot.by_name(n), "peripheries") == "2"


def test_mlp_has_one_nested_cluster_per_module_call():
    model, loss = _mlp_loss(norm="batch", dropout=0.5)
    dot = Dot(viz.to_dot(loss))
    labels = sorted(dot.cluster_labels.values())
    expected = sorted(
        ["MLP", "layers: Sequential"]
        + [f"{n}: {type(m).__name__}" for n, m in model.named_modules() if n.count(".") == 1]
    )
    assert labels == expected
    # layers.0.weight sits in layers.0, inside layers, inside the model
    chain = [dot.cluster_labels[c] for c in dot.where[dot.by_name("layers.0.weight")]]
    assert chain == ["MLP", "layers: Sequential", "layers.0: Linear"]
    # the loss is computed outside the model
    assert dot.where[dot.by_name("CrossEntropy")] == ()


def test_nested_module_ops_nest_clusters_and_own_ops_stay_in_the_outer_call():
    m = _Scaled()
    y = m(mg.randn(4, 3)).sum()
    dot = Dot(viz.to_dot(y))
    tanh = dot.by_name("Tanh")
    assert [dot.cluster_labels[c] for c in dot.where[tanh]] == ["_Scaled"]
    w = dot.by_name("inner.weight")
    assert [dot.cluster_labels[c] for c in dot.where[w]] == ["_Scaled", "inner: Linear"]
    assert [dot.cluster_labels[c] for c in dot.where[dot.by_name("scale")]] == ["_Scaled"]


def test_module_called_twice_gets_a_cluster_per_call_and_shared_weight_sits_outside():
    lin = nn.Linear(2, 2)
    x = mg.randn(3, 2)
    y = (lin(x) + lin(x * 2)).sum()
    dot = Dot(viz.to_dot(y))
    assert sorted(dot.cluster_labels.values()) == ["Linear", "Linear (call 2)"]
    assert dot.where[dot.by_name("weight")] == ()  # used by both calls


def test_explicit_module_names_parameters_used_outside_any_call():
    lin = nn.Linear(2, 2)
    penalty = (lin.weight * lin.weight).sum()
    assert "weight" not in [t.name for t in viz.build_graph(penalty).tensors()]
    g = viz.build_graph(penalty, module=lin)
    assert [t.name for t in g.tensors() if t.kind == "parameter"] == ["weight"]
    with pytest.raises(TypeError, match="module="):
        viz.to_dot(penalty, module="lin")


def test_scope_of_a_plain_object_still_clusters_by_class_name():
    class Block:
        def __call__(self, x):
            with ModuleScope(self):
                return x.tanh()

    y = Block()(_leaf([1.0])).sum()
    dot = Dot(viz.to_dot(y))
    assert list(dot.cluster_labels.values()) == ["Block"]


def test_user_name_overrides_the_parameter_name():
    lin = nn.Linear(2, 1)
    lin.weight.name = "W"
    dot = Dot(viz.to_dot(lin(mg.randn(3, 2)).sum()))
    assert dot.by_name("W") and dot.by_name("bias")


# ----------------------------------------------------------------- collapsed view


def test_collapsed_mlp_has_one_node_per_layer_call():
    model, loss = _mlp_loss(norm="batch", dropout=0.5)
    g = viz.describe(loss, collapse_modules=True)
    modules = [n for n in g.nodes if isinstance(n, viz.ModuleNode)]
    layers = [f"{n}: {type(m).__name__}" for n, m in model.named_modules() if n.count(".") == 1]
    assert [m.label for m in modules] == layers
    assert not [n for n in g.nodes if isinstance(n, viz.TensorNode) and n.kind == "parameter"]
    # module -> tensor -> module ... -> CrossEntropy (its mean built in) -> root
    assert len(g.tensors()) == len(layers) + 1
    dot = Dot(viz.to_dot(loss, collapse_modules=True))
    boxes = [k for k in dot.graph_nodes() if dot.attr(k, "shape") == "box3d"]
    assert len(boxes) == len(layers)
    first = dot.text(boxes[0])
    assert first.startswith("layers.0: Linear|→ (6, 5)|25 parameters (2 tensors)|1 op")


def test_collapsed_module_colour_uses_its_parameter_gradients():
    lin = nn.Linear(2, 1)
    lin.weight.data[...] = 0.0
    x = mg.tensor([[1.0, 1.0]])
    y = (lin(x) * 1e-5).sum()  # d/dbias = 1e-5, d/dweight = 1e-5 * x
    y.backward()
    dot = Dot(viz.to_dot(y, collapse_modules=True))
    (box,) = [k for k in dot.graph_nodes() if dot.attr(k, "shape") == "box3d"]
    norm = math.sqrt(3) * 1e-5
    assert _fill(dot, box) == colors.PALETTE[colors.bucket(norm)]
    assert f"‖∇params‖ {norm:.4g}" in dot.text(box)


def test_collapsed_view_keeps_an_input_that_requires_grad():
    lin = nn.Linear(3, 2)
    x = _leaf(np.ones((4, 3)), "x")
    g = viz.describe(lin(x).sum(), collapse_modules=True)
    (m,) = [n for n in g.nodes if isinstance(n, viz.ModuleNode)]
    xid = next(t.id for t in g.tensors() if t.name == "x")
    assert (xid, m.id) in g.edges and m.in_shapes == [(4, 3)]
    assert [p.name for p in m.params] == ["weight", "bias"]
    with pytest.raises(ValueError, match="already collapsed"):
        viz.collapse(g)


def test_collapse_depth_can_be_chosen_and_bad_values_are_refused():
    m = _Scaled()
    y = m(mg.randn(4, 3)).sum()
    outer = viz.describe(y, collapse_modules=0)
    assert [n.label for n in outer.nodes if isinstance(n, viz.ModuleNode)] == ["_Scaled"]
    inner = viz.describe(y, collapse_modules=1)
    assert [n.label for n in inner.nodes if isinstance(n, viz.ModuleNode)] == ["inner: Linear"]
    assert "Tanh" in [o.name for o in inner.ops()]  # _Scaled's own ops stay
    for bad in (-1, "yes", 1.5):
        with pytest.raises(ValueError, match="collapse_modules"):
            viz.to_dot(y, collapse_modules=bad)


# --------------------------------------------------------------- gradient colour


@pytest.mark.parametrize(
    "norm, bucket",
    [(5e-4, 4), (1.0, 8), (9.99, 8), (10.0, 9), (1e5, 9), (1e-12, 0), (3e-8, 0), (2e-7, 1)],
)
def test_known_gradient_norm_gets_its_decade_colour(norm, bucket):
    x = _leaf([0.0, 0.0], "x")
    c = np.array([0.6, 0.8]) * norm  # ‖c‖ = norm
    y = (x * mg.tensor(c)).sum()
    y.backward()
    dot = Dot(viz.to_dot(y))
    assert colors.bucket(colors.grad_norm(x.grad)) == bucket
    assert _fill(dot, dot.by_name("x")) == colors.PALETTE[bucket]
    assert "legend" in dot.nodes


def test_zero_gradient_is_grey_and_dashed():
    x = _leaf([-1.0, -2.0], "x")
    y = x.relu().sum()  # relu is flat below 0
    y.backward()
    dot = Dot(viz.to_dot(y))
    xid = dot.by_name("x")
    assert _fill(dot, xid) == colors.ZERO_FILL
    assert dot.attr(xid, "style") == "filled,dashed"
    assert "‖grad‖ 0" in dot.text(xid)


@pytest.mark.parametrize("scale, word", [(0.0, "nan"), (1.0, "inf")])
def test_nan_and_inf_gradients_are_marked_red_and_bold(scale, word):
    x = _leaf([0.0, 4.0], "x")
    y = (x.sqrt() * scale).sum()  # d sqrt/dx = inf at 0; times 0 gives nan
    with np.errstate(divide="ignore", invalid="ignore"):
        y.backward()
    dot = Dot(viz.to_dot(y))
    xid = dot.by_name("x")
    assert dot.attr(xid, "color") == colors.NONFINITE_BORDER
    assert dot.attr(xid, "penwidth") == "3"
    assert f"‖grad‖ {word}" in dot.text(xid)


def test_grad_norm_does_not_overflow_and_reports_nonfinite():
    assert colors.grad_norm(np.array([1e200, 1e200])) == pytest.approx(math.sqrt(2) * 1e200)
    assert colors.grad_norm(np.array([3.0, 4.0], dtype=np.float32)) == 5.0
    assert math.isnan(colors.grad_norm(np.array([np.inf, np.nan])))
    assert colors.grad_norm(np.array([-np.inf, 1.0])) == math.inf
    assert colors.grad_norm(np.zeros((0,))) == 0.0


def test_show_grad_false_draws_no_colour_and_no_legend():
    x = _leaf([1.0], "x")
    y = (x * 3).sum()
    y.backward()
    dot = Dot(viz.to_dot(y, show_grad=False))
    assert _fill(dot, dot.by_name("x")) == "white"
    assert "legend" not in dot.nodes and "grad" not in dot.text(dot.by_name("x"))


# ------------------------------------------------------------ trace_gradients


def test_trace_gradients_gives_every_tensor_its_gradient():
    x = _leaf([1.0, 2.0], "x")
    h = x * x
    y = h.sum()
    grads = viz.trace_gradients(y)
    np.testing.assert_allclose(grads[x], [2.0, 4.0])
    np.testing.assert_allclose(grads[h], [1.0, 1.0])
    assert grads[y] == 1.0
    assert x.grad is None


def test_trace_gradients_after_a_freeing_backward_says_what_to_do():
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="before calling backward"):
        viz.trace_gradients(y)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        viz.to_dot(y, compute_grads=True)


def test_trace_gradients_bad_roots():
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.trace_gradients(mg.tensor([1.0]))
    with pytest.raises(TypeError):
        viz.trace_gradients(np.ones(2))
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="gradient"):
        viz.trace_gradients(x * 2)  # two elements: the seed must be given
    grads = viz.trace_gradients(x * 2, gradient=np.array([1.0, -1.0]))
    np.testing.assert_allclose(grads[x], [2.0, -2.0])


def test_grads_and_compute_grads_together_are_refused():
    x = _leaf(1.0)
    y = x * 2
    with pytest.raises(ValueError, match="not both"):
        viz.to_dot(y, grads={}, compute_grads=True)


# ------------------------------------------------------------------- escaping

NASTY = "a\"b{c}|<d>\\e&f'g\n]"


def test_labels_escape_what_dot_treats_specially():
    x = _leaf([1.0], NASTY)
    src = viz.to_dot((x * 2).sum())
    (shown,) = re.findall(r"<B>(.*?)</B>", src.split("Mul")[0])
    # HTML-like labels: braces, | and backslash are plain text; XML's five are entities;
    # the newline is shown as \n rather than breaking the line
    assert shown == "a&quot;b{c}|&lt;d&gt;\\e&amp;f&#x27;g\\n]"


def test_long_names_are_shortened():
    x = _leaf([1.0], "n" * 500)
    dot = Dot(viz.to_dot(x))
    assert len(dot.text("t0").split("|")[0]) == 48


@needs_dot
def test_nasty_names_render_to_valid_svg_with_the_text_intact():
    x = _leaf([1.0], NASTY)
    svg = viz.draw_graph((x * 2).sum()).pipe(format="svg").decode()
    texts = [
        "".join(e.itertext()) for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert "a\"b{c}|<d>\\e&f'g\\n]" in texts


# ---------------------------------------------------------------- large graphs


def _chain(n_ops: int, shared: bool = True) -> mg.Tensor:
    w = _leaf(np.full(2, 0.5))
    y = _leaf(np.ones(2))
    for _ in range(n_ops // 2):
        y = (y * (w if shared else _leaf(np.full(2, 0.5)))).tanh()
    return y


def test_fifty_thousand_node_graph_is_refused_with_advice_to_collapse():
    y = _chain(25_000)  # 25,000 ops + 25,000 tensors
    for options in ({}, {"compute_grads": True}):
        with pytest.raises(viz.GraphTooLargeError, match="collapse_modules=True"):
            viz.to_dot(y, **options)
    with pytest.raises(viz.GraphTooLargeError, match="even collapsed"):
        viz.to_dot(y, collapse_modules=True)  # no modules: nothing to collapse
    assert isinstance(viz.GraphTooLargeError(""), ValueError)


def test_big_graph_made_of_module_calls_is_drawn_collapsed():
    class Block(nn.Module):
        def forward(self, x):
            for _ in range(250):
                x = x.tanh()
            return x

    blocks = [Block() for _ in range(100)]
    y = _leaf(np.ones(2))
    for b in blocks:
        y = b(y)  # 100 calls x 500 nodes
    dot = Dot(viz.to_dot(y.sum(), collapse_modules=True))
    assert len([k for k in dot.graph_nodes() if dot.attr(k, "shape") == "box3d"]) == 100


def test_max_nodes_is_configurable():
    y = _chain(10, shared=False)
    with pytest.raises(viz.GraphTooLargeError, match="max_nodes=5"):
        viz.to_dot(y, max_nodes=5)
    assert viz.to_dot(y, max_nodes=None)
    with pytest.raises(ValueError, match="max_nodes"):
        viz.to_dot(y, max_nodes=0)


@pytest.mark.parametrize("options", [{}, {"compute_grads": True}, {"collapse_modules": True}])
@pytest.mark.parametrize("max_nodes", [0, -1, "5", 2.5, True])
def test_invalid_max_nodes_is_a_value_error_whatever_the_other_options(max_nodes, options):
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.to_dot(_chain(3), max_nodes=max_nodes, **options)


def test_grads_must_be_a_mapping_of_gradients_of_the_tensors_shapes():
    x = _leaf(np.ones((2, 3)))
    y = (x * 2).sum()
    with pytest.raises(TypeError, match="grads must map"):
        viz.to_dot(y, grads=[np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"shape \(2, 3\) has shape \(3,\)"):
        viz.to_dot(y, grads={x: np.ones(3)})


def test_far_apart_uses_of_one_tensor_are_drawn_from_copies_only_when_big():
    small = Dot(viz.to_dot(_chain(20)))
    assert not [k for k in small.nodes if "_copy" in k]
    y = _chain(400)
    dot = Dot(viz.to_dot(y))
    copies = [k for k in dot.nodes if "_copy" in k]
    assert copies and len(dot.graph_nodes()) - len(copies) == len(viz.build_graph(y))
    assert all(dot.attr(k, "style") == "filled,dashed" for k in copies)


# ---------------------------------------------------------- rendering and files

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_write_graph_renders_svg_and_png_through_dot(tmp_path):
    model, loss = _mlp_loss(norm="batch", dropout=0.5)
    result = viz.write_graph(loss, tmp_path / "sub" / "graph", compute_grads=True)
    assert result.missing_graphviz is None
    assert result.dot.read_text().startswith("digraph")
    root = ET.parse(result.images["svg"]).getroot()
    assert root.tag.endswith("svg")
    png = result.images["png"].read_bytes()
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000
    assert list(result) == [f"wrote {p}" for p in (result.dot, *result.images.values())]


def test_missing_dot_writes_the_dot_file_and_explains(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    y = (_leaf([1.0]) * 2).sum()
    result = viz.write_graph(y, tmp_path / "g")
    assert result.images == {} and (tmp_path / "g.dot").read_text().startswith("digraph")
    assert "apt-get install graphviz" in result.missing_graphviz
    assert "brew install graphviz" in result.missing_graphviz
    assert any("apt-get" in line for line in result)
    with pytest.raises(viz.GraphvizNotFoundError, match="conda install") as err:
        viz.draw_graph(y).pipe(format="svg")
    assert isinstance(err.value, graphviz.ExecutableNotFound)
    with pytest.raises(viz.GraphvizNotFoundError):
        viz.draw_graph(y).render(tmp_path / "r")


def test_write_graph_bad_arguments(tmp_path):
    y = (_leaf([1.0]) * 2).sum()
    with pytest.raises(ValueError, match="format"):
        viz.write_graph(y, tmp_path / "g", formats=("svg", "jpgg"))
    with pytest.raises(TypeError):
        viz.write_graph("not a graph", tmp_path / "g")
    with pytest.raises(TypeError, match="options"):
        viz.write_graph(viz.draw_graph(y), tmp_path / "g", rankdir="TB")
    assert not (tmp_path / "g.dot").exists()


def test_write_graph_takes_one_format_as_a_string(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # the .dot file is enough here
    result = viz.write_graph((_leaf([1.0]) * 2).sum(), tmp_path / "g", formats="svg")
    assert "-Tsvg" in result.missing_graphviz


@needs_dot
def test_render_model_graph_writes_files_and_leaves_grad_alone(tmp_path):
    mg.manual_seed(0)
    model = nn.MLP(3, [4], 2)
    x, y = np.ones((5, 3)), np.array([0, 1, 0, 1, 1])
    result = viz.render_model_graph(model, x, y, F.cross_entropy, tmp_path, formats=("svg",))
    assert set(result.images) == {"svg"} and result.images["svg"].exists()
    assert all(p.grad is None for p in model.parameters())
    assert "layers.0.weight" in result.dot.read_text()
