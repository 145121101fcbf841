"""Checkers for lesson 5, L1 against L2: one proximal L1 step, one coordinate-descent update
of the Lasso, and lambda_max. Each takes the learner's function, computes the truth with
minigrad, prints in words what is right or wrong, and returns True or False."""

from __future__ import annotations

import numpy as np

from minigrad import nn, optim
from minigrad.data import load_diabetes
from minigrad.linear_model import Lasso
from minigrad.linear_model import soft_threshold as true_soft_threshold

from .verdict import NO_ANSWER, as_array, attempt, right, show, wrong


def true_proximal_l1_step(w: np.ndarray, grad: np.ndarray, lr: float, lam: float) -> np.ndarray:
    """What ``optim.SGD(lr=lr, l1=lam)`` does to ``w`` whose data gradient is ``grad``."""
    weight = nn.Parameter(np.array(w, dtype=np.float64))
    weight.grad = np.array(grad, dtype=np.float64)
    optim.SGD([weight], lr=lr, l1=lam).step()
    return weight.numpy()


def check_proximal_l1_step(proximal_l1_step) -> bool:
    """``proximal_l1_step(w, grad, lr, lam)`` must be S(w − lr·grad, lr·lam), elementwise."""
    w = np.array([1.0, -0.5, 0.05, 0.02, 0.0, -2.0])
    grad = np.array([2.0, 1.0, 0.1, -0.3, 0.2, -1.0])
    lr, lam = 0.1, 0.5
    got = attempt(proximal_l1_step, "proximal_l1_step", w, grad, lr, lam)
    if got is NO_ANSWER:
        return False
    got = as_array(got, "proximal_l1_step", w.shape)
    if got is None:
        return False
    truth = true_proximal_l1_step(w, grad, lr, lam)
    if np.allclose(got, truth, rtol=1e-12, atol=1e-12):
        return right(
            f"your step gives {show(got)}, as optim.SGD(lr={lr}, l1={lam}) does, with "
            f"{np.sum(got == 0)} exact zeros.",
        )
    slips = {
        "you soft-thresholded w without the gradient step first": true_soft_threshold(w, lr * lam),
        "your threshold is lam; in a step of size lr it is lr·lam": true_soft_threshold(
            w - lr * grad, lam
        ),
        "that is the subgradient step w − lr·(grad + lam·sign(w)): it gives no exact zeros": w
        - lr * (grad + lam * np.sign(w)),
    }
    hint = next(
        (f" It looks as if {slip}." for slip, v in slips.items() if np.allclose(got, v)), ""
    )
    k = int(np.argmax(np.abs(got - truth)))
    return wrong(
        f"at w = {w[k]:g}, grad = {grad[k]:g} (lr = {lr:g}, lam = {lam:g}) your step gives "
        f"{got[k]:.4g}; it should be {truth[k]:.4g}: the gradient step gives "
        f"{w[k] - lr * grad[k]:.4g}, then the soft threshold at lr·lam = {lr * lam:g}.{hint}",
    )


# ----------------------------------------------------------------------------------------
# one coordinate-descent update


def unnormalized_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """Diabetes with its columns rescaled by 0.5 .. 5 (so ||x_j||² is not 1) and y
    centered: the data on which a forgotten division by z_j shows."""
    X, y = load_diabetes()
    scales = np.linspace(0.5, 5.0, X.shape[1])
    return X * scales, y - y.mean()


def true_coordinate_update(X: np.ndarray, y: np.ndarray, w: np.ndarray, j: int, alpha: float):
    """The exact minimizer over w_j of 1/(2n)||y − Xw||² + α||w||₁: S(ρ_j, nα) / z_j."""
    n = X.shape[0]
    rho_j = X[:, j] @ (y - X @ w + X[:, j] * w[j])
    return true_soft_threshold(rho_j, n * alpha) / (X[:, j] @ X[:, j])


def _diagnose_update(got: float, X, y, w, j: int, alpha: float) -> str:
    """Name the usual slip when the learner's value equals what that slip gives."""
    n = X.shape[0]
    x_j = X[:, j]
    z_j = x_j @ x_j
    rho_j = x_j @ (y - X @ w + x_j * w[j])
    slips = {
        "you did not divide by z_j = ||x_j||²": true_soft_threshold(rho_j, n * alpha),
        "your ρ_j uses the full residual y − Xw; add back x_j·w_j (the partial residual "
        "leaves feature j out)": true_soft_threshold(x_j @ (y - X @ w), n * alpha) / z_j,
        "your threshold is α; with the 1/(2n) scaling it is n·α": true_soft_threshold(rho_j, alpha)
        / z_j,
    }
    for slip, value in slips.items():
        if np.isclose(got, value, rtol=1e-9, atol=1e-12):
            return f" It looks as if {slip}."
    return ""


def check_coordinate_update(coordinate_update) -> bool:
    """``coordinate_update(X, y, w, j, alpha)`` must return the new w_j of one Lasso
    coordinate-descent step: S(ρ_j, nα) / z_j with ρ_j = x_jᵀ(y − Σ_{k≠j} x_k w_k)."""
    X, y = unnormalized_diabetes()
    rng = np.random.default_rng(5)
    w = Lasso(alpha=0.5, fit_intercept=False).fit(X, y).coef_ + rng.normal(0, 5, X.shape[1])
    alpha = 0.5
    # j = 1 is killed at this alpha, the others are shrunk: both cases of S are tried
    for j in (2, 1, 8, 0):
        got = attempt(coordinate_update, "coordinate_update", X, y, w, j, alpha)
        if got is NO_ANSWER:
            return False
        got = as_array(got, "coordinate_update", ())
        if got is None:
            return False
        truth = true_coordinate_update(X, y, w, j, alpha)
        if not np.isclose(got, truth, rtol=1e-7, atol=1e-9):
            return wrong(
                f"for feature j = {j} (α = {alpha:g}, n = {X.shape[0]}, "
                f"z_j = {X[:, j] @ X[:, j]:.4g}) your update gives w_j = {float(got):.6g}; the "
                f"exact minimizer is {truth:.6g}." + _diagnose_update(got, X, y, w, j, alpha),
            )
    return right(
        "your update is the exact minimizer over w_j, on features whose squared norms "
        "z_j are not 1, for a coefficient that is killed and for ones that are shrunk.",
    )


# ----------------------------------------------------------------------------------------
# lambda_max


def check_lambda_max(lambda_max) -> bool:
    """``lambda_max(X, y)`` must be the smallest α with an all-zero Lasso, max|Xᵀy|/n
    (X and y centered, objective 1/(2n)||y − Xw||² + α||w||₁)."""
    X, y = unnormalized_diabetes()
    n = X.shape[0]
    got = attempt(lambda_max, "lambda_max", X, y)
    if got is NO_ANSWER:
        return False
    got = as_array(got, "lambda_max", ())
    if got is None:
        return False
    got = float(got)
    truth = float(np.max(np.abs(X.T @ y)) / n)
    if not np.isclose(got, truth, rtol=1e-9):
        hint = ""
        if np.isclose(got, truth * n, rtol=1e-9):
            hint = " Yours is n times too large: divide max|Xᵀy| by n."
        elif np.isclose(got, np.max(X.T @ y) / n, rtol=1e-9):
            hint = " You took the largest Xᵀy, not the largest |Xᵀy|: signs count too."
        zeros = np.count_nonzero(Lasso(alpha=max(got, 0.0), tol=1e-12).fit(X, y).coef_ == 0)
        return wrong(
            f"your λ_max is {got:.6g}; it should be {truth:.6g}. Lasso at your value "
            f"keeps {X.shape[1] - zeros} coefficient(s) non-zero.{hint}",
        )
    # a hair above lambda_max: at lambda_max itself the first feature sits exactly on the
    # edge of the dead zone, where rounding decides
    just_above = Lasso(alpha=truth * (1 + 1e-9), tol=1e-12).fit(X, y).coef_
    just_below = Lasso(alpha=0.99 * truth, tol=1e-12).fit(X, y).coef_
    if np.count_nonzero(just_above) or not np.count_nonzero(just_below):
        return wrong(
            "your value is right but the Lasso fits around it disagree; tell the course authors."
        )
    return right(
        f"λ_max = {got:.6g}. Lasso just above λ_max has every coefficient 0 "
        f"({show(just_above)}), and at 0.99·λ_max {np.count_nonzero(just_below)} "
        "coefficient leaves zero."
    )
