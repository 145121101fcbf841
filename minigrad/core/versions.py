"""Version counters: how a backward pass notices that a value it needs was changed
in place after it was saved.

Every Tensor counts the in-place updates of its memory in ``t._version`` (as
PyTorch): ``t += x`` under ``no_grad``, ``t.zero_()``, ``t.copy_(src)``... Tensors
over one memory share one count: ``detach()``, and an op's output that is a view of
an argument (``x.T``, ``x[0]``, ``x.reshape(...)``), so that an update through any of
them counts for all. The count is a one-element list, the smallest mutable int that
several tensors can hold, made on first need (a share, an update): most tensors
never need one, and their version is 0.

An op that saved values for its backward keeps, until released, the arrays it was
called with. Its Tensor arguments are usually inputs of the graph (``Context.inputs``)
that have no counter, at version 0; otherwise (a constant argument, or one with a
counter already) it keeps each Tensor argument's counter and version
(``Context.input_counters``, ``input_versions``). A counter made later for one of its
outputs is kept by it too (``Context.keep_output_counter``): a new output is at
version 0.

Before the rule runs, the engine calls ``check``: a tensor whose version moved since,
and whose memory the op saved, would make the rule compute with the new values, a
silently wrong gradient; the pass stops instead, with PyTorch's error naming the op,
the tensor and both versions. A tensor the op did not save may change freely
(``tanh`` saves its output, not its input). Writing ``t.data`` with numpy bypasses
the count, as in PyTorch; code that writes ``.data`` on purpose can count its write
with ``t._bump_version()``.

One clock numbers both the nodes as they are made (``Context.seq``) and the in-place
updates, so that the engine skips ``check`` with one comparison for a node made after
the last update (nearly always): ``node.seq > last_update``.
"""

from __future__ import annotations

import itertools

import numpy as np

clock = itertools.count()  # numbers the nodes as they are made, and in-place updates
last_update = -1  # the clock's number at the last in-place update, of any tensor


def bump(counter: list) -> None:
    """Count one in-place update of the memory that ``counter`` belongs to."""
    global last_update
    counter[0] += 1
    last_update = next(clock)


def check(node) -> None:
    """Raise if a tensor whose values ``node`` saved was updated in place since."""
    if node.forward_args is None:
        return  # it saved nothing
    if node.input_counters is not None:
        for i, (counter, then) in enumerate(zip(node.input_counters, node.input_versions)):
            if counter is not None and counter[0] != then:
                _refuse_if_saved(node, "input", i, node.forward_args[i], then, counter[0])
    else:  # every Tensor argument is an input of the graph, noted at version 0
        for i, t in enumerate(node.inputs):
            if t is not None and t._version != 0:
                _refuse_if_saved(node, "input", i, node.forward_args[i], 0, t._version)
    results = node.forward_results
    for j, counter in (node.output_counters or {}).items():
        result = results[j] if type(results) is tuple else results
        _refuse_if_saved(node, "output", j, result, 0, counter[0])


def _refuse_if_saved(node, role: str, index: int, memory, saved: int, now: int) -> None:
    if now == saved or not any(
        isinstance(value, np.ndarray) and np.may_share_memory(value, memory)
        for value in node.saved_tensors
    ):
        return
    raise RuntimeError(
        f"one of the values needed for gradient computation has been modified by an "
        f"inplace operation: {role} {index} of {node.name} (shape {np.shape(memory)}, "
        f"{np.result_type(memory)}) is at version {now}; expected version {saved}, the "
        f"version {node.name} saved for its backward. Its gradient would be computed from "
        "the new values. Update it after the backward() that needs the old ones, or "
        "update a copy (t = t.clone())."
    )
