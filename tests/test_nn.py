"""nn.Module and the layers: registration and names, modes, state dicts, Linear,
Sequential, MLP, and a small model trained end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, optim
from minigrad.core import Context


class Block(nn.Module):
    """A module with a parameter, a buffer, a sub-module and a plain attribute."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.ones(3))
        self.register_buffer("count", mg.tensor(np.zeros((), np.int64)))
        self.inner = nn.Linear(3, 2)
        self.note = "not registered"

    def forward(self, x):
        return self.inner(x * self.scale)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.body = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))

    def forward(self, x):
        return self.body(self.first(x))


# ----------------------------------------------------------------- registration
def test_named_parameters_use_dotted_names_in_registration_order():
    names = [n for n, _ in Net().named_parameters()]
    assert names == [
        "first.scale",
        "first.inner.weight",
        "first.inner.bias",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]


def test_buffers_modules_and_children():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["first.count"]
    assert [n for n, _ in net.named_modules()] == [
        "",
        "first",
        "first.inner",
        "body",
        "body.0",
        "body.1",
        "body.2",
    ]
    assert list(net.children()) == [net.first, net.body]
    assert len(list(net.modules())) == 7
    assert "note" not in dict(net.first.named_parameters())


def test_a_shared_parameter_is_listed_once_and_a_reused_module_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.Tanh(), lin)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]


def test_reassigning_and_deleting_attributes_updates_the_registries():
    m = Block()
    m.scale = nn.Parameter(np.zeros(3))
    assert m.scale.data.sum() == 0 and len(list(m.parameters())) == 3
    m.inner = nn.Identity()
    assert [n for n, _ in m.named_parameters()] == ["scale"]
    del m.scale
    assert list(m.parameters()) == []
    with pytest.raises(AttributeError, match="has no attribute 'scale'"):
        m.scale  # noqa: B018


def test_assigning_a_plain_tensor_to_a_parameter_name_is_refused():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.weight = mg.ones((2, 2))
    m.bias = None  # allowed: a declared but absent parameter
    assert [n for n, _ in m.named_parameters()] == ["weight"]


def test_register_checks_names_and_types():
    m = nn.Module()
    with pytest.raises(KeyError, match=r"contain no '\.'"):
        m.register_buffer("a.b", mg.ones(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        m.register_buffer("a", np.ones(1))
    m.register_buffer("a", mg.ones(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_parameter("a", nn.Parameter(np.ones(1)))


def test_assigning_before_super_init_is_a_clear_error():
    class Forgetful(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(1))

    with pytest.raises(AttributeError, match="super"):
        Forgetful()


def test_parameter_is_a_slotted_tensor_that_requires_grad():
    p = nn.Parameter(np.ones(2))
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.is_leaf
    assert nn.Parameter.__slots__ == ()
    with pytest.raises(AttributeError):
        p.anything = 1  # no __dict__
    with pytest.raises(TypeError, match="floating-point"):
        nn.Parameter(np.ones(2, dtype=np.int64))
    assert "Parameter containing" in repr(p)
    assert {p: 1}[p] == 1  # hashable by identity


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)


# ----------------------------------------------------------------------- modes
def test_train_and_eval_propagate_to_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="bool"):
        net.train("no")


def test_zero_grad_sets_every_grad_to_none():
    net = Net()
    net(mg.ones((2, 3))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_ops_run_inside_a_module_call_record_that_module_as_their_scope():
    net = Net()
    out = net(mg.ones((2, 3)))
    node: Context = out.grad_fn
    assert node.scope.module is net.body[2]
    assert [s.module for s in node.scope.chain()] == [net, net.body, net.body[2]]


def test_repr_is_a_pytorch_like_tree():
    m = nn.MLP(2, [3], 1, norm="layer", dropout=0.5)
    assert repr(m) == (
        "MLP(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): LayerNorm((3,), eps=1e-05, elementwise_affine=True)\n"
        "    (2): ReLU()\n"
        "    (3): Dropout(p=0.5)\n"
        "    (4): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


# ---------------------------------------------------------------------- Linear
def test_linear_shapes_and_pytorch_default_init_bounds():
    mg.manual_seed(0)
    lin = nn.Linear(16, 1000)
    assert lin.weight.shape == (1000, 16) and lin.bias.shape == (1000,)
    bound = 1 / math.sqrt(16)
    for p in (lin.weight, lin.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # really uniform over the interval
    assert abs(lin.weight.data.std() - bound / math.sqrt(3)) < 0.01  # U(-b, b) sd = b/sqrt(3)


def test_linear_init_is_reproducible_with_manual_seed():
    mg.manual_seed(3)
    a = nn.Linear(4, 3)
    mg.manual_seed(3)
    b = nn.Linear(4, 3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)


def test_linear_forward_and_bias_false(rng):
    lin = nn.Linear(3, 2, bias=False, dtype=mg.float64)
    x = rng.standard_normal((5, 3))
    np.testing.assert_allclose(lin(mg.tensor(x)).data, x @ lin.weight.data.T)
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]


def test_linear_wrong_input_width_names_the_layer_and_both_shapes():
    with pytest.raises(ValueError) as err:
        nn.Linear(3, 2)(mg.ones((4, 5)))
    assert str(err.value) == (
        "Linear(in_features=3, out_features=2, bias=True): expected input of shape (..., 3), "
        "got (4, 5)"
    )


def test_linear_with_a_reassigned_parameter_of_the_wrong_shape_fails_in_forward():
    lin = nn.Linear(3, 2)
    lin.bias = nn.Parameter(np.zeros((1, 2), np.float32))
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\), got \(1, 2\)"):
        lin(mg.ones((4, 3)))
    lin = nn.Linear(3, 2)
    lin.weight = nn.Parameter(np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="expected input of shape"):
        lin(mg.ones((4, 3)))


def test_linear_rejects_non_positive_sizes():
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        nn.Linear(0, 2)


# ------------------------------------------------------------------ Sequential
def test_sequential_indexing_len_iteration_and_slicing():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    with pytest.raises(TypeError, match="nn.Modules"):
        nn.Sequential(lambda x: x)


# ------------------------------------------------------------------------- MLP
def test_mlp_layer_order_and_parameter_names():
    m = nn.MLP(4, [8, 6], 3, activation="tanh", dropout=0.2, norm="batch")
    kinds = [type(layer).__name__ for layer in m.layers]
    assert kinds == [
        "Linear", "BatchNorm1d", "Tanh", "Dropout",
        "Linear", "BatchNorm1d", "Tanh", "Dropout",
        "Linear",
    ]  # fmt: skip
    names = [n for n, _ in m.named_parameters()]
    assert names[:2] == ["layers.0.weight", "layers.0.bias"]
    assert names[-2:] == ["layers.8.weight", "layers.8.bias"]
    plain = nn.MLP(2, [5], 1)
    assert [type(layer).__name__ for layer in plain.layers] == ["Linear", "ReLU", "Linear"]


def test_mlp_with_no_hidden_layers_is_one_linear():
    assert [type(x).__name__ for x in nn.MLP(3, [], 2).layers] == ["Linear"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"activation": "swish"}, "activation must be one of"),
        ({"norm": "group"}, "norm must be None"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"hidden_sizes": 5}, "hidden_sizes must be a list"),
        ({"hidden_sizes": [4, 0]}, "each hidden size must be a positive int"),
    ],
)
def test_mlp_rejects_bad_settings(kwargs, message):
    args = {"in_features": 2, "hidden_sizes": [4], "out_features": 1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        nn.MLP(**args)


def numeric_gradient(loss_fn, p: nn.Parameter, eps: float = 1e-6) -> np.ndarray:
    """Central differences of loss_fn() with respect to p, perturbing p in place."""
    g = np.zeros_like(p.data)
    for idx in np.ndindex(p.shape):
        keep = p.data[idx]
        p.data[idx] = keep + eps
        plus = loss_fn().item()
        p.data[idx] = keep - eps
        minus = loss_fn().item()
        p.data[idx] = keep
        g[idx] = (plus - minus) / (2 * eps)
    return g


@pytest.mark.parametrize("norm", [None, "batch", "layer"])
def test_mlp_parameter_gradients_match_finite_differences_in_float64(norm, rng):
    mg.manual_seed(0)
    model = nn.MLP(3, [4], 2, activation="gelu", norm=norm, dtype=mg.float64)
    x = mg.tensor(rng.standard_normal((5, 3)))
    labels = np.array([0, 1, 1, 0, 1])

    def loss_fn():
        return F.cross_entropy(model(x), labels) + 0.1 * F.l2_penalty(model.parameters())

    model.zero_grad()
    loss_fn().backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, numeric_gradient(loss_fn, p), atol=1e-7, err_msg=name)


def test_float32_model_stays_float32_end_to_end(rng):
    model = nn.MLP(3, [8], 2, activation="gelu", norm="batch", dropout=0.1)
    x = mg.tensor(rng.standard_normal((6, 3)).astype(np.float32))
    out = model(x)
    assert out.dtype == np.float32
    loss = F.cross_entropy(out, np.array([0, 1, 0, 1, 1, 0])) + 1e-3 * F.l1_penalty(
        model.parameters()
    )
    assert loss.dtype == np.float32
    loss.backward()
    opt = optim.Adam(model.parameters())
    opt.step()
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert all(a.dtype == np.float32 for k, a in model.state_dict().items() if "num_" not in k)


def test_mlp_learns_two_moons():
    from minigrad.data import make_moons

    mg.manual_seed(0)
    X, y = make_moons(200, noise=0.1, seed=0)
    X = X.astype(np.float32)
    model = nn.MLP(2, [16, 16], 2, norm="batch")
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        loss = F.cross_entropy(model(mg.tensor(X)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with mg.no_grad():
        accuracy = (model(mg.tensor(X)).data.argmax(axis=1) == y).mean()
    assert accuracy >= 0.97


# ------------------------------------------------------------------ state dicts
def test_state_dict_holds_copies_of_parameters_and_buffers():
    m = nn.MLP(2, [3], 1, norm="batch")
    sd = m.state_dict()
    assert list(sd) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.1.running_mean",
        "layers.1.running_var",
        "layers.1.num_batches_tracked",
        "layers.3.weight",
        "layers.3.bias",
    ]
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    sd["layers.0.weight"][...] = 7
    assert not np.any(m.layers[0].weight.data == 7)


def test_state_dict_round_trip_restores_outputs(rng):
    mg.manual_seed(1)
    a = nn.MLP(3, [5], 2, norm="batch")
    a(mg.tensor(rng.standard_normal((4, 3)).astype(np.float32)))  # move the running stats
    b = nn.MLP(3, [5], 2, norm="batch")
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = mg.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    np.testing.assert_array_equal(a.eval()(x).data, b.eval()(x).data)


def _snapshot(m: nn.Module) -> dict:
    return {k: v.copy() for k, v in m.state_dict().items()}


def _assert_unchanged(m: nn.Module, snapshot: dict) -> None:
    now = m.state_dict()
    assert list(now) == list(snapshot)
    for k, v in now.items():
        np.testing.assert_array_equal(v, snapshot[k])
        assert v.dtype == snapshot[k].dtype


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda sd: sd.pop("layers.2.bias"), "missing key.*'layers.2.bias'"),
        (lambda sd: sd.update(extra=np.ones(1)), "unexpected key.*'extra'"),
        (lambda sd: sd.update({"layers.2.weight": np.ones((3, 3))}), "'layers.2.weight' has shape"),
        (
            lambda sd: sd.update({"layers.0.bias": np.array([None] * 4, dtype=object)}),
            "'layers.0.bias' is not numeric",
        ),
        (lambda sd: sd.update({"layers.0.bias": np.array(["a"] * 4)}), "'layers.0.bias' is not"),
        (lambda sd: sd.update({"layers.0.bias": [1.0, 2.0, 3.0, 4.0]}), "is a list, not an array"),
    ],
    ids=["missing", "unexpected", "wrong_shape", "object_array", "string_array", "list"],
)
def test_load_state_dict_failures_change_nothing_and_name_the_key(corrupt, message):
    mg.manual_seed(2)
    m = nn.MLP(3, [4], 2)
    good = nn.MLP(3, [4], 2).state_dict()  # different values: a partial load would show
    corrupt(good)
    before = _snapshot(m)
    with pytest.raises(nn.StateDictError, match=message):
        m.load_state_dict(good)
    _assert_unchanged(m, before)


def test_state_dict_error_is_both_value_error_and_runtime_error():
    assert issubclass(nn.StateDictError, ValueError) and issubclass(nn.StateDictError, RuntimeError)


def test_load_state_dict_casts_floats_to_the_parameter_dtype_and_copies():
    m = nn.Linear(2, 2)
    sd = {k: v.astype(np.float64) + 1 for k, v in m.state_dict().items()}
    m.load_state_dict(sd)
    assert m.weight.dtype == np.float32
    np.testing.assert_allclose(m.weight.data, sd["weight"], rtol=1e-6)
    sd["weight"][...] = 0
    assert not np.any(m.weight.data == 0)


def test_load_state_dict_refuses_floats_for_an_integer_buffer():
    bn = nn.BatchNorm1d(2)
    sd = bn.state_dict()
    sd["num_batches_tracked"] = np.array(1.5)
    with pytest.raises(nn.StateDictError, match="num_batches_tracked.*integers"):
        bn.load_state_dict(sd)


def test_load_state_dict_non_strict_reports_missing_and_unexpected_keys():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    del sd["bias"]
    sd["other"] = np.zeros(1)
    result = m.load_state_dict(sd, strict=False)
    assert result == nn.IncompatibleKeys(["bias"], ["other"])


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="must be a dict"):
        nn.Linear(2, 2).load_state_dict([("weight", np.zeros((2, 2)))])


def test_module_state_survives_mg_save_and_mg_load(tmp_path, rng):
    mg.manual_seed(4)
    a = nn.MLP(3, [4], 2, norm="batch")
    a(mg.tensor(rng.standard_normal((5, 3)).astype(np.float32)))
    mg.save(a.state_dict(), tmp_path / "model.npz")
    b = nn.MLP(3, [4], 2, norm="batch")
    b.load_state_dict(mg.load(tmp_path / "model.npz"))
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(v, w, err_msg=k)
        assert v.dtype == w.dtype


# ----------------------------------------------------------- activation layers
@pytest.mark.parametrize(
    "layer, fn",
    [
        (nn.ReLU(), F.relu),
        (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
        (nn.Tanh(), F.tanh),
        (nn.Sigmoid(), F.sigmoid),
        (nn.GELU(), F.gelu),
        (nn.GELU("tanh"), lambda x: F.gelu(x, "tanh")),
        (nn.Identity(7, anything=1), lambda x: x),
    ],
    ids=["relu", "leaky_relu", "tanh", "sigmoid", "gelu", "gelu_tanh", "identity"],
)
def test_activation_layers_apply_their_function(layer, fn, rng):
    x = mg.tensor(rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(layer(x).data, fn(x).data)


def test_dropout_layer_drops_in_training_and_is_the_identity_in_eval():
    drop = nn.Dropout(0.5)
    x = mg.ones((100, 100))
    mg.manual_seed(0)
    assert 0.4 < (drop(x).data == 0).mean() < 0.6
    assert drop.eval()(x) is x
    with pytest.raises(ValueError, match="Dropout"):
        nn.Dropout(1.5)


def test_apply_visits_every_module_children_first():
    seen = []
    net = Net()
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Block", "Linear", "ReLU", "Linear", "Sequential", "Net"]
