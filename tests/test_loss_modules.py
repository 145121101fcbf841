"""The loss modules: values from their formulas, the same values and gradients as
their functions in ``minigrad.functional``, settings checked when the module is made,
and, where torch is installed, the same numbers as torch.nn."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import nn

PRED, TARGET = [1.0, 2.0, 3.0], [1.0, 0.0, 0.0]  # differences 0, 2, 3


@pytest.mark.parametrize(
    "criterion, expected",
    [
        (nn.MSELoss(), (0 + 4 + 9) / 3),
        (nn.MSELoss(reduction="sum"), 0 + 4 + 9),
        (nn.L1Loss(), (0 + 2 + 3) / 3),
        (nn.HuberLoss(), (0 + (2 - 0.5) + (3 - 0.5)) / 3),  # d^2/2 up to 1, then |d| - 1/2
        (nn.HuberLoss(delta=2.0), (0 + 4 / 2 + 2 * (3 - 1)) / 3),  # delta (|d| - delta/2)
    ],
    ids=["mse", "mse_sum", "l1", "huber", "huber_delta_2"],
)
def test_regression_losses_follow_their_formulas(criterion, expected):
    assert criterion(mg.tensor(PRED), mg.tensor(TARGET)).item() == pytest.approx(expected)


def test_reduction_none_keeps_one_loss_per_element():
    losses = nn.L1Loss(reduction="none")(mg.tensor(PRED), mg.tensor(TARGET))
    np.testing.assert_array_equal(losses.numpy(), [0.0, 2.0, 3.0])


def test_cross_entropy_loss_of_equal_logits_is_log_of_the_number_of_classes():
    logits = mg.tensor([[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    losses = nn.CrossEntropyLoss(reduction="none")(logits, mg.tensor([2, 0]))
    expected = [math.log(3), -math.log(math.exp(5) / (math.exp(5) + 2))]
    np.testing.assert_allclose(losses.numpy(), expected, rtol=1e-6)


def test_bce_with_logits_loss_at_logit_0_is_log_2():
    loss = nn.BCEWithLogitsLoss()(mg.tensor([0.0, 0.0]), mg.tensor([1.0, 0.0]))
    assert loss.item() == pytest.approx(math.log(2))


CASES = {
    "mse": (nn.MSELoss, F.mse_loss, {}),
    "l1": (nn.L1Loss, F.l1_loss, {}),
    "huber": (nn.HuberLoss, F.huber_loss, {"delta": 0.5}),
    "cross_entropy": (nn.CrossEntropyLoss, F.cross_entropy, {}),
    "bce_with_logits": (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, {}),
}


def inputs(name: str, rng):
    pred = rng.standard_normal((4, 3))
    if name == "cross_entropy":
        return pred, np.array([0, 2, 1, 2])
    if name == "bce_with_logits":
        return pred, rng.random((4, 3))
    return pred, rng.standard_normal((4, 3))


def value_and_grad(loss_of, pred: np.ndarray, target: np.ndarray):
    x = mg.tensor(pred, requires_grad=True)
    loss = loss_of(x, mg.tensor(target))
    loss.sum().backward()
    return loss.numpy(), x.grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", CASES)
def test_each_module_gives_its_functions_value_and_gradient(name, reduction, rng):
    module_cls, fn, settings = CASES[name]
    pred, target = inputs(name, rng)
    module = module_cls(reduction=reduction, **settings)
    value, grad = value_and_grad(module, pred, target)
    fn_value, fn_grad = value_and_grad(
        lambda x, t: fn(x, t, reduction=reduction, **settings), pred, target
    )
    np.testing.assert_array_equal(value, fn_value)
    np.testing.assert_array_equal(grad, fn_grad)


@pytest.mark.parametrize("name", CASES)
def test_a_bad_reduction_is_refused_when_the_module_is_made(name):
    module_cls = CASES[name][0]
    with pytest.raises(
        ValueError,
        match=f"{module_cls.__name__}: reduction must be one of 'mean', 'sum', 'none', got 'avg'",
    ):
        module_cls(reduction="avg")


def test_a_bad_huber_delta_is_refused_when_the_module_is_made():
    with pytest.raises(ValueError, match="HuberLoss: delta must be a positive number, got 0"):
        nn.HuberLoss(delta=0)


def test_loss_modules_have_no_parameters_and_show_their_settings():
    criterion = nn.HuberLoss(reduction="sum", delta=2.0)
    assert list(criterion.parameters()) == []
    assert repr(criterion) == "HuberLoss(reduction='sum', delta=2.0)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss(reduction='mean')"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", CASES)
def test_each_module_gives_the_same_value_and_gradient_as_torch(name, reduction, rng):
    torch = pytest.importorskip("torch")
    module_cls, _, settings = CASES[name]
    pred, target = inputs(name, rng)
    value, grad = value_and_grad(module_cls(reduction=reduction, **settings), pred, target)
    t_x = torch.tensor(pred, requires_grad=True)
    t_loss = getattr(torch.nn, module_cls.__name__)(reduction=reduction, **settings)(
        t_x, torch.tensor(target)
    )
    t_loss.sum().backward()
    np.testing.assert_allclose(value, t_loss.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad, t_x.grad.numpy(), rtol=1e-12, atol=1e-15)
