"""Visible checks of chapter 03_higher_order: n-th derivatives, Hessian-vector products, Hessians.

The student's functions work on minigrad tensors; the references come from torch.autograd on
checks.device(). Test functions are written with methods both libraries share (``x.sin()``, ``*``,
``**``, ``.sum()``), so the same Python function runs on a minigrad and on a torch tensor.
"""
import torch

from .. import checks
from ..registry import exercise

CHAPTER = "03_higher_order"


def to_minigrad(t, requires_grad=False):
    """A minigrad float64 copy of the torch tensor ``t``."""
    import minigrad

    return minigrad.tensor(t.tolist(), dtype=minigrad.float64, requires_grad=requires_grad)


def to_reference(t, requires_grad=False):
    """A torch float64 copy of ``t`` on checks.device()."""
    return torch.tensor(t.tolist(), dtype=torch.float64, device=checks.device(), requires_grad=requires_grad)


# ------------------------------------------------------------------------------------------- ex3_1
def reference_nth_derivative(f, x0, n):
    """d^n f / dx^n at the float x0 by repeated torch.autograd.grad."""
    x = torch.tensor(x0, dtype=torch.float64, device=checks.device(), requires_grad=True)
    d = f(x)
    for _ in range(n):
        (d,) = torch.autograd.grad(d, x, create_graph=True)
    return d.detach()


def check_nth_derivative_at(nth_derivative, f, label, x0, n):
    import minigrad

    x = minigrad.tensor(x0, dtype=minigrad.float64, requires_grad=True)
    name = f"nth_derivative(f, x={x0}, n={n}) for f(x) = {label}"
    result = nth_derivative(f, x, n)
    checks.assert_close(result, reference_nth_derivative(f, x0, n), name=name)
    checks.check(x.grad is None, f"{name} left a gradient in x.grad: use minigrad.autograd.grad, which "
                                 "returns the derivative instead of accumulating it into .grad.")


@exercise(CHAPTER, "ex3_1", "nth_derivative", points=2)
def check_ex3_1(nth_derivative):
    cube = lambda x: x ** 3  # noqa: E731 (labels make messages readable)
    check_nth_derivative_at(nth_derivative, cube, "x**3", 2.0, 1)  # 12
    check_nth_derivative_at(nth_derivative, cube, "x**3", 2.0, 2)  # 12
    check_nth_derivative_at(nth_derivative, cube, "x**3", 1.0, 2)  # 6
    check_nth_derivative_at(nth_derivative, lambda x: x.sin() * x.exp(), "sin(x)*exp(x)", 0.5, 4)


# ------------------------------------------------------------------------------------------- ex3_2
def reference_hvp(f, x, v):
    """torch.autograd.functional.hvp(f, x, v)[1] on checks.device()."""
    return torch.autograd.functional.hvp(f, to_reference(x), to_reference(v))[1]


def check_hvp_on(hvp, f, label, x, v):
    """x, v: torch tensors (CPU, float64); the student's hvp gets minigrad copies."""
    mx, mv = to_minigrad(x), to_minigrad(v)
    name = f"hvp(f, x, v) for f(x) = {label} with x of shape {tuple(x.shape)}"
    result = hvp(f, mx, mv)
    checks.assert_is_tensor(result, name=name, library="minigrad")
    checks.assert_close(result, reference_hvp(f, x, v), name=name)
    checks.check(not mx.requires_grad and mx.grad is None,
                 f"{name} changed x (requires_grad or .grad): work on `x.detach().requires_grad_()` instead.")
    checks.assert_close(mx, x, name=f"x after {name} (it must not change)")


def quartic(x):
    """sum(x^4) + sum(x)^2 couples every pair of entries: its Hessian is dense."""
    return (x ** 4).sum() + x.sum() ** 2


def smooth(x):
    """sum(sin(x) * x^2): a Hessian that depends on x."""
    return (x.sin() * x * x).sum()


@exercise(CHAPTER, "ex3_2", "hvp", points=3)
def check_ex3_2(hvp):
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    check_hvp_on(hvp, quartic, "sum(x**4) + sum(x)**2", x, torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64))
    check_hvp_on(hvp, quartic, "sum(x**4) + sum(x)**2", x, torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64))
    check_hvp_on(hvp, smooth, "sum(sin(x) * x**2)", checks.randn(2, 3, seed=11), checks.randn(2, 3, seed=12))


# ------------------------------------------------------------------------------------------- ex3_3
def check_hessian_on(hessian, f, label, x):
    mx = to_minigrad(x)
    name = f"hessian(f, x) for f(x) = {label} with x of shape {tuple(x.shape)}"
    result = hessian(f, mx)
    checks.assert_is_tensor(result, name=name, library="minigrad")
    expected = torch.autograd.functional.hessian(f, to_reference(x))
    checks.assert_close(result, expected, name=name)


@exercise(CHAPTER, "ex3_3", "hessian", points=2)
def check_ex3_3(hessian):
    check_hessian_on(hessian, quartic, "sum(x**4) + sum(x)**2", torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))
    check_hessian_on(hessian, smooth, "sum(sin(x) * x**2)", checks.randn(2, 2, seed=21))
