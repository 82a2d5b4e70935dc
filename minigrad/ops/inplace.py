"""In-place operations (``add_``, ``mul_``, ``copy_``, ``x[0] = v`` ...): compute, then write into
the tensor's own memory.

Each in-place op is its ordinary op, applied to the tensor's old value: the result is written
into the tensor's memory and its version counter is bumped. When the graph is recorded, the op's
node becomes part of the tensor's history (``rebase_history``: the tensor's new grad_fn, or, for
a view, a CopySlices node on its base); and tensors saved earlier that share the memory now fail
backward's version check, torch's "modified by an inplace operation" error.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_mode
from ..autograd.views import check_inplace, rebase_history
from ..dtypes import of as _dtype_of
from ..creation import _rng
from ..tensor import Tensor, bump_version, wrap
from . import arithmetic, elementwise, indexing
from .util import scalar, sum_to

INFERENCE_MESSAGE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You "
                     "can make a clone to get a normal tensor before doing inplace update.See "
                     "https://github.com/pytorch/rfcs/pull/17 for more details.")


def inplace(self, op, *args, numpy_fn=None):
    """``self = op(self, *args)``, written into self's memory and recorded as torch records it.

    ``numpy_fn(array, *args)``, when given, is the same update done by numpy in place (``np.add(a,
    b, out=a)``): used when nothing is recorded, e.g. in an optimizer's step, to spare a temporary
    array and a copy on large tensors.
    """
    if self._inference and not _grad_mode.inference:
        raise RuntimeError(INFERENCE_MESSAGE)
    recording = _grad_mode.enabled and (
        self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
        or (self._view is not None and self._view.base._requires_grad))
    if not recording:
        if numpy_fn is not None and _numpy_update(self, numpy_fn, args):
            return self
        result = _unrecorded(op, self, args)
        _write(self, result._data)
    else:
        check_inplace(self)
        result = op.apply(_old_value(self), *args)
        _write(self, result._data)
        fn = result._grad_fn
        if fn is not None:
            if fn._saved_outputs:  # the output it kept is self now
                fn._saved_output_is(self)
            rebase_history(self, fn, result._output_nr)
    if result._fw_grad is not None:
        self._fw_grad = result._fw_grad
    return self


def _old_value(t):
    """A copy of ``t``'s values with t's history: what the op reads (and may save), while t's
    own memory receives the result."""
    before = wrap(t._data.copy())
    before._grad_fn, before._requires_grad = t.grad_fn, t._requires_grad
    before._output_nr, before._fw_grad = t._output_nr, t._fw_grad
    return before


def _unrecorded(op, self, args):
    prev = _grad_mode.enabled
    _grad_mode.enabled = False
    try:
        return op.apply(self, *args)
    finally:
        _grad_mode.enabled = prev


def _numpy_update(self, numpy_fn, args):
    dst = self._storage()
    values = [a._data if isinstance(a, Tensor) else a for a in args]
    if self._fw_grad is not None or dst.dtype.kind != "f" or not dst.flags.writeable or not all(
            np.shape(v) == dst.shape or np.ndim(v) == 0 for v in values):
        return False
    numpy_fn(dst, *values)
    bump_version(self)
    return True


def _write(self, arr):
    """Copy ``arr`` into self's memory (torch's checks and messages first); bump its version."""
    dst = self._storage()
    if arr.shape != dst.shape:
        try:
            arr = np.broadcast_to(arr, dst.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast "
                               f"shape {list(arr.shape)}") from None
    if arr.dtype != dst.dtype and not np.can_cast(arr.dtype, dst.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_dtype_of(arr).scalar_name} can't be cast to the desired "
                           f"output type {_dtype_of(dst).scalar_name}")
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    np.copyto(dst, arr, casting="unsafe")
    bump_version(self)


# ---------------------------------------------------------------------- ops only in-place needs
class Copy(Function):
    """``x.copy_(src)``: x's old values are gone (no gradient); src's go where they were copied."""

    node_name = "CopyBackwards"
    builtin = True

    @staticmethod
    def forward(ctx, x, src):
        ctx.src_shape, ctx.src_dtype = src._data.shape, src._data.dtype
        try:
            return np.broadcast_to(src._data, x._data.shape).astype(x._data.dtype)
        except ValueError:
            raise RuntimeError(f"output with shape {list(x._data.shape)} doesn't match the "
                               f"broadcast shape {list(src._data.shape)}") from None

    @staticmethod
    def backward(ctx, g):
        need_x, need_src = ctx.needs_input_grad
        grad_src = sum_to(g, ctx.src_shape).to(ctx.src_dtype) if need_src else None
        return (g * 0 if need_x else None), grad_src

    @staticmethod
    def jvp(ctx, tx, tsrc):
        return tsrc.expand(tx._data.shape) if tsrc is not None else tx * 0


class Fill(Function):
    """``x.fill_(value)`` with a number: constant, so no gradient reaches x."""

    node_name = "FillBackward2"
    builtin = True

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x._data.shape, value, dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None

    @staticmethod
    def jvp(ctx, t, _):
        return t * 0


class FillTensor(Function):
    """``x.fill_(value)`` with a 0-d tensor: every element is ``value``, whose gradient is the sum."""

    node_name = "FillBackward3"
    builtin = True

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x._data.shape, value._data, dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        need_x, need_value = ctx.needs_input_grad
        return (g * 0 if need_x else None), (g.sum() if need_value else None)

    @staticmethod
    def jvp(ctx, t, tv):
        return tv.expand(t._data.shape) if tv is not None else t * 0


class Zero(Fill):
    node_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.zeros_like(x._data)

    @staticmethod
    def backward(ctx, g):
        return g * 0

    @staticmethod
    def jvp(ctx, t):
        return t * 0


class RandomFill(Fill):
    """uniform_/normal_: new values that do not depend on the old ones."""

    @staticmethod
    def forward(ctx, x, values):
        return values


class Uniform(RandomFill):
    node_name = "UniformBackward0"


class Normal(RandomFill):
    node_name = "NormalBackward0"


# ---------------------------------------------------------------------- the in-place methods
def add_(self, other, *, alpha=1):
    args = (other,) if alpha == 1 else (other, alpha)
    return inplace(self, arithmetic.Add, *args,
                   numpy_fn=lambda a, o, *_: np.add(a, o if alpha == 1 else o * alpha, out=a,
                                                    casting="unsafe"))


def sub_(self, other, *, alpha=1):
    args = (other,) if alpha == 1 else (other, alpha)
    return inplace(self, arithmetic.Sub, *args,
                   numpy_fn=lambda a, o, *_: np.subtract(a, o if alpha == 1 else o * alpha, out=a,
                                                         casting="unsafe"))


def mul_(self, other):
    return inplace(self, arithmetic.Mul, other,
                   numpy_fn=lambda a, o: np.multiply(a, o, out=a, casting="unsafe"))


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        return inplace(self, arithmetic.DivRounding, other, rounding_mode)
    return inplace(self, arithmetic.Div, other)


def pow_(self, exponent):
    return inplace(self, arithmetic.PowTensor if isinstance(exponent, Tensor) else arithmetic.Pow,
                   exponent)


def neg_(self):
    return inplace(self, arithmetic.Neg)


def exp_(self):
    return inplace(self, elementwise.Exp)


def log_(self):
    return inplace(self, elementwise.Log)


def sqrt_(self):
    return inplace(self, elementwise.Sqrt)


def abs_(self):
    return inplace(self, elementwise.Abs)


def sigmoid_(self):
    return inplace(self, elementwise.Sigmoid)


def tanh_(self):
    return inplace(self, elementwise.Tanh)


def relu_(self):
    return inplace(self, elementwise.Relu)


def clamp_(self, min=None, max=None):  # noqa: A002
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return inplace(self, elementwise.ClampTensor, elementwise._as_tensor(min, self),
                       elementwise._as_tensor(max, self))
    return inplace(self, elementwise.Clamp, scalar(min), scalar(max))


clip_ = clamp_


def clamp_min_(self, min):  # noqa: A002
    return inplace(self, elementwise.ClampMin, scalar(min), None)


def clamp_max_(self, max):  # noqa: A002
    return inplace(self, elementwise.ClampMax, None, scalar(max))


def zero_(self):
    return inplace(self, Zero, numpy_fn=lambda a: a.fill(0))


def fill_(self, value):
    if isinstance(value, Tensor):
        return inplace(self, FillTensor, value)
    return inplace(self, Fill, scalar(value))


def copy_(self, src, non_blocking=False):
    """Copy ``src``'s values (broadcast, converted to this dtype) into this tensor."""
    if type(src).__module__ == "torch":
        src = wrap(src.detach().cpu().numpy().copy())
    if not isinstance(src, Tensor):
        src = wrap(np.asarray(src))
    return inplace(self, Copy, src)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return inplace(self, elementwise.Addcmul, tensor1, tensor2, value)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return inplace(self, elementwise.Addcdiv, tensor1, tensor2, value)


def lerp_(self, end, weight):
    if isinstance(weight, Tensor):
        return inplace(self, elementwise.LerpTensor, end, weight)
    return inplace(self, elementwise.Lerp, end, scalar(weight))


def masked_fill_(self, mask, value):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if isinstance(value, Tensor):
        return inplace(self, elementwise.MaskedFillTensor, m, value)
    return inplace(self, elementwise.MaskedFill, m, scalar(value))


def index_put_(self, indices, values, accumulate=False):
    index = indexing._index_parts(tuple(indices)) if not _is_parts(indices) else indices
    return inplace(self, indexing.IndexPut, index, indexing._as_values(values, self), accumulate)


def _is_parts(indices):
    return isinstance(indices, tuple) and all(not isinstance(p, (Tensor, list)) for p in indices)


# random fills (parameter initialisation, usually under no_grad)
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    values = _rng(generator).uniform(a, b, self._data.shape).astype(self._data.dtype)
    return inplace(self, Uniform, values)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    values = _rng(generator).normal(mean, std, self._data.shape).astype(self._data.dtype)
    return inplace(self, Normal, values)


def detach_(self):
    """Cut this tensor from the graph, in place (not allowed for views, as in torch)."""
    if self._view is not None and self._view.base._requires_grad:
        raise RuntimeError("Can't detach views in-place. Use detach() instead.")
    self._grad_fn = None
    self._requires_grad = False
    return self

