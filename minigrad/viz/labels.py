"""The text written on nodes, made safe for Graphviz.

Every label is an HTML-like label (``label=<...>``), the one DOT string form in
which quotes, braces, ``|`` and backslashes have no special meaning; what is left
to escape there is XML's ``& < > " '``, done by ``html.escape``. Text from users
(``Tensor.name``, module names) also loses its control characters, which would
make the SVG invalid XML, and is shortened so that one long name cannot widen the
whole drawing.
"""

from __future__ import annotations

import html
import math

import numpy as np

from . import colors
from .graph import ModuleNode, OpNode, TensorNode

MAX_NAME = 48


def escape(text: str, limit: int = MAX_NAME) -> str:
    """``text`` as it can appear inside an HTML-like label."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=True)


def number(x: float) -> str:
    """Four significant digits: 0.7071, -1.5, 1, 1.2e-05."""
    return f"{x:.4g}"


def shape_text(shape: tuple) -> str:
    return "scalar" if shape == () else str(tuple(shape))


def data_summary(data: np.ndarray | None) -> list[str]:
    """The value of a one-element tensor; the elements of a tiny one; otherwise the
    mean, standard deviation and range. None: an intermediate that a backward pass
    without retain_graph has freed."""
    if data is None:
        return ["data freed by backward()"]
    if data.size == 0:
        return ["empty"]
    if data.dtype.kind not in "biuf":
        return []
    if data.size == 1:
        return [f"data {number(float(data.reshape(-1)[0]))}"]
    if data.size <= 4:
        return ["data [" + ", ".join(number(float(v)) for v in data.reshape(-1)) + "]"]
    a = data.astype(np.float64)
    with np.errstate(all="ignore"):  # inf - inf in std is nan, and "nan" is the answer
        mean, std = float(a.mean()), float(a.std())
    return [
        f"mean {number(mean)}, std {number(std)}",
        f"range [{number(float(a.min()))}, {number(float(a.max()))}]",
    ]


def grad_summary(grad: np.ndarray) -> str:
    """``grad -1.5`` for one element (as micrograd), ``‖grad‖ 0.012`` otherwise."""
    if grad.size == 1:
        return f"grad {number(float(grad.reshape(-1)[0]))}"
    return f"‖grad‖ {number(colors.grad_norm(grad))}"


def _small(text: str) -> str:
    return f'<FONT POINT-SIZE="9">{text}</FONT>'


def _lines(parts: list[str], font: str) -> str:
    body = "<BR/>".join(parts)
    return f'<<FONT COLOR="{font}">{body}</FONT>>'


def tensor_label(node: TensorNode, show_data: bool, show_grad: bool, font: str) -> str:
    parts = []
    if node.name is not None:
        parts.append(f"<B>{escape(node.name)}</B>")
    parts.append(_small(f"{shape_text(node.shape)} {node.dtype}"))
    if show_data:
        parts.extend(escape(s) for s in data_summary(node.data))
    if show_grad and node.grad is not None:
        parts.append(escape(grad_summary(node.grad)))
    return _lines(parts, font)


def op_label(node: OpNode) -> str:
    parts = [f"<B>{escape(node.name)}</B>"]
    if node.n_constants:
        # arguments that needed no gradient (numbers, masks, data) are not drawn; the
        # label says what they are, so the picture reads without the docs
        parts.append(_small(f"+{node.n_constants} constant arg" + "s" * (node.n_constants > 1)))
    return _lines(parts, "black")


def module_label(node: ModuleNode, show_grad: bool, font: str) -> str:
    parts = [f"<B>{escape(node.label, limit=64)}</B>"]
    # inputs that need no gradient (the data batch) are not in the graph: not listed
    ins = ", ".join(shape_text(s) for s in node.in_shapes)
    outs = ", ".join(shape_text(s) for s in node.out_shapes)
    parts.append(_small(escape(f"{ins} → {outs}".strip(), limit=80)))
    if node.params:
        n_values = sum(int(np.prod(p.shape)) for p in node.params)
        tensors = f"{len(node.params)} tensor" + "s" * (len(node.params) > 1)
        parts.append(_small(f"{n_values:,} parameters ({tensors})"))
    parts.append(_small(f"{node.n_ops} op" + "s" * (node.n_ops != 1)))
    norm = module_grad_norm(node)
    if show_grad and norm is not None:
        parts.append(escape(f"‖∇params‖ {number(norm)}"))
    return _lines(parts, font)


def module_grad_norm(node: ModuleNode) -> float | None:
    """The L2 norm of all of the call's parameter gradients together, or None when
    it has no parameters or a gradient is unknown."""
    grads = [p.grad for p in node.params]
    if not grads or any(g is None for g in grads):
        return None
    return math.hypot(*(colors.grad_norm(g) for g in grads))
