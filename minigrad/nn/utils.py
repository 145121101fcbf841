"""Gradient clipping and max-norm constraints (``nn.utils``).

All three act in place on arrays outside any graph: they are steps of the training
loop, not parts of the model.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

from ..core import Tensor


def _grads(params, fn: str) -> list[np.ndarray]:
    if isinstance(params, Tensor):
        params = [params]
    grads = []
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: expected Tensors, got {type(p).__name__}")
        if p.grad is not None:
            grads.append(p.grad)
    return grads


def _non_negative(value, name: str, fn: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{fn}: {name} must be a non-negative number, got {value!r}")
    return float(value)


def clip_grad_norm_(
    params: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of the vector of every gradient entry
    (``inf``: the largest |entry|). If it exceeds ``max_norm``, every gradient is
    multiplied by max_norm / (total + 1e-6), as PyTorch. Returns the total norm
    before clipping, as a Python float. Parameters without a gradient are skipped.
    """
    max_norm = _non_negative(max_norm, "max_norm", "clip_grad_norm_")
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}")
    grads = _grads(params, "clip_grad_norm_")
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        # the norm of the per-gradient norms equals the norm of everything together
        norms = [np.linalg.norm(g.ravel(), norm_type) if g.size else 0.0 for g in grads]
        total = float(np.linalg.norm(np.asarray(norms, dtype=np.float64), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of the gradients is {total}; pass "
            "error_if_nonfinite=False to clip anyway"
        )
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads:
            g *= scale
    return total


def clip_grad_value_(params: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clip every gradient entry into [-clip_value, clip_value], in place."""
    clip_value = _non_negative(clip_value, "clip_value", "clip_grad_value_")
    for g in _grads(params, "clip_grad_value_"):
        np.clip(g, -clip_value, clip_value, out=g)


def max_norm_(weight: Tensor, max_norm: float, axis: int | tuple[int, ...] = 1) -> Tensor:
    """Max-norm constraint: every slice of ``weight`` whose L2 norm over ``axis``
    exceeds ``max_norm`` is rescaled in place by max_norm / (norm + 1e-7), so that
    it lies (just) inside the ball of radius ``max_norm``; the others are unchanged.

    For a Linear weight (out, in), axis=1 constrains each unit's incoming weight
    vector, which is ``torch.renorm(w, 2, dim=0, maxnorm)``. Returns ``weight``.
    """
    if not isinstance(weight, Tensor):
        raise TypeError(f"max_norm_: weight must be a Tensor, got {type(weight).__name__}")
    max_norm = _non_negative(max_norm, "max_norm", "max_norm_")
    w = weight.data
    if w.ndim == 0:
        raise ValueError("max_norm_: weight must have at least one axis")
    norms = np.sqrt((w * w).sum(axis=axis, keepdims=True))
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1)
    w *= scale.astype(w.dtype, copy=False)
    weight._bump_version()  # an in-place update, counted as t.mul_ would be
    return weight
