"""What a node saves, and forward mode's missing tangents, side by side with torch.

A node saves only what the gradients of the inputs that require grad need (torch's rule): an
``addmm`` whose bias alone requires grad saves nothing, so it may run backward twice, and a factor
not saved may change in place before backward. And in forward mode an input without a tangent adds
no term to the output's tangent (torch skips it; a zero tangent would make ``inf * 0`` a nan).
"""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from torch_pairs import outcome, same


def _inputs(L, shapes, requires_grad):
    """float64 tensors of these shapes, with values in [0.5, 2), each requiring grad or not."""
    return [L.tensor(np.random.default_rng(i).uniform(0.5, 2.0, shape), dtype=L.float64,
                     requires_grad=r) for i, (shape, r) in enumerate(zip(shapes, requires_grad))]


def _in_place(name):
    """An op run in place on a copy of its first input (``x * 1``, a non-leaf)."""
    return lambda L, x, *args: getattr(x * 1, name)(*args)


# name -> (the op on tensors of these shapes, the shapes)
OPS = {
    "mul": (lambda L, a, b: a * b, [(3,), (3,)]),
    "div": (lambda L, a, b: a / b, [(3,), (3,)]),
    "div_floor": (lambda L, a, b: L.div(a, b, rounding_mode="floor"), [(3,), (3,)]),
    "div_trunc": (lambda L, a, b: L.div(a, b, rounding_mode="trunc"), [(3,), (3,)]),
    "div_floor_number": (lambda L, a: L.div(a, 2, rounding_mode="floor"), [(3,)]),
    "div_floor_": (lambda L, a, b: (a * 1).div_(b, rounding_mode="floor"), [(3,), (3,)]),
    "remainder": (lambda L, a, b: a % b, [(3,), (3,)]),
    "fmod": (lambda L, a, b: L.fmod(a, b), [(3,), (3,)]),
    "pow": (lambda L, a, b: a ** b, [(3,), (3,)]),
    "maximum": (lambda L, a, b: L.maximum(a, b), [(3,), (3,)]),
    "where": (lambda L, a, b: L.where(a > 1, a, b), [(3,), (3,)]),
    "lerp": (lambda L, a, b: L.lerp(a, b, 0.3), [(3,), (3,)]),
    "lerp_tensor": (lambda L, a, b, w: L.lerp(a, b, w), [(3,), (3,), (3,)]),
    "lerp_tensor_": (_in_place("lerp_"), [(3,), (3,), (3,)]),
    "addcmul": (lambda L, x, a, b: L.addcmul(x, a, b, value=2), [(3,), (3,), (3,)]),
    "addcmul_": (_in_place("addcmul_"), [(3,), (3,), (3,)]),
    "addcdiv": (lambda L, x, a, b: L.addcdiv(x, a, b, value=2), [(3,), (3,), (3,)]),
    "addcdiv_": (_in_place("addcdiv_"), [(3,), (3,), (3,)]),
    "dot": (lambda L, a, b: L.dot(a, b), [(3,), (3,)]),
    "mm": (lambda L, a, b: a.mm(b), [(3, 2), (2, 3)]),
    "mv": (lambda L, a, b: a.mv(b), [(3, 2), (2,)]),
    "bmm": (lambda L, a, b: L.bmm(a, b), [(2, 3, 2), (2, 2, 3)]),
    "matmul_folded": (lambda L, a, b: a @ b, [(2, 3, 2), (2, 3)]),
    "addmm": (lambda L, x, a, b: L.addmm(x, a, b), [(3, 3), (3, 2), (2, 3)]),
    "addmm_beta_alpha": (lambda L, x, a, b: L.addmm(x, a, b, beta=2, alpha=3), [(3,), (3, 2), (2, 3)]),
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(3, 2), (4, 2), (4,)]),
}

CASES = [(name, flags) for name, (_, shapes) in OPS.items()
         for flags in itertools.product((False, True), repeat=len(shapes)) if any(flags)]


def _ids(cases):
    return [f"{name}-{''.join('g' if f else '-' for f in flags)}" for name, flags in cases]


@pytest.mark.parametrize(("name", "requires_grad"), CASES, ids=_ids(CASES))
def test_second_backward_where_torch_allows_it(name, requires_grad):
    """Backward twice without retain_graph: the second raises exactly when torch's node saved
    something (for the inputs that require grad), else gives torch's gradients again."""
    op, shapes = OPS[name]

    def twice(L):
        xs = _inputs(L, shapes, requires_grad)
        out = op(L, *xs).sum()
        out.backward()
        first = [None if x.grad is None else x.grad.clone() for x in xs]
        return [first, outcome(L, lambda L: out.backward()), [x.grad for x in xs]]
    same(twice)


@pytest.mark.parametrize(("name", "requires_grad"), CASES, ids=_ids(CASES))
def test_input_changed_in_place_before_backward(name, requires_grad):
    """Each input changed in place (under no_grad) between the op and backward: torch's error
    where its node saved that input, torch's gradients where it did not."""
    op, shapes = OPS[name]

    def changed(L, i):
        xs = _inputs(L, shapes, requires_grad)
        out = op(L, *xs).sum()
        with L.no_grad():
            xs[i].mul_(1.5)
        out.backward()
        return [x.grad for x in xs]
    for i in range(len(shapes)):
        same(lambda L, i=i: changed(L, i))
