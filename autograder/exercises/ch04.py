"""Chapter 04_vjp_jvp: VJPs, Jacobians by reverse and by forward mode, dual numbers.

Every test function is plain data in the case: a name from a catalog below, and its constants (a
matrix W as nested lists, x, v or u) drawn from the seed. ``run`` builds it with minigrad (or, for
dual numbers, with the student's ``dual`` namespace) in the kernel; ``reference`` builds it again
with torch, in float64 on ``device()``, and asks torch.autograd.functional / torch.func. What the
kernel sees besides the results (``x.grad`` after the call, library functions that ran, whether ``f``
got dual tensors or the student's Dual numbers) comes back as data and is judged in ``compare``.
"""
from __future__ import annotations

import math

import numpy as np

from ..i18n import _
from .base import MISSING, Exercise, register
from .ch03 import (BACKWARD_PASS, Watch, check_no_library, check_x_unchanged, expect_value, minigrad_tensor,
                   pick, raised_with_hint, shape_of)
from .expect import DOUBLE, all_close, check, describe, expect_items, expect_number, expect_tensor, fail
from .reference import rng, tensor
from .values import encode

CHAPTER = "04_vjp_jvp"
STALE = 7.0   # the gradient an x that requires grad already holds in the checks


# ------------------------------------------------------------------------------------ test functions
# Functions of a tensor: (formula, builder(x, W)). W is the case's matrix as a tensor of x's library.
MAP_FUNCTIONS = {
    "elementwise": ("sin(x)·x + x²/2", lambda x, W: x.sin() * x + x ** 2 * 0.5),   # any shape -> same shape
    "scalar": ("sum(x·exp(x))", lambda x, W: (x * x.exp()).sum()),                   # any shape -> 0-d
    "layer": ("tanh(W x)", lambda x, W: (W @ x).tanh()),                               # (n,) -> (m,)
    "mixed": ("exp(W (sin(x)·x))/2 + (W x)²", lambda x, W: (W @ (x.sin() * x)).exp() * 0.5 + (W @ x) ** 2),
}
WITH_MATRIX = ("layer", "mixed")


def map_case(function, shape, m, seed, **extra):
    """A case: the function's name, W (m x n, for the matrix functions) and x, as nested lists."""
    r = rng(seed)
    function = pick(WITH_MATRIX, function, r)
    shape = tuple(shape)
    W = None
    if function in WITH_MATRIX:
        W = np.round(r.normal(size=(m, shape[0])) / math.sqrt(shape[0]), 3).tolist()
    return {"function": function, "W": W, "x": np.round(r.normal(size=shape), 3).tolist(), **extra}


def map_function(case, lib):
    """The case's function for ``lib`` ('minigrad' in the kernel, 'torch' in the judge)."""
    W = case["W"]
    if W is not None:
        W = minigrad_tensor(W) if lib == "minigrad" else tensor(W)
    build = MAP_FUNCTIONS[case["function"]][1]
    return lambda x: build(x, W)


def describe_map(case):
    """'f(x) = tanh(W x), x of shape (3,), W of shape (2, 3)'."""
    f = MAP_FUNCTIONS[case["function"]][0]
    if case["W"] is not None:
        return _("f(x) = {f}, x of shape {shape}, W of shape {w_shape}").format(
            f=f, shape=shape_of(case["x"]), w_shape=shape_of(case["W"]))
    return _("f(x) = {f}, x of shape {shape}").format(f=f, shape=shape_of(case["x"]))


def output_shape(case):
    if case["function"] in WITH_MATRIX:
        return (len(case["W"]),)
    return () if case["function"] == "scalar" else shape_of(case["x"])


# ------------------------------------------------------------------------------------------- ex4_1
VJP_FUNCTIONS = ("minigrad.autograd.functional.vjp", "minigrad.autograd.functional.jacobian",
                 "minigrad.autograd.functional.jvp", "torch.autograd.functional.vjp",
                 "torch.autograd.functional.jacobian", "torch.func.vjp", "torch.func.jacrev")


@register
class Vjp(Exercise):
    """``vjp(f, x, v)``: (f(x), vᵀJ) by one backward pass with ``gradient=v``; x is left as it was."""

    chapter, id, names, points = CHAPTER, "ex4_1", ("vjp",), 2
    visible = [dict(function="layer", shape=(3,), m=2, seed=1),
               dict(function="elementwise", shape=(2, 3), seed=2),
               dict(function="scalar", shape=(4,), seed=3),
               dict(function="layer", shape=(4,), m=3, seed=4, requires_grad=True),
               dict(function="layer", shape=(3,), m=3, seed=5)]

    def case(self, function="layer", shape=(3,), m=2, requires_grad=False, seed=0):
        case = map_case(function, shape, m, seed, requires_grad=bool(requires_grad))
        case["v"] = np.round(rng(seed + 1).normal(size=output_shape(case)), 3).tolist()
        return case

    def label(self, case):
        if case["requires_grad"]:
            return _("vjp(f, x, v) for {f} (x requires grad and already holds a gradient)").format(f=describe_map(case))
        return _("vjp(f, x, v) for {f}").format(f=describe_map(case))

    def run(self, case, vjp):
        x = minigrad_tensor(case["x"], requires_grad=case["requires_grad"])
        if case["requires_grad"]:
            x.grad = minigrad_tensor(np.full(shape_of(case["x"]), STALE))
        with Watch(VJP_FUNCTIONS) as seen:
            result = vjp(map_function(case, "minigrad"), x, minigrad_tensor(case["v"]))
        return {"result": encode(result), "x_grad": encode(x.grad), "x_requires_grad": encode(x.requires_grad),
                "x_after": encode(x), "calls": encode(seen.library())}

    def reference(self, case):
        import torch

        f, x, v = map_function(case, "torch"), tensor(case["x"]), tensor(case["v"])
        y, g = torch.autograd.functional.vjp(f, x, v)
        ones = torch.autograd.functional.vjp(f, x, torch.ones_like(v))[1]
        data = {"y": encode(y), "vjp": encode(g), "ones_vjp": encode(ones)}
        if v.shape == x.shape:  # then J v, the JVP, is what multiplying from the wrong side gives
            data["jvp"] = encode(torch.func.jvp(f, (x,), (v,))[1])
        return data

    def raised(self, case, error):
        return raised_with_hint(self, case, error, [
            ("grad can be implicitly created only for scalar outputs",
             _("f(x) has several elements: pass the vector as y.backward(gradient=v).")),
            ("does not require grad and does not have a grad_fn",
             _("f(x) has no graph because x does not require grad (these checks pass an x that does not): call f "
               "on a fresh leaf, x.detach().requires_grad_().")),
            ("Mismatch in shape", _("The gradient passed to backward must be shaped like f(x): pass v itself.")),
            ("requires_grad flags of leaf variables",
             _("A copy made with x.clone() from an x that requires grad is not a leaf, and backward would pass its "
               "gradient on into the caller's x. Make a fresh leaf with x.detach().requires_grad_().")),
            ("must match the size of tensor", _("v belongs inside the backward pass, y.backward(gradient=v): "
                                                "multiplying a gradient by v afterwards is not vᵀJ.")),
            ("different size than that of the original Tensor",
             _("Forward mode computes J u for a u shaped like x (a JVP); a VJP vᵀJ takes v shaped like f(x) and "
               "needs reverse mode: y.backward(gradient=v).")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        check_no_library(label, got, _("compute vᵀJ yourself, with one call of backward(gradient=v)."))
        check_x_unchanged(
            label, case, got, _("Call f on a fresh leaf made with x.detach().requires_grad_()."),
            _("Call f on a fresh leaf made with x.detach().requires_grad_(): x.requires_grad_() changes the caller's "
              "x, and x.clone() is not a leaf, so backward passes its gradient on to x."),
            stale=np.full(shape_of(case["x"]), STALE) if case["requires_grad"] else None)
        y, g = expect_items(got["result"], 2, label)
        y_want, g_want = want["y"].values(), want["vjp"].values()
        if y.kind == g.kind == "tensor" and y_want.shape != g_want.shape and y.values().shape == g_want.shape \
                and g.values().shape == y_want.shape:
            fail(_("{label} returned (vᵀJ, f(x)): return them in the order (f(x), vᵀJ).").format(label=label))
        name_y, name_g = _("f(x) from {label}").format(label=label), _("vᵀJ from {label}").format(label=label)
        if g.kind == "none":
            fail(_("{name} is None: the tensor whose .grad you read got no gradient. Read .grad of the leaf you "
                   "called f on (x = x.detach().requires_grad_(), then f(x)).").format(name=name_g))
        for name, item in ((name_y, y), (name_g, g)):
            expect_tensor(item, name, "minigrad")
            check(not item.requires_grad, _("{name} still requires grad (grad_fn={fn}): return tensors without a "
                                             "graph, e.g. y.detach().").format(name=name, fn=item.grad_fn))
        expect_value(y, y_want, name_y)
        slips = [(_("It equals 1ᵀJ, the VJP with v = ones: use the v you are given, y.backward(gradient=v)."),
                  want["ones_vjp"].values())]
        if "jvp" in want:
            slips.append((_("It equals J v, the JVP (forward mode). A VJP multiplies from the other side, vᵀJ: "
                            "y.backward(gradient=v)."), want["jvp"].values()))
        expect_value(g, g_want, name_g, slips)


# ------------------------------------------------------------------------------------- ex4_2 / ex4_4
JACOBIAN_FUNCTIONS = ("minigrad.autograd.functional.jacobian", "minigrad.autograd.functional.vjp",
                      "minigrad.autograd.functional.jvp", "torch.autograd.functional.jacobian",
                      "torch.autograd.functional.vjp", "torch.autograd.functional.jvp", "torch.func.jacrev",
                      "torch.func.jacfwd", "torch.func.vjp", "torch.func.jvp")
JACOBIAN_CASES = [dict(function="layer", n=3, m=2, seed=11), dict(function="mixed", n=4, m=3, seed=12),
                  dict(function="layer", n=2, m=4, seed=13)]


def spied(f):
    """``f``, counting its calls and the calls with a dual tensor (a tangent attached by forward mode)."""
    import minigrad.autograd.forward_ad as fwAD

    seen = {"calls": 0, "dual": 0}

    def f_spied(x):
        seen["calls"] += 1
        try:
            seen["dual"] += fwAD.unpack_dual(x).tangent is not None
        except Exception:  # not a minigrad tensor: f will say so itself
            pass
        return f(x)

    return f_spied, seen


class JacobianExercise(Exercise):
    """What ex4_2 (rows from m VJPs) and ex4_4 (columns from n JVPs) share: cases, run, reference."""

    visible = JACOBIAN_CASES

    def case(self, function="layer", n=3, m=2, seed=0):
        return map_case(function, (int(n),), int(m), seed)

    def label(self, case):
        return _("{name}(f, x) for {f}").format(name=self.answer, f=describe_map(case))

    def run(self, case, jacobian):
        f, seen = spied(map_function(case, "minigrad"))
        with Watch(JACOBIAN_FUNCTIONS + (BACKWARD_PASS,)) as watch:
            result = jacobian(f, minigrad_tensor(case["x"]))
        return {"result": encode(result), "calls": encode(watch.library()), "passes": encode(watch.passes()),
                "f_calls": encode(seen["calls"]), "dual_calls": encode(seen["dual"])}

    def reference(self, case):
        import torch

        return {"J": encode(torch.autograd.functional.jacobian(map_function(case, "torch"), tensor(case["x"])))}

    def compare_jacobian(self, case, got, want, slips, transposed):
        """The result is J (m x n): not its transpose, none of ``slips``."""
        label = self.label(case)
        result = expect_tensor(got["result"], label, "minigrad")
        J = want["J"].values()
        values = result.values()
        check(not (values.shape == J.T.shape and J.shape[0] != J.shape[1] and all_close(values, J.T, *DOUBLE)),
              _("{label} has shape {got}, the transpose of J ({m} x {n}): {why}").format(
                  label=label, got=values.shape, m=J.shape[0], n=J.shape[1], why=transposed))
        if values.shape != J.shape:
            fail(_("{label} has shape {got} but should have shape {want}: a Jacobian has one row per output "
                   "(m = {m}) and one column per input (n = {n}).").format(
                label=label, got=values.shape, want=J.shape, m=J.shape[0], n=J.shape[1]))
        expect_value(result, J, label, slips + [(_("It is the transpose of J: {why}").format(why=transposed), J.T)])


@register
class JacobianReverse(JacobianExercise):
    """``jacobian_reverse(f, x)``: the m x n Jacobian, row i = the VJP e_iᵀJ."""

    chapter, id, names, points = CHAPTER, "ex4_2", ("jacobian_reverse",), 2

    def raised(self, case, error):
        return raised_with_hint(self, case, error, [
            ("Mismatch in shape", _("Each v must be shaped like f(x): a one-hot e_i of size m = f(x).shape[0], one "
                                    "per output (row of J), not one per input.")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        check_no_library(label, got, _("build J yourself, one row per VJP."))
        check(got["dual_calls"].value == 0,
              _("{label} called f with dual tensors: that is forward mode (exercise 4.4). Build J here from m "
                "VJPs: row i is e_iᵀJ, one backward pass with gradient=e_i.").format(label=label))
        J = want["J"].values()
        self.compare_jacobian(case, got, want, [
            (_("The rows are running sums of the rows of J: the one-hot vector e_i must be zero except at entry "
               "i. Make a new one for each row."), np.cumsum(J, axis=0)),
            (_("Every row is 1ᵀJ: use the one-hot v = e_i for row i, not ones."),
             np.tile(J.sum(axis=0), (len(J), 1))),
        ], _("row i is the VJP e_iᵀJ, so stack the VJPs as rows (dim=0)."))


@register
class JacobianForward(JacobianExercise):
    """``jacobian_forward(f, x)``: the m x n Jacobian, column j = the JVP J e_j by minigrad's forward mode."""

    chapter, id, names, points = CHAPTER, "ex4_4", ("jacobian_forward",), 3

    def raised(self, case, error):
        return raised_with_hint(self, case, error, [
            ("dual_level context", _("Forward mode works only inside `with forward_ad.dual_level():`: make the "
                                     "dual tensors and unpack them inside that block.")),
            ("Nested forward mode", _("Enter `forward_ad.dual_level()` once, around the loop over the columns.")),
            ("different size than that of the original Tensor",
             _("Each tangent must be shaped like x: a one-hot e_j of size n = x.shape[0], one per input (column of "
               "J), not one per output.")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        check_no_library(label, got, _("build J yourself, one column per JVP with minigrad.autograd.forward_ad."))
        check(got["dual_calls"].value > 0,
              _("{label} never called f with a dual tensor: build each column by forward mode. Inside "
                "forward_ad.dual_level(), column j is unpack_dual(f(make_dual(x, e_j))).tangent.").format(label=label))
        passes = int(got["passes"].value)
        check(passes == 0, _("{label} ran {k} backward passes: that is reverse mode. Forward mode computes each column "
                             "during f's forward pass, with no backward at all.").format(label=label, k=passes))
        J = want["J"].values()
        n = J.shape[1]
        self.compare_jacobian(case, got, want, [
            (_("Every column equals f(x): unpack_dual(y) gives (primal, tangent), and the JVP is the tangent."),
             np.tile(want["y"].values().reshape(-1, 1), (1, n))),
            (_("The columns are running sums of the columns of J: the one-hot tangent e_j must be zero except "
               "at entry j. Make a new one for each column."), np.cumsum(J, axis=1)),
            (_("Every column is J·1: use the one-hot tangent u = e_j for column j, not ones."),
             np.tile(J.sum(axis=1, keepdims=True), (1, n))),
        ], _("column j is the JVP J e_j, so stack the JVPs as columns (dim=1)."))

    def reference(self, case):
        data = super().reference(case)
        data["y"] = encode(map_function(case, "torch")(tensor(case["x"])))
        return data


# ------------------------------------------------------------------------------------------- ex4_3
# Functions of a list x of numbers, written once for a namespace `ns` holding sin, cos, exp and log: the
# student's `dual` in the kernel, torch in the judge. (formula, number of inputs, function(ns, x)).
DUAL_FUNCTIONS = {   # the one-operation functions come first, in the order the skeleton builds them
    "add": ("x[0] + x[1]", 2, lambda ns, x: x[0] + x[1]),
    "mul": ("x[0] * x[1]", 2, lambda ns, x: x[0] * x[1]),
    "div": ("x[0] / x[1]", 2, lambda ns, x: x[0] / x[1]),
    "cube": ("x[0] ** 3", 1, lambda ns, x: x[0] ** 3),
    "sqrt": ("x[0] ** 0.5", 1, lambda ns, x: x[0] ** 0.5),
    "inverse_square": ("x[0] ** -2", 1, lambda ns, x: x[0] ** -2),
    "neg": ("-x[0]", 1, lambda ns, x: -x[0]),
    "sub": ("x[0] - x[1]", 2, lambda ns, x: x[0] - x[1]),
    "sin": ("sin(x[0])", 1, lambda ns, x: ns.sin(x[0])),
    "cos": ("cos(x[0])", 1, lambda ns, x: ns.cos(x[0])),
    "exp": ("exp(x[0])", 1, lambda ns, x: ns.exp(x[0])),
    "log": ("log(x[0])", 1, lambda ns, x: ns.log(x[0])),
    "numbers_right": ("x[0] * 2 - 0.5 + x[0] / 4", 1, lambda ns, x: x[0] * 2 - 0.5 + x[0] / 4),
    "number_plus": ("2 + x[0]", 1, lambda ns, x: 2 + x[0]),
    "number_minus": ("1 - x[0]", 1, lambda ns, x: 1 - x[0]),
    "number_times": ("3 * x[0]", 1, lambda ns, x: 3 * x[0]),
    "number_over": ("1 / x[0]", 1, lambda ns, x: 1 / x[0]),
    "chain": ("sin(x[0] * x[1]) + x[1] ** 2 / (1 + x[0])", 2,
              lambda ns, x: ns.sin(x[0] * x[1]) + x[1] ** 2 / (1 + x[0])),
    "exp_log": ("exp(x[0] / 2) * log(x[1] * x[1] + 1) - log(x[2])", 3,
                lambda ns, x: ns.exp(x[0] / 2) * ns.log(x[1] * x[1] + 1) - ns.log(x[2])),
    "powers": ("-(x[0] ** 3) + x[1] ** 0.5 * x[2] ** -1 - (-x[2]) ** 2", 3,
               lambda ns, x: -(x[0] ** 3) + x[1] ** 0.5 * x[2] ** -1 - (-x[2]) ** 2),
    "all_ops": ("sin(x[0] * x[1]) + x[2] ** 2 / (1 + x[0]) - exp(-x[1]) * log(x[0] + x[2]) / cos(x[2] / 4)", 3,
                lambda ns, x: ns.sin(x[0] * x[1]) + x[2] ** 2 / (1 + x[0])
                - ns.exp(-x[1]) * ns.log(x[0] + x[2]) / ns.cos(x[2] / 4)),
}
COMPOUND = ("chain", "exp_log", "powers", "all_ops")
CONTAINERS = ("list", "tuple", "torch", "minigrad")

def dual_slips(function):
    """Known slips of a one-operation test function: [(hint, wrong value or None, wrong tangent)], each a
    function of (a, a', b, b') = (x[0], u[0], x[1], u[1]). Built when a message is (so it is translated)."""
    chain = _("multiply by the incoming tangent a' (the chain rule): the tangent of g(a) is g'(a)·a'.")
    power = [(_("The power rule is (a^k)' = k·a^(k−1)·a': the factor k is missing."), lambda a, k: a ** (k - 1)),
             (_("The power rule is (a^k)' = k·a^(k−1)·a': the exponent must drop by one."),
              lambda a, k: k * a ** k),
             (_("The power rule is (a^k)' = k·a^(k−1)·a': {rule}").format(rule=chain), None)]

    def power_slips(k):
        return [(hint, None, (lambda a, da, b, db, g=g: g(a, k) * da) if g else
                 (lambda a, da, b, db: k * a ** (k - 1))) for hint, g in power]

    slips = {
        "add": [(_("The tangent of a + b is a' + b'."), None, lambda a, da, b, db: da)],
        "sub": [(_("The tangent of a − b is a' − b': subtract the tangents."), None, lambda a, da, b, db: da + db)],
        "mul": [(_("The product rule is (a·b)' = a'·b + a·b', not a'·b'."), None, lambda a, da, b, db: da * db),
                (_("The product rule is (a·b)' = a'·b + a·b': the term a·b' is missing."), None,
                 lambda a, da, b, db: da * b),
                (_("The product rule is (a·b)' = a'·b + a·b': the term a'·b is missing."), None,
                 lambda a, da, b, db: a * db)],
        "div": [(_("The quotient rule is (a/b)' = (a'·b − a·b')/b²: the sign is reversed."), None,
                 lambda a, da, b, db: (a * db - da * b) / b ** 2),
                (_("The quotient rule is (a/b)' = (a'·b − a·b')/b²: divide by b², not b."), None,
                 lambda a, da, b, db: (da * b - a * db) / b),
                (_("The quotient rule is (a/b)' = (a'·b − a·b')/b², not a'/b'."), None,
                 lambda a, da, b, db: da / db)],
        "neg": [(_("−(a, a') is (−a, −a'): negate the tangent too."), None, lambda a, da, b, db: da)],
        "cube": power_slips(3),
        "sqrt": power_slips(0.5),
        "inverse_square": power_slips(-2),
        "sin": [(_("(sin a)' = cos(a)·a': {rule}").format(rule=chain), None, lambda a, da, b, db: math.cos(a)),
                (_("(sin a)' = cos(a)·a', with a plus sign."), None, lambda a, da, b, db: -math.cos(a) * da)],
        "cos": [(_("(cos a)' = −sin(a)·a': the minus sign is missing."), None,
                 lambda a, da, b, db: math.sin(a) * da),
                (_("(cos a)' = −sin(a)·a': {rule}").format(rule=chain), None, lambda a, da, b, db: -math.sin(a))],
        "exp": [(_("(exp a)' = exp(a)·a': {rule}").format(rule=chain), None, lambda a, da, b, db: math.exp(a))],
        "log": [(_("(log a)' = a'/a: {rule}").format(rule=chain), None, lambda a, da, b, db: 1 / a),
                (_("(log a)' = a'/a, not a'·log(a)."), None, lambda a, da, b, db: da * math.log(a))],
        "number_minus": [(_("1 − x came out as x − 1: with a number on the left, Python calls x.__rsub__(1), "
                            "which must compute other − self."), lambda a, da, b, db: a - 1,
                          lambda a, da, b, db: da)],
        "number_over": [(_("1 / x came out as x / 1: with a number on the left, Python calls x.__rtruediv__(1), "
                           "which must compute other / self."), lambda a, da, b, db: a, lambda a, da, b, db: da)],
    }
    return slips.get(function, [])


def dual_hints():
    """Hints for the errors a Dual class raises (built when a message is, so that it is translated)."""
    lift = _("An operand is a plain number: lift it to a constant Dual(c, 0.0) first (Dual.lift(other)).")
    return [
        ("unsupported operand type", _("A plain number on the left (2 * d, 1 - d, 1 / d) makes Python call Dual's "
                                       "reflected method (__rmul__, __rsub__, __rtruediv__, __radd__): define them, "
                                       "and every operator of the table (+ - * / ** and unary -).")),
        ("bad operand type for unary", _("Define __neg__, so that -d works.")),
        ("must be real number, not Dual", _("math.sin and friends take a float: apply them to d.value, and build "
                                            "the tangent from the derivative rule.")),
        ("has no attribute 'value'", lift),
        ("has no attribute 'tangent'", lift),
    ]


def sixteenths(values):
    """Values rounded to multiples of 1/16, never 0: short to print, and exact in float32 tensors."""
    return [float(round(float(v) * 16) or 1) / 16 for v in values]


@register
class JvpDual(Exercise):
    """``jvp_dual(f, x, u)`` with the notebook's ``Dual`` class and ``dual`` namespace: (f(x), J u) as floats."""

    chapter, id, names, points = CHAPTER, "ex4_3", ("jvp_dual", "dual", "Dual"), 3
    visible = [dict(function=name, seed=1) for name in DUAL_FUNCTIONS if name not in COMPOUND] + [
        dict(function="chain", seed=14), dict(function="all_ops", inputs="tuple", seed=7),
        dict(function="powers", inputs="torch", seed=21), dict(function="exp_log", inputs="minigrad", seed=9)]

    def case(self, function="random", inputs="list", seed=0):
        r = rng(seed)
        function = pick(COMPOUND, function, r)
        inputs = pick(CONTAINERS, inputs, r)
        size = DUAL_FUNCTIONS[function][1]
        return {"function": function, "inputs": inputs, "x": sixteenths(r.uniform(0.5, 2.0, size)),
                "u": sixteenths(r.normal(size=size))}

    def label(self, case):
        if case["inputs"] == "tuple":
            text = _("jvp_dual(f, x={x}, u={u}) for f(x) = {f} (x and u as tuples)")
        elif case["inputs"] == "torch":
            text = _("jvp_dual(f, x={x}, u={u}) for f(x) = {f} (x and u as 1-D torch tensors)")
        elif case["inputs"] == "minigrad":
            text = _("jvp_dual(f, x={x}, u={u}) for f(x) = {f} (x and u as 1-D minigrad tensors)")
        else:
            text = _("jvp_dual(f, x={x}, u={u}) for f(x) = {f}")
        return text.format(x=case["x"], u=case["u"], f=DUAL_FUNCTIONS[case["function"]][0])

    @staticmethod
    def inputs(case):
        """x and u in the case's container (float32 tensors: torch's default dtype, holding them exactly)."""
        kind = case["inputs"]
        if kind in ("torch", "minigrad"):
            import importlib

            lib = importlib.import_module(kind)
            return lib.tensor(case["x"]), lib.tensor(case["u"])
        if kind == "tuple":
            return tuple(case["x"]), tuple(case["u"])
        return list(case["x"]), list(case["u"])

    def run(self, case, jvp_dual, dual=MISSING, Dual=MISSING):
        missing = [name for name, obj in (("dual", dual), ("Dual", Dual)) if obj is MISSING or obj is None]
        if missing:
            return {"missing": encode(missing)}
        build = DUAL_FUNCTIONS[case["function"]][2]
        seen = {"calls": 0, "duals": True, "returned": ""}

        def f(xs):
            seen["calls"] += 1
            seen["duals"] = seen["duals"] and isinstance(Dual, type) and all(isinstance(e, Dual) for e in xs)
            out = build(dual, xs)
            seen["returned"] = "Dual" if isinstance(Dual, type) and isinstance(out, Dual) else type(out).__name__
            return out

        x, u = self.inputs(case)
        result = jvp_dual(f, x, u)
        return {"result": encode(result), "calls": encode(seen["calls"]), "duals": encode(seen["duals"]),
                "returned": encode(seen["returned"])}

    def reference(self, case):
        import torch

        build = DUAL_FUNCTIONS[case["function"]][2]
        x = tuple(tensor(v) for v in case["x"])
        u = tuple(tensor(v) for v in case["u"])
        function = lambda *xs: build(torch, list(xs))  # noqa: E731
        value, tangent = torch.func.jvp(function, x, u)
        ones = torch.func.jvp(function, x, tuple(torch.ones_like(t) for t in u))[1]
        return {"value": encode(value.item()), "tangent": encode(tangent.item()), "tangent_ones": encode(ones.item())}

    def raised(self, case, error):
        return raised_with_hint(self, case, error, dual_hints())

    def compare(self, case, got, want):
        label = self.label(case)
        if "missing" in got:
            names = ", ".join(f"`{item.value}`" for item in got["missing"].items)
            fail(_("Not defined yet: {names}. Define the class `Dual` and the namespace `dual` (sin, cos, exp, log) "
                   "in the answer cell of exercise 4.3, and run that cell.").format(names=names))
        check(got["calls"].value > 0, _("{label}: jvp_dual never called f. Call it once, on the list of Dual numbers "
                                        "[Dual(x_i, u_i) for each i].").format(label=label))
        check(got["duals"].value, _("{label}: f was called with something other than your Dual numbers. Pass it a "
                                    "list with one Dual(x_i, u_i) per input.").format(label=label))
        returned = got["returned"].value
        check(returned == "Dual", _("{label}: f returned {type}, not a Dual: every operator of Dual and every function "
                                    "of dual must return a Dual.").format(label=label, type=returned))
        value, tangent = expect_items(got["result"], 2, label)
        names = (_("f(x) from {label}").format(label=label), _("J u from {label}").format(label=label))
        for name, item in zip(names, (value, tangent)):
            if item.kind == "tensor" and case["inputs"] in ("torch", "minigrad"):
                fail(_("{name} should be a Python float, but it is {what}. x and u may be 1-D tensors: turn each "
                       "entry into a float (float(x[i]), or x.tolist()) before building the Dual numbers.").format(
                    name=name, what=describe(item)))
            if item.kind == "other" and item.type.endswith("Dual"):
                fail(_("{name} should be a Python float, but it is a Dual: return the two floats out.value and "
                       "out.tangent.").format(name=name))
            expect_number(item, name)
        swapped = [want["tangent"].value, want["value"].value]
        if all_close(np.array([value.value, tangent.value]), np.array(swapped), *DOUBLE) \
                and not np.isclose(swapped[0], swapped[1]):
            fail(_("{label} returned (J u, f(x)): return them in the order (f(x), J u).").format(label=label))
        a, da = case["x"][0], case["u"][0]
        b, db = (case["x"][1], case["u"][1]) if len(case["x"]) > 1 else (0.0, 0.0)
        slips = dual_slips(case["function"])
        expect_value(value, want["value"].value, names[0],
                     [(hint, wrong(a, da, b, db)) for hint, wrong, _tangent in slips if wrong is not None])
        expect_value(tangent, want["tangent"].value, names[1],
                     [(hint, wrong(a, da, b, db)) for hint, _value, wrong in slips] + [
                         (_("It equals J·1, the tangent for u = ones: seed input i with its own direction, "
                            "Dual(x[i], u[i])."), want["tangent_ones"].value)])


check_ex4_1, check_ex4_2, check_ex4_3, check_ex4_4 = Vjp, JacobianReverse, JvpDual, JacobianForward
