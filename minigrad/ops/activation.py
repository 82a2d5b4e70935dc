"""softmax and log_softmax along a dimension, each one op with its own backward."""
import numpy as np

from ..autograd.function import Function
from ..tensor import wrap
from .util import as_float, dims_of


def _shifted(a, dim):
    """x - max(x): the same softmax, without overflow in exp."""
    m = np.max(a, axis=dim, keepdims=True)
    return a - np.where(np.isfinite(m), m, 0)


class Softmax(Function):
    node_name = "SoftmaxBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(_shifted(as_float(x._data), dim))
        out = wrap(e / e.sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        s, = ctx.saved_tensors
        # J^T g without building J: s * (g - <g, s>)
        return s * (g - (g * s).sum(ctx.dim, keepdim=True)), None

    @staticmethod
    def jvp(ctx, t, _):
        s, = ctx.saved_tensors
        return s * (t - (t * s).sum(ctx.dim, keepdim=True))


class LogSoftmax(Function):
    node_name = "LogSoftmaxBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim):
        z = _shifted(as_float(x._data), dim)
        out = wrap(z - np.log(np.exp(z).sum(axis=dim, keepdims=True)))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        ls, = ctx.saved_tensors
        return g - ls.exp() * g.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def jvp(ctx, t, _):
        ls, = ctx.saved_tensors
        return t - (ls.exp() * t).sum(ctx.dim, keepdim=True)


def _dim(input, dim):
    if dim is None:  # torch's legacy default for softmax without dim
        dim = 0 if input._data.ndim in (0, 1, 3) else 1
    return dims_of(dim, input._data.ndim)[0] if input._data.ndim else 0


def softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, _dim(input, dim))


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, _dim(input, dim))
