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


# ---------------------------------------------------------------------- forward mode
SPECIAL = st.sampled_from([0.0, -0.0, 1.5, -2.0, 0.5, float("inf"), float("-inf"), float("nan")])
TRIPLES = st.lists(SPECIAL, min_size=3, max_size=3)

UNARY_FW = {
    "exp": lambda L, x: x.exp(), "log": lambda L, x: x.log(), "sin": lambda L, x: x.sin(),
    "tanh": lambda L, x: x.tanh(), "sigmoid": lambda L, x: x.sigmoid(), "relu": lambda L, x: x.relu(),
    "sqrt": lambda L, x: x.sqrt(), "abs": lambda L, x: x.abs(), "floor": lambda L, x: x.floor(),
    "x*2": lambda L, x: x * 2, "x/2": lambda L, x: x / 2, "2/x": lambda L, x: 2 / x,
    "x**2": lambda L, x: x ** 2, "2**x": lambda L, x: 2 ** x, "x%2": lambda L, x: x % 2,
    "clamp": lambda L, x: x.clamp(-1, 1), "sum": lambda L, x: x.sum(), "softmax": lambda L, x: x.softmax(0),
    "x[1:]": lambda L, x: x[1:], "view": lambda L, x: x.view(3, 1), "mul_": lambda L, x: (x * 1).mul_(3),
}

BINARY_FW = {
    "add": lambda L, a, b: a + b, "sub_alpha": lambda L, a, b: L.sub(a, b, alpha=2),
    "mul": lambda L, a, b: a * b, "div": lambda L, a, b: a / b, "pow": lambda L, a, b: a ** b,
    "remainder": lambda L, a, b: a % b, "div_floor": lambda L, a, b: L.div(a, b, rounding_mode="floor"),
    "maximum": lambda L, a, b: L.maximum(a, b), "where": lambda L, a, b: L.where(a > b, a, b),
    "lerp": lambda L, a, b: L.lerp(a, b, 0.25), "lerp_tensor": lambda L, a, b: L.lerp(a, a, b),
    "dot": lambda L, a, b: L.dot(a, b), "outer": lambda L, a, b: L.outer(a, b),
    "mm": lambda L, a, b: a.view(3, 1).mm(b.view(1, 3)), "cat": lambda L, a, b: L.cat([a, b]),
    "stack": lambda L, a, b: L.stack([a, b]), "broadcast_add": lambda L, a, b: a + b.view(3, 1),
    "addcmul": lambda L, a, b: L.addcmul(a, a, b, value=2), "addcdiv": lambda L, a, b: L.addcdiv(b, a, b),
    "addmm": lambda L, a, b: L.addmm(a, a.view(3, 1), b.view(1, 3)),
    "mse_loss": lambda L, a, b: L.nn.functional.mse_loss(a, b),
    "tanh_backward": lambda L, a, b: L.autograd.grad(b.tanh(), b, a, create_graph=True)[0],
    "copy_": lambda L, a, b: (a * 1).copy_(b), "add_": lambda L, a, b: (a * 1).add_(b),
    "index_put": lambda L, a, b: a.index_put((L.tensor([0, 2]),), b[:2]),
    "clamp_tensor": lambda L, a, b: a.clamp(min=b),
}


def _duals(L, values, tangents):
    """Tensors of these values; those with a tangent in ``tangents`` (None: none) made dual."""
    fw = L.autograd.forward_ad
    xs = [L.tensor(v, dtype=L.float64) for v in values]
    return [x if t is None else fw.make_dual(x, L.tensor(t, dtype=L.float64)) for x, t in zip(xs, tangents)]


def _forward(op, values, tangents):
    """``op`` on dual tensors: the output's primal and tangent (None if it has none), or the error."""
    def case(L):
        fw = L.autograd.forward_ad
        with fw.dual_level():
            primal, tangent = fw.unpack_dual(op(L, *_duals(L, values, tangents)))
            return [primal.clone(), tangent if tangent is None else tangent.clone()]
    same(case)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(UNARY_FW)), x=TRIPLES, t=TRIPLES)
def test_unary_tangents_with_special_values(name, x, t):
    _forward(UNARY_FW[name], [x], [t])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(BINARY_FW)), a=TRIPLES, b=TRIPLES, ta=TRIPLES, tb=TRIPLES,
       which=st.sampled_from([(True, False), (False, True), (True, True)]))
def test_binary_tangents_skip_inputs_without_one(name, a, b, ta, tb, which):
    """Each input with or without a tangent (inf, nan and 0 among values and tangents): the
    missing tangent's term is left out, as in torch, not counted as zeros (inf * 0 = nan)."""
    _forward(BINARY_FW[name], [a, b], [ta if which[0] else None, tb if which[1] else None])


@pytest.mark.parametrize("name", sorted(BINARY_FW))
def test_no_tangent_where_no_input_has_one(name):
    """Inside dual_level, inputs without tangents give an output without one."""
    _forward(BINARY_FW[name], [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], [None, None])


@pytest.mark.parametrize("which", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("op", [lambda L, a, b: L.maximum(a, b), lambda L, a, b: L.minimum(a, b)],
                         ids=["maximum", "minimum"])
def test_ties_share_the_tangent(op, which):
    """Where both inputs are equal, maximum's and minimum's tangent is the mean of theirs."""
    tangents = [[1.0, 2.0, -1.0], [3.0, -2.0, 5.0]]
    _forward(op, [[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]], [t if w else None for t, w in zip(tangents, which)])


# ---------------------------------------------------------------------- sum(None)
@pytest.mark.parametrize("call", [
    lambda L, x: x.sum(), lambda L, x: x.sum(None), lambda L, x: x.sum(dim=None), lambda L, x: x.sum(axis=None),
    lambda L, x: L.sum(x, None), lambda L, x: x.sum(dtype=L.float64), lambda L, x: x.sum(None, keepdim=True),
    lambda L, x: x.mean(), lambda L, x: x.mean(None), lambda L, x: x.mean(axis=None), lambda L, x: x.sum(1),
])
def test_sum_with_dim_none_is_the_overload_with_dims(call):
    """``x.sum(None)`` is torch's overload with dims (SumBackward1), ``x.sum()`` the other one."""
    def case(L):
        x = L.ones(2, 3, requires_grad=True)
        out = call(L, x)
        out.backward(L.ones_like(out))
        return [out.grad_fn.name(), out, x.grad]
    same(case)
