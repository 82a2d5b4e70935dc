"""The backward engine: ``Tensor.backward``, ``autograd.backward`` and ``autograd.grad``.

``loss.backward()`` walks the graph from ``loss.grad_fn`` to the leaves, in four phases:

1. count dependencies: for every node reachable from the roots, count the edges that lead into
   it, that is, how many gradients it must wait for;
2. seed the roots: the gradient of each output (1 for a scalar loss) goes into its node's buffer;
3. run one node: a node whose gradients have all arrived is *ready*; it is called with their sum
   and returns one gradient per input (per entry of its ``next_functions``);
4. deliver its gradients: each is added into the buffer of the node it is for, which becomes
   ready when it has no gradient left to wait for.

AccumulateGrad nodes, at the end of every path, add into ``leaf.grad``. ``autograd.grad`` and
``backward(inputs=...)`` *capture* the gradients that reach the requested tensors instead, and run
only the nodes that lead to them.

With ``create_graph=True`` backward runs with grad mode on, so the gradients it computes have
their own graph: that is how higher derivatives work. Without ``retain_graph`` each node releases
what it saved for backward once it has run.

Python's cyclic garbage collector is paused during backward. Backward makes and frees a tensor or
two per node, and each few hundred of those start a collection; a collection walks the new objects,
among them the engine's own dictionaries with an entry per node, and the collections that reach the
oldest objects walk every node of the graph again, so that a backward pass of n nodes would cost more
than n times one node (bench/scaling.py). Torch's engine, in C++, never meets the
collector. Reference counting still frees each gradient the moment it is no longer used; any cycle made
meanwhile waits for the next collection after backward.
"""
import gc
import heapq

import numpy as np

from ..tensor import Tensor, wrap
from . import anomaly_mode
from .grad_mode import state as _grad_mode
from .graph import AccumulateGrad, check_hook_result, check_hook_value, grad_accumulator

_anomaly_mode = anomaly_mode.state


class GraphTask:
    """One backward pass: what its phases share."""

    def __init__(self, retain_graph, create_graph, accumulate):
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.accumulate = accumulate  # False for autograd.grad: no .grad is touched
        self.dependencies = {}        # node -> how many gradients it still waits for
        self.buffers = {}             # node -> summed gradient of its output(s): see add_to_buffer
        self.targets = {}             # (node, output_nr) -> positions in `inputs` it answers
        self.captured = {}            # (node, output_nr) -> the gradient that reached it
        self.needed = None            # with inputs=: the nodes to run (None: all of them)


# ---------------------------------------------------------------------- the core loop
def execute(task, roots):
    """Run each node once all the gradients flowing into it have arrived.

    ``ready`` holds the nodes that may run, by their sequence numbers; ``order`` is a heap of
    those numbers, which pops the lowest: the most recently made node runs first, as in torch (it
    also decides the order in which hooks fire). (Plain numbers rather than (number, node) pairs:
    with many nodes ready at once, as in a wide graph, comparing pairs made the heap slow.)
    """
    ready = {node._seq: node for node in set(roots) if task.dependencies[node] == 0}
    order = list(ready)
    heapq.heapify(order)
    while order:
        node = ready.pop(heapq.heappop(order))
        grads = task.buffers.pop(node, None)  # the summed gradient(s) of the node's output(s)
        grads = run_node(task, node, grads)   # the gradient of each of its inputs
        deliver(task, node, grads, ready, order)


def count_dependencies(task, roots):
    """Phase 1: for each node reachable from the roots, the number of edges that lead into it."""
    dependencies = task.dependencies
    roots = set(roots)
    stack = list(roots)
    while stack:
        for next_node in stack.pop()._next_nodes:
            if next_node is None:
                continue
            if next_node in dependencies:
                dependencies[next_node] += 1
            else:  # first time we reach it: count it, and walk on from it
                dependencies[next_node] = 1
                if next_node not in roots:
                    stack.append(next_node)
    for root in roots:
        dependencies.setdefault(root, 0)


def seed(task, roots, output_nrs, grads):
    """Phase 2: the gradient of each output goes into the buffer of the node that made it."""
    for node, output_nr, grad in zip(roots, output_nrs, grads):
        add_to_buffer(task.buffers, node, output_nr, grad)


def run_node(task, node, grads):
    """Phase 3: call ``node`` with the gradients of its outputs (after the hooks have seen them).

    ``grads`` is the node's buffer (see add_to_buffer): a gradient, a list of them (one per
    output), or None when none arrived. Returns one gradient (or None) per entry of
    ``node.next_functions``.
    """
    if type(grads) is Tensor:
        grads = [grads]
    hooked = node._hooked
    if hooked:
        grads = call_pre_hooks(node, grads)
    if task.targets:
        capture(task, node, grads)
    grads_out = None
    if task.needed is None or node in task.needed:
        if grads is not None:
            # the post-hooks' grad_outputs, taken now: AccumulateGrad empties the list it is given
            grads_in = tuple(grads) if hooked and node._post_hooks else None
            grads_out = node.apply(grads) if not _anomaly_mode.enabled else \
                anomaly_mode.run_checked(node, grads)
            if grads_in is not None:
                grads_out = call_post_hooks(node, grads_out, grads_in)
        if not task.retain_graph:
            node.release_variables()
    return grads_out if grads_out is not None else (None,) * len(node._next_nodes)


def deliver(task, node, grads, ready, order):
    """Phase 4: hand each input of ``node`` its gradient; a node that has them all is ready."""
    buffers, dependencies = task.buffers, task.dependencies
    for next_node, output_nr, grad in zip(node._next_nodes, node._next_nrs, grads):
        if next_node is None:
            continue
        if grad is not None:
            add_to_buffer(buffers, next_node, output_nr, grad)
        waiting = dependencies[next_node] = dependencies[next_node] - 1
        if waiting == 0:
            ready[next_node._seq] = next_node
            heapq.heappush(order, next_node._seq)


def add_to_buffer(buffers, node, output_nr, grad):
    """Sum ``grad`` into the gradient of output ``output_nr`` of ``node`` (fan-outs add up here).

    While only output 0 has a gradient (nearly always: most nodes have one output) the buffer is
    that gradient itself, else a list with one entry per output. A list for every waiting node
    would be one more object per node for Python's cyclic garbage collector to walk, and in a wide
    graph thousands of nodes wait at once.
    """
    buf = buffers.get(node)
    if output_nr == 0 and type(buf) is not list:
        buffers[node] = grad if buf is None else buf + grad
        return
    if type(buf) is not list:
        buf = buffers[node] = [buf]
    if len(buf) <= output_nr:
        buf.extend([None] * (output_nr + 1 - len(buf)))
    buf[output_nr] = grad if buf[output_nr] is None else buf[output_nr] + grad


def capture(task, node, grads):
    """Remember the gradients that reach requested inputs (autograd.grad, backward(inputs=))."""
    for output_nr, grad in enumerate(grads or ()):
        key = (node, output_nr)
        if key in task.targets:
            task.captured[key] = grad
            if task.accumulate and not isinstance(node, AccumulateGrad):
                for t in task.targets[key]:  # backward(inputs=[non-leaf]): into its .grad
                    accumulate_non_leaf(t, grad)


# ---------------------------------------------------------------------- hooks
def call_pre_hooks(node, grads):
    """Tensor hooks, retain_grad and node pre-hooks see the summed gradients before the node.

    ``grads`` is changed in place: the engine holds no other reference to what it replaces.
    """
    if grads is None:
        grads = [None]
    for output_nr, hooks in (node._tensor_hooks or {}).items():
        for hook in list(hooks):
            if output_nr < len(grads) and grads[output_nr] is not None:
                grads[output_nr] = _call_tensor_hook(hook, grads[output_nr])
    for output_nr, ref in (node._retained or {}).items():
        t = ref()
        if t is not None and output_nr < len(grads) and grads[output_nr] is not None:
            accumulate_non_leaf(t, grads[output_nr])
    for hook in list(node._pre_hooks or ()):
        old = tuple(grads)
        new = hook(old)
        if new is not None:
            check_hook_result(hook, old, new)
            grads[:] = new
    return grads if any(g is not None for g in grads) else None


def _call_tensor_hook(hook, grad):
    new = hook(grad)
    if new is None:
        return grad
    check_hook_value(hook, grad, new)
    return new


def call_post_hooks(node, grads_out, grads_in):
    """Node post-hooks: ``hook(grad_inputs, grad_outputs)`` may return new grad_inputs."""
    grads_out = tuple(grads_out)
    for hook in list(node._post_hooks):
        new = hook(grads_out, grads_in)
        if new is not None:
            check_hook_result(hook, grads_out, new)
            grads_out = tuple(new)
    return grads_out


def accumulate_non_leaf(t, grad):
    """``.grad`` of a non-leaf (retain_grad, backward(inputs=[t])): a copy, then out-of-place sums."""
    t._grad = grad.clone() if t._grad is None else t._grad + grad


# ---------------------------------------------------------------------- entry points
def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, accumulate=True):
    """Propagate gradients from ``outputs``; with ``accumulate=False`` return the gradients of
    ``inputs`` instead of accumulating into leaves (with it, accumulate only into ``inputs``)."""
    outputs = _as_tuple(outputs)
    grads = _seed_gradients(outputs, _as_tuple(grad_outputs) or (None,) * len(outputs))
    task = GraphTask(create_graph if retain_graph is None else retain_graph, create_graph,
                     accumulate)
    roots = [out.grad_fn or grad_accumulator(out) for out in outputs]
    prev, collecting = _grad_mode.enabled, gc.isenabled()
    gc.disable()  # also while counting: the counts are a new dict with an entry per node
    try:
        count_dependencies(task, roots)
        seed(task, roots, [out._output_nr for out in outputs], grads)
        if inputs is not None:
            _set_targets(task, roots, inputs)
        _grad_mode.enabled = create_graph
        execute(task, roots)
    finally:
        _grad_mode.enabled = prev
        task.dependencies.clear()  # an entry per node: gone before the next collection walks it
        if collecting:
            gc.enable()
    if inputs is None or accumulate:
        return None
    result = [None] * len(inputs)
    for key, positions in task.targets.items():
        for i in positions:
            result[i] = task.captured.get(key)
    return result


def _seed_gradients(outputs, grad_outputs):
    """The gradient each output starts with: 1 for a scalar; torch's errors for the rest."""
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_tensors should have the same length as tensors, but got "
                           f"{len(grad_outputs)} and {len(outputs)}")
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad or out._view is not None and out._view.grad_from_base:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")  # (a view of the second kind has no node: views.ViewInfo)
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            # for a 0-d output, numpy's scalar 1 (what the ops make too, see wrap): numpy computes
            # on it ~15x faster than on a 0-d array, and a wide graph hands it to every node
            ones = np.ones_like(out._data)
            g = wrap(ones[()] if ones.ndim == 0 else ones)
        elif not isinstance(g, Tensor):
            g = wrap(np.asarray(g, dtype=out._data.dtype))
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}.")
        grads.append(g)
    return grads


def _set_targets(task, roots, inputs):
    """autograd.grad / backward(inputs=): where each input's gradient can be read, and which
    nodes must run to get there."""
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        node = t.grad_fn or grad_accumulator(t)
        task.targets.setdefault((node, t._output_nr), []).append(t if task.accumulate else i)
    target_nodes = {node for node, _ in task.targets}
    task.needed = _nodes_leading_to(roots, target_nodes)
    if task.accumulate:  # backward(inputs=[leaf]): its AccumulateGrad runs too
        task.needed |= {n for n in target_nodes if isinstance(n, AccumulateGrad)}


def _nodes_leading_to(roots, targets):
    """The nodes with an input on a path to one of ``targets``: those must run."""
    leads = {}  # node -> a target is reachable from it (itself included)
    stack = [(root, False) for root in set(roots)]
    while stack:  # depth-first, each node after the nodes it sends gradients to
        node, expanded = stack.pop()
        if expanded:
            leads[node] = node in targets or any(leads.get(n) for n in node._next_nodes)
        elif node not in leads:
            leads[node] = None  # in progress (the graph has no cycles)
            stack.append((node, True))
            stack.extend((n, False) for n in node._next_nodes if n is not None and n not in leads)
    return {node for node in leads if any(leads.get(n) for n in node._next_nodes)}


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """torch.autograd.backward: accumulate d(sum of tensors * grad_tensors)/d(leaf) into leaf.grad."""
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(tensors, grad_tensors if grad_tensors is not None else grad_variables,
                 retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: return d(outputs)/d(inputs) without touching any ``.grad``."""
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs,
                          accumulate=False)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                result[i] = wrap(np.zeros_like(inputs[i]._data))
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(result)
