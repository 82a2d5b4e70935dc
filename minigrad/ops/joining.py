"""Joining and splitting: cat, stack, and split/chunk/unbind (which return views of the input)."""
import numpy as np

from ..autograd.function import Function
from ..autograd.views import make_view
from ..tensor import wrap
from .util import wrap_dim


def _or_zeros(tangents, shapes):
    """The inputs' tangents, zeros for those without one (torch's cat and stack jvp)."""
    dtype = next(t for t in tangents if t is not None)._data.dtype
    return [t if t is not None else wrap(np.zeros(shape, dtype)) for t, shape in zip(tangents, shapes)]


class Cat(Function):
    node_name = "CatBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        arrays = [t._data for t in tensors]
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        ctx.shapes = [a.shape for a in arrays]  # (for the tangent of an input without one)
        first = arrays[0].shape
        for i, a in enumerate(arrays[1:], 1):
            if a.ndim != len(first):
                raise RuntimeError(f"Tensors must have same number of dimensions: got {len(first)} "
                                   f"and {a.ndim}")
            for d, (n0, n) in enumerate(zip(first, a.shape)):
                if d != dim and n0 != n:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                       f"Expected size {n0} but got size {n} for tensor number {i} "
                                       "in the list.")
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (*g.split(ctx.sizes, ctx.dim), None)

    @staticmethod
    def jvp(ctx, *tangents):
        return Cat.apply(*_or_zeros(tangents[:-1], ctx.shapes), ctx.dim)


class Stack(Function):
    node_name = "StackBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        ctx.dim = dim
        ctx.shapes = [t._data.shape for t in tensors]
        first = tensors[0]._data.shape
        for i, t in enumerate(tensors):
            if t._data.shape != first:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"{list(first)} at entry 0 and {list(t._data.shape)} at entry {i}")
        return np.stack([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (*g.unbind(ctx.dim), None)

    @staticmethod
    def jvp(ctx, *tangents):
        return Stack.apply(*_or_zeros(tangents[:-1], ctx.shapes), ctx.dim)


class Split(Function):
    """``split``/``chunk``: consecutive pieces along ``dim``, each a view of the input."""

    node_name = "SplitBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim, sizes):
        ctx.dim, ctx.sizes = dim, sizes
        lead = (slice(None),) * dim
        starts = np.cumsum([0] + list(sizes[:-1]))
        return tuple(make_view(x, lambda a, i=lead + (slice(s, s + n),): a[i])
                     for s, n in zip(starts, sizes))

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(*grads, ctx.dim), None, None

    @staticmethod
    def jvp(ctx, t, _d, _s):
        return t.split(list(ctx.sizes), ctx.dim)


class SplitWithSizes(Split):
    """``split([sizes])``."""

    node_name = "SplitWithSizesBackward0"


class Unbind(Function):
    """``unbind``: every slice along ``dim``, each a view of the input."""

    node_name = "UnbindBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(make_view(x, lambda a, i=lead + (k,): a[i]) for k in range(x._data.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, ctx.dim), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.unbind(ctx.dim)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    tensors = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    return Cat.apply(*tensors, wrap_dim(dim, tensors[0]._data.ndim))


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return Stack.apply(*tensors, wrap_dim(dim, tensors[0]._data.ndim + 1))


def _check_not_0d(tensor, op):
    if tensor._data.ndim == 0:
        raise RuntimeError(f"{op} expects at least a 1-dimensional tensor")


def split(tensor, split_size_or_sections, dim=0):
    _check_not_0d(tensor, "split")
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    op = Split
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                               f"size of {n}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if size else [0]
    else:
        op, sizes = SplitWithSizes, [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    return op.apply(tensor, d, tuple(sizes))


def chunk(input, chunks, dim=0):
    _check_not_0d(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    return split(input, max(-(-n // chunks), 1), dim)


def unbind(input, dim=0):
    d = wrap_dim(dim, input._data.ndim)
    return Unbind.apply(input, wrap_dim(d, input._data.ndim, wrap_scalar=False))
