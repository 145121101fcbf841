"""Forward mode against reverse mode: which one builds a Jacobian faster?

For ``f: R^n -> R^m`` the Jacobian has m rows and n columns.

- ``func.jacfwd`` pushes one tangent through ``f`` per *input* direction: n passes,
  each giving a column ``J e_j`` (a forward pass that carries tangents).
- ``func.jacrev`` pulls one cotangent back through ``f`` per *output*: m passes, each
  giving a row ``e_i^T J`` (a backward pass over the recorded graph).

So forward mode should win when the Jacobian is tall (n < m) and reverse mode when it
is wide (n > m), above all for a loss (m = 1): one backward pass gives the whole
gradient. This script times both on ``f(x) = tanh(W2 tanh(W1 x))`` (W1: h x n, W2: m x h)
over a grid of n and m, checks that the two Jacobians agree, and draws where the
crossover lies.

Run: ``python examples/forward_vs_reverse.py [--quick] [--out DIR]``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from _common import (
    make_parser,
    parse_args,
    plt,
    print_table,
    save_figure,
    single_threaded_blas,
    write_results,
)

import minigrad as mg
from minigrad import func

NAME = "forward_vs_reverse"
HIDDEN = 16


def network(n: int, m: int, rng: np.random.Generator):
    """``x -> tanh(W2 tanh(W1 x))``, from R^n to R^m, with fixed random weights."""
    w1 = mg.tensor(rng.standard_normal((HIDDEN, n)) / np.sqrt(n))
    w2 = mg.tensor(rng.standard_normal((m, HIDDEN)) / np.sqrt(HIDDEN))
    return lambda x: (w2 @ (w1 @ x).tanh()).tanh()


def median_ms(call, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def time_grid(sizes: Sequence[int], reps: int, rng: np.random.Generator) -> dict:
    """Median times of jacfwd and jacrev for every (n, m), and the largest difference
    between the two Jacobians."""
    forward = np.zeros((len(sizes), len(sizes)))  # [row: n, column: m]
    reverse = np.zeros_like(forward)
    worst = 0.0
    for i, n in enumerate(sizes):
        for j, m in enumerate(sizes):
            f = network(n, m, rng)
            x = mg.tensor(rng.standard_normal(n))
            by_columns, by_rows = func.jacfwd(f)(x), func.jacrev(f)(x)
            worst = max(worst, float(np.max(np.abs(by_columns.data - by_rows.data))))
            forward[i, j] = median_ms(lambda: func.jacfwd(f)(x), reps)  # noqa: B023
            reverse[i, j] = median_ms(lambda: func.jacrev(f)(x), reps)  # noqa: B023
    return {"forward_ms": forward, "reverse_ms": reverse, "largest_difference": worst}


def crossover(sizes: Sequence[int], forward: np.ndarray, reverse: np.ndarray) -> dict:
    """For each output size m, the input sizes n at which forward mode was faster."""
    return {
        int(m): [int(n) for i, n in enumerate(sizes) if forward[i, j] < reverse[i, j]]
        for j, m in enumerate(sizes)
    }


def draw(figures, sizes: Sequence[int], forward: np.ndarray, reverse: np.ndarray):
    ratio = np.log2(forward / reverse)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    bound = max(1.0, float(np.max(np.abs(ratio))))
    image = left.imshow(ratio, origin="lower", cmap="coolwarm", vmin=-bound, vmax=bound)
    left.set_xticks(range(len(sizes)), sizes)
    left.set_yticks(range(len(sizes)), sizes)
    left.set_xlabel("m (outputs)")
    left.set_ylabel("n (inputs)")
    left.plot([-0.5, len(sizes) - 0.5], [-0.5, len(sizes) - 0.5], "k--", lw=1, label="n = m")
    left.legend(loc="upper left")
    left.set_title("log2(jacfwd time / jacrev time)\nblue: forward mode faster")
    fig.colorbar(image, ax=left)
    middle = len(sizes) // 2
    m = sizes[middle]
    right.loglog(sizes, forward[:, middle], "o-", label="jacfwd (n passes)")
    right.loglog(sizes, reverse[:, middle], "s-", label="jacrev (m passes)")
    right.axvline(m, color="gray", ls="--", lw=1, label=f"n = m = {m}")
    right.set_xlabel("n (inputs)")
    right.set_ylabel("median time (ms)")
    right.set_title(f"m = {m} outputs: the crossover")
    right.legend()
    fig.tight_layout()
    return save_figure(fig, figures, "forward_vs_reverse_crossover.png")


@single_threaded_blas
def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser(NAME, __doc__.splitlines()[0])
    args = parse_args(parser, argv)
    rng = np.random.default_rng(args.seed)
    sizes = [1, 4, 16] if args.quick else [1, 2, 4, 8, 16, 32, 64]
    reps = 3 if args.quick else 15
    grid = time_grid(sizes, reps, rng)
    forward, reverse = grid["forward_ms"], grid["reverse_ms"]
    print_table(
        "median time of the whole Jacobian (ms), f: R^n -> R^m",
        ["n", "m", "jacfwd", "jacrev", "jacfwd / jacrev"],
        [
            [n, m, forward[i, j], reverse[i, j], forward[i, j] / reverse[i, j]]
            for i, n in enumerate(sizes)
            for j, m in enumerate(sizes)
        ],
        digits=3,
    )
    faster = crossover(sizes, forward, reverse)
    for m, ns in faster.items():
        print(f"m = {m:3d}: forward mode faster for n in {ns}")
    results = {
        "sizes": sizes,
        "forward_ms": forward,
        "reverse_ms": reverse,
        "forward_faster_for": faster,
        "largest_difference": grid["largest_difference"],
        "figures": [draw(args.figures, sizes, forward, reverse)],
    }
    write_results(results, args.out, NAME)
    return results


if __name__ == "__main__":
    main()
