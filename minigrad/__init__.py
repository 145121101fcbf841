"""minigrad: a readable reverse-mode automatic-differentiation engine on numpy.

import minigrad as mg
x = mg.tensor([1.0, -2.0], requires_grad=True)
y = (x * x).sum()
y.backward()          # x.grad == [2, -4]

The engine is in ``minigrad/core`` (start at its ``__init__.py``), the ops with their
derivatives in ``minigrad/ops``; ``functional``, ``nn`` and ``optim`` build on them.
``viz``, ``data`` and ``linear_model`` load on first use, so ``import minigrad``
needs only numpy.
"""

import importlib

from . import functional, nn, optim
from .core import (
    Context,
    Function,
    Tensor,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
)
from .core.dtypes import float32, float64, get_default_dtype, int64, set_default_dtype
from .factories import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops import concatenate, maximum, minimum, stack, where
from .random import manual_seed
from .serialization import load, save

__version__ = "0.1.0"

_LAZY_SUBMODULES = ("data", "linear_model", "viz")


def __getattr__(name: str):
    """``mg.viz``, ``mg.data`` and ``mg.linear_model``, imported when first used."""
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


__all__ = [
    "Context",
    "Function",
    "GradcheckError",
    "Tensor",
    "arange",
    "concatenate",
    "data",
    "detect_anomaly",
    "enable_grad",
    "eye",
    "float32",
    "float64",
    "full",
    "functional",
    "get_default_dtype",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "int64",
    "is_grad_enabled",
    "linear_model",
    "load",
    "manual_seed",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "randn",
    "save",
    "set_default_dtype",
    "stack",
    "tensor",
    "viz",
    "where",
    "zeros",
    "zeros_like",
]
