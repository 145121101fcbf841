"""Run the benchmark workers and print the table (see the package docstring)."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def _worker_env(threads: int, pin_malloc: bool) -> dict:
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
    return env


# The folder that holds this package: the workers run there, so that ``-m
# benchmarks.worker`` finds this very harness wherever the runner was started from.
REPOSITORY = Path(__file__).resolve().parent.parent


def _worker_command(engine: str, workload: str, threads: int, warmup: float) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.worker",
        engine,
        workload,
        "--threads",
        str(threads),
        "--warmup",
        str(warmup),
    ]


class _Worker:
    """One engine's worker process (``worker.py``), asked for one thing at a time."""

    def __init__(self, engine: str, workload: str, options: dict) -> None:
        self.name = f"{engine}/{workload}"
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a pipe could fill up and block
        threads = options["threads"]
        self._proc = subprocess.Popen(
            _worker_command(engine, workload, threads, options["warmup"]),
            env=_worker_env(threads, options["pin_malloc"]),
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._answer()  # {"ready": true} once built and warmed up

    def ask(self, command: str) -> dict:
        try:
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            pass  # the worker has died: _answer reports what it printed
        return self._answer()

    def _answer(self) -> dict:
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait()
            self._stderr.seek(0)
            raise RuntimeError(f"benchmark {self.name} failed:\n{self._stderr.read()}")
        return json.loads(line)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        with contextlib.suppress(BrokenPipeError):  # input left unsent to a worker that died
            self._proc.stdin.close()
        self._proc.stdout.close()
        self._stderr.close()


def _measure_round(workload: str, engines: list[str], turns: int, options: dict) -> dict:
    """One round: a fresh worker per engine, ``turns`` blocks each, taken in turns."""
    workers = {}
    try:
        for e in engines:
            workers[e] = _Worker(e, workload, options)
        values: dict = {e: [] for e in engines}
        for _ in range(turns):
            for e in engines:
                values[e].append(workers[e].ask("time")["value"])
        return {e: {**workers[e].ask("finish"), "blocks": values[e]} for e in engines}
    finally:
        for w in workers.values():
            w.close()


def _merge_rounds(rounds: list[dict]) -> dict:
    """One engine's rounds together: every block's value (in order, so that the blocks
    of two engines pair up), their median, the once-per-round numbers' medians."""
    merged = dict(rounds[0])
    merged["blocks"] = [v for r in rounds for v in r["blocks"]]
    merged["median"] = float(np.median(merged["blocks"]))
    merged["per_round"] = {}
    for key, value in rounds[0].items():
        if isinstance(value, (int, float)):
            values = [r[key] for r in rounds]
            merged[key] = float(np.median(values))
            merged["per_round"][key] = values
    return merged


def ratio(results: dict, key: str, engine: str, reference: str) -> float:
    """Median of engine / reference over pairs measured back to back (``key``
    "blocks": the timed blocks; else a number measured once per round): steadier than
    the ratio of medians on a machine whose speed drifts."""
    a, b = results[engine], results[reference]
    if key == "blocks":
        pairs = zip(a["blocks"], b["blocks"])
    else:
        pairs = zip(a["per_round"][key], b["per_round"][key])
    return float(np.median([x / y for x, y in pairs]))


def run(
    workloads=None,
    engines=None,
    reps: int = 15,
    threads: int = 1,
    rounds: int = 2,
    pin_malloc: bool = True,
    warmup: float = 1.0,
) -> dict:
    """Measure every (workload, engine) pair; returns {workload: {engine: result}}.

    In each of ``rounds`` rounds every engine gets a fresh worker process, which warms
    up for ``warmup`` seconds; then the workers time ``reps`` blocks each, in turns
    (the 100,000-op chain, whose block is one long run, a third as many).
    """
    options = {"threads": threads, "pin_malloc": pin_malloc, "warmup": warmup}
    torch_installed = importlib.util.find_spec("torch") is not None
    if engines is None:
        engines = ["numpy", "minigrad"] + (["torch"] if torch_installed else [])
    _check_engines(engines, torch_installed)
    results = {}
    for workload in workloads or ROWS:
        turns = max(1, reps // 3) if workload == "chain" else reps
        measured = [_measure_round(workload, engines, turns, options) for _ in range(rounds)]
        results[workload] = {e: _merge_rounds([m[e] for m in measured]) for e in engines}
        losses = {e: r["losses"] for e, r in results[workload].items() if "losses" in r}
        if "numpy" in losses:
            for e, ls in losses.items():
                if not np.allclose(ls, losses["numpy"], rtol=1e-4, atol=1e-5):
                    raise RuntimeError(
                        f"{workload}: {e} losses {ls} differ from the numpy floor's "
                        f"{losses['numpy']}: the workloads do not compute the same thing"
                    )
    return results


def _check_engines(engines, torch_installed: bool) -> None:
    """Before any worker starts: the table compares minigrad with the floor."""
    if len(set(engines)) != len(engines):
        raise ValueError(f"engines: each engine once, got {list(engines)}")
    missing = [e for e in ("numpy", "minigrad") if e not in engines]
    if missing:
        raise ValueError(f"engines: the table needs numpy and minigrad; add {', '.join(missing)}")
    if "torch" in engines and not torch_installed:
        raise ValueError("engines: torch is not installed (pip install torch==2.13.0)")


def table(results: dict) -> str:
    engines = list(next(iter(results.values())))
    head = "| workload | " + " | ".join(engines)
    head += " | minigrad / floor" + (" | minigrad / torch" if "torch" in engines else "") + " |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for workload, per_engine in results.items():
        cells = [f"{per_engine[e]['median']:.3f}" for e in engines]
        cells.append(f"{ratio(per_engine, 'blocks', 'minigrad', 'numpy'):.2f}x")
        if "torch" in engines:
            cells.append(f"{ratio(per_engine, 'blocks', 'minigrad', 'torch'):.2f}x")
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


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be at least 0, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's flags."""
    parser.add_argument("--workloads", nargs="+", choices=ROWS, default=None)
    parser.add_argument("--engines", nargs="+", choices=["numpy", "minigrad", "torch"])
    parser.add_argument(
        "--reps",
        type=at_least_one,
        default=15,
        help="timed blocks per engine and round, taken in turns",
    )
    parser.add_argument("--threads", type=at_least_one, default=1, help="threads for every engine")
    parser.add_argument(
        "--rounds", type=at_least_one, default=2, help="rounds, each with fresh worker processes"
    )
    parser.add_argument(
        "--warmup",
        type=non_negative_seconds,
        default=1.0,
        help="seconds of warm-up work per worker",
    )
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
        warmup=args.warmup,
    )
    return table(results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add_arguments(parser)
    print(run_from_args(parser.parse_args(argv)))
