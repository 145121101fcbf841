"""Benchmarks: minigrad against a hand-written numpy floor and (optionally) PyTorch.

``python -m benchmarks``, from the repository's root (or ``minigrad bench`` in a
checkout), runs every workload in every available engine, each (engine, workload)
pair in its own worker process with the same pinned thread count; the workers take
turns, block by block, and the runner prints a markdown table of median milliseconds
per training step with the ratios to the floor.
"""

from .runner import main, run

__all__ = ["main", "run"]
