"""Checkers for lesson 7, keeping training stable: gradient clipping by norm, the max-norm
constraint, and the Huber loss. Each takes the learner's function, computes the truth with
minigrad, prints in words what is right or wrong, and returns True or False."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad import nn

from .verdict import NO_ANSWER, as_array, attempt, right, show, wrong

# ----------------------------------------------------------------------------------------
# gradient clipping by norm


def true_clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """What ``nn.utils.clip_grad_norm_`` leaves in the ``.grad`` of parameters holding
    these gradients."""
    params = [nn.Parameter(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params]


def _joint_norm(grads: list[np.ndarray]) -> float:
    return float(np.sqrt(sum(np.sum(g**2) for g in grads)))


def check_clip_grad_norm(clip_grad_norm) -> bool:
    """``clip_grad_norm(grads, max_norm)`` must return the gradients rescaled together so
    that their joint L2 norm is at most ``max_norm`` (unchanged when already below)."""
    rng = np.random.default_rng(7)
    too_long = [rng.normal(0, 2, (3, 2)), rng.normal(0, 0.5, 4)]  # joint norm about 3: scaled down
    short = [g / 100 for g in too_long]  # joint norm about 0.03: must stay as it is
    max_norm = 1.0
    for grads in (too_long, short):
        got = attempt(clip_grad_norm, "clip_grad_norm", [g.copy() for g in grads], max_norm)
        if got is NO_ANSWER:
            return False
        if not isinstance(got, (list, tuple)) or len(got) != len(grads):
            return wrong(
                f"clip_grad_norm should return a list of {len(grads)} arrays, one per "
                f"gradient; it returned {type(got).__name__}.",
            )
        got = [as_array(g, "clip_grad_norm", ref.shape) for g, ref in zip(got, grads)]
        if any(g is None for g in got):
            return False
        truth = true_clip_grad_norm(grads, max_norm)
        if all(np.allclose(g, t, rtol=1e-5, atol=1e-9) for g, t in zip(got, truth)):
            continue
        before, after = _joint_norm(grads), _joint_norm(got)
        per_tensor = [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]
        if all(np.allclose(g, t, rtol=1e-5) for g, t in zip(got, per_tensor)):
            hint = (
                " You clipped each gradient by its own norm; the norm to clip is the joint "
                "norm of all of them together, so that every gradient gets the same factor "
                "and the direction of the whole update is kept."
            )
        elif all(np.allclose(g, np.clip(t, -max_norm, max_norm)) for g, t in zip(got, grads)):
            hint = " That is clipping by value (each entry into [−c, c]); it changes the direction."
        else:
            hint = ""
        return wrong(
            f"for gradients of joint norm {before:.4g} and max_norm = {max_norm:g} yours "
            f"have joint norm {after:.4g}; they should have {_joint_norm(truth):.4g}, "
            f"all scaled by the same factor {min(1.0, max_norm / before):.4g}.{hint}",
        )
    return right(
        "your clipping rescales all the gradients by one factor when their joint norm is above "
        "max_norm, and leaves them alone below it, as nn.utils.clip_grad_norm_ does.",
    )


# ----------------------------------------------------------------------------------------
# the max-norm constraint


def check_max_norm(max_norm_rows) -> bool:
    """``max_norm_rows(W, c)`` must shrink each row of W (a unit's incoming weights) whose
    L2 norm exceeds c back onto the sphere of radius c, and leave the other rows alone."""
    rng = np.random.default_rng(8)
    W = rng.standard_normal((6, 16))
    W *= (np.array([0.5, 1.0, 1.5, 2.0, 3.0, 0.8]) / np.linalg.norm(W, axis=1))[:, None]
    c = 1.2
    got = attempt(max_norm_rows, "max_norm_rows", W.copy(), c)
    if got is NO_ANSWER:
        return False
    got = as_array(got, "max_norm_rows", W.shape)
    if got is None:
        return False
    truth = nn.utils.max_norm_(mg.tensor(W.copy()), c).numpy()
    if np.allclose(got, truth, rtol=1e-6, atol=1e-9):
        return right(
            f"row norms {show(np.linalg.norm(W, axis=1))} become "
            f"{show(np.linalg.norm(got, axis=1))}: the long rows are shrunk to c = {c:g} in "
            "their own direction, the short ones are untouched, as nn.utils.max_norm_.",
        )
    row_norms = np.linalg.norm(got, axis=1)
    if np.allclose(got, np.clip(W, -c, c)):
        hint = (
            " You clipped each weight into [−c, c]: a row can still be longer than c, and its "
            "direction changes. Rescale the whole row."
        )
    elif np.allclose(row_norms, c):
        hint = " Rows shorter than c must stay as they are; only the longer ones are rescaled."
    elif np.allclose(got, nn.utils.max_norm_(mg.tensor(W.copy()), c, axis=0).numpy()):
        hint = " You constrained the columns; a unit's incoming weights are a row (axis=1)."
    else:
        hint = ""
    return wrong(
        f"rows of norm {show(np.linalg.norm(W, axis=1))} with c = {c:g} become rows of norm "
        f"{show(row_norms)}; they should become {show(np.linalg.norm(truth, axis=1))}.{hint}",
    )


# ----------------------------------------------------------------------------------------
# the Huber loss


def check_huber(huber) -> bool:
    """``huber(r, delta)`` must be the elementwise Huber loss of residuals r: r²/2 for
    |r| ≤ δ, δ(|r| − δ/2) beyond."""
    residuals = np.array([-5.0, -1.0, -0.3, 0.0, 0.5, 1.0, 3.0, 30.0])
    delta = 1.0
    got = attempt(huber, "huber", residuals.copy(), delta)
    if got is NO_ANSWER:
        return False
    got = as_array(got, "huber", residuals.shape)
    if got is None:
        return False
    truth = F.huber_loss(
        mg.tensor(residuals), mg.zeros(residuals.shape, dtype=mg.float64), delta, "none"
    ).numpy()
    if np.allclose(got, truth, rtol=1e-9, atol=1e-12):
        return right(
            f"at r = {show(residuals)} your Huber loss gives {show(got)}: quadratic inside "
            f"|r| ≤ δ = {delta:g}, linear beyond, and the two pieces meet at |r| = δ.",
        )
    k = int(np.argmax(np.abs(got - truth)))
    r = residuals[k]
    if abs(r) <= delta:
        why = f"inside |r| ≤ δ it is r²/2 = {truth[k]:g}"
    else:
        why = f"beyond δ it is δ(|r| − δ/2) = {truth[k]:g}, linear like the L1 loss"
    hint = ""
    if abs(r) > delta and np.isclose(got[k], delta * abs(r)):
        hint = " Without the − δ/2 the two pieces do not meet at |r| = δ."
    elif abs(r) <= delta and np.isclose(got[k], r * r):
        hint = " The quadratic piece is r²/2, half the squared error."
    return wrong(f"at r = {r:g}, δ = {delta:g} your Huber loss gives {got[k]:g}; {why}.{hint}")
