"""Every op's gradient against central finite differences in float64, from one table.

A row of ``OPS`` is ``op(name, function, *input_shapes, on=..., numpy=...)``:
- ``function`` takes Tensors (one per shape) and returns a Tensor;
- ``on`` is the domain the inputs are drawn from (``real``, ``positive`` for log, sqrt
  and fractional powers, ``nonzero`` to stay away from the kinks of abs/relu/clip);
- ``numpy`` is the reference for the forward value, needed only when ``function`` does
  not also run on plain numpy arrays (``x.exp()`` does not; ``x.sum(axis=0)`` does).

Adding an op to minigrad is adding a row here. Kinks are tested exactly, point by point,
in test_kinks.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from operator import methodcaller

import numpy as np
import pytest

import minigrad as mg


def real(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.standard_normal(shape)


def positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """|x| in [0.5, 2] with a random sign: far from 0 and from the clip bounds below."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable[..., mg.Tensor]
    shapes: tuple[tuple[int, ...], ...]
    domain: Callable[[np.random.Generator, tuple], np.ndarray]
    numpy: Callable[..., np.ndarray] | None

    def arrays(self, rng: np.random.Generator) -> list[np.ndarray]:
        return [np.asarray(self.domain(rng, s), dtype=np.float64) for s in self.shapes]


def op(name, fn, *shapes, on=real, numpy=None) -> Op:
    return Op(name, fn, shapes, on, numpy)


MASK = np.array([True, False, True, True])
GRID_MASK = np.arange(20).reshape(4, 5) % 3 == 0
COND = np.array([[True], [False], [True]])


def logsumexp_ref(x, axis=None, keepdims=False):
    return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))


def norm_ref(x, p, axis=None, keepdims=False):
    if p == np.inf:
        return np.abs(x).max(axis=axis, keepdims=keepdims)
    return (np.abs(x) ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)


# fmt: off
OPS = [
    # ---- arithmetic, with broadcasting and non-Tensor operands on either side
    op("add",                          lambda a, b: a + b,             (3, 4), (3, 4)),
    op("add both operands broadcast",  lambda a, b: a + b,             (3, 1), (1, 4)),
    op("add leading axes broadcast",   lambda a, b: a + b,             (2, 3, 4), (4,)),
    op("add 0-d tensor to matrix",     lambda a, b: a + b,             (), (3, 4)),
    op("add python scalar",            lambda x: x + 2.5,              (3,)),
    op("add python scalar reflected",  lambda x: 2.5 + x,              (3,)),
    op("add numpy array reflected",    lambda x: np.arange(4.0) + x,   (3, 4)),
    op("add numpy array broadcasting", lambda x: x + np.ones((2, 1, 1)), (3, 4)),
    op("sub both operands broadcast",  lambda a, b: a - b,             (3, 1), (4,)),
    op("sub python scalar reflected",  lambda x: 1.5 - x,              (2, 3)),
    op("sub numpy array reflected",    lambda x: np.ones((2, 1)) - x,  (3,)),
    op("mul",                          lambda a, b: a * b,             (2, 3), (2, 3)),
    op("mul both operands broadcast",  lambda a, b: a * b,             (2, 1, 4), (3, 1)),
    op("mul tensor by itself",         lambda x: x * x,                (3,)),
    op("mul python scalar reflected",  lambda x: 3.0 * x,              (3,)),
    op("mul numpy array reflected",    lambda x: np.arange(3.0) * x,   (2, 3)),
    op("div",                          lambda a, b: a / b,             (3, 4), (3, 4), on=nonzero),
    op("div broadcast divisor",        lambda a, b: a / b,             (3, 4), (4,), on=nonzero),
    op("div python scalar reflected",  lambda x: 2.0 / x,              (3,), on=nonzero),
    op("div numpy array reflected",    lambda x: np.full(3, 2.0) / x,  (2, 3), on=nonzero),
    op("div by python scalar",         lambda x: x / 4.0,              (3,)),
    op("pow tensor exponent",          lambda a, b: a**b,              (3, 4), (3, 4), on=positive),
    op("pow broadcast exponent",       lambda a, b: a**b,              (2, 3), (3,), on=positive),
    op("pow int exponent",             lambda x: x**3,                 (3,)),
    op("pow negative int exponent",    lambda x: x**-2,                (3,), on=nonzero),
    op("pow fractional exponent",      lambda x: x**0.5,               (3,), on=positive),
    op("pow zero exponent",            lambda x: x**0,                 (3,)),
    op("pow python scalar base",       lambda x: 2.0**x,               (3,)),
    op("pow numpy array base",         lambda x: np.array([1.5, 2.5, 3.0]) ** x, (2, 3)),
    op("pow list exponent",            lambda x: x ** [1.0, 2.0, 3.0], (2, 3), on=positive),
    op("neg",                          lambda x: -x,                   (2, 3)),
    # ---- matmul: numpy's rules for 1-D, 2-D and batched N-D operands
    op("matmul 1-D by 1-D",            lambda a, b: a @ b,             (3,), (3,)),
    op("matmul 1-D by 2-D",            lambda a, b: a @ b,             (3,), (3, 4)),
    op("matmul 2-D by 1-D",            lambda a, b: a @ b,             (2, 3), (3,)),
    op("matmul 2-D",                   lambda a, b: a @ b,             (2, 3), (3, 4)),
    op("matmul batched by 2-D",        lambda a, b: a @ b,             (5, 2, 3), (3, 4)),
    op("matmul broadcast batch axes",  lambda a, b: a @ b,             (2, 1, 2, 3), (4, 3, 2)),
    op("matmul 1-D by batched",        lambda a, b: a @ b,             (3,), (2, 3, 4)),
    op("matmul batched by 1-D",        lambda a, b: a @ b,             (2, 3, 4), (4,)),
    op("matmul numpy array reflected", lambda x: np.ones((2, 3)) @ x,  (3, 4)),
    op("matmul list operand",          lambda x: x @ [[1.0], [2.0], [3.0]], (2, 3)),
    # ---- elementwise functions, away from their kinks
    op("exp",                lambda x: x.exp(),      (2, 3), numpy=np.exp),
    op("log",                lambda x: x.log(),      (2, 3), on=positive, numpy=np.log),
    op("sqrt",               lambda x: x.sqrt(),     (2, 3), on=positive, numpy=np.sqrt),
    op("abs method",         lambda x: x.abs(),      (2, 3), on=nonzero, numpy=np.abs),
    op("abs builtin",        lambda x: abs(x),       (2, 3), on=nonzero),
    op("relu",               lambda x: x.relu(),     (2, 3), on=nonzero,
       numpy=lambda x: np.maximum(x, 0)),
    op("tanh",               lambda x: x.tanh(),     (2, 3), numpy=np.tanh),
    op("sigmoid",            lambda x: x.sigmoid(),  (2, 3), numpy=lambda x: 1 / (1 + np.exp(-x))),
    op("clip",               lambda x: x.clip(-1.0, 1.2), (3, 4), on=nonzero),
    op("clip lo only",       lambda x: x.clip(0.0, None), (3, 4), on=nonzero),
    op("clip hi only",       lambda x: x.clip(None, 0.0), (3, 4), on=nonzero),
    op("clip array bounds broadcasting",
       lambda x: x.clip(np.array([[-1.0], [0.0]]), 1.2), (4,), on=nonzero),
    # ---- module-level ops
    op("where",              lambda a, b: mg.where(COND, a, b), (3, 4), (4,),
       numpy=lambda a, b: np.where(COND, a, b)),
    op("where tensor condition and scalar", lambda x: mg.where(x > 0, x, 0.5), (3, 4),
       numpy=lambda x: np.where(x > 0, x, 0.5)),
    op("maximum",            lambda a, b: mg.maximum(a, b), (3, 4), (4,), numpy=np.maximum),
    op("maximum python scalar", lambda x: mg.maximum(x, 0.3), (3, 4),
       numpy=lambda x: np.maximum(x, 0.3)),
    op("minimum",            lambda a, b: mg.minimum(a, b), (3, 1), (1, 4), numpy=np.minimum),
    op("concatenate axis 0", lambda a, b: mg.concatenate([a, b]), (2, 3), (4, 3),
       numpy=lambda a, b: np.concatenate([a, b])),
    op("concatenate negative axis", lambda a, b, c: mg.concatenate([a, b, c], axis=-1),
       (2, 3), (2, 1), (2, 2), numpy=lambda a, b, c: np.concatenate([a, b, c], axis=-1)),
    op("stack",              lambda a, b: mg.stack([a, b]), (2, 3), (2, 3),
       numpy=lambda a, b: np.stack([a, b])),
    op("stack negative axis", lambda a, b, c: mg.stack([a, b, c], axis=-1),
       (2, 3), (2, 3), (2, 3), numpy=lambda a, b, c: np.stack([a, b, c], axis=-1)),
    # ---- shape ops
    op("reshape ints",            lambda x: x.reshape(4, 6),       (2, 3, 4)),
    op("reshape tuple with -1",   lambda x: x.reshape((3, -1)),    (2, 3, 4)),
    op("transpose reverses",      lambda x: x.transpose(),         (2, 3, 4)),
    op("transpose permutation",   lambda x: x.transpose(1, 2, 0),  (2, 3, 4)),
    op("transpose negative axes", lambda x: x.transpose(-1, 0, 1), (2, 3, 4),
       numpy=lambda x: x.transpose(2, 0, 1)),
    op("swapaxes",                lambda x: x.swapaxes(0, -1),     (2, 3, 4)),
    op("T",                       lambda x: x.T,                   (2, 3, 4)),
    op("flatten",                 lambda x: x.flatten(),           (2, 3, 4)),
    op("squeeze all",             lambda x: x.squeeze(),           (1, 3, 1)),
    op("squeeze axis",            lambda x: x.squeeze(0),          (1, 3, 1)),
    op("squeeze negative axis",   lambda x: x.squeeze(-1),         (1, 3, 1)),
    op("unsqueeze",               lambda x: x.unsqueeze(0),        (2, 3),
       numpy=lambda x: np.expand_dims(x, 0)),
    op("unsqueeze negative axis", lambda x: x.unsqueeze(-1),       (2, 3),
       numpy=lambda x: np.expand_dims(x, -1)),
    op("broadcast_to",            lambda x: x.broadcast_to((2, 3, 4)), (3, 1),
       numpy=lambda x: np.broadcast_to(x, (2, 3, 4))),
    op("broadcast_to from 0-d",   lambda x: x.broadcast_to(3),     (),
       numpy=lambda x: np.broadcast_to(x, 3)),
    # ---- indexing: the gradient is scattered back, repeated indices accumulate
    op("index int",               lambda x: x[1],                  (4, 5)),
    op("index negative int",      lambda x: x[-1],                 (4, 5)),
    op("index ints to 0-d",       lambda x: x[2, 3],               (4, 5)),
    op("index slice",             lambda x: x[1:3],                (4, 5)),
    op("index negative step",     lambda x: x[::-2],               (4, 5)),
    op("index None",              lambda x: x[None, 2],            (4, 5)),
    op("index Ellipsis",          lambda x: x[..., 1],             (2, 4, 5)),
    op("index slice and list",    lambda x: x[1:, [0, 0, 4]],      (4, 5)),
    op("index int array with repeats", lambda x: x[np.array([0, 0, 3, 0])], (4, 5)),
    op("index int arrays pairwise repeats",
       lambda x: x[np.array([0, 0]), np.array([1, 1])], (4, 5)),
    op("index broadcast int arrays",
       lambda x: x[np.array([[0], [3]]), np.array([1, 1, 2])], (4, 5)),
    op("index bool mask rows",    lambda x: x[MASK],               (4, 5)),
    op("index bool mask grid",    lambda x: x[GRID_MASK],          (4, 5)),
    op("index tensor of ints",    lambda x: x[mg.tensor([1, 1, 2])], (4, 5),
       numpy=lambda x: x[[1, 1, 2]]),
    op("index tensor bool mask",  lambda x: x[mg.tensor(MASK)],    (4, 5),
       numpy=lambda x: x[MASK]),
]
# fmt: on


def _id(kwargs: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in kwargs.items())


def reduction_rows() -> list[Op]:
    """Every axis form (None, int, negative int, tuple, negative tuple) with and without
    keepdims, for every reduction; ddof 0 and 1 for var/std; p in 1, 1.5, 2, 3, inf for norm."""
    axes = [None, 1, -1, (0, 2), (-1, 0)]
    rows = []
    for name, axis, keep in itertools.product(
        ["sum", "mean", "max", "min", "logsumexp"], axes, [False, True]
    ):
        kw = {"axis": axis, "keepdims": keep}
        ref = partial(logsumexp_ref, **kw) if name == "logsumexp" else None
        rows.append(op(f"{name} {_id(kw)}", methodcaller(name, **kw), (2, 3, 4), numpy=ref))
    for name, axis, keep, ddof in itertools.product(["var", "std"], axes, [False, True], [0, 1]):
        kw = {"axis": axis, "keepdims": keep, "ddof": ddof}
        rows.append(op(f"{name} {_id(kw)}", methodcaller(name, **kw), (2, 3, 4)))
    for p, axis, keep in itertools.product([1, 1.5, 2, 3, np.inf], axes[:4], [False, True]):
        kw = {"axis": axis, "keepdims": keep}
        fn, ref = methodcaller("norm", p, **kw), partial(norm_ref, p=p, **kw)
        rows.append(op(f"norm p={p} {_id(kw)}", fn, (2, 3, 4), numpy=ref))
    return rows


ALL_OPS = OPS + reduction_rows()
assert len({o.name for o in ALL_OPS}) == len(ALL_OPS), "op names are test ids: keep them unique"
by_name = pytest.mark.parametrize("case", ALL_OPS, ids=lambda o: o.name)


def leaves(case: Op, rng: np.random.Generator, dtype=np.float64) -> list[mg.Tensor]:
    return [mg.tensor(a.astype(dtype), requires_grad=True) for a in case.arrays(rng)]


@by_name
def test_gradient_matches_finite_differences(case: Op, rng):
    assert mg.gradcheck(case.fn, leaves(case, rng))


@by_name
def test_forward_matches_numpy(case: Op, rng):
    arrays = case.arrays(rng)
    expected = np.asarray((case.numpy or case.fn)(*arrays))
    out = case.fn(*[mg.tensor(a) for a in arrays])
    assert isinstance(out.data, np.ndarray)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@by_name
def test_backward_keeps_inputs_and_gives_private_grads_of_their_shape_and_dtype(case: Op, rng):
    """MyGrad's invariants: forward/backward do not mutate the inputs; each .grad has its
    leaf's shape and dtype (float32 here) and shares memory with nothing else."""
    xs = leaves(case, rng, np.float32)
    before = [x.data.copy() for x in xs]
    out = case.fn(*xs)
    (out * rng.standard_normal(out.shape)).sum().backward()
    for x, b in zip(xs, before):
        np.testing.assert_array_equal(x.data, b)
        assert x.grad.shape == x.shape and x.grad.dtype == np.float32
    for x, y in itertools.combinations(xs, 2):
        assert not np.shares_memory(x.grad, y.grad)
    for x in xs:
        assert not any(np.shares_memory(x.grad, y.data) for y in xs)
