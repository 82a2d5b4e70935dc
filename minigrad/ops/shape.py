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
from .util import distinct_dims, sum_to, wrap_dim


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
        if x._data.ndim == 0:  # transpose(0, 0) of a 0-d tensor: itself, as a view
            return make_view(x, lambda a: a.view())
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


def _expanded_shape(x, sizes):
    """The shape ``x.expand(*sizes)`` gives, checked as torch checks it: dim by dim from the last;
    -1 keeps a dim's size, and a size-1 dim can take any size."""
    in_shape = x._data.shape
    if len(sizes) < len(in_shape):
        raise RuntimeError(f"expand({x.type()}{{{list(in_shape)}}}, size=[{', '.join(map(str, sizes))}]): "
                           "the number of sizes provided (%d) must be greater or equal to the "
                           "number of dimensions in the tensor (%d)" % (len(sizes), len(in_shape)))
    lead = len(sizes) - len(in_shape)
    shape = list(sizes)
    checked = range(len(sizes)) if in_shape else ()  # torch takes a 0-d tensor's sizes as they are
    for i in reversed(checked):
        size = in_shape[i - lead] if i >= lead else 1
        if sizes[i] == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            shape[i] = size
        elif size != sizes[i] and size != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[i]}) must match the existing size ({size}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(in_shape)}")
    if any(n < 0 for n in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    return tuple(shape)


class Expand(Function):
    """``x.expand(shape)``: size-1 dims repeated without copying (a read-only view)."""

    node_name = "ExpandBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, sizes):
        a = x._storage()
        shape = _expanded_shape(x, sizes)
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
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = tuple(wrap_dim(d, input._data.ndim) for d in _shape_arg(dims))
    if len(dims) != input._data.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input._data.ndim} is not equal to len(dims) = {len(dims)}")
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def movedim(input, source, destination):
    """Move the dims ``source`` (an int or a list) to the places ``destination``; the other dims
    keep their order."""
    if isinstance(source, int) != isinstance(destination, int):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}), but expected "
                        f"(int source, int destination) or (tuple of ints source, tuple of ints "
                        f"destination)")
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should "
                           f"contain the same number of dims as destination ({dst} dims)")
    n = input._data.ndim
    wrapped_src, wrapped_dst = [wrap_dim(d, n) for d in src], [wrap_dim(d, n) for d in dst]
    for name, dims, wrapped in (("source", src, wrapped_src), ("destination", dst, wrapped_dst)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    if n == 0:
        return Alias.apply(input)
    moved = dict(zip(wrapped_dst, wrapped_src))  # destination -> source
    rest = iter(d for d in range(n) if d not in wrapped_src)
    return permute(input, tuple(moved[i] if i in moved else next(rest) for i in range(n)))


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


def squeeze(input, dim=None):
    if dim is None:
        return Squeeze.apply(input, tuple(range(input._data.ndim)))
    if isinstance(dim, (tuple, list)):
        return SqueezeDims.apply(input, distinct_dims(dim, input._data.ndim))
    return SqueezeDim.apply(input, distinct_dims((dim,), input._data.ndim))


def expand(input, *sizes):
    return Expand.apply(input, _shape_arg(sizes))


def expand_as(input, other):
    return Expand.apply(input, tuple(other._data.shape))


def broadcast_to(input, size):
    return Expand.apply(input, tuple(size))


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if not shape:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (-1,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into dims of the ``sizes`` (one of them may be -1: what is left)."""
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    if not shape:  # torch's wrapper around its own error
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {d} but "
                           "tensor has no dimensions")
    known = int(np.prod([n for n in sizes if n != -1], dtype=np.int64))
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
    if -1 in sizes and shape[d] == 0 == known:
        raise RuntimeError(f"unflatten got an unexpected error:\ncannot reshape tensor of 0 elements "
                           f"into shape {list(sizes)} because the unspecified dimension size -1 can "
                           "be any value and is ambiguous")
    if (-1 not in sizes and known != shape[d]) or (-1 in sizes and (known == 0 or shape[d] % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:])
