"""Run the benchmark workers and print the table (see the package docstring)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np

from . import spec

ROWS = [*spec.WORKLOADS, "perop", "chain"]
LABELS = {
    "micro": "micro: 2-16-16-1, SVM + L2, SGD (ms/step)",
    "mlp": "mlp: 784-256-256-10, CE + L2, SGD momentum (ms/step)",
    "regularized": "regularized: 784-512-512-10 BN+dropout, CE + L1, Adam (ms/step)",
    "perop": f"per-op overhead: {spec.CHAIN_OPS} chained ops on (8,), fwd+bwd (us/op)",
    "chain": "100,000-op chain, forward + backward (ms)",
}


def _measure(engine: str, workload: str, reps: int, threads: int, pin_malloc: bool) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    # glibc hands large freed arrays back to the kernel and faults them in again on
    # the next step; how often depends on each engine's allocation order, not on its
    # arithmetic. Keeping freed memory in the process (same settings for every
    # engine) measures the arithmetic; --system-malloc measures the default.
    if pin_malloc:
        env.setdefault("MALLOC_MMAP_THRESHOLD_", str(32 * 2**20))
        env.setdefault("MALLOC_TRIM_THRESHOLD_", str(256 * 2**20))
    cmd = [
        sys.executable,
        "-m",
        "minigrad.bench.worker",
        engine,
        workload,
        "--reps",
        str(reps),
        "--threads",
        str(threads),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark {engine}/{workload} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_of_rounds(rounds: list[dict]) -> dict:
    """Each number's median over the rounds, and its value in every round under
    ``"per_round"`` (the ratios are taken round by round); the first round's losses."""
    merged = dict(rounds[0])
    merged["per_round"] = {}
    for key, value in rounds[0].items():
        if isinstance(value, (int, float)):
            values = [r[key] for r in rounds]
            merged[key] = float(np.median(values))
            merged["per_round"][key] = values
    return merged


def ratio(results: dict, key: str, engine: str, reference: str) -> float:
    """Median over the rounds of engine / reference, each round's pair measured back to
    back: steadier than the ratio of medians on a machine whose speed drifts."""
    a = results[engine]["per_round"][key]
    b = results[reference]["per_round"][key]
    return float(np.median([x / y for x, y in zip(a, b)]))


def run(
    workloads=None,
    engines=None,
    reps: int = 7,
    threads: int = 1,
    rounds: int = 3,
    pin_malloc: bool = True,
) -> dict:
    """Measure every (workload, engine) pair; returns {workload: {engine: result}}.

    The engines take turns, ``rounds`` times, each turn in a fresh process: a burst of
    load on a shared machine then hits every engine alike instead of one of them.
    """
    if engines is None:
        engines = ["numpy", "minigrad"]
        if importlib.util.find_spec("torch") is not None:
            engines.append("torch")
    results = {}
    for workload in workloads or ROWS:
        turns: dict = {e: [] for e in engines}
        for _ in range(rounds):
            for e in engines:
                turns[e].append(_measure(e, workload, reps, threads, pin_malloc))
        results[workload] = {e: _median_of_rounds(turns[e]) for e in engines}
        losses = {e: r["losses"] for e, r in results[workload].items() if "losses" in r}
        if "numpy" in losses:
            for e, ls in losses.items():
                if not np.allclose(ls, losses["numpy"], rtol=1e-4, atol=1e-5):
                    raise RuntimeError(
                        f"{workload}: {e} losses {ls} differ from the numpy floor's "
                        f"{losses['numpy']}: the workloads do not compute the same thing"
                    )
    return results


def table(results: dict) -> str:
    engines = list(next(iter(results.values())))
    head = "| workload | " + " | ".join(engines)
    head += " | minigrad / floor" + (" | minigrad / torch" if "torch" in engines else "") + " |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for workload, per_engine in results.items():
        key = "us_per_op" if workload == "perop" else "median_ms"
        values = {e: per_engine[e][key] for e in engines}
        cells = [f"{values[e]:.3f}" for e in engines]
        cells.append(f"{ratio(per_engine, key, 'minigrad', 'numpy'):.2f}x")
        if "torch" in values:
            cells.append(f"{ratio(per_engine, key, 'minigrad', 'torch'):.2f}x")
        lines.append(f"| {LABELS[workload]} | " + " | ".join(cells) + " |")
    peaks = [(w, r) for w, r in results.items() if "step_peak_kb" in r.get("numpy", {})]
    if peaks:
        lines.append("")
        lines.append("| workload | floor step peak (KiB) | minigrad step peak (KiB) | ratio |")
        lines.append("| --- | --- | --- | --- |")
        for w, r in peaks:
            f, m = r["numpy"]["step_peak_kb"], r["minigrad"]["step_peak_kb"]
            growth = ratio(r, "step_peak_kb", "minigrad", "numpy")
            lines.append(f"| {w} | {f:.0f} | {m:.0f} | {growth:.2f}x |")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's flags, shared by ``python -m minigrad.bench`` and ``minigrad bench``."""
    parser.add_argument("--workloads", nargs="+", choices=ROWS, default=None)
    parser.add_argument("--engines", nargs="+", choices=["numpy", "minigrad", "torch"])
    parser.add_argument("--reps", type=int, default=7, help="repetitions (median reported)")
    parser.add_argument("--threads", type=int, default=1, help="threads for every engine")
    parser.add_argument("--rounds", type=int, default=3, help="turns each engine takes")
    parser.add_argument(
        "--system-malloc",
        action="store_true",
        help="leave glibc's default for returning freed memory",
    )


def run_from_args(args: argparse.Namespace) -> str:
    """Run what the flags ask for; returns the table."""
    results = run(
        args.workloads,
        args.engines,
        args.reps,
        args.threads,
        args.rounds,
        pin_malloc=not args.system_malloc,
    )
    return table(results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="minigrad bench", description=__doc__)
    add_arguments(parser)
    print(run_from_args(parser.parse_args(argv)))
