"""``nn.Sequential``: modules applied one after another."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .module import Module


class Sequential(Module):
    """``Sequential(m0, m1, ...)(x) = ...m1(m0(x))``. The modules are registered as
    ``"0"``, ``"1"``, ... (so parameters are named ``0.weight``, ``1.bias``, ...);
    indexing, slicing, ``len`` and iteration work as on a list."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential takes nn.Modules, got {type(module).__name__}")
        self.add_module(str(len(self._modules)), module)
        return self

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Module:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        try:
            return modules[index]
        except IndexError:
            raise IndexError(
                f"index {index} is out of range for a Sequential of {len(modules)} modules"
            ) from None
