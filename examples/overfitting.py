"""Over-fitting and under-fitting with a polynomial, and what an L2 or L1 penalty does.

Data: ``y = sin(pi x) + noise`` at ``n_train`` random points of [-1, 1]. Model: a
polynomial of degree ``D`` (15 by default), written in the Legendre basis
``P_1(x) .. P_D(x)`` (the same polynomials as the monomials ``x .. x^D``, but with
columns that are far less correlated on [-1, 1], so the solvers stay accurate), plus an
intercept. Fits, all with ``minigrad.linear_model``:

- degree 1, no penalty: too simple, under-fits (high train and test error);
- degree D, no penalty: as many parameters as data points, it threads the noise:
  train error near 0, test error large (over-fitting);
- degree D + L2 (``Ridge``: ``||y - Phi w - b||^2 + alpha ||w||^2``) and degree D + L1
  (``Lasso``: ``1/(2n) ||y - Phi w - b||^2 + alpha ||w||_1``), with alpha chosen by
  5-fold cross-validation on the training set only;
- degree D + a far too strong L2 penalty: the coefficients are squeezed to ~0, the fit
  is nearly the constant mean: under-fitting again.

A sweep over alpha draws the classic picture: training error rises with alpha, test error
first falls (less variance) and then rises (more bias). The whole comparison is repeated
on several independent training sets, and the medians are reported.

Run: ``python examples/overfitting.py [--quick] [--out DIR]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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

from minigrad.linear_model import Ridge, lasso_path

NAME = "overfitting"
NOISE = 0.25
TOO_STRONG = 100.0  # a Ridge alpha that squeezes the polynomial to nearly its mean


def truth(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


def features(x: np.ndarray, degree: int) -> np.ndarray:
    """Legendre polynomials ``P_1(x) .. P_degree(x)``, one column each (no constant:
    the models fit their own intercept)."""
    return np.polynomial.legendre.legvander(x, degree)[:, 1:]


def draw_data(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1, 1, n)
    return x, truth(x) + NOISE * rng.standard_normal(n)


Fit = tuple[np.ndarray, float]  # (coef, intercept): predictions X @ coef + intercept


def mse(fit: Fit, X: np.ndarray, y: np.ndarray) -> float:
    r = X @ fit[0] + fit[1] - y
    return float(r @ r / len(y))


def ridge_fits(X: np.ndarray, y: np.ndarray, alphas: Sequence[float]) -> list[Fit]:
    """``Ridge`` (closed form) for each alpha; alpha = 0 is least squares."""
    fits = []
    for alpha in alphas:
        model = Ridge(alpha=alpha).fit(X, y)
        fits.append((model.coef_, model.intercept_))
    return fits


def lasso_fits(X: np.ndarray, y: np.ndarray, alphas: Sequence[float]) -> list[Fit]:
    """``Lasso`` for each alpha, via one warm-started ``lasso_path``: the path fits no
    intercept, so X and y are centered and the intercept is recovered as
    ``mean(y) - mean(X) @ w`` (exactly what ``Lasso(fit_intercept=True)`` does)."""
    alphas = np.asarray(alphas, dtype=float)
    X_mean, y_mean = X.mean(axis=0), y.mean()
    # correlated polynomial columns need many sweeps at small alpha: the grids below
    # start at 3e-4, where 10_000 sweeps reach the tolerance (a ConvergenceWarning would
    # say otherwise)
    path_alphas, coefs = lasso_path(X - X_mean, y - y_mean, alphas=alphas, max_iter=10_000)
    by_alpha = {a: coefs[:, k] for k, a in enumerate(path_alphas)}  # the path sorts them
    return [(by_alpha[a], float(y_mean - X_mean @ by_alpha[a])) for a in alphas]


FitGrid = Callable[[np.ndarray, np.ndarray, Sequence[float]], list[Fit]]


def cross_validate(
    fit_grid: FitGrid, alphas: np.ndarray, X: np.ndarray, y: np.ndarray, k: int, rng
) -> float:
    """The alpha with the smallest mean validation MSE over ``k`` folds of the training
    set (the test set is never looked at)."""
    folds = np.array_split(rng.permutation(len(y)), k)
    errors = np.zeros(len(alphas))
    for fold in folds:
        train = np.setdiff1d(np.arange(len(y)), fold)
        fits = fit_grid(X[train], y[train], alphas)
        errors += [mse(f, X[fold], y[fold]) for f in fits]
    return float(alphas[np.argmin(errors)])


def one_trial(
    rng: np.random.Generator, n_train: int, degree: int, x_test, y_test, ridge_grid, lasso_grid
) -> dict:
    """Every model on one fresh training set: train and test MSE, alphas, fitted models."""
    x, y = draw_data(rng, n_train)
    X, X_test = features(x, degree), features(x_test, degree)
    X1, X1_test = features(x, 1), features(x_test, 1)
    alpha_l2 = cross_validate(ridge_fits, ridge_grid, X, y, 5, rng)
    alpha_l1 = cross_validate(lasso_fits, lasso_grid, X, y, 5, rng)
    (least_squares_1,) = ridge_fits(X1, y, [0.0])
    least_squares, l2, too_strong = ridge_fits(X, y, [0.0, alpha_l2, TOO_STRONG])
    (l1,) = lasso_fits(X, y, [alpha_l1])
    models = {
        "degree 1, no penalty (too simple)": (least_squares_1, 1),
        f"degree {degree}, no penalty": (least_squares, degree),
        f"degree {degree} + L2, α by CV": (l2, degree),
        f"degree {degree} + L1, α by CV": (l1, degree),
        f"degree {degree} + L2, α = {TOO_STRONG:g} (too strong)": (too_strong, degree),
    }
    out = {"x": x, "y": y, "alpha_l2": alpha_l2, "alpha_l1": alpha_l1, "models": {}}
    for label, (fit, d) in models.items():
        A, A_test = (X1, X1_test) if d == 1 else (X, X_test)
        out["models"][label] = {
            "fit": fit,
            "degree": d,
            "train": mse(fit, A, y),
            "test": mse(fit, A_test, y_test),
            "nonzero": int(np.sum(fit[0] != 0)),
            "coef_norm": float(np.linalg.norm(fit[0])),
        }
    return out


# ----------------------------------------------------------------------------------------
# figures


def draw_fits(out: FigureFolder, trial: dict, y_limits: tuple[float, float], which: str):
    """The five fits to one training set; ``which`` says which one, in the title."""
    grid = np.linspace(-1, 1, 400)
    fig, axes = plt.subplots(1, 5, figsize=(19, 4.0), sharey=True)
    fig.suptitle(which, fontsize=11)
    for ax, (label, m) in zip(axes, trial["models"].items()):
        coef, intercept = m["fit"]
        curve = features(grid, m["degree"]) @ coef + intercept
        ax.plot(grid, truth(grid), color="0.55", ls="--", lw=1.2, label="truth sin(πx)")
        ax.plot(grid, curve, color="tab:red", lw=1.8, label="fit")
        ax.scatter(trial["x"], trial["y"], s=16, color="k", zorder=3, label="training data")
        ax.set_ylim(*y_limits)
        ax.set_title(f"{label}\ntrain MSE {m['train']:.3g}, test MSE {m['test']:.3g}", fontsize=9)
        ax.set_xlabel("x")
    axes[0].set_ylabel("y")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()  # makes room for the title above the panels' titles
    return save_figure(fig, out, f"{NAME}_fits.png")


def draw_sweep(
    out: FigureFolder, alphas, curves: dict[str, tuple[np.ndarray, np.ndarray]], noise_mse: float
):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.3), sharey=True)
    for ax, (label, (train, test)) in zip(axes, curves.items()):
        ax.plot(alphas[label], train, lw=2, label="train MSE")
        ax.plot(alphas[label], test, lw=2, label="test MSE")
        best = np.argmin(test)
        ax.axvline(alphas[label][best], color="0.5", ls=":", lw=1, label="lowest test MSE")
        ax.axhline(noise_mse, color="0.6", ls="--", lw=1, label=f"noise level σ² = {noise_mse:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("α (penalty strength)      ← over-fitting  |  under-fitting →")
        ax.set_title(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("mean squared error (median over training sets)")
    axes[0].legend(fontsize=8.5, loc="center left")
    return save_figure(fig, out, f"{NAME}_sweep.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    parser.add_argument("--degree", type=int, default=15, help="polynomial degree (default 15)")
    parser.add_argument("--n-train", type=int, default=20, help="training points (default 20)")
    args = parse_args(parser, argv)
    if args.degree < 2 or args.n_train < 10:
        parser.error("need --degree >= 2 and --n-train >= 10 (5-fold cross-validation)")
    rng = np.random.default_rng(args.seed)
    n_trials = 2 if args.quick else 20
    n_grid = 6 if args.quick else 15
    degree = args.degree

    x_test = np.linspace(-1, 1, 1000)
    y_test = truth(x_test) + NOISE * np.random.default_rng(args.seed + 1).standard_normal(1000)
    ridge_grid = np.geomspace(1e-6, 10, n_grid)
    lasso_grid = np.geomspace(3e-4, 1, n_grid)

    trials = [
        one_trial(rng, args.n_train, degree, x_test, y_test, ridge_grid, lasso_grid)
        for _ in range(n_trials)
    ]
    labels = list(trials[0]["models"])
    summary = {}
    rows = []
    for label in labels:
        train = np.median([t["models"][label]["train"] for t in trials])
        test = np.median([t["models"][label]["test"] for t in trials])
        nonzero = np.median([t["models"][label]["nonzero"] for t in trials])
        norm = np.median([t["models"][label]["coef_norm"] for t in trials])
        summary[label] = {
            "train": float(train),
            "test": float(test),
            "nonzero": float(nonzero),
            "coef_norm": float(norm),
        }
        rows.append([label, float(train), float(test), float(nonzero), float(norm)])
    print_table(
        f"y = sin(πx) + N(0, {NOISE}²), {args.n_train} training points, test on 1000; "
        f"medians over {n_trials} training sets",
        ["model", "train MSE", "test MSE", "non-zero coefs", "||w||_2"],
        rows,
    )
    wins_l2 = sum(t["models"][labels[2]]["test"] < t["models"][labels[1]]["test"] for t in trials)
    wins_l1 = sum(t["models"][labels[3]]["test"] < t["models"][labels[1]]["test"] for t in trials)
    print(
        f"the L2 fit beats the unpenalized degree-{degree} fit on the test set in "
        f"{wins_l2}/{n_trials} training sets, the L1 fit in {wins_l1}/{n_trials}\n"
        f"α chosen by CV (median): L2 {np.median([t['alpha_l2'] for t in trials]):.3g}, "
        f"L1 {np.median([t['alpha_l1'] for t in trials]):.3g}\n"
    )

    # the sweep over alpha, median over the training sets
    sweep_alphas = {
        "Ridge (L2): ||y − Φw − b||² + α||w||²": np.geomspace(1e-8, 1e4, 13 if args.quick else 49),
        "Lasso (L1): 1/(2n)||y − Φw − b||² + α||w||₁": np.geomspace(
            3e-4, 3, 8 if args.quick else 31
        ),
    }
    fit_grids = dict(zip(sweep_alphas, (ridge_fits, lasso_fits)))
    X_test = features(x_test, degree)
    curves = {}
    for label, alphas in sweep_alphas.items():
        train = np.zeros((len(trials), len(alphas)))
        test = np.zeros_like(train)
        for i, t in enumerate(trials):
            X = features(t["x"], degree)
            for k, fit in enumerate(fit_grids[label](X, t["y"], alphas)):
                train[i, k], test[i, k] = mse(fit, X, t["y"]), mse(fit, X_test, y_test)
        curves[label] = (np.median(train, axis=0), np.median(test, axis=0))

    y_limits = (-2.0, 2.0)
    figures = [
        draw_fits(
            args.figures,
            trials[0],
            y_limits,
            f"the fits to training set 1 of the {n_trials} (seed {args.seed}); "
            f"the table's numbers are medians over all {n_trials}",
        ),
        draw_sweep(args.figures, sweep_alphas, curves, NOISE**2),
    ]
    results = {
        "degree": degree,
        "n_train": args.n_train,
        "n_trials": n_trials,
        "summary": summary,
        "labels": labels,
        "l2_wins": wins_l2,
        "l1_wins": wins_l1,
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
