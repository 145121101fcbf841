"""Fixtures shared by the test suite."""

from __future__ import annotations

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
