"""The affine map of a fully connected layer, as one op."""

from __future__ import annotations

from ..core import Function, Tensor, as_tensor
from ..core.forward import tangent_sum
from ..ops import matmul_gradients
from ._common import add_into


class Affine(Function):
    """y = x @ W^T + b for x of shape (..., in), W of shape (out, in), b of shape
    (out,): MatMul and Add fused into one node (tests/test_functional.py checks it
    against the two), with the matmul rule (``matmul_gradients``) applied to the rows
    of x, the leading axes taken as one.

    dy/dx: dL/dx = g @ W, dL/dW = g^T x, dL/db = the sum of g over the rows;
    jvp: ty = tx @ W^T + x @ tW^T + tb
    at the kink: none (smooth)
    second order: exact (the rule uses the inputs x and W)
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        y = x @ weight.T
        return y if bias is None else add_into(y, bias)

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        out_features, in_features = weight.shape
        rows = g.reshape(-1, out_features)
        dx, dw_t = matmul_gradients(rows, x.reshape(-1, in_features), weight.T, need_x, need_w)
        return (
            dx.reshape(x.shape) if need_x else None,
            dw_t.T if need_w else None,
            rows.sum(axis=0) if need_b else None,
        )

    @staticmethod
    def jvp(ctx, tx, tw, tb):
        x, weight = ctx.saved_tensors
        return tangent_sum(
            None if tx is None else tx @ weight.T,
            None if tw is None else x @ tw.T,
            tb,
        )


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight^T + bias, as PyTorch's ``F.linear``; weight is (out, in)."""
    x, weight = as_tensor(x), as_tensor(weight, "weight")
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-d (out, in), got shape {weight.shape}")
    out_features, in_features = weight.shape
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ValueError(f"linear: expected input of shape (..., {in_features}), got {x.shape}")
    if bias is not None and tuple(bias.shape) != (out_features,):
        raise ValueError(f"linear: bias must have shape ({out_features},), got {bias.shape}")
    return Affine.apply(x, weight, bias)
