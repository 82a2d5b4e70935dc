"""Visible checks of chapter 05_custom_function, and the case runners its hidden tests call.

References are computed with torch (autograd, torch.softmax) in float64 on `checks.device()`.
The Softmax checks watch what the student's Function does while it runs:
- for torch, a TorchDispatchMode sees every ATen operation, however it was reached (torch.softmax,
  F.softmax, Tensor.softmax, nn.Softmax, log_softmax(...).exp() all end in `_softmax`/`_log_softmax`),
  and the size of every intermediate tensor (a d x d Jacobian per row is bigger than the input);
- for minigrad, a profile hook catches calls of minigrad's own softmax functions, and a wrapper around
  Function.apply (every minigrad operation goes through it) sees the size of every tensor made.
"""
import contextlib

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from autograder import checks
from autograder.registry import exercise

CHAPTER = "05_custom_function"

_torch_softmax = torch.softmax
_torch_grad = torch.autograd.grad
_torch_gradcheck = torch.autograd.gradcheck
_TorchFunction = torch.autograd.Function
_issubclass = issubclass
_isinstance = isinstance
_type = type

# ATen operations a hand-written softmax must not use.
_BUILTIN_SOFTMAX_OPS = {"_softmax", "softmax", "_log_softmax", "log_softmax", "_safe_softmax",
                        "_softmax_backward_data", "_log_softmax_backward_data"}


# ----------------------------------------------------------------------------- ex5_1
def _numerical_family(name):
    """Scalar test functions of a float64 torch tensor; the exact central difference of 'cubic'
    with step eps is 3x^2 + eps^2, which tells central from one-sided differences and checks eps is used."""
    if name == "exp_mix":
        return lambda t: (2 * t).exp().sum() + (t.sin() * t).sum()
    if name == "logsumexp":
        return lambda t: 3 * t.exp().sum().log() + (t ** 2).mean()
    if name == "cubic":
        return lambda t: (t ** 3).sum()
    raise ValueError(f"unknown function family {name!r}")


def numerical_gradient_case(numerical_gradient, family, shape, seed=0, eps=None):
    """The student's central differences against torch.autograd.grad (+ eps^2 for 'cubic')."""
    with checks.exercise("ex5_1"):
        f = _numerical_family(family)
        x = checks.randn(tuple(shape), seed=seed).to(checks.device())
        x_before = x.clone()
        x_ref = x.clone().requires_grad_(True)
        (expected,) = _torch_grad(f(x_ref), x_ref)
        step = 1e-6 if eps is None else eps
        if family == "cubic":
            expected = expected + step ** 2  # what exact central differences give for t**3
        result = numerical_gradient(f, x) if eps is None else numerical_gradient(f, x, eps=eps)

        where = f"(f = {family}, x of shape {tuple(shape)}{'' if eps is None else f', eps={eps}'})"
        checks.assert_is_tensor(result, name=f"numerical_gradient {where}", library="torch")
        checks.check(result.dtype == torch.float64,
                     f"the result has dtype {result.dtype}; build it like x (torch.zeros_like(x)) so "
                     "that it stays float64.")
        checks.check(result.device == x.device, f"the result is on {result.device} but x is on {x.device}.")
        checks.assert_close(x, x_before, name="x after numerical_gradient (it must be left unchanged)",
                            rtol=0, atol=0)
        hint = ("\nCentral differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), with the eps given, agree "
                "with autograd to about 1e-9 here; one-sided differences only to about 1e-6."
                + ("" if eps is None else " With eps=1e-2, central differences of t**3 give exactly 3t^2 + eps^2."))
        try:
            checks.assert_close(result, expected, name=f"numerical_gradient {where}", rtol=1e-7, atol=1e-8)
        except AssertionError as error:
            raise AssertionError(str(error) + hint) from None


@exercise(CHAPTER, "ex5_1", "numerical_gradient", points=2)
def check_ex5_1(numerical_gradient):
    """A 2 x 2 input with the default eps, and a cubic with eps=1e-2 (central, not one-sided)."""
    numerical_gradient_case(numerical_gradient, "exp_mix", shape=(2, 2), seed=1)
    numerical_gradient_case(numerical_gradient, "cubic", shape=(4,), seed=2, eps=1e-2)


# ----------------------------------------------------------------------------- ex5_2 / ex5_3
class _AtenRecorder(TorchDispatchMode):
    """Records the name of every ATen operation and the largest tensor any of them produced."""

    def __init__(self):
        super().__init__()
        self.ops = set()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self.ops.add(func.overloadpacket.__name__)
        for t in tree_flatten(out)[0]:
            if _isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return out


def _check_is_function(cls, base, base_name):
    checks.check(_isinstance(cls, _type) and _issubclass(cls, base),
                 f"it should be a class deriving from {base_name}, but it is {checks.describe(cls)}.")


def _minigrad_softmaxes():
    """minigrad's own softmax functions and ops, which ex5_3 must not call.

    Tensor.softmax is not listed: minigrad's Tensor methods share one wrapper (whose code object
    every method has), and each ends in one of the functions listed here.
    """
    import minigrad
    import minigrad.nn.functional
    import minigrad.ops.activation as activation

    funcs = [getattr(module, name) for module in (minigrad, minigrad.nn.functional, activation)
             for name in ("softmax", "log_softmax") if hasattr(module, name)]
    for op in vars(activation).values():
        if isinstance(op, type) and issubclass(op, minigrad.autograd.Function) and "forward" in vars(op):
            funcs.append(op.forward)
    return funcs


@contextlib.contextmanager
def _minigrad_largest_tensor():
    """Record the largest tensor any minigrad operation makes inside the block.

    Every minigrad operation goes through ``Function.apply``, which is wrapped for the duration.
    """
    import minigrad

    base = minigrad.autograd.Function
    original = base.__dict__["apply"]
    record = {"largest": 0}

    def apply(cls, *args):
        out = original.__func__(cls, *args)
        for t in out if _isinstance(out, tuple) else (out,):
            if _isinstance(t, minigrad.Tensor):
                record["largest"] = max(record["largest"], t.numel())
        return out

    base.apply = classmethod(apply)
    try:
        yield record
    finally:
        base.apply = original


def softmax_case(cls, library, shape, seed=0, scale=1.0, dtype="float64", row_offset=0.0):
    """The student's softmax Function (torch or minigrad) against torch.softmax: values and gradients.

    row_offset: row r of the last dimension is shifted by r * row_offset (rows far apart: a max taken
    over the whole tensor instead of each row underflows).
    """
    ex = "ex5_2" if library == "torch" else "ex5_3"
    with checks.exercise(ex):
        if library == "torch":
            _check_is_function(cls, _TorchFunction, "torch.autograd.Function")
        else:
            import minigrad

            _check_is_function(cls, minigrad.autograd.Function, "minigrad.autograd.Function")
        x_np = checks.randn(tuple(shape), seed=seed).numpy() * scale
        if row_offset:
            rows = np.arange(int(np.prod(shape[:-1]))).reshape(tuple(shape[:-1]) + (1,))
            x_np = x_np + row_offset * rows
        g_np = checks.randn(tuple(shape), seed=seed + 1).numpy()
        torch_dtype = getattr(torch, dtype)
        x_ref = checks.to_library(x_np, "torch", dtype=torch_dtype, requires_grad=True)
        s_ref = _torch_softmax(x_ref, -1)
        (grad_ref,) = _torch_grad(s_ref, x_ref, checks.to_library(g_np, "torch", dtype=torch_dtype))
        where = f"for an input of shape {tuple(shape)}" + (f" and magnitude {scale:g}" if scale != 1 else "") \
            + (f" ({dtype})" if dtype != "float64" else "") + (f" with rows {row_offset:g} apart" if row_offset else "")

        if library == "torch":
            x = checks.to_library(x_np, "torch", dtype=torch_dtype, requires_grad=True)
            forward_ops, backward_ops = _AtenRecorder(), _AtenRecorder()
            with forward_ops:
                s = cls.apply(x)
            checks.assert_is_tensor(s, name=f"the output {where}", library="torch")
            with backward_ops:
                (grad,) = _torch_grad(s, x, checks.to_library(g_np, "torch", dtype=torch_dtype))
            used = (forward_ops.ops | backward_ops.ops) & _BUILTIN_SOFTMAX_OPS
            checks.check(not used, f"your Function used PyTorch's softmax ({sorted(used)[0] if used else ''}); "
                                   "compute it yourself with exp, max and sum.")
            node = s.grad_fn
            checks.check(node is not None and getattr(node, "_forward_cls", None) is cls,
                         f"the output's grad_fn is {node!r}, not the node of your Function: return the "
                         "result of forward as computed, so that backward is yours.")
            largest = backward_ops.largest
        else:
            x = checks.to_library(x_np, "minigrad", requires_grad=True)
            with checks.forbid_calls(_minigrad_softmaxes(), "minigrad's built-in softmax"):
                s = cls.apply(x)
                checks.assert_is_tensor(s, name=f"the output {where}", library="minigrad")
                checks.check(getattr(s.grad_fn, "_fn", None) is cls,
                             f"the output's grad_fn is {s.grad_fn!r}, not the node of your Function: return "
                             "the result of forward as computed, so that backward is yours.")
                with _minigrad_largest_tensor() as backward_tensors:
                    s.backward(checks.to_library(g_np, "minigrad"))
            grad = x.grad
            largest = backward_tensors["largest"]

        checks.check(shape[-1] < 2 or largest <= x.numel(),
                     f"backward created a tensor of {largest} elements for an input of {x.numel()}: that is "
                     "the d x d Jacobian. Use s * (g - (s * g).sum(-1, keepdim=True)).")
        rtol, atol = (1e-4, 1e-6) if dtype == "float32" else (1e-7, 1e-10)
        checks.assert_close(s, s_ref, name=f"softmax {where}", rtol=rtol, atol=atol)
        checks.assert_close(grad, grad_ref, name=f"the gradient {where}", rtol=rtol, atol=atol)


def softmax_gradcheck(cls, shape, seed=0):
    """torch.autograd.gradcheck of the student's torch Function in float64."""
    with checks.exercise("ex5_2"):
        x = checks.randn(tuple(shape), seed=seed).to(checks.device()).requires_grad_(True)
        ok = _torch_gradcheck(cls.apply, (x,), eps=1e-6, atol=1e-5, raise_exception=False)
        checks.check(ok is True, f"torch.autograd.gradcheck failed for an input of shape {tuple(shape)}: "
                                 "backward disagrees with finite differences of forward.")


@exercise(CHAPTER, "ex5_2", "MySoftmax", points=4)
def check_ex5_2(MySoftmax):
    """1-D, 2-D and 3-D inputs, magnitude 1e3, gradients, and gradcheck."""
    softmax_case(MySoftmax, "torch", shape=(2, 3), seed=1)
    softmax_case(MySoftmax, "torch", shape=(4,), seed=2, scale=1e3)
    softmax_case(MySoftmax, "torch", shape=(2, 2, 3), seed=3)
    softmax_case(MySoftmax, "torch", shape=(3, 64), seed=4)
    softmax_gradcheck(MySoftmax, shape=(2, 3), seed=5)


@exercise(CHAPTER, "ex5_3", "Softmax", points=3)
def check_ex5_3(Softmax):
    """The same shapes for minigrad, against torch."""
    softmax_case(Softmax, "minigrad", shape=(2, 3), seed=1)
    softmax_case(Softmax, "minigrad", shape=(4,), seed=2, scale=1e3)
    softmax_case(Softmax, "minigrad", shape=(2, 2, 3), seed=3)
