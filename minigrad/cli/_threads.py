"""One BLAS thread for the small matrices of the built-in models and the examples."""

from __future__ import annotations

import contextlib


def one_blas_thread() -> contextlib.AbstractContextManager:
    """A context in which BLAS uses one thread, if threadpoolctl is installed (else no-op).

    Small matrix products (a 32 x 64 batch by a 64 x 128 weight) are split over
    OpenBLAS's threads too, and on busy cores the hand-off costs more than the work:
    training the digits MLP took 4.8x the CPU time (5x the wall time) with 2 threads as
    with 1 on the project's 2-core machine. threadpoolctl changes the limit after numpy
    is loaded and restores it on exit.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
