"""L1 gives exact zeros, L2 only shrinks; but only some L1 solvers reach the zeros.

The Lasso objective (scikit-learn's scaling), with n samples::

    P(w) = 1/(2n) ||y - X w||^2 + lam ||w||_1

On an orthogonal design (X^T X = n I) it separates into one-dimensional problems
``1/2 (w_j - b_j)^2 + lam |w_j|`` with ``b = X^T y / n``, whose minimizer is the
soft-threshold ``w*_j = S(b_j, lam) = sign(b_j) max(|b_j| - lam, 0)``: every
``|b_j| <= lam`` gives exactly 0. That closed form is the reference here, and four
solvers are compared against it:

- subgradient descent: ``optim.SGD`` on ``P`` itself, through autograd, whose ``abs``
  has subgradient 0 at 0. A weight whose optimum is 0 overshoots it, the sign of its
  penalty gradient flips, and it zigzags in a band of width about ``lr * lam`` around 0,
  landing on 0 exactly only by accident. Shrinking the step (``lr / sqrt(t)``) narrows
  the band but still gives no zeros;
- proximal gradient descent: ``optim.SGD(..., l1=lam)`` takes a gradient step on the
  data term, then applies ``S(., lr * lam)``: exact zeros after a few steps;
- coordinate descent: ``linear_model.Lasso`` sets each ``w_j = S(rho_j, n lam) / z_j``;
- scikit-learn's ``Lasso`` when it is installed (optional).

L2 for contrast: ridge's minimizer is ``b_j / (1 + alpha)``, never 0 unless ``b_j`` is.

A second table shows what the choice of a subgradient of |w| at 0 does to a weight
sitting at its optimum 0. Run: ``python examples/sparsity.py [--quick] [--out DIR]``.
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

import minigrad as mg
from minigrad import functional as F
from minigrad import optim
from minigrad.linear_model import Lasso, Ridge

NAME = "sparsity"


def orthogonal_problem(
    rng: np.random.Generator, n: int, d: int, k: int, noise: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X`` with ``X^T X = n I`` exactly, a ``k``-sparse ``w_true``, ``y = X w_true + e``."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    X = np.sqrt(n) * Q
    w_true = np.zeros(d)
    support = rng.choice(d, size=k, replace=False)
    w_true[support] = rng.uniform(0.5, 2.0, size=k) * rng.choice([-1.0, 1.0], size=k)
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true


def soft_threshold(b: np.ndarray, lam: float) -> np.ndarray:
    """``S(b, lam) = sign(b) max(|b| - lam, 0)``, elementwise: the prox of ``lam |w|``."""
    return np.sign(b) * np.maximum(np.abs(b) - lam, 0.0)


def lasso_objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float) -> float:
    r = y - X @ w
    return float(r @ r / (2 * len(y)) + lam * np.abs(w).sum())


def run_sgd(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    lr: float,
    n_steps: int,
    mode: str,
    watch: int,
    w0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch ``optim.SGD`` from ``w0``; returns the final ``w`` and the path of
    coordinate ``watch``.

    ``mode``: ``"subgradient"`` (the penalty in the loss, constant step),
    ``"subgradient-decaying"`` (the same with step ``lr / sqrt(t)``) or ``"proximal"``
    (the data term in the loss, ``SGD(l1=lam)`` soft-thresholds after each step).
    """
    Xt, yt = mg.tensor(X), mg.tensor(y)
    w = mg.tensor(w0.copy(), requires_grad=True)
    proximal = mode == "proximal"
    opt = optim.SGD([w], lr=lr, l1=lam if proximal else 0.0)
    path = np.empty(n_steps + 1)
    path[0] = w.data[watch]
    for t in range(1, n_steps + 1):
        opt.zero_grad()
        # 1/(2n) ||y - X w||^2: half the mean squared error
        loss = 0.5 * F.mse_loss(Xt @ w, yt)
        if not proximal:
            loss = loss + lam * F.l1_penalty([w])
        loss.backward()
        if mode == "subgradient-decaying":
            opt.lr = lr / np.sqrt(t)
        opt.step()
        path[t] = w.data[watch]
    return w.data.copy(), path


def sklearn_lasso(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray | None:
    """scikit-learn's coordinate descent, or ``None`` when it is not installed."""
    try:
        from sklearn.linear_model import Lasso as SkLasso
    except ImportError:
        return None
    return SkLasso(alpha=lam, fit_intercept=False, tol=1e-10, max_iter=10_000).fit(X, y).coef_


# ----------------------------------------------------------------------------------------
# the subgradient of |w| at 0


def subgradient_choices(lam: float, b: float, lr: float, n_steps: int) -> list[dict]:
    """Subgradient descent on ``f(w) = 1/2 (w - b)^2 + lam |w|`` started at its
    minimizer ``w = 0`` (``|b| <= lam``), with different choices ``s in [-1, 1]`` for
    the subgradient of ``|w|`` at exactly 0 (``sign(w)`` elsewhere).

    The whole subdifferential of ``f`` at 0 is ``-b + lam [-1, 1]``. Its minimum-norm
    element is 0, reached with ``s = b / lam``: only that choice keeps the weight at
    its optimum. ``s = 0`` is the minimum-norm element of ``d|w|`` alone (what
    autograd's ``abs`` uses): it keeps ``w = 0`` when ``b = 0`` but not otherwise.
    """
    rows = []
    choices = [-1.0, -0.5, 0.0, 0.5, 1.0]
    if b != 0:
        choices.append(b / lam)
    for s in choices:
        w = 0.0
        first = None
        for _ in range(n_steps):
            g_abs = s if w == 0.0 else np.sign(w)
            w = w - lr * ((w - b) + lam * g_abs)
            first = w if first is None else first
        rows.append(
            {
                "s": s,
                "g_at_0": -b + lam * s,
                "w_after_1": first,
                "w_after_n": w,
                "f_after_n": 0.5 * (w - b) ** 2 + lam * abs(w) - 0.5 * b**2,
            }
        )
    return rows


def autograd_abs_at_zero() -> float:
    """The gradient minigrad's ``abs`` gives at exactly 0."""
    w = mg.tensor(0.0, requires_grad=True, dtype=mg.float64)
    abs(w).backward()
    return float(w.grad)


# ----------------------------------------------------------------------------------------
# figures


def draw_weights(
    out: FigureFolder, w_star: np.ndarray, finals: dict[str, np.ndarray], floor: float
):
    """|w_j| per coordinate on a log scale; exact zeros drawn on the floor line."""
    order = np.argsort(-np.abs(w_star), kind="stable")
    fig, ax = plt.subplots(figsize=(11, 4.6))
    markers = ["o", "s", "^", "x", "D"]
    offsets = np.linspace(-0.3, 0.3, len(finals))
    for (label, w), marker, dx in zip(finals.items(), markers, offsets):
        a = np.abs(w[order])
        shown = np.where(a == 0.0, floor, a)
        n_zero = int(np.sum(w == 0.0))
        ax.scatter(
            np.arange(len(a)) + dx,
            shown,
            marker=marker,
            s=22,
            label=f"{label}: {n_zero} exact zeros",
        )
    ax.axhline(floor, color="k", lw=0.8)
    ax.text(len(order) - 0.5, floor * 1.6, "exactly 0", ha="right", va="bottom", fontsize=9)
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, None)
    ax.set_xlabel("coordinate j (sorted by |w*_j| of the closed-form Lasso solution)")
    ax.set_ylabel("|w_j| after training")
    ax.set_title(
        "Lasso on an orthogonal design: only proximal steps and coordinate descent give zeros"
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    return save_figure(fig, out, f"{NAME}_weights.png")


def draw_trajectories(out: FigureFolder, paths: dict[str, np.ndarray], band: float, floor: float):
    """One coordinate whose optimum is 0, under each first-order method: the first
    steps on a linear scale, and |w_j| over the whole run on a log scale."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.4))
    n_first = 60
    for label, path in paths.items():
        ax1.plot(np.arange(n_first + 1), path[: n_first + 1], lw=1.3, marker=".", ms=3, label=label)
        a = np.abs(path)
        ax2.plot(np.arange(len(path)), np.where(a == 0.0, floor, a), lw=0.9, label=label)
    ax1.axhspan(-band, band, color="0.88", zorder=0, label=f"one step across 0: ±{band:.3g}")
    ax1.axhline(0, color="k", lw=0.6)
    ax1.set_xlabel("step")
    ax1.set_ylabel("w_j")
    ax1.set_title(f"the first {n_first} steps")
    ax1.legend(fontsize=8.5)
    ax2.axhline(floor, color="k", lw=0.8)
    ax2.text(len(path) - 1, floor * 1.8, "exactly 0", ha="right", va="bottom", fontsize=9)
    ax2.set_yscale("log")
    ax2.set_ylim(floor / 3, None)
    ax2.set_xlabel("step")
    ax2.set_ylabel("|w_j| (log scale)")
    ax2.set_title("the whole run")
    fig.suptitle(
        "A weight whose Lasso optimum is 0, started at its least-squares value:\n"
        "subgradient steps zigzag around 0, the proximal step lands on it and stays",
        y=1.04,
    )
    return save_figure(fig, out, f"{NAME}_trajectories.png")


def draw_shrinkage(out: FigureFolder, lam: float):
    """The 1-D solutions: soft-threshold (L1) vs proportional shrinkage (L2)."""
    b = np.linspace(-3, 3, 601)
    fig, ax = plt.subplots(figsize=(6.2, 4.6))
    ax.plot(b, b, color="0.6", ls="--", label="no penalty: w = b")
    ax.plot(
        b, soft_threshold(b, lam), lw=2, label=f"L1, λ|w| (λ = {lam:g}): w = S(b, λ), 0 on |b| ≤ λ"
    )
    ax.plot(
        b, b / (1 + lam), lw=2, label=f"L2, (α/2)w² (α = {lam:g}): w = b/(1+α), 0 only at b = 0"
    )
    ax.axvspan(-lam, lam, color="tab:blue", alpha=0.1)
    ax.set_xlabel("b (unpenalized optimum)")
    ax.set_ylabel("penalized optimum w")
    ax.set_title("min 1/2 (w − b)² + penalty: L1 kills, L2 shrinks")
    ax.legend(fontsize=8.5, loc="upper left")
    ax.grid(alpha=0.3)
    return save_figure(fig, out, f"{NAME}_shrinkage.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    parser.add_argument("--lam", type=float, default=0.2, help="L1 strength λ (default 0.2)")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD step size (default 0.1)")
    args = parse_args(parser, argv)
    if not args.lam > 0 or not 0 < args.lr <= 1:
        parser.error("need --lam > 0 and 0 < --lr <= 1 (the data term has curvature 1)")
    rng = np.random.default_rng(args.seed)
    n, d, k = (100, 20, 4) if args.quick else (200, 50, 8)
    n_steps = 300 if args.quick else 1000
    lam, lr = args.lam, args.lr

    X, y, w_true = orthogonal_problem(rng, n, d, k, noise=1.0)
    b = X.T @ y / n  # the least-squares solution, since X^T X = n I
    w_star = soft_threshold(b, lam)
    null = w_star == 0.0
    # watch the null coordinate with the largest |b_j|: the hardest one to zero
    watch = int(np.flatnonzero(null)[np.argmax(np.abs(b[null]))])

    finals: dict[str, np.ndarray] = {}
    paths: dict[str, np.ndarray] = {}
    labels = {
        "subgradient": "subgradient SGD, lr constant",
        "subgradient-decaying": "subgradient SGD, lr/√t",
        "proximal": "proximal SGD(l1=λ)",
    }
    for mode, label in labels.items():
        # start at the least-squares solution b: every weight has to travel to its optimum
        finals[label], paths[label] = run_sgd(X, y, lam, lr, n_steps, mode, watch, w0=b)
    finals["coordinate descent (Lasso)"] = (
        Lasso(alpha=lam, fit_intercept=False, tol=1e-10, max_iter=10_000).fit(X, y).coef_
    )
    finals["closed form S(Xᵀy/n, λ)"] = w_star
    sk = sklearn_lasso(X, y, lam)
    if sk is not None:
        finals["scikit-learn Lasso"] = sk
    # Ridge ||y - Xw||^2 + alpha ||w||^2 on this design: w = b / (1 + alpha / n)
    ridge_alpha = n * lam
    finals["L2: Ridge(α = nλ)"] = Ridge(alpha=ridge_alpha, fit_intercept=False).fit(X, y).coef_

    rows, methods = [], {}
    for label, w in finals.items():
        is_l1 = not label.startswith("L2")
        methods[label] = {
            "exact_zeros": int(np.sum(w == 0.0)),
            "max_abs_on_null": float(np.max(np.abs(w[null]))),
            "max_err_vs_closed_form": float(np.max(np.abs(w - w_star))) if is_l1 else None,
            "objective": lasso_objective(X, y, w, lam),
        }
        m = methods[label]
        rows.append(
            [
                label,
                m["exact_zeros"],
                m["max_abs_on_null"],
                "-" if m["max_err_vs_closed_form"] is None else m["max_err_vs_closed_form"],
                m["objective"],
            ]
        )
    print_table(
        f"n = {n}, d = {d}, {k} true non-zeros, λ = {lam}, lr = {lr}, {n_steps} steps; "
        f"the closed form has {int(null.sum())} zeros",
        ["method", "exact zeros", "max |w_j| where w*_j = 0", "max |w - w*|", "P(w)"],
        rows,
    )
    if sk is None:
        print("(scikit-learn is not installed: its row is skipped)\n")

    # the subgradient at 0
    abs_grad = autograd_abs_at_zero()
    print(f"minigrad: d|w|/dw at w = 0 is {abs_grad:g} (the minimum-norm element of [-1, 1])\n")
    choice_lr, choice_steps = 0.1, 50
    choices = {
        "pure": subgradient_choices(lam=1.0, b=0.0, lr=choice_lr, n_steps=choice_steps),
        "with_data": subgradient_choices(lam=1.0, b=0.3, lr=choice_lr, n_steps=choice_steps),
    }
    for key, title in [
        ("pure", "f(w) = 1/2 w^2 + |w|, start at the minimizer w = 0"),
        ("with_data", "f(w) = 1/2 (w - 0.3)^2 + |w|, start at the minimizer w = 0"),
    ]:
        print_table(
            f"{title}; lr = {choice_lr}, subgradient s of |w| used at w = 0",
            [
                "s",
                "g(0) = f'(0) with s",
                "w after 1 step",
                f"w after {choice_steps}",
                f"f(w_{choice_steps}) - f(0)",
            ],
            [
                [r["s"], r["g_at_0"], r["w_after_1"], r["w_after_n"], r["f_after_n"]]
                for r in choices[key]
            ],
        )

    figures = [
        draw_weights(
            args.figures,
            w_star,
            {k: v for k, v in finals.items() if "Ridge" not in k and "scikit" not in k},
            floor=1e-7,
        ),
        draw_trajectories(args.figures, paths, band=lr * (lam + abs(b[watch])), floor=1e-9),
        draw_shrinkage(args.figures, 1.0),
    ]
    results = {
        "n": n,
        "d": d,
        "lam": lam,
        "lr": lr,
        "n_steps": n_steps,
        "closed_form_zeros": int(null.sum()),
        "methods": methods,
        "sklearn_available": sk is not None,
        "abs_grad_at_zero": abs_grad,
        "subgradient_choices": choices,
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
