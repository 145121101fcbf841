"""The cost of forward mode and of the Jacobian transforms: ``python -m benchmarks
--transforms``.

Timed in this process, one thread for numpy and for PyTorch alike:

1. ``func.jvp`` over the per-op chain of the main table (200 small ops) against the
   plain forward of the same chain (no graph recorded: what carrying a tangent beside
   every value costs), and beside the forward that records the graph and the forward
   plus backward, the reverse-mode way to the same derivative.
2. ``func.jacfwd`` and ``func.jacrev`` of a 64 -> 64 tanh MLP (64 -> 64 -> 64, one
   input vector) against ``torch.func``'s, when PyTorch is installed. torch.func
   batches the 64 basis vectors with ``vmap``; minigrad runs one pass per vector.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import func

from . import spec
from .replay import median_seconds

WIDTH = 64


def chain(x):
    """The per-op chain of the main table: multiply and tanh, in turns."""
    for i in range(spec.CHAIN_OPS):
        x = x * 1.01 if i % 2 == 0 else x.tanh()
    return x


def mlp_weights() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    scale = 1 / np.sqrt(WIDTH)
    return [rng.standard_normal((WIDTH, WIDTH)) * scale, rng.standard_normal(WIDTH) * scale] * 2


def minigrad_mlp():
    w1, b1, w2, b2 = [mg.tensor(w) for w in mlp_weights()]
    return lambda x: ((x @ w1 + b1).tanh() @ w2 + b2).tanh()


def torch_mlp(torch):
    w1, b1, w2, b2 = [torch.tensor(w) for w in mlp_weights()]
    return lambda x: torch.tanh(torch.tanh(x @ w1 + b1) @ w2 + b2)


def measure(reps: int = 15) -> dict:
    """Median milliseconds of every timed call (``reps`` calls each, at least 5)."""
    from threadpoolctl import threadpool_limits

    reps = max(reps, 5)
    x = mg.tensor(np.linspace(-1, 1, 8, dtype=np.float32))
    t = mg.ones_like(x)
    v = mg.tensor(np.linspace(-1, 1, WIDTH))
    f = minigrad_mlp()

    def timed(call) -> float:
        return median_seconds(lambda: (), call, reps) * 1e3

    results = {}
    with threadpool_limits(1):
        results["chain_forward_ms"] = timed(lambda: chain(x))
        results["chain_jvp_ms"] = timed(lambda: func.jvp(chain, (x,), (t,)))
        leaf = mg.tensor(x.data, requires_grad=True)
        results["chain_recorded_ms"] = timed(lambda: chain(leaf))
        results["chain_backward_ms"] = timed(lambda: chain(leaf).backward(t.data))
        results["jacfwd_ms"] = timed(lambda: func.jacfwd(f)(v))
        results["jacrev_ms"] = timed(lambda: func.jacrev(f)(v))
        try:
            import torch
        except ImportError:
            return results
        torch.set_num_threads(1)
        g, tv = torch_mlp(torch), torch.tensor(v.data)
        np.testing.assert_allclose(func.jacrev(f)(v).data, torch.func.jacrev(g)(tv).numpy())
        results["torch_jacfwd_ms"] = timed(lambda: torch.func.jacfwd(g)(tv))
        results["torch_jacrev_ms"] = timed(lambda: torch.func.jacrev(g)(tv))
    return results


def table(results: dict) -> str:
    jvp_ms = results["chain_jvp_ms"]
    lines = [f"per-op chain, {spec.CHAIN_OPS} ops on (8,)", "", "| pass | ms | func.jvp / it |"]
    lines.append("| --- | --- | --- |")
    for key, label in (
        ("chain_forward_ms", "plain forward, no graph"),
        ("chain_recorded_ms", "forward recording the graph"),
        ("chain_backward_ms", "forward + backward (reverse mode)"),
        ("chain_jvp_ms", "func.jvp (forward mode)"),
    ):
        lines.append(f"| {label} | {results[key]:.3f} | {jvp_ms / results[key]:.2f}x |")
    lines += [
        "",
        f"| Jacobian of a {WIDTH} -> {WIDTH} tanh MLP | minigrad (ms) | torch.func (ms) "
        "| minigrad / torch.func |",
        "| --- | --- | --- | --- |",
    ]
    for name in ("jacfwd", "jacrev"):
        ours, theirs = results[f"{name}_ms"], results.get(f"torch_{name}_ms")
        if theirs is None:
            lines.append(f"| {name} | {ours:.3f} | (PyTorch not installed) | |")
        else:
            lines.append(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours / theirs:.2f}x |")
    return "\n".join(lines)
