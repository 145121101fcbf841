"""Optimizers: ``from minigrad import optim``.

``SGD`` (sgd.py; momentum, Nesterov, coupled weight decay, proximal L1), ``Adam``
and ``AdamW`` (adam.py), ``RMSprop`` (rmsprop.py), all built on ``Optimizer``
(optimizer.py), which also defines their ``state_dict`` format.
"""

from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD, soft_threshold_

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "soft_threshold_"]
