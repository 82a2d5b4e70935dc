"""Views and in-place operations: how a change made through one tensor reaches the graph of another.

A *view* (``y[:2]``, ``y.t()``, ``y.view(2, 2)``...) shares its base's memory and version counter.
It remembers its base and how it was made (``ViewInfo.replay``: the numpy view operations that
turn the base's array into the view's), because an in-place operation on a view changes its base:

    y = x * 1
    y[:2].mul_(10)        # y's first two values are now x[:2] * 10

The gradient of y must now go through that multiplication for y[:2] and straight to x for the
rest. So, as torch does, the in-place op *rebases y's history*: y's grad_fn becomes a
``CopySlices`` node that wraps the op's node (``MulBackward0``) and knows which elements of y the
view covers. The view's own grad_fn becomes an ``AsStridedBackward0`` node on top of y's new
history; so does every other view of y, the next time its ``grad_fn`` is read (their values may
have changed too: the version counter they share tells).

A tensor that called ``retain_grad()`` keeps the gradient of its *current* history: when an
in-place op gives it a new grad_fn, its retained gradient moves to that node (``set_history``).
"""
import numpy as np

from ..tensor import share_version_counter, version, wrap
from .grad_mode import state as _grad_mode
from .graph import FREED_MESSAGE, Node, grad_accumulator, sequence
from .hooks import retain_grad

NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
INFERENCE_VIEW_MESSAGE = (
    "A view was created in inference mode and is being modified inplace in normal mode. Given that "
    "this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
    "moving both the view and the inplace either both inside the inference_mode block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to "
                   "a single memory location. Please clone() the tensor before performing the "
                   "operation.")

CUSTOM_FUNCTION_VIEW_MESSAGE = (  # (after what happened to which view: custom_function_view_message)
    " This view was created inside a custom Function (or because an input was returned as-is) and "
    "the autograd logic to handle view+inplace would override the custom backward associated with "
    "the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix "
    "this by cloning the output of the custom Function.")


class ViewInfo:
    """What a view knows about itself: its base (never a view) and how to make it again.

    ``replay`` maps an array shaped like the base to the view of it. ``version`` is the version
    of the shared memory when the view's grad_fn was made. A view made under no_grad or in
    inference mode (``in_inference``) is not ``tracked``: autograd does not follow changes made
    through it. Such a view of a tensor that requires grad requires grad too, only because its
    base does (``grad_from_base``): it is a leaf without an AccumulateGrad node, so no gradient
    reaches it, nor through it the base (torch's rule). A view that a custom Function returned
    (and any view of it) is ``custom``: its history is the Function's backward, which an in-place
    change cannot be added to, so changing it or its base in place is an error.
    """

    __slots__ = ("base", "replay", "version", "tracked", "in_inference", "custom", "grad_from_base")

    def __init__(self, base, replay, version, tracked, in_inference=False, custom=False):
        self.base, self.replay, self.version, self.tracked = base, replay, version, tracked
        self.in_inference, self.custom = in_inference, custom
        self.grad_from_base = False

    def refresh(self, view):
        """The memory changed in place since ``view``'s grad_fn was made: point it at the base's
        current history instead (torch's AsStridedBackward0)."""
        if self.custom and (view._grad_fn is not None or self.base._requires_grad):
            raise RuntimeError(custom_function_view_message(
                view, "its base or another view of its base has been"))
        self.version = version(view)
        if self.tracked and self.base._requires_grad:
            set_history(view, AsStridedBackward0(edge(self.base), self))


def positions(replay, base_shape):
    """Which element of the base each element of the view is: the view ``replay`` makes of an
    array of the base's flat (row-major) indices."""
    return np.asarray(replay(np.arange(int(np.prod(base_shape))).reshape(base_shape)))


def edge(t):
    """Where the gradient of ``t`` goes: its grad_fn and output number, its AccumulateGrad, or
    nowhere (None)."""
    fn = t.grad_fn
    if fn is not None:
        return fn, t._output_nr
    return (grad_accumulator(t) if t._requires_grad else None), 0


def has_internal_overlap(arr):
    """Several elements of ``arr`` are one memory location (a dim of stride 0, as ``expand``
    makes): torch refuses most in-place writes into such a tensor."""
    return any(st == 0 and n > 1 for n, st in zip(arr.shape, arr.strides))


def make_view(x, replay):
    """The view ``replay(x's array)`` of tensor ``x``, sharing x's memory and version counter.

    A view of a normal tensor is a normal tensor, even when made in inference mode (only a view
    of an inference tensor is one).
    """
    out = wrap(replay(x._storage()))
    share_version_counter(out, x)
    info = x._view
    if info is None:
        base, replay_from_base = x, replay
    else:
        base, replay_from_base = info.base, _compose(info.replay, replay)
    tracked = _grad_mode.enabled
    out._view = ViewInfo(base, replay_from_base, version(x), tracked, _grad_mode.inference,
                         custom=tracked and info is not None and info.custom)  # (see ViewInfo)
    if x._inference:
        out._inference = True
    elif not tracked and x._requires_grad:
        out._requires_grad = out._view.grad_from_base = True
    return out


def _compose(first, then):
    return lambda a: then(first(a))


def detach(t):
    """Same values, memory and version counter, cut from the graph (not a view, as in torch)."""
    out = wrap(t._storage())
    share_version_counter(out, t)
    if t._inference:
        out._inference = True
    return out


def check_inplace(t):
    """torch's errors for in-place operations that autograd cannot record."""
    info = t._view
    if info is not None and info.custom:
        raise RuntimeError(custom_function_view_message(t, "is being"))
    if info is not None and info.base._requires_grad and not info.tracked:
        raise RuntimeError(INFERENCE_VIEW_MESSAGE if info.in_inference else NO_GRAD_VIEW_MESSAGE)
    if t._grad_fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if info is not None and info.base._requires_grad:
        if info.base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
    node = t._grad_fn
    if info is not None and getattr(node, "_out_meta", None) is not None:
        op = node.name()[:node.name().rfind("Backward")]
        raise RuntimeError(
            f"Output {t._output_nr} of {op} is a view and is being modified inplace. This view is "
            "the output of a function that returns multiple views. Such functions do not allow "
            "the output views to be modified inplace. You should replace the inplace operation by "
            "an out-of-place one.")


def custom_function_view_message(t, what):
    """torch's error for a view that a custom Function returned (see ViewInfo), changed in place."""
    fn = t._grad_fn
    if fn is None:  # a view made under no_grad
        head = f"A view was created in no_grad mode and {what} modified inplace with grad mode enabled."
    else:
        op = fn.name()
        head = f"Output {t._output_nr} of {op[:op.rfind('Backward')]} is a view and {what} modified inplace."
    return head + CUSTOM_FUNCTION_VIEW_MESSAGE


def rebase_history(t, fn, output_nr=0):
    """``fn`` has just changed ``t`` in place: make it part of the history of what it changed.

    For a plain tensor, ``fn`` becomes its grad_fn. For a view, the base gets a CopySlices node
    wrapping ``fn``, and the view's grad_fn is made again from the base's (see ``refresh``).
    """
    info = t._view
    if info is None or not info.tracked:
        set_history(t, fn, output_nr)
        return
    if output_nr != 0:
        raise RuntimeError("minigrad supports an in-place change of a view only through the first "
                           "output of a custom Function")
    base = info.base
    set_history(base, CopySlices(edge(base), fn, info))
    info.version = None  # the view's grad_fn is made again, on top of CopySlices


def set_history(t, fn, output_nr=0):
    """``t`` is now output ``output_nr`` of node ``fn``. If t retains its grad (``retain_grad``),
    the gradient it keeps is now the one that reaches ``fn``, not its old node's, as in torch."""
    retains = t._retains_grad
    if retains:
        old = t._grad_fn
        if old is not None and old._retained:
            old._retained.pop(t._output_nr, None)
        t._retains_grad = False
    t._grad_fn, t._requires_grad, t._output_nr = fn, True, output_nr
    if retains:
        retain_grad(t)


class CopySlices(Node):
    """The history of a base after an in-place op on one of its views.

    ``fn`` is the in-place op's node; its first input is the view. Backward: the gradient of the
    elements the view covers goes through ``fn``; the others' passes straight to the base's
    previous history. Written with minigrad ops, so it is differentiable too.
    """

    def __init__(self, base_edge, fn, view):
        self.fn, self.replay = fn, view.replay  # not the view, nor the base: they point at us
        self._seq = next(sequence)
        self.base_shape = view.base._data.shape
        self._next_nodes = (base_edge[0],) + fn._next_nodes[1:]
        self._next_nrs = (base_edge[1],) + tuple(nr for _, nr in fn.next_functions[1:])

    def name(self):
        return "torch::autograd::CopySlices"

    def apply(self, grads):
        if self._freed:  # as torch's CopySlices, which lets go of fn when released
            raise RuntimeError(FREED_MESSAGE)
        g, = grads
        flat = g.reshape(-1)
        covered = positions(self.replay, self.base_shape)
        index = (wrap(covered),)
        through_fn = self.fn.apply([flat[index]])
        g_view = through_fn[0]
        if g_view is None:  # torch zeroes those elements of the gradient
            g_view = wrap(np.zeros(covered.shape, dtype=g._data.dtype))
        elif has_internal_overlap(covered):  # torch copies g_view into the view's elements
            raise RuntimeError(OVERLAP_MESSAGE)
        g_base = flat.index_put(index, g_view).reshape(self.base_shape)
        return (g_base,) + tuple(through_fn[1:])

    def release_variables(self):
        self.fn.release_variables()
        self._freed = True


class AsStridedBackward0(Node):
    """A view's history after its memory changed in place: the view's gradient is placed at the
    elements of the base it covers (torch's name for this node)."""

    def __init__(self, base_edge, view):
        self.replay = view.replay
        self._seq = next(sequence)
        self.base_shape = view.base._data.shape
        self._next_nodes, self._next_nrs = (base_edge[0],), (base_edge[1],)

    def apply(self, grads):
        g, = grads
        covered = wrap(positions(self.replay, self.base_shape))
        zeros = wrap(np.zeros(int(np.prod(self.base_shape)), dtype=g._data.dtype))
        return (zeros.index_put((covered,), g, accumulate=True).reshape(self.base_shape),)
