"""``nn.Linear`` and ``nn.Identity``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random
from ..core import Tensor, dtypes
from ..functional.linear import linear
from .module import Module
from .parameter import Parameter


def check_size(value, name: str, owner: str) -> int:
    """A positive int (layer sizes)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


class Linear(Module):
    """y = x @ weight^T + bias, with ``weight`` of shape (out_features, in_features).

    Initialized as PyTorch's default: kaiming_uniform with a = sqrt(5), which works
    out to U(-1/sqrt(in_features), 1/sqrt(in_features)) for the weight, and the same
    bound for the bias; drawn from minigrad's global generator (``mg.manual_seed``).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, *, dtype=None
    ) -> None:
        super().__init__()
        self.in_features = check_size(in_features, "in_features", "Linear")
        self.out_features = check_size(out_features, "out_features", "Linear")
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        bound = 1 / math.sqrt(self.in_features)
        rng = random.get_rng()
        for p in (self.weight, self.bias):
            if p is not None:
                p.data[...] = rng.uniform(-bound, bound, p.shape)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r}: expected input of shape (..., {self.in_features}), got {x.shape}"
            )
        # F.linear checks weight and bias too: they may have been reassigned
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """y = x. Takes (and ignores) any constructor arguments, as PyTorch's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x
