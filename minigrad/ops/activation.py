"""softmax and log_softmax along a dimension, each one op with its own backward."""
import numpy as np

from ..autograd.function import Function
from ..tensor import wrap
from .util import wrap_dim


def _shifted(x, dim, name):
    """x - max(x): the same softmax, without overflow in exp. torch has no integer kernel."""
    a = x._data
    if a.dtype.kind != "f":
        kernel = "lastdim_kernel_impl" if dim == max(a.ndim, 1) - 1 else "kernel_impl"
        raise NotImplementedError(f'"{name}_{kernel}" not implemented for \'{x.dtype.scalar_name}\'')
    m = np.max(a, axis=dim, keepdims=True, initial=-np.inf)  # initial: an empty dim has no max
    return a - np.where(np.isfinite(m), m, 0)


def _is_empty_integer(x):
    """torch runs no kernel on an empty tensor, so it returns one of any dtype as it is."""
    return x._data.size == 0 and x._data.dtype.kind != "f"


class Softmax(Function):
    node_name = "SoftmaxBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, dim):
        if _is_empty_integer(x):
            return np.array(x._data)
        e = np.exp(_shifted(x, dim, "softmax"))
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
        if _is_empty_integer(x):
            return np.array(x._data)
        z = _shifted(x, dim, "log_softmax")
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
    return wrap_dim(dim, input._data.ndim)


def softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, _dim(input, dim))


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, _dim(input, dim))
