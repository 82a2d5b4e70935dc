"""Indexing: ``x[index]``, ``x[index] = value``, select/narrow, gather, index_select, index_put.

As in torch, basic indexing (integers, slices, None, ``...``) is a chain of views (SelectBackward0,
SliceBackward0, UnsqueezeBackward0); indexing with tensors, lists or masks (advanced indexing) is
a copy (IndexBackward0). Assigning into a view is an in-place change of it, so ``y[0] = v`` is
``y[0].copy_(v)``: the in-place machinery gives y its CopySlices history.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.views import make_view
from ..tensor import Tensor, wrap
from .shape import Alias, Unsqueeze
from .util import sum_to, wrap_dim


# ---------------------------------------------------------------------- indices kept for backward
def _save_with_index(ctx, index, *tensors):
    """save_for_backward ``tensors`` and the arrays inside ``index``: arrays can be as large as the
    input (a mask), so they are freed after backward like every saved tensor."""
    ctx.index = tuple(None if isinstance(p, np.ndarray) else p for p in index)
    ctx.arrays_at = tuple(i for i, p in enumerate(index) if isinstance(p, np.ndarray))
    ctx.save_for_backward(*tensors, *(wrap(index[i]) for i in ctx.arrays_at))


def _saved_with_index(ctx, n_tensors):
    """(index, *tensors) as ``_save_with_index`` kept them."""
    saved = ctx.saved_tensors
    index = list(ctx.index)
    for i, array in zip(ctx.arrays_at, saved[n_tensors:]):
        index[i] = array._data
    return (tuple(index), *saved[:n_tensors])


class Select(Function):
    """``x.select(dim, i)``, ``x[i]``: one slice along a dim (a view)."""

    node_name = "SelectBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim, i):
        index = (slice(None),) * dim + (i,)
        ctx.in_shape, ctx.index = x._data.shape, index
        return make_view(x, lambda a: a[index + (Ellipsis,)])  # `...`: a 0-d view, not a scalar

    @staticmethod
    def backward(ctx, g):
        return IndexScatter.apply(g, ctx.in_shape, ctx.index), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return t[ctx.index]


class Slice(Select):
    """``x.narrow(dim, start, length)``, ``x[a:b:step]`` (a view)."""

    node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, x, dim, part):
        return Select.forward(ctx, x, dim, part)


class Index(Function):
    """``x[index]`` with arrays or masks in the index (advanced indexing: a copy)."""

    node_name = "IndexBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x._data.shape
        _save_with_index(ctx, index)
        return np.asarray(x._data[index])

    @staticmethod
    def backward(ctx, g):
        index, = _saved_with_index(ctx, 0)
        return IndexScatter.apply(g, ctx.in_shape, index), None

    @staticmethod
    def jvp(ctx, t, _):
        index, = _saved_with_index(ctx, 0)
        return Index.apply(t, index)


class IndexScatter(Function):
    """The backward of indexing: ``g`` placed (summed, where an index repeats) into zeros."""

    node_name = "IndexPutBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.shape = shape
        _save_with_index(ctx, index)
        out = np.zeros(shape, dtype=g._data.dtype)
        np.add.at(out, index, g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        index, = _saved_with_index(ctx, 0)
        return gg[index] if not ctx.arrays_at else Index.apply(gg, index), None, None

    @staticmethod
    def jvp(ctx, t, _s, _i):
        index, = _saved_with_index(ctx, 0)
        return IndexScatter.apply(t, ctx.shape, index)


class IndexPut(Function):
    """``index_put(x, indices, values)``: x with ``values`` written (or added) at ``indices``."""

    node_name = "IndexPutBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, index, values, accumulate):
        ctx.accumulate, ctx.values_shape = accumulate, values._data.shape
        _save_with_index(ctx, index)
        out = np.array(x._data)
        if accumulate:
            np.add.at(out, index, values._data)
        else:
            out[index] = values._data
        return out

    @staticmethod
    def backward(ctx, g):
        index, = _saved_with_index(ctx, 0)
        need_x, _, need_values, _ = ctx.needs_input_grad
        grad_x = grad_values = None
        if need_x:
            if ctx.accumulate:
                grad_x = g
            else:
                kept = np.ones(g._data.shape, dtype=bool)
                kept[index] = False
                grad_x = g * wrap(kept.astype(g._data.dtype))
        if need_values:
            grad_values = sum_to(Index.apply(g, index), ctx.values_shape)
        return grad_x, None, grad_values, None

    @staticmethod
    def jvp(ctx, tx, _, tv, _a):
        index, = _saved_with_index(ctx, 0)
        tv = tv if tv is not None else wrap(np.zeros(ctx.values_shape, dtype=tx._data.dtype))
        return IndexPut.apply(tx, index, tv, ctx.accumulate)


class Gather(Function):
    node_name = "GatherBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.in_shape = dim, x._data.shape
        ctx.save_for_backward(x, wrap(index))  # x only for its shape; torch saves it: same errors
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        _, index = ctx.saved_tensors
        return Scatter.apply(g, ctx.dim, index._data, ctx.in_shape), None, None

    @staticmethod
    def jvp(ctx, t, _d, _i):
        _, index = ctx.saved_tensors
        return Gather.apply(t, ctx.dim, index._data)


class Scatter(Function):
    """Backward of gather: add ``g`` into zeros at the gathered positions."""

    node_name = "ScatterAddBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, g, dim, index, shape):
        ctx.dim, ctx.shape = dim, shape
        ctx.save_for_backward(wrap(index))
        out = np.zeros(shape, dtype=g._data.dtype)
        grid = list(np.indices(index.shape, sparse=True))
        grid[dim] = index
        np.add.at(out, tuple(grid), g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        index, = ctx.saved_tensors
        return Gather.apply(gg, ctx.dim, index._data), None, None, None

    @staticmethod
    def jvp(ctx, t, _d, _i, _s):
        index, = ctx.saved_tensors
        return Scatter.apply(t, ctx.dim, index._data, ctx.shape)


class IndexSelect(Function):
    node_name = "IndexSelectBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.in_shape = dim, x._data.shape
        ctx.save_for_backward(wrap(index))
        return np.take(x._data, index, axis=dim)

    @staticmethod
    def _index(ctx):
        index, = ctx.saved_tensors
        return (slice(None),) * ctx.dim + (index._data,)

    @staticmethod
    def backward(ctx, g):
        return IndexScatter.apply(g, ctx.in_shape, IndexSelect._index(ctx)), None, None

    @staticmethod
    def jvp(ctx, t, _d, _i):
        index, = ctx.saved_tensors
        return IndexSelect.apply(t, ctx.dim, index._data)


# ---------------------------------------------------------------------- functional forms
def select(input, dim, index):
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} "
                         f"at dimension {dim}")
    return Select.apply(input, d, int(index) % shape[d])


def narrow(input, dim, start, length):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    start = start + shape[d] if start < 0 else start
    if start + length > shape[d]:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({shape[d]}).")
    return Slice.apply(input, d, slice(start, start + length))


def gather(input, dim, index):  # the index is not differentiable: it gets no graph edge
    return Gather.apply(input, wrap_dim(dim, input._data.ndim), index._data.astype(np.int64))


def index_select(input, dim, index):
    return IndexSelect.apply(input, wrap_dim(dim, input._data.ndim), index._data.astype(np.int64))


def index_put(input, indices, values, accumulate=False):
    return IndexPut.apply(input, _index_parts(tuple(indices)), _as_values(values, input), accumulate)


def _as_values(values, like):
    if isinstance(values, Tensor):
        return values if values._data.dtype == like._data.dtype else values.to(like._data.dtype)
    return wrap(np.asarray(values, dtype=like._data.dtype))


def _index_parts(index):
    """A torch index as a tuple of numpy index parts (integer tensors of one element are ints)."""
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p._data
            if p.ndim == 0 and p.dtype.kind in "iu":
                p = int(p)
        elif isinstance(p, list):
            p = np.asarray([q._data if isinstance(q, Tensor) else q for q in p])
        elif isinstance(p, bool):
            p = np.asarray(p)
        elif isinstance(p, np.integer):
            p = int(p)
        if isinstance(p, np.ndarray) and p.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        out.append(p)
    return tuple(out)


def _apply_basic(x, index):
    """The views for the integers, slices, None and ``...`` of ``index`` (torch applies them
    first), and what is left for advanced indexing (None when nothing is)."""
    parts = _index_parts(index)
    ndim = x._data.ndim
    spans = [p.ndim if isinstance(p, np.ndarray) and p.dtype.kind == "b" else
             0 if p is None or p is Ellipsis else 1 for p in parts]
    if sum(spans) > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    result, dim, source_dim, advanced = x, 0, 0, []
    for p, span in zip(parts, spans):
        if p is Ellipsis:
            n = ndim - sum(spans)
            dim, source_dim = dim + n, source_dim + n
            advanced.append(Ellipsis)
        elif p is None:
            result = Unsqueeze.apply(result, dim)
            dim += 1
            advanced.append(slice(None))
        elif isinstance(p, int):
            size = result._data.shape[dim]
            if not -size <= p < size:
                raise IndexError(f"index {p} is out of bounds for dimension {source_dim} with size {size}")
            result = Select.apply(result, dim, p % size)
            source_dim += 1
        elif isinstance(p, slice):
            if p.step is not None and p.step <= 0:
                raise ValueError("step must be greater than zero")
            if p != slice(None) or not isinstance(index, tuple):
                result = Slice.apply(result, dim, p)
            dim, source_dim = dim + 1, source_dim + 1
            advanced.append(slice(None))
        else:
            advanced.append(p)
            dim, source_dim = dim + span, source_dim + span
    if not any(isinstance(p, np.ndarray) for p in advanced):
        return result, None
    return result, tuple(advanced)


def getitem(x, index):
    if index is Ellipsis:
        return Alias.apply(x)
    result, advanced = _apply_basic(x, index)
    return result if advanced is None else Index.apply(result, advanced)


def setitem(x, index, value):
    """``x[index] = value``: an in-place change of the indexed part of x."""
    target, advanced = _apply_basic(x, index) if index is not Ellipsis else (Alias.apply(x), None)
    if advanced is not None:
        target.index_put_(advanced, value)
    elif isinstance(value, Tensor):
        while value._data.ndim > target._data.ndim and value._data.shape[0] == 1:
            value = value.squeeze(0)  # numpy's rule, as torch: leading 1s of the value go
        target.copy_(value)
    elif isinstance(value, (int, float, bool, np.generic)):
        target.fill_(value)
    else:
        target.copy_(wrap(np.asarray(value, dtype=x._data.dtype)))
