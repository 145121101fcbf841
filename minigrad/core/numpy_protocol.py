"""numpy's override protocols for Tensor.

They let a backward rule written with numpy functions (``np.exp(x)``,
``np.where(c, g, 0)``, ``np.broadcast_to(g, shape)``) run on Tensors under
``create_graph=True`` and record a graph (see ``higher_order.py``). A numpy function that
has no differentiable counterpart here is computed on the plain arrays when no
gradient is at stake, and refused with a TypeError when one is: it would otherwise
cut the graph silently.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from . import modes
from .tensor import Tensor, as_tensor


def _no_graph(fn):
    def compare(*args):
        return Tensor._make(np.asarray(fn(*(_plain(a) for a in args))), False, None, 0)

    return compare


def _build_ufuncs() -> dict:
    table = {
        np.add: ops.Add.apply,
        np.subtract: ops.Sub.apply,
        np.multiply: ops.Mul.apply,
        np.true_divide: ops.Div.apply,
        np.power: ops.Pow.apply,
        np.matmul: ops.MatMul.apply,
        np.negative: ops.Neg.apply,
        np.exp: ops.Exp.apply,
        np.log: ops.Log.apply,
        np.sqrt: ops.Sqrt.apply,
        np.tanh: ops.Tanh.apply,
        np.absolute: ops.Abs.apply,
        np.maximum: ops.maximum,
        np.minimum: ops.minimum,
        np.square: lambda x: ops.Mul.apply(x, x),
        np.positive: lambda x: x,
    }
    for u in (
        np.sign,
        np.less,
        np.less_equal,
        np.greater,
        np.greater_equal,
        np.equal,
        np.not_equal,
        np.logical_and,
        np.logical_or,
        np.logical_not,
        np.isfinite,
        np.isnan,
        np.isinf,
    ):
        table[u] = _no_graph(u)
    return table


def _build_functions() -> dict:
    return {
        np.broadcast_to: lambda x, shape, **kw: as_tensor(x).broadcast_to(shape),
        np.where: ops.where,
        np.reshape: lambda x, shape, **kw: as_tensor(x).reshape(shape),
        np.transpose: lambda x, axes=None: as_tensor(x).transpose(*(axes or ())),
        np.swapaxes: lambda x, a, b: as_tensor(x).swapaxes(a, b),
        np.sum: lambda x, axis=None, keepdims=False, **kw: as_tensor(x).sum(axis, keepdims),
        np.mean: lambda x, axis=None, keepdims=False, **kw: as_tensor(x).mean(axis, keepdims),
        np.max: lambda x, axis=None, keepdims=False, **kw: as_tensor(x).max(axis, keepdims),
        np.min: lambda x, axis=None, keepdims=False, **kw: as_tensor(x).min(axis, keepdims),
        # numpy 2 keeps amax/amin as separate function objects, not aliases
        np.amax: lambda x, axis=None, keepdims=False, **kw: as_tensor(x).max(axis, keepdims),
        np.amin: lambda x, axis=None, keepdims=False, **kw: as_tensor(x).min(axis, keepdims),
        np.clip: lambda x, lo=None, hi=None, **kw: as_tensor(x).clip(lo, hi),
        np.concatenate: lambda xs, axis=0, **kw: ops.concatenate(xs, axis),
        np.stack: lambda xs, axis=0, **kw: ops.stack(xs, axis),
        np.squeeze: lambda x, axis=None: as_tensor(x).squeeze(axis),
        np.expand_dims: lambda x, axis: as_tensor(x).unsqueeze(axis),
    }


def _plain(x):
    return x.data if isinstance(x, Tensor) else x


def _needs_graph(values) -> bool:
    if not modes.grad_enabled:
        return False
    for v in values:
        if isinstance(v, Tensor) and v._requires_grad:
            return True
        if isinstance(v, (list, tuple)) and _needs_graph(v):
            return True
    return False


def _unwrap(v):
    if isinstance(v, (list, tuple)):
        return type(v)(_unwrap(x) for x in v)
    return _plain(v)


def array_ufunc(ufunc, method, inputs, kwargs):
    fn = _UFUNCS.get(ufunc)
    if fn is not None and method == "__call__" and not kwargs:
        return fn(*inputs)
    if _needs_graph(inputs) or _needs_graph(kwargs.get("out", ())):
        raise TypeError(
            f"numpy's {ufunc.__name__}.{method} has no differentiable minigrad version; "
            "use the Tensor's methods, or np.asarray(t) to work on the values only"
        )
    args = _unwrap(inputs)
    kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
    return getattr(ufunc, method)(*args, **kwargs)


def array_function(func, args, kwargs):
    fn = _FUNCTIONS.get(func)
    if fn is not None:
        return fn(*args, **kwargs)
    if _needs_graph(args) or _needs_graph(kwargs.values()):
        raise TypeError(
            f"numpy.{func.__name__} has no differentiable minigrad version; use the "
            "Tensor's methods, or np.asarray(t) to work on the values only"
        )
    return func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})


_UFUNCS = _build_ufuncs()
_FUNCTIONS = _build_functions()
