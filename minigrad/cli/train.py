"""``minigrad train``: fit an MLP with the chosen regularizers, keep a checkpoint of
every finished epoch, and report what the regularizers did to the weights."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import data, nn, optim
from minigrad import functional as F

from .config import TrainConfig

CHECKPOINT = "checkpoint.npz"


@dataclass
class Dataset:
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    n_classes: int  # 0 for regression

    @property
    def is_classification(self) -> bool:
        return self.n_classes > 0


def load_dataset(cfg: TrainConfig) -> Dataset:
    """The built-in data set, split and scaled to roughly unit range, in float32."""
    if cfg.data == "moons":
        X, y = data.make_moons(cfg.n_samples, noise=0.2, seed=cfg.seed)
        n_classes = 2
    elif cfg.data == "digits":
        X, y = data.load_digits()
        X = X / 16.0
        n_classes = 10
    else:
        X, y = data.load_diabetes()
        X = X * np.sqrt(len(X))  # unit variance per column instead of unit norm
        y = (y - y.mean()) / y.std()
        n_classes = 0
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, cfg.test_size, seed=cfg.seed)
    if n_classes == 0:
        y_tr, y_te = y_tr.astype(np.float32), y_te.astype(np.float32)
    return Dataset(X_tr.astype(np.float32), X_te.astype(np.float32), y_tr, y_te, n_classes)


def build_model(cfg: TrainConfig, ds: Dataset) -> nn.MLP:
    return nn.MLP(
        ds.X_train.shape[1],
        list(cfg.hidden),
        max(ds.n_classes, 1),
        activation=cfg.activation,
        dropout=cfg.dropout,
        norm=cfg.norm,
    )


def build_optimizer(cfg: TrainConfig, params: list) -> optim.Optimizer:
    wd = cfg.weight_decay
    if cfg.optimizer == "sgd":
        return optim.SGD(params, lr=cfg.lr, weight_decay=wd, l1=cfg.prox_l1)
    if cfg.optimizer == "momentum":
        return optim.SGD(params, lr=cfg.lr, momentum=0.9, weight_decay=wd, l1=cfg.prox_l1)
    if cfg.optimizer == "adam":
        return optim.Adam(params, lr=cfg.lr, weight_decay=wd)
    if cfg.optimizer == "adamw":
        return optim.AdamW(params, lr=cfg.lr, weight_decay=wd)
    return optim.RMSprop(params, lr=cfg.lr)


def linear_weights(model: nn.Module) -> list:
    """The weight matrices that the penalties act on (biases and norm scales are not
    penalized, as is usual)."""
    return [m.weight for m in model.modules() if isinstance(m, nn.Linear)]


def data_loss(model: nn.Module, ds: Dataset, x: mg.Tensor, y) -> mg.Tensor:
    out = model(x)
    if ds.is_classification:
        return F.cross_entropy(out, y)
    return F.mse_loss(out.reshape(-1), y)


def penalty(cfg: TrainConfig, weights: list) -> mg.Tensor | float:
    total = 0.0
    if cfg.l1:
        total = total + cfg.l1 * F.l1_penalty(weights)
    if cfg.l2:
        total = total + cfg.l2 * F.l2_penalty(weights)
    if cfg.elastic:
        total = total + cfg.elastic * F.elastic_net_penalty(weights, l1_ratio=cfg.l1_ratio)
    return total


@mg.no_grad()
def evaluate(model: nn.Module, ds: Dataset, X: np.ndarray, y: np.ndarray) -> dict:
    was_training = model.training
    model.eval()
    out = model(mg.Tensor(X))
    model.train(was_training)
    if ds.is_classification:
        loss = F.cross_entropy(out, y).item()
        return {"loss": loss, "accuracy": float((out.data.argmax(axis=1) == y).mean())}
    pred = out.data.reshape(-1)
    loss = float(((pred - y) ** 2).mean())
    return {"loss": loss, "r2": 1 - loss / float(((y - y.mean()) ** 2).mean())}


def weight_stats(weights: list) -> dict:
    values = np.concatenate([w.data.ravel() for w in weights])
    return {
        "zero_share": float((values == 0).mean()),
        "l1_norm": float(np.abs(values).sum()),
        "l2_norm": float(np.sqrt((values.astype(np.float64) ** 2).sum())),
    }


@dataclass
class RunState:
    """Everything a checkpoint holds, and what ``--resume`` restores."""

    cfg: TrainConfig
    model: nn.MLP
    optimizer: optim.Optimizer
    ds: Dataset
    epoch: int = 0
    history: list = field(default_factory=list)

    def checkpoint(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "epoch": np.array(self.epoch, dtype=np.int64),
            "config": np.array(self.cfg.to_json()),
            "history": np.array(json.dumps(self.history)),
        }


def new_run(cfg: TrainConfig) -> RunState:
    cfg.validate()
    mg.manual_seed(cfg.seed)
    ds = load_dataset(cfg)
    model = build_model(cfg, ds)
    return RunState(cfg, model, build_optimizer(cfg, list(model.parameters())), ds)


def resume_run(path: Path, epochs: int | None) -> RunState:
    """Rebuild a run from its checkpoint; nothing is written if the file is unusable."""
    if not path.is_file():
        raise ValueError(f"--resume: no checkpoint at {path}")
    ckpt = mg.load(path)
    try:
        cfg = TrainConfig.from_json(str(ckpt["config"]))
        if epochs is not None:
            cfg.epochs = epochs
        state = new_run(cfg)
        state.model.load_state_dict(ckpt["model"])
        state.optimizer.load_state_dict(ckpt["optimizer"])
        state.epoch = int(ckpt["epoch"])
        state.history = json.loads(str(ckpt["history"]))
    except (KeyError, TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"--resume: {path} is not a minigrad train checkpoint ({err})") from err
    if cfg.epochs <= state.epoch:
        raise ValueError(
            f"--resume: {path} already holds epoch {state.epoch} of {cfg.epochs}; pass "
            f"--epochs with a total above {state.epoch} to train on"
        )
    mg.manual_seed(cfg.seed + state.epoch)  # new dropout masks and batch orders from here on
    return state


def run_epoch(state: RunState) -> float:
    cfg, model, opt, ds = state.cfg, state.model, state.optimizer, state.ds
    weights = linear_weights(model)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    loader = data.DataLoader(
        ds.X_train, ds.y_train, batch_size=cfg.batch_size, seed=cfg.seed * 100_003 + state.epoch
    )
    model.train()
    losses = []
    for xb, yb in loader:
        loss = data_loss(model, ds, xb, yb.data)
        losses.append(loss.item())
        total = loss + penalty(cfg, weights)
        opt.zero_grad()
        total.backward()
        if cfg.clip_grad_norm:
            nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad_norm)
        opt.step()
        if cfg.max_norm:
            for lin in linears:
                nn.utils.max_norm_(lin.weight, cfg.max_norm)
    if not all(math.isfinite(v) for v in losses):
        raise FloatingPointError("the loss became nan or inf: lower --lr or clip gradients")
    return float(np.mean(losses))


def record_epoch(state: RunState, train_loss: float) -> dict:
    row = {"epoch": state.epoch, "train_batch_loss": train_loss}
    for split, X, y in (
        ("train", state.ds.X_train, state.ds.y_train),
        ("test", state.ds.X_test, state.ds.y_test),
    ):
        for key, value in evaluate(state.model, state.ds, X, y).items():
            row[f"{split}_{key}"] = value
    row.update(weight_stats(linear_weights(state.model)))
    state.history.append(row)
    return row


def write_metrics(history: list, out: Path) -> None:
    if not history:
        return
    with open(out / "metrics.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
    (out / "metrics.json").write_text(json.dumps(history, indent=1))


def constant_guess_loss(ds: Dataset) -> float:
    """The training loss of the best constant prediction: the class frequencies
    (cross-entropy = their entropy), or the mean target (mean squared error = variance)."""
    if ds.is_classification:
        freq = np.bincount(ds.y_train, minlength=ds.n_classes) / len(ds.y_train)
        freq = freq[freq > 0]
        return float(-(freq * np.log(freq)).sum())
    return float(np.var(ds.y_train.astype(np.float64)))


# How far above a constant guess the final training loss may end before the run is
# called diverged: an order of magnitude. A poor but sane run ends near or below 1x.
DIVERGED_FACTOR = 10.0


def divergence_warning(state: RunState) -> str | None:
    """What to tell the user when training ended far worse than a constant guess (the
    loss grew by orders of magnitude but stayed finite), else None."""
    final = state.history[-1]["train_loss"]
    guess = constant_guess_loss(state.ds)
    if not final > DIVERGED_FACTOR * guess:
        return None
    return (
        f"the run diverged: its final training loss {final:.4g} is {final / guess:.3g}x that "
        f"of a constant guess ({guess:.4g}); lower --lr (it is {state.cfg.lr:g}) or add "
        "--clip-grad-norm"
    )


def penalty_value(state: RunState) -> float | None:
    """The penalty term that training adds to the loss now; None without --l1, --l2
    or --elastic."""
    with mg.no_grad():
        value = penalty(state.cfg, linear_weights(state.model))
    return value.item() if isinstance(value, mg.Tensor) else None


def results_table(state: RunState) -> str:
    """The closing table: train/test loss and score, zero share and norms of weights."""
    last = state.history[-1]
    score = "accuracy" if state.ds.is_classification else "r2"
    rows = [
        ("", "train", "test"),
        # the loss of the data alone; the penalty, if any, has its own row below
        ("loss (no penalty)", f"{last['train_loss']:.4f}", f"{last['test_loss']:.4f}"),
        (score, f"{last[f'train_{score}']:.4f}", f"{last[f'test_{score}']:.4f}"),
    ]
    stats = []
    added = penalty_value(state)
    if added is not None:
        stats.append(("penalty (added in training)", f"{added:.4f}"))
    stats += [
        ("exactly-zero weights", f"{100 * last['zero_share']:.1f} %"),
        ("weight L1 norm", f"{last['l1_norm']:.3f}"),
        ("weight L2 norm", f"{last['l2_norm']:.3f}"),
        ("epochs", str(state.epoch)),
    ]
    width = max(len(r[0]) for r in rows + stats)
    lines = [f"{a:<{width}}  {b:>10}  {c:>10}" for a, b, c in rows]
    lines += [f"{a:<{width}}  {b:>10}" for a, b in stats]
    return "\n".join(lines)


def save_checkpoint(state: RunState, out: Path) -> None:
    mg.save(state.checkpoint(), out / CHECKPOINT)
