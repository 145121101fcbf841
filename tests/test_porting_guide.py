"""docs/porting.md tells the truth: its minigrad script trains (and its PyTorch script
too, where torch is installed), the port differs from the PyTorch script only where
the guide says, and the guide's line counts are right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "porting.md"
TEXT = GUIDE.read_text()
TORCH_SCRIPT, MINIGRAD_SCRIPT = re.findall(r"```python\n(.+?)```", TEXT, re.S)
IMPORTS = {
    "torch": ["import torch", "from torch import nn, optim"],
    "minigrad": ["import minigrad as mg", "from minigrad import nn, optim"],
}


def run(script: str, name: str) -> dict:
    names: dict = {}
    exec(compile(script, f"docs/porting.md ({name} script)", "exec"), names)
    return names


def stated_counts() -> tuple[int, ...]:
    """The numbers of the guide's sentence: the script's lines, the import lines and
    the lines that only name the module, and nothing else changed."""
    sentence = (
        r"has \*\*(\d+) lines\*\*\. The port changes the \*\*(\d+) import lines\*\* and "
        r"\*\*(\d+) lines\*\* that only name the module .*?: nothing else\."
    )
    return tuple(map(int, re.search(sentence, " ".join(TEXT.split())).groups()))


def changes() -> tuple[int, list[tuple[str, str]]]:
    """How many lines differ only by the module's name, and the (PyTorch, minigrad)
    pairs of lines that differ beyond the imports and the module's name."""
    torch_lines, minigrad_lines = TORCH_SCRIPT.splitlines(), MINIGRAD_SCRIPT.splitlines()
    assert len(torch_lines) == len(minigrad_lines)  # the port changes lines, adds none
    renamed, other = 0, []
    for before, after in zip(torch_lines[2:], minigrad_lines[2:]):
        if before.replace("torch.", "mg.") != after:
            other.append((before, after))
        elif before != after:
            renamed += 1
    return renamed, other


def test_the_scripts_start_with_their_imports():
    assert TORCH_SCRIPT.splitlines()[:2] == IMPORTS["torch"]
    assert MINIGRAD_SCRIPT.splitlines()[:2] == IMPORTS["minigrad"]


def test_the_guide_counts_the_changed_lines_right_and_nothing_else_changes():
    renamed, other = changes()
    assert stated_counts() == (len(TORCH_SCRIPT.splitlines()), 2, renamed)
    assert other == []  # the goal: only the imports and the module's name


def test_the_minigrad_script_trains(capsys):
    names = run(MINIGRAD_SCRIPT, "minigrad")
    losses, accuracy = names["losses"], names["accuracy"]
    assert len(losses) == 30 and losses[-1] < 0.5 * losses[0]
    # the numbers the guide gives
    assert losses[0] == pytest.approx(0.88, abs=0.01)
    assert losses[-1] == pytest.approx(0.13, abs=0.01)
    assert accuracy == pytest.approx(0.94, abs=0.01)
    assert "epoch 30: loss 0.13" in capsys.readouterr().out


def test_the_pytorch_script_trains(capsys):
    pytest.importorskip("torch")
    names = run(TORCH_SCRIPT, "PyTorch")
    losses = names["losses"]
    assert len(losses) == 30 and losses[-1] < 0.5 * losses[0]
    assert names["accuracy"] > 0.85
    assert "epoch 30: loss" in capsys.readouterr().out
