"""``Tensor``: a numpy array that remembers how it was computed.

A Tensor holds its value in ``.data`` (a ``numpy.ndarray``), and, when it was made by
a differentiable op while a graph was being recorded, a reference ``_node`` to that
op's context. ``backward()`` walks those references back to the leaves (see
``engine.py``). Every method below is a thin call of an op defined, with its
gradient, in ``minigrad/ops/``.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes, shapes


def as_tensor(x, name: str = "input") -> Tensor:
    """``x`` itself if it is a Tensor, else a constant Tensor over the same values."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic, numbers.Number, list, tuple)):
        return Tensor(x)
    raise TypeError(f"{name} must be a Tensor or an array, got {type(x).__name__}")


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _operand(x):
    """The other operand of a binary operator: a list or tuple becomes an array, as numpy
    does, so that backward rules can rely on array methods (``b.ndim``, ``a > 0``)."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def _constant(values) -> Tensor:
    """A Tensor with no graph (comparisons, sign). numpy returns a scalar rather than a
    0-d array for 0-d operands; ``.data`` is always an ndarray."""
    return Tensor._make(np.asarray(values), False, None, 0)


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    ``Tensor(data, requires_grad=False, dtype=None)``: Python floats become the
    default dtype (float32), Python ints int64 and bools bool; numpy arrays keep their
    dtype and are wrapped without a copy. Only floating tensors can require grad.
    """

    __slots__ = ("data", "grad", "_requires_grad", "_node", "_out_index", "name", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data = dtypes.as_array(data, dtype)
        self.grad = None
        self._node = None
        self._out_index = 0
        self.name = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, node, index: int) -> Tensor:
        """Fast construction for op outputs (no dtype inference, no checks)."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._requires_grad = requires_grad
        t._node = node
        t._out_index = index
        t.name = None
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = bool(flag)
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        if not flag and self._node is not None:
            raise RuntimeError("requires_grad can only be turned off on a leaf; use detach()")
        self._requires_grad = flag

    def requires_grad_(self, flag: bool = True) -> Tensor:
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        """The graph node (op context) that produced this tensor, or None for a leaf."""
        return self._node

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Tensor:  # noqa: N802 (numpy's name)
        return self.transpose()

    # == is elementwise (as numpy), so hashing is by identity: a Tensor is a dict key
    # in the engine (object's own hash, which costs no Python call)
    __hash__ = object.__hash__

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.data)

    # through item(): numpy 2 refuses float() of a one-element array that is not 0-d
    def __float__(self) -> float:
        return float(self.data.item())

    def __int__(self) -> int:
        return int(self.data.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = "" if self.dtype == dtypes.get_default_dtype() else f", dtype={self.dtype}"
        if self._node is not None:
            extra += f", grad_fn={self._node.name}"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # --------------------------------------------------------------- conversions
    def item(self) -> float | int | bool:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same data (shared, not copied: a write to one shows in the other) with no
        graph and no grad."""
        return Tensor._make(self.data, False, None, 0)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def astype(self, dtype) -> Tensor:
        """Differentiable cast; the gradient is cast back to this tensor's dtype."""
        return _ops.Cast.apply(self, np.dtype(dtype))

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf), times ``gradient``, into every leaf's ``.grad``."""
        from .grad import backward  # grad.py -> engine.py -> function.py import Tensor

        backward(self, gradient, retain_graph=retain_graph)

    def zero_grad(self) -> None:
        self.grad = None

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other) -> Tensor:
        return _ops.Add.apply(self, _operand(other))

    def __radd__(self, other) -> Tensor:
        return _ops.Add.apply(_operand(other), self)

    def __sub__(self, other) -> Tensor:
        return _ops.Sub.apply(self, _operand(other))

    def __rsub__(self, other) -> Tensor:
        return _ops.Sub.apply(_operand(other), self)

    def __mul__(self, other) -> Tensor:
        return _ops.Mul.apply(self, _operand(other))

    def __rmul__(self, other) -> Tensor:
        return _ops.Mul.apply(_operand(other), self)

    def __truediv__(self, other) -> Tensor:
        return _ops.Div.apply(self, _operand(other))

    def __rtruediv__(self, other) -> Tensor:
        return _ops.Div.apply(_operand(other), self)

    def __pow__(self, other) -> Tensor:
        return _ops.Pow.apply(self, _operand(other))

    def __rpow__(self, other) -> Tensor:
        return _ops.Pow.apply(_operand(other), self)

    def __matmul__(self, other) -> Tensor:
        return _ops.MatMul.apply(self, _operand(other))

    def __rmatmul__(self, other) -> Tensor:
        return _ops.MatMul.apply(_operand(other), self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.Abs.apply(self)

    # There is deliberately no __iadd__ & co.: ``t += x`` then rebinds ``t`` to the
    # new tensor ``t + x``, so graphs that reuse ``t`` stay correct.

    # ----------------------------------------- comparisons (no graph, bool tensors)
    def __lt__(self, other) -> Tensor:
        return _constant(self.data < _data(other))

    def __le__(self, other) -> Tensor:
        return _constant(self.data <= _data(other))

    def __gt__(self, other) -> Tensor:
        return _constant(self.data > _data(other))

    def __ge__(self, other) -> Tensor:
        return _constant(self.data >= _data(other))

    def __eq__(self, other) -> Tensor:  # type: ignore[override]
        return _constant(self.data == _data(other))

    def __ne__(self, other) -> Tensor:  # type: ignore[override]
        return _constant(self.data != _data(other))

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index) -> Tensor:
        return _ops.Index.apply(self, shapes.normalize_index(index))

    # ---------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        return _ops.Sum.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        return _ops.Mean.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        """Largest value over ``axis``; ties share the gradient evenly."""
        return _ops.Max.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def min(self, axis=None, keepdims: bool = False) -> Tensor:
        """Smallest value over ``axis``; ties share the gradient evenly."""
        return _ops.Min.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def var(self, axis=None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """mean((x - mean(x))**2) with ``n - ddof`` in the denominator (numpy's default)."""
        axes = shapes.normalize_axis(axis, self.ndim)
        n = shapes.reduced_size(self.shape, axes)
        if n - ddof <= 0:
            raise ValueError(f"var: ddof={ddof} leaves no degrees of freedom for {n} values")
        centered = self - self.mean(axis=axes, keepdims=True)
        return (centered * centered).sum(axis=axes, keepdims=keepdims) / (n - ddof)

    def std(self, axis=None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        return _ops.Std.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims, ddof)

    def logsumexp(self, axis=None, keepdims: bool = False) -> Tensor:
        """log(sum(exp(x))) computed without overflow."""
        return _ops.LogSumExp.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def norm(self, p: float = 2, axis=None, keepdims: bool = False) -> Tensor:
        """Vector p-norm over ``axis`` (all elements when None), for real ``p >= 1``.

        p=1 is ``abs(x).sum()`` (subgradient 0 at zero entries), p=inf is
        ``abs(x).max()`` (ties share the gradient), p=2 has gradient x/||x|| and 0 for
        an all-zero vector.
        """
        p = float(p)
        if not p >= 1:
            raise ValueError(f"norm: p must be a real number >= 1 or inf, got {p}")
        if p == 1:
            return abs(self).sum(axis=axis, keepdims=keepdims)
        if p == np.inf:
            return abs(self).max(axis=axis, keepdims=keepdims)
        return _ops.PNorm.apply(self, p, shapes.normalize_axis(axis, self.ndim), keepdims)

    # --------------------------------------------------------------- elementwise
    def exp(self) -> Tensor:
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return _ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return _ops.Abs.apply(self)

    def sign(self) -> Tensor:
        """-1, 0 or 1; not differentiable, so the result carries no graph."""
        return _constant(np.sign(self.data))

    def relu(self) -> Tensor:
        return _ops.Relu.apply(self)

    def tanh(self) -> Tensor:
        return _ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return _ops.Sigmoid.apply(self)

    def clip(self, lo=None, hi=None) -> Tensor:
        return _ops.Clip.apply(self, lo, hi)

    # ---------------------------------------------------------------- shape ops
    def reshape(self, *shape) -> Tensor:
        return _ops.Reshape.apply(self, shapes.shape_args(shape))

    def transpose(self, *axes) -> Tensor:
        """No arguments: reverse the axes. Otherwise a full permutation (as numpy)."""
        axes = shapes.shape_args(axes) if axes else tuple(range(self.ndim))[::-1]
        return _ops.Transpose.apply(self, axes)

    def swapaxes(self, a: int, b: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return _ops.Transpose.apply(self, tuple(axes))

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def squeeze(self, axis=None) -> Tensor:
        return self.reshape(shapes.squeezed_shape(self.shape, axis))

    def unsqueeze(self, axis: int) -> Tensor:
        return self.reshape(shapes.unsqueezed_shape(self.shape, axis))

    def broadcast_to(self, shape) -> Tensor:
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        return _ops.BroadcastTo.apply(self, shape)

    # ---------------------------------------------------- the numpy protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return numpy_protocol.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return numpy_protocol.array_function(func, args, kwargs)


# The one import cycle of the package: Tensor's methods call the ops, and the ops
# (through Function.apply) make Tensors. It closes here, once Tensor exists; the
# package imports this module first (core/__init__.py).
from .. import ops as _ops  # noqa: E402
from . import numpy_protocol  # noqa: E402
