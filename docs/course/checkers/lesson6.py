"""Checkers for lesson 6, dropout and normalization: BatchNorm and LayerNorm written with
numpy, and inverted dropout. Each takes the learner's function, computes the truth with
minigrad, prints in words what is right or wrong, and returns True or False."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import functional as F

from .verdict import NO_ANSWER, as_array, attempt, right, show, wrong

EPS = 1e-5  # minigrad's (and PyTorch's) default, in both normalizations
# the notes' batch: four samples of one feature; then features of very different scales
NOTES_BATCH = np.array([[10.0], [20.0], [30.0], [40.0]])
MIXED_BATCH = np.random.default_rng(6).normal([0.0, 5.0, -3.0], [1.0, 10.0, 0.1], size=(8, 3))
NOTES_SAMPLE = np.array([[5.0, 7.0, 9.0]])
MIXED_SAMPLES = np.random.default_rng(7).normal(2.0, [1.0, 3.0, 0.5, 8.0, 2.0], size=(4, 5))


def true_batch_norm(x: np.ndarray) -> np.ndarray:
    return F.batch_norm(mg.tensor(x), None, None, training=True, eps=EPS).numpy()


def true_layer_norm(x: np.ndarray) -> np.ndarray:
    return F.layer_norm(mg.tensor(x), (x.shape[-1],), eps=EPS).numpy()


def _standardize(x: np.ndarray, axis: int, ddof: int) -> np.ndarray:
    mean = x.mean(axis=axis, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + EPS)


def _check_normalization(fn, name: str, truth, inputs, axis: int, other: str) -> bool:
    """Shared by the two normalizations, which differ only in the axis they reduce."""
    for x in inputs:
        got = attempt(fn, name, x)
        if got is NO_ANSWER:
            return False
        got = as_array(got, name, x.shape)
        if got is None:
            return False
        expected = truth(x)
        if np.allclose(got, expected, rtol=1e-5, atol=1e-5):
            continue
        if x.shape[axis] > 1 and np.allclose(got, _standardize(x, axis, ddof=1), atol=1e-5):
            hint = (
                f" You divided by the unbiased variance (n − 1 = {x.shape[axis] - 1}); "
                f"{name} uses the biased one (divide by n = {x.shape[axis]})."
            )
        elif np.allclose(got, _standardize(x, 1 - axis, ddof=0), atol=1e-5):
            hint = f" You normalized along the other axis: that is {other}."
        else:
            hint = ""
        return wrong(
            f"on the input {show(x.ravel() if x.size <= 4 else x[0])}"
            f"{'' if x.size <= 4 else ' (first row shown)'} your {name} gives "
            f"{show(got.ravel() if x.size <= 4 else got[0])}; it should give "
            f"{show(expected.ravel() if x.size <= 4 else expected[0])}.{hint}",
        )
    first = truth(inputs[0]).ravel()
    return right(f"your {name} matches minigrad's ({show(first)} on the notes' example).")


def check_batch_norm(batch_norm) -> bool:
    """``batch_norm(x)`` for x of shape (N, C): each column standardized over the batch,
    biased variance, ε = 1e-5, no γ or β."""
    return _check_normalization(
        batch_norm, "batch_norm", true_batch_norm, [NOTES_BATCH, MIXED_BATCH], 0, "LayerNorm"
    )


def check_layer_norm(layer_norm) -> bool:
    """``layer_norm(x)`` for x of shape (N, D): each row standardized over its features,
    biased variance, ε = 1e-5, no γ or β."""
    return _check_normalization(
        layer_norm, "layer_norm", true_layer_norm, [NOTES_SAMPLE, MIXED_SAMPLES], 1, "BatchNorm"
    )


# ----------------------------------------------------------------------------------------
# inverted dropout


def check_dropout(dropout) -> bool:
    """``dropout(x, p, training)`` on numpy arrays must be inverted dropout, as F.dropout:
    each element zeroed with probability p, the kept ones divided by 1 − p, and the input
    unchanged when not training."""
    x = np.ones(100_000)
    p = 0.3
    mg.manual_seed(0)
    reference = F.dropout(mg.tensor(x), p=p, training=True).numpy()
    kept_value = float(reference[reference != 0][0])  # 1 / (1 - p), as minigrad computes it

    in_eval = attempt(dropout, "dropout", x, p, False)
    if in_eval is NO_ANSWER:
        return False
    in_eval = as_array(in_eval, "dropout", x.shape)
    if in_eval is None:
        return False
    if not np.array_equal(in_eval, x):
        return wrong("with training=False dropout must return its input unchanged.")

    masks = []
    for _ in range(2):
        out = attempt(dropout, "dropout", x, p, True)
        if out is NO_ANSWER:
            return False
        out = as_array(out, "dropout", x.shape)
        if out is None:
            return False
        masks.append(out != 0)
    zero_share = 1 - masks[0].mean()
    kept = np.unique(out[out != 0])
    if abs(zero_share - p) > 0.01:
        hint = " You kept each unit with probability p; p is the probability to drop it."
        return wrong(
            f"with p = {p} your dropout zeroes {zero_share:.3f} of 100 000 ones; it should "
            f"zero about {p} of them.{hint if abs(zero_share - (1 - p)) < 0.01 else ''}",
        )
    if kept.size != 1 or not np.isclose(kept[0], kept_value):
        kept_text = show(kept[:3]) + ("..." if kept.size > 3 else "")
        hint = ""
        if kept.size == 1 and np.isclose(kept[0], 1.0):
            hint = " The kept units are not scaled, so the mean drops to 1 − p in training."
        elif kept.size == 1 and np.isclose(kept[0], 1 - p):
            hint = " You multiplied by 1 − p; inverted dropout divides by it."
        return wrong(
            f"with p = {p} the kept units of a vector of ones are {kept_text}; they should "
            f"all be 1/(1 − p) = {kept_value:.4f}, so that the mean stays 1.{hint}",
        )
    if np.array_equal(masks[0], masks[1]):
        return wrong(
            "two calls gave the same mask; every forward pass must draw a new one "
            "(a different sub-network each step).",
        )
    return right(
        f"with p = {p} your dropout zeroes {zero_share:.3f} of the units, scales the others to "
        f"{kept_value:.4f}, keeps the mean at {out.mean():.3f}, draws a new mask at every "
        "call, and is the identity when not training.",
    )
