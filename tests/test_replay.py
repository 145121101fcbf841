"""Backprop replay (``viz.replay``): the record is the engine's own pass, exactly.

Each graph below is replayed and the record is checked against its definition: a
step's upstream gradient is the seed plus what earlier steps sent to that output;
what the steps send to a leaf adds up to ``Replay.grads``, which is ``mg.grad``'s
answer bit for bit; nothing is touched or freed. Then the rule and kink of each step,
the errors, and the page's contract (its JSON, determinism, self-containment). The
page in a real browser: ``test_replay_browser.py``.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, viz
from minigrad.catalogue import OPS, rule_of
from minigrad.ops import Abs, Tanh
from minigrad.viz.replay import rule_text
from minigrad.viz.replay_page import SMALL_ARRAY, array_text

needs_dot = pytest.mark.needs_dot  # skipped where dot is missing, unless CI=true (conftest.py)


# ------------------------------------------------------------------ graphs to replay


def micrograd_expression() -> tuple[mg.Tensor, list[mg.Tensor]]:
    """micrograd's README expression: fan-out, relu, pow, division, constants."""
    a = mg.tensor(-4.0, requires_grad=True, dtype=np.float64)
    b = mg.tensor(2.0, requires_grad=True, dtype=np.float64)
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g, [a, b]


def micrograd_neuron() -> tuple[mg.Tensor, list[mg.Tensor]]:
    """The neuron of micrograd's walkthrough, o = tanh(x1 w1 + x2 w2 + b), named as there."""
    leaves = []
    for name, value in [
        ("x1", 2.0),
        ("w1", -3.0),
        ("x2", 0.0),
        ("w2", 1.0),
        ("b", 6.8813735870195432),
    ]:
        leaves.append(mg.tensor(value, requires_grad=True, dtype=np.float64))
        leaves[-1].name = name
    x1, w1, x2, w2, b = leaves
    n = x1 * w1 + x2 * w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    return o, leaves


def x_plus_x_times_x() -> tuple[mg.Tensor, list[mg.Tensor]]:
    """tinygrad's fan-out regression: one tensor used three times."""
    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    return ((x + x) * x).sum(), [x]


def broadcasting_and_kinks() -> tuple[mg.Tensor, list[mg.Tensor]]:
    """A bias broadcast over rows, abs and relu with inputs at 0, a max with ties."""
    w = mg.tensor([[1.0, 0.0], [-2.0, 0.5]], requires_grad=True)
    b = mg.tensor([0.0, -0.5], requires_grad=True)
    h = (w + b).relu() + (w * b).abs()
    return h.max(axis=1).sum() + mg.maximum(h, 0.5).mean(), [w, b]


def small_mlp() -> tuple[mg.Tensor, list[mg.Tensor]]:
    """A model with modules, a loss and an L1 penalty on its weights."""
    mg.manual_seed(0)
    model = nn.MLP(3, [4], 2, activation="relu", dtype=np.float64)
    x = mg.tensor(np.arange(12.0).reshape(4, 3) / 10)
    loss = F.cross_entropy(model(x), np.array([0, 1, 1, 0])) + 0.1 * F.l1_penalty(
        [p for name, p in model.named_parameters() if name.endswith("weight")]
    )
    return loss, list(model.parameters())


GRAPHS = [
    micrograd_expression,
    micrograd_neuron,
    x_plus_x_times_x,
    broadcasting_and_kinks,
    small_mlp,
]


def replayed(make) -> tuple[viz.Replay, mg.Tensor, list[mg.Tensor]]:
    root, leaves = make()
    return viz.replay(root), root, leaves


# ------------------------------------------------------------------- exactness


@pytest.mark.parametrize("make", GRAPHS)
def test_upstream_is_the_seed_plus_what_earlier_steps_sent_to_that_output(make):
    r, root, _ = replayed(make)
    received = {id(root): np.ones_like(root.data)}  # the seed of a one-element root
    for step in r.steps:
        for out, upstream in zip(step.outputs, step.upstream):
            assert np.array_equal(upstream, received.pop(id(out)))
        for t, g in zip(step.inputs, step.contributions):
            if g is not None:
                # a + b in arrival order, as the engine adds: the result is bit-exact
                received[id(t)] = received[id(t)] + g if id(t) in received else g
    assert set(received) == {id(leaf) for leaf in r.grads}  # only leaves are left over


@pytest.mark.parametrize("make", GRAPHS)
def test_contributions_to_each_leaf_add_up_to_grads_which_equal_mg_grad(make):
    r, root, leaves = replayed(make)
    for leaf in leaves:
        sent = [g for s in r.steps for t, g in zip(s.inputs, s.contributions) if t is leaf]
        total = sent[0]
        for g in sent[1:]:
            total = total + g
        assert np.array_equal(total, r.grads[leaf])
    expected = mg.grad(root, leaves)
    assert sorted(map(id, r.grads)) == sorted(map(id, leaves))
    for leaf, g in zip(leaves, expected):
        assert np.array_equal(r.grads[leaf], g.data)


@pytest.mark.parametrize("make", GRAPHS)
def test_replay_touches_no_grad_and_backward_still_works_after_it(make):
    r, root, leaves = replayed(make)
    assert all(leaf.grad is None for leaf in leaves)
    viz.replay(root)  # a second replay of the same graph: nothing was freed
    root.backward()
    for leaf in leaves:
        assert np.array_equal(leaf.grad, r.grads[leaf])


def test_a_given_gradient_seeds_the_pass_as_in_backward():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    r = viz.replay(y, gradient=np.array([1.0, -3.0]))
    assert np.array_equal(r.steps[0].upstream[0], [1.0, -3.0])
    assert np.array_equal(r.grads[x], [2.0, -12.0])


def test_a_leaf_as_root_is_a_pass_of_no_steps():
    x = mg.tensor(2.0, requires_grad=True)
    r = viz.replay(x)
    assert r.steps == [] and np.array_equal(r.grads[x], 1.0)


# --------------------------------------------------------- the steps' own tensors


def test_steps_hold_the_graphs_own_tensors_and_the_users_leaves():
    r, root, leaves = replayed(micrograd_expression)
    assert r.steps[0].outputs == (root,) and r.steps[0].outputs[0] is root
    made = {id(t) for s in r.steps for t in s.outputs}
    for k, step in enumerate(r.steps):
        for t in step.inputs:
            if t is not None and t._node is not None:  # made by an op: a later step
                later = [s for s in r.steps[k + 1 :] if any(o is t for o in s.outputs)]
                assert len(later) == 1 and id(t) in made
    assert all(any(key is leaf for leaf in leaves) for key in r.grads)
    assert r.steps[0].op == "Add" and all(s.node.name == s.op for s in r.steps)


def test_inputs_and_contributions_line_up_with_none_for_constants():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (step,) = viz.replay((x * np.array([3.0, 4.0])).sum()).steps[1:]  # the Mul
    assert step.inputs[0] is x and step.inputs[1] is None
    assert np.array_equal(step.contributions[0], [3.0, 4.0]) and step.contributions[1] is None


# ---------------------------------------------------------------- rules and kinks


def test_the_rule_of_abs_names_sign_and_its_value_at_zero_from_the_docstring():
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    (step,) = viz.replay(x.abs(), gradient=np.ones(2)).steps
    assert step.rule == "dy/dx = sign(x); at the kink: " + rule_of(Abs).kink
    assert "sign(x)" in step.rule and "0 at x = 0" in step.rule


def test_a_smooth_op_has_no_kink_in_its_rule():
    assert rule_text(Tanh) == "dy/dx = " + rule_of(Tanh).derivative


@pytest.mark.parametrize("make", GRAPHS)
def test_every_steps_rule_is_its_ops_docstring_rule(make):
    r, _, _ = replayed(make)
    for step in r.steps:
        assert step.rule == rule_text(step.node.fn)
        assert rule_of(step.node.fn).derivative.replace("``", "") in step.rule


def test_an_op_without_a_stated_rule_says_so():
    class Double(mg.Function):
        """y = 2x (no rule lines)."""

        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    x = mg.tensor(1.0, requires_grad=True)
    assert viz.replay(Double.apply(x)).steps[0].rule == "(Double's docstring states no rule)"


KINKS = [  # an expression of x, the values of x, how many sit at a kink
    ("abs", lambda x: x.abs(), [-1.0, 0.0, 0.0, 2.0], 2),
    ("abs, none at 0", lambda x: x.abs(), [-1.0, 0.5], 0),
    ("relu", lambda x: x.relu(), [0.0, 1.0, 0.0], 2),
    ("leaky_relu", F.leaky_relu, [0.0, 1.0], 1),
    ("clip at both bounds", lambda x: x.clip(0.0, 1.0), [0.0, 0.5, 1.0, 2.0], 2),
    ("clip lo only", lambda x: x.clip(0.0, None), [0.0, 0.5, 0.0], 2),
    ("maximum ties", lambda x: mg.maximum(x[:2], x[2:]), [1.0, 2.0, 1.0, 3.0], 1),
    ("maximum tie with a constant", lambda x: mg.maximum(x, 0.0), [0.0, -1.0], 1),
    ("minimum ties", lambda x: mg.minimum(x, 2.0), [2.0, 2.0, 1.0], 2),
    ("max ties", lambda x: x.max(), [3.0, 1.0, 3.0, 3.0], 3),
    ("max no tie", lambda x: x.max(), [3.0, 1.0, 2.0], 0),
    ("max over rows", lambda x: x.reshape(2, 2).max(axis=1), [1.0, 1.0, 0.0, 2.0], 2),
    ("min ties", lambda x: x.min(), [-3.0, 1.0, -3.0], 2),
    ("norm of a zero vector", lambda x: x.norm(), [0.0, 0.0, 0.0], 3),
    ("norm of a zero row", lambda x: x.reshape(2, 2).norm(axis=1), [0.0, 0.0, 3.0, 4.0], 2),
    ("norm away from zero", lambda x: x.norm(), [0.0, 1.0], 0),
    ("l1_penalty", lambda x: F.l1_penalty([x]), [0.0, -2.0, 0.0], 2),
]


@pytest.mark.parametrize(
    "expression, values, expected", [k[1:] for k in KINKS], ids=[k[0] for k in KINKS]
)
def test_kinks_count_the_input_elements_exactly_at_a_kink(expression, values, expected):
    x = mg.tensor(values, requires_grad=True)
    y = expression(x)
    r = viz.replay(y, gradient=np.ones(y.shape))
    assert sum(s.kinks for s in r.steps) == expected


def test_every_counted_kink_of_the_catalogue_is_counted_at_its_own_exact_checks():
    counted = [(op, kink) for op in OPS for kink in op.kinks if kink.count is not None]
    assert len(counted) == 10
    for op, kink in counted:
        for check in kink.checks:
            x = mg.tensor(check.at, requires_grad=True, dtype=np.float64)
            y = check.fn(x)
            steps = viz.replay(y, gradient=np.ones(y.shape)).steps
            assert sum(s.kinks for s in steps if s.node.fn is op.function) > 0, check.name


def test_smooth_steps_count_no_kinks():
    r, _, _ = replayed(x_plus_x_times_x)
    assert [s.kinks for s in r.steps] == [0, 0, 0]


# -------------------------------------------------------------------- bad input


def test_a_root_with_no_graph_is_refused_saying_nothing_requires_grad():
    with pytest.raises(RuntimeError, match="nothing in the root's graph requires grad"):
        viz.replay(mg.tensor([1.0, 2.0]).sum())


def test_a_root_that_is_not_a_tensor_is_refused():
    with pytest.raises(TypeError, match="expected a minigrad Tensor"):
        viz.replay(np.ones(3))


def test_a_non_scalar_root_needs_a_gradient_as_backward_does():
    y = mg.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="pass `gradient`") as from_replay:
        viz.replay(y)
    with pytest.raises(RuntimeError) as from_backward:
        y.backward()
    assert str(from_replay.value) == str(from_backward.value).replace("the tensor", "the root")
    with pytest.raises(RuntimeError, match=r"gradient of shape \(3,\)"):
        viz.replay(y, gradient=np.ones(3))


def test_a_graph_above_max_nodes_gets_the_error_of_the_drawing():
    root, _ = micrograd_expression()
    with pytest.raises(viz.GraphTooLargeError) as from_drawing:
        viz.draw_graph(root, max_nodes=10)
    with pytest.raises(viz.GraphTooLargeError) as from_replay:
        viz.replay(root, max_nodes=10)
    assert str(from_replay.value) == str(from_drawing.value)
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.replay(root, max_nodes=0)


def test_a_graph_freed_by_backward_gets_the_message_of_a_second_backward():
    root, _ = micrograd_expression()
    root.backward()
    with pytest.raises(RuntimeError) as from_replay:
        viz.replay(root)
    with pytest.raises(RuntimeError) as from_backward:
        root.backward()
    assert str(from_replay.value) == str(from_backward.value)
    assert "retain_graph=True" in str(from_replay.value)


def test_the_page_of_a_graph_freed_after_the_replay_says_to_make_it_first():
    r, root, _ = replayed(micrograd_expression)
    root.backward()
    with pytest.raises(RuntimeError, match="make the page .* before calling backward"):
        r.to_html()


def test_the_page_without_dot_says_how_to_install_it(monkeypatch, tmp_path):
    r, _, _ = replayed(x_plus_x_times_x)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz"):
        r.to_html()


# --------------------------------------------------------------------- the page


def page_json(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="replay-data">(.*?)</script>', page)
    return json.loads(found.group(1))


@needs_dot
@pytest.mark.parametrize("make", GRAPHS)
def test_the_pages_json_holds_each_steps_op_and_rule(make):
    r, _, _ = replayed(make)
    data = page_json(r.to_html())
    assert [(s["op"], s["rule"]) for s in data["steps"]] == [(s.op, s.rule) for s in r.steps]
    assert [s["kinks"] for s in data["steps"]] == [s.kinks for s in r.steps]


@needs_dot
def test_the_page_has_the_controls_counter_and_a_node_for_every_step():
    r, _, _ = replayed(micrograd_expression)
    page = r.to_html()
    for action in ("first", "prev", "next", "last", "play"):
        assert len(re.findall(f'<button [^>]*data-action="{action}"', page)) == 1
    assert f'<span data-role="step">0 / {len(r.steps)}</span>' in page
    assert f'max="{len(r.steps)}"' in page  # the slider
    titles = set(re.findall(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>', page))
    assert {s["node"] for s in page_json(page)["steps"]} <= titles


@needs_dot
def test_the_running_gradient_of_each_leaf_ends_at_its_total():
    r, _, leaves = replayed(small_mlp)
    data = page_json(r.to_html())
    last_step = {tid: history[-1] for tid, history in data["running"].items()}
    leaf_ids = [tid for tid, t in data["tensors"].items() if t["kind"] != "intermediate"]
    assert sorted(last_step[tid][1] for tid in leaf_ids) == sorted(
        array_text(r.grads[leaf]) for leaf in leaves
    )
    assert all(data["complete_after"][tid] == last_step[tid][0] for tid in data["running"])


@needs_dot
def test_the_page_is_deterministic_and_save_writes_it_as_utf8(tmp_path):
    page = viz.replay(micrograd_expression()[0]).to_html()
    again = viz.replay(micrograd_expression()[0])  # a new graph of the same expression
    assert again.to_html() == page
    path = again.save(tmp_path / "replay.html")
    assert path.read_bytes() == page.encode("utf-8")


@needs_dot
def test_the_page_loads_nothing_from_anywhere():
    page = viz.replay(small_mlp()[0]).to_html()
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    urls = set(re.findall(r"https?://[^\s\"')]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@needs_dot
def test_module_calls_are_clusters_on_the_page():
    root, _ = small_mlp()
    model_page = viz.replay(root, module=None).to_html()
    assert model_page.count('class="cluster"') >= 2  # the MLP and its layers


@needs_dot
def test_repr_html_frames_the_page_so_two_replays_keep_apart():
    first = viz.replay(micrograd_expression()[0])
    second = viz.replay(x_plus_x_times_x()[0])
    frames = [first._repr_html_(), second._repr_html_()]
    for frame, r in zip(frames, (first, second)):
        assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
        srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)
        assert html.unescape(srcdoc) == r.to_html()


def test_large_arrays_are_summarised_and_small_ones_shown_in_full():
    assert array_text(np.array([1.0, -0.5])) == "[1, -0.5]"
    assert array_text(np.array(2.0)) == "2"
    big = np.arange(SMALL_ARRAY + 1.0)
    assert array_text(big) == (
        f"shape ({SMALL_ARRAY + 1},), norm {np.linalg.norm(big):.4g},\nfirst values [0, 1, 2, 3, …]"
    )
    assert array_text(np.array([-0.0, 1.0])) == "[0, 1]"  # no sign on a zero
