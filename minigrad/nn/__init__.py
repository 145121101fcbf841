"""Neural-network layers: ``from minigrad import nn``.

- ``Module`` (module.py) and ``Parameter`` (parameter.py): the building blocks;
- ``Linear``, ``Identity`` (linear.py), ``Sequential`` (container.py), ``MLP`` (mlp.py);
- activations and ``Dropout`` (activation.py); ``BatchNorm1d``, ``LayerNorm``
  (normalization.py);
- loss modules: ``MSELoss``, ``L1Loss``, ``HuberLoss``, ``CrossEntropyLoss``,
  ``BCEWithLogitsLoss`` (loss.py);
- ``nn.utils``: gradient clipping and max-norm constraints (utils.py).
"""

from ..errors import StateDictError  # defined outside nn so that optim need not import nn
from . import utils
from .activation import GELU, Dropout, LeakyReLU, ReLU, Sigmoid, Tanh
from .container import Sequential
from .linear import Identity, Linear
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss
from .mlp import MLP
from .module import IncompatibleKeys, Module
from .normalization import BatchNorm1d, LayerNorm
from .parameter import Parameter

__all__ = [
    "GELU",
    "MLP",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "StateDictError",
    "Tanh",
    "utils",
]
