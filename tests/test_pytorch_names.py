"""The module-level names a PyTorch script uses: dtype aliases, randint, randperm,
from_numpy, equal, allclose, argmax and argmin, each as PyTorch's (and, where torch is
installed, checked against torch)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

ALIASES = {
    "long": np.int64,
    "int64": np.int64,
    "int32": np.int32,
    "float": np.float32,
    "double": np.float64,
    "bool": np.bool_,
}


@pytest.mark.parametrize("name", ALIASES)
def test_dtype_aliases_are_numpy_dtypes_as_pytorch_names_them(name):
    alias = getattr(mg, name)
    assert isinstance(alias, np.dtype) and alias == ALIASES[name]
    assert mg.zeros(2, dtype=alias).dtype == ALIASES[name]


# ------------------------------------------------------------------ random integers
def test_randperm_is_a_permutation_of_0_to_n_minus_1():
    perm = mg.randperm(10)
    assert perm.dtype == np.int64 and not perm.requires_grad
    assert sorted(perm.tolist()) == list(range(10))
    assert mg.randperm(0).shape == (0,)


def test_randint_draws_from_low_inclusive_to_high_exclusive():
    draws = mg.randint(3, 7, (1000,))
    assert draws.dtype == np.int64 and draws.shape == (1000,)
    assert set(draws.tolist()) == {3, 4, 5, 6}
    assert mg.randint(0, 2, (2, 3)).shape == (2, 3)


def test_randint_with_only_high_starts_at_0_as_pytorch_allows():
    for draw in (lambda: mg.randint(10, (50,)), lambda: mg.randint(10, size=(50,))):
        mg.manual_seed(1)
        only_high = draw().tolist()
        mg.manual_seed(1)
        assert only_high == mg.randint(0, 10, (50,)).tolist()


def test_random_integers_come_from_the_generator_of_manual_seed():
    mg.manual_seed(7)
    first = mg.randperm(20).tolist(), mg.randint(0, 100, (20,)).tolist()
    mg.manual_seed(7)
    assert (mg.randperm(20).tolist(), mg.randint(0, 100, (20,)).tolist()) == first
    assert mg.randperm(20).tolist() != first[0]  # the generator moved on


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: mg.randint(5, 5, (2,)), ValueError, "low must be less than high, got low=5"),
        (lambda: mg.randint(0.5, 5, (2,)), TypeError, "low and high must be ints"),
        (lambda: mg.randint(5), TypeError, "size is required"),
        (lambda: mg.randperm(-1), ValueError, "n must be an int >= 0, got -1"),
    ],
)
def test_bad_arguments_name_what_was_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ----------------------------------------------------------------------- from_numpy
def test_from_numpy_shares_memory_and_keeps_the_dtype():
    array = np.array([1, 2, 3], dtype=np.int32)
    t = mg.from_numpy(array)
    assert t.dtype == np.int32
    array[0] = 10
    assert t.tolist() == [10, 2, 3]
    t.data[1] = 20
    assert array.tolist() == [10, 20, 3]


def test_from_numpy_refuses_what_is_not_a_numeric_array():
    with pytest.raises(TypeError, match=r"expected a numpy array, got a list \(mg.tensor"):
        mg.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="bool, integer or float values, got dtype object"):
        mg.from_numpy(np.array([None]))


# ------------------------------------------------------------------ equal, allclose
def test_equal_needs_the_same_shape_and_values():
    a = mg.tensor([1, 2])
    assert mg.equal(a, mg.tensor([1, 2])) is True
    assert mg.equal(a, mg.tensor([1.0, 2.0])) is True  # values, whatever the dtype
    assert mg.equal(a, mg.tensor([1, 3])) is False
    assert mg.equal(a, mg.tensor([[1, 2]])) is False  # no broadcasting
    assert mg.equal(mg.tensor([np.nan]), mg.tensor([np.nan])) is False


def test_allclose_is_within_atol_plus_rtol_times_the_second_argument():
    one = mg.tensor([1.0])
    assert mg.allclose(one, mg.tensor([1 + 5e-6])) is True  # <= 1e-8 + 1e-5 * 1
    assert mg.allclose(one, mg.tensor([1 + 2e-5])) is False
    assert mg.allclose(mg.tensor([0.0]), mg.tensor([5e-9])) is True  # atol alone
    assert mg.allclose(one, mg.tensor([1.1]), rtol=0.1) is True
    assert mg.allclose(mg.tensor([1.0, 1.0]), 1.0) is True  # broadcast
    assert mg.allclose(mg.tensor([np.nan]), mg.tensor([np.nan]), equal_nan=True) is True


# ------------------------------------------------------------------- argmax, argmin
SCORES = [[0.1, 0.7, 0.2], [0.9, 0.05, 0.9]]


def test_argmax_and_argmin_along_an_axis_first_index_on_ties():
    scores = mg.tensor(SCORES, requires_grad=True)
    best = mg.argmax(scores, axis=1)
    assert best.tolist() == [1, 0]  # row 1 ties at 0 and 2: the first
    assert best.dtype == np.int64 and not best.requires_grad
    assert mg.argmin(scores, axis=1).tolist() == [0, 1]
    assert mg.argmax(scores, axis=0).tolist() == [1, 0, 1]


def test_argmax_without_axis_indexes_the_flattened_tensor():
    assert mg.argmax(mg.tensor(SCORES)).item() == 3
    assert mg.argmin(mg.tensor(SCORES)).item() == 4
    assert mg.argmax(mg.tensor(SCORES), axis=1, keepdims=True).shape == (2, 1)


# -------------------------------------------------------------------- against torch
def test_the_same_results_as_torch():
    torch = pytest.importorskip("torch")
    for name in ALIASES:
        assert str(getattr(torch, name)) == f"torch.{getattr(mg, name).name}"
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 3, (5, 4)).astype(np.float64)  # many ties
    for axis in (None, 0, 1):
        for mine, theirs in ((mg.argmax, torch.argmax), (mg.argmin, torch.argmin)):
            result = theirs(torch.tensor(scores), dim=axis)
            assert mine(scores, axis=axis).tolist() == result.tolist()
            assert result.dtype == torch.int64
    pairs = [([1.0, 2.0], [1.0, 2.0]), ([1, 2], [[1, 2]]), ([1.0], [1 + 2e-5]), ([0.0], [5e-9])]
    for a, b in pairs:
        ta, tb = torch.tensor(a), torch.tensor(b)
        assert mg.equal(a, b) == torch.equal(ta, tb)
        if ta.shape == tb.shape:
            assert mg.allclose(a, b) == torch.allclose(ta, tb)
