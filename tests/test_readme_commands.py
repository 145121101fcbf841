"""The README's two set-up commands, run literally in a fresh virtualenv on a fresh copy
of the repository — what a newcomer does first. Slow (it installs the dev extra): left
out of the default run, run by `python -m pytest -m slow` and by .ci/run."""

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NESTED = "MINIGRAD_README_TEST"  # set inside the copy: its suite skips this file


def readme_commands() -> list[str]:
    setup = (ROOT / "README.md").read_text().split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup)


def test_readme_has_an_install_and_run_command_and_a_test_command():
    main_job, tests = readme_commands()
    assert main_job.startswith('pip install -e ".[dev]"') and "minigrad train" in main_job
    assert tests.startswith('pip install -e ".[dev]"') and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command_and_then_the_slow_tests():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert lines.index(readme_commands()[1]) < lines.index("python -m pytest -m slow")


def test_the_default_run_leaves_out_the_slow_tests_that_the_readme_names():
    assert "addopts = \"-q -m 'not slow'\"" in (ROOT / "pyproject.toml").read_text()
    assert "`python -m pytest -m slow`" in (ROOT / "README.md").read_text()


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already inside the README test")
def test_readme_commands_work_in_a_fresh_virtualenv(tmp_path):
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    repo = tmp_path / "minigrad"
    for name in files:
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    # a newcomer's machine, not CI: without CI=true, a test that needs what the fresh
    # virtualenv lacks (PyTorch) skips, as the README says; CI's own run requires it
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CI")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(env_dir), **{NESTED: "1"}
    )
    for command in readme_commands():
        done = subprocess.run(
            ["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True, timeout=1200
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert (repo / "runs" / "latest" / "checkpoint.npz").is_file()
    assert "passed" in done.stdout
