"""The backward engine: ``Tensor.backward``, ``autograd.backward`` and ``autograd.grad``.

1. Collect the nodes reachable from the outputs' ``grad_fn`` and count, for each node, how many
   edges lead into it.
2. Start from the outputs with their gradients; a node runs once all its incoming gradients have
   arrived and been summed (reverse topological order). It hands one gradient to each entry of its
   ``next_functions``.
3. AccumulateGrad nodes add into ``leaf.grad``; ``autograd.grad`` instead captures the gradients
   that reach the requested inputs and returns them.

With ``create_graph=True`` the backward itself runs with grad mode on, so the gradients it builds
have their own graph: that is how higher derivatives work. Without ``retain_graph`` every node
frees its saved tensors once it has run.
"""
import numpy as np

from .grad_mode import _state as _grad_state
from .graph import AccumulateGrad


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _make_grads(outputs, grad_outputs):
    """Default gradients: 1 for scalar outputs; torch's errors for the rest."""
    from ..tensor import Tensor, _wrap
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                g = _wrap(np.ones_like(out._data))
        elif not isinstance(g, Tensor):
            g = _wrap(np.asarray(g, dtype=out._data.dtype))
        else:
            g._taken = True  # the user's tensor: a leaf's .grad must not share it
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                    f"has a shape of {out.shape}.")
        grads.append(g)
    return grads


def _graph(roots):
    """For each node reachable from the roots, the number of edges that lead into it."""
    deps = {}
    roots = set(n for n in roots if n is not None)
    stack = list(roots)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                if nxt not in roots:  # roots are on the stack already
                    stack.append(nxt)
    return deps


def _needed(nodes, targets):
    """The nodes that must run for grad(): those with a successor from which a target is reached."""
    reach = {}
    for start in nodes:
        if start in reach:
            continue
        stack = [(start, iter(start.next_functions))]
        while stack:
            node, it = stack[-1]
            for nxt, _ in it:
                if nxt is not None and nxt not in reach:
                    reach[nxt] = None  # in progress (graphs are acyclic)
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                reach[node] = node in targets or any(
                    reach.get(n) for n, _ in node.next_functions if n is not None)
    return {n for n in reach if any(reach.get(m) for m, _ in n.next_functions if m is not None)}


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, capture=False):
    """Propagate gradients from ``outputs``. With ``capture`` return the inputs' gradients instead
    of accumulating into leaves; with ``inputs`` (and no capture) accumulate only into those."""
    from ..tensor import Tensor
    outputs = _as_tuple(outputs)
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs")
    grads0 = _make_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph

    # where the gradient of each requested input can be read: its grad_fn (or AccumulateGrad)
    targets = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            node = t.grad_fn if t.grad_fn is not None else t._accumulator()
            targets.setdefault((node, t._output_nr), []).append(i)

    roots = []
    buffers = {}  # node -> list of summed gradients, one per output of the node
    for out, g in zip(outputs, grads0):
        node = out.grad_fn if out.grad_fn is not None else out._accumulator()
        roots.append(node)
        buf = buffers.setdefault(node, [None])
        _put(buf, out._output_nr, g)

    deps = _graph(roots)
    run = None  # None: every node runs
    if inputs is not None:
        run = _needed(set(deps) | set(roots), {n for n, _ in targets})
        if not capture:  # backward(inputs=[leaf]): its AccumulateGrad must run too
            run |= {n for n, _ in targets if isinstance(n, AccumulateGrad)}
    captured = {}

    prev_mode = _grad_state["enabled"]
    _grad_state["enabled"] = create_graph
    try:
        ready = [n for n in set(roots) if deps.get(n, 0) == 0]
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)  # None: no gradient reached this node
            if node._hooked:
                grads = _pre_hooks(node, grads, create_graph)
            if targets:
                _capture(node, grads, targets, captured, capture, inputs, create_graph)
            outs = None
            if run is None or node in run:
                if grads is not None:
                    if type(node) is AccumulateGrad:
                        if not capture and (inputs is None or (node, 0) in targets):
                            node._accumulate(grads[0], create_graph)
                    else:
                        if node._out_meta is not None:
                            grads = _materialize(node, grads)
                        outs = node._fn.backward(node, *grads)
                        if type(outs) is not tuple or len(outs) != len(node.next_functions) \
                                or node._input_mask is not None:
                            outs = node._normalize(outs)  # trim, drop non-input entries, check
                        if node._post_hooks:
                            for hook in node._post_hooks:
                                hook(outs, tuple(grads))
                if not retain_graph and node._saved:  # free what the node saved
                    node._saved = ()
                    node._freed = True
            if outs is None:
                for nxt, _ in node.next_functions:
                    if nxt is not None:
                        left = deps[nxt] = deps[nxt] - 1
                        if left == 0:
                            ready.append(nxt)
                continue
            for (nxt, nr), g in zip(node.next_functions, outs):  # hand each input its gradient
                if nxt is None:
                    continue
                if g is not None:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buffers[nxt] = [g] if nr == 0 else [None] * nr + [g]
                    else:
                        _put(buf, nr, g)
                left = deps[nxt] = deps[nxt] - 1  # ready once all its consumers have run
                if left == 0:
                    ready.append(nxt)
    finally:
        _grad_state["enabled"] = prev_mode

    if not capture:
        return None
    result = [None] * len(inputs)
    for key, idxs in targets.items():
        g = captured.get(key)
        for i in idxs:
            result[i] = g
    return result


def _capture(node, grads, targets, captured, capture, inputs, create_graph):
    """Remember the gradients that reach requested inputs (autograd.grad, backward(inputs=))."""
    for nr, g in enumerate(grads or ()):
        if (node, nr) in targets:
            captured[(node, nr)] = g
            if not capture and not isinstance(node, AccumulateGrad):
                for i in targets[(node, nr)]:  # backward(inputs=[non-leaf])
                    _accumulate_into(inputs[i], g, create_graph)


def _accumulate_into(t, g, create_graph):
    if g is None:
        return
    if t._grad is None:
        t._grad = g if create_graph else g._detached_copy()
    else:
        t._grad = t._grad + g


def _put(buf, nr, g):
    while len(buf) <= nr:
        buf.append(None)
    buf[nr] = g if buf[nr] is None else buf[nr] + g


def _materialize(node, grads):
    """A node with several outputs gets one gradient per output: zeros (or None) where none came."""
    from ..tensor import _wrap
    grads = list(grads) + [None] * (len(node._out_meta) - len(grads))
    if node.materialize_grads:
        grads = [_wrap(np.zeros(*meta)) if g is None and meta is not None else g
                 for g, meta in zip(grads, node._out_meta)]
    return grads


def _pre_hooks(node, buf, create_graph):
    """Tensor hooks, retain_grad and node pre-hooks see the summed gradient before the node runs."""
    grads = list(buf) if buf is not None else [None]
    if node._tensor_hooks:
        g = grads[0]
        for hook in list(node._tensor_hooks):
            new = hook(g)
            if new is not None:
                g = new
                g._taken = True  # the hook's result may be kept by the user
        grads = [g] + list(grads[1:])
    if node._retained:
        for ref in node._retained:
            t = ref()
            if t is not None and t._output_nr < len(grads) and grads[t._output_nr] is not None:
                g = grads[t._output_nr]
                _accumulate_into(t, g, create_graph)
    if node._pre_hooks:
        for hook in list(node._pre_hooks):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads if any(g is not None for g in grads) else None


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """torch.autograd.backward: accumulate d(sum of tensors * grad_tensors)/d(leaf) into leaf.grad."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: return d(outputs)/d(inputs) without touching any ``.grad``."""
    from ..tensor import _zeros_like
    single = not isinstance(inputs, (tuple, list))
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(_as_tuple(outputs), _as_tuple(grad_outputs), retain_graph, create_graph,
                          inputs=inputs, capture=True)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                result[i] = _zeros_like(inputs[i])
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(result)
