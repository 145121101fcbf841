"""The cost of watching backprop (``viz.replay``): ``python -m benchmarks --replay``.

Two questions, timed in this process (no engine columns: replay is minigrad's alone):

1. What does recording add to a backward pass? ``viz.replay(root)`` against
   ``root.backward(retain_graph=True)`` on the same graph, rebuilt before every
   timed call so that both see a fresh one: the default ``minigrad train`` model on
   a batch of 8, and the per-op chain of the main table (small ops: the worst case
   for anything done per op).
2. What does the page cost? ``viz.replay(...).to_html()`` of the default train
   model on a batch of 8 (what ``minigrad train`` writes into its run folder), with
   the page's size.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import minigrad as mg
from minigrad import viz
from minigrad.cli import train
from minigrad.cli.config import TrainConfig

from . import spec


def default_train_loss() -> tuple[mg.Tensor, object]:
    """The loss of the default ``minigrad train`` model on its first 8 training points."""
    cfg = TrainConfig()
    state = train.new_run(cfg)
    x, y = mg.Tensor(state.ds.X_train[:8]), state.ds.y_train[:8]
    loss = train.data_loss(state.model, state.ds, x, y)
    return loss + train.penalty(cfg, train.linear_weights(state.model)), state.model


def chain_loss() -> tuple[mg.Tensor, None]:
    """The per-op chain of the main table, summed to one number."""
    y = mg.Tensor(np.linspace(-1, 1, 8, dtype=np.float32), requires_grad=True)
    for i in range(spec.CHAIN_OPS):
        y = y * 1.01 if i % 2 == 0 else y.tanh()
    return y.sum(), None


def median_seconds(make: Callable, run: Callable, reps: int) -> float:
    """Median time of ``run(*make())`` over ``reps`` calls; ``make`` is not timed."""
    times = []
    for _ in range(reps):
        made = make()
        start = time.perf_counter()
        run(*made)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def plain_backward(root, model) -> None:
    root.backward(retain_graph=True)


def recording(root, model) -> None:
    viz.replay(root, module=model)


def page(root, model) -> str:
    return viz.replay(root, module=model).to_html()


def measure(reps: int = 15) -> dict:
    """Every number of the table, ``reps`` timed calls each (at least 5)."""
    reps = max(reps, 5)
    results = {}
    for name, make in (("train", default_train_loss), ("chain", chain_loss)):
        plain = median_seconds(make, plain_backward, reps * 4)  # short calls: more of them
        recorded = median_seconds(make, recording, reps * 4)
        results[name] = {"plain_ms": plain * 1e3, "replay_ms": recorded * 1e3}
    results["page_ms"] = median_seconds(default_train_loss, page, reps) * 1e3
    results["page_kb"] = len(page(*default_train_loss()).encode("utf-8")) / 1024
    return results


def table(results: dict) -> str:
    lines = [
        "| replay | plain backward (ms) | viz.replay (ms) | replay / plain |",
        "| --- | --- | --- | --- |",
    ]
    labels = {
        "train": "default `minigrad train` model, batch 8",
        "chain": f"per-op chain, {spec.CHAIN_OPS} ops on (8,)",
    }
    for name, label in labels.items():
        r = results[name]
        ratio = r["replay_ms"] / r["plain_ms"]
        lines.append(f"| {label} | {r['plain_ms']:.3f} | {r['replay_ms']:.3f} | {ratio:.2f}x |")
    lines += [
        "",
        "| page of the default `minigrad train` model, batch 8 | value |",
        "| --- | --- |",
        f"| viz.replay + to_html (ms) | {results['page_ms']:.0f} |",
        f"| page size (KiB) | {results['page_kb']:.0f} |",
    ]
    return "\n".join(lines)
