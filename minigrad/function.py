"""``Function``: one differentiable op, forward and backward side by side.

An op is a subclass with two static methods::

    class Tanh(Function):
        "y = tanh(x);  dy/dx = 1 - y**2"

        @staticmethod
        def forward(ctx, x):            # x is a numpy array
            y = np.tanh(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):           # g: gradient of the loss w.r.t. y
            (y,) = ctx.saved_tensors
            return g * (1 - y * y)

``Tanh.apply(t)`` runs ``forward`` on the arrays inside the Tensors and, when a graph
is being recorded, keeps ``ctx`` as the graph node that produced the output.

One rule serves every order of differentiation. In an ordinary backward pass the
rule receives numpy arrays and does plain numpy arithmetic. Under
``create_graph=True`` the engine hands the very same rule Tensors instead: ``g`` and
every saved input or output become the Tensors of the graph, so ``g * (1 - y * y)``
records new nodes and can be differentiated again. ``Tensor`` implements numpy's
``__array_ufunc__`` / ``__array_function__`` protocols, so ``np.exp``, ``np.where``
and ``np.broadcast_to`` inside a rule dispatch to minigrad ops too. Called with no
Tensor among its arguments, ``apply`` is plain ``forward`` on arrays: that is what a
rule calls when it needs another op (``IndexAdd.apply`` inside ``Index.backward``).

Saved arrays other than the op's own inputs and outputs are constants to the second
pass. That is right for masks and other piecewise-constant values; an op that saves a
continuous intermediate sets ``once_differentiable = True`` and refuses
``create_graph`` rather than return a silently wrong second derivative.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from . import anomaly, grad_mode, scope
from .tensor import Tensor, _data


class Context:
    """What one call of an op remembers for its backward pass: a node of the graph.

    ``forward`` may also store small metadata (shapes, axes) as attributes of ctx;
    arrays needed by ``backward`` go through ``save_for_backward`` so that they are
    released after the backward pass.
    """

    fn: type[Function] | None = None  # the op; None for a throwaway ctx (no graph)
    seq = 0  # creation number: later ops have larger ones
    inputs: tuple = ()  # input Tensors that need a gradient (None elsewhere)
    n_outputs = 1
    create_graph = False  # set by the engine while it runs this node's backward
    scope = None  # the nn.Module call this op ran in (for graph drawing)
    site = None  # "file:line" of the user code that ran forward (detect_anomaly only)
    saved_tensors: tuple = ()  # what forward saved: see save_for_backward
    _raw_outputs = None  # what forward returned, kept only when it saved something
    _args: tuple = ()  # the arguments of apply, kept only when forward saved something
    _out_tensors: list | None = None  # the output Tensors, set only during create_graph
    _out_meta: tuple = ()  # (shape, dtype) of each output, for multi-output ops

    @property
    def needs_input_grad(self) -> tuple:
        """For each input, whether it needs a gradient: a rule may skip the others
        (``x @ W`` never computes the gradient of the data ``x``)."""
        return tuple([t is not None for t in self.inputs])

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep ``arrays`` for the backward rule, which reads them as ``ctx.saved_tensors``.
        Under create_graph the engine puts the graph's Tensors there while the rule runs
        (``_as_tensor``); after a backward pass without retain_graph any use of them
        raises. A plain attribute rather than a property, because every rule reads it
        and CPython 3.11 runs a property as a function call of its own."""
        self.saved_tensors = arrays

    def _as_tensor(self, array):
        """In a create_graph pass: the Tensor that a saved array is the value of, if it
        is an input or an output of this op; otherwise the array (a constant).

        Saved arrays are matched by identity, so one array object passed as two
        different arguments (``x * x.data``, or ``x`` beside ``mg.tensor(x.data)``) could
        be either of them; that is refused rather than guessed, since a wrong guess is a
        wrong second derivative. ``x * x`` is one argument twice, and fine."""
        for t in self.inputs:
            if t is not None and t.data is array:
                if any(a is not t and _data(a) is array for a in self._args):
                    raise RuntimeError(_shared_array_message(self.name))
                return t
        raw = self._raw_outputs
        for j, r in enumerate(raw if type(raw) is tuple else (raw,)):
            if r is array:
                out = self._out_tensors[j]
                if out is None:
                    # no gradient reached this output (an unused output of a multi-output
                    # op), so its Tensor is not at hand: a new one on the same node output
                    # is the same value in the same graph
                    data = r if type(r) is np.ndarray else np.asarray(r)
                    out = Tensor._make(data, data.dtype.kind == "f", self, j)
                return out
        return array

    @property
    def freed(self) -> bool:
        """Whether a backward pass without retain_graph has released the saved buffers.
        Not a flag of its own: CPython 3.11 gives every node a slot for each attribute
        name that any node has set, 8 bytes apiece."""
        return self.saved_tensors is _RELEASED

    def release(self) -> None:
        self.saved_tensors = _RELEASED
        self._raw_outputs = self._args = None

    @property
    def name(self) -> str:
        return self.fn.__name__ if self.fn is not None else "Context"

    def __repr__(self) -> str:
        return f"<{self.name} node>"

    def __lt__(self, other: Context) -> bool:
        """Newest first: the order of the backward pass's queue. The queue's entries are
        (-seq, node), so this is asked only of two nodes with the same creation number,
        which only a copied graph has (``copy.deepcopy`` of a non-leaf Tensor); they
        are then equal in this order."""
        return self.seq > other.seq


class _ReleasedBuffers:
    """What ``saved_tensors`` holds after a backward pass released it: unpacking,
    indexing or measuring it raises PyTorch's error rather than handing out nothing."""

    __slots__ = ()

    def _refuse(self, *args: Any):
        raise RuntimeError(_freed_message("this node"))

    __iter__ = __getitem__ = __len__ = _refuse

    def __repr__(self) -> str:
        return "<released saved tensors>"


_RELEASED = _ReleasedBuffers()


def _freed_message(node_name: str) -> str:
    return (
        f"Trying to backward through the graph a second time ({node_name} has already "
        "released its saved buffers). Pass retain_graph=True to the first backward() "
        "if you need to backward through the same graph again."
    )


def _shared_array_message(node_name: str) -> str:
    return (
        f"{node_name}: one array was passed as two different arguments, a tensor that "
        "requires grad and another argument over the very same array object (as in "
        "x * x.data, or x beside mg.tensor(x.data)), so create_graph cannot tell which "
        "one a saved value stands for. Pass x.detach() or a copy (x.data.copy()) instead."
    )


def _describe(args) -> str:
    parts = []
    for a in args:
        if isinstance(a, (Tensor, np.ndarray)):
            parts.append(f"shape {tuple(a.shape)} {a.dtype}")
        elif isinstance(a, (int, float, complex, np.generic)):
            parts.append(repr(a))
    return ", ".join(parts)


_creation_counter = itertools.count()  # orders the nodes: see engine.topological_order


class Function:
    """Base class of every differentiable op (see the module docstring)."""

    once_differentiable = False

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, *grad_outputs: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any) -> Any:
        ctx = Context()
        has_tensor = record = False
        datas = []
        inputs = []  # the Tensors a gradient must reach; None for everything else
        for a in args:
            if isinstance(a, Tensor):
                has_tensor = True
                datas.append(a.data)
                if a._requires_grad:
                    record = True
                    inputs.append(a)
                    continue
            else:
                datas.append(a)
            inputs.append(None)
        try:
            raw = cls.forward(ctx, *datas)
        except ValueError as err:
            raise ValueError(f"{cls.__name__}: {err} (inputs: {_describe(args)})") from err
        if not has_tensor:
            return raw  # inside a first-order backward rule: plain numpy
        record = record and grad_mode._enabled
        if record:
            ctx.seq = next(_creation_counter)
            ctx.fn = cls
            ctx.inputs = tuple(inputs)
            if scope._stack:
                ctx.scope = scope._stack[-1]
            if anomaly._enabled:
                ctx.site = anomaly.user_site()
            if ctx.saved_tensors:  # for create_graph's saved_tensors (see _as_tensor)
                ctx._raw_outputs = raw
                ctx._args = args
        else:
            ctx = None
        if type(raw) is not tuple:
            data = raw if type(raw) is np.ndarray else np.asarray(raw)
            return Tensor._make(data, record and data.dtype.kind == "f", ctx, 0)
        outs = []
        for i, r in enumerate(raw):
            data = r if type(r) is np.ndarray else np.asarray(r)
            outs.append(Tensor._make(data, record and data.dtype.kind == "f", ctx, i))
        if record:
            ctx.n_outputs = len(outs)
            ctx._out_meta = tuple((o.shape, o.dtype) for o in outs)
        return tuple(outs)
