"""Elementwise functions: exp, log, trigonometry, activations, clamp, maximum, where, comparisons."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import as_float, broadcast_error, operands, result_dtype, scalar, sum_to


def _mask(x, arr):
    """A constant tensor (0/1 in x's dtype) from a boolean numpy array: gradients use it as a gate."""
    return _wrap(arr.astype(x._data.dtype if x._data.dtype.kind == "f" else np.float32))


class _Unary(Function):
    """Shared shape of the ops below: ``out = f(x)``; backward ``g * f'(x)``; jvp ``t * f'(x)``.

    Subclasses give ``np_fn`` and ``derivative(x, out)`` written in minigrad ops.
    """

    numpy_forward = True
    np_fn = None

    @classmethod
    def forward(cls, ctx, x):
        out = _wrap(cls.np_fn(as_float(x._data)))
        ctx.save_for_backward(x, out)
        return out

    @classmethod
    def backward(cls, ctx, g):
        x, out = ctx.saved_tensors
        return g * cls.derivative(x, out)

    @classmethod
    def jvp(cls, ctx, t):
        x, out = ctx.saved_tensors
        return t * cls.derivative(x, out)


class Exp(_Unary):
    node_name, np_fn = "ExpBackward0", np.exp

    @staticmethod
    def derivative(x, out):
        return out


class Log(_Unary):
    node_name, np_fn = "LogBackward0", np.log

    @staticmethod
    def derivative(x, out):
        return x.reciprocal()


class Log1p(_Unary):
    node_name, np_fn = "Log1PBackward0", np.log1p

    @staticmethod
    def derivative(x, out):
        return (x + 1).reciprocal()


class Sin(_Unary):
    node_name, np_fn = "SinBackward0", np.sin

    @staticmethod
    def derivative(x, out):
        return x.cos()


class Cos(_Unary):
    node_name, np_fn = "CosBackward0", np.cos

    @staticmethod
    def derivative(x, out):
        return -x.sin()


class Tan(_Unary):
    node_name, np_fn = "TanBackward0", np.tan

    @staticmethod
    def derivative(x, out):
        return out * out + 1


class Tanh(_Unary):
    node_name, np_fn = "TanhBackward0", np.tanh

    @staticmethod
    def derivative(x, out):
        return 1 - out * out


def _sigmoid(a):
    # stable for large |a|: exp never overflows
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class Sigmoid(_Unary):
    node_name, np_fn = "SigmoidBackward0", staticmethod(_sigmoid)

    @staticmethod
    def derivative(x, out):
        return out * (1 - out)


class Sqrt(_Unary):
    node_name, np_fn = "SqrtBackward0", np.sqrt

    @staticmethod
    def derivative(x, out):
        return 0.5 / out


class Rsqrt(_Unary):
    node_name, np_fn = "RsqrtBackward0", staticmethod(lambda a: 1 / np.sqrt(a))

    @staticmethod
    def derivative(x, out):
        return -0.5 * out * out * out


class Abs(_Unary):
    node_name, np_fn = "AbsBackward0", np.abs

    @classmethod
    def forward(cls, ctx, x):  # abs keeps integer dtypes
        out = _wrap(np.abs(x._data))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def derivative(x, out):
        return _mask(x, np.sign(x._data))


class Relu(_Unary):
    node_name = "ReluBackward0"

    @classmethod
    def forward(cls, ctx, x):
        out = _wrap(np.maximum(x._data, 0).astype(x._data.dtype, copy=False))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def derivative(x, out):
        return _mask(x, out._data > 0)


class Sign(_Unary):
    node_name = "SignBackward0"

    @classmethod
    def forward(cls, ctx, x):
        out = _wrap(np.sign(x._data))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def derivative(x, out):
        return x * 0


class Clamp(Function):
    """``clamp(x, min, max)`` with number bounds: the gradient passes where min <= x <= max."""

    node_name = "ClampBackward1"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        a = x._data
        out = a
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        keep = np.ones(a.shape, dtype=bool)
        if lo is not None:
            keep &= a >= lo
        if hi is not None:
            keep &= a <= hi
        ctx.keep = keep
        dt = result_dtype(x, scalar(lo if lo is not None else hi))
        return np.asarray(out, dtype=dt)

    @staticmethod
    def backward(ctx, g):
        return g * _mask(g, ctx.keep), None, None

    @staticmethod
    def jvp(ctx, t, _lo, _hi):
        return t * _mask(t, ctx.keep)


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class Maximum(Function):
    """Elementwise max of two tensors; ties share the gradient equally, as in torch."""

    node_name = "MaximumBackward0"
    numpy_forward = True
    np_fn = np.maximum

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        try:
            out = cls.np_fn(x, y)
        except ValueError as e:
            raise (broadcast_error(np.shape(x), np.shape(y)) or RuntimeError(str(e))) from None
        pick_a = np.where(x == y, 0.5, (out == x).astype(np.float64))
        ctx.shapes = (x.shape, y.shape)
        ctx.weight_a = _wrap(pick_a.astype(out.dtype if out.dtype.kind == "f" else np.float32))
        return out

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        w = ctx.weight_a
        need = ctx.needs_input_grad
        return (sum_to(g * w, sa) if need[0] else None,
                sum_to(g * (1 - w), sb) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        w = ctx.weight_a
        return ta * w + tb * (1 - w)


class Minimum(Maximum):
    node_name = "MinimumBackward0"
    np_fn = np.minimum


class Where(Function):
    """``where(cond, a, b)``: the gradient goes to ``a`` where cond holds, else to ``b``."""

    node_name = "WhereBackward0"
    numpy_forward = True
    counts_numbers = 3

    @staticmethod
    def forward(ctx, cond, a, b):
        if isinstance(a, Tensor):
            x, y = operands(a, b)
        else:
            y, x = operands(b, a)
        ctx.cond = cond
        ctx.shapes = (np.shape(x), np.shape(y))
        try:
            return np.where(cond, x, y)
        except ValueError as e:
            raise (broadcast_error(np.shape(x), np.shape(y)) or RuntimeError(str(e))) from None

    @staticmethod
    def backward(ctx, g):
        keep = _mask(g, np.broadcast_to(ctx.cond, g._data.shape))
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return (None,
                sum_to(g * keep, sa) if need[1] else None,
                sum_to(g * (1 - keep), sb) if need[2] else None)

    @staticmethod
    def jvp(ctx, _, ta, tb):
        keep = ctx.cond
        ta = ta if ta is not None else 0.0
        tb = tb if tb is not None else 0.0
        return where(_wrap(np.asarray(keep)), ta, tb)


# ---------------------------------------------------------------------- functional forms
def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)


def log1p(input):
    return Log1p.apply(input)


def sin(input):
    return Sin.apply(input)


def cos(input):
    return Cos.apply(input)


def tan(input):
    return Tan.apply(input)


def tanh(input):
    return Tanh.apply(input)


def sigmoid(input):
    return Sigmoid.apply(input)


def relu(input):
    return Relu.apply(input)


def sqrt(input):
    return Sqrt.apply(input)


def rsqrt(input):
    return Rsqrt.apply(input)


def abs(input):  # noqa: A001 - torch's name
    return Abs.apply(input)


absolute = abs


def sign(input):
    return Sign.apply(input)


def clamp(input, min=None, max=None):  # noqa: A002 - torch's names
    """Limit values to [min, max]; tensor bounds go through maximum/minimum."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min if isinstance(min, Tensor) else _wrap(np.asarray(min, input._data.dtype)))
        if max is not None:
            out = minimum(out, max if isinstance(max, Tensor) else _wrap(np.asarray(max, input._data.dtype)))
        return out
    return Clamp.apply(input, scalar(min), scalar(max))


clip = clamp


def clamp_min(input, min):  # noqa: A002
    return ClampMin.apply(input, scalar(min), None)


def clamp_max(input, max):  # noqa: A002
    return ClampMax.apply(input, None, scalar(max))


def maximum(input, other):
    return Maximum.apply(input, other)


def minimum(input, other):
    return Minimum.apply(input, other)


def where(condition, input=None, other=None):
    """``where(cond, a, b)`` picks elementwise; ``where(cond)`` gives the indices where cond holds."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.name.capitalize()}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _wrap(np.asarray(input, dtype=np.float32 if isinstance(input, float) else None))
    return Where.apply(cond, scalar(input), scalar(other))


# comparisons and logic: bool results, not differentiable
def _compare(np_fn):
    def compare(input, other):
        if not isinstance(input, Tensor):
            input, other = _wrap(np.asarray(input)), other
        x, y = operands(input, scalar(other)) if not isinstance(other, Tensor) else operands(input, other)
        try:
            return _wrap(np.asarray(np_fn(x, y)))
        except ValueError as e:
            raise (broadcast_error(np.shape(x), np.shape(y)) or RuntimeError(str(e))) from None
    compare.__name__ = np_fn.__name__
    return compare


eq, ne, lt, le, gt, ge = (_compare(f) for f in (np.equal, np.not_equal, np.less, np.less_equal,
                                                  np.greater, np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and, logical_or, logical_xor = (_compare(f) for f in (np.logical_and, np.logical_or,
                                                             np.logical_xor))
bitwise_and, bitwise_or = _compare(np.bitwise_and), _compare(np.bitwise_or)
floor_divide, remainder, fmod = _compare(np.floor_divide), _compare(np.remainder), _compare(np.fmod)


def logical_not(input):
    return _wrap(np.logical_not(input._data))


def bitwise_not(input):
    return _wrap(np.invert(input._data))


def _rounding(np_fn):
    def op(input):
        return _wrap(np_fn(input._data))
    op.__name__ = np_fn.__name__
    return op


floor, ceil, trunc, round = (_rounding(f) for f in (np.floor, np.ceil, np.trunc, np.round))  # noqa: A001


def isnan(input):
    return _wrap(np.isnan(input._data))


def isinf(input):
    return _wrap(np.isinf(input._data))


def isfinite(input):
    return _wrap(np.isfinite(input._data))


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
