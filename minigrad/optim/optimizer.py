"""``optim.Optimizer``: what every optimizer shares.

An optimizer holds a list of parameters, a few hyperparameters (plain attributes:
``opt.lr = 0.01`` changes the learning rate), and per-parameter state such as
momentum buffers, keyed by the parameter's index in the list. ``step()`` updates
each parameter that has a gradient, in place on ``param.data``.

``state_dict()`` is made of numpy arrays only, so ``mg.save`` can store it::

    {"hyperparameters": {"lr": array(0.1), "nesterov": array(False), ...},
     "state": {"0": {"momentum_buffer": array([...])}, "1": {...}}}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..core import Tensor
from ..errors import StateDictError

HyperParameters = dict[str, float | bool]


class Optimizer:
    """Base class. A subclass defines:

    - ``STATE``: the names of its per-parameter buffers, and which of them are step
      counts (``"count"``) rather than arrays shaped like the parameter (``"param"``);
    - ``hyperparameters()`` / ``_set_hyperparameters(h)``: its settings as a flat dict
      of Python scalars, and back;
    - ``_check(h)``: raise ValueError for an invalid setting;
    - ``_update(w, g, state)``: one parameter's step, in place on ``w``.
    """

    STATE: dict[str, str] = {}

    def __init__(self, params: Iterable[Tensor], hyperparameters: HyperParameters) -> None:
        self.params = _check_params(params, type(self).__name__)
        self._check(hyperparameters)
        self._set_hyperparameters(hyperparameters)
        self.state: dict[int, dict[str, np.ndarray]] = {}

    # ------------------------------------------------------------ for subclasses
    def hyperparameters(self) -> HyperParameters:
        raise NotImplementedError(f"{type(self).__name__} does not define hyperparameters()")

    def _set_hyperparameters(self, h: HyperParameters) -> None:
        for name, value in h.items():
            setattr(self, name, value)

    def _check(self, h: HyperParameters) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _check()")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _update()")

    # ------------------------------------------------------------------ the loop
    def step(self) -> None:
        """Update every parameter that has a gradient (the others are skipped)."""
        # checked before any update, so that a bad setting or gradient changes nothing
        self._check(self.hyperparameters())  # attributes may have been changed by hand
        for i, p in enumerate(self.params):
            if p.grad is not None and p.grad.shape != p.shape:
                raise ValueError(
                    f"{type(self).__name__}.step: params[{i}] has shape {p.shape} but its "
                    f"gradient has shape {p.grad.shape}"
                )
        for i, p in enumerate(self.params):
            if p.grad is not None:
                state = self.state.get(i)
                if state is None:
                    state = self.state[i] = {}
                self._update(p.data, p.grad, state)

    def zero_grad(self) -> None:
        """Drop every parameter's gradient (``.grad = None``)."""
        for p in self.params:
            p.grad = None

    # -------------------------------------------------------------- state dicts
    def state_dict(self) -> dict:
        """Hyperparameters as 0-d arrays, per-parameter buffers as array copies."""
        return {
            "hyperparameters": {k: np.array(v) for k, v in self.hyperparameters().items()},
            "state": {
                str(i): {k: v.copy() for k, v in s.items()} for i, s in self.state.items() if s
            },
        }

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore hyperparameters and state from ``state_dict()``'s format.

        Everything is checked first; if anything does not fit (a missing or unknown
        key, an invalid hyperparameter, a buffer of the wrong shape, a non-numeric
        array) nothing changes and ``StateDictError`` names every problem.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        problems: list[str] = []
        keys = set(state_dict)
        if keys != {"hyperparameters", "state"}:
            problems.append(
                "expected exactly the keys 'hyperparameters' and 'state', got "
                + ", ".join(map(repr, sorted(keys, key=str)))
            )
            self._raise(problems)
        hyper = self._loaded_hyperparameters(state_dict["hyperparameters"], problems)
        state = self._loaded_state(state_dict["state"], problems)
        self._raise(problems)
        self._set_hyperparameters(hyper)
        self.state = state

    def _raise(self, problems: list[str]) -> None:
        if problems:
            raise StateDictError(
                f"{type(self).__name__}.load_state_dict: "
                + "; ".join(problems)
                + " (nothing was changed)"
            )

    def _loaded_hyperparameters(self, given, problems: list[str]) -> HyperParameters:
        current = self.hyperparameters()
        if not isinstance(given, Mapping):
            problems.append(f"'hyperparameters' must be a dict, got {type(given).__name__}")
            return current
        for k in given:
            if k not in current:
                problems.append(f"unexpected hyperparameter {k!r}")
        out = dict(current)
        for name, now in current.items():
            if name not in given:
                problems.append(f"missing hyperparameter {name!r}")
                continue
            value = np.asarray(given[name]) if _is_numeric(given[name]) else None
            if value is None or value.ndim != 0:
                problems.append(f"hyperparameter {name!r} must be a 0-d numeric array")
                continue
            out[name] = bool(value) if isinstance(now, bool) else float(value)
        try:
            self._check(out)
        except ValueError as err:
            problems.append(str(err))
        return out

    def _loaded_state(self, given, problems: list[str]) -> dict[int, dict[str, np.ndarray]]:
        if not isinstance(given, Mapping):
            problems.append(f"'state' must be a dict, got {type(given).__name__}")
            return {}
        out: dict[int, dict[str, np.ndarray]] = {}
        for key, buffers in given.items():
            index = _param_index(key, len(self.params))
            if index is None:
                problems.append(
                    f"state key {key!r} is not a parameter index in [0, {len(self.params)})"
                )
                continue
            if not isinstance(buffers, Mapping):
                problems.append(f"state[{key!r}] must be a dict, got {type(buffers).__name__}")
                continue
            if set(buffers) != set(self.STATE):
                problems.append(
                    f"state[{key!r}] has buffers {sorted(map(str, buffers))}, expected "
                    f"{sorted(self.STATE)}"
                )
                continue
            out[index] = {}
            for name, value in buffers.items():
                array, problem = self._checked_buffer(index, name, value)
                if problem:
                    problems.append(f"state[{key!r}][{name!r}]: {problem}")
                else:
                    out[index][name] = array
        return out

    def _checked_buffer(self, index: int, name: str, value) -> tuple[np.ndarray | None, str]:
        kind = self.STATE[name]
        if not _is_numeric(value):
            return None, "not a numeric array"
        value = np.asarray(value)
        if kind == "count":
            if value.shape != () or value.dtype.kind not in "iu" or value < 0:
                return None, "a step count must be a 0-d non-negative integer array"
            return np.array(value, dtype=np.int64), ""
        p = self.params[index]
        if value.shape != p.shape:
            return None, f"shape {value.shape} does not match the parameter's {p.shape}"
        return np.array(value, dtype=p.dtype), ""

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"


def _check_params(params, owner: str) -> list[Tensor]:
    if isinstance(params, Tensor):
        raise TypeError(f"{owner}: params must be an iterable of Tensors, not one Tensor")
    # A model has a parameters() method; asked by name, so that optim need not import nn.
    if callable(getattr(params, "parameters", None)):
        raise TypeError(
            f"{owner}: got the {type(params).__name__} itself; pass its parameters: "
            f"{owner}(model.parameters(), ...)"
        )
    if not isinstance(params, Iterable):
        raise TypeError(
            f"{owner}: params must be an iterable of Tensors, such as model.parameters(); "
            f"got a {type(params).__name__}"
        )
    out = list(params)
    if not out:
        raise ValueError(f"{owner}: got an empty parameter list")
    seen: set[int] = set()
    for i, p in enumerate(out):
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: params[{i}] is a {type(p).__name__}, not a Tensor")
        if not p.requires_grad or not p.is_leaf:
            raise ValueError(f"{owner}: params[{i}] must be a leaf Tensor that requires grad")
        if id(p) in seen:
            raise ValueError(f"{owner}: params[{i}] appears more than once in the list")
        seen.add(id(p))
    return out


def _is_numeric(value) -> bool:
    if isinstance(value, Tensor):
        return False  # state dicts hold arrays; a Tensor here is a mistake worth naming
    if isinstance(value, (bool, int, float, np.generic, np.ndarray)):
        return np.asarray(value).dtype.kind in "biuf"
    return False


def _param_index(key, n: int) -> int | None:
    if not isinstance(key, str) or not key.isdigit():
        return None
    index = int(key)
    return index if index < n else None


def check_non_negative(h: HyperParameters, *names: str) -> None:
    for name in names:
        value = h[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"invalid {name}: {value!r} (must be a number >= 0)")
