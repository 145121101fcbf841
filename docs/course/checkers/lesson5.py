"""Checkers for lesson 5, L1 against L2: the soft threshold, one coordinate-descent update
of the Lasso, and lambda_max. Each takes the learner's function, computes the truth with
minigrad, prints in words what is right or wrong, and returns True or False."""

from __future__ import annotations

import numpy as np

from minigrad.data import load_diabetes
from minigrad.linear_model import Lasso
from minigrad.linear_model import soft_threshold as true_soft_threshold

from ._words import NO_ANSWER, as_array, attempt, fmt, verdict

# (rho, lambda) pairs covering the three cases of S and both edges of the dead zone
SOFT_THRESHOLD_CASES = [
    (0.5, 0.2),  # above lambda: shrunk by lambda
    (-0.5, 0.2),  # below -lambda: shrunk towards 0 from the other side
    (0.1, 0.2),  # inside [-lambda, lambda]: killed
    (-0.2, 0.2),  # on the edge: killed too
    (3.0, 0.0),  # lambda = 0: no penalty, nothing changes
]


def _soft_threshold_case(rho: float, lam: float) -> str:
    if abs(rho) <= lam:
        return "|ρ| ≤ λ, where the soft threshold is exactly 0"
    return "ρ > λ, where it is ρ − λ" if rho > 0 else "ρ < −λ, where it is ρ + λ"


def check_soft_threshold(soft_threshold) -> bool:
    """``soft_threshold(rho, lam)`` must be sign(ρ)·max(|ρ| − λ, 0) for numbers."""
    for rho, lam in SOFT_THRESHOLD_CASES:
        got = attempt(soft_threshold, "soft_threshold", rho, lam)
        if got is NO_ANSWER:
            return False
        got = as_array(got, "soft_threshold", ())
        if got is None:
            return False
        truth = true_soft_threshold(rho, lam)
        if not np.isclose(got, truth, atol=1e-12):
            return verdict(
                False,
                wrong=f"your soft threshold gives {float(got):g} at ρ = {rho:g}, λ = {lam:g}; "
                f"it should be {truth:g} ({_soft_threshold_case(rho, lam)}).",
            )
    return verdict(
        True,
        f"your soft threshold agrees with minigrad's at all {len(SOFT_THRESHOLD_CASES)} "
        "test points, inside the dead zone [−λ, λ] and on both sides of it.",
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
            return verdict(
                False,
                wrong=f"for feature j = {j} (α = {alpha:g}, n = {X.shape[0]}, "
                f"z_j = {X[:, j] @ X[:, j]:.4g}) your update gives w_j = {float(got):.6g}; the "
                f"exact minimizer is {truth:.6g}." + _diagnose_update(got, X, y, w, j, alpha),
            )
    return verdict(
        True,
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
        return verdict(
            False,
            wrong=f"your λ_max is {got:.6g}; it should be {truth:.6g}. Lasso at your value "
            f"keeps {X.shape[1] - zeros} coefficient(s) non-zero.{hint}",
        )
    # a hair above lambda_max: at lambda_max itself the first feature sits exactly on the
    # edge of the dead zone, where rounding decides
    just_above = Lasso(alpha=truth * (1 + 1e-9), tol=1e-12).fit(X, y).coef_
    just_below = Lasso(alpha=0.99 * truth, tol=1e-12).fit(X, y).coef_
    return verdict(
        np.count_nonzero(just_above) == 0 < np.count_nonzero(just_below),
        f"λ_max = {got:.6g}. Lasso just above λ_max has every coefficient 0 "
        f"({fmt(just_above)}), and at 0.99·λ_max {np.count_nonzero(just_below)} "
        "coefficient leaves zero.",
        "your value is right but the Lasso fits around it disagree; tell the course authors.",
    )
