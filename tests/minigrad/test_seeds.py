"""The seeds' worked examples, run with torch and with minigrad by the same code.

Each example is a function of ``L`` (the library): it returns the numbers the seed prints, and we
check that minigrad gives torch's numbers. A few spot checks against the seeds' printed values
make sure the examples are the right ones.
"""
import numpy as np
import pytest
import torch

import minigrad
from torch_pairs import close


def scalar_square(L):
    x = L.tensor(2.0, requires_grad=True)
    y = x ** 2
    y.backward()
    return [x.grad]


def mean_of_3x2(L):
    x = L.tensor([2.0], requires_grad=True)  # mean(3 x^2) at 2 -> 12
    (3 * x ** 2).mean().backward()
    return [x.grad]


def two_leaves(L):
    x, y = L.tensor(2.0, requires_grad=True), L.tensor(3.0, requires_grad=True)
    (x ** 2 + y ** 2).backward()
    return [x.grad, y.grad]


def quadratic(L):
    x = L.tensor(2.0, requires_grad=True)
    (x ** 2 + 3 * x + 1).backward()
    return [x.grad]


def square_plus_cube(L):
    x, y = L.tensor(3.0, requires_grad=True), L.tensor(2.0, requires_grad=True)
    (x ** 2 + y ** 3).backward()
    return [x.grad, y.grad]


def chain_rule_49(L):
    x1, x2, x3 = (L.tensor(v, requires_grad=True) for v in (2.0, 3.0, 1.0))
    y = (x1 * x2 + x3) ** 2
    y.backward()
    return [y, x1.grad, x2.grad, x3.grad]


def accumulate_4_12_16(L):
    x = L.tensor(2.0, requires_grad=True)
    (x ** 2).backward()
    first = x.grad.clone()
    (x ** 3).backward()
    return [first, x.grad]


def accumulate_4_3_7(L):
    x = L.tensor(2.0, requires_grad=True)
    (x ** 2).backward()
    (3 * x).backward()
    total = x.grad.clone()
    x.grad.zero_()
    return [total, x.grad]


def retain_graph_12_24(L):
    x = L.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    return [first, x.grad]


def outer_26_10(L):
    x = L.arange(1.0, 5.0, requires_grad=True)
    y = L.arange(5.0, 9.0, requires_grad=True)
    Z = L.outer(x, y)
    Z.backward(gradient=L.ones_like(Z))
    out = [x.grad.clone(), y.grad.clone()]
    x.grad, y.grad = None, None
    L.outer(x, y).sum().backward()
    return out + [x.grad, y.grad]


def sin_dot_0_6333(L):
    x = L.arange(1.0, 5.0, requires_grad=True)
    y = L.arange(5.0, 9.0, requires_grad=True)
    q = L.dot(x, y)
    q.retain_grad()
    z = L.sin(q)
    z.backward()
    return [z, x.grad, y.grad, q.grad]


def second_derivative_cube(L):
    out = []
    for v in (2.0, 1.0):
        x = L.tensor(v, requires_grad=True)
        (d1,) = L.autograd.grad(x ** 3, x, create_graph=True)
        (d2,) = L.autograd.grad(d1, x)
        out += [d1, d2]
    return out


def mixed_second_derivatives(L):
    x, y = L.tensor(2.0, requires_grad=True), L.tensor(4.0, requires_grad=True)
    z = L.sin(x * y)
    dzdx, dzdy = L.autograd.grad(z, (x, y), create_graph=True)
    (d2x,) = L.autograd.grad(dzdx, x, retain_graph=True)
    (d2y,) = L.autograd.grad(dzdy, y, retain_graph=True)
    (dxdy,) = L.autograd.grad(dzdx, y)
    return [dzdx, dzdy, d2x, d2y, dxdy]


def x2_exp(L):
    x = L.tensor(1.5, requires_grad=True)
    (x ** 2 * L.exp(x)).backward()
    return [x.grad]


def grad_tensors_weights(L):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2
    L.autograd.backward([y], grad_tensors=[L.tensor([0.1, 1.0, 10.0])])
    return [x.grad]


def hook_doubles(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.clone()) or g * 2)
    y.sum().backward()
    handle.remove()
    first = x.grad.clone()
    x.grad = None
    (x * 3).sum().backward()
    return [seen[0], first, x.grad]


def jvp_2_9133(L):
    x, y = L.arange(1.0, 5.0), L.arange(5.0, 9.0)
    vx, vy = L.full_like(x, 0.1), L.full_like(y, 0.2)
    fwd = L.autograd.forward_ad
    with fwd.dual_level():
        out = L.sin(L.dot(fwd.make_dual(x, vx), fwd.make_dual(y, vy)))
        value, tangent = fwd.unpack_dual(out)
    return [value, tangent]


EXAMPLES = [scalar_square, mean_of_3x2, two_leaves, quadratic, square_plus_cube, chain_rule_49,
            accumulate_4_12_16, accumulate_4_3_7, retain_graph_12_24, outer_26_10, sin_dot_0_6333,
            second_derivative_cube, mixed_second_derivatives, x2_exp, grad_tensors_weights,
            hook_doubles, jvp_2_9133]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.__name__ for e in EXAMPLES])
def test_minigrad_matches_torch(example):
    close(example(minigrad), example(torch), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("example, printed", [
    (scalar_square, [4.0]), (mean_of_3x2, [12.0]), (two_leaves, [4.0, 6.0]), (quadratic, [7.0]),
    (square_plus_cube, [6.0, 12.0]), (chain_rule_49, [49.0, 42.0, 28.0, 14.0]),
    (accumulate_4_12_16, [4.0, 16.0]), (accumulate_4_3_7, [7.0, 0.0]),
    (retain_graph_12_24, [12.0, 24.0]), (second_derivative_cube, [12.0, 12.0, 3.0, 6.0]),
    (mixed_second_derivatives, [-0.5820, -0.2910, -15.8297, -3.9574, -8.0604]),
    (jvp_2_9133, [0.7739, 2.9133]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_the_seeds_printed_numbers(example, printed):
    """The seeds' printed (rounded) numbers, as a check that the examples above are the right ones."""
    got = [float(v) for v in example(minigrad)]
    np.testing.assert_allclose(got, printed, atol=6e-5)


def test_outer_product_gives_26s_and_10s():
    xg, yg, xg2, yg2 = outer_26_10(minigrad)
    assert xg.tolist() == [26.0] * 4 and yg.tolist() == [10.0] * 4
    assert xg2.tolist() == xg.tolist() and yg2.tolist() == yg.tolist()


def test_retain_grad_gives_0_6333():
    z, xg, yg, qg = sin_dot_0_6333(minigrad)
    np.testing.assert_allclose(qg.item(), 0.6333, atol=5e-5)
    np.testing.assert_allclose(yg.numpy(), [0.6333, 1.2666, 1.9000, 2.5333], atol=1e-4)
