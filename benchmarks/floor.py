"""The numpy floor: each workload's training step written out by hand, forward and
backward, with no framework. Whatever an engine adds on top of this is its overhead."""

from __future__ import annotations

import numpy as np

from . import spec


def _linear_backward(g, x, w, grads, need_dx=True):
    """y = x @ w.T + b: append (dW, db) and return dx (not computed for the data)."""
    grads.append((g.T @ x, g.sum(axis=0)))
    return g @ w if need_dx else None


def micro_step(params, batch):
    """ReLU MLP, SVM loss mean(max(0, 1 - y s)) + alpha * sum(p**2), SGD."""
    x, y = batch
    acts = [x]
    for w, b in params[:-1]:
        acts.append(np.maximum(acts[-1] @ w.T + b, 0))
    w3, b3 = params[-1]
    s = (acts[-1] @ w3.T + b3)[:, 0]
    margin = 1 - y * s
    loss = np.maximum(margin, 0).mean() + spec.L2_MICRO * sum(
        (w * w).sum() + (b * b).sum() for w, b in params
    )
    gs = ((margin > 0) * -y / np.float32(len(y)))[:, None]
    grads = []
    g = _linear_backward(gs, acts[-1], w3, grads)
    for k, ((w, _), a_in, a_out) in enumerate(zip(params[-2::-1], acts[-2::-1], acts[:0:-1])):
        g = _linear_backward(g * (a_out > 0), a_in, w, grads, need_dx=k < len(params) - 2)
    for (w, b), (gw, gb) in zip(params, grads[::-1]):
        w -= spec.LR_MICRO * (gw + 2 * spec.L2_MICRO * w)
        b -= spec.LR_MICRO * (gb + 2 * spec.L2_MICRO * b)
    return float(loss)


def _softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(labels)
    loss = -log_probs[np.arange(n), labels].mean()
    g = np.exp(log_probs)
    g[np.arange(n), labels] -= 1
    return loss, g / n


class MLPFloor:
    """ReLU MLP, cross-entropy + alpha * sum(p**2), SGD with momentum (PyTorch's form)."""

    def __init__(self, params):
        self.params = params
        self.velocity = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]

    def step(self, batch):
        x, labels = batch
        acts = [x]
        for w, b in self.params[:-1]:
            acts.append(np.maximum(acts[-1] @ w.T + b, 0))
        w3, b3 = self.params[-1]
        loss, g = _softmax_cross_entropy(acts[-1] @ w3.T + b3, labels)
        loss += spec.L2_MLP * sum((w * w).sum() + (b * b).sum() for w, b in self.params)
        grads = []
        g = _linear_backward(g, acts[-1], w3, grads)
        hidden = zip(self.params[-2::-1], acts[-2::-1], acts[:0:-1])
        for k, ((w, _), a_in, a_out) in enumerate(hidden):
            g = _linear_backward(g * (a_out > 0), a_in, w, grads, need_dx=k < len(acts) - 2)
        for (w, b), (gw, gb), (vw, vb) in zip(self.params, grads[::-1], self.velocity):
            for p, gp, v in ((w, gw, vw), (b, gb, vb)):
                gp += 2 * spec.L2_MLP * p
                v *= spec.MOMENTUM
                v += gp
                p -= spec.LR_MLP * v
        return float(loss)


class RegularizedFloor:
    """Linear-BatchNorm-ReLU-Dropout hidden layers, CE + alpha * sum|p|, Adam."""

    def __init__(self, params, dropout=spec.DROPOUT, seed=0):
        hidden = [w.shape[0] for w, _ in params[:-1]]
        self.params = list(params)
        self.gamma = [np.ones(h, np.float32) for h in hidden]
        self.beta = [np.zeros(h, np.float32) for h in hidden]
        self.running = [(np.zeros(h, np.float32), np.ones(h, np.float32)) for h in hidden]
        self.dropout = dropout
        self.rng = np.random.default_rng(seed)
        self.t = 0
        every = [p for wb in self.params for p in wb] + self.gamma + self.beta
        self.m = [np.zeros_like(p) for p in every]
        self.v = [np.zeros_like(p) for p in every]

    def all_params(self):
        return [p for wb in self.params for p in wb] + self.gamma + self.beta

    def step(self, batch):
        x, labels = batch
        caches, h = [], x
        keep = 1 - self.dropout
        for (w, b), gamma, beta, (rm, rv) in zip(
            self.params[:-1], self.gamma, self.beta, self.running
        ):
            z = h @ w.T + b
            mean, var = z.mean(axis=0), z.var(axis=0)
            inv_std = 1 / np.sqrt(var + spec.BN_EPS)
            xhat = (z - mean) * inv_std
            n = len(z)
            rm *= 1 - spec.BN_MOMENTUM
            rm += spec.BN_MOMENTUM * mean
            rv *= 1 - spec.BN_MOMENTUM
            rv += spec.BN_MOMENTUM * var * n / (n - 1)
            a = np.maximum(xhat * gamma + beta, 0)
            mask = (self.rng.random(a.shape, dtype=np.float32) < keep) / np.float32(keep)
            caches.append((h, xhat, inv_std, a, mask))
            h = a * mask
        w3, b3 = self.params[-1]
        loss, g = _softmax_cross_entropy(h @ w3.T + b3, labels)
        every = self.all_params()
        loss += spec.L1_REG * sum(np.abs(p).sum() for p in every[: 2 * len(self.params)])
        grads = []
        g = _linear_backward(g, h, w3, grads)
        bn_grads = []
        hidden = zip(self.params[-2::-1], self.gamma[::-1], caches[::-1])
        for k, ((w, _), gamma, (h_in, xhat, inv_std, a, mask)) in enumerate(hidden):
            g = g * mask * (a > 0)
            dgamma, dbeta = (g * xhat).sum(axis=0), g.sum(axis=0)
            bn_grads.append((dgamma, dbeta))
            dxhat = g * gamma
            dz = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
            g = _linear_backward(dz, h_in, w, grads, need_dx=k < len(caches) - 1)
        flat = [gp for gw_gb in grads[::-1] for gp in gw_gb]
        flat += [dg for dg, _ in bn_grads[::-1]] + [db for _, db in bn_grads[::-1]]
        for p, gp in zip(every[: 2 * len(self.params)], flat):
            gp += spec.L1_REG * np.sign(p)
        self._adam(every, flat)
        return float(loss)

    def _adam(self, params, grads, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= spec.LR_ADAM * (m / c1) / (np.sqrt(v / c2) + eps)


def chain(x0, n_ops):
    """Forward and backward of y = tanh(1.01 * tanh(1.01 * ... x)), n_ops ops in all."""
    ys = [x0]
    for i in range(n_ops):
        ys.append(ys[-1] * 1.01 if i % 2 == 0 else np.tanh(ys[-1]))
    g = np.ones_like(x0)
    for i in reversed(range(n_ops)):
        g = g * 1.01 if i % 2 == 0 else g * (1 - ys[i + 1] * ys[i + 1])
    return g
