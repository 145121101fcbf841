"""The rule of conftest.py for tests that need Graphviz's ``dot`` (or Chromium): skipped
with a reason where the program is missing, failed instead under ``CI=true``. Run on a
two-test suite in a subprocess, with the program hidden from PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")
SUITE = """
import pytest

@pytest.mark.{marker}
def test_runs_the_program():
    pass

def test_needs_nothing():
    pass
"""


def run_suite_without_dot(
    tmp_path: Path, ci: str | None, marker: str = "needs_dot"
) -> subprocess.CompletedProcess:
    suite = tmp_path / "suite"
    suite.mkdir()
    shutil.copy(CONFTEST, suite / "conftest.py")
    (suite / "test_suite.py").write_text(SUITE.format(marker=marker))
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(tmp_path / "empty")  # no dot, no chromium; python is called by its full path
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", str(suite)],
        cwd=suite,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("ci", [None, "false"])
def test_without_dot_a_needs_dot_test_is_skipped_and_says_why(tmp_path, ci):
    done = run_suite_without_dot(tmp_path, ci)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 1 skipped" in done.stdout
    assert "Graphviz's dot program is not on PATH" in done.stdout


def test_without_dot_under_ci_true_a_needs_dot_test_fails(tmp_path):
    done = run_suite_without_dot(tmp_path, "true")
    assert done.returncode != 0
    assert "1 passed, 1 error" in done.stdout
    assert "CI=true requires every test to run" in done.stdout


@pytest.mark.parametrize("ci", [None, "true"])
def test_chromium_follows_the_same_rule(tmp_path, ci):
    done = run_suite_without_dot(tmp_path, ci, marker="needs_chromium")
    assert "Chromium (apt's chromium, on PATH) or the playwright package is missing" in done.stdout
    if ci is None:
        assert done.returncode == 0 and "1 passed, 1 skipped" in done.stdout
    else:
        assert done.returncode != 0 and "1 passed, 1 error" in done.stdout
