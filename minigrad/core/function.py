"""``Function``: one differentiable op, forward and backward side by side; and
``Context``, the graph node that one call of an op leaves behind.

An op is a subclass with two static methods, and a third for forward mode::

    class Tanh(Function):
        '''y = tanh(x).

        dy/dx: 1 - y**2
        at the kink: none (smooth)
        second order: exact (the rule uses only the output y)
        '''

        @staticmethod
        def forward(ctx, x):            # x is a numpy array
            y = np.tanh(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):           # g: gradient of the loss w.r.t. y
            (y,) = ctx.saved_tensors
            return g * (1 - y * y)

        @staticmethod
        def jvp(ctx, tx):               # tx: the tangent of x (forward.py)
            (y,) = ctx.saved_tensors
            return (1 - y * y) * tx

``Tanh.apply(t)`` runs ``forward`` on the arrays inside the Tensors and, when a graph
is being recorded, keeps ``ctx`` as the node that produced the output. Called with no
Tensor among its arguments, ``apply`` is plain ``forward`` on arrays: that is how a
rule uses another op (``IndexAdd.apply`` inside ``Index.backward``).

Each value saved for backward has a role: input i of the op, output j, or a
constant. A node that saved something keeps the arguments its forward received and
the results it returned, until it is released, so the role of a saved value can be
read off them (``saved_role``); each argument is its own array object (a view where
two arguments share one, as in ``x * x.detach()``), so the role is never ambiguous.
In an ordinary backward pass the rule gets the saved arrays; under
``create_graph=True`` (``higher_order.py``) it gets, for inputs and outputs, the
graph's Tensors instead, so the same rule records a graph of its own; a ``jvp`` rule
that something will differentiate runs the same way (``forward.py``). Constants
(masks, signs) stay arrays: right for piecewise-constant values. An op that saves a
continuous intermediate either rebuilds it from its inputs when the rule runs on
Tensors (``ctx.create_graph`` is then set), or declares ``once_differentiable = True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import forward, modes, versions
from .tensor import Tensor

CONSTANT = ("constant", 0)
_creation_counter = versions.clock  # orders the nodes (engine.py) and in-place updates


class Context:
    """What one call of an op remembers for its backward pass: a node of the graph.

    ``forward`` may also keep small metadata (shapes, axes, numbers) as attributes of
    ctx; anything that holds an array goes through ``save_for_backward``, so that the
    node can release it (a released node keeps no array: tests/test_engine.py checks
    every op of the catalogue).
    """

    fn: type[Function] | None = None  # the op; None for a throwaway ctx (no graph)
    seq = 0  # creation number: a node is newer than the nodes that made its inputs
    inputs: tuple = ()  # the input Tensors that need a gradient (None elsewhere)
    n_outputs = 1
    out_meta: tuple = ()  # (shape, dtype) of each output of a multi-output op
    saved_tensors: tuple = ()  # what forward saved
    forward_args: list | None = None  # what forward received, kept if it saved anything
    forward_results = None  # and what it returned
    # for the version check (versions.py), if forward saved anything and not every
    # Tensor argument is an input at version 0: per argument, the version counter of a
    # Tensor (None for anything else) and its version then
    input_counters: tuple | None = None
    input_versions: tuple | None = None
    output_counters: dict | None = None  # output index -> version counter, once one exists
    create_graph = False  # True while the engine runs this rule under create_graph
    # forward mode (forward.py), if forward saved anything and tangents came in: the
    # arguments as given, and each output's tangents
    dual_args: tuple | None = None
    output_tangents: list | None = None
    scope = None  # the nn.Module call this op ran in (graph drawings)
    site = None  # "file:line" of the user code that ran forward (detect_anomaly only)

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` for the backward rule, which reads ``ctx.saved_tensors``."""
        self.saved_tensors = values

    @property
    def needs_input_grad(self) -> tuple:
        """For each input, whether it needs a gradient: a rule may skip the others."""
        return tuple([t is not None for t in self.inputs])

    def saved_role(self, value: Any) -> tuple:
        """("input", i), ("output", j) or CONSTANT: what a saved value was to forward."""
        for i, a in enumerate(self.forward_args):
            if a is value:
                return ("input", i)
        results = self.forward_results
        for j, r in enumerate(results if type(results) is tuple else (results,)):
            if r is value:
                return ("output", j)
        return CONSTANT

    def keep_output_counter(self, index: int, counter: list) -> None:
        """Keep the version counter made for output ``index``, so that the version
        check sees an in-place update of a saved output (versions.py)."""
        if self.output_counters is None:
            self.output_counters = {}
        self.output_counters[index] = counter

    @property
    def freed(self) -> bool:
        """Whether a backward pass without retain_graph has released this node."""
        return self.saved_tensors is _RELEASED

    def release(self) -> None:
        """Drop every array: the saved values, and the inputs that ops made (each
        becomes a ``FreedTensor``, which keeps what drawings and messages need)."""
        self.saved_tensors = _RELEASED
        self.forward_args = self.forward_results = None
        if self.dual_args is not None:  # forward mode only: most nodes never set them
            self.dual_args = self.output_tangents = None
        self.inputs = tuple(
            [t if t is None or t._node is None else FreedTensor(t) for t in self.inputs]
        )

    @property
    def name(self) -> str:
        return self.fn.__name__ if self.fn is not None else "Context"

    def __repr__(self) -> str:
        return f"<{self.name} node>"

    def __lt__(self, other: Context) -> bool:
        """Newest first, the order of the backward queue. Its entries are (-seq, node),
        so this is asked only of two nodes with one creation number, which only a
        deep-copied graph has: they are then equal in this order."""
        return self.seq > other.seq


class FreedTensor:
    """What a released node keeps of an input that an op made: where it came from,
    its shape, dtype and name; not its values."""

    __slots__ = ("_node", "_out_index", "shape", "dtype", "name")
    data = grad = None
    requires_grad = True

    def __init__(self, t: Tensor) -> None:
        self._node, self._out_index, self.name = t._node, t._out_index, t.name
        self.shape, self.dtype = t.data.shape, t.data.dtype

    @property
    def grad_fn(self) -> Context:
        return self._node


class _ReleasedBuffers:
    """``saved_tensors`` after release: any use raises PyTorch's error."""

    __slots__ = ()

    def _refuse(self, *args: Any):
        raise RuntimeError(freed_message("this node"))

    __iter__ = __getitem__ = __len__ = _refuse


_RELEASED = _ReleasedBuffers()


def freed_message(node_name: str) -> str:
    return (
        f"Trying to backward through the graph a second time ({node_name} has already "
        "released its saved buffers). Pass retain_graph=True to the first backward() "
        "if you need to backward through the same graph again."
    )


class Function:
    """Base class of every differentiable op (see the module docstring)."""

    once_differentiable = False
    # forward mode: a static ``jvp(ctx, *tangents)`` returning the output's tangent (one
    # tangent per forward argument, None where an argument has none); see forward.py
    jvp = None

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, *grad_outputs: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any) -> Any:
        arrays, inputs = [], []  # per argument: what forward gets; the Tensor to reach
        has_tensor = needs_grad = noted = False
        for a in args:
            if isinstance(a, Tensor):
                has_tensor = True
                arrays.append(a.data)
                if a._requires_grad:
                    needs_grad = True
                    inputs.append(a)
                else:
                    inputs.append(None)
                    noted = True  # a constant: only a note lets the version check see it
                if a._version_counter is not None:
                    noted = True  # its version may be other than 0: note it
            else:
                arrays.append(a)
                inputs.append(None)
        record = needs_grad and modes.grad_enabled
        if (record or forward.levels) and len(arrays) > 1 and _aliased(arrays):
            _one_array_per_argument(args, arrays)
        ctx = Context()
        try:
            raw = cls.forward(ctx, *arrays)
        except ValueError as err:
            raise ValueError(f"{cls.__name__}: {err} (inputs: {_describe(args)})") from err
        if not has_tensor:
            return raw  # inside a first-order backward rule: plain numpy
        node = _record(ctx, cls, inputs, arrays, raw, args if noted else None) if record else None
        if type(raw) is not tuple:
            out = _output_tensor(raw, node, 0, args)
            if forward.levels:
                forward.push_tangents(cls, ctx, args, arrays, raw, [out], node is not None)
            return out
        outs = [_output_tensor(r, node, j, args) for j, r in enumerate(raw)]
        if forward.levels:
            forward.push_tangents(cls, ctx, args, arrays, raw, outs, node is not None)
        return tuple(outs)


def _output_tensor(value, node: Context | None, index: int, args: tuple) -> Tensor:
    """An op's output: in the graph (requiring grad) when recorded and floating; a
    view of an argument's memory (``x.T``, ``x[0]``) shares its version counter."""
    data = value if type(value) is np.ndarray else np.asarray(value)  # numpy gives scalars
    t = Tensor._make(data, node is not None and data.dtype.kind == "f", node, index)
    if data.base is not None:  # a view, of memory an argument may hold
        owner = data.base
        for a in args:
            if isinstance(a, Tensor) and (owner is a.data or owner is a.data.base):
                t._version_counter = a._shared_version_counter()
                break
    return t


def _record(
    ctx: Context, fn: type[Function], inputs: list, arrays: list, raw, noted: tuple | None
) -> Context:
    """Make ``ctx`` a node of the graph. ``noted``: the call's arguments, when the
    version check needs them (else every Tensor among them is an input, at version 0)."""
    ctx.seq = next(_creation_counter)
    ctx.fn, ctx.inputs = fn, tuple(inputs)
    if ctx.saved_tensors:  # for saved_role (create_graph), and the version check
        ctx.forward_args, ctx.forward_results = arrays, raw
        if noted is not None:
            ctx.input_counters = tuple([_counter_of(a) for a in noted])
            ctx.input_versions = tuple([None if c is None else c[0] for c in ctx.input_counters])
    if type(raw) is tuple:
        ctx.n_outputs = len(raw)
        ctx.out_meta = tuple((np.shape(r), np.result_type(r)) for r in raw)
    if modes.module_scopes:
        ctx.scope = modes.module_scopes[-1]
    if modes.anomaly_enabled:
        ctx.site = modes.user_site()
    return ctx


def _counter_of(a) -> list | None:
    return a._shared_version_counter() if isinstance(a, Tensor) else None


def _aliased(arrays: list) -> bool:
    """Whether one object is passed as two arguments (``x * x``, ``x * x.detach()``)."""
    if len(arrays) == 2:
        return arrays[0] is arrays[1]
    return len(set(map(id, arrays))) < len(arrays)


def _one_array_per_argument(args: tuple, arrays: list) -> None:
    """Give two different arguments over one array object (``x * x.detach()``) two
    array objects (a view shares the memory), so a saved array names one role."""
    first: dict = {}
    for k, a in enumerate(arrays):
        i = first.setdefault(id(a), k)
        if i != k and args[i] is not args[k] and isinstance(a, np.ndarray):
            arrays[k] = a.view()


def _describe(args) -> str:
    parts = []
    for a in args:
        if isinstance(a, (Tensor, np.ndarray)):
            parts.append(f"shape {tuple(a.shape)} {a.dtype}")
        elif isinstance(a, (int, float, complex, np.generic)):
            parts.append(repr(a))
    return ", ".join(parts)
