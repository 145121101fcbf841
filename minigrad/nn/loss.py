"""Loss modules, as PyTorch's: ``criterion = nn.CrossEntropyLoss()``, then
``loss = criterion(logits, target)``. Each is a thin Module over its function in
``minigrad.functional``, with the same keywords, checked when the module is made."""

from __future__ import annotations

from .. import functional as F
from ..core import Tensor
from ..functional._common import check_reduction
from ..functional.losses import check_delta
from .module import Module


class _Loss(Module):
    """A loss with ``reduction='mean' | 'sum' | 'none'``."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """``F.mse_loss``: (pred - target)^2, reduced."""

    def forward(self, pred: Tensor, target) -> Tensor:
        return F.mse_loss(pred, target, reduction=self.reduction)


class L1Loss(_Loss):
    """``F.l1_loss``: |pred - target|, reduced."""

    def forward(self, pred: Tensor, target) -> Tensor:
        return F.l1_loss(pred, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """``F.huber_loss``: quadratic for |pred - target| <= delta, linear beyond."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        check_delta(delta, "HuberLoss")
        self.delta = delta

    def forward(self, pred: Tensor, target) -> Tensor:
        return F.huber_loss(pred, target, delta=self.delta, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"


class CrossEntropyLoss(_Loss):
    """``F.cross_entropy``: softmax cross-entropy of logits against integer labels."""

    def forward(self, logits: Tensor, target) -> Tensor:
        return F.cross_entropy(logits, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``F.binary_cross_entropy_with_logits``: the logistic loss of raw scores."""

    def forward(self, logits: Tensor, target) -> Tensor:
        return F.binary_cross_entropy_with_logits(logits, target, reduction=self.reduction)
