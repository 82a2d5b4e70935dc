"""The engine's behaviour, side by side with torch: graph nodes, backward options, hooks,
grad mode, detach/.data, in-place ops and version counters, custom Functions."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from torch_pairs import close

LIBS = [torch, minigrad]


def names(t):
    return [None if n is None else n.name() for n, _ in t.grad_fn.next_functions]


# ---------------------------------------------------------------------- graph nodes
@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_accumulate_grad_node_is_cached_and_points_at_the_leaf(L):
    a = L.tensor(2.0, requires_grad=True)
    b = L.tensor(3.0)
    y = a * b
    z = a + 1
    acc = y.grad_fn.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is a
    assert z.grad_fn.next_functions[0][0] is acc
    assert y.grad_fn.next_functions[1] == (None, 0)
    assert a.grad_fn is None and b.grad_fn is None


def test_node_names_and_next_functions_match_torch():
    def build(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([0.5, -1.0], requires_grad=True)
        y = (x * w).sum()
        z = L.sin(L.dot(x, w)) + y ** 2
        return z

    t, m = build(torch), build(minigrad)

    def walk(node):  # the graph unfolded into a tree (torch's node wrappers have no stable id)
        if node is None:
            return None
        return (node.name(), [walk(n) for n, _ in node.next_functions])
    assert walk(m.grad_fn) == walk(t.grad_fn)


@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_calling_nodes_like_torch(L):
    x = L.tensor(3.0, requires_grad=True)
    y = L.tensor(4.0, requires_grad=True)
    z = x * y
    gx, gy = z.grad_fn(L.tensor(1.0))
    assert float(gx) == 4.0 and float(gy) == 3.0
    sq = x ** 2
    assert float(sq.grad_fn(L.tensor(1.0))) == 6.0  # one input: a single tensor
    acc = sq.grad_fn.next_functions[0][0]
    assert acc(L.tensor(5.0)) == ()
    assert float(x.grad) == 5.0


# ---------------------------------------------------------------------- backward
@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_grad_is_none_before_backward_and_accumulates(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad is None
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_backward_inputs_and_autograd_grad_do_not_touch_other_leaves():
    def run(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0, 4.0], requires_grad=True)
        y = (a * b).sum()
        ga, = L.autograd.grad(y, a, retain_graph=True)
        y.backward(inputs=[b])
        return [ga, a.grad, b.grad]
    m, t = run(minigrad), run(torch)
    assert m[1] is None and t[1] is None
    close([m[0], m[2]], [t[0], t[2]])


def test_autograd_grad_for_a_non_leaf_and_allow_unused():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        u = L.tensor([1.0], requires_grad=True)
        y = x * 2
        z = (y ** 2).sum()
        gy, gu = L.autograd.grad(z, [y, u], allow_unused=True)
        return [gy, gu]
    m, t = run(minigrad), run(torch)
    assert m[1] is None and t[1] is None
    close(m[0], t[0])


def test_retain_graph_lets_backward_run_twice_and_create_graph_gives_higher_derivatives():
    def run(L):
        x = L.tensor(2.0, requires_grad=True)
        y = x.exp() * x.sin()
        g, = L.autograd.grad(y, x, create_graph=True)
        g2, = L.autograd.grad(g, x, create_graph=True)
        g3, = L.autograd.grad(g2, x)
        return [g, g2, g3]
    close(run(minigrad), run(torch), rtol=1e-5)


def test_backward_with_create_graph_then_grad_of_grad():
    def run(L):
        x = L.tensor([1.0, -2.0], requires_grad=True)
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        gsum = x.grad.sum()
        x.grad = None
        gsum.backward()
        return [x.grad]
    close(run(minigrad), run(torch), rtol=1e-5)


def test_multiple_roots_autograd_backward():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y1, y2 = x * 2, x ** 2
        L.autograd.backward([y1, y2], [L.ones(2), L.tensor([1.0, 10.0])])
        return [x.grad]
    close(run(minigrad), run(torch), rtol=1e-5)


def test_diamond_graph_sums_gradients():
    def run(L):
        x = L.tensor(1.5, requires_grad=True)
        a = x * 2
        b = a.sin()
        c = a.cos()
        (b * c + a).backward()
        return [x.grad]
    close(run(minigrad), run(torch), rtol=1e-5)


# ---------------------------------------------------------------------- hooks, retain_grad
def test_retain_grad_and_hooks_match_torch():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        calls = []
        h1 = x.register_hook(lambda g: calls.append(("x", g.tolist())))
        y.register_hook(lambda g: g * 10)
        (y ** 2).sum().backward()
        h1.remove()
        (x * 1).sum().backward()
        return y.retains_grad, y.grad.tolist(), x.grad.tolist(), calls
    assert run(minigrad) == run(torch)


def test_grad_of_non_leaf_warns_like_torch():
    for L in LIBS:
        x = L.tensor(1.0, requires_grad=True)
        y = x * 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert y.grad is None
        assert len(w) == 1 and w[0].category is UserWarning
        text = str(w[0].message).split(" (Triggered internally")[0]
        if L is torch:
            torch_text = text
        else:
            assert text == torch_text


def test_float_of_a_tensor_requiring_grad_warns_like_torch():
    texts = {}
    for L in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert float(L.tensor(2.0, requires_grad=True)) == 2.0
            assert L.tensor(2.0, requires_grad=True).item() == 2.0  # item() does not warn
        texts[L] = [str(x.message).split(" (Triggered internally")[0] for x in w]
    assert len(texts[minigrad]) == 1
    if texts[torch]:  # torch warns only once per process: compare when it did here
        assert texts[minigrad] == texts[torch]


# ---------------------------------------------------------------------- grad mode, detach, data
@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_grad_mode_switches(L):
    x = L.tensor(1.0, requires_grad=True)
    with L.no_grad():
        assert not (x * 2).requires_grad
        assert not L.is_grad_enabled()
        with L.enable_grad():
            assert (x * 2).requires_grad
    with L.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert L.is_grad_enabled()
    L.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    L.set_grad_enabled(True)

    @L.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    assert (x * 2).requires_grad


@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_detach_and_data(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 5.0  # shares storage
    assert x.tolist() == [5.0, 2.0]
    x.data.mul_(2)
    assert x.tolist() == [10.0, 4.0] and x.requires_grad
    x.data = L.tensor([1.0, 1.0])
    assert x.tolist() == [1.0, 1.0] and x.is_leaf
    y = (x * 2).detach()
    with pytest.raises(RuntimeError):
        y.sum().backward()


@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_requires_grad_three_ways_and_propagation(L):
    a = L.tensor([1.0], requires_grad=True)
    b = L.tensor([2.0]).requires_grad_()
    c = L.tensor([3.0])
    c.requires_grad = True
    d = L.tensor([4.0])
    assert not d.requires_grad and d.is_leaf
    s = (a + d).sum()
    assert s.requires_grad and not s.is_leaf and b.is_leaf and c.is_leaf


# ---------------------------------------------------------------------- in-place
def test_inplace_ops_on_non_leaves_record_like_torch():
    def run(L):
        x = L.tensor([-1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(1).mul_(x).relu_()
        y.sum().backward()
        return [y, x.grad]
    close(run(minigrad), run(torch), rtol=1e-5)


@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_version_counter(L):
    x = L.tensor([1.0, 2.0])
    v = x._version
    x.add_(1)
    x.mul_(2)
    x[0] = 3.0
    assert x._version == v + 3


@pytest.mark.parametrize("L", LIBS, ids=["torch", "minigrad"])
def test_inplace_ops_under_no_grad_keep_leaves(L):
    w = L.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with L.no_grad():
        w.sub_(0.1 * w.grad)
        w.clamp_(min=0.5)
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.tolist(), [0.8, 1.6])
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]


def test_relu_inplace_vs_out_of_place():
    def run(L):
        x = L.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        a = x * 1
        b = L.relu(a)
        a.relu_()
        return [a, b, a.grad_fn.name(), b.grad_fn.name()]
    m, t = run(minigrad), run(torch)
    close(m[:2], t[:2])
    assert m[2:] == t[2:]


def test_all_inplace_methods_match_torch():
    def run(L):
        out = []
        for name, args in [("add_", (2.0,)), ("sub_", (1.0,)), ("mul_", (3.0,)), ("div_", (2.0,)),
                           ("zero_", ()), ("fill_", (7.0,)), ("clamp_", (0.0, 1.5)), ("relu_", ())]:
            x = L.tensor([-1.0, 0.5, 2.0])
            getattr(x, name)(*args)
            out.append(x)
        x = L.tensor([1.0, 2.0, 3.0])
        x.copy_(L.tensor([4.0, 5.0, 6.0]))
        out.append(x)
        x.add_(L.tensor([1.0, 1.0, 1.0]), alpha=2)
        out.append(x)
        return out
    close(run(minigrad), run(torch), rtol=1e-5)


# ---------------------------------------------------------------------- custom Function
def _make_functions(L):
    class MyReLU(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * (x > 0).to(g.dtype)

    class MySigmoid(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = 1 / (1 + L.exp(-x))
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            out, = ctx.saved_tensors
            return g * out * (1 - out)

    class Scale(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.k = k
            ctx.flags = ctx.needs_input_grad
            return x * k + y

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None, g

    return MyReLU, MySigmoid, Scale


def test_custom_functions_match_torch():
    def run(L):
        MyReLU, MySigmoid, Scale = _make_functions(L)
        x = L.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        c = L.tensor([1.0, 1.0, 1.0])
        y = MySigmoid.apply(MyReLU.apply(x))
        z = Scale.apply(y, 3.0, c)
        z.sum().backward()
        return (z.grad_fn.name(), y.grad_fn.name(), names(z), z.grad_fn.flags,
                x.grad.tolist(), z.tolist())
    m, t = run(minigrad), run(torch)
    assert m[:4] == t[:4]
    np.testing.assert_allclose(m[4], t[4], rtol=1e-6)
    np.testing.assert_allclose(m[5], t[5], rtol=1e-6)


def test_custom_function_saved_tensor_modified_raises_like_torch():
    msgs = []
    for L in LIBS:
        _, MySigmoid, _ = _make_functions(L)
        x = L.tensor([0.5, 1.0], requires_grad=True)
        y = MySigmoid.apply(x)
        y.mul_(2)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        msgs.append(str(e.value).replace("minigrad", "torch"))
    assert msgs[0].split(" is at version")[1] == msgs[1].split(" is at version")[1]


def test_custom_function_jvp():
    class Cube(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x ** 2

        @staticmethod
        def jvp(ctx, t):
            x, = ctx.saved_tensors
            return t * 3 * x ** 2

    fwd = minigrad.autograd.forward_ad
    with fwd.dual_level():
        out = Cube.apply(fwd.make_dual(minigrad.tensor([2.0]), minigrad.tensor([1.0])))
        assert fwd.unpack_dual(out).tangent.tolist() == [12.0]
    assert Cube.apply(minigrad.tensor(2.0, requires_grad=True)).grad_fn.name() == "CubeBackward"


def test_device_and_torch_conversion(torch_device):
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert str(x.device) == "cpu" and x.to("cpu") is x
    with pytest.raises(RuntimeError, match="CPU"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="CPU"):
        minigrad.zeros(2, device="cuda")
    t = x.to_torch(device=torch_device)
    assert t.device.type == torch_device and t.requires_grad and t.dtype == torch.float32
    back = minigrad.from_torch(t * 2)
    assert back.tolist() == [2.0, 4.0] and back.dtype is minigrad.float32


def test_leaf_grads_never_share_memory():
    """The engine stores fresh gradients without copying, but never one tensor in two places."""
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # the same gradient reaches both leaves
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 1.0] and a.grad.tolist() == [2.0, 2.0]
    g = minigrad.tensor([5.0, 6.0])
    c = minigrad.tensor([0.0, 0.0], requires_grad=True)
    c.backward(g)  # the user's gradient is copied, not adopted
    g.zero_()
    assert c.grad.tolist() == [5.0, 6.0]
    w = minigrad.ones(3, requires_grad=True)
    keep = []
    w.register_hook(lambda grad: keep.append(grad * 2) or keep[-1])
    (w * 1).sum().backward()
    keep[0].zero_()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    v = minigrad.ones(3, requires_grad=True)
    v.sum().backward()  # the gradient is a broadcast (read-only) view: it must be copied
    v.grad.zero_()
    v.sum().backward()
    assert v.grad.tolist() == [1.0, 1.0, 1.0]


def test_linear_layer_grads_match_torch_and_stay_separate():
    """W used twice through transposes: the engine adopts fresh results, never shared ones."""
    def run(L):
        W = L.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        x = L.tensor([[1.0, 2.0], [3.0, -1.0], [0.0, 1.0]])
        ((x @ W.T).relu() + x @ W).pow(2).sum().backward()
        first = W.grad.clone()
        W.grad.mul_(0)
        (x @ W.T).sum().backward()
        return [first, W.grad]
    close(run(minigrad), run(torch))
