"""RMSprop."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core import Tensor
from .optimizer import HyperParameters, Optimizer, check_non_negative


class RMSprop(Optimizer):
    """RMSprop, as PyTorch (without momentum or centering). With
    g = grad + weight_decay * w (coupled):

        v = alpha v + (1 - alpha) g^2,     w = w - lr * g / (sqrt(v) + eps),

    v starting at 0: each weight's step is scaled by a running RMS of its gradient.
    """

    STATE = {"square_avg": "param"}

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    def _check(self, h: HyperParameters) -> None:
        check_non_negative(h, "lr", "alpha", "eps", "weight_decay")
        if not h["alpha"] <= 1:
            raise ValueError(f"invalid alpha: {h['alpha']!r} (must be in [0, 1])")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict, h: HyperParameters) -> None:
        alpha = h["alpha"]
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        v = state.get("square_avg")
        if v is None:
            state["square_avg"] = v = np.zeros_like(w)
        v *= alpha
        v += (1 - alpha) * (g * g)
        w -= h["lr"] * (g / (np.sqrt(v) + h["eps"]))
