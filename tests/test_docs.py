"""The documentation site builds without a warning, and the README tells the truth."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mkdocs_build_strict_passes(tmp_path):
    if shutil.which("mkdocs") is None:
        pytest.skip("mkdocs is not installed (it is in the dev extra)")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "index.html").stat().st_size > 10_000


def test_readme_links_point_at_existing_files():
    text = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to missing {target}"


def test_docs_pages_cite_only_markdown_files_the_project_has():
    for page in (ROOT / "docs").glob("*.md"):
        for cited in re.findall(r"[\w./-]+\.md\b", page.read_text()):
            name = Path(cited).name
            assert (ROOT / "docs" / name).is_file() or (ROOT / name).is_file(), (
                f"docs/{page.name} cites {cited}, which the project does not have"
            )


def test_every_docs_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert page.name in nav, f"docs/{page.name} is not in mkdocs.yml's nav"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.+?)```", text, re.S)


def test_readme_quick_tour_runs_and_its_numbers_hold(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the tour writes loss_graph.* into the working folder
    (tour,) = _python_blocks((ROOT / "README.md").read_text())
    names: dict = {}
    exec(compile(tour, "README.md", "exec"), names)
    assert names["x"].grad.item() == 46.0 and names["y"].item() == -20.0
    assert (tmp_path / "loss_graph.dot").is_file()


def test_docs_index_example_prints_what_it_says():
    (example,) = _python_blocks((ROOT / "docs" / "index.md").read_text())
    names: dict = {}
    exec(compile(example, "docs/index.md", "exec"), names)
    assert names["x"].grad.item() == 46.0
