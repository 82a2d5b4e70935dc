"""Forward-mode AD (torch.autograd.forward_ad): tensors carry a tangent next to their value.

Inside ``with dual_level():``, ``make_dual(x, t)`` gives a tensor whose tangent is ``t``. Every
operation then also computes its output's tangent with the op's ``jvp`` rule (``J @ t``), in the
same pass as the values: one forward pass gives one Jacobian-vector product.
"""
import weakref
from collections import namedtuple

from ..tensor import Tensor


class _State:
    """Every operation reads ``level``: an instance attribute is the quickest to read."""

    def __init__(self):
        self.level = -1        # -1: outside dual_level
        self.in_jvp = False    # computing a tangent: the ops inside compute no tangents of their own


state = _State()
_duals = []  # weak references to tensors that got a tangent at the current level

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class dual_level:  # noqa: N801 - torch's name
    """Context manager: tangents exist only inside it (nesting is not supported, as in torch)."""

    def __enter__(self):
        if state.level >= 0:
            raise RuntimeError("Nested forward mode AD is not supported at the moment")
        state.level = 0
        return 0

    def __exit__(self, *exc):
        for ref in _duals:
            t = ref()
            if t is not None:
                t._fw_grad = None
        _duals.clear()
        state.level = -1
        return False


def enter_dual_level():
    return dual_level().__enter__()


def exit_dual_level(*, level=None):
    dual_level().__exit__(None, None, None)


def set_tangent(t, tangent):
    t._fw_grad = tangent
    _duals.append(weakref.ref(t))


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` whose tangent is ``tangent`` (same shape)."""
    if state.level < 0:
        raise RuntimeError("make_dual can only be used inside a dual_level context "
                           "(with forward_ad.dual_level():)")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that "
                           f"of the original Tensor, this is not supported. Tensor is of size "
                           f"{tensor.shape} while the given forward gradient is of size {tangent.shape}.")
    if not tensor.dtype.is_floating_point:
        raise ValueError("Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    dual = tensor.view_as(tensor)
    set_tangent(dual, tangent.to(tensor.dtype))
    return dual


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)``: the value as a plain view, and the tangent (None if it has none)."""
    tangent = tensor._fw_grad if state.level >= 0 else None
    prev = state.in_jvp
    state.in_jvp = True  # the view below must not copy the tangent
    try:
        primal = tensor.view_as(tensor)
    finally:
        state.in_jvp = prev
    return UnpackedDualTensor(primal, tangent)


def has_tangents(args):
    """Does this call need tangents (we are in forward mode, and an input has one)?"""
    return not state.in_jvp and any(isinstance(a, Tensor) and a._fw_grad is not None for a in args)


def propagate(fn, ctx, args, outs):
    """Called by Function.apply at each op: compute the outputs' tangents with ``fn.jvp``.

    An input without a tangent gets None, not zeros: its terms are left out of the output's
    tangent, as in torch (where ``inf * 0`` would make a zero tangent's term nan). An output whose
    tangent came from a broadcast input alone gets it broadcast to its own shape.
    """
    tangents = tuple(a._fw_grad if isinstance(a, Tensor) else None for a in args)
    state.in_jvp = True
    try:
        out_t = fn.jvp(ctx, *tangents)
        if not isinstance(out_t, tuple):
            out_t = (out_t,)
        out_t = [t if t is None or not isinstance(o, Tensor) or t._data.shape == o._data.shape
                 else t.expand(o._data.shape).clone() for o, t in zip(outs, out_t)]
    finally:
        state.in_jvp = False
    for o, t in zip(outs, out_t):
        if isinstance(o, Tensor) and t is not None and o._data.dtype.kind == "f":
            set_tangent(o, t)
