"""Spec for minigrad.linear_model: scikit-learn's objectives, solutions and stopping rule.

The coordinate-descent solver reproduces scikit-learn's (cyclic updates, the same
residual bookkeeping, the duality-gap stopping rule), so on the same data it stops after
the same number of sweeps with the same coefficients up to rounding. The comparisons
need scikit-learn and are skipped without it; the optimality tests below them do not.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from minigrad.data import load_diabetes
from minigrad.linear_model import (
    ConvergenceWarning,
    ElasticNet,
    Lasso,
    NotFittedError,
    Ridge,
    lasso_path,
    soft_threshold,
)


def _sklearn_version() -> tuple[int, int]:
    try:
        import sklearn
    except ImportError:
        return (0, 0)
    major, minor = sklearn.__version__.split(".")[:2]
    return int(major), int(minor)


# scikit-learn 1.8 added Gap Safe screening and the gap check before the first sweep;
# older versions stop at slightly different sweeps, so only converged solutions compare
SAME_SOLVER_AS_SKLEARN = _sklearn_version() >= (1, 8)


@pytest.fixture(scope="module")
def sk():
    return pytest.importorskip("sklearn.linear_model")


def diabetes():
    return load_diabetes()


def sparse_problem(return_coef=False):
    """Uncentered features on different scales, 6 of 30 informative, noisy."""
    rng = np.random.default_rng(7)
    n, p = 120, 30
    X = rng.standard_normal((n, p)) * rng.uniform(0.2, 5.0, p) + rng.uniform(-3, 3, p)
    w = np.zeros(p)
    w[rng.choice(p, 6, replace=False)] = rng.choice([-1, 1], 6) * rng.uniform(1, 4, 6)
    y = X @ w + 4.0 + 0.5 * rng.standard_normal(n)
    return (X, y, w) if return_coef else (X, y)


PROBLEMS = {"diabetes": diabetes, "sparse": sparse_problem}


def assert_same_fit(ours, theirs, y, coef_atol=1e-8):
    scale = max(1.0, np.max(np.abs(theirs.coef_)))
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=coef_atol * scale)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=coef_atol * scale)
    if SAME_SOLVER_AS_SKLEARN:
        assert ours.n_iter_ == theirs.n_iter_
        # the gap is a difference of terms of size ||y||^2 / n: compare at that rounding level
        gap_atol = 1e-14 * np.mean((y - y.mean()) ** 2)
        np.testing.assert_allclose(ours.dual_gap_, theirs.dual_gap_, rtol=1e-6, atol=gap_atol)


# ---------------------------------------------------------------------------------------
# soft-thresholding


def test_soft_threshold_shrinks_large_values_towards_zero():
    assert soft_threshold(3.0, 1.0) == 2.0
    assert soft_threshold(-3.0, 1.0) == -2.0


def test_soft_threshold_kills_values_inside_the_threshold():
    for rho in [-1.0, -0.3, 0.0, 0.7, 1.0]:
        assert soft_threshold(rho, 1.0) == 0.0


def test_soft_threshold_with_zero_threshold_is_identity():
    for rho in [-2.5, 0.0, 1e-300, 4.0]:
        assert soft_threshold(rho, 0.0) == rho


def test_soft_threshold_is_the_prox_of_the_absolute_value():
    # S(rho, lam) = argmin_w 1/2 (w - rho)^2 + lam |w|, checked on a fine grid
    grid = np.linspace(-5, 5, 100_001)
    for rho, lam in [(2.3, 0.8), (-1.1, 1.5), (0.4, 0.4), (-4.0, 0.5)]:
        best = grid[np.argmin(0.5 * (grid - rho) ** 2 + lam * np.abs(grid))]
        assert soft_threshold(rho, lam) == pytest.approx(best, abs=1e-4)


# ---------------------------------------------------------------------------------------
# agreement with scikit-learn


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("alpha", [0.002, 0.05, 0.3, 1.0])
def test_lasso_matches_sklearn(sk, problem, alpha):
    X, y = PROBLEMS[problem]()
    theirs = sk.Lasso(alpha=alpha).fit(X, y)
    ours = Lasso(alpha=alpha).fit(X, y)
    assert_same_fit(ours, theirs, y)
    assert ours.coef_.shape == (X.shape[1],)
    assert isinstance(ours.intercept_, float)


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.01, 0.5), (0.1, 0.9), (0.5, 0.2), (0.02, 0.0)])
def test_elastic_net_matches_sklearn(sk, problem, alpha, l1_ratio):
    X, y = PROBLEMS[problem]()
    with warnings.catch_warnings():
        # l1_ratio=0 makes scikit-learn suggest Ridge; the comparison is the point here
        warnings.simplefilter("ignore")
        theirs = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    ours = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    assert_same_fit(ours, theirs, y)


@pytest.mark.parametrize("alpha", [0.01, 0.5])
def test_no_intercept_matches_sklearn(sk, alpha):
    X, y = sparse_problem()
    theirs = sk.ElasticNet(alpha=alpha, l1_ratio=0.7, fit_intercept=False).fit(X, y)
    ours = ElasticNet(alpha=alpha, l1_ratio=0.7, fit_intercept=False).fit(X, y)
    assert ours.intercept_ == 0.0
    assert_same_fit(ours, theirs, y)


def test_converged_solutions_match_any_sklearn_version(sk):
    # with a tight tolerance the stopping rule no longer matters, only the objective
    X, y = sparse_problem()
    theirs = sk.ElasticNet(alpha=0.05, l1_ratio=0.6, tol=1e-12, max_iter=100_000).fit(X, y)
    ours = ElasticNet(alpha=0.05, l1_ratio=0.6, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.1, 10.0])
def test_ridge_matches_sklearn(sk, fit_intercept, alpha):
    X, y = sparse_problem()
    theirs = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    ours = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-10)


def test_ridge_with_more_features_than_samples_matches_sklearn(sk):
    X, y = sparse_problem()
    X, y = X[:20], y[:20]
    theirs = sk.Ridge(alpha=0.5).fit(X, y)
    ours = Ridge(alpha=0.5).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-10)


def test_lasso_path_matches_sklearn(sk):
    X, y = load_diabetes()
    X, y = X - X.mean(axis=0), y - y.mean()
    # precompute=False: scikit-learn's Gram-matrix variant rounds differently
    their_alphas, their_coefs, _ = sk.lasso_path(X, y, eps=1e-3, precompute=False)
    alphas, coefs = lasso_path(X, y, n_alphas=100, eps=1e-3)
    np.testing.assert_allclose(alphas, their_alphas, rtol=1e-14)
    assert coefs.shape == (10, 100)
    np.testing.assert_allclose(coefs, their_coefs, rtol=0, atol=1e-8 * np.abs(their_coefs).max())


def test_lasso_path_with_given_alphas_matches_sklearn(sk):
    X, y = sparse_problem()
    given = [0.05, 2.0, 0.3, 10.0]
    their_alphas, their_coefs, _ = sk.lasso_path(X, y, alphas=given, precompute=False)
    alphas, coefs = lasso_path(X, y, alphas=given)
    np.testing.assert_array_equal(alphas, [10.0, 2.0, 0.3, 0.05])
    np.testing.assert_array_equal(alphas, their_alphas)
    np.testing.assert_allclose(coefs, their_coefs, rtol=0, atol=1e-8 * np.abs(their_coefs).max())


# ---------------------------------------------------------------------------------------
# properties that need no reference implementation


def lambda_max(X, y, l1_ratio=1.0):
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return np.max(np.abs(Xc.T @ yc)) / (len(y) * l1_ratio)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_alpha_at_or_above_lambda_max_gives_all_zero_coefficients(l1_ratio):
    X, y = sparse_problem()
    lam = lambda_max(X, y, l1_ratio)
    for alpha in [lam, 2 * lam, 1e6]:
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
        np.testing.assert_array_equal(model.coef_, 0.0)
        assert model.intercept_ == pytest.approx(y.mean())
        assert model.n_iter_ == 0  # w = 0 is optimal from the start: the gap is already 0
    # just below lambda_max, w = 0 is already within tol of optimal (gap (1-s)^2 ||y||^2 / 2
    # with s = alpha / lambda_max), so go far enough below for the first feature to enter
    below = ElasticNet(alpha=0.9 * lam, l1_ratio=l1_ratio).fit(X, y)
    assert np.count_nonzero(below.coef_) >= 1


def test_lasso_solution_satisfies_kkt_conditions():
    # 0 in the subdifferential: x_j.r / n = alpha sign(w_j) where w_j != 0, |x_j.r| / n <= alpha
    X, y = sparse_problem()
    alpha = 0.2
    model = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    Xc = X - X.mean(axis=0)
    correlation = Xc.T @ (y - model.predict(X)) / len(y)
    active = model.coef_ != 0
    assert 0 < active.sum() < X.shape[1]
    np.testing.assert_allclose(correlation[active], alpha * np.sign(model.coef_[active]), atol=1e-7)
    assert np.all(np.abs(correlation[~active]) <= alpha + 1e-9)
    assert model.dual_gap_ <= 1e-12 * (y - y.mean()) @ (y - y.mean())


def test_lasso_recovers_the_support_of_a_sparse_problem():
    X, y, w = sparse_problem(return_coef=True)
    # on standardized features the L1 penalty treats all coefficients alike; on raw ones
    # it favours high-variance distractors
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = Lasso(alpha=0.3).fit(X, y)
    np.testing.assert_array_equal(np.flatnonzero(model.coef_), np.flatnonzero(w))


def test_ridge_solves_the_normal_equations():
    X, y = sparse_problem()
    model = Ridge(alpha=3.0).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    gradient = Xc.T @ (Xc @ model.coef_ - yc) + 3.0 * model.coef_
    np.testing.assert_allclose(gradient, 0.0, atol=1e-9)
    assert model.intercept_ == pytest.approx(y.mean() - X.mean(axis=0) @ model.coef_)


def test_lasso_path_is_descending_and_warm_started_fits_match_single_fits():
    X, y = sparse_problem()
    X, y = X - X.mean(axis=0), y - y.mean()
    alphas, coefs = lasso_path(X, y, n_alphas=8, eps=1e-2, tol=1e-10)
    assert np.all(np.diff(alphas) < 0)
    assert alphas[0] == pytest.approx(np.max(np.abs(X.T @ y)) / len(y))
    assert alphas[-1] == pytest.approx(1e-2 * alphas[0])
    np.testing.assert_array_equal(coefs[:, 0], 0.0)
    for k in [2, 7]:
        single = Lasso(alpha=alphas[k], fit_intercept=False, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(coefs[:, k], single.coef_, atol=1e-6)


def test_predict_is_the_affine_model():
    X, y = sparse_problem()
    model = ElasticNet(alpha=0.1).fit(X, y)
    np.testing.assert_allclose(model.predict(X[:5]), X[:5] @ model.coef_ + model.intercept_)


def test_fit_returns_self():
    X, y = sparse_problem()
    for model in [Lasso(), ElasticNet(), Ridge()]:
        assert model.fit(X, y) is model


def test_too_few_iterations_warn():
    X, y = sparse_problem()
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = Lasso(alpha=1e-3, max_iter=2).fit(X, y)
    assert model.n_iter_ == 2


# ---------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("model", [Lasso(), ElasticNet(), Ridge()], ids=repr)
def test_bad_training_data_is_a_value_error(model):
    X, y = sparse_problem()
    with pytest.raises(ValueError, match="2-D"):
        model.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="different numbers of samples"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="1-D"):
        model.fit(X, y[:, None])
    X_nan = X.copy()
    X_nan[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X_nan, y)
    y_inf = y.copy()
    y_inf[0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.fit(X, y_inf)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (Lasso(alpha=-1.0), "alpha"),
        (Ridge(alpha=-0.1), "alpha"),
        (ElasticNet(l1_ratio=1.5), "l1_ratio"),
        (ElasticNet(l1_ratio=-0.1), "l1_ratio"),
        (Lasso(max_iter=0), "max_iter"),
        (Lasso(tol=-1.0), "tol"),
    ],
    ids=repr,
)
def test_bad_hyperparameters_are_value_errors(model, message):
    X, y = sparse_problem()
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_predict_before_fit_or_with_wrong_width_is_an_error():
    X, y = sparse_problem()
    with pytest.raises(NotFittedError, match="not fitted"):
        Lasso().predict(X)
    assert issubclass(NotFittedError, ValueError)
    model = Ridge().fit(X, y)
    with pytest.raises(ValueError, match="5 features, but Ridge was fitted with 30"):
        model.predict(X[:, :5])


def test_lasso_path_bad_input():
    X, y = sparse_problem()
    with pytest.raises(ValueError, match="alpha"):
        lasso_path(X, y, alphas=[0.1, -1.0])
    with pytest.raises(ValueError, match="n_alphas"):
        lasso_path(X, y, n_alphas=0)
    with pytest.raises(ValueError, match="different numbers of samples"):
        lasso_path(X, y[:10])
