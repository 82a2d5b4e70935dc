"""Elementwise functions: exp, log, trigonometry, activations, clamp, maximum, where, rounding,
comparisons."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, wrap
from .util import as_float, broadcasting, jvp_sum, operands, or_zeros, result_dtype, scalar, sum_to


def _constant(x, arr):
    """A numpy array as a constant tensor in ``x``'s float dtype (a 0/1 gate, a weight...)."""
    return wrap(arr.astype(x._data.dtype if x._data.dtype.kind == "f" else np.float32))


def _gated(t, keep):
    """``t`` (broadcast to the shape of the numpy bool array ``keep``) where ``keep`` holds, and
    exactly 0 elsewhere. torch's backward formulas (where, masked_fill) give 0 there even for an
    inf or nan ``t``, where multiplying by a 0/1 gate would give nan."""
    if t._data.shape != keep.shape:
        t = t.expand(keep.shape)
    return MaskedFill.apply(t, ~keep, 0.0)


def _zeros(t):
    """A constant 0 shaped like ``t``: the gradient of a step function (torch's zeros_like), 0
    even where ``t`` is inf or nan."""
    return wrap(np.zeros_like(t._data))


class Unary(Function):
    """The shape of most ops below: ``out = f(x)``, backward ``g * f'``, jvp ``t * f'``.

    A subclass gives ``np_fn`` and ``derivative(saved)``, written in minigrad ops, where ``saved``
    is the input or the output (``saves``), whichever the derivative is simplest in: exp' is exp's
    output, log' needs its input.
    """

    builtin = True
    np_fn = None
    saves = "input"  # or "output"

    @classmethod
    def forward(cls, ctx, x):
        out = wrap(cls.np_fn(as_float(x._data)))
        ctx.save_for_backward(x if cls.saves == "input" else out)
        return out

    @classmethod
    def backward(cls, ctx, g):
        saved, = ctx.saved_tensors
        return g * cls.derivative(saved)

    @classmethod
    def jvp(cls, ctx, t):
        saved, = ctx.saved_tensors
        return t * cls.derivative(saved)


class Exp(Unary):
    node_name, np_fn, saves = "ExpBackward0", np.exp, "output"

    @staticmethod
    def derivative(out):
        return out


class Log(Unary):
    node_name, np_fn = "LogBackward0", np.log

    @staticmethod
    def derivative(x):
        return x.reciprocal()


class Log1p(Unary):
    node_name, np_fn = "Log1PBackward0", np.log1p

    @staticmethod
    def derivative(x):
        return (x + 1).reciprocal()


class Sin(Unary):
    node_name, np_fn = "SinBackward0", np.sin

    @staticmethod
    def derivative(x):
        return x.cos()


class Cos(Unary):
    node_name, np_fn = "CosBackward0", np.cos

    @staticmethod
    def derivative(x):
        return -x.sin()


class Tan(Unary):
    node_name, np_fn, saves = "TanBackward0", np.tan, "output"

    @staticmethod
    def derivative(out):
        return out * out + 1


class Tanh(Unary):
    node_name, np_fn, saves = "TanhBackward0", np.tanh, "output"

    @staticmethod
    def derivative(out):
        return 1 - out * out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return TanhBackward.apply(g, out)  # g * (1 - out²), in one op as torch does it


class TanhBackward(Function):
    """Tanh's backward, ``g * (1 - out²)``, as one op: torch's ``tanh_backward``, whose node a
    double backward shows (TanhBackwardBackward0). Itself differentiable, for higher derivatives."""

    node_name = "TanhBackwardBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, g, out):
        ctx.save_for_backward(g, out)
        g, out = operands(g, out)
        return g * (1 - out * out)

    @staticmethod
    def backward(ctx, gg):
        g, out = ctx.saved_tensors
        need_g, need_out = ctx.needs_input_grad
        return (TanhBackward.apply(gg, out) if need_g else None,
                gg * g * out * -2 if need_out else None)

    @staticmethod
    def jvp(ctx, tg, tout):
        g, out = ctx.saved_tensors
        return jvp_sum(tg is not None and TanhBackward.apply(tg, out),
                       tout is not None and g * out * tout * -2)


def _sigmoid(a):
    # stable for large |a|: exp never overflows
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class Sigmoid(Unary):
    node_name, np_fn, saves = "SigmoidBackward0", staticmethod(_sigmoid), "output"

    @staticmethod
    def derivative(out):
        return out * (1 - out)

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return SigmoidBackward.apply(g, out)  # g * out * (1 - out), in one op as torch does it


class SigmoidBackward(Function):
    """Sigmoid's backward, ``g * out * (1 - out)``, as one op: torch's ``sigmoid_backward`` (its
    node: SigmoidBackwardBackward0). Itself differentiable, for higher derivatives."""

    node_name = "SigmoidBackwardBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, g, out):
        ctx.save_for_backward(g, out)
        g, out = operands(g, out)
        return g * out * (1 - out)

    @staticmethod
    def backward(ctx, gg):
        g, out = ctx.saved_tensors
        need_g, need_out = ctx.needs_input_grad
        return (SigmoidBackward.apply(gg, out) if need_g else None,
                gg * g * (1 - out * 2) if need_out else None)

    @staticmethod
    def jvp(ctx, tg, tout):
        g, out = ctx.saved_tensors
        return jvp_sum(tg is not None and SigmoidBackward.apply(tg, out),
                       tout is not None and g * (1 - out * 2) * tout)


class Sqrt(Unary):
    node_name, np_fn, saves = "SqrtBackward0", np.sqrt, "output"

    @staticmethod
    def derivative(out):
        return 0.5 / out


class Rsqrt(Unary):
    node_name, np_fn, saves = "RsqrtBackward0", staticmethod(lambda a: 1 / np.sqrt(a)), "output"

    @staticmethod
    def derivative(out):
        return -0.5 * out * out * out


def _sign(a):
    """torch's sign: ``(a > 0) - (a < 0)``, so 0 at nan (numpy says nan); bools stay bools."""
    if a.dtype.kind == "b":
        return np.array(a)
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)


class Abs(Unary):
    node_name, np_fn = "AbsBackward0", np.abs  # keeps integer dtypes

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x._data)

    @staticmethod
    def derivative(x):
        return _constant(x, _sign(x._data))


class Relu(Unary):
    """max(x, 0). The gradient passes where the output is not <= 0: at nan too, and a gradient
    that is stopped is exactly 0, even an inf one (torch's threshold_backward)."""

    node_name, saves = "ReluBackward0", "output"

    @classmethod
    def forward(cls, ctx, x):
        out = wrap(np.maximum(x._data, 0).astype(x._data.dtype, copy=False))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g.masked_fill(wrap(out._data <= 0), 0.0)

    jvp = backward


class StepFunction(Function):
    """floor, ceil, trunc, round, sign: flat between their jumps, so their gradient is zero
    (torch's choice at the jumps too). Results still require grad, as in torch."""

    builtin = True

    @classmethod
    def forward(cls, ctx, x, *args):
        return np.asarray(cls.np_fn(x._data, *args))

    @staticmethod
    def backward(ctx, g):
        return (_zeros(g),) + (None,) * (len(ctx.needs_input_grad) - 1)

    @staticmethod
    def jvp(ctx, t, *_):
        return _zeros(t)


class Floor(StepFunction):
    node_name, np_fn = "FloorBackward0", np.floor


class Ceil(StepFunction):
    node_name, np_fn = "CeilBackward0", np.ceil


class Trunc(StepFunction):
    node_name, np_fn = "TruncBackward0", np.trunc


class Round(StepFunction):
    node_name, np_fn = "RoundBackward0", np.round


class RoundDecimals(StepFunction):
    node_name, np_fn = "RoundBackward1", np.round


class Sign(StepFunction):
    node_name, np_fn = "SignBackward0", staticmethod(_sign)


class Clamp(Function):
    """``clamp(x, min, max)`` with number bounds: the gradient passes where min <= x <= max."""

    node_name = "ClampBackward1"
    builtin = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        ctx.bounds = lo, hi
        ctx.save_for_backward(x)
        out = x._data
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return np.asarray(out, dtype=result_dtype(x, lo if lo is not None else hi))

    @staticmethod
    def _inside(ctx):
        x, = ctx.saved_tensors
        lo, hi = ctx.bounds
        keep = np.ones(x._data.shape, dtype=bool)
        if lo is not None:
            keep &= x._data >= lo
        if hi is not None:
            keep &= x._data <= hi
        return keep

    @staticmethod
    def backward(ctx, g):
        return _gated(g, Clamp._inside(ctx)), None, None

    @staticmethod
    def jvp(ctx, t, _lo, _hi):
        return _gated(t, Clamp._inside(ctx))


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampTensor(Function):
    """``clamp(x, min, max)`` with tensor bounds (either may be None): each element's gradient
    goes to whichever of x, min, max it came from."""

    node_name = "ClampBackward0"
    builtin = True
    number_inputs = 3  # a missing bound (None) still has its (None, 0) entry, as in torch

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        out = x._data
        if lo is not None:
            out = broadcasting(np.maximum, out, lo._data)
        if hi is not None:
            out = broadcasting(np.minimum, out, hi._data)
        return np.asarray(out)

    @staticmethod
    def _gates(ctx):
        """Where each element's gradient goes: to x (inside the bounds), to min or to max
        (torch's rules, min < max deciding when the bounds cross)."""
        x, lo, hi = ctx.saved_tensors
        a = x._data
        inside, to_lo, to_hi = np.ones(a.shape, dtype=bool), None, None
        if lo is not None:
            inside, to_lo = inside & (a >= lo._data), a < lo._data
        if hi is not None:
            inside, to_hi = inside & (a <= hi._data), a > hi._data
        if lo is not None and hi is not None:
            to_lo, to_hi = to_lo & (lo._data < hi._data), to_hi | (hi._data < lo._data)
        shape = np.broadcast_shapes(*(t._data.shape for t in (x, lo, hi) if t is not None))
        gates = [None if m is None else np.broadcast_to(m, shape) for m in (inside, to_lo, to_hi)]
        return (x, lo, hi, *gates)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi, inside, to_lo, to_hi = ClampTensor._gates(ctx)
        need_x, need_lo, need_hi = ctx.needs_input_grad
        return (sum_to(_gated(g, inside), x._data.shape) if need_x else None,
                sum_to(_gated(g, to_lo), lo._data.shape) if need_lo else None,
                sum_to(_gated(g, to_hi), hi._data.shape) if need_hi else None)

    @staticmethod
    def jvp(ctx, tx, tlo, thi):
        """torch's clamp_jvp: the tangent of whichever of x, min, max the value is (at a tie
        with a bound, the bound's)."""
        x, lo, hi = (t._data if t is not None else None for t in ctx.saved_tensors)
        tx, tlo, thi = (t if t is not None else 0.0 for t in (tx, tlo, thi))
        if lo is not None and hi is not None:
            return where(wrap(lo > hi), thi, where(wrap(x < lo), tlo, where(wrap(x > hi), thi, tx)))
        if lo is not None:
            return where(wrap(x > lo), tx, tlo)
        return where(wrap(x < hi), tx, thi)


class Maximum(Function):
    """Elementwise max of two tensors; ties share the gradient equally, as in torch. An input
    gets none where it loses (where one is nan neither loses: both get all of it)."""

    node_name = "MaximumBackward0"
    builtin = True
    np_fn, loses = np.maximum, np.less

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return broadcasting(cls.np_fn, *operands(a, b))

    @classmethod
    def _share_of_a(cls, ctx):
        """1 where a wins, 0 where b wins, 1/2 on ties (as a constant tensor)."""
        a, b = ctx.saved_tensors
        x, y = np.broadcast_arrays(a._data, b._data)
        wins = cls.np_fn(x, y) == x
        return a, b, _constant(a, np.where(x == y, 0.5, wins.astype(np.float64)))

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.saved_tensors
        x, y = np.broadcast_arrays(a._data, b._data)
        g = where(wrap(x == y), g * 0.5, g)
        need_a, need_b = ctx.needs_input_grad
        return (sum_to(_gated(g, ~cls.loses(x, y)), a._data.shape) if need_a else None,
                sum_to(_gated(g, ~cls.loses(y, x)), b._data.shape) if need_b else None)

    @classmethod
    def jvp(cls, ctx, ta, tb):
        _, _, share = cls._share_of_a(ctx)
        ta, tb = (t if t is not None else 0.0 for t in (ta, tb))
        return tb + share * (ta - tb)  # torch's formula, with its infs and nans


class Minimum(Maximum):
    node_name = "MinimumBackward0"
    np_fn, loses = np.minimum, np.greater


class Where(Function):
    """``where(cond, a, b)``: the gradient goes to ``a`` where cond holds, else to ``b``."""

    node_name = "WhereBackward0"
    builtin = True
    number_inputs = 3

    @staticmethod
    def forward(ctx, cond, a, b):
        if isinstance(a, Tensor):
            x, y = operands(a, b)
        else:
            y, x = operands(b, a)
        ctx.shapes = np.shape(x), np.shape(y)
        ctx.save_for_backward(wrap(cond))
        return broadcasting(lambda p, q: np.where(cond, p, q), x, y)

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        keep = np.broadcast_to(cond._data, g._data.shape)
        shape_a, shape_b = ctx.shapes
        _, need_a, need_b = ctx.needs_input_grad
        return (None,
                sum_to(_gated(g, keep), shape_a) if need_a else None,
                sum_to(_gated(g, ~keep), shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, _, ta, tb):
        cond, = ctx.saved_tensors
        return Where.apply(cond._data, ta if ta is not None else 0.0, tb if tb is not None else 0.0)


class MaskedFill(Function):
    """``masked_fill(x, mask, value)``: x where mask is False, value where it is True."""

    node_name = "MaskedFillBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(wrap(mask))
        ctx.shape = x._data.shape
        v = value._data if isinstance(value, Tensor) else value
        return np.where(mask, np.asarray(v, dtype=x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        filled = np.broadcast_to(mask._data, g._data.shape)
        need_x, _, need_value = ctx.needs_input_grad
        return (_gated(g, ~filled) if need_x else None, None,
                _gated(g, filled).sum() if need_value else None)

    @staticmethod
    def jvp(ctx, tx, _, tv):
        mask, = ctx.saved_tensors
        tx = tx if tx is not None else wrap(np.zeros(ctx.shape, tv._data.dtype))
        return MaskedFill.apply(tx, mask._data, tv if tv is not None else 0.0)


class MaskedFillTensor(MaskedFill):
    node_name = "MaskedFillBackward1"


def _lerp(x, y, w):
    """torch's lerp, which starts from the nearer end for accuracy (and so gives other infs and
    nans): ``x + w * (y - x)`` for |w| < 0.5, else ``y - (y - x) * (1 - w)``."""
    if np.ndim(w) == 0:
        return x + w * (y - x) if -0.5 < w < 0.5 else y - (y - x) * (1 - w)
    return np.where(np.abs(w) < 0.5, x + w * (y - x), y - (y - x) * (1 - w))


class Lerp(Function):
    """``lerp(a, b, w) = a + w * (b - a)`` with a number weight."""

    node_name = "LerpBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, a, b, weight):
        ctx.weight = weight
        ctx.shapes = a._data.shape, b._data.shape
        return broadcasting(lambda x, y: _lerp(x, y, weight), a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        shape_a, shape_b = ctx.shapes
        return sum_to(g * (1 - ctx.weight), shape_a), sum_to(g * ctx.weight, shape_b), None

    @staticmethod
    def jvp(ctx, ta, tb, _):
        ta, tb = (t if t is not None else _zeros(other) for t, other in ((ta, tb), (tb, ta)))
        return Lerp.apply(ta, tb, ctx.weight)  # torch's: the lerp of the tangents


class LerpTensor(Function):
    """``lerp(a, b, w)`` with a tensor weight."""

    node_name = "LerpBackward1"
    builtin = True

    @staticmethod
    def forward(ctx, a, b, weight):
        need_weight = ctx.needs_input_grad[2]  # as torch: the ends only for the weight's gradient
        ctx.save_for_backward(a if need_weight else None, b if need_weight else None, weight)
        ctx.shapes = a._data.shape, b._data.shape, weight._data.shape
        x, y, w = np.broadcast_arrays(a._data, b._data, weight._data)
        return _lerp(x, y, w)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        need_a, need_b, need_w = ctx.needs_input_grad
        shape_a, shape_b, shape_w = ctx.shapes
        return (sum_to(g * (1 - w), shape_a) if need_a else None,
                sum_to(g * w, shape_b) if need_b else None,
                sum_to(g * (b - a), shape_w) if need_w else None)

    @staticmethod
    def jvp(ctx, ta, tb, tw):
        """torch's: the lerp of the ends' tangents (zeros for one without), plus the weight's
        term."""
        a, b, w = ctx.saved_tensors
        ends = LerpTensor.apply(*or_zeros((ta, a), (tb, b)), w)  # (even with no tangent, as torch)
        return jvp_sum(ends, tw is not None and tw * (b - a))


class Addcmul(Function):
    """``x + value * t1 * t2``."""

    node_name = "AddcmulBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.value, ctx.shapes = value, (x._data.shape, t1._data.shape, t2._data.shape)
        _, need_1, need_2 = ctx.needs_input_grad[:3]
        ctx.save_for_backward(t1 if need_2 else None, t2 if need_1 else None)  # as torch
        return broadcasting(lambda a, b: x._data + value * a * b, t1._data, t2._data)

    @staticmethod
    def backward(ctx, g):
        need_x, need_1, need_2 = ctx.needs_input_grad[:3]
        shape_x, shape_1, shape_2 = ctx.shapes
        grad_x = sum_to(g, shape_x) if need_x else None
        if not (need_1 or need_2):  # (then nothing was saved, and may run again, as in torch)
            return grad_x, None, None, None
        t1, t2 = ctx.saved_tensors
        gv = g * ctx.value
        return (grad_x, sum_to(gv * t2, shape_1) if need_1 else None,
                sum_to(gv * t1, shape_2) if need_2 else None, None)

    @staticmethod
    def jvp(ctx, tx, ta, tb, _):
        t1, t2 = ctx.saved_tensors
        return jvp_sum(tx, ta is not None and ctx.value * (ta * t2),
                       tb is not None and ctx.value * (t1 * tb))


class Addcdiv(Function):
    """``x + value * t1 / t2``."""

    node_name = "AddcdivBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.value, ctx.shapes = value, (x._data.shape, t1._data.shape, t2._data.shape)
        ctx.save_for_backward(t1 if ctx.needs_input_grad[2] else None, t2)  # as torch
        return broadcasting(lambda a, b: x._data + value * a / b, t1._data, t2._data)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors  # (read even for x's gradient: a second backward raises)
        need_x, need_1, need_2 = ctx.needs_input_grad[:3]
        shape_x, shape_1, shape_2 = ctx.shapes
        gv = g * ctx.value
        return (sum_to(g, shape_x) if need_x else None, sum_to(gv / t2, shape_1) if need_1 else None,
                sum_to(-gv * t1 / (t2 * t2), shape_2) if need_2 else None, None)

    @staticmethod
    def jvp(ctx, tx, ta, tb, _):
        t1, t2 = ctx.saved_tensors
        return jvp_sum(tx, ta is not None and ctx.value * (ta / t2),
                       tb is not None and ctx.value * (-t1 * tb / (t2 * t2)))


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


def floor(input):
    return Floor.apply(input)


def ceil(input):
    return Ceil.apply(input)


def trunc(input):
    return Trunc.apply(input)


def round(input, *, decimals=0):  # noqa: A001
    return Round.apply(input) if decimals == 0 else RoundDecimals.apply(input, decimals)


def clamp(input, min=None, max=None):  # noqa: A002 - torch's names
    """Limit values to [min, max] (numbers or tensors)."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return ClampTensor.apply(input, _as_tensor(min, input), _as_tensor(max, input))
    return Clamp.apply(input, scalar(min), scalar(max))


def _as_tensor(bound, like):
    if bound is None or isinstance(bound, Tensor):
        return bound
    return wrap(np.asarray(bound, dtype=like._data.dtype))


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
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(cond)))  # 0-d: as 1-d
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.scalar_name}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = wrap(np.asarray(input, dtype=np.float32 if isinstance(input, float) else None))
    return Where.apply(cond, scalar(input), scalar(other))


def masked_fill(input, mask, value):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, m, value)
    return MaskedFill.apply(input, m, scalar(value))


def lerp(input, end, weight):
    if isinstance(weight, Tensor):
        return LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, scalar(weight))


def addcmul(input, tensor1, tensor2, *, value=1):
    return Addcmul.apply(input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return Addcdiv.apply(input, tensor1, tensor2, value)


# comparisons and logic: bool results, not differentiable
def _compare(np_fn):
    def compare(input, other):
        if not isinstance(input, Tensor):
            input = wrap(np.asarray(input))
        x, y = operands(input, other if isinstance(other, Tensor) else scalar(other))
        return wrap(np.asarray(broadcasting(np_fn, x, y)))
    compare.__name__ = np_fn.__name__
    return compare


eq, ne, lt, le, gt, ge = (_compare(f) for f in (np.equal, np.not_equal, np.less, np.less_equal,
                                                  np.greater, np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and, logical_or, logical_xor = (_compare(f) for f in (np.logical_and, np.logical_or,
                                                             np.logical_xor))
bitwise_and, bitwise_or = _compare(np.bitwise_and), _compare(np.bitwise_or)


def logical_not(input):
    return wrap(np.logical_not(input._data))


def bitwise_not(input):
    return wrap(np.invert(input._data))


def isnan(input):
    return wrap(np.isnan(input._data))


def isinf(input):
    return wrap(np.isinf(input._data))


def isfinite(input):
    return wrap(np.isfinite(input._data))


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
