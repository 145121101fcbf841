"""Data sets and batching for minigrad.

All functions return numpy arrays (features float64, class labels int64); only
``DataLoader`` yields ``Tensor`` batches. Every random function takes its own ``seed``;
with ``seed=None`` it draws from minigrad's global generator (``mg.manual_seed``).
"""

from minigrad.data.datasets import load_diabetes, load_digits, make_moons, make_regression
from minigrad.data.loader import DataLoader, train_test_split

__all__ = [
    "DataLoader",
    "load_diabetes",
    "load_digits",
    "make_moons",
    "make_regression",
    "train_test_split",
]
