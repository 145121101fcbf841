"""Optimizers against their update rules written out by hand, the regularization
equivalences (coupled weight decay = L2 penalty, AdamW != Adam + L2, proximal L1),
and optimizer state dicts."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, optim

W0 = np.array([0.5, -1.5, 2.0, 0.0])
TARGET = np.array([1.0, 1.0, -1.0, 0.5])


def quadratic_run(make_opt, steps: int, w0=W0):
    """Minimize sum((w - TARGET)^2 * [1, 2, 3, 4]) from w0; return every iterate
    and the gradient at each step, so the tests can replay the update by hand."""
    w = nn.Parameter(np.array(w0, dtype=np.float64))
    opt = make_opt([w])
    iterates, grads = [w.data.copy()], []
    scale = np.array([1.0, 2.0, 3.0, 4.0])
    for _ in range(steps):
        opt.zero_grad()
        (((w - TARGET) * (w - TARGET)) * scale).sum().backward()
        grads.append(w.grad.copy())
        opt.step()
        iterates.append(w.data.copy())
    return iterates, grads


# -------------------------------------------------------------------------- SGD
def test_sgd_plain_step_is_w_minus_lr_grad():
    ws, gs = quadratic_run(lambda p: optim.SGD(p, lr=0.1), 3)
    for t in range(3):
        np.testing.assert_allclose(ws[t + 1], ws[t] - 0.1 * gs[t], rtol=1e-15)


def test_sgd_momentum_buffer_starts_at_the_gradient():
    ws, gs = quadratic_run(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), 4)
    b = None
    for t in range(4):
        b = gs[t] if b is None else 0.9 * b + gs[t]
        np.testing.assert_allclose(ws[t + 1], ws[t] - 0.1 * b, rtol=1e-14)


def test_sgd_nesterov_steps_along_gradient_plus_momentum_times_buffer():
    ws, gs = quadratic_run(lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True), 4)
    b = None
    for t in range(4):
        b = gs[t] if b is None else 0.8 * b + gs[t]
        np.testing.assert_allclose(ws[t + 1], ws[t] - 0.05 * (gs[t] + 0.8 * b), rtol=1e-14)


def test_sgd_weight_decay_adds_wd_w_before_the_momentum():
    ws, gs = quadratic_run(lambda p: optim.SGD(p, lr=0.1, momentum=0.5, weight_decay=0.3), 3)
    b = None
    for t in range(3):
        d = gs[t] + 0.3 * ws[t]
        b = d if b is None else 0.5 * b + d
        np.testing.assert_allclose(ws[t + 1], ws[t] - 0.1 * b, rtol=1e-14)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_coupled_weight_decay_equals_half_wd_times_l2_penalty_in_the_loss(momentum, rng):
    wd = 0.05
    x, y = mg.tensor(rng.standard_normal((8, 3))), mg.tensor(rng.standard_normal((8, 1)))
    results = []
    for use_penalty in (False, True):
        mg.manual_seed(0)
        model = nn.Linear(3, 1, dtype=mg.float64)
        opt = optim.SGD(
            model.parameters(), lr=0.1, momentum=momentum, weight_decay=0.0 if use_penalty else wd
        )
        for _ in range(5):
            loss = F.mse_loss(model(x), y)
            if use_penalty:
                loss = loss + wd / 2 * F.l2_penalty(model.parameters())
            opt.zero_grad()
            loss.backward()
            opt.step()
        results.append(model.weight.data.copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_proximal_l1_gives_exact_zeros_and_soft_thresholds_the_rest():
    w = nn.Parameter(np.array([0.05, -0.05, 0.1, -0.1, 0.3, -0.7, 0.0]))
    w.grad = np.zeros(7)
    optim.SGD([w], lr=0.5, l1=0.2).step()  # threshold lr * l1 = 0.1
    np.testing.assert_allclose(w.data, [0.0, 0.0, 0.0, 0.0, 0.2, -0.6, 0.0], atol=1e-16)
    assert np.sum(w.data == 0) == 5
    assert not np.any(np.signbit(w.data[w.data == 0]))  # +0.0, not -0.0


def test_proximal_l1_applies_after_the_gradient_step():
    w = nn.Parameter(np.array([1.0, -1.0, 0.2]))
    w.grad = np.array([1.0, 1.0, -1.0])
    optim.SGD([w], lr=0.1, l1=1.0).step()
    # gradient step: [0.9, -1.1, 0.3]; then shrink by 0.1 towards 0
    np.testing.assert_allclose(w.data, [0.8, -1.0, 0.2], rtol=1e-15)


def test_subgradient_l1_oscillates_where_proximal_l1_lands_on_zero():
    def run(use_prox: bool) -> np.ndarray:
        w = nn.Parameter(np.array([0.25]))
        opt = optim.SGD([w], lr=0.1, l1=1.0 if use_prox else 0.0)
        for _ in range(10):
            opt.zero_grad()
            loss = (w * 0).sum() if use_prox else F.l1_penalty([w])
            loss.backward()
            opt.step()
        return w.data

    assert run(use_prox=True)[0] == 0.0
    assert abs(run(use_prox=False)[0]) == pytest.approx(0.05)  # stuck hopping around 0


# ------------------------------------------------------------------------- Adam
def adam_by_hand(gs, ws, lr, b1, b2, eps, wd=0.0, decoupled=False):
    m = v = np.zeros_like(ws[0])
    w = ws[0].copy()
    out = []
    for t, g in enumerate(gs, start=1):
        if decoupled:
            w = w - lr * wd * w
        else:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out


@pytest.mark.parametrize(
    "make, by_hand",
    [
        (lambda p: optim.Adam(p, lr=0.1), dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8)),
        (
            lambda p: optim.Adam(p, lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.1),
            dict(lr=0.05, b1=0.5, b2=0.9, eps=1e-3, wd=0.1),
        ),
        (
            lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.2),
            dict(lr=0.05, b1=0.9, b2=0.999, eps=1e-8, wd=0.2, decoupled=True),
        ),
    ],
    ids=["adam", "adam_coupled_decay", "adamw"],
)
def test_adam_family_matches_the_bias_corrected_formula_over_several_steps(make, by_hand):
    ws, gs = quadratic_run(make, 5)
    expected = adam_by_hand(gs, ws, **by_hand)
    for t in range(5):
        np.testing.assert_allclose(ws[t + 1], expected[t], rtol=1e-13, atol=1e-15)


def test_adam_first_step_moves_every_weight_by_about_lr():
    # bias correction makes m_hat / sqrt(v_hat) = g / |g| on step one
    ws, _ = quadratic_run(lambda p: optim.Adam(p, lr=0.01), 1)
    np.testing.assert_allclose(np.abs(ws[1] - ws[0]), 0.01, rtol=1e-6)


def test_adamw_differs_from_adam_with_l2_as_it_should():
    # same data gradient, decay 0.1 on a big and a small weight, one step, lr 0.1:
    w0, g = np.array([10.0, 0.01]), np.array([1.0, 1.0])

    def one_step(opt_cls, **kw):
        w = nn.Parameter(w0.copy())
        w.grad = g.copy()
        opt_cls([w], lr=0.1, **kw).step()
        return w.data

    adam_l2 = one_step(optim.Adam, weight_decay=0.1)
    adamw = one_step(optim.AdamW, weight_decay=0.1)
    # Adam + L2: the decay enters g and is normalized away: both weights move by ~lr
    np.testing.assert_allclose(adam_l2, [9.9, -0.09], rtol=1e-6)
    # AdamW: w <- w (1 - lr wd) first, then the Adam step of the data gradient
    np.testing.assert_allclose(adamw, [10 * 0.99 - 0.1, 0.01 * 0.99 - 0.1], rtol=1e-6)
    assert adamw[0] < adam_l2[0]  # the big weight is decayed 0.1 more, in proportion to it


# ---------------------------------------------------------------------- RMSprop
@pytest.mark.parametrize("wd", [0.0, 0.2])
def test_rmsprop_matches_its_formula(wd):
    ws, gs = quadratic_run(lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, weight_decay=wd), 4)
    v = np.zeros(4)
    for t in range(4):
        g = gs[t] + wd * ws[t]
        v = 0.9 * v + 0.1 * g * g
        np.testing.assert_allclose(ws[t + 1], ws[t] - 0.01 * g / (np.sqrt(v) + 1e-8), rtol=1e-13)


# ------------------------------------------------------------------ common rules
ALL = {
    "sgd": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, l1=0.01),
    "adam": lambda p: optim.Adam(p, lr=0.01, weight_decay=0.01),
    "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
}


@pytest.mark.parametrize("name", ALL)
def test_parameters_without_gradient_are_skipped(name):
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = ALL[name]([a, b])
    a.grad = np.array([1.0, -1.0])
    opt.step()
    np.testing.assert_array_equal(b.data, [1.0, 1.0])
    assert "1" not in opt.state_dict()["state"]
    assert not np.array_equal(a.data, [1.0, 1.0])


@pytest.mark.parametrize("name", ALL)
def test_updates_are_in_place_and_keep_float32(name):
    p = nn.Parameter(np.ones(3, np.float32))
    data = p.data
    opt = ALL[name]([p])
    for _ in range(2):
        p.grad = np.array([0.5, -0.5, 1.0], np.float32)
        opt.step()
    assert p.data is data and p.dtype == np.float32
    for buffers in opt.state_dict()["state"].values():
        assert all(a.dtype in (np.float32, np.int64) for a in buffers.values())


def test_zero_grad_drops_gradients():
    p = nn.Parameter(np.ones(2))
    p.grad = np.ones(2)
    optim.SGD([p], lr=0.1).zero_grad()
    assert p.grad is None


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-0.1), "invalid lr"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "invalid momentum"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "invalid weight_decay"),
        (lambda p: optim.SGD(p, lr=0.1, l1=-1), "invalid l1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
        (lambda p: optim.Adam(p, lr=-1), "invalid lr"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), "invalid betas"),
        (lambda p: optim.Adam(p, betas=0.9), "invalid betas"),
        (lambda p: optim.AdamW(p, weight_decay=-0.1), "invalid weight_decay"),
        (lambda p: optim.RMSprop(p, alpha=1.5), "invalid alpha"),
        (lambda p: optim.RMSprop(p, eps=-1), "invalid eps"),
    ],
)
def test_invalid_hyperparameters_are_value_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter(np.ones(2))])


def test_invalid_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    p = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(ValueError, match="requires grad"):
        optim.SGD([mg.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="not one Tensor"):
        optim.SGD(p, lr=0.1)


@pytest.mark.parametrize("name", ALL)
def test_a_model_instead_of_its_parameters_is_a_type_error_naming_model_parameters(name):
    model = nn.MLP(2, [3], 1)
    with pytest.raises(
        TypeError,
        match=r"got the MLP itself; pass its parameters: .*"
        r"\(model\.parameters\(\), \.\.\.\)",
    ):
        ALL[name](model)


@pytest.mark.parametrize("name", ALL)
def test_a_non_iterable_params_argument_is_a_type_error_suggesting_model_parameters(name):
    with pytest.raises(
        TypeError,
        match=r"iterable of Tensors, such as model.parameters\(\), or a list of parameter "
        r"groups \(dicts\); got a float",
    ):
        ALL[name](0.1)


def test_a_gradient_of_the_wrong_shape_is_refused_before_any_update():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    a.grad, b.grad = np.ones(2), np.ones(2)
    with pytest.raises(ValueError, match=r"params\[1\] has shape \(3,\) but its gradient"):
        optim.SGD([a, b], lr=0.1).step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0])


def test_a_hand_edited_invalid_learning_rate_is_caught_at_step():
    p = nn.Parameter(np.ones(2))
    p.grad = np.ones(2)
    opt = optim.SGD([p], lr=0.1)
    opt.lr = -1.0
    with pytest.raises(ValueError, match="invalid lr"):
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])


# ------------------------------------------------------------------ state dicts
@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_continues_the_run_exactly(name, tmp_path):
    ws_full, _ = quadratic_run(ALL[name], 6)

    w = nn.Parameter(W0.copy())
    opt = ALL[name]([w])
    scale = np.array([1.0, 2.0, 3.0, 4.0])

    def step(opt):
        opt.zero_grad()
        (((w - TARGET) * (w - TARGET)) * scale).sum().backward()
        opt.step()

    for _ in range(3):
        step(opt)
    mg.save({"optimizer": opt.state_dict()}, tmp_path / "opt.npz")
    fresh = ALL[name]([w])
    fresh.load_state_dict(mg.load(tmp_path / "opt.npz")["optimizer"])
    for _ in range(3):
        step(fresh)
    np.testing.assert_allclose(w.data, ws_full[6], rtol=1e-15)


def test_state_dict_format_is_arrays_only():
    w = nn.Parameter(np.ones(2))
    w.grad = np.ones(2)
    opt = optim.Adam([w], betas=(0.8, 0.9))
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"param_groups", "state"}
    (group,) = sd["param_groups"].values()
    assert {k: v.tolist() for k, v in group.items()} == {
        "params": [0],
        "lr": 1e-3,
        "betas": [0.8, 0.9],
        "eps": 1e-8,
        "weight_decay": 0.0,
    }
    assert all(isinstance(v, np.ndarray) for v in group.values())
    assert sd["state"]["0"]["step"].dtype == np.int64 and sd["state"]["0"]["step"] == 1
    sd["state"]["0"]["exp_avg"][...] = 99  # a copy, not the live buffer
    assert not np.any(opt.state[0]["exp_avg"] == 99)


def test_load_state_dict_restores_hyperparameters():
    w = nn.Parameter(np.ones(2))
    source = optim.SGD([w], lr=0.5, momentum=0.9, nesterov=True)
    target = optim.SGD([w], lr=0.1)
    target.load_state_dict(source.state_dict())
    assert (target.lr, target.momentum, target.nesterov) == (0.5, 0.9, True)
    assert isinstance(target.nesterov, bool)


def _trained_adam():
    w = nn.Parameter(np.array([1.0, 2.0]))
    w.grad = np.array([0.1, -0.2])
    opt = optim.Adam([w], lr=0.01)
    opt.step()
    return opt


def _group(sd: dict) -> dict:
    return sd["param_groups"]["0"]


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda sd: sd.pop("state"), "expected exactly the keys"),
        (lambda sd: _group(sd).pop("lr"), r"param_groups\['0'\]: missing hyperparameter 'lr'"),
        (lambda sd: _group(sd).update(momentum=np.array(0.9)), "unexpected hyper"),
        (lambda sd: _group(sd).update(lr=np.array(-1.0)), "invalid lr"),
        (lambda sd: _group(sd).update(lr=np.array([0.1, 0.2])), r"'lr' must be .* shape \(\)"),
        (lambda sd: _group(sd).update(betas=np.array(0.9)), r"'betas' must be .* shape \(2,\)"),
        (lambda sd: _group(sd).update(params=np.array([1])), "holds the parameters"),
        (lambda sd: sd["param_groups"].update({"1": _group(sd)}), "this optimizer has 1"),
        (lambda sd: sd["state"]["0"].update(exp_avg=np.zeros(3)), "does not match"),
        (lambda sd: sd["state"]["0"].update(step=np.array(1.5)), "step count"),
        (lambda sd: sd["state"]["0"].pop("exp_avg_sq"), "expected"),
        (lambda sd: sd["state"].update({"7": sd["state"]["0"]}), "not a parameter index"),
        (
            lambda sd: sd["state"]["0"].update(exp_avg=np.array([None, None], dtype=object)),
            "not a numeric array",
        ),
    ],
    ids=[
        "no_state",
        "missing_hyper",
        "unknown_hyper",
        "invalid_hyper",
        "hyper_not_0d",
        "betas_not_a_pair",
        "other_params",
        "extra_group",
        "wrong_shape",
        "float_step",
        "missing_buffer",
        "bad_index",
        "object_array",
    ],
)
def test_optimizer_load_state_dict_failures_change_nothing(corrupt, message):
    opt = _trained_adam()
    bad = _trained_adam().state_dict()
    _group(bad)["eps"] = np.array(0.5)  # differs, so a partial load would show
    corrupt(bad)
    before = opt.state_dict()
    with pytest.raises(nn.StateDictError, match=message):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert opt.eps == 1e-8
    for k in before["state"]["0"]:
        np.testing.assert_array_equal(after["state"]["0"][k], before["state"]["0"][k])


def test_sgd_state_cannot_be_loaded_into_adam():
    w = nn.Parameter(np.ones(2))
    with pytest.raises(nn.StateDictError, match="unexpected hyperparameter 'momentum'"):
        optim.Adam([w]).load_state_dict(optim.SGD([w], lr=0.1).state_dict())


def test_repr_lists_the_settings():
    assert repr(optim.SGD([nn.Parameter(np.ones(1))], lr=0.1)) == (
        "SGD(1 parameters, lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.0, l1=0.0)"
    )
    assert math.isclose(optim.AdamW([nn.Parameter(np.ones(1))]).weight_decay, 1e-2)


# ------------------------------------------------------------------ package layering
PACKAGE = Path(mg.__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    """The absolute names of the minigrad modules that ``path`` imports (any level)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module) if p)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "minigrad" or n.startswith("minigrad.")}


def test_optim_imports_nothing_from_nn():
    for path in sorted((PACKAGE / "optim").glob("*.py")):
        nn_imports = {n for n in _imported_modules(path) if n.startswith("minigrad.nn")}
        assert not nn_imports, f"{path.name} imports {sorted(nn_imports)}"


def test_state_dict_error_lives_in_errors_which_imports_no_minigrad_module():
    from minigrad.errors import StateDictError

    assert nn.StateDictError is StateDictError  # the public name is kept
    assert _imported_modules(PACKAGE / "errors.py") == set()
    w = nn.Parameter(np.ones(2))
    with pytest.raises(StateDictError):
        optim.SGD([w], lr=0.1).load_state_dict({"hyperparameters": {}, "state": {}})
