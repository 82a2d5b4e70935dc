"""minigrad's operations, one module per family. Each op is a small ``Function`` subclass with
``forward`` (numpy), ``backward`` (minigrad ops) and ``jvp``; the lowercase functions here are the
public API (``minigrad.exp``; ``x.exp()`` is attached in ../methods.py)."""
from .arithmetic import (add, div, divide, floor_divide, fmod, mul, multiply, neg, negative, pow,
                         reciprocal, remainder, rsub, square, sub, subtract, true_divide)
from .elementwise import (abs, absolute, addcdiv, addcmul, allclose, bitwise_and, bitwise_not,
                          bitwise_or, ceil, clamp, clamp_max, clamp_min, clip, cos, eq, equal, exp,
                          floor, ge, greater, greater_equal, gt, isclose, isfinite, isinf, isnan, le,
                          lerp, less, less_equal, log, log1p, logical_and, logical_not, logical_or,
                          logical_xor, lt, masked_fill, maximum, minimum, ne, not_equal, relu,
                          round, rsqrt, sigmoid, sign, sin, sqrt, tan, tanh, trunc, where)
from .reductions import (amax, amin, argmax, argmin, logsumexp, max, mean, min, norm, prod, std,
                         sum, var)
from .shape import (broadcast_to, clone, contiguous, expand, expand_as, flatten, movedim, permute,
                    reshape, squeeze, swapaxes, swapdims, t, to_dtype, transpose, unflatten,
                    unsqueeze, view, view_as)
from .indexing import gather, getitem, index_put, index_select, narrow, select, setitem
from .joining import cat, chunk, concat, concatenate, split, stack, unbind
from .linalg import addmm, bmm, dot, ger, inner, linear, matmul, mm, mv, outer
from .activation import log_softmax, softmax
from . import inplace

__all__ = [
    "add", "div", "divide", "floor_divide", "fmod", "mul", "multiply", "neg", "negative", "pow",
    "reciprocal", "remainder", "rsub", "square", "sub", "subtract", "true_divide",
    "abs", "absolute", "addcdiv", "addcmul", "allclose", "bitwise_and", "bitwise_not", "bitwise_or",
    "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos", "eq", "equal", "exp", "floor", "ge",
    "greater", "greater_equal", "gt", "isclose", "isfinite", "isinf", "isnan", "le", "lerp", "less",
    "less_equal", "log", "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "lt",
    "masked_fill", "maximum", "minimum", "ne", "not_equal", "relu", "round", "rsqrt", "sigmoid",
    "sign", "sin", "sqrt", "tan", "tanh", "trunc", "where",
    "amax", "amin", "argmax", "argmin", "logsumexp", "max", "mean", "min", "norm", "prod", "std",
    "sum", "var",
    "broadcast_to", "clone", "expand", "expand_as", "flatten", "movedim", "permute", "reshape",
    "squeeze", "swapaxes", "swapdims", "t", "transpose", "unflatten", "unsqueeze", "view",
    "gather", "index_put", "index_select", "narrow", "select",
    "cat", "chunk", "concat", "concatenate", "split", "stack", "unbind",
    "addmm", "bmm", "dot", "ger", "inner", "linear", "matmul", "mm", "mv", "outer",
    "log_softmax", "softmax",
]
__all__ += ["contiguous", "getitem", "inplace", "setitem", "to_dtype", "view_as"]
