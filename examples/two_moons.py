"""micrograd's demo, on minigrad: an MLP on two moons with an SVM (hinge) loss and L2.

The data are 100 points of ``make_moons(noise=0.1)`` with labels ``y`` in {-1, +1}. The
model is an MLP 2-16-16-1 with ReLU, and the loss is micrograd's::

    loss = mean_i max(0, 1 - y_i s_i)  +  alpha * sum w^2,      alpha = 1e-4

where ``s_i`` is the network's score. The hinge is zero for points classified correctly
with margin 1, so only points near or across the boundary push on the weights (a
support-vector machine's loss on top of learned features). The L2 term keeps the
weights, and so the boundary, from growing sharp. Training is full-batch SGD with
micrograd's learning rate schedule ``1 - 0.9 k / 100``; where micrograd loops over
scalar ``Value`` objects, minigrad does the whole batch as arrays.

Run: ``python examples/two_moons.py [--quick] [--out DIR]``.
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
from matplotlib.colors import ListedColormap

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, optim
from minigrad.data import make_moons

NAME = "two_moons"
ALPHA = 1e-4


def hinge_loss(scores: mg.Tensor, y: mg.Tensor) -> mg.Tensor:
    """``mean max(0, 1 - y s)``; its subgradient at the kink ``y s = 1`` is 0 (relu's)."""
    return (1 - y * scores).relu().mean()


def train(X: np.ndarray, y: np.ndarray, n_steps: int, seed: int) -> tuple[nn.MLP, list[dict]]:
    mg.manual_seed(seed)
    model = nn.MLP(2, [16, 16], 1)
    params = list(model.parameters())
    opt = optim.SGD(params, lr=1.0)
    Xt, yt = mg.tensor(X.astype(np.float32)), mg.tensor(y.astype(np.float32))
    history = []
    for k in range(n_steps):
        opt.zero_grad()
        scores = model(Xt).reshape(-1)
        data_loss = hinge_loss(scores, yt)
        penalty = ALPHA * F.l2_penalty(params)
        (data_loss + penalty).backward()
        opt.lr = 1.0 - 0.9 * k / n_steps  # micrograd's schedule
        opt.step()
        accuracy = float(np.mean((scores.numpy() > 0) == (y > 0)))
        history.append(
            {"step": k, "hinge": data_loss.item(), "l2": penalty.item(), "accuracy": accuracy}
        )
    return model, history


def draw_boundary(out: FigureFolder, model: nn.MLP, X: np.ndarray, y: np.ndarray, accuracy: float):
    h = 0.02
    x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(np.float32)
    with mg.no_grad():
        scores = model(mg.tensor(grid)).numpy().reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(7, 5.6))
    ax.contourf(xx, yy, scores > 0, cmap=ListedColormap(["#f4b6b6", "#b6cdf4"]))
    ax.contour(
        xx,
        yy,
        scores,
        levels=[-1, 0, 1],
        colors="k",
        linestyles=[":", "-", ":"],
        linewidths=[1, 1.8, 1],
    )
    for label, color in ((-1, "tab:red"), (1, "tab:blue")):
        mask = y == label
        ax.scatter(
            X[mask, 0], X[mask, 1], s=40, color=color, edgecolors="k", label=f"y = {label:+d}"
        )
    ax.plot([], [], "k-", label="decision boundary s = 0")
    ax.plot([], [], "k:", label="margins s = ±1 (hinge is 0 beyond them)")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"MLP 2-16-16-1, hinge loss + {ALPHA:g}·Σw², training accuracy {accuracy:.0%}")
    ax.legend(loc="lower left", fontsize=9)
    return save_figure(fig, out, f"{NAME}_boundary.png")


def draw_history(out: FigureFolder, history: list[dict]):
    steps = [h["step"] for h in history]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(steps, [h["hinge"] for h in history], lw=2, label="hinge loss")
    ax.plot(steps, [h["l2"] for h in history], lw=2, label=f"{ALPHA:g}·Σw²")
    ax.set_yscale("log")
    ax.set_xlabel("SGD step")
    ax2 = ax.twinx()
    ax2.plot(steps, [h["accuracy"] for h in history], color="tab:green", lw=1.5, label="accuracy")
    ax2.set_ylabel("training accuracy")
    ax2.set_ylim(0.5, 1.02)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(
        lines[0] + lines2[0],
        lines[1] + lines2[1],
        fontsize=9,
        loc="center",
        bbox_to_anchor=(0.6, 0.45),
    )
    ax.set_title("training on two moons")
    ax.grid(alpha=0.3)
    return save_figure(fig, out, f"{NAME}_training.png")


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    n_steps = 40 if args.quick else 100
    X, labels = make_moons(100, noise=0.1, seed=args.seed)
    y = 2.0 * labels - 1.0  # {0, 1} -> {-1, +1}

    model, history = train(X, y, n_steps, args.seed)
    with mg.no_grad():
        final_scores = model(mg.tensor(X.astype(np.float32))).numpy().reshape(-1)
    final_accuracy = float(np.mean((final_scores > 0) == (y > 0)))
    shown = [h for h in history if h["step"] % (n_steps // 10) == 0] + [history[-1]]
    print_table(
        f"two moons, 100 points, MLP 2-16-16-1, hinge + {ALPHA:g}·Σw², {n_steps} SGD steps",
        ["step", "hinge loss", "L2 term", "accuracy"],
        [[h["step"], h["hinge"], h["l2"], h["accuracy"]] for h in shown],
    )
    print(f"final training accuracy: {final_accuracy:.1%}\n")
    figures = [
        draw_boundary(args.figures, model, X, y, final_accuracy),
        draw_history(args.figures, history),
    ]
    results = {
        "n_steps": n_steps,
        "final_accuracy": final_accuracy,
        "first_hinge": history[0]["hinge"],
        "final_hinge": history[-1]["hinge"],
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
