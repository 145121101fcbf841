"""Every example runs in ``--quick`` mode and the claim it illustrates holds.

Each example's ``main(argv)`` returns the numbers it prints; these tests check the claim
on those numbers (not on the printed text) and that the figures are real PNG files. One
quick run per example is shared by the tests of that example.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def load_example(name: str):
    """Import ``examples/<name>.py`` as a module (the folder is not a package)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))  # for ``from _common import ...``
    spec = importlib.util.spec_from_file_location(
        f"minigrad_example_{name}", EXAMPLES / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_RUNS: dict[str, tuple[dict, Path]] = {}


def quick_run(name: str, tmp_path_factory) -> tuple[dict, Path]:
    """``main(['--quick', '--out', DIR])`` once per example per test session."""
    if name not in _RUNS:
        out = tmp_path_factory.mktemp(name)
        results = load_example(name).main(["--quick", "--out", str(out)])
        _RUNS[name] = (results, out)
    return _RUNS[name]


ALL = [
    "unit_balls",
    "sparsity",
    "lasso_path",
    "overfitting",
    "robust_loss",
    "weight_decay",
    "regularizers_digits",
    "gradient_clipping",
    "two_moons",
    "forward_vs_reverse",
]


@pytest.mark.parametrize("name", ALL)
def test_example_writes_png_figures_and_results_into_out(name, tmp_path_factory):
    results, out = quick_run(name, tmp_path_factory)
    figures = [Path(f) for f in results["figures"]]
    assert figures, f"{name} made no figure"
    for figure in figures:
        assert figure.parent == out
        assert figure.name.startswith(f"{name}_") and figure.suffix == ".png"
        assert figure.read_bytes()[:8] == PNG_MAGIC
    saved = json.loads((out / f"{name}_results.json").read_text())
    assert sorted(saved["figures"]) == sorted(str(f) for f in figures)


def test_every_example_script_is_covered():
    scripts = {p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_")}
    assert scripts - {"quickstart", "replay"} == set(ALL)  # replay writes pages: see below


# ----------------------------------------------------------------------------------------
# replay (web pages, not figures)


@pytest.mark.needs_dot
def test_replay_pages_and_the_kinks_of_the_l1_penalty_are_its_zero_parameters(tmp_path):
    results = load_example("replay").main(["--quick", "--out", str(tmp_path)])
    for page in results["pages"]:
        assert Path(page).parent == tmp_path
        assert Path(page).read_text(encoding="utf-8").count('id="replay-data"') == 1
    micrograd = results["micrograd"]
    assert micrograd["grads"] == pytest.approx({"a": 138.83381924198252, "b": 645.5772594752186})
    mlp = results["mlp"]
    assert mlp["kinks_by_op"]["AbsSum"] == mlp["zero_parameters"] > 0


# ----------------------------------------------------------------------------------------
# unit_balls


def test_unit_balls_worked_numbers_of_the_notes(tmp_path_factory):
    worked = quick_run("unit_balls", tmp_path_factory)[0]["worked"]
    assert worked["l1_penalty"] == 7.5
    assert worked["l2_penalty"] == 25.25
    assert worked["l2_norm"] == pytest.approx(np.sqrt(25.25))
    assert worked["linf_norm"] == 4.0


def test_unit_balls_l1_optimum_on_a_corner_l2_optimum_not(tmp_path_factory):
    results = quick_run("unit_balls", tmp_path_factory)[0]
    assert results["optima"]["l1"] == [1.0, 0.0]  # a vertex, w2 exactly 0
    assert all(v != 0 for v in results["optima"]["l2"])
    for d in ("2", "20"):
        stats = results["corner_stats"][d]
        assert stats["l1"]["share_with_a_zero"] > 0.3
        assert stats["l2"]["share_with_a_zero"] == 0.0
    assert results["corner_stats"]["20"]["l1"]["mean_zeros"] > 10


def test_project_l1_lands_on_the_sphere_with_exact_zeros():
    unit_balls = load_example("unit_balls")
    V = np.array([[3.0, 0.5], [0.2, 0.3], [-1.0, 2.0], [0.5, -0.5]])
    P = unit_balls.project_l1(V, 1.0)
    np.testing.assert_allclose(np.abs(P).sum(axis=1), [1.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(P[0], [1.0, 0.0])  # soft-thresholded by theta = 2
    np.testing.assert_array_equal(P[1], V[1])  # inside: unchanged
    np.testing.assert_allclose(P[2], [0.0, 1.0])
    np.testing.assert_array_equal(P[3], V[3])  # on the sphere: unchanged


# ----------------------------------------------------------------------------------------
# sparsity


def test_sparsity_proximal_and_coordinate_descent_zeros_subgradient_none(tmp_path_factory):
    results = quick_run("sparsity", tmp_path_factory)[0]
    methods = results["methods"]
    n_zero = results["closed_form_zeros"]
    assert n_zero > 0
    for label in ("proximal SGD(l1=λ)", "coordinate descent (Lasso)"):
        assert methods[label]["exact_zeros"] == n_zero
        assert methods[label]["max_err_vs_closed_form"] < 1e-9
    for label in ("subgradient SGD, lr constant", "subgradient SGD, lr/√t"):
        assert methods[label]["exact_zeros"] == 0
        assert methods[label]["max_abs_on_null"] > 0
    assert methods["L2: Ridge(α = nλ)"]["exact_zeros"] == 0
    if results["sklearn_available"]:
        assert methods["scikit-learn Lasso"]["max_err_vs_closed_form"] < 1e-8


def test_sparsity_subgradient_choice_at_zero(tmp_path_factory):
    results = quick_run("sparsity", tmp_path_factory)[0]
    assert results["abs_grad_at_zero"] == 0.0
    # f = w^2/2 + |w| at its minimizer 0: only s = 0 (the minimum-norm one) stays there
    for row in results["subgradient_choices"]["pure"]:
        assert (row["w_after_n"] == 0.0) == (row["s"] == 0.0)
    # f = (w - 0.3)^2/2 + |w|: only s = b / lam makes the whole subgradient 0
    for row in results["subgradient_choices"]["with_data"]:
        stays = row["w_after_n"] == 0.0
        assert stays == (row["g_at_0"] == 0.0)
        assert stays == (row["s"] == pytest.approx(0.3))


def test_sparsity_rejects_a_negative_lambda(tmp_path):
    with pytest.raises(SystemExit):
        load_example("sparsity").main(["--quick", "--lam", "-1", "--out", str(tmp_path)])


# ----------------------------------------------------------------------------------------
# lasso_path


def test_lasso_path_lambda_max_zeroes_everything(tmp_path_factory):
    results = quick_run("lasso_path", tmp_path_factory)[0]
    by_factor = results["nonzeros_by_factor"]
    assert by_factor[10.0] == by_factor[2.0] == by_factor[1.0] == 0
    assert by_factor[0.99] == 1  # just below lambda_max the first feature enters
    assert results["path_alpha_max"] == pytest.approx(results["lambda_max"], rel=1e-12)
    assert results["nonzeros_at_first_alpha"] == 0
    assert results["nonzeros_at_last_alpha"] >= 8
    assert results["entry_order"][0][0] in ("bmi", "s5")


def test_lasso_path_soft_threshold_fixed_point_both_scalings(tmp_path_factory):
    results = quick_run("lasso_path", tmp_path_factory)[0]
    assert results["fixed_point_residual"]["normalized"] < 1e-8
    assert results["fixed_point_residual"]["unnormalized"] < 1e-8
    # the penalty is not scale-invariant: rescaled features select another set
    assert results["selected_normalized"] != results["selected_unnormalized"]
    if results["sklearn_max_abs_diff"] is not None:
        assert results["sklearn_max_abs_diff"] < 1e-6


# ----------------------------------------------------------------------------------------
# overfitting


def test_overfitting_penalties_beat_no_penalty_and_too_strong_underfits(tmp_path_factory):
    results = quick_run("overfitting", tmp_path_factory)[0]
    s = results["summary"]
    simple, free, l2, l1, strong = (s[label] for label in results["labels"])
    assert free["train"] < l2["train"]  # the unpenalized polynomial fits the noise...
    assert free["test"] > 10 * l2["test"]  # ...and pays for it on new data
    assert l1["test"] < free["test"]
    assert l1["nonzero"] < free["nonzero"]  # L1 drops polynomial terms
    assert strong["train"] > l2["train"] and strong["test"] > l2["test"]  # under-fit
    assert simple["train"] > l2["train"]
    assert results["l2_wins"] == results["n_trials"]


def test_overfitting_fits_figure_says_which_training_set_it_shows(tmp_path, monkeypatch):
    module = load_example("overfitting")
    titles = {}
    real_save = module.save_figure

    def save_and_note_title(fig, folder, filename):
        titles[filename] = [t.get_text() for t in fig.texts]
        return real_save(fig, folder, filename)

    monkeypatch.setattr(module, "save_figure", save_and_note_title)
    module.main(["--quick", "--seed", "3", "--out", str(tmp_path)])
    (title,) = titles["overfitting_fits.png"]
    assert "training set 1 of the 2 (seed 3)" in title  # --quick draws 2 training sets


# ----------------------------------------------------------------------------------------
# robust_loss


def test_robust_loss_l1_and_huber_resist_outliers(tmp_path_factory):
    results = quick_run("robust_loss", tmp_path_factory)[0]
    error = results["line_error"]
    l2, l1, huber = (error[k] for k in error)
    assert l1 < l2 / 5 and huber < l2 / 5
    # the L2 fit found by Adam is the least-squares line
    (w, b), (w_ls, b_ls) = list(results["fits"].values())[0], results["least_squares"]
    assert w == pytest.approx(w_ls, abs=0.01) and b == pytest.approx(b_ls, abs=0.05)


# ----------------------------------------------------------------------------------------
# weight_decay


def test_weight_decay_equals_l2_for_sgd_and_not_for_adam(tmp_path_factory):
    results = quick_run("weight_decay", tmp_path_factory)[0]
    for pair in results["pairs"]:
        if pair["expected_same"]:
            assert pair["max_diff"] <= 1e-12, pair
        else:
            assert pair["max_diff"] > 1e-3, pair


# ----------------------------------------------------------------------------------------
# regularizers_digits


def test_digits_worked_normalization_and_dropout_numbers(tmp_path_factory):
    worked = quick_run("regularizers_digits", tmp_path_factory)[0]["worked"]
    np.testing.assert_allclose(
        worked["batch_norm"], np.array([-15, -5, 5, 15]) / np.sqrt(125 + 1e-5), rtol=1e-12
    )
    np.testing.assert_allclose(worked["layer_norm"], [-1.2247, 0, 1.2247], atol=1e-4)
    assert worked["layer_var_biased"] == pytest.approx(8 / 3)
    assert worked["layer_var_unbiased"] == 4.0
    np.testing.assert_allclose(worked["layer_norm_unbiased"], [-1, 0, 1])
    assert worked["dropout_kept_values"] == [2.0]
    assert worked["dropout_zero_share"] == pytest.approx(0.5, abs=0.01)
    assert worked["dropout_eval_is_identity"]


def test_digits_max_norm_holds_and_normalization_trains_faster(tmp_path_factory):
    results = quick_run("regularizers_digits", tmp_path_factory)[0]
    summary = results["summary"]
    for label, entry in summary.items():
        assert 0.5 < entry["test"]["mean"] <= 1.0
        if "max-norm" in label:
            assert entry["max_unit_norm"] <= results["max_norm"] * (1 + 1e-6)
    assert summary["plain MLP"]["max_unit_norm"] > 0  # unconstrained: anything goes
    # in the quick run (4 epochs) the normalized networks are far ahead
    for label in ("BatchNorm", "LayerNorm"):
        assert summary[label]["test"]["mean"] > summary["plain MLP"]["test"]["mean"]


# ----------------------------------------------------------------------------------------
# gradient_clipping


def test_clipping_keeps_an_exploding_network_finite(tmp_path_factory):
    results = quick_run("gradient_clipping", tmp_path_factory)[0]
    runs = {results["modes"][label]: r for label, r in results["runs"].items()}
    assert runs[None]["diverged"] and runs[None]["max_grad_norm"] > 1e10
    for mode in ("norm", "value"):
        assert not runs[mode]["diverged"] and runs[mode]["all_losses_finite"]
        assert runs[mode]["final_loss"] < 1.0
    # clipping by norm keeps the direction, clipping by value does not
    assert runs["norm"]["median_cosine"] == pytest.approx(1.0, abs=1e-12)
    assert runs["value"]["median_cosine"] < 0.99


def test_max_norm_renorm_keeps_direction_per_weight_clip_does_not(tmp_path_factory):
    constraint = quick_run("gradient_clipping", tmp_path_factory)[0]["max_norm"]
    assert constraint["renorm_max_row_norm"] <= 1.0
    assert constraint["renorm_min_cosine"] == pytest.approx(1.0, abs=1e-12)
    assert constraint["clip_min_cosine"] < 0.95


# ----------------------------------------------------------------------------------------
# two_moons


def test_two_moons_hinge_plus_l2_separates_the_moons(tmp_path_factory):
    results = quick_run("two_moons", tmp_path_factory)[0]
    assert results["final_accuracy"] >= 0.85
    assert results["final_hinge"] < results["first_hinge"] / 2


def test_two_moons_runs_as_a_headless_script(tmp_path):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "two_moons.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        # no display and no backend chosen: the script must pick Agg itself
        env={k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")},
    )
    assert done.returncode == 0, done.stderr
    assert "final training accuracy" in done.stdout
    assert (tmp_path / "two_moons_boundary.png").read_bytes()[:8] == PNG_MAGIC


def test_out_that_is_a_file_is_refused(tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(SystemExit):
        load_example("two_moons").main(["--quick", "--out", str(not_a_folder)])
    assert not_a_folder.read_text() == "x"


# forward_vs_reverse
def test_forward_vs_reverse_jacobians_agree_and_every_size_is_timed(tmp_path_factory):
    results = quick_run("forward_vs_reverse", tmp_path_factory)[0]
    assert results["largest_difference"] < 1e-12  # jacfwd and jacrev: one Jacobian
    n = len(results["sizes"])
    for key in ("forward_ms", "reverse_ms"):
        assert np.asarray(results[key]).shape == (n, n) and np.all(np.asarray(results[key]) > 0)
    assert set(results["forward_faster_for"]) == set(results["sizes"])
