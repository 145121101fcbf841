"""Parameter groups, as PyTorch's: ``params`` may be a list of dicts, each with its own
hyperparameters; a group behaves exactly as an optimizer of its own would; the usual
practice of no weight decay and no L1 on biases and normalization parameters; state
dicts per group; and, where torch is installed, the same numbers as torch.optim."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

A0, B0 = np.array([0.5, -1.5]), np.array([2.0, 0.0, -1.0])
SCALE_A, SCALE_B = np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0])


def loss_of(a, b, scale_a=SCALE_A, scale_b=SCALE_B):
    """A quadratic whose gradient differs in every coordinate."""
    return ((a - 1) * (a - 1) * scale_a).sum() + ((b + 0.5) * (b + 0.5) * scale_b).sum()


def two_params():
    return nn.Parameter(A0.copy()), nn.Parameter(B0.copy())


def train(opts, a, b, steps: int) -> None:
    for _ in range(steps):
        for opt in opts:
            opt.zero_grad()
        loss_of(a, b).backward()
        for opt in opts:
            opt.step()


# each optimizer: its class, the constructor's defaults, and what each of two groups sets
GROUPS = {
    "sgd": (
        optim.SGD,
        dict(lr=0.1, momentum=0.9),
        [dict(weight_decay=0.1, l1=0.01), dict(lr=0.05, nesterov=True)],
    ),
    "adam": (optim.Adam, dict(lr=0.01), [dict(weight_decay=0.1), dict(betas=(0.5, 0.9), eps=1e-3)]),
    "adamw": (optim.AdamW, dict(lr=0.01), [dict(weight_decay=0.0), dict(lr=0.1)]),
    "rmsprop": (optim.RMSprop, dict(lr=0.01), [dict(alpha=0.9), dict(weight_decay=0.2, eps=1e-4)]),
}


def grouped(name: str, a, b):
    cls, defaults, (set_a, set_b) = GROUPS[name]
    return cls([{"params": [a], **set_a}, {"params": [b], **set_b}], **defaults)


# ----------------------------------------------------------------- what a group is
def test_a_list_of_tensors_is_one_group_holding_every_hyperparameter():
    a, b = two_params()
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    assert opt.param_groups == [
        {
            "params": [a, b],
            "lr": 0.1,
            "momentum": 0.9,
            "nesterov": False,
            "weight_decay": 0.0,
            "l1": 0.0,
        }
    ]


def test_each_group_takes_the_defaults_it_does_not_set():
    a, b = two_params()
    opt = optim.Adam([{"params": [a], "weight_decay": 0.1}, {"params": b, "lr": 0.5}], lr=0.01)
    assert opt.param_groups == [
        {"params": [a], "lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.1},
        {"params": [b], "lr": 0.5, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
    ]  # a group's params may be one Tensor, as in PyTorch


def test_sgd_applies_each_groups_lr_weight_decay_and_l1():
    a, b = two_params()
    a.grad, b.grad = np.array([0.5, 0.5]), np.array([0.5, 0.5, 0.5])
    groups = [{"params": [a], "weight_decay": 0.5, "l1": 1.0}, {"params": [b], "lr": 0.5}]
    optim.SGD(groups, lr=0.1).step()
    # a: g = grad + 0.5 a = [0.75, -0.25]; a - 0.1 g = [0.425, -1.475]; shrink by 0.1 * 1.0
    np.testing.assert_allclose(a.data, [0.325, -1.375], rtol=1e-15)
    # b: lr 0.5, no decay, no L1
    np.testing.assert_allclose(b.data, [1.75, -0.25, -1.25], rtol=1e-15)


@pytest.mark.parametrize("name", GROUPS)
def test_a_group_steps_exactly_as_an_optimizer_of_its_own(name):
    a, b = two_params()
    train([grouped(name, a, b)], a, b, steps=5)

    cls, defaults, (set_a, set_b) = GROUPS[name]
    a2, b2 = two_params()
    train([cls([a2], **{**defaults, **set_a}), cls([b2], **{**defaults, **set_b})], a2, b2, 5)
    np.testing.assert_array_equal(a.data, a2.data)
    np.testing.assert_array_equal(b.data, b2.data)


def test_changing_a_groups_lr_takes_effect_at_the_next_step():
    a, b = two_params()
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    a.grad, b.grad = np.ones(2), np.ones(3)
    opt.param_groups[1]["lr"] = 0.01
    opt.step()
    np.testing.assert_allclose(a.data, A0 - 0.1, rtol=1e-15)
    np.testing.assert_allclose(b.data, B0 - 0.01, rtol=1e-15)


def test_opt_lr_is_the_single_groups_lr():
    a, _ = two_params()
    opt = optim.SGD([a], lr=0.1)
    opt.lr = 0.5  # as examples/two_moons.py does
    assert opt.param_groups[0]["lr"] == 0.5 and opt.lr == 0.5
    a.grad = np.ones(2)
    opt.step()
    np.testing.assert_allclose(a.data, A0 - 0.5, rtol=1e-15)


def test_opt_lr_with_several_groups_is_an_error_naming_param_groups():
    a, b = two_params()
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    message = r"2 parameter groups, each with its own 'lr'; use opt.param_groups\[i\]\['lr'\]"
    with pytest.raises(AttributeError, match=message):
        opt.lr = 0.5
    with pytest.raises(AttributeError, match=message):
        print(opt.lr)


# -------------------------------------------------------------- the usual practice
def test_no_weight_decay_and_no_l1_on_biases_and_normalization_parameters():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.ReLU(), nn.Linear(4, 2))
    # Linear weights are matrices: they decide how the output depends on the input, and
    # shrinking them limits what the model can fit. Biases and LayerNorm's scale and
    # shift are vectors of offsets and scales: shrinking them toward 0 limits nothing,
    # it only pulls the outputs toward 0. The usual split is therefore by p.ndim.
    named = dict(model.named_parameters())
    decay = [name for name, p in named.items() if p.ndim > 1]
    no_decay = [name for name, p in named.items() if p.ndim <= 1]
    assert decay == ["0.weight", "3.weight"]
    assert no_decay == ["0.bias", "1.weight", "1.bias", "3.bias"]
    opt = optim.SGD(
        [
            {"params": [named[n] for n in decay], "weight_decay": 0.5, "l1": 0.01},
            {"params": [named[n] for n in no_decay]},  # weight_decay=0.0, l1=0.0
        ],
        lr=0.1,
    )
    before = {name: p.data.copy() for name, p in named.items()}
    for p in named.values():
        p.grad = np.zeros_like(p.data)  # no data gradient: only the regularizers act
    opt.step()
    for name in decay:  # w <- (1 - lr wd) w, then soft-threshold by lr * l1 = 0.001
        shrunk = (1 - 0.1 * 0.5) * before[name]
        expected = np.sign(shrunk) * np.maximum(np.abs(shrunk) - 0.001, 0)
        np.testing.assert_allclose(named[name].data, expected, rtol=1e-6)
    for name in no_decay:
        np.testing.assert_array_equal(named[name].data, before[name])


# ------------------------------------------------------------------ invalid groups
def test_a_parameter_in_two_groups_is_a_value_error_naming_both_places():
    a, b = two_params()
    with pytest.raises(
        ValueError,
        match=r"appears more than once, as param_groups\[0\]\['params'\]\[0\] and as "
        r"param_groups\[1\]\['params'\]\[1\]",
    ):
        optim.SGD([{"params": [a]}, {"params": [b, a]}], lr=0.1)


@pytest.mark.parametrize(
    "groups, message",
    [
        (lambda a, b: [{"params": [a]}, {"lr": 0.2}], "parameter group 1 has no 'params' key"),
        (
            lambda a, b: [{"params": [a], "weight_decy": 0.1}],
            "parameter group 0 sets 'weight_decy', which SGD does not have "
            r"\(its hyperparameters: lr, momentum, nesterov, weight_decay, l1\)",
        ),
        (
            lambda a, b: [{"params": [a]}, {"params": [b], "lr": -1.0}],
            r"param_groups\[1\]: invalid lr",
        ),
        (
            lambda a, b: [{"params": [a]}, {"params": [b], "nesterov": True}],
            r"param_groups\[1\]: Nesterov momentum requires",
        ),
    ],
    ids=["no_params_key", "unknown_key", "invalid_lr", "invalid_combination"],
)
def test_invalid_groups_are_value_errors_naming_the_group(groups, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD(groups(*two_params()), lr=0.1)


def test_a_list_mixing_tensors_and_groups_is_a_type_error():
    a, b = two_params()
    with pytest.raises(TypeError, match="mixes Tensors and dicts"):
        optim.SGD([a, {"params": [b]}], lr=0.1)


def test_a_hand_edited_invalid_group_is_caught_before_any_update():
    a, b = two_params()
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    a.grad, b.grad = np.ones(2), np.ones(3)
    opt.param_groups[1]["lr"] = -0.1
    with pytest.raises(ValueError, match=r"param_groups\[1\]: invalid lr: -0.1"):
        opt.step()
    np.testing.assert_array_equal(a.data, A0)


def test_repr_shows_each_group():
    a, b = two_params()
    opt = optim.RMSprop([{"params": [a]}, {"params": [b], "lr": 0.5}])
    assert repr(opt) == (
        "RMSprop([1 parameters, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0.0], "
        "[1 parameters, lr=0.5, alpha=0.99, eps=1e-08, weight_decay=0.0])"
    )


# --------------------------------------------------------------------- state dicts
@pytest.mark.parametrize("name", GROUPS)
def test_state_dict_round_trip_restores_every_groups_settings_and_continues_exactly(name, tmp_path):
    a, b = two_params()
    train([grouped(name, a, b)], a, b, steps=6)
    uninterrupted = a.data.copy(), b.data.copy()

    a, b = two_params()
    opt = grouped(name, a, b)
    train([opt], a, b, steps=3)
    mg.save({"optimizer": opt.state_dict()}, tmp_path / "opt.npz")
    cls, _, _ = GROUPS[name]
    fresh = cls([{"params": [a]}, {"params": [b]}], lr=0.123)  # settings come from the file
    fresh.load_state_dict(mg.load(tmp_path / "opt.npz")["optimizer"])
    assert [{k: g[k] for k in fresh.defaults} for g in fresh.param_groups] == [
        {k: g[k] for k in opt.defaults} for g in opt.param_groups
    ]
    train([fresh], a, b, steps=3)
    np.testing.assert_array_equal(a.data, uninterrupted[0])
    np.testing.assert_array_equal(b.data, uninterrupted[1])


def test_state_dict_stores_each_groups_parameter_indices():
    a, b = two_params()
    c = nn.Parameter(np.ones(1))
    sd = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1).state_dict()
    assert sd["param_groups"]["0"]["params"].tolist() == [0, 1]
    assert sd["param_groups"]["1"]["params"].tolist() == [2]
    assert sd["param_groups"]["1"]["lr"] == 0.5


def test_loading_into_groups_made_differently_changes_nothing():
    a, b = two_params()
    c = nn.Parameter(np.ones(1))
    saved = optim.SGD([{"params": [a, b]}, {"params": [c]}], lr=0.5).state_dict()
    opt = optim.SGD([{"params": [a]}, {"params": [b, c]}], lr=0.1)
    with pytest.raises(
        nn.StateDictError,
        match=r"param_groups\['0'\] holds the parameters \[0, 1\], but this optimizer's "
        r"group 0 holds \[0\]",
    ):
        opt.load_state_dict(saved)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.1]


# -------------------------------------------------------------------- against torch
@pytest.mark.parametrize("name", ["sgd_no_l1", "adam", "adamw", "rmsprop"])
def test_groups_give_the_same_numbers_as_torch(name):
    torch = pytest.importorskip("torch")
    cls, defaults, (set_a, set_b) = GROUPS["sgd" if name == "sgd_no_l1" else name]
    set_a = {k: v for k, v in set_a.items() if k != "l1"}  # proximal L1 is minigrad's own
    a, b = two_params()
    opt = cls([{"params": [a], **set_a}, {"params": [b], **set_b}], **defaults)
    train([opt], a, b, steps=5)

    ta, tb = (torch.tensor(x, requires_grad=True) for x in (A0, B0))
    torch_cls = getattr(torch.optim, cls.__name__)
    topt = torch_cls([{"params": [ta], **set_a}, {"params": [tb], **set_b}], **defaults)
    for _ in range(5):
        topt.zero_grad()
        loss_of(ta, tb, torch.tensor(SCALE_A), torch.tensor(SCALE_B)).backward()
        topt.step()
    np.testing.assert_allclose(a.data, ta.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=1e-12)
