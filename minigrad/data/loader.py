"""Splitting a data set and iterating over it in mini-batches."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from minigrad.data._rng import check_count, generator

if TYPE_CHECKING:
    from minigrad.core import Tensor

__all__ = ["DataLoader", "train_test_split"]


def _check_paired(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one row per sample, not scalars")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y have different numbers of samples: {X.shape[0]} and {y.shape[0]}"
        )
    return X, y


def train_test_split(
    X: ArrayLike, y: ArrayLike, test_size: float | int = 0.25, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the samples and split them in two disjoint parts.

    ``test_size`` is a fraction in ``(0, 1)`` (the test set gets ``ceil(test_size * n)``
    samples, as scikit-learn) or an absolute number of samples. Both parts must end up
    non-empty. Returns ``X_train, X_test, y_train, y_test``; dtypes are kept.
    """
    X, y = _check_paired(X, y)
    n_samples = X.shape[0]
    if isinstance(test_size, bool):
        raise ValueError(f"test_size must be a fraction or a count, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n_samples)
    else:
        raise ValueError(f"test_size must be in (0, 1) or an int, got {test_size!r}")
    if not 0 < n_test < n_samples:
        raise ValueError(
            f"test_size={test_size!r} gives {n_test} test samples out of {n_samples}; "
            "both the train and the test part must be non-empty"
        )
    order = generator(seed).permutation(n_samples)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


class DataLoader:
    """Iterate over ``(X, y)`` in mini-batches of ``Tensor``s, one pass per ``for`` loop.

    Every epoch visits each sample exactly once: the indices ``0..n-1`` (shuffled anew
    each epoch when ``shuffle=True``) are cut into ``ceil(n / batch_size)`` consecutive
    batches, the last one smaller when ``batch_size`` does not divide ``n`` — or left out
    with ``drop_last=True`` (as PyTorch; BatchNorm cannot train on a batch of one).
    ``len()`` is that number of batches. Batches keep the arrays' dtypes (float64 features, int64
    labels) and are copies, never views of ``X``.

    With a ``seed`` the loader owns a generator, so a new loader with the same seed
    replays the same sequence of epochs; with ``seed=None`` each epoch draws from
    minigrad's global generator (``mg.manual_seed``).
    """

    def __init__(
        self,
        X: ArrayLike,
        y: ArrayLike,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        drop_last: bool = False,
    ) -> None:
        X, y = _check_paired(X, y)
        if X.shape[0] == 0:
            raise ValueError("DataLoader needs at least one sample")
        self.X = X
        self.y = y
        self.batch_size = check_count(batch_size, "batch_size", 1)
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.drop_last = bool(drop_last)
        if self.drop_last and X.shape[0] < self.batch_size:
            raise ValueError(
                f"drop_last=True with {X.shape[0]} samples and batch_size={self.batch_size} "
                "leaves no batch"
            )
        self._rng = None if seed is None else generator(seed)

    def __len__(self) -> int:
        if self.drop_last:
            return self.X.shape[0] // self.batch_size
        return math.ceil(self.X.shape[0] / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        # imported here so that the data helpers load without the autodiff core
        from minigrad.core import Tensor

        n_samples = self.X.shape[0]
        if self.shuffle:
            # the global generator is looked up per epoch: manual_seed replaces it
            rng = self._rng if self._rng is not None else generator(None)
            order = rng.permutation(n_samples)
        else:
            order = np.arange(n_samples)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = order[start : start + self.batch_size]
            yield Tensor(self.X[batch]), Tensor(self.y[batch])

    def __repr__(self) -> str:
        return (
            f"DataLoader(n_samples={self.X.shape[0]}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, seed={self.seed!r})"
        )
