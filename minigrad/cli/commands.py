"""What each ``minigrad`` subcommand does (the flags live in ``cli/__init__.py``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

import minigrad as mg

from ._threads import one_blas_thread
from .config import TrainConfig


def _config_from_flags(args: argparse.Namespace) -> TrainConfig:
    """The settings that ``args`` has flags for; the others keep their defaults."""
    given = {
        f.name: getattr(args, f.name)
        for f in fields(TrainConfig)
        if getattr(args, f.name, None) is not None
    }
    if "hidden" in given:
        given["hidden"] = tuple(given["hidden"])
    return TrainConfig(**given)


def _settings_flags_given(args: argparse.Namespace) -> list[str]:
    """The flags, other than --epochs, set to something other than their default."""
    given, default = asdict(_config_from_flags(args)), asdict(TrainConfig())
    return [
        "--" + name.replace("_", "-")
        for name in given
        if name != "epochs" and given[name] != default[name]
    ]


def _output_folder(text: str) -> Path:
    """``--out`` as a folder, refused before any work if it or a parent is a file."""
    out = Path(text)
    for path in (out, *out.parents):
        if path.exists() and not path.is_dir():
            what = "is a file" if path == out else f"is inside {path}, which is a file"
            raise ValueError(f"--out {text} {what}; it must be a folder (new or existing)")
    return out


# Drawn left to right, the default model's graph was 2768 px wide as a PNG; top to
# bottom it is about 560 px wide and reads on any screen (the height scrolls).
GRAPH_RANKDIR = "TB"


def train_command(args: argparse.Namespace) -> int:
    # A diverging run would flood stderr with numpy's overflow warnings before the one
    # line that matters; the run checks its own numbers instead (a nan or inf loss is
    # an error, a loss far above a constant guess's is a warning).
    with np.errstate(all="ignore"):
        return _train(args)


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from . import train

    out = _output_folder(args.out)
    if args.resume:
        ignored = _settings_flags_given(args)
        if ignored:
            raise ValueError(
                f"--resume continues with the checkpoint's settings; {', '.join(ignored)} "
                "would be ignored (only --epochs may change)"
            )
        state = train.resume_run(Path(args.resume), args.epochs)
        print(f"resuming {args.resume} at epoch {state.epoch} of {state.cfg.epochs}")
    else:
        state = train.new_run(_config_from_flags(args))
    out.mkdir(parents=True, exist_ok=True)
    score = "test_accuracy" if state.ds.is_classification else "test_r2"
    bar = tqdm(
        total=state.cfg.epochs,
        initial=state.epoch,
        unit="epoch",
        desc="train",
        disable=True if args.no_progress else None,  # None: off when not a terminal
    )
    interrupted = False
    try:
        with one_blas_thread():
            while state.epoch < state.cfg.epochs:
                loss = train.run_epoch(state)
                state.epoch += 1
                row = train.record_epoch(state, loss)
                train.save_checkpoint(state, out)  # atomic: a stop leaves the last good one
                bar.set_postfix(loss=f"{loss:.4f}", **{score: f"{row[score]:.3f}"})
                bar.update()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    if not state.history:
        print("stopped before the first epoch finished: nothing written")
        return 130
    train.write_metrics(state.history, out)
    written = [train.CHECKPOINT, "metrics.csv", "metrics.json"]
    missing_graphviz = None
    if not args.no_plots:
        figures, missing_graphviz = _write_figures(state, out)
        written += figures
    print(train.results_table(state))
    print(f"\nwrote {out}/: {', '.join(written)}")
    if missing_graphviz:
        print(missing_graphviz)
    diverged = train.divergence_warning(state)
    if diverged:
        print(f"minigrad train: warning: {diverged}", file=sys.stderr)
    if interrupted:
        print(f"interrupted: the checkpoint holds epoch {state.epoch}")
        return 130
    return 0


def _write_figures(state, out: Path) -> tuple[list[str], str | None]:
    """Draw the run's figures and graph into ``out``; return the names of the files
    written and, when Graphviz's ``dot`` is missing, how to install it."""
    from . import plots

    plots.learning_curve(state.history, out / "learning_curve.png")
    written = ["learning_curve.png"]
    ds = state.ds
    if ds.X_train.shape[1] == 2 and ds.is_classification:
        state.model.eval()

        def predict(grid: np.ndarray) -> np.ndarray:
            with mg.no_grad():
                return state.model(mg.Tensor(grid)).data.argmax(axis=1)

        plots.decision_boundary(
            predict, (ds.X_train, ds.y_train), (ds.X_test, ds.y_test), out / "decision_boundary.png"
        )
        written.append("decision_boundary.png")
    loss = _graph_loss(state.cfg, state.model, ds, batch=8)
    graph = _write_graph(loss, state.model, out / "graph", formats=("svg",), collapse=False)
    written += [path.name for path in (graph.dot, *graph.images.values())]
    if not graph.missing_graphviz:  # the page's drawing needs dot as well
        written.append(_write_replay(loss, state.model, out).name)
    return written, graph.missing_graphviz


def _graph_loss(cfg: TrainConfig, model, ds, batch: int):
    from . import train

    model.train()
    x, y = mg.Tensor(ds.X_train[:batch]), ds.y_train[:batch]
    return train.data_loss(model, ds, x, y) + train.penalty(cfg, train.linear_weights(model))


def _write_graph(loss, model, stem: Path, formats, collapse: bool):
    from minigrad import viz

    return viz.write_graph(
        loss,
        stem,
        formats=formats,
        module=model,
        collapse_modules=collapse,
        compute_grads=True,
        rankdir=GRAPH_RANKDIR,
    )


def _write_replay(loss, model, out: Path) -> Path:
    """``out/replay.html``: the page that steps through one backward pass of ``loss``."""
    from minigrad import viz

    return viz.replay(loss, module=model).save(out / "replay.html")


def graph_command(args: argparse.Namespace) -> int:
    from . import train

    out = _output_folder(args.out)
    cfg = _config_from_flags(args)
    if args.batch < 2 and args.norm == "batch":
        raise ValueError("--batch must be >= 2 with --norm batch")
    state = train.new_run(cfg)
    out.mkdir(parents=True, exist_ok=True)
    loss = _graph_loss(cfg, state.model, state.ds, args.batch)
    graph = _write_graph(loss, state.model, out / "graph", ("svg", "png"), args.collapse)
    for line in graph:
        print(line)
    if args.replay and not graph.missing_graphviz:  # else the lines above say what to install
        print(f"wrote {_write_replay(loss, state.model, out)}")
    return 0


def gradcheck_command(args: argparse.Namespace) -> int:
    from .checks import run_checks

    rows = run_checks(args.only)
    width = max(len(r.name) for r in rows)
    print(f"{'':<{width}}  {'reverse mode':^26}  {'forward':^12}")
    print(f"{'op':<{width}}  {'max abs err':>12}  {'max rel err':>12}  {'max abs err':>12}  pass")
    for r in rows:
        print(
            f"{r.name:<{width}}  {r.max_abs:12.2e}  {r.max_rel:12.2e}  "
            f"{r.forward_max_abs:12.2e}  {'yes' if r.passed else 'NO'}"
        )
    failed = [r.name for r in rows if not r.passed]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def checkout_with_benchmarks(package_dir: Path) -> Path | None:
    """The repository that holds the benchmark harness, ``benchmarks/`` beside the
    ``minigrad`` package folder, or None when minigrad was installed without it."""
    root = package_dir.resolve().parent
    return root if (root / "benchmarks" / "__main__.py").is_file() else None


def bench_command(args: argparse.Namespace) -> int:
    import subprocess
    import sys

    import minigrad

    root = checkout_with_benchmarks(Path(minigrad.__file__).parent)
    if root is None:
        raise RuntimeError(
            "the benchmarks live in the repository, not in the installed package: "
            "in a clone of minigrad's repository run `python -m benchmarks` "
            '(or install from it with `pip install -e ".[dev]"` and run `minigrad bench`)'
        )
    # The table is printed once, at the end, so it is passed on whole.
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args.bench_args],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(done.stdout, end="")
    return done.returncode
