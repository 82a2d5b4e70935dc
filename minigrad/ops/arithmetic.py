"""Arithmetic: + - * / ** and unary minus, with Python numbers on either side.

Each op: ``forward`` on numpy arrays, ``backward`` in minigrad ops (so it can be differentiated
again), ``jvp`` for forward mode. ``sum_to`` hands each input the part of a broadcast gradient
that belongs to its shape.
"""
import operator

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import as_float, broadcast_error, operands, scalar, sum_to


def _shape(x):
    return x._data.shape if isinstance(x, Tensor) else None


def _binary(fn, a, b):
    """Apply ``fn`` after torch's type promotion; torch's error for bad broadcasts.

    ``fn`` is a Python operator (``operator.mul``...) rather than the numpy ufunc: on numpy scalars
    (0-d results) the operator takes numpy's fast scalar path, ten times quicker than the ufunc.
    """
    x, y = operands(a, b)
    try:
        return fn(x, y)
    except ValueError as e:
        raise (broadcast_error(np.shape(x), np.shape(y)) or RuntimeError(str(e))) from None


class Add(Function):
    """``a + alpha * b``."""

    node_name = "AddBackward0"
    numpy_forward = True
    counts_numbers = 2
    sign = 1

    @classmethod
    def forward(cls, ctx, a, b, alpha=1):
        ctx.shapes, ctx.alpha = (a._data.shape, _shape(b)), alpha * cls.sign
        if alpha != 1 and isinstance(b, Tensor):
            x, y = operands(a, b)
            return x + y * ctx.alpha if cls.sign == 1 else x - y * alpha
        return _binary(operator.add if cls.sign == 1 else operator.sub, a, b * alpha if alpha != 1 else b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        grads = (sum_to(g, sa) if need[0] else None,
                 sum_to(g * ctx.alpha if ctx.alpha != 1 else g, sb) if need[1] else None)
        return grads if len(need) == 2 else grads + (None,)  # (a, b) or (a, b, alpha)

    @staticmethod
    def jvp(ctx, ta, tb, _=None):
        if tb is None:
            return ta
        return ta + (tb * ctx.alpha if ctx.alpha != 1 else tb)


class Sub(Add):
    """``a - alpha * b``."""

    node_name = "SubBackward0"
    sign = -1


class Rsub(Function):
    """``number - tensor``."""

    node_name = "RsubBackward1"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, number):
        number = scalar(number)
        return _binary(lambda a, b: b - a, x, number)

    @staticmethod
    def backward(ctx, g):
        return -g, None

    @staticmethod
    def jvp(ctx, t, _):
        return -t


class Mul(Function):
    node_name = "MulBackward0"
    numpy_forward = True
    counts_numbers = 2

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b if isinstance(b, Tensor) else None)
        ctx.other = b
        return _binary(operator.mul, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if b is None:  # tensor * number
            return g * ctx.other, None
        return (sum_to(g * b, a._data.shape) if need[0] else None,
                sum_to(g * a, b._data.shape) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        if b is None:
            return ta * ctx.other
        return ta * b + a * tb


class Div(Function):
    node_name = "DivBackward0"
    numpy_forward = True
    counts_numbers = 2

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b if isinstance(b, Tensor) else None)
        ctx.other = b
        x, y = operands(a, b)
        if x.dtype.kind != "f":  # true division of integers gives the default float dtype
            x, y = as_float(x), as_float(np.asarray(y))
        try:
            return x / y
        except ValueError as e:
            raise (broadcast_error(np.shape(x), np.shape(y)) or RuntimeError(str(e))) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if b is None:
            return g / ctx.other, None
        return (sum_to(g / b, a._data.shape) if need[0] else None,
                sum_to(-g * a / (b * b), b._data.shape) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        if b is None:
            return ta / ctx.other
        return ta / b - a * tb / (b * b)


class Neg(Function):
    node_name = "NegBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return np.negative(x._data)

    @staticmethod
    def backward(ctx, g):
        return -g

    @staticmethod
    def jvp(ctx, t):
        return -t


class Reciprocal(Function):
    node_name = "ReciprocalBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x):
        out = _wrap(np.reciprocal(as_float(x._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return -g * out * out

    @staticmethod
    def jvp(ctx, t):
        out, = ctx.saved_tensors
        return -t * out * out


class Pow(Function):
    """``tensor ** number``."""

    node_name = "PowBackward0"
    numpy_forward = True

    @staticmethod
    def forward(ctx, x, exponent):
        exponent = scalar(exponent)
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return _binary(operator.pow, x, exponent)

    @staticmethod
    def _derivative(ctx):
        x, = ctx.saved_tensors
        c = ctx.exponent
        if c == 0:
            return x * 0
        return x ** (c - 1) * c

    @staticmethod
    def backward(ctx, g):
        return g * Pow._derivative(ctx), None

    @staticmethod
    def jvp(ctx, t, _):
        return t * Pow._derivative(ctx)


class PowTensor(Function):
    """``tensor ** tensor``."""

    node_name = "PowBackward1"
    numpy_forward = True

    @staticmethod
    def forward(ctx, a, b):
        out = _wrap(_binary(operator.pow, a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def _partials(ctx):
        a, b, out = ctx.saved_tensors
        da = b * a ** (b - 1)
        # d/db a**b = a**b * log(a); torch defines it as 0 where a == 0 and b >= 0
        zero = (a == 0) & (b >= 0)
        db = where(zero, 0.0, out * a.log()) if zero._data.any() else out * a.log()
        return a, b, da, db

    @staticmethod
    def backward(ctx, g):
        a, b, da, db = PowTensor._partials(ctx)
        need = ctx.needs_input_grad
        return (sum_to(g * da, a._data.shape) if need[0] else None,
                sum_to(g * db, b._data.shape) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b, da, db = PowTensor._partials(ctx)
        return ta * da + tb * db


class RPow(Function):
    """``number ** tensor``."""

    node_name = "PowBackward2"
    numpy_forward = True

    @staticmethod
    def forward(ctx, base, x):
        base = scalar(base)
        out = _wrap(_binary(lambda e, b: b ** e, x, base))
        ctx.save_for_backward(out)
        ctx.log_base = float(np.log(base)) if base > 0 else (-np.inf if base == 0 else np.nan)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return None, g * out * ctx.log_base

    @staticmethod
    def jvp(ctx, _, t):
        out, = ctx.saved_tensors
        return t * out * ctx.log_base


# ---------------------------------------------------------------------- functional forms
def add(input, other, *, alpha=1):
    if not isinstance(input, Tensor):
        return Add.apply(other * alpha, input)
    return Add.apply(input, other) if alpha == 1 else Add.apply(input, other, alpha)


def sub(input, other, *, alpha=1):
    if not isinstance(input, Tensor):
        return Rsub.apply(other * alpha, input)
    return Sub.apply(input, other) if alpha == 1 else Sub.apply(input, other, alpha)


subtract = sub


def mul(input, other):
    if not isinstance(input, Tensor):
        return Mul.apply(other, input)
    return Mul.apply(input, other)


multiply = mul


def div(input, other, *, rounding_mode=None):
    if rounding_mode is not None:
        q = div(input, other)
        return q.floor() if rounding_mode == "floor" else q.trunc()
    if not isinstance(input, Tensor):
        return Mul.apply(Reciprocal.apply(other), input)
    return Div.apply(input, other)


divide = true_divide = div


def neg(input):
    return Neg.apply(input)


negative = neg


def reciprocal(input):
    return Reciprocal.apply(input)


def pow(input, exponent):  # noqa: A001 - torch's name
    if not isinstance(input, Tensor):
        return RPow.apply(input, exponent)
    if isinstance(exponent, Tensor):
        return PowTensor.apply(input, exponent)
    return Pow.apply(input, exponent)


def square(input):
    return Pow.apply(input, 2)


def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


from .elementwise import where  # noqa: E402
