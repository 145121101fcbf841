"""Toy data sets: two generators and two small real data sets shipped with the package."""

from __future__ import annotations

from importlib import resources

import numpy as np

from minigrad.data._rng import check_count, generator

__all__ = ["load_diabetes", "load_digits", "make_moons", "make_regression"]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: a binary problem no linear model separates.

    Class 0 lies on the upper half of the unit circle, ``(cos t, sin t)``, and class 1 on
    the lower half shifted right and down, ``(1 - cos t, 1/2 - sin t)``, for ``t`` evenly
    spaced in ``[0, pi]`` (``n_samples // 2`` points in class 0, the rest in class 1).
    Gaussian noise of standard deviation ``noise`` is added to every coordinate and the
    rows are shuffled.

    Returns ``X`` float64 of shape ``(n_samples, 2)`` and ``y`` int64 of shape
    ``(n_samples,)`` with values in ``{0, 1}``.
    """
    n_samples = check_count(n_samples, "n_samples", 1)
    noise = float(noise)
    if not noise >= 0 or not np.isfinite(noise):
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    rng = generator(seed)

    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])

    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    if noise > 0:
        X += noise * rng.standard_normal(X.shape)
    return X, y


def make_regression(
    n_samples: int = 100,
    n_features: int = 10,
    n_informative: int = 5,
    noise: float = 0.0,
    seed: int | None = None,
    coef: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sparse linear regression problem: ``y = X w + noise * e``.

    ``X`` and ``e`` are standard normal. ``w`` has exactly ``n_informative`` non-zero
    entries at random positions, each of magnitude uniform in ``[1, 100)`` with a random
    sign (bounded away from zero so that "non-zero" is unambiguous, which is what a Lasso
    is asked to recover); the other features are pure distractors. With ``noise=0``,
    ``y == X @ w`` exactly.

    Returns ``(X, y)``, or ``(X, y, w)`` when ``coef=True``; all float64, shapes
    ``(n_samples, n_features)``, ``(n_samples,)``, ``(n_features,)``.
    """
    n_samples = check_count(n_samples, "n_samples", 1)
    n_features = check_count(n_features, "n_features", 1)
    n_informative = check_count(n_informative, "n_informative", 0)
    if n_informative > n_features:
        raise ValueError(f"n_informative ({n_informative}) cannot exceed n_features ({n_features})")
    noise = float(noise)
    if not noise >= 0 or not np.isfinite(noise):
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    rng = generator(seed)

    X = rng.standard_normal((n_samples, n_features))
    w = np.zeros(n_features)
    informative = rng.choice(n_features, size=n_informative, replace=False)
    signs = rng.choice([-1.0, 1.0], size=n_informative)
    w[informative] = signs * rng.uniform(1.0, 100.0, size=n_informative)
    y = X @ w
    if noise > 0:
        y += noise * rng.standard_normal(n_samples)
    if coef:
        return X, y, w
    return X, y


def _load_bundled(name: str) -> dict[str, np.ndarray]:
    # importlib.resources also finds the file when the package is installed as a zip/wheel
    with (
        resources.files(__package__).joinpath(name).open("rb") as f,
        np.load(f, allow_pickle=False) as npz,
    ):
        return {key: npz[key] for key in npz.files}


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical handwritten digits, as scikit-learn's ``load_digits``.

    1797 images of 8x8 pixels, each pixel a count in ``0..16``, flattened row by row.
    Returns ``X`` float64 of shape ``(1797, 64)`` and ``y`` int64 of shape ``(1797,)``
    with the digit ``0..9``. Read from ``digits.npz`` inside the package (no network);
    ``X.reshape(-1, 8, 8)`` gives the images.
    """
    arrays = _load_bundled("digits.npz")
    # stored as uint8 (pixels and labels are small counts); widened to the public dtypes
    return arrays["X"].astype(np.float64), arrays["y"].astype(np.int64)


def load_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """The diabetes regression data set (Efron et al. 2004), as scikit-learn's default.

    442 patients, 10 baseline variables (age, sex, bmi, bp, s1..s6), each column centered
    and scaled to unit sum of squares (``sum_i x_ij = 0``, ``sum_i x_ij^2 = 1``); the
    target is a measure of disease progression one year later. Returns ``X`` float64 of
    shape ``(442, 10)`` and ``y`` float64 of shape ``(442,)``. Read from ``diabetes.npz``
    inside the package (no network).
    """
    arrays = _load_bundled("diabetes.npz")
    # the targets are whole numbers 25..346, stored as uint16
    return arrays["X"].astype(np.float64), arrays["y"].astype(np.float64)
