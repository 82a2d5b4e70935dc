"""Products: dot, mm, mv, batched matmul (and the ``@`` operator that picks among them), outer."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .shape import MatmulSqueeze, UnsafeView
from .util import jvp_sum, or_zeros, sum_to


def _same_dtype(a, b, what):
    if a._data.dtype != b._data.dtype:
        if what == "dot":
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{a.dtype.scalar_name} and {b.dtype.scalar_name}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.c_name} != {b.dtype.c_name}")


def save_factors(ctx, a, b, need_a, need_b):
    """Save what the gradients of a product of ``a`` and ``b`` need: ``b`` for a's gradient, ``a``
    for b's. As torch, each only when the other input needs a gradient: a factor that was not
    saved may then change in place before backward, and a node that saved nothing (an addmm whose
    bias alone requires grad) may run backward twice."""
    ctx.save_for_backward(a if need_b else None, b if need_a else None)


class Dot(Function):
    node_name = "DotBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if x.ndim != 1 or y.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
        if x.size != y.size:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.size}] and src [{y.size}] "
                               f"to have the same number of elements, but got {x.size} and {y.size} "
                               "elements respectively")
        _same_dtype(a, b, "dot")
        save_factors(ctx, a, b, *ctx.needs_input_grad)
        return np.asarray(np.dot(x, y))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return jvp_sum(ta is not None and ta.dot(b), tb is not None and a.dot(tb))


def _column_major(t):
    flags = t._data.flags
    return flags.f_contiguous and not flags.c_contiguous


def _mm_in_layout(x, y, column_major):
    """``x @ y``, stored in memory row- or column-major, like the input it is the gradient of.

    torch hands each input a gradient with the input's own memory layout. For ``x @ W.T`` this
    makes W's gradient row-major like W itself, so the optimizer's updates run over contiguous
    memory instead of striding through a transposed view.
    """
    if column_major:
        return y.t().mm(x.t()).t()
    return x.mm(y)


class Mm(Function):
    node_name = "MmBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        out = Mm.product(a, b)
        Mm.save(ctx, a, b, *ctx.needs_input_grad)
        return out

    @staticmethod
    def product(a, b):
        """``a @ b``'s values, after torch's checks."""
        x, y = a._data, b._data
        if x.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if y.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({x.shape[0]}x{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
        _same_dtype(a, b, "mm")
        return x @ y

    @staticmethod
    def save(ctx, a, b, need_a, need_b):
        """Save the factors (see save_factors), and the memory layout of each for its gradient."""
        save_factors(ctx, a, b, need_a, need_b)
        ctx.layouts = _column_major(a), _column_major(b)

    @staticmethod
    def backward(ctx, g):
        return Mm.gradients(ctx, g, *ctx.needs_input_grad)

    @staticmethod
    def gradients(ctx, g, need_a, need_b):
        a, b = ctx.saved_tensors
        layout_a, layout_b = ctx.layouts
        return (_mm_in_layout(g, b.t(), layout_a) if need_a else None,
                _mm_in_layout(a.t(), g, layout_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        ta, tb = or_zeros((ta, a), (tb, b))  # as torch's (inf @ zeros is nan)
        return ta.mm(b) + a.mm(tb)


class Mv(Function):
    node_name = "MvBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, m, v):
        x, y = m._data, v._data
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{x.shape[1]}), "
                               f"vec ({y.shape[0]})")
        _same_dtype(m, v, "mm")
        save_factors(ctx, m, v, *ctx.needs_input_grad)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (outer(g, v) if need[0] else None), (m.t().mv(g) if need[1] else None)

    @staticmethod
    def jvp(ctx, tm, tv):
        m, v = ctx.saved_tensors
        tm, tv = or_zeros((tm, m), (tv, v))  # as torch's (inf @ zeros is nan)
        return tm.mv(v) + m.mv(tv)


class BatchedMatmul(Function):
    """``a @ b`` for inputs with batch dimensions (broadcast like numpy's matmul)."""

    node_name = "BmmBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        _same_dtype(a, b, "mm")
        save_factors(ctx, a, b, *ctx.needs_input_grad)
        ctx.shapes = a._data.shape, b._data.shape
        try:
            return np.matmul(a._data, b._data)
        except ValueError:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"{list(a._data.shape[:-2]) + [a._data.shape[-1]]} but got: "
                               f"{list(b._data.shape[:-1])}.") from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        shape_a, shape_b = ctx.shapes
        return (sum_to(g @ b.mT, shape_a) if need_a else None,
                sum_to(a.mT @ g, shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        ta, tb = or_zeros((ta, a), (tb, b))  # as torch's (inf @ zeros is nan)
        return ta @ b + a @ tb


class Addmm(Function):
    """``beta * input + alpha * (mat1 @ mat2)``: what nn.Linear computes on a batch, in one node."""

    node_name = "AddmmBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, input, mat1, mat2, beta=1, alpha=1):
        product = Mm.product(mat1, mat2)
        Mm.save(ctx, mat1, mat2, *ctx.needs_input_grad[1:3])  # (input's gradient needs nothing)
        ctx.input_shape, ctx.beta, ctx.alpha = input._data.shape, beta, alpha
        out = product if alpha == 1 else product * alpha
        bias = input._data if beta == 1 else input._data * beta
        if bias.dtype == out.dtype and bias.ndim <= 2:  # into the new array: no second (n, p) one
            out += bias
            return out
        return out + bias

    @staticmethod
    def backward(ctx, g):
        need_input, need_a, need_b = ctx.needs_input_grad[:3]
        grad_input = sum_to(g if ctx.beta == 1 else g * ctx.beta, ctx.input_shape) if need_input else None
        if not (need_a or need_b):  # (then nothing was saved: reading saved_tensors could raise)
            return grad_input, None, None
        return (grad_input,) + Mm.gradients(ctx, g if ctx.alpha == 1 else g * ctx.alpha, need_a, need_b)

    @staticmethod
    def jvp(ctx, t_input, ta, tb, *_):
        product = Mm.jvp(ctx, ta, tb)
        if ctx.alpha != 1:
            product = product * ctx.alpha
        bias = t_input if t_input is None or ctx.beta == 1 else t_input * ctx.beta
        return jvp_sum(product, bias)


def dot(input, other):
    return Dot.apply(input, other)


inner = vdot = dot


def mm(input, mat2):
    return Mm.apply(input, mat2)


def mv(input, vec):
    return Mv.apply(input, vec)


def bmm(input, mat2):
    return BatchedMatmul.apply(input, mat2)


def outer(input, vec2):
    """Outer product as torch computes it: a column view of ``input`` times ``vec2``."""
    return input.reshape(-1, 1) * vec2


ger = outer


def matmul(input, other):
    """``@``: dot for two vectors, mv/mm for matrices, batched matmul beyond (torch's rules)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other if isinstance(input, Tensor) else input).__name__}")
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return Dot.apply(input, other)
    if da == 2 and db == 2:
        return Mm.apply(input, other)
    if da == 2 and db == 1:
        return Mv.apply(input, other)
    if da == 1 and db == 2:
        return MatmulSqueeze.apply(Mm.apply(input.unsqueeze(0), other), (0,))
    # Beyond matrices torch folds the batch into one product, then views the result into shape:
    # the graph's top node is that view (UnsafeViewBackward0), as here.
    if db == 2:
        folded = Mm.apply(input.reshape(-1, input.shape[-1]), other)
        return UnsafeView.apply(folded, input.shape[:-1] + (other.shape[-1],))
    if da == 1:  # v @ batch: each matrix of the batch, transposed, times v
        folded = Mv.apply(other.mT.reshape(-1, other.shape[-2]), input)
        return UnsafeView.apply(folded, other.shape[:-2] + other.shape[-1:])
    if db == 1:
        folded = Mv.apply(input.reshape(-1, input.shape[-1]), other)
        return UnsafeView.apply(folded, input.shape[:-1])
    out = BatchedMatmul.apply(input, other)
    return UnsafeView.apply(out, out.shape)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return Addmm.apply(input, mat1, mat2, beta, alpha)


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (what nn.Linear computes): one Addmm node when there is a bias.

    Like torch, an input that is not a matrix is flattened to one, and the result viewed back.
    """
    if bias is None:
        return matmul(input, weight.t())
    if input.ndim == 2:
        return Addmm.apply(bias, input, weight.t())
    out = Addmm.apply(bias, input.reshape(-1, input.shape[-1]), weight.t())
    return out.view(input.shape[:-1] + (weight.shape[0],))
