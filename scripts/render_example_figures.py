"""Regenerate the figures in docs/images/ from full runs of the examples.

    python scripts/render_example_figures.py                 # every example
    python scripts/render_example_figures.py sparsity two_moons

Each example runs in full mode (the sizes whose numbers the docs quote) with its output
in ``examples/out/<name>/``; its PNG figures, already named ``<name>_<figure>.png``, are
then copied into ``docs/images/``. The printed tables are saved beside them as
``examples/out/<name>/<name>.txt`` (and the numbers as ``<name>_results.json``), which
is where the numbers in the docs pages come from.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IMAGES = ROOT / "docs" / "images"


def available() -> list[str]:
    """Every example script (files starting with ``_`` are helpers; quickstart has no
    figures)."""
    return sorted(
        p.stem
        for p in EXAMPLES.glob("*.py")
        if not p.stem.startswith("_") and p.stem != "quickstart"
    )


def run_example(name: str, out: Path) -> list[Path]:
    """Run ``examples/<name>.py`` in full mode into ``out``; returns its figures."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            results = module.main(["--out", str(out)])
    finally:
        sys.path.remove(str(EXAMPLES))
    (out / f"{name}.txt").write_text(printed.getvalue())
    return [Path(f) for f in results["figures"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="examples to run (default: all)")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"no such example: {', '.join(unknown)} (have: {', '.join(available())})")

    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in names:
        out = EXAMPLES / "out" / name
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        figures = run_example(name, out)
        for figure in figures:
            if not figure.name.startswith(f"{name}_"):
                raise RuntimeError(f"{name} wrote {figure.name}: figures must start with '{name}_'")
            shutil.copyfile(figure, IMAGES / figure.name)
        print(
            f"{name}: {len(figures)} figure(s) -> docs/images/ "
            f"({time.perf_counter() - start:.1f} s; tables in {out.relative_to(ROOT)}/{name}.txt)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
