"""Memory is freed when torch frees it: by reference counting, at the moment the last tensor of a
graph goes away (no reference cycles for the cyclic garbage collector to find later), and a
backward without retain_graph leaves the nodes holding nothing but the graph's shape.

These are not timing tests: with the cyclic collector switched off, a weak reference to a big
array is dead right after the last owner is deleted, or it is not.
"""
import gc
import os
import subprocess
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import minigrad
import minigrad.nn  # noqa: F401

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


@pytest.fixture
def no_cyclic_gc():
    """Only reference counting frees memory inside the test; afterwards, nothing is left for the
    cyclic collector to find (a graph that formed a cycle would be)."""
    gc.collect()
    gc.disable()
    try:
        yield
        assert gc.collect() == 0, "reference cycles: some memory waited for the cyclic collector"
    finally:
        gc.enable()


class MyExp(minigrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out


GRAPHS = {
    "mul_sum": lambda x: (x * 2).sum(),
    "saves_output": lambda x: x.exp().tanh().sigmoid().sum(),
    "custom_saves_output": lambda x: MyExp.apply(x).sum(),
    "views_and_inplace": lambda x: _inplace_on_views(x),
    "indexing": lambda x: (x[x > 0.5].sum() + x[[0, 1, 1]].sum() + x.reshape(4, -1)[1:, :2].sum()),
    "masks": lambda x: (x.relu() + x.clamp(0.2, 0.8) + x.abs() + minigrad.where(x > 0, x, 0.0)).sum()
                       + x.max() + x.reshape(4, -1).max(1).values.sum(),
    "linear_cross_entropy": lambda x: _classifier_loss(x),
    "hooks_and_retain_grad": lambda x: _with_hooks(x),
    "forward_mode": lambda x: _forward_mode(x),
}


def _inplace_on_views(x):
    y = x * 1
    y[:10].mul_(3)
    y.view(4, -1)[1].add_(x[:y.numel() // 4])
    return (y * y).sum()


def _classifier_loss(x):
    logits = x.reshape(-1, 10) @ minigrad.ones(10, 5, dtype=x.dtype, requires_grad=True)
    target = minigrad.zeros(logits.shape[0], dtype=minigrad.int64)
    return minigrad.nn.functional.cross_entropy(logits, target)


def _with_hooks(x):
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 1)
    x.register_hook(lambda g: g * 1)
    return y.sum()


def _forward_mode(x):
    fwd = minigrad.autograd.forward_ad
    with fwd.dual_level():
        d = fwd.make_dual(x.detach(), minigrad.ones_like(x))
        fwd.unpack_dual(d.exp().sin() * 2)
    return x.sum()


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_a_graph_is_freed_by_reference_counting(name, no_cyclic_gc):
    x = minigrad.rand(4000, dtype=minigrad.float64).requires_grad_()
    loss = GRAPHS[name](x)
    loss.backward()
    arrays = [weakref.ref(x._data), weakref.ref(x.grad._data)]
    del x, loss
    assert all(ref() is None for ref in arrays)


def test_fresh_leaves_in_a_loop_are_freed_at_once(no_cyclic_gc):
    """The issue's loop: each iteration's leaf, graph and gradient go when the leaf goes."""
    for _ in range(10):
        x = minigrad.ones(100_000).requires_grad_()
        (x * 2).sum().backward()
        refs = [weakref.ref(x._data), weakref.ref(x.grad._data)]
        del x
        assert all(ref() is None for ref in refs)


def test_a_node_that_saves_its_output_does_not_keep_it_alive(no_cyclic_gc):
    x = minigrad.ones(1000, requires_grad=True)
    y = x.exp()
    node = weakref.ref(y.grad_fn)
    array = weakref.ref(y._data)
    del y
    assert node() is None and array() is None


def _memory_held_by_kept_losses(batch):
    """Bytes still allocated after 10 steps whose losses (and so graphs) are kept."""
    w = minigrad.randn(256, 128, requires_grad=True)
    data = minigrad.randn(batch, 256)
    target = minigrad.randint(0, 100, (batch,))
    keep = minigrad.arange(batch) % 2 == 0
    tracemalloc.start()
    try:
        losses = []
        for _ in range(10):
            h = (data @ w).relu()
            h = h.clamp(max=3.0)[:, :100][keep]
            loss = minigrad.nn.functional.cross_entropy(h, target[keep]) + h.amax(1).mean()
            loss.backward()
            losses.append(loss)
        del h, loss
        w.grad = None
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def test_nodes_drop_what_they_saved_after_backward():
    """Keeping the losses of many steps (to plot them) keeps their graphs, which after backward
    hold no saved tensors, masks, one-hot targets or index arrays: what they hold does not grow
    with the batch (8x the batch: 8x the activations, the same graphs)."""
    small, large = _memory_held_by_kept_losses(32), _memory_held_by_kept_losses(256)
    activations_of_one_large_step = 256 * 128 * 4 * 3
    assert large - small < activations_of_one_large_step / 20, (small, large)


def test_saved_tensors_are_released_and_ctx_attributes_of_builtins_hold_no_arrays():
    x = minigrad.randn(50, 20, requires_grad=True)
    ops = [lambda t: t * t, lambda t: t.clamp(-0.5, 0.5), lambda t: t.amax(1),
           lambda t: t.max(1).values, lambda t: minigrad.where(t > 0, t, t * 2),
           lambda t: t[t > 0], lambda t: t[:, [1, 2, 2]],
           lambda t: t.gather(1, minigrad.zeros(50, 1, dtype=minigrad.int64)),
           lambda t: minigrad.nn.functional.cross_entropy(t, minigrad.zeros(50, dtype=minigrad.int64)),
           lambda t: t.prod(1), lambda t: t.norm(dim=1), lambda t: t.masked_fill(t > 0, 0.0)]
    for op in ops:
        y = op(x)
        y.sum().backward()
        node = y.grad_fn
        assert node._saved == () and node._freed in (True, False)
        arrays = [k for k, v in vars(node).items() if isinstance(v, (np.ndarray, minigrad.Tensor))]
        assert not arrays, (node.name(), arrays)


def test_backward_pauses_the_cyclic_collector_and_leaves_it_as_it_found_it():
    """The engine pauses Python's cyclic collector while nodes run (engine.py says why); after backward,
    whether it ends normally or with an error, the collector is on or off exactly as before."""
    seen = []

    class Look(minigrad.autograd.Function):
        fail = False

        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            seen.append(gc.isenabled())
            if Look.fail:
                raise ValueError("a backward that fails")
            return g

    x = minigrad.ones(3, requires_grad=True)
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            Look.fail = False
            Look.apply(x).sum().backward()
            assert gc.isenabled() is enabled
            Look.fail = True
            with pytest.raises(ValueError, match="fails"):
                Look.apply(x).sum().backward()
            assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert seen == [False] * 4


LEFT_BY_BACKWARD = """
import gc, sys
import minigrad

def left_by_backward(n):
    # how many objects that backward through n ops made are still alive after it, the graph kept
    x = minigrad.ones(3, requires_grad=True)
    y = x
    for i in range(n):
        y = ops[i % len(ops)](y, x)
    loss = y.sum()
    gc.collect()  # everything so far is now in the oldest generation: the youngest is empty
    loss.backward()
    return len(gc.get_objects(generation=0))

# ops that save nothing, a number, their input, their output, both inputs
ops = (lambda y, x: y + 1, lambda y, x: y * 1.0001, lambda y, x: y.sin(), lambda y, x: y.tanh(),
       lambda y, x: y * x)
x = minigrad.ones(3, requires_grad=True)
for op in ops:  # first many forward passes without backward, as when a notebook evaluates
    [op(x, x) for _ in range(100)]
gc.disable()
print(left_by_backward(2000) - left_by_backward(200))
"""


def test_backward_leaves_nothing_behind_per_node():
    """Backward makes nothing per node that outlives it: each would be one more object for every
    later run of Python's collector to walk, as long as the graph lives. (An attribute set on a
    node when it is released must not give it a dictionary of its own, for one; whether it would
    depends on the nodes made before, so this runs in a fresh interpreter.)"""
    out = subprocess.run([sys.executable, "-c", LEFT_BY_BACKWARD], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert int(out.stdout) < 10, out.stdout
