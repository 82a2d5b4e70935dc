"""minigrad.autograd.functional against torch.autograd.functional: values, structure, errors."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TF
from hypothesis import given, settings, strategies as st

import minigrad
import minigrad.autograd.functional as MF


def to_mg(t):
    return minigrad.from_torch(t)


def assert_same(mine, ref, check_requires_grad=True):
    """Same nesting (tuples), shapes, values and requires_grad."""
    if isinstance(ref, (tuple, list)):
        assert isinstance(mine, tuple) and len(mine) == len(ref)
        for m, r in zip(mine, ref):
            assert_same(m, r, check_requires_grad)
        return
    assert isinstance(mine, minigrad.Tensor)
    assert tuple(mine.shape) == tuple(ref.shape)
    if check_requires_grad:
        assert mine.requires_grad == ref.requires_grad
    np.testing.assert_allclose(mine.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)


# Functions written with tensor methods only, so that they run on both libraries.
FUNCS = {
    "one_in_one_out": (lambda x: (x.sin() * x).exp(), 1),
    "two_in_one_out": (lambda x, y: (x * y).tanh() + x, 2),
    "two_in_two_out": (lambda x, y: ((x * y).exp(), x.sum() * y), 2),
}
SCALAR_FUNCS = {
    "one_in": (lambda x: (x.sin() * x * x).sum(), 1),
    "two_in": (lambda x, y: ((x * y) ** 3).sum() + (x.exp() * y).sum(), 2),
}


def make_inputs(n, seed):
    g = torch.Generator().manual_seed(seed)
    shapes = [(3,), (2, 3)][:n]
    ts = tuple(torch.randn(s, generator=g, dtype=torch.float64) for s in shapes)
    return ts, tuple(to_mg(t) for t in ts)


def pack(xs, n):
    return xs if n > 1 else xs[0]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", FUNCS)
def test_vjp_jvp_jacobian_match_torch(name, create_graph):
    f, n = FUNCS[name]
    ts, ms = make_inputs(n, 0)
    outs = f(*ts)
    out_tuple = isinstance(outs, tuple)
    g = torch.Generator().manual_seed(1)
    v_out = tuple(torch.randn(o.shape, generator=g, dtype=torch.float64)
                  for o in (outs if out_tuple else (outs,)))
    v_in = tuple(torch.randn(t.shape, generator=g, dtype=torch.float64) for t in ts)
    v_out_t, v_in_t = pack(v_out, 2 if out_tuple else 1), pack(v_in, n)
    v_out_m = tuple(to_mg(v) for v in v_out) if out_tuple else to_mg(v_out[0])
    v_in_m = pack(tuple(to_mg(v) for v in v_in), n)

    assert_same(MF.vjp(f, pack(ms, n), v_out_m, create_graph=create_graph),
                TF.vjp(f, pack(ts, n), v_out_t, create_graph=create_graph))
    assert_same(MF.jvp(f, pack(ms, n), v_in_m, create_graph=create_graph),
                TF.jvp(f, pack(ts, n), v_in_t, create_graph=create_graph))
    assert_same(MF.jacobian(f, pack(ms, n), create_graph=create_graph),
                TF.jacobian(f, pack(ts, n), create_graph=create_graph))


@pytest.mark.parametrize("name", FUNCS)
def test_forward_mode_jacobian_matches_reverse_mode(name):
    f, n = FUNCS[name]
    ts, ms = make_inputs(n, 2)
    fwd = MF.jacobian(f, pack(ms, n), strategy="forward-mode")
    ref = TF.jacobian(f, pack(ts, n))
    assert_same(fwd, ref)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", SCALAR_FUNCS)
def test_hessian_hvp_vhp_match_torch(name, create_graph):
    f, n = SCALAR_FUNCS[name]
    ts, ms = make_inputs(n, 3)
    g = torch.Generator().manual_seed(4)
    v = tuple(torch.randn(t.shape, generator=g, dtype=torch.float64) for t in ts)
    vm = pack(tuple(to_mg(x) for x in v), n)
    assert_same(MF.hessian(f, pack(ms, n), create_graph=create_graph),
                TF.hessian(f, pack(ts, n), create_graph=create_graph))
    for fn in ("hvp", "vhp"):
        assert_same(getattr(MF, fn)(f, pack(ms, n), vm, create_graph=create_graph),
                    getattr(TF, fn)(f, pack(ts, n), pack(v, n), create_graph=create_graph))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's vmap path warns
@pytest.mark.parametrize("name", SCALAR_FUNCS)
def test_forward_over_reverse_hessian_matches_torch(name):
    f, n = SCALAR_FUNCS[name]
    ts, ms = make_inputs(n, 5)
    mine = MF.hessian(f, pack(ms, n), outer_jacobian_strategy="forward-mode")
    ref = TF.hessian(f, pack(ts, n), vectorize=True, outer_jacobian_strategy="forward-mode")
    # torch's forward-mode result keeps a grad_fn it does not need; minigrad returns it detached
    assert_same(mine, ref, check_requires_grad=False)
    assert_same(mine, TF.hessian(f, pack(ts, n)))


def test_create_graph_results_are_differentiable():
    """With create_graph=True a vjp can be differentiated again (a second derivative)."""
    x = minigrad.tensor([0.5, -1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    _, g = MF.vjp(lambda t: (t ** 3).sum(), x, create_graph=True)
    (h,) = minigrad.autograd.grad(g.sum(), x)
    xt = x.to_torch()
    _, gt = TF.vjp(lambda t: (t ** 3).sum(), xt, create_graph=True)
    (ht,) = torch.autograd.grad(gt.sum(), xt)
    np.testing.assert_allclose(h.numpy(), ht.numpy())


def test_seed_example_numbers():
    """The seed's sin(dot(x, y)) example: f = 0.7739, VJP and JVP (2.9133) equal torch's."""
    def f(a, b):
        return (a * b).sum().sin()
    xs = (torch.arange(1.0, 5.0), torch.arange(5.0, 9.0))
    vs = (torch.full((4,), 0.1), torch.full((4,), 0.2))
    mine_vjp = MF.vjp(f, tuple(to_mg(t) for t in xs))
    mine_jvp = MF.jvp(f, tuple(to_mg(t) for t in xs), tuple(to_mg(t) for t in vs))
    ref_vjp, ref_jvp = TF.vjp(f, xs), TF.jvp(f, xs, vs)
    for mine, ref in ((mine_vjp, ref_vjp), (mine_jvp, ref_jvp)):
        np.testing.assert_allclose(mine[0].item(), ref[0].item(), rtol=1e-6)
    for m, r in zip(mine_vjp[1], ref_vjp[1]):
        np.testing.assert_allclose(m.numpy(), r.numpy(), rtol=1e-5)
    np.testing.assert_allclose(mine_jvp[1].item(), ref_jvp[1].item(), rtol=1e-5)
    assert round(mine_jvp[1].item(), 4) == 2.9133 and round(mine_vjp[1][1][0].item(), 4) == 0.6333


def test_inputs_are_not_modified_and_results_are_detached():
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64)
    out, v = MF.vjp(lambda t: (t * t).sum(), x)
    assert not x.requires_grad and x.grad is None
    assert not out.requires_grad and not v.requires_grad


@settings(max_examples=15, deadline=None)
@given(shape_x=st.lists(st.integers(1, 3), min_size=1, max_size=2), broadcast=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_jacobian_with_broadcasting_matches_torch(shape_x, broadcast, seed):
    shape_y = shape_x[-1:] if broadcast else shape_x
    g = torch.Generator().manual_seed(seed)
    xt = torch.randn(shape_x, generator=g, dtype=torch.float64)
    yt = torch.randn(shape_y, generator=g, dtype=torch.float64)

    def f(x, y):
        return (x * y).sin() + y.exp()
    assert_same(MF.jacobian(f, (to_mg(xt), to_mg(yt))), TF.jacobian(f, (xt, yt)))


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return type(e), str(e).replace("minigrad.", "torch.")
    return None


X = torch.tensor([0.3, -0.2, 0.7], dtype=torch.float64)
Y = torch.tensor([[0.1, 0.5, -0.4], [1.0, 2.0, 3.0]], dtype=torch.float64)
ERROR_CASES = {
    "v needed": lambda F, x, y: F.vjp(lambda a, b: a * b, (x, y)),
    "v wrong size": lambda F, x, y: F.vjp(lambda a, b: a * b, (x, y), x),
    "v wrong length": lambda F, x, y: F.jvp(lambda a, b: a * b, (x, y), (x,)),
    "jvp needs v": lambda F, x, y: F.jvp(lambda a: a * 2, x),
    "list inputs": lambda F, x, y: F.vjp(lambda a, b: (a * b).sum(), [x, y]),
    "hessian non-scalar": lambda F, x, y: F.hessian(lambda a: a * a, x),
    "hvp non-scalar": lambda F, x, y: F.hvp(lambda a: a * a, x, x),
    "strict independent": lambda F, x, y: F.vjp(lambda a, b: a * 2, (x, y), x, strict=True),
    "strict jacobian": lambda F, x, y: F.jacobian(lambda a, b: a * 2, (x, y), strict=True),
    "strict linear hessian": lambda F, x, y: F.hessian(lambda a: a.sum(), x, strict=True),
    "strict detached": lambda F, x, y: F.jvp(lambda a: a.detach(), x, x, strict=True),
    "strict create_graph": lambda F, x, y: F.vjp(lambda a: (a * 2).sum(), x, strict=True,
                                                 create_graph=True),
    "bad strategy": lambda F, x, y: F.jacobian(lambda a: a, x, strategy="sideways"),
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_errors_match_torch(case):
    call = ERROR_CASES[case]
    ref = _error(lambda: call(TF, X, Y))
    assert ref is not None
    assert _error(lambda: call(MF, to_mg(X), to_mg(Y))) == ref


def test_forward_over_reverse_through_advanced_indexing_matches_torch():
    """The hessian by forward mode over reverse runs the jvp of indexing's backward."""
    def f(x):
        return (x[[0, 2, 2]] ** 3).sum() + (x[x > 0] ** 2).sum()
    ts, ms = make_inputs(1, 7)
    mine = MF.hessian(f, pack(ms, 1), outer_jacobian_strategy="forward-mode")
    assert_same(mine, TF.hessian(f, pack(ts, 1)))
