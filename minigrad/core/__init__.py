"""The engine room: a Tensor, the graph it records, and the reverse pass.

Read it in this order:

1. ``tensor.py``     -- ``Tensor``: an array, the node that made it, and its methods
2. ``function.py``   -- ``Function`` (one op: forward and backward side by side) and
                        ``Context`` (the graph node one call of an op leaves behind)
3. ``engine.py``     -- the reverse pass: the queue, accumulate, un-broadcast, release
4. ``grad.py``       -- ``Tensor.backward`` and ``mg.grad``: seeds, checks, ``.grad``
5. ``higher_order.py`` -- ``create_graph``: the same rules, run on Tensors
6. ``forward.py``    -- forward mode: tangents carried beside the values, level by
                        level, through every op's ``jvp`` rule
7. ``numpy_protocol.py`` -- ``np.exp(t)`` and friends on Tensors, for those rules
8. ``modes.py``      -- no_grad, enable_grad, detect_anomaly, module scope
9. ``versions.py``   -- in-place updates counted (``t._version``), and the check that
                        a value a node saved was not changed before its rule runs
10. ``shapes.py``    -- axes, reduced shapes, ``sum_to`` (undo broadcasting)
11. ``dtypes.py``    -- the default float dtype and PyTorch's dtype inference

The ops themselves (each with its derivative) are in ``minigrad/ops/``.
"""

# tensor.py first: it closes the package's one import cycle (Tensor <-> ops).
from .tensor import Tensor, as_tensor  # isort: skip
from .function import Context, Function
from .grad import backward, grad
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad

__all__ = [
    "Context",
    "Function",
    "Tensor",
    "as_tensor",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
]
