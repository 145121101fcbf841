"""The settings of one training run, as given on the command line and kept in the
checkpoint (so that ``--resume`` rebuilds exactly the same model)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields

DATASETS = ("moons", "digits", "diabetes")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "leaky_relu")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")
NORMS = ("batch", "layer")


@dataclass
class TrainConfig:
    data: str = "moons"
    hidden: tuple = (16, 16)
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 0.01
    epochs: int = 100
    batch_size: int = 32
    l1: float = 0.0  # lambda * sum|w| added to the loss
    l2: float = 0.0  # lambda * sum w**2 added to the loss
    weight_decay: float = 0.0  # the optimizer's (coupled for sgd/adam, decoupled for adamw)
    elastic: float = 0.0  # lambda * elastic_net_penalty(w, l1_ratio)
    l1_ratio: float = 0.5
    prox_l1: float = 0.0  # proximal L1 step of SGD (exact zeros)
    dropout: float = 0.0
    norm: str | None = None
    max_norm: float | None = None
    clip_grad_norm: float | None = None
    seed: int = 0
    test_size: float = 0.25
    n_samples: int = 400  # for the synthetic moons

    def validate(self) -> None:
        """Raise ValueError naming the first impossible setting."""
        # argparse's float() takes "inf" and "nan", and "1e999" is inf: none is a setting
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(
                    f"--{f.name.replace('_', '-')} must be a finite number, got {value}"
                )
        checks = [
            (self.data in DATASETS, f"unknown data set {self.data!r} (choose from {DATASETS})"),
            (self.activation in ACTIVATIONS, f"unknown activation {self.activation!r}"),
            (self.optimizer in OPTIMIZERS, f"unknown optimizer {self.optimizer!r}"),
            (self.norm is None or self.norm in NORMS, f"unknown norm {self.norm!r}"),
            (self.lr > 0, f"--lr must be > 0, got {self.lr}"),
            (self.epochs >= 1, f"--epochs must be >= 1, got {self.epochs}"),
            (self.batch_size >= 1, f"--batch-size must be >= 1, got {self.batch_size}"),
            (all(h >= 1 for h in self.hidden), f"--hidden sizes must be >= 1: {self.hidden}"),
            (0 <= self.dropout < 1, f"--dropout must be in [0, 1), got {self.dropout}"),
            (0 <= self.l1_ratio <= 1, f"--l1-ratio must be in [0, 1], got {self.l1_ratio}"),
            (0 < self.test_size < 1, f"--test-size must be in (0, 1), got {self.test_size}"),
            (self.n_samples >= 10, f"--n-samples must be >= 10, got {self.n_samples}"),
        ]
        for name in ("l1", "l2", "weight_decay", "elastic", "prox_l1"):
            value = getattr(self, name)
            checks.append((value >= 0, f"--{name.replace('_', '-')} must be >= 0, got {value}"))
        for name in ("max_norm", "clip_grad_norm"):
            value = getattr(self, name)
            checks.append(
                (value is None or value > 0, f"--{name.replace('_', '-')} must be > 0, got {value}")
            )
        if self.prox_l1 and self.optimizer not in ("sgd", "momentum"):
            checks.append((False, "--prox-l1 is a step of SGD: use --optimizer sgd or momentum"))
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        raw = json.loads(text)
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"checkpoint config has unknown settings {sorted(unknown)}")
        raw["hidden"] = tuple(raw.get("hidden", ()))
        return cls(**raw)
