"""``nn.MLP``: the multilayer perceptron the regularization toolbox is about."""

from __future__ import annotations

from collections.abc import Sequence

from ..core import Tensor
from ..functional.regularization import check_probability
from .activation import GELU, Dropout, LeakyReLU, ReLU, Sigmoid, Tanh
from .container import Sequential
from .linear import Identity, Linear, check_size
from .module import Module
from .normalization import BatchNorm1d, LayerNorm

ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "gelu": GELU,
    "identity": Identity,
}
NORMS = {None: None, "batch": BatchNorm1d, "layer": LayerNorm}


class MLP(Module):
    """Linear -> norm -> activation -> dropout for each hidden size, then a plain Linear.

    ``activation`` is one of 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu',
    'identity'; ``norm`` is None, 'batch' (BatchNorm1d) or 'layer' (LayerNorm);
    a Dropout layer is added only when ``dropout > 0``. The layers live in
    ``self.layers`` (a Sequential), so the first weight is ``layers.0.weight``.
    """

    def __init__(
        self,
        in_features: int,
        hidden_sizes: Sequence[int],
        out_features: int,
        activation: str = "relu",
        dropout: float = 0.0,
        norm: str | None = None,
        *,
        dtype=None,
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}"
            )
        if norm not in NORMS:
            raise ValueError(f"MLP: norm must be None, 'batch' or 'layer', got {norm!r}")
        check_probability(dropout, "MLP: dropout", below_one=True)
        if isinstance(hidden_sizes, (int, str)) or not isinstance(hidden_sizes, Sequence):
            raise TypeError(f"MLP: hidden_sizes must be a list of ints, got {hidden_sizes!r}")
        width = check_size(in_features, "in_features", "MLP")
        layers: list[Module] = []
        for h in hidden_sizes:
            h = check_size(h, "each hidden size", "MLP")
            layers.append(Linear(width, h, dtype=dtype))
            if norm is not None:
                layers.append(NORMS[norm](h, dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout))
            width = h
        layers.append(Linear(width, check_size(out_features, "out_features", "MLP"), dtype=dtype))
        self.layers = Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)
