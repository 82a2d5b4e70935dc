"""Chapter 03_higher_order: n-th derivatives, Hessian-vector products, Hessians.

The student's functions work on float64 minigrad tensors; references come from torch.autograd in
float64 on ``device()``. Every test function is plain data in the case (a name from a catalog below
and constants drawn from the seed) and is built twice from it: with minigrad in the kernel (``run``)
and with torch in the judge (``reference``). The catalogs use only what both libraries share
(``x.sin()``, ``*``, ``**``, ``.sum()``, ``@``), so one builder serves both.

What the kernel sees besides the answer's result (``x.grad`` and ``x.requires_grad`` after the call,
library functions and backward passes that ran) comes back as data and is judged in ``compare``.
The helpers in the first section are shared with chapter 04.
"""
from __future__ import annotations

import importlib
import inspect
import sys

import numpy as np

from ..i18n import _
from .base import Exercise, register
from .expect import DOUBLE, CheckFailed, all_close, check, describe, expect_tensor, fail, mismatch, with_hint
from .reference import rng, tensor
from .values import encode

CHAPTER = "03_higher_order"
BACKWARD_PASS = "minigrad.autograd.engine.run_backward"   # every backward() and autograd.grad runs it once
NO_GRAPH = "does not require grad and does not have a grad_fn"
NOT_USED = "appears to not have been used in the graph"
NO_GRAD_INPUT = "One of the differentiated Tensors does not require grad"
_setprofile, _getprofile = sys.setprofile, sys.getprofile   # before any student code can rebind them


# ------------------------------------------------------------------------------ shared with chapter 04
def minigrad_tensor(data, requires_grad=False):
    """A float64 minigrad tensor from plain data (the kernel's side of a case)."""
    import minigrad

    return minigrad.tensor(data, dtype=minigrad.float64, requires_grad=requires_grad)


def formula(catalog, case):
    """The case's test function as a formula, constants filled in: 'tanh(0.7·x)'."""
    return catalog[case["function"]][0].format(**{k: f"{v:.3g}" for k, v in case.get("consts", {}).items()
                                                  if not isinstance(v, list)})


def pick(catalog_names, function, r):
    """``function``, or one name drawn from ``catalog_names`` when it is 'random'."""
    return str(r.choice(list(catalog_names))) if function == "random" else function


def shape_of(data) -> tuple:
    return tuple(np.shape(data))


class Watch:
    """Which of the named functions run inside ``with Watch(names) as seen:`` (an observation in the kernel).

    A profile hook sees every Python call, matched by code object, so an alias or a ``from ... import``
    copy of a watched function counts too. ``seen.calls`` lists the watched names, in call order.
    Names that do not resolve (a library without that function) are skipped.
    """

    def __init__(self, names):
        self.codes, self.calls = {}, []
        for name in names:
            module, attribute = name.rsplit(".", 1)
            try:
                function = inspect.unwrap(getattr(importlib.import_module(module), attribute))
                self.codes[function.__code__] = name
            except Exception:  # not there in this version of the library, or not a Python function
                continue

    def __enter__(self):
        self._previous = _getprofile()
        codes, calls = self.codes, self.calls

        def profile(frame, event, arg):
            if event == "call" and frame.f_code in codes:
                calls.append(codes[frame.f_code])

        _setprofile(profile)
        return self

    def __exit__(self, *exc):
        _setprofile(self._previous)
        return False

    def library(self):
        """The watched library functions that ran (backward passes left out), each once."""
        return sorted({name for name in self.calls if name != BACKWARD_PASS})

    def passes(self):
        return self.calls.count(BACKWARD_PASS)


def expect_value(v, want, name, slips=(), close_hint=None):
    """``v`` equals ``want`` to float64 precision; otherwise the mismatch, with the likeliest mistake.

    slips: ``(hint, values)`` pairs, what a known mistake gives on this case (computed by the
    trusted reference); the first one ``v`` matches names the mistake. close_hint: said when ``v`` is a
    float64 result within 1% of ``want``'s largest entry everywhere (an approximation, such as finite
    differences).
    """
    __tracebackhide__ = True

    def slip(got):
        """The hint of the first slip that ``got`` matches, or None."""
        for hint, values in slips:
            values = np.asarray(values, dtype=np.float64)
            if values.shape == got.shape and all_close(got, values, *DOUBLE):
                return hint
        return None

    try:
        found = mismatch(v, want, name, rtol=DOUBLE[0], atol=DOUBLE[1])
    except CheckFailed as failure:  # the wrong kind or shape: a slip of that shape may still name the mistake
        hint = slip(v.values()) if v.kind == "tensor" else None
        if hint is None:
            raise
        fail(with_hint(str(failure), hint))
    if found is None:
        return
    report, general_hint = found
    got = v.values()
    hint = slip(got)
    if hint is not None:
        fail(with_hint(report, hint))
    want = np.asarray(want, dtype=np.float64)
    # Within 1% of the scale, the only hint expect_close can give is float32 rounding; for a float64
    # result the likelier cause is an approximation, and close_hint says both.
    if close_hint and v.precision == "double" and got.shape == want.shape and np.all(np.isfinite(got)) \
            and np.all(np.abs(got - want) <= 1e-2 * np.max(np.abs(want)) + 1e-6):
        fail(with_hint(report, close_hint))
    fail(with_hint(report, general_hint))


def raised_with_hint(exercise, case, error, hints):
    """``Exercise.raised``'s message, plus the hint of the first ``(text in the error, hint)`` that applies."""
    message = Exercise.raised(exercise, case, error)
    for text, hint in hints:
        if text in error.error["message"]:
            return with_hint(message, hint)
    return message


def check_no_library(label, got, advice):
    """No watched library function ran in the kernel (``got["calls"]``, from ``Watch.library``)."""
    calls = [c.value for c in got["calls"].items]
    check(not calls, _("{label} called {calls}: {advice}").format(
        label=label, calls=", ".join(f"`{c}`" for c in calls), advice=advice))


def finite_differences_hint():
    return _("Your result is close but not exact. Finite differences are not exact (they trade truncation error "
             "against rounding error, and lose digits where the gradient is large): differentiate with autograd, "
             "which is exact to float64 precision. (If you did, look for a tensor in float32: everything here is "
             "float64.)")


# ------------------------------------------------------------------------------------------- ex3_1
# Scalar functions of a 0-d tensor: (formula with the case's constants, builder(x, constants)).
SCALAR_FUNCTIONS = {
    "cube": ("x³", lambda x, c: x ** 3),
    "sin_exp": ("sin(x)·exp(x)", lambda x, c: x.sin() * x.exp()),
    "tanh": ("tanh({a}·x)", lambda x, c: (x * c["a"]).tanh()),
    "exp_cos": ("exp({a}·x)·cos(x)", lambda x, c: (x * c["a"]).exp() * x.cos()),
    "log_square": ("log(x² + {a})", lambda x, c: (x ** 2 + c["a"]).log()),
    "sigmoid_square": ("sigmoid({a}·x)·x²", lambda x, c: (x * c["a"]).sigmoid() * x ** 2),
}
RANDOM_SCALAR = ("tanh", "exp_cos", "log_square", "sigmoid_square", "sin_exp")


@register
class NthDerivative(Exercise):
    """``nth_derivative(f, x, n)``: d^n f/dx^n at a 0-d minigrad tensor, by repeated autograd.grad."""

    chapter, id, names, points = CHAPTER, "ex3_1", ("nth_derivative",), 2
    visible = [dict(function="cube", x=2.0, n=1), dict(function="cube", x=2.0, n=2),
               dict(function="cube", x=1.0, n=2), dict(function="sin_exp", x=0.5, n=4),
               dict(function="tanh", a=0.7, x=0.3, n=3)]

    def case(self, function="random", x=None, n=None, a=None, low=-1.5, high=1.5, seed=0):
        r = rng(seed)
        function = pick(RANDOM_SCALAR, function, r)
        x = round(float(r.uniform(low, high)), 3) if x is None else float(x)
        n = int(r.integers(1, 4)) if n is None else int(n)
        a = round(float(r.uniform(0.5, 1.5)), 2) if a is None else float(a)
        return {"function": function, "consts": {"a": a}, "x": x, "n": n}

    def label(self, case):
        return _("nth_derivative(f, x={x:g}, n={n}) for f(x) = {f}").format(
            x=case["x"], n=case["n"], f=formula(SCALAR_FUNCTIONS, case))

    def run(self, case, nth_derivative):
        x = minigrad_tensor(case["x"], requires_grad=True)
        build = SCALAR_FUNCTIONS[case["function"]][1]
        result = nth_derivative(lambda t: build(t, case["consts"]), x, case["n"])
        return {"result": encode(result), "x_grad": encode(x.grad)}

    def reference(self, case):
        """The derivatives of orders 0 .. n+1 (for naming off-by-one mistakes)."""
        import torch

        x = tensor(case["x"], requires_grad=True)
        d = SCALAR_FUNCTIONS[case["function"]][1](x, case["consts"])
        orders = [d.item()]
        for _order in range(case["n"] + 1):
            d = torch.autograd.grad(d, x, create_graph=True)[0] if d.requires_grad else torch.zeros_like(d)
            orders.append(d.item())
        return {"orders": encode(orders)}

    def raised(self, case, error):
        return raised_with_hint(self, case, error, [
            (NO_GRAPH, _("The derivative you differentiated again has no graph. Pass create_graph=True to "
                         "autograd.grad, so that the gradient itself is recorded and can be differentiated "
                         "again.")),
            (NOT_USED, _("Differentiate with respect to the same tensor x that f was called with.")),
        ])

    def compare(self, case, got, want):
        label, n = self.label(case), case["n"]
        check(got["x_grad"].kind == "none",
              _("{label} left a gradient in x.grad ({what}): backward() accumulates into .grad. Use "
                "minigrad.autograd.grad, which returns the derivative and leaves x.grad alone.").format(
                  label=label, what=describe(got["x_grad"])))
        result = got["result"]
        if result.kind == "number":
            fail(_("{label} should return a 0-d minigrad tensor (what autograd.grad gives), but it returned "
                   "{what}. Return the tensor, not .item().").format(label=label, what=describe(result)))
        expect_tensor(result, label, "minigrad")
        orders = [item.value for item in want["orders"].items]
        slips = []
        if n >= 3:
            slips.append((_("It equals the first derivative: each step must differentiate the derivative from "
                            "the step before, not f(x) again."), orders[1]))
        slips += [
            (_("It equals derivative number {k}, one order too low: differentiate exactly n = {n} times, each "
               "time the derivative from the step before (f(x) itself is derivative number 0).").format(
                k=n - 1, n=n), orders[n - 1]),
            (_("It equals derivative number {k}, one order too high: differentiate exactly n = {n} times.").format(
                k=n + 1, n=n), orders[n + 1]),
        ]
        expect_value(result, orders[n], label, slips, close_hint=finite_differences_hint())


# ------------------------------------------------------------------------------------------- ex3_2
# Scalar functions of a tensor of any shape: (formula, builder(x, constants)).
FIELD_FUNCTIONS = {
    "quartic": ("sum(x⁴) + sum(x)²", lambda x, c: (x ** 4).sum() + x.sum() ** 2),
    "sin_square": ("sum(sin(x)·x²)", lambda x, c: (x.sin() * x * x).sum()),
    "logsumexp": ("log(sum(exp(x)))", lambda x, c: x.exp().sum().log()),
    # A large gradient (1e9 in every entry) next to strong curvature: differences of gradients lose digits
    # whatever the step, so finite differences miss the float64 tolerance; double backward is exact.
    "steep": ("1e9·sum(x) + sum(exp(3·x))", lambda x, c: x.sum() * 1e9 + (x * 3.0).exp().sum()),
}
RANDOM_FIELD = ("quartic", "sin_square", "logsumexp", "steep")
HESSIAN_FUNCTIONS = ("minigrad.autograd.functional.hessian", "minigrad.autograd.functional.hvp",
                     "minigrad.autograd.functional.vhp", "minigrad.autograd.functional.jacobian",
                     "torch.autograd.functional.hessian", "torch.autograd.functional.hvp",
                     "torch.autograd.functional.vhp", "torch.autograd.functional.jacobian",
                     "torch.func.hessian", "torch.func.jacrev", "torch.func.jacfwd")


def field_case(function, x, shape, requires_grad, seed, with_v=True):
    """A case of ex3_2 / ex3_3: the function, x (and v) as nested lists."""
    r = rng(seed)
    function = pick(RANDOM_FIELD, function, r)
    x = np.round(r.normal(size=shape), 3).tolist() if x is None else x
    case = {"function": function, "consts": {}, "x": x, "requires_grad": bool(requires_grad)}
    if with_v:
        case["v"] = np.round(r.normal(size=shape_of(x)), 3).tolist()
    return case


def field_function(case):
    build = FIELD_FUNCTIONS[case["function"]][1]
    return lambda t: build(t, case["consts"])


def watched_call(answer, case, *args):
    """Call ``answer(f, x, *args)`` on a fresh minigrad x; return what the kernel saw, as data."""
    x = minigrad_tensor(case["x"], requires_grad=case["requires_grad"])
    with Watch(HESSIAN_FUNCTIONS + (BACKWARD_PASS,)) as seen:
        result = answer(field_function(case), x, *args)
    return {"result": encode(result), "x_after": encode(x), "x_grad": encode(x.grad),
            "x_requires_grad": encode(x.requires_grad), "calls": encode(seen.library()),
            "passes": encode(seen.passes())}


def check_x_unchanged(label, case, got, leaf_advice, grad_advice, stale=None):
    """The caller's x keeps its values, its requires_grad flag and its .grad (None, or the ``stale``
    gradient the case gave it): a check of ex3_2, ex3_3 and ex4_1. The advice says how to avoid the change."""
    check(got["x_requires_grad"].value == case["requires_grad"],
          _("{label} changed x.requires_grad from {before} to {after}: the caller's x must stay as it was. "
            "{advice}").format(label=label, before=case["requires_grad"], after=got["x_requires_grad"].value,
                               advice=leaf_advice))
    x_grad = got["x_grad"]
    unchanged = x_grad.kind == "none" if stale is None else \
        x_grad.kind == "tensor" and all_close(x_grad.values(), np.asarray(stale), *DOUBLE)
    check(unchanged, _("{label} changed x.grad (it is now {what}): the caller's x must stay as it was. "
                       "{advice}").format(label=label, what=describe(x_grad), advice=grad_advice))
    after = got["x_after"]
    check(after.kind == "tensor" and all_close(after.values(), np.asarray(case["x"]), *DOUBLE),
          _("{label} changed the values of x: the caller's x must stay as it was.").format(label=label))


def check_x_kept(label, case, got):
    """check_x_unchanged with chapter 03's advice: a new leaf, and autograd.grad rather than backward."""
    check_x_unchanged(label, case, got, _("Differentiate with respect to a new leaf, x.detach().requires_grad_()."),
                      _("Use minigrad.autograd.grad, which returns gradients instead of accumulating them into "
                        ".grad."))


def field_hints():
    """Hints for the errors of hvp and hessian (built when a message is, so that it is translated)."""
    return [
        (NO_GRAPH, _("The tensor you differentiated has no graph. Either x does not require grad (these checks "
                     "pass an x that does not: differentiate with respect to x.detach().requires_grad_()), or the "
                     "gradient g was computed without create_graph=True, so it cannot be differentiated again.")),
        (NO_GRAD_INPUT, _("x does not require grad (these checks pass an x that does not): differentiate with "
                          "respect to a new leaf, x.detach().requires_grad_().")),
        (NOT_USED, _("Differentiate with respect to the same tensor that f was called with.")),
    ]


@register
class Hvp(Exercise):
    """``hvp(f, x, v)``: the Hessian-vector product by double backward, without forming the Hessian."""

    chapter, id, names, points = CHAPTER, "ex3_2", ("hvp",), 3
    visible = [dict(function="quartic", x=[1.0, -2.0, 0.5], v=[1.0, 0.0, 0.0]),
               dict(function="quartic", x=[1.0, -2.0, 0.5], v=[0.5, -1.0, 2.0]),
               dict(function="sin_square", shape=(2, 3), seed=11),
               dict(function="logsumexp", shape=(4,), seed=5, requires_grad=True),
               dict(function="steep", shape=(4,), seed=3)]

    def case(self, function="random", x=None, v=None, shape=(3,), requires_grad=False, seed=0):
        case = field_case(function, x, tuple(shape), requires_grad, seed)
        if v is not None:
            case["v"] = v
        return case

    def label(self, case):
        if case["requires_grad"]:
            text = _("hvp(f, x, v) for f(x) = {f}, x of shape {shape} that requires grad")
        else:
            text = _("hvp(f, x, v) for f(x) = {f}, x of shape {shape}")
        return text.format(f=formula(FIELD_FUNCTIONS, case), shape=shape_of(case["x"]))

    def run(self, case, hvp):
        return watched_call(hvp, case, minigrad_tensor(case["v"]))

    def reference(self, case):
        import torch

        f, v = field_function(case), tensor(case["v"])
        hv = torch.autograd.functional.hvp(f, tensor(case["x"]), v)[1]
        x = tensor(case["x"], requires_grad=True)
        (g,) = torch.autograd.grad(f(x), x, create_graph=True)
        (h_ones,) = torch.autograd.grad(g.sum(), x)
        return {"hv": encode(hv), "h_ones": encode(h_ones), "g": encode(g.detach())}

    def raised(self, case, error):
        return raised_with_hint(self, case, error, field_hints())

    def compare(self, case, got, want):
        label = self.label(case)
        check_no_library(label, got, _("compute Hv yourself, with two calls of autograd.grad."))
        check_x_kept(label, case, got)
        size = int(np.prod(shape_of(case["x"])))
        passes = int(got["passes"].value)
        check(passes <= 3, _("{label} ran {k} backward passes for an x of {n} entries: it builds the Hessian (or "
                             "much of it). Hv needs two passes whatever the size of x: one for g = ∇f with "
                             "create_graph=True, one for the gradient of g·v.").format(label=label, k=passes, n=size))
        result = expect_tensor(got["result"], label, "minigrad")
        g, v = want["g"].values(), np.asarray(case["v"])
        hv = want["hv"].values()
        expect_value(result, hv, label, [
            (_("It is the gradient g times v, entry by entry: that is no second derivative. Differentiate the "
               "scalar (g * v).sum() with respect to x a second time."), g * v),
            (_("It equals H·1: you differentiated g.sum(), which ignores v. Differentiate (g * v).sum()."),
             want["h_ones"].values()),
            (_("It equals g + Hv: backward() adds into .grad, so the first gradient is still there. Use "
               "minigrad.autograd.grad, which returns each gradient instead of accumulating it."), g + hv),
        ], close_hint=finite_differences_hint())


# ------------------------------------------------------------------------------------------- ex3_3
@register
class Hessian(Exercise):
    """``hessian(f, x)``: the full Hessian from hvp, shaped (*x.shape, *x.shape) like torch's."""

    chapter, id, names, points = CHAPTER, "ex3_3", ("hessian",), 2
    visible = [dict(function="quartic", x=[1.0, -2.0, 0.5]),
               dict(function="sin_square", shape=(2, 2), seed=21),
               dict(function="logsumexp", shape=(2, 3), seed=22)]

    def case(self, function="random", x=None, shape=(3,), requires_grad=False, seed=0):
        return field_case(function, x, tuple(shape), requires_grad, seed, with_v=False)

    def label(self, case):
        return _("hessian(f, x) for f(x) = {f}, x of shape {shape}").format(
            f=formula(FIELD_FUNCTIONS, case), shape=shape_of(case["x"]))

    def run(self, case, hessian):
        return watched_call(hessian, case)

    def reference(self, case):
        import torch

        return {"H": encode(torch.autograd.functional.hessian(field_function(case), tensor(case["x"])))}

    def raised(self, case, error):
        return raised_with_hint(self, case, error, field_hints() + [
            ("is invalid for input of size", _("x has x.numel() entries (not x.shape[0]): one basis vector e_i "
                                               "per entry, each reshaped like x.")),
            ("must match the size of tensor", _("Each basis vector e_i must have x's shape: pass "
                                                "e_i.reshape(x.shape) to hvp.")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        check_no_library(label, got, _("build the Hessian from your hvp, one basis vector e_i at a time."))
        check_x_kept(label, case, got)
        result = expect_tensor(got["result"], label, "minigrad")
        H = want["H"].values()
        shape, n = shape_of(case["x"]), int(np.prod(shape_of(case["x"])))
        got_shape = tuple(result.values().shape)
        check(got_shape == H.shape, _(
            "{label} has shape {got} but should have shape {want}: like torch.autograd.functional.hessian, the "
            "Hessian of an x of shape {x} has shape (*x.shape, *x.shape). Reshape the stacked rows to "
            "(*x.shape, *x.shape).").format(label=label, got=got_shape, want=H.shape, x=shape))
        flat = H.reshape(n, n)
        expect_value(result, H, label, [
            (_("Every row is H·1: each row needs its own basis vector e_i (1 at entry i, 0 elsewhere)."),
             np.tile(flat.sum(axis=1), (n, 1)).reshape(H.shape)),
            (_("Only the diagonal is right: row i is the whole vector H·e_i, not just its entry i."),
             np.diag(np.diag(flat)).reshape(H.shape)),
        ], close_hint=finite_differences_hint())


check_ex3_1, check_ex3_2, check_ex3_3 = NthDerivative, Hvp, Hessian
