"""Reference solvers for regularized least squares: Lasso, ElasticNet, Ridge, lasso_path.

These are the closed-form / coordinate-descent counterparts of the penalties that
``minigrad.functional`` adds to an MLP loss, written to reproduce scikit-learn's
estimators (same objective, same attribute names, same stopping rule) so that the
two can be compared number for number.

The elastic-net objective, with ``n = n_samples``::

    1/(2n) ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
                             + alpha * (1 - l1_ratio) / 2 * ||w||^2

``l1_ratio = 1`` is the Lasso, ``l1_ratio = 0`` is Ridge with a ``1/(2n)`` data term
(``Ridge`` itself uses scikit-learn's unscaled ``||y - X w - b||^2 + alpha ||w||^2``).

Coordinate descent works on the objective multiplied by ``n``::

    P(w) = 1/2 ||y - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2,
    l1 = n * alpha * l1_ratio,   l2 = n * alpha * (1 - l1_ratio).

Minimizing over the single coordinate ``w_j`` with the others fixed gives::

    rho_j = x_j . (y - sum_{k != j} x_k w_k)        (feature j against the partial residual)
    w_j   = S(rho_j, l1) / (z_j + l2),   z_j = ||x_j||^2,

where ``S(rho, lam) = sign(rho) * max(|rho| - lam, 0)`` is the soft-thresholding
operator: the exact minimizer of ``1/2 (w - rho)^2 + lam |w|``, whose subgradient at
``w = 0`` is the whole interval ``[-lam, lam]``, which is why small correlations give
exact zeros.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from .functional.regularization import soft_threshold

__all__ = [
    "ConvergenceWarning",
    "ElasticNet",
    "Lasso",
    "NotFittedError",
    "Ridge",
    "lasso_path",
    "soft_threshold",
]


class ConvergenceWarning(UserWarning):
    """Coordinate descent hit ``max_iter`` before the duality gap fell below ``tol``."""


class NotFittedError(ValueError, AttributeError):
    """``predict`` was called before ``fit`` (a ``ValueError``, as scikit-learn's)."""


# ----------------------------------------------------------------------------------------
# input checks


def _as_real_array(a: ArrayLike, name: str, ndim: int) -> np.ndarray:
    """``a`` as a finite float64 array of ``ndim`` dimensions, or a ``ValueError``."""
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":  # bool, int, unsigned, float: real numbers only
        raise ValueError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if a.ndim != ndim:
        shape = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        hint = "; use X.reshape(-1, 1) for a single feature" if ndim == 2 else ""
        raise ValueError(f"{name} must be {ndim}-D of shape {shape}, got shape {a.shape}{hint}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape})")
    a = a.astype(np.float64, copy=False)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return a


def _check_X_y(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X = _as_real_array(X, "X", ndim=2)
    y = _as_real_array(y, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have different numbers of samples: {X.shape[0]} and {y.shape[0]}"
        )
    return X, y


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha}")
    return alpha


def _check_count(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")


def _check_solver_params(max_iter: int, tol: float) -> None:
    _check_count(max_iter, "max_iter")
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite number >= 0, got {tol}")


# ----------------------------------------------------------------------------------------
# the solver


def _duality_gap(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, R: np.ndarray, l1: float, l2: float
) -> float:
    """Duality gap of ``P(w) = 1/2 ||R||^2 + l1 ||w||_1 + l2/2 ||w||^2`` with ``R = y - X w``.

    For ``l1 > 0`` the dual is ``D(v) = -1/2 ||v||^2 + y.v`` over ``||X^T v||_inf <= l1``
    (with ``X`` and ``y`` extended by ``sqrt(l2) I`` and ``0`` rows when ``l2 > 0``). The
    residual is the natural dual point, scaled into the feasible set::

        XtA = X^T R - l2 w,   s = min(1, l1 / ||XtA||_inf),   v = s R
        gap = P(w) - [-s^2/2 (||R||^2 + l2 ||w||^2) + s R.y]

    For ``l1 = 0 < l2`` (pure ridge) every ``v`` is feasible in the alternative dual
    ``-1/2 ||v||^2 + y.v - 1/(2 l2) ||X^T v||^2``, so with ``v = R``::

        gap = ||R||^2 + l2/2 ||w||^2 - R.y + ||X^T R||^2 / (2 l2)

    and for ``l1 = l2 = 0`` (least squares) there is no dual; the gradient norm
    ``||X^T R||^2`` is used instead. At the optimum the gap is 0.
    """
    R_norm2 = R @ R
    w_norm2 = w @ w if l2 > 0 else 0.0
    if l1 == 0:
        XtR = X.T @ R
        XtR_norm2 = XtR @ XtR
        if l2 == 0:
            return XtR_norm2
        return R_norm2 + 0.5 * l2 * w_norm2 - R @ y + XtR_norm2 / (2 * l2)
    XtA = X.T @ R - l2 * w
    dual_norm = np.max(np.abs(XtA))
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    primal = 0.5 * (R_norm2 + l2 * w_norm2) + l1 * np.sum(np.abs(w))
    dual = -0.5 * scale**2 * (R_norm2 + l2 * w_norm2) + scale * (R @ y)
    return primal - dual


def _enet_coordinate_descent(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    l1: float,
    l2: float,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, float, int]:
    """Cyclic coordinate descent on ``P(w) = 1/2 ||y - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2``.

    ``w`` is the warm start and is updated in place. Returns ``(w, gap, n_iter)``.

    Stopping rule (scikit-learn's): after a sweep whose largest coefficient change is at
    most ``tol * max_j |w_j|`` (or with ``w`` all zero, or on the last allowed sweep),
    compute the duality gap; stop when ``gap <= tol * ||y||^2``. The gap is also checked
    once before the first sweep, so an already optimal warm start costs 0 sweeps.

    scikit-learn (>= 1.8) also applies Gap Safe screening, which skips features proven
    to be zero at the optimum once the gap is small. It is left out here: it only ever
    removes coefficients that coordinate descent drives to zero anyway, and on the
    thousands of fits and path steps we compared, the sweep counts matched without it.
    """
    n_features = X.shape[1]
    # column access in the inner loop must be contiguous
    X = np.asfortranarray(X)
    z = np.einsum("ij,ij->j", X, X)
    R = y - X @ w
    # the gap at w = 0, v = 0 is ||y||^2 / 2: measured against ||y||^2, tol is scale-free
    gap_tol = tol * (y @ y)
    gap = _duality_gap(X, y, w, R, l1, l2)
    if gap <= gap_tol:
        return w, gap, 0

    for n_iter in range(1, max_iter + 1):
        w_max = 0.0
        d_w_max = 0.0
        for j in range(n_features):
            if z[j] == 0.0:
                # an all-zero column (a constant feature, once centered) keeps w_j = 0
                continue
            x_j = X[:, j]
            w_j_old = w[j]
            # rho_j = x_j . (R + w_j x_j): correlation with the residual that omits feature j
            rho_j = x_j @ R + w_j_old * z[j]
            w[j] = soft_threshold(rho_j, l1) / (z[j] + l2)
            if w[j] != w_j_old:
                # keep R = y - X w without recomputing X w: O(n) per coordinate
                R -= (w[j] - w_j_old) * x_j
            d_w_max = max(d_w_max, abs(w[j] - w_j_old))
            w_max = max(w_max, abs(w[j]))

        if w_max == 0.0 or d_w_max / w_max <= tol or n_iter == max_iter:
            gap = _duality_gap(X, y, w, R, l1, l2)
            if gap <= gap_tol:
                break
    else:
        warnings.warn(
            f"Coordinate descent did not converge in {max_iter} sweeps: duality gap "
            f"{gap:.3e} > tolerance {gap_tol:.3e}. Increase max_iter, scale the features, "
            "or increase alpha.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return w, gap, n_iter


# ----------------------------------------------------------------------------------------
# estimators


class _LinearModel:
    """Shared ``predict`` and fitted-state checks; ``coef_`` and ``intercept_`` set by fit."""

    coef_: np.ndarray
    intercept_: float

    def predict(self, X: ArrayLike) -> np.ndarray:
        """``X @ coef_ + intercept_``, shape ``(n_samples,)``."""
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(X, y) first"
            )
        X = _as_real_array(X, "X", ndim=2)
        if X.shape[1] != self.coef_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted "
                f"with {self.coef_.shape[0]}"
            )
        return X @ self.coef_ + self.intercept_

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"

    def _params(self) -> dict[str, object]:
        raise NotImplementedError


def _center(
    X: np.ndarray, y: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Center ``X`` and ``y`` when fitting an intercept: the intercept is then
    ``mean(y) - mean(X) @ w``, because at the optimum the residual has zero mean."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    X_mean = X.mean(axis=0)
    y_mean = float(y.mean())
    return X - X_mean, y - y_mean, X_mean, y_mean


class ElasticNet(_LinearModel):
    """Linear regression with a combined L1 and L2 penalty, fitted by coordinate descent.

    Minimizes, with ``n = n_samples``::

        1/(2n) ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
                                 + alpha * (1 - l1_ratio) / 2 * ||w||^2

    (scikit-learn's ``ElasticNet`` objective). ``alpha >= max|X_c^T y_c| / (n l1_ratio)``
    (``X_c``, ``y_c`` centered when ``fit_intercept``) gives ``w = 0``.

    Attributes after ``fit``: ``coef_`` (n_features,), ``intercept_`` (float),
    ``n_iter_`` (coordinate-descent sweeps; 0 when the start point was already optimal),
    ``dual_gap_`` (final duality gap of the objective above).
    """

    def __init__(
        self,
        alpha: float = 1.0,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _params(self) -> dict[str, object]:
        return {
            "alpha": self.alpha,
            "l1_ratio": self.l1_ratio,
            "fit_intercept": self.fit_intercept,
            "max_iter": self.max_iter,
            "tol": self.tol,
        }

    def fit(self, X: ArrayLike, y: ArrayLike) -> ElasticNet:
        """Fit on ``X`` (n_samples, n_features) and ``y`` (n_samples,); returns ``self``."""
        alpha = _check_alpha(self.alpha)
        l1_ratio = float(self.l1_ratio)
        if not 0.0 <= l1_ratio <= 1.0:
            raise ValueError(f"l1_ratio must be in [0, 1], got {self.l1_ratio}")
        _check_solver_params(self.max_iter, self.tol)
        X, y = _check_X_y(X, y)
        Xc, yc, X_mean, y_mean = _center(X, y, self.fit_intercept)

        n_samples = X.shape[0]
        w = np.zeros(X.shape[1])
        # the solver minimizes n times the objective, hence the n in the penalties
        w, gap, n_iter = _enet_coordinate_descent(
            Xc,
            yc,
            w,
            l1=n_samples * alpha * l1_ratio,
            l2=n_samples * alpha * (1.0 - l1_ratio),
            max_iter=self.max_iter,
            tol=float(self.tol),
        )
        self.coef_ = w
        self.intercept_ = y_mean - float(X_mean @ w)
        self.n_iter_ = n_iter
        self.dual_gap_ = gap / n_samples
        return self


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty: ``ElasticNet`` with ``l1_ratio = 1``.

    Minimizes ``1/(2n) ||y - X w - b||^2 + alpha ||w||_1``. Every ``alpha`` at or above
    ``lambda_max = max|X_c^T y_c| / n`` gives ``w = 0``; below it, coefficients leave zero
    one by one.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None:
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, max_iter=max_iter, tol=tol
        )

    def _params(self) -> dict[str, object]:
        params = super()._params()
        del params["l1_ratio"]
        return params


class Ridge(_LinearModel):
    """Linear regression with an L2 penalty, solved in closed form.

    Minimizes scikit-learn's ``||y - X w - b||^2 + alpha ||w||^2`` (no ``1/(2n)``), whose
    minimizer for centered ``X``, ``y`` solves the normal equations::

        (X^T X + alpha I) w = X^T y

    When ``n_features > n_samples`` the equivalent ``w = X^T (X X^T + alpha I)^{-1} y`` is
    used, which solves an ``n_samples``-sized system instead; ``alpha = 0`` gives the
    minimum-norm least-squares solution.

    Attributes after ``fit``: ``coef_``, ``intercept_``, and ``n_iter_ = None`` (no
    iterations, as scikit-learn's direct solvers).
    """

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def _params(self) -> dict[str, object]:
        return {"alpha": self.alpha, "fit_intercept": self.fit_intercept}

    def fit(self, X: ArrayLike, y: ArrayLike) -> Ridge:
        """Fit on ``X`` (n_samples, n_features) and ``y`` (n_samples,); returns ``self``."""
        alpha = _check_alpha(self.alpha)
        X, y = _check_X_y(X, y)
        Xc, yc, X_mean, y_mean = _center(X, y, self.fit_intercept)
        n_samples, n_features = Xc.shape
        if alpha == 0:
            # plain least squares, where X^T X may be singular: the minimum-norm
            # solution is the alpha -> 0 limit of the ridge solutions
            w = np.linalg.lstsq(Xc, yc, rcond=None)[0]
        elif n_features <= n_samples:
            # alpha > 0 makes the system positive definite: solve, never invert
            A = Xc.T @ Xc
            A.flat[:: n_features + 1] += alpha
            w = np.linalg.solve(A, Xc.T @ yc)
        else:
            K = Xc @ Xc.T
            K.flat[:: n_samples + 1] += alpha
            w = Xc.T @ np.linalg.solve(K, yc)
        self.coef_ = w
        self.intercept_ = y_mean - float(X_mean @ w)
        self.n_iter_ = None
        return self


def lasso_path(
    X: ArrayLike,
    y: ArrayLike,
    alphas: ArrayLike | None = None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    tol: float = 1e-4,
    max_iter: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """Lasso solutions along a decreasing sequence of ``alpha``, warm-started.

    Each ``alpha`` minimizes ``1/(2n) ||y - X w||^2 + alpha ||w||_1`` with **no
    intercept** (center ``X`` and ``y`` first if you want one), as scikit-learn's
    ``lasso_path``. The default grid is ``n_alphas`` values spaced geometrically from
    ``alpha_max = max|X^T y| / n`` (the smallest alpha with ``w = 0``) down to
    ``eps * alpha_max``. Each solve starts from the previous solution, which is close,
    so it needs only a few sweeps.

    Returns ``(alphas, coefs)``: ``alphas`` descending, shape ``(n_alphas,)``, and
    ``coefs`` of shape ``(n_features, n_alphas)`` whose column ``k`` solves ``alphas[k]``.
    """
    X, y = _check_X_y(X, y)
    _check_solver_params(max_iter, tol)
    n_samples, n_features = X.shape
    if alphas is None:
        _check_count(n_alphas, "n_alphas")
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        alpha_max = np.max(np.abs(X.T @ y)) / n_samples
        resolution = np.finfo(np.float64).resolution
        if alpha_max <= resolution:
            # y is orthogonal to every feature: w = 0 for any alpha, and a geometric grid
            # from 0 is undefined
            alphas = np.full(n_alphas, resolution)
        else:
            alphas = np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)
    else:
        alphas = np.asarray(alphas, dtype=np.float64)
        if alphas.ndim != 1 or alphas.size == 0:
            raise ValueError(f"alphas must be a non-empty 1-D sequence, got shape {alphas.shape}")
        for alpha in alphas:
            _check_alpha(alpha)
        alphas = np.sort(alphas)[::-1]

    coefs = np.empty((n_features, alphas.size))
    w = np.zeros(n_features)
    for k, alpha in enumerate(alphas):
        w, _, _ = _enet_coordinate_descent(
            X, y, w, l1=n_samples * alpha, l2=0.0, max_iter=max_iter, tol=float(tol)
        )
        coefs[:, k] = w
    return alphas, coefs
