"""A view made under no_grad (or in inference mode) of a tensor that requires grad, side by side
with torch: it requires grad because its base does, it is a leaf, and no gradient reaches it or,
through it, its base; ``requires_grad_()`` gives it a gradient of its own."""
import pytest

from torch_pairs import node_names, same

VIEWS = {
    "index": lambda x: x[0],
    "slice": lambda x: x[:1],
    "view": lambda x: x.view(6),
    "t": lambda x: x.t(),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "expand": lambda x: x[:1].expand(3, 3),
    "reshape": lambda x: x.reshape(3, 2),
    "unbind": lambda x: x.unbind(0)[1],
    "split": lambda x: x.split(1)[0],
    "view_of_view": lambda x: x[0][1:],
}
BASES = {"leaf": lambda L: L.ones(2, 3, dtype=L.float64, requires_grad=True),
         "non_leaf": lambda L: L.ones(2, 3, dtype=L.float64, requires_grad=True) * 2}
MODES = {"no_grad": lambda L: L.no_grad(), "inference_mode": lambda L: L.inference_mode()}
CASES = [(v, b, m) for v in VIEWS for b in BASES for m in MODES]


def _view(L, view, base, mode):
    x = BASES[base](L)
    with MODES[mode](L):
        v = VIEWS[view](x)
    return x, v


@pytest.mark.parametrize(("view", "base", "mode"), CASES)
def test_flags(view, base, mode):
    def flags(L):
        x, v = _view(L, view, base, mode)
        return [v.requires_grad, v.is_leaf, v.grad_fn is None, (v * 2).requires_grad,
                v.detach().requires_grad, v.clone().requires_grad]
    same(flags)


@pytest.mark.parametrize(("view", "base", "mode"), CASES)
def test_no_gradient_reaches_it(view, base, mode):
    def run(L):
        x, v = _view(L, view, base, mode)
        y = (v * 2 + x.sum()).sum()
        names = node_names(y)
        y.backward()
        leaf = x if x.is_leaf else None
        return [names, v.grad, None if leaf is None else leaf.grad]
    same(run)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("snippet", [
    lambda L, x, v: v.sum().backward(),
    lambda L, x, v: v.backward(L.ones_like(v)),
    lambda L, x, v: L.autograd.grad((v * 2).sum(), v),
    lambda L, x, v: L.autograd.grad((v * 2).sum(), v, allow_unused=True),
    lambda L, x, v: L.autograd.grad((v * 2).sum(), x),
    lambda L, x, v: L.autograd.grad((x * 2).sum(), v),
    lambda L, x, v: v.mul_(2),
    lambda L, x, v: v.retain_grad(),
    lambda L, x, v: (v.requires_grad_(False), v.requires_grad)[1],
], ids=["sum_backward", "backward", "grad_of_v", "grad_of_v_unused", "grad_of_x", "grad_x_only",
        "in_place", "retain_grad", "requires_grad_false"])
def test_what_torch_does_with_it(snippet, mode):
    def run(L):
        x, v = _view(L, "index", "leaf", mode)
        result = snippet(L, x, v)
        return [result if not isinstance(result, L.Tensor) else result.requires_grad, v.grad, x.grad]
    same(run)


@pytest.mark.parametrize("mode", MODES)
def test_requires_grad_gives_it_a_gradient_of_its_own(mode):
    def run(L):
        x, v = _view(L, "index", "leaf", mode)
        v.requires_grad_(True)
        (v * 3).sum().backward()
        return [v.requires_grad, v.is_leaf, v.grad, x.grad]
    same(run)
