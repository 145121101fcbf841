"""The benchmarks cannot rot: every workload runs a few steps in every engine here, the
numpy floor computes the same losses as minigrad — and the properties that make
minigrad fast are pinned."""

import argparse
import sys

import numpy as np
import pytest

from benchmarks import engines, runner, spec, worker


@pytest.mark.parametrize("workload", list(spec.WORKLOADS))
def test_minigrad_and_the_numpy_floor_compute_the_same_training_steps(workload):
    pool = spec.batches(spec.WORKLOADS[workload])
    losses = {}
    for engine in ("numpy", "minigrad"):
        step = engines.make_step(engine, workload, dropout=0.0)
        losses[engine] = [step(pool[i % len(pool)]) for i in range(3)]
    np.testing.assert_allclose(losses["minigrad"], losses["numpy"], rtol=1e-4, atol=1e-6)
    assert losses["numpy"][2] != losses["numpy"][0]  # the steps really update the weights


@pytest.mark.parametrize("engine", ["minigrad", "torch"])
def test_training_steps_hold_the_last_loss_until_the_next_step(engine):
    # as a user's loop that records its losses does: the held graph is part of the cost
    if engine == "torch":
        pytest.importorskip("torch")
    step = engines.make_step(engine, "micro")
    batch = spec.batches(spec.WORKLOADS["micro"])[0]
    closure = dict(zip(step.__code__.co_freevars, step.__closure__))
    for _ in range(2):
        loss = step(batch)
        held = closure["previous_loss"].cell_contents
        assert held.requires_grad and float(held.item()) == loss


def test_the_chain_workload_gives_the_floor_gradient():
    np.testing.assert_allclose(
        engines.make_chain("minigrad", 50)(), engines.make_chain("numpy", 50)(), rtol=1e-5
    )


def test_runner_measures_in_subprocesses_that_take_turns_and_prints_a_table():
    results = runner.run(["micro", "perop"], ["numpy", "minigrad"], reps=2, rounds=2, warmup=0)
    text = runner.table(results)
    assert "micro" in text and "minigrad / floor" in text
    micro = results["micro"]["minigrad"]
    assert len(micro["blocks"]) == 4 and micro["median"] > 0  # 2 rounds of 2 blocks
    assert micro["step_peak_kb"] > 0 and len(micro["losses"]) == 3
    assert len(results["perop"]["numpy"]["blocks"]) == 4


def test_ratio_pairs_blocks_measured_back_to_back():
    results = {
        "minigrad": {"blocks": [2.0, 30.0, 3.0], "per_round": {"kb": [3.0]}},
        "numpy": {"blocks": [1.0, 10.0, 1.0], "per_round": {"kb": [2.0]}},
    }
    assert runner.ratio(results, "blocks", "minigrad", "numpy") == 3.0  # median of 2, 3, 3
    assert runner.ratio(results, "kb", "minigrad", "numpy") == 1.5


def test_a_worker_that_fails_is_reported_with_its_error(monkeypatch):
    monkeypatch.setattr(runner, "_worker_command", lambda *a: [sys.executable, "-c", "1/0"])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        runner.run(["micro"], ["numpy", "minigrad"], reps=1, rounds=1)


def test_a_worker_that_dies_after_warming_up_is_reported_too(monkeypatch):
    script = "print('{\"ready\": true}', flush=True); raise SystemExit('out of memory')"
    monkeypatch.setattr(runner, "_worker_command", lambda *a: [sys.executable, "-c", script])
    with pytest.raises(RuntimeError, match="numpy/micro failed:\nout of memory"):
        runner.run(["micro"], ["numpy", "minigrad"], reps=3, rounds=1)


@pytest.mark.parametrize(
    "engines, message",
    [
        (["minigrad"], "add numpy"),
        (["torch", "numpy"], "add minigrad"),
        (["numpy", "minigrad", "numpy"], "each engine once"),
    ],
)
def test_engines_the_table_cannot_use_are_refused_before_any_worker_starts(
    monkeypatch, engines, message
):
    monkeypatch.setattr(runner, "_worker_command", lambda *a: pytest.fail("a worker started"))
    with pytest.raises(ValueError, match=message):
        runner.run(["micro"], engines, reps=1, rounds=1)


ONE_BLOCK = {"reps": 1, "rounds": 1, "warmup": 0}


def test_compare_times_each_checkout_in_a_column_of_its_own():
    root = str(runner.REPOSITORY)
    checkouts = [("before", root), ("after", root)]
    results = runner.run(["micro"], ["numpy", "minigrad"], checkouts=checkouts, **ONE_BLOCK)
    assert list(results["micro"]) == ["numpy", "minigrad@before", "minigrad@after"]
    assert results["micro"]["minigrad@after"]["minigrad_dir"] == str(runner.REPOSITORY / "minigrad")
    text = runner.table(results)
    assert "| minigrad@before | minigrad@after |" in text and "| after / before |" in text


def test_a_compared_checkout_is_imported_ahead_of_any_other(tmp_path):
    (tmp_path / "minigrad").mkdir()
    (tmp_path / "minigrad" / "__init__.py").write_text("raise ImportError('the stand-in')")
    checkouts = [("old", str(tmp_path))]
    with pytest.raises(RuntimeError, match="(?s)minigrad@old/micro failed:.*the stand-in"):
        runner.run(["micro"], ["numpy", "minigrad"], checkouts=checkouts, **ONE_BLOCK)


@pytest.mark.parametrize(
    "checkouts, message",
    [
        ([("old", "/nonexistent")], "not a minigrad checkout"),
        ([("old", "."), ("old", ".")], "each name once"),
        ([("old one", ".")], "a name is a word"),
    ],
)
def test_checkouts_that_cannot_be_compared_are_refused_before_any_worker_starts(
    monkeypatch, checkouts, message
):
    monkeypatch.setattr(runner, "_worker_command", lambda *a: pytest.fail("a worker started"))
    checkouts = [(n, str(runner.REPOSITORY) if d == "." else d) for n, d in checkouts]
    with pytest.raises(ValueError, match=message):
        runner.run(["micro"], ["numpy", "minigrad"], checkouts=checkouts, **ONE_BLOCK)


def test_compare_takes_name_equals_directory():
    parser = argparse.ArgumentParser()
    runner.add_arguments(parser)
    args = parser.parse_args(["--compare", "old=../a=b", "--compare", "new=."])
    assert args.compare == [("old", "../a=b"), ("new", ".")]
    for text in ("old", "=dir", "old="):
        with pytest.raises(SystemExit):
            parser.parse_args(["--compare", text])


def test_torch_asked_for_but_not_installed_is_refused(monkeypatch):
    monkeypatch.setattr(runner.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ValueError, match="torch is not installed"):
        runner.run(["micro"], ["numpy", "minigrad", "torch"], reps=1, rounds=1)


@pytest.mark.parametrize("text", ["-1", "nan", "soon"])
def test_warmup_must_be_a_non_negative_number_of_seconds(text):
    parser = argparse.ArgumentParser()
    runner.add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--warmup", text])


def test_worker_answers_time_and_finish_commands():
    replies = []
    worker.serve("minigrad", "micro", 0.0, iter(["time", "time", "finish"]), replies.append)
    assert replies[0] == {"ready": True}
    assert all(r["value"] > 0 for r in replies[1:3])
    assert set(replies[3]) == {"peak_rss_mb", "step_peak_kb", "losses", "minigrad_dir"}
    with pytest.raises(ValueError, match="unknown benchmark command 'go'"):
        worker.serve("numpy", "perop", 0.0, iter(["go"]), replies.append)


@pytest.mark.needs_dot
def test_the_replay_benchmark_times_recording_and_the_page():
    from benchmarks import replay

    results = replay.measure(reps=1)  # raised to the minimum of 5
    for name in ("train", "chain"):
        assert results[name]["plain_ms"] > 0 and results[name]["replay_ms"] > 0
    assert results["page_ms"] > 0 and 0 < results["page_kb"] < 2000
    text = replay.table(results)
    assert "replay / plain" in text and "viz.replay + to_html (ms)" in text
    args = argparse.Namespace(replay=True, transforms=False, reps=5)
    assert "page size (KiB)" in runner.run_from_args(args)


def test_the_transforms_benchmark_times_jvp_and_both_jacobians():
    from benchmarks import transforms

    results = transforms.measure(reps=1)  # raised to the minimum of 5
    for name in ("chain_forward_ms", "chain_jvp_ms", "jacfwd_ms", "jacrev_ms"):
        assert results[name] > 0
    text = transforms.table(results)
    assert "func.jvp / it" in text and "| jacfwd |" in text and "| jacrev |" in text
    args = argparse.Namespace(replay=False, transforms=True, reps=5)
    assert "minigrad / torch.func" in runner.run_from_args(args)
