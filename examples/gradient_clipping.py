"""Gradient clipping by norm vs by value, on a network built to explode.

The network is a deep *linear* MLP (``nn.MLP(..., activation='identity')``, 8 hidden
layers of 32) whose weights are initialized at twice the default scale. Each layer then
multiplies signals (forward) and gradients (backward) by roughly the same factor > 1,
so the initial gradient norm is ~150 and plain SGD overshoots: the loss becomes inf/NaN
within a few steps. (With tanh the same initialization does not explode: tanh saturates
and the gradients shrink instead.)

Two fixes, both applied between ``backward()`` and ``step()``:

- ``nn.utils.clip_grad_norm_(params, c)``: if the joint L2 norm ``||g||`` of all
  gradients exceeds ``c``, scale them all by ``c / ||g||``. This is the projection of g
  onto the L2 ball of radius c: the direction is kept, the step length is capped at
  ``lr * c``;
- ``nn.utils.clip_grad_value_(params, c)``: clip every entry into ``[-c, c]``, the
  projection onto the L-inf box. Each coordinate is capped separately, so the direction
  changes whenever some entries are clipped and others are not.

The same two geometries appear in max-norm *weight* constraints (lecture notes 004):
clipping every weight to ``|w_ij| <= c`` is the box, while ``nn.utils.max_norm_`` keeps
each unit's incoming weight vector in the L2 ball ``||w_i|| <= c`` (``torch.renorm``).
The notes call the per-weight version "l1-style"; the constraint ``|w_ij| <= c`` on
every entry bounds the L-inf norm, not the L1 norm.

Run: ``python examples/gradient_clipping.py [--quick] [--out DIR]``.
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
from minigrad.data import make_regression

NAME = "gradient_clipping"
DEPTH, WIDTH, GAIN = 8, 32, 2.0
LR = 0.01
CLIP_NORM = 1.0
CLIP_VALUE = 0.1
MODES = {
    "no clipping": None,
    f"clip_grad_norm_({CLIP_NORM:g})": "norm",
    f"clip_grad_value_({CLIP_VALUE:g})": "value",
}


def exploding_model(seed: int) -> nn.MLP:
    """A deep linear MLP with every weight scaled by ``GAIN`` (same weights per seed)."""
    mg.manual_seed(seed)
    model = nn.MLP(10, [WIDTH] * DEPTH, 1, activation="identity", dtype=mg.float64)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            layer.weight.data *= GAIN
    return model


def gradient_vector(params: list) -> np.ndarray:
    return np.concatenate([p.grad.ravel() for p in params])


def train(X: mg.Tensor, y: mg.Tensor, mode: str | None, n_steps: int, seed: int) -> dict:
    """SGD on the MSE; records the loss, the gradient norm before clipping, and the
    cosine between the clipped and the raw gradient. Stops at the first non-finite
    loss (an exploded run has nothing more to show)."""
    model = exploding_model(seed)
    params = list(model.parameters())
    opt = optim.SGD(params, lr=LR)
    losses, norms, cosines = [], [], []
    # the unclipped run overflows on purpose: no warning per step
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            opt.zero_grad()
            loss = F.mse_loss(model(X).reshape(-1), y)
            losses.append(loss.item())
            if not np.isfinite(losses[-1]):
                break
            loss.backward()
            raw = gradient_vector(params)
            norms.append(float(np.linalg.norm(raw)))
            if mode == "norm":
                nn.utils.clip_grad_norm_(params, CLIP_NORM)
            elif mode == "value":
                nn.utils.clip_grad_value_(params, CLIP_VALUE)
            clipped = gradient_vector(params)
            cosines.append(float(raw @ clipped / (np.linalg.norm(raw) * np.linalg.norm(clipped))))
            opt.step()
    finite = np.isfinite(losses)
    return {
        "losses": np.asarray(losses),
        "grad_norms": np.asarray(norms),
        "cosines": np.asarray(cosines),
        "diverged": not bool(finite.all()),
        "steps_run": len(losses),
        "first_nonfinite_step": None if finite.all() else int(np.argmin(finite)),
        "final_loss": float(losses[-1]),
        "max_grad_norm": float(np.max(norms)) if norms else float("nan"),
    }


# ----------------------------------------------------------------------------------------
# the geometry of the two clippings, and of max-norm weight constraints


def clip_by_norm(v: np.ndarray, c: float) -> np.ndarray:
    """Projection onto ``{||v||_2 <= c}``: what clip_grad_norm_ and max_norm_ do."""
    norm = np.linalg.norm(v)
    return v if norm <= c else v * (c / norm)


def clip_by_value(v: np.ndarray, c: float) -> np.ndarray:
    """Projection onto ``{||v||_inf <= c}``: what clip_grad_value_ does."""
    return np.clip(v, -c, c)


def max_norm_comparison(rng: np.random.Generator, c: float) -> dict:
    """A Linear weight (16 units x 64 inputs) with rows of norm 1 to 4, constrained to
    radius ``c`` two ways: per-unit L2 ball (``nn.utils.max_norm_``) and per-weight
    clipping ``|w_ij| <= c / sqrt(64)`` (the largest box inside the ball of radius c:
    its corners have norm c)."""
    W = rng.standard_normal((16, 64))
    W *= (rng.uniform(1, 4, 16) / np.linalg.norm(W, axis=1))[:, None]
    renormed = mg.tensor(W.copy())
    nn.utils.max_norm_(renormed, c)
    per_weight = np.clip(W, -c / 8, c / 8)

    def cosines(V):
        return np.sum(V * W, axis=1) / (np.linalg.norm(V, axis=1) * np.linalg.norm(W, axis=1))

    return {
        "renorm_max_row_norm": float(np.linalg.norm(renormed.numpy(), axis=1).max()),
        "renorm_min_cosine": float(cosines(renormed.numpy()).min()),
        "clip_max_row_norm": float(np.linalg.norm(per_weight, axis=1).max()),
        "clip_min_cosine": float(cosines(per_weight).min()),
    }


# ----------------------------------------------------------------------------------------
# figures


def draw_training(out: FigureFolder, runs: dict):
    """Loss and raw gradient norm per step. The y ranges are capped so that the clipped
    runs stay readable; the unclipped run leaves the top within a few steps."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5))
    for label, r in runs.items():
        shown = np.where(np.isfinite(r["losses"]), r["losses"], np.nan)
        ax1.plot(np.arange(len(shown)), shown, lw=1.8, label=label)
        ax2.plot(np.arange(len(r["grad_norms"])), r["grad_norms"], lw=1.8, label=label)
        if r["diverged"]:
            step = r["first_nonfinite_step"]
            for ax, what in ((ax1, "loss"), (ax2, "||g||")):
                ax.annotate(
                    f"{label}: off the chart at once,\n{what} = {r['max_grad_norm']:.1e} at "
                    f"step {step - 1}, NaN at step {step}"
                    if what == "||g||"
                    else f"{label}: off the chart at once,\nloss = {r['losses'][step]} "
                    f"at step {step}",
                    (step, 0.97),
                    xycoords=("data", "axes fraction"),
                    xytext=(10, 0),
                    textcoords="offset points",
                    fontsize=8.5,
                    color="tab:blue",
                    va="top",
                )
    ax1.set_ylim(1e-3, 1e4)
    ax1.set_title("training loss (MSE)")
    ax2.set_ylim(1e-2, 1e6)
    ax2.axhline(CLIP_NORM, color="0.4", ls="--", lw=1, label=f"clip threshold {CLIP_NORM:g}")
    ax2.set_title("gradient norm ||g||₂ before clipping")
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_xlabel("SGD step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="center right")
    fig.suptitle(f"Deep linear MLP ({DEPTH} x {WIDTH}, weights x{GAIN:g}), SGD lr = {LR:g}", y=1.02)
    return save_figure(fig, out, f"{NAME}_training.png")


def draw_geometry(out: FigureFolder, c: float):
    """Three gradients clipped by norm (onto the circle) and by value (onto the box)."""
    vectors = [np.array([3.0, 0.6]), np.array([0.4, 2.6]), np.array([-2.2, 1.4])]
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    titles = [
        "clip by norm: projection onto the L2 ball\n(clip_grad_norm_, max_norm_): direction kept",
        "clip by value: projection onto the L-inf box\n(clip_grad_value_): direction changes",
    ]
    for ax, title, clip in zip(axes, titles, (clip_by_norm, clip_by_value)):
        if clip is clip_by_norm:
            ax.add_patch(plt.Circle((0, 0), c, color="tab:blue", alpha=0.2))
        else:
            ax.add_patch(plt.Rectangle((-c, -c), 2 * c, 2 * c, color="tab:orange", alpha=0.25))
        for v in vectors:
            p = clip(v, c)
            cos = v @ p / (np.linalg.norm(v) * np.linalg.norm(p))
            ax.annotate("", v, (0, 0), arrowprops={"arrowstyle": "->", "color": "0.6", "lw": 1.2})
            ax.annotate("", p, (0, 0), arrowprops={"arrowstyle": "->", "color": "k", "lw": 2})
            ax.plot(*zip(v, p), ls=":", color="0.5", lw=1)
            ax.text(*(v * 1.04), f"cos = {cos:.3f}", fontsize=8.5)
        ax.plot([], [], color="0.6", label="raw gradient g")
        ax.plot([], [], color="k", lw=2, label="clipped")
        ax.set_xlim(-3, 4)
        ax.set_ylim(-1.5, 3.2)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.7", lw=0.6)
        ax.axvline(0, color="0.7", lw=0.6)
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8.5, loc="lower right")
    return save_figure(fig, out, f"{NAME}_geometry.png")


# ----------------------------------------------------------------------------------------


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    n_steps = 60 if args.quick else 300
    X_np, y_np = make_regression(256, 10, noise=1.0, seed=args.seed)
    y_np = (y_np - y_np.mean()) / y_np.std()
    X, y = mg.tensor(X_np), mg.tensor(y_np)

    runs = {label: train(X, y, mode, n_steps, args.seed) for label, mode in MODES.items()}
    rows = []
    for label, r in runs.items():
        rows.append(
            [
                label,
                r["steps_run"],
                r["losses"][0],
                r["final_loss"],
                f"yes, step {r['first_nonfinite_step']}" if r["diverged"] else "no",
                r["max_grad_norm"],
                float(np.median(r["cosines"])) if len(r["cosines"]) else float("nan"),
            ]
        )
    print_table(
        f"deep linear MLP 10-{DEPTH}x{WIDTH}-1, weights x{GAIN:g}, SGD lr {LR:g}, "
        f"up to {n_steps} steps",
        [
            "run",
            "steps",
            "first loss",
            "last loss",
            "diverged",
            "max ||g|| (raw)",
            "median cos(clipped, raw)",
        ],
        rows,
    )

    constraint = max_norm_comparison(np.random.default_rng(args.seed), c=1.0)
    print_table(
        "max-norm constraints on a 16 x 64 weight with unit norms 1..4, radius c = 1",
        ["constraint", "max unit ||w_i||", "min cos(new w_i, old w_i)"],
        [
            [
                "per-unit L2 ball (nn.utils.max_norm_)",
                constraint["renorm_max_row_norm"],
                constraint["renorm_min_cosine"],
            ],
            [
                "per-weight clip |w_ij| <= c/sqrt(64)",
                constraint["clip_max_row_norm"],
                constraint["clip_min_cosine"],
            ],
        ],
    )

    figures = [draw_training(args.figures, runs), draw_geometry(args.figures, 1.0)]
    results = {
        "runs": {
            label: {k: v for k, v in r.items() if k not in ("losses", "grad_norms", "cosines")}
            | {
                "median_cosine": float(np.median(r["cosines"])) if len(r["cosines"]) else None,
                "all_losses_finite": bool(np.isfinite(r["losses"]).all()),
            }
            for label, r in runs.items()
        },
        "modes": {label: mode for label, mode in MODES.items()},
        "max_norm": constraint,
        "figures": figures,
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
