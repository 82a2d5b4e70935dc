"""In-place operations through views, views versus copies, version counters: each snippet runs on
torch and on minigrad, and must give the same values, gradients and graph node names, or the
same error."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from torch_pairs import node_names, same


def _leaf(L, *values):
    return L.tensor(list(values), dtype=L.float64, requires_grad=True)


# ---------------------------------------------------------------------- the snippets
def slice_mul(L):
    x = _leaf(L, 1.0, 2.0, 3.0, 4.0)
    y = x * 1
    y[:2].mul_(10)
    y.sum().backward()
    return [y, x.grad, y.grad_fn.name()]


def view_row_mul(L):
    x = _leaf(L, 1.0, 2.0, 3.0, 4.0)
    y = x * 1
    y.view(2, 2)[0].mul_(10)
    (y * y).sum().backward()
    return [y, x.grad]


def copy_into_slice(L):
    x = _leaf(L, 1.0, 2.0, 3.0)
    w = _leaf(L, 0.5)
    y = x * 1
    y[0:1].copy_(w * 5)
    (y * L.tensor([1.0, 2.0, 3.0], dtype=L.float64)).sum().backward()
    return [y, x.grad, w.grad]


def clamp_slice(L):
    x = _leaf(L, -1.0, 2.0, 3.0)
    y = x * 1
    y[:2].clamp_(min=0.5)
    (y * y).sum().backward()
    return [y, x.grad]


def unsqueeze_mul(L):
    x = _leaf(L, 1.0, -2.0)
    y = x * 1
    y.unsqueeze(0).mul_(3)
    (y ** 3).sum().backward()
    return [y, x.grad]


def view_grad_fn_after(L):
    x = _leaf(L, 1.0, 2.0, 3.0, 4.0)
    y = x * 1
    v = y[:2]
    v.mul_(10)
    return [v.grad_fn.name(), y.grad_fn.name(), node_names(v)]


def other_view_sees_the_change(L):
    """A second view of the base, made before the in-place op, must see the new history."""
    x = _leaf(L, 1.0, 2.0, 3.0, 4.0)
    y = x * 1
    tail = y[1:]
    y[:2].mul_(10)  # changes tail[0]
    (tail * tail).sum().backward()
    return [tail, x.grad, tail.grad_fn.name()]


def inplace_on_base_then_view(L):
    x = _leaf(L, 1.0, 2.0, 3.0)
    y = x * 1
    v = y[1:]
    y.mul_(2)
    (v * v).sum().backward()
    return [v, x.grad, v.grad_fn.name()]


def setitem_tensor_value(L):
    x = _leaf(L, 1.0, 2.0, 3.0)
    w = _leaf(L, 4.0)
    y = x * 2
    y[1] = w * w
    (y * y).sum().backward()
    return [y, x.grad, w.grad, y.grad_fn.name()]


def setitem_into_zeros(L):
    w = _leaf(L, 1.0, 2.0)
    out = L.zeros(4, dtype=L.float64)
    out[1:3] = w * 3
    (out * out).sum().backward()
    return [out, w.grad, out.grad_fn.name()]


def setitem_advanced(L):
    x = _leaf(L, 1.0, 2.0, 3.0)
    w = _leaf(L, 5.0, 6.0)
    y = x * 1
    y[[0, 2]] = w
    (y * y).sum().backward()
    return [y, x.grad, w.grad, y.grad_fn.name()]


def transposed_view_mul(L):
    x = L.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=L.float64, requires_grad=True)
    y = x * 1
    t = y.t()
    t[0].mul_(5)
    (y * y).sum().backward()
    return [y, x.grad]


def nested_views(L):
    x = L.arange(12.0, dtype=L.float64).requires_grad_()
    y = x * 1
    y.view(3, 4)[1:, 1:3].t()[0].mul_(7)
    (y * y).sum().backward()
    return [y, x.grad]


def split_output_inplace(L):
    x = _leaf(L, 1.0, 2.0, 3.0, 4.0)
    a, b = (x * 1).split(2)
    a.mul_(2)


def view_of_leaf(L):
    x = _leaf(L, 1.0, 2.0)
    x[:1].mul_(2)


def no_grad_view_then_inplace(L):
    x = _leaf(L, 1.0, 2.0)
    y = x * 1
    with L.no_grad():
        v = y[:1]
    v.mul_(2)


def expanded_view_inplace(L):
    w = _leaf(L, 2.0)
    e = L.ones(3, dtype=L.float64).unsqueeze(0).expand(2, 3)
    e.mul_(w)


def double_backward_through_copy_slices(L):
    x = _leaf(L, 1.0, 2.0, 3.0)
    y = x * x
    y[1:].mul_(x[:2])
    g, = L.autograd.grad(y.sum(), x, create_graph=True)
    g2, = L.autograd.grad((g * g).sum(), x)
    return [g, g2]


def saved_view_modified_through_base(L):
    x = _leaf(L, 1.0, 2.0, 3.0)
    y = x * 1
    v = y[:2]
    z = v * v
    y.mul_(2)
    z.sum().backward()


CASES = [slice_mul, view_row_mul, copy_into_slice, clamp_slice, unsqueeze_mul, view_grad_fn_after,
         other_view_sees_the_change, inplace_on_base_then_view, setitem_tensor_value,
         setitem_into_zeros, setitem_advanced, transposed_view_mul, nested_views,
         split_output_inplace, view_of_leaf, no_grad_view_then_inplace, expanded_view_inplace,
         double_backward_through_copy_slices, saved_view_modified_through_base]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_inplace_through_views_matches_torch(case):
    same(case)


# ---------------------------------------------------------------------- views and copies
@pytest.mark.parametrize("make", [
    lambda L, w: w[:, [0, 2]],
    lambda L, w: w[w > 0],
    lambda L, w: w.t().reshape(-1),
    lambda L, w: w.index_select(1, L.tensor([0, 1])),
    lambda L, w: w.gather(1, L.tensor([[0], [2]])),
], ids=["advanced_index", "mask", "reshape_of_transpose", "index_select", "gather"])
def test_copies_do_not_share_the_version_counter(make):
    def run(L):
        w = L.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], requires_grad=True)
        c = make(L, w)
        loss = (c * c).sum()  # saves c
        with L.no_grad():
            w.add_(1)  # c is a copy: this changes nothing that loss needs
        loss.backward()
        return [w.grad, c._base is None, c._version]
    same(run)


def test_views_share_the_version_counter():
    def run(L):
        w = L.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], requires_grad=True)
        y = w * 1
        versions = []
        for v in (y[0], y[:, 1:], y.t(), y.view(3, 2), y.reshape(6), y.unsqueeze(0), y.T,
                  y.transpose(0, 1), y.permute(1, 0), y.squeeze(), y.expand(2, 2, 3)[0],
                  y.narrow(1, 0, 2), y.select(1, 2), y.unbind(0)[1], y.split(1, dim=1)[2]):
            before = v._version
            y.data.mul_(1)  # .data: no autograd, but the memory is the same
            y.add_(0)
            versions.append((v._version - before, v._base is y))
        return versions
    same(run)


def test_view_of_a_non_contiguous_tensor_raises_like_torch():
    same(lambda L: L.ones(2, 3).t().view(-1))
    same(lambda L: L.ones(2, 3).t().view(3, 2).shape)
    same(lambda L: node_names(L.ones(2, 3, requires_grad=True).t().reshape(-1)))
    same(lambda L: node_names(L.ones(2, 3, requires_grad=True).reshape(3, 2)))


def test_contiguous_copies_only_when_needed():
    def run(L):
        x = L.ones(2, 3, requires_grad=True)
        c = x.contiguous()
        t = x.t().contiguous()
        return [c is x, t.is_contiguous(), node_names(t)]
    same(run)


# ---------------------------------------------------------------------- random in-place ops on random views
VIEWS = {
    "slice": lambda y: y[1:],
    "step": lambda y: y[::2],
    "row": lambda y: y[0],
    "col": lambda y: y[:, 1],
    "t": lambda y: y.t(),
    "view": lambda y: y.view(-1),
    "narrow": lambda y: y.narrow(1, 1, 2),
    "unsqueeze": lambda y: y.unsqueeze(0),
    "select_t": lambda y: y.t()[1:],
    "split": lambda y: y.split(1, dim=1)[0],
    "whole": lambda y: y[...],
}
OPS = {
    "mul_scalar": lambda v, w: v.mul_(2.5),
    "mul_tensor": lambda v, w: v.mul_(w.reshape(-1)[0]),
    "add_alpha": lambda v, w: v.add_(w.reshape(-1)[0], alpha=-2),
    "sub_": lambda v, w: v.sub_(w.reshape(-1)[1]),
    "div_": lambda v, w: v.div_(w.reshape(-1)[2] + 3),
    "pow_": lambda v, w: v.pow_(2),
    "exp_": lambda v, w: v.exp_(),
    "tanh_": lambda v, w: v.tanh_(),
    "sigmoid_": lambda v, w: v.sigmoid_(),
    "relu_": lambda v, w: v.relu_(),
    "clamp_": lambda v, w: v.clamp_(-0.5, 0.5),
    "zero_": lambda v, w: v.zero_(),
    "fill_": lambda v, w: v.fill_(0.25),
    "fill_tensor": lambda v, w: v.fill_(w.reshape(-1)[0]),
    "copy_": lambda v, w: v.copy_(w.reshape(-1)[: v.shape[-1]] * 2 if v.dim() else w.reshape(-1)[0]),
    "addcmul_": lambda v, w: v.addcmul_(w.reshape(-1)[0], w.reshape(-1)[1], value=0.5),
    "lerp_": lambda v, w: v.lerp_(w.reshape(-1)[0].expand(v.shape), 0.3),
    "neg_": lambda v, w: v.neg_(),
    "masked_fill_": lambda v, w: v.masked_fill_(v > 0, 1.5),
}


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(VIEWS)), st.sampled_from(sorted(OPS))),
                      min_size=1, max_size=3),
       seed=st.integers(0, 2 ** 16), through_base=st.booleans())
def test_random_inplace_ops_on_random_views(steps, seed, through_base):
    rng = np.random.default_rng(seed)
    x0, w0, c0 = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 3))

    def run(L):
        x = L.tensor(x0, requires_grad=True)
        w = L.tensor(w0, requires_grad=True)
        y = x * 1
        first = VIEWS[steps[0][0]](y)  # a view made before every change
        for view, op in steps:
            target = y if through_base and view == "whole" else VIEWS[view](y)
            OPS[op](target, w)
        loss = (y * L.tensor(c0)).sum() + (first * first).sum()
        gx, gw = L.autograd.grad(loss, [x, w], allow_unused=True)
        return [y, first, gx, gw, y.grad_fn.name(), first.grad_fn.name()]
    same(run)


def test_detach_of_a_non_leaf_is_a_leaf_sharing_memory_and_version():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        d = y.detach()
        d.mul_(3)  # shares y's memory: y changes too, and its version
        return [d.grad_fn is None, d.requires_grad, d.is_leaf, y, d._version == y._version,
                d._base is None]
    same(run)
