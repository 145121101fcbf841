"""One engine's side of a benchmark: a process that times blocks of work when asked.

``benchmarks.runner.run`` starts one worker per engine and workload, and the workers take
turns: the runner writes ``time`` to each in order, and each answers with the time of
one block (a few training steps, or chain runs) as one JSON line. Every engine thus
has its own process, heap and thread pool, yet the engines are measured block by
block, side by side in time, so a shared machine's drifting speed hits all of them
alike. ``finish`` asks for what is measured once (memory, the first losses) and ends
the worker.

A minigrad worker given ``--minigrad-path DIR`` imports the minigrad of checkout DIR
(put first on ``sys.path``), so that two checkouts can be timed in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from . import spec
from .engines import make_chain, make_step

CHAIN_LONG = 100_000
PEROP_RUNS = 10  # chain runs per per-op block, whose median the block reports

# With one thread, the process's CPU time is the cost of the work alone: time spent
# descheduled by a busy neighbour does not count. With more threads CPU time would add
# up the threads, so wall time is used.
_clock = time.process_time


def _training_block(engine: str, workload: str) -> tuple[Callable[[], float], Callable]:
    """(time one block in ms per step, measure one step's peak allocation in KiB)."""
    step = make_step(engine, workload)
    w = spec.WORKLOADS[workload]
    pool = spec.batches(w)

    def block() -> float:
        start = _clock()
        for i in range(w.steps):
            step(pool[i % len(pool)])
        return (_clock() - start) / w.steps * 1e3

    def step_peak_kb() -> float:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        step(pool[0])
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        return peak / 1024

    return block, step_peak_kb


def _chain_block(engine: str, n_ops: int, runs: int, scale: float) -> Callable[[], float]:
    """Time ``runs`` forward + backward passes of the chain; their median in seconds
    times ``scale`` (the row's unit)."""
    run = make_chain(engine, n_ops)

    def block() -> float:
        times = []
        for _ in range(runs):
            start = _clock()
            run()
            times.append(_clock() - start)
        return statistics.median(times) * scale

    return block


def validation_losses(engine: str, workload: str, steps: int = 3) -> list[float]:
    """Losses of the first steps with dropout off (masks cannot match across engines)."""
    step = make_step(engine, workload, dropout=0.0)
    pool = spec.batches(spec.WORKLOADS[workload])
    return [step(pool[i % len(pool)]) for i in range(steps)]


def serve(engine: str, workload: str, warmup: float, commands, reply: Callable) -> None:
    """Warm up for ``warmup`` seconds of work (at least two blocks, one of the long
    chain), so that caches, allocator and interpreter reach their steady state; say
    ``ready``; then answer each command: ``time`` (one block) or ``finish`` (the
    once-only measurements, after which it returns)."""
    step_peak_kb = None
    min_blocks = 2
    if workload == "perop":
        block = _chain_block(engine, spec.CHAIN_OPS, PEROP_RUNS, 1e6 / spec.CHAIN_OPS)  # us/op
    elif workload == "chain":
        block = _chain_block(engine, CHAIN_LONG, 1, 1e3)  # ms
        min_blocks = 1
    else:
        block, step_peak_kb = _training_block(engine, workload)
    start, done = time.perf_counter(), 0
    while done < min_blocks or time.perf_counter() - start < warmup:
        block()
        done += 1
    reply({"ready": True})
    for line in commands:
        command = line.strip()
        if command == "time":
            reply({"value": block()})
        elif command == "finish":
            result = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
            # tracemalloc sees numpy's allocations, not torch's
            if step_peak_kb is not None and engine != "torch":
                result["step_peak_kb"] = step_peak_kb()
            if step_peak_kb is not None:
                result["losses"] = validation_losses(engine, workload)
            if engine == "minigrad":
                result["minigrad_dir"] = str(Path(sys.modules["minigrad"].__file__).parent)
            reply(result)
            return
        else:
            raise ValueError(f"unknown benchmark command {command!r}")


def import_minigrad_from(checkout: str) -> None:
    """Import minigrad from the checkout folder ``checkout``, ahead of any other on the
    path (the current folder, PYTHONPATH, an installed or editable copy)."""
    if "minigrad" in sys.modules:
        raise RuntimeError("minigrad was imported before its checkout could be chosen")
    sys.path.insert(0, checkout)
    import minigrad

    found = Path(minigrad.__file__).resolve()
    if not found.is_relative_to(Path(checkout).resolve()):
        raise RuntimeError(f"asked for the minigrad of {checkout}, imported {found}")


def _print_line(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("engine", choices=["numpy", "minigrad", "torch"])
    parser.add_argument("workload", choices=[*spec.WORKLOADS, "perop", "chain"])
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up work")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--minigrad-path", metavar="DIR", help="the checkout to import minigrad from"
    )
    args = parser.parse_args(argv)
    if args.minigrad_path is not None:
        if args.engine != "minigrad":
            parser.error("--minigrad-path is for the minigrad engine")
        import_minigrad_from(args.minigrad_path)
    global _clock
    _clock = time.process_time if args.threads == 1 else time.perf_counter
    if args.threads == 1 and hasattr(os, "sched_setaffinity"):
        # On one CPU for good (every engine on the same one; they take turns): a
        # process left to wander between the two CPUs of the project's virtual machine
        # ran minigrad's per-op chain at 12-15 us/op in one start out of three, and at
        # 7 us/op whenever it was pinned.
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.engine == "torch":
        import torch

        torch.set_num_threads(args.threads)
    serve(args.engine, args.workload, args.warmup, sys.stdin, _print_line)


if __name__ == "__main__":
    main()
