"""The ``minigrad`` command line: ``train``, ``graph``, ``gradcheck`` and ``bench``.

Bad flags and impossible values end the program with exit code 2 and one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import ACTIVATIONS, DATASETS, NORMS, OPTIMIZERS, TrainConfig


def _hidden(text: str) -> tuple:
    try:
        sizes = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    return sizes


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _model_flags(p: argparse.ArgumentParser) -> None:
    d = TrainConfig()
    p.add_argument("--data", choices=DATASETS, default=d.data, help="built-in data set")
    p.add_argument(
        "--hidden", type=_hidden, default=d.hidden, metavar="16,16", help="hidden layer widths"
    )
    p.add_argument("--activation", choices=ACTIVATIONS, default=d.activation)
    p.add_argument("--dropout", type=float, default=d.dropout, help="dropout probability")
    p.add_argument("--norm", choices=NORMS, default=None, help="normalization layer")
    p.add_argument("--seed", type=int, default=d.seed)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit code 2)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="minigrad", description="A readable autodiff engine and its regularization lab."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    d = TrainConfig()
    train = sub.add_parser("train", help="train a regularized MLP on a built-in data set")
    _model_flags(train)
    train.add_argument("--optimizer", choices=OPTIMIZERS, default=d.optimizer)
    train.add_argument("--lr", type=float, default=d.lr)
    train.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"epochs in all (default {d.epochs}; with --resume: the new total)",
    )
    train.add_argument("--batch-size", type=int, default=d.batch_size)
    train.add_argument("--l1", type=float, default=0.0, help="L1 penalty: + l1 * sum|w|")
    train.add_argument("--l2", type=float, default=0.0, help="L2 penalty: + l2 * sum w^2")
    train.add_argument(
        "--weight-decay",
        type=float,
        default=0.0,
        help="optimizer weight decay (decoupled for adamw, else coupled)",
    )
    train.add_argument(
        "--elastic",
        type=float,
        default=0.0,
        help="elastic-net penalty strength (mix set by --l1-ratio)",
    )
    train.add_argument("--l1-ratio", type=float, default=d.l1_ratio)
    train.add_argument(
        "--prox-l1",
        type=float,
        default=0.0,
        help="proximal L1 (soft-threshold) step of SGD: exact zeros",
    )
    train.add_argument(
        "--max-norm", type=float, default=None, help="max L2 norm of each unit's incoming weights"
    )
    train.add_argument("--clip-grad-norm", type=float, default=None)
    train.add_argument("--test-size", type=float, default=d.test_size)
    train.add_argument("--n-samples", type=int, default=d.n_samples, help="moons only")
    train.add_argument("--out", default="runs/latest", help="folder for the run's files")
    train.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        default=None,
        help="continue from a checkpoint.npz (its settings are used)",
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--no-plots", action="store_true", help="skip the PNG and SVG files")

    graph = sub.add_parser("graph", help="draw the computation graph of a model's loss")
    _model_flags(graph)
    graph.add_argument("--batch", type=at_least_one, default=8, help="batch size of the drawn pass")
    graph.add_argument("--collapse", action="store_true", help="one node per module")
    graph.add_argument("--out", default="runs/graph", help="folder for graph.svg/png/dot")

    check = sub.add_parser("gradcheck", help="check every built-in op's gradient")
    check.add_argument(
        "--only", nargs="*", default=None, help="cases to check, or ops (all their cases)"
    )

    # The harness in the repository's benchmarks/ parses its own flags: this parser takes
    # every argument after `bench` as it is (no character starts an option here), so
    # `minigrad bench --reps 3` and `minigrad bench --help` reach it unchanged.
    bench = sub.add_parser(
        "bench",
        help="benchmarks against numpy (and PyTorch), from a checkout of the repository",
        add_help=False,
        prefix_chars="\0",
    )
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "train":
            from .commands import train_command as command
        elif args.command == "graph":
            from .commands import graph_command as command
        elif args.command == "gradcheck":
            from .commands import gradcheck_command as command
        else:
            from .commands import bench_command as command
        return command(args)
    except ModuleNotFoundError as err:
        print(
            f"minigrad {args.command}: error: {err.name} is not installed; "
            'install the command line\'s extras with: pip install "minigrad[cli]"',
            file=sys.stderr,
        )
        return 2
    except (ValueError, RuntimeError, FloatingPointError, OSError) as err:
        print(f"minigrad {args.command}: error: {err}", file=sys.stderr)
        return 2
