"""The package's shape, checked: layers import downward only (core -> ops -> functional
-> nn -> optim, with viz, data, linear_model and cli at the edge), the only import
cycle is Tensor <-> ops, the engine room stays within its line budgets, and
``import minigrad`` needs only numpy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "minigrad"

# what each part of the package may import at module level (itself always)
ALLOWED = {
    "core": {"core"},
    "ops": {"core", "ops"},
    "functional": {"core", "ops", "functional", "random"},
    "nn": {"core", "ops", "functional", "nn", "random", "errors"},
    "optim": {"core", "ops", "functional", "optim", "errors"},
    "func": {"core", "ops", "func", "random"},  # the transforms: functions of Tensors, any module
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """The minigrad modules that ``path`` imports at module level (not inside a
    function: those run later and form no import-time cycle)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("minigrad")}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("minigrad"):
                continue
            for alias in node.names:  # `from . import ops` imports the module ops
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _top_level_imports(p) for p in PACKAGE.rglob("*.py")}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively
    enough for a package of this size: recursion depth is the import depth)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _layer(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_the_only_import_cycle_is_tensor_and_the_ops():
    (cycle,) = _cycles(_graph())
    assert "minigrad.core.tensor" in cycle and "minigrad.core.function" in cycle
    outside = {m for m in cycle if not m.startswith("minigrad.ops")}
    assert outside == {
        "minigrad.core.tensor",
        "minigrad.core.function",
        "minigrad.core.numpy_protocol",
    }


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer):
    wrong = {
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _layer(module) == layer
        for target in targets
        if _layer(target) not in ALLOWED[layer]
    }
    # the one cycle: Tensor's methods call the ops (closed at the end of core/tensor.py)
    wrong.discard("minigrad.core.tensor -> minigrad.ops")
    wrong.discard("minigrad.core.numpy_protocol -> minigrad.ops")
    assert not wrong


def test_the_engine_grad_and_higher_order_import_no_tensor_at_module_level():
    graph = _graph()
    for name in ("engine", "grad", "higher_order"):
        assert "minigrad.core.tensor" not in graph[f"minigrad.core.{name}"], name


def test_the_engine_room_stays_within_its_line_budgets():
    engine = (PACKAGE / "core" / "engine.py").read_text()
    assert len(engine.splitlines()) <= 150
    tree = ast.parse(engine)
    (run_backward,) = (n for n in tree.body if getattr(n, "name", "") == "run_backward")
    assert run_backward.end_lineno - run_backward.lineno + 1 <= 40


def test_import_minigrad_loads_neither_viz_data_nor_graphviz():
    code = (
        "import sys, minigrad as mg\n"
        "loaded = [m for m in ('graphviz', 'matplotlib', 'minigrad.viz', 'minigrad.data',"
        " 'minigrad.linear_model', 'minigrad.cli') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert mg.viz.to_dot and mg.data.make_moons and mg.linear_model.Lasso\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_import_minigrad_and_train_a_step_in_a_virtualenv_with_only_numpy(tmp_path):
    """graphviz stays a declared dependency, but the engine, nn and optim need numpy
    alone: viz, data and linear_model load when first used."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "numpy"], check=True)
    code = (
        "import minigrad as mg\n"
        "from minigrad import nn, optim, functional as F\n"
        "model = nn.MLP(3, [4], 2)\n"
        "opt = optim.SGD(model.parameters(), lr=0.1)\n"
        "loss = F.cross_entropy(model(mg.randn(5, 3)), [0, 1, 0, 1, 1])\n"
        "loss.backward(); opt.step()\n"
        "import sys; assert 'graphviz' not in sys.modules\n"
        "try:\n    mg.viz\nexcept ImportError as e:\n    print('viz needs', e.name)\n"
    )
    done = subprocess.run(
        [python, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "viz needs graphviz" in done.stdout
