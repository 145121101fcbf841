"""Figures of a training run (matplotlib, drawn off-screen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def learning_curve(history: list, path: Path) -> None:
    plt = _pyplot()
    epochs = [row["epoch"] for row in history]
    score = "accuracy" if "train_accuracy" in history[0] else "r2"
    fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(9, 3.5))
    for split in ("train", "test"):
        ax_loss.plot(epochs, [row[f"{split}_loss"] for row in history], label=split)
        ax_score.plot(epochs, [row[f"{split}_{score}"] for row in history], label=split)
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss", yscale="log")
    ax_score.set(xlabel="epoch", ylabel=score, title=score)
    ax_loss.legend()
    ax_score.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def decision_boundary(
    predict,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    path: Path,
) -> None:
    """Class regions of a 2-D classifier with the data on top (see
    ``decision_boundary_figure``), written to ``path``."""
    plt = _pyplot()
    fig = decision_boundary_figure(predict, train, test)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def decision_boundary_figure(
    predict, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]
):
    """The class regions of ``predict`` (an (n, 2) array to class labels), with the
    training points as circles and the test points as triangles, coloured by class."""
    plt = _pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    X = np.concatenate([train[0], test[0]])
    n_classes = int(max(train[1].max(), test[1].max())) + 1
    colors = [plt.get_cmap("tab10")(k) for k in range(n_classes)]
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 200)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 200)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(X.dtype)
    regions = predict(grid).reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    levels = np.arange(n_classes + 1) - 0.5  # one band per class label
    ax.contourf(gx, gy, regions, levels=levels, colors=colors, alpha=0.25)
    cmap = ListedColormap(colors)
    for (points, labels), marker in ((train, "o"), (test, "^")):
        ax.scatter(
            points[:, 0],
            points[:, 1],
            c=labels,
            cmap=cmap,
            vmin=-0.5,
            vmax=n_classes - 0.5,
            marker=marker,
            s=16,
            edgecolors="k",
            linewidths=0.3,
        )
    handles = [Patch(color=colors[k], label=f"class {k}") for k in range(n_classes)]
    handles += [
        Line2D([], [], ls="", marker=m, color="0.6", mec="k", label=f"{name} ({len(pts[0])})")
        for name, pts, m in (("train", train, "o"), ("test", test, "^"))
    ]
    ax.legend(handles=handles, fontsize=8, loc="best")
    ax.set(title="decision boundary", xlabel="x1", ylabel="x2")
    fig.tight_layout()
    return fig
