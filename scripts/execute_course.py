"""Execute the course's notebooks in place, so the outputs they are committed with are fresh.

    python scripts/execute_course.py                                  # every docs/course/*.ipynb
    python scripts/execute_course.py docs/course/03_subgradients.ipynb

Each notebook runs top to bottom on the ``python3`` Jupyter kernel, as a learner runs it:
in its own folder, ``docs/course/`` (where ``from checkers.lesson1 import ...`` finds the
checkers), with this checkout first on ``PYTHONPATH`` (so the outputs are those of this
minigrad, whatever ``pip install -e`` points at) and matplotlib's inline backend (any
``MPLBACKEND`` of the calling shell is dropped: figures must reach the notebook as PNGs).
It prints each notebook's run time and its slowest cell. ``tests/test_course.py`` runs
the same ``execute`` and holds the budgets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "docs" / "course"
KERNEL = "python3"


def kernel_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def execute(path: Path, cell_timeout: float = 600) -> tuple[nbformat.NotebookNode, list[float]]:
    """Run the notebook at ``path`` top to bottom; return it with its new outputs and the
    seconds each cell took (0 for markdown cells). A cell that raises stops the run with
    ``nbclient.exceptions.CellExecutionError``; one slower than ``cell_timeout`` with
    ``CellTimeoutError``. The file itself is not written."""
    notebook = nbformat.read(path, as_version=4)
    seconds = [0.0] * len(notebook.cells)
    started: dict[int, float] = {}

    def on_cell_start(cell, cell_index):
        started[cell_index] = time.perf_counter()

    def on_cell_executed(cell, cell_index, execute_reply):
        seconds[cell_index] = time.perf_counter() - started[cell_index]

    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=cell_timeout,
        resources={"metadata": {"path": str(path.parent)}},  # the kernel's working folder
        record_timing=False,  # no timestamps in the committed file: they would change each run
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    client.execute(env=kernel_environment())
    return notebook, seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: docs/course/*.ipynb")
    paths = parser.parse_args(argv).notebooks or sorted(COURSE.glob("*.ipynb"))
    for path in paths:
        notebook, seconds = execute(path)
        nbformat.write(notebook, path)
        slowest = max(range(len(seconds)), key=seconds.__getitem__)
        total = sum(seconds)
        print(f"{path.name}: {total:.1f} s (slowest: cell {slowest}, {seconds[slowest]:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
