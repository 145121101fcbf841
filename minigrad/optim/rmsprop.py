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
        params: Iterable[Tensor],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.lr, self.alpha, self.eps, self.weight_decay = lr, alpha, eps, weight_decay
        super().__init__(params, self.hyperparameters())

    def hyperparameters(self) -> HyperParameters:
        return {
            "lr": self.lr,
            "alpha": self.alpha,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }

    def _check(self, h: HyperParameters) -> None:
        check_non_negative(h, "lr", "alpha", "eps", "weight_decay")
        if not h["alpha"] <= 1:
            raise ValueError(f"invalid alpha: {h['alpha']!r} (must be in [0, 1])")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * w
        v = state.get("square_avg")
        if v is None:
            state["square_avg"] = v = np.zeros_like(w)
        v *= self.alpha
        v += (1 - self.alpha) * (g * g)
        w -= self.lr * (g / (np.sqrt(v) + self.eps))
