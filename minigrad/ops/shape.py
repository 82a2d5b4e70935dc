"""Shape and copy operations: view/reshape, transpose/permute, (un)squeeze, expand, indexing,
cat/stack, clone and dtype conversion.

Results of view-like ops share storage with their input (numpy views), and also its version
counter, so that an in-place change through a view is seen by the tensors saved for backward.
"""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import dims_of, sum_to


def _view_of(x, arr):
    """Wrap ``arr``, a numpy view of ``x``'s storage, as a tensor that shares x's version counter."""
    out = _wrap(arr)
    if isinstance(arr, np.ndarray) and (arr.base is not None or arr is x._data):
        out._vc = x._vc
        out._base = x._base if x._base is not None else x
    return out


def _shape_arg(shape):
    """view(2, 3), view((2, 3)) and view([2, 3]) all mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


class View(Function):
    node_name = "ViewBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, shape):
        a = x._storage()
        ctx.in_shape, ctx.out_shape = a.shape, shape
        try:
            return _view_of(x, a.reshape(shape))
        except ValueError:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {a.size}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.reshape(ctx.out_shape)


class UnsafeView(View):
    """The view that matmul puts on its result to give it its final shape (torch's _unsafe_view)."""

    node_name = "UnsafeViewBackward0"


class Transpose(Function):
    node_name = "TransposeBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.dims = (d0, d1)
        return _view_of(x, np.swapaxes(x._storage(), d0, d1))

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, _a, _b):
        return t.transpose(*ctx.dims)


class T(Function):
    node_name = "TBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x):
        if x._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x._data.ndim}D")
        return _view_of(x, x._storage().T)

    @staticmethod
    def backward(ctx, g):
        return g.t()

    @staticmethod
    def jvp(ctx, t):
        return t.t()


class Permute(Function):
    node_name = "PermuteBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dims):
        if len(dims) != x._data.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                               f"not match the length of the desired ordering of dimensions i.e. "
                               f"input.dim() = {x._data.ndim} is not equal to len(dims) = {len(dims)}")
        ctx.dims = dims
        return _view_of(x, np.transpose(x._storage(), dims))

    @staticmethod
    def backward(ctx, g):
        return g.permute(tuple(int(i) for i in np.argsort(ctx.dims))), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.permute(ctx.dims)


class Unsqueeze(Function):
    node_name = "UnsqueezeBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return _view_of(x, np.expand_dims(x._storage(), dim))

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.unsqueeze(ctx.dim)


class Squeeze(Function):
    node_name = "SqueezeBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dims):
        a = x._storage()
        ctx.in_shape = a.shape
        dims = tuple(d for d in dims if a.shape[d] == 1)
        ctx.dims = dims
        return _view_of(x, np.squeeze(a, axis=dims) if dims else a.view())

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.squeeze(ctx.dims) if ctx.dims else t.reshape(ctx.in_shape)


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    """squeeze with a tuple of dims."""

    node_name = "SqueezeBackward2"


class MatmulSqueeze(Squeeze):
    """The squeeze matmul applies to its result in place (torch's squeeze_(dim)), hence its name."""

    node_name = "SqueezeBackward4"


class Expand(Function):
    node_name = "ExpandBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, shape):
        a = x._storage()
        lead = len(shape) - a.ndim
        if lead < 0:
            raise RuntimeError(f"expand({x.type()}{{{list(a.shape)}}}, size=[{', '.join(map(str, shape))}]): "
                               "the number of sizes provided (%d) must be greater or equal to the "
                               "number of dimensions in the tensor (%d)" % (len(shape), a.ndim))
        shape = tuple(a.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        ctx.in_shape, ctx.shape = a.shape, shape
        try:
            return _view_of(x, np.broadcast_to(a, shape))
        except ValueError:
            for i in range(a.ndim):
                if a.shape[i] != 1 and a.shape[i] != shape[i + lead]:
                    raise RuntimeError(
                        f"The expanded size of the tensor ({shape[i + lead]}) must match the "
                        f"existing size ({a.shape[i]}) at non-singleton dimension {i + lead}.  "
                        f"Target sizes: {list(shape)}.  Tensor sizes: {list(a.shape)}") from None
            raise

    @staticmethod
    def backward(ctx, g):
        return sum_to(g, ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.expand(ctx.shape)


# ---------------------------------------------------------------------- indexing
def _index_arg(index):
    """numpy index for a torch-style index (tensors inside become numpy arrays)."""
    if isinstance(index, tuple):
        return tuple(_index_arg(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        return np.asarray([i._data if isinstance(i, Tensor) else i for i in index])
    return index


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class Index(Function):
    """``x[index]`` with arrays or masks (advanced indexing: a copy)."""

    node_name = "IndexBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x._data.shape, index
        out = x._storage()[index]
        return _view_of(x, out) if isinstance(out, np.ndarray) else _wrap(np.asarray(out))

    @staticmethod
    def backward(ctx, g):
        return IndexScatter.apply(g, ctx.in_shape, ctx.index), None

    @staticmethod
    def jvp(ctx, t, _):
        return type(ctx)._fn.apply(t, ctx.index)


class Select(Index):
    """``x[i]`` with an integer: one slice along a dim (a view)."""

    node_name = "SelectBackward0"


class Slice(Index):
    """``x[a:b]`` and other basic indexing (a view)."""

    node_name = "SliceBackward0"


class IndexScatter(Function):
    """The backward of indexing: a zero tensor of the input's shape with ``g`` added at ``index``."""

    node_name = "IndexPutBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index, ctx.shape = index, shape
        out = np.zeros(shape, dtype=g._data.dtype)
        if _is_basic(index):
            out[index] = g._data
        else:
            np.add.at(out, index, g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return getitem(gg, ctx.index), None, None

    @staticmethod
    def jvp(ctx, t, _s, _i):
        return IndexScatter.apply(t, ctx.shape, ctx.index)


def getitem(x, index):
    idx = _index_arg(index)
    if not _is_basic(idx):
        return Index.apply(x, idx)
    parts = idx if isinstance(idx, tuple) else (idx,)
    if Ellipsis not in parts:  # x[0, ...] is a 0-d view where x[0] would be a numpy scalar copy
        idx = parts + (Ellipsis,)
    if any(isinstance(p, (int, np.integer)) for p in parts):
        for p, n in zip([p for p in parts if p is not None and p is not Ellipsis], x._data.shape):
            if isinstance(p, (int, np.integer)) and not -n <= p < n:
                raise IndexError(f"index {p} is out of bounds for dimension 0 with size {n}")
        return Select.apply(x, idx)
    return Slice.apply(x, idx)


class IndexPut(Function):
    """Functional ``x[index] = value``: what an in-place ``__setitem__`` records."""

    node_name = "CopySlices"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, value, index):
        out = np.array(x._data)
        v = value._data if isinstance(value, Tensor) else value
        out[index] = v
        ctx.index = index
        ctx.value_shape = np.shape(v)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            keep = np.ones(g._data.shape, dtype=g._data.dtype)
            keep[ctx.index] = 0
            gx = g * _wrap(keep)
        if need[1]:
            gv = sum_to(getitem(g, ctx.index), ctx.value_shape)
        return gx, gv, None

    @staticmethod
    def jvp(ctx, tx, tv, _):
        return IndexPut.apply(tx, tv if tv is not None else 0.0, ctx.index)


def setitem(x, index, value):
    from ..autograd.grad_mode import is_grad_enabled
    from .inplace import inplace
    if x._requires_grad and x.grad_fn is None and is_grad_enabled():
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    idx = _index_arg(index)
    if isinstance(value, (list, tuple)):
        value = np.asarray(value)
    inplace(x, lambda s, v: IndexPut.apply(s, v, idx), value)


class Gather(Function):
    node_name = "GatherBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.in_shape = dim, index, x._data.shape
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return Scatter.apply(g, ctx.dim, ctx.index, ctx.in_shape), None, None

    @staticmethod
    def jvp(ctx, t, _d, _i):
        return Gather.apply(t, ctx.dim, ctx.index)


class Scatter(Function):
    """Backward of gather: add ``g`` into zeros at the gathered positions."""

    node_name = "ScatterAddBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, g, dim, index, shape):
        ctx.dim, ctx.index, ctx.shape = dim, index, shape
        out = np.zeros(shape, dtype=g._data.dtype)
        grid = list(np.indices(index.shape, sparse=True))
        grid[dim] = index
        np.add.at(out, tuple(grid), g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Gather.apply(gg, ctx.dim, ctx.index), None, None, None

    @staticmethod
    def jvp(ctx, t, _d, _i, _s):
        return Scatter.apply(t, ctx.dim, ctx.index, ctx.shape)


def gather(input, dim, index):
    return Gather.apply(input, dim % max(input._data.ndim, 1), index._data.astype(np.int64))


def index_select(input, dim, index):
    idx = (slice(None),) * (dim % input._data.ndim) + (index._data,)
    return Index.apply(input, idx)


# ---------------------------------------------------------------------- joining
class Cat(Function):
    node_name = "CatBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        arrays = [t._data for t in tensors]
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        first = arrays[0].shape
        for i, a in enumerate(arrays[1:], 1):
            for d, (n0, n) in enumerate(zip(first, a.shape)):
                if d != dim and n0 != n:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                       f"Expected size {n0} but got size {n} for tensor number {i} "
                                       "in the list.")
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def _pieces(ctx, g):
        out, start = [], 0
        lead = (slice(None),) * ctx.dim
        for n in ctx.sizes:
            out.append(getitem(g, lead + (slice(start, start + n),)))
            start += n
        return out

    @staticmethod
    def backward(ctx, g):
        return (*Cat._pieces(ctx, g), None)

    @staticmethod
    def jvp(ctx, *tangents):
        return Cat.apply(*tangents[:-1], ctx.dim)


class Stack(Function):
    node_name = "StackBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        ctx.dim, ctx.n = dim, len(tensors)
        first = tensors[0]._data.shape
        for i, t in enumerate(tensors):
            if t._data.shape != first:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"{list(first)} at entry 0 and {list(t._data.shape)} at entry {i}")
        return np.stack([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        return (*(getitem(g, lead + (i,)) for i in range(ctx.n)), None)

    @staticmethod
    def jvp(ctx, *tangents):
        return Stack.apply(*tangents[:-1], ctx.dim)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    tensors = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    return Cat.apply(*tensors, dims_of(dim, tensors[0]._data.ndim)[0])


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return Stack.apply(*tensors, dims_of(dim, tensors[0]._data.ndim + 1)[0])


# ---------------------------------------------------------------------- copies
class Clone(Function):
    node_name = "CloneBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def jvp(ctx, t):
        return t


class ToCopy(Function):
    """Conversion to another dtype (``.to(float64)``, ``.double()``, ...)."""

    node_name = "ToCopyBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.in_dtype = x._data.dtype
        return x._data.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return ToCopy.apply(g, ctx.in_dtype), None

    @staticmethod
    def jvp(ctx, t, np_dtype):
        return ToCopy.apply(t, np_dtype)


def clone(input, *, memory_format=None):
    return Clone.apply(input)


def to_dtype(input, np_dtype):
    return ToCopy.apply(input, np.dtype(np_dtype))


# ---------------------------------------------------------------------- functional forms
def view(input, *shape):
    return View.apply(input, _shape_arg(shape))


def reshape(input, *shape):
    return View.apply(input, _shape_arg(shape))


def transpose(input, dim0, dim1):
    n = max(input._data.ndim, 1)
    d0, d1 = dim0 % n, dim1 % n
    return Transpose.apply(input, d0, d1)


swapaxes = swapdims = transpose


def t(input):
    return T.apply(input)


def permute(input, *dims):
    dims = _shape_arg(dims)
    return Permute.apply(input, tuple(d % max(input._data.ndim, 1) for d in dims))


def movedim(input, source, destination):
    order = list(range(input._data.ndim))
    src = source % input._data.ndim
    order.remove(src)
    order.insert(destination % input._data.ndim, src)
    return permute(input, tuple(order))


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, dim % (input._data.ndim + 1))


def squeeze(input, dim=None):
    if dim is None:
        return Squeeze.apply(input, tuple(range(input._data.ndim)))
    op = SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
    return op.apply(input, dims_of(dim, input._data.ndim))


def expand(input, *sizes):
    return Expand.apply(input, _shape_arg(sizes))


def expand_as(input, other):
    return Expand.apply(input, tuple(other._data.shape))


def broadcast_to(input, size):
    return Expand.apply(input, tuple(size))


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = start_dim % len(shape), end_dim % len(shape)
    return reshape(input, shape[:s] + (-1,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = dim % len(shape)
    return reshape(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def select(input, dim, index):
    return getitem(input, (slice(None),) * (dim % input._data.ndim) + (index,))


def narrow(input, dim, start, length):
    return getitem(input, (slice(None),) * (dim % input._data.ndim) + (slice(start, start + length),))


def split(tensor, split_size_or_sections, dim=0):
    n = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        sizes = [min(split_size_or_sections, n - i) for i in range(0, n, split_size_or_sections)]
    else:
        sizes = list(split_size_or_sections)
    out, start = [], 0
    for s in sizes:
        out.append(narrow(tensor, dim, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    n = input._data.shape[dim]
    return split(input, -(-n // chunks), dim)


def unbind(input, dim=0):
    return tuple(select(input, dim, i) for i in range(input._data.shape[dim]))
