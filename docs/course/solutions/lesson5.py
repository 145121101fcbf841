"""Worked solutions to the exercises of lesson 5, L1 against L2."""

from __future__ import annotations

import numpy as np


def soft_threshold(rho, lam):
    """S(ρ, λ) = sign(ρ) · max(|ρ| − λ, 0), elementwise: shrink by λ, and kill whatever is
    within λ of 0 (there the subgradient interval λ·[−1, 1] of λ|w| absorbs ρ)."""
    return np.sign(rho) * np.maximum(np.abs(rho) - lam, 0.0) + 0.0  # + 0.0: no -0.0


def proximal_l1_step(w: np.ndarray, grad: np.ndarray, lr: float, lam: float) -> np.ndarray:
    """One proximal-gradient step on data loss + lam·||w||₁: the gradient step of the data
    term alone, then the exact minimizer of 1/2 (w − v)² + lr·lam·|w|, the soft threshold."""
    return soft_threshold(w - lr * grad, lr * lam)


def coordinate_update(X: np.ndarray, y: np.ndarray, w: np.ndarray, j: int, alpha: float) -> float:
    """The new w_j of one Lasso coordinate-descent step, on 1/(2n)||y − Xw||² + α||w||₁.

    The partial residual leaves feature j out; ρ_j is feature j's correlation with it.
    Multiplying the objective by n makes the threshold n·α; the division by
    z_j = ||x_j||² undoes the scale of an unnormalized feature.
    """
    n = X.shape[0]
    x_j = X[:, j]
    partial_residual = y - X @ w + x_j * w[j]
    rho_j = x_j @ partial_residual
    return float(soft_threshold(rho_j, n * alpha) / (x_j @ x_j))


def lambda_max(X: np.ndarray, y: np.ndarray) -> float:
    """The smallest α whose Lasso is all zeros: at w = 0 every ρ_j is x_jᵀy, and all of
    them are killed when |x_jᵀy| ≤ n·α for every j."""
    return float(np.max(np.abs(X.T @ y)) / X.shape[0])
