"""Products: dot, mm, mv, batched matmul (and the ``@`` operator that picks among them), outer."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .shape import MatmulSqueeze, UnsafeView
from .util import sum_to


def _same_dtype(a, b, what):
    if a._data.dtype != b._data.dtype:
        if what == "dot":
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{a.dtype.scalar_name} and {b.dtype.scalar_name}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.c_name} != {b.dtype.c_name}")


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
        ctx.save_for_backward(a, b)
        return np.asarray(np.dot(x, y))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return ta.dot(b) + a.dot(tb)


def _mm_in_layout_of(x, y, like):
    """``x @ y``, stored in memory the way ``like`` is (row- or column-major).

    torch hands each input a gradient with the input's own memory layout. For ``x @ W.T`` this
    makes W's gradient row-major like W itself, so the optimizer's updates run over contiguous
    memory instead of striding through a transposed view.
    """
    flags = like._data.flags
    if flags.f_contiguous and not flags.c_contiguous:
        return y.t().mm(x.t()).t()
    return x.mm(y)


class Mm(Function):
    node_name = "MmBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if x.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if y.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({x.shape[0]}x{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
        _same_dtype(a, b, "mm")
        ctx.save_for_backward(a, b)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (_mm_in_layout_of(g, b.t(), a) if need[0] else None,
                _mm_in_layout_of(a.t(), g, b) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
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
        ctx.save_for_backward(m, v)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (outer(g, v) if need[0] else None), (m.t().mv(g) if need[1] else None)

    @staticmethod
    def jvp(ctx, tm, tv):
        m, v = ctx.saved_tensors
        return tm.mv(v) + m.mv(tv)


class BatchedMatmul(Function):
    """``a @ b`` for inputs with batch dimensions (broadcast like numpy's matmul)."""

    node_name = "BmmBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        _same_dtype(a, b, "mm")
        ctx.save_for_backward(a, b)
        try:
            return np.matmul(a._data, b._data)
        except ValueError:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"{list(a._data.shape[:-2]) + [a._data.shape[-1]]} but got: "
                               f"{list(b._data.shape[:-1])}.") from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to(g @ b.mT, a._data.shape) if need[0] else None,
                sum_to(a.mT @ g, b._data.shape) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return ta @ b + a @ tb


class Addmm(Function):
    """``beta * input + alpha * (mat1 @ mat2)``: what nn.Linear computes on a batch, in one node."""

    node_name = "AddmmBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, input, mat1, mat2, beta=1, alpha=1):
        product = Mm.forward(ctx, mat1, mat2)  # checks the shapes and saves (mat1, mat2)
        ctx.input_shape, ctx.beta, ctx.alpha = input._data.shape, beta, alpha
        out = product if alpha == 1 else product * alpha
        bias = input._data if beta == 1 else input._data * beta
        if bias.dtype == out.dtype and bias.ndim <= 2:  # into the new array: no second (n, p) one
            out += bias
            return out
        return out + bias

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        g_product = g if ctx.alpha == 1 else g * ctx.alpha
        return (sum_to(g if ctx.beta == 1 else g * ctx.beta, ctx.input_shape) if need[0] else None,
                _mm_in_layout_of(g_product, b.t(), a) if need[1] else None,
                _mm_in_layout_of(a.t(), g_product, b) if need[2] else None)

    @staticmethod
    def jvp(ctx, t_input, ta, tb, *_):
        a, b = ctx.saved_tensors
        out = ta.mm(b) + a.mm(tb)
        out = out if ctx.alpha == 1 else out * ctx.alpha
        return out + (t_input if ctx.beta == 1 else t_input * ctx.beta)


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
