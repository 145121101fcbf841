"""The registry of built-in gradient checks run by ``minigrad gradcheck``.

Each entry names an op or layer, a function of float64 Tensors, and the shapes (and
value ranges, to stay away from kinks and outside domains) of its inputs. The check
compares the analytic Jacobian with central differences (``gradcheck.compare``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad import nn

from ..gradcheck import compare  # the error table's numbers: not part of the public API


@dataclass(frozen=True)
class Check:
    name: str
    fn: Callable
    shapes: tuple  # one shape per input
    low: float = -2.0
    high: float = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    max_abs: float
    max_rel: float
    passed: bool


def _ops() -> list[Check]:
    return [
        Check("add (broadcast)", lambda a, b: a + b, ((3, 4), (4,))),
        Check("sub (broadcast)", lambda a, b: a - b, ((3, 1), (1, 4))),
        Check("mul (broadcast)", lambda a, b: a * b, ((2, 3, 4), (3, 1))),
        Check("div", lambda a, b: a / b, ((3, 4), (3, 4)), 0.5, 2.0),
        Check("neg", lambda a: -a, ((5,),)),
        Check("pow (tensor ** 3)", lambda a: a**3, ((5,),)),
        Check("pow (tensor ** tensor)", lambda a, b: a**b, ((4,), (4,)), 0.5, 2.0),
        Check("matmul 2-D", lambda a, b: a @ b, ((3, 4), (4, 2))),
        Check("matmul batched", lambda a, b: a @ b, ((2, 3, 4), (4, 5))),
        Check("matmul 1-D", lambda a, b: a @ b, ((4,), (4, 3))),
        Check("exp", lambda a: a.exp(), ((5,),)),
        Check("log", lambda a: a.log(), ((5,),), 0.2, 3.0),
        Check("sqrt", lambda a: a.sqrt(), ((5,),), 0.2, 3.0),
        Check("abs", lambda a: abs(a), ((5,),), 0.1, 2.0),
        Check("relu", lambda a: a.relu(), ((5,),), 0.1, 2.0),
        Check("tanh", lambda a: a.tanh(), ((5,),)),
        Check("sigmoid", lambda a: a.sigmoid(), ((5,),)),
        Check("clip", lambda a: a.clip(-1.0, 1.0), ((6,),)),
        Check("maximum", mg.maximum, ((6,), (6,))),
        Check("minimum", mg.minimum, ((6,), (6,))),
        Check("where", lambda a, b: mg.where(a.data > 0, a, b), ((6,), (6,))),
        Check("sum axis", lambda a: a.sum(axis=1), ((3, 4),)),
        Check("mean keepdims", lambda a: a.mean(axis=(0, 2), keepdims=True), ((2, 3, 4),)),
        Check("max", lambda a: a.max(axis=0), ((4, 3),)),
        Check("min", lambda a: a.min(), ((4, 3),)),
        Check("var ddof=1", lambda a: a.var(axis=0, ddof=1), ((5, 3),)),
        Check("std", lambda a: a.std(axis=1), ((3, 5),)),
        Check("logsumexp", lambda a: a.logsumexp(axis=-1), ((3, 5),)),
        Check("norm p=2", lambda a: a.norm(), ((6,),)),
        Check("norm p=3 axis", lambda a: a.norm(p=3, axis=1), ((2, 4),)),
        Check("norm p=inf", lambda a: a.norm(p=float("inf")), ((6,),)),
        Check("reshape", lambda a: a.reshape(4, 3), ((3, 4),)),
        Check("transpose", lambda a: a.transpose(2, 0, 1), ((2, 3, 4),)),
        Check("broadcast_to", lambda a: a.broadcast_to((3, 4)), ((4,),)),
        Check("index (int array, repeats)", lambda a: a[np.array([0, 2, 0])], ((3, 2),)),
        Check("index (mask)", lambda a: a[a.data > 0], ((6,),)),
        Check("index (slices, None)", lambda a: a[1:, None, ::2], ((3, 4),)),
        Check("concatenate", lambda a, b: mg.concatenate([a, b], 1), ((2, 3), (2, 2))),
        Check("stack", lambda a, b: mg.stack([a, b], -1), ((2, 3), (2, 3))),
    ]


def _layers() -> list[Check]:
    def layer(module: nn.Module) -> Callable:
        for p in module.parameters():
            p.data = p.data.astype(np.float64)
        return module

    bn, ln = layer(nn.BatchNorm1d(3)), layer(nn.LayerNorm(4))
    lin = layer(nn.Linear(4, 3))
    mlp = layer(nn.MLP(3, [4], 2, activation="tanh", norm="layer"))

    def dropout_fixed_mask(a):
        mg.manual_seed(0)  # the same mask at every evaluation of the finite differences
        return F.dropout(a, p=0.3)

    return [
        Check("F.softmax", lambda a: F.softmax(a), ((3, 4),)),
        Check("F.log_softmax", lambda a: F.log_softmax(a), ((3, 4),)),
        Check("F.gelu", lambda a: F.gelu(a), ((5,),)),
        Check("F.gelu (tanh)", lambda a: F.gelu(a, approximate="tanh"), ((5,),)),
        Check("F.leaky_relu", lambda a: F.leaky_relu(a), ((5,),), 0.1, 2.0),
        Check("F.dropout (fixed mask)", dropout_fixed_mask, ((4, 5),)),
        Check("F.cross_entropy", lambda a: F.cross_entropy(a, np.array([0, 2, 1])), ((3, 4),)),
        Check(
            "F.binary_cross_entropy_with_logits",
            lambda a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid()),
            ((4,), (4,)),
        ),
        Check("F.mse_loss", lambda a, b: F.mse_loss(a, b), ((4,), (4,))),
        Check("F.l1_loss", lambda a, b: F.l1_loss(a, b + 5), ((4,), (4,))),
        Check("F.huber_loss", lambda a, b: F.huber_loss(a, b * 3), ((6,), (6,))),
        Check("F.l1_penalty", lambda a: F.l1_penalty([a]), ((5,),), 0.1, 2.0),
        Check("F.l2_penalty", lambda a: F.l2_penalty([a]), ((5,),)),
        Check("F.elastic_net_penalty", lambda a: F.elastic_net_penalty([a], 0.3), ((5,),), 0.1),
        Check("nn.Linear", lambda a: lin(a), ((2, 4),)),
        Check("nn.BatchNorm1d (train)", lambda a: bn.train()(a), ((5, 3),)),
        Check("nn.LayerNorm", lambda a: ln(a), ((3, 4),)),
        Check("nn.MLP (tanh, layer norm)", lambda a: mlp(a), ((2, 3),)),
    ]


def registry() -> list[Check]:
    return _ops() + _layers()


def run_checks(only: list[str] | None = None, seed: int = 0) -> list[CheckResult]:
    checks = registry()
    if only:
        unknown = set(only) - {c.name for c in checks}
        if unknown:
            names = ", ".join(repr(c.name) for c in checks)
            raise ValueError(
                f"unknown checks {sorted(unknown)}; the checks are {names} "
                "(quote a name that has spaces)"
            )
        checks = [c for c in checks if c.name in only]
    rng = np.random.default_rng(seed)
    results = []
    for c in checks:
        inputs = [
            mg.Tensor(_away_from_zero(rng.uniform(c.low, c.high, s), c), requires_grad=True)
            for s in c.shapes
        ]
        max_abs, max_rel, passed = compare(c.fn, inputs)
        results.append(CheckResult(c.name, max_abs, max_rel, passed))
    return results


def _away_from_zero(x: np.ndarray, c: Check) -> np.ndarray:
    # a random draw this close to a kink at 0 would make central differences straddle it
    if c.low < 0 < c.high:
        x = np.where(np.abs(x) < 0.05, 0.05 * np.sign(x + 1e-12), x)
    return x
