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

import numpy as _np

from . import func, functional, nn, optim
from .comparisons import allclose, argmax, argmin, equal
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
from .factories import (
    arange,
    eye,
    from_numpy,
    full,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops import concatenate, maximum, minimum, stack, where
from .random import manual_seed
from .serialization import load, save

__version__ = "0.1.0"

# PyTorch's names for the dtypes, as numpy dtypes (mg.float is float32, as torch.float).
# Defined here, after every import: in this file, float and bool are these dtypes now.
long = _np.dtype(_np.int64)
int32 = _np.dtype(_np.int32)
float = _np.dtype(_np.float32)
double = _np.dtype(_np.float64)
bool = _np.dtype(_np.bool_)

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
    "allclose",
    "arange",
    "argmax",
    "argmin",
    "bool",
    "concatenate",
    "data",
    "detect_anomaly",
    "double",
    "enable_grad",
    "equal",
    "eye",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "func",
    "functional",
    "get_default_dtype",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "int32",
    "int64",
    "is_grad_enabled",
    "linear_model",
    "load",
    "long",
    "manual_seed",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "randint",
    "randn",
    "randperm",
    "save",
    "set_default_dtype",
    "stack",
    "tensor",
    "viz",
    "where",
    "zeros",
    "zeros_like",
]
