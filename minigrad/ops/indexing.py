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
        ctx.accumulate, ctx.shapes = accumulate, (x._data.shape, values._data.shape)
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
            grad_values = sum_to(Index.apply(g, index), ctx.shapes[1])
        return grad_x, None, grad_values, None

    @staticmethod
    def jvp(ctx, tx, _, tv, _a):
        """torch's: the tangents put as the values are (zeros for the one without)."""
        index, = _saved_with_index(ctx, 0)
        dtype = (tx if tx is not None else tv)._data.dtype
        tx, tv = (t if t is not None else wrap(np.zeros(shape, dtype))
                  for t, shape in zip((tx, tv), ctx.shapes))
        return IndexPut.apply(tx, index, tv, ctx.accumulate)


def _along(index, dim):
    """numpy's index for ``x[..., index[i, j, ...], ...]`` (``index`` at ``dim``, every other
    position where it is in ``index``): what gather reads and scatter writes. A 0-d index and
    tensor count as 1-d, as in torch."""
    index = index.reshape(index.shape or (1,))
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


class Gather(Function):
    """``x.gather(dim, index)``: out[i][j] = x[index[i][j]][j] (for dim 0); out has index's shape."""

    node_name = "GatherBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.in_shape = dim, x._data.shape
        ctx.save_for_backward(x, wrap(index))  # x only for its shape; torch saves it: same errors
        a = x._data
        if index.size == 0:  # any shape will do (torch checks nothing then)
            return np.zeros(index.shape, dtype=a.dtype)
        return a.reshape(a.shape or (1,))[_along(index, dim)].reshape(index.shape)

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
        out = np.zeros(shape or (1,), dtype=g._data.dtype)
        if index.size:
            np.add.at(out, _along(index, dim), np.reshape(g._data, index.shape or (1,)))
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        index, = ctx.saved_tensors
        return Gather.apply(gg, ctx.dim, index._data), None, None, None

    @staticmethod
    def jvp(ctx, t, _d, _i, _s):
        index, = ctx.saved_tensors
        return Scatter.apply(t, ctx.dim, index._data, ctx.shape)


class IndexSelect(Function):
    """``x.index_select(dim, index)``: the slices of x at ``index`` (1-d) along ``dim``."""

    node_name = "IndexSelectBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.in_shape = dim, x._data.shape
        ctx.save_for_backward(wrap(index))
        if not ctx.in_shape:  # a 0-d tensor: index is [0], the result the tensor itself
            return np.array(x._data)
        return np.take(x._data, index, axis=dim)

    @staticmethod
    def _index(ctx):
        index, = ctx.saved_tensors
        return (slice(None),) * ctx.dim + (index._data,)

    @staticmethod
    def backward(ctx, g):
        if not ctx.in_shape:
            return g, None, None
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
    """``length`` elements from ``start`` along ``dim`` (a view); checked in torch's order."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, len(shape))
    start, size = int(start), shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got "
                         f"{start})")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Slice.apply(input, d, slice(start, start + length))


def _index_tensor(index, op):
    """The numpy array of an ``index`` argument, which must be a tensor."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    return index._data


def _is_int_index(index):
    return index.dtype in (np.int32, np.int64)


def gather(input, dim, index):  # the index is not differentiable: it gets no graph edge
    a, index = input._data, _index_tensor(index, "gather")
    d = wrap_dim(dim, a.ndim)
    if index.size == 0:  # torch checks nothing more
        return Gather.apply(input, d, index.astype(np.int64))
    if not _is_int_index(index):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    shape, index_shape = a.shape or (1,), index.shape or (1,)  # 0-d counts as 1-d
    if len(shape) != len(index_shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (n, m) in enumerate(zip(shape, index_shape)):
        if i != d and m > n:
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{list(index.shape)} to be no larger than self {list(a.shape)} "
                               f"apart from dimension {d}")
    outside = index[(index < 0) | (index >= shape[d])]
    if outside.size:
        raise RuntimeError(f"index {outside.flat[0]} is out of bounds for dimension {d} with size "
                           f"{shape[d]}")
    return Gather.apply(input, d, index.astype(np.int64))


def index_select(input, dim, index):
    a, index = input._data, _index_tensor(index, "index_select")
    d = wrap_dim(dim, a.ndim)
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if a.ndim == 0 and index.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} "
                           "value(s)")
    if not _is_int_index(index):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    _check_select_range(a, d, index)
    return IndexSelect.apply(input, d, index.reshape(-1).astype(np.int64))


def _check_select_range(a, dim, index):
    """torch's errors for indices outside dim ``dim`` of ``a`` (one message per kernel)."""
    size = a.shape[dim] if a.ndim else 1
    outside = index[(index < 0) | (index >= size)]
    if a.ndim > 1 and a.size == 0 and index.size:  # an empty tensor has a kernel of its own
        if size == 0:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if outside.size:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={outside.flat[0]} "
                               f"axis_dim={size}")
    if outside.size:
        raise IndexError("index out of range in self")


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
