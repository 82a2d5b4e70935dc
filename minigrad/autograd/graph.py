"""The backward graph: nodes (torch's ``grad_fn`` objects) and the AccumulateGrad node of a leaf.

Every operation that records a graph creates one :class:`Node`. The node remembers, in
``next_functions``, where the gradient of each input goes next: ``(node, output_nr)`` for an input
that needs a gradient, ``(None, 0)`` for one that does not. A leaf tensor that requires grad is
reached through its :class:`AccumulateGrad` node, whose job is to add the incoming gradient into
``leaf.grad``.

The engine calls ``node.apply(grads)``: one gradient per output of the node in, one per entry of
``next_functions`` out.

Python's cyclic garbage collector walks every live node again and again while a graph is being
built (torch's nodes are C++ objects that it never sees), so a node keeps its edges in its own
attributes: the nodes of its first two inputs (a tuple only for three or more inputs), and a tuple
of output numbers only when one of them is not 0. A tuple of (node, output_nr) pairs per node
would triple the objects the collector walks (bench/scaling.py measures it);
``next_functions`` makes the pairs when asked, as torch does.
"""
import itertools
import sys
import weakref

import numpy as np

from ..tensor import Tensor, wrap
from .grad_mode import state as _grad_mode

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


def type_name(obj):
    """The name of ``obj``'s type as torch's C++ code prints it (Python's ``tp_name``): ``float``,
    ``Tensor``, but ``numpy.ndarray`` (a type written in C carries its module in its name)."""
    kind = type(obj)
    if kind.__module__ == "builtins" or kind.__flags__ & _HEAP_TYPE:
        return kind.__name__
    return f"{kind.__module__}.{kind.__name__}"


_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class written in Python


# ---------------------------------------------------------------------- what a hook may return
def hook_name(hook):
    """How torch's errors name a hook: its __name__ ('<lambda>' for a lambda), else '<unknown>'."""
    return getattr(hook, "__name__", "<unknown>")


def check_hook_result(hook, old, new):
    """A node hook (pre-hook or post-hook) returned ``new`` to replace the tuple of gradients
    ``old``: the same number of values, each a gradient that ``old``'s could be (torch's checks)."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type_name(new)}'")
    if len(new) != len(old):
        raise RuntimeError(f"hook '{hook_name(hook)}' has returned an incorrect number of values "
                           f"(got {len(new)}, but expected {len(old)})")
    for g, g_new in zip(old, new):
        check_hook_value(hook, g, g_new)


def check_hook_value(hook, old, new):
    """A hook returned ``new`` to replace the gradient ``old``: None (no gradient), or a tensor of
    the same dtype and shape."""
    if new is None:
        return
    if old is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type_name(new)}'")
    if new._data.dtype != old._data.dtype:
        raise RuntimeError(f"hook '{hook_name(hook)}' has changed the type of value (was "
                           f"minigrad.{old.dtype.tensor_type} got minigrad.{new.dtype.tensor_type})")
    if new._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{hook_name(hook)}' has changed the size of value")


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook out again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


sequence = itertools.count(0, -1)  # numbers the nodes as the forward pass makes them: 0, -1, -2...
RUN_FIRST = 2 ** 62                # AccumulateGrad's numbers are lower still: a ready one runs at once


class Node:
    """Base class of every graph node. ``name()`` is the class name (``MulBackward0``, ...).

    ``_seq`` numbers the nodes in the order they were made, counting down: among the nodes ready
    to run, the engine runs the one with the lowest number, the most recent, as torch does (so
    hooks fire in torch's order).
    """

    _seq = 0
    _inputs = 0             # edges: one per input of the op, to the node its gradient goes to
    _next0 = _next1 = None  # (None: it needs none), kept in the node itself for up to two inputs,
    _next_more = ()         # and in a tuple for three or more (see the module's docstring) ...
    _next_nrs = itertools.repeat(0)  # ... and which output of that node the input is: 0 unless
    #                         it made several (zip pairs this endless run of zeros with any edges)
    metadata_ = None
    _pre_hooks = None       # node.register_prehook(fn): fn(grad_outputs) -> new grad_outputs or None
    _post_hooks = None      # node.register_hook(fn): fn(grad_inputs, grad_outputs)
    _tensor_hooks = None    # {output_nr: [fn]}: tensor.register_hook on the tensors this node made
    _retained = None        # {output_nr: weak reference}: output tensors that called retain_grad()
    _hooked = False         # any of the above: the engine looks only at this flag
    _freed = False          # release_variables ran: what the node saved is gone (FREED_MESSAGE)
    # (A node made by an op sets _freed when it is made, and release_variables sets no attribute
    # that the node does not have yet: CPython keeps a class's instance attributes in one shared
    # table, with room for few names that its first instances did not have; a name more gives
    # the node a dictionary of its own, one more object for the collector to walk.)

    def name(self):
        return type(self).__name__

    @property
    def _next_nodes(self):
        """Per input, the node its gradient goes to (None where it needs none)."""
        inputs = self._inputs
        if inputs == 1:
            return (self._next0,)
        if inputs == 2:
            return (self._next0, self._next1)
        return self._next_more

    @_next_nodes.setter
    def _next_nodes(self, nodes):
        self._inputs = len(nodes)
        if self._inputs == 1:
            self._next0, = nodes
        elif self._inputs == 2:
            self._next0, self._next1 = nodes
        else:
            self._next_more = tuple(nodes)

    @property
    def next_functions(self):
        """Where the gradient of each input goes next: ``(node, output_nr)``, or ``(None, 0)``."""
        return tuple(zip(self._next_nodes, self._next_nrs))

    def apply(self, grads):
        """The gradients of the inputs (one per entry of next_functions) from ``grads``, the
        gradients of the outputs (one per output, None where none arrived)."""
        raise NotImplementedError

    def release_variables(self):
        """Drop what was kept for backward (a backward without retain_graph calls this). A node
        that needs it when run again raises FREED_MESSAGE (see BackwardNode.release_variables)."""

    def __call__(self, *grads):
        """Call the node like torch: gradient for one input, or a tuple aligned with next_functions."""
        out = self.apply(list(grads))
        return out[0] if len(out) == 1 else out

    @property
    def metadata(self):
        if self.metadata_ is None:
            self.metadata_ = {}
        return self.metadata_

    def register_hook(self, fn):
        self._hooked = True
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

    A leaf has one AccumulateGrad node while a graph uses it, so that every path to the leaf ends
    in the same place and the engine sums the contributions before accumulating. The leaf keeps
    only a weak reference to it (as torch does): the graph keeps the node alive, the node keeps
    the leaf alive, and nothing points back, so reference counting frees both.
    """

    def __init__(self, variable):
        self.variable = variable
        self._seq = next(sequence) - RUN_FIRST

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def _tensor_hooks(self):
        hooks = self.variable._hooks
        return {0: hooks} if hooks else None

    def apply(self, grads):
        """Add ``grads[0]`` into the leaf's ``.grad``; returns ``()`` like torch's node."""
        variable = self.variable
        grad = grads.pop()  # from here on, this frame holds the engine's only reference
        if grad is not None:
            accumulate(variable, grad)
            for hook in variable._post_accumulate_hooks or ():
                result = hook(variable)
                if result is not None:
                    check_hook_value(hook, variable, result)  # (a non-tensor, another shape...)
                    raise RuntimeError("Tensor post accumulate grad hooks should return None.")
        return ()


def grad_accumulator(leaf):
    """The AccumulateGrad node of ``leaf``: the one the graph already uses, or a new one (None for
    a view that requires grad only because its base does: see ViewInfo)."""
    if leaf._view is not None and leaf._view.grad_from_base:
        return None
    ref = leaf._grad_acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(leaf)
        node._hooked = bool(leaf._hooks)  # the leaf's hooks run before it accumulates
        leaf._grad_acc = weakref.ref(node)
    return node


def accumulate(variable, grad):
    """``variable.grad += grad``, as torch does it.

    The first gradient becomes ``.grad`` as it is when nobody else can see its memory (no copy:
    the backward pass just made it), else a copy. Later ones are added in place, or out of place
    when a graph is being built (``create_graph=True``: grad mode is on during such a backward).
    """
    if grad._data.dtype != variable._data.dtype:
        grad = wrap(grad._data.astype(variable._data.dtype))
    old = variable._grad
    if old is None:
        if _grad_mode.enabled:
            variable._grad = grad.clone()
        elif _only_reference(grad):
            variable._grad = grad
        else:
            variable._grad = wrap(np.array(grad._data))
    elif _grad_mode.enabled or old._requires_grad:
        variable._grad = old + grad
    else:
        old.add_(grad)


def _only_reference(grad):
    """True when the engine holds the only reference to ``grad`` and to its memory.

    Counted with CPython's reference counts. For the tensor: AccumulateGrad.apply's ``grad``,
    accumulate's and this function's arguments, and getrefcount's own: 4. For its array: the
    tensor's ``_data``, this frame's ``a`` and getrefcount's argument: 3. A view made during
    backward (``g.t()``) qualifies when nothing else holds its base. Anything more (the user's
    seed gradient, a tensor a hook kept, a gradient that goes to two leaves) means another holder:
    then ``.grad`` gets a copy.
    """
    a = grad._data
    if (type(a) is not np.ndarray or not a.flags.writeable or grad._requires_grad
            or sys.getrefcount(grad) > 4 or sys.getrefcount(a) > 3):
        return False
    if grad._view is None:
        return a.base is None
    base = grad._view.base  # the view's reference, this frame's and getrefcount's: 3
    return (base._view is None and sys.getrefcount(base) <= 3 and a.base is base._data
            and sys.getrefcount(base._data) <= 3 and base._data.base is None)
