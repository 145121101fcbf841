"""Stateless neural-network functions: ``from minigrad import functional as F``.

- layers: ``linear``                                             (linear.py)
- activations: ``relu``, ``leaky_relu``, ``sigmoid``, ``tanh``, ``gelu``,
  ``softmax``, ``log_softmax``                                  (activations.py)
- normalization: ``batch_norm``, ``layer_norm``                  (normalization.py)
- losses: ``mse_loss``, ``l1_loss``, ``huber_loss``, ``cross_entropy``,
  ``binary_cross_entropy_with_logits``                           (losses.py)
- regularization: ``dropout``, ``l1_penalty``, ``l2_penalty``,
  ``elastic_net_penalty``                                        (regularization.py)

The ``nn`` layers are thin stateful wrappers around these.
"""

from .activations import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .erf import erf, erfc, normal_cdf
from .linear import linear
from .losses import binary_cross_entropy_with_logits, cross_entropy, huber_loss, l1_loss, mse_loss
from .normalization import batch_norm, layer_norm
from .regularization import dropout, elastic_net_penalty, l1_penalty, l2_penalty

__all__ = [
    "batch_norm",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elastic_net_penalty",
    "erf",
    "erfc",
    "gelu",
    "huber_loss",
    "l1_loss",
    "l1_penalty",
    "l2_penalty",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "normal_cdf",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
