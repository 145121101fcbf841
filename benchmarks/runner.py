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
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

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


class Column(NamedTuple):
    """One engine's column of the table; for minigrad, the checkout to import it from
    (None: the minigrad that ``import minigrad`` finds in the repository's root)."""

    name: str  # "numpy", "torch", "minigrad", or "minigrad@NAME" for a checkout
    engine: str
    minigrad_path: str | None = None


def _worker_command(
    engine: str, workload: str, threads: int, warmup: float, minigrad_path: str | None
) -> list[str]:
    command = [
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
    if minigrad_path is not None:
        command += ["--minigrad-path", minigrad_path]
    return command


class _Worker:
    """One column's worker process (``worker.py``), asked for one thing at a time."""

    def __init__(self, column: Column, workload: str, options: dict) -> None:
        self.name = f"{column.name}/{workload}"
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a pipe could fill up and block
        threads = options["threads"]
        self._proc = subprocess.Popen(
            _worker_command(
                column.engine, workload, threads, options["warmup"], column.minigrad_path
            ),
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


def _measure_round(workload: str, columns: list[Column], turns: int, options: dict) -> dict:
    """One round: a fresh worker per column, ``turns`` blocks each, taken in turns."""
    workers = {}
    try:
        for c in columns:
            workers[c.name] = _Worker(c, workload, options)
        values: dict = {name: [] for name in workers}
        for _ in range(turns):
            for name, worker in workers.items():
                values[name].append(worker.ask("time")["value"])
        return {name: {**w.ask("finish"), "blocks": values[name]} for name, w in workers.items()}
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
    checkouts: Sequence[tuple[str, str]] | None = None,
) -> dict:
    """Measure every (workload, column) pair; returns {workload: {column: result}}.

    The columns are the engines, except that with ``checkouts``, pairs (NAME, DIR),
    minigrad has one column per checkout, ``minigrad@NAME``, whose workers import the
    minigrad of DIR. In each of ``rounds`` rounds every column gets a fresh worker
    process, which warms up for ``warmup`` seconds; then the workers time ``reps``
    blocks each, in turns (the 100,000-op chain, whose block is one long run, a third
    as many).
    """
    options = {"threads": threads, "pin_malloc": pin_malloc, "warmup": warmup}
    torch_installed = importlib.util.find_spec("torch") is not None
    if engines is None:
        engines = ["numpy", "minigrad"] + (["torch"] if torch_installed else [])
    _check_engines(engines, torch_installed)
    columns = _columns(engines, checkouts)
    results = {}
    for workload in workloads or ROWS:
        turns = max(1, reps // 3) if workload == "chain" else reps
        measured = [_measure_round(workload, columns, turns, options) for _ in range(rounds)]
        results[workload] = {c.name: _merge_rounds([m[c.name] for m in measured]) for c in columns}
        losses = {name: r["losses"] for name, r in results[workload].items() if "losses" in r}
        if "numpy" in losses:
            for name, ls in losses.items():
                if not np.allclose(ls, losses["numpy"], rtol=1e-4, atol=1e-5):
                    raise RuntimeError(
                        f"{workload}: {name} losses {ls} differ from the numpy floor's "
                        f"{losses['numpy']}: the workloads do not compute the same thing"
                    )
    return results


def _columns(engines: list[str], checkouts: Sequence[tuple[str, str]] | None) -> list[Column]:
    """The table's columns in the engines' order, minigrad's one per checkout; bad
    checkouts are refused before any worker starts."""
    if not checkouts:
        return [Column(e, e) for e in engines]
    names = [name for name, _ in checkouts]
    if len(set(names)) != len(names):
        raise ValueError(f"compare: each name once, got {names}")
    minigrad_columns = []
    for name, directory in checkouts:
        if not name or any(ch.isspace() or ch in "=|/" for ch in name):
            raise ValueError(f"compare: a name is a word without '=', '|' or '/', got {name!r}")
        package = Path(directory) / "minigrad" / "__init__.py"
        if not package.is_file():
            raise ValueError(
                f"compare: {directory} is not a minigrad checkout (it has no minigrad/__init__.py)"
            )
        minigrad_columns.append(
            Column(f"minigrad@{name}", "minigrad", str(Path(directory).resolve()))
        )
    columns = []
    for e in engines:
        columns += minigrad_columns if e == "minigrad" else [Column(e, e)]
    return columns


def _check_engines(engines, torch_installed: bool) -> None:
    """Before any worker starts: the table compares minigrad with the floor."""
    if len(set(engines)) != len(engines):
        raise ValueError(f"engines: each engine once, got {list(engines)}")
    missing = [e for e in ("numpy", "minigrad") if e not in engines]
    if missing:
        raise ValueError(f"engines: the table needs numpy and minigrad; add {', '.join(missing)}")
    if "torch" in engines and not torch_installed:
        raise ValueError("engines: torch is not installed (pip install torch==2.13.0)")


def _ratio_name(column: str) -> str:
    """A column's name in the ratio headers: the floor, or ``after`` for ``minigrad@after``."""
    if column == "numpy":
        return "floor"
    return column.split("@", 1)[1] if "@" in column else column


def _ratio_columns(columns: list[str]) -> list[tuple[str, str, str]]:
    """(header, column, reference) of every ratio the table shows: each minigrad column
    against the floor, against PyTorch, and each later checkout against the first."""
    minigrads = [c for c in columns if c.startswith("minigrad")]
    pairs = [(m, "numpy") for m in minigrads]
    if "torch" in columns:
        pairs += [(m, "torch") for m in minigrads]
    pairs += [(m, minigrads[0]) for m in minigrads[1:]]
    return [(f"{_ratio_name(m)} / {_ratio_name(r)}", m, r) for m, r in pairs]


def _describe_checkout(package_dir: str) -> str:
    """``/path/minigrad (8eabf03)``: where a column's minigrad came from, and its commit
    when it is a git checkout (marked when minigrad/ has uncommitted changes)."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(Path(package_dir).parent), *args], capture_output=True, text=True
            )
        except OSError:  # no git on this machine
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return package_dir
    changed = " + uncommitted changes" if git("status", "--porcelain", "--", "minigrad") else ""
    return f"{package_dir} ({commit}{changed})"


def table(results: dict) -> str:
    columns = list(next(iter(results.values())))
    ratios = _ratio_columns(columns)
    head = "| workload | " + " | ".join(columns + [h for h, _, _ in ratios]) + " |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for workload, per_column in results.items():
        cells = [f"{per_column[c]['median']:.3f}" for c in columns]
        cells += [f"{ratio(per_column, 'blocks', c, r):.2f}x" for _, c, r in ratios]
        lines.append(f"| {LABELS[workload]} | " + " | ".join(cells) + " |")
    peaks = [(w, r) for w, r in results.items() if "step_peak_kb" in r.get("numpy", {})]
    minigrads = [c for c in columns if c.startswith("minigrad")]
    if peaks:
        head = "| workload | floor step peak (KiB) | "
        head += " | ".join([f"{m} step peak (KiB)" for m in minigrads])
        head += " | " + " | ".join(f"{_ratio_name(m)} / floor" for m in minigrads) + " |"
        lines += ["", head, "|" + " --- |" * (head.count("|") - 1)]
        for w, r in peaks:
            cells = [f"{r[c]['step_peak_kb']:.0f}" for c in ["numpy", *minigrads]]
            cells += [f"{ratio(r, 'step_peak_kb', m, 'numpy'):.2f}x" for m in minigrads]
            lines.append(f"| {w} | " + " | ".join(cells) + " |")
    first = next(iter(results.values()))
    lines.append("")
    for m in minigrads:
        if "minigrad_dir" in first[m]:
            lines.append(f"- {m}: {_describe_checkout(first[m]['minigrad_dir'])}")
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


def checkout(text: str) -> tuple[str, str]:
    """``NAME=DIR`` of ``--compare``: (NAME, DIR); the runner checks both."""
    name, equals, directory = text.partition("=")
    if not equals or not name or not directory:
        raise argparse.ArgumentTypeError(f"expected NAME=DIR, got {text!r}")
    return name, directory


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
    parser.add_argument(
        "--replay",
        action="store_true",
        help="time viz.replay instead (recording against a plain backward, and the page "
        "of the default minigrad train model): benchmarks/replay.py",
    )
    parser.add_argument(
        "--transforms",
        action="store_true",
        help="time forward mode and the Jacobian transforms instead (func.jvp over the "
        "per-op chain; jacfwd and jacrev against torch.func): benchmarks/transforms.py",
    )
    parser.add_argument(
        "--compare",
        type=checkout,
        action="append",
        metavar="NAME=DIR",
        help="time the minigrad of checkout DIR as column minigrad@NAME, in turns with the "
        "other columns; repeat for before/after (e.g. --compare before=../old --compare after=.)",
    )


def run_from_args(args: argparse.Namespace) -> str:
    """Run what the flags ask for; returns the table."""
    if args.replay:
        from . import replay  # imports minigrad here, in the runner: the workers do not

        return replay.table(replay.measure(args.reps))
    if args.transforms:
        from . import transforms

        return transforms.table(transforms.measure(args.reps))
    results = run(
        args.workloads,
        args.engines,
        args.reps,
        args.threads,
        args.rounds,
        pin_malloc=not args.system_malloc,
        warmup=args.warmup,
        checkouts=args.compare,
    )
    return table(results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        text = run_from_args(args)
    except ValueError as err:  # options that cannot work together, found before any worker
        parser.error(str(err))
    print(text)
