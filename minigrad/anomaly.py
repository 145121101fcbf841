"""``detect_anomaly()``: find the op whose backward first produced NaN or inf."""

from __future__ import annotations

import os
import traceback

import numpy as np

_enabled = False
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class detect_anomaly:  # noqa: N801 (named as PyTorch's)
    """Context manager: while it is active, each op remembers the user code line that
    ran its forward, and the backward pass checks every gradient it computes. The
    first op whose backward yields NaN or inf raises ``RuntimeError`` naming the op
    and that line. Slower; for debugging."""

    def __enter__(self) -> detect_anomaly:
        global _enabled
        self._previous = _enabled
        _enabled = True
        return self

    def __exit__(self, *exc) -> None:
        global _enabled
        _enabled = self._previous


def user_site() -> str:
    """``file:line`` of the innermost stack frame outside the minigrad package."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} ({frame.line})"
    return "<unknown>"


def check_gradients(ctx, grads: tuple) -> None:
    """Raise if a gradient that ``ctx``'s backward returned for an input holds nan or inf."""
    for index, (t, grad) in enumerate(zip(ctx.inputs, grads)):
        if t is not None and grad is not None:
            check_gradient(ctx, index, grad)


def check_gradient(ctx, index: int, grad) -> None:
    values = np.asarray(grad.data if hasattr(grad, "_node") else grad)
    if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
        what = "nan" if np.any(np.isnan(values)) else "inf"
        raise RuntimeError(
            f"Function '{ctx.name}' returned {what} values in its gradient for input "
            f"{index}; its forward ran at {ctx.site or '<site not recorded>'}"
        )
