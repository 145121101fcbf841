"""Each workload's training step in minigrad and (optionally) in PyTorch, built from
the same weights as the numpy floor (``floor.py``). ``make_step(engine, workload)``
returns a function that runs one step on the given batch and returns the loss.

minigrad is used only through its public API, and imported inside the functions that
need it, so that the numpy and PyTorch workers never import it.

The training steps of minigrad and PyTorch keep each step's loss tensor until the next
step replaces it, as a user's loop does that records its losses
(``history.append(loss)``): whatever an engine keeps alive through a held loss, and
what that costs the next step, is part of what is measured.
"""

from __future__ import annotations

import numpy as np

from . import floor, spec


def _copy(params):
    return [(w.copy(), b.copy()) for w, b in params]


# ------------------------------------------------------------------ numpy floor
def _numpy_step(w: spec.Workload, params, dropout):
    if w.name == "micro":
        return lambda batch: floor.micro_step(params, batch)
    if w.name == "mlp":
        return floor.MLPFloor(params).step
    return floor.RegularizedFloor(params, dropout=dropout).step


# --------------------------------------------------------------------- minigrad
def _minigrad_model(w: spec.Workload, params, dropout):
    from minigrad import nn

    layers = []
    for i, (wt, b) in enumerate(params):
        lin = nn.Linear(*wt.shape[::-1])
        lin.weight.data[...] = wt
        lin.bias.data[...] = b
        layers.append(lin)
        if i < len(params) - 1:
            if w.name == "regularized":
                layers.append(
                    nn.BatchNorm1d(wt.shape[0], eps=spec.BN_EPS, momentum=spec.BN_MOMENTUM)
                )
            layers.append(nn.ReLU())
            if w.name == "regularized":
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def _minigrad_step(w: spec.Workload, params, dropout):
    import minigrad as mg
    from minigrad import functional as F
    from minigrad import nn, optim

    model = _minigrad_model(w, params, dropout)
    ps = list(model.parameters())
    linear_ps = [p for m in model.modules() if isinstance(m, nn.Linear) for p in m.parameters()]
    if w.name == "micro":
        opt = optim.SGD(ps, lr=spec.LR_MICRO)
    elif w.name == "mlp":
        opt = optim.SGD(ps, lr=spec.LR_MLP, momentum=spec.MOMENTUM)
    else:
        opt = optim.Adam(ps, lr=spec.LR_ADAM)

    previous_loss = None  # see the module docstring

    def step(batch):
        nonlocal previous_loss
        x, y = mg.Tensor(batch[0]), batch[1]
        out = model(x)
        if w.name == "micro":
            hinge = (1 - mg.Tensor(y) * out.reshape(-1)).relu().mean()
            loss = hinge + spec.L2_MICRO * F.l2_penalty(ps)
        elif w.name == "mlp":
            loss = F.cross_entropy(out, y) + spec.L2_MLP * F.l2_penalty(ps)
        else:
            loss = F.cross_entropy(out, y) + spec.L1_REG * F.l1_penalty(linear_ps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        previous_loss = loss  # the last step's loss is released only now
        return float(loss.item())

    return step


# ---------------------------------------------------------------------- PyTorch
def _torch_step(w: spec.Workload, params, dropout):
    import torch

    layers = []
    for i, (wt, b) in enumerate(params):
        lin = torch.nn.Linear(*wt.shape[::-1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(wt))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(params) - 1:
            if w.name == "regularized":
                layers.append(
                    torch.nn.BatchNorm1d(wt.shape[0], eps=spec.BN_EPS, momentum=spec.BN_MOMENTUM)
                )
            layers.append(torch.nn.ReLU())
            if w.name == "regularized":
                layers.append(torch.nn.Dropout(dropout))
    model = torch.nn.Sequential(*layers)
    ps = list(model.parameters())
    linear_ps = [
        p for m in model.modules() if isinstance(m, torch.nn.Linear) for p in m.parameters()
    ]
    if w.name == "micro":
        opt = torch.optim.SGD(ps, lr=spec.LR_MICRO)
    elif w.name == "mlp":
        opt = torch.optim.SGD(ps, lr=spec.LR_MLP, momentum=spec.MOMENTUM)
    else:
        opt = torch.optim.Adam(ps, lr=spec.LR_ADAM)

    previous_loss = None  # see the module docstring

    def step(batch):
        nonlocal previous_loss
        x, y = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
        out = model(x)
        if w.name == "micro":
            loss = torch.relu(1 - y * out.reshape(-1)).mean() + spec.L2_MICRO * sum(
                (p * p).sum() for p in ps
            )
        elif w.name == "mlp":
            loss = torch.nn.functional.cross_entropy(out, y) + spec.L2_MLP * sum(
                (p * p).sum() for p in ps
            )
        else:
            loss = torch.nn.functional.cross_entropy(out, y) + spec.L1_REG * sum(
                p.abs().sum() for p in linear_ps
            )
        opt.zero_grad()
        loss.backward()
        opt.step()
        previous_loss = loss  # the last step's loss is released only now
        return float(loss.item())

    return step


_BUILDERS = {"numpy": _numpy_step, "minigrad": _minigrad_step, "torch": _torch_step}


def make_step(engine: str, workload: str, dropout: float | None = None, seed: int = 0):
    """A training step of ``workload`` in ``engine``, from the shared initial weights."""
    w = spec.WORKLOADS[workload]
    p = spec.DROPOUT if dropout is None else dropout
    return _BUILDERS[engine](w, _copy(spec.initial_weights(w.sizes, seed)), p)


# ------------------------------------------------------- per-op overhead chain
def make_chain(engine: str, n_ops: int = spec.CHAIN_OPS):
    """Forward + backward of ``n_ops`` chained elementwise ops on shape (8,)."""
    x0 = np.linspace(-1, 1, 8, dtype=np.float32)
    if engine == "numpy":
        return lambda: floor.chain(x0, n_ops)
    if engine == "minigrad":
        import minigrad as mg

        def run_minigrad():
            x = mg.Tensor(x0, requires_grad=True)
            y = x
            for i in range(n_ops):
                y = y * 1.01 if i % 2 == 0 else y.tanh()
            y.backward(np.ones_like(x0))
            return x.grad

        return run_minigrad
    import torch

    def run_torch():
        x = torch.from_numpy(x0).requires_grad_()
        y = x
        for i in range(n_ops):
            y = y * 1.01 if i % 2 == 0 else y.tanh()
        y.backward(torch.ones_like(x))
        return x.grad.numpy()

    return run_torch
