"""In-place operations (``add_``, ``mul_``, ``copy_``, ``x[0] = v`` ...): compute, then write into
the tensor's own memory.

Each in-place op is its ordinary op, applied to the tensor's old value: the result is written
into the tensor's memory and its version counter is bumped. When the graph is recorded, the op's
node becomes part of the tensor's history (``rebase_history``: the tensor's new grad_fn, or, for
a view, a CopySlices node on its base); and tensors saved earlier that share the memory now fail
backward's version check, torch's "modified by an inplace operation" error.

Memory checks (torch's, made before anything is computed): most in-place ops refuse to write into
a tensor whose elements share memory (an ``expand``ed one) and to read an input that partly
overlaps what they write (``y[1:3].add_(y[0:2])``: the result would depend on the order of the
writes). ``fill_``, ``masked_fill_`` and ``index_put_`` have rules of their own.
"""
import warnings

import numpy as np

from ..autograd import forward_ad
from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_mode
from ..autograd.views import OVERLAP_MESSAGE, check_inplace, has_internal_overlap, rebase_history
from ..dtypes import of as _dtype_of
from ..creation import _rng
from ..tensor import Tensor, bump_version, wrap
from . import arithmetic, elementwise, indexing
from .elementwise import _zeros
from .util import scalar, sum_to

INFERENCE_MESSAGE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You "
                     "can make a clone to get a normal tensor before doing inplace update.See "
                     "https://github.com/pytorch/rfcs/pull/17 for more details.")
PARTIAL_OVERLAP_MESSAGE = ("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please clone() "
                           "the tensor before performing the operation.")


# ---------------------------------------------------------------------- memory checks
def no_overlap(self, args):
    """torch's checks for its elementwise in-place ops (TensorIterator's): self's elements are
    distinct memory locations, and no tensor argument partly overlaps self (exactly the same
    elements, as in ``y.add_(y)``, are fine: each is read before it is written)."""
    no_internal_overlap(self, args)
    for a in args:
        if isinstance(a, Tensor) and overlap(self, a) == "partial":
            raise RuntimeError(PARTIAL_OVERLAP_MESSAGE)


def no_internal_overlap(self, args):
    if has_internal_overlap(self._storage()):
        raise RuntimeError(OVERLAP_MESSAGE)


def overlap(t, other):
    """How ``other``'s memory meets ``t``'s: None, "full" (the same elements, laid out the same
    way) or "partial".

    As torch, only tensors that densely cover a block of memory are compared (the others are "too
    hard" and pass as None); two such blocks that intersect belong to one buffer.
    """
    a, b = t._storage(), other._data
    if not isinstance(b, np.ndarray) or _owner(a) is not _owner(b):  # the quick, common answer
        return None
    if a.size == 0 or b.size == 0 or not (_dense(a) and _dense(b)):
        return None
    a0, b0 = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a1, b1 = a0 + a.nbytes, b0 + b.nbytes
    if (a0, a1) == (b0, b1):
        return "full" if _layout(a) == _layout(b) else "partial"
    return "partial" if a0 < b1 and b0 < a1 else None


def _owner(a):
    """The object that owns ``a``'s memory (arrays that do not share it have different ones)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a if a.base is None else a.base


def _dense(a):
    """The elements fill a block of memory, each once, in some order of the dims (torch's
    is_non_overlapping_and_dense); dims of size 1 do not count."""
    step = a.itemsize
    for st, n in sorted((st, n) for n, st in zip(a.shape, a.strides) if n > 1):
        if st != step:
            return False
        step *= n
    return True


def _layout(a):
    """The strides that matter (a dim of size 1 has any stride: numpy and torch pick differently)."""
    return tuple(st if n > 1 else None for n, st in zip(a.shape, a.strides))


def masked_fill_checks(self, args):
    """masked_fill_ writes into an expanded tensor too, with a warning; it reads no tensor."""
    _warn_if_expanded(self, "masked_fill_", "tensor[mask] = scalar")


def index_put_checks(self, args):
    """index_put_ warns about an expanded tensor, and refuses values that share its memory at
    all or have another dtype, unless torch turns it into a masked_fill_."""
    index, values, accumulate = args
    _warn_if_expanded(self, "index_put_", "tensor[indices] = tensor")
    if _is_masked_fill(index, values, accumulate):
        return masked_fill_checks(self, args)
    if overlap(self, values) is not None:
        raise RuntimeError(PARTIAL_OVERLAP_MESSAGE)
    if values._data.dtype != self._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_dtype_of(self._data).scalar_name} for the destination and "
                           f"{_dtype_of(values._data).scalar_name} for the source.")
    return None


def _is_masked_fill(index, values, accumulate):
    """torch's index_put_ does a masked_fill_ for one boolean mask and a single value."""
    return not accumulate and np.size(values._data) == 1 and _one_mask(index)


def _one_mask(index):
    """``index`` is one boolean mask, with only full slices (``:``, ``...``) around it."""
    arrays = [p for p in index if isinstance(p, np.ndarray)]
    others = [p for p in index if not isinstance(p, np.ndarray)]
    return (len(arrays) == 1 and arrays[0].dtype.kind == "b"
            and all(p is Ellipsis or p == slice(None) for p in others))


def _warn_if_expanded(self, op, example):
    if has_internal_overlap(self._storage()):
        warnings.warn(f"Use of {op} on expanded tensors is deprecated. Please clone() the tensor "
                      "before performing this operation. This also applies to advanced indexing "
                      f"e.g. {example}", UserWarning, stacklevel=5)


# ---------------------------------------------------------------------- the write
def inplace(self, op, *args, numpy_fn=None, check_memory=no_overlap, overlapped_write=None):
    """``self = op(self, *args)``, written into self's memory and recorded as torch records it.

    ``numpy_fn(array, *args)``, when given, is the same update done by numpy in place (``np.add(a,
    b, out=a)``): used when nothing is recorded, e.g. in an optimizer's step, to spare a temporary
    array and a copy on large tensors. ``check_memory(self, args)`` makes torch's memory checks.
    ``overlapped_write(array, *args)`` writes into a tensor whose elements share memory (which
    only ops that allow it reach) element by element, as torch's kernel does.
    """
    if self._inference and not _grad_mode.inference:
        raise RuntimeError(INFERENCE_MESSAGE)
    recording = _grad_mode.enabled and (
        self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
        or (self._view is not None and self._view.base._requires_grad))
    if recording:
        check_inplace(self)
    if check_memory is not None:
        check_memory(self, args)
    if not recording:
        if numpy_fn is not None and _numpy_update(self, numpy_fn, args):
            return self
        result = _unrecorded(op, self, args)
        _write(self, result, args, overlapped_write)
    else:
        result = op.apply(_old_value(self), *args)
        _write(self, result, args, overlapped_write)
        fn = result._grad_fn
        if fn is not None:
            if fn._saved_outputs:  # the output it kept is self now
                fn._saved_output_is(self)
            rebase_history(self, fn, result._output_nr)
    if result._fw_grad is not None:
        _write_tangent(self, result._fw_grad)
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


def _write_tangent(self, tangent):
    """Forward mode: the new tangent is written into self's tangent, in place as the value is,
    so that the tangents of its views and of its base (and the tensor given to make_dual) see
    it, as in torch. A view without a tangent gets one: the view of its base's (zeros if new)."""
    if self._fw_grad is None and self._view is not None:
        base = self._view.base
        if base._fw_grad is None:
            forward_ad.set_tangent(base, wrap(np.zeros_like(base._data)))
        forward_ad.set_tangent(self, wrap(self._view.replay(base._fw_grad._storage())))
    if self._fw_grad is None:
        forward_ad.set_tangent(self, tangent)
    else:
        np.copyto(_writeable(self._fw_grad._storage()), tangent._data)


def _numpy_update(self, numpy_fn, args):
    dst = self._storage()
    values = [a._data if isinstance(a, Tensor) else a for a in args]
    if forward_ad.state.level >= 0 or dst.dtype.kind != "f" or not dst.flags.writeable or not all(
            np.shape(v) == dst.shape or np.ndim(v) == 0 for v in values):
        return False
    numpy_fn(dst, *values)
    bump_version(self)
    return True


def _write(self, result, args, overlapped_write):
    """Copy the op's result into self's memory (torch's checks and messages first); bump its
    version."""
    arr, dst = result._data, self._storage()
    if arr.shape != dst.shape:
        try:
            arr = np.broadcast_to(arr, dst.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast "
                               f"shape {list(arr.shape)}") from None
    if arr.dtype != dst.dtype and not np.can_cast(arr.dtype, dst.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_dtype_of(arr).scalar_name} can't be cast to the desired "
                           f"output type {_dtype_of(dst).scalar_name}")
    _writeable(dst)
    if overlapped_write is not None and has_internal_overlap(dst):
        overlapped_write(dst, *(a._data if isinstance(a, Tensor) else a for a in args))
    else:
        np.copyto(dst, arr, casting="unsafe")
    bump_version(self)


def _writeable(arr):
    """numpy makes the views of an expanded array read-only; torch writes through them."""
    if not arr.flags.writeable:
        arr.flags.writeable = True
    return arr


# ---------------------------------------------------------------------- ops only in-place needs
class Copy(Function):
    """``x.copy_(src)``: x's old values are gone (no gradient); src's go where they were copied."""

    node_name = "CopyBackwards"
    builtin = True

    @staticmethod
    def forward(ctx, x, src):
        ctx.shape, ctx.src_shape, ctx.src_dtype = x._data.shape, src._data.shape, src._data.dtype
        try:
            return np.broadcast_to(src._data, x._data.shape).astype(x._data.dtype)
        except ValueError:
            raise RuntimeError(f"output with shape {list(x._data.shape)} doesn't match the "
                               f"broadcast shape {list(src._data.shape)}") from None

    @staticmethod
    def backward(ctx, g):
        need_x, need_src = ctx.needs_input_grad
        grad_src = sum_to(g, ctx.src_shape).to(ctx.src_dtype) if need_src else None
        return (_zeros(g) if need_x else None), grad_src

    @staticmethod
    def jvp(ctx, tx, tsrc):
        return tsrc.expand(ctx.shape) if tsrc is not None else _zeros(tx)


class Fill(Function):
    """``x.fill_(value)`` with a number: constant, so no gradient reaches x."""

    node_name = "FillBackward2"
    builtin = True

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x._data.shape, value, dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        return _zeros(g), None

    @staticmethod
    def jvp(ctx, t, _):
        return _zeros(t)


class FillTensor(Function):
    """``x.fill_(value)`` with a 0-d tensor: every element is ``value``, whose gradient is the sum."""

    node_name = "FillBackward3"
    builtin = True

    @staticmethod
    def forward(ctx, x, value):
        ctx.shape = x._data.shape
        return np.full(x._data.shape, value._data, dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        need_x, need_value = ctx.needs_input_grad
        return (_zeros(g) if need_x else None), (g.sum() if need_value else None)

    @staticmethod
    def jvp(ctx, t, tv):
        return tv.expand(ctx.shape) if tv is not None else _zeros(t)


class Zero(Fill):
    node_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.zeros_like(x._data)

    @staticmethod
    def backward(ctx, g):
        return _zeros(g)

    @staticmethod
    def jvp(ctx, t):
        return _zeros(t)


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
    return inplace(self, Zero, numpy_fn=lambda a: a.fill(0), check_memory=None)


def fill_(self, value):
    if isinstance(value, Tensor):
        return inplace(self, FillTensor, value, check_memory=no_internal_overlap)
    return inplace(self, Fill, scalar(value), check_memory=None)


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
    op, value = ((elementwise.MaskedFillTensor, value) if isinstance(value, Tensor) else
                 (elementwise.MaskedFill, scalar(value)))
    return inplace(self, op, m, value,
                   check_memory=masked_fill_checks,
                   overlapped_write=lambda a, m, v: np.copyto(a, v, where=m, casting="unsafe"))


def index_put_(self, indices, values, accumulate=False):
    index = indexing._index_parts(tuple(indices)) if not _is_parts(indices) else indices
    if not isinstance(values, Tensor) or _is_masked_fill(index, values, accumulate):
        values = indexing._as_values(values, self)  # a number, or masked_fill_'s value.item()
    return inplace(self, indexing.IndexPut, index, values, accumulate,
                   check_memory=index_put_checks,
                   overlapped_write=_index_put_in_order)


def _index_put_in_order(a, index, values, accumulate):
    """Write (or add) the values one after the other, into memory that elements may share."""
    if accumulate:
        np.add.at(a, index, values)
    else:
        a[index] = values


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

