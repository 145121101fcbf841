"""Optimizers: ``from minigrad import optim``.

``SGD`` (sgd.py; momentum, Nesterov, coupled weight decay, proximal L1), ``Adam``
and ``AdamW`` (adam.py), ``RMSprop`` (rmsprop.py), all built on ``Optimizer``
(optimizer.py), which also defines parameter groups and the ``state_dict`` format;
learning-rate schedulers in ``optim.lr_scheduler`` (lr_scheduler.py).
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD, soft_threshold_

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler", "soft_threshold_"]
