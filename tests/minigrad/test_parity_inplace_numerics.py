"""Parity with torch where an audit found minigrad silently different: retain_grad after an
in-place op, in-place ops whose memory overlaps, in-place writes into expanded tensors, special
values (0, -0, inf, nan) in pow, relu, abs and sign, integer division by zero, inference mode, and
grad-mode decorators on generators. Each snippet runs on torch and on minigrad and must give the
same values, gradients and warnings, or the same error."""
import warnings

import pytest
from hypothesis import given, settings, strategies as st

from torch_pairs import same

NAN, INF = float("nan"), float("inf")
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1.5, INF, -INF, NAN, 1e-30, -1e30]


def _leaf(L, values):
    return L.tensor(values, dtype=L.float64, requires_grad=True)


def _warned(snippet):
    """``snippet`` whose result also lists the messages of the warnings it gave."""
    def run(L):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = snippet(L)
        return [result, [str(w.message).split(" (Triggered internally")[0] for w in caught]]
    return run


# ---------------------------------------------------------------------- retain_grad + in-place
def retained_then_mul_(L):
    x = _leaf(L, [1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    (y * y).sum().backward()
    return [y.grad, x.grad]


def retained_view_base_mul_(L):
    x = _leaf(L, [1.0, 2.0, 3.0, 4.0])
    y = x * 2
    v = y[1:3]
    v.retain_grad()
    y.mul_(3)
    (v * v).sum().backward()
    return [v.grad, x.grad]


def retained_base_view_mul_(L):
    x = _leaf(L, [1.0, 2.0, 3.0, 4.0])
    y = x * 2
    y.retain_grad()
    y[1:3].mul_(3)
    (y * y).sum().backward()
    return [y.grad, x.grad]


def retained_base_and_view(L):
    x = _leaf(L, [1.0, 2.0, 3.0, 4.0])
    y = x * 2
    y.retain_grad()
    v = y[1:3]
    v.retain_grad()
    v.mul_(3)
    (y * y).sum().backward()
    return [y.grad, v.grad, x.grad]


def retained_used_before_and_after(L):
    x = _leaf(L, [1.0, 2.0, 3.0])
    y = x * 2
    y.retain_grad()
    z = y.sum()  # this use reaches y's old node, whose gradient y no longer keeps
    y.mul_(3)
    (z + (y * y).sum()).backward()
    return [y.grad, x.grad]


def retained_twice_changed(L):
    x = _leaf(L, [1.0, 2.0, 3.0])
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.add_(1)
    (y * y).sum().backward()
    return [y.grad, x.grad]


def retained_view_node_made_late(L):
    x = _leaf(L, [1.0, 2.0, 3.0, 4.0])
    y = x * 2
    v = y[1:3]
    v.retain_grad()
    z = v.sum()
    y.mul_(3)
    v.grad_fn  # noqa: B018 - reading it makes v's new node, which takes over its retained grad
    z.backward()
    return [v.grad, x.grad]


@pytest.mark.parametrize("snippet", [
    retained_then_mul_, retained_view_base_mul_, retained_base_view_mul_, retained_base_and_view,
    retained_used_before_and_after, retained_twice_changed, retained_view_node_made_late])
def test_retained_grad_follows_the_in_place_history(snippet):
    same(snippet)


# ---------------------------------------------------------------------- overlapping memory
OVERLAP_SNIPPETS = [
    "y[1:3].add_(y[0:2])", "y[1:3].copy_(y[0:2])", "y[1:3] = y[0:2]", "y.add_(y)",
    "y[0:2].add_(y[0:2])", "y[1:3].mul_(y[0:2])", "y[0:2].add_(y[2:4])", "y[::2].add_(y[1::2])",
    "y.view(2, 2).add_(y.view(2, 2).t())", "y.view(2, 2).add_(y.view(2, 2)[0])",
    "y.view(2, 2)[0].add_(y.view(2, 2)[:, 0])", "y.view(1, 4).add_(y.unsqueeze(0))",
    "y.view(4, 1).add_(y.view(1, 4))", "y[0:1].add_(y[0])", "y.add_(y[0])", "y.copy_(y)",
    "y[1:3].addcmul_(y[0:2], y[0:2])", "y[1:3].lerp_(y[0:2], 0.5)", "y[0:2].lerp_(y[2:4], y[1:3])",
    "y[1:3].clamp_(y[0:2])", "y[0:2].clamp_(max=y[1:3])", "y[1:3].pow_(y[0:2])",
    "y[1:3].div_(y[0:2])", "y[1:3].add_(y[0:2], alpha=2)", "y[0:2].addcdiv_(y[2:4], y[1:3])",
    "y[0:2].masked_fill_(L.tensor([True, False]), y[1])", "y[0:2].fill_(y[1])",
    "y[0:2].index_put_((L.tensor([0]),), y[1:2])", "y[0:2].index_put_((L.tensor([0, 1]),), y[0:2])",
    "y[1:3].index_put_((L.tensor([0]),), y[3:4])", "y[1:3][L.tensor([0, 1])] = y[0:2]",
    "y[L.tensor([True, False, True, False])] = y[1]",
    "y[L.tensor([True, False, True, False])] = y[1:3]",
    "y.view(2, 2)[L.tensor([True, False]), L.tensor([True, False])] = y[3]",
    "y[1:3].copy_(y[0:2].detach())", "y[1:3].add_(y[0:2].data)", "y[0:0].add_(y[0:0])",
]


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("code", OVERLAP_SNIPPETS)
def test_in_place_op_reading_memory_it_writes(code, requires_grad):
    def snippet(L):
        x = L.arange(1.0, 5.0, dtype=L.float64).requires_grad_(requires_grad)
        y = x * 1
        exec(code, {"L": L, "y": y})  # noqa: S102 - the snippets above
        if requires_grad:
            (y * y).sum().backward()
        return [y, x.grad]
    same(snippet)


OPS = {
    "add_": lambda L, d, s: d.add_(s), "sub_": lambda L, d, s: d.sub_(s, alpha=3),
    "mul_": lambda L, d, s: d.mul_(s), "copy_": lambda L, d, s: d.copy_(s),
    "setitem": lambda L, d, s: d.__setitem__(slice(None), s),
    "lerp_": lambda L, d, s: d.lerp_(s, 0.25), "addcmul_": lambda L, d, s: d.addcmul_(s, s),
    "clamp_": lambda L, d, s: d.clamp_(max=s), "fill_": lambda L, d, s: d.fill_(s[0]),
    "index_put_": lambda L, d, s: d.index_put_((L.zeros(len(s), dtype=L.int64),), s, True),
}


@settings(max_examples=80, deadline=None, derandomize=True)
@given(op=st.sampled_from(sorted(OPS)), dst=st.integers(0, 4), src=st.integers(0, 4),
       n=st.integers(1, 3), step=st.sampled_from([1, 2]), requires_grad=st.booleans())
def test_overlap_of_two_slices(op, dst, src, n, step, requires_grad):
    """Any two slices of one tensor: torch refuses exactly the pairs that partly overlap."""
    def snippet(L):
        x = L.arange(1.0, 9.0, dtype=L.float64).requires_grad_(requires_grad)
        y = x * 1
        OPS[op](L, y[dst:dst + n * step:step], y[src:src + n * step:step])
        if requires_grad:
            (y * y).sum().backward()
        return [y, x.grad]
    same(snippet)


# ---------------------------------------------------------------------- expanded tensors
EXPANDED_SNIPPETS = [
    "b.expand(3, 1).mul_(2)", "b.expand(3, 2).mul_(2)", "b.expand(2, 3, 1)[0].mul_(2)",
    "b.expand(2, 3, 1)[1].add_(1)", "b.expand(3, 2)[:, 0].mul_(2)", "b.expand(3, 2)[:, :1].mul_(2)",
    "b.expand(3, 2)[:, 1:].mul_(a)", "b.view(1, 3).expand(2, 3)[1].mul_(2)",
    "b.expand(3, 2).t()[0].mul_(2)", "b.expand(3, 2).fill_(2)", "b.expand(3, 2).zero_()",
    "b.expand(3, 2).fill_(L.tensor(2.0, dtype=L.float64))", "b.expand(3, 2).copy_(L.ones(3, 2))",
    "b.expand(3, 2).exp_()", "b.expand(3, 2).relu_()", "b.expand(3, 2).clamp_(0, 1)",
    "b.expand(3, 2).uniform_()", "b.expand(3, 2).add_(L.ones(3, 2))", "b.expand(3, 2).detach().mul_(2)",
    "b.expand(3, 2)[0, 1] = 5", "b.expand(3, 2)[L.tensor([0])] = 5.0",
    "b.expand(3, 2).masked_fill_(L.tensor([[True, False], [False, False], [False, True]]), 9.0)",
    "b.expand(3, 2).masked_fill_(L.tensor([[False], [True], [False]]), L.tensor(9.0))",
    "b.expand(3, 2)[L.tensor([[True, False], [False, False], [False, True]])] = 9.0",
    "b.expand(3, 2)[L.tensor([[True, False], [False, False], [False, True]])] = L.tensor([7.0, 8.0])",
    "b.expand(3, 2).index_put_((L.tensor([0, 0, 1]), L.tensor([0, 1, 1])), L.tensor([5.0, 6.0, 7.0]))",
    "b.expand(3, 2).index_put_((L.tensor([0, 0, 1]), L.tensor([1, 0, 1])), L.tensor([5.0, 6.0, 7.0]))",
    "b.expand(3, 2).index_put_((L.tensor([0, 0, 1]), L.tensor([0, 1, 1])), L.tensor([5.0, 6.0, 7.0]), "
    "accumulate=True)",
]


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("code", EXPANDED_SNIPPETS)
def test_in_place_op_on_an_expanded_tensor(code, requires_grad):
    """torch writes through an expand wherever no two written elements share memory; fill_,
    masked_fill_ and index_put_ write anyway (the last two warn), and backward then refuses."""
    def snippet(L):
        a = L.arange(3.0, dtype=L.float64).view(3, 1).requires_grad_(requires_grad)
        b = a * 1
        exec(code, {"L": L, "a": a, "b": b})  # noqa: S102 - the snippets above
        values = b.detach().clone()
        if requires_grad:
            (b * L.arange(1.0, 4.0, dtype=L.float64).view(3, 1)).sum().backward()
        return [values if "uniform_" not in code else None, a.grad]
    same(_warned(snippet))


# ---------------------------------------------------------------------- pow at special values
@pytest.mark.parametrize("exponent", SPECIAL + [2, 3, -1, -2, 0, 1, 4.0, 0.25])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensor_to_a_number_power(exponent, dtype):
    """torch computes x ** 0.5 as sqrt(x), x ** -0.5 as 1 / sqrt(x) (so -inf at -0.), x ** 3 as
    x * x * x ...; its gradient is exactly 0 for the exponent 0."""
    def snippet(L):
        x = L.tensor(SPECIAL, dtype=getattr(L, dtype), requires_grad=True)
        y = x ** exponent
        y.backward(L.ones_like(y))
        w = _leaf(L, [-1.0, 0.0, 1.0, INF])
        (w ** exponent).backward(L.tensor([NAN, INF, 1.0, 1.0], dtype=L.float64))
        return [y, x.grad, w.grad]
    same(snippet, rtol=2e-7)


@pytest.mark.parametrize("base", SPECIAL)
def test_number_to_a_tensor_power(base):
    """d(c ** y)/dy = c ** y * log(c); where c == 0: 0 for y >= 0 and -inf for y < 0."""
    def snippet(L):
        y = _leaf(L, SPECIAL)
        z = L.pow(base, y)
        z.backward(L.ones_like(z))
        w = _leaf(L, [-1.0, 0.0, 1.0])
        L.pow(base, w).backward(L.tensor([INF, INF, INF], dtype=L.float64))
        return [z, y.grad, w.grad]
    same(snippet)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(triples=st.lists(st.tuples(st.sampled_from(SPECIAL) | st.floats(-4, 4),
                                  st.sampled_from(SPECIAL) | st.floats(-4, 4),
                                  st.sampled_from([1.0, -2.0, INF, NAN])), min_size=1, max_size=6))
def test_tensor_to_a_tensor_power(triples):
    """Values and gradients of x ** y, with inf and nan among the incoming gradients too: torch
    gives exactly 0 where the exponent is 0 (not inf * 0)."""
    def snippet(L):
        x, y, g = (_leaf(L, [t[i] for t in triples]) for i in range(3))
        z = x ** y
        z.backward(g.detach())
        return [z, x.grad, y.grad]
    same(snippet)


def test_pow_saves_the_exponent():
    def snippet(L):
        x = _leaf(L, [1.0, 2.0])
        y = x * 1
        z = L.pow(2.0, y)
        y.mul_(2)
        z.sum().backward()
    same(snippet)


@pytest.mark.parametrize("code", [
    "L.tensor([2, 1, -1, -1, 0, 3]) ** L.tensor([-1, -3, -3, -2, -1, 0])",
    "2 ** L.tensor([-1, 2])", "(-1) ** L.tensor([-1, -2])", "L.tensor([2]) ** -1",
    "L.tensor([True]) ** L.tensor([False])", "L.tensor([2, 1, -1]) ** L.tensor(-1)",
])
def test_integer_powers(code):
    same(lambda L: eval(code, {"L": L}))  # noqa: S307 - the snippets above


# ---------------------------------------------------------------------- relu, abs, sign
@pytest.mark.parametrize("fn", ["relu", "abs", "sign"])
def test_special_values_through_relu_abs_sign(fn):
    """torch's sign is (x > 0) - (x < 0): 0 at nan; relu passes the gradient at nan, and stops
    an inf one exactly; abs's gradient is sign's."""
    def snippet(L):
        x = _leaf(L, SPECIAL)
        y = getattr(x, fn)()
        y.backward(L.ones_like(y))
        w = _leaf(L, [-1.0, 0.0, NAN, 2.0])
        getattr(w, fn)().backward(L.tensor([INF] * 4, dtype=L.float64))
        return [y, x.grad, w.grad]
    same(snippet)


X = [-2.0, -0.5, 0.0, -0.0, 0.5, 1.0, 2.0, NAN, INF, -INF]
Y = [1.0, 1.0, 0.0, 1.0, NAN, 1.0, -INF, 2.0, 2.0, -1.0]
G = [INF, -INF, NAN, 1.0, INF, NAN, INF, INF, 1.0, INF]


def _filled_slice(x):
    z = x * 1
    z[2:5].fill_(1.0)
    return z


def _copied_slice(x, y):
    z = x * 1
    z[2:5].copy_(y[0:3])
    return z


GATES = {
    "relu": lambda L, x, y: x.relu(), "abs": lambda L, x, y: x.abs(),
    "floor": lambda L, x, y: x.floor(), "round": lambda L, x, y: x.round(),
    "clamp": lambda L, x, y: x.clamp(-1, 1), "clamp_min": lambda L, x, y: x.clamp(min=0.0),
    "clamp_tensors": lambda L, x, y: x.clamp(y, y + 1), "clamp_tensor_min": lambda L, x, y: x.clamp(min=y),
    "clamp_tensor_max": lambda L, x, y: x.clamp(max=y), "maximum": lambda L, x, y: L.maximum(x, y),
    "minimum": lambda L, x, y: L.minimum(x, y), "where": lambda L, x, y: L.where(x > 0, x, y),
    "masked_fill": lambda L, x, y: x.masked_fill(y > 0, 3.0),
    "masked_fill_tensor": lambda L, x, y: x.masked_fill(y > 0, y[0]),
    "div_floor": lambda L, x, y: x.div(y, rounding_mode="floor"),
    "div_trunc": lambda L, x, y: x.div(y, rounding_mode="trunc"), "floordiv": lambda L, x, y: x // y,
    "copy_": lambda L, x, y: (x * 1).copy_(y), "fill_": lambda L, x, y: (x * 1).fill_(2.0),
    "fill_tensor": lambda L, x, y: (x * 1).fill_(y[1]), "zero_": lambda L, x, y: (x * 1).zero_(),
    "filled_slice": lambda L, x, y: _filled_slice(x), "copied_slice": lambda L, x, y: _copied_slice(x, y),
    "lerp": lambda L, x, y: x.lerp(y, 0.5), "lerp_small": lambda L, x, y: x.lerp(y, 0.25),
    "lerp_tensor": lambda L, x, y: x.lerp(y, y * 0 + 0.75),
}


@pytest.mark.parametrize("op", sorted(GATES))
def test_inf_and_nan_through_gates(op):
    """Special values, and inf and nan gradients: where torch's derivative is a mask (where,
    masked_fill) or zeros, a stopped inf or nan gradient is exactly 0, not inf * 0 = nan."""
    def backward(L):
        x, y = _leaf(L, X), _leaf(L, Y)
        if op == "floordiv":
            return GATES[op](L, x.detach(), y.detach())
        out = GATES[op](L, x, y)
        out.backward(L.tensor(G, dtype=L.float64))
        return [out, x.grad, y.grad]

    def forward_mode(L):
        fw = L.autograd.forward_ad
        with fw.dual_level():
            x = fw.make_dual(L.tensor(X, dtype=L.float64), L.tensor(G, dtype=L.float64))
            y = fw.make_dual(L.tensor(Y, dtype=L.float64), L.tensor(G[::-1], dtype=L.float64))
            return fw.unpack_dual(GATES[op](L, x, y)).tangent
    same(backward)
    same(forward_mode)


# ---------------------------------------------------------------------- forward mode, in place
FORWARD_IN_PLACE = [
    "y = x * 1; y[1:3].fill_(5.0)", "y = x * 1; y[1:3].mul_(5.0)", "y = x * 1; y[0] = 7.0",
    "y = L.zeros(4); y[1:3].copy_(x[0:2])", "y = L.zeros(4); y.copy_(x)", "y = L.zeros(4); y[1:3] = x[0:2] * 2",
    "y = x * 1; v = y[1:3]; y.mul_(5.0); y = v", "y = x; y.mul_(3)", "v = x[0:2]; x.mul_(3); y = v",
    "v = x[0:2]; v.mul_(3); y = x", "y = x * 1; y.view(2, 2)[0].mul_(3)",
    "y = x.view(4, 1) * 1; y.expand(4, 2)[0, 1] = 5.0",
]


@pytest.mark.parametrize("code", FORWARD_IN_PLACE)
def test_forward_mode_tangent_changes_in_place(code):
    """An in-place op changes the tangent in place too: the tangents of views and bases, and the
    tensor given to make_dual, all see it."""
    def snippet(L):
        fw = L.autograd.forward_ad
        with fw.dual_level():
            t = L.ones(4)
            x = fw.make_dual(L.arange(4.0), t)
            scope = {"L": L, "x": x}
            exec(code, scope)  # noqa: S102 - the snippets above
            return [fw.unpack_dual(scope["y"]).tangent, t]
    same(snippet)


@pytest.mark.parametrize("dtype", ["bool", "int64", "uint8"])
def test_sign_of_integers_and_bools(dtype):
    same(lambda L: L.tensor([3, 0, 1], dtype=getattr(L, dtype)).sign())


# ---------------------------------------------------------------------- integer division
DIVISIONS = {
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "fmod": lambda a, b: a.fmod(b),
    "floor": lambda a, b: a.div(b, rounding_mode="floor"),
    "trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
    "floor_divide": lambda a, b: a.floor_divide(b), "remainder": lambda a, b: a.remainder(b),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8", "bool", "float32"])
@pytest.mark.parametrize("op", sorted(DIVISIONS))
@pytest.mark.parametrize("divisor", ["tensor", "number", "broadcast", "nonzero"])
def test_integer_division_by_zero(op, dtype, divisor):
    """torch raises "ZeroDivisionError" for integers (floats give inf or nan) and has no bool
    kernels for these ops."""
    def snippet(L):
        dt = getattr(L, dtype)
        a = L.tensor([5, 2, 0], dtype=dt)
        b = {"tensor": L.tensor([1, 0, 1], dtype=dt), "number": 0,
             "broadcast": L.tensor([[1], [0]], dtype=dt), "nonzero": L.tensor([1, 2, 1], dtype=dt)}
        return DIVISIONS[op](a, b[divisor])
    same(snippet)


@pytest.mark.parametrize("code", [
    "5 // L.tensor([0])", "5 % L.tensor([0])", "L.remainder(5, L.tensor([0, 1]))",
    "L.tensor([5]) // L.tensor([], dtype=L.int64)", "L.tensor([], dtype=L.int64) // 0",
    "2.5 % L.tensor([1, 2])", "2.5 // L.tensor([1, 2])", "True % L.tensor([1, 2])",
    "L.tensor([True]) // 1", "L.tensor([5]) // L.tensor([0.0])",
])
def test_division_with_a_number_and_empty_tensors(code):
    same(lambda L: eval(code, {"L": L}))  # noqa: S307 - the snippets above


@pytest.mark.parametrize("code", ["2 % x", "L.remainder(2.5, x)", "2 // x", "x // 2"])
def test_number_first_division_has_no_derivative(code):
    """torch records number % tensor (and //) with a NotImplemented node that has an edge for the
    tensor only; backward and forward mode both refuse it."""
    def graph(L):
        x = _leaf(L, [1.0, 2.0])
        y = eval(code, {"L": L, "x": x})  # noqa: S307 - the snippets above
        return [y, y.grad_fn.name(), [n is None for n, _ in y.grad_fn.next_functions]]

    def backward(L):
        x = _leaf(L, [1.0, 2.0])
        return L.autograd.grad(eval(code, {"L": L, "x": x}).sum(), x)  # noqa: S307

    def forward_mode(L):
        with L.autograd.forward_ad.dual_level():
            x = L.autograd.forward_ad.make_dual(L.tensor([1.0, 2.0]), L.ones(2))
            return eval(code, {"L": L, "x": x})  # noqa: S307 - the snippets above
    same(graph)
    same(backward)
    same(forward_mode)


# ---------------------------------------------------------------------- inference mode
def enable_grad_inside_inference(L):
    w = L.ones(2, requires_grad=True)
    with L.inference_mode():
        with L.enable_grad():
            y = w * 2
            inside = [L.is_grad_enabled(), L.is_inference_mode_enabled()]
    return [y.requires_grad, y.is_inference(), y.grad_fn is None, inside]


def set_grad_enabled_inside_inference(L):
    w = L.ones(2, requires_grad=True)
    with L.inference_mode():
        with L.set_grad_enabled(True):
            y = (w * 2).sum()
    return [y.requires_grad, y.is_inference(), L.is_grad_enabled()]


def backward_of_inference_result(L):
    w = L.ones(2, requires_grad=True)
    with L.inference_mode():
        with L.enable_grad():
            y = w * 2
    y.sum().backward()


def requires_grad_on_inference_tensor(L):
    with L.inference_mode():
        x = L.ones(2)
    x.requires_grad_()


def requires_grad_attribute_on_inference_tensor(L):
    with L.inference_mode():
        x = L.ones(2)
    x.requires_grad = True


def requires_grad_inside_inference_false(L):
    with L.inference_mode():
        x = L.ones(2)
    with L.inference_mode(False):
        x.requires_grad_()


def requires_grad_inside_inference(L):
    with L.inference_mode():
        x = L.ones(2)
        x.requires_grad_()
    return [x.requires_grad, x.requires_grad_(False).requires_grad]


def int_inference_tensor_requires_grad(L):
    with L.inference_mode():
        x = L.ones(2, dtype=L.int64)
    x.requires_grad_()


def view_of_normal_tensor_saved_later(L):
    x = L.ones(2)
    with L.inference_mode():
        v = x.view(2)
        u = x[0:1]
    w = L.ones(2, requires_grad=True)
    (v * w).sum().backward()
    return [v.is_inference(), u.is_inference(), v._base is x, w.grad]


def view_of_normal_tensor_modified(L):
    x = L.ones(2)
    with L.inference_mode():
        v = x.view(2)
    v.mul_(2)
    return [x, x._version]


def view_of_normal_tensor_version_check(L):
    x = L.ones(2)
    with L.inference_mode():
        v = x.view(2)
    w = L.ones(2, requires_grad=True)
    z = (v * w).sum()
    x.mul_(2)
    z.backward()


def inference_view_of_graph_tensor_modified(L):
    x = L.ones(2, requires_grad=True)
    y = x * 1
    with L.inference_mode():
        v = y.view(2)
    v.mul_(2)


def inference_view_modified_under_no_grad(L):
    x = L.ones(2)
    with L.inference_mode():
        v = x.view(2)
    with L.no_grad():
        v.mul_(2)
    return x


def views_of_inference_tensors(L):
    with L.inference_mode():
        x = L.ones(2)
    return [x.view(2).is_inference(), x[0].is_inference(), x.detach().is_inference()]


@pytest.mark.parametrize("snippet", [
    enable_grad_inside_inference, set_grad_enabled_inside_inference, backward_of_inference_result,
    requires_grad_on_inference_tensor, requires_grad_attribute_on_inference_tensor,
    requires_grad_inside_inference_false, requires_grad_inside_inference,
    int_inference_tensor_requires_grad, view_of_normal_tensor_saved_later,
    view_of_normal_tensor_modified, view_of_normal_tensor_version_check,
    inference_view_of_graph_tensor_modified, inference_view_modified_under_no_grad,
    views_of_inference_tensors])
def test_inference_mode(snippet):
    same(snippet)


# ---------------------------------------------------------------------- decorated generators
DECORATORS = {"no_grad()": lambda L: L.no_grad(), "no_grad": lambda L: L.no_grad,
              "enable_grad()": lambda L: L.enable_grad(),
              "inference_mode()": lambda L: L.inference_mode(),
              "set_grad_enabled(False)": lambda L: L.set_grad_enabled(False)}


def close_runs_finally_in_mode(L, decorate):
    seen = []

    @decorate
    def gen():
        try:
            yield 1
        finally:
            seen.append(L.is_grad_enabled())
    g = gen()
    next(g)
    g.close()
    return seen


def throw_is_forwarded(L, decorate):
    @decorate
    def gen():
        try:
            yield 1
        except ValueError:
            yield L.is_grad_enabled()
    g = gen()
    next(g)
    return [g.throw(ValueError), L.is_grad_enabled()]


def throw_not_caught(L, decorate):
    @decorate
    def gen():
        yield 1
    g = gen()
    next(g)
    g.throw(KeyError("k"))


def close_ignored(L, decorate):
    @decorate
    def gen():
        try:
            yield 1
        except GeneratorExit:
            yield 2
    g = gen()
    next(g)
    g.close()


def send_and_return(L, decorate):
    @decorate
    def gen():
        x = yield L.is_grad_enabled()
        yield x * 2
        return 7
    g = gen()
    out = [next(g), g.send(3)]
    try:
        g.send(1)
    except StopIteration as stop:
        out.append(stop.value)
    return out


@pytest.mark.parametrize("decorator", sorted(DECORATORS))
@pytest.mark.parametrize("use", [close_runs_finally_in_mode, throw_is_forwarded, throw_not_caught,
                                 close_ignored, send_and_return])
def test_decorated_generator(use, decorator):
    """The generator runs in the decorator's mode whenever it resumes: after next() and send(),
    and also inside throw() and close(), which reach it."""
    def snippet(L):
        with L.enable_grad():
            return use(L, DECORATORS[decorator](L))
    same(snippet)

