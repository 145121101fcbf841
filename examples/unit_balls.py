"""Unit balls of the L1, L2 and L-inf norms, and why the L1 ball gives sparse optima.

The p-norm is ``||w||_p = (sum_i |w_i|^p)^(1/p)``; its unit ball ``{w : ||w||_p <= 1}``
is a diamond for p = 1, a circle for p = 2 and a square for p = inf.

Penalizing a loss with ``lam * ||w||_1`` is equivalent (for a matching radius t) to
minimizing it over the ball ``||w||_1 <= t``. The constrained optimum is where the
smallest level set (contour) of the loss that reaches the ball touches it. A diamond
sticks out at its corners, which lie on the axes, so the touching point is very often a
corner: a point with coordinates exactly 0. A circle has no corners, and the touching
point has a zero coordinate only if the loss happens to be centred on an axis.

This script

1. prints the lecture notes' worked numbers for w = [3, -4, 0.5] (L1 7.5, L2 25.25);
2. draws the unit balls of several p-norms, computed with minigrad's ``Tensor.norm``;
3. solves ``min 1/2 (w - c)^T A (w - c)`` over each ball by projected gradient descent
   (gradient from minigrad's autograd, exact Euclidean projection onto the ball) and
   draws the loss contour that touches it;
4. counts, over many random quadratic losses, how often the optimum has exact zeros.

Run: ``python examples/unit_balls.py [--quick] [--out DIR]``.
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

NAME = "unit_balls"
BALLS = ("l1", "l2", "linf")
BALL_LABEL = {"l1": "L1 (diamond)", "l2": "L2 (circle)", "linf": "L-inf (square)"}


# ----------------------------------------------------------------------------------------
# projections onto the balls of radius t, one row of V per problem


def project_l1(V: np.ndarray, t: float) -> np.ndarray:
    """Euclidean projection of each row of ``V`` onto ``{w : ||w||_1 <= t}``.

    Rows inside the ball are kept. For a row outside, the projection is a
    soft-threshold ``sign(v) * max(|v| - theta, 0)`` whose threshold ``theta > 0`` makes
    the result land on the sphere, ``sum_i max(|v_i| - theta, 0) = t``. With ``u`` the
    sorted ``|v|`` (descending) and ``k`` the number of entries that survive,
    ``theta = (u_1 + ... + u_k - t) / k`` where ``k`` is the largest index with
    ``u_k > (u_1 + ... + u_k - t) / k`` (Duchi et al., 2008). Every entry with
    ``|v_i| <= theta`` becomes exactly 0: this is where the sparsity comes from.
    """
    absV = np.abs(V)
    u = -np.sort(-absV, axis=1)
    cumsum = np.cumsum(u, axis=1)
    k = np.arange(1, V.shape[1] + 1)
    candidates = (cumsum - t) / k
    n_kept = np.sum(u > candidates, axis=1)  # the condition holds exactly for j <= k
    theta = candidates[np.arange(V.shape[0]), n_kept - 1]
    projected = np.sign(V) * np.maximum(absV - theta[:, None], 0.0)
    inside = absV.sum(axis=1) <= t
    return np.where(inside[:, None], V, projected)


def project_l2(V: np.ndarray, t: float) -> np.ndarray:
    """Rows outside ``{||w||_2 <= t}`` are scaled onto the sphere: ``v * t / ||v||_2``."""
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    return V * np.minimum(1.0, t / np.maximum(norms, np.finfo(float).tiny))


def project_linf(V: np.ndarray, t: float) -> np.ndarray:
    """Each coordinate clipped to ``[-t, t]``: the box ``{||w||_inf <= t}``."""
    return np.clip(V, -t, t)


PROJECT = {"l1": project_l1, "l2": project_l2, "linf": project_linf}


# ----------------------------------------------------------------------------------------
# the constrained least-squares problems


def quadratic_loss(W: mg.Tensor, A: np.ndarray, C: np.ndarray) -> mg.Tensor:
    """``sum_k 1/2 (w_k - c_k)^T A_k (w_k - c_k)`` for K independent problems at once.

    ``W`` and ``C`` have shape (K, d), ``A`` (K, d, d) symmetric positive definite. The
    problems share no parameters, so the gradient of the sum with respect to row k of
    ``W`` is the gradient of problem k alone: ``A_k (w_k - c_k)``.
    """
    D = W - C
    DA = (D.reshape(D.shape[0], D.shape[1], 1) * A).sum(axis=1)  # row k: (A_k d_k)^T
    return 0.5 * (DA * D).sum()


def projected_gradient_descent(
    A: np.ndarray, C: np.ndarray, ball: str, t: float, n_steps: int
) -> np.ndarray:
    """Minimize each quadratic over the ball by ``w <- P(w - grad / L_k)``.

    ``L_k``, the largest eigenvalue of ``A_k``, is the Lipschitz constant of the
    gradient, so the step ``1 / L_k`` decreases the loss at every iteration and the
    iterates converge to the constrained optimum. The gradient comes from autograd.
    """
    step = 1.0 / np.linalg.eigvalsh(A)[:, -1]
    W = np.zeros_like(C)
    for _ in range(n_steps):
        w = mg.tensor(W, requires_grad=True)
        quadratic_loss(w, A, C).backward()
        W = PROJECT[ball](W - step[:, None] * w.grad, t)
    return W


def random_problems(rng: np.random.Generator, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random quadratics in ``d`` dimensions: ``A = Q diag(s) Q^T`` with a random
    rotation ``Q`` and eigenvalues ``s`` in [1, 10], and centres ``c ~ N(0, 2^2 I)``."""
    Q, R = np.linalg.qr(rng.standard_normal((n, d, d)))
    Q = Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]  # a uniform rotation
    s = rng.uniform(1.0, 10.0, size=(n, d))
    A = (Q * s[:, None, :]) @ np.swapaxes(Q, 1, 2)
    C = 2.0 * rng.standard_normal((n, d))
    return A, C


def norm_of(C: np.ndarray, ball: str) -> np.ndarray:
    p = {"l1": 1, "l2": 2, "linf": float("inf")}[ball]
    return mg.tensor(C).norm(p=p, axis=1).numpy()


def corner_statistics(rng: np.random.Generator, n: int, d: int, n_steps: int) -> dict:
    """How often the optimum over the unit ball has coordinates exactly 0.

    Only problems whose unconstrained minimum lies outside the ball count: inside, the
    constraint is inactive and the optimum is ``c`` itself. The vertices of the L1 ball
    are the points with one non-zero coordinate; those of the L-inf ball have every
    coordinate at ``+-1`` (corners too, but not sparse ones).
    """
    A, C = random_problems(rng, n, d)
    stats: dict[str, dict[str, float]] = {}
    for ball in BALLS:
        active = norm_of(C, ball) > 1.0
        W = projected_gradient_descent(A[active], C[active], ball, 1.0, n_steps)
        zeros = np.sum(W == 0.0, axis=1)
        if ball == "l1":  # the vertices +-e_i: one coordinate left, all others 0
            at_vertex = zeros == d - 1
        elif ball == "linf":  # the vertices (+-1, ..., +-1)
            at_vertex = np.all(np.abs(W) == 1.0, axis=1)
        else:  # the sphere has no vertices
            at_vertex = np.zeros(len(W), dtype=bool)
        stats[ball] = {
            "problems": int(active.sum()),
            "share_with_a_zero": float(np.mean(zeros > 0)),
            "mean_zeros": float(np.mean(zeros)),
            "share_at_a_vertex": float(np.mean(at_vertex)),
        }
    return stats


# ----------------------------------------------------------------------------------------
# figures


def draw_unit_balls(out: FigureFolder, grid_size: int):
    """Level set ``||w||_p = 1`` for several p, the norm evaluated by ``Tensor.norm``."""
    g = np.linspace(-1.4, 1.4, grid_size)
    G1, G2 = np.meshgrid(g, g)
    points = mg.tensor(np.stack([G1, G2], axis=-1))
    fig, ax = plt.subplots(figsize=(5.2, 5.2))
    styles = [
        (1, "L1: |w1| + |w2| = 1", "tab:red"),
        (1.5, "p = 1.5", "tab:orange"),
        (2, "L2: w1² + w2² = 1", "tab:blue"),
        (4, "p = 4", "tab:purple"),
        (float("inf"), "L-inf: max(|w1|, |w2|) = 1", "tab:green"),
    ]
    for p, label, color in styles:
        N = points.norm(p=p, axis=-1).numpy()
        ax.contour(G1, G2, N, levels=[1.0], colors=color, linewidths=2.2 if p in (1, 2) else 1.4)
        ax.plot([], [], color=color, label=label)  # contour sets have no legend entry
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_aspect("equal")
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(r"Unit balls $\|w\|_p = 1$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    return save_figure(fig, out, f"{NAME}_norms.png")


def draw_contours(
    out: FigureFolder, A: np.ndarray, c: np.ndarray, optima: dict, losses: dict, grid_size: int
):
    """One panel per ball: loss contours, the touching contour, and the optimum."""
    g1 = np.linspace(-1.8, 3.2, grid_size)
    g2 = np.linspace(-1.8, 2.8, grid_size)
    G1, G2 = np.meshgrid(g1, g2)
    D = np.stack([G1 - c[0], G2 - c[1]], axis=-1)
    Z = 0.5 * np.einsum("...i,ij,...j->...", D, A, D)
    shapes = {
        "l1": np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]]),
        "linf": np.array([[1, 1], [-1, 1], [-1, -1], [1, -1], [1, 1]]),
    }
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.9))
    for ax, ball in zip(axes, BALLS):
        ax.contour(G1, G2, Z, levels=np.geomspace(0.05, 30, 12), colors="0.65", linewidths=0.8)
        ax.contour(G1, G2, Z, levels=[losses[ball]], colors="tab:red", linewidths=2)
        if ball == "l2":
            ax.add_patch(plt.Circle((0, 0), 1.0, color="tab:blue", alpha=0.3))
        else:
            ax.fill(*shapes[ball].T, color="tab:blue", alpha=0.3)
        w = optima[ball]
        ax.plot(*c, "k*", ms=12, label=f"unconstrained minimum c = ({c[0]:g}, {c[1]:g})")
        ax.plot(
            *w, "o", color="tab:red", ms=8, label=f"optimum in the ball ({w[0]:.3f}, {w[1]:.3f})"
        )
        ax.plot([], [], color="tab:red", label="the loss contour that touches the ball")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.axvline(0, color="0.5", lw=0.6)
        ax.set_aspect("equal")
        ax.set_xlim(g1[0], g1[-1])
        ax.set_ylim(g2[0], g2[-1])
        ax.set_xlabel("w1")
        ax.set_ylabel("w2")
        ax.set_title(f"{BALL_LABEL[ball]} ball, radius 1")
        ax.legend(loc="lower right", fontsize=7.5, framealpha=0.95)
    fig.suptitle("Least-squares contours meet the L1 ball at a corner (w2 = 0 exactly)")
    return save_figure(fig, out, f"{NAME}_contours.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    rng = np.random.default_rng(args.seed)
    grid = 101 if args.quick else 401
    n_problems = 120 if args.quick else 2000
    # step 1/L on a condition number <= 10 contracts by <= 0.9 a step: 0.9^300 ~ 1e-14
    n_steps = 60 if args.quick else 300

    # 1. the notes' worked numbers
    w = mg.tensor([3.0, -4.0, 0.5], dtype=mg.float64)
    worked = {
        "l1_penalty": F.l1_penalty([w]).item(),
        "l2_penalty": F.l2_penalty([w]).item(),
        "l2_norm": w.norm(p=2).item(),
        "linf_norm": w.norm(p=float("inf")).item(),
    }
    print_table(
        "w = [3, -4, 0.5]",
        ["quantity", "value"],
        [
            ["L1 penalty  sum |w_i|   (= ||w||_1)", worked["l1_penalty"]],
            ["L2 penalty  sum w_i^2   (= ||w||_2^2)", worked["l2_penalty"]],
            ["L2 norm     sqrt(sum w_i^2)", worked["l2_norm"]],
            ["L-inf norm  max |w_i|", worked["linf_norm"]],
        ],
    )

    # 2-3. one 2-D problem, drawn
    A = np.array([[1.0, 0.3], [0.3, 2.0]])
    c = np.array([2.6, 0.5])
    optima, losses = {}, {}
    for ball in BALLS:
        W = projected_gradient_descent(A[None], c[None], ball, 1.0, n_steps)
        optima[ball] = W[0]
        losses[ball] = quadratic_loss(mg.tensor(W), A[None], c[None]).item()
    print_table(
        f"min 1/2 (w - c)^T A (w - c) over the unit ball, c = {c.tolist()}",
        ["ball", "w1", "w2", "loss", "zeros in w"],
        [
            [
                BALL_LABEL[b],
                float(optima[b][0]),
                float(optima[b][1]),
                losses[b],
                int(np.sum(optima[b] == 0.0)),
            ]
            for b in BALLS
        ],
    )
    figures = [
        draw_unit_balls(args.figures, grid),
        draw_contours(args.figures, A, c, optima, losses, grid),
    ]

    # 4. many random problems, in 2 and in 20 dimensions
    stats = {d: corner_statistics(rng, n_problems, d, n_steps) for d in (2, 20)}
    rows = []
    for d, per_ball in stats.items():
        for ball in BALLS:
            s = per_ball[ball]
            rows.append(
                [
                    f"d = {d}, {BALL_LABEL[ball]}",
                    s["problems"],
                    s["share_with_a_zero"],
                    s["mean_zeros"],
                    s["share_at_a_vertex"],
                ]
            )
    print_table(
        "random quadratics with the constraint active: optimum over the unit ball",
        ["dimension, ball", "problems", "share with a zero", "mean zeros", "share at a vertex"],
        rows,
        digits=3,
    )
    results = {
        "worked": worked,
        "optima": {b: optima[b].tolist() for b in BALLS},
        "losses": losses,
        "corner_stats": {str(d): v for d, v in stats.items()},
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
