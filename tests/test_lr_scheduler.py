"""Learning-rate schedulers against the formulas of PyTorch's documentation, for every
parameter group; their state dicts; and, where torch is installed, the same learning
rates as torch.optim.lr_scheduler, epoch by epoch."""

from __future__ import annotations

import bisect
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import lr_scheduler

BASE_LRS = [1.0, 0.5]  # two parameter groups, so that every test covers both


def two_groups() -> optim.SGD:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    return optim.SGD([{"params": [a]}, {"params": [b], "lr": BASE_LRS[1]}], lr=BASE_LRS[0])


def schedule(make, epochs: int) -> list[list[float]]:
    """get_last_lr() after creating the scheduler (epoch 0) and after each step."""
    opt = two_groups()
    scheduler = make(opt)
    lrs = [scheduler.get_last_lr()]
    for _ in range(epochs):
        opt.step()  # a real epoch would step the optimizer first
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return lrs


def closed_form(factor, epochs: int) -> list[list[float]]:
    return [[factor(base, epoch) for base in BASE_LRS] for epoch in range(epochs + 1)]


# -------------------------------------------------------------------- the schedules
def test_step_lr_multiplies_by_gamma_every_step_size_epochs():
    lrs = schedule(lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.1), 9)
    np.testing.assert_allclose(
        [group_0 for group_0, _ in lrs],
        [1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001],
        rtol=1e-15,
    )
    expected = closed_form(lambda base, e: base * 0.1 ** (e // 3), 9)
    np.testing.assert_allclose(lrs, expected, rtol=1e-14)


def test_multistep_lr_multiplies_by_gamma_at_each_milestone_twice_if_listed_twice():
    lrs = schedule(lambda opt: lr_scheduler.MultiStepLR(opt, [5, 2, 5], gamma=0.1), 7)
    np.testing.assert_allclose(
        [group_0 for group_0, _ in lrs], [1, 1, 0.1, 0.1, 0.1, 0.001, 0.001, 0.001], rtol=1e-15
    )
    expected = closed_form(lambda base, e: base * 0.1 ** bisect.bisect_right([2, 5, 5], e), 7)
    np.testing.assert_allclose(lrs, expected, rtol=1e-14)


def test_exponential_lr_multiplies_by_gamma_every_epoch():
    lrs = schedule(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.5), 3)
    assert lrs == [[1.0, 0.5], [0.5, 0.25], [0.25, 0.125], [0.125, 0.0625]]
    lrs = schedule(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9), 30)
    np.testing.assert_allclose(lrs, closed_form(lambda base, e: base * 0.9**e, 30), rtol=1e-13)


def test_cosine_annealing_follows_the_closed_form_down_to_eta_min_and_back_up():
    lrs = schedule(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.1), 8)
    # 0.1 + 0.9 (1 + cos(pi e / 4)) / 2: the top at e = 0 and 8, the bottom at e = 4
    np.testing.assert_allclose(
        [group_0 for group_0, _ in lrs],
        [1.0, 0.86819805, 0.55, 0.23180195, 0.1, 0.23180195, 0.55, 0.86819805, 1.0],
        rtol=1e-8,
    )
    lrs = schedule(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=7, eta_min=0.01), 21)

    def cosine(base, e):
        return 0.01 + (base - 0.01) * (1 + math.cos(math.pi * e / 7)) / 2

    np.testing.assert_allclose(lrs, closed_form(cosine, 21), rtol=1e-12)


def test_lambda_lr_is_base_lr_times_the_function_of_the_epoch_from_epoch_0():
    lrs = schedule(lambda opt: lr_scheduler.LambdaLR(opt, lambda e: 0.5**e), 3)
    assert lrs == [[1.0, 0.5], [0.5, 0.25], [0.25, 0.125], [0.125, 0.0625]]

    def warmup(e):  # one lambda per group: a linear warm-up for the first
        return min(1.0, (e + 1) / 4)

    lrs = schedule(lambda opt: lr_scheduler.LambdaLR(opt, [warmup, lambda e: 1.0]), 4)
    assert lrs == [[0.25, 0.5], [0.5, 0.5], [0.75, 0.5], [1.0, 0.5], [1.0, 0.5]]


def test_a_learning_rate_changed_by_hand_is_kept_and_decayed_further():
    # as PyTorch's StepLR: "such decay can happen simultaneously with other changes
    # to the learning rate from outside this scheduler"
    opt = two_groups()
    scheduler = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    scheduler.step()
    opt.param_groups[0]["lr"] = 0.3
    scheduler.step()  # epoch 2: 0.3 * 0.1, not base_lr * 0.1
    assert scheduler.get_last_lr() == pytest.approx([0.03, 0.05], rel=1e-15)


def test_the_scheduled_lr_is_the_one_the_optimizer_steps_with():
    w = nn.Parameter(np.zeros(1))
    opt = optim.SGD([w], lr=1.0)
    scheduler = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = np.ones(1)
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(w.data, [-(1 + 0.5 + 0.25)], rtol=1e-15)


# --------------------------------------------------------------- reduce on plateau
def plateau(metrics, **settings) -> list[float]:
    opt = two_groups()
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, **settings)
    lrs = []
    for metric in metrics:
        scheduler.step(metric)
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def test_plateau_reduces_after_more_than_patience_epochs_without_improvement():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    lrs = plateau(metrics, factor=0.5, patience=2)
    # bad epochs: 0 0 1 2 3 -> reduce (and count from 0 again); 0 1 2 3 -> reduce; 1 2 3
    assert lrs == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]
    # an improvement starts the count again: bad epochs 0 1 0 1, never more than 1
    assert plateau([1.0, 1.0, 0.5, 0.5], factor=0.5, patience=1) == [1, 1, 1, 1]


def test_plateau_counts_an_improvement_smaller_than_the_relative_threshold_as_none():
    # the best is 1.0; 0.99995 is better by 5e-5 relative, less than threshold 1e-4
    assert plateau([1.0, 0.99995, 0.99995], factor=0.5, patience=1) == [1, 1, 0.5]
    assert plateau([1.0, 0.99985, 0.9996], factor=0.5, patience=1) == [1, 1, 1]


def test_plateau_in_max_mode_watches_an_accuracy_and_stops_at_min_lr():
    accuracies = mg.tensor([0.5, 0.6, 0.6, 0.6, 0.6, 0.6])  # Tensors of one element
    lrs = plateau(accuracies, mode="max", factor=0.1, patience=0, min_lr=0.005)
    assert lrs == pytest.approx([1, 1, 0.1, 0.01, 0.005, 0.005], rel=1e-15)


def test_plateau_reduces_every_group():
    opt = two_groups()
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    for metric in (1.0, 2.0):
        scheduler.step(metric)
    assert scheduler.get_last_lr() == [0.5, 0.25]


# ---------------------------------------------------------------------- state dicts
SCHEDULERS = {
    "step": lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    "multistep": lambda opt: lr_scheduler.MultiStepLR(opt, [1, 4]),
    "exponential": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "cosine": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5),
    "lambda": lambda opt: lr_scheduler.LambdaLR(opt, lambda e: 1 / (e + 1)),
    "plateau": lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=1),
}
METRICS = [3.0, 2.0, 2.5, 2.5, 1.0, 1.5, 1.5, 1.5]


def advance(scheduler, epoch: int) -> None:
    if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
        scheduler.step(METRICS[epoch])
    else:
        scheduler.step()


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_round_trip_continues_the_schedule_exactly(name, tmp_path):
    opt = two_groups()
    scheduler = SCHEDULERS[name](opt)
    for epoch in range(8):
        advance(scheduler, epoch)
    uninterrupted = scheduler.get_last_lr()

    opt = two_groups()
    scheduler = SCHEDULERS[name](opt)
    for epoch in range(4):
        advance(scheduler, epoch)
    saved = {"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    mg.save(saved, tmp_path / "run.npz")

    opt = two_groups()
    scheduler = SCHEDULERS[name](opt)
    loaded = mg.load(tmp_path / "run.npz")
    opt.load_state_dict(loaded["optimizer"])  # the learning rates themselves
    scheduler.load_state_dict(loaded["scheduler"])  # where the schedule is
    for epoch in range(4, 8):
        advance(scheduler, epoch)
    assert scheduler.get_last_lr() == uninterrupted


def test_state_dicts_hold_numbers_only():
    opt = two_groups()
    step = lr_scheduler.StepLR(opt, step_size=2)
    step.step()
    assert {k: v.tolist() for k, v in step.state_dict().items()} == {
        "last_epoch": 1,
        "base_lrs": [1.0, 0.5],
        "_last_lr": [1.0, 0.5],
    }
    on_plateau = lr_scheduler.ReduceLROnPlateau(opt)
    on_plateau.step(0.25)
    assert {k: v.tolist() for k, v in on_plateau.state_dict().items()} == {
        "last_epoch": 1,
        "best": 0.25,
        "num_bad_epochs": 0,
        "_last_lr": [1.0, 0.5],
    }
    for sd in (step.state_dict(), on_plateau.state_dict()):
        assert all(isinstance(v, np.ndarray) and v.dtype.kind in "if" for v in sd.values())


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda sd: sd.pop("base_lrs"), "missing key 'base_lrs'"),
        (lambda sd: sd.update(gamma=np.array(0.5)), "unexpected key 'gamma'"),
        (lambda sd: sd.update(base_lrs=np.array([1.0])), r"'base_lrs' must be .* shape \(2,\)"),
        (lambda sd: sd.update(last_epoch=np.array(2.0)), "'last_epoch' must be an integer"),
        (lambda sd: sd.update(last_epoch=np.array(-1)), "'last_epoch' must be an integer >= 0"),
        (lambda sd: sd.update(last_epoch="3"), "'last_epoch' must be a numeric array"),
    ],
    ids=["missing", "unexpected", "one_group", "float_epoch", "negative_epoch", "a_string"],
)
def test_load_state_dict_failures_change_nothing(corrupt, message):
    scheduler = lr_scheduler.StepLR(two_groups(), step_size=2)
    bad = scheduler.state_dict()
    bad["_last_lr"] = np.array([9.0, 9.0])  # differs, so a partial load would show
    corrupt(bad)
    with pytest.raises(nn.StateDictError, match=message):
        scheduler.load_state_dict(bad)
    assert scheduler.last_epoch == 0 and scheduler.get_last_lr() == BASE_LRS


# -------------------------------------------------------------------- bad settings
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=0), "StepLR: step_size must be an int >= 1"),
        (lambda o: lr_scheduler.StepLR(o, 2, gamma=-0.1), "gamma must be a number > 0"),
        (lambda o: lr_scheduler.MultiStepLR(o, [2, -1]), "each milestone must be an int >= 0"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=0), "gamma must be a number > 0"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=2.5), "T_max must be an int >= 1"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, 5, eta_min=-1), "eta_min must be a number"),
        (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), "a list of 2 .one per parameter"),
        (lambda o: lr_scheduler.LambdaLR(o, 0.5), "lr_lambda must be a function of the epoch"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="low"), "mode must be 'min' or 'max'"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), r"factor must be .* \(0, 1\)"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), "patience must be an int >= 0"),
    ],
)
def test_invalid_settings_are_value_errors_naming_the_setting(make, message):
    with pytest.raises(ValueError, match=message):
        make(two_groups())


def test_a_scheduler_needs_an_optimizer():
    model = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"StepLR: expected an optimizer such as optim.SGD"):
        lr_scheduler.StepLR(model.parameters(), step_size=2)
    with pytest.raises(TypeError, match=r"LambdaLR: expected an optimizer"):
        lr_scheduler.LambdaLR(model, lambda e: 1.0)


# -------------------------------------------------------------------- against torch
TORCH_SETTINGS = {
    "StepLR": dict(step_size=3, gamma=0.5),
    "MultiStepLR": dict(milestones=[2, 5, 5, 11], gamma=0.3),
    "ExponentialLR": dict(gamma=0.9),
    "CosineAnnealingLR": dict(T_max=7, eta_min=0.01),
    "LambdaLR": dict(lr_lambda=lambda e: 1 / (1 + e) ** 0.5),
}


@pytest.mark.parametrize("name", TORCH_SETTINGS)
def test_epoch_schedules_match_torch_also_after_a_change_by_hand(name):
    torch = pytest.importorskip("torch")
    t_a, t_b = torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)
    t_opt = torch.optim.SGD([{"params": [t_a]}, {"params": [t_b], "lr": 0.5}], lr=1.0)
    t_scheduler = getattr(torch.optim.lr_scheduler, name)(t_opt, **TORCH_SETTINGS[name])
    opt = two_groups()
    scheduler = getattr(lr_scheduler, name)(opt, **TORCH_SETTINGS[name])
    for epoch in range(25):
        if epoch == 9:  # a change from outside the scheduler
            opt.param_groups[1]["lr"] = t_opt.param_groups[1]["lr"] = 0.2
        for o, s in ((opt, scheduler), (t_opt, t_scheduler)):
            o.step()
            s.step()
        np.testing.assert_allclose(
            scheduler.get_last_lr(), t_scheduler.get_last_lr(), rtol=1e-12, err_msg=f"{epoch}"
        )


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    metrics = [5.0, 4.0, 4.0, 3.9999, 3.9995, 4.1, 4.2, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    for mode in ("min", "max"):
        settings = dict(mode=mode, factor=0.5, patience=2, threshold=1e-4, min_lr=0.1)
        t_opt = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=1.0)
        t_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **settings)
        opt = optim.SGD([nn.Parameter(np.ones(1))], lr=1.0)
        scheduler = lr_scheduler.ReduceLROnPlateau(opt, **settings)
        for metric in metrics:
            t_scheduler.step(metric)
            scheduler.step(metric)
            assert scheduler.get_last_lr() == t_scheduler.get_last_lr()
