"""The op catalogue (``minigrad/catalogue.py``) is complete, and the docs agree with it:
every op's docstring ends in its rule, every op has a row, and the table of
docs/subgradients.md lists exactly the catalogue's kinks."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import minigrad.functional
import minigrad.ops
from minigrad.catalogue import OPS, Op, Rule, rule_of
from minigrad.core import Function
from minigrad.ops import Abs, Log

ROOT = Path(__file__).resolve().parents[1]


def functions_defined_in(package) -> list[type[Function]]:
    """The Function subclasses that the package's modules define, without the private
    bases that only share a rule (``_Extreme`` of Maximum and Minimum)."""
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Function) and cls.__module__ == module.__name__:
                if not name.startswith("_"):
                    found.append(cls)
    return found


FUNCTIONS = functions_defined_in(minigrad.ops) + functions_defined_in(minigrad.functional)


def test_the_ops_and_functional_packages_define_functions():
    names = {f.__name__ for f in FUNCTIONS}
    assert {"Abs", "MatMul", "Normalize", "CrossEntropy"} <= names
    assert "_Extreme" not in names


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_every_function_docstring_ends_in_its_rule(function):
    rule = rule_of(function)  # raises if the three lines are missing
    if function.once_differentiable:
        assert not rule.second_order.startswith("exact")


def test_every_function_has_an_op_in_the_catalogue():
    in_catalogue = {op.function for op in OPS}
    missing = [f.__name__ for f in FUNCTIONS if f not in in_catalogue]
    assert not missing, f"add an Op to minigrad/catalogue.py for {missing}"


def test_every_op_has_cases_or_kinks():
    assert all(op.cases or op.kinks for op in OPS)


def test_every_function_whose_rule_names_a_kink_has_a_row_in_the_table():
    """A rule that says more than "none" at the kink has a row (and exact checks)."""
    for op in OPS:
        if op.function is not None and not rule_of(op.function).kink.startswith("none"):
            assert op.kinks, f"{op.name}: its rule names a kink; add a Kink to the catalogue"


def test_names_are_unique_as_they_are_test_ids_and_cli_names():
    ops = [op.name for op in OPS]
    cases = [case.name for op in OPS for case in op.cases]
    checks = [check.name for op in OPS for kink in op.kinks for check in kink.checks]
    for names in (ops, cases, checks):
        assert len(set(names)) == len(names)


def test_rule_of_reads_the_three_closing_lines():
    assert rule_of(Abs) == Rule(
        derivative="sign(x)",
        kink="0 at x = 0 (the minimum-norm element of the subdifferential [-1, 1])",
        second_order="exact (0 almost everywhere: sign is piecewise constant)",
        jvp="ty = sign(x) tx",
    )


def test_rule_of_joins_a_line_that_runs_on_into_one():
    assert rule_of(Log).kink == (
        "inf at x = 0, where log(0) = -inf (deliberate, no silent fix); below 0 the value "
        "is nan and the gradient still 1/x, as PyTorch"
    )


def test_rule_of_rejects_a_docstring_without_the_three_lines():
    class Undocumented(Function):
        """y = x.

        dy/dx: 1
        second order: exact
        """

    with pytest.raises(ValueError, match="Undocumented's docstring must end in"):
        rule_of(Undocumented)


def test_a_function_takes_its_second_order_from_its_docstring_a_composition_states_it():
    for op in OPS:
        if op.function is None:
            assert op.second_order == op.composed_second_order != ""
        else:
            assert op.composed_second_order == ""
            assert op.second_order == rule_of(op.function).second_order


def test_gradgradcheck_applies_only_to_exact_second_order_of_an_op_that_records_it():
    class Doubled(Function):
        """y = 2x.

        dy/dx: 2
        at the kink: none (smooth)
        second order: exact (the second derivative is 0)
        """

    class DoubledOnce(Function):
        """y = 2x, by a rule that cannot record a graph.

        dy/dx: 2
        at the kink: none (smooth)
        second order: exact, but the rule cannot record it
        """

        once_differentiable = True

    assert Op("doubled", Doubled).gradgradcheck_applies
    assert not Op("doubled once", DoubledOnce).gradgradcheck_applies
    assert not Op("kinked", None, composed_second_order="not exact: a kink").gradgradcheck_applies


def test_no_layer_of_the_library_imports_the_catalogue():
    """The catalogue is at the edge: it imports functional and nn, not the reverse."""
    for layer in ("core", "ops", "functional", "nn", "optim"):
        for path in (ROOT / "minigrad" / layer).rglob("*.py"):
            imports = re.findall(r"^\s*(?:from|import) .*catalogue", path.read_text(), re.M)
            assert not imports, f"{path.relative_to(ROOT)} imports the catalogue"


def docs_table_rows() -> set[tuple[str, str, str]]:
    """(point, value used, why) of each row of the table in docs/subgradients.md."""
    text = (ROOT / "docs" / "subgradients.md").read_text()
    rows = re.findall(r"^\| (.+) \| (.+) \| (.+) \|$", text, re.MULTILINE)
    assert rows[0] == ("point", "value used", "why") and rows[1][0].startswith("---")
    return set(rows[2:])


def test_docs_table_of_subgradients_lists_exactly_the_catalogues_kinks():
    catalogue = {(kink.point, kink.value, kink.why) for op in OPS for kink in op.kinks}
    docs = docs_table_rows()
    assert catalogue - docs == set(), "kinks of the catalogue missing from the docs' table"
    assert docs - catalogue == set(), "rows of the docs' table missing from the catalogue"
