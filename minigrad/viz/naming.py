"""Names for the drawing: dotted parameter names and module-call labels.

Ops remember the module call they ran in (``minigrad.scope``), and scopes link to
the calls that enclosed them; the outermost one is the model the user called. Its
``named_parameters()`` gives ``layers.0.weight`` for a parameter tensor and its
``named_modules()`` gives ``layers.0`` for a submodule, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core import Tensor


class Names:
    """Parameter names and module-call labels for one graph."""

    def __init__(self, modules: list) -> None:
        self._params: dict[int, str] = {}
        self._modules: dict[int, str] = {}
        self._keep = modules  # the ids above are only valid while these live
        for m in modules:
            for name, p in m.named_parameters():
                self._params.setdefault(id(p), name)
            for name, sub in _named_modules(m):
                self._modules.setdefault(id(sub), name)
        self._calls: dict[int, str] = {}  # id(scope) -> cluster id
        self._labels: dict[int, str] = {}
        self._scopes: list = []  # keeps the scopes alive with their ids
        self._n_calls: dict[int, int] = {}  # id(module) -> calls seen so far

    @classmethod
    def from_scopes(cls, scopes: Iterable, module=None) -> Names:
        """Names from ``module`` if given, else from the outermost module of each
        recorded scope (normally one: the model)."""
        if module is not None:
            if not callable(getattr(module, "named_parameters", None)):
                raise TypeError(
                    "module= must be an nn.Module (something with named_parameters()), "
                    f"got {type(module).__name__}"
                )
            return cls([module])
        roots: dict[int, object] = {}
        for s in scopes:
            if s is not None:
                top = s.chain()[0].module
                roots.setdefault(id(top), top)
        return cls([m for m in roots.values() if callable(getattr(m, "named_parameters", None))])

    def parameter(self, t: Tensor) -> str | None:
        return self._params.get(id(t))

    def call_id(self, scope) -> str:
        """A cluster id for one module call (a new one for each call of a module)."""
        key = id(scope)
        if key not in self._calls:
            self._calls[key] = f"c{len(self._calls)}"
            self._scopes.append(scope)
            m = scope.module
            n = self._n_calls.get(id(m), 0) + 1
            self._n_calls[id(m)] = n
            label = module_label(self._modules.get(id(m)), m)
            self._labels[key] = label if n == 1 else f"{label} (call {n})"
        return self._calls[key]

    def call_label(self, scope) -> str:
        self.call_id(scope)
        return self._labels[id(scope)]


def module_label(name: str | None, module) -> str:
    """``layers.0: Linear``; the model itself (name ``""``) or an unnamed module is
    labelled by its class alone."""
    kind = type(module).__name__
    return f"{name}: {kind}" if name else kind


def _named_modules(module) -> Iterable:
    named = getattr(module, "named_modules", None)
    return named() if callable(named) else [("", module)]
