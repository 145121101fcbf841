"""Measure one (engine, workload) pair in this process and print one JSON line.

Run by ``minigrad.bench.run`` in a fresh subprocess per pair, so that engines never
share a process, a heap or a thread pool.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc

from . import spec
from .engines import make_chain, make_step

CHAIN_LONG = 100_000

# With one thread, the process's CPU time is the cost of the work alone: time spent
# descheduled by a busy neighbour does not count. With more threads CPU time would add
# up the threads, so wall time is used.
_clock = time.process_time


def _time_training(engine: str, workload: str, reps: int, warmup: int) -> dict:
    step = make_step(engine, workload)
    w = spec.WORKLOADS[workload]
    pool = spec.batches(w)
    for i in range(warmup):
        step(pool[i % len(pool)])
    times = []
    for _ in range(reps):
        start = _clock()
        for i in range(w.steps):
            step(pool[i % len(pool)])
        times.append((_clock() - start) / w.steps * 1e3)
    result = {"median_ms": statistics.median(times)}
    if engine != "torch":  # tracemalloc sees numpy's allocations, not torch's
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        step(pool[0])
        result["step_peak_kb"] = (tracemalloc.get_traced_memory()[1] - base) / 1024
        tracemalloc.stop()
    return result


def _time_chain(engine: str, reps: int, n_ops: int) -> dict:
    run = make_chain(engine, n_ops)
    for _ in range(3 if n_ops < 1000 else 1):
        run()
    times = []
    for _ in range(reps):
        start = _clock()
        run()
        times.append(_clock() - start)
    median = statistics.median(times)
    return {"median_ms": median * 1e3, "us_per_op": median / n_ops * 1e6}


def validation_losses(engine: str, workload: str, steps: int = 3) -> list[float]:
    """Losses of the first steps with dropout off (masks cannot match across engines)."""
    step = make_step(engine, workload, dropout=0.0)
    pool = spec.batches(spec.WORKLOADS[workload])
    return [step(pool[i % len(pool)]) for i in range(steps)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m minigrad.bench.worker")
    parser.add_argument("engine", choices=["numpy", "minigrad", "torch"])
    parser.add_argument("workload", choices=[*spec.WORKLOADS, "perop", "chain"])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    global _clock
    _clock = time.process_time if args.threads == 1 else time.perf_counter
    if args.engine == "torch":
        import torch

        torch.set_num_threads(args.threads)
    if args.workload == "perop":
        result = _time_chain(args.engine, args.reps * 10, spec.CHAIN_OPS)
    elif args.workload == "chain":
        result = _time_chain(args.engine, max(1, args.reps // 3), CHAIN_LONG)
    else:
        result = _time_training(args.engine, args.workload, args.reps, args.warmup)
        result["losses"] = validation_losses(args.engine, args.workload)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
