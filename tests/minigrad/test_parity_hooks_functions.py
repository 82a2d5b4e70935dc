"""Hooks, custom Functions and a second backward, side by side with torch: what a hook may
return (and the errors when it returns something else), what a custom Function's outputs become
(views of its inputs, non-tensors, non-differentiable ones), what its backward may return, and
which graphs may be run backward twice. Each snippet must give torch's values or raise torch's
error."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from torch_pairs import outcome, same
import minigrad
import torch


def check(case):
    """``same`` at float32's precision: the snippets compute in float32, as torch's defaults do."""
    same(case, rtol=1e-6)


def differences(cases):
    """Run each snippet of ``cases`` (name -> snippet) with torch and minigrad: the names of those
    whose outcomes differ, with how. A table of snippets in one test: the ones that always agreed
    keep the others honest (an error raised too eagerly would show there)."""
    found = []
    for name, case in cases.items():
        try:
            check(case)
        except AssertionError as e:
            found.append((name, str(e)[:400]))
    return found


def _fn(L, forward, backward, name="Fn"):
    """A custom Function class for library L from two plain functions."""
    body = {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    return type(name, (L.autograd.Function,), body)


def _identity(L):
    """A custom Function that returns its input as it is (its backward doubles the gradient)."""
    return _fn(L, lambda ctx, x: x, lambda ctx, g: g * 2, name="Id")


def _x(L):
    return L.tensor([1.0, -2.0, 3.0], requires_grad=True)


# ---------------------------------------------------------------------- a custom Function's outputs
def returned_input_changed_in_place(L):
    x = _x(L)
    y = _identity(L).apply(x * 1)
    copy = y.clone()
    copy.mul_(2)  # a copy may be changed
    (copy * y).sum().backward()
    error = outcome(L, lambda L: y.mul_(2))
    return [copy, x.grad, error]


def returned_leaf_changed_in_place(L):
    _identity(L).apply(_x(L)).mul_(2)


def returned_input_without_grad_changed_in_place(L):
    F = _fn(L, lambda ctx, x, w: x, lambda ctx, g: (g, g), name="First")
    x = L.ones(3)
    y = F.apply(x, L.ones(3))  # nothing requires grad: nothing is recorded, y may change
    y.mul_(2)
    error = outcome(L, lambda L: F.apply(L.ones(3), _x(L)).add_(1))
    return [x, y, y.requires_grad, y._base is x, error]


def view_of_returned_input_changed_in_place(L):
    y = _identity(L).apply(_x(L) * 1)
    y[:2].mul_(2)


def base_of_returned_input_changed_in_place(L):
    x = _x(L)
    z = x * 1
    y = _identity(L).apply(z)
    z.mul_(2)
    y.sum().backward()


def view_made_in_forward_changed_in_place(L):
    F = _fn(L, lambda ctx, x: x[:2], lambda ctx, g: L.cat([g, g[:1]]), name="Head")
    F.apply(_x(L) * 1).mul_(2)


def non_differentiable_view_changed_in_place(L):
    """A view of an input made in forward, marked non-differentiable: still the custom Function's
    view (torch's message names it a view made in no_grad mode, forward's mode)."""
    def forward(ctx, x):
        head = x[:2]
        ctx.mark_non_differentiable(head)
        return head
    F = _fn(L, forward, lambda ctx, g: None, name="NdHead")
    x = _x(L) * 1
    y = F.apply(x)
    error = outcome(L, lambda L: y.mul_(2))
    x.mul_(2)
    return [y.grad_fn is None, error, outcome(L, lambda L: y.grad_fn)]


def non_differentiable_returned_input(L):
    def forward(ctx, x):
        ctx.mark_non_differentiable(x)
        return x
    F = _fn(L, forward, lambda ctx, g: g, name="Nd")
    out = []
    for x in (_x(L), _x(L) * 1, L.ones(3)):
        y = F.apply(x)
        out += [y.requires_grad, y.grad_fn is None, y is x, y._base is x, y._version == x._version]
    return out


def non_differentiable_returned_input_among_others(L):
    def forward(ctx, x):
        ctx.mark_non_differentiable(x)
        return x * 2, x
    F = _fn(L, forward, lambda ctx, g, g2: g * 2, name="Nd2")
    x = _x(L)
    a, b = F.apply(x)
    a.sum().backward()
    return [a.requires_grad, b.requires_grad, b.grad_fn is None, x.grad]


def _seen_by_backward(L, forward, n_outputs):
    """Run forward, backward from its first output; what backward got for each output."""
    seen = []

    def backward(ctx, *grads):
        seen.extend(g is None for g in grads)
        return grads[0]
    F = _fn(L, forward, backward, name="Mixed")
    x = _x(L)
    out = F.apply(x)
    out[0].sum().backward()
    return [type(o).__name__ for o in out[1:]], out[1:], seen, x.grad


def number_output(L):
    return _seen_by_backward(L, lambda ctx, x: (x * 2, 5), 2)


def several_non_tensor_outputs(L):
    return _seen_by_backward(L, lambda ctx, x: (x * 2, "s", 1.5, None), 4)


def array_output(L):
    kind, values, seen, grad = _seen_by_backward(L, lambda ctx, x: (x * 2, np.ones(2)), 2)
    return kind, values[0].tolist(), seen, grad


def number_output_first(L):
    F = _fn(L, lambda ctx, x: (5, x * 2), lambda ctx, g, g2: g2 if g is None else None, name="Late")
    x = _x(L)
    a, b = F.apply(x)
    b.sum().backward()
    return [a, x.grad, len(b.grad_fn.next_functions)]


def only_a_number(L):
    F = _fn(L, lambda ctx, x: 5, lambda ctx, g: g, name="Five")
    return [[type(o).__name__, o] for o in (F.apply(_x(L)), F.apply(L.ones(2)))]


def list_output(L):
    F = _fn(L, lambda ctx, x: [x * 2, 5], lambda ctx, g: g, name="List")
    out = F.apply(_x(L))
    return [type(out).__name__, out[1], out[0].requires_grad]


def non_tensor_output_in_no_grad_and_inference_mode(L):
    F = _fn(L, lambda ctx, x: (x * 2, 5), lambda ctx, g, g2: g, name="Pair")
    with L.no_grad():
        a, b = F.apply(_x(L))
    with L.inference_mode():
        c, d = F.apply(L.ones(2))
    return [a.requires_grad, type(b).__name__, b, c.is_inference(), type(d).__name__, d]


# ---------------------------------------------------------------------- ctx.save_for_backward
def _saving(L, *values):
    def forward(ctx, x):
        ctx.save_for_backward(*values)
        return x * 2
    return _fn(L, forward, lambda ctx, g: g, name="Saves")


def save_a_number(L):
    not_recording = _saving(L, 3).apply(L.ones(2))  # nothing is kept: no error, as in torch
    return [not_recording, outcome(L, lambda L: _saving(L, 3).apply(_x(L)))]


def save_a_float_after_a_tensor(L):
    _saving(L, L.ones(1), 3.5).apply(_x(L))


def save_a_list_after_none(L):
    _saving(L, None, [1]).apply(_x(L))


# ---------------------------------------------------------------------- the node of a custom Function
def call_nodes(L):
    builtin = (_x(L) * 2).grad_fn(L.ones(3))  # (the gradients of x and of the number 2)
    custom = _identity(L).apply(_x(L) * 1).grad_fn
    return [builtin, outcome(L, lambda L: custom(L.ones(3)))]


# ---------------------------------------------------------------------- what backward may return
def _returning(L, value):
    return _fn(L, lambda ctx, x, w: x * w, lambda ctx, g: (g, value(L, g)), name="Ret")


@pytest.mark.parametrize("value", [
    lambda L, g: 1.0, lambda L, g: 3, lambda L, g: "s", lambda L, g: np.ones(3), lambda L, g: [g],
    lambda L, g: np.float64(1.0)], ids=["float", "int", "str", "ndarray", "list", "numpy_float"])
@pytest.mark.parametrize("w_requires_grad", [True, False])
def test_backward_returns_something_else_than_a_tensor(value, w_requires_grad):
    def case(L):
        x, w = _x(L), L.ones(3, requires_grad=w_requires_grad)
        _returning(L, value).apply(x, w).sum().backward()
    check(case)


def backward_returns_a_number_for_the_first_input(L):
    F = _fn(L, lambda ctx, x, k: x * k, lambda ctx, g: (1.0, 2.0), name="Both")
    F.apply(_x(L), 2).sum().backward()


def backward_returns_too_few_with_a_number_input(L):
    F = _fn(L, lambda ctx, x, k: x * k, lambda ctx, g: g, name="Few")
    F.apply(_x(L), 2).sum().backward()


def test_gradient_of_an_input_is_checked_only_when_it_needs_one():
    """A wrong shape is an error, a broadcast one is summed back, another dtype is cast; for a
    tensor that needs no gradient, whatever backward returns is dropped unchecked."""
    values = {"shape": lambda L, g: L.ones(5), "dtype": lambda L, g: g.double(),
              "broadcast": lambda L, g: L.ones(2, 3)}

    def case(value, w_requires_grad):
        def snippet(L):
            x, w = _x(L), L.ones(3, requires_grad=w_requires_grad)
            _returning(L, value).apply(x, w).sum().backward()
            return [x.grad, w.grad]
        return snippet
    assert not differences({f"{name}, w.requires_grad={need}": case(value, need)
                            for name, value in values.items() for need in (True, False)})


# ---------------------------------------------------------------------- node hooks
def named(grads):
    return (torch.ones(4) if isinstance(grads[0], torch.Tensor) else minigrad.ones(4),)


class CallableHook:
    def __call__(self, grads):
        return named(grads)


PRE_HOOKS = {
    "shape": lambda L, g: (L.ones(4),), "two": lambda L, g: (g[0], g[0]), "empty": lambda L, g: (),
    "tensor": lambda L, g: g[0], "list": lambda L, g: [g[0] * 3], "None": lambda L, g: (None,),
    "float": lambda L, g: (1.0,), "int": lambda L, g: 5, "dtype": lambda L, g: (g[0].double(),),
    "scaled": lambda L, g: (g[0] * 3,), "same": lambda L, g: g, "nothing": lambda L, g: None,
}


@pytest.mark.parametrize("where", ["mul", "exp", "accumulate_grad"])
def test_node_prehook_results(where):
    """What a node pre-hook returns replaces the node's grad_outputs: a tuple of as many
    gradients, each None or a tensor of the same shape and dtype; torch's errors otherwise."""
    def case(hook):
        def snippet(L):
            x = _x(L)
            y = x * 2 if where == "mul" else x.exp()
            node = y.grad_fn if where != "accumulate_grad" else y.grad_fn.next_functions[0][0]
            node.register_prehook(lambda g: hook(L, g))
            y.sum().backward()
            return x.grad
        return snippet
    assert not differences({name: case(hook) for name, hook in PRE_HOOKS.items()})


def test_hook_names_in_errors():
    """A hook is named by its __name__, or '<unknown>' when it has none (a partial, an object)."""
    for hook in (named, CallableHook(), functools.partial(named)):
        def case(L, hook=hook):
            y = _x(L) * 2
            y.grad_fn.register_prehook(hook)
            y.sum().backward()
        check(case)


POST_HOOKS = {
    "scaled": lambda L, gi, go: (gi[0] * 10,), "two": lambda L, gi, go: (gi[0], gi[0]),
    "shape": lambda L, gi, go: (L.ones(4),), "dtype": lambda L, gi, go: (gi[0].double(),),
    "None": lambda L, gi, go: (None,), "tensor": lambda L, gi, go: gi[0],
    "float": lambda L, gi, go: (2.0,), "list": lambda L, gi, go: [gi[0] * 10],
    "nothing": lambda L, gi, go: None,
}


def test_node_post_hook_results():
    """What a node post-hook returns replaces the node's grad_inputs, checked as a pre-hook's."""
    def case(hook):
        def snippet(L):
            x = _x(L)
            y = x.exp()
            y.grad_fn.register_hook(lambda gi, go: hook(L, gi, go))
            y.sum().backward()
            return x.grad
        return snippet
    assert not differences({name: case(hook) for name, hook in POST_HOOKS.items()})


def post_hooks_in_a_chain(L):
    """Each post-hook sees the grad_inputs the one before returned, and the grad_outputs that
    the pre-hooks returned."""
    x = _x(L)
    y = x * L.ones(3)
    seen = []
    y.grad_fn.register_prehook(lambda g: (g[0] * 5,))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
    y.grad_fn.register_hook(lambda gi, go: seen.append([gi, go]))
    y.sum().backward()
    return [seen, x.grad]


def post_hook_cannot_fill_a_missing_gradient(L):
    x = _x(L)
    y = x * L.ones(3)
    y.grad_fn.register_hook(lambda gi, go: (gi[0], L.ones(3)))
    y.sum().backward()


@pytest.mark.parametrize("result", [lambda L, go: None, lambda L, go: (), lambda L, go: (go[0],),
                                    lambda L, go: go], ids=["None", "empty", "one", "grad_outputs"])
def test_accumulate_grad_post_hook(result):
    def case(L):
        x = _x(L)
        y = x.exp()
        seen = []

        def hook(gi, go):
            seen.append([gi, go])
            return result(L, go)
        y.grad_fn.next_functions[0][0].register_hook(hook)
        y.sum().backward()
        return [seen, x.grad]
    check(case)


# ---------------------------------------------------------------------- tensor hooks
TENSOR_HOOKS = {
    "double": lambda L, g: g.double(), "reshape": lambda L, g: g.reshape(3, 1),
    "int64": lambda L, g: L.ones(3, dtype=L.int64), "dtype_and_shape": lambda L, g: L.ones(4, dtype=L.float64),
    "float": lambda L, g: 1.0, "int": lambda L, g: 5, "str": lambda L, g: "s", "ndarray": lambda L, g: np.ones(3),
    "list": lambda L, g: [g], "scaled": lambda L, g: g * 3, "nothing": lambda L, g: None,
}


@pytest.mark.parametrize("leaf", [True, False])
def test_tensor_hook_results(leaf):
    """A tensor hook returns None or a tensor of the gradient's shape and dtype."""
    def case(hook):
        def snippet(L):
            x = _x(L)
            t = x if leaf else x * 1
            t.register_hook(lambda g: hook(L, g))
            (t * 2).sum().backward()
            return x.grad
        return snippet
    assert not differences({name: case(hook) for name, hook in TENSOR_HOOKS.items()})


def test_post_accumulate_grad_hook_results():
    """A post-accumulate-grad hook must return None; .grad is already accumulated when it raises."""
    results = {"int": lambda L, t: 5, "None": lambda L, t: None, "tensor": lambda L, t: L.ones(3),
               "shape": lambda L, t: L.ones(5), "dtype": lambda L, t: L.ones(3, dtype=L.float64)}

    def case(result):
        def snippet(L):
            x = _x(L)
            x.register_post_accumulate_grad_hook(lambda t: result(L, t))
            error = outcome(L, lambda L: (x * 2).sum().backward())
            return [error, x.grad]
        return snippet
    assert not differences({name: case(result) for name, result in results.items()})


@settings(max_examples=25, deadline=None, derandomize=True)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3),
       new_shape=st.lists(st.integers(1, 3), min_size=0, max_size=3),
       kind=st.sampled_from(["tensor", "pre", "post"]))
def test_hooks_that_return_other_shapes(shape, new_shape, kind):
    """A hook that returns a gradient of another shape: an error, whatever the shapes."""
    def case(L):
        x = L.ones(shape, requires_grad=True)
        y = x.exp()
        new = L.full(new_shape, 3.0)
        if kind == "tensor":
            y.register_hook(lambda g: new)
        elif kind == "pre":
            y.grad_fn.register_prehook(lambda g: (new,))
        else:
            y.grad_fn.register_hook(lambda gi, go: (new,))
        y.sum().backward()
        return x.grad
    check(case)


# ---------------------------------------------------------------------- backward a second time
BINARY = {
    "x*2": lambda L, x, y: x * 2, "2*x": lambda L, x, y: 2 * x, "x/2": lambda L, x, y: x / 2,
    "2/x": lambda L, x, y: 2 / x, "x.mul(2)": lambda L, x, y: x.mul(2), "x.div(2)": lambda L, x, y: x.div(2),
    "mul(x,2)": lambda L, x, y: L.mul(x, 2), "x*True": lambda L, x, y: x * True,
    "x+2": lambda L, x, y: x + 2, "x-2": lambda L, x, y: x - 2, "2-x": lambda L, x, y: 2 - x,
    "add_alpha": lambda L, x, y: L.add(x, y, alpha=3), "x+y": lambda L, x, y: x + y,
    "x*y": lambda L, x, y: x * y, "x*y.detach()": lambda L, x, y: x * y.detach(),
    "x/y": lambda L, x, y: x / y, "x.detach()/y": lambda L, x, y: x.detach() / y,
    "x*0d": lambda L, x, y: x * L.tensor(2.0), "x**2": lambda L, x, y: x ** 2,
    "x**y": lambda L, x, y: x ** y, "2**x": lambda L, x, y: 2 ** x, "x%2": lambda L, x, y: x % 2,
    "x%y": lambda L, x, y: x % y, "fmod": lambda L, x, y: L.fmod(x, 2),
    "lerp": lambda L, x, y: L.lerp(x, y, 0.3),
    "lerp_tensor": lambda L, x, y: L.lerp(x, y, L.full((3,), 0.3, dtype=L.float64)),
    "addcmul": lambda L, x, y: L.addcmul(x, y, y, value=2), "clamp": lambda L, x, y: x.clamp(0, 2),
    "maximum": lambda L, x, y: L.maximum(x, y), "where": lambda L, x, y: L.where(x > 1.5, x, y),
    "masked_fill": lambda L, x, y: x.masked_fill(x > 1.5, 0.0), "dot": lambda L, x, y: L.dot(x, y),
    "matmul": lambda L, x, y: x.view(3, 1) @ y.view(1, 3), "cat": lambda L, x, y: L.cat([x, y]),
}
UNARY = {
    "-x": lambda L, x: -x, "exp": lambda L, x: x.exp(), "log": lambda L, x: x.log(),
    "tanh": lambda L, x: x.tanh(), "relu": lambda L, x: x.relu(), "abs": lambda L, x: x.abs(),
    "sqrt": lambda L, x: x.sqrt(), "floor": lambda L, x: x.floor(), "sign": lambda L, x: x.sign(),
    "sum": lambda L, x: x.sum(), "mean": lambda L, x: x.mean(), "prod": lambda L, x: x.prod(),
    "amax": lambda L, x: x.amax(), "var": lambda L, x: x.var(), "norm": lambda L, x: x.norm(),
    "view": lambda L, x: x.view(3, 1), "t": lambda L, x: x.view(3, 1).t(), "expand": lambda L, x: x.expand(2, 3),
    "unsqueeze": lambda L, x: x.unsqueeze(0), "x[1]": lambda L, x: x[1], "x[1:]": lambda L, x: x[1:],
    "x[index]": lambda L, x: x[L.tensor([0, 2])], "gather": lambda L, x: x.gather(0, L.tensor([0, 2])),
    "softmax": lambda L, x: x.softmax(0), "double": lambda L, x: x.double(), "clone": lambda L, x: x.clone(),
    "mul_": lambda L, x: x.clone().mul_(2), "add_": lambda L, x: x.clone().add_(2),
    "div_": lambda L, x: x.clone().div_(2), "slice_mul_": lambda L, x: _in_place_on_slice(x, "mul_"),
    "slice_add_": lambda L, x: _in_place_on_slice(x, "add_"),
}


def _in_place_on_slice(x, op):
    """``c[1:].op(2)`` on a copy of x: c's history is a CopySlices node wrapping op's node."""
    c = x.clone()
    getattr(c[1:], op)(2)
    return c


def _twice(L, f):
    """Backward through ``f``'s graph, then again: the gradients, or the second one's error."""
    x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
    y = L.tensor([2.0, 3.0, 4.0], dtype=L.float64, requires_grad=True)
    out = f(L, x, y).sum()
    out.backward()
    first = [x.grad.clone(), None if y.grad is None else y.grad.clone()]
    return [first, outcome(L, lambda L: out.backward()), x.grad]


def test_second_backward_raises_where_torch_does():
    """A second backward through a node raises when the node saved something for backward (a
    tensor, or a number torch keeps as a tensor: the 2 of x * 2), and runs again when it saved
    nothing (x + 2, sum, views)."""
    cases = {name: lambda L, f=f: _twice(L, f) for name, f in BINARY.items()}
    cases.update({name: lambda L, f=f: _twice(L, lambda L, x, y: f(L, x)) for name, f in UNARY.items()})
    assert not differences(cases)


OPS_SAVING_OTHERWISE = {  # ops whose nodes save what torch's save, not all their inputs
    "div_rounding": lambda L, x, y: L.div(x, y, rounding_mode="floor"),  # torch saves `other`
    "addmm_bias_only": lambda L, x, y: L.addmm(x.view(3, 1).expand(3, 3), L.ones(3, 2, dtype=L.float64),
                                               L.ones(2, 3, dtype=L.float64)),  # torch: nothing
    "addcmul_input_only": lambda L, x, y: L.addcmul(x, y.detach(), y.detach()),  # torch: nothing
}


@pytest.mark.parametrize("f", list(OPS_SAVING_OTHERWISE.values()), ids=list(OPS_SAVING_OTHERWISE))
def test_second_backward_through_ops_that_save_otherwise(f):
    check(lambda L: _twice(L, f))


ELEMENTWISE = {  # ops that keep x's shape, to chain
    **{name: UNARY[name] for name in ("-x", "exp", "tanh", "relu", "abs", "floor", "sign", "softmax",
                                      "double", "clone", "mul_", "add_", "div_", "slice_mul_",
                                      "slice_add_")},
    **{name: lambda L, x, f=BINARY[name]: f(L, x, x) for name in ("x*2", "2*x", "x/2", "x+2", "2-x",
                                                                   "x*y", "x+y", "x%2", "lerp")},
}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(chain=st.lists(st.sampled_from(sorted(ELEMENTWISE)), min_size=1, max_size=4),
       retain=st.booleans(), grad=st.booleans())
def test_second_backward_through_chains(chain, retain, grad):
    """A chain of ops run backward twice (with backward or autograd.grad, with and without
    retain_graph): the second pass raises where torch's does, or gives torch's gradients."""
    def case(L):
        x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
        t = x
        for name in chain:
            t = ELEMENTWISE[name](L, t)
        out = t.sum()
        run = (lambda: L.autograd.grad(out, x, retain_graph=retain)) if grad else \
            (lambda: out.backward(retain_graph=retain))
        return [run(), outcome(L, lambda L: run()), x.grad]
    check(case)


def custom_function_backward_twice(L):
    """A custom Function's saved_tensors raise once freed, even if it saved nothing; a backward
    that does not read them runs again."""
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    def reading(ctx, g):
        ctx.saved_tensors  # noqa: B018 - reading them is what raises after they were freed
        return g * 2
    x = _x(L)
    keeps = _fn(L, forward, lambda ctx, g: g * 2, name="Keeps").apply(x)
    keeps.sum().backward()
    keeps.sum().backward()
    reads = _fn(L, lambda ctx, x: x * 2, reading, name="Reads").apply(x).sum()
    reads.backward()
    return [x.grad, outcome(L, lambda L: keeps.grad_fn.saved_tensors),
            outcome(L, lambda L: reads.backward())]


def new_path_through_a_freed_node(L):
    x = _x(L)
    y = x * 2
    y.sum().backward()
    before = L.autograd.grad((y + 1).sum(), y)  # stops before the freed node: fine
    return [before, outcome(L, lambda L: (y + 1).sum().backward())]


# ---------------------------------------------------------------------- anomaly mode
def modified_saved_tensor_in_anomaly_mode(L):
    with L.autograd.set_detect_anomaly(True):
        x = _x(L)
        y = x.exp()
        y.mul_(2)
        y.sum().backward()


def modified_saved_tensor_in_anomaly_mode_without_nan_check(L):
    with L.autograd.detect_anomaly(check_nan=False):
        x = _x(L)
        y = x * 1
        z = y * y
        y.add_(1)
        z.sum().backward()


CASES = [
    returned_input_changed_in_place, returned_leaf_changed_in_place,
    returned_input_without_grad_changed_in_place, view_of_returned_input_changed_in_place,
    base_of_returned_input_changed_in_place, view_made_in_forward_changed_in_place,
    non_differentiable_view_changed_in_place, non_differentiable_returned_input,
    non_differentiable_returned_input_among_others,
    number_output, several_non_tensor_outputs, array_output, number_output_first, only_a_number,
    list_output, non_tensor_output_in_no_grad_and_inference_mode,
    save_a_number, save_a_float_after_a_tensor, save_a_list_after_none, call_nodes,
    backward_returns_a_number_for_the_first_input, backward_returns_too_few_with_a_number_input,
    post_hooks_in_a_chain, post_hook_cannot_fill_a_missing_gradient,
    custom_function_backward_twice, new_path_through_a_freed_node,
    modified_saved_tensor_in_anomaly_mode, modified_saved_tensor_in_anomaly_mode_without_nan_check,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_matches_torch(case):
    check(case)
