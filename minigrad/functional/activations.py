"""Activation functions and the softmax family.

``relu``, ``sigmoid`` and ``tanh`` are the Tensor's own ops. The rest are fused ops
written here; each rule, backward and jvp, is differentiable again (it uses only the
op's inputs and outputs, or rebuilds what it needs from them when it runs on Tensors).
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Function, Tensor, as_tensor
from ..core.shapes import axis_or_dim, normalize_axis
from ..ops import log_softmax_and_logsumexp
from ._common import check_float
from .erf import normal_cdf

_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_SCALE = math.sqrt(2 / math.pi)
_TANH_CUBIC = 0.044715


def relu(x: Tensor) -> Tensor:
    """max(x, 0); gradient 0 at the kink x = 0."""
    return as_tensor(x).relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), finite for any x."""
    return as_tensor(x).sigmoid()


def tanh(x: Tensor) -> Tensor:
    return as_tensor(x).tanh()


class LeakyRelu(Function):
    """y = x for x > 0, else negative_slope * x.

    dy/dx: 1 for x > 0, else negative_slope; jvp: ty = tx for x > 0, else
    negative_slope tx
    at the kink: negative_slope at x = 0 (as PyTorch)
    second order: exact (0 almost everywhere: the slope is piecewise constant)
    """

    @staticmethod
    def forward(ctx, x, negative_slope):
        slope = np.where(x > 0, 1, negative_slope).astype(x.dtype)
        ctx.save_for_backward(slope)  # piecewise constant: a constant to a second pass too
        return x * slope

    @staticmethod
    def backward(ctx, g):
        (slope,) = ctx.saved_tensors
        return g * slope, None

    @staticmethod
    def jvp(ctx, tx, tslope):
        (slope,) = ctx.saved_tensors  # the slope is a constant: its tangent counts not
        return tx * slope


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu.apply(as_tensor(x), float(negative_slope))


class NormalCdf(Function):
    """y = Phi(x), the standard normal CDF.

    dy/dx: phi(x) = exp(-x^2/2) / sqrt(2 pi); jvp: ty = phi(x) tx
    at the kink: none (smooth)
    second order: exact (the rule uses the input x)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return normal_cdf(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.exp(-0.5 * x * x) * _INV_SQRT_2PI

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


class Gelu(Function):
    """y = x Phi(x) (exact GELU). Phi(x) is saved for a fast first-order rule; when
    the rule runs on Tensors (``create_graph``, or nested forward mode) it is rebuilt
    from x through ``NormalCdf``.

    dy/dx: Phi(x) + x phi(x); jvp: ty = (Phi(x) + x phi(x)) tx
    at the kink: none (smooth)
    second order: exact (Phi rebuilt from the input x)
    """

    @staticmethod
    def forward(ctx, x):
        cdf = normal_cdf(x).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        return g * Gelu.slope(*ctx.saved_tensors)

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward

    @staticmethod
    def slope(x, cdf):
        """dy/dx = Phi(x) + x phi(x). On Tensors (the rule is recording a graph) Phi is
        rebuilt from x: the saved array would be a constant to the next derivative."""
        if isinstance(x, Tensor):
            cdf = NormalCdf.apply(x)
        return cdf + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI


class GeluTanh(Function):
    """y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (the tanh GELU).

    dy/dx: (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2), t = tanh(u);
    jvp: ty = (dy/dx) tx
    at the kink: none (smooth)
    second order: exact (the rule recomputes t from the input x)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * x * (1 + np.tanh(_TANH_SCALE * (x + _TANH_CUBIC * x * x * x)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        t = np.tanh(_TANH_SCALE * (x + _TANH_CUBIC * x * x * x))
        du = _TANH_SCALE * (1 + 3 * _TANH_CUBIC * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)

    # elementwise: the Jacobian is diagonal, so J t is the same product as J^T g
    jvp = backward


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x) with the exact normal CDF (``approximate='none'``), or its tanh
    approximation (``approximate='tanh'``), as PyTorch."""
    x = as_tensor(x)
    check_float(x, "gelu")
    if approximate == "none":
        return Gelu.apply(x)
    if approximate == "tanh":
        return GeluTanh.apply(x)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


class Softmax(Function):
    """y = exp(x - logsumexp(x)) along ``axes``, finite for logits of any magnitude
    (``log_softmax_and_logsumexp``).

    dy/dx: dL/dx = y (g - sum(g y)); jvp: ty = y (tx - sum(tx y))
    at the kink: none (smooth)
    second order: exact (the rule uses the output y)
    """

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        log_y, _ = log_softmax_and_logsumexp(x, axes)
        y = np.exp(log_y)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        return Softmax.times_jacobian(ctx, g), None

    @staticmethod
    def jvp(ctx, tx, taxes):
        return Softmax.times_jacobian(ctx, tx)

    @staticmethod
    def times_jacobian(ctx, v):
        """J v = y (v - sum(v y)) for the Jacobian J = diag(y) - y y^T, which is
        symmetric: the same product gives J^T g (backward) and J t (jvp)."""
        (y,) = ctx.saved_tensors
        return y * (v - (v * y).sum(axis=ctx.axes, keepdims=True))


class LogSoftmax(Function):
    """y = x - logsumexp(x) along ``axes``, stable for logits of magnitude 1e4 and more
    (``log_softmax_and_logsumexp``: a far-behind class gets a very negative
    log-probability, never -inf or nan).

    dy/dx: dL/dx = g - exp(y) sum(g); jvp: ty = tx - sum(exp(y) tx)
    at the kink: none (smooth)
    second order: exact (the rule uses the output y)
    """

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        y, _ = log_softmax_and_logsumexp(x, axes)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - np.exp(y) * g.sum(axis=ctx.axes, keepdims=True), None

    @staticmethod
    def jvp(ctx, tx, taxes):
        # the Jacobian I - 1 softmax(x)^T is not symmetric: softmax meets t before the sum
        (y,) = ctx.saved_tensors
        return tx - (np.exp(y) * tx).sum(axis=ctx.axes, keepdims=True)


def _softmax_axes(x: Tensor, axis, fn: str) -> tuple:
    check_float(x, fn)
    if x.ndim == 0:
        raise ValueError(f"{fn}: needs at least one axis, got a 0-d tensor")
    return normalize_axis(axis, x.ndim)


def softmax(x: Tensor, axis=-1, *, dim=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis`` (an int or a tuple of ints; or ``dim``)."""
    x = as_tensor(x)
    axis = axis_or_dim("softmax", axis, dim, default=-1)
    return Softmax.apply(x, _softmax_axes(x, axis, "softmax"))


def log_softmax(x: Tensor, axis=-1, *, dim=None) -> Tensor:
    """log(softmax(x)) along ``axis`` (or ``dim``), computed without overflow or log(0)."""
    x = as_tensor(x)
    axis = axis_or_dim("log_softmax", axis, dim, default=-1)
    return LogSoftmax.apply(x, _softmax_axes(x, axis, "log_softmax"))
