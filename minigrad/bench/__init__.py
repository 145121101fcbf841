"""Benchmarks: minigrad against a hand-written numpy floor and (optionally) PyTorch.

``python -m minigrad.bench`` (or ``minigrad bench``) runs every workload in every
available engine, each (engine, workload) pair in its own subprocess with the same
pinned thread count, and prints a markdown table of median milliseconds per training
step with the ratios to the floor.
"""

from .runner import main, run

__all__ = ["main", "run"]
