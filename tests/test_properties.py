"""Properties over random shapes and random programs (hypothesis).

- Random compositions of ops on mutually broadcastable inputs pass gradcheck, and
  (fewer of them) gradgradcheck.
- Every reduction over a random set of axes (given as positive or negative ints) with
  or without keepdims matches numpy and passes gradcheck.

The input values come from a seeded numpy generator, so they are continuous; but a
program can build a value that is zero by construction (mean(x) - mean(x) gives 1e-17),
and finite differences across a kink disagree with any subgradient, so a program whose
kinked op (abs, relu, max, maximum, where) gets an operand within 1e-3 of its kink is
set aside. Hypothesis chooses shapes, programs and seeds. There is
no per-example deadline (timings on a shared machine are noisy); ``max_examples``
keeps each test to about a second.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import minigrad as mg

# Each op keeps values moderate (no repeated squaring) so that float64 finite
# differences stay accurate to well within gradcheck's tolerance.
UNARY = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "exp of tanh": lambda x: x.tanh().exp(),
    "log of 1 + x^2": lambda x: (x * x + 1).log(),
    "sqrt of 1 + x^2": lambda x: (x * x + 1).sqrt(),
    "affine": lambda x: 0.5 * x - 1.0,
    "neg": lambda x: -x,
    "abs": lambda x: abs(x),
    "relu": lambda x: x.relu(),
    "sum over last axis": lambda x: x.sum(axis=-1, keepdims=True) if x.ndim else x,
    "mean over first axis": lambda x: x.mean(axis=0, keepdims=True) if x.ndim else x,
    "max over last axis": lambda x: x.max(axis=-1, keepdims=True) if x.ndim else x,
    "logsumexp over all": lambda x: x.logsumexp(axis=None, keepdims=True),
    "transpose twice": lambda x: x.T.T,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "pow": lambda a, b: (a * a + 1.0) ** b.tanh(),
    "maximum": lambda a, b: mg.maximum(a, b),
    "where": lambda a, b: mg.where(b.data > 0, a, b),
}


def _top_two_gap(x: np.ndarray) -> np.ndarray:
    if x.ndim == 0 or x.shape[-1] == 1:
        return np.array(np.inf)  # a max over one value has no tie
    ordered = np.sort(x, axis=-1)
    return ordered[..., -1] - ordered[..., -2]


# how far the operand of each op with a kink is from it
UNARY_KINKS = {"abs": np.abs, "relu": np.abs, "max over last axis": _top_two_gap}
BINARY_KINKS = {"maximum": lambda a, b: np.abs(a - b), "where": lambda a, b: np.abs(b)}

step = st.one_of(
    st.tuples(st.just("unary"), st.sampled_from(sorted(UNARY))),
    st.tuples(st.just("binary"), st.sampled_from(sorted(BINARY)), st.integers(0, 2), st.booleans()),
)


def run_program(program: list, inputs: list[mg.Tensor], margins: list | None = None):
    """Start from the first input; each step applies a unary op to the running value, or
    a binary op between it and one of the inputs (on either side). ``margins``, if
    given, collects each kinked op's distance from its kink."""
    value = inputs[0]
    for kind, name, *args in program:
        if kind == "unary":
            if margins is not None and name in UNARY_KINKS:
                margins.append(np.min(UNARY_KINKS[name](value.data)))
            value = UNARY[name](value)
        else:
            which, flip = args
            other = inputs[which % len(inputs)]
            a, b = (other, value) if flip else (value, other)
            if margins is not None and name in BINARY_KINKS:
                margins.append(np.min(BINARY_KINKS[name](a.data, b.data)))
            value = BINARY[name](a, b)
    return value


def away_from_kinks(program: list, inputs: list[mg.Tensor]) -> bool:
    margins: list = []
    run_program(program, inputs, margins)
    return min(margins, default=np.inf) > 1e-3


@settings(max_examples=60, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
    program=st.lists(step, min_size=1, max_size=5),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_compositions_pass_gradcheck(shapes, program, seed):
    rng = np.random.default_rng(seed)
    inputs = [mg.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes.input_shapes]
    assume(away_from_kinks(program, inputs))
    assert mg.gradcheck(lambda *xs: run_program(program, list(xs)), inputs)


@settings(max_examples=25, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3),
    program=st.lists(step, min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_compositions_pass_gradgradcheck(shapes, program, seed):
    rng = np.random.default_rng(seed)
    inputs = [mg.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes.input_shapes]
    assume(away_from_kinks(program, inputs))
    assert mg.gradgradcheck(lambda *xs: run_program(program, list(xs)), inputs)


@st.composite
def reduction_case(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    ndim = len(shape)
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    negative = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    axes = tuple(a - ndim if neg else a for a, neg in zip(chosen, negative))
    axis = draw(st.sampled_from([None, axes, axes[0] if len(axes) == 1 else None]))
    name = draw(st.sampled_from(["sum", "mean", "max", "min", "var", "std", "logsumexp"]))
    reduced = np.prod([shape[a] for a in axes] if axis is not None else shape)
    # std of one value: zero variance, where sqrt's gradient is inf (see test_kinks.py)
    assume(name != "std" or reduced > 1)
    return shape, name, axis, draw(st.booleans())


def numpy_reduction(x: np.ndarray, name: str, axis, keepdims: bool) -> np.ndarray:
    if name == "logsumexp":
        return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))
    return getattr(x, name)(axis=axis, keepdims=keepdims)


@settings(max_examples=60, deadline=None)
@given(case=reduction_case(), seed=st.integers(0, 2**32 - 1))
def test_reductions_over_random_axes(case, seed):
    shape, name, axis, keepdims = case
    x = mg.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    out = getattr(x, name)(axis=axis, keepdims=keepdims)
    expected = numpy_reduction(x.data, name, axis, keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), (x,))
