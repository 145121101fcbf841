"""Lessons 5-7 of the course (docs/course/05-07): their checkers, and the claims of the
lecture notes that the lessons demonstrate.

Checkers: each accepts its worked solution (docs/course/solutions/) and rejects wrong
answers a learner is likely to write, saying in words what is wrong. Claims: each test
computes the same thing as the notebook cell that demonstrates the claim, on the same
data, and asserts what the lesson says about it — including where a claim of the notes
does not hold.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, optim
from minigrad.cli._threads import one_blas_thread
from minigrad.data import DataLoader, load_diabetes, load_digits, train_test_split
from minigrad.linear_model import ElasticNet, Lasso, Ridge, lasso_path

COURSE = Path(__file__).resolve().parents[1] / "docs" / "course"
if str(COURSE) not in sys.path:
    sys.path.insert(0, str(COURSE))  # as the notebooks, which run in docs/course

from checkers import lesson5, lesson6, lesson7  # noqa: E402
from solutions import lesson5 as solution5  # noqa: E402
from solutions import lesson6 as solution6  # noqa: E402
from solutions import lesson7 as solution7  # noqa: E402


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Small matrix products, thousands of them: one BLAS thread is several times faster
    on a busy 2-core machine (see minigrad/cli/_threads.py)."""
    with one_blas_thread():
        yield


# ----------------------------------------------------------------------------------------
# the checkers


def _no_scaling_dropout(x, p, training):
    return x * (np.random.default_rng().random(x.shape) >= p) if training else x


def _keep_with_probability_p(x, p, training):
    return x * (np.random.default_rng().random(x.shape) < p) / (1 - p) if training else x


def _one_mask_for_every_call(x, p, training):
    return x * (np.random.default_rng(0).random(x.shape) >= p) / (1 - p) if training else x


def _coordinate_update_without_z(X, y, w, j, alpha):
    rho_j = X[:, j] @ (y - X @ w + X[:, j] * w[j])
    return solution5.soft_threshold(rho_j, X.shape[0] * alpha)


def _coordinate_update_full_residual(X, y, w, j, alpha):
    rho_j = X[:, j] @ (y - X @ w)
    return solution5.soft_threshold(rho_j, X.shape[0] * alpha) / (X[:, j] @ X[:, j])


def _standardize(axis, ddof):
    def normalize(x):
        mean = x.mean(axis=axis, keepdims=True)
        return (x - mean) / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + 1e-5)

    return normalize


# (checker, the worked solution, [(a wrong answer, words the checker must say about it)])
EXERCISES = {
    "5.1 proximal L1 step": (
        lesson5.check_proximal_l1_step,
        solution5.proximal_l1_step,
        [
            (
                lambda w, g, lr, lam: solution5.soft_threshold(w, lr * lam),
                "without the gradient step first",
            ),
            (
                lambda w, g, lr, lam: w - lr * (g + lam * np.sign(w)),
                "it gives no exact zeros",
            ),
        ],
    ),
    "5.2 coordinate update": (
        lesson5.check_coordinate_update,
        solution5.coordinate_update,
        [
            (_coordinate_update_without_z, "did not divide by z_j"),
            (_coordinate_update_full_residual, "uses the full residual"),
        ],
    ),
    "5.3 lambda_max": (
        lesson5.check_lambda_max,
        solution5.lambda_max,
        [(lambda X, y: np.max(np.abs(X.T @ y)), "n times too large")],
    ),
    "6.1 batch norm": (
        lesson6.check_batch_norm,
        solution6.batch_norm,
        [
            (_standardize(axis=0, ddof=1), "unbiased variance"),
            (solution6.layer_norm, "that is LayerNorm"),
        ],
    ),
    "6.2 layer norm": (
        lesson6.check_layer_norm,
        solution6.layer_norm,
        [
            (_standardize(axis=-1, ddof=1), "unbiased variance (n − 1 = 2)"),
            (solution6.batch_norm, "that is BatchNorm"),
        ],
    ),
    "6.3 dropout": (
        lesson6.check_dropout,
        solution6.dropout,
        [
            (_no_scaling_dropout, "The kept units are not scaled"),
            (_keep_with_probability_p, "p is the probability to drop it"),
            (_one_mask_for_every_call, "two calls gave the same mask"),
        ],
    ),
    "7.1 clip by norm": (
        lesson7.check_clip_grad_norm,
        solution7.clip_grad_norm,
        [
            (
                lambda grads, c: [g * min(1.0, c / np.linalg.norm(g)) for g in grads],
                "by its own norm",
            ),
            (lambda grads, c: [np.clip(g, -c, c) for g in grads], "clipping by value"),
        ],
    ),
    "7.2 max-norm": (
        lesson7.check_max_norm,
        solution7.max_norm_rows,
        [
            (lambda W, c: np.clip(W, -c, c), "You clipped each weight"),
            (
                lambda W, c: W * c / np.linalg.norm(W, axis=1, keepdims=True),
                "Rows shorter than c must stay",
            ),
        ],
    ),
    "7.3 huber": (
        lesson7.check_huber,
        solution7.huber,
        [
            (lambda r, d: np.where(abs(r) <= d, r**2 / 2, d * abs(r)), "Without the − δ/2"),
            (lambda r, d: np.where(abs(r) <= d, r**2, d * (abs(r) - d / 2)), "half the squared"),
        ],
    ),
}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_checker_accepts_the_worked_solution(exercise, capsys):
    check, solution, _ = EXERCISES[exercise]
    assert check(solution) is True
    assert capsys.readouterr().out.startswith("Right: ")


@pytest.mark.parametrize(
    "exercise, wrong, words",
    [
        (name, wrong, words)
        for name, (_, _, answers) in EXERCISES.items()
        for wrong, words in answers
    ],
    ids=lambda value: value if isinstance(value, str) and value in EXERCISES else "",
)
def test_checker_rejects_a_wrong_answer_and_says_why(exercise, wrong, words, capsys):
    check = EXERCISES[exercise][0]
    assert check(wrong) is False
    said = capsys.readouterr().out
    assert said.startswith("Not yet: ") and words in said, said


@pytest.mark.parametrize("exercise", EXERCISES)
def test_checker_reports_the_unsolved_stub_and_a_crash_without_raising(exercise, capsys):
    check = EXERCISES[exercise][0]

    def stub(*args):
        return None

    def crashes(*args):
        raise IndexError("index 7 is out of bounds")

    assert check(stub) is False
    assert capsys.readouterr().out.startswith("Not done yet: ")
    assert check(None) is False
    assert "is still None" in capsys.readouterr().out
    assert check(crashes) is False
    assert "raised IndexError: index 7 is out of bounds" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------
# lesson 5: L1 against L2


def test_the_notes_l1_example_is_a_proportional_shrink_not_a_constant_step():
    # notes 001: "[3, -4, 0.5] -> [2.5, -3.3, 0.4]" under L1
    before, notes_after = np.array([3.0, -4.0, 0.5]), np.array([2.5, -3.3, 0.4])
    lr = 0.1

    def one_step(**optimizer_kwargs):
        w = nn.Parameter(before.copy())
        opt = optim.SGD([w], lr=lr, **optimizer_kwargs)
        (w * 0.0).sum().backward()  # no data term: only the penalty acts
        opt.step()
        return w.numpy()

    weight_decay = one_step(weight_decay=(1 - 2.5 / 3) / lr)  # tuned so that 3 -> 2.5
    l1 = one_step(l1=0.5 / lr)  # a constant step of 0.5: also 3 -> 2.5
    np.testing.assert_array_equal(np.round(weight_decay, 1), notes_after)
    np.testing.assert_allclose(l1, [2.5, -3.5, 0.0])
    assert np.max(np.abs(l1 - notes_after)) > 0.3
    ratios = notes_after / before
    assert np.ptp(ratios) < 0.04 and np.ptp(np.abs(before) - np.abs(notes_after)) > 0.5


def test_l1_pulls_harder_than_l2_only_below_the_crossover():
    magnitudes = mg.tensor(np.linspace(0.01, 2, 200), requires_grad=True, dtype=mg.float64)
    (l1_pull,) = mg.grad(F.l1_penalty([magnitudes]), magnitudes)
    (l2_pull,) = mg.grad(F.l2_penalty([magnitudes]), magnitudes)
    l1_wins = l1_pull.numpy() > l2_pull.numpy()
    crossover = magnitudes.numpy()[np.argmax(~l1_wins)]
    assert crossover == pytest.approx(0.5)  # lambda / (2 lambda) for the same lambda
    assert l1_wins[magnitudes.numpy() < 0.5].all() and not l1_wins[magnitudes.numpy() > 0.5].any()


def test_small_weights_keep_tanh_and_sigmoid_in_their_linear_region():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((2000, 64))
    direction = rng.standard_normal(64)
    direction /= np.linalg.norm(direction)

    def mean_slope(activation, scale):
        z = mg.tensor(inputs @ (scale * direction), requires_grad=True, dtype=mg.float64)
        (slope,) = mg.grad(activation(z).sum(), z)
        return slope.numpy().mean()

    assert mean_slope(mg.Tensor.tanh, 0.1) > 0.98
    assert 4 * mean_slope(mg.Tensor.sigmoid, 0.1) > 0.99
    assert mean_slope(mg.Tensor.tanh, 5.0) < 0.2
    assert 4 * mean_slope(mg.Tensor.sigmoid, 5.0) < 0.4


def test_elastic_net_penalty_at_half_is_half_the_notes_plain_sum():
    w = mg.tensor([3.0, -4.0, 0.5], dtype=mg.float64)
    mix = F.elastic_net_penalty([w], l1_ratio=0.5).item()
    assert mix == 16.375 and (F.l1_penalty([w]) + F.l2_penalty([w])).item() == 2 * mix


def test_elastic_net_keeps_correlated_copies_together_where_lasso_picks_one():
    rng = np.random.default_rng(0)
    n = 200
    hidden = rng.standard_normal(n)
    copies = hidden[:, None] + 0.1 * rng.standard_normal((n, 3))
    X = np.column_stack([copies, rng.standard_normal((n, 2))])
    y = 3 * hidden + 2 * X[:, 3] + 0.5 * rng.standard_normal(n)
    alphas = np.geomspace(3.5, 0.05, 25)
    lasso = np.array([Lasso(alpha=a, tol=1e-10, max_iter=100_000).fit(X, y).coef_ for a in alphas])
    enet = np.array(
        [
            ElasticNet(alpha=a, l1_ratio=0.5, tol=1e-10, max_iter=100_000).fit(X, y).coef_
            for a in alphas
        ]
    )
    lasso_kept = np.count_nonzero(lasso[:, :3], axis=1)
    assert (lasso_kept == 1).any()  # one copy alone, for a range of alpha
    assert (np.count_nonzero(enet[:, :3], axis=1) == 3).all()
    spread = np.ptp(enet[:, :3], axis=1) / np.abs(enet[:, :3]).mean(axis=1)
    assert spread.max() < 0.2


def _lasso_coordinate_descent(X, y, alpha, w=None, max_sweeps=20_000, tol=1e-12):
    """The notebook's coordinate descent: rho_j against the partial residual, then S."""
    n, d = X.shape
    w = np.zeros(d) if w is None else w.copy()
    for _ in range(max_sweeps):
        largest_change = 0.0
        for j in range(d):
            rho_j = X[:, j] @ (y - X @ w + X[:, j] * w[j])
            new_w_j = float(solution5.soft_threshold(rho_j, n * alpha))
            largest_change = max(largest_change, abs(new_w_j - w[j]))
            w[j] = new_w_j
        if largest_change < tol:
            break
    return w


def test_written_out_coordinate_descent_matches_minigrad_and_scikit_learn_paths():
    sklearn_linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = load_diabetes()
    y = y - y.mean()
    alphas, minigrad_path = lasso_path(X, y, n_alphas=40, tol=1e-10, max_iter=10_000)
    _, sklearn_path, _ = sklearn_linear_model.lasso_path(
        X, y, alphas=alphas, tol=1e-10, max_iter=10_000
    )
    ours, w = [], np.zeros(X.shape[1])
    for a in alphas:
        w = _lasso_coordinate_descent(X, y, a, w=w)
        ours.append(w)
    ours = np.array(ours).T
    # coefficients up to ~700; what is left is the stopping tolerance along a flat valley
    assert np.max(np.abs(ours - minigrad_path)) < 1e-4
    assert np.max(np.abs(ours - sklearn_path)) < 1e-4
    # from lambda_max, where every coefficient is 0 (up to rounding on the edge of the dead
    # zone), to the small end, where all ten are in
    assert np.max(np.abs(ours[:, 0])) < 1e-9 and np.count_nonzero(ours[:, -1]) == X.shape[1]


def test_lasso_with_lambda_zero_is_least_squares():
    X, y = load_diabetes()
    y = y - y.mean()
    least_squares = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(_lasso_coordinate_descent(X, y, 0.0), least_squares, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = Lasso(alpha=0.0, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(fit.coef_, least_squares, atol=1e-6)
    # and lambda > 0 is not: the penalty has to change something
    assert np.max(np.abs(Lasso(alpha=0.1, fit_intercept=False).fit(X, y).coef_ - least_squares)) > 1


# ----------------------------------------------------------------------------------------
# lesson 6: dropout and normalization


def _digits():
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=0.5, seed=0)


def _train(model, optimizer, data, epochs, seed=0):
    X_train, _, y_train, _ = data
    loader = DataLoader(X_train, y_train, batch_size=32, seed=seed)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            if len(yb) < 2:
                continue
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def _accuracy(model, X, y):
    model.eval()
    with mg.no_grad():
        return float(np.mean(model(mg.tensor(X)).numpy().argmax(axis=1) == y))


def test_dropout_draws_a_new_sub_network_at_every_call():
    mg.manual_seed(1)
    drop = nn.Dropout(p=0.5)
    hidden = mg.ones((1, 4))
    masks = [tuple(drop(hidden).numpy()[0] != 0) for _ in range(1000)]
    assert masks[0] != masks[1]
    assert len(set(masks)) == 16


def test_only_the_kept_sub_network_learns_in_a_step():
    mg.manual_seed(2)
    mlp = nn.MLP(64, [8], 10, activation="tanh", dropout=0.5)
    mlp.train()
    first, tanh, dropout, last = mlp.layers
    x, label = mg.tensor(_digits()[0][:1]), mg.tensor(_digits()[2][:1])
    kept_per_step = []
    for _ in range(2):
        mlp.zero_grad()
        kept_units = dropout(tanh(first(x)))
        F.cross_entropy(last(kept_units), label).backward()
        kept = np.flatnonzero(kept_units.numpy()[0])
        learning = np.flatnonzero(np.abs(first.weight.grad).sum(axis=1) > 0)
        np.testing.assert_array_equal(learning, kept)
        kept_per_step.append(kept.tolist())
    assert kept_per_step[0] != kept_per_step[1]


def test_the_eval_network_approximates_the_average_of_many_sub_networks():
    data = _digits()
    X_test, y_test = data[1], data[3]
    mg.manual_seed(0)
    model = nn.MLP(64, [128, 128], 10, dropout=0.3)
    _train(model, optim.Adam(model.parameters(), lr=3e-3), data, epochs=15)
    inputs = mg.tensor(X_test)
    with mg.no_grad():
        model.eval()
        eval_probabilities = F.softmax(model(inputs), axis=1).numpy()
        model.train()
        members = np.array([F.softmax(model(inputs), axis=1).numpy() for _ in range(100)])
    eval_accuracy = np.mean(eval_probabilities.argmax(axis=1) == y_test)
    average = members.mean(axis=0)
    single_accuracy = np.mean(members.argmax(axis=2) == y_test)
    assert single_accuracy < eval_accuracy - 0.005  # one sub-network is worse
    assert abs(np.mean(average.argmax(axis=1) == y_test) - eval_accuracy) < 0.01
    assert np.mean(average.argmax(axis=1) == eval_probabilities.argmax(axis=1)) > 0.98
    # an approximation, not the ensemble itself: the predictions still differ a little
    distance = 0.5 * np.abs(average - eval_probabilities).sum(axis=1).mean()
    one_mask_distance = 0.5 * np.abs(members[0] - eval_probabilities).sum(axis=1).mean()
    assert 0 < distance < one_mask_distance


def test_notes_batch_norm_and_layer_norm_examples():
    batch = mg.tensor([[10.0], [20.0], [30.0], [40.0]], dtype=mg.float64)
    np.testing.assert_array_equal(
        np.round(F.batch_norm(batch, None, None, training=True).numpy().ravel(), 2),
        [-1.34, -0.45, 0.45, 1.34],
    )
    sample = mg.tensor([[5.0, 7.0, 9.0]], dtype=mg.float64)
    np.testing.assert_allclose(
        F.layer_norm(sample, (3,)).numpy().ravel(), [-1.2247, 0, 1.2247], atol=1e-4
    )


def test_layer_norm_does_not_depend_on_the_batch_size_batch_norm_does():
    X_train = _digits()[0]
    mg.manual_seed(0)
    layer_norm, batch_norm = nn.LayerNorm(64), nn.BatchNorm1d(64)
    alone, in_a_batch = mg.tensor(X_train[:1]), mg.tensor(X_train[:64])
    for training in (True, False):
        layer_norm.train(training)
        np.testing.assert_array_equal(
            layer_norm(alone).numpy()[0], layer_norm(in_a_batch).numpy()[0]
        )
    batch_norm.train()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        batch_norm(alone)
    two = batch_norm(mg.tensor(X_train[:2])).numpy()[0]
    assert np.max(np.abs(two - batch_norm(in_a_batch).numpy()[0])) > 1


def _trained_accuracy(norm, factor, seed, data):
    mg.manual_seed(seed)
    model = nn.MLP(64, [64] * 4, 10, norm=norm)
    with mg.no_grad():
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                layer.weight *= factor
    with np.errstate(all="ignore"):
        _train(model, optim.SGD(model.parameters(), lr=0.03, momentum=0.9), data, 10, seed)
    return _accuracy(model, data[1], data[3])


def test_batch_norm_makes_training_insensitive_to_the_initial_scale():
    # the notebook's grid is 5 factors x 3 seeds; its two ends and one seed here
    data = _digits()
    for factor in (0.1, 10.0):
        assert _trained_accuracy(None, factor, 0, data) < 0.2  # chance level is 0.1
        assert _trained_accuracy("batch", factor, 0, data) > 0.9


def _first_over_last_gradient(activation, norm):
    X_train, _, y_train, _ = _digits()
    mg.manual_seed(0)
    model = nn.MLP(64, [64] * 20, 10, activation=activation, norm=norm)
    model.train()
    F.cross_entropy(model(mg.tensor(X_train[:256])), mg.tensor(y_train[:256])).backward()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return np.linalg.norm(linears[0].weight.grad) / np.linalg.norm(linears[-1].weight.grad)


def test_batch_norm_stops_vanishing_gradients_but_makes_deep_relu_gradients_grow():
    # the claim holds: without BatchNorm the first layers get (almost) nothing
    assert _first_over_last_gradient("sigmoid", None) < 1e-12
    assert 0.1 < _first_over_last_gradient("sigmoid", "batch") < 10
    assert _first_over_last_gradient("relu", None) < 1e-4
    # and where it does not: in a deep ReLU network the gradient now grows towards the input
    assert _first_over_last_gradient("relu", "batch") > 10


# ----------------------------------------------------------------------------------------
# lesson 7: over- and under-fitting


NOISE = 0.25


def _train_and_test_error(n_train, degree, repeats=30):
    x_test = np.linspace(-1, 1, 1000)
    y_test = np.sin(np.pi * x_test) + NOISE * np.random.default_rng(99).standard_normal(1000)

    def features(x):
        return np.polynomial.legendre.legvander(x, degree)[:, 1:]

    errors = []
    for seed in range(repeats):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1, 1, n_train)
        y = np.sin(np.pi * x) + NOISE * rng.standard_normal(n_train)
        model = Ridge(alpha=0.0).fit(features(x), y)
        errors.append(
            (
                np.mean((model.predict(features(x)) - y) ** 2),
                np.mean((model.predict(features(x_test)) - y_test) ** 2),
            )
        )
    return np.median(errors, axis=0)


def test_test_error_against_degree_is_u_shaped():
    by_degree = np.array([_train_and_test_error(20, d) for d in range(1, 16)])
    assert np.all(np.diff(by_degree[:, 0]) <= 1e-12)  # training error only falls
    best = np.argmin(by_degree[:, 1])
    assert 0 < best < 14  # neither the line nor the degree-15 polynomial
    assert by_degree[0, 1] > 2 * by_degree[best, 1]  # degree 1 under-fits
    assert by_degree[14, 1] > 100 * by_degree[best, 1]  # degree 15 over-fits


def test_more_training_data_closes_the_train_test_gap():
    sizes = [15, 20, 30, 50, 100, 200, 500]
    by_size = np.array([_train_and_test_error(n, 10) for n in sizes])
    gaps = by_size[:, 1] - by_size[:, 0]
    assert np.all(np.diff(gaps) < 0)
    assert gaps[-1] < 0.01 < 1 < gaps[0]
    assert np.all(np.diff(by_size[:, 0]) > 0)  # fitting the noise gets harder with more points
