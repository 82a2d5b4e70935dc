"""Tensor hooks: ``register_hook``, ``retain_grad``, ``register_post_accumulate_grad_hook``.

A hook on a non-leaf tensor lives on the node that made it (``grad_fn``), keyed by which output
of the node the tensor is: the engine calls it with the tensor's summed gradient before that node
runs. A leaf's hooks live on the leaf; its AccumulateGrad node calls them before accumulating.
"""
import weakref

from .graph import RemovableHandle


def register_hook(tensor, hook):
    """``hook(grad)`` runs when ``tensor``'s gradient is computed; it may return a new one."""
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node = tensor.grad_fn
    if node is None:
        if tensor._hooks is None:
            tensor._hooks = []
        hooks = tensor._hooks
        accumulator = tensor._grad_acc() if tensor._grad_acc is not None else None
        if accumulator is not None:
            accumulator._hooked = True
    else:
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
        node._hooked = True
        hooks = node._tensor_hooks.setdefault(tensor._output_nr, [])
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def retain_grad(tensor):
    """Keep ``.grad`` for this non-leaf tensor during backward (no-op on leaves)."""
    if not tensor._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    node = tensor.grad_fn
    if node is None or tensor._retains_grad:
        return
    if node._retained is None:
        node._retained = {}
    node._hooked = True
    node._retained[tensor._output_nr] = weakref.ref(tensor)  # the node must not keep it alive
    tensor._retains_grad = True


def register_post_accumulate_grad_hook(tensor, hook):
    """``hook(tensor)`` runs after a backward has accumulated into this leaf's ``.grad``."""
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor._post_accumulate_hooks is None:
        tensor._post_accumulate_hooks = []
    tensor._post_accumulate_hooks.append(hook)
    return RemovableHandle(tensor._post_accumulate_hooks, hook)
