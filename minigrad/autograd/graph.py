"""The backward graph: nodes (torch's ``grad_fn`` objects) and the AccumulateGrad node of a leaf.

Every operation that records a graph creates one :class:`Node`. The node remembers, in
``next_functions``, where the gradient of each input goes next: ``(node, output_nr)`` for an input
that needs a gradient, ``(None, 0)`` for one that does not. A leaf tensor that requires grad is
reached through its :class:`AccumulateGrad` node, whose job is to add the incoming gradient into
``leaf.grad``.
"""


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook out again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class Node:
    """Base class of every graph node. ``name()`` is the class name (``MulBackward0``, ...)."""

    next_functions = ()
    metadata_ = None
    _pre_hooks = None       # node.register_prehook(fn): fn(grad_outputs) -> new grad_outputs or None
    _post_hooks = None      # node.register_hook(fn): fn(grad_inputs, grad_outputs)
    _tensor_hooks = None    # tensor.register_hook on the tensor this node produced
    _retained = None        # weak references to output tensors that called retain_grad()
    _hooked = False         # any of the three above: the engine looks only at this flag
    materialize_grads = False
    _saved = ()             # tensors saved for backward (freed after a backward)
    _freed = False
    _out_meta = None        # (shape, dtype) of each output, for nodes with several outputs

    def name(self):
        return type(self).__name__

    def _release(self):
        """Free saved tensors after a backward without retain_graph (nothing saved here)."""

    @property
    def metadata(self):
        if self.metadata_ is None:
            self.metadata_ = {}
        return self.metadata_

    def register_hook(self, fn):
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        self._hooked = True
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return RemovableHandle(self._pre_hooks, fn)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The last node on the way to a leaf: adds the gradient into ``variable.grad``.

    A leaf has exactly one AccumulateGrad node (cached on the tensor), so that every path to the
    leaf ends in the same place and the engine sums the contributions before accumulating.
    """

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __call__(self, grad):
        """Add ``grad`` into ``variable.grad``; returns ``()`` like torch's node."""
        self._accumulate(grad, create_graph=False)
        return ()

    def _accumulate(self, grad, create_graph):
        var = self.variable
        for hook in var._hooks or ():
            new = hook(grad)
            if new is not None:
                grad = new
                grad._taken = True
        if grad.dtype is not var.dtype:
            grad = grad.to(var.dtype)
        if var._grad is None:
            if create_graph:
                var._grad = grad
            elif grad._taken or grad._requires_grad or not grad._owns_memory():
                # the same values are used elsewhere (another leaf, a view, the user): copy them
                var._grad = grad._detached_copy()
            else:  # a fresh result of the backward pass: keep it without copying
                grad._taken = True
                var._grad = grad
        elif create_graph or var._grad._requires_grad:
            var._grad = var._grad + grad
        else:
            var._grad._add_data_(grad)
