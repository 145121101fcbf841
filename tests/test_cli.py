"""The `minigrad` command line end to end, with small settings (seconds)."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.cli import main
from minigrad.cli.config import TrainConfig


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "minigrad", *args], capture_output=True, text=True, timeout=300
    )


def wrote_line(printed: str) -> tuple[Path, list[str]]:
    """The folder and the file names of the ``wrote DIR/: a, b, c`` line."""
    (line,) = [line for line in printed.splitlines() if line.startswith("wrote ")]
    folder, names = line[len("wrote ") :].split("/: ")
    return Path(folder), names.split(", ")


@pytest.mark.needs_dot
def test_train_writes_checkpoint_metrics_and_figures(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "3", "--l1", "1e-3", "--out", str(out)]) == 0
    printed, errors = capsys.readouterr()
    for row in ("loss (no penalty)", "accuracy", "exactly-zero weights", "weight L1 norm"):
        assert row in printed
    assert "warning" not in errors
    folder, names = wrote_line(printed)
    assert folder == out
    assert names == [
        "checkpoint.npz",
        "metrics.csv",
        "metrics.json",
        "learning_curve.png",
        "decision_boundary.png",
        "graph.dot",
        "graph.svg",
        "replay.html",
    ]
    assert sorted(names) == sorted(p.name for p in out.iterdir())
    for name in names:
        assert (out / name).stat().st_size > 0, name
    history = json.loads((out / "metrics.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    with open(out / "metrics.csv") as f:
        assert len(list(csv.DictReader(f))) == 3
    assert (out / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ckpt = mg.load(out / "checkpoint.npz")
    assert int(ckpt["epoch"]) == 3 and "model" in ckpt and "optimizer" in ckpt
    # the table's loss leaves the penalty out and shows it on a row of its own
    weights = [v for k, v in ckpt["model"].items() if k.endswith("weight")]
    l1_term = 1e-3 * sum(float(np.abs(w).sum()) for w in weights)
    (penalty_row,) = [line for line in printed.splitlines() if line.startswith("penalty")]
    assert penalty_row.split()[-1] == f"{l1_term:.4f}"
    assert _table_value(printed, "loss") == f"{history[-1]['train_loss']:.4f}"


def _table_value(printed: str, row: str) -> str:
    (line,) = [line for line in printed.splitlines() if line.startswith(row)]
    return line.split()[-2]  # the train column


def test_train_without_a_penalty_has_no_penalty_row(tmp_path, capsys):
    assert main(["train", "--epochs", "1", "--no-plots", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "loss (no penalty)" in printed and "penalty (added" not in printed


@pytest.mark.parametrize(
    "flags, written",
    [
        (["--no-plots"], ["checkpoint.npz", "metrics.csv", "metrics.json"]),
        (
            ["--data", "diabetes", "--hidden", "8"],  # regression: no decision boundary
            ["checkpoint.npz", "metrics.csv", "metrics.json", "learning_curve.png", "graph.dot"],
        ),
    ],
)
def test_train_lists_exactly_the_files_it_wrote(tmp_path, capsys, flags, written):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "1", "--out", str(out), *flags]) == 0
    _, names = wrote_line(capsys.readouterr().out)
    assert names[: len(written)] == written  # graph.svg and replay.html follow where dot is
    assert set(names) - set(written) <= {"graph.svg", "replay.html"}
    assert sorted(names) == sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize("command", ["train", "graph"])
def test_without_graphviz_train_and_graph_write_graph_dot_and_say_how_to_install(
    tmp_path, capsys, monkeypatch, command
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` anywhere on PATH
    out = tmp_path / "out"
    flags = ["--epochs", "1"] if command == "train" else ["--replay"]
    assert main([command, "--out", str(out), *flags]) == 0
    printed = capsys.readouterr().out
    assert "apt-get install graphviz" in printed and "brew install graphviz" in printed
    assert (out / "graph.dot").read_text().startswith("digraph")
    assert not list(out.glob("graph.svg")) and not list(out.glob("graph.png"))
    assert not list(out.glob("replay.html"))  # its drawing needs dot too
    if command == "train":
        _, names = wrote_line(printed)
        assert "graph.dot" in names and "graph.svg" not in names
        assert sorted(names) == sorted(p.name for p in out.iterdir())
    else:
        assert f"wrote {out / 'graph.dot'}" in printed.splitlines()


@pytest.mark.needs_dot
def test_default_graphs_of_train_and_graph_fit_a_normal_screen_width(tmp_path):
    from PIL import Image

    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "t")]) == 0
    assert main(["graph", "--out", str(tmp_path / "g")]) == 0
    train_png = tmp_path / "t" / "graph.png"
    subprocess.run(
        ["dot", "-Tpng", str(tmp_path / "t" / "graph.dot"), "-o", str(train_png)], check=True
    )  # minigrad train writes the SVG only
    for png in (train_png, tmp_path / "g" / "graph.png"):
        width, height = Image.open(png).size
        assert width <= 1400 and height > width, (png, width, height)  # drawn top to bottom


def test_decision_boundary_has_a_class_legend_and_marks_train_and_test_apart():
    from matplotlib.collections import PathCollection

    from minigrad.cli import plots

    rng = np.random.default_rng(0)
    train = rng.normal(size=(30, 2)), np.arange(30) % 2
    test = rng.normal(size=(10, 2)), np.arange(10) % 2

    def predict(grid):
        return (grid[:, 0] > 0).astype(int)

    fig = plots.decision_boundary_figure(predict, train, test)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "train (30)", "test (10)"]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in points] == [30, 10]
    train_marker, test_marker = (c.get_paths()[0].vertices for c in points)
    assert not np.array_equal(train_marker, test_marker)


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
        (["--lr", "inf"], "--lr must be a finite number, got inf"),
        (["--lr", "nan"], "--lr must be a finite number, got nan"),
        (["--l2", "1e999"], "--l2 must be a finite number, got inf"),
        (["--max-norm", "inf"], "--max-norm must be a finite number, got inf"),
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
    from minigrad.cli.checks import registry

    assert main(["gradcheck"]) == 0
    printed = capsys.readouterr().out
    assert "reverse mode" in printed and "forward" in printed  # a column for each mode
    for check in registry():
        assert check.name in printed
    assert f"{len(registry())} passed, 0 failed" in printed


def test_gradcheck_command_rejects_unknown_names_and_lists_the_valid_ones(capsys):
    from minigrad.catalogue import OPS

    assert main(["gradcheck", "--only", "no-such-op"]) == 2
    error = capsys.readouterr().err
    assert "unknown checks ['no-such-op']" in error
    assert all(repr(op.name) in error for op in OPS)
    assert len(error.strip().splitlines()) == 1


def test_gradcheck_command_takes_an_op_name_for_all_of_its_cases(capsys):
    assert main(["gradcheck", "--only", "abs", "matmul 2-D"]) == 0
    printed = capsys.readouterr().out
    assert "abs method" in printed and "abs builtin" in printed and "matmul 2-D" in printed
    assert "3 passed, 0 failed" in printed


@pytest.mark.needs_dot
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


@pytest.mark.needs_dot
def test_graph_replay_writes_replay_html_beside_the_graph(tmp_path, capsys):
    out = tmp_path / "g"
    assert main(["graph", "--replay", "--batch", "4", "--out", str(out)]) == 0
    assert f"wrote {out / 'replay.html'}" in capsys.readouterr().out.splitlines()
    page = (out / "replay.html").read_text(encoding="utf-8")
    assert 'id="replay-data"' in page and "layers.0.weight" in page
    assert '"shape":"(4, 16)"' in page  # the hidden layer's output on the batch of 4


@pytest.mark.needs_dot
def test_the_replay_page_of_the_default_train_model_stays_under_2_mb(tmp_path):
    assert main(["train", "--epochs", "1", "--no-progress", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "replay.html").read_bytes()
    assert len(page) < 2_000_000
    assert b'"shape":"(8, ' in page  # one training step on a batch of 8


def test_diverging_run_ends_with_one_warning_line_and_no_numpy_warnings(tmp_path):
    done = run("train", "--lr", "1e6", "--epochs", "2", "--no-plots", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("minigrad train: warning: the run diverged")
    assert "lower --lr" in line
    assert (tmp_path / "checkpoint.npz").is_file()  # a warning, not an error: files kept


def test_nan_loss_is_one_error_line_without_numpy_warnings(tmp_path):
    done = run(
        "train",
        "--optimizer",
        "sgd",
        "--lr",
        "1e20",
        "--epochs",
        "2",
        "--no-plots",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line == "minigrad train: error: the loss became nan or inf: lower --lr or clip gradients"


def test_an_untrained_model_is_not_called_diverged_on_any_data_set():
    from minigrad.cli import train

    for data in ("moons", "digits", "diabetes"):
        state = train.new_run(TrainConfig(data=data, hidden=(4,)))
        train.record_epoch(state, float("nan"))  # the loss of the untrained model
        assert train.divergence_warning(state) is None, data


def test_a_poor_but_finite_run_ends_without_a_warning(tmp_path, capsys):
    flags = ["--optimizer", "sgd", "--lr", "10", "--epochs", "3", "--no-plots"]
    assert main(["train", *flags, "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""


def test_version_flag_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"minigrad {mg.__version__}\n"


def _help_by_flag(parser_help: str) -> dict[str, str]:
    """``--flag`` -> its help text on one line, from argparse's ``--help`` output."""
    blocks = re.split(r"\n  (?=-)", parser_help.split("options:", 1)[1])
    return {block.split()[0].rstrip(","): " ".join(block.split()) for block in blocks[1:]}


def test_train_help_shows_every_default(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    flags = _help_by_flag(capsys.readouterr().out)
    d = TrainConfig()
    for flag, default in [
        ("--optimizer", d.optimizer),
        ("--lr", d.lr),
        ("--batch-size", d.batch_size),
        ("--epochs", d.epochs),
        ("--seed", d.seed),
        ("--hidden", "16,16"),
        ("--data", d.data),
        ("--activation", d.activation),
        ("--test-size", d.test_size),
        ("--out", "runs/latest"),
    ]:
        assert f"(default: {default}" in flags[flag], flags[flag]
    for flag in ("--l1", "--l2", "--weight-decay", "--elastic", "--prox-l1", "--dropout"):
        assert "(default: 0.0)" in flags[flag]
    for flag in ("--norm", "--max-norm", "--clip-grad-norm"):
        assert "(default: none)" in flags[flag]


@pytest.mark.parametrize("command", ["train", "graph"])
@pytest.mark.parametrize("inside", [False, True])
def test_out_naming_a_file_says_it_must_be_a_folder_before_any_work(
    tmp_path, capsys, command, inside
):
    a_file = tmp_path / "results.txt"
    a_file.write_text("mine")
    out = a_file / "run" if inside else a_file
    assert main([command, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert f"--out {out} " in error and "it must be a folder" in error
    assert len(error.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.txt"]
    assert a_file.read_text() == "mine"


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
