"""Loss functions, each with ``reduction='mean' | 'sum' | 'none'``.

The regression losses are compositions of primitive ops. Cross-entropy and the
logistic loss are fused ops: one node each, numerically stable for logits of any
size, and (for the logistic loss) the right gradient at logit 0, where a composition
through |x| would pick the subgradient of abs instead.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core import Function, Tensor, as_tensor
from ..core.forward import tangent_sum
from ..ops import Sigmoid, log_softmax_and_logsumexp, where
from ._common import check_float, check_reduction, reduce
from .activations import Softmax


def _pair(pred, target, fn: str) -> tuple[Tensor, Tensor]:
    pred = as_tensor(pred, "pred")
    check_float(pred, fn, "pred")
    target = as_tensor(target, "target")
    if not target.requires_grad and target.dtype != pred.dtype:
        # a constant target takes the prediction's dtype, so float32 models stay float32;
        # by the Cast op, so that a tangent it carries (forward mode) comes along
        target = target.astype(pred.dtype)
    if target.shape != pred.shape:
        try:
            np.broadcast_shapes(pred.shape, target.shape)
        except ValueError:
            raise ValueError(
                f"{fn}: pred of shape {pred.shape} and target of shape {target.shape} "
                "do not broadcast"
            ) from None
        warnings.warn(  # as PyTorch: (N, 1) against (N,) is a classic silent bug
            f"{fn}: target shape {target.shape} differs from pred shape {pred.shape}; they "
            "are broadcast, which is likely not what you want",
            UserWarning,
            stacklevel=3,
        )
    return pred, target


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    """(pred - target)^2, reduced."""
    check_reduction(reduction, "mse_loss")
    pred, target = _pair(pred, target, "mse_loss")
    d = pred - target
    return reduce(d * d, reduction)


def l1_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    """|pred - target|, reduced; gradient 0 where pred == target (abs at 0)."""
    check_reduction(reduction, "l1_loss")
    pred, target = _pair(pred, target, "l1_loss")
    return reduce(abs(pred - target), reduction)


def huber_loss(pred: Tensor, target, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """With d = pred - target: d^2 / 2 where |d| <= delta, else delta (|d| - delta/2).

    Quadratic near 0 (like MSE), linear in the tails (like L1, so outliers weigh
    less). The two pieces meet with equal value and slope at |d| = delta, so the
    gradient is continuous; at |d| == delta the quadratic piece is used.
    """
    check_reduction(reduction, "huber_loss")
    check_delta(delta, "huber_loss")
    pred, target = _pair(pred, target, "huber_loss")
    d = pred - target
    a = abs(d)
    loss = where(a.data <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return reduce(loss, reduction)


def check_delta(delta: float, fn: str) -> None:
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not delta > 0:
        raise ValueError(f"{fn}: delta must be a positive number, got {delta!r}")


class CrossEntropy(Function):
    """loss_i = logsumexp(x_i) - x_i[t_i] for each row x_i of (M, C) logits, stable
    for logits of any magnitude (``log_softmax_and_logsumexp``). With ``reduction``
    'mean' or 'sum' the op returns the mean or the sum of the M losses (one node, as
    PyTorch), and each row's gradient is scaled by 1/M or 1. The softmax is saved
    for a fast first-order rule and rebuilt from x when the rule runs on Tensors.
    The labels are integers: they have no tangent.

    dy/dx: dloss_i/dx_i = softmax(x_i) - onehot(t_i); jvp: tloss_i = sum over the
    classes of (softmax(x_i) - onehot(t_i)) tx_i, reduced as the losses
    at the kink: none (smooth)
    second order: exact (the softmax rebuilt from the input x)
    """

    @staticmethod
    def forward(ctx, x, labels, reduction):
        ctx.reduction = reduction
        log_p, _ = log_softmax_and_logsumexp(x, (1,))
        ctx.save_for_backward(x, np.exp(log_p), labels)
        losses = -log_p[np.arange(len(labels)), labels]
        if reduction == "mean":
            return losses.mean()
        return losses.sum() if reduction == "sum" else losses

    @staticmethod
    def backward(ctx, g):
        x, p, labels = ctx.saved_tensors
        if ctx.reduction == "none":
            g = g.reshape(-1, 1)
        elif ctx.reduction == "mean":
            g = g / len(labels)
        return g * CrossEntropy.d_logits(x, p, labels), None, None

    @staticmethod
    def jvp(ctx, tx, tlabels, treduction):
        x, p, labels = ctx.saved_tensors
        return reduce((tx * CrossEntropy.d_logits(x, p, labels)).sum(axis=1), ctx.reduction)

    @staticmethod
    def d_logits(x, p, labels):
        """dloss_i/dx_i = softmax(x_i) - onehot(t_i), a row per loss. On Tensors (the
        rule is recording a graph) the softmax is rebuilt from x: the saved array
        would be a constant to the next derivative."""
        if isinstance(x, Tensor):
            p = Softmax.apply(x, (1,))
        onehot = np.zeros(p.shape, dtype=x.dtype)
        onehot[np.arange(len(labels)), labels] = 1
        return p - onehot


def cross_entropy(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of raw scores against integer class labels.

    ``logits`` is (N, C), (C,) or (N, C, d1, ...) with the classes on axis 1 (axis 0
    for a single sample), as PyTorch; ``target`` holds one label in [0, C) per
    sample: shape (N,), () or (N, d1, ...). 'mean' averages over all labels.
    """
    check_reduction(reduction, "cross_entropy")
    logits = as_tensor(logits, "logits")
    check_float(logits, "cross_entropy", "logits")
    if logits.ndim == 0:
        raise ValueError("cross_entropy: logits must have a class axis, got a 0-d tensor")
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: target must hold integer class labels, got dtype {labels.dtype}"
        )
    axis = 1 if logits.ndim >= 2 else 0
    n_classes = logits.shape[axis]
    expected = logits.shape[:axis] + logits.shape[axis + 1 :]
    if labels.shape != expected:
        raise ValueError(
            f"cross_entropy: logits of shape {logits.shape} need target of shape "
            f"{expected}, got {labels.shape}"
        )
    flat_labels = labels.reshape(-1).astype(np.intp, copy=False)
    # seen as unsigned, a negative label is huge: one max finds both kinds of bad label
    if flat_labels.size and flat_labels.view(np.uintp).max() >= n_classes:
        bad = labels[(labels < 0) | (labels >= n_classes)].flat[0]
        raise ValueError(
            f"cross_entropy: target label {bad} is out of range for "
            f"{n_classes} classes (labels must be in [0, {n_classes - 1}])"
        )
    rows = logits
    if logits.ndim != 2:  # the op works on (M, C): move the classes last and flatten
        classes_last = (0, *range(2, logits.ndim), 1)
        rows = logits if logits.ndim == 1 else logits.transpose(classes_last)
        rows = rows.reshape(-1, n_classes)
    # 'mean' averages over all labels, whatever their shape; 'none' keeps that shape
    loss = CrossEntropy.apply(rows, flat_labels, reduction)
    return loss.reshape(labels.shape) if reduction == "none" and logits.ndim != 2 else loss


class BCEWithLogits(Function):
    """loss = -t log s(x) - (1 - t) log(1 - s(x)), s = sigmoid, computed as
    max(x, 0) - x t + log(1 + exp(-|x|)) so that no exp overflows.

    dy/dx: dloss/dx = s(x) - t, dloss/dt = -x; jvp: ty = (s(x) - t) tx - x tt
    at the kink: none (smooth, also at x = 0, where the formula's |x| is not)
    second order: exact (the rule uses the inputs x and t)
    """

    @staticmethod
    def forward(ctx, x, t):
        ctx.save_for_backward(x, t)
        return np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad
        dx = g * BCEWithLogits.d_logits(x, t) if need_x else None
        dt = -g * x if need_t else None
        return dx, dt

    @staticmethod
    def jvp(ctx, tx, tt):
        x, t = ctx.saved_tensors
        return tangent_sum(
            None if tx is None else tx * BCEWithLogits.d_logits(x, t),
            None if tt is None else -tt * x,
        )

    @staticmethod
    def d_logits(x, t):
        """dloss/dx = s(x) - t (Sigmoid's op: differentiable again on Tensors)."""
        return Sigmoid.apply(x) - t


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Logistic loss of raw scores against targets in [0, 1] of the same shape."""
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    logits = as_tensor(logits, "logits")
    check_float(logits, "binary_cross_entropy_with_logits", "logits")
    target = as_tensor(target, "target")
    if target.shape != logits.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: target shape {target.shape} must equal "
            f"logits shape {logits.shape}"
        )
    if not target.requires_grad and target.dtype != logits.dtype:
        target = target.astype(logits.dtype)  # as in _pair: a tangent comes along
    return reduce(BCEWithLogits.apply(logits, target), reduction)
