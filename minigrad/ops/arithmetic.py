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
from .util import as_float, broadcasting, jvp_sum, operands, scalar, sum_to


def _binary(fn, a, b):
    """``fn`` (a Python operator: numpy's fast path on scalars) after torch's type promotion."""
    x, y = operands(a, b)
    try:
        return fn(x, y)
    except ValueError:
        return broadcasting(fn, x, y)  # raises torch's error


def _shape(x):
    return x._data.shape if isinstance(x, Tensor) else ()


def _rounded_division(fn, kernel, a, b):
    """``fn(a, b)`` (floor division, remainder...; either side may be a number) with torch's
    errors for integers: bool has no such kernel, and a division by zero raises."""
    x, y = operands(a, b) if isinstance(a, Tensor) else reversed(operands(b, a))
    kind = np.result_type(x, y).kind
    if kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(broadcasting(fn, x, y))
    if kind in "iu" and out.size and np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    return out


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
        return jvp_sum(ta, tb is not None and (tb * ctx.alpha if ctx.alpha != 1 else tb))


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
        return jvp_sum(ta is not None and ta * b, tb is not None and a * tb)


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
        a, b = ctx.saved_tensors  # torch's: (ta - tb * a / b) / b, without a missing one's term
        return jvp_sum(ta, tb is not None and -(tb * (a / b))) / b


class DivRounding(Function):
    """``div(a, b, rounding_mode='floor' | 'trunc')``: a step function, gradient zero."""

    node_name = "DivBackward2"
    builtin = True
    number_inputs = 2

    @staticmethod
    def forward(ctx, a, b, mode):
        # torch's node saves b, and a for b's gradient, though it computes zeros: a second
        # backward raises, as does a change of what it saved
        if isinstance(b, Tensor):
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        else:
            ctx.other = b
        ctx.shapes = a._data.shape, _shape(b)
        x, y = operands(a, b)
        ctx.out_shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        if x.dtype.kind == "f":  # numpy's floor_divide is torch's (and Python's) algorithm
            return broadcasting(np.floor_divide if mode == "floor" else
                                lambda p, q: np.trunc(p / q), x, y)
        q = _rounded_division(np.floor_divide, f"div_{mode}_cpu", a, b)  # exact on integers
        return np.where((q < 0) & (q * y != x), q + 1, q) if mode == "trunc" else q

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - what torch's node reads (it raises once freed)
        shape_a, shape_b = ctx.shapes  # zeros, even for an inf or nan g (torch's zeros_like)
        return (wrap(np.zeros(shape_a, g._data.dtype)), wrap(np.zeros(shape_b, g._data.dtype)), None)

    @staticmethod
    def jvp(ctx, ta, tb, _):
        return wrap(np.zeros(ctx.out_shape, dtype=(ta if ta is not None else tb)._data.dtype))


class Remainder(Function):
    """``a % b`` (Python's sign convention): gradient 1 for a, ``-floor(a / b)`` for b."""

    node_name = "RemainderBackward1"
    builtin = True
    number_inputs = 2
    np_fn, rounding, kernel = np.remainder, "floor", "remainder_cpu"

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.shapes = a._data.shape, _shape(b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        return _rounded_division(cls.np_fn, cls.kernel, a, b)

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
        a, b = ctx.saved_tensors if tb is not None else (None, None)
        return jvp_sum(ta, tb is not None and -tb * a.div(b, rounding_mode=cls.rounding))


class RemainderScalar(Remainder):
    node_name = "RemainderBackward0"
    number_inputs = 0


class Fmod(Remainder):
    """``fmod(a, b)`` (C's sign convention): like %, with truncation instead of floor."""

    node_name = "FmodBackward1"
    np_fn, rounding, kernel = np.fmod, "trunc", "fmod_cpu"


class FmodScalar(Fmod):
    node_name = "FmodBackward0"
    number_inputs = 0


class FloorDivide(Function):
    """``a // b`` (either may be a number): torch records it but has no derivative for it, in
    either mode, and neither do we."""

    node_name = "torch::autograd::NotImplemented"
    builtin = True
    np_fn, aten, kernel = np.floor_divide, "floor_divide", "div_floor_cpu"

    @classmethod
    def forward(cls, ctx, a, b):
        return _rounded_division(cls.np_fn, cls.kernel, a, b)

    @classmethod
    def backward(cls, ctx, g):
        raise RuntimeError(f"derivative for aten::{cls.aten} is not implemented")

    @classmethod
    def jvp(cls, ctx, *tangents):
        raise NotImplementedError(f"Trying to use forward AD with aten::{cls.aten} that does not "
                                  "support it.")


class RemainderOfNumber(FloorDivide):
    """``number % tensor``: torch has no derivative for this form of remainder."""

    node_name = "torch::autograd::NotImplemented"
    np_fn, aten, kernel = np.remainder, "remainder", "remainder_cpu"


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


# torch's kernel for float ``x ** c`` computes these exponents without pow() (so that, e.g.,
# (-0.) ** -0.5 is 1 / sqrt(-0.) = -inf, where pow() says inf); x ** 0 is 1 and x ** 1 is x.
_POW_SHORTCUTS = {0.5: np.sqrt, -0.5: lambda x: 1 / np.sqrt(x), -1: lambda x: 1 / x,
                  2: lambda x: x * x, 3: lambda x: x * x * x, -2: lambda x: 1 / (x * x)}


def _pow(x, c):
    """``x ** c`` for a numpy operand and a number, as torch computes it."""
    shortcut = _POW_SHORTCUTS.get(c) if type(c) is not bool else None
    if shortcut is not None and np.result_type(x, c).kind == "f":
        return shortcut(x)
    return x ** c


def _elementwise_pow(x, y):
    """``x ** y`` for numpy operands that are both tensors' (or a number base's), as torch: an
    integer to a negative power is 0, but for 1 and -1 (numpy refuses it)."""
    kind = np.result_type(x, y).kind
    if kind == "b":
        raise NotImplementedError('"pow" not implemented for \'Bool\'')
    if kind != "i" or not np.any(np.asarray(y) < 0):
        return x ** y
    return np.where((y >= 0) | (np.abs(x) == 1), x ** np.abs(y), 0)


class Pow(Function):
    """``tensor ** number``: d/dx x**c = c * x**(c - 1), and exactly 0 for c == 0 (even where
    x ** -1 is inf or the gradient nan: torch's pow_backward)."""

    node_name = "PowBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, exponent):
        exponent = scalar(exponent)
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return _binary(_pow, x, exponent)

    @staticmethod
    def _times_derivative(ctx, g):
        x, = ctx.saved_tensors
        c = ctx.exponent
        if c == 0:
            return wrap(np.zeros_like(x._data))
        return g * (c * x ** (c - 1))

    @staticmethod
    def backward(ctx, g):
        return Pow._times_derivative(ctx, g), None

    @staticmethod
    def jvp(ctx, t, _):
        return Pow._times_derivative(ctx, t)


class PowTensor(Function):
    """``tensor ** tensor``, with torch's rules at 0: no gradient for a where b == 0; none for b
    where a == 0 and b >= 0 (0 ** b is constant there), and -inf where b < 0."""

    node_name = "PowBackward1"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        out = wrap(_binary(_elementwise_pow, a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def _times_partials(ctx, ga, gb):
        """``ga * d(a**b)/da`` and ``gb * d(a**b)/db``, as torch's pow_backward_self and
        pow_backward_exponent compute them (so also the jvp, with tangents for ga and gb)."""
        a, b, out = ctx.saved_tensors
        da = db = None
        if ga is not None:
            da = (ga * (b * a ** (b - 1))).masked_fill(b == 0, 0.0)
        if gb is not None:
            db = gb * (out * a.log()).masked_fill((a == 0) & (b >= 0), 0.0)
        return da, db

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        a, b, _ = ctx.saved_tensors
        da, db = PowTensor._times_partials(ctx, g if need_a else None, g if need_b else None)
        return (sum_to(da, a._data.shape) if need_a else None,
                sum_to(db, b._data.shape) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        return jvp_sum(*PowTensor._times_partials(ctx, ta, tb))


class RPow(Function):
    """``number ** tensor``: d/dx c**x = c**x * log(c); where c == 0, 0 for x >= 0 and
    inf * log(0) = -inf for x < 0 (torch's pow_backward_exponent)."""

    node_name = "PowBackward2"
    builtin = True

    @staticmethod
    def forward(ctx, base, x):
        base = scalar(base)
        out = wrap(_binary(lambda e, b: _elementwise_pow(b, e), x, base))
        ctx.save_for_backward(x, out)
        ctx.base_is_zero = base == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ctx.log_base = float(np.log(base))  # -inf for 0, nan below
        return out

    @staticmethod
    def _times_derivative(ctx, g):
        x, out = ctx.saved_tensors
        d = out * ctx.log_base
        return g * (d.masked_fill(x >= 0, 0.0) if ctx.base_is_zero else d)

    @staticmethod
    def backward(ctx, g):
        return None, RPow._times_derivative(ctx, g)

    @staticmethod
    def jvp(ctx, _, t):
        return RPow._times_derivative(ctx, t)


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
        return RemainderOfNumber.apply(scalar(input), other)
    return (Remainder if isinstance(other, Tensor) else RemainderScalar).apply(input, other)


def fmod(input, other):
    return (Fmod if isinstance(other, Tensor) else FmodScalar).apply(input, other)


def floor_divide(input, other):
    return FloorDivide.apply(scalar(input), scalar(other))


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

