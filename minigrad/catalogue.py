"""The catalogue of ops: every differentiable op of minigrad, listed once.

For each op (``Op``):

- its ``name``, and its ``function``: the ``Function`` whose docstring states the
  op's rule (``rule_of`` reads it), or None for a composition of other ops;
- its ``cases``: examples for the finite-difference checks (``Case``: a function of
  Tensors, the shapes and the domain of its inputs, a numpy reference);
- its ``kinks``: the points where it has no derivative, the value minigrad uses
  there, and why (``Kink``: a row of the table in ``docs/subgradients.md``), each
  pinned by exact checks (``Exact``: input values and the gradient they must give);
- its ``second_order``: whether its second derivatives are exact, so that
  gradgradcheck applies (``Op.gradgradcheck_applies``).

It drives ``tests/test_ops_gradcheck.py``, ``tests/test_kinks.py``,
``tests/test_catalogue.py`` (the docs' table and the docstrings agree with it) and
``minigrad gradcheck``. Adding an op to minigrad is adding an ``Op`` here: a test
fails for any ``Function`` in ``minigrad.ops`` or ``minigrad.functional`` without one.

An edge module: it imports ``functional`` and ``nn``; nothing in ``core``, ``ops``,
``functional``, ``nn`` or ``optim`` imports it.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from operator import methodcaller

import numpy as np

from . import functional as F
from . import nn
from .core import Function, Tensor
from .factories import tensor
from .functional.activations import Gelu, GeluTanh, LeakyRelu, LogSoftmax, NormalCdf, Softmax
from .functional.linear import Affine
from .functional.losses import BCEWithLogits, CrossEntropy
from .functional.normalization import Normalize
from .functional.regularization import AbsSum, SquareSum
from .ops import (
    Abs,
    Add,
    BroadcastTo,
    Cast,
    Clip,
    Clone,
    Concatenate,
    Div,
    Exp,
    Index,
    IndexAdd,
    Log,
    LogSumExp,
    MatMul,
    Max,
    Maximum,
    Mean,
    Min,
    Minimum,
    Mul,
    Neg,
    PNorm,
    Pow,
    Relu,
    Reshape,
    Sigmoid,
    SignedPower,
    Sqrt,
    Std,
    Sub,
    Sum,
    Tanh,
    Transpose,
    Where,
    concatenate,
    maximum,
    minimum,
    stack,
    where,
)
from .random import manual_seed

# ------------------------------------------------------------- an op's rule, in words


@dataclass(frozen=True)
class Rule:
    """The three lines that every op's docstring ends in."""

    derivative: str  # after "dy/dx:"
    kink: str  # after "at the kink:"
    second_order: str  # after "second order:"
    jvp: str = ""  # the forward-mode rule, stated after "; jvp:" in the dy/dx line


def rule_of(function: type[Function]) -> Rule:
    """The rule stated at the end of ``function``'s docstring::

        dy/dx: ...; jvp: ...
        at the kink: ...
        second order: ...

    Each line may run on over the next lines; each text comes back as one line. The
    derivative line ends in the forward-mode rule, after "; jvp:".
    Raises ValueError if the docstring does not end in these three lines.
    """
    doc = "\n" + inspect.cleandoc(function.__doc__ or "")
    _, found, tail = doc.rpartition("\ndy/dx:")
    match = re.fullmatch(r"(.+)\nat the kink:(.+)\nsecond order:(.+)", tail, re.DOTALL)
    if not found or match is None or not all(text.strip() for text in match.groups()):
        raise ValueError(
            f"{function.__name__}'s docstring must end in the three lines "
            "'dy/dx: ...', 'at the kink: ...' and 'second order: ...'"
        )
    derivative, kink, second_order = (" ".join(text.split()) for text in match.groups())
    derivative, _, jvp = derivative.partition("; jvp:")
    return Rule(derivative.strip(), kink, second_order, jvp.strip())


# ---------------------------------------------------- the examples of an op, to check


def real(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.standard_normal(shape)


def positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """In [0.5, 2]: for log, sqrt, fractional powers."""
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """|x| in [0.5, 2] with a random sign: far from 0 and from the clip bounds below,
    so that finite differences never straddle a kink."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


@dataclass(frozen=True)
class Case:
    """One example of an op, to check by finite differences."""

    name: str  # unique: a test id, and a row of ``minigrad gradcheck``
    fn: Callable[..., Tensor]  # one Tensor per shape in, a Tensor out
    shapes: tuple[tuple[int, ...], ...]
    domain: Callable[[np.random.Generator, tuple], np.ndarray]  # real, positive, nonzero
    numpy: Callable[..., np.ndarray] | None  # the forward's reference on numpy arrays

    def arrays(self, rng: np.random.Generator) -> list[np.ndarray]:
        """One float64 input per shape, drawn from the domain."""
        return [np.asarray(self.domain(rng, s), dtype=np.float64) for s in self.shapes]


def case(name: str, fn: Callable, *shapes: tuple, on=real, numpy="fn") -> Case:
    """A case of ``fn`` on inputs of these ``shapes``, drawn ``on`` a domain.

    ``numpy`` is the reference for the forward value. Left out, it is ``fn`` itself,
    which must then also run on numpy arrays (``a + b`` and ``x.sum(axis=0)`` do,
    ``x.exp()`` does not); ``numpy=None``: there is none.
    """
    return Case(name, fn, shapes, on, fn if numpy == "fn" else numpy)


AXIS_FORMS = [None, 1, -1, (0, 2), (-1, 0)]  # all, int, negative int, tuple, negative tuple


def reduction_cases(
    method: str, reference: Callable | None = None, axes: list = AXIS_FORMS, on=real, **fixed
) -> list[Case]:
    """``x.<method>(**fixed, axis=..., keepdims=...)`` on a (2, 3, 4) tensor drawn ``on``
    a domain, for every axis form, with and without keepdims. Without a ``reference``
    the forward is compared with numpy's method of the same name."""
    cases = []
    for axis, keepdims in itertools.product(axes, [False, True]):
        kw = {**fixed, "axis": axis, "keepdims": keepdims}
        name = " ".join([method, *(f"{k}={v}" for k, v in kw.items())])
        ref = partial(reference, **kw) if reference else "fn"
        cases.append(case(name, methodcaller(method, **kw), (2, 3, 4), on=on, numpy=ref))
    return cases


def logsumexp_ref(x, axis=None, keepdims=False):
    return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))


def norm_ref(x, p, axis=None, keepdims=False):
    if p == np.inf:
        return np.abs(x).max(axis=axis, keepdims=keepdims)
    return (np.abs(x) ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)


normal_cdf_ref = np.vectorize(lambda x: 0.5 * math.erfc(-x / math.sqrt(2)))

MASK = np.array([True, False, True, True])
GRID_MASK = np.arange(20).reshape(4, 5) % 3 == 0
COND = np.array([[True], [False], [True]])
LABELS = np.array([0, 2, 1])


def built_once(make: Callable[[], nn.Module]) -> Callable[[Tensor], Tensor]:
    """x -> the layer that ``make()`` builds, applied to x. The layer is built at the
    first call, so that importing the catalogue draws no initial weights from
    minigrad's global generator, and then kept, so that its weights stay fixed."""
    layer = cache(make)
    return lambda x: layer()(x)


def dropout_with_a_fixed_mask(x: Tensor) -> Tensor:
    manual_seed(0)  # the same mask at every evaluation of the finite differences
    return F.dropout(x, p=0.3)


# ------------------------------------------- the kinks of an op, and their exact checks


@dataclass(frozen=True)
class Exact:
    """At the input values ``at``, d sum(fn(x)) / dx must be ``gradient`` to the last
    bit, in float32 and in float64. If ``second_derivative`` is given, the op's rule
    holds to second order there too: d/dx of the sum of that gradient (taken with
    ``create_graph=True``) must be ``second_derivative``."""

    name: str  # a test id
    fn: Callable[[Tensor], Tensor]
    at: list
    gradient: list
    second_derivative: list | None = None
    # why forward mode gives another value here, if it does (tests/test_forward_mode.py)
    not_in_forward_mode: str = ""


@dataclass(frozen=True)
class Kink:
    """A point where an op has no derivative: a row of the table in
    ``docs/subgradients.md`` (point, value used, why), and the checks that pin it.

    ``count`` says how many input elements sat at this point in one call of the op,
    given the arrays its forward received and what it returned (``viz.replay``
    shows it for every step); None for a composition, whose kinks sit in the ops it
    is made of, or a point that is no choice of subgradient (``sqrt`` at 0)."""

    point: str  # as the docs write it: "`abs` at 0"
    value: str  # the value used there: "0"
    why: str
    checks: list[Exact]
    count: Callable[[list, object], int] | None = None


# ------------------------------------------ how many inputs sat at a kink, per call

# Each takes what one call of the op's forward received (``args``) and returned, and
# counts the positions where the rule had to pick a subgradient.


def zeros_in_first_input(args: list, result: object) -> int:
    """abs, relu, leaky_relu: x == 0."""
    return int(np.count_nonzero(args[0] == 0))


def zeros_in_every_input(args: list, result: object) -> int:
    """l1_penalty: w == 0, in every weight it sums over."""
    return sum(int(np.count_nonzero(w == 0)) for w in args)


def at_clip_bounds(args: list, result: object) -> int:
    """clip(x, lo, hi): x == lo or x == hi (a bound may be None)."""
    x, lo, hi = args
    at_bound = np.zeros(np.shape(result), dtype=bool)
    for bound in (lo, hi):
        if bound is not None:
            at_bound |= x == bound
    return int(np.count_nonzero(at_bound))


def ties_of_two(args: list, result: object) -> int:
    """maximum(a, b), minimum(a, b): a == b."""
    return int(np.count_nonzero(np.asarray(args[0] == args[1])))


def ties_for_the_extreme(reduce: Callable) -> Callable[[list, object], int]:
    """max, min over axes: the elements that share the extreme value of their slice
    with another element."""

    def count(args: list, result: object) -> int:
        x, axes = args[0], args[1]
        hit = x == reduce(x, axis=axes, keepdims=True)
        tied = hit.sum(axis=axes, keepdims=True) > 1
        return int(np.count_nonzero(hit & tied))

    return count


def in_zero_vectors(args: list, result: object) -> int:
    """norm(p), 1 < p < inf, over axes: the elements of an all-zero slice."""
    x, axes = args[0], args[2]
    if x.size == 0:
        return 0
    zero_slice = np.abs(x).max(axis=axes, keepdims=True) == 0
    return int(np.count_nonzero(np.broadcast_to(zero_slice, x.shape)))


def count_kinks(function: type[Function], args: list, result: object) -> int:
    """How many input elements of one call of ``function`` sat at one of its kinks."""
    kinks = _counted_kinks().get(function)
    return sum(kink.count(args, result) for kink in kinks) if kinks else 0


@cache
def _counted_kinks() -> dict[type[Function], list[Kink]]:
    found: dict = {}
    for op in OPS:
        for kink in op.kinks:
            if op.function is not None and kink.count is not None:
                found.setdefault(op.function, []).append(kink)
    return found


# ------------------------------------------------------------------------------ an op


@dataclass(frozen=True)
class Op:
    """An op: its rule (``function``'s docstring), its cases and its kinks.

    A composition (``function`` None) states its own second order in
    ``composed_second_order``; a ``Function``'s is the last line of its docstring.
    """

    name: str
    function: type[Function] | None
    cases: list[Case] = field(default_factory=list)
    kinks: list[Kink] = field(default_factory=list)
    composed_second_order: str = ""

    @property
    def second_order(self) -> str:
        """Exact or not, and why: the last line of the docstring, or the composition's."""
        if self.function is None:
            return self.composed_second_order
        return rule_of(self.function).second_order

    @property
    def gradgradcheck_applies(self) -> bool:
        """Second derivatives are exact (the status says "exact ...") and the rule can
        record a graph of its own (the Function is not ``once_differentiable``)."""
        once = self.function is not None and self.function.once_differentiable
        return self.second_order.startswith("exact") and not once


ZEROS = [0.0, 0.0, 0.0]  # the second derivative of a piecewise-linear op at its kink

# fmt: off
OPS: list[Op] = [
    # ---- arithmetic, with broadcasting and non-Tensor operands on either side
    Op("add", Add, [
        case("add",                          lambda a, b: a + b,               (3, 4), (3, 4)),
        case("add both operands broadcast",  lambda a, b: a + b,               (3, 1), (1, 4)),
        case("add leading axes broadcast",   lambda a, b: a + b,               (2, 3, 4), (4,)),
        case("add 0-d tensor to matrix",     lambda a, b: a + b,               (), (3, 4)),
        case("add python scalar",            lambda x: x + 2.5,                (3,)),
        case("add python scalar reflected",  lambda x: 2.5 + x,                (3,)),
        case("add numpy array reflected",    lambda x: np.arange(4.0) + x,     (3, 4)),
        case("add numpy array broadcasting", lambda x: x + np.ones((2, 1, 1)), (3, 4)),
    ]),
    Op("sub", Sub, [
        case("sub both operands broadcast",  lambda a, b: a - b,               (3, 1), (4,)),
        case("sub python scalar reflected",  lambda x: 1.5 - x,                (2, 3)),
        case("sub numpy array reflected",    lambda x: np.ones((2, 1)) - x,    (3,)),
    ]),
    Op("mul", Mul, [
        case("mul",                          lambda a, b: a * b,               (2, 3), (2, 3)),
        case("mul both operands broadcast",  lambda a, b: a * b,               (2, 1, 4), (3, 1)),
        case("mul tensor by itself",         lambda x: x * x,                  (3,)),
        case("mul python scalar reflected",  lambda x: 3.0 * x,                (3,)),
        case("mul numpy array reflected",    lambda x: np.arange(3.0) * x,     (2, 3)),
    ]),
    Op("div", Div, [
        case("div",                          lambda a, b: a / b,        (3, 4), (3, 4), on=nonzero),
        case("div broadcast divisor",        lambda a, b: a / b,        (3, 4), (4,), on=nonzero),
        case("div python scalar reflected",  lambda x: 2.0 / x,         (3,), on=nonzero),
        case("div numpy array reflected",    lambda x: np.full(3, 2.0) / x, (2, 3), on=nonzero),
        case("div by python scalar",         lambda x: x / 4.0,         (3,)),
    ], kinks=[
        Kink("`a / b` at b = 0", "inf, or nan where a = 0 too",
             "a pole: the value itself is inf (nan for 0 / 0), and so are its derivatives; "
             "deliberate, no silent fix", [
            Exact("2 / x at 0", lambda x: 2.0 / x, [0.0, 2.0], [-np.inf, -0.5], [np.inf, 0.5]),
            Exact("a / b at b = 0 (a and b stacked)", lambda ab: ab[0] / ab[1],
                  [[1.0, 0.0], [0.0, 0.0]], [[np.inf, np.inf], [-np.inf, np.nan]]),
        ]),
    ]),
    Op("pow", Pow, [
        case("pow tensor exponent",          lambda a, b: a**b,       (3, 4), (3, 4), on=positive),
        case("pow broadcast exponent",       lambda a, b: a**b,         (2, 3), (3,), on=positive),
        case("pow int exponent",             lambda x: x**3,            (3,)),
        case("pow negative int exponent",    lambda x: x**-2,           (3,), on=nonzero),
        case("pow fractional exponent",      lambda x: x**0.5,          (3,), on=positive),
        case("pow zero exponent",            lambda x: x**0,            (3,)),
        case("pow python scalar base",       lambda x: 2.0**x,          (3,)),
        case("pow numpy array base",         lambda x: np.array([1.5, 2.5, 3.0]) ** x, (2, 3)),
        case("pow list exponent",            lambda x: x ** [1.0, 2.0, 3.0], (2, 3), on=positive),
    ], kinks=[
        Kink("`a ** b` at a = 0 and b = 0, gradient in a", "0",
             "`a ** 0` is 1 for every a, so its slope is 0 (and so are its second "
             "derivatives); the formula `b * a ** (b - 1)` would give `0 * inf = nan`", [
            Exact("x ** 0 at 0", lambda x: x**0, [-1.0, 0.0, 2.0], ZEROS, ZEROS),
            Exact("a ** b at a = 0 and b = 0 (a and b stacked)", lambda ab: ab[0] ** ab[1],
                  [[0.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 0.0]]),
        ]),
        Kink("`x ** b`, 0 < b < 1, at 0", "inf",
             "the slope really is vertical there, as `sqrt`'s; no silent fix", [
            Exact("x ** 0.5 at 0 is inf", lambda x: x**0.5,
                  [0.0, 4.0], [np.inf, 0.25], [-np.inf, -0.03125]),
        ]),
        Kink("`x ** b`, b < 0, at 0", "inf or -inf",
             "a pole: the value itself is inf, and its slope is not finite either; "
             "deliberate, no silent fix", [
            Exact("x ** -1 at 0", lambda x: x**-1, [0.0, 2.0], [-np.inf, -0.25], [np.inf, 0.25]),
        ]),
        Kink("`x ** b` below 0, b not an integer", "nan",
             "outside the real domain: the value is nan too", [
            Exact("x ** 0.5 below 0 is nan", lambda x: x**0.5, [-1.0, 4.0], [np.nan, 0.25]),
        ]),
        Kink("`a ** b` at `a <= 0`, gradient in b", "0",
             "`a ** b * log(a)` tends to 0 as a tends to 0 for b > 0, and a real log of "
             "a < 0 does not exist (at a = 0 with b < 0 the value is inf, and this "
             "gradient nan)", [
            Exact("a ** b at a <= 0 (a and b stacked)", lambda ab: ab[0] ** ab[1],
                  [[0.0, -2.0], [2.0, 2.0]], [[0.0, -4.0], [0.0, 0.0]]),
        ]),
    ]),
    Op("neg", Neg, [
        case("neg",                          lambda x: -x,              (2, 3)),
    ]),
    # ---- matmul: numpy's rules for 1-D, 2-D and batched N-D operands
    Op("matmul", MatMul, [
        case("matmul 1-D by 1-D",            lambda a, b: a @ b,        (3,), (3,)),
        case("matmul 1-D by 2-D",            lambda a, b: a @ b,        (3,), (3, 4)),
        case("matmul 2-D by 1-D",            lambda a, b: a @ b,        (2, 3), (3,)),
        case("matmul 2-D",                   lambda a, b: a @ b,        (2, 3), (3, 4)),
        case("matmul batched by 2-D",        lambda a, b: a @ b,        (5, 2, 3), (3, 4)),
        case("matmul broadcast batch axes",  lambda a, b: a @ b,        (2, 1, 2, 3), (4, 3, 2)),
        case("matmul 1-D by batched",        lambda a, b: a @ b,        (3,), (2, 3, 4)),
        case("matmul batched by 1-D",        lambda a, b: a @ b,        (2, 3, 4), (4,)),
        case("matmul numpy array reflected", lambda x: np.ones((2, 3)) @ x, (3, 4)),
        case("matmul list operand",          lambda x: x @ [[1.0], [2.0], [3.0]], (2, 3)),
    ]),
    # ---- elementwise functions: cases away from the kinks, the kinks exactly
    Op("exp", Exp, [case("exp", lambda x: x.exp(), (2, 3), numpy=np.exp)]),
    Op("log", Log, [
        case("log", lambda x: x.log(), (2, 3), on=positive, numpy=np.log),
    ], kinks=[
        Kink("`log` at 0", "inf",
             "the derivative 1/x really is infinite, and the value is -inf; no silent fix", [
            Exact("log at 0 is inf", lambda x: x.log(), [0.0, 4.0], [np.inf, 0.25],
                  [-np.inf, -0.0625]),
        ]),
        Kink("`log` below 0", "1/x, as PyTorch",
             "the value is nan (outside the real domain), and that already shows; the "
             "rule 1/x does not look at it", [
            Exact("log below 0 is 1/x", lambda x: x.log(), [-2.0, 4.0], [-0.5, 0.25],
                  [-0.25, -0.0625]),
        ]),
    ]),
    Op("sqrt", Sqrt, [
        case("sqrt", lambda x: x.sqrt(), (2, 3), on=positive, numpy=np.sqrt),
    ], kinks=[
        Kink("`sqrt` at 0", "inf", "the derivative really is infinite; no silent fix", [
            Exact("sqrt at 0 is inf", lambda x: x.sqrt(), [0.0, 4.0], [np.inf, 0.25],
                  [-np.inf, -0.03125]),
        ]),
        Kink("`sqrt` below 0", "nan", "outside the real domain: the value is nan too", [
            Exact("sqrt below 0 is nan", lambda x: x.sqrt(), [-1.0, 4.0], [np.nan, 0.25]),
        ]),
    ]),
    Op("abs", Abs, [
        case("abs method",  lambda x: x.abs(), (2, 3), on=nonzero, numpy=np.abs),
        case("abs builtin", lambda x: abs(x),  (2, 3), on=nonzero),
    ], kinks=[
        Kink("`abs` at 0", "0",
             "the subdifferential is [-1, 1]; 0 is its minimum-norm element, so |w| alone "
             "never pushes a weight off 0; a data term still can", [
            Exact("abs at 0", abs, [-2.0, 0.0, 3.0], [-1.0, 0.0, 1.0], ZEROS),
        ], count=zeros_in_first_input),
    ]),
    Op("sign", None, [
        case("sign times x", lambda x: x.sign() * x, (2, 3), on=nonzero,
             numpy=lambda x: np.sign(x) * x),
    ], kinks=[
        Kink("`sign`", "0 everywhere", "sign is piecewise constant; its output carries no graph", [
            Exact("sign carries no graph, so sign(x) * x has gradient sign(x)",
                  lambda x: x.sign() * x, [-2.0, 0.0, 3.0], [-1.0, 0.0, 1.0], ZEROS),
        ]),
    ], composed_second_order="exact (0 almost everywhere: sign carries no graph)"),
    Op("relu", Relu, [
        case("relu", lambda x: x.relu(), (2, 3), on=nonzero, numpy=lambda x: np.maximum(x, 0)),
    ], kinks=[
        Kink("`relu` at 0", "0",
             "the subdifferential is [0, 1]; 0 is the minimum-norm element (as PyTorch)", [
            Exact("relu at 0", lambda x: x.relu(), [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0], ZEROS),
        ], count=zeros_in_first_input),
    ]),
    Op("tanh", Tanh, [case("tanh", lambda x: x.tanh(), (2, 3), numpy=np.tanh)]),
    Op("sigmoid", Sigmoid, [
        case("sigmoid", lambda x: x.sigmoid(), (2, 3), numpy=lambda x: 1 / (1 + np.exp(-x))),
    ]),
    Op("clip", Clip, [
        case("clip",         lambda x: x.clip(-1.0, 1.2), (3, 4), on=nonzero),
        case("clip lo only", lambda x: x.clip(0.0, None), (3, 4), on=nonzero),
        case("clip hi only", lambda x: x.clip(None, 0.0), (3, 4), on=nonzero),
        case("clip array bounds broadcasting",
             lambda x: x.clip(np.array([[-1.0], [0.0]]), 1.2), (4,), on=nonzero),
    ], kinks=[
        Kink("`clip(lo, hi)` at `x == lo` or `x == hi`", "1",
             "the interval is closed, as PyTorch's clamp", [
            Exact("clip at its lower bound", lambda x: x.clip(0.0, 1.0),
                  [-1.0, 0.0, 0.5], [0.0, 1.0, 1.0], ZEROS),
            Exact("clip at its upper bound", lambda x: x.clip(0.0, 1.0),
                  [0.5, 1.0, 2.0], [1.0, 1.0, 0.0], ZEROS),
        ], count=at_clip_bounds),
    ]),
    # ---- module-level ops
    Op("where", Where, [
        case("where", lambda a, b: where(COND, a, b), (3, 4), (4,),
             numpy=lambda a, b: np.where(COND, a, b)),
        case("where tensor condition and scalar", lambda x: where(x > 0, x, 0.5), (3, 4),
             on=nonzero, numpy=lambda x: np.where(x > 0, x, 0.5)),
    ]),
    Op("maximum", Maximum, [
        case("maximum", lambda a, b: maximum(a, b), (3, 4), (4,), numpy=np.maximum),
        case("maximum python scalar", lambda x: maximum(x, 0.3), (3, 4),
             numpy=lambda x: np.maximum(x, 0.3)),
    ], kinks=[
        Kink("`maximum(a, b)` at `a == b`", "0.5 to each side",
             "the symmetric choice: the sum over both inputs is still 1", [
            Exact("maximum of a tie (a and b stacked)", lambda ab: maximum(ab[0], ab[1]),
                  [[1.0, 2.0, 3.0], [1.0, 0.0, 5.0]], [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]],
                  [ZEROS, ZEROS]),
            Exact("maximum of a tie with a constant", lambda x: maximum(x, 0.0),
                  [-1.0, 0.0, 1.0], [0.0, 0.5, 1.0], ZEROS),
        ], count=ties_of_two),
    ]),
    Op("minimum", Minimum, [
        case("minimum", lambda a, b: minimum(a, b), (3, 1), (1, 4), numpy=np.minimum),
    ], kinks=[
        Kink("`minimum(a, b)` at `a == b`", "0.5 to each side", "as `maximum`", [
            Exact("minimum of a tie (a and b stacked)", lambda ab: minimum(ab[0], ab[1]),
                  [[1.0, 2.0, 3.0], [1.0, 0.0, 5.0]], [[0.5, 0.0, 1.0], [0.5, 1.0, 0.0]],
                  [ZEROS, ZEROS]),
        ], count=ties_of_two),
    ]),
    Op("concatenate", Concatenate, [
        case("concatenate axis 0", lambda a, b: concatenate([a, b]), (2, 3), (4, 3),
             numpy=lambda a, b: np.concatenate([a, b])),
        case("concatenate negative axis", lambda a, b, c: concatenate([a, b, c], axis=-1),
             (2, 3), (2, 1), (2, 2), numpy=lambda a, b, c: np.concatenate([a, b, c], axis=-1)),
    ]),
    Op("stack", None, [
        case("stack", lambda a, b: stack([a, b]), (2, 3), (2, 3),
             numpy=lambda a, b: np.stack([a, b])),
        case("stack negative axis", lambda a, b, c: stack([a, b, c], axis=-1),
             (2, 3), (2, 3), (2, 3), numpy=lambda a, b, c: np.stack([a, b, c], axis=-1)),
    ], composed_second_order="exact (unsqueeze and concatenate)"),
    # ---- shape ops
    Op("reshape", Reshape, [
        case("reshape ints",            lambda x: x.reshape(4, 6),       (2, 3, 4)),
        case("reshape tuple with -1",   lambda x: x.reshape((3, -1)),    (2, 3, 4)),
        case("flatten",                 lambda x: x.flatten(),           (2, 3, 4)),
        case("view (PyTorch's reshape)", lambda x: x.view(4, -1),        (2, 3, 4),
             numpy=lambda x: x.reshape(4, -1)),
        case("squeeze all",             lambda x: x.squeeze(),           (1, 3, 1)),
        case("squeeze axis",            lambda x: x.squeeze(0),          (1, 3, 1)),
        case("squeeze negative axis",   lambda x: x.squeeze(-1),         (1, 3, 1)),
        case("unsqueeze",               lambda x: x.unsqueeze(0),        (2, 3),
             numpy=lambda x: np.expand_dims(x, 0)),
        case("unsqueeze negative axis", lambda x: x.unsqueeze(-1),       (2, 3),
             numpy=lambda x: np.expand_dims(x, -1)),
    ]),
    Op("transpose", Transpose, [
        case("transpose reverses",      lambda x: x.transpose(),         (2, 3, 4)),
        case("transpose permutation",   lambda x: x.transpose(1, 2, 0),  (2, 3, 4)),
        case("transpose negative axes", lambda x: x.transpose(-1, 0, 1), (2, 3, 4),
             numpy=lambda x: x.transpose(2, 0, 1)),
        case("swapaxes",                lambda x: x.swapaxes(0, -1),     (2, 3, 4)),
        case("T",                       lambda x: x.T,                   (2, 3, 4)),
    ]),
    Op("broadcast_to", BroadcastTo, [
        case("broadcast_to",          lambda x: x.broadcast_to((2, 3, 4)), (3, 1),
             numpy=lambda x: np.broadcast_to(x, (2, 3, 4))),
        case("broadcast_to from 0-d", lambda x: x.broadcast_to(3), (),
             numpy=lambda x: np.broadcast_to(x, 3)),
    ]),
    Op("astype", Cast, [case("astype float64", lambda x: x.astype(np.float64), (2, 3))]),
    Op("clone", Clone, [case("clone", lambda x: x.clone(), (2, 3), numpy=np.copy)]),
    # ---- indexing: the gradient is scattered back, repeated indices accumulate
    Op("index", Index, [
        case("index int",               lambda x: x[1],                  (4, 5)),
        case("index negative int",      lambda x: x[-1],                 (4, 5)),
        case("index ints to 0-d",       lambda x: x[2, 3],               (4, 5)),
        case("index slice",             lambda x: x[1:3],                (4, 5)),
        case("index negative step",     lambda x: x[::-2],               (4, 5)),
        case("index None",              lambda x: x[None, 2],            (4, 5)),
        case("index slices and None",   lambda x: x[1:, None, ::2],      (3, 4)),
        case("index Ellipsis",          lambda x: x[..., 1],             (2, 4, 5)),
        case("index slice and list",    lambda x: x[1:, [0, 0, 4]],      (4, 5)),
        case("index int array with repeats", lambda x: x[np.array([0, 0, 3, 0])], (4, 5)),
        case("index int arrays pairwise repeats",
             lambda x: x[np.array([0, 0]), np.array([1, 1])], (4, 5)),
        case("index broadcast int arrays",
             lambda x: x[np.array([[0], [3]]), np.array([1, 1, 2])], (4, 5)),
        case("index bool mask rows",    lambda x: x[MASK],               (4, 5)),
        case("index bool mask grid",    lambda x: x[GRID_MASK],          (4, 5)),
        case("index bool mask of the values", lambda x: x[x > 0],        (6,), on=nonzero),
        case("index tensor of ints",    lambda x: x[tensor([1, 1, 2])],  (4, 5),
             numpy=lambda x: x[[1, 1, 2]]),
        case("index tensor bool mask",  lambda x: x[tensor(MASK)],       (4, 5),
             numpy=lambda x: x[MASK]),
    ]),
    Op("index_add", IndexAdd, [
        case("index_add (the backward of index) with repeats",
             lambda g: IndexAdd.apply(g, (4, 5), np.array([0, 0, 3])), (3, 5),
             numpy=lambda g: np.stack([g[0] + g[1], 0 * g[0], 0 * g[0], g[2]])),
    ]),
    # ---- reductions over every axis form
    Op("sum", Sum, reduction_cases("sum")),
    Op("mean", Mean, reduction_cases("mean")),
    Op("max", Max, reduction_cases("max"), kinks=[
        Kink("`max` with ties", "split evenly among the tied elements",
             "the symmetric choice, for k tied elements: each gets 1/k", [
            Exact("max of tied elements", lambda x: x.max(),
                  [3.0, 1.0, 3.0, 3.0], [1 / 3, 0.0, 1 / 3, 1 / 3], [0.0] * 4),
            Exact("max over an axis of tied elements", lambda x: x.max(axis=1),
                  [[1.0, 1.0, 0.0], [2.0, 0.0, 2.0]], [[0.5, 0.5, 0.0], [0.5, 0.0, 0.5]],
                  [ZEROS, ZEROS]),
        ], count=ties_for_the_extreme(np.max)),
    ]),
    Op("min", Min, reduction_cases("min"), kinks=[
        Kink("`min` with ties", "split evenly among the tied elements", "as `max`", [
            Exact("min of tied elements", lambda x: x.min(),
                  [-3.0, 1.0, -3.0, 0.0], [0.5, 0.0, 0.5, 0.0], [0.0] * 4),
            Exact("min over an axis with keepdims of tied elements",
                  lambda x: x.min(axis=0, keepdims=True),
                  [[1.0, 5.0], [1.0, 4.0]], [[0.5, 0.0], [0.5, 1.0]], [[0.0, 0.0]] * 2),
        ], count=ties_for_the_extreme(np.min)),
    ]),
    Op("logsumexp", LogSumExp, reduction_cases("logsumexp", logsumexp_ref), kinks=[
        Kink("`logsumexp` of an all `-inf` slice", "nan",
             "the value is -inf, and the gradient `exp(x - y)` is `exp(-inf + inf)`: no "
             "finite input is near to take a limit from; deliberate, as PyTorch", [
            Exact("logsumexp of -inf is nan", lambda x: x.logsumexp(), [-np.inf, -np.inf],
                  [np.nan, np.nan]),
            Exact("logsumexp over an axis of an all -inf row", lambda x: x.logsumexp(axis=1),
                  [[-np.inf, -np.inf], [0.0, 0.0]], [[np.nan, np.nan], [0.5, 0.5]]),
        ]),
    ]),
    Op("var", None, reduction_cases("var", ddof=0) + reduction_cases("var", ddof=1),
       composed_second_order="exact (mean, products and sums)"),
    Op("std", Std, reduction_cases("std", ddof=0) + reduction_cases("std", ddof=1), kinks=[
        Kink("`std` of equal values", "0",
             "std is `norm(x - mean(x)) / sqrt(n - ddof)`, a cone whose tip is at equal "
             "values: 0 is the minimum-norm subgradient there (as PyTorch), and its "
             "second derivative is 0 too", [
            Exact("std of equal values", lambda x: x.std(), [2.0, 2.0, 2.0], ZEROS, ZEROS),
            Exact("std (ddof=1) of equal values whose mean rounds off them",
                  lambda x: x.std(ddof=1), [0.1, 0.1, 0.1], ZEROS, ZEROS),
            Exact("std over an axis of an equal row and an unequal row",
                  lambda x: x.std(axis=1), [[1.0, 1.0], [0.0, 2.0]],
                  [[0.0, 0.0], [-0.5, 0.5]], [[0.0, 0.0], [0.0, 0.0]]),
            Exact("std (ddof=1) of relu's zeros (issue 20)",
                  lambda x: x.relu()[[-1, 0]].std(ddof=1), [-1.0], [0.0], [0.0]),
        ]),
    ]),
    Op("norm", PNorm, [
        # p < 2 away from zero entries, where its second derivative is inf (a kink below)
        *reduction_cases("norm", norm_ref, AXIS_FORMS[:4], on=nonzero, p=1.5),
        *(c for p in (2, 3) for c in reduction_cases("norm", norm_ref, AXIS_FORMS[:4], p=p)),
    ], kinks=[
        Kink("`norm(p)`, 1 < p < inf, of an all-zero vector", "0",
             "the subdifferential is the unit ball of the dual norm; 0 is its "
             "minimum-norm element, and its second derivative is 0 too", [
            Exact("norm p=2 of zeros", lambda x: x.norm(), ZEROS, ZEROS, ZEROS),
            Exact("norm p=2 of a zero row and a nonzero row", lambda x: x.norm(axis=1),
                  [[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0], [0.6, 0.8]]),
            Exact("norm p=3 of zeros", lambda x: x.norm(3), ZEROS, ZEROS, ZEROS),
            Exact("norm p=1.5 of zeros", lambda x: x.norm(1.5), ZEROS, ZEROS, ZEROS),
        ], count=in_zero_vectors),
        Kink("`norm(p)`, 1 < p < 2, at a zero entry of a nonzero vector",
             "0, and second derivative inf in that entry",
             "the gradient `sign(x) abs(x)**(p-1) / y**(p-1)` is 0 there, exactly; its slope "
             "is vertical (as `sqrt`'s at 0), so inf is the true second derivative, and a "
             "direction that leaves the entry at 0 gets 0 from it, not `0 * inf = nan`", [
            Exact("norm p=1.5 at zero entries", lambda x: x.norm(1.5),
                  [0.0, 4.0, 0.0], [0.0, 1.0, 0.0], [np.inf, 0.0, np.inf]),
            Exact("norm p=1.5 over an axis at zero entries and of zeros",
                  lambda x: x.norm(1.5, axis=1), [[0.0, 4.0, 0.0], ZEROS],
                  [[0.0, 1.0, 0.0], ZEROS], [[np.inf, 0.0, np.inf], ZEROS]),
        ]),
    ]),
    Op("signed_power", SignedPower, [
        case("SignedPower q=0.5 (the factor of norm's gradient)",
             lambda x: SignedPower.apply(x, 0.5), (2, 3), on=nonzero,
             numpy=lambda x: np.sign(x) * np.abs(x) ** 0.5),
        case("SignedPower q=2", lambda x: SignedPower.apply(x, 2.0), (2, 3),
             numpy=lambda x: np.sign(x) * x * x),
    ], kinks=[
        Kink("`SignedPower(x, q)`, q < 1, at 0", "inf, and 0 for an incoming gradient of 0",
             "`abs(x)**q` has a vertical slope at 0, so inf is the true value (as `sqrt`); an "
             "incoming gradient of exactly 0 means the output is not used, so nothing "
             "depends on x through it", [
            Exact("SignedPower q=0.5 at 0", lambda x: SignedPower.apply(x, 0.5),
                  [-4.0, 0.0, 4.0], [0.25, np.inf, 0.25]),
            Exact("SignedPower q=0.5 at 0 with an incoming gradient of 0",
                  lambda x: SignedPower.apply(x, 0.5) * np.array([0.0, 1.0, 1.0], x.dtype),
                  [0.0, 0.0, 4.0], [0.0, np.inf, 0.25],
                  not_in_forward_mode="forward mode pushes the tangent inf from x = 0 before "
                  "the 0 multiplies it, and inf * 0 is nan (PyTorch's too): only the reverse "
                  "pass sees that the output is not used"),
        ]),
    ]),
    Op("norm p=1", None, reduction_cases("norm", norm_ref, AXIS_FORMS[:4], p=1), kinks=[
        Kink("`norm(p=1)` at zero entries", "0", "it is `abs(x).sum()`", [
            Exact("norm p=1 at zero entries", lambda x: x.norm(1),
                  [0.0, -2.0, 3.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0] * 4),
        ]),
    ], composed_second_order="exact (abs(x).sum(): 0 almost everywhere)"),
    Op("norm p=inf", None, reduction_cases("norm", norm_ref, AXIS_FORMS[:4], p=np.inf), kinks=[
        Kink("`norm(p=inf)` with ties", "split evenly", "it is `abs(x).max()`", [
            Exact("norm p=inf of tied entries", lambda x: x.norm(np.inf),
                  [-3.0, 3.0, 1.0], [-0.5, 0.5, 0.0], ZEROS),
        ]),
    ], composed_second_order="exact (abs(x).max(): 0 almost everywhere)"),
    # ---- functional: activations, the affine map, losses, normalization, penalties
    Op("leaky_relu", LeakyRelu, [
        case("F.leaky_relu", F.leaky_relu, (5,), on=nonzero, numpy=None),
    ], kinks=[
        Kink("`leaky_relu` at 0", "negative_slope",
             "the subdifferential is [negative_slope, 1]; negative_slope is its "
             "minimum-norm element (as PyTorch)", [
            Exact("leaky_relu at 0", F.leaky_relu, [-1.0, 0.0, 2.0], [0.01, 0.01, 1.0], ZEROS),
        ], count=zeros_in_first_input),
    ]),
    Op("normal_cdf", NormalCdf, [
        case("normal_cdf (gelu's second order)", NormalCdf.apply, (2, 3), numpy=normal_cdf_ref),
    ]),
    Op("gelu", Gelu, [case("F.gelu", F.gelu, (5,), numpy=None)]),
    Op("gelu tanh", GeluTanh, [
        case("F.gelu (tanh)", lambda x: F.gelu(x, approximate="tanh"), (5,), numpy=None),
    ]),
    Op("softmax", Softmax, [case("F.softmax", F.softmax, (3, 4), numpy=None)], kinks=[
        Kink("`log` of `softmax` where a probability underflows to 0", "nan",
             "softmax gives exactly 0 there, and log's gradient 1/0 = inf meets softmax's "
             "factor y = 0; deliberate: `log_softmax` is the stable op, exact there", [
            Exact("log of softmax underflow is nan", lambda x: F.softmax(x).log(),
                  [0.0, 1000.0], [np.nan, np.nan]),
        ]),
    ]),
    Op("log_softmax", LogSoftmax, [case("F.log_softmax", F.log_softmax, (3, 4), numpy=None)]),
    Op("linear", Affine, [
        case("F.linear", F.linear, (2, 4), (3, 4), (3,), numpy=lambda x, w, b: x @ w.T + b),
        case("nn.Linear", built_once(lambda: nn.Linear(4, 3, dtype=np.float64)), (2, 4),
             numpy=None),
    ]),
    Op("cross_entropy", CrossEntropy, [
        case("F.cross_entropy", lambda x: F.cross_entropy(x, LABELS), (3, 4), numpy=None),
    ]),
    Op("binary_cross_entropy_with_logits", BCEWithLogits, [
        case("F.binary_cross_entropy_with_logits",
             lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid()), (4,), (4,),
             numpy=None),
    ]),
    Op("mse_loss", None, [
        case("F.mse_loss", F.mse_loss, (4,), (4,), numpy=None),
    ], composed_second_order="exact (a difference, its square, a mean)"),
    Op("l1_loss", None, [
        case("F.l1_loss", lambda a, b: F.l1_loss(a, b + 5), (4,), (4,), numpy=None),
    ], kinks=[
        Kink("`l1_loss` at pred == target", "0", "it is `abs(pred - target)`", [
            Exact("l1_loss at pred == target",
                  lambda x: F.l1_loss(x, np.ones(3), reduction="sum"),
                  [0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], ZEROS),
        ]),
    ], composed_second_order="exact (abs: 0 almost everywhere)"),
    Op("huber_loss", None, [
        case("F.huber_loss", lambda a, b: F.huber_loss(a, b * 3), (6,), (6,), numpy=None),
    ], kinks=[
        Kink("`huber_loss` at `abs(pred - target) == delta`",
             "the quadratic piece's: gradient pred - target, second derivative 1",
             "the two pieces meet there with equal value and slope, so only the second "
             "derivative jumps (from 1 to 0); the closed interval takes 1, as PyTorch", [
            Exact("huber_loss at abs(pred - target) == delta",
                  lambda x: F.huber_loss(x, np.zeros(4), reduction="sum"),
                  [-1.0, 0.0, 1.0, 2.0], [-1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0]),
        ]),
    ], composed_second_order="exact (where of a square and abs; the gradient is continuous)"),
    Op("dropout", None, [
        case("F.dropout (fixed mask)", dropout_with_a_fixed_mask, (4, 5), numpy=None),
    ], composed_second_order="exact (x times a constant mask)"),
    Op("batch_norm", Normalize, [
        case("nn.BatchNorm1d (train)",
             built_once(lambda: nn.BatchNorm1d(3, dtype=np.float64)), (5, 3), numpy=None),
        case("nn.BatchNorm1d (eval)",
             built_once(lambda: nn.BatchNorm1d(3, dtype=np.float64).eval()), (5, 3), numpy=None),
    ]),
    Op("layer_norm", Normalize, [
        case("nn.LayerNorm", built_once(lambda: nn.LayerNorm(4, dtype=np.float64)), (3, 4),
             numpy=None),
    ]),
    Op("l1_penalty", AbsSum, [
        case("F.l1_penalty", lambda x: F.l1_penalty([x]), (5,), on=nonzero, numpy=None),
    ], kinks=[
        Kink("`l1_penalty` at w = 0", "0", "it takes `abs`'s subgradient", [
            Exact("l1_penalty at 0", lambda x: F.l1_penalty([x]),
                  [-2.0, 0.0, 3.0], [-1.0, 0.0, 1.0], ZEROS),
        ], count=zeros_in_every_input),
    ]),
    Op("l2_penalty", SquareSum, [
        case("F.l2_penalty", lambda x: F.l2_penalty([x]), (5,), numpy=None),
    ]),
    Op("elastic_net_penalty", None, [
        case("F.elastic_net_penalty", lambda x: F.elastic_net_penalty([x], 0.3), (5,),
             on=nonzero, numpy=None),
    ], kinks=[
        Kink("`elastic_net_penalty` at w = 0", "0 from its L1 part",
             "it takes `l1_penalty`'s subgradient", [
            Exact("elastic_net_penalty at 0", lambda x: F.elastic_net_penalty([x], 0.5),
                  [-2.0, 0.0, 3.0], [-2.5, 0.0, 3.5], [1.0, 1.0, 1.0]),
        ]),
    ], composed_second_order="exact (l1_penalty and l2_penalty)"),
    Op("mlp", None, [
        case("nn.MLP (tanh, layer norm)",
             built_once(lambda: nn.MLP(3, [4], 2, activation="tanh", norm="layer",
                                       dtype=np.float64)),
             (2, 3), numpy=None),
    ], composed_second_order="exact (affine maps, layer norm, tanh)"),
]
# fmt: on
