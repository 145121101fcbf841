"""Dropout, BatchNorm, LayerNorm and max-norm on a real data set: the 8x8 digits.

First the lecture notes' worked numbers, computed with minigrad's functions:

- BatchNorm of one feature over a batch [10, 20, 30, 40]: mean 25, biased variance 125
  (std 11.18), so ``(x - 25) / 11.18 = [-1.34, -0.45, 0.45, 1.34]``;
- LayerNorm of one sample [5, 7, 9]: mean 7 and the *biased* variance
  ``((-2)^2 + 0^2 + 2^2) / 3 = 8/3``, so ``[-1.2247, 0, 1.2247]``. The notes divide by the
  unbiased variance 4 and get [-1, 0, 1]; LayerNorm (in minigrad, PyTorch and the
  original paper) uses the biased one;
- inverted dropout with p = 0.5: kept units are multiplied by ``1 / (1 - p) = 2`` so
  the expected activation is unchanged, and in eval mode dropout is the identity.

Then the same MLP (64-128-128-10, ReLU, Adam) is trained on half of the digits with
each regularizer and evaluated on the other half, over several seeds:

- plain; dropout (p = 0.3 after each hidden layer); BatchNorm and LayerNorm (after each
  hidden Linear); a max-norm constraint (every unit's incoming weight vector projected
  back into the L2 ball of radius c after each step, ``nn.utils.max_norm_``); and
  dropout together with max-norm (the combination of the dropout paper).

Run: ``python examples/regularizers_digits.py [--quick] [--out DIR]``.
"""

from __future__ import annotations

import time
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
from minigrad import nn, optim
from minigrad.data import DataLoader, load_digits, train_test_split

NAME = "regularizers_digits"
HIDDEN = [128, 128]
MAX_NORM = 1.0
DROPOUT = 0.3
LR = 3e-3
# label -> (nn.MLP keyword arguments, max-norm radius or None)
VARIANTS = {
    "plain MLP": ({}, None),
    f"dropout p={DROPOUT}": ({"dropout": DROPOUT}, None),
    "BatchNorm": ({"norm": "batch"}, None),
    "LayerNorm": ({"norm": "layer"}, None),
    f"max-norm c={MAX_NORM:g}": ({}, MAX_NORM),
    f"dropout + max-norm c={MAX_NORM:g}": ({"dropout": DROPOUT}, MAX_NORM),
}


# ----------------------------------------------------------------------------------------
# the notes' worked numbers


def worked_numbers() -> dict:
    """BatchNorm, LayerNorm and dropout on the notes' small examples."""
    batch = mg.tensor([[10.0], [20.0], [30.0], [40.0]], dtype=mg.float64)  # 4 samples, 1 feature
    bn = F.batch_norm(batch, None, None, training=True).numpy().ravel()
    sample = mg.tensor([[5.0, 7.0, 9.0]], dtype=mg.float64)  # 1 sample, 3 features
    ln = F.layer_norm(sample, (3,)).numpy().ravel()
    x = sample.numpy().ravel()
    ln_unbiased = (x - x.mean()) / x.std(ddof=1)  # what the notes computed

    mg.manual_seed(0)
    ones = mg.ones(100_000, dtype=mg.float64)
    dropped = F.dropout(ones, p=0.5, training=True).numpy()
    return {
        "batch_norm": bn.tolist(),
        "batch_std_biased": float(np.std([10, 20, 30, 40])),
        "layer_norm": ln.tolist(),
        "layer_var_biased": float(x.var()),
        "layer_var_unbiased": float(x.var(ddof=1)),
        "layer_norm_unbiased": ln_unbiased.tolist(),
        "dropout_zero_share": float(np.mean(dropped == 0)),
        "dropout_kept_values": sorted({float(v) for v in dropped[dropped != 0]}),
        "dropout_mean": float(dropped.mean()),
        "dropout_eval_is_identity": bool(
            np.array_equal(F.dropout(ones, p=0.5, training=False).numpy(), ones.numpy())
        ),
    }


# ----------------------------------------------------------------------------------------
# training


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with mg.no_grad():
        predicted = model(mg.tensor(X)).numpy().argmax(axis=1)
    return float(np.mean(predicted == y))


def train(variant: tuple[dict, float | None], data: tuple, epochs: int, seed: int) -> dict:
    """Train one MLP; returns final train/test accuracy, test accuracy per epoch, the
    largest per-unit weight norm at the end, and the CPU time."""
    mlp_kwargs, max_norm = variant
    X_train, X_test, y_train, y_test = data
    mg.manual_seed(seed)
    model = nn.MLP(64, HIDDEN, 10, **mlp_kwargs)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    opt = optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(X_train, y_train, batch_size=32, seed=seed)
    start = time.process_time()
    test_curve = []
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            if len(yb) < 2:
                # BatchNorm cannot normalize a batch of one (a ValueError, as PyTorch);
                # skipped for every variant so that all see the same updates
                continue
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
            if max_norm is not None:
                for layer in linears:
                    nn.utils.max_norm_(layer.weight, max_norm)
        test_curve.append(accuracy(model, X_test, y_test))
    seconds = time.process_time() - start
    return {
        "train": accuracy(model, X_train, y_train),
        "test": test_curve[-1],
        "test_curve": test_curve,
        "max_unit_norm": max(float(np.linalg.norm(l.weight.data, axis=1).max()) for l in linears),
        "cpu_seconds": seconds,
    }


# ----------------------------------------------------------------------------------------
# figures


def draw_accuracy(out: FigureFolder, summary: dict, curves: dict, n_seeds: int):
    labels = list(summary)
    x = np.arange(len(labels))
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    for dx, key, color in [(-0.2, "train", "tab:blue"), (0.2, "test", "tab:orange")]:
        means = [summary[k][key]["mean"] for k in labels]
        stds = [summary[k][key]["std"] for k in labels]
        ax.bar(x + dx, means, width=0.4, yerr=stds, capsize=3, color=color, label=f"{key} accuracy")
        for xi, m, sd in zip(x + dx, means, stds):
            ax.text(xi, m + sd + 0.002, f"{m:.3f}", ha="center", va="bottom", fontsize=7.5)
    low = min(summary[k]["test"]["mean"] for k in labels)
    ax.set_ylim(max(0.0, low - 0.05), 1.01)
    ax.set_xticks(x, [k.replace(" + ", "\n+ ") for k in labels], fontsize=8.5)
    ax.set_ylabel("accuracy")
    ax.set_title(f"digits, 64-128-128-10 MLP, mean ± std over {n_seeds} seeds")
    ax.legend(loc="lower right", fontsize=9)
    for label, curve in curves.items():
        ax2.plot(np.arange(1, len(curve) + 1), curve, lw=1.6, label=label)
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (mean over seeds)")
    ax2.set_ylim(max(0.0, low - 0.08), 1.0)
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, loc="lower right")
    ax2.set_title("test accuracy during training")
    return save_figure(fig, out, f"{NAME}_accuracy.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    epochs = 4 if args.quick else 30
    seeds = [args.seed] if args.quick else [args.seed + k for k in range(3)]

    worked = worked_numbers()
    print_table(
        "the notes' worked numbers, computed by minigrad",
        ["example", "result"],
        [
            [
                "batch_norm([10, 20, 30, 40]), biased std 11.18",
                np.round(worked["batch_norm"], 4).tolist(),
            ],
            [
                "layer_norm([5, 7, 9]), biased variance 8/3",
                np.round(worked["layer_norm"], 4).tolist(),
            ],
            [
                "the notes' version: unbiased variance 4",
                np.round(worked["layer_norm_unbiased"], 4).tolist(),
            ],
            ["dropout(p=0.5) on 100000 ones: share zeroed", worked["dropout_zero_share"]],
            ["  values of the kept units", worked["dropout_kept_values"]],
            ["  mean (1 in expectation)", worked["dropout_mean"]],
            ["  eval mode is the identity", worked["dropout_eval_is_identity"]],
        ],
    )

    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)  # pixel counts 0..16 to [0, 1]
    data = train_test_split(X, y, test_size=0.5, seed=args.seed)
    if args.quick:
        data = (data[0][:400], data[1], data[2][:400], data[3])

    runs = {label: [train(v, data, epochs, s) for s in seeds] for label, v in VARIANTS.items()}
    summary, curves, rows = {}, {}, []
    for label, rs in runs.items():
        entry = {}
        for key in ("train", "test"):
            values = np.array([r[key] for r in rs])
            entry[key] = {"mean": float(values.mean()), "std": float(values.std())}
        entry["gap"] = entry["train"]["mean"] - entry["test"]["mean"]
        entry["max_unit_norm"] = max(r["max_unit_norm"] for r in rs)
        entry["cpu_seconds"] = float(np.median([r["cpu_seconds"] for r in rs]))
        summary[label] = entry
        curves[label] = np.mean([r["test_curve"] for r in rs], axis=0)
        rows.append(
            [
                label,
                entry["train"]["mean"],
                entry["test"]["mean"],
                entry["test"]["std"],
                entry["gap"],
                entry["max_unit_norm"],
                entry["cpu_seconds"],
            ]
        )
    print_table(
        f"digits: {len(data[2])} training and {len(data[3])} test images, {epochs} epochs of "
        f"Adam (lr {LR:g}, batch 32), mean over {len(seeds)} seed(s)",
        [
            "model",
            "train acc",
            "test acc",
            "test std",
            "train - test",
            "max unit ||w||",
            "CPU s/run",
        ],
        rows,
    )

    figures = [draw_accuracy(args.figures, summary, curves, len(seeds))]
    results = {
        "worked": worked,
        "epochs": epochs,
        "seeds": seeds,
        "n_train": len(data[2]),
        "n_test": len(data[3]),
        "max_norm": MAX_NORM,
        "summary": summary,
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
