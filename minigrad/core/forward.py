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

from . import modes

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
    """The tangent of ``value`` at ``level`` (a Tensor), or None."""
    tangents = getattr(value, "_tangents", None)
    return None if tangents is None else tangents.get(level)


def set_tangent(t, level: int, tangent) -> None:
    """Give Tensor ``t`` its tangent at ``level`` (a new dict: never shared)."""
    t._tangents = {**(t._tangents or {}), level: tangent}


def carries_tangent(value) -> bool:
    """Whether ``value`` has a tangent at a level in progress."""
    return any(tangent_of(value, level) is not None for level in levels)


def push_tangents(fn, ctx, args: tuple, arrays: list, raw, outputs: list) -> None:
    """Give the outputs of one call of op ``fn`` their tangents, level by level."""
    if ctx.saved_tensors:  # a rule run on Tensors reads the roles of saved values
        ctx.forward_args, ctx.forward_results = arrays, raw
    for depth, level in enumerate(levels):
        tangents = [tangent_of(a, level) for a in args]
        if all(t is None for t in tangents):
            continue
        results = _run_rule(fn, ctx, args, outputs, tangents, depth)
        for out, tangent in zip(outputs, results):
            if tangent is not None and out.dtype.kind == "f":
                set_tangent(out, level, _fit(tangent, out))
    if ctx.saved_tensors and any(o._tangents for o in outputs):
        # under create_graph, a saved value stands for these Tensors (higher_order.py):
        # they must bring their tangents along (forward-over-reverse Hessians)
        ctx.dual_args, ctx.output_tangents = args, [o._tangents for o in outputs]


def _run_rule(fn, ctx, args: tuple, outputs: list, tangents: list, depth: int) -> list:
    """Run ``fn.jvp`` for the level at ``depth``, with only the levels below it active."""
    global levels
    if fn.jvp is None:
        raise NotImplementedError(
            f"{fn.__name__} has no forward-mode rule: define a static method "
            f"jvp(ctx, *tangents) in {fn.__name__} to use it under func.jvp / jacfwd"
        )
    differentiable = depth > 0 or (
        modes.grad_enabled and any(getattr(v, "_requires_grad", False) for v in (*args, *tangents))
    )
    saved, every_level = ctx.saved_tensors, levels
    levels = levels[:depth]
    try:
        if differentiable:
            ctx.saved_tensors = tuple([_stand_in(ctx, v, args, outputs) for v in saved])
            result = fn.jvp(ctx, *tangents)
        else:
            result = fn.jvp(ctx, *[None if t is None else t.data for t in tangents])
    finally:
        ctx.saved_tensors, levels = saved, every_level
    results = result if type(result) is tuple else (result,)
    return [_as_tensor(t, type(outputs[0])) for t in results]


def _as_tensor(t, tensor_type: type):
    if t is None or isinstance(t, tensor_type):
        return t
    return tensor_type._make(np.asarray(t), False, None, 0)


def _stand_in(ctx, value, args: tuple, outputs: list):
    """The Tensor a saved value stands for: an input, an output, or the value itself."""
    kind, index = ctx.saved_role(value)
    if kind == "input" and hasattr(args[index], "_tangents"):
        return args[index]
    if kind == "output":
        return outputs[index]
    return value


def _fit(tangent, out):
    """A tangent in its output's shape and dtype (a rule may return one that broadcasts,
    ``dx + 0`` for ``x + c``)."""
    if tangent.shape != out.shape:
        tangent = tangent.broadcast_to(out.shape)
    if tangent.dtype != out.dtype:
        tangent = tangent.astype(out.dtype)
    return tangent


def tangent_sum(*terms):
    """The sum of the terms that exist: an input with no tangent adds nothing (a term
    ``0 * x`` would be nan where x is inf; a missing term is exactly 0)."""
    present = [t for t in terms if t is not None]
    if not present:
        return None
    total = present[0]
    for t in present[1:]:
        total = total + t
    return total
