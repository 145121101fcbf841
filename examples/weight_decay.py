"""An L2 penalty is weight decay for SGD (mind the factor 2), but not for Adam: AdamW.

With a penalty ``lam * sum w^2`` in the loss, the gradient gains ``2 lam w``, so one SGD
step is::

    w <- w - lr (grad + 2 lam w) = (1 - 2 lr lam) w - lr grad

which is ``optim.SGD(weight_decay=wd)`` (it adds ``wd * w`` to the gradient) with
``wd = 2 lam``. Equivalently ``loss + wd/2 * sum w^2`` is ``weight_decay=wd``. The same
holds with momentum: the decay term enters the gradient before the momentum buffer.

Adam divides each gradient coordinate by a running ``sqrt(v)``. Putting the penalty in
the loss (or ``Adam(weight_decay=wd)``, which is the same thing) divides the decay term
too: weights with large gradients are barely decayed, weights with tiny gradients are
decayed by up to ``lr`` per step. ``AdamW`` decouples it: ``w <- (1 - lr wd) w`` then the
Adam step on the loss alone, so every weight shrinks by the same factor.

This script trains the same MLP (same initial weights, full batch, float64) on
two-moons with each variant and compares the whole parameter trajectories.

Run: ``python examples/weight_decay.py [--quick] [--out DIR]``.
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
from minigrad import nn, optim
from minigrad.data import make_moons

NAME = "weight_decay"
WD = 0.05  # strong enough that the decay visibly shapes the weights within the run
OPTIMIZERS = {"SGD": optim.SGD, "Adam": optim.Adam, "AdamW": optim.AdamW}

# label -> (optimizer, its keyword arguments, coefficient c of c * sum w^2 in the loss)
RUNS = {
    "SGD, no decay": ("SGD", {"lr": 0.1, "momentum": 0.9}, 0.0),
    "SGD(weight_decay=wd)": ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": WD}, 0.0),
    "SGD, loss + wd/2·Σw²": ("SGD", {"lr": 0.1, "momentum": 0.9}, WD / 2),
    "SGD, loss + wd·Σw²": ("SGD", {"lr": 0.1, "momentum": 0.9}, WD),
    "SGD(weight_decay=2·wd)": ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 2 * WD}, 0.0),
    "Adam, no decay": ("Adam", {"lr": 0.01}, 0.0),
    "Adam(weight_decay=wd)": ("Adam", {"lr": 0.01, "weight_decay": WD}, 0.0),
    "Adam, loss + wd/2·Σw²": ("Adam", {"lr": 0.01}, WD / 2),
    "AdamW(weight_decay=wd)": ("AdamW", {"lr": 0.01, "weight_decay": WD}, 0.0),
}
# (a, b, expected): the claim is "the same trajectory" (True) or "a different one" (False)
PAIRS = [
    ("SGD(weight_decay=wd)", "SGD, loss + wd/2·Σw²", True),
    ("SGD(weight_decay=2·wd)", "SGD, loss + wd·Σw²", True),
    ("SGD(weight_decay=wd)", "SGD, loss + wd·Σw²", False),
    ("Adam(weight_decay=wd)", "Adam, loss + wd/2·Σw²", True),
    ("Adam(weight_decay=wd)", "AdamW(weight_decay=wd)", False),
]


def train(
    X: mg.Tensor, y: mg.Tensor, run: tuple, n_steps: int, seed: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Full-batch training from the initial weights drawn with ``seed``.

    Returns the parameter trajectory (``n_steps + 1`` rows, all parameters flattened),
    the data loss at each step, and the final training accuracy.
    """
    name, kwargs, penalty = run
    mg.manual_seed(seed)  # the same initial weights for every run
    model = nn.MLP(2, [16, 16], 1, activation="tanh", dtype=mg.float64)
    params = list(model.parameters())
    opt = OPTIMIZERS[name](params, **kwargs)

    def flat() -> np.ndarray:
        return np.concatenate([p.data.ravel() for p in params])

    trajectory = [flat()]
    data_loss = []
    for _ in range(n_steps):
        opt.zero_grad()
        logits = model(X).reshape(-1)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        data_loss.append(loss.item())
        if penalty:
            loss = loss + penalty * F.l2_penalty(params)
        loss.backward()
        opt.step()
        trajectory.append(flat())
    with mg.no_grad():
        accuracy = float(np.mean((model(X).numpy().reshape(-1) > 0) == (y.numpy() > 0.5)))
    return np.stack(trajectory), np.asarray(data_loss), accuracy


# ----------------------------------------------------------------------------------------
# figures


def draw_differences(out: FigureFolder, diffs: dict[str, np.ndarray], floor: float):
    fig, ax = plt.subplots(figsize=(9, 4.8))
    # identical runs sit on top of each other at the floor: vary the style to see them all
    styles = [("-", 5), ("--", 3), ("-", 1.6), (":", 2.5), ("-", 1.6)]
    for (label, d), (ls, lw) in zip(diffs.items(), styles):
        ax.plot(np.where(d == 0, floor, d), ls=ls, lw=lw, label=label)
    ax.axhline(floor, color="k", lw=0.6)
    ax.text(0, floor * 2, "identical (difference exactly 0)", fontsize=8, va="bottom")
    ax.set_yscale("log")
    ax.set_ylim(floor / 5, None)
    ax.set_xlabel("step")
    ax.set_ylabel("max |θ_a − θ_b| over all parameters")
    ax.set_title("Distance between two training runs from the same initial weights")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    return save_figure(fig, out, f"{NAME}_trajectories.png")


def draw_norms(out: FigureFolder, trajectories: dict[str, np.ndarray]):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.3), sharey=True)
    groups = [
        ("SGD (momentum 0.9)", ["SGD, no decay", "SGD(weight_decay=wd)", "SGD, loss + wd/2·Σw²"]),
        ("Adam", ["Adam, no decay", "Adam(weight_decay=wd)", "AdamW(weight_decay=wd)"]),
    ]
    styles = ["-", "-", "--"]
    for ax, (title, labels) in zip(axes, groups):
        for label, ls in zip(labels, styles):
            ax.plot(np.linalg.norm(trajectories[label], axis=1), ls=ls, lw=2, label=label)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8.5)
    axes[0].set_ylabel("||θ||₂ (all parameters)")
    fig.suptitle(f"Parameter norm during training, wd = {WD}")
    return save_figure(fig, out, f"{NAME}_norms.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    n_steps = 100 if args.quick else 500
    X_np, y_np = make_moons(200, noise=0.2, seed=args.seed)
    X, y = mg.tensor(X_np), mg.tensor(y_np.astype(np.float64))

    trajectories, losses, accuracy = {}, {}, {}
    for label, run in RUNS.items():
        trajectories[label], losses[label], accuracy[label] = train(X, y, run, n_steps, args.seed)

    diffs, pairs = {}, []
    for a, b, expected in PAIRS:
        d = np.max(np.abs(trajectories[a] - trajectories[b]), axis=1)
        diffs[f"{a}  vs  {b}"] = d
        pairs.append(
            {
                "a": a,
                "b": b,
                "expected_same": expected,
                "max_diff": float(d.max()),
                "final_diff": float(d[-1]),
            }
        )
    print_table(
        f"two-moons MLP 2-16-16-1 (tanh), float64, full batch, {n_steps} steps, wd = {WD}",
        ["run a", "run b", "claim", "max over steps of max |θa − θb|"],
        [
            [p["a"], p["b"], "same" if p["expected_same"] else "different", p["max_diff"]]
            for p in pairs
        ],
    )
    print_table(
        "each run at the end",
        ["run", "data loss", "||θ||₂", "train accuracy"],
        [
            [
                label,
                float(losses[label][-1]),
                float(np.linalg.norm(trajectories[label][-1])),
                accuracy[label],
            ]
            for label in RUNS
        ],
    )

    figures = [
        draw_differences(args.figures, diffs, floor=1e-18),
        draw_norms(args.figures, trajectories),
    ]
    results = {
        "wd": WD,
        "n_steps": n_steps,
        "pairs": pairs,
        "final_loss": {label: float(v[-1]) for label, v in losses.items()},
        "final_norm": {label: float(np.linalg.norm(t[-1])) for label, t in trajectories.items()},
        "accuracy": accuracy,
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
