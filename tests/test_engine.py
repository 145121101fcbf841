"""The reverse pass itself: fan-out, accumulation, deep graphs, memory, errors, grad modes,
``mg.grad`` and ``detect_anomaly``."""

import gc
import inspect
import os
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad import catalogue

# ------------------------------------------------------------------ reuse and fan-out


def test_fan_out_x_plus_x_times_x():
    """tinygrad's regression test: (x + x) * x = 2x^2, so the gradient is 4x."""
    x = mg.tensor([3.0, -1.0], requires_grad=True)
    ((x + x) * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [12.0, -4.0])


def test_non_leaf_reused_in_several_branches():
    x = mg.tensor([0.3, -0.8], dtype=mg.float64, requires_grad=True)
    h = x.exp()
    (h * h + 3 * h + h.tanh()).sum().backward()
    e = np.exp(x.data)
    np.testing.assert_allclose(x.grad, (2 * e + 3 + 1 - np.tanh(e) ** 2) * e, rtol=1e-12)


def test_diamond_graph():
    """a feeds b and c, which meet again in d = b * c = (2x + 1) * 6x."""
    x = mg.tensor(1.5, dtype=mg.float64, requires_grad=True)
    a = x * 2
    d = (a + 1) * (a * 3)
    d.backward()
    assert x.grad.item() == 24 * 1.5 + 6


# -------------------------------------------------------------------- accumulation


class TwoAndThreeTimes(mg.Function):
    """Two outputs, (2x, 3x), counting its backward calls."""

    calls = 0

    @staticmethod
    def forward(ctx, x):
        return 2 * x, 3 * x

    @staticmethod
    def backward(ctx, g_two, g_three):
        TwoAndThreeTimes.calls += 1
        return 2 * g_two + 3 * g_three


def test_a_node_reached_through_two_outputs_and_two_roots_runs_once():
    x = mg.tensor([0.5, -1.0], dtype=mg.float64, requires_grad=True)
    two, three = TwoAndThreeTimes.apply(x)
    TwoAndThreeTimes.calls = 0
    (g,) = mg.grad([two.sum(), (two * three).sum(), three], x, [None, None, np.ones(2)])
    assert TwoAndThreeTimes.calls == 1
    np.testing.assert_allclose(g.data, 2 + 12 * x.data + 3)
    two, three = TwoAndThreeTimes.apply(x)
    (two.sum() + three.sum()).backward()
    assert TwoAndThreeTimes.calls == 2
    np.testing.assert_allclose(x.grad, [5.0, 5.0])


def test_a_deep_copied_graph_backpropagates_beside_the_original():
    # the copy's nodes keep their creation numbers: two nodes of one number in the queue
    import copy

    x = mg.tensor([0.5, -1.0, 2.0], dtype=mg.float64, requires_grad=True)
    y = (x * 3.0).tanh()
    y2 = copy.deepcopy(y)
    (y + y2).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * (1 - np.tanh(3 * x.data) ** 2))


def test_a_node_that_no_gradient_reaches_is_never_run():
    class NoGradientFor(mg.Function):  # y = x * c, with no gradient for the second input
        @staticmethod
        def forward(ctx, x, c):
            return x * c

        @staticmethod
        def backward(ctx, g):
            return g * 2.0, None

    class Refuses(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("Refuses.backward ran")

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    NoGradientFor.apply(x, Refuses.apply(w)).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert w.grad is None


def test_repeated_backward_accumulates_into_grad_until_the_graph_is_freed():
    x = mg.tensor(3.0, requires_grad=True)
    z = 2 * (x * x + x)
    z.backward(retain_graph=True)
    assert x.grad.item() == 14.0
    z.backward(retain_graph=True)
    assert x.grad.item() == 28.0  # micrograd's stale intermediate grads would give 54
    z.backward()
    assert x.grad.item() == 42.0
    with pytest.raises(RuntimeError, match="retain_graph"):
        z.backward()
    assert x.grad.item() == 42.0


def test_backward_of_two_graphs_accumulates_into_a_shared_leaf():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data + 3)


def test_given_gradient_is_neither_kept_nor_modified():
    """Add passes the seed on unchanged to both operands, here the same leaf: the engine
    must sum into a new array, not into the caller's."""
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x + x
    v = np.ones(2, dtype=np.float32)
    y.backward(v, retain_graph=True)
    y.backward(v)
    np.testing.assert_array_equal(v, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])
    assert not np.shares_memory(x.grad, v)


def test_gradients_of_two_leaves_do_not_share_memory():
    """Add hands the same incoming gradient to both operands: each .grad must be a copy."""
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(np.ones(2, dtype=np.float32))
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 1  # a user's in-place edit of one .grad
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


# ------------------------------------------------------------------------ deep chain

CHAIN = 100_000


def test_deep_chain_backward_needs_no_recursion():
    """100,000 chained ops: iterative topological order, iterative freeing."""
    x = mg.tensor(1.0, dtype=mg.float64, requires_grad=True)
    y = x
    for _ in range(CHAIN):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001**CHAIN, rtol=1e-9)
    del y  # dropping the chain frees 100,000 nodes without a recursion error


# ---------------------------------------------------------------------------- memory


def test_backward_frees_saved_buffers():
    x = mg.tensor([-1.0, 2.0], requires_grad=True)
    y = abs(x)
    saved = weakref.ref(y.grad_fn.saved_tensors[0])  # abs's sign(x), held by nothing else
    y.sum().backward()
    assert saved() is None
    released = y.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        (_,) = released
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        _ = released[0]
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        len(released)


def test_second_backward_through_a_freed_graph_says_to_retain_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_keeps_saved_buffers():
    x = mg.tensor([-1.0, 2.0], requires_grad=True)
    y = x.relu()
    y.sum().backward(retain_graph=True)
    assert y.grad_fn.saved_tensors[0] is not None


def test_create_graph_lends_the_rule_tensors_and_gives_the_arrays_back():
    x = mg.tensor([0.5, -1.0], requires_grad=True, dtype=np.float64)
    y = x.tanh()
    (g,) = mg.grad(y.sum(), x, create_graph=True)
    (saved,) = y.grad_fn.saved_tensors
    assert saved is y.data  # the arrays are back once the rule has run
    g.sum().backward(retain_graph=True)  # the rule saw y itself, not a constant
    np.testing.assert_allclose(x.grad, -2 * y.data * (1 - y.data**2))
    x.grad = None
    y.sum().backward()  # and the first-order pass finds the arrays
    np.testing.assert_allclose(x.grad, 1 - y.data**2)


def _intermediates_are_freed_by_refcount(create_graph: bool) -> list:
    """Build a graph, run backward, drop the output; return what is still alive."""
    x = mg.tensor(np.linspace(-1, 1, 5), requires_grad=True)
    h = x * 2
    k = h.exp()
    out = (k * h + h.tanh()).sum()
    refs = [weakref.ref(o) for o in (h, k, out, h.grad_fn, k.grad_fn, out.grad_fn)]
    del h, k
    if create_graph:
        (g,) = mg.grad(out, x, create_graph=True)
        refs += [weakref.ref(g), weakref.ref(g.grad_fn)]
        (g * g).sum().backward()
        del g
    else:
        out.backward()
    del out
    return [r() for r in refs if r() is not None]


@pytest.mark.parametrize("create_graph", [False, True])
def test_graph_has_no_reference_cycles(create_graph):
    gc.collect()
    gc.disable()  # only reference counting may free the graph
    try:
        alive = _intermediates_are_freed_by_refcount(create_graph)
    finally:
        gc.enable()
    assert alive == []


def _traced_growth(steps: int, step) -> int:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(steps):
            step()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_training_loop_does_not_grow_memory_even_when_it_keeps_every_loss(rng):
    """history.append(loss), the usual way to plot a curve, keeps each step's loss
    Tensor; after backward its graph holds no array (as PyTorch), so memory stays
    flat. A graph kept with retain_graph=True holds its activations: the scale."""
    x = rng.standard_normal((256, 64))
    w = mg.tensor(rng.standard_normal((64, 32)) * 0.1, requires_grad=True)
    history = []

    def step(keep: bool = False, retain_graph: bool = False):
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward(retain_graph=retain_graph)
        w.data -= 0.01 * w.grad
        w.grad = None
        if keep:
            history.append(loss)

    for _ in range(5):  # warm-up: numpy's and Python's caches fill once
        step()
    growth = _traced_growth(50, step)
    kept_losses = _traced_growth(50, lambda: step(keep=True))
    retained = _traced_growth(50, lambda: step(keep=True, retain_graph=True))
    assert retained > 5_000_000  # each retained graph holds three 64 KB activations
    assert growth < retained / 20, f"{growth} bytes grew over 50 steps"
    assert kept_losses < retained / 20, f"{kept_losses} bytes grew over 50 kept losses"


def test_a_node_after_backward_keeps_no_array_only_its_name_and_shapes():
    x = mg.tensor(np.ones((4, 3)), requires_grad=True)
    h = x * 2.0
    loss = h.exp().sum()
    data = weakref.ref(h.data)
    del h
    loss.backward()
    assert data() is None  # the activation x * 2 is gone
    (exp_input,) = loss.grad_fn.inputs[0].grad_fn.inputs
    assert exp_input.data is None and exp_input.shape == (4, 3)
    assert exp_input.grad_fn.name == "Mul" and loss.grad_fn.freed


# ---------------------------------------------------------------------------- errors


def test_shape_mismatch_names_the_op_and_both_shapes():
    a, b = mg.tensor(np.ones((2, 3))), mg.tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"Add.*\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(ValueError, match=r"MatMul.*\(2, 3\).*\(4,\)"):
        a @ b
    with pytest.raises(ValueError, match=r"Maximum.*\(2, 3\).*\(4,\)"):
        mg.maximum(a, b)


def test_backward_without_gradient_needs_one_element():
    y = mg.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"one element.*\(2,\).*gradient"):
        y.backward()


@pytest.mark.parametrize("gradient", [np.ones(3), mg.tensor(np.ones((2, 1)))], ids=str)
def test_backward_refuses_a_gradient_of_the_wrong_shape(gradient):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"shape .* given for the tensor of shape \(2,\)"):
        y.backward(gradient)
    assert x.grad is None
    y.backward(np.ones(2))  # the refused call left the graph usable
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (mg.tensor([1.0, 2.0]) * 2).sum().backward()
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


class TwoGradientsForOneInput(mg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g, g


class GradientOfWrongShape(mg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return np.ones(5)


def test_user_function_with_wrong_number_of_gradients_is_named():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="TwoGradientsForOneInput returned 2 gradients for 1"):
        TwoGradientsForOneInput.apply(x).sum().backward()


def test_user_function_with_gradient_of_wrong_shape_is_named():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"GradientOfWrongShape.*\(5,\).*\(3,\)"):
        GradientOfWrongShape.apply(x).sum().backward()
    assert x.grad is None  # a failed pass adds nothing to .grad


# ------------------------------------------------------------------------ grad modes


def test_no_grad_context_records_no_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_no_grad_decorator_records_no_graph():
    @mg.no_grad()
    def double(t):
        return t * 2

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert not double(x).requires_grad
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad_records_again():
    @mg.enable_grad()
    def double(t):
        return t * 2

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        with mg.enable_grad():
            assert (x * 2).requires_grad
        assert double(x).requires_grad
        assert not (x * 2).requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(KeyError):
        with mg.no_grad():
            raise KeyError("inside no_grad")
    assert mg.is_grad_enabled()


def test_detach_shares_data_and_stops_the_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert np.shares_memory(d.data, y.data)
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad, d.data)  # no gradient through d


# -------------------------------------------------------------------------- mg.grad


def test_grad_returns_a_tuple_of_tensors_and_leaves_dot_grad_alone():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([3.0, 4.0], requires_grad=True)
    gx, gy = mg.grad((x * y).sum(), [x, y])
    assert isinstance(gx, mg.Tensor) and isinstance(gy, mg.Tensor)
    np.testing.assert_array_equal(gx.data, y.data)
    np.testing.assert_array_equal(gy.data, x.data)
    assert x.grad is None and y.grad is None
    (only,) = mg.grad((x * x).sum(), x)  # one Tensor in, a 1-tuple out
    np.testing.assert_array_equal(only.data, 2 * x.data)


def test_grad_of_an_unused_input_is_an_error_unless_allowed():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    unused = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="input 1 was not used.*allow_unused=True"):
        mg.grad((x * x).sum(), [x, unused])
    gx, gu = mg.grad((x * x).sum(), [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx.data, 2 * x.data)


def test_grad_with_respect_to_non_leaf_inputs():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    gh, gx = mg.grad((h * h).sum(), [h, x])
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    np.testing.assert_array_equal(gx.data, 18 * x.data)


def test_grad_of_several_outputs_with_grad_outputs():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    squares, total = x * x, x.sum()
    (g,) = mg.grad([squares, total], x, grad_outputs=[np.array([1.0, 0.5]), None])
    np.testing.assert_array_equal(g.data, [2 * 1.0 + 1, 0.5 * 4.0 + 1])
    squares, total = x * x, x.sum()
    (g,) = mg.grad([squares, total], [x], grad_outputs=[mg.tensor([0.0, 1.0]), mg.tensor(2.0)])
    np.testing.assert_array_equal(g.data, [2.0, 4.0 + 2.0])


def test_grad_of_outputs_that_depend_on_each_other():
    """z is computed from y: d(y + z)/dx = 3 + 2y * 3, whichever order they come in."""
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    for order in ([0, 1], [1, 0]):
        y = x * 3
        z = y * y
        outs = [[y, z][i] for i in order]
        (g,) = mg.grad(outs, x, grad_outputs=[np.ones(2), np.ones(2)])
        np.testing.assert_array_equal(g.data, 3 + 18 * x.data)


def test_grad_results_share_memory_with_nothing():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    v = np.ones(2, dtype=np.float32)
    ga, gb = mg.grad(a + b, [a, b], grad_outputs=v)
    assert not np.shares_memory(ga.data, gb.data)
    assert not np.shares_memory(ga.data, v) and not np.shares_memory(gb.data, v)
    y = a * 2
    (gy,) = mg.grad(y, y, grad_outputs=v)  # the gradient of y with respect to itself
    assert not np.shares_memory(gy.data, v)


def test_grad_frees_the_graph_unless_retained_or_create_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    mg.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        mg.grad(y, x)
    y = (x * x).sum()
    mg.grad(y, x, create_graph=True)  # retain_graph defaults to create_graph
    mg.grad(y, x)


def test_grad_refuses_inputs_and_outputs_without_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="input 0 is not a Tensor that requires grad"):
        mg.grad((x * 2).sum(), [mg.tensor([1.0])])
    with pytest.raises(RuntimeError, match="output 0 does not require grad"):
        mg.grad(mg.tensor(1.0), [x])
    with pytest.raises(ValueError, match="2 grad_outputs for 1 outputs"):
        mg.grad(x * 2, [x], grad_outputs=[np.ones(2), np.ones(2)])
    with pytest.raises(RuntimeError, match=r"shape \(3,\) given for output 0 of shape \(2,\)"):
        mg.grad(x * 2, [x], grad_outputs=np.ones(3))


# ------------------------------------------------------------------- detect_anomaly


def test_detect_anomaly_names_the_op_and_the_user_line():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.detect_anomaly():
        line = inspect.currentframe().f_lineno + 1
        y = x.sqrt() * 2
        with np.errstate(divide="ignore"), pytest.raises(RuntimeError) as error:
            y.sum().backward()
    message = str(error.value)
    assert "'Sqrt'" in message and "inf" in message  # Mul's gradient (2) was fine
    assert f"{os.path.basename(__file__)}:{line}" in message
    assert x.grad is None


def test_detect_anomaly_reports_nan():
    x = mg.tensor([-1.0, 1.0], requires_grad=True)
    with mg.detect_anomaly(), np.errstate(invalid="ignore"):
        y = x.sqrt()
        with pytest.raises(RuntimeError, match="'Sqrt' returned nan"):
            y.sum().backward()


def test_without_detect_anomaly_inf_gradients_pass_silently():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.detect_anomaly():
        pass
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad[0])


# -------------------------------------------------------------------- large inputs


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(
    "name, value, grad",
    [
        ("exp", [0.0, np.inf], [0.0, np.inf]),
        ("tanh", [-1.0, 1.0], [0, 0]),
        ("sigmoid", [0, 1], [0, 0]),
    ],
)
def test_exp_tanh_sigmoid_at_plus_minus_1000_without_warnings(name, value, grad, dtype):
    x = mg.tensor(np.array([-1000.0, 1000.0], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = getattr(x, name)()
        y.sum().backward()
    np.testing.assert_array_equal(y.data, value)
    np.testing.assert_array_equal(x.grad, grad)


def test_one_array_returned_for_a_leaf_and_a_non_leaf_is_added_to_neither():
    class SameArrayTwice(mg.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            h = g * 1.0
            return h, h

    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    w = mg.tensor([3.0, 4.0], dtype=mg.float64, requires_grad=True)
    y = w * 2.0  # a non-leaf
    z = x * 3.0 + SameArrayTwice.apply(x, y)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_a_leaf_first_reached_by_the_callers_seed_gets_a_new_array():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    seed = np.ones(2)
    (x + x * 2.0).backward(seed)
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    assert not np.shares_memory(x.grad, seed)


def test_an_array_a_rule_returns_is_never_changed_by_accumulation():
    class Tagged(np.ndarray):
        pass

    held = np.full(2, 5.0).view(Tagged)  # an array someone else keeps

    class ReturnsHeld(mg.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):
            return held

    w = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (ReturnsHeld.apply(w) + ReturnsHeld.apply(w)).backward(np.ones(2))
    ReturnsHeld.apply(w).backward(np.ones(2))  # += into .grad
    w.grad += 1.0
    np.testing.assert_array_equal(w.grad, [16.0, 16.0])
    np.testing.assert_array_equal(held, [5.0, 5.0])
    assert type(w.grad) is np.ndarray


def test_an_mlp_loop_with_batchnorm_and_dropout_that_keeps_every_loss_stays_flat(rng):
    """The loop that plots a curve (history.append(loss)) on a model with BatchNorm and
    dropout: each kept loss keeps its released graph (op names and shapes, as PyTorch
    keeps grad_fn), never the step's activations."""
    from minigrad import functional as F
    from minigrad import nn, optim

    mg.manual_seed(0)
    model = nn.MLP(64, [128, 128], 10, norm="batch", dropout=0.1)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = mg.tensor(rng.standard_normal((64, 64)).astype(np.float32)), np.arange(64) % 10
    history = []

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss)

    for _ in range(5):
        step()
    steps = 30
    per_step = _traced_growth(steps, step) / steps
    activations = 64 * 128 * 4 * 6  # six (64, 128) float32 activations a step, at least
    # what stays is the released graph's structure: ten nodes and their input shells
    assert per_step < activations / 10, f"{per_step:.0f} bytes kept per step"


def _arrays_kept_by(node) -> list[str]:
    """The attributes of a released node that still hold an array (or a Tensor's)."""
    found = []
    for name, value in vars(node).items():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, np.ndarray) or isinstance(getattr(item, "data", None), np.ndarray):
                if getattr(item, "_node", None) is None and isinstance(item, mg.Tensor):
                    continue  # a leaf: the user's own tensor (a parameter), as PyTorch
                found.append(f"{node.name}.{name}")
    return found


@pytest.mark.parametrize(
    "case", [c for op in catalogue.OPS for c in op.cases], ids=lambda c: c.name
)
def test_after_backward_no_node_of_any_op_keeps_an_array(case, rng):
    leaves = [mg.tensor(a, requires_grad=True) for a in case.arrays(rng)]
    out = case.fn(*leaves)
    if out.grad_fn is None:
        return  # an op with no graph (a comparison, sign)
    out.backward(np.ones(out.shape, out.dtype))
    seen, stack, kept = set(), [out.grad_fn], []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        assert node.freed
        kept += _arrays_kept_by(node)
        stack.extend(t.grad_fn for t in node.inputs if t is not None and t._node is not None)
    assert not kept
