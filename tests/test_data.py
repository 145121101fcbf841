"""Spec for minigrad.data: bundled data sets, generators, splitting and batching."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad.random
from minigrad.core import Tensor
from minigrad.data import (
    DataLoader,
    load_diabetes,
    load_digits,
    make_moons,
    make_regression,
    train_test_split,
)

# ---------------------------------------------------------------------------------------
# bundled data sets


def test_digits_shapes_dtypes_and_values():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))  # pixel values are counts
    np.testing.assert_array_equal(np.unique(y), np.arange(10))


def test_diabetes_shapes_dtypes_and_scaling():
    X, y = load_diabetes()
    assert X.shape == (442, 10) and X.dtype == np.float64
    assert y.shape == (442,) and y.dtype == np.float64
    np.testing.assert_allclose(X.sum(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose((X**2).sum(axis=0), 1.0, rtol=1e-13)


def test_loaders_return_fresh_arrays():
    X, _ = load_digits()
    X[0, 0] = -1.0
    assert load_digits()[0][0, 0] == 0.0


def test_bundled_digits_equal_sklearn_exactly():
    datasets = pytest.importorskip("sklearn.datasets")
    X_ref, y_ref = datasets.load_digits(return_X_y=True)
    X, y = load_digits()
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_bundled_diabetes_equal_sklearn_exactly():
    datasets = pytest.importorskip("sklearn.datasets")
    X_ref, y_ref = datasets.load_diabetes(return_X_y=True)
    X, y = load_diabetes()
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


# ---------------------------------------------------------------------------------------
# generators


@pytest.mark.parametrize("n_samples", [100, 7])
def test_make_moons_shapes_and_balanced_classes(n_samples):
    X, y = make_moons(n_samples, seed=0)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert np.sum(y == 0) == n_samples // 2
    assert np.sum(y == 1) == n_samples - n_samples // 2
    assert not np.array_equal(y, np.sort(y))  # rows are shuffled, not grouped by class


def test_make_moons_without_noise_lies_on_the_two_half_circles():
    X, y = make_moons(50, noise=0.0, seed=1)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_make_moons_noise_has_the_requested_scale():
    X_clean, y_clean = make_moons(4000, noise=0.0, seed=3)
    X, y = make_moons(4000, noise=0.2, seed=3)
    # same seed: same shuffle, so the rows line up and the difference is the noise
    np.testing.assert_array_equal(y, y_clean)
    assert np.std(X - X_clean) == pytest.approx(0.2, rel=0.05)


def test_make_moons_is_deterministic_given_a_seed():
    X1, y1 = make_moons(30, seed=42)
    X2, y2 = make_moons(30, seed=42)
    X3, _ = make_moons(30, seed=43)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_unseeded_generators_follow_minigrads_global_seed():
    minigrad.random.manual_seed(5)
    first = make_moons(20), make_regression(10, 3, 2)
    minigrad.random.manual_seed(5)
    second = make_moons(20), make_regression(10, 3, 2)
    for a, b in zip(first, second, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_make_regression_shapes_and_determinism():
    X, y = make_regression(50, 8, 3, noise=1.0, seed=0)
    assert X.shape == (50, 8) and y.shape == (50,)
    assert X.dtype == y.dtype == np.float64
    X2, y2 = make_regression(50, 8, 3, noise=1.0, seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_make_regression_without_noise_is_exactly_linear_and_sparse():
    X, y, w = make_regression(40, 12, 4, noise=0.0, seed=2, coef=True)
    assert w.shape == (12,) and w.dtype == np.float64
    np.testing.assert_array_equal(y, X @ w)
    assert np.count_nonzero(w) == 4


def test_make_regression_informative_coefficients_are_bounded_away_from_zero():
    _, _, w = make_regression(5, 300, 300, seed=0, coef=True)
    assert np.all((np.abs(w) >= 1) & (np.abs(w) < 100))
    assert np.any(w < 0) and np.any(w > 0)


def test_make_regression_noise_is_the_residual():
    X, y, w = make_regression(5000, 5, 5, noise=3.0, seed=4, coef=True)
    assert np.std(y - X @ w) == pytest.approx(3.0, rel=0.05)


def test_make_regression_rejects_more_informative_features_than_features():
    with pytest.raises(ValueError, match="n_informative"):
        make_regression(10, 3, 4)
    with pytest.raises(ValueError, match="noise"):
        make_regression(10, 3, 2, noise=-1.0)
    with pytest.raises(ValueError, match="n_samples"):
        make_moons(0)


# ---------------------------------------------------------------------------------------
# train_test_split


def rows():
    """Features that name their row, labels that repeat it: pairing is checkable."""
    X = np.arange(40, dtype=np.float64).reshape(20, 2)
    y = np.arange(20, dtype=np.int64)
    return X, y


@pytest.mark.parametrize(("test_size", "n_test"), [(0.25, 5), (0.33, 7), (0.1, 2), (6, 6)])
def test_train_test_split_sizes(test_size, n_test):
    X, y = rows()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=0)
    assert X_test.shape == (n_test, 2) and y_test.shape == (n_test,)
    assert X_train.shape == (20 - n_test, 2) and y_train.shape == (20 - n_test,)


def test_train_test_split_is_a_disjoint_cover_that_keeps_pairs():
    X, y = rows()
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=1)
    assert not set(y_train) & set(y_test)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64


def test_train_test_split_shuffles_deterministically():
    X, y = rows()
    a = train_test_split(X, y, seed=3)
    b = train_test_split(X, y, seed=3)
    c = train_test_split(X, y, seed=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    assert not np.array_equal(np.sort(a[3]), np.arange(15, 20))  # not just the last rows


def test_train_test_split_bad_input():
    X, y = rows()
    for bad in [0.0, 1.0, 1.5, 0, 20, -3]:
        with pytest.raises(ValueError, match="test_size"):
            train_test_split(X, y, test_size=bad)
    with pytest.raises(ValueError, match="different numbers of samples"):
        train_test_split(X, y[:-1])


# ---------------------------------------------------------------------------------------
# DataLoader


def epoch_labels(loader):
    return np.concatenate([yb.data for _, yb in loader])


def test_dataloader_batches_are_tensors_with_the_arrays_dtypes():
    X, y = rows()
    xb, yb = next(iter(DataLoader(X, y, batch_size=8, seed=0)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert xb.shape == (8, 2) and yb.shape == (8,)
    assert xb.dtype == np.float64 and yb.dtype == np.int64
    np.testing.assert_array_equal(xb.data[:, 0], 2 * yb.data)  # pairs kept


@pytest.mark.parametrize(("batch_size", "sizes"), [(8, [8, 8, 4]), (5, [5, 5, 5, 5]), (32, [20])])
def test_dataloader_covers_every_sample_once_per_epoch(batch_size, sizes):
    X, y = rows()
    loader = DataLoader(X, y, batch_size=batch_size, seed=0)
    assert len(loader) == len(sizes) == math.ceil(20 / batch_size)
    for _ in range(3):
        batches = list(loader)
        assert [len(yb.data) for _, yb in batches] == sizes
        np.testing.assert_array_equal(np.sort(epoch_labels(batches)), y)


def test_dataloader_shuffles_each_epoch_reproducibly():
    X, y = rows()
    loader = DataLoader(X, y, batch_size=6, seed=7)
    first, second = epoch_labels(loader), epoch_labels(loader)
    assert not np.array_equal(first, y)
    assert not np.array_equal(first, second)
    replay = DataLoader(X, y, batch_size=6, seed=7)
    np.testing.assert_array_equal(epoch_labels(replay), first)
    np.testing.assert_array_equal(epoch_labels(replay), second)


def test_dataloader_without_shuffle_keeps_the_order():
    X, y = rows()
    loader = DataLoader(X, y, batch_size=6, shuffle=False)
    np.testing.assert_array_equal(epoch_labels(loader), y)
    np.testing.assert_array_equal(epoch_labels(loader), y)


def test_unseeded_dataloader_follows_minigrads_global_seed():
    X, y = rows()
    loader = DataLoader(X, y, batch_size=4)
    minigrad.random.manual_seed(11)
    first = epoch_labels(loader)
    minigrad.random.manual_seed(11)
    np.testing.assert_array_equal(epoch_labels(loader), first)


def test_dataloader_batches_are_copies():
    X, y = rows()
    xb, _ = next(iter(DataLoader(X, y, batch_size=4, shuffle=False)))
    xb.data[:] = -1.0
    assert X.min() == 0.0


def test_dataloader_bad_input():
    X, y = rows()
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(X, y, batch_size=0)
    with pytest.raises(ValueError, match="different numbers of samples"):
        DataLoader(X, y[:5])


def test_dataloader_drop_last_leaves_out_the_short_batch():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    loader = DataLoader(X, y, batch_size=4, shuffle=False, drop_last=True)
    sizes = [len(xb) for xb, _ in loader]
    assert sizes == [4, 4] and len(loader) == 2
    with pytest.raises(ValueError, match="leaves no batch"):
        DataLoader(X, y, batch_size=11, drop_last=True)
