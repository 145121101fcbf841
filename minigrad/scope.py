"""Which ``nn.Module`` call is running, so graph nodes know the module that made them.

``Module.__call__`` enters a ``ModuleScope``; every op recorded inside keeps a
reference to the innermost scope, and scopes link to their parents, so a drawing can
group nodes in nested clusters (``minigrad.viz``).
"""

from __future__ import annotations

_stack: list[ModuleScope] = []


class ModuleScope:
    __slots__ = ("module", "parent")

    def __init__(self, module, parent: ModuleScope | None) -> None:
        self.module = module
        self.parent = parent

    def __enter__(self) -> ModuleScope:
        _stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _stack.pop()

    def chain(self) -> list[ModuleScope]:
        """Outermost scope first."""
        out, s = [], self
        while s is not None:
            out.append(s)
            s = s.parent
        return out[::-1]


def enter(module) -> ModuleScope:
    """A scope for one call of ``module``, nested in the current one."""
    return ModuleScope(module, _stack[-1] if _stack else None)
