"""The function transforms of ``minigrad.func``: what each one computes, that they
nest without perturbation confusion, their errors, and their agreement with
``torch.func`` in float64 (to third derivatives, by nesting)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import func
from minigrad import functional as F


def t64(values) -> mg.Tensor:
    return mg.tensor(np.asarray(values, dtype=np.float64))


def close(actual, expected, tol: float = 1e-10) -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=tol, atol=tol)


# ------------------------------------------------------------------- what they compute
def test_jvp_is_the_jacobian_times_the_tangent():
    x, v = t64([0.3, -1.2, 2.0]), t64([1.0, 2.0, -0.5])
    y, t = func.jvp(lambda x: (x * x).tanh(), (x,), (v,))
    close(y.data, np.tanh(x.data**2))
    close(t.data, (1 - np.tanh(x.data**2) ** 2) * 2 * x.data * v.data)


def test_jvp_runs_no_backward_pass_and_records_no_graph():
    x = t64([0.5, 1.5])
    y, t = func.jvp(lambda x: x.exp().sum(), (x,), (t64([1.0, 1.0]),))
    assert not y.requires_grad and not t.requires_grad
    assert y._tangents in (None, {})  # the level is gone with the call


def test_jvp_of_a_function_returning_a_tuple_returns_a_tuple_of_tangents():
    x = t64([1.0, 2.0])
    (a, b), (ta, tb) = func.jvp(lambda x: (x * 2, x.sum()), (x,), (t64([1.0, 0.0]),))
    close(ta.data, [2.0, 0.0])
    assert tb.item() == 1.0


def test_an_output_that_does_not_depend_on_the_input_has_a_zero_tangent():
    c = t64([5.0])
    _, t = func.jvp(lambda x: c * 2, (t64([1.0]),), (t64([1.0]),))
    close(t.data, [0.0])


def test_vjp_gives_one_gradient_per_primal():
    a, b = t64([1.0, 2.0]), t64([3.0, 4.0])
    out, vjp_fn = func.vjp(lambda a, b: a * b, a, b)
    ga, gb = vjp_fn(t64([1.0, 10.0]))
    close(ga.data, [3.0, 40.0])
    close(gb.data, [1.0, 20.0])
    close(out.data, [3.0, 8.0])


def test_grad_with_argnums_and_has_aux():
    def f(x, y):
        return (x * y).sum(), "aux"

    x, y = t64([1.0, 2.0]), t64([3.0, 4.0])
    (gx, gy), aux = func.grad(f, argnums=(0, 1), has_aux=True)(x, y)
    close(gx.data, y.data)
    close(gy.data, x.data)
    assert aux == "aux"


def test_transforms_touch_no_grad_attribute():
    w = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    func.grad(lambda w: (w * w).sum())(w)
    func.jacrev(lambda w: w * w)(w)
    assert w.grad is None


def test_jacfwd_and_jacrev_agree_and_have_shape_output_plus_input():
    x = t64(np.linspace(-1, 1, 6).reshape(2, 3))

    def f(x):
        return (x @ x.T).tanh()  # (2, 2)

    forward, reverse = func.jacfwd(f)(x), func.jacrev(f)(x)
    assert forward.shape == reverse.shape == (2, 2, 2, 3)
    close(forward.data, reverse.data)


def test_hessian_of_a_cubic_and_hvp_without_forming_it():
    x = t64([1.0, -2.0])

    def f(x):
        return (x**3).sum() + x[0] * x[1]

    H = func.hessian(f)(x)
    close(H.data, [[6.0, 1.0], [1.0, -12.0]])
    value, Hv = func.hvp(f, (x,), (t64([1.0, 1.0]),))
    close(Hv.data, H.data @ [1.0, 1.0])
    close(value.data, f(x).data)


def test_third_derivatives_by_nesting_forward_and_reverse():
    x = t64([0.7])
    third = func.jacfwd(func.jacfwd(func.jacfwd(lambda x: x.tanh().sum())))(x)
    mixed = func.jacrev(func.jacfwd(func.jacrev(lambda x: x.tanh().sum())))(x)
    y = np.tanh(0.7)
    expected = -2 * (1 - y**2) * (1 - 3 * y**2)  # d3/dx3 tanh
    close(third.data.ravel(), [expected])
    close(mixed.data.ravel(), [expected])


def test_jvp_of_grad_is_a_hessian_vector_product():
    x, v = t64([1.0, 2.0]), t64([0.5, -1.0])
    _, hv = func.jvp(func.grad(lambda x: (x.exp() * x).sum()), (x,), (v,))
    close(hv.data, np.exp(x.data) * (x.data + 2) * v.data)


# ------------------------------------------------------------- perturbation confusion
def test_nested_jvp_keeps_its_levels_apart_the_classic_confusion_case():
    """d/dx [x * (d/dy (x + y))] = d/dx [x * 1] = 1; mixing the levels gives 2."""
    one = t64(1.0)

    def outer(x):
        _, inner = func.jvp(lambda y: x + y, (one,), (one,))
        return x * inner

    _, derivative = func.jvp(outer, (one,), (one,))
    assert derivative.item() == 1.0


def test_nested_grad_keeps_its_levels_apart_too():
    one = t64(1.0)
    derivative = func.grad(lambda x: x * func.grad(lambda y: x + y)(one))(one)
    assert derivative.item() == 1.0


def test_an_inner_derivative_that_depends_on_the_outer_variable():
    """d/dx [d/dy (x y^2)] at y = 3 = d/dx [6 x] = 6: the inner level must carry x."""
    three = t64(3.0)

    def outer(x):
        return func.grad(lambda y: x * y * y)(three)

    assert func.grad(outer)(t64(2.0)).item() == 6.0
    assert func.jvp(outer, (t64(2.0),), (t64(1.0),))[1].item() == 6.0


# ------------------------------------------------------------------ nested arguments
def test_jacrev_of_a_dict_of_parameters_returns_a_dict_with_the_same_keys():
    model = mg.nn.Linear(3, 2)
    params = {name: p.detach().double() for name, p in model.named_parameters()}
    x = t64(np.ones((4, 3)))
    jac = func.jacrev(lambda p: func.functional_call(model, p, (x,)))(params)
    assert list(jac) == ["weight", "bias"]
    assert jac["weight"].shape == (4, 2, 2, 3) and jac["bias"].shape == (4, 2, 2)
    close(jac["bias"].data, np.broadcast_to(np.eye(2), (4, 2, 2)))


def test_functional_call_leaves_the_module_unchanged():
    model = mg.nn.Linear(2, 1)
    own = model.weight
    out = func.functional_call(model, {"weight": t64([[2.0, 3.0]])}, (t64([[1.0, 1.0]]),))
    assert model.weight is own
    close(out.data, [[5.0 + float(model.bias.data[0])]], tol=1e-6)  # a float32 bias


def test_functional_call_names_an_unknown_parameter():
    with pytest.raises(KeyError, match="no parameter or buffer named 'wieght'"):
        func.functional_call(mg.nn.Linear(2, 1), {"wieght": t64([[1.0, 1.0]])}, (t64([1.0, 1.0]),))


# ---------------------------------------------------------------------- bad input
def test_jvp_refuses_tangents_of_another_shape_and_shows_both_shapes():
    with pytest.raises(
        ValueError, match=r"tangent 0 has shape \(4,\).*primal 0 has shape \(3, 4\)"
    ):
        func.jvp(lambda x: x, (t64(np.ones((3, 4))),), (t64(np.ones(4)),))


def test_jvp_refuses_a_tangent_of_another_dtype():
    with pytest.raises(ValueError, match="float32.*float64"):
        func.jvp(lambda x: x, (t64([1.0]),), (mg.tensor([1.0]),))


def test_jvp_refuses_primals_and_tangents_of_different_lengths():
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        func.jvp(lambda x, y: x, (t64([1.0]), t64([1.0])), (t64([1.0]),))


def test_a_tangent_for_an_integer_input_is_a_type_error():
    with pytest.raises(TypeError, match="primal 0 has dtype int64"):
        func.jvp(lambda x: x, (mg.tensor([1, 2]),), (mg.tensor([1, 2]),))


def test_grad_of_a_function_with_more_than_one_output_element_is_backwards_error():
    with pytest.raises(RuntimeError, match="only for a tensor of one element"):
        func.grad(lambda x: x * 2)(t64([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="only for a tensor of one element"):
        (t64([1.0, 2.0]) * mg.tensor([1.0, 1.0], requires_grad=True).double()).backward()


def test_argnums_out_of_range_is_named():
    with pytest.raises(ValueError, match="argnums=2 is out of range"):
        func.grad(lambda x, y: (x * y).sum(), argnums=2)(t64([1.0]), t64([1.0]))
    with pytest.raises(ValueError, match=r"argnums=\(0, 5\)"):
        func.jacfwd(lambda x: x, argnums=(0, 5))(t64([1.0]))


# ------------------------------------------------------------- your own Function
class Cube(mg.Function):
    """y = x**3, with all three rules written by hand."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return 3 * x * x * tx


class CubeWithAWrongJvp(Cube):
    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return 2 * x * x * tx  # should be 3 x^2


class CubeWithoutJvp(mg.Function):
    forward = Cube.forward
    backward = Cube.backward


def test_a_function_with_its_own_jvp_works_in_forward_mode_and_nests():
    x = mg.tensor(np.array([1.5, -0.5]), requires_grad=True)
    assert mg.gradcheck(Cube.apply, (x,), check_forward_ad=True)
    second = func.jacfwd(func.jacfwd(lambda x: Cube.apply(x).sum()))(x.detach())
    close(second.data, np.diag(6 * x.data))


def test_gradcheck_with_check_forward_ad_catches_a_wrong_jvp():
    x = mg.tensor(np.array([1.5, -0.5]), requires_grad=True)
    with pytest.raises(mg.GradcheckError, match="forward mode"):
        mg.gradcheck(CubeWithAWrongJvp.apply, (x,), check_forward_ad=True)
    assert mg.gradcheck(CubeWithAWrongJvp.apply, (x,))  # reverse mode alone cannot see it


def test_forward_mode_without_a_jvp_names_the_class():
    with pytest.raises(NotImplementedError, match="CubeWithoutJvp has no forward-mode rule"):
        func.jvp(CubeWithoutJvp.apply, (t64([1.0]),), (t64([1.0]),))


# ------------------------------------------------------------ against torch.func
torch_cases = {
    "mlp": lambda m, x: m.tanh(x @ m.W1 + m.b1) @ m.W2,
    "softmax_of_a_product": lambda m, x: m.softmax(x * x.sum()),
    "norms_and_division": lambda m, x: m.norm(x) / (1 + (x * x).sum()),
    "exp_log_sqrt": lambda m, x: m.sqrt(m.exp(x) + 1) * m.log(1 + x * x),
}


class _Minigrad:
    W1 = t64(np.linspace(-1, 1, 12).reshape(3, 4))
    b1 = t64(np.linspace(0, 0.3, 4))
    W2 = t64(np.linspace(1, -1, 8).reshape(4, 2))
    tanh = staticmethod(mg.Tensor.tanh)
    exp = staticmethod(mg.Tensor.exp)
    log = staticmethod(mg.Tensor.log)
    sqrt = staticmethod(mg.Tensor.sqrt)
    norm = staticmethod(lambda x: x.norm())
    softmax = staticmethod(lambda x: F.softmax(x, axis=-1))


def _torch_namespace():
    torch = pytest.importorskip("torch")

    class Torch:
        W1 = torch.tensor(_Minigrad.W1.data)
        b1 = torch.tensor(_Minigrad.b1.data)
        W2 = torch.tensor(_Minigrad.W2.data)
        tanh = staticmethod(torch.tanh)
        exp = staticmethod(torch.exp)
        log = staticmethod(torch.log)
        sqrt = staticmethod(torch.sqrt)
        # composed: torch's fused vector_norm fails in jacrev(jacfwd(jacfwd)) (in place)
        norm = staticmethod(lambda x: torch.sqrt((x * x).sum()))
        softmax = staticmethod(lambda x: torch.softmax(x, dim=-1))

    return torch, Torch


@pytest.mark.needs_torch
@pytest.mark.parametrize("name", sorted(torch_cases))
def test_every_transform_agrees_with_torch_func_in_float64(name):
    torch, Torch = _torch_namespace()
    f = torch_cases[name]
    x_np = np.array([0.3, -0.8, 1.1])
    v_np = np.array([1.0, 0.5, -2.0])

    def ours(x):
        return f(_Minigrad, x)

    def theirs(x):
        return f(Torch, x)

    def scalar_ours(x):
        return ours(x).sum()

    def scalar_theirs(x):
        return theirs(x).sum()

    x, v = t64(x_np), t64(v_np)
    tx, tv = torch.tensor(x_np), torch.tensor(v_np)
    pairs = [
        (func.jvp(ours, (x,), (v,))[1], torch.func.jvp(theirs, (tx,), (tv,))[1]),
        (
            func.vjp(ours, x)[1](mg.ones_like(ours(x)))[0],
            torch.func.vjp(theirs, tx)[1](torch.ones_like(theirs(tx)))[0],
        ),
        (func.grad(scalar_ours)(x), torch.func.grad(scalar_theirs)(tx)),
        (func.jacrev(ours)(x), torch.func.jacrev(theirs)(tx)),
        (func.jacfwd(ours)(x), torch.func.jacfwd(theirs)(tx)),
        (func.hessian(scalar_ours)(x), torch.func.hessian(scalar_theirs)(tx)),
        (
            func.hvp(scalar_ours, (x,), (v,))[1],
            torch.func.jvp(torch.func.grad(scalar_theirs), (tx,), (tv,))[1],
        ),
        (
            func.jacfwd(func.jacfwd(func.jacrev(scalar_ours)))(x),
            torch.func.jacfwd(torch.func.jacfwd(torch.func.jacrev(scalar_theirs)))(tx),
        ),
        (
            func.jacrev(func.jacfwd(func.jacfwd(scalar_ours)))(x),
            torch.func.jacrev(torch.func.jacfwd(torch.func.jacfwd(scalar_theirs)))(tx),
        ),
    ]
    for mine, reference in pairs:
        assert mine.shape == tuple(reference.shape)
        close(mine.data, reference.detach().numpy(), tol=1e-9)


@pytest.mark.needs_torch
def test_jacrev_over_a_models_parameters_agrees_with_torch_func():
    torch, _ = _torch_namespace()
    mg.manual_seed(0)
    model = mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.Tanh(), mg.nn.Linear(4, 2))
    params = {n: p.detach().double() for n, p in model.named_parameters()}
    x_np = np.linspace(-1, 1, 6).reshape(2, 3)
    ours = func.jacrev(lambda p: func.functional_call(model, p, (t64(x_np),)))(params)

    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    torch_params = {n: torch.tensor(p.data) for n, p in params.items()}  # the same names
    theirs = torch.func.jacrev(
        lambda p: torch.func.functional_call(reference.double(), p, (torch.tensor(x_np),))
    )(torch_params)
    assert list(ours) == list(theirs)
    for name in ours:
        close(ours[name].data, theirs[name].numpy(), tol=1e-9)


# --------------------------------------------------------------- the docs page
def test_the_forward_mode_page_runs_and_its_numbers_hold():
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "forward-mode.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.+?)```", page, re.S) if "(Function)" not in b]
    names: dict = {}
    for block in blocks:
        exec(compile(block, "docs/forward-mode.md", "exec"), names)
    np.testing.assert_allclose(names["y_dot"].data, [0.9400, 0.0], atol=5e-5)
    np.testing.assert_allclose(names["Hv"].data, names["H"].data @ names["v"].data)
    assert names["H"].shape == (2, 2)
    assert func.jvp(names["outer"], (names["one"],), (names["one"],))[1].item() == 1.0
    assert names["J"]["weight"].shape == (4, 2, 2, 3)


def test_numpy_arrays_are_accepted_as_primals_and_tangents():
    y, t = func.jvp(lambda x: x * x, (np.array([3.0]),), (np.array([1.0]),))
    assert isinstance(t, mg.Tensor) and t.item() == 6.0
    assert func.grad(lambda x: (x * x).sum())(np.array([2.0])).item() == 4.0


def test_transforms_give_the_same_result_inside_no_grad():
    """A transform's result does not depend on a context manager outside it."""
    f = func.grad(lambda x: (x**3).sum())
    with mg.no_grad():
        inside = f(t64([2.0]))
        _, tangent = func.jvp(lambda x: x.tanh(), (t64([0.5]),), (t64([1.0]),))
    assert inside.item() == 12.0
    close(tangent.data, [1 - np.tanh(0.5) ** 2])


def test_jacfwd_sees_one_dropout_mask_for_every_column():
    mg.manual_seed(0)
    x = t64(np.ones(6))
    jac = func.jacfwd(lambda x: mg.functional.dropout(x, 0.5, training=True))(x)
    mask = np.diag(jac.data)
    assert set(np.unique(mask)) <= {0.0, 2.0}
    close(jac.data, np.diag(mask))  # one mask: the Jacobian of x * mask / (1 - p)


def test_a_function_without_jvp_is_fine_where_no_tangent_reaches_it():
    c = t64([2.0])
    _, t = func.jvp(lambda x: x * CubeWithoutJvp.apply(c), (t64([1.0]),), (t64([1.0]),))
    assert t.item() == 8.0  # d/dx (x * c**3)


def test_jacobians_of_an_empty_output_or_input_are_empty_blocks():
    x = t64([1.0, 2.0])
    for jacobian in (func.jacrev, func.jacfwd):
        assert jacobian(lambda x: x[:0])(x).shape == (0, 2)
        assert jacobian(lambda x: x.sum() * 0 + x[:0].sum())(t64(np.zeros(0))).shape == (0,)


def test_vjp_fn_refuses_a_cotangent_of_another_shape():
    _, vjp_fn = func.vjp(lambda x: x * 2, t64([1.0, 2.0]))
    with pytest.raises(
        ValueError, match=r"cotangent 0 has shape \(3,\), but output 0 has shape \(2,\)"
    ):
        vjp_fn(t64([1.0, 1.0, 1.0]))
