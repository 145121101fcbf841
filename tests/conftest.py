"""Fixtures shared by the test suite, and the one rule for tests that need a program
that pip cannot install.

``@pytest.mark.needs_dot`` marks a test that runs Graphviz's ``dot`` program,
``@pytest.mark.needs_chromium`` one that drives Debian's Chromium through Playwright
(the replay page in a real browser), and ``@pytest.mark.needs_torch`` one that
compares with ``torch.func`` (PyTorch is large, so not a dev dependency). Where the
program is missing such a test is skipped, with a reason that says so, because the
README calls them optional; under ``CI=true`` it fails instead, since CI installs
them (``.ci/run``) and a skipped test there would hide a missing install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable

import numpy as np
import pytest

import minigrad as mg


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator, so that every test sees the same numbers."""
    return np.random.default_rng(0)


@pytest.fixture
def leaf(rng: np.random.Generator) -> Callable[..., mg.Tensor]:
    """``leaf(2, 3)``: a float64 Tensor of standard normals that requires grad."""

    def make(*shape: int) -> mg.Tensor:
        return mg.tensor(rng.standard_normal(shape), requires_grad=True)

    return make


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    # a test that calls set_default_dtype and then fails must not change the others
    saved = mg.get_default_dtype()
    yield
    mg.set_default_dtype(saved)


CHROMIUM = shutil.which("chromium")  # Debian's package; Playwright never downloads one here


def _playwright_installed() -> bool:
    return importlib.util.find_spec("playwright") is not None


# marker -> (whether the program is there, what is missing, how to install it)
PROGRAMS = {
    "needs_dot": (
        lambda: shutil.which("dot") is not None,
        "Graphviz's dot program is not on PATH",
        "apt-get install graphviz",
    ),
    "needs_chromium": (
        lambda: CHROMIUM is not None and _playwright_installed(),
        "Chromium (apt's chromium, on PATH) or the playwright package is missing",
        "apt-get install chromium; pip install playwright",
    ),
    # not a program, but the same rule: the transforms are checked against torch.func
    "needs_torch": (
        lambda: importlib.util.find_spec("torch") is not None,
        "PyTorch is not installed",
        "pip install torch==2.13.0, the CPU build",
    ),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs_dot: runs Graphviz's dot program (skipped where dot is missing, "
        "except under CI=true)",
    )
    config.addinivalue_line(
        "markers",
        "needs_chromium: drives Chromium through Playwright (skipped where either is "
        "missing, except under CI=true)",
    )
    config.addinivalue_line(
        "markers",
        "needs_torch: compares with PyTorch (skipped where torch is missing, except under CI=true)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (present, missing, install) in PROGRAMS.items():
        if item.get_closest_marker(marker) is None or present():
            continue
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"{missing}, and CI=true requires every test to run: install it "
                f"({install}; .ci/run does this)",
                pytrace=False,
            )
        pytest.skip(f"{missing} (install it to run this test: {install})")
