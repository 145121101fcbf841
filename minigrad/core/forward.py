"""Forward mode: tangents ride along with the values, through every op's ``jvp`` rule.

A *dual number* is a value ``x`` with a tangent ``dx`` beside it: the direction in
which ``x`` is being pushed. An op ``y = f(x)`` then also computes ``dy = f'(x) dx``,
in the same pass as its forward. That is its ``jvp`` rule (Jacobian-vector product),
written in the op's class beside ``forward`` and ``backward``::

    class Tanh(Function):
        @staticmethod
        def jvp(ctx, dx):          # ctx holds what forward saved
            (y,) = ctx.saved_tensors
            return dx * (1 - y * y)

**Levels.** Each ``func.jvp`` in progress is a *level*, numbered in the order they
start (``dual_level``); a Tensor keeps its tangents in ``_tangents``, a dict from level
to tangent. Transforms nest (``jvp`` inside ``jvp``, ``jacfwd(jacfwd(f))``), and
tangents of different levels must never mix: in ``d/dx [x * d/dy (x + y)]`` the inner
derivative is 1 whatever ``x`` is, so the answer is 1, not 2 (*perturbation
confusion*). So:

- an op pushes the tangents of each level separately, the outermost level first;
- while it computes the tangent of level ``l``, only the levels below ``l`` are active.
  The rule's own arithmetic then carries the tangents of the outer levels (the
  tangent of a tangent: mixed second derivatives) and never the level being computed.

**Two ways to run a rule**, as for backward (``higher_order.py``): on arrays, when
nothing will differentiate the tangent; or on Tensors, when an outer level or the
reverse pass will: each saved value is then replaced by the Tensor it stands for (an
input, an output, or a constant: ``Context.saved_role``), so the rule's arithmetic is
recorded like any other.
"""

from __future__ import annotations

import itertools

import numpy as np

levels: list[int] = []  # the levels in progress, outermost first
_numbers = itertools.count(1)  # a level's number is never reused


class dual_level:  # noqa: N801 (a context manager, named as PyTorch's forward_ad.dual_level)
    """Start a new, innermost level for the block; its number is ``with``'s target."""

    def __enter__(self) -> int:
        global levels
        self.number = next(_numbers)
        levels = [*levels, self.number]
        return self.number

    def __exit__(self, *exc) -> None:
        global levels
        levels = [lv for lv in levels if lv != self.number]


def tangent_of(value, level: int):
    """The tangent of ``value`` at ``level``, or None: an array, or a Tensor when
    something will differentiate it (see ``push_tangents``)."""
    tangents = getattr(value, "_tangents", None)
    return None if tangents is None else tangents.get(level)


def set_tangent(t, level: int, tangent) -> None:
    """Give Tensor ``t`` its tangent at ``level`` (a new dict: never shared)."""
    t._tangents = {level: tangent} if t._tangents is None else {**t._tangents, level: tangent}


def carries_tangent(value) -> bool:
    """Whether ``value`` has a tangent at a level in progress."""
    return bool(levels) and any(tangent_of(value, level) is not None for level in levels)


def push_tangents(fn, ctx, args: tuple, arrays: list, raw, outputs: list, recorded: bool) -> None:
    """Give the outputs of one call of op ``fn`` their tangents, level by level.
    ``recorded``: whether the call is a node of the reverse graph."""
    tensor = type(outputs[0])  # Tensor: this module cannot import it (core/tensor.py)
    for depth, level in enumerate(levels):
        # the rule runs on arrays, unless something will differentiate the tangent: an
        # outer level, the reverse pass through this node, or a tangent in a graph
        tangents, given, on_tensors = [], False, recorded or depth > 0
        for a in args:
            t = a._tangents.get(level) if isinstance(a, tensor) and a._tangents else None
            if t is not None:
                given, on_tensors = True, on_tensors or isinstance(t, tensor)
            tangents.append(t)
        if not given:
            continue
        if fn.jvp is None:  # needed only when a tangent reaches the op
            raise NotImplementedError(
                f"{fn.__name__} has no forward-mode rule: define a static method "
                f"jvp(ctx, *tangents) in {fn.__name__} to use it under func.jvp / jacfwd"
            )
        if on_tensors:
            result = _run_on_tensors(fn, ctx, args, (arrays, raw), outputs, tangents, depth)
        else:
            result = fn.jvp(ctx, *tangents)
        for out, tangent in zip(outputs, result if len(outputs) > 1 else (result,)):
            if tangent is not None and out.data.dtype.kind == "f":
                tangent = _fit(tangent, out.data)
                if out._tangents is None:  # the first level: a new output has no dict yet
                    out._tangents = {level: tangent}
                else:
                    out._tangents[level] = tangent  # its own dict, made just above
    if recorded and ctx.saved_tensors and any(o._tangents for o in outputs):
        # under create_graph, a saved value stands for these Tensors (higher_order.py):
        # they must bring their tangents along (forward-over-reverse Hessians)
        ctx.dual_args, ctx.output_tangents = args, [o._tangents for o in outputs]


def _run_on_tensors(fn, ctx, args: tuple, call: tuple, outputs: list, tangents: list, depth: int):
    """Run ``fn.jvp`` on Tensors, recording its arithmetic, with only the levels below
    ``depth`` active. ``call``: what forward received and returned (for the roles of
    saved values)."""
    global levels
    if ctx.forward_args is None:
        ctx.forward_args, ctx.forward_results = call
    tensor_type = type(outputs[0])
    tangents = [t if t is None or isinstance(t, tensor_type) else tensor_type(t) for t in tangents]
    saved, every_level = ctx.saved_tensors, levels
    levels = levels[:depth]
    ctx.create_graph = True  # as under backward's create_graph: the rule records a graph
    try:
        ctx.saved_tensors = tuple([_stand_in(ctx, v, args, outputs) for v in saved])
        return fn.jvp(ctx, *tangents)
    finally:
        ctx.saved_tensors, levels, ctx.create_graph = saved, every_level, False


def _stand_in(ctx, value, args: tuple, outputs: list):
    """The Tensor a saved value stands for: an input, an output, or the value itself."""
    kind, index = ctx.saved_role(value)
    if kind == "input" and hasattr(args[index], "_tangents"):
        return args[index]
    if kind == "output":
        return outputs[index]
    return value


def _fit(tangent, value: np.ndarray):
    """A tangent in its value's shape and dtype (a rule may return one that broadcasts,
    ``dx + 0`` for ``x + c``)."""
    if tangent.shape != value.shape:
        tangent = np.broadcast_to(tangent, value.shape)
    if tangent.dtype != value.dtype:
        tangent = tangent.astype(value.dtype)
    return tangent


def tangent_sum(*terms):
    """The sum of the terms that exist: an input with no tangent adds nothing (a term
    ``0 * x`` would be nan where x is inf; a missing term is exactly 0)."""
    total = None
    for term in terms:
        if term is not None:
            total = term if total is None else total + term
    return total
