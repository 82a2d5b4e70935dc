"""Custom autograd.Functions at their edges, side by side with torch: outputs that are inputs,
gradients of the wrong shape or for non-tensors, mark_dirty, saved outputs, once_differentiable,
set_materialize_grads. Each snippet must give torch's values or raise torch's error."""
import pytest
import torch

from torch_pairs import node_names, same


def _fn(L, forward, backward, jvp=None, name="Fn"):
    """A custom Function class for library L from two plain functions."""
    body = {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    if jvp is not None:
        body["jvp"] = staticmethod(jvp)
    return type(name, (L.autograd.Function,), body)


def _x(L):
    return L.tensor([1.0, -2.0, 3.0], requires_grad=True)


def identity_forward_keeps_input_a_leaf(L):
    Id = _fn(L, lambda ctx, x: x, lambda ctx, g: g * 2, name="Id")
    x = _x(L)
    y = Id.apply(x)
    y.sum().backward()
    return [x.is_leaf, x.grad_fn is None, y is x, y.is_leaf, y.grad_fn.name(), x.grad,
            y._base is x, node_names(y)]


def identity_of_a_non_leaf(L):
    Id = _fn(L, lambda ctx, x: x, lambda ctx, g: g * 3, name="Id")
    x = _x(L)
    h = x * 2
    y = Id.apply(h)
    (y * h).sum().backward()
    return [h.grad_fn.name(), y.grad_fn.name(), x.grad]


def backward_returns_wrong_shape(L):
    F = _fn(L, lambda ctx, x: x * 2, lambda ctx, g: g.sum(), name="WrongShape")
    x = _x(L)
    F.apply(x).sum().backward()
    return x.grad


def backward_returns_other_shape(L):
    F = _fn(L, lambda ctx, x: x * 2, lambda ctx, g: L.ones(4), name="Other")
    F.apply(_x(L)).sum().backward()


def backward_returns_broadcast_shape(L):
    F = _fn(L, lambda ctx, x: x * 2, lambda ctx, g: L.ones(2, 3), name="Bigger")
    x = _x(L)
    F.apply(x).sum().backward()
    return x.grad


def backward_returns_other_dtype(L):
    F = _fn(L, lambda ctx, x: x * 2, lambda ctx, g: g.double() * 2, name="Double")
    x = _x(L)
    F.apply(x).sum().backward()
    return x.grad


def gradient_for_a_number(L):
    F = _fn(L, lambda ctx, x, k: x * k, lambda ctx, g: (g, L.ones(1)), name="Scale")
    F.apply(_x(L), 2.0).sum().backward()


def gradient_for_a_tensor_without_grad(L):
    F = _fn(L, lambda ctx, x, c: x * c, lambda ctx, g: (g, L.ones(3)), name="Const")
    x = _x(L)
    F.apply(x, L.ones(3)).sum().backward()
    return x.grad


def too_many_gradients(L):
    F = _fn(L, lambda ctx, x: x * 2, lambda ctx, g: (g, g), name="TooMany")
    F.apply(_x(L)).sum().backward()


def too_many_none_gradients_are_fine(L):
    F = _fn(L, lambda ctx, x: x * 2, lambda ctx, g: (g * 2, None, None), name="Nones")
    x = _x(L)
    F.apply(x).sum().backward()
    return x.grad


def mark_dirty(L):
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x
    F = _fn(L, forward, lambda ctx, g: g * 2, name="Dirty")
    x = _x(L)
    h = x * 1
    y = F.apply(h)
    (y * y).sum().backward()
    return [y is h, h.grad_fn.name(), x.grad, h._version]


def mark_dirty_on_a_leaf(L):
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x
    F = _fn(L, forward, lambda ctx, g: g * 2, name="Dirty")
    F.apply(_x(L))


def mark_dirty_on_a_view(L):
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x
    F = _fn(L, forward, lambda ctx, g: g * 2, name="Dirty")
    x = _x(L)
    h = x * 1
    v = h[:2]
    r = F.apply(v)
    (h * h).sum().backward()
    return [r is v, v.grad_fn.name(), h.grad_fn.name(), x.grad]


def saves_its_output(L):
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out
    F = _fn(L, forward, backward, name="MyExp")
    x = _x(L)
    y = F.apply(x)
    g, = L.autograd.grad(y.sum(), x, create_graph=True)
    g2, = L.autograd.grad(g.sum(), x)
    return [g, g2]


def saves_output_then_input(L):
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out, x)
        return out

    def backward(ctx, g):
        out, x = ctx.saved_tensors
        return g * out + 0 * x
    F = _fn(L, forward, backward, name="OutThenIn")
    x = _x(L)
    F.apply(x).sum().backward()
    return x.grad


def saved_output_modified(L):
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out
    F = _fn(L, forward, backward, name="MyExp")
    y = F.apply(_x(L))
    y.add_(1)
    y.sum().backward()


def non_differentiable_output(L):
    def forward(ctx, x):
        idx = x.argmax()
        out = x * 2
        ctx.mark_non_differentiable(idx)
        return out, idx

    F = _fn(L, forward, lambda ctx, g, _gi: g * 2, name="WithIndex")
    x = _x(L)
    out, idx = F.apply(x)
    out.sum().backward()
    return [idx.requires_grad, out.requires_grad, x.grad]


def materialize_grads_off(L):
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    def backward(ctx, ga, gb):
        return (ga * 2 if ga is not None else 0) + (gb * 3 if gb is not None else 0)
    F = _fn(L, forward, backward, name="Two")
    x = _x(L)
    a, b = F.apply(x)
    b.sum().backward()
    return x.grad


def needs_input_grad(L):
    seen = []

    def forward(ctx, x, y, k):
        seen.append(ctx.needs_input_grad)
        return x * y * k

    def backward(ctx, g):
        seen.append(ctx.needs_input_grad)
        return g, g, None
    F = _fn(L, forward, backward, name="Needs")
    F.apply(_x(L), L.ones(3), 2.0).sum().backward()
    return seen


CASES = [identity_forward_keeps_input_a_leaf, identity_of_a_non_leaf, backward_returns_wrong_shape,
         backward_returns_other_shape, backward_returns_broadcast_shape,
         backward_returns_other_dtype, gradient_for_a_number, gradient_for_a_tensor_without_grad,
         too_many_gradients, too_many_none_gradients_are_fine, mark_dirty, mark_dirty_on_a_leaf,
         mark_dirty_on_a_view, saves_its_output, saves_output_then_input, saved_output_modified,
         non_differentiable_output, materialize_grads_off, needs_input_grad]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_custom_function_edges_match_torch(case):
    same(case)


def _once(L):
    from importlib import import_module
    once_differentiable = import_module(L.__name__ + ".autograd.function").once_differentiable

    class Square(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g
    return Square


def test_once_differentiable_matches_torch():
    def first_order(L):
        x = L.tensor(3.0, requires_grad=True)
        g, = L.autograd.grad(_once(L).apply(x), x, create_graph=True)
        return [g, g.requires_grad]

    def second_order(L):
        x = L.tensor(3.0, requires_grad=True)
        y = _once(L).apply(x) * x
        g, = L.autograd.grad(y, x, create_graph=True)
        names = node_names(g)
        g.backward()
        return names

    same(first_order)
    same(second_order)


def test_once_differentiable_is_importable_like_torchs():
    from minigrad.autograd import once_differentiable as a
    from minigrad.autograd.function import once_differentiable as b
    assert a is b
    assert torch.autograd.function.once_differentiable is not None


def test_jvp_of_a_custom_function():
    def run(L):
        Cube = _fn(L, lambda ctx, x: (ctx.save_for_forward(x), x ** 3)[1],
                   lambda ctx, g: g, lambda ctx, t: t * 3 * ctx.saved_tensors[0] ** 2, name="Cube")
        fwd = L.autograd.forward_ad
        with fwd.dual_level():
            out = Cube.apply(fwd.make_dual(L.tensor([2.0]), L.tensor([1.0])))
            return fwd.unpack_dual(out).tangent
    assert same(run).tolist() == [12.0]
