"""What each benchmark workload computes, shared by every engine's implementation.

Every engine starts from the same float32 weights and sees the same batches, so the
losses of the first steps must agree: that is how the hand-written numpy floor is
validated against minigrad (and PyTorch). Plain numpy only: the workloads must not
depend on the minigrad being measured (two checkouts may be timed in one run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple  # layer widths, input first
    batch: int
    description: str
    steps: int  # timed steps per repetition


MICRO = Workload(
    "micro",
    (2, 16, 16, 1),
    100,
    "2-16-16-1 MLP, 100 two-moons points, SVM loss + L2, full-batch SGD",
    50,
)
MLP = Workload(
    "mlp",
    (784, 256, 256, 10),
    128,
    "784-256-256-10 ReLU, batch 128, cross-entropy + L2, SGD momentum",
    20,
)
REGULARIZED = Workload(
    "regularized",
    (784, 512, 512, 10),
    256,
    "784-512-512-10 Linear-BatchNorm-ReLU-Dropout(0.2), CE + L1, Adam",
    10,
)
WORKLOADS = {w.name: w for w in (MICRO, MLP, REGULARIZED)}

L2_MICRO = 1e-4
L2_MLP = 1e-4
L1_REG = 1e-5
LR_MICRO = 0.05
LR_MLP = 0.01
MOMENTUM = 0.9
LR_ADAM = 1e-3
DROPOUT = 0.2
BN_EPS = 1e-5
BN_MOMENTUM = 0.1
CHAIN_OPS = 200  # the per-op overhead workload: chained elementwise ops on shape (8,)


def initial_weights(sizes: tuple, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer, W of shape (out, in), uniform in +-1/sqrt(in) like nn.Linear."""
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        w = rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, n_out).astype(np.float32)
        layers.append((w, b))
    return layers


def two_moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``minigrad.data.make_moons(n, noise, seed)``, float64 X and 0/1 y:
    two interleaving half circles, shuffled, with Gaussian noise."""
    rng = np.random.default_rng(seed)
    n_outer = n // 2
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n - n_outer)
    x = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n - n_outer, np.int64)])
    order = rng.permutation(n)
    return x[order] + noise * rng.standard_normal(x.shape), y[order]


def batches(w: Workload, seed: int = 1, count: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
    """A fixed pool of (X float32, y) batches that the timed steps cycle through."""
    if w.name == "micro":
        x, y = two_moons(w.batch, noise=0.1, seed=seed)
        return [(x.astype(np.float32), (2 * y - 1).astype(np.float32))]  # labels -1/+1
    rng = np.random.default_rng(seed)
    n_in, n_out = w.sizes[0], w.sizes[-1]
    return [
        (
            rng.standard_normal((w.batch, n_in)).astype(np.float32),
            rng.integers(0, n_out, w.batch).astype(np.int64),
        )
        for _ in range(count)
    ]
