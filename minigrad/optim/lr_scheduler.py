"""Learning-rate schedulers, as PyTorch's: ``from minigrad.optim import lr_scheduler``.

A scheduler sets ``group["lr"]`` in each parameter group of an optimizer. Call its
``step()`` once per epoch, after that epoch's ``opt.step()`` calls::

    scheduler = lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch()        # calls opt.step() for each batch
        scheduler.step()

Creating the scheduler is epoch 0: it records each group's lr as that group's
``base_lr`` (and ``LambdaLR`` sets ``base_lr * lr_lambda(0)`` right away); each
``step()`` moves to the next epoch. ``ReduceLROnPlateau`` instead watches a metric:
``scheduler.step(val_loss)``.

As in PyTorch, ``StepLR``, ``MultiStepLR``, ``ExponentialLR`` and ``CosineAnnealingLR``
compute the next lr from the lr the group has now (they multiply it, for example)
rather than from ``base_lr``: a change made by hand, or by another scheduler, is kept
and decayed further. A scheduler used alone follows the closed form written in its
docstring.

``state_dict()`` holds numbers only, as numpy arrays (so ``mg.save`` stores it): the
epoch, the learning rates and, for ``ReduceLROnPlateau``, the best metric so far. The
settings (``step_size``, ``gamma``, ...) are the constructor's arguments: create the
scheduler as before, then load its state.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from ..errors import StateDictError
from .optimizer import Optimizer, is_numeric, is_real

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "MultiStepLR",
    "ReduceLROnPlateau",
    "StepLR",
]


class _Scheduler:
    """What every scheduler shares: its optimizer, ``get_last_lr()`` and the state
    dict. ``STATE`` names the attributes that the state dict holds, each of a kind:
    ``"count"`` (an int >= 0), ``"number"`` (a float) or ``"per group"`` (a list of
    floats, one per parameter group)."""

    STATE: dict[str, str] = {}

    def __init__(self, optimizer: Optimizer) -> None:
        self._require_optimizer(optimizer)
        self.optimizer = optimizer

    def _require_optimizer(self, optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an optimizer such as optim.SGD(...), got "
                f"a {type(optimizer).__name__}"
            )

    def _require(self, ok: bool, name: str, value, rule: str) -> None:
        """A ValueError naming the setting, what it must be, and what it was."""
        if not ok:
            raise ValueError(f"{type(self).__name__}: {name} must be {rule}, got {value!r}")

    def _group_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each parameter group, as this scheduler last set it."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, np.ndarray]:
        """The scheduler's progress as numpy arrays (0-d, or one entry per group)."""
        return {name: np.array(getattr(self, name)) for name in self.STATE}

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore ``state_dict()``'s values; if anything does not fit (a missing or
        unknown key, a value of the wrong kind or shape) nothing changes and
        ``StateDictError`` names every problem."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        problems = [f"unexpected key {k!r}" for k in state_dict if k not in self.STATE]
        problems += [f"missing key {k!r}" for k in self.STATE if k not in state_dict]
        values = {}
        for name, kind in self.STATE.items():
            if name in state_dict:
                value, problem = self._loaded(kind, state_dict[name])
                if problem:
                    problems.append(f"{name!r} {problem}")
                values[name] = value
        if problems:
            raise StateDictError(
                f"{type(self).__name__}.load_state_dict: "
                + "; ".join(problems)
                + " (nothing was changed)"
            )
        for name, value in values.items():
            setattr(self, name, value)

    def _loaded(self, kind: str, given) -> tuple[int | float | list[float] | None, str]:
        shape = (len(self.optimizer.param_groups),) if kind == "per group" else ()
        if not is_numeric(given) or np.shape(given) != shape:
            return None, f"must be a numeric array of shape {shape}"
        value = np.asarray(given)
        if kind == "count":
            if value.dtype.kind not in "iu" or value < 0:
                return None, "must be an integer >= 0"
            return int(value), ""
        if kind == "number":
            return float(value), ""
        return [float(v) for v in value], ""


class LRScheduler(_Scheduler):
    """Base class of the schedules that follow the epoch: a subclass defines
    ``_new_lr(lr, base_lr, epoch, group)``, the learning rate of parameter group number
    ``group`` at ``epoch``, given the lr it has now and the one it started with."""

    STATE = {"last_epoch": "count", "base_lrs": "per group", "_last_lr": "per group"}

    def __init__(self, optimizer: Optimizer) -> None:
        super().__init__(optimizer)
        self.base_lrs = self._group_lrs()
        self.last_epoch = -1
        self.step()  # epoch 0, as PyTorch: the first epoch's lr is set right away

    def _new_lr(self, lr: float, base_lr: float, epoch: int, group: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not define _new_lr()")

    def step(self) -> None:
        """Move to the next epoch: set every group's learning rate for it."""
        self.last_epoch += 1
        for i, group in enumerate(self.optimizer.param_groups):
            group["lr"] = self._new_lr(group["lr"], self.base_lrs[i], self.last_epoch, i)
        self._last_lr = self._group_lrs()


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self._require(_is_int(step_size) and step_size >= 1, "step_size", step_size, "an int >= 1")
        self._require(is_real(gamma) and gamma > 0, "gamma", gamma, "a number > 0")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def _new_lr(self, lr: float, base_lr: float, epoch: int, group: int) -> float:
        return lr * self.gamma if epoch > 0 and epoch % self.step_size == 0 else lr


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``:
    lr = base_lr * gamma ** (the number of milestones <= epoch). As in PyTorch, a
    milestone listed twice multiplies by gamma twice."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1):
        milestones = list(milestones)
        for m in milestones:
            self._require(_is_int(m) and m >= 0, "each milestone", m, "an int >= 0")
        self._require(is_real(gamma) and gamma > 0, "gamma", gamma, "a number > 0")
        self.milestones, self.gamma = sorted(milestones), gamma
        super().__init__(optimizer)

    def _new_lr(self, lr: float, base_lr: float, epoch: int, group: int) -> float:
        return lr * self.gamma ** self.milestones.count(epoch)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self._require(is_real(gamma) and gamma > 0, "gamma", gamma, "a number > 0")
        self.gamma = gamma
        super().__init__(optimizer)

    def _new_lr(self, lr: float, base_lr: float, epoch: int, group: int) -> float:
        return lr * self.gamma if epoch > 0 else lr


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from base_lr down to ``eta_min`` over ``T_max`` epochs:

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2,

    and on past ``T_max`` along the same cosine, back up to base_lr at 2 T_max (as
    PyTorch; to stay at eta_min, stop calling ``step()``)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self._require(_is_int(T_max) and T_max >= 1, "T_max", T_max, "an int >= 1")
        self._require(is_real(eta_min) and eta_min >= 0, "eta_min", eta_min, "a number >= 0")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def _new_lr(self, lr: float, base_lr: float, epoch: int, group: int) -> float:
        # PyTorch's recursive form, which gives the closed form above when the scheduler
        # alone sets the lr: the distance lr - eta_min is scaled by the ratio of the
        # closed form's distances at this epoch and the one before...
        if epoch == 0:
            return lr
        if (epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            # ...except after a bottom of the cosine (distance 0: no ratio), where the
            # closed form's own step up is added
            return lr + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
        now = 1 + math.cos(math.pi * epoch / self.T_max)
        before = 1 + math.cos(math.pi * (epoch - 1) / self.T_max)
        return self.eta_min + (lr - self.eta_min) * now / before


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), with a function of the epoch, or a list of them,
    one per parameter group. Only the epoch and the rates are saved in the state dict,
    not the functions."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
    ) -> None:
        self._require_optimizer(optimizer)  # before counting its groups
        n = len(optimizer.param_groups)
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        rule = f"a function of the epoch, or a list of {n} (one per parameter group)"
        self._require(
            len(lambdas) == n and all(map(callable, lambdas)), "lr_lambda", lr_lambda, rule
        )
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

    def _new_lr(self, lr: float, base_lr: float, epoch: int, group: int) -> float:
        return base_lr * self.lr_lambdas[group](epoch)


class ReduceLROnPlateau(_Scheduler):
    """Multiply the learning rate by ``factor`` when a metric has stopped improving for
    more than ``patience`` epochs in a row: call ``step(metric)`` once per epoch with,
    say, the validation loss (``mode='min'``) or accuracy (``mode='max'``).

    As PyTorch: an epoch improves on the best metric so far only by more than the
    relative ``threshold`` (in 'min' mode, metric < best * (1 - threshold)); after a
    reduction the count of bad epochs starts again from 0; the lr never goes below
    ``min_lr``. (PyTorch's ``cooldown``, ``threshold_mode`` and ``eps`` are not here.)
    """

    STATE = {
        "last_epoch": "count",
        "best": "number",
        "num_bad_epochs": "count",
        "_last_lr": "per group",
    }

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(optimizer)
        self._require(mode in ("min", "max"), "mode", mode, "'min' or 'max'")
        self._require(is_real(factor) and 0 < factor < 1, "factor", factor, "a number in (0, 1)")
        self._require(_is_int(patience) and patience >= 0, "patience", patience, "an int >= 0")
        self._require(
            is_real(threshold) and threshold >= 0, "threshold", threshold, "a number >= 0"
        )
        self._require(is_real(min_lr) and min_lr >= 0, "min_lr", min_lr, "a number >= 0")
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.min_lr = threshold, min_lr
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.last_epoch = 0
        self._last_lr = self._group_lrs()

    def _improves(self, metric: float) -> bool:
        if self.mode == "min":
            return metric < self.best * (1 - self.threshold)
        return metric > self.best * (1 + self.threshold)

    def step(self, metric: float) -> None:
        """Record this epoch's metric (a number, or a Tensor of one element) and reduce
        every group's learning rate once it has not improved for more than ``patience``
        epochs in a row."""
        metric = float(metric)
        self.last_epoch += 1
        if self._improves(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.num_bad_epochs > self.patience:
            for group in self.optimizer.param_groups:
                group["lr"] = max(group["lr"] * self.factor, self.min_lr)
            self.num_bad_epochs = 0
        self._last_lr = self._group_lrs()


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
