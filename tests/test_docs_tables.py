"""The numbers in the tables of docs/dropout.md and docs/normalization.md are the ones
``examples/regularizers_digits.py`` produces.

The worked numbers (BatchNorm of [10, 20, 30, 40], LayerNorm of [5, 7, 9], dropout on
100 000 ones) take a moment and are checked in the default run. The digits tables need
the example's full run (18 trainings, about 10 s), so that check is ``slow``. Each
documented number is compared at the precision it is written with: "0.957" must be the
measured value rounded to three decimals.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DROPOUT_PAGE = ROOT / "docs" / "dropout.md"
NORMALIZATION_PAGE = ROOT / "docs" / "normalization.md"


def load_digits_example():
    """``examples/regularizers_digits.py`` as a module (the folder is not a package)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))  # for its ``from _common import ...``
    spec = importlib.util.spec_from_file_location(
        "minigrad_docs_tables_digits", EXAMPLES / "regularizers_digits.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_rows(page: Path, header_start: str) -> list[list[str]]:
    """The body rows of the markdown table whose header row starts with ``header_start``,
    each as its list of cells with markdown emphasis removed."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:  # skip the header and the | --- | line
        if not line.startswith("|"):
            break
        rows.append([cell.strip().replace("**", "") for cell in line.strip("|").split("|")])
    return rows


def written_as(measured: float, documented: str) -> str:
    """``measured`` rounded to as many decimals as ``documented`` shows."""
    decimals = len(documented.split(".")[1]) if "." in documented else 0
    return f"{measured:.{decimals}f}"


def numbers_in(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?", text.replace("−", "-"))


# ----------------------------------------------------------------------------------------
# the worked numbers: fast


def test_dropout_page_check_table_is_what_the_example_computes():
    worked = load_digits_example().worked_numbers()
    rows = {row[0]: row[1] for row in table_rows(DROPOUT_PAGE, "| check | result |")}
    (zero_share,) = numbers_in(rows["share of zeros"])
    assert zero_share == written_as(worked["dropout_zero_share"], zero_share)
    assert worked["dropout_kept_values"] == [float(numbers_in(rows["values of the kept units"])[0])]
    mean = numbers_in(rows["mean"])[0]
    assert mean == written_as(worked["dropout_mean"], mean)
    assert worked["dropout_eval_is_identity"] and "unchanged" in rows["`training=False`"]


def test_normalization_page_worked_examples_are_what_the_example_computes():
    worked = load_digits_example().worked_numbers()
    text = NORMALIZATION_PAGE.read_text(encoding="utf-8")
    batch_line = next(line for line in text.splitlines() if "F.batch_norm(x, None" in line)
    documented = numbers_in(batch_line.split("→")[1])
    assert documented == [written_as(v, d) for v, d in zip(worked["batch_norm"], documented)]
    rows = {row[0]: row[1] for row in table_rows(NORMALIZATION_PAGE, "| computation | result |")}
    measured_by_row = {
        "biased variance 8/3": worked["layer_norm"],
        "unbiased variance 4": worked["layer_norm_unbiased"],
    }
    assert len(rows) == len(measured_by_row)
    for key, documented_row in rows.items():
        (measured,) = [v for k, v in measured_by_row.items() if k in key]
        documented = numbers_in(documented_row)
        assert documented == [written_as(v, d) for v, d in zip(measured, documented)], key


# ----------------------------------------------------------------------------------------
# the digits tables: the full run, slow

# the pages' row labels, spelled for readers, against the example's labels
LABELS = {
    "plain MLP": "plain MLP",
    "dropout p = 0.3": "dropout p=0.3",
    "BatchNorm": "BatchNorm",
    "LayerNorm": "LayerNorm",
    "max-norm c = 1": "max-norm c=1",
    "dropout + max-norm c = 1": "dropout + max-norm c=1",
}


def documented_against_measured(row: list[str], entry: dict) -> list[tuple[str, str]]:
    """(documented, measured at the same precision) for every number of one table row."""
    mean, spread = row[2].split("±")
    pairs = [
        (row[1], entry["train"]["mean"]),
        (mean.strip(), entry["test"]["mean"]),
        (spread.strip(), entry["test"]["std"]),
        (row[3], entry["gap"]),
    ]
    if len(row) > 4:  # the dropout page also has the largest unit norm
        pairs.append((row[4], entry["max_unit_norm"]))
    return [(documented, written_as(value, documented)) for documented, value in pairs]


@pytest.mark.slow
def test_digits_tables_of_the_dropout_and_normalization_pages_reproduce(tmp_path):
    summary = load_digits_example().main(["--out", str(tmp_path)])["summary"]
    for page, header in [
        (DROPOUT_PAGE, "| model | train accuracy |"),
        (NORMALIZATION_PAGE, "| model | train accuracy |"),
    ]:
        rows = table_rows(page, header)
        assert len(rows) >= 3, f"{page.name}: the digits table was not found"
        for row in rows:
            entry = summary[LABELS[row[0]]]
            for documented, measured in documented_against_measured(row, entry):
                assert documented == measured, (
                    f"{page.name}, row {row[0]!r}: documented {documented}, the example gives "
                    f"{measured}; rerun `python scripts/render_example_figures.py "
                    "regularizers_digits` and update the page"
                )


def test_the_table_check_can_fail():
    """The comparison is not vacuous: a number off by one in the last digit is caught."""
    entry = {
        "train": {"mean": 0.9978},
        "test": {"mean": 0.9566, "std": 0.0048},
        "gap": 0.0412,
        "max_unit_norm": 1.996,
    }
    right = ["plain MLP", "0.998", "0.957 ± 0.005", "0.041", "2.00"]
    wrong = ["plain MLP", "0.998", "0.958 ± 0.005", "0.041", "2.00"]
    assert all(d == m for d, m in documented_against_measured(right, entry))
    assert not all(d == m for d, m in documented_against_measured(wrong, entry))
