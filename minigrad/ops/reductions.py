"""Reductions: sum, mean, prod, max/min (all, or along a dim with indices), amax/amin, norm,
logsumexp, var/std."""
import builtins
from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor, wrap
from .elementwise import maximum, minimum
from .util import as_float, dims_of, scalar, wrap_dim


def _kept_shape(in_shape, dims):
    """The shape with the reduced dims kept as size 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else n for i, n in enumerate(in_shape))


def _expand_back(g, in_shape, dims, keepdim):
    """Undo a reduction for the gradient: put the reduced dims back, then broadcast."""
    if not keepdim:
        g = g.reshape(_kept_shape(in_shape, dims))
    return g.expand(in_shape)


def _reduced(kept, dims, keepdim):
    """A keepdim=True result as the result for ``keepdim``."""
    if keepdim:
        return kept
    return np.asarray(kept.reshape([n for i, n in enumerate(kept.shape) if i not in dims]))


class Sum(Function):
    node_name = "SumBackward0"
    builtin = True

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
    builtin = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        if a.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {x.dtype.scalar_name}")
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.count = int(np.prod([a.shape[d] for d in dims], dtype=np.int64))
        return np.asarray(a.mean(axis=dims, keepdims=keepdim), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / ctx.count, ctx.in_shape, ctx.dims, ctx.keepdim), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return t.mean(ctx.dims, keepdim=ctx.keepdim)


class MeanDim(Mean):
    node_name = "MeanBackward1"


class Prod(Function):
    """Product over ``dims``. d(prod)/dx_i is the product of the others: prod / x_i where no x is
    zero; with one zero in a slice only that zero gets a gradient; with two or more, none does."""

    node_name = "ProdBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        a = x._data
        out = wrap(np.asarray(a.prod(axis=dims, keepdims=keepdim,
                                     dtype=np.int64 if a.dtype.kind in "bui" else None)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def _product_of_others(ctx):
        x, out = ctx.saved_tensors
        if x._data.ndim == 0:  # no others: their product is 1
            return x, wrap(np.ones_like(x._data))
        kept = out if ctx.keepdim else out.reshape(_kept_shape(x._data.shape, ctx.dims))
        zero = x == 0
        if not zero._data.any():
            return x, kept / x
        nonzero_product = x.masked_fill(zero, 1).prod(ctx.dims, keepdim=True)
        zeros_in_slice = zero.sum(ctx.dims, keepdim=True)
        if is_grad_enabled() and x._requires_grad and (zeros_in_slice._data > 1).any():
            raise RuntimeError("minigrad: the derivative of prod's gradient where a slice holds two "
                               "or more zeros is not implemented (torch computes it with cumprod)")
        at_the_zero = nonzero_product.masked_fill(zeros_in_slice != 1, 0)
        return x, (kept / x.masked_fill(zero, 1)).masked_fill(zero, 0) + at_the_zero * zero

    @staticmethod
    def backward(ctx, g):
        x, others = Prod._product_of_others(ctx)
        return _expand_back(g, x._data.shape, ctx.dims, ctx.keepdim) * others, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        _, others = Prod._product_of_others(ctx)
        return (t * others).sum(ctx.dims, keepdim=ctx.keepdim)


class ProdDim(Prod):
    node_name = "ProdBackward1"


class Amax(Function):
    """Largest value over ``dims``; equal maxima share the gradient evenly (torch's rule)."""

    node_name = "AmaxBackward0"
    builtin = True
    np_fn = np.max

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        a = x._data
        if a.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        ctx.dims, ctx.keepdim = dims, keepdim
        out = wrap(_reduced(cls.np_fn(a, axis=dims, keepdims=True), dims, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def _shares(ctx, like):
        """Each element's share of the gradient: 1/k for each of the k extreme values, else 0."""
        x, out = ctx.saved_tensors
        kept = out._data if ctx.keepdim else out._data.reshape(_kept_shape(x._data.shape, ctx.dims))
        hit = x._data == kept
        return x, wrap((hit / hit.sum(axis=ctx.dims, keepdims=True)).astype(like._data.dtype))

    @classmethod
    def backward(cls, ctx, g):
        x, shares = cls._shares(ctx, g)
        return _expand_back(g, x._data.shape, ctx.dims, ctx.keepdim) * shares, None, None

    @classmethod
    def jvp(cls, ctx, t, _d, _k):
        _, shares = cls._shares(ctx, t)
        return (t * shares).sum(ctx.dims, keepdim=ctx.keepdim)


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
    builtin = True
    arg_fn = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        a = x._data
        idx = cls.arg_fn(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        ctx.dim, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        indices = wrap(np.asarray(idx, dtype=np.int64))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return wrap(np.asarray(values)), indices

    @staticmethod
    def _onehot(ctx, like):
        indices, = ctx.saved_tensors
        idx = indices._data if ctx.keepdim else np.expand_dims(indices._data, ctx.dim)
        positions = np.arange(ctx.in_shape[ctx.dim]).reshape(
            [-1 if i == ctx.dim else 1 for i in range(len(ctx.in_shape))])
        return wrap((positions == idx).astype(like._data.dtype))

    @staticmethod
    def backward(ctx, g, _g_indices=None):
        onehot = MaxDim._onehot(ctx, g)
        return _expand_back(g, ctx.in_shape, (ctx.dim,), ctx.keepdim) * onehot, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return (t * MaxDim._onehot(ctx, t)).sum(ctx.dim, keepdim=ctx.keepdim), None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    arg_fn = staticmethod(np.argmin)


class Logsumexp(Function):
    """log(sum(exp(x))) computed stably (subtract the max first)."""

    node_name = "LogsumexpBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = as_float(x._data)
        m = np.max(a, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        kept = np.log(np.sum(np.exp(a - m), axis=dims, keepdims=True)) + m
        out = wrap(_reduced(kept, dims, keepdim))
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
        _, p = Logsumexp._softmax(ctx)
        return (t * p).sum(ctx.dims, keepdim=ctx.keepdim)


class Norm(Function):
    """Vector p-norm over ``dims`` (torch.linalg.vector_norm, what ``x.norm()`` records).

    d||x||_p / dx = x |x|^(p-2) / ||x||^(p-1); where the norm is 0 torch defines it as 0 (the
    formula would give 0/0). p = inf splits the gradient evenly among the largest |x|.
    """

    node_name = "LinalgVectorNormBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        a = np.abs(x._data)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        if p == float("inf"):
            kept = a.max(axis=dims, keepdims=True)
        elif p == float("-inf"):
            kept = a.min(axis=dims, keepdims=True)
        elif p == 0:
            kept = (a != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
        elif p == 1:
            kept = a.sum(axis=dims, keepdims=True)
        elif p == 2:
            kept = np.sqrt((a * a).sum(axis=dims, keepdims=True))
        else:
            kept = (a ** p).sum(axis=dims, keepdims=True) ** (1.0 / p)
        out = wrap(_reduced(np.asarray(kept, dtype=a.dtype), dims, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def _derivative(ctx):
        x, out = ctx.saved_tensors
        norm = out if ctx.keepdim else out.reshape(_kept_shape(x._data.shape, ctx.dims))
        p = ctx.p
        if p == 0:
            return x, x * 0
        if p in (float("inf"), float("-inf")):
            hit = x.abs() == norm
            share = hit.to(x.dtype) / hit.sum(ctx.dims, keepdim=True)
            return x, x.sign() * share
        if p == 1:
            return x, x.sign()
        zero = norm == 0
        scale = norm.masked_fill(zero, 1) ** (p - 1)
        power = x if p == 2 else x * x.abs() ** (p - 2)
        return x, (power / scale).masked_fill(zero, 0)

    @staticmethod
    def backward(ctx, g):
        x, derivative = Norm._derivative(ctx)
        return _expand_back(g, x._data.shape, ctx.dims, ctx.keepdim) * derivative, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        _, derivative = Norm._derivative(ctx)
        return (t * derivative).sum(ctx.dims, keepdim=ctx.keepdim)


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


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return Prod.apply(input, dims_of(None, input._data.ndim), False)
    return ProdDim.apply(input, dims_of(dim, input._data.ndim), keepdim)


def _max_or_min(all_op, dim_op, elementwise, result_type):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):  # max(a, b) is maximum(a, b)
            return elementwise(input, dim)
        if dim is None:
            return all_op.apply(input, dims_of(None, input._data.ndim), False)
        d = wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:
            return result_type(input.clone(), wrap(np.array(0)))
        return result_type(*dim_op.apply(input, d, keepdim))
    return reduce


def _amax_or_amin(op):
    def reduce(input, dim=(), keepdim=False):
        dims = dims_of(None if dim == () or dim is None else dim, input._data.ndim)
        return op.apply(input, dims, keepdim)
    return reduce


def logsumexp(input, dim, keepdim=False):
    return Logsumexp.apply(input, dims_of(dim, input._data.ndim), keepdim)


def _arg(np_fn):
    def arg(input, dim=None, keepdim=False):
        a = input._data
        if dim is None:
            return wrap(np.asarray(np_fn(a), dtype=np.int64))
        d = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            return wrap(np.asarray(0, dtype=np.int64))
        return wrap(np.asarray(np_fn(a, axis=d, keepdims=keepdim), dtype=np.int64))
    arg.__name__ = np_fn.__name__
    return arg


argmax, argmin = _arg(np.argmax), _arg(np.argmin)


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
    """Vector p-norm (2 by default, also 0, 1, inf and -inf) over ``dim`` (all elements by default)."""
    if dtype is not None:
        input = input.to(dtype)
    p = 2 if p in ("fro", None) else builtins.float(scalar(p))
    return Norm.apply(input, p, dims_of(dim, input._data.ndim), keepdim)


max = _max_or_min(MaxAll, MaxDim, maximum, return_types_max)  # noqa: A001
min = _max_or_min(MinAll, MinDim, minimum, return_types_min)  # noqa: A001
amax = _amax_or_amin(Amax)
amin = _amax_or_amin(Amin)
