"""Gradient checking: compare the backward pass with central finite differences.

For f: inputs -> outputs, the Jacobian entry J[m, j] = d out_m / d in_j is computed
twice, in float64:
- analytically, one backward pass per output element m (``mg.grad`` with a one-hot
  ``grad_outputs``): row m;
- numerically, (f(x + eps e_j) - f(x - eps e_j)) / (2 eps): column j.
They agree when |analytic - numeric| <= atol + rtol * |numeric| everywhere.

With ``check_forward_ad=True``, forward mode is checked too: ``func.jvp`` along a few
random directions v, against the numeric Jacobian times v.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from . import func
from .core import Tensor, grad

FORWARD_DIRECTIONS = 3  # random directions along which check_forward_ad tries jvp


def _excess(analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """How far each entry is beyond the tolerance ``atol + rtol * |numeric|``: <= 0 where
    the two agree; NaN where either is NaN (a failure: ``excess <= 0`` is False)."""
    return np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))


class GradcheckError(RuntimeError):
    """Analytic and numeric gradients disagree (the message says where and by how much)."""


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _float64_copies(inputs: Sequence) -> list:
    copies = []
    for x in inputs:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            copies.append(Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad))
        else:
            copies.append(x)
    return copies


def _outputs(fn: Callable, args: Sequence) -> tuple:
    outs = _as_tuple(fn(*args))
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
    return outs


def _flat_values(fn, args) -> np.ndarray:
    # not under no_grad: fn may itself take gradients (gradgradcheck's fn does)
    return np.concatenate([o.data.ravel() for o in _outputs(fn, args)])


def _numeric_jacobian(fn, args, x: Tensor, n_out: int, eps: float) -> np.ndarray:
    """Columns d out / d x_j by central differences, x perturbed in place and restored."""
    flat = x.data.reshape(-1)  # a view: x.data is our own float64 copy
    jac = np.zeros((n_out, flat.size))
    for j in range(flat.size):
        keep = flat[j]
        flat[j] = keep + eps
        plus = _flat_values(fn, args)
        flat[j] = keep - eps
        minus = _flat_values(fn, args)
        flat[j] = keep
        jac[:, j] = (plus - minus) / (2 * eps)
    return jac


def _analytic_jacobians(outs: tuple, diff: list) -> list[np.ndarray]:
    """For each differentiable input, rows d out_m / d x by one backward pass per m."""
    n_out = sum(o.size for o in outs)
    jacs = [np.zeros((n_out, x.size)) for x in diff]
    row = 0
    for o in outs:
        for m in range(o.size):
            if o.requires_grad:
                onehot = np.zeros(o.size, dtype=o.dtype)
                onehot[m] = 1
                gs = grad(
                    o,
                    diff,
                    grad_outputs=onehot.reshape(o.shape),
                    retain_graph=True,
                    allow_unused=True,
                )
                for k, g in enumerate(gs):
                    if g is not None:
                        jacs[k][row] = g.data.ravel()
            row += 1
    return jacs


def _forward_and_numeric(fn: Callable, args: list, triples: list, seed: int = 0):
    """For three random directions v: ``func.jvp`` of ``fn`` along v, and the numeric
    Jacobians times v, each flattened and joined (direction after direction)."""
    diff = [x for x, _, _ in triples]
    positions = [next(i for i, a in enumerate(args) if a is x) for x in diff]

    def of_differentiable(*values):
        full = list(args)
        for i, v in zip(positions, values):
            full[i] = v
        return _outputs(fn, full)

    rng = np.random.default_rng(seed)
    forward, numeric = [], []
    for _ in range(FORWARD_DIRECTIONS):
        vs = [rng.standard_normal(x.shape) for x in diff]
        _, tangents = func.jvp(of_differentiable, tuple(diff), tuple(Tensor(v) for v in vs))
        forward.append(np.concatenate([t.data.ravel() for t in tangents]))
        numeric.append(sum(n_jac @ v.ravel() for (_, _, n_jac), v in zip(triples, vs)))
    return np.concatenate(forward), np.concatenate(numeric)


def _jacobians(fn: Callable, inputs, eps: float) -> tuple[list, list]:
    """The float64 argument copies, and (input, analytic J, numeric J) for each input
    that requires grad."""
    args = _float64_copies(_as_tuple(inputs))
    diff = [x for x in args if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input Tensor has requires_grad=True")
    outs = _outputs(fn, args)
    n_out = sum(o.size for o in outs)
    analytic = _analytic_jacobians(outs, diff)
    return args, [
        (x, a_jac, _numeric_jacobian(fn, args, x, n_out, eps)) for x, a_jac in zip(diff, analytic)
    ]


class Comparison(NamedTuple):
    """What ``compare`` measured: the reverse pass, and forward mode if asked for."""

    max_abs: float
    max_rel: float
    passed: bool
    forward_max_abs: float | None = None  # None: forward mode was not checked
    forward_passed: bool | None = None


def compare(
    fn: Callable,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    check_forward_ad: bool = False,
) -> Comparison:
    """The largest absolute and relative errors between the analytic and numeric
    Jacobians of ``fn``, and whether all are within tolerance; the relative error is
    taken over the entries larger than ``atol``, where it means something. With
    ``check_forward_ad``, also the largest error of forward mode along random
    directions. For reports such as ``minigrad gradcheck``; ``gradcheck`` says where
    a failure is."""
    args, triples = _jacobians(fn, inputs, eps)
    max_abs = max_rel = 0.0
    passed = True
    for _, a_jac, n_jac in triples:
        diff = np.abs(a_jac - n_jac)
        if diff.size:
            # np.max, not max(): a NaN error must show as NaN, not vanish
            max_abs = float(np.max([max_abs, np.max(diff)]))
            big = np.abs(n_jac) > atol
            if big.any():
                max_rel = float(np.max([max_rel, np.max(diff[big] / np.abs(n_jac[big]))]))
        passed = passed and bool(np.all(_excess(a_jac, n_jac, atol, rtol) <= 0))
    if not check_forward_ad:
        return Comparison(max_abs, max_rel, passed)
    forward, numeric = _forward_and_numeric(fn, args, triples)
    return Comparison(
        max_abs,
        max_rel,
        passed,
        float(np.max(np.abs(forward - numeric), initial=0.0)),
        bool(np.all(_excess(forward, numeric, atol, rtol) <= 0)),
    )


def gradcheck(
    fn: Callable,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    check_forward_ad: bool = False,
) -> bool:
    """Check the gradients of ``fn(*inputs)`` (a Tensor or tuple of Tensors) against
    central finite differences, on float64 copies of the inputs; with
    ``check_forward_ad``, also forward mode (``func.jvp`` along random directions).

    Returns True; on a mismatch raises ``GradcheckError`` naming the input, the worst
    element, and the analytic and numeric values (or returns False when
    ``raise_exception=False``).
    """
    args, triples = _jacobians(fn, inputs, eps)
    for x, a_jac, n_jac in triples:
        excess = _excess(a_jac, n_jac, atol, rtol)
        bad = ~(excess <= 0)  # NaN counts as a failure too
        if bad.any():
            m, j = np.unravel_index(
                np.argmax(np.where(bad, np.nan_to_num(excess, nan=np.inf), -np.inf)), excess.shape
            )
            # by identity: list.index would call Tensor.__eq__, which is elementwise
            position = next(i for i, a in enumerate(args) if a is x)
            message = (
                f"gradcheck failed for input {position} (shape {x.shape}) at element "
                f"{tuple(int(i) for i in np.unravel_index(j, x.shape))}, output element {m}: "
                f"analytic {a_jac[m, j]:.10g} vs numeric {n_jac[m, j]:.10g} "
                f"(|difference| {abs(a_jac[m, j] - n_jac[m, j]):.3g} > "
                f"atol {atol:g} + rtol {rtol:g} * |numeric|; "
                f"{int(bad.sum())} of {bad.size} entries disagree)"
            )
            return _failed(message, raise_exception)
    if check_forward_ad:
        forward, numeric = _forward_and_numeric(fn, args, triples)
        excess = _excess(forward, numeric, atol, rtol)
        if not np.all(excess <= 0):
            m = int(np.argmax(np.nan_to_num(excess, nan=np.inf)))
            per_direction = forward.size // FORWARD_DIRECTIONS
            return _failed(
                f"gradcheck failed in forward mode (check_forward_ad): jvp {forward[m]:.10g} "
                f"vs numeric {numeric[m]:.10g} at output element {m % per_direction} "
                f"along random direction {m // per_direction} (|difference| "
                f"{abs(forward[m] - numeric[m]):.3g} > atol {atol:g} + rtol {rtol:g} * |numeric|)",
                raise_exception,
            )
    return True


def _failed(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(
    fn: Callable,
    inputs,
    grad_outputs=None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
    check_forward_ad: bool = False,
) -> bool:
    """Check second derivatives: gradcheck of (inputs, v) -> v^T J(inputs), the
    first-order gradients built with ``create_graph=True``. ``v`` (``grad_outputs``)
    is random unless given, and is checked as an input too. With
    ``check_forward_ad``, forward mode is checked on those first derivatives: forward
    over reverse, as ``func.hessian`` and ``func.hvp`` compute."""
    args = _float64_copies(_as_tuple(inputs))
    outs = _outputs(fn, args)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [rng.standard_normal(o.shape) for o in outs]
    vs = [
        Tensor(
            np.asarray(v.data if isinstance(v, Tensor) else v, dtype=np.float64), requires_grad=True
        )
        for v in _as_tuple(grad_outputs)
    ]
    n_args = len(args)

    def first_derivatives(*all_args):
        fn_args, v = all_args[:n_args], all_args[n_args:]
        diff = [x for x in fn_args if isinstance(x, Tensor) and x.requires_grad]
        grads = grad(fn(*fn_args), diff, grad_outputs=list(v), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        (*args, *vs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        check_forward_ad=check_forward_ad,
    )
