"""Visible checks of chapter 04_vjp_jvp, and the case runners its hidden tests call.

Every case builds one test function twice from the same seeded numpy constants: with minigrad
tensors for the student's code, and with float64 torch tensors on `checks.device()` for the reference
(torch.autograd.functional / torch.func).
"""
import math

import numpy as np
import torch

from autograder import checks
from autograder.registry import exercise

CHAPTER = "04_vjp_jvp"

# References captured at import, before student code in the notebook can rebind them.
_torch_vjp = torch.autograd.functional.vjp
_torch_jacobian = torch.autograd.functional.jacobian
_torch_func_jvp = torch.func.jvp
_float = float


# ----------------------------------------------------------------------------- test functions
def _family(name, W):
    """A test function `x -> tensor` that runs on torch and minigrad tensors alike (W: constants)."""
    if name == "elementwise":          # any shape -> same shape
        return lambda x: x.sin() * x + x ** 2 * 0.5
    if name == "scalar":               # any shape -> 0-d
        return lambda x: (x * x.exp()).sum()
    if name == "matrix_tanh":          # (n,) -> (m,)
        return lambda x: (W @ x).tanh()
    if name == "mixed":                # (n,) -> (m,)
        return lambda x: (W @ (x.sin() * x)).exp() * 0.5 + (W @ x) ** 2
    raise ValueError(f"unknown test function family {name!r}")


def _both(name, in_shape, out_size, seed):
    """(f for minigrad, f for torch on device(), x as numpy) from one seed."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(out_size, in_shape[0])) / math.sqrt(in_shape[0]) if out_size else np.zeros(1)
    x = rng.normal(size=in_shape)
    return _family(name, checks.to_library(W, "minigrad")), _family(name, checks.to_library(W, "torch")), x


def _library_functions(*names):
    """torch's and minigrad's ready-made versions of what an exercise builds (vjp, jacobian, ...)."""
    import minigrad.autograd.functional as mg_functional

    owners = (torch.autograd.functional, torch.func, mg_functional)
    return [getattr(owner, name) for owner in owners for name in names if hasattr(owner, name)]


# ----------------------------------------------------------------------------- ex4_1
def vjp_case(vjp, family, in_shape, out_size=None, seed=0, requires_grad=False):
    """The student's `vjp` on minigrad tensors against torch.autograd.functional.vjp."""
    with checks.exercise("ex4_1"):
        f_mg, f_t, x_np = _both(family, in_shape, out_size, seed)
        x_t = checks.to_library(x_np, "torch")
        v_np = np.random.default_rng(seed + 1000).normal(size=tuple(f_t(x_t).shape))
        y_ref, g_ref = _torch_vjp(f_t, x_t, checks.to_library(v_np, "torch"))

        x = checks.to_library(x_np, "minigrad", requires_grad=requires_grad)
        stale = None
        if requires_grad:  # a leaf that already carries a gradient from earlier work
            stale = np.full(x_np.shape, 7.0)
            x.grad = checks.to_library(stale, "minigrad")
        with checks.forbid_calls(_library_functions("vjp"), "a library vjp function"):
            result = vjp(f_mg, x, checks.to_library(v_np, "minigrad"))

        checks.assert_pair(result, name="vjp(f, x, v)")
        y, g = result
        where = f"(x of shape {tuple(in_shape)}, f: {family})"
        checks.assert_close(y, y_ref, name=f"f(x) {where}", rtol=1e-5, atol=1e-6)
        checks.assert_close(g, g_ref, name=f"v^T J {where}", rtol=1e-5, atol=1e-6)
        for label, t in (("f(x)", y), ("v^T J", g)):
            checks.check(not getattr(t, "requires_grad", False),
                         f"the returned {label} still requires grad; return detached tensors (y.detach()) "
                         "so that no graph leaks out of vjp.")
        if stale is None:
            checks.check(x.grad is None, "vjp wrote into x.grad; x must stay unchanged (differentiate a "
                                         "fresh leaf made with x.detach().requires_grad_()).")
        else:
            checks.assert_close(x.grad, stale, name="x.grad (vjp must leave it as it was)")


@exercise(CHAPTER, "ex4_1", "vjp", points=2)
def check_ex4_1(vjp):
    """VJPs of a 3 -> 2 layer, an elementwise function and a scalar function; x is left unchanged."""
    vjp_case(vjp, "matrix_tanh", in_shape=(3,), out_size=2, seed=1)
    vjp_case(vjp, "elementwise", in_shape=(2, 3), seed=2)
    vjp_case(vjp, "scalar", in_shape=(4,), seed=3, requires_grad=True)


# ----------------------------------------------------------------------------- ex4_2 / ex4_4


def jacobian_case(jacobian_fn, family, n, m, seed=0, forward=False):
    """The student's m x n Jacobian (minigrad in and out) against torch.autograd.functional.jacobian."""
    import minigrad.autograd.forward_ad as mg_fwAD

    with checks.exercise("ex4_4" if forward else "ex4_2"):
        f_mg, f_t, x_np = _both(family, (n,), m, seed)
        J_ref = _torch_jacobian(f_t, checks.to_library(x_np, "torch"))
        calls = {"dual": 0}

        def f_spy(x):
            if mg_fwAD.unpack_dual(x).tangent is not None:
                calls["dual"] += 1
            return f_mg(x)

        with checks.forbid_calls(_library_functions("jacobian", "jacrev", "jacfwd"), "a library jacobian function"):
            J = jacobian_fn(f_spy, checks.to_library(x_np, "minigrad"))
        checks.assert_close(J, J_ref, name=f"the Jacobian of f: R^{n} -> R^{m} ({family})", rtol=1e-5, atol=1e-6)
        checks.check(not forward or calls["dual"] > 0,
                     "f was never called with a dual tensor; build each column by forward mode: inside "
                     "forward_ad.dual_level(), unpack_dual(f(make_dual(x, e_j))).tangent.")


@exercise(CHAPTER, "ex4_2", "jacobian_reverse", points=2)
def check_ex4_2(jacobian_reverse):
    """The 2 x 3 Jacobian of a small layer, and the 3 x 4 one of a mixed function."""
    jacobian_case(jacobian_reverse, "matrix_tanh", n=3, m=2, seed=11)
    jacobian_case(jacobian_reverse, "mixed", n=4, m=3, seed=12)


# ----------------------------------------------------------------------------- ex4_3
# Functions of a list x of 3 numbers, written once for a namespace `ns` with sin/cos/exp/log (the
# student's `dual`, or torch). Inputs are drawn in [0.5, 2] so that log and fractional powers exist.
DUAL_FUNCTIONS = {
    "add_sub": lambda ns, x: 2 + x[0] - x[1] * 3 - (1 - x[2]) + (x[0] - 0.5),
    "mul_div": lambda ns, x: x[0] * x[1] / x[2] + 1 / x[0] - x[1] / 2 + 3 * x[2],
    "neg_pow": lambda ns, x: -(x[0] ** 3) + x[1] ** 0.5 * x[2] ** -1 - (-x[2]) ** 2,
    "sin_cos": lambda ns, x: ns.sin(x[0] * x[1]) + ns.cos(x[2]) * x[0] - ns.cos(2 * x[1]),
    "exp_log": lambda ns, x: ns.exp(x[0] / 2) * ns.log(x[1] * x[1] + 1) - ns.log(x[2]),
    "all_ops": lambda ns, x: ns.sin(x[0] * x[1]) + x[2] ** 2 / (1 + x[0])
    - ns.exp(-x[1]) * ns.log(x[0] + x[2]) / ns.cos(x[2] / 4),
}


def dual_case(jvp_dual, dual, name, seed=0, as_tensors=False):
    """jvp_dual on DUAL_FUNCTIONS[name] against torch.func.jvp (float64 on device())."""
    with checks.exercise("ex4_3"):
        rng = np.random.default_rng(seed)
        x_np, u_np = rng.uniform(0.5, 2.0, size=3), rng.normal(size=3)
        fn = DUAL_FUNCTIONS[name]
        x_t, u_t = checks.to_library(x_np, "torch"), checks.to_library(u_np, "torch")
        value_ref, tangent_ref = _torch_func_jvp(lambda t: fn(torch, t), (x_t,), (u_t,))
        x_in, u_in = (x_t, u_t) if as_tensors else ([_float(v) for v in x_np], [_float(v) for v in u_np])
        result = jvp_dual(lambda xs: fn(dual, xs), x_in, u_in)

        where = f"for f = {name}" + (" with x and u given as 1-D tensors" if as_tensors else "")
        checks.assert_pair(result, name=f"jvp_dual {where}")
        for label, got, ref in (("f(x)", result[0], value_ref), ("J u", result[1], tangent_ref)):
            value = checks.assert_scalar_float(got, name=f"{label} {where}")
            checks.assert_close(value, _float(ref), name=f"{label} {where}", rtol=1e-9, atol=1e-12)


@exercise(CHAPTER, "ex4_3", "jvp_dual", points=3)
def check_ex4_3(jvp_dual):
    """Every operation of Dual and dual, one small function each, against torch.func.jvp.

    The test functions call `dual.sin` etc.: `dual` is the namespace defined next to jvp_dual.
    """
    dual = getattr(jvp_dual, "__globals__", {}).get("dual")
    checks.check(dual is not None, "define the namespace `dual` (sin, cos, exp, log) next to jvp_dual.")
    for name in DUAL_FUNCTIONS:
        dual_case(jvp_dual, dual, name, seed=5)


@exercise(CHAPTER, "ex4_4", "jacobian_forward", points=3)
def check_ex4_4(jacobian_forward):
    """The same Jacobians as ex4_2, and f must receive dual tensors."""
    jacobian_case(jacobian_forward, "matrix_tanh", n=3, m=2, seed=11, forward=True)
    jacobian_case(jacobian_forward, "mixed", n=4, m=3, seed=12, forward=True)
