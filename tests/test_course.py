"""The course's notebooks (docs/course/*.ipynb): every one is found by a glob, so a new
lesson is tested as soon as it is committed.

Fast checks, on the committed files: valid nbformat; committed with outputs, every code
cell executed once, in order, with no error and nothing on stderr; two or three
exercises, each a heading, a learner cell and a check cell calling a checker that exists;
no cell that could reach the network.

The slow test re-executes each notebook as a learner runs it (scripts/execute_course.py:
the python3 kernel, in docs/course/) and fails on any error, on a cell slower than
CELL_BUDGET or a notebook slower than NOTEBOOK_BUDGET, and on committed outputs that are
stale: every cell must produce outputs of the same kinds as the committed ones (a figure
stays an image/png, printed text stays printed text), the same words, and numbers equal
to within NUMBER_TOLERANCE (room for the last digit of a float across machines; a cell
tagged ``numbers-vary`` is spared the numbers, e.g. one that prints a time).
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "docs" / "course"
NOTEBOOKS = sorted(COURSE.glob("*.ipynb"))
CELL_BUDGET = 30.0  # seconds, for any one cell
NOTEBOOK_BUDGET = 60.0  # seconds, for a whole lesson (the "under 60 s on 2 cores")
NUMBER_TOLERANCE = 1e-2  # relative
IDS = [path.stem for path in NOTEBOOKS]

# a module or call that talks to the network; the course's data come from minigrad.data
NETWORK = re.compile(
    r"\b(urllib\d?|requests|httpx|https?|socket|urlopen|aiohttp|ftplib|smtplib|webbrowser)\b"
    r"|\b(wget|curl)\b|pip install|fetch_openml|load_dataset"
)
EXERCISE_HEADING = re.compile(r"^#+ Exercise (\d+)\b", re.M)
CHECKER_IMPORT = re.compile(r"^from (checkers\.\w+) import (.+)$", re.M)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def with_its_needs(path: Path):
    """The notebook as a test parameter, marked needs_dot when its metadata says it draws
    with Graphviz's dot (lesson 2's replay pages): skipped without dot, failed under CI."""
    needs = read(path).metadata.get("course", {}).get("needs", [])
    marks = [pytest.mark.needs_dot] if "dot" in needs else []
    return pytest.param(path, marks=marks, id=path.stem)


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_course_has_notebooks():
    assert len(NOTEBOOKS) >= 5, [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_valid_nbformat(path):
    nbformat.validate(read(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_executed_in_order_without_errors(path):
    cells = code_cells(read(path))
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts}; run it top to bottom once "
        f"(python scripts/execute_course.py {path.relative_to(ROOT)})"
    )
    for index, cell in enumerate(cells):
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}, code cell {index}: an error"
            is_stderr = output.output_type == "stream" and output.name == "stderr"
            assert not is_stderr, f"{path.name}, code cell {index} wrote to stderr: {output.text}"


def exercises(notebook) -> list[tuple[int, object, object]]:
    """(number, learner cell, check cell) for each exercise heading, the learner and check
    cells being the first two code cells after it."""
    found = []
    for position, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for number in EXERCISE_HEADING.findall(cell.source):
            following = [c for c in notebook.cells[position + 1 :] if c.cell_type == "code"]
            found.append((int(number), *(following + [None, None])[:2]))
    return found


def checker_names(module: str) -> set[str]:
    """The functions a checker module defines, read from its source (not imported)."""
    path = COURSE / Path(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        return set()
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_ends_with_exercises_each_with_a_learner_cell_and_a_check_cell(path):
    found = exercises(read(path))
    assert 2 <= len(found) <= 3, f"{path.name} has {len(found)} exercises, not 2 or 3"
    assert [number for number, _, _ in found] == list(range(1, len(found) + 1))
    for number, learner, check in found:
        where = f"{path.name}, exercise {number}"
        assert learner is not None and check is not None, f"{where}: missing cells"
        assert "learner" in learner.metadata.get("tags", []), f"{where}: no learner cell"
        assert "check" in check.metadata.get("tags", []), f"{where}: no check cell"
        imports = CHECKER_IMPORT.findall(check.source)
        assert imports, f"{where}: the check cell imports no checker"
        for module, names in imports:
            names = {name.strip() for name in names.split(",")}
            missing = names - checker_names(module)
            assert not missing, f"{where}: {module} defines no {', '.join(sorted(missing))}"
            called = {name for name in names if re.search(rf"\b{name}\(", check.source)}
            assert called, f"{where}: the check cell does not call {', '.join(names)}"
        printed = [o for o in check.outputs if o.output_type == "stream"]
        assert printed, f"{where}: the committed check cell printed no verdict"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_in_the_course_navigation_and_linked_from_the_overview(path):
    nav = (ROOT / "mkdocs.yml").read_text()
    overview = (COURSE / "index.md").read_text()
    assert f"course/{path.name}" in nav, f"mkdocs.yml's Course section does not list {path.name}"
    assert f"]({path.name})" in overview, f"docs/course/index.md does not link {path.name}"


def course_sources() -> list[tuple[str, str]]:
    """(where, code) for every code cell of every notebook and every .py of the course."""
    sources = [
        (f"{path.name}, code cell {index}", cell.source)
        for path in NOTEBOOKS
        for index, cell in enumerate(code_cells(read(path)))
    ]
    sources += [(str(p.relative_to(ROOT)), p.read_text()) for p in COURSE.rglob("*.py")]
    return sources


def test_no_cell_and_no_checker_reaches_the_network():
    offending = [
        f"{where}: {match.group(0)!r}"
        for where, source in course_sources()
        if (match := NETWORK.search(source))
    ]
    assert offending == []


def test_the_network_pattern_catches_what_it_is_for():
    for line in [
        "import urllib.request",
        "requests.get(url)",
        "from http import client",
        "!pip install numpy",
        "fetch_openml('mnist')",
        "import socket",
    ]:
        assert NETWORK.search(line), line
    assert not NETWORK.search("from minigrad.data import load_digits")


# ---------------------------------------------------------------------------------------
# re-execution


def load_runner():
    """scripts/execute_course.py, the one way the course's notebooks are executed."""
    spec = importlib.util.spec_from_file_location(
        "execute_course", ROOT / "scripts" / "execute_course.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")  # object reprs: different in every process


def kinds(cell) -> list[str]:
    """What a cell showed, as kinds: stream:stdout, display_data:image/png+text/plain...;
    consecutive pieces of one stream count once (the kernel may split a print)."""
    shown = []
    for output in cell.outputs:
        if output.output_type == "stream":
            kind = f"stream:{output.name}"
        elif output.output_type in ("display_data", "execute_result"):
            kind = f"{output.output_type}:{'+'.join(sorted(output.data))}"
        else:
            kind = output.output_type
        if not (shown and kind == shown[-1] and kind.startswith("stream:")):
            shown.append(kind)
    return shown


def text_of(cell) -> str:
    """What a cell printed and the plain text of what it displayed."""
    pieces = []
    for output in cell.outputs:
        if output.output_type == "stream":
            pieces.append(output.text)
        elif output.output_type in ("display_data", "execute_result"):
            pieces.append(output.data.get("text/plain", ""))
    return ADDRESS.sub("0x…", "".join(pieces))


def differences(committed_cell, fresh_cell) -> str | None:
    """None when the fresh outputs match the committed ones, else what differs."""
    if kinds(committed_cell) != kinds(fresh_cell):
        return f"outputs {kinds(committed_cell)} committed, {kinds(fresh_cell)} now"
    old, new = text_of(committed_cell), text_of(fresh_cell)
    if NUMBER.sub("#", old) != NUMBER.sub("#", new):
        return f"the text differs:\n--- committed\n{old}\n--- now\n{new}"
    if "numbers-vary" in committed_cell.metadata.get("tags", []):
        return None
    for before, after in zip(NUMBER.findall(old), NUMBER.findall(new)):
        if not abs(float(before) - float(after)) <= NUMBER_TOLERANCE * abs(float(before)):
            return f"a number changed: {before} committed, {after} now"
    return None


@pytest.mark.slow
@pytest.mark.parametrize("path", [with_its_needs(path) for path in NOTEBOOKS])
def test_notebook_runs_within_budget_and_its_committed_outputs_are_fresh(path):
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    runner = load_runner()
    try:
        fresh, seconds = runner.execute(path, cell_timeout=2 * CELL_BUDGET)
    except CellTimeoutError as error:
        pytest.fail(
            f"{path.name}: a cell ran over {2 * CELL_BUDGET:.0f} s and was stopped: {error}"
        )
    except CellExecutionError as error:
        pytest.fail(f"{path.name}: a cell raised:\n{error}")

    slow = [(i, s) for i, s in enumerate(seconds) if s > CELL_BUDGET]
    assert not slow, "; ".join(
        f"{path.name}, cell {i} took {s:.1f} s (budget {CELL_BUDGET:.0f} s):\n"
        f"{fresh.cells[i].source[:200]}"
        for i, s in slow
    )
    assert sum(seconds) <= NOTEBOOK_BUDGET, (
        f"{path.name} took {sum(seconds):.1f} s in all (budget {NOTEBOOK_BUDGET:.0f} s)"
    )

    committed = read(path)
    assert len(committed.cells) == len(fresh.cells)
    stale = [
        f"cell {index}: {difference}"
        for index, (old, new) in enumerate(zip(committed.cells, fresh.cells))
        if old.cell_type == "code" and (difference := differences(old, new))
    ]
    assert not stale, (
        f"{path.name}: the committed outputs are stale; refresh them with "
        f"python scripts/execute_course.py {path.relative_to(ROOT)}\n" + "\n".join(stale)
    )


def test_the_freshness_check_can_fail():
    """differences() tells a stale figure, a changed verdict and a changed number apart
    from the last digit of a float."""

    def cell(*outputs, tags=()):
        made = nbformat.v4.new_code_cell("", metadata={"tags": list(tags)})
        made.outputs = list(outputs)
        return made

    def printed(text):
        return nbformat.v4.new_output("stream", name="stdout", text=text)

    figure = nbformat.v4.new_output("display_data", data={"image/png": "", "text/plain": "F"})
    assert differences(cell(figure), cell(printed("F"))) is not None
    assert differences(cell(printed("Not yet: 2")), cell(printed("Right: 2"))) is not None
    assert differences(cell(printed("loss 0.7777")), cell(printed("loss 0.7433"))) is not None
    assert (
        differences(cell(printed("took 3.1 s")), cell(printed("took 4.2 s"), tags=["numbers-vary"]))
        is not None
    )
    assert (
        differences(cell(printed("took 3.1 s"), tags=["numbers-vary"]), cell(printed("took 4.2 s")))
        is None
    )
    assert differences(cell(printed("7.685071805")), cell(printed("7.685071806"))) is None
    assert differences(cell(printed("a\n"), printed("b\n")), cell(printed("a\nb\n"))) is None
