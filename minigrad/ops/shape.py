"""Shape operations: view/reshape, transpose/permute, (un)squeeze, expand, and the copies clone
and dtype conversion.

Most of them are *views*: the result shares the input's memory (a numpy view) and version
counter, and remembers how it was made (``make_view``), so that an in-place change through it
reaches the input's graph (see autograd/views.py). The backward of a view is the inverse
reshaping of the gradient.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.views import make_view
from .util import dims_of, sum_to, wrap_dim


def _shape_arg(shape):
    """view(2, 3), view((2, 3)) and view([2, 3]) all mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def _infer(shape, size):
    """``shape`` with its -1 filled in, or torch's error when it cannot hold ``size`` elements."""
    known = int(np.prod([n for n in shape if n != -1], dtype=np.int64))
    if shape.count(-1) > 1 or (shape.count(-1) == 0 and known != size) or \
            (shape.count(-1) == 1 and (known == 0 or size % known)):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return tuple(size // known if n == -1 else n for n in shape)


class View(Function):
    """``x.view(shape)``: the same memory read with another shape (no copy, ever)."""

    node_name = "ViewBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, shape):
        a = x._storage()
        shape = _infer(shape, a.size)
        ctx.in_shape, ctx.out_shape = a.shape, shape
        try:
            np.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               "least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead.") from None
        return make_view(x, lambda arr: np.reshape(arr, shape, copy=False))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.reshape(ctx.out_shape)


class UnsafeView(View):
    """The reshape of a fresh copy (matmul's results, reshapes that must copy): torch's
    _unsafe_view. Not a view of anything the user holds."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        a = x._data
        shape = _infer(shape, a.size)
        ctx.in_shape, ctx.out_shape = a.shape, shape
        return a.reshape(shape)


class Alias(Function):
    """``x[...]``: a view of all of x."""

    node_name = "AliasBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x):
        return make_view(x, lambda a: a.view())

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def jvp(ctx, t):
        return t


class Transpose(Function):
    node_name = "TransposeBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.dims = (d0, d1)
        return make_view(x, lambda a: np.swapaxes(a, d0, d1))

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, _a, _b):
        return t.transpose(*ctx.dims)


class T(Function):
    node_name = "TBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x):
        if x._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x._data.ndim}D")
        return make_view(x, lambda a: a.T)

    @staticmethod
    def backward(ctx, g):
        return g.t()

    @staticmethod
    def jvp(ctx, t):
        return t.t()


class Permute(Function):
    node_name = "PermuteBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return make_view(x, lambda a: np.transpose(a, dims))

    @staticmethod
    def backward(ctx, g):
        return g.permute(tuple(int(i) for i in np.argsort(ctx.dims))), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.permute(ctx.dims)


class Unsqueeze(Function):
    node_name = "UnsqueezeBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return make_view(x, lambda a: np.expand_dims(a, dim))

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.unsqueeze(ctx.dim)


class Squeeze(Function):
    """``squeeze()``: drop every dimension of size 1."""

    node_name = "SqueezeBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dims):
        a = x._storage()
        dims = tuple(d for d in dims if a.shape[d] == 1)
        ctx.in_shape, ctx.dims = a.shape, dims
        return make_view(x, lambda arr: np.squeeze(arr, axis=dims))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.squeeze(ctx.dims) if ctx.dims else t.reshape(ctx.in_shape)


class SqueezeDim(Squeeze):
    """``squeeze(dim)``."""

    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    """``squeeze((dim, ...))``."""

    node_name = "SqueezeBackward2"


class MatmulSqueeze(Squeeze):
    """The squeeze matmul applies to its result in place (torch's squeeze_(dim)), hence its name."""

    node_name = "SqueezeBackward4"


class Expand(Function):
    """``x.expand(shape)``: size-1 dims repeated without copying (a read-only view)."""

    node_name = "ExpandBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, shape):
        a = x._storage()
        lead = len(shape) - a.ndim
        if lead < 0:
            raise RuntimeError(f"expand({x.type()}{{{list(a.shape)}}}, size=[{', '.join(map(str, shape))}]): "
                               "the number of sizes provided (%d) must be greater or equal to the "
                               "number of dimensions in the tensor (%d)" % (len(shape), a.ndim))
        shape = tuple(a.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        for i in range(a.ndim):
            if a.shape[i] != 1 and a.shape[i] != shape[i + lead]:
                raise RuntimeError(
                    f"The expanded size of the tensor ({shape[i + lead]}) must match the "
                    f"existing size ({a.shape[i]}) at non-singleton dimension {i + lead}.  "
                    f"Target sizes: {list(shape)}.  Tensor sizes: {list(a.shape)}")
        ctx.in_shape, ctx.shape = a.shape, shape
        return make_view(x, lambda arr: np.broadcast_to(arr, shape))

    @staticmethod
    def backward(ctx, g):
        return sum_to(g, ctx.in_shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return t.expand(ctx.shape)


# ---------------------------------------------------------------------- copies
class Clone(Function):
    node_name = "CloneBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x):
        return np.array(x._data, order="K")

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def jvp(ctx, t):
        return t


class Contiguous(Clone):
    """``contiguous()`` of a tensor that is not: a row-major copy (torch records a clone)."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.ascontiguousarray(x._data)


class ToCopy(Function):
    """Conversion to another dtype (``.to(float64)``, ``.double()``, ...)."""

    node_name = "ToCopyBackward0"
    builtin = True

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


def contiguous(input, memory_format=None):
    """The tensor itself when its memory is row-major already, else a row-major copy."""
    return input if input.is_contiguous() else Contiguous.apply(input)


def to_dtype(input, np_dtype):
    return ToCopy.apply(input, np.dtype(np_dtype))


# ---------------------------------------------------------------------- functional forms
def view(input, *shape):
    return View.apply(input, _shape_arg(shape))


def view_as(input, other):
    return View.apply(input, tuple(other._data.shape))


def reshape(input, *shape):
    """A view when the memory allows one; else a copy (torch's clone + _unsafe_view)."""
    shape = _infer(_shape_arg(shape), input._data.size)
    try:
        np.reshape(input._data, shape, copy=False)
    except ValueError:
        return UnsafeView.apply(Clone.apply(input), shape)
    return View.apply(input, shape)


def transpose(input, dim0, dim1):
    n = input._data.ndim
    return Transpose.apply(input, wrap_dim(dim0, n), wrap_dim(dim1, n))


swapaxes = swapdims = transpose


def t(input):
    return T.apply(input)


def permute(input, *dims):
    dims = tuple(wrap_dim(d, input._data.ndim) for d in _shape_arg(dims))
    if len(dims) != input._data.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input._data.ndim} is not equal to len(dims) = {len(dims)}")
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def movedim(input, source, destination):
    n = input._data.ndim
    src, dst = wrap_dim(source, n), wrap_dim(destination, n)
    order = [d for d in range(n) if d != src]
    order.insert(dst, src)
    return permute(input, tuple(order))


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


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
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (-1,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    known = int(np.prod([n for n in sizes if n != -1], dtype=np.int64))
    if (-1 not in sizes and known != shape[d]) or (-1 in sizes and (known == 0 or shape[d] % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:])

