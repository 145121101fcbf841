"""One fixed colour scale for gradient norms, so drawings can be compared.

A tensor's gradient ``g`` is summarised by its L2 norm ``‖g‖ = sqrt(sum g²)`` and
shaded by the decade it falls in, ``floor(log10 ‖g‖)``: one colour per decade from
``1e-8`` to ``1e2`` (viridis sampled at ten points: dark purple for vanishing
gradients, yellow for exploding ones). Norms below ``1e-7`` share the first colour
and norms of ``1e1`` and above the last. Two cases are kept off the scale because
they mean something else: an exactly zero gradient (no signal reached the tensor:
a dead ReLU, an unused input) is light grey with a dashed border, and a NaN or inf
gradient is white with a thick red border.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Decade k of the scale is [10**(LOWEST + k), 10**(LOWEST + k + 1)).
LOWEST = -8
PALETTE = (
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)
_FIRST_LIGHT = 5  # buckets from here on are light enough for black text
ZERO_FILL = "#e0e0e0"
NONFINITE_BORDER = "#d00000"


@dataclass(frozen=True)
class Shade:
    """How a node shows its gradient: fill, text colour, border style and width."""

    fill: str
    font: str = "black"
    border: str = "black"
    dashed: bool = False
    penwidth: float = 1.0


NO_GRADIENT = Shade(fill="white")


def grad_norm(g: np.ndarray) -> float:
    """The L2 norm of ``g`` in float64: ``nan`` if any element is NaN, ``inf`` if any
    is infinite. Scaled by the largest magnitude first, so that a huge gradient
    (1e200) does not overflow to ``inf`` when squared."""
    a = np.asarray(g, dtype=np.float64)
    finite = np.isfinite(a)
    if not finite.all():
        return math.nan if np.isnan(a).any() else math.inf
    m = float(np.max(np.abs(a))) if a.size else 0.0
    if m == 0.0:
        return 0.0
    return m * float(np.sqrt(np.sum(np.square(a / m))))


def bucket(norm: float) -> int | None:
    """Index into ``PALETTE`` for a positive finite norm; None for 0, NaN and inf."""
    if not math.isfinite(norm) or norm <= 0.0:
        return None
    k = math.floor(math.log10(norm)) - LOWEST
    return min(max(k, 0), len(PALETTE) - 1)


def shade(norm: float) -> Shade:
    """The colours of a node whose gradient has L2 norm ``norm``."""
    if math.isnan(norm) or math.isinf(norm):
        return Shade(fill="white", font=NONFINITE_BORDER, border=NONFINITE_BORDER, penwidth=3.0)
    if norm == 0.0:
        return Shade(fill=ZERO_FILL, font="#555555", border="#777777", dashed=True)
    k = bucket(norm)
    return Shade(fill=PALETTE[k], font="black" if k >= _FIRST_LIGHT else "white")


def legend_entries() -> list[tuple[str, Shade]]:
    """``(label, shade)`` for every colour of the scale, then zero and non-finite."""
    last = len(PALETTE) - 1
    entries = []
    for k, colour in enumerate(PALETTE):
        exponent = LOWEST + k
        if k == 0:
            label = f"<1e{exponent + 1}"
        elif k == last:
            label = f"≥1e{exponent}"
        else:
            label = f"1e{exponent}"
        entries.append((label, Shade(fill=colour, font="black" if k >= _FIRST_LIGHT else "white")))
    entries.append(("0", shade(0.0)))
    entries.append(("nan/inf", shade(math.nan)))
    return entries
