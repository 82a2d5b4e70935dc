"""Reductions: sum, mean, prod, max/min (all, or along a dim with indices), amax/amin, norm,
logsumexp, var/std."""
import builtins
import warnings
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
        # np.add.reduce, not a.sum(): a numpy warning (inf - inf) then names this module, and
        # minigrad silences its own RuntimeWarnings (torch gives none)
        if a.dtype.kind in "bui":
            return np.asarray(np.add.reduce(a, axis=dims, keepdims=keepdim, dtype=np.int64))
        return np.asarray(np.add.reduce(a, axis=dims, keepdims=keepdim))

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
    """``max()`` of all elements. Its backward shares the gradient among the elements equal to
    the max, or, when the max is nan, among the nan elements (torch's evenly_distribute)."""

    node_name = "MaxBackward1"

    @classmethod
    def backward(cls, ctx, g):
        x, out = ctx.saved_tensors
        picked = np.isnan(x._data) if np.isnan(out._data) else x._data == out._data
        shares = wrap((picked / picked.sum()).astype(g._data.dtype))
        return g * shares, None, None


class MinAll(MaxAll):
    node_name = "MinBackward1"
    np_fn = np.min


def _check_nonempty(name, shape, dims):
    """torch's errors for a max/min over no elements (it has no identity); ``dims`` None when
    no dim was given."""
    if 0 not in shape:
        return
    if dims is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


return_types_max = namedtuple("max", ["values", "indices"])
return_types_min = namedtuple("min", ["values", "indices"])


class MaxDim(Function):
    """``max(dim)``: (values, indices); the gradient goes to the element each index points at."""

    node_name = "MaxBackward0"
    builtin = True
    arg_fn = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        a = np.asarray(x._data)
        ctx.dim, ctx.keepdim, ctx.in_shape = dim, keepdim, a.shape
        lined = a.reshape(a.shape or (1,))  # a 0-d tensor is its own max, at index 0
        idx = cls.arg_fn(lined, axis=dim, keepdims=True)
        values = np.take_along_axis(lined, idx, axis=dim)
        out_shape = _kept_shape(a.shape, (dim,)) if keepdim else a.shape[:dim] + a.shape[dim + 1:]
        # int64 indices get no grad_fn (nor need mark_non_differentiable, whose list a node keeps)
        indices = wrap(idx.reshape(out_shape).astype(np.int64))
        ctx.save_for_backward(indices)
        return wrap(values.reshape(out_shape)), indices

    @staticmethod
    def _onehot(ctx, like):
        indices, = ctx.saved_tensors
        if not ctx.in_shape:
            return wrap(np.ones((), dtype=like._data.dtype))
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
        m = np.max(a, axis=dims, keepdims=True, initial=-np.inf)  # initial: an empty dim has no max
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

    d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1). Where that is 0/0 (the norm is 0) torch
    defines it as 0, with ``masked_fill`` after the division: backward and jvp below follow
    torch's formulas term by term, so that their own derivatives (nan there) are torch's too.
    p = inf splits the gradient evenly among the largest |x| (or the nans); p = 0 has none.
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
    def _kept(ctx, t):
        """``t`` (shaped like the result) with the reduced dims kept."""
        x, _ = ctx.saved_tensors
        return t if ctx.keepdim else t.reshape(_kept_shape(x._data.shape, ctx.dims))

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p, g, norm = ctx.p, Norm._kept(ctx, g), Norm._kept(ctx, out)
        if p == 0:
            return None, None, None, None
        if p == 1:
            grad = x.sign() * g
        elif p == 2:
            grad = g * (x / norm).masked_fill(norm == 0, 0)
        elif p in (float("inf"), float("-inf")):
            largest = (x.abs() == norm) | x.abs().isnan()
            grad = x.sign() * ((g / largest.sum(ctx.dims, keepdim=True)) * largest)
        elif p < 1:
            grad = x.sign() * (x.abs() ** (p - 1)).masked_fill(x == 0, 0) * g * norm ** (1 - p)
        else:
            scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
            grad = scaled * (g / norm ** (p - 1)).masked_fill(norm == 0, 0)
        return grad, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        x, norm = ctx.saved_tensors
        p, dims, keepdim = ctx.p, ctx.dims, ctx.keepdim
        if p == 0:
            return wrap(np.zeros_like(norm._data))
        if p == 1:
            return (x.sign() * t).sum(dims, keepdim=keepdim)
        if p == 2:
            return ((x * t).sum(dims, keepdim=keepdim) / norm).masked_fill(norm == 0, 0)
        if p in (float("inf"), float("-inf")):
            kept = Norm._kept(ctx, norm)
            largest = ((x.abs() == kept) | (x.isnan() & kept.isnan())).to(x.dtype)
            count = largest.sum(dims, keepdim=True)
            return (x.sign() * t * largest / count).sum(dims, keepdim=keepdim)
        if p < 1:
            powered = (x.abs() ** (p - 1)).masked_fill(x == 0, 0) * x.sign()
            return (powered * t).sum(dims, keepdim=keepdim) * norm ** (1 - p)
        powered = x.abs() ** (p - 1) * x.sign() if p < 2 else x.abs() ** (p - 2) * x
        return ((powered * t).sum(dims, keepdim=keepdim) / norm ** (p - 1)).masked_fill(norm == 0, 0)


class Var(Function):
    """Variance over ``dims``: sum((x - mean)^2) / (n - correction), n the number of elements
    each result is reduced from (correction 1, Bessel's, by default).

    The derivative is 2 (x - mean) / (n - correction). torch computes it from ``count``, the
    number of elements in the dims *as given* (see ``_var_or_std`` for where that differs from
    n), or, with no dim given, from the whole tensor (``count`` None).
    """

    node_name = "VarBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, count):
        ctx.dims, ctx.correction, ctx.keepdim, ctx.count = dims, correction, keepdim, count
        ctx.save_for_backward(x)
        return Var._value(np.asarray(x._data), dims, correction, keepdim)

    @staticmethod
    def _value(a, dims, correction, keepdim):
        with np.errstate(invalid="ignore", divide="ignore"):  # no elements: nan, as in torch
            centered = a - a.mean(axis=dims, keepdims=True)
            squares = (centered * centered).sum(axis=dims, keepdims=keepdim)
            n = a.size // squares.size if squares.size else 0
            return np.asarray(squares / builtins.max(n - correction, 0), dtype=a.dtype)

    @staticmethod
    def _grad(ctx, x, g):
        """torch's var_backward: g * 2 (x - mean) / (count - correction)."""
        if ctx.count is None:  # all dims (or a 0-d tensor): torch's formula for the whole tensor
            dof = x._data.size - ctx.correction
            if dof <= 0:  # 2 / 0: inf, and 0 * inf = nan where x is the mean
                a = np.asarray(x._data)
                return g * wrap(np.where(a == a.mean(), np.nan, np.inf).astype(a.dtype))
            return (2.0 / dof) * g * (x - x.mean())
        if not ctx.keepdim:
            g = g.reshape(_kept_shape(x._data.shape, ctx.dims))
        scale = float(np.divide(2.0, ctx.count - ctx.correction))  # inf (not an error) for 2 / 0
        return scale * g * (x - x.mean(ctx.dims, keepdim=True))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return Var._grad(ctx, x, g), None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        x = ctx.saved_tensors[0]
        ones = wrap(np.ones(Var._value(np.asarray(x._data), ctx.dims, 0, ctx.keepdim).shape,
                            dtype=x._data.dtype))
        return (Var._grad(ctx, x, ones) * t).sum(ctx.dims, keepdim=ctx.keepdim)


class Std(Var):
    """Standard deviation: sqrt(var). Its gradient is var's divided by 2 std, and 0 where std is
    0 (a constant input), as in torch."""

    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, count):
        ctx.dims, ctx.correction, ctx.keepdim, ctx.count = dims, correction, keepdim, count
        out = wrap(np.sqrt(Var._value(np.asarray(x._data), dims, correction, keepdim)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g_var = (g / (out * 2)).masked_fill(out == 0, 0)
        return Var._grad(ctx, x, g_var), None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        _, out = ctx.saved_tensors
        return (Var.jvp(ctx, t) / (out * 2)).masked_fill(out == 0, 0)


# ---------------------------------------------------------------------- functional forms
# x.sum() and x.sum(None) are two overloads in torch, with two nodes: SumBackward0 for the first,
# SumBackward1 (the one with dims) as soon as a dim is given, even None. Likewise for mean.
NO_DIM = object()


def _dim_arg(dim, axis):
    """The dims given, as ``dim`` or by numpy's name ``axis``: NO_DIM if neither was."""
    return axis if dim is NO_DIM else dim


def sum(input, dim=NO_DIM, keepdim=False, *, dtype=None, axis=NO_DIM):  # noqa: A001
    if dtype is not None:
        input = input.to(dtype)
    dim = _dim_arg(dim, axis)
    if dim is NO_DIM and not keepdim:
        return Sum.apply(input, dims_of(None, input._data.ndim), False)
    return SumDim.apply(input, dims_of(None if dim is NO_DIM else dim, input._data.ndim), keepdim)


def mean(input, dim=NO_DIM, keepdim=False, *, dtype=None, axis=NO_DIM):
    if dtype is not None:
        input = input.to(dtype)
    dim = _dim_arg(dim, axis)
    if dim is NO_DIM and not keepdim:
        return Mean.apply(input, dims_of(None, input._data.ndim), False)
    return MeanDim.apply(input, dims_of(None if dim is NO_DIM else dim, input._data.ndim), keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return Prod.apply(input, dims_of(None, input._data.ndim), False)
    return ProdDim.apply(input, dims_of(dim, input._data.ndim), keepdim)


def _no_dim(dim):
    """Whether a ``dim`` argument names no dim (None, or an empty list): the reduction is over
    all of them."""
    return dim is None or (not isinstance(dim, (int, np.integer)) and len(dim) == 0)


def _max_or_min(all_op, dim_op, elementwise, result_type):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):  # max(a, b) is maximum(a, b)
            return elementwise(input, dim)
        shape = input._data.shape
        if dim is None:
            _check_nonempty(result_type.__name__, shape, None)
            return all_op.apply(input, dims_of(None, len(shape)), False)
        d = wrap_dim(dim, len(shape))
        _check_nonempty(result_type.__name__, shape, (d,) if shape else ())
        return result_type(*dim_op.apply(input, d, keepdim))
    return reduce


def _amax_or_amin(op, name):
    def reduce(input, dim=(), keepdim=False):
        dims = dims_of(dim, input._data.ndim)
        _check_nonempty(name, input._data.shape, None if _no_dim(dim) else dims)
        return op.apply(input, dims, keepdim)
    reduce.__name__ = name
    return reduce


def logsumexp(input, dim, keepdim=False):
    ndim = input._data.ndim
    if dim is not None and _no_dim(dim) and ndim and not keepdim:  # torch's error for dim=()
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * ndim}")
    return Logsumexp.apply(input, dims_of(dim, ndim), keepdim)


def _arg(np_fn):
    def arg(input, dim=None, keepdim=False):
        a = input._data
        if dim is None:
            if a.size == 0:
                raise IndexError(f"{arg.__name__}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            index = np.asarray(np_fn(a), dtype=np.int64)
            return wrap(index.reshape((1,) * a.ndim) if keepdim else index)
        d = wrap_dim(dim, a.ndim)
        _check_nonempty(arg.__name__, a.shape, (d,) if a.ndim else ())
        if a.ndim == 0:
            return wrap(np.asarray(0, dtype=np.int64))
        return wrap(np.asarray(np_fn(a, axis=d, keepdims=keepdim), dtype=np.int64))
    arg.__name__ = np_fn.__name__
    return arg


argmax, argmin = _arg(np.argmax), _arg(np.argmin)


def _var_or_std(op, name):
    """var or std: Bessel's correction by default (``unbiased=False`` or ``correction=`` for
    others), and torch's warning when no degree of freedom is left."""
    def reduce(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):  # var(False): torch's var(unbiased) form
            dim, unbiased = None, dim
        if input._data.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        shape = input._data.shape
        dims = dims_of(dim, len(shape))
        out_size = int(np.prod([1 if i in dims else n for i, n in enumerate(shape)], dtype=np.int64))
        if (input._data.size // out_size if out_size else 0) - correction <= 0:
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                          "than the reduction factor (input numel divided by output numel).",
                          stacklevel=2)
        if dim is None or not shape:
            count = None
        elif _no_dim(dim):  # torch's backward counts the elements of no dims: 1 (gradient inf)
            count = 1
        else:
            count = int(np.prod([shape[d] for d in dims], dtype=np.int64))
        return op.apply(input, dims, correction, keepdim, count)
    reduce.__name__ = name
    return reduce


var = _var_or_std(Var, "var")
std = _var_or_std(Std, "std")


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm (2 by default, also 0, 1, inf and -inf) over ``dim`` (all elements by default)."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.scalar_name}")
    if dtype is not None:
        input = input.to(dtype)
    p = 2 if p in ("fro", None) else builtins.float(scalar(p))
    dims = dims_of(dim, input._data.ndim)
    if (p < 0 or p == float("inf")) and input._data.size == 0:
        _no_identity(p, input._data.shape, None if _no_dim(dim) else dims)
    return Norm.apply(input, p, dims, keepdim)


def _no_identity(p, shape, dims):
    """torch's error for a norm over no elements where p < 0 or p = inf (no identity value)."""
    if dims is None:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty tensor "
                           "because the operation does not have an identity")
    for d in dims:
        if shape[d] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on the dimension "
                               f"{d}because this dimension is empty and the operation does not have "
                               "an identity")


max = _max_or_min(MaxAll, MaxDim, maximum, return_types_max)  # noqa: A001
min = _max_or_min(MinAll, MinDim, minimum, return_types_min)  # noqa: A001
amax = _amax_or_amin(Amax, "amax")
amin = _amax_or_amin(Amin, "amin")
