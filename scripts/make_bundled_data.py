"""Regenerate ``minigrad/data/digits.npz`` and ``minigrad/data/diabetes.npz`` from scikit-learn.

Run once from the repository root (needs scikit-learn; minigrad itself never does)::

    python scripts/make_bundled_data.py

Each array is stored in the smallest dtype that holds it exactly, and the script refuses
to write anything that would not load back bit for bit equal to scikit-learn's arrays
(after the widening that ``minigrad.data.load_*`` applies).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes, load_digits

OUT_DIR = Path(__file__).resolve().parent.parent / "minigrad" / "data"


def narrow(a: np.ndarray, dtype: type[np.generic]) -> np.ndarray:
    """``a`` cast to ``dtype``, refusing any cast that changes a value."""
    narrowed = a.astype(dtype)
    if not np.array_equal(narrowed.astype(a.dtype), a):
        raise ValueError(f"values of dtype {a.dtype} do not fit {np.dtype(dtype)} exactly")
    return narrowed


def write(name: str, reference: dict[str, np.ndarray], stored: dict[str, np.ndarray]) -> None:
    path = OUT_DIR / name
    np.savez_compressed(path, **stored)
    with np.load(path, allow_pickle=False) as npz:
        for key, expected in reference.items():
            loaded = npz[key].astype(expected.dtype)
            if not np.array_equal(loaded, expected):
                raise AssertionError(f"{name}:{key} does not round-trip")
    print(f"wrote {path} ({path.stat().st_size / 1024:.1f} KiB)")


def main() -> None:
    X, y = load_digits(return_X_y=True)
    write("digits.npz", {"X": X, "y": y}, {"X": narrow(X, np.uint8), "y": narrow(y, np.uint8)})

    # scaled=True (scikit-learn's default) is what load_diabetes promises; the scaled
    # features need all of float64, the targets are whole numbers
    X, y = load_diabetes(return_X_y=True)
    write(
        "diabetes.npz",
        {"X": X, "y": y},
        {"X": narrow(X, np.float64), "y": narrow(y, np.uint16)},
    )


if __name__ == "__main__":
    main()
