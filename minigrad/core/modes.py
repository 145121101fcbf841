"""The switches that change what recording does, each set only by a context manager.

- ``no_grad`` / ``enable_grad``: whether ops record a graph at all.
- ``detect_anomaly``: whether each op remembers the user's line that ran it, and the
  backward pass checks every gradient for NaN and inf.
- module scope: which ``nn.Module`` call is running, so that graph nodes know the
  module that made them (graph drawings group them by module).

``Function.apply`` reads these module-level values; nothing else sets them.
"""

from __future__ import annotations

import functools
import os
import traceback

import numpy as np

grad_enabled = True
anomaly_enabled = False
module_scopes: list[ModuleScope] = []  # innermost last


# ---------------------------------------------------------------- grad mode
def is_grad_enabled() -> bool:
    return grad_enabled


class _GradMode:
    mode: bool

    def __enter__(self) -> None:
        global grad_enabled
        self._previous = grad_enabled
        grad_enabled = self.mode

    def __exit__(self, *exc) -> None:
        global grad_enabled
        grad_enabled = self._previous

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 (named as PyTorch's)
    """Inside this block (or decorated function) no graph is recorded."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Turn graph recording back on inside a ``no_grad`` block."""

    mode = True


# ------------------------------------------------------------ detect_anomaly
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class detect_anomaly:  # noqa: N801 (named as PyTorch's)
    """While active, each op remembers the user code line that ran its forward, and
    the backward pass checks every gradient it computes: the first op whose backward
    yields NaN or inf raises ``RuntimeError`` naming the op and that line. Slower;
    for debugging."""

    def __enter__(self) -> detect_anomaly:
        global anomaly_enabled
        self._previous = anomaly_enabled
        anomaly_enabled = True
        return self

    def __exit__(self, *exc) -> None:
        global anomaly_enabled
        anomaly_enabled = self._previous


def user_site() -> str:
    """``file:line (code)`` of the innermost stack frame outside the minigrad package."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} ({frame.line})"
    return "<unknown>"


def check_gradients(node, grads: tuple) -> None:
    """Raise if a gradient that ``node``'s rule returned holds NaN or inf."""
    for index, grad in enumerate(grads):
        if grad is None:
            continue
        values = np.asarray(getattr(grad, "data", grad))
        if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
            what = "nan" if np.any(np.isnan(values)) else "inf"
            raise RuntimeError(
                f"Function '{node.name}' returned {what} values in its gradient for input "
                f"{index}; its forward ran at {node.site or '<site not recorded>'}"
            )


# ------------------------------------------------------------- module scope
class ModuleScope:
    """One call of an ``nn.Module``; ``Module.__call__`` enters it, and every op
    recorded inside keeps the innermost scope. Scopes link to their parents, so a
    drawing can nest clusters."""

    __slots__ = ("module", "parent")

    def __init__(self, module) -> None:
        self.module = module
        self.parent = module_scopes[-1] if module_scopes else None

    def __enter__(self) -> ModuleScope:
        module_scopes.append(self)
        return self

    def __exit__(self, *exc) -> None:
        module_scopes.pop()

    def chain(self) -> list[ModuleScope]:
        """Outermost scope first."""
        out, s = [], self
        while s is not None:
            out.append(s)
            s = s.parent
        return out[::-1]
