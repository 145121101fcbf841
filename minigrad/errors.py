"""Exceptions shared by several packages of minigrad.

Kept in a module of their own, which imports nothing from minigrad, so that a
package can raise them without importing the package that first needed them
(``optim`` raises ``StateDictError`` without importing ``nn``).
"""

from __future__ import annotations


class StateDictError(ValueError, RuntimeError):
    """A state dict that does not fit (missing, unexpected or ill-shaped entries).

    A ValueError, since the input is wrong, and also a RuntimeError, which is what
    PyTorch raises here, so code written for either catches it.
    """
