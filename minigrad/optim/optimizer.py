"""``optim.Optimizer``: what every optimizer shares.

An optimizer keeps its parameters in **parameter groups**, as PyTorch does:
``opt.param_groups`` is a list of dicts, each holding ``"params"`` (a list of Tensors)
and every hyperparameter of the optimizer. ``SGD(model.parameters(), lr=0.1)`` makes
one group. A list of dicts makes one group per dict; a group takes the constructor's
value for every hyperparameter it does not set::

    optim.SGD([{"params": weights, "weight_decay": 1e-4},
               {"params": biases}],           # weight_decay=0.0, the default
              lr=0.1, momentum=0.9)

``step()`` reads the groups at every call, so ``group["lr"] = 0.01`` (what a
learning-rate scheduler does) takes effect at the next step. With a single group,
``opt.lr`` reads and assigns ``opt.param_groups[0]["lr"]`` (the same for every
hyperparameter).

Per-parameter state, such as momentum buffers, is kept in ``opt.state`` under the
parameter's index, counted across the groups in order. ``state_dict()`` is made of
numpy arrays only, so ``mg.save`` can store it::

    {"param_groups": {"0": {"params": array([0, 1]), "lr": array(0.1), ...},
                      "1": {"params": array([2]), "lr": array(0.01), ...}},
     "state": {"0": {"momentum_buffer": array([...])}, "2": {...}}}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..core import Tensor
from ..errors import StateDictError

# A group's settings: Python numbers, bools, or a tuple of numbers (Adam's betas).
HyperParameters = dict[str, Any]


class Optimizer:
    """Base class. A subclass passes its hyperparameters' values to ``__init__`` (the
    defaults of every group) and defines:

    - ``STATE``: the names of its per-parameter buffers, and which of them are step
      counts (``"count"``) rather than arrays shaped like the parameter (``"param"``);
    - ``_check(h)``: raise ValueError for an invalid setting in the group ``h``;
    - ``_update(w, g, state, h)``: one parameter's step, in place on ``w``, with the
      settings of its group ``h``.
    """

    STATE: dict[str, str] = {}

    def __init__(
        self, params: Iterable[Tensor] | Iterable[dict], defaults: HyperParameters
    ) -> None:
        self.defaults = dict(defaults)
        self.param_groups = _param_groups(params, self.defaults, type(self).__name__)
        self.state: dict[int, dict[str, np.ndarray]] = {}
        self._check_groups()

    # ------------------------------------------------------------ for subclasses
    def _check(self, h: HyperParameters) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _check()")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict, h: HyperParameters) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _update()")

    # ------------------------------------------- opt.lr for a single-group optimizer
    # Without these, ``opt.lr = 0.01`` would create an attribute that step() never
    # reads, and the learning rate would silently stay the same.
    def __getattr__(self, name: str) -> Any:
        if name in self.__dict__.get("defaults", ()):
            return self._only_group(name)[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__.get("defaults", ()):
            self._only_group(name)[name] = value
        else:
            object.__setattr__(self, name, value)

    def _only_group(self, name: str) -> HyperParameters:
        if len(self.param_groups) != 1:
            raise AttributeError(
                f"{type(self).__name__}.{name}: this optimizer has "
                f"{len(self.param_groups)} parameter groups, each with its own {name!r}; "
                f"use opt.param_groups[i][{name!r}]"
            )
        return self.param_groups[0]

    # ------------------------------------------------------------------ the loop
    def _indexed_params(self) -> list[tuple[int, Tensor, HyperParameters]]:
        """(index, parameter, its group) for every parameter: the index counts across
        the groups in order, and is the parameter's key in ``state``."""
        pairs = [(p, group) for group in self.param_groups for p in group["params"]]
        return [(i, p, group) for i, (p, group) in enumerate(pairs)]

    def step(self) -> None:
        """Update every parameter that has a gradient (the others are skipped)."""
        # checked before any update, so that a bad setting or gradient changes nothing
        self._check_groups()  # the groups may have been edited by hand
        indexed = self._indexed_params()
        for i, p, _ in indexed:
            if p.grad is not None and p.grad.shape != p.shape:
                raise ValueError(
                    f"{type(self).__name__}.step: params[{i}] has shape {p.shape} but its "
                    f"gradient has shape {p.grad.shape}"
                )
        for i, p, group in indexed:
            if p.grad is not None:
                self._update(p.data, p.grad, self.state.setdefault(i, {}), group)
                p._bump_version()  # an in-place update: a graph that saved p now refuses

    def zero_grad(self) -> None:
        """Drop every parameter's gradient (``.grad = None``)."""
        for _, p, _ in self._indexed_params():
            p.grad = None

    def _check_groups(self) -> None:
        for i, group in enumerate(self.param_groups):
            try:
                self._check(group)
            except ValueError as err:
                if len(self.param_groups) == 1:
                    raise
                raise ValueError(f"param_groups[{i}]: {err}") from None

    # -------------------------------------------------------------- state dicts
    def _group_indices(self) -> list[np.ndarray]:
        """The indices of each group's parameters (as in ``state``)."""
        indices, start = [], 0
        for group in self.param_groups:
            end = start + len(group["params"])
            indices.append(np.arange(start, end, dtype=np.int64))
            start = end
        return indices

    def state_dict(self) -> dict:
        """Each group's parameter indices and hyperparameters as arrays (0-d, or 1-d
        for a tuple such as ``betas``), and the per-parameter buffers as array copies."""
        groups = {
            str(i): {"params": indices, **{k: np.array(group[k]) for k in self.defaults}}
            for i, (group, indices) in enumerate(zip(self.param_groups, self._group_indices()))
        }
        state = {str(i): {k: v.copy() for k, v in s.items()} for i, s in self.state.items() if s}
        return {"param_groups": groups, "state": state}

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore hyperparameters and state from ``state_dict()``'s format.

        Everything is checked first; if anything does not fit (a missing or unknown
        key, groups made differently, an invalid hyperparameter, a buffer of the wrong
        shape, a non-numeric array) nothing changes and ``StateDictError`` names every
        problem.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        problems: list[str] = []
        keys = set(state_dict)
        if keys != {"param_groups", "state"}:
            problems.append(
                "expected exactly the keys 'param_groups' and 'state', got "
                + ", ".join(map(repr, sorted(keys, key=str)))
            )
            self._raise(problems)
        settings = self._loaded_groups(state_dict["param_groups"], problems)
        state = self._loaded_state(state_dict["state"], problems)
        self._raise(problems)
        for group, loaded in zip(self.param_groups, settings):
            group.update(loaded)
        self.state = state

    def _raise(self, problems: list[str]) -> None:
        if problems:
            raise StateDictError(
                f"{type(self).__name__}.load_state_dict: "
                + "; ".join(problems)
                + " (nothing was changed)"
            )

    def _loaded_groups(self, given, problems: list[str]) -> list[HyperParameters]:
        if not isinstance(given, Mapping):
            problems.append(f"'param_groups' must be a dict, got {type(given).__name__}")
            return []
        n = len(self.param_groups)
        if set(given) != {str(i) for i in range(n)}:
            problems.append(
                f"'param_groups' has the groups {sorted(map(str, given))}, but this "
                f"optimizer has {n} (keys '0' to '{n - 1}')"
            )
            return []
        out = []
        for i, (group, indices) in enumerate(zip(self.param_groups, self._group_indices())):
            where = f"param_groups[{str(i)!r}]"
            loaded = given[str(i)]
            if not isinstance(loaded, Mapping):
                problems.append(f"{where} must be a dict, got {type(loaded).__name__}")
                continue
            expected = {"params", *self.defaults}
            for k in sorted(set(loaded) - expected, key=str):
                problems.append(f"{where}: unexpected hyperparameter {k!r}")
            for k in sorted(expected - set(loaded)):
                problems.append(f"{where}: missing hyperparameter {k!r}")
            if "params" in loaded and not (
                is_numeric(loaded["params"]) and np.array_equal(loaded["params"], indices)
            ):
                problems.append(
                    f"{where} holds the parameters {np.asarray(loaded['params']).tolist()}, "
                    f"but this optimizer's group {i} holds {indices.tolist()}: make the "
                    "groups the same way as the optimizer that was saved"
                )
            settings = {}
            for name in self.defaults:
                if name in loaded:  # a missing one is reported above
                    value, problem = _setting_like(group[name], loaded[name])
                    if problem:
                        problems.append(f"{where}: hyperparameter {name!r} {problem}")
                    else:
                        settings[name] = value
            if len(settings) == len(self.defaults):
                try:
                    self._check(settings)
                except ValueError as err:
                    problems.append(f"{where}: {err}")
            out.append(settings)
        return out

    def _loaded_state(self, given, problems: list[str]) -> dict[int, dict[str, np.ndarray]]:
        if not isinstance(given, Mapping):
            problems.append(f"'state' must be a dict, got {type(given).__name__}")
            return {}
        params = [p for _, p, _ in self._indexed_params()]
        out: dict[int, dict[str, np.ndarray]] = {}
        for key, buffers in given.items():
            index = _param_index(key, len(params))
            if index is None:
                problems.append(f"state key {key!r} is not a parameter index in [0, {len(params)})")
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
                array, problem = self._checked_buffer(params[index], name, value)
                if problem:
                    problems.append(f"state[{key!r}][{name!r}]: {problem}")
                else:
                    out[index][name] = array
        return out

    def _checked_buffer(self, p: Tensor, name: str, value) -> tuple[np.ndarray | None, str]:
        kind = self.STATE[name]
        if not is_numeric(value):
            return None, "not a numeric array"
        value = np.asarray(value)
        if kind == "count":
            if value.shape != () or value.dtype.kind not in "iu" or value < 0:
                return None, "a step count must be a 0-d non-negative integer array"
            return np.array(value, dtype=np.int64), ""
        if value.shape != p.shape:
            return None, f"shape {value.shape} does not match the parameter's {p.shape}"
        return np.array(value, dtype=p.dtype), ""

    def __repr__(self) -> str:
        groups = [
            ", ".join([f"{len(g['params'])} parameters", *(f"{k}={g[k]}" for k in self.defaults)])
            for g in self.param_groups
        ]
        if len(groups) > 1:
            groups = [f"[{g}]" for g in groups]
        return f"{type(self).__name__}({', '.join(groups)})"


def _param_groups(params, defaults: HyperParameters, owner: str) -> list[HyperParameters]:
    """``params`` (Tensors, or dicts with a ``"params"`` key) -> the parameter groups,
    each holding every hyperparameter. Checks that each parameter is a leaf that
    requires grad, and that no parameter appears twice, in one group or in two."""
    given = _as_list(params, owner)
    if not given:
        raise ValueError(f"{owner}: got an empty parameter list")
    as_groups = [isinstance(item, Mapping) for item in given]
    if any(as_groups) and not all(as_groups):
        raise TypeError(
            f"{owner}: params mixes Tensors and dicts: pass a list of Tensors, or a list "
            "of parameter groups, each a dict with a 'params' key"
        )
    plain = not all(as_groups)  # a list of Tensors: one group
    specs = [{"params": given}] if plain else given
    groups, seen = [], {}
    for i, spec in enumerate(specs):
        if "params" not in spec:
            raise ValueError(f"{owner}: parameter group {i} has no 'params' key")
        unknown = sorted(set(spec) - {"params", *defaults}, key=str)
        if unknown:
            raise ValueError(
                f"{owner}: parameter group {i} sets {', '.join(map(repr, unknown))}, which "
                f"{owner} does not have (its hyperparameters: {', '.join(defaults)})"
            )
        members = spec["params"]
        members = [members] if isinstance(members, Tensor) else _as_list(members, owner)
        for j, p in enumerate(members):
            where = f"params[{j}]" if plain else f"param_groups[{i}]['params'][{j}]"
            if not isinstance(p, Tensor):
                raise TypeError(f"{owner}: {where} is a {type(p).__name__}, not a Tensor")
            if not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{owner}: {where} must be a leaf Tensor that requires grad")
            if id(p) in seen:
                raise ValueError(
                    f"{owner}: a parameter appears more than once, as {seen[id(p)]} and as "
                    f"{where}; each parameter belongs to one group, once"
                )
            seen[id(p)] = where
        overrides = {k: v for k, v in spec.items() if k != "params"}
        groups.append({"params": members, **defaults, **overrides})
    return groups


def _as_list(params, owner: str) -> list:
    if isinstance(params, Tensor):
        raise TypeError(f"{owner}: params must be an iterable of Tensors, not one Tensor")
    # A model has a parameters() method; asked by name, so that optim need not import nn.
    if callable(getattr(params, "parameters", None)):
        raise TypeError(
            f"{owner}: got the {type(params).__name__} itself; pass its parameters: "
            f"{owner}(model.parameters(), ...)"
        )
    if not isinstance(params, Iterable) or isinstance(params, (str, Mapping)):
        raise TypeError(
            f"{owner}: params must be an iterable of Tensors, such as model.parameters(), "
            f"or a list of parameter groups (dicts); got a {type(params).__name__}"
        )
    return list(params)


def _setting_like(current, given) -> tuple[Any, str]:
    """A hyperparameter read from a state dict, made the kind of value ``current`` is
    (a bool, a tuple of floats, or a float), or None and what is wrong with it."""
    if not is_numeric(given) or np.shape(given) != np.shape(current):
        return None, f"must be a numeric array of shape {np.shape(current)}"
    value = np.asarray(given)
    if isinstance(current, bool):
        return bool(value), ""
    if isinstance(current, (tuple, list)):
        return tuple(float(v) for v in value), ""
    return float(value), ""


def is_numeric(value) -> bool:
    """A bool, a number, or a numeric numpy array: what a state dict may hold."""
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


def is_real(value) -> bool:
    """An int or a float (a bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_non_negative(h: HyperParameters, *names: str) -> None:
    for name in names:
        value = h[name]
        if not is_real(value) or not value >= 0:
            raise ValueError(f"invalid {name}: {value!r} (must be a number >= 0)")
