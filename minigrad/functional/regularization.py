"""Regularizers: dropout and the weight penalties (L1, L2, elastic net)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import random
from ..core import Function, Tensor
from ._common import as_tensor


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability p and scale the kept
    ones by 1/(1 - p), so the expected value is unchanged and evaluation needs no
    rescaling. Identity when not training or p == 0; all zeros when p == 1.
    The mask comes from minigrad's global generator (``mg.manual_seed``).
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, got {p!r}")
    x = as_tensor(x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * np.zeros(x.shape, dtype=x.dtype)
    draw = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
    keep = random.get_rng().random(x.shape, dtype=draw) >= p
    return x * (keep * np.asarray(1 / (1 - p), dtype=x.dtype))


def _tensors(params, fn: str) -> list[Tensor]:
    if isinstance(params, Tensor):  # a Tensor is iterable too, but row by row
        return [params]
    try:  # iter() rather than an isinstance check against the (slow) Iterable ABC
        items = iter(params)
    except TypeError:
        raise TypeError(
            f"{fn}: params must be an iterable of Tensors, got {type(params).__name__}"
        ) from None
    out = list(items)
    for i, p in enumerate(out):
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: params[{i}] is a {type(p).__name__}, not a Tensor")
    return out


class AbsSum(Function):
    """y = sum_k sum_i |w_k,i| over the tensors w_1, ..., w_n;  dy/dw_k = sign(w_k),
    0 at w = 0 (as ``abs``). One node for the whole penalty instead of an abs, a sum
    and an add per tensor. Twice differentiable (the second derivative is 0)."""

    @staticmethod
    def forward(ctx, *ws):
        ctx.save_for_backward(*ws)
        return sum(np.abs(w).sum() for w in ws)

    @staticmethod
    def backward(ctx, g):
        return tuple(
            g * np.sign(w) if needed else None
            for w, needed in zip(ctx.saved_tensors, ctx.needs_input_grad)
        )


class SquareSum(Function):
    """y = sum_k sum_i w_k,i**2 over the tensors w_1, ..., w_n;  dy/dw_k = 2 w_k. One
    node for the whole penalty instead of a product, a sum and an add per tensor (whose
    backward would also add g*w to itself). Twice differentiable."""

    @staticmethod
    def forward(ctx, *ws):
        ctx.save_for_backward(*ws)
        return sum(np.dot(flat, flat) for flat in (w.reshape(-1) for w in ws))

    @staticmethod
    def backward(ctx, g):
        g2 = 2 * g
        return tuple(
            g2 * w if needed else None for w, needed in zip(ctx.saved_tensors, ctx.needs_input_grad)
        )


def _penalty(op: type[Function], params, fn: str) -> Tensor:
    tensors = _tensors(params, fn)
    if not tensors:
        return Tensor(np.zeros((), dtype=np.float32))
    return op.apply(*tensors)


def l1_penalty(params) -> Tensor:
    """sum over all weights of |w| (the Lasso penalty); gradient sign(w), 0 at w = 0."""
    return _penalty(AbsSum, params, "l1_penalty")


def l2_penalty(params) -> Tensor:
    """sum over all weights of w^2 (not halved: its gradient is 2w). Adding
    ``wd / 2 * l2_penalty`` to the loss equals SGD's ``weight_decay=wd``."""
    return _penalty(SquareSum, params, "l2_penalty")


def elastic_net_penalty(params, l1_ratio: float = 0.5) -> Tensor:
    """l1_ratio * l1_penalty + (1 - l1_ratio) * l2_penalty, with 0 <= l1_ratio <= 1."""
    if isinstance(l1_ratio, bool) or not isinstance(l1_ratio, numbers.Real):
        raise ValueError(f"elastic_net_penalty: l1_ratio must be a number, got {l1_ratio!r}")
    if not 0 <= l1_ratio <= 1:
        raise ValueError(f"elastic_net_penalty: l1_ratio must be in [0, 1], got {l1_ratio}")
    params = _tensors(params, "elastic_net_penalty")
    return l1_ratio * l1_penalty(params) + (1 - l1_ratio) * l2_penalty(params)
