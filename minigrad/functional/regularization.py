"""Regularizers: dropout and the weight penalties (L1, L2, elastic net)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import random
from ..core import Function, Tensor, as_tensor
from ..core.forward import tangent_sum
from ..ops import Abs


def check_probability(p, name: str = "dropout probability", below_one: bool = False) -> float:
    """``p`` as a float, or a ValueError naming ``name``: a number in [0, 1] (in
    [0, 1) with ``below_one``). The one check of a dropout rate, for F.dropout,
    nn.Dropout and nn.MLP."""
    is_number = isinstance(p, numbers.Real) and not isinstance(p, bool)
    if not is_number or not 0 <= p <= 1 or (below_one and p == 1):
        high = "1)" if below_one else "1]"
        raise ValueError(f"{name} must be in [0, {high}, got {p!r}")
    return float(p)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability p and scale the kept
    ones by 1/(1 - p), so the expected value is unchanged and evaluation needs no
    rescaling. Identity when not training or p == 0; all zeros when p == 1.
    The mask comes from minigrad's global generator (``mg.manual_seed``).
    """
    p = check_probability(p)
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
    """y = sum_k sum_i |w_k,i| over the tensors w_1, ..., w_n: one node for the whole
    L1 penalty instead of an abs, a sum and an add per tensor.

    dy/dx: dy/dw_k = sign(w_k) (``Abs.subgradient``); jvp: ty = sum_k sum_i
    sign(w_k,i) tw_k,i
    at the kink: 0 at w = 0, as abs (the minimum-norm element of [-1, 1])
    second order: exact (0 almost everywhere: sign is piecewise constant)
    """

    @staticmethod
    def forward(ctx, *ws):
        ctx.save_for_backward(*(Abs.subgradient(w) for w in ws))
        return sum(np.abs(w).sum() for w in ws)

    @staticmethod
    def backward(ctx, g):
        return tuple(
            g * sign if needed else None
            for sign, needed in zip(ctx.saved_tensors, ctx.needs_input_grad)
        )

    @staticmethod
    def jvp(ctx, *tws):
        return tangent_sum(
            *(None if tw is None else (tw * sign).sum() for sign, tw in zip(ctx.saved_tensors, tws))
        )


class SquareSum(Function):
    """y = sum_k sum_i w_k,i**2 over the tensors w_1, ..., w_n: one node for the whole
    L2 penalty instead of a product, a sum and an add per tensor.

    dy/dx: dy/dw_k = 2 w_k; jvp: ty = sum_k sum_i 2 w_k,i tw_k,i
    at the kink: none (smooth)
    second order: exact (the rule uses the inputs w_k)
    """

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

    @staticmethod
    def jvp(ctx, *tws):
        return 2 * tangent_sum(
            *(None if tw is None else (tw * w).sum() for w, tw in zip(ctx.saved_tensors, tws))
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


def soft_threshold(x, threshold: float):
    """S(x, t) = sign(x) * max(|x| - t, 0), elementwise, for t >= 0: a number for a
    number, an array for an array. The three cases::

        x >  t   ->  x - t      (shrunk towards zero)
        x < -t   ->  x + t      (shrunk towards zero)
        |x| <= t ->  0          (killed: 0 is in x - t * [-1, 1])

    It is the proximal operator of t * |w|, i.e. argmin_w 1/2 (w - x)^2 + t |w|: the
    step that gives exact zeros, used by SGD's ``l1`` and by Lasso's coordinate descent.
    """
    shrunk = np.copysign(np.maximum(np.abs(x) - threshold, 0.0), x)
    return shrunk + 0.0  # copysign keeps -0.0 where a negative x was killed: make it 0.0
