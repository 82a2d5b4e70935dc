"""minigrad's operations, one module per family. Each op is a small ``Function`` subclass with
``forward`` (numpy), ``backward`` (minigrad ops) and ``jvp``; the lowercase functions here are the
public API (``minigrad.exp``, ``x.exp()``)."""
from .arithmetic import (add, div, divide, mul, multiply, neg, negative, pow, reciprocal, rsub,
                         square, sub, subtract, true_divide)
from .elementwise import (abs, absolute, allclose, bitwise_and, bitwise_not, bitwise_or, ceil, clamp,
                          clamp_max, clamp_min, clip, cos, eq, equal, exp, floor, floor_divide, fmod,
                          ge, greater, greater_equal, gt, isclose, isfinite, isinf, isnan, le, less,
                          less_equal, log, log1p, logical_and, logical_not, logical_or, logical_xor,
                          lt, maximum, minimum, ne, not_equal, relu, remainder, round, rsqrt,
                          sigmoid, sign, sin, sqrt, tan, tanh, trunc, where)
from .reductions import (amax, amin, argmax, argmin, logsumexp, max, mean, min, norm, prod, std,
                         sum, var)
from .shape import (broadcast_to, cat, chunk, clone, concat, concatenate, expand, expand_as,
                    flatten, gather, getitem, index_select, movedim, narrow, permute, reshape,
                    select, setitem, split, squeeze, stack, swapaxes, swapdims, t, to_dtype,
                    transpose, unbind, unflatten, unsqueeze, view)
from .linalg import addmm, bmm, dot, ger, inner, linear, matmul, mm, mv, outer
from .activation import log_softmax, softmax
from .inplace import (abs_, add_, addcdiv_, addcmul_, clamp_, clamp_max_, clamp_min_, clip_,
                      copy_, div_, exp_, fill_, lerp_, log_, masked_fill, masked_fill_, mul_, neg_,
                      normal_, pow_, relu_, sigmoid_, sqrt_, sub_, tanh_, uniform_, zero_)

# functions that are also Tensor methods: x.exp() is exp(x)
TENSOR_METHODS = """
add sub mul div neg pow reciprocal square subtract multiply divide true_divide negative
abs absolute clamp clip clamp_min clamp_max cos exp log log1p relu rsqrt sigmoid sign sin sqrt tan
tanh maximum minimum eq ne lt le gt ge logical_and logical_or logical_not floor ceil trunc round
isnan isinf isfinite equal allclose isclose
amax amin argmax argmin logsumexp max mean min norm prod std sum var
expand expand_as flatten unflatten gather index_select movedim narrow permute select split chunk
squeeze unsqueeze transpose swapaxes swapdims unbind
dot inner matmul mm mv outer bmm addmm softmax log_softmax
abs_ add_ addcdiv_ addcmul_ clamp_ clamp_max_ clamp_min_ clip_ copy_ div_ exp_ fill_ lerp_ log_
masked_fill masked_fill_ mul_ neg_ normal_ pow_ relu_ sigmoid_ sqrt_ sub_ tanh_ uniform_ zero_
""".split()
