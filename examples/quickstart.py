"""A first look at minigrad: micrograd's classic expression, then a tensor gradient."""

import minigrad as mg

x = mg.tensor(-4.0, requires_grad=True)
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
print(f"y = {y.item():.4f}, dy/dx = {x.grad.item():.4f}")  # -20.0, 46.0

w = mg.randn(3, 2, requires_grad=True)
loss = (mg.tensor([[1.0, 2.0, 3.0]]) @ w).tanh().sum()
loss.backward()
print("d loss / d w =\n", w.grad)
print("gradcheck:", mg.gradcheck(lambda w: (mg.tensor([[1.0, 2.0, 3.0]]) @ w).tanh(), (w,)))
