"""``nn.Module``: the base class of layers and models.

A Module owns three kinds of things, each registered by attribute assignment:

- parameters: ``self.weight = Parameter(...)`` (what the optimizer updates),
- buffers: ``self.register_buffer("running_mean", tensor)`` (state that is saved
  but not learned, such as BatchNorm's running statistics),
- sub-modules: ``self.layers = Sequential(...)``.

They are kept in three dicts in registration order, which gives PyTorch's dotted
names (``layers.0.weight``) and the order of ``parameters()`` and ``state_dict()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ..core import Tensor
from ..core.modes import ModuleScope
from ..errors import StateDictError
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer and model: subclass it, register parameters and
    sub-modules in ``__init__`` by assigning them, and define ``forward``."""

    training: bool

    def __init__(self) -> None:
        # object.__setattr__ because our own __setattr__ needs these dicts to exist
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(
                f"cannot assign {name!r} before {type(self).__name__}.__init__() has called "
                "super().__init__()"
            )
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to parameter {name!r} of "
                    f"{type(self).__name__}: use nn.Parameter(...) or None"
                )
            params[name] = None
        elif name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to sub-module {name!r}: "
                    "use an nn.Module or None"
                )
            self._modules[name] = None
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(_not_a_buffer(name, value))
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: the registered things live in dicts
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)

    def _check_new_name(self, name: str, kind: str, registry: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name must be a str, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{kind} name must be non-empty and contain no '.', got {name!r}")
        others = [r for r in (self._parameters, self._buffers, self._modules) if r is not registry]
        if name in self.__dict__ or any(name in r for r in others):
            raise KeyError(f"attribute {name!r} already exists on {type(self).__name__}")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None: a declared but absent parameter, like a
        Linear's bias when bias=False) under ``name``."""
        self._check_new_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"parameter {name!r} must be an nn.Parameter or None")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Register a Tensor that belongs to the module's state (saved in
        ``state_dict``) but is not learned, e.g. BatchNorm's running mean."""
        self._check_new_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(_not_a_buffer(name, tensor))
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        self._check_new_name(name, "module", self._modules)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not an nn.Module")
        self._modules[name] = module

    # -------------------------------------------------------------------- calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # ops recorded inside remember this call, so a graph drawing can cluster them
        with ModuleScope(self):
            return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (name ``prefix``) and every sub-module below it, depth first,
        each once even if it is reachable by several paths."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in m._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two modules is
        given once, under its first name."""
        yield from self._named_members("_parameters", prefix, unique=True)

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, unique=True)

    def buffers(self) -> Iterator[Tensor]:
        for _, b in self.named_buffers():
            yield b

    def _named_members(self, registry: str, prefix: str, unique: bool) -> Iterator:
        seen: set[int] = set()
        for module_name, m in self.named_modules(prefix):
            for name, t in getattr(m, registry).items():
                if t is None or (unique and id(t) in seen):
                    continue
                seen.add(id(t))
                yield (f"{module_name}.{name}" if module_name else name), t

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every sub-module and then on this one (e.g. custom init)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, BatchNorm on batch statistics) on this
        module and all of its sub-modules; ``mode=False`` is evaluation mode."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be a bool, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        """Drop every parameter's gradient (``.grad = None``)."""
        for p in self.parameters():
            p.grad = None

    # -------------------------------------------------------------- state dicts
    def _state_tensors(self) -> dict[str, Tensor]:
        """Dotted name -> Tensor for every parameter and buffer, as in PyTorch a
        tensor shared by two modules appears under both names."""
        out: dict[str, Tensor] = {}
        for module_name, m in self.named_modules():
            dot = f"{module_name}." if module_name else ""
            for registry in (m._parameters, m._buffers):
                for name, t in registry.items():
                    if t is not None:
                        out[dot + name] = t
        return out

    def state_dict(self) -> dict[str, np.ndarray]:
        """Name -> a copy of the values of every parameter and buffer."""
        return {name: t.data.copy() for name, t in self._state_tensors().items()}

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> IncompatibleKeys:
        """Copy the values in ``state_dict`` into the parameters and buffers.

        Everything is checked before anything changes: under ``strict`` a missing or
        an unexpected key is an error; a value of the wrong shape, or one that is not
        a numeric array, always is (``StateDictError`` naming every bad key). Floats
        of another float dtype are cast to the parameter's dtype, as PyTorch.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        if strict and missing:
            problems.append("missing key(s) " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            problems.append("unexpected key(s) " + ", ".join(map(repr, unexpected)))
        staged = []
        for name, t in own.items():
            if name in state_dict:
                value, problem = _checked_value(name, t, state_dict[name])
                if problem:
                    problems.append(problem)
                else:
                    staged.append((t, value))
        if problems:
            raise StateDictError(
                f"load_state_dict for {type(self).__name__}: "
                + "; ".join(problems)
                + " (nothing was changed)"
            )
        for t, value in staged:
            t.data = value
        return IncompatibleKeys(missing, unexpected)

    # --------------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The layer's settings, shown inside its parentheses by ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = [self.extra_repr()] if self.extra_repr() else []
        for name, m in self._modules.items():
            lines.append(f"({name}): " + repr(m).replace("\n", "\n  "))
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _not_a_buffer(name: str, value) -> str:
    return f"buffer {name!r} must be a Tensor or None, got {type(value).__name__}"


def _checked_value(name: str, target: Tensor, value) -> tuple[np.ndarray | None, str | None]:
    """The array to load into ``target`` (a fresh copy in its dtype), or a problem."""
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, (np.ndarray, np.generic, int, float)):
        return None, f"{name!r} is a {type(value).__name__}, not an array"
    value = np.asarray(value)
    if value.dtype.kind not in "biuf":
        return None, f"{name!r} is not numeric (dtype {value.dtype})"
    if value.shape != target.shape:
        return None, f"{name!r} has shape {value.shape}, expected {target.shape}"
    if target.dtype.kind in "iu" and value.dtype.kind not in "iu":
        return None, f"{name!r} must hold integers (for dtype {target.dtype}), got {value.dtype}"
    return np.array(value, dtype=target.dtype), None
