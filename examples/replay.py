"""Watch backprop: pages that step through minigrad's own backward pass, op by op.

Writes two pages into ``--out`` (open them in any browser; they load nothing):

- ``replay_micrograd.html``: micrograd's README expression of ``a = -4`` and
  ``b = 2``. Its 25 steps end with dg/da = 138.83 and dg/db = 645.58, micrograd's
  (and PyTorch's) answer; on the way, ``a`` and ``b`` each collect their gradient
  from the 5 places they are used, one contribution per step.
- ``replay_mlp_l1.html``: one step of a 2-16-16-2 ReLU network on two moons, loss =
  cross-entropy + λ·Σ|w|, after 1,000 steps of SGD with a proximal L1 step, which
  set 159 of its 354 parameters exactly to 0. |w| has a kink at 0, and the replay
  counts the inputs that sat on one:

  - the ``AbsSum`` step (the L1 penalty) has 159 kinks, one per parameter that is
    exactly 0: there its rule sends 0, the minimum-norm subgradient, not ±λ;
  - the second hidden layer's ``Relu`` has 8: its pre-activations that are
    exactly 0, in units whose bias became 0 and whose remaining weights all come
    from first-layer units that are off for that sample. Only a sparse network
    lands exactly on a ReLU's kink like this.

  (With ``--quick``, 300 training steps: 42 zeros, all counted in ``AbsSum``.)

    python examples/replay.py            # the pages, and the kinks they show
    python examples/replay.py --quick    # fewer training steps
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _common import make_parser, parse_args, print_table, write_results

import minigrad as mg
from minigrad import functional as F
from minigrad import nn, optim, viz
from minigrad.data import make_moons


def micrograd_expression() -> tuple[mg.Tensor, dict[str, mg.Tensor]]:
    """micrograd's README expression, with its leaves named as there."""
    a = mg.tensor(-4.0, requires_grad=True, dtype=np.float64)
    b = mg.tensor(2.0, requires_grad=True, dtype=np.float64)
    a.name, b.name = "a", "b"
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)  # micrograd's c += c + 1
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.name = "g"
    return g, {"a": a, "b": b}


def mlp_with_l1(train_steps: int, l1: float, seed: int):
    """A 2-16-16-2 ReLU network trained on two moons with proximal L1 steps on every
    parameter (exact zeros), and the loss of one more step on a batch of 8:
    cross-entropy + l1·Σ|w|, summed over the same parameters."""
    mg.manual_seed(seed)
    X, y = make_moons(200, noise=0.2, seed=seed)
    model = nn.MLP(2, [16, 16], 2, activation="relu")
    params = list(model.parameters())
    opt = optim.SGD(params, lr=0.1, l1=l1)
    rng = np.random.default_rng(seed)
    for _ in range(train_steps):
        batch = rng.choice(len(X), 32, replace=False)
        loss = F.cross_entropy(model(mg.tensor(X[batch])), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()  # the gradient step, then soft-thresholding: small weights become 0
    loss = F.cross_entropy(model(mg.tensor(X[:8])), y[:8]) + l1 * F.l1_penalty(params)
    loss.name = "loss"
    return loss, model, params


def main(argv: Sequence[str] | None = None) -> dict:
    parser = make_parser("replay", __doc__.split("\n\n")[0])
    parser.add_argument("--l1", type=float, default=0.002, help="L1 strength (default: 0.002)")
    args = parse_args(parser, argv)

    g, leaves = micrograd_expression()
    micrograd = viz.replay(g)
    micrograd_page = micrograd.save(args.out / "replay_micrograd.html")
    grads = {name: float(micrograd.grads[t]) for name, t in leaves.items()}
    print_table(
        "micrograd's expression: dg/d(leaf) after the last step",
        ["leaf", "gradient", "steps that sent it something"],
        [
            [name, grads[name], sum(any(x is t for x in s.inputs) for s in micrograd.steps)]
            for name, t in leaves.items()
        ],
    )

    loss, model, params = mlp_with_l1(300 if args.quick else 1000, args.l1, args.seed)
    mlp = viz.replay(loss, module=model)
    mlp_page = mlp.save(args.out / "replay_mlp_l1.html")
    kinks: dict[str, int] = {}
    for step in mlp.steps:
        kinks[step.op] = kinks.get(step.op, 0) + step.kinks
    zeros = sum(int((p.data == 0).sum()) for p in params)
    print_table(
        f"MLP + {args.l1}·Σ|w|, one step on 8 points: inputs at a kink, by op",
        ["op", "kinks"],
        sorted(kinks.items()),
    )
    print(f"{zeros} of {sum(p.size for p in params)} parameters are exactly 0")
    print(f"wrote {micrograd_page} and {mlp_page}")

    results = {
        "pages": [str(micrograd_page), str(mlp_page)],
        "micrograd": {"steps": len(micrograd.steps), "grads": grads},
        "mlp": {"steps": len(mlp.steps), "kinks_by_op": kinks, "zero_parameters": zeros},
    }
    write_results(results, args.out, "replay")
    return results


if __name__ == "__main__":
    main()
