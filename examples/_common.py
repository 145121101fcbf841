"""Plumbing shared by the examples: command-line arguments, result tables, figures.

Every example is a script with the same three arguments and the same shape::

    python examples/sparsity.py                 # full run: the numbers quoted in docs/
    python examples/sparsity.py --quick         # a few seconds (what the tests run)
    python examples/sparsity.py --out DIR       # where the PNG figures go

and a ``main(argv=None) -> dict`` that returns its numbers, so that a test can check
the claim directly instead of parsing what was printed. Imported as a plain module
(``from _common import ...``): the examples folder is a folder of scripts, not a package,
and Python puts a script's own folder first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

# headless before pyplot is imported: the examples run on servers and in CI
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from minigrad.cli._threads import one_blas_thread  # noqa: E402

EXAMPLES_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = EXAMPLES_DIR / "out"

__all__ = [
    "DEFAULT_OUT",
    "EXAMPLES_DIR",
    "FigureFolder",
    "fmt",
    "make_parser",
    "parse_args",
    "plt",
    "print_table",
    "save_figure",
    "single_threaded_blas",
    "write_results",
]


def single_threaded_blas(main: Callable[..., dict]) -> Callable[..., dict]:
    """Run ``main`` with the BLAS library limited to one thread, if threadpoolctl is
    there: the examples multiply small matrices thousands of times (see
    ``minigrad.cli._threads.one_blas_thread`` for why and by how much)."""

    @functools.wraps(main)
    def wrapper(*args: Any, **kwargs: Any) -> dict:
        with one_blas_thread():
            return main(*args, **kwargs)

    return wrapper


def make_parser(name: str, description: str) -> argparse.ArgumentParser:
    """An argument parser with the arguments every example takes.

    ``--quick`` (small sizes, a few seconds), ``--out DIR`` (default
    ``examples/out/<name>``) and ``--seed`` (everything random is drawn from it).
    An example adds its own arguments to the returned parser before parsing.
    """
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=description)
    parser.add_argument(
        "--quick", action="store_true", help="small problem sizes: runs in a few seconds"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT / name,
        help=f"folder for the figures (default: examples/out/{name})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv`` (``None``: the command line) and create the output folder.

    Adds ``args.figures``, the ``FigureFolder`` to pass to ``save_figure``.
    """
    args = parser.parse_args(None if argv is None else list(argv))
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} exists and is not a folder")
    args.out.mkdir(parents=True, exist_ok=True)
    args.figures = FigureFolder(args.out, draft=args.quick)
    return args


def fmt(value: Any, digits: int = 4) -> str:
    """One table cell: floats with ``digits`` significant digits, exact zeros as ``0``.

    An exact zero is printed as ``0`` and a tiny non-zero as ``1.2e-17``, never both as
    ``0.0000``: telling them apart is the point of several of the examples.
    """
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == 0.0:
            return "0"
        if not math.isfinite(value):
            return str(value)
        magnitude = abs(value)
        if magnitude >= 1e5 or magnitude < 1e-3:
            return f"{value:.{max(digits - 1, 1)}e}"
        return f"{value:.{digits}g}"
    return str(value)


def print_table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 4
) -> str:
    """Print ``rows`` under ``headers`` as an aligned text table; returns the text.

    Text cells are left-aligned, numbers right-aligned so that their digits line up.
    """
    for i, row in enumerate(rows):
        if len(row) != len(headers):
            raise ValueError(f"row {i} has {len(row)} cells but there are {len(headers)} headers")
    cells = [[fmt(v, digits) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[c]) for r in cells)) for c, h in enumerate(headers)]
    numeric = [
        all(isinstance(row[c], (int, float)) or hasattr(row[c], "dtype") for row in rows)
        for c in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(w) if is_number else v.ljust(w)
            for v, w, is_number in zip(values, widths, numeric)
        ]
        return "  ".join(padded).rstrip()

    text = "\n".join(
        [title, line(list(headers)), line(["-" * w for w in widths]), *map(line, cells)]
    )
    print(text + "\n")
    return text


@dataclass(frozen=True)
class FigureFolder:
    """Where an example's figures go, and how carefully they are rendered.

    ``draft`` (set by ``--quick``) saves at low resolution without the "tight" bounding
    box, which renders every figure twice; it makes saving ~2.5x faster, for the tests,
    which only check that the figures are made. Full runs render for the docs.
    """

    path: Path
    draft: bool = False


def save_figure(fig: Any, folder: FigureFolder, filename: str) -> Path:
    """Save ``fig`` as ``folder.path/filename`` (a PNG), close it, and return the path."""
    if not filename.endswith(".png"):
        raise ValueError(f"figures are PNG files; got the file name {filename!r}")
    path = folder.path / filename
    if folder.draft:
        fig.savefig(path, dpi=40)
    else:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")
    return path


def write_results(results: dict, out_dir: Path, name: str) -> Path:
    """Write the numbers of a run to ``out_dir/<name>_results.json`` (figures as paths).

    numpy scalars and arrays are converted to Python numbers and lists, so the file can
    be read without minigrad or numpy.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        if hasattr(value, "tolist"):  # numpy scalars and arrays
            return value.tolist()
        return value

    path = Path(out_dir) / f"{name}_results.json"
    path.write_text(json.dumps(plain(results), indent=2, allow_nan=True) + "\n")
    return path
