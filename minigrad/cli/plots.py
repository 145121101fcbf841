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


def decision_boundary(predict, X: np.ndarray, y: np.ndarray, path: Path) -> None:
    """Class regions of a 2-D classifier with the data on top; ``predict`` maps an
    (n, 2) array to class labels."""
    plt = _pyplot()
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 200)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 200)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(X.dtype)
    regions = predict(grid).reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.contourf(gx, gy, regions, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="coolwarm", edgecolors="k", linewidths=0.3)
    ax.set(title="decision boundary", xlabel="x1", ylabel="x2")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
