"""Every differentiable op of minigrad, one ``Function`` subclass each, and the
module-level functions built on them (``mg.where``, ``mg.maximum``, ...).

Each op's docstring ends in the same three lines (``dy/dx:``, ``at the kink:``,
``second order:``); the op catalogue (``minigrad/catalogue.py``) reads them.
"""

from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub, matmul_gradients
from .elementwise import (
    Abs,
    Cast,
    Clip,
    Clone,
    Exp,
    Log,
    Maximum,
    Minimum,
    Relu,
    Sigmoid,
    SignedPower,
    Sqrt,
    Tanh,
    Where,
)
from .functions import concatenate, maximum, minimum, stack, where
from .reductions import (
    LogSumExp,
    Max,
    Mean,
    Min,
    PNorm,
    Std,
    Sum,
    log_softmax_and_logsumexp,
)
from .shape import BroadcastTo, Concatenate, Index, IndexAdd, Reshape, Transpose

__all__ = [
    "Abs",
    "Add",
    "BroadcastTo",
    "Cast",
    "Clip",
    "Clone",
    "Concatenate",
    "Div",
    "Exp",
    "Index",
    "IndexAdd",
    "Log",
    "LogSumExp",
    "MatMul",
    "Max",
    "Maximum",
    "Mean",
    "Min",
    "Minimum",
    "Mul",
    "Neg",
    "PNorm",
    "Pow",
    "Relu",
    "Reshape",
    "Sigmoid",
    "SignedPower",
    "Sqrt",
    "Std",
    "Sub",
    "Sum",
    "Tanh",
    "Transpose",
    "Where",
    "concatenate",
    "log_softmax_and_logsumexp",
    "matmul_gradients",
    "maximum",
    "minimum",
    "stack",
    "where",
]
