"""``nn.BatchNorm1d`` and ``nn.LayerNorm`` (the math is in functional/normalization.py)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..core import Tensor, dtypes
from ..functional.normalization import normalized_shape_tuple
from .linear import check_size
from .module import Module
from .parameter import Parameter


class BatchNorm1d(Module):
    """Batch normalization per feature of (N, C) or per channel of (N, C, L) input.

    y = (x - mean) / sqrt(var + eps) * weight + bias. In training mode mean and var
    are the batch's (biased variance), and the running estimates are updated:
    running = (1 - momentum) * running + momentum * batch, with the unbiased batch
    variance entering ``running_var``; ``momentum=None`` gives the plain cumulative
    average over the batches seen. In eval mode the running estimates normalize.
    With ``track_running_stats=False`` there are none and batch statistics are used
    in both modes. Training needs at least two values per channel (N * L >= 2).
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        dtype=None,
    ) -> None:
        super().__init__()
        self.num_features = check_size(num_features, "num_features", "BatchNorm1d")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d: eps must be positive, got {eps!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        c = self.num_features
        if self.affine:
            self.weight = Parameter(np.ones(c, dtype))
            self.bias = Parameter(np.zeros(c, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(c, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(c, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        c = self.num_features
        if x.ndim not in (2, 3) or x.shape[1] != c:
            raise ValueError(
                f"{self!r}: expected input of shape (N, {c}) or (N, {c}, L), got {x.shape}"
            )
        use_batch_stats = self.training or not self.track_running_stats
        updating = self.training and self.track_running_stats
        momentum = self.momentum
        if updating and momentum is None:  # cumulative average: batch k weighs 1/k
            momentum = 1 / (int(self.num_batches_tracked.data) + 1)
        y = F.batch_norm(
            x,
            self.running_mean if self.track_running_stats else None,
            self.running_var if self.track_running_stats else None,
            self.weight,
            self.bias,
            training=use_batch_stats,
            momentum=0.0 if momentum is None else momentum,
            eps=self.eps,
        )
        if updating:  # only after batch_norm succeeded: a refused batch changes nothing
            self.num_batches_tracked.data += 1
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class LayerNorm(Module):
    """Normalize each sample over its trailing ``normalized_shape`` axes (biased
    variance, as PyTorch), then scale and shift elementwise by ``weight`` and
    ``bias`` of that shape (when ``elementwise_affine``). Same in train and eval."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        *,
        dtype=None,
    ) -> None:
        super().__init__()
        self.normalized_shape = normalized_shape_tuple(normalized_shape)
        if not eps > 0:
            raise ValueError(f"LayerNorm: eps must be positive, got {eps!r}")
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype))
            self.bias = Parameter(np.zeros(self.normalized_shape, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        k = len(self.normalized_shape)
        if x.ndim < k or x.shape[x.ndim - k :] != self.normalized_shape:
            raise ValueError(
                f"{self!r}: expected input of shape (..., "
                f"{', '.join(map(str, self.normalized_shape))}), got {x.shape}"
            )
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
