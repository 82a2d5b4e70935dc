"""Arithmetic: + - * / ** % and unary minus, with Python numbers on either side.

Each op is one small class: ``forward`` computes on numpy arrays and saves what backward needs
(for the inputs that need a gradient); ``backward`` is written in minigrad ops, so that it can be
differentiated again; ``jvp`` is the forward-mode rule. ``sum_to`` hands each input the part of a
broadcast gradient that belongs to its shape.
"""
import operator

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, wrap
from .util import as_float, broadcasting, operands, scalar, sum_to


def _binary(fn, a, b):
    """``fn`` (a Python operator: numpy's fast path on scalars) after torch's type promotion."""
    x, y = operands(a, b)
    try:
        return fn(x, y)
    except ValueError:
        return broadcasting(fn, x, y)  # raises torch's error


def _shape(x):
    return x._data.shape if isinstance(x, Tensor) else ()


class Add(Function):
    """``a + alpha * b``."""

    node_name = "AddBackward0"
    builtin = True
    number_inputs = 2
    sign = 1

    @classmethod
    def forward(cls, ctx, a, b, alpha=1):
        ctx.alpha = alpha * cls.sign
        # the shapes for sum_to, only when broadcasting made the inputs' shapes differ (a number
        # never changes the output's shape, and gets no gradient)
        ctx.shapes = (a._data.shape, b._data.shape) if isinstance(b, Tensor) and \
            b._data.shape != a._data.shape else None
        if alpha != 1:
            x, y = operands(a, b)
            return broadcasting(operator.add, x, y * ctx.alpha)
        return _binary(operator.add if cls.sign == 1 else operator.sub, a, b)

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_a = g if need_a else None
        grad_b = (g * ctx.alpha if ctx.alpha != 1 else g) if need_b else None
        if ctx.shapes is not None:  # broadcast inputs get their share of the gradient
            shape_a, shape_b = ctx.shapes
            grad_a = sum_to(grad_a, shape_a) if need_a else None
            grad_b = sum_to(grad_b, shape_b) if need_b else None
        grads = (grad_a, grad_b)
        return grads if len(ctx.needs_input_grad) == 2 else grads + (None,)  # (a, b[, alpha])

    @staticmethod
    def jvp(ctx, ta, tb, _=None):
        if tb is None:
            return ta
        return ta + (tb * ctx.alpha if ctx.alpha != 1 else tb)


class Sub(Add):
    """``a - alpha * b``."""

    node_name = "SubBackward0"
    sign = -1


def _reversed_sub(x, number):
    return number - x


class Rsub(Function):
    """``number - tensor``."""

    node_name = "RsubBackward1"
    builtin = True

    @staticmethod
    def forward(ctx, x, number):
        return _binary(_reversed_sub, x, scalar(number))

    @staticmethod
    def backward(ctx, g):
        return -g, None

    @staticmethod
    def jvp(ctx, t, _):
        return -t


class Mul(Function):
    """``a * b``: each input's gradient is the output's gradient times the other input."""

    node_name = "MulBackward0"
    builtin = True
    number_inputs = 2

    @staticmethod
    def forward(ctx, a, b):
        if isinstance(b, Tensor):
            need_a, need_b = ctx.needs_input_grad
            if need_a or need_b:  # else no gradient will be asked for: keep nothing
                ctx.save_for_backward(a if need_b else None, b if need_a else None)
                ctx.shapes = a._data.shape, b._data.shape
        else:
            ctx.other = b
        return _binary(operator.mul, a, b)

    @staticmethod
    def backward(ctx, g):
        saved = ctx.saved_tensors
        if not saved:  # tensor * number
            return g * ctx.other, None
        a, b = saved
        shape_a, shape_b = ctx.shapes
        return (sum_to(g * b, shape_a) if b is not None else None,
                sum_to(g * a, shape_b) if a is not None else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        if not ctx.saved_tensors:
            return ta * ctx.other
        a, b = ctx.saved_tensors
        return ta * b + a * tb


class Div(Function):
    """``a / b``; integers divide into the default float dtype, as in torch."""

    node_name = "DivBackward0"
    builtin = True
    number_inputs = 2

    @staticmethod
    def forward(ctx, a, b):
        if isinstance(b, Tensor):
            need_a, need_b = ctx.needs_input_grad
            ctx.save_for_backward(a if need_b else None, b)
            ctx.shapes = a._data.shape, b._data.shape
        else:
            ctx.other = b
        x, y = operands(a, b)
        if x.dtype.kind != "f":
            x, y = as_float(x), as_float(np.asarray(y))
        return broadcasting(operator.truediv, x, y)

    @staticmethod
    def backward(ctx, g):
        if not ctx.saved_tensors:
            return g / ctx.other, None
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (sum_to(g / b, shape_a) if need_a else None,
                sum_to(-g * a / (b * b), shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        if not ctx.saved_tensors:
            return ta / ctx.other
        a, b = ctx.saved_tensors
        return ta / b - a * tb / (b * b)


class DivRounding(Function):
    """``div(a, b, rounding_mode='floor' | 'trunc')``: a step function, gradient zero."""

    node_name = "DivBackward2"
    builtin = True
    number_inputs = 2

    @staticmethod
    def forward(ctx, a, b, mode):
        ctx.shapes = a._data.shape, _shape(b)
        x, y = operands(a, b)
        ctx.out_shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        q = broadcasting(operator.truediv, x, y) if x.dtype.kind == "f" else None
        if q is None:  # integers: exact integer division
            q = broadcasting(np.floor_divide, x, y)
            if mode == "trunc":
                q = np.where((q < 0) & (q * y != x), q + 1, q)
            return np.asarray(q)
        return (np.floor if mode == "floor" else np.trunc)(q)

    @staticmethod
    def backward(ctx, g):
        shape_a, shape_b = ctx.shapes
        return (g.sum_to_size(shape_a) * 0, g.sum_to_size(shape_b) * 0, None)

    @staticmethod
    def jvp(ctx, ta, tb, _):
        return wrap(np.zeros(ctx.out_shape, dtype=ta._data.dtype))


class Remainder(Function):
    """``a % b`` (Python's sign convention): gradient 1 for a, ``-floor(a / b)`` for b."""

    node_name = "RemainderBackward1"
    builtin = True
    number_inputs = 2
    np_fn, rounding = np.remainder, "floor"

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.shapes = a._data.shape, _shape(b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        return _binary(cls.np_fn, a, b)

    @classmethod
    def backward(cls, ctx, g):
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        grad_b = None
        if need_b:
            a, b = ctx.saved_tensors
            grad_b = sum_to(-g * a.div(b, rounding_mode=cls.rounding), shape_b)
        return (sum_to(g, shape_a) if need_a else None), grad_b

    @classmethod
    def jvp(cls, ctx, ta, tb):
        if tb is None:
            return ta
        a, b = ctx.saved_tensors
        return ta - tb * a.div(b, rounding_mode=cls.rounding)


class RemainderScalar(Remainder):
    node_name = "RemainderBackward0"
    number_inputs = 0


class Fmod(Remainder):
    """``fmod(a, b)`` (C's sign convention): like %, with truncation instead of floor."""

    node_name = "FmodBackward1"
    np_fn, rounding = np.fmod, "trunc"


class FmodScalar(Fmod):
    node_name = "FmodBackward0"
    number_inputs = 0


class FloorDivide(Function):
    """``a // b``: torch records it but has no derivative for it, and neither do we."""

    node_name = "torch::autograd::NotImplemented"
    builtin = True
    number_inputs = 2

    @staticmethod
    def forward(ctx, a, b):
        return np.asarray(_binary(np.floor_divide, a, b))

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")

    jvp = backward


class Neg(Function):
    node_name = "NegBackward0"
    builtin = True

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
    builtin = True

    @staticmethod
    def forward(ctx, x):
        out = wrap(np.reciprocal(as_float(x._data)))
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
    """``tensor ** number``: d/dx x**c = c * x**(c - 1), and 0 for c == 0 (even at x == 0)."""

    node_name = "PowBackward0"
    builtin = True

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
        return x * 0 if c == 0 else x ** (c - 1) * c

    @staticmethod
    def backward(ctx, g):
        return g * Pow._derivative(ctx), None

    @staticmethod
    def jvp(ctx, t, _):
        return t * Pow._derivative(ctx)


class PowTensor(Function):
    """``tensor ** tensor``: torch's rules at 0: no gradient for a where b == 0, none for b
    where a == 0 and b >= 0 (0 ** b is constant there)."""

    node_name = "PowBackward1"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        out = wrap(_binary(operator.pow, a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def _partials(ctx):
        a, b, out = ctx.saved_tensors
        da = (b * a ** (b - 1)).masked_fill(b == 0, 0.0)
        db = (out * a.log()).masked_fill((a == 0) & (b >= 0), 0.0)
        return a, b, da, db

    @staticmethod
    def backward(ctx, g):
        a, b, da, db = PowTensor._partials(ctx)
        need_a, need_b = ctx.needs_input_grad
        return (sum_to(g * da, a._data.shape) if need_a else None,
                sum_to(g * db, b._data.shape) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b, da, db = PowTensor._partials(ctx)
        return ta * da + tb * db


class RPow(Function):
    """``number ** tensor``: d/dx c**x = c**x * log(c), and 0 for c == 0 (as torch says)."""

    node_name = "PowBackward2"
    builtin = True

    @staticmethod
    def forward(ctx, base, x):
        base = scalar(base)
        out = wrap(_binary(lambda e, b: b ** e, x, base))
        ctx.save_for_backward(out)
        ctx.log_base = float(np.log(base)) if base > 0 else (0.0 if base == 0 else np.nan)
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
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                             f"found '{rounding_mode}'")
        return DivRounding.apply(input, other, rounding_mode)
    if not isinstance(input, Tensor):
        return Mul.apply(Reciprocal.apply(other), input)
    return Div.apply(input, other)


divide = true_divide = div


def remainder(input, other):
    if not isinstance(input, Tensor):
        input = wrap(np.asarray(input, dtype=other._data.dtype))
    return (Remainder if isinstance(other, Tensor) else RemainderScalar).apply(input, other)


def fmod(input, other):
    return (Fmod if isinstance(other, Tensor) else FmodScalar).apply(input, other)


def floor_divide(input, other):
    if not isinstance(input, Tensor):
        input = wrap(np.asarray(input))
    return FloorDivide.apply(input, other)


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

