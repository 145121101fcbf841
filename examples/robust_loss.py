"""L1 loss is robust to outliers, L2 (squared) loss is not; Huber sits in between.

Fit a line ``y = w x + b`` to data from ``y = 2 x + 1 + noise`` in which a fraction of
the points are gross outliers (shifted up by 15 to 30), by minimizing each loss with
minigrad's autograd and ``optim.Adam``:

- L2, ``mean (pred - y)^2`` (``F.mse_loss``): the gradient with respect to a
  prediction is ``2 r`` for residual ``r``, so an outlier pulls in proportion to how
  far off it is, and a few of them drag the whole line. Its minimizer is the
  least-squares line, which the script also computes in closed form as a check;
- L1, ``mean |pred - y|`` (``F.l1_loss``): the gradient is ``sign(r)``, the same for
  a residual of 0.5 and of 30. The fit is a median-type line: outliers only count as
  points above the line, not by how far above;
- Huber (``F.huber_loss``, delta = 1): ``r^2 / 2`` for ``|r| <= delta``, linear beyond,
  so the gradient is ``r`` clipped to ``[-delta, delta]``.

The lecture notes (002) say in one place to use L1 loss "when outliers should weigh
more": it is the other way round, as the numbers here show.

Run: ``python examples/robust_loss.py [--quick] [--out DIR]``.
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

NAME = "robust_loss"
TRUE_W, TRUE_B = 2.0, 1.0
X_RANGE = (0.0, 10.0)
DELTA = 1.0
LOSSES = {
    "L2 (mse_loss)": lambda pred, y: F.mse_loss(pred, y, reduction="none"),
    "L1 (l1_loss)": lambda pred, y: F.l1_loss(pred, y, reduction="none"),
    f"Huber (δ = {DELTA:g})": lambda pred, y: F.huber_loss(pred, y, delta=DELTA, reduction="none"),
}


def make_data(
    rng: np.random.Generator, n: int, fractions: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One data set per outlier fraction, shape (K, n): the same clean points, with the
    first ``fraction * n`` of a random order shifted up by U(15, 30)."""
    x = rng.uniform(*X_RANGE, n)
    clean = TRUE_W * x + TRUE_B + 0.5 * rng.standard_normal(n)
    order = rng.permutation(n)
    shift = rng.uniform(15, 30, n)
    Y = np.tile(clean, (len(fractions), 1))
    outlier = np.zeros((len(fractions), n), dtype=bool)
    for k, fraction in enumerate(fractions):
        idx = order[: int(round(fraction * n))]
        Y[k, idx] += shift[idx]
        outlier[k, idx] = True
    return x, Y, outlier


def fit_lines(x: np.ndarray, Y: np.ndarray, loss_fn, n_steps: int) -> tuple[np.ndarray, ...]:
    """Minimize ``mean_i loss(w_k x_i + b_k, y_ki)`` for every row k of ``Y`` at once.

    The K problems share no parameters, so summing their losses and taking one Adam
    step on the (K,) vectors ``w`` and ``b`` is K independent Adam runs (Adam works
    elementwise). The learning rate decays linearly to 0: the L1 loss has no
    gradient that shrinks near the optimum, so a constant step would keep hopping.
    """
    K = Y.shape[0]
    w = mg.tensor(np.zeros(K), requires_grad=True)
    b = mg.tensor(np.zeros(K), requires_grad=True)
    xt, yt = mg.tensor(x), mg.tensor(Y)
    lr0 = 0.2
    opt = optim.Adam([w, b], lr=lr0)
    for t in range(n_steps):
        opt.zero_grad()
        pred = w.reshape(K, 1) * xt + b.reshape(K, 1)
        loss_fn(pred, yt).mean(axis=1).sum().backward()
        opt.lr = lr0 * (1 - t / n_steps)
        opt.step()
    return w.data.copy(), b.data.copy()


def line_error(w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Largest vertical distance to the true line over the x range (it is linear in x,
    so attained at an end)."""
    lo, hi = X_RANGE
    return np.maximum(
        np.abs((w - TRUE_W) * lo + (b - TRUE_B)), np.abs((w - TRUE_W) * hi + (b - TRUE_B))
    )


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    A = np.column_stack([x, np.ones_like(x)])
    (w, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(w), float(b)


def loss_gradients(r: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each loss and its derivative with respect to the prediction at residual ``r``,
    from autograd (``reduction='none'``, then the sum's gradient is elementwise)."""
    out = {}
    for label, loss_fn in LOSSES.items():
        pred = mg.tensor(r.copy(), requires_grad=True)
        loss = loss_fn(pred, mg.tensor(np.zeros_like(r)))
        loss.sum().backward()
        out[label] = (loss.numpy(), pred.grad.copy())
    return out


# ----------------------------------------------------------------------------------------
# figures


def draw_fits(
    out: FigureFolder, x, y, outlier, fits: dict[str, tuple[float, float]], fraction: float
):
    grid = np.linspace(*X_RANGE, 2)
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.scatter(x[~outlier], y[~outlier], s=16, color="k", label="data")
    ax.scatter(x[outlier], y[outlier], s=30, color="tab:red", marker="x", label="outliers")
    ax.plot(grid, TRUE_W * grid + TRUE_B, color="0.5", ls="--", lw=2, label="true line 2x + 1")
    # the L1 and Huber lines nearly coincide: dashes keep both visible
    for (label, (w, b)), ls in zip(fits.items(), ["-", "-", "--"]):
        ax.plot(grid, w * grid + b, lw=2, ls=ls, label=f"{label}: {w:.3f} x + {b:.3f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"Line fits with {fraction:.0%} outliers")
    ax.legend(fontsize=9, loc="upper left")
    return save_figure(fig, out, f"{NAME}_fits.png")


def draw_influence(out: FigureFolder, r: np.ndarray, curves):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.3))
    for label, (value, grad) in curves.items():
        ax1.plot(r, value, lw=2, label=label)
        ax2.plot(r, grad, lw=2, label=label)
    ax1.set_ylim(-0.5, 10)
    ax1.set_title("loss of one residual r = pred − y")
    ax2.set_ylim(-4.5, 4.5)
    ax2.set_title("its gradient d loss / d pred (autograd): the pull of one point")
    for ax in (ax1, ax2):
        ax.axhline(0, color="k", lw=0.6)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_xlabel("residual r")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    return save_figure(fig, out, f"{NAME}_influence.png")


def draw_breakdown(out: FigureFolder, fractions, errors: dict[str, np.ndarray]):
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for label, err in errors.items():
        ax.plot(100 * np.asarray(fractions), err, marker="o", lw=2, label=label)
    ax.set_xlabel("outliers (% of the points)")
    ax.set_ylabel("max distance to the true line on [0, 10]")
    ax.set_yscale("log")
    ax.set_title("How far each fit is dragged as outliers are added")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    return save_figure(fig, out, f"{NAME}_breakdown.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    parser.add_argument(
        "--fraction", type=float, default=0.15, help="outlier share in the main fit (0.15)"
    )
    args = parse_args(parser, argv)
    if not 0 <= args.fraction < 0.5:
        parser.error("--fraction must be in [0, 0.5)")
    rng = np.random.default_rng(args.seed)
    n = 60
    n_steps = 600 if args.quick else 3000
    fractions = sorted({0.0, 0.05, 0.1, 0.2, 0.3, 0.4, args.fraction})
    if args.quick:
        fractions = sorted({0.0, 0.2, args.fraction})
    main_row = fractions.index(args.fraction)

    x, Y, outlier = make_data(rng, n, fractions)
    fitted = {label: fit_lines(x, Y, loss_fn, n_steps) for label, loss_fn in LOSSES.items()}
    errors = {label: line_error(w, b) for label, (w, b) in fitted.items()}

    fits = {label: (float(w[main_row]), float(b[main_row])) for label, (w, b) in fitted.items()}
    w_ls, b_ls = least_squares(x, Y[main_row])
    rows = [[label, w, b, float(errors[label][main_row])] for label, (w, b) in fits.items()]
    rows.append(
        [
            "L2 closed form (lstsq), a check",
            w_ls,
            b_ls,
            float(line_error(np.array(w_ls), np.array(b_ls))),
        ]
    )
    print_table(
        f"y = 2x + 1 + N(0, 0.5²), n = {n}, {args.fraction:.0%} outliers shifted up by 15-30; "
        f"Adam, {n_steps} steps",
        ["loss", "slope w", "intercept b", "max distance to the true line"],
        rows,
    )
    print_table(
        "max distance to the true line on [0, 10], by outlier share",
        ["outliers", *LOSSES],
        [
            [f"{f:.0%}", *(float(errors[label][k]) for label in LOSSES)]
            for k, f in enumerate(fractions)
        ],
    )

    r = np.linspace(-4, 4, 801)
    figures = [
        draw_fits(args.figures, x, Y[main_row], outlier[main_row], fits, args.fraction),
        draw_influence(args.figures, r, loss_gradients(r)),
        draw_breakdown(args.figures, fractions, errors),
    ]
    results = {
        "fraction": args.fraction,
        "fits": fits,
        "line_error": {label: float(errors[label][main_row]) for label in LOSSES},
        "least_squares": (w_ls, b_ls),
        "fractions": fractions,
        "line_error_by_fraction": {label: errors[label].tolist() for label in LOSSES},
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
