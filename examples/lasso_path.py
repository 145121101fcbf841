"""The Lasso by coordinate descent on the diabetes data: soft-thresholding, lambda_max, path.

Objective (scikit-learn's, no intercept: X and y are centered)::

    P(w) = 1/(2n) ||y - X w||^2 + alpha ||w||_1

Coordinate descent minimizes over one ``w_j`` at a time. With the partial residual
``r_(j) = y - sum_{k != j} x_k w_k`` (the fit without feature j), the correlation
``rho_j = x_j . r_(j)`` and ``z_j = ||x_j||^2``, the one-dimensional problem is solved
exactly by the soft-threshold::

    w_j = S(rho_j, n alpha) / z_j,       S(rho, lam) = sign(rho) max(|rho| - lam, 0)

For normalized features (``z_j = 1``, as the diabetes columns are) this is
``S(rho_j, n alpha)``; for unnormalized ones the division by ``z_j`` stays. At ``w = 0``
every ``rho_j = x_j . y``, so all coefficients stay 0 as long as ``n alpha >= |x_j . y|``
for every j: every ``alpha >= lambda_max = max_j |x_j . y| / n`` gives ``w = 0``.

This script traces ``linear_model.lasso_path`` with ``lambda_max`` marked, checks the
coordinate-wise fixed point ``w_j = S(rho_j, n alpha) / z_j`` at a solution for
normalized and unnormalized features, and compares with scikit-learn when installed.

Run: ``python examples/lasso_path.py [--quick] [--out DIR]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _common import (
    FigureFolder,
    make_parser,
    parse_args,
    plt,
    print_table,
    save_figure,
    single_threaded_blas,
    write_results,
)

from minigrad.data import load_diabetes
from minigrad.linear_model import Lasso, lasso_path, soft_threshold

NAME = "lasso_path"
FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def lambda_max(X: np.ndarray, y: np.ndarray) -> float:
    """``max_j |x_j . y| / n``: the smallest alpha whose Lasso solution is all zeros."""
    return float(np.max(np.abs(X.T @ y)) / len(y))


def fixed_point_residual(X: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> float:
    """``max_j |w_j - S(rho_j, n alpha) / z_j|``: 0 exactly at a Lasso solution.

    ``rho_j = x_j . (y - X w + x_j w_j)`` is feature j against the residual that leaves
    feature j out: one coordinate-descent update computed at ``w``, which a solution
    leaves unchanged.
    """
    n = len(y)
    r = y - X @ w
    worst = 0.0
    for j in range(X.shape[1]):
        x_j = X[:, j]
        z_j = x_j @ x_j
        rho_j = x_j @ (r + x_j * w[j])
        worst = max(worst, abs(w[j] - soft_threshold(rho_j, n * alpha) / z_j))
    return worst


def fit(X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """The Lasso solution to a tight tolerance, so the fixed point holds to ~1e-12."""
    return Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_


def entry_order(alphas: np.ndarray, coefs: np.ndarray) -> list[tuple[str, float]]:
    """Features in the order they leave 0 along the path, with the first alpha where
    each is non-zero."""
    entered = []
    for j in range(coefs.shape[0]):
        nonzero = np.flatnonzero(coefs[j] != 0.0)
        if nonzero.size:
            entered.append((FEATURES[j], float(alphas[nonzero[0]])))
    return sorted(entered, key=lambda e: -e[1])


def sklearn_path_gap(X: np.ndarray, y: np.ndarray, alphas: np.ndarray, coefs) -> float | None:
    """Largest |coefficient difference| to scikit-learn's ``lasso_path`` on the same grid."""
    try:
        from sklearn.linear_model import lasso_path as sk_lasso_path
    except ImportError:
        return None
    _, sk_coefs, _ = sk_lasso_path(X, y, alphas=alphas)
    return float(np.max(np.abs(sk_coefs - coefs)))


# ----------------------------------------------------------------------------------------
# figures


def draw_path(out: FigureFolder, alphas: np.ndarray, coefs: np.ndarray, lam_max: float):
    fig, (ax, ax_nz) = plt.subplots(
        2, 1, figsize=(9, 7.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    colors = plt.cm.tab10(np.arange(coefs.shape[0]))
    for j in range(coefs.shape[0]):
        ax.plot(alphas, coefs[j], color=colors[j], lw=1.6)
        ax.annotate(
            FEATURES[j],
            (alphas[-1], coefs[j, -1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=colors[j],
        )
    for a in (ax, ax_nz):
        a.axvline(lam_max, color="k", ls="--", lw=1)
        a.grid(alpha=0.3)
    ax.text(
        lam_max,
        ax.get_ylim()[1] * 0.92,
        f" λ_max = max|Xᵀy|/n = {lam_max:.3f}\n every α ≥ λ_max gives w = 0",
        fontsize=9,
        va="top",
    )
    ax.set_xscale("log")
    ax.invert_xaxis()  # strong penalty on the left, weak on the right
    ax.set_ylabel("coefficient w_j")
    ax.set_title("Lasso path on diabetes (linear_model.lasso_path, features of unit norm)")
    ax_nz.step(alphas, np.sum(coefs != 0.0, axis=0), where="post", color="tab:red")
    ax_nz.set_ylabel("non-zero\ncoefficients")
    ax_nz.set_xlabel("α (log scale, decreasing to the right)")
    ax_nz.set_ylim(-0.5, coefs.shape[0] + 0.5)
    return save_figure(fig, out, f"{NAME}_coefficients.png")


def draw_scaling(
    out: FigureFolder, w_norm: np.ndarray, w_unnorm_back: np.ndarray, alpha: float, scales
):
    """Coefficients in the units of the normalized features, fitted on each version."""
    x = np.arange(len(FEATURES))
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.bar(x - 0.2, w_norm, width=0.4, label="fitted on the normalized features (z_j = 1)")
    ax.bar(
        x + 0.2,
        w_unnorm_back,
        width=0.4,
        label="fitted on rescaled features x_j·s_j, mapped back (w_j·s_j)",
    )
    for j in x:
        ax.text(j, ax.get_ylim()[0], f"s={scales[j]:.2g}", ha="center", va="bottom", fontsize=7)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, FEATURES)
    ax.set_ylabel("coefficient (normalized units)")
    ax.set_title(f"Same data, same α = {alpha:.3g}: the Lasso is not scale-invariant")
    ax.legend(fontsize=8.5, loc="upper left")
    return save_figure(fig, out, f"{NAME}_scaling.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    rng = np.random.default_rng(args.seed)
    n_alphas = 30 if args.quick else 100

    X, y = load_diabetes()
    y = y - y.mean()  # X is centered already; lasso_path fits no intercept
    n = len(y)
    lam_max = lambda_max(X, y)
    alphas, coefs = lasso_path(X, y, n_alphas=n_alphas, eps=1e-3)

    # too large a lambda: everything is zero at and above lambda_max
    rows = []
    beyond = {}
    for factor in (10.0, 2.0, 1.0, 0.99, 0.5, 0.1, 0.01):
        w = fit(X, y, factor * lam_max)
        nz = [FEATURES[j] for j in np.flatnonzero(w)]
        beyond[factor] = len(nz)
        rows.append([f"{factor:g} λ_max", factor * lam_max, len(nz), ", ".join(nz) or "-"])
    print_table(
        f"Lasso on diabetes (n = {n}); λ_max = max|Xᵀy|/n = {lam_max:.6g}",
        ["α", "value", "non-zeros", "non-zero features"],
        rows,
    )
    order = entry_order(alphas, coefs)
    print_table(
        "order in which the features leave 0 along the path",
        ["feature", "first α where non-zero"],
        [[f, a] for f, a in order],
    )

    # the coordinate-wise fixed point, normalized and unnormalized features
    alpha = 0.05 * lam_max
    scales = 10.0 ** rng.uniform(-1, 1, size=X.shape[1])
    X_unnorm = X * scales
    w_norm = fit(X, y, alpha)
    w_unnorm = fit(X_unnorm, y, alpha)
    z_unnorm = np.einsum("ij,ij->j", X_unnorm, X_unnorm)
    fixed = {
        "normalized": fixed_point_residual(X, y, w_norm, alpha),
        "unnormalized": fixed_point_residual(X_unnorm, y, w_unnorm, alpha),
    }
    print_table(
        f"coordinate-wise fixed point at α = 0.05 λ_max = {alpha:.4g}: w_j = S(ρ_j, nα) / z_j",
        ["features", "z_j = ||x_j||²", "max_j |w_j - S(ρ_j, nα)/z_j|", "non-zeros"],
        [
            [
                "normalized (diabetes as shipped)",
                "1 for all j",
                fixed["normalized"],
                int(np.sum(w_norm != 0)),
            ],
            [
                "unnormalized (x_j · s_j)",
                f"{z_unnorm.min():.3g} .. {z_unnorm.max():.3g}",
                fixed["unnormalized"],
                int(np.sum(w_unnorm != 0)),
            ],
        ],
    )
    # a coefficient of feature x_j s_j is worth w_j s_j in normalized units
    w_back = w_unnorm * scales
    print_table(
        "the same α on rescaled features selects differently (coefficients in normalized units)",
        ["feature", "scale s_j", "w (normalized fit)", "w_j·s_j (rescaled fit)"],
        [
            [FEATURES[j], float(scales[j]), float(w_norm[j]), float(w_back[j])]
            for j in range(X.shape[1])
        ],
    )

    gap = sklearn_path_gap(X, y, alphas, coefs)
    if gap is None:
        print("(scikit-learn is not installed: no comparison)\n")
    else:
        print(f"largest |coefficient difference| to scikit-learn's lasso_path: {gap:.3g}\n")

    figures = [
        draw_path(args.figures, alphas, coefs, lam_max),
        draw_scaling(args.figures, w_norm, w_back, alpha, scales),
    ]
    results = {
        "lambda_max": lam_max,
        "path_alpha_max": float(alphas[0]),
        "nonzeros_at_first_alpha": int(np.sum(coefs[:, 0] != 0)),
        "nonzeros_at_last_alpha": int(np.sum(coefs[:, -1] != 0)),
        "nonzeros_by_factor": beyond,
        "entry_order": order,
        "fixed_point_residual": fixed,
        "selected_normalized": [FEATURES[j] for j in np.flatnonzero(w_norm)],
        "selected_unnormalized": [FEATURES[j] for j in np.flatnonzero(w_unnorm)],
        "sklearn_max_abs_diff": gap,
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
