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

from . import dtypes, forward, modes, shapes, versions


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


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to exactly ``target``."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _in_place(update: str, t: str = "t") -> str:
    """The in-place ``update`` ("-=", "zero_()") of a tensor named ``t``, as code."""
    return f"{t} {update} ..." if update.endswith("=") else f"{t}.{update}"


def _new_node(update: str, t: str = "t") -> str:
    """The in-place ``update`` ("-=", "zero_()") written as a new tensor, as code."""
    if update.endswith("="):
        return f"{t} = {t} {update[0]} ..."
    forms = {
        "zero_()": "{t} = mg.zeros_like({t})",
        "fill_(v)": "{t} = mg.full({t}.shape, v)",
        "copy_(src)": "{t} = src.clone()",
    }
    return forms[update].format(t=t)


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

    __slots__ = (
        "data",
        "grad",
        "_requires_grad",
        "_node",
        "_out_index",
        "_version_counter",
        "name",
        "_tangents",
        "__weakref__",
    )
    __array_priority__ = 1000

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        source = data if isinstance(data, Tensor) else None
        if source is not None:
            data = source.data
        self.data = dtypes.as_array(data, dtype)
        self.grad = None
        self._node = None
        self._out_index = 0
        self._version_counter = None  # see _version
        if source is not None and self.data is source.data:
            self._version_counter = source._shared_version_counter()  # one memory
        self.name = None
        self._tangents = None  # forward mode: {level: tangent} (forward.py)
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
        t._version_counter = None
        t.name = None
        t._tangents = None
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
    def _version(self) -> int:
        """How many times this tensor's memory was updated in place (as PyTorch).

        The count is a one-element list, ``_version_counter``, that tensors over one
        memory share (a view, ``detach()``); it is made on first need, and until then
        the version is 0 (see versions.py).
        """
        counter = self._version_counter
        return 0 if counter is None else counter[0]

    def _shared_version_counter(self) -> list:
        """This tensor's version counter, made now if it has none. The op that made
        this memory keeps it too, to check its saved output (versions.py)."""
        if self._version_counter is None:
            self._version_counter = [0]
            if self._node is not None:
                self._node.keep_output_counter(self._out_index, self._version_counter)
        return self._version_counter

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
        t = Tensor._make(self.data, False, None, 0)
        t._version_counter = self._shared_version_counter()  # one memory, one count
        return t

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

    # ------------------------------------------------------------ in-place updates
    # ``t += x`` (and -=, *=, /=) and the ``_`` methods further down follow one rule,
    # ``_updates_in_place``:
    # - no graph is being recorded (inside ``mg.no_grad()``), or nothing involved
    #   requires grad: ``.data`` is updated in place, so the model's own parameter
    #   changes (``with mg.no_grad(): p -= lr * p.grad``), and ``t._version`` counts it;
    # - ``t`` is a leaf that requires grad (a parameter): refused, as PyTorch;
    # - otherwise the result belongs in the graph: ``t += x`` returns the new node
    #   ``t + x`` and Python rebinds the name ``t`` to it, so micrograd's ``c += c + 1``
    #   differentiates correctly and the values recorded in the graph stay as they were.
    def __iadd__(self, other) -> Tensor:
        if self._updates_in_place("+=", other):
            return self._write(np.add(self.data, _data(other)), "+=")
        return self + other

    def __isub__(self, other) -> Tensor:
        if self._updates_in_place("-=", other):
            return self._write(np.subtract(self.data, _data(other)), "-=")
        return self - other

    def __imul__(self, other) -> Tensor:
        if self._updates_in_place("*=", other):
            return self._write(np.multiply(self.data, _data(other)), "*=")
        return self * other

    def __itruediv__(self, other) -> Tensor:
        if self._updates_in_place("/=", other):
            return self._write(np.true_divide(self.data, _data(other)), "/=")
        return self / other

    def _updates_in_place(self, what: str, other=None) -> bool:
        """The rule above for the update ``what`` ("+=", "zero_()"): True to update
        ``.data`` in place, False for a new node of the graph; a leaf that requires
        grad, while a graph is being recorded, is refused. A tangent (forward mode)
        always makes a new node: the update has a tangent of its own."""
        if forward.carries_tangent(self) or forward.carries_tangent(other):
            return False
        if not modes.grad_enabled:
            return True
        other_needs_grad = isinstance(other, Tensor) and other._requires_grad
        if not self._requires_grad and not other_needs_grad:
            return True
        if self._requires_grad and self._node is None:  # a parameter, say w
            raise RuntimeError(
                f"a leaf Tensor that requires grad is being used in an in-place operation "
                f"({_in_place(what, 'w')}) while a graph is being recorded, as PyTorch "
                f"refuses too. To update it (an optimizer step), do it under no_grad: `with "
                f"mg.no_grad(): {_in_place(what, 'w')}`; to make a new node of the graph, "
                f"write `{_new_node(what, 'w')}`."
            )
        return False

    def _write(self, values, what: str, casting: str = "same_kind") -> Tensor:
        """Store ``values`` in ``.data`` in place (the same array: its views, and the
        model that holds this tensor, see the change), and count the update. The values
        must fit ``.data``: broadcast to its shape, and cast to its dtype by ``casting``
        (``same_kind`` for ``+=``, as PyTorch: no float result into an int tensor)."""
        values = np.asarray(values)
        problem = None
        if not self.data.flags.writeable:
            problem = "this tensor's data is read-only (a broadcast_to view, or a read-only array)"
        elif not _broadcasts_to(values.shape, self.shape):
            problem = f"the result's shape {values.shape} does not fit this tensor's {self.shape}"
        elif not np.can_cast(values.dtype, self.dtype, casting):
            problem = (
                f"the result's dtype {values.dtype} cannot be stored in this tensor's "
                f"{self.dtype} (PyTorch refuses it too)"
            )
        if problem is not None:
            raise RuntimeError(
                f"{_in_place(what)}: {problem}; write `{_new_node(what)}` for a new tensor"
            )
        np.copyto(self.data, values, casting="unsafe")  # the cast was checked above
        self._bump_version()
        return self

    def _bump_version(self) -> None:
        """Count one in-place update of this tensor's memory (versions.py); also for
        code that writes ``.data`` itself, as an optimizer step does."""
        versions.bump(self._shared_version_counter())

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
    # Every ``axis=`` also answers to PyTorch's name, ``dim=`` (shapes.axis_or_dim).
    def sum(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        axis = shapes.axis_or_dim("sum", axis, dim)
        return _ops.Sum.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def mean(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        axis = shapes.axis_or_dim("mean", axis, dim)
        return _ops.Mean.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def max(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        """Largest value over ``axis``; ties share the gradient evenly."""
        axis = shapes.axis_or_dim("max", axis, dim)
        return _ops.Max.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def min(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        """Smallest value over ``axis``; ties share the gradient evenly."""
        axis = shapes.axis_or_dim("min", axis, dim)
        return _ops.Min.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def var(self, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None) -> Tensor:
        """mean((x - mean(x))**2) with ``n - ddof`` in the denominator (numpy's default)."""
        axes = shapes.normalize_axis(shapes.axis_or_dim("var", axis, dim), self.ndim)
        dof = shapes.degrees_of_freedom(self.shape, axes, ddof, "var")
        centered = self - self.mean(axis=axes, keepdims=True)
        return (centered * centered).sum(axis=axes, keepdims=keepdims) / dof

    def std(self, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None) -> Tensor:
        axis = shapes.axis_or_dim("std", axis, dim)
        return _ops.Std.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims, ddof)

    def logsumexp(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        """log(sum(exp(x))) computed without overflow."""
        axis = shapes.axis_or_dim("logsumexp", axis, dim)
        return _ops.LogSumExp.apply(self, shapes.normalize_axis(axis, self.ndim), keepdims)

    def norm(self, p: float = 2, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        """Vector p-norm over ``axis`` (all elements when None), for real ``p >= 1``.

        p=1 is ``abs(x).sum()`` (subgradient 0 at zero entries), p=inf is
        ``abs(x).max()`` (ties share the gradient), p=2 has gradient x/||x|| and 0 for
        an all-zero vector.
        """
        axis = shapes.axis_or_dim("norm", axis, dim)
        p = float(p)
        if not p >= 1:
            raise ValueError(f"norm: p must be a real number >= 1 or inf, got {p}")
        if p == 1:
            return abs(self).sum(axis=axis, keepdims=keepdims)
        if p == np.inf:
            return abs(self).max(axis=axis, keepdims=keepdims)
        return _ops.PNorm.apply(self, p, shapes.normalize_axis(axis, self.ndim), keepdims)

    def argmax(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        """Index of the largest value over ``axis`` (of the flattened tensor when None),
        the first one on ties; an int64 Tensor with no graph, as numpy."""
        axis = shapes.axis_or_dim("argmax", axis, dim)
        return _constant(np.argmax(self.data, axis=axis, keepdims=keepdims).astype(np.int64))

    def argmin(self, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
        """Index of the smallest value over ``axis``, as ``argmax``."""
        axis = shapes.axis_or_dim("argmin", axis, dim)
        return _constant(np.argmin(self.data, axis=axis, keepdims=keepdims).astype(np.int64))

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

    def view(self, *shape) -> Tensor:
        """PyTorch's name for ``reshape``."""
        return self.reshape(*shape)

    def squeeze(self, axis=None, *, dim=None) -> Tensor:
        axis = shapes.axis_or_dim("squeeze", axis, dim)
        return self.reshape(shapes.squeezed_shape(self.shape, axis))

    def unsqueeze(self, axis: int | None = None, *, dim: int | None = None) -> Tensor:
        axis = shapes.axis_or_dim("unsqueeze", axis, dim)
        if axis is None:
            raise TypeError("unsqueeze() needs the position of the new axis: unsqueeze(axis)")
        return self.reshape(shapes.unsqueezed_shape(self.shape, axis))

    def broadcast_to(self, shape) -> Tensor:
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        return _ops.BroadcastTo.apply(self, shape)

    # ------------------------------------------ dtype conversions, PyTorch's names
    def to(self, dtype) -> Tensor:
        """This tensor in ``dtype``: itself when it has that dtype already (as PyTorch),
        else a new tensor, differentiable between float dtypes (``astype``); an integer
        or bool result has no graph."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f":
            return _constant(self.data.astype(dtype))
        return self.astype(dtype)

    def type(self, dtype) -> Tensor:
        """PyTorch's older name for ``to(dtype)``."""
        return self.to(dtype)

    def float(self) -> Tensor:
        """``to(float32)``. Python's ``float(t)`` is another thing (``__float__``): the
        value of a one-element tensor as a Python float."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """``to(float64)``."""
        return self.to(np.float64)

    def long(self) -> Tensor:
        """``to(int64)``, PyTorch's dtype of class labels."""
        return self.to(np.int64)

    def int(self) -> Tensor:
        """``to(int32)``, as PyTorch (``long()`` is int64)."""
        return self.to(np.int32)

    def bool(self) -> Tensor:
        """``to(bool)``."""
        return self.to(np.bool_)

    def clone(self) -> Tensor:
        """A copy in new memory, in the graph (its gradient passes through unchanged):
        an in-place update of the copy leaves this tensor as it is."""
        return _ops.Clone.apply(self)

    # ------------------------------------------------- in-place methods, ``_`` ones
    # The rule of ``+=`` (``_updates_in_place``), except that a method cannot rebind
    # its caller's name: where ``+=`` would make a new node, these refuse.
    def zero_(self) -> Tensor:
        """Set every element to 0, in place."""
        self._check_in_place("zero_()")
        return self._write(0, "zero_()", casting="unsafe")

    def fill_(self, value) -> Tensor:
        """Set every element to ``value`` (a number or a one-element tensor), in place;
        it is cast to this tensor's dtype, as PyTorch (2.7 fills an int tensor with 2)."""
        if np.size(_data(value)) != 1:
            raise RuntimeError(
                f"fill_(value) takes a number or a one-element tensor, got one of shape "
                f"{np.shape(_data(value))}; copy_(src) copies a whole tensor"
            )
        self._check_in_place("fill_(v)", value)
        return self._write(np.reshape(_data(value), ()), "fill_(v)", casting="unsafe")

    def copy_(self, src) -> Tensor:
        """Copy ``src``'s values into this tensor, in place: ``src`` must broadcast to
        this tensor's shape, and is cast to its dtype (any dtype, as PyTorch)."""
        self._check_in_place("copy_(src)", src)
        return self._write(_data(src), "copy_(src)", casting="unsafe")

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that does not require grad, in place (as PyTorch).
        Its values do not change, so its version does not either.

        Refused for a tensor that an op made in a graph: the ops recorded after it hold
        it as their input and reach its op through it, so cutting it out would cut
        them off too; ``t = t.detach()`` gives the same values as a new leaf.
        """
        if self._node is not None and self._requires_grad:
            raise RuntimeError(
                "detach_() cannot cut a tensor that an op made out of the graph in place: "
                "the ops that used it reach its op through it and would lose their "
                "gradients. Write `t = t.detach()`: the same values, as a new leaf."
            )
        self._node, self._out_index = None, 0
        self._requires_grad = False
        return self

    def _check_in_place(self, what: str, other=None) -> None:
        """Raise where ``+=`` would make a new node: a method cannot."""
        if not self._updates_in_place(what, other):
            whose = "this tensor requires grad" if self._requires_grad else "its argument does"
            raise RuntimeError(
                f"{_in_place(what)} cannot update in place while a graph is being recorded "
                f"and {whose}: the graph holds the values it recorded. Do it under no_grad "
                f"(`with mg.no_grad(): {_in_place(what)}`), or write `{_new_node(what)}` "
                "for a new node."
            )

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
