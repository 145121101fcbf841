"""Batch and layer normalization: one fused op with a closed-form gradient.

Both standardize x over some axes and then scale and shift it:

    xhat = (x - mean) / sqrt(var + eps),    y = weight * xhat + bias,

with the biased variance (divide by n, as PyTorch). BatchNorm takes the statistics
over the batch (axes (0,) of (N, C), (0, 2) of (N, C, L)) and LayerNorm over the
trailing ``normalized_shape`` of each sample. Written as a chain of primitive ops
this would record about fifteen nodes; ``Normalize`` is one node whose backward is
the well-known closed form (tests/test_normalization.py compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core import Function, Tensor, as_tensor
from ..core.forward import tangent_sum
from ._common import add_into, check_float


def _moments(x, axes: tuple):
    """Mean and biased variance of x over ``axes`` (kept as size-1 axes).

    Works on arrays and, inside a second-order backward, on Tensors."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    return mean, (centered * centered).mean(axis=axes, keepdims=True)


class Normalize(Function):
    """y = weight * xhat + bias,  xhat = (x - mean) / sqrt(var + eps).

    If ``axes`` is given, mean and var are the moments of x over those axes (the
    caller computed them with ``_moments``), so they move with x: with means taken
    over ``axes``, the Jacobian of xhat in x is

        J v = (v - mean(v) - xhat * mean(v * xhat)) / sqrt(var + eps),

    a symmetric map (``through_xhat``): the gradient is dL/dx = J (g * weight), and
    the tangent of xhat is J tx. If ``axes`` is None, mean and var are constants
    (BatchNorm's running statistics in evaluation) and J v = v / sqrt(var + eps).

    xhat and 1/sqrt(var + eps) are saved for a fast first-order rule; they would be
    constants to a next derivative, so a rule that runs on Tensors (``create_graph``,
    or nested forward mode) rebuilds them from x (``standardized``).

    dy/dx: dL/dx = J (g * weight), dL/dweight = g * xhat, dL/dbias = g; jvp:
    ty = weight * J tx + tweight * xhat + tbias
    at the kink: none (smooth; var + eps > 0)
    second order: exact (xhat and 1/sqrt(var + eps) rebuilt from the input x)
    """

    @staticmethod
    def forward(ctx, x, weight, bias, mean, var, axes, eps):
        ctx.axes, ctx.eps = axes, eps
        inv_std = 1 / np.sqrt(var + eps)
        xhat = (x - mean) * inv_std
        if weight is None:
            y = xhat if bias is None else xhat + bias  # xhat is saved: not into it
        else:
            y = xhat * weight if bias is None else add_into(xhat * weight, bias)
        ctx.save_for_backward(x, weight, xhat, inv_std, mean, var)
        return y

    @staticmethod
    def backward(ctx, g):
        weight = ctx.saved_tensors[1]
        xhat, inv_std = Normalize.standardized(ctx)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        dx = None
        if need_x:
            gx = g if weight is None else g * weight
            dx = Normalize.through_xhat(gx, xhat, inv_std, ctx.axes)
        dw = g * xhat if need_w else None
        db = g if need_b else None
        return dx, dw, db, None, None, None, None

    @staticmethod
    def jvp(ctx, tx, tweight, tbias, tmean, tvar, taxes, teps):
        # mean and var are arrays, never dual: in training, how they move with x is in J
        weight = ctx.saved_tensors[1]
        xhat, inv_std = Normalize.standardized(ctx)
        t_scaled = None
        if tx is not None:
            t_scaled = Normalize.through_xhat(tx, xhat, inv_std, ctx.axes)
            if weight is not None:
                t_scaled = weight * t_scaled
        return tangent_sum(t_scaled, None if tweight is None else tweight * xhat, tbias)

    @staticmethod
    def standardized(ctx):
        """(xhat, 1/sqrt(var + eps)): as forward saved them, or, when the rule runs on
        Tensors (x is then the graph's Tensor), rebuilt from x so that they are
        differentiable again, through the batch's moments when they are x's own."""
        x, _, xhat, inv_std, mean, var = ctx.saved_tensors
        if isinstance(x, Tensor):
            if ctx.axes is not None:
                mean, var = _moments(x, ctx.axes)
            inv_std = 1 / np.sqrt(var + ctx.eps)
            xhat = (x - mean) * inv_std
        return xhat, inv_std

    @staticmethod
    def through_xhat(v, xhat, inv_std, axes):
        """J v, J the Jacobian of xhat in x (the class docstring): symmetric, so the
        same product gives J^T g (backward) and J t (jvp)."""
        if axes is None:  # constant statistics
            return v * inv_std
        return inv_std * (
            v - v.mean(axis=axes, keepdims=True) - xhat * (v * xhat).mean(axis=axes, keepdims=True)
        )


def _check_param(p, name: str, shape: tuple, fn: str):
    if p is None:
        return None
    p = as_tensor(p, name)
    if p.shape != shape:
        raise ValueError(f"{fn}: {name} must have shape {shape}, got {p.shape}")
    return p


def batch_norm(
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization of x of shape (N, C) or (N, C, L), per channel C.

    Training: normalize with the batch mean and biased variance over N (and L), and,
    if given, update the running statistics in place,
    running = (1 - momentum) * running + momentum * batch statistic, where the
    variance that enters ``running_var`` is the unbiased one (n / (n - 1) times the
    biased, n = N*L), as PyTorch. At least two values per channel are needed.
    Evaluation (``training=False``): normalize with the running statistics.
    """
    x = as_tensor(x)
    check_float(x, "batch_norm")
    if x.ndim not in (2, 3):
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, L), got {x.shape}")
    c = x.shape[1]
    weight = _check_param(weight, "weight", (c,), "batch_norm")
    bias = _check_param(bias, "bias", (c,), "batch_norm")
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and tuple(stat.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},), got {stat.shape}")
    axes = (0,) if x.ndim == 2 else (0, 2)
    per_channel = (c,) if x.ndim == 2 else (c, 1)  # broadcasts against x's trailing axes
    if weight is not None and x.ndim == 3:
        weight = weight.reshape(per_channel)
    if bias is not None and x.ndim == 3:
        bias = bias.reshape(per_channel)

    if training:
        n = x.size // c
        if n < 2:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input of shape {x.shape}"
            )
        mean, var = _moments(x.data, axes)
        y = Normalize.apply(x, weight, bias, mean, var, axes, eps)
        _update_running(running_mean, mean, momentum)
        _update_running(running_var, var * (n / (n - 1)), momentum)
        return y
    if running_mean is None or running_var is None:
        raise ValueError(
            "batch_norm: evaluation (training=False) needs running_mean and running_var"
        )
    mean = _values(running_mean).reshape(per_channel)
    var = _values(running_var).reshape(per_channel)
    return Normalize.apply(x, weight, bias, mean, var, None, eps)


def _values(t) -> np.ndarray:
    return np.asarray(t.data if isinstance(t, Tensor) else t)


def _update_running(running: Tensor | None, batch_stat: np.ndarray, momentum: float) -> None:
    if running is None:
        return
    data = _values(running)
    data *= 1 - momentum
    data += momentum * batch_stat.reshape(data.shape)


def layer_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the trailing ``normalized_shape`` of each sample.

    Uses the biased variance, as PyTorch: [5, 7, 9] has mean 7 and variance 8/3 and
    becomes about [-1.2247, 0, 1.2247]. (The [-1, 0, 1] that some tutorials quote
    divides by the unbiased variance 4, which is not what LayerNorm computes.)
    """
    x = as_tensor(x)
    check_float(x, "layer_norm")
    shape = normalized_shape_tuple(normalized_shape)
    k = len(shape)
    if x.ndim < k or x.shape[x.ndim - k :] != shape:
        raise ValueError(
            f"layer_norm: input of shape {x.shape} does not end in normalized_shape {shape}"
        )
    weight = _check_param(weight, "weight", shape, "layer_norm")
    bias = _check_param(bias, "bias", shape, "layer_norm")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean, var = _moments(x.data, axes)
    return Normalize.apply(x, weight, bias, mean, var, axes, eps)


def normalized_shape_tuple(normalized_shape) -> tuple:
    """An int or a sequence of positive ints -> a tuple (LayerNorm's argument)."""
    shape = (normalized_shape,) if np.ndim(normalized_shape) == 0 else tuple(normalized_shape)
    if not shape or any(int(s) != s or s < 1 for s in shape):
        raise ValueError(f"normalized_shape must be positive ints, got {normalized_shape!r}")
    return tuple(int(s) for s in shape)
