"""The ``minigrad`` command line: ``train``, ``graph``, ``gradcheck`` and ``bench``.

Bad flags and impossible values end the program with exit code 2 and one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import minigrad as mg

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
    p.add_argument(
        "--data", choices=DATASETS, default=d.data, help="built-in data set (default: %(default)s)"
    )
    p.add_argument(
        "--hidden",
        type=_hidden,
        default=d.hidden,
        metavar="16,16",
        help=f"hidden layer widths (default: {','.join(map(str, d.hidden))})",
    )
    p.add_argument(
        "--activation",
        choices=ACTIVATIONS,
        default=d.activation,
        help="hidden activation (default: %(default)s)",
    )
    p.add_argument(
        "--dropout",
        type=float,
        default=d.dropout,
        help="dropout probability (default: %(default)s)",
    )
    p.add_argument(
        "--norm", choices=NORMS, default=None, help="normalization layer (default: none)"
    )
    p.add_argument(
        "--seed", type=int, default=d.seed, help="seed of everything random (default: %(default)s)"
    )


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit code 2)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="minigrad", description="A readable autodiff engine and its regularization lab."
    )
    parser.add_argument("--version", action="version", version=f"minigrad {mg.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    d = TrainConfig()
    train = sub.add_parser("train", help="train a regularized MLP on a built-in data set")
    _model_flags(train)
    train.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default=d.optimizer,
        help="optimizer (default: %(default)s)",
    )
    train.add_argument(
        "--lr", type=float, default=d.lr, help="learning rate (default: %(default)s)"
    )
    train.add_argument(
        "--epochs",
        type=int,
        default=None,  # None: not given, which --resume must tell apart from a new total
        help=f"epochs in all (default: {d.epochs}; with --resume: the new total)",
    )
    train.add_argument(
        "--batch-size",
        type=int,
        default=d.batch_size,
        help="examples per step (default: %(default)s)",
    )
    train.add_argument(
        "--l1", type=float, default=0.0, help="L1 penalty: + l1 * sum|w| (default: %(default)s)"
    )
    train.add_argument(
        "--l2", type=float, default=0.0, help="L2 penalty: + l2 * sum w^2 (default: %(default)s)"
    )
    train.add_argument(
        "--weight-decay",
        type=float,
        default=0.0,
        help="optimizer weight decay (decoupled for adamw, else coupled) (default: %(default)s)",
    )
    train.add_argument(
        "--elastic",
        type=float,
        default=0.0,
        help="elastic-net penalty strength (mix set by --l1-ratio) (default: %(default)s)",
    )
    train.add_argument(
        "--l1-ratio",
        type=float,
        default=d.l1_ratio,
        help="L1 share of the elastic-net penalty (default: %(default)s)",
    )
    train.add_argument(
        "--prox-l1",
        type=float,
        default=0.0,
        help="proximal L1 (soft-threshold) step of SGD: exact zeros (default: %(default)s)",
    )
    train.add_argument(
        "--max-norm",
        type=float,
        default=None,
        help="max L2 norm of each unit's incoming weights (default: none)",
    )
    train.add_argument(
        "--clip-grad-norm",
        type=float,
        default=None,
        help="clip the global gradient norm to this (default: none)",
    )
    train.add_argument(
        "--test-size",
        type=float,
        default=d.test_size,
        help="share of the data held out (default: %(default)s)",
    )
    train.add_argument(
        "--n-samples", type=int, default=d.n_samples, help="moons only (default: %(default)s)"
    )
    train.add_argument(
        "--out", default="runs/latest", help="folder for the run's files (default: %(default)s)"
    )
    train.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        default=None,
        help="continue from a checkpoint.npz (its settings are used)",
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--no-plots", action="store_true", help="no figures and no graph")

    graph = sub.add_parser("graph", help="draw the computation graph of a model's loss")
    _model_flags(graph)
    graph.add_argument(
        "--batch",
        type=at_least_one,
        default=8,
        help="batch size of the drawn pass (default: %(default)s)",
    )
    graph.add_argument("--collapse", action="store_true", help="one node per module")
    graph.add_argument(
        "--replay",
        action="store_true",
        help="also write replay.html: a page that steps through the backward pass",
    )
    graph.add_argument(
        "--out", default="runs/graph", help="folder for graph.svg/png/dot (default: %(default)s)"
    )

    check = sub.add_parser("gradcheck", help="check every built-in op's gradient")
    check.add_argument(
        "--only",
        nargs="*",
        default=None,
        metavar="NAME",
        help="cases to check, or ops (all their cases); default: all; quote names with spaces",
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
