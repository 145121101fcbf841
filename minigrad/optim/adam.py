"""Adam and AdamW: Adam with coupled L2 and with decoupled weight decay."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..core import Tensor
from .optimizer import HyperParameters, Optimizer, check_non_negative


class Adam(Optimizer):
    """Adam, as PyTorch. With g = grad + weight_decay * w (coupled, like an L2
    penalty in the loss) and t the step number of this parameter:

        m = beta1 m + (1 - beta1) g,        v = beta2 v + (1 - beta2) g^2,
        w = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).

    The bias corrections 1 - beta^t undo the pull of the zero-initialized m and v
    towards 0 in the first steps.
    """

    STATE = {"step": "count", "exp_avg": "param", "exp_avg_sq": "param"}
    decoupled = False  # AdamW sets this

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"invalid betas: {betas!r} (must be a pair of numbers)")
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay
        super().__init__(params, self.hyperparameters())

    def hyperparameters(self) -> HyperParameters:
        beta1, beta2 = self.betas
        return {
            "lr": self.lr,
            "beta1": beta1,
            "beta2": beta2,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }

    def _set_hyperparameters(self, h: HyperParameters) -> None:
        self.lr, self.eps, self.weight_decay = h["lr"], h["eps"], h["weight_decay"]
        self.betas = (h["beta1"], h["beta2"])

    def _check(self, h: HyperParameters) -> None:
        check_non_negative(h, "lr", "eps", "weight_decay", "beta1", "beta2")
        for name in ("beta1", "beta2"):
            if not h[name] < 1:
                raise ValueError(f"invalid {name}: {h[name]!r} (must be in [0, 1))")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict) -> None:
        if not state:
            state["step"] = np.zeros((), np.int64)
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled:
            w *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:
            g = g + self.weight_decay * w
        state["step"] += 1
        t = int(state["step"])
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
        w -= (self.lr / (1 - beta1**t)) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's AdamW:
    before the Adam step, w <- w - lr * weight_decay * w. The decay does not pass
    through m and v, so it is not rescaled by 1/sqrt(v): every weight shrinks by
    the same factor, which an L2 penalty under Adam does not achieve."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
