"""minigrad: a readable reverse-mode automatic-differentiation engine on numpy.

import minigrad as mg
x = mg.tensor([1.0, -2.0], requires_grad=True)
y = (x * x).sum()
y.backward()          # x.grad == [2, -4]
"""

# Tensor first: the ops it is made of import it back (see the end of tensor.py).
from .tensor import Tensor  # isort: split

from . import data, functional, linear_model, nn, optim, viz
from .anomaly import detect_anomaly
from .autograd import grad
from .dtypes import float32, float64, get_default_dtype, int64, set_default_dtype
from .factories import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .function import Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .random import manual_seed
from .serialization import load, save
from .tensor_ops import concatenate, maximum, minimum, stack, where

__version__ = "0.1.0"

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
