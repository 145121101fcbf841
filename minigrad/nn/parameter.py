"""``nn.Parameter``: the learnable tensors of a Module."""

from __future__ import annotations

from ..core import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad and that a ``Module`` registers as one of its
    learnable weights when it is assigned as an attribute (``self.weight = ...``).

    ``Parameter(data)`` wraps ``data`` (an array, a Tensor's values, or a list) like
    ``Tensor`` does: numpy arrays are shared, not copied. It adds no per-instance
    storage (``__slots__ = ()``), so a Parameter costs what a Tensor costs.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True) -> None:
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
