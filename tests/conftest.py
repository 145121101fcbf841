"""Fixtures shared by the test suite, and the one rule for tests that need Graphviz.

``@pytest.mark.needs_dot`` marks a test that runs Graphviz's ``dot`` program. Where
``dot`` is not on PATH such a test is skipped, with a reason that says so, because
the README calls Graphviz optional; under ``CI=true`` it fails instead, since CI
installs Graphviz and a skipped test there would hide a missing install.
"""

from __future__ import annotations

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs_dot: runs Graphviz's dot program (skipped where dot is missing, "
        "except under CI=true)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("needs_dot") is None or shutil.which("dot") is not None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            "Graphviz's dot program is not on PATH, and CI=true requires every test to "
            "run: install it (apt-get install graphviz; .ci/run does this)",
            pytrace=False,
        )
    pytest.skip("Graphviz's dot program is not on PATH (install graphviz to run this test)")
