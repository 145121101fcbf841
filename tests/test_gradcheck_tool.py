"""gradcheck itself: it passes correct rules, and it can fail (tinygrad's lesson), saying
where and by how much."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import compare


class Square(mg.Function):
    """y = x**2;  dy/dx = 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * g * x


class WrongSquare(Square):
    """y = x**2 with a deliberately wrong rule: dy/dx = x (the 2 is missing)."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x


class SquareSavingIntermediate(mg.Function):
    """y = x**3 whose rule is right to first order, but saves x**2, which is not an input
    or output: the second pass takes it for a constant (see function.py)."""

    @staticmethod
    def forward(ctx, x):
        square = x * x
        ctx.save_for_backward(square)
        return square * x

    @staticmethod
    def backward(ctx, g):
        (square,) = ctx.saved_tensors
        return 3 * g * square


def x123() -> mg.Tensor:
    return mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, requires_grad=True)


def test_gradcheck_passes_a_correct_function():
    assert mg.gradcheck(Square.apply, (x123(),)) is True


def test_gradcheck_catches_a_wrong_function_and_says_where():
    with pytest.raises(mg.GradcheckError) as error:
        mg.gradcheck(WrongSquare.apply, (x123(),))
    assert isinstance(error.value, RuntimeError)
    # the worst element is the last: analytic x = 3, numeric 2x = 6
    assert error.match(r"input 0 \(shape \(3,\)\) at element \(2,\)")
    assert error.match(r"analytic 3 vs numeric 6")


def test_gradcheck_without_raising_returns_false():
    assert mg.gradcheck(WrongSquare.apply, (x123(),), raise_exception=False) is False


def test_gradcheck_names_the_failing_input_among_several():
    offset = mg.tensor([1.0, 1.0, 1.0])  # a constant input before the checked one
    with pytest.raises(mg.GradcheckError, match="input 1"):
        mg.gradcheck(lambda c, x: WrongSquare.apply(x) + c, (offset, x123()))


def test_gradcheck_catches_a_wrong_rule_in_one_of_several_outputs():
    def two_outputs(x):
        return x.exp(), WrongSquare.apply(x)

    assert mg.gradcheck(lambda x: (x.exp(), Square.apply(x)), (x123(),))
    with pytest.raises(mg.GradcheckError, match="output element 5"):
        mg.gradcheck(two_outputs, (x123(),))


def test_gradcheck_works_on_float64_copies():
    """float32 finite differences with eps=1e-6 would be noise; the copies are float64,
    and the caller's tensor is left exactly as it was."""
    x = mg.tensor([0.1, 0.7, 1.3], requires_grad=True)
    before = x.data.copy()
    assert mg.gradcheck(lambda t: t.exp() * t, (x,))
    assert x.dtype == np.float32 and x.grad is None
    np.testing.assert_array_equal(x.data, before)


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        mg.gradcheck(lambda t: t * 2, (mg.tensor([1.0]),))


def test_gradcheck_needs_a_function_returning_tensors():
    with pytest.raises(TypeError, match="must return Tensors"):
        mg.gradcheck(lambda t: t.data * 2, (x123(),))


def test_gradgradcheck_passes_correct_second_derivatives():
    assert mg.gradgradcheck(Square.apply, (x123(),))


def test_gradgradcheck_catches_a_rule_right_only_to_first_order():
    assert mg.gradcheck(SquareSavingIntermediate.apply, (x123(),))
    assert not mg.gradgradcheck(SquareSavingIntermediate.apply, (x123(),), raise_exception=False)


def test_compare_reports_a_nan_gradient_as_nan_not_as_zero_error():
    class NanRule(Square):
        @staticmethod
        def backward(ctx, g):
            return g * np.nan

    result = compare(NanRule.apply, (x123(),))
    assert np.isnan(result.max_abs) and np.isnan(result.max_rel) and not result.passed
