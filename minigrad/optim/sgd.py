"""Stochastic gradient descent, with momentum, weight decay and a proximal L1 step."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core import Tensor
from ..functional.regularization import soft_threshold
from .optimizer import HyperParameters, Optimizer, check_non_negative


def soft_threshold_(w: np.ndarray, threshold: float) -> None:
    """w <- sign(w) * max(|w| - threshold, 0), in place: the proximal step of
    threshold * ||w||_1 (``functional.soft_threshold``), which gives exact zeros."""
    w[...] = soft_threshold(w, threshold)


class SGD(Optimizer):
    """w <- w - lr * d, as PyTorch's SGD (no dampening), where

    - g = grad + weight_decay * w            (coupled decay: the gradient of
      weight_decay/2 * ||w||^2 joins the gradient, and so the momentum),
    - b = g on the first step, then b = momentum * b + g,
    - d = g + momentum * b with ``nesterov``, else b (d = g without momentum);

    then, if ``l1 > 0``, the proximal step of lr * l1 * ||w||_1 (``soft_threshold_``),
    which, unlike a subgradient step on an L1 penalty, gives exact zeros.
    """

    STATE = {"momentum_buffer": "param"}

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        l1: float = 0.0,
    ) -> None:
        defaults = dict(
            lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay, l1=l1
        )
        super().__init__(params, defaults)

    def _check(self, h: HyperParameters) -> None:
        check_non_negative(h, "lr", "momentum", "weight_decay", "l1")
        if not isinstance(h["nesterov"], bool):
            raise ValueError(f"invalid nesterov: {h['nesterov']!r} (must be a bool)")
        if h["nesterov"] and h["momentum"] == 0:
            raise ValueError("Nesterov momentum requires a momentum > 0")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict, h: HyperParameters) -> None:
        lr, momentum = h["lr"], h["momentum"]
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        if momentum:
            b = state.get("momentum_buffer")
            if b is None:
                state["momentum_buffer"] = b = np.array(g, dtype=w.dtype)  # a copy
            else:
                b *= momentum
                b += g
            g = g + momentum * b if h["nesterov"] else b
        w -= lr * g
        if h["l1"]:
            soft_threshold_(w, lr * h["l1"])
