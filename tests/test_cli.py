"""The `minigrad` command line end to end, with small settings (seconds)."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "minigrad", *args], capture_output=True, text=True, timeout=300
    )


def test_train_writes_checkpoint_metrics_and_figures(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "3", "--l1", "1e-3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for row in ("loss", "accuracy", "exactly-zero weights", "weight L1 norm"):
        assert row in printed
    for name in (
        "checkpoint.npz",
        "metrics.csv",
        "metrics.json",
        "learning_curve.png",
        "decision_boundary.png",
        "graph.svg",
    ):
        assert (out / name).stat().st_size > 0, name
    history = json.loads((out / "metrics.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    with open(out / "metrics.csv") as f:
        assert len(list(csv.DictReader(f))) == 3
    assert (out / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ckpt = mg.load(out / "checkpoint.npz")
    assert int(ckpt["epoch"]) == 3 and "model" in ckpt and "optimizer" in ckpt


def test_train_regression_on_diabetes_reports_r2(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--data",
            "diabetes",
            "--epochs",
            "2",
            "--hidden",
            "8",
            "--no-plots",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "r2" in capsys.readouterr().out


def test_proximal_l1_gives_exact_zero_weights(tmp_path):
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--optimizer",
                "sgd",
                "--lr",
                "0.1",
                "--prox-l1",
                "0.05",
                "--epochs",
                "5",
                "--no-plots",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    last = json.loads((out / "metrics.json").read_text())[-1]
    assert last["zero_share"] > 0.2


def test_resume_continues_from_the_saved_epoch(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "2", "--no-plots", "--out", str(out)]) == 0
    first = mg.load(out / "checkpoint.npz")
    assert (
        main(
            [
                "train",
                "--resume",
                str(out / "checkpoint.npz"),
                "--epochs",
                "4",
                "--no-plots",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    history = json.loads((out / "metrics.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3, 4]
    resumed = mg.load(out / "checkpoint.npz")
    assert int(resumed["epoch"]) == 4
    steps = resumed["optimizer"]["state"] if "state" in resumed["optimizer"] else None
    assert steps is None or steps  # optimizer state was carried along
    w0 = first["model"]["layers.0.weight"]
    assert not np.array_equal(w0, resumed["model"]["layers.0.weight"])


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--lr", "0"], "--lr must be > 0"),
        (["--dropout", "-0.1"], "--dropout must be in [0, 1)"),
        (["--data", "mnist"], "invalid choice"),
        (["--hidden", "16,x"], "comma-separated integers"),
        (["--l1", "-1"], "--l1 must be >= 0"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_bad_flags_exit_nonzero_with_one_line_and_no_traceback(tmp_path, flags, message):
    done = run("train", "--out", str(tmp_path / "run"), *flags)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_missing_or_corrupt_resume_checkpoint_writes_nothing(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a checkpoint")
    for path in (tmp_path / "missing.npz", bad):
        done = run("train", "--resume", str(path), "--out", str(tmp_path / "run"))
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and str(path.name) in done.stderr
        assert not (tmp_path / "run").exists()


def test_resume_refuses_a_finished_run_and_settings_it_would_ignore(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "2", "--no-plots", "--out", str(out)]) == 0
    ckpt = out / "checkpoint.npz"
    before = ckpt.read_bytes()
    capsys.readouterr()
    for flags, message in [
        ([], "already holds epoch 2 of 2"),
        (["--epochs", "2"], "already holds epoch 2 of 2"),
        (["--epochs", "4", "--l2", "5"], "--l2 would be ignored"),
    ]:
        args = ["train", "--resume", str(ckpt), "--no-plots", "--out", str(tmp_path / "new")]
        assert main(args + flags) == 2
        assert message in capsys.readouterr().err
        assert not (tmp_path / "new").exists() and ckpt.read_bytes() == before


@pytest.mark.parametrize("batch", ["0", "-3"])
def test_graph_batch_must_be_at_least_one(tmp_path, batch):
    done = run("graph", "--batch", batch, "--out", str(tmp_path / "g"))
    assert done.returncode == 2 and "must be at least 1" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "g").exists()


def test_gradcheck_command_checks_every_registered_op(capsys):
    from minigrad.checks import registry

    assert main(["gradcheck"]) == 0
    printed = capsys.readouterr().out
    for check in registry():
        assert check.name in printed
    assert f"{len(registry())} passed, 0 failed" in printed


def test_gradcheck_command_takes_an_op_name_for_all_of_its_cases(capsys):
    assert main(["gradcheck", "--only", "abs", "matmul 2-D"]) == 0
    printed = capsys.readouterr().out
    assert "abs method" in printed and "abs builtin" in printed and "matmul 2-D" in printed
    assert "3 passed, 0 failed" in printed


def test_gradcheck_command_rejects_unknown_names():
    done = run("gradcheck", "--only", "no-such-op")
    assert done.returncode == 2 and "unknown checks" in done.stderr


def test_graph_command_writes_svg_png_and_dot(tmp_path):
    out = tmp_path / "g"
    assert (
        main(["graph", "--hidden", "8,8", "--norm", "batch", "--dropout", "0.1", "--out", str(out)])
        == 0
    )
    svg = (out / "graph.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "layers.0.weight" in svg
    assert (out / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "digraph" in (out / "graph.dot").read_text()


def test_graph_command_without_graphviz_writes_dot_and_explains(tmp_path):
    python_dir = str(Path(sys.executable).parent)  # a PATH on which there is no `dot`
    done = subprocess.run(
        [sys.executable, "-m", "minigrad", "graph", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": python_dir},
    )
    assert done.returncode == 0, done.stderr
    assert "apt-get install graphviz" in done.stdout
    assert (tmp_path / "graph.dot").is_file() and not (tmp_path / "graph.svg").exists()


def test_bench_command_prints_the_table(capsys):
    assert (
        main(
            [
                "bench",
                "--workloads",
                "micro",
                "--engines",
                "numpy",
                "minigrad",
                "--rounds",
                "1",
                "--reps",
                "1",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "| micro" in printed and "minigrad / floor" in printed


def test_bench_hands_its_flags_to_the_harness_unchanged(capfd):
    assert main(["bench", "--help"]) == 0
    assert "python -m benchmarks" in capfd.readouterr().out
    assert main(["bench", "--reps", "0"]) == 2  # refused by the harness's own parser
    assert "must be at least 1" in capfd.readouterr().err


def test_bench_outside_a_checkout_says_where_the_benchmarks_are(monkeypatch, capsys):
    from minigrad.cli import commands

    monkeypatch.setattr(commands, "checkout_with_benchmarks", lambda package_dir: None)
    assert main(["bench", "--reps", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "live in the repository" in err
    assert "python -m benchmarks" in err


def test_the_benchmarks_are_found_beside_the_package_folder(tmp_path):
    from minigrad.cli.commands import checkout_with_benchmarks

    (tmp_path / "minigrad").mkdir()
    assert checkout_with_benchmarks(tmp_path / "minigrad") is None  # an installed copy
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "__main__.py").write_text("")
    assert checkout_with_benchmarks(tmp_path / "minigrad") == tmp_path.resolve()
