"""Reductions: sum, mean, max/min (all, or along a dim with indices), amax/amin, logsumexp."""
import builtins
from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import dims_of, scalar


def _kept_shape(in_shape, dims):
    """The shape with the reduced dims kept as size 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else n for i, n in enumerate(in_shape))


def _expand_back(g, in_shape, dims, keepdim):
    """Undo a reduction for the gradient: put the reduced dims back, then broadcast."""
    if not keepdim:
        g = g.reshape(_kept_shape(in_shape, dims))
    return g.expand(in_shape)


class Sum(Function):
    node_name = "SumBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        if a.dtype.kind in "bui":
            return np.asarray(a.sum(axis=dims, keepdims=keepdim, dtype=np.int64))
        return np.asarray(a.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.in_shape, ctx.dims, ctx.keepdim), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return t.sum(ctx.dims, keepdim=ctx.keepdim)


class SumDim(Sum):
    node_name = "SumBackward1"


class Mean(Function):
    node_name = "MeanBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        if a.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {x.dtype.name.capitalize().replace('Int64', 'Long')}")
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.count = int(np.prod([a.shape[d] for d in dims], dtype=np.int64))
        return np.asarray(a.mean(axis=dims, keepdims=keepdim), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / ctx.count, ctx.in_shape, ctx.dims, ctx.keepdim), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return t.mean(ctx.dims, keepdim=ctx.keepdim)


class Amax(Function):
    """Largest value over ``dims``; equal maxima share the gradient evenly (torch's rule)."""

    node_name = "AmaxBackward0"
    numpy_forward = True
    np_fn = np.max

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        a = x._data
        if a.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        kept = cls.np_fn(a, axis=dims, keepdims=True)
        hit = a == kept
        ctx.weights = hit / hit.sum(axis=dims, keepdims=True)
        ctx.dims, ctx.keepdim = dims, keepdim
        return kept if keepdim else np.asarray(kept.reshape([n for i, n in enumerate(a.shape) if i not in dims]))

    @staticmethod
    def _weights(ctx, like):
        return _wrap(ctx.weights.astype(like._data.dtype))

    @classmethod
    def backward(cls, ctx, g):
        w = cls._weights(ctx, g)
        return _expand_back(g, w._data.shape, ctx.dims, ctx.keepdim) * w, None, None

    @classmethod
    def jvp(cls, ctx, t, _d, _k):
        return (t * cls._weights(ctx, t)).sum(ctx.dims, keepdim=ctx.keepdim)


class Amin(Amax):
    node_name = "AminBackward0"
    np_fn = np.min


class MaxAll(Amax):
    node_name = "MaxBackward1"


class MinAll(Amin):
    node_name = "MinBackward1"


return_types_max = namedtuple("max", ["values", "indices"])
return_types_min = namedtuple("min", ["values", "indices"])


class MaxDim(Function):
    """``max(dim)``: (values, indices); the gradient goes to the element each index points at."""

    node_name = "MaxBackward0"
    numpy_forward = True
    arg_fn = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        a = x._data
        idx = cls.arg_fn(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        ctx.onehot = np.arange(a.shape[dim]).reshape(
            [-1 if i == dim else 1 for i in range(a.ndim)]) == idx
        ctx.dim, ctx.keepdim = dim, keepdim
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        indices = _wrap(np.asarray(idx, dtype=np.int64))
        ctx.mark_non_differentiable(indices)
        return _wrap(np.asarray(values)), indices

    @staticmethod
    def backward(ctx, g, _g_indices=None):
        onehot = _wrap(ctx.onehot.astype(g._data.dtype))
        return _expand_back(g, onehot._data.shape, (ctx.dim,), ctx.keepdim) * onehot, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        onehot = _wrap(ctx.onehot.astype(t._data.dtype))
        return (t * onehot).sum(ctx.dim, keepdim=ctx.keepdim), None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    arg_fn = staticmethod(np.argmin)


class Logsumexp(Function):
    """log(sum(exp(x))) computed stably (subtract the max first)."""

    node_name = "LogsumexpBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data if x._data.dtype.kind == "f" else x._data.astype(np.float32)
        m = np.max(a, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        kept = np.log(np.sum(np.exp(a - m), axis=dims, keepdims=True)) + m
        out = _wrap(kept if keepdim else kept.reshape([n for i, n in enumerate(a.shape) if i not in dims]))
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def _softmax(ctx):
        x, out = ctx.saved_tensors
        kept = out if ctx.keepdim else out.reshape(_kept_shape(x._data.shape, ctx.dims))
        return x, (x - kept).exp()

    @staticmethod
    def backward(ctx, g):
        x, p = Logsumexp._softmax(ctx)
        return _expand_back(g, x._data.shape, ctx.dims, ctx.keepdim) * p, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        x, p = Logsumexp._softmax(ctx)
        return (t * p).sum(ctx.dims, keepdim=ctx.keepdim)


# ---------------------------------------------------------------------- functional forms
def _dim_arg(dim, axis):
    return axis if dim is None else dim


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):  # noqa: A001
    if dtype is not None:
        input = input.to(dtype)
    dim = _dim_arg(dim, axis)
    if dim is None:
        return Sum.apply(input, dims_of(None, input._data.ndim), False)
    return SumDim.apply(input, dims_of(dim, input._data.ndim), keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    if dtype is not None:
        input = input.to(dtype)
    dim = _dim_arg(dim, axis)
    if dim is None:
        return Mean.apply(input, dims_of(None, input._data.ndim), False)
    return MeanDim.apply(input, dims_of(dim, input._data.ndim), keepdim)


class MeanDim(Mean):
    node_name = "MeanBackward1"


def _max_or_min(all_op, dim_op, elementwise, result_type):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):  # max(a, b) is maximum(a, b)
            return elementwise(input, dim)
        if dim is None:
            return all_op.apply(input, dims_of(None, input._data.ndim), False)
        d = dims_of(dim, input._data.ndim)[0] if input._data.ndim else 0
        if input._data.ndim == 0:
            return result_type(input.clone(), _wrap(np.array(0)))
        return result_type(*dim_op.apply(input, d, keepdim))
    return reduce


def _amax_or_amin(op):
    def reduce(input, dim=(), keepdim=False):
        dims = dims_of(None if dim == () or dim is None else dim, input._data.ndim)
        return op.apply(input, dims, keepdim)
    return reduce


def logsumexp(input, dim, keepdim=False):
    return Logsumexp.apply(input, dims_of(dim, input._data.ndim), keepdim)


def argmax(input, dim=None, keepdim=False):
    a = input._data
    if dim is None:
        return _wrap(np.asarray(np.argmax(a), dtype=np.int64))
    return _wrap(np.asarray(np.argmax(a, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmin(input, dim=None, keepdim=False):
    a = input._data
    if dim is None:
        return _wrap(np.asarray(np.argmin(a), dtype=np.int64))
    return _wrap(np.asarray(np.argmin(a, axis=dim, keepdims=keepdim), dtype=np.int64))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction by default (as torch)."""
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims = dims_of(dim, input._data.ndim)
    n = int(np.prod([input._data.shape[d] for d in dims], dtype=np.int64))
    centered = input - input.mean(dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=keepdim) / builtins.max(n - correction, 0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm (2 by default, also inf and -inf) over ``dim`` (all elements by default)."""
    if p in ("fro", None):
        p = 2
    p = scalar(p)
    dims = dims_of(dim, input._data.ndim)
    if p == float("inf"):
        return input.abs().amax(dims, keepdim=keepdim)
    if p == float("-inf"):
        return input.abs().amin(dims, keepdim=keepdim)
    if p == 2:
        return (input * input).sum(dims, keepdim=keepdim).sqrt()
    if p == 1:
        return input.abs().sum(dims, keepdim=keepdim)
    if p == 0:
        return (input != 0).to(input.dtype).sum(dims, keepdim=keepdim)
    return (input.abs() ** p).sum(dims, keepdim=keepdim) ** (1.0 / p)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product, as exp(sum(log|x|)) with the sign restored: fine for nonzero inputs."""
    if dim is None:
        return _wrap(np.asarray(np.prod(input._data))) if not input._requires_grad else \
            _prod_grad(input, None, False)
    return _prod_grad(input, dim, keepdim)


def _prod_grad(input, dim, keepdim):
    # a simple differentiable form: multiply slices one after another
    x = input.reshape(-1) if dim is None else input.movedim(dim, 0)
    out = x[0]
    for i in range(1, x.shape[0]):
        out = out * x[i]
    if dim is not None and keepdim:
        out = out.unsqueeze(dim)
    return out


from .elementwise import maximum as _maximum, minimum as _minimum  # noqa: E402

max = _max_or_min(MaxAll, MaxDim, _maximum, return_types_max)  # noqa: A001
min = _max_or_min(MinAll, MinDim, _minimum, return_types_min)  # noqa: A001
amax = _amax_or_amin(Amax)
amin = _amax_or_amin(Amin)
