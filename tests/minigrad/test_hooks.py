"""Hooks side by side with torch: tensor hooks on leaves and non-leaves (also on the second output
of a node), retain_grad, node hooks, post-accumulate hooks, and what a hook may return."""
import pytest

import minigrad
from torch_pairs import same


def _x(L):
    return L.tensor([1.0, -2.0, 3.0], requires_grad=True)


def leaf_hook_wrong_shape(L):
    x = _x(L)
    x.register_hook(lambda g: g.sum())
    (x * 2).sum().backward()


def leaf_hook_leaves_grad_unset_on_error(L):
    x = _x(L)
    x.register_hook(lambda g: L.ones(4))
    try:
        (x * 2).sum().backward()
    except RuntimeError:
        pass
    return x.grad is None


def non_leaf_hook_wrong_shape(L):
    x = _x(L)
    y = x * 2
    y.register_hook(lambda g: L.ones(1))
    y.sum().backward()


def hook_result_is_not_changed_by_a_second_backward(L):
    x = _x(L)
    kept = []

    def hook(g):
        r = g * 3
        kept.append(r)
        return r
    x.register_hook(hook)
    (x * 1).sum().backward()
    (x * 1).sum().backward()
    return [kept[0], x.grad]


def gradient_seen_by_a_hook_is_not_changed_later(L):
    x = _x(L)
    seen = []
    x.register_hook(lambda g: seen.append(g))
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    return [seen[0], seen[1], x.grad]


def user_gradient_is_not_adopted(L):
    x = _x(L)
    g = L.tensor([1.0, 2.0, 3.0])
    (x * 1).backward(g)
    (x * 1).backward(g)
    return [g, x.grad]


def hooks_on_second_output(L):
    x = _x(L)
    a, b, c = (x * 2).unbind()
    calls = []
    b.register_hook(lambda g: calls.append(("b", g)) or g * 10)
    c.retain_grad()
    (a + b * 2 + c * 3).backward()
    return [x.grad, c.grad, calls[0][1]]


def hooks_on_custom_function_outputs(L):
    class Two(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3
    x = _x(L)
    a, b = Two.apply(x)
    b.register_hook(lambda g: g * 100)
    a.retain_grad()
    b.retain_grad()
    (a + b).sum().backward()
    return [x.grad, a.grad, b.grad]


def post_accumulate_grad_hook(L):
    x = _x(L)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append((t is x, t.grad.clone())))
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    return seen


def post_accumulate_grad_hook_on_non_leaf(L):
    (_x(L) * 2).register_post_accumulate_grad_hook(lambda t: None)


def post_accumulate_hook_can_step(L):
    """The hook can update the parameter right after its gradient arrives (optimizer-in-backward)."""
    w = _x(L)

    def step(p):
        with L.no_grad():
            p.sub_(0.1 * p.grad)
        p.grad = None
    w.register_post_accumulate_grad_hook(step)
    (w * w).sum().backward()
    return [w, w.grad is None]


def handle_remove(L):
    x = _x(L)
    calls = []
    h = x.register_hook(lambda g: calls.append(1))
    y = x * 2
    hy = y.register_hook(lambda g: calls.append(2))
    y.sum().backward(retain_graph=True)
    h.remove()
    hy.remove()
    y.sum().backward()
    return calls


def node_hooks(L):
    x = _x(L)
    y = (x * 2).sin()
    seen = []
    y.grad_fn.register_prehook(lambda grads: seen.append(("pre", grads[0])))
    y.grad_fn.register_hook(lambda gin, gout: seen.append(("post", gin[0], gout[0])))
    y.sum().backward()
    return seen


def prehook_replaces_gradient(L):
    x = _x(L)
    y = x * 2
    y.grad_fn.register_prehook(lambda grads: (grads[0] * 5,))
    y.sum().backward()
    return x.grad


def hook_with_create_graph(L):
    x = _x(L)
    y = x ** 2
    y.register_hook(lambda g: g * x)
    g, = L.autograd.grad(y.sum(), x, create_graph=True)
    g2, = L.autograd.grad(g.sum(), x)
    return [g, g2]


def leaf_hook_in_autograd_grad(L):
    x = _x(L)
    x.register_hook(lambda g: g * 7)
    g, = L.autograd.grad((x * 2).sum(), x)
    return [g, x.grad is None]


def retain_grad_accumulates(L):
    x = _x(L)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(retain_graph=True)
    first = y.grad.clone()
    (y * 3).sum().backward()
    return [first, y.grad]


def hook_order(L):
    x = _x(L)
    calls = []
    a = x * 2
    b = x * 3
    c = a * b
    d = a + c
    for name, t in (("x", x), ("a", a), ("b", b), ("c", c), ("d", d)):
        t.register_hook(lambda g, name=name: calls.append(name))
    d.sum().backward()
    return calls


CASES = [leaf_hook_wrong_shape, leaf_hook_leaves_grad_unset_on_error, non_leaf_hook_wrong_shape,
         hook_result_is_not_changed_by_a_second_backward,
         gradient_seen_by_a_hook_is_not_changed_later, user_gradient_is_not_adopted,
         hooks_on_second_output, hooks_on_custom_function_outputs, post_accumulate_grad_hook,
         post_accumulate_grad_hook_on_non_leaf, post_accumulate_hook_can_step, handle_remove,
         node_hooks, prehook_replaces_gradient, hook_with_create_graph, leaf_hook_in_autograd_grad,
         retain_grad_accumulates, hook_order]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_hooks_match_torch(case):
    same(case)


def test_leaf_gradient_is_adopted_only_when_nobody_else_holds_it():
    """The engine keeps a fresh gradient as leaf.grad without copying it (as torch steals it),
    but never one that a user, a hook or another leaf can also see."""
    x = minigrad.ones(1000, requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad
    y = x * 3
    y.sum().backward()
    assert x.grad is first  # accumulated in place, no new tensor
    a = minigrad.ones(3, requires_grad=True)
    b = minigrad.ones(3, requires_grad=True)
    (a + b).sum().backward()  # the same gradient goes to both leaves
    assert not minigrad.Tensor.data_ptr(a.grad) == b.grad.data_ptr()
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]
