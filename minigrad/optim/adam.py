"""Adam and AdamW: Adam with coupled L2 and with decoupled weight decay."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..core import Tensor
from .optimizer import HyperParameters, Optimizer, check_non_negative, is_real


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
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _check(self, h: HyperParameters) -> None:
        check_non_negative(h, "lr", "eps", "weight_decay")
        betas = h["betas"]
        if not (
            isinstance(betas, (tuple, list))
            and len(betas) == 2
            and all(is_real(beta) and 0 <= beta < 1 for beta in betas)
        ):
            raise ValueError(f"invalid betas: {betas!r} (must be a pair of numbers in [0, 1))")

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict, h: HyperParameters) -> None:
        if not state:
            state["step"] = np.zeros((), np.int64)
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
        lr, (beta1, beta2), weight_decay = h["lr"], h["betas"], h["weight_decay"]
        if weight_decay and self.decoupled:
            w *= 1 - lr * weight_decay
        elif weight_decay:
            g = g + weight_decay * w
        state["step"] += 1
        t = int(state["step"])
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + h["eps"]
        w -= (lr / (1 - beta1**t)) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's AdamW:
    before the Adam step, w <- w - lr * weight_decay * w. The decay does not pass
    through m and v, so it is not rescaled by 1/sqrt(v): every weight shrinks by
    the same factor, which an L2 penalty under Adam does not achieve."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
