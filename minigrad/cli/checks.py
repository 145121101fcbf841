"""The gradient checks run by ``minigrad gradcheck``: every case of the op catalogue
(``minigrad/catalogue.py``), its analytic Jacobian compared with central differences
in float64, in reverse mode and in forward mode (``gradcheck.compare``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import minigrad as mg

from ..catalogue import OPS, Case
from ..gradcheck import compare  # the error table's numbers: not part of the public API


@dataclass(frozen=True)
class CheckResult:
    name: str
    max_abs: float
    max_rel: float
    forward_max_abs: float  # forward mode (jvp) along random directions
    passed: bool  # both modes within tolerance


def registry() -> list[Case]:
    """Every case of every op of the catalogue, in its order."""
    return [case for op in OPS for case in op.cases]


def run_checks(only: list[str] | None = None, seed: int = 0) -> list[CheckResult]:
    """Check every case, or those named in ``only`` (by their own name, or by their
    op's name for all of its cases); inputs drawn from each case's domain with ``seed``."""
    cases = _named(only) if only else registry()
    rng = np.random.default_rng(seed)
    results = []
    for case in cases:
        inputs = [mg.Tensor(a, requires_grad=True) for a in case.arrays(rng)]
        c = compare(case.fn, inputs, check_forward_ad=True)
        passed = c.passed and c.forward_passed
        results.append(CheckResult(case.name, c.max_abs, c.max_rel, c.forward_max_abs, passed))
    return results


def _named(only: list[str]) -> list[Case]:
    unknown = set(only) - {op.name for op in OPS} - {case.name for case in registry()}
    if unknown:
        names = ", ".join(repr(op.name) for op in OPS)
        raise ValueError(
            f"unknown checks {sorted(unknown)}; the ops are {names}, or name one case of "
            "an op as `minigrad gradcheck` prints it (quote a name that has spaces)"
        )
    return [case for op in OPS for case in op.cases if op.name in only or case.name in only]
