"""Derivatives at their edges, side by side with torch: where a formula gives 0/0 or 0*inf (torch
defines 0), step functions (requires_grad, zero gradient), %, ties in max/min, products with
zeros, and forward mode there too."""
import pytest

import minigrad
from torch_pairs import same

def _t(L, values, requires_grad=True):
    return L.tensor(values, dtype=L.float64, requires_grad=requires_grad)


def _grads(f):
    """A snippet: the value of f(L, x) and d sum(f) / dx, for a few inputs x."""
    def run(L, values):
        x = _t(L, values)
        y = f(L, x)
        g, = L.autograd.grad(y.sum(), x, allow_unused=True, materialize_grads=True)
        return [y, g, y.requires_grad, y.grad_fn.name() if y.grad_fn is not None else None]
    return run


def _jvp(f):
    def run(L, values):
        fwd = L.autograd.forward_ad
        with fwd.dual_level():
            x = fwd.make_dual(_t(L, values, False), L.ones(len(values), dtype=L.float64))
            return list(fwd.unpack_dual(f(L, x)))
    return run


EDGES = {
    "norm_at_zero": (lambda L, x: x.norm(), [0.0, 0.0, 0.0]),
    "norm_1_at_zero": (lambda L, x: x.norm(1), [0.0, 0.0]),
    "norm_inf_ties": (lambda L, x: x.norm(float("inf")), [1.0, -3.0, 3.0]),
    "norm_dim_at_zero": (lambda L, x: x.reshape(2, 2).norm(dim=1), [0.0, 0.0, 3.0, 4.0]),
    "norm_3": (lambda L, x: x.norm(3), [1.0, -2.0, 0.5]),
    "zero_pow_x": (lambda L, x: 0.0 ** x, [0.0, 1.0, 2.5]),
    "x_pow_zero": (lambda L, x: x ** 0, [0.0, 1.0]),
    "fraction_pow_x": (lambda L, x: 0.5 ** x, [0.0, 1.0, -2.0]),
    "one_pow_x": (lambda L, x: 1.0 ** x, [0.0, 3.0]),
    "pow_zero_zero": (lambda L, x: L.pow(x, x * 0), [0.0, 2.0]),
    "pow_tensors_at_zero": (lambda L, x: L.pow(x, x * 2), [0.0, 1.5]),
    "floor": (lambda L, x: L.floor(x * 1.5), [1.2, -0.7]),
    "ceil": (lambda L, x: x.ceil(), [1.2, -0.7]),
    "trunc": (lambda L, x: x.trunc(), [1.2, -0.7]),
    "round": (lambda L, x: x.round(), [1.2, -0.5, 2.5]),
    "round_decimals": (lambda L, x: L.round(x, decimals=1), [1.26, -0.74]),
    "sign": (lambda L, x: x.sign(), [1.2, 0.0, -0.7]),
    "remainder_scalar": (lambda L, x: x % 0.7, [1.2, -2.5, 3.0]),
    "remainder_tensor": (lambda L, x: x % (x.detach() * 0 + 0.7), [1.2, -2.5]),
    "remainder_grad_of_divisor": (lambda L, x: L.remainder(x * 0 + 5.0, x), [1.5, -2.0, 3.0]),
    "fmod": (lambda L, x: L.fmod(x, 0.7), [1.2, -2.5]),
    "fmod_tensor": (lambda L, x: L.fmod(x * 0 + 5.0, x), [1.5, -2.0]),
    "div_floor": (lambda L, x: L.div(x, 0.7, rounding_mode="floor"), [1.2, -2.5]),
    "div_trunc": (lambda L, x: L.div(x, x.detach() * 0 + 0.7, rounding_mode="trunc"), [1.2, -2.5]),
    "prod_no_zero": (lambda L, x: x.prod(), [2.0, -3.0, 0.5]),
    "prod_one_zero": (lambda L, x: x.prod(), [2.0, 0.0, 3.0]),
    "prod_two_zeros": (lambda L, x: x.prod(), [2.0, 0.0, 0.0]),
    "prod_dim_zeros": (lambda L, x: x.reshape(2, 2).prod(1), [0.0, 3.0, 2.0, 5.0]),
    "prod_keepdim": (lambda L, x: x.reshape(2, 2).prod(0, keepdim=True), [1.0, 0.0, 2.0, 5.0]),
    "max_ties": (lambda L, x: x.max(), [1.0, 3.0, 3.0, 2.0]),
    "min_ties": (lambda L, x: x.min(), [1.0, -3.0, 2.0, -3.0]),
    "amax_ties": (lambda L, x: x.amax(), [3.0, 3.0, 3.0]),
    "amin_ties": (lambda L, x: x.amin(), [1.0, 1.0, 2.0]),
    "amax_dim_ties": (lambda L, x: x.reshape(2, 2).amax(1), [2.0, 2.0, 1.0, 3.0]),
    "max_dim_ties": (lambda L, x: x.reshape(2, 2).max(1).values, [2.0, 2.0, 1.0, 3.0]),
    "maximum_ties": (lambda L, x: L.maximum(x, x.detach() * 0 + 2.0), [2.0, 1.0, 3.0]),
    "clamp_at_bounds": (lambda L, x: x.clamp(0.0, 1.0), [0.0, 1.0, 0.5, 2.0]),
    "relu_at_zero": (lambda L, x: x.relu(), [0.0, 1.0]),
    "abs_at_zero": (lambda L, x: x.abs(), [0.0, -1.0]),
    "sqrt_at_zero": (lambda L, x: x.sqrt(), [0.0, 4.0]),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_gradient_at_the_edge_matches_torch(name):
    f, values = EDGES[name]
    same(lambda L: _grads(f)(L, values))


JVP_EDGES = ["norm_at_zero", "prod_one_zero", "prod_two_zeros", "prod_no_zero", "prod_dim_zeros",
             "floor", "round", "remainder_scalar", "fmod", "max_ties", "amax_ties", "zero_pow_x",
             "sign", "div_floor"]


@pytest.mark.parametrize("name", JVP_EDGES)
def test_forward_mode_at_the_edge_matches_torch(name):
    f, values = EDGES[name]
    same(lambda L: _jvp(f)(L, values))


def test_floor_divide_records_a_node_without_derivative():
    def run(L):
        y = _t(L, [3.0, -2.5]) // 2
        return [y, y.requires_grad, y.grad_fn.name()]
    same(run)


def test_second_derivatives_at_the_edges_match_torch():
    def run(L):
        x = _t(L, [0.0, 2.0, 1.0, 3.0])
        out = []
        for f in (lambda t: t.prod(), lambda t: (t ** 2).norm(), lambda t: (t * t).amax()):
            g, = L.autograd.grad(f(x), x, create_graph=True)
            h, = L.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=True)
            out += [g, h]
        return out
    same(run)


def test_second_derivative_of_prod_with_two_zeros_raises_instead_of_differing():
    """torch differentiates prod's gradient through cumprod; minigrad refuses rather than give a
    different second derivative (the first derivative is exact)."""
    x = minigrad.tensor([0.0, 2.0, 0.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    g, = minigrad.autograd.grad(x.prod(), x)
    assert g.tolist() == [0.0, 0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="two or more zeros"):
        minigrad.autograd.grad(x.prod(), x, create_graph=True)


def test_equal_matches_torch():
    def run(L):
        a, b = L.tensor([1.0, 2.0]), L.tensor([1.0, 3.0])
        return [L.equal(a, a.clone()), L.equal(a, b), L.equal(a, a[:1]), a.equal(a)]
    same(run)
