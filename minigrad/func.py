"""Function transforms, as ``torch.func``: derivatives of functions, not of tensors.

Each transform takes a function of Tensors and returns a function (or a value); none
touches ``.grad``, and they compose to any depth (``jacfwd(jacrev(f))``, ``jvp`` of
``grad(f)``).

- **Forward mode**, ``jvp(f, primals, tangents)``: one pass of ``f`` in which every
  value carries a tangent beside it (``core/forward.py``): ``J t`` for one direction
  ``t``. ``jacfwd`` builds the Jacobian a column at a time: one pass per *input*
  element.
- **Reverse mode**, ``vjp(f, *primals)``: one forward pass recording the graph, then
  one backward pass per cotangent ``c``: ``c J``. ``grad`` and ``jacrev`` build on it:
  one backward pass per *output* element.

So for ``f: R^n -> R^m``, ``jacfwd`` costs n passes and ``jacrev`` m: forward mode
wins for tall Jacobians (m > n), reverse mode for wide ones, above all for a loss
(m = 1). ``hessian`` and ``hvp`` go forward over reverse.

Arguments and results may be Tensors, numpy arrays, or dicts, lists and tuples of
them (``jacrev(f)(params)`` of a dict returns a dict with the same keys).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import random
from .core import Tensor, as_tensor, enable_grad, forward
from .core import grad as _grad_of
from .core.grad import make_seed
from .ops import Clone, stack

# ------------------------------------------------------------- nested arguments


def _flatten(tree) -> tuple[list, Callable[[list], Any]]:
    """The leaves of ``tree`` (dicts, lists and tuples of anything else), and a function
    that puts a list of new leaves back into the same structure."""
    if isinstance(tree, Mapping):
        keys = list(tree)
        parts = [_flatten(tree[k]) for k in keys]
    elif isinstance(tree, (list, tuple)):
        keys = None
        parts = [_flatten(x) for x in tree]
    else:
        return [tree], lambda leaves: leaves[0]
    sizes = [len(leaves) for leaves, _ in parts]

    def rebuild(leaves: list):
        out, start = [], 0
        for size, (_, rebuild_part) in zip(sizes, parts):
            out.append(rebuild_part(leaves[start : start + size]))
            start += size
        if keys is not None:
            return dict(zip(keys, out))
        return type(tree)(out) if isinstance(tree, list) else tuple(out)

    return [leaf for leaves, _ in parts for leaf in leaves], rebuild


def _check_floating(t: Tensor, what: str) -> None:
    if t.dtype.kind != "f":
        raise TypeError(
            f"{what} has dtype {t.dtype}: only floating-point inputs have tangents and "
            "gradients (convert it with .double(), or leave it out of argnums)"
        )


# ------------------------------------------------------------------ forward mode


def jvp(f: Callable, primals: tuple, tangents: tuple, has_aux: bool = False):
    """``(f(*primals), J t)``: the Jacobian of ``f`` at ``primals`` times ``tangents``,
    in one forward pass (no backward pass). ``primals`` and ``tangents`` are tuples of
    equal length and matching shapes and dtypes. With ``has_aux``, ``f`` returns
    ``(output, aux)`` and so does the first result: ``(output, J t, aux)``."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples, e.g. jvp(f, (x,), (v,))")
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp: {len(primals)} primals but {len(tangents)} tangents; give one tangent per primal"
        )
    flat_primals, rebuild = _flatten(tuple(primals))
    flat_tangents, _ = _flatten(tuple(tangents))
    if len(flat_primals) != len(flat_tangents):
        raise ValueError("jvp: tangents must have the same structure as primals")
    checked_primals, checked_tangents = [], []
    for i, (p, t) in enumerate(zip(flat_primals, flat_tangents)):
        p, t = as_tensor(p, f"primal {i}"), as_tensor(t, f"tangent {i}")
        _check_floating(p, f"primal {i}")
        if t.shape != p.shape or t.dtype != p.dtype:
            raise ValueError(
                f"jvp: tangent {i} has shape {t.shape} and dtype {t.dtype}, but primal {i} "
                f"has shape {p.shape} and dtype {p.dtype}: they must match"
            )
        checked_primals.append(p)
        checked_tangents.append(t if t.requires_grad or t._tangents else t.data)
    return _push_forward(f, checked_primals, rebuild, checked_tangents, has_aux)


def _push_forward(f: Callable, primals: list, rebuild: Callable, tangents: list, has_aux: bool):
    """``jvp`` on checked arguments: ``primals`` Tensors, each with its tangent (an array,
    or a Tensor when something will differentiate it), ``rebuild`` their structure."""
    with forward.dual_level() as level:
        duals = []
        for primal, tangent in zip(primals, tangents):
            dual = Clone.apply(primal)  # an op: it keeps primal's graph and outer tangents
            forward.set_tangent(dual, level, tangent)
            duals.append(dual)
        result = f(*rebuild(duals))
        output, aux = result if has_aux else (result, None)
        flat_out, rebuild_out = _flatten(output)
        flat_out = [as_tensor(o, "f's output") for o in flat_out]
        out_tangents = [_tangent_or_zeros(o, level) for o in flat_out]
        for o in flat_out:  # the level ends here: its tangents go (f may return one twice)
            if forward.tangent_of(o, level) is not None:
                o._tangents = {k: v for k, v in o._tangents.items() if k != level}
    if has_aux:
        return rebuild_out(flat_out), rebuild_out(out_tangents), aux
    return rebuild_out(flat_out), rebuild_out(out_tangents)


def _tangent_or_zeros(out: Tensor, level: int) -> Tensor:
    """The tangent of ``out`` at ``level`` (zeros if it has none: the output does not
    depend on the inputs)."""
    tangent = forward.tangent_of(out, level)
    if tangent is None:
        return Tensor(np.zeros(out.shape, dtype=out.dtype))
    return tangent if isinstance(tangent, Tensor) else Tensor(np.asarray(tangent))


# ------------------------------------------------------------------ reverse mode


def vjp(f: Callable, *primals, has_aux: bool = False):
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` returns ``c J``, a tuple with
    one gradient per primal (zeros where the output does not depend on it). With
    ``has_aux``, ``f`` returns ``(output, aux)`` and so does the result:
    ``(output, vjp_fn, aux)``."""
    flat_primals, rebuild = _flatten(primals)
    with enable_grad():  # a transform: an outer no_grad does not change its result
        inputs = [_input(p, f"primal {i}") for i, p in enumerate(flat_primals)]
        result = f(*rebuild(inputs))
    output, aux = result if has_aux else (result, None)
    flat_out, rebuild_out = _flatten(output)
    flat_out = [as_tensor(o, "f's output") for o in flat_out]
    # the gradients must be differentiable when something outside will differentiate
    # them: an outer transform, or a graph the inputs or outputs belong to
    keep_graph = _reaches_outer_graph(flat_out, inputs)

    def vjp_fn(cotangents):
        flat_cot, _ = _flatten(cotangents)
        if len(flat_cot) != len(flat_out):
            raise ValueError(f"vjp_fn: {len(flat_cot)} cotangents for {len(flat_out)} outputs")
        outs, seeds = [], []
        for i, (o, c) in enumerate(zip(flat_out, flat_cot)):
            c = as_tensor(c, f"cotangent {i}")
            if c.shape != o.shape:
                raise ValueError(
                    f"vjp_fn: cotangent {i} has shape {c.shape}, but output {i} has "
                    f"shape {o.shape}: they must match"
                )
            if o.requires_grad:
                outs.append(o)
                seeds.append(c if keep_graph else c.data)
        with enable_grad():
            found = (
                _grad_of(outs, inputs, seeds, True, keep_graph, allow_unused=True)
                if outs
                else [None] * len(inputs)
            )
        grads = [
            Tensor(np.zeros(x.shape, dtype=x.dtype)) if g is None else g
            for x, g in zip(inputs, found)
        ]
        return tuple(rebuild(grads))

    shown = rebuild_out(flat_out if keep_graph else [o.detach() for o in flat_out])
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


def _input(primal, name: str) -> Tensor:
    """A new Tensor, requiring grad, with ``primal``'s value, graph and tangents."""
    primal = as_tensor(primal, name)
    _check_floating(primal, name)
    x = Clone.apply(primal)
    if not x.requires_grad:
        x.requires_grad = True  # a new leaf, ours
    return x


def _reaches_outer_graph(outputs: list, inputs: list) -> bool:
    """Whether anything outside this transform can differentiate its results: a
    forward-mode level in progress, an input whose primal requires grad, or a leaf
    requiring grad (a closed-over parameter) in the outputs' graph."""
    if forward.levels or any(x._node is not None for x in inputs):
        return True
    ours = {id(x) for x in inputs}
    seen, stack_ = set(), [o for o in outputs]
    while stack_:
        t = stack_.pop()
        if id(t) in ours:
            continue
        if t._node is None:
            if t._requires_grad:
                return True
            continue
        if t._node not in seen:
            seen.add(t._node)
            stack_.extend(i for i in t._node.inputs if i is not None)
    return False


# ---------------------------------------------------------------- built on them


def _argnums(argnums, n_args: int, name: str) -> tuple[int, ...]:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    for k in nums:
        if not isinstance(k, int) or not -n_args <= k < n_args:
            raise ValueError(
                f"{name}: argnums={argnums!r} is out of range for a function called with "
                f"{n_args} positional argument(s)"
            )
    return tuple(k % n_args for k in nums)


def _of_selected(f: Callable, args: tuple, nums: tuple) -> Callable:
    """``f`` as a function of the arguments at positions ``nums`` only."""

    def g(*selected):
        full = list(args)
        for k, value in zip(nums, selected):
            full[k] = value
        return f(*full)

    return g


def grad_and_value(f: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """Like ``grad``, but the function returns ``(gradient, value)`` (with ``has_aux``:
    ``(gradient, (value, aux))``)."""

    def gradient_and_value(*args):
        nums = _argnums(argnums, len(args), "grad")
        out, vjp_fn, *aux = vjp(
            _of_selected(f, args, nums), *(args[k] for k in nums), has_aux=has_aux
        )
        if not isinstance(out, Tensor):
            raise TypeError(f"grad: f must return one Tensor, got {type(out).__name__}")
        make_seed(out, None, "f's output", create_graph=False)  # backward()'s error
        grads = vjp_fn(Tensor(np.ones(out.shape, dtype=out.dtype)))
        gradient = grads if isinstance(argnums, tuple) else grads[0]
        return (gradient, (out, aux[0])) if has_aux else (gradient, out)

    return gradient_and_value


def grad(f: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """The function returning the gradient of ``f``'s one-element output with respect
    to argument ``argnums`` (a tuple of them for a tuple of ints). With ``has_aux``,
    ``f`` returns ``(output, aux)`` and the function returns ``(gradient, aux)``."""
    with_value = grad_and_value(f, argnums, has_aux)

    def gradient(*args):
        g, value = with_value(*args)
        return (g, value[1]) if has_aux else g

    return gradient


def jacrev(f: Callable, argnums=0) -> Callable:
    """The function returning the Jacobian of ``f`` by reverse mode, one backward pass
    per output element; shape ``output.shape + input.shape``."""

    def jacobian(*args):
        nums = _argnums(argnums, len(args), "jacrev")
        out, vjp_fn = vjp(_of_selected(f, args, nums), *(args[k] for k in nums))
        flat_out, rebuild_out = _flatten(out)
        in_shapes = [as_tensor(x).shape for x in _flatten(tuple(args[k] for k in nums))[0]]
        per_output = []
        for i, o in enumerate(flat_out):
            # row m: d o[m] / d inputs, one backward pass with the cotangent e_m
            rows = [_flatten(vjp_fn(_basis(flat_out, i, m)))[0] for m in range(o.size)]
            per_output.append(
                [_block([row[k] for row in rows], 0, o, shape) for k, shape in enumerate(in_shapes)]
            )
        return rebuild_out([_as_arguments(j, args, nums, argnums) for j in per_output])

    return jacobian


def jacfwd(f: Callable, argnums=0) -> Callable:
    """The function returning the Jacobian of ``f`` by forward mode, one pass per input
    element; shape ``output.shape + input.shape``."""

    def jacobian(*args):
        nums = _argnums(argnums, len(args), "jacfwd")
        flat_in, rebuild_in = _flatten(tuple(args[k] for k in nums))
        flat_in = [as_tensor(x, f"argument {k}") for k, x in enumerate(flat_in)]
        g = _of_selected(f, args, nums)
        # one pass per column: each must see the same random numbers (dropout's mask),
        # as f called once would; the generator ends where one call leaves it
        generator = random.get_rng().bit_generator
        start = generator.state
        out = None
        columns: list[list] = []  # per input leaf: J e_j for each of its elements j
        for k, x in enumerate(flat_in):
            _check_floating(x, f"argument {k}")
            columns.append([])
            for j in range(x.size):
                generator.state = start
                basis = _basis(flat_in, k, j)
                out, out_tangent = _push_forward(g, flat_in, rebuild_in, basis, False)
                columns[k].append(_flatten(out_tangent)[0])
        if out is None:  # every input is empty: no pass ran
            out = g(*rebuild_in(flat_in))
        flat_out, rebuild_out = _flatten(out)
        per_output = [
            [_block([c[i] for c in columns[k]], -1, o, x.shape) for k, x in enumerate(flat_in)]
            for i, o in enumerate(flat_out)
        ]
        return rebuild_out([_as_arguments(b, args, nums, argnums) for b in per_output])

    return jacobian


def _basis(like: list, k: int, j: int) -> list[np.ndarray]:
    """Zeros shaped as the Tensors ``like``, with a 1 at flat position ``j`` of the
    ``k``-th: a basis vector e_j, as a tangent or a cotangent."""
    vectors = [np.zeros(t.shape, dtype=t.dtype) for t in like]
    vectors[k].reshape(-1)[j] = 1
    return vectors


def _block(parts: list, axis: int, out: Tensor, in_shape: tuple) -> Tensor:
    """One Jacobian block, shape ``out.shape + in_shape``, from its rows (``axis`` 0:
    one per element of ``out``) or its columns (``axis`` -1: one per input element)."""
    if not parts:  # an empty output or input: an empty block
        return Tensor(np.zeros(out.shape + tuple(in_shape), dtype=out.dtype))
    return _stack(parts, axis=axis).reshape(*out.shape, *in_shape)


def _stack(parts: list, axis: int) -> Tensor:
    """``mg.stack`` when something will differentiate the Jacobian (the parts are in a
    graph, or carry tangents), else numpy's: one array, no op per part."""
    if any(p.requires_grad or p._tangents for p in parts):
        return stack(parts, axis=axis)
    return Tensor(np.stack([p.data for p in parts], axis=axis))


def _as_arguments(blocks: list, args: tuple, nums: tuple, argnums):
    """Jacobian blocks, one per input leaf, in the structure of the arguments asked
    for: one argument's structure, or a tuple of them for a tuple ``argnums``."""
    _, rebuild = _flatten(tuple(args[k] for k in nums))
    per_argument = rebuild(blocks)
    return per_argument if isinstance(argnums, tuple) else per_argument[0]


def hessian(f: Callable, argnums=0) -> Callable:
    """The Hessian of ``f``'s one-element output, forward over reverse:
    ``jacfwd(jacrev(f))``; shape ``input.shape + input.shape``."""
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f: Callable, primals: tuple, tangents: tuple):
    """``(f(*primals), H t)``: the Hessian of ``f`` times ``tangents``, forward over
    reverse (``jvp`` of ``grad``), without forming H. ``H t`` is a Tensor when ``f``
    takes one argument, else a tuple."""
    every_argument = tuple(range(len(primals)))
    (_, value), (products, _) = jvp(grad_and_value(f, every_argument), primals, tangents)
    return value, products[0] if len(primals) == 1 else products


# ----------------------------------------------------------------------- modules


def functional_call(module, params: Mapping, args, kwargs: Mapping | None = None):
    """``module(*args, **kwargs)`` computed with the Tensors of ``params`` in place of
    the module's own parameters and buffers of the same names (``named_parameters()``
    / ``state_dict()`` names, ``"layers.0.weight"``); the others stay the module's.
    The module is unchanged afterwards, so a transform can differentiate with respect
    to the parameters: ``jacrev(lambda p: functional_call(model, p, (x,)))(params)``."""
    if not isinstance(params, Mapping):
        raise TypeError(f"functional_call: params must be a dict, got {type(params).__name__}")
    args = args if isinstance(args, tuple) else (args,)
    swapped = []  # (registry, name, the module's own value): to put back
    try:
        for full_name, value in params.items():
            registry, name = _registry_of(module, full_name)
            swapped.append((registry, name, registry[name]))
            registry[name] = as_tensor(value, f"params[{full_name!r}]")
        return module(*args, **(kwargs or {}))
    finally:
        for registry, name, own in reversed(swapped):
            registry[name] = own


def _registry_of(module, full_name: str) -> tuple[dict, str]:
    """The dict of ``module`` (or of a sub-module) that holds ``full_name``, and the
    name in it."""
    *path, name = full_name.split(".")
    owner = module
    for part in path:
        owner = owner._modules.get(part) if hasattr(owner, "_modules") else None
        if owner is None:
            break
    for registry in (getattr(owner, "_parameters", {}), getattr(owner, "_buffers", {})):
        if name in registry:
            return registry, name
    known = [n for n, _ in module.named_parameters()] + [n for n, _ in module.named_buffers()]
    raise KeyError(
        f"functional_call: {type(module).__name__} has no parameter or buffer named "
        f"{full_name!r}; its names are {known}"
    )
