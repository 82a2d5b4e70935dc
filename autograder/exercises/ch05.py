"""Chapter 05_custom_function: numerical gradients, Softmax as a custom Function (torch and minigrad), and
a Function that can be differentiated twice.

References come from torch (autograd, ``torch.softmax``, ``torch.tanh``) in float64 on ``device()``.
What the student's code does while it runs is observed in the kernel by ``run()`` and returned as data:
whether ``x`` was changed, which ATen operations a torch Function used (a ``TorchDispatchMode`` sees
``torch.softmax``, ``F.softmax``, ``Tensor.softmax``, ``nn.Softmax`` and ``log_softmax`` alike), the
largest tensor its backward made (a d×d Jacobian per row is bigger than the input), which of minigrad's
own softmax functions ran (a profile hook), what gradcheck said, and whether the first derivatives kept
a graph. ``compare()`` judges; the likely mistakes are simulated on the reference side to name them.

torch is imported inside functions only: this module is imported by the do-it-yourself run of other
chapters, where torch is a stand-in that refuses every use.
"""
from __future__ import annotations

import contextlib
import sys

import numpy as np

from ..i18n import _
from .base import Exercise, register
from .expect import (DOUBLE, SINGLE, all_close, check, describe, expect_close, expect_items, expect_tensor, fail,
                     with_hint)
from .reference import rng, tensor
from .values import encode, encode_error

CHAPTER = "05_custom_function"


# ------------------------------------------------------------------------------------------- shared
def _raised_with_hints(exercise: Exercise, case: dict, error, hints) -> str:
    """The usual message for an answer that raised, plus the hint of the first ``(text, hint)`` pair whose
    text occurs in the error."""
    message = Exercise.raised(exercise, case, error)
    if error.error["not_implemented"]:
        return message
    text = f"{error.error['type']}: {error.error['message']}"
    for pattern, hint in hints:
        if pattern in text:
            return with_hint(message, hint)
    return message


def _attempt(fn, *args, **kwargs):
    """``(fn(...), None)``, or ``(None, error data)`` when it raises; NotImplementedError still propagates
    (the blank exercise: "not attempted")."""
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        raise
    except Exception as error:
        return None, encode_error(error)


def _is_subclass(obj, base) -> bool:
    return isinstance(obj, type) and issubclass(obj, base)


def _not_a_function(name: str, base: str, got) -> str:
    return _("`{name}` should be a class deriving from {base}, but it is {what}.").format(
        name=name, base=base, what=got.value if got.kind == "str" else describe(got))


@contextlib.contextmanager
def _calls_of(functions):
    """Record the names of ``functions`` that run inside the block, however they were reached.

    A profile hook sees every Python call (matched by code object, so aliases and copies count) and
    every builtin call (matched by identity). Decorated functions are matched by their innermost
    ``__wrapped__`` function: decorator wrappers share one code object among unrelated functions.
    """
    codes, builtin_ids = set(), set()
    for f in functions:
        for _unused in range(10):
            inner = getattr(f, "__wrapped__", None)
            if inner is None:
                break
            f = inner
        code = getattr(f, "__code__", None)
        if code is not None:
            codes.add(code)
        else:
            builtin_ids.add(id(f))
    hits = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            hits.append(frame.f_code.co_qualname)
        elif event == "c_call" and id(arg) in builtin_ids:
            hits.append(getattr(arg, "__name__", "?"))

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield hits
    finally:
        sys.setprofile(previous)


# ------------------------------------------------------------------------------------------- ex5_1
FAMILIES = {
    "exp_mix": "sum(exp(2x)) + sum(x·sin x)",
    "logsumexp": "3·log(sum(exp x)) + mean(x²)",
    "cubic": "sum(x³)",
}


def _family(name):
    """The scalar test function ``name`` of a float64 torch tensor (its formula: FAMILIES[name])."""
    if name == "exp_mix":
        return lambda t: (2 * t).exp().sum() + (t.sin() * t).sum()
    if name == "logsumexp":
        return lambda t: 3 * t.exp().sum().log() + (t ** 2).mean()
    if name == "cubic":
        return lambda t: (t ** 3).sum()
    raise ValueError(f"unknown function {name!r}")


def _central(f, x, eps, one_sided=False):
    """Central (or one-sided) differences of ``f`` at ``x``, element by element, in float64 (the judge's
    own, to recognise mistakes)."""
    import torch

    out = torch.zeros_like(x)
    flat_x, flat = x.reshape(-1), out.reshape(-1)
    for i in range(x.numel()):
        e = torch.zeros_like(flat_x)
        e[i] = eps
        up = float(f((flat_x + e).reshape(x.shape)))
        down = float(f(x)) if one_sided else float(f((flat_x - e).reshape(x.shape)))
        flat[i] = (up - down) / (eps if one_sided else 2 * eps)
    return out


@register
class NumericalGradient(Exercise):
    """``numerical_gradient(f, x, eps=1e-6)``: central differences of a scalar f at a float64 tensor x."""

    chapter, id, names, points = CHAPTER, "ex5_1", ("numerical_gradient",), 2
    visible = [
        dict(family="exp_mix", shape=(2, 2), seed=1),
        dict(family="cubic", shape=(4,), eps=1e-2, seed=2),
        dict(family="exp_mix", shape=(2, 3), transposed=True, seed=3),
        dict(family="logsumexp", shape=(3,), black_box=True, seed=4),
    ]
    RTOL, ATOL = 1e-7, 1e-7  # rounding in f(x ± eps) costs about 1e-16·|f| / eps: some 1e-8 here

    def case(self, family="exp_mix", shape=(2, 2), eps=None, transposed=False, black_box=False, seed=0):
        x = rng(seed).uniform(-1.5, 1.5, size=tuple(shape))  # |f| stays below about 150
        return {"family": family, "x": x.tolist(), "eps": eps, "transposed": bool(transposed),
                "black_box": bool(black_box)}

    def label(self, case):
        keys = dict(formula=FAMILIES[case["family"]], shape=np.shape(case["x"]), eps=case["eps"])
        if case["eps"] is None:
            text = _("numerical_gradient(f, x) with f(x) = {formula} and x of shape {shape}").format(**keys)
        else:
            text = _("numerical_gradient(f, x, eps={eps:g}) with f(x) = {formula} and x of shape {shape}").format(
                **keys)
        if case["transposed"]:
            text = _("{label} (x is a transposed, non-contiguous tensor)").format(label=text)
        if case["black_box"]:
            text = _("{label} (f goes through numpy and returns a Python float)").format(label=text)
        return text

    def run(self, case, numerical_gradient):
        import torch

        f = _family(case["family"])
        if case["black_box"]:  # a black box for autograd, as a simulator or a numpy routine would be
            base = f
            f = lambda t: float(base(torch.from_numpy(t.detach().cpu().numpy().copy())))  # noqa: E731
        values = np.array(case["x"], dtype=np.float64)
        if case["transposed"]:
            x = torch.tensor(values.T.copy(), dtype=torch.float64).T
        else:
            x = torch.tensor(values, dtype=torch.float64)
        result = numerical_gradient(f, x) if case["eps"] is None else numerical_gradient(f, x, eps=case["eps"])
        return {"result": encode(result), "x_after": encode(x)}

    def reference(self, case):
        import torch

        f, eps = _family(case["family"]), case["eps"] or 1e-6
        x = tensor(case["x"], requires_grad=True)
        (exact,) = torch.autograd.grad(f(x), x)
        expected = exact + eps ** 2 if case["family"] == "cubic" else exact  # central differences of t³: 3t² + eps²
        x = x.detach()
        return {"result": encode(expected), "x_after": encode(x), "exact": encode(exact),
                "one_sided": encode(_central(f, x, eps, one_sided=True)),
                "all_at_once": encode(torch.full_like(x, (float(f(x + eps)) - float(f(x - eps))) / (2 * eps)))}

    def raised(self, case, error):
        autograd = _("numerical_gradient must only evaluate f, never differentiate it: here f is a black box (it goes "
                     "through numpy and returns a float), as the functions you check with finite differences often "
                     "are.")
        return _raised_with_hints(self, case, error, [
            ("view size is not compatible", _(
                "x can be non-contiguous (here it is a transposed tensor), and `view` cannot flatten such a "
                "tensor without copying. Work on a contiguous copy (`x.detach().clone().contiguous()`), then "
                "`view(-1)` works; or visit the elements by index: `for idx in itertools.product(*map(range, "
                "x.shape))`.")),
            ("'float' object has no attribute 'backward'", autograd),
            ("'float' object is not iterable", autograd),
            ("does not require grad", autograd),
            ("'float' object has no attribute", _(
                "f may return a Python float as well as a 0-d tensor: write `float(f(x))`, which works for "
                "both.")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        name = _("the result of {label}").format(label=label)
        result = expect_tensor(got["result"], name, "torch")
        x, after = np.array(case["x"], dtype=np.float64), got["x_after"].values()
        if after.shape == x.shape and not np.array_equal(after, x):
            gap = float(np.max(np.abs(after - x)))
            eps = case["eps"] or 1e-6
            if gap < 1e-3 * eps:
                fail(_("{label} left x slightly changed (by up to {gap:.1e}): adding eps and subtracting it again "
                       "does not give back the exact number in floating point. Save each original value and write "
                       "it back (`x[i] = original`), or nudge a copy of x.").format(label=label, gap=gap))
            fail(_("{label} changed x (by up to {gap:.3g}): it must leave x as it found it. Nudge a copy "
                   "(`x = x.detach().clone()`), or put every element back after evaluating f.").format(
                label=label, gap=gap))
        check(result.dtype == "float64",
              _("{name} has dtype {dtype}, but x is float64: build it like x (`torch.zeros_like(x)`), or float32 "
                "rounding spoils the estimate.").format(name=name, dtype=result.dtype))
        expected = want["result"].values()
        values = result.values()
        if values.shape == expected.shape and not all_close(values, expected, self.RTOL, self.ATOL):
            eps_text = f"{case['eps'] or 1e-6:g}"
            if all_close(values, want["one_sided"].values(), self.RTOL, self.ATOL):
                fail(with_hint(_("{name} is the one-sided difference (f(x + eps) − f(x)) / eps.").format(name=name), _(
                    "Use central differences (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps): their error shrinks "
                    "like eps², the one-sided difference's only like eps.")))
            if all_close(values, 2 * expected, self.RTOL, self.ATOL):
                fail(with_hint(_("{name} is twice the expected value.").format(name=name), _(
                    "The two points x + eps and x − eps are 2·eps apart: divide by 2·eps, not by eps.")))
            if all_close(values, -expected, self.RTOL, self.ATOL):
                fail(with_hint(_("{name} has the opposite sign of the expected value.").format(name=name), _(
                    "Subtract in the order f(x + eps·e_i) − f(x − eps·e_i).")))
            if case["eps"] is not None and all_close(values, want["exact"].values(), self.RTOL, self.ATOL):
                fail(with_hint(_("{name} equals the exact derivative, not the central difference with "
                                 "eps={eps}.").format(
                    name=name, eps=eps_text), _(
                    "Use the eps you are given, and only evaluate f (no autograd): with eps=0.01, central differences "
                    "of x³ give exactly 3x² + eps², not 3x².")))
            if values.size > 1 and all_close(values, want["all_at_once"].values(), self.RTOL, self.ATOL):
                fail(with_hint(_("{name} has the same value in every element.").format(name=name), _(
                    "Nudge one element at a time (x + eps·e_i, with e_i zero except at element i), not all of x "
                    "at once: f(x + eps) − f(x − eps) measures the sum of all partial derivatives.")))
            if not np.any(values != 0):
                fail(with_hint(_("{name} is all zeros: f never saw your nudges.").format(name=name), _(
                    "If you nudge elements of `x.reshape(-1)` or `x.flatten()`, remember that for a non-contiguous x "
                    "they return a copy: writing into it leaves x, the tensor f is evaluated at, unchanged.")))
        expect_close(result, expected, name, rtol=self.RTOL, atol=self.ATOL)


# ------------------------------------------------------------------------------------------- ex5_2 / ex5_3
# ATen operations a hand-written softmax must not use.
BUILTIN_SOFTMAX_OPS = {"_softmax", "softmax", "_log_softmax", "log_softmax", "_safe_softmax",
                       "_softmax_backward_data", "_log_softmax_backward_data"}


def _aten_recorder():
    """A TorchDispatchMode that records every ATen operation's name and the largest tensor one produced."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    class AtenRecorder(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls):  # no torch.compile runs here: do not import torch._dynamo (seconds of CPU)
            return False

        def __init__(self):
            super().__init__()
            self.ops, self.largest = set(), 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            self.ops.add(func.overloadpacket.__name__)
            for t in tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor):
                    self.largest = max(self.largest, t.numel())
            return out

    return AtenRecorder()


def _minigrad_softmaxes():
    """minigrad's own softmax functions and operations, which ex5_3 must not call.

    Tensor.softmax is not listed: minigrad's Tensor methods share one wrapper, and each ends in one of
    the functions listed here.
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
    """Record the largest tensor any minigrad operation makes inside the block (every minigrad operation
    goes through ``Function.apply``, wrapped for the duration)."""
    import minigrad

    base = minigrad.autograd.Function
    original = base.__dict__["apply"]
    record = {"largest": 0}

    def apply(cls, *args):
        out = original.__func__(cls, *args)
        for t in out if isinstance(out, tuple) else (out,):
            if isinstance(t, minigrad.Tensor):
                record["largest"] = max(record["largest"], t.numel())
        return out

    base.apply = classmethod(apply)
    try:
        yield record
    finally:
        base.apply = original


def _softmax_np(x, axis=-1, shift="row"):
    """softmax of ``x`` along ``axis`` in numpy float64: shift 'row' (stable), 'none' or 'all' (one max for
    the whole array): the last two are the classic mistakes, reproduced with their overflows."""
    with np.errstate(all="ignore"):
        if shift == "row":
            x = x - x.max(axis=axis, keepdims=True)
        elif shift == "all":
            x = x - x.max()
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def _softmax_rows(e):
    """Normalise exponentials ``e`` by the sums of their rows."""
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_backward_np(s, g, axis=-1):
    return s * (g - (s * g).sum(axis=axis, keepdims=True))


class SoftmaxFunction(Exercise):
    """Softmax over the last dimension as a custom Function; ``library`` says whose Function."""

    library = "torch"
    base_name = "torch.autograd.Function"
    visible = [
        dict(x=[[1000.0, 999.0], [0.0, 0.0]]),
        dict(shape=(2, 3), seed=1),
        dict(shape=(4,), scale=1e3, seed=2),
        dict(shape=(2, 2, 3), seed=3),
        dict(shape=(3, 64), seed=4),
        dict(shape=(3, 4), dtype="float32", seed=6),
        dict(shape=(2, 3), gradcheck=True, seed=5),
    ]

    def case(self, x=None, shape=(2, 3), scale=0.0, dtype="float64", gradcheck=False, seed=0):
        """scale: rows centred alternately at +scale and −scale (a naive exp overflows on the first, one max
        for the whole tensor underflows on the second)."""
        r = rng(seed)
        if x is None:
            arr = r.normal(size=tuple(shape)) * (3.0 if scale else 1.0)
            if scale:
                rows = np.arange(int(np.prod(arr.shape[:-1]))).reshape(arr.shape[:-1] + (1,))
                arr = arr + scale * np.where(rows % 2 == 0, 1.0, -1.0)
        else:
            arr = np.array(x, dtype=np.float64)
        if dtype == "float32":  # both sides start from the same float32 numbers
            arr = arr.astype(np.float32).astype(np.float64)
        return {"x": arr.tolist(), "g": r.normal(size=arr.shape).tolist(), "dtype": dtype, "gradcheck": bool(gradcheck),
                "scale": float(scale), "given": x is not None}

    def label(self, case):
        shape, name, dtype = np.shape(case["x"]), self.answer, case["dtype"]
        if case["given"]:
            return _("{name}.apply(x) for x = {x} ({dtype})").format(name=name, x=case["x"], dtype=dtype)
        if case["scale"]:
            return _("{name}.apply(x) for a {dtype} input of shape {shape} with rows centred at ±{scale:g}").format(
                name=name, dtype=dtype, shape=shape, scale=case["scale"])
        return _("{name}.apply(x) for a {dtype} input of shape {shape}").format(name=name, dtype=dtype, shape=shape)

    # the kernel side, library by library --------------------------------------------------------
    def run(self, case, cls):
        return self._run_torch(case, cls) if self.library == "torch" else self._run_minigrad(case, cls)

    def _run_torch(self, case, cls):
        import torch

        if not _is_subclass(cls, torch.autograd.Function):
            return {"is_function": encode(False), "what": encode(repr(cls)[:100])}
        dtype = getattr(torch, case["dtype"])
        x = torch.tensor(case["x"], dtype=dtype, requires_grad=True)
        g = torch.tensor(case["g"], dtype=dtype)
        forward_ops, backward_ops = _aten_recorder(), _aten_recorder()
        with forward_ops:
            s = cls.apply(x)
        data = {"is_function": encode(True), "output": encode(s),
                "yours": encode(getattr(getattr(s, "grad_fn", None), "_forward_cls", None) is cls)}
        grads, error = (None,), None
        if isinstance(s, torch.Tensor) and s.requires_grad:
            with backward_ops:
                grads, error = _attempt(torch.autograd.grad, s, x, g, allow_unused=True)
        data.update(grad=error or encode(grads[0] if grads else None), x_after=encode(x),
                    builtin=encode(sorted((forward_ops.ops | backward_ops.ops) & BUILTIN_SOFTMAX_OPS)),
                    largest=encode(backward_ops.largest))
        if case["gradcheck"]:
            x64 = torch.tensor(case["x"], dtype=torch.float64, requires_grad=True)
            ok, error = _attempt(torch.autograd.gradcheck, cls.apply, (x64,), eps=1e-6, atol=1e-5,
                                 raise_exception=False)
            data["gradcheck"] = error or encode(bool(ok))
        return data

    def _run_minigrad(self, case, cls):
        import minigrad

        if not _is_subclass(cls, minigrad.autograd.Function):
            return {"is_function": encode(False), "what": encode(repr(cls)[:100])}
        dtype = getattr(minigrad, case["dtype"])
        x = minigrad.tensor(np.array(case["x"]), dtype=dtype, requires_grad=True)
        g = minigrad.tensor(np.array(case["g"]), dtype=dtype)
        builtins = _minigrad_softmaxes()
        with _calls_of(builtins) as forward_calls:
            s = cls.apply(x)
        data = {"is_function": encode(True), "output": encode(s),
                "yours": encode(getattr(getattr(s, "grad_fn", None), "_fn", None) is cls)}
        grads, error, largest = (None,), None, 0
        if isinstance(s, minigrad.Tensor) and s.requires_grad:
            with _calls_of(builtins) as backward_calls, _minigrad_largest_tensor() as record:
                grads, error = _attempt(minigrad.autograd.grad, s, x, g, allow_unused=True)
            forward_calls += backward_calls
            largest = record["largest"]
        data.update(grad=error or encode(grads[0] if grads else None), x_after=encode(x),
                    builtin=encode(sorted(set(forward_calls))), largest=encode(largest))
        if case["gradcheck"]:
            x64 = minigrad.tensor(np.array(case["x"]), dtype=minigrad.float64, requires_grad=True)
            ok, error = _attempt(minigrad.autograd.gradcheck, cls.apply, (x64,), eps=1e-6, atol=1e-5,
                                 raise_exception=False)
            data["gradcheck"] = error or encode(bool(ok))
        return data

    # the judge's side ----------------------------------------------------------------------------
    def reference(self, case):
        import torch

        x = tensor(case["x"], requires_grad=True)
        g = tensor(case["g"])
        s = torch.softmax(x, dim=-1)
        (grad,) = torch.autograd.grad(s, x, g)
        xs, gs, sn = np.array(case["x"]), np.array(case["g"]), s.detach().cpu().numpy()
        exps = np.exp(xs - xs.max(axis=-1, keepdims=True))
        data = {"is_function": encode(True), "output": encode(s), "yours": encode(True), "grad": encode(grad),
                "x_after": encode(np.array(case["x"])), "builtin": encode([]), "largest": encode(x.numel()),
                "no_shift": encode(_softmax_np(xs, shift="none")), "one_max": encode(_softmax_np(xs, shift="all")),
                "no_sum": encode(sn * gs), "sign": encode(-grad), "saved_input": encode(_softmax_backward_np(xs, gs)),
                "saved_exps": encode(_softmax_backward_np(exps, gs))}
        with np.errstate(all="ignore"):  # reductions without keepdim=True, where they broadcast at all
            for key, make in (("no_keepdim_max", lambda: np.exp(xs - xs.max(axis=-1))),
                              ("no_keepdim_sum", lambda: exps / exps.sum(axis=-1))):
                try:
                    data[key] = encode(_softmax_rows(make()) if key == "no_keepdim_max" else make())
                except ValueError:
                    pass
        for axis in range(xs.ndim - 1):  # the other dimensions, for "softmax over the wrong dim"
            data[f"forward_dim{axis}"] = encode(_softmax_np(xs, axis=axis))
            data[f"backward_dim{axis}"] = encode(_softmax_backward_np(sn, gs, axis=axis))
        if case["gradcheck"]:
            data["gradcheck"] = encode(True)
        return data

    def raised(self, case, error):
        return _raised_with_hints(self, case, error, [
            ("must match the size of tensor", _(
                "A reduction over the last dimension drops it unless you keep it: `x.amax(dim=-1, keepdim=True)`, "
                "`.sum(dim=-1, keepdim=True)`, so that the result broadcasts against every row.")),
            ("Dimension out of range", _(
                "Softmax runs over the last dimension of an input with any number of dimensions: use dim=-1 (a 1-D "
                "input has no dimension 1).")),
            ("returned an incorrect number of gradients", _(
                "backward returns one gradient per input of forward: here one tensor shaped like x.")),
            ("invalid gradient", _("backward must return a gradient of x's shape: s ⊙ (g − Σ s ⊙ g), the sum "
                                   "taken over the last dimension with keepdim=True.")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        check(got["is_function"].value,
              _not_a_function(self.answer, self.base_name, got.get("what", got["is_function"])))
        output = expect_tensor(got["output"], _("the output of {label}").format(label=label), self.library)
        check(got["yours"].value, _(
            "The output of {label} was not made by your Function (its grad_fn is {fn}): return forward's result as "
            "you computed it, so that autograd calls your backward.").format(label=label, fn=output.grad_fn))
        builtin = [item.value for item in got["builtin"].items]
        check(not builtin, _("{label} used a built-in softmax ({op}): compute it yourself with exp, max and sum, "
                             "which is the point of this exercise.").format(label=label, op=", ".join(builtin)))
        x, after = np.array(case["x"]), got["x_after"].values()
        check(after.shape != x.shape or np.array_equal(after, x), _(
            "{label} changed its input x in place (for example `x -= x.amax(...)`): inside forward, autograd is "
            "off and nothing stops you, but the caller's x is now different. Compute `x - x.amax(...)` into a new "
            "tensor.").format(label=label))
        self._compare_output(case, output, want, label)
        self._compare_grad(case, got["grad"], want, label)
        self._check_no_jacobian(case, got["largest"], label)
        if case["gradcheck"]:
            verdict = got["gradcheck"]
            keys = dict(check="torch.autograd" if self.library == "torch" else "minigrad.autograd", name=self.answer,
                        shape=np.shape(case["x"]))
            if verdict.kind == "bool":
                check(verdict.value, _("{check}.gradcheck({name}.apply, (x,)) on a float64 input of shape {shape} "
                                       "failed: backward disagrees with finite differences of forward.").format(**keys))
            else:
                error = verdict.error or {"type": "?", "message": ""}
                fail(_("{check}.gradcheck({name}.apply, (x,)) on a float64 input of shape {shape} raised {type}: "
                       "{message}").format(type=error["type"], message=error["message"], **keys))

    @staticmethod
    def _tolerances(case, value):
        """float64: DOUBLE; float32: SINGLE, or 1e-3 relative for entries near ±1000, where float32 keeps only
        about 4 digits after the shift (its numbers near 1000 are 6e-5 apart)."""
        if value.precision != "single":
            return DOUBLE
        return (1e-3, 1e-4) if case["scale"] >= 100 else SINGLE

    def _compare_output(self, case, output, want, label):
        name = _("the output of {label}").format(label=label)
        values, expected = output.values(), want["output"].values()
        if values.shape == expected.shape and not np.all(np.isfinite(values)):
            if all_close(values, want["no_shift"].values(), *DOUBLE):
                fail(with_hint(_("{name} holds nan or inf: exp overflowed.").format(name=name), _(
                    "e^x overflows for x above about 709 in float64 (88 in float32). Subtract each row's maximum "
                    "before exp: softmax does not change, and the largest exponent becomes e^0 = 1.")))
            if all_close(values, want["one_max"].values(), *DOUBLE):
                fail(with_hint(_("{name} holds nan: a whole row underflowed to 0/0.").format(name=name), _(
                    "Subtract the maximum of each row (`x.amax(dim=-1, keepdim=True)`), not one maximum of the whole "
                    "tensor: a row far below that maximum has e^(x − max) = 0 everywhere.")))
        for key in ("no_keepdim_max", "no_keepdim_sum"):
            if key in want and values.shape == expected.shape and all_close(values, want[key].values(), *DOUBLE) \
                    and not all_close(want[key].values(), expected, *DOUBLE):
                fail(with_hint(_("{name} is wrong: a reduction over the last dimension lost that dimension.").format(
                    name=name), _("Keep it: `x.amax(dim=-1, keepdim=True)`, `exps.sum(dim=-1, keepdim=True)`. Without "
                                  "keepdim=True the row maxima or sums broadcast along the wrong axis.")))
        for axis in range(len(expected.shape) - 1):
            wrong = want[f"forward_dim{axis}"].values()
            if values.shape == expected.shape and all_close(values, wrong, *DOUBLE) \
                    and not all_close(wrong, expected, *DOUBLE):
                fail(with_hint(_("{name} is softmax over dimension {dim}.").format(name=name, dim=axis), _(
                    "Softmax here runs over the last dimension, whatever the number of dimensions: use dim=-1.")))
        rtol, atol = self._tolerances(case, output)
        expect_close(output, expected, name, rtol=rtol, atol=atol)
        check(output.dtype == case["dtype"], _("{name} has dtype {got}, but the input is {want}: keep the input's "
                                               "dtype.").format(name=name, got=output.dtype, want=case["dtype"]))

    def _compare_grad(self, case, grad, want, label):
        name = _("the gradient of {label}").format(label=label)
        if grad.kind == "none":
            fail(_("{name} is None: backward returned None. It must return the gradient with respect to x, "
                   "s ⊙ (g − Σ s ⊙ g).").format(name=name))
        expected = want["grad"].values()
        v = expect_tensor(grad, name, self.library)
        values, tol = v.values(), self._tolerances(case, v)
        if values.shape == expected.shape and not all_close(values, expected, *tol):
            clues = [("sign", _("backward's result has the opposite sign: it is s ⊙ (g − Σ s ⊙ g), not "
                                "s ⊙ (Σ s ⊙ g − g).")),
                     ("no_sum", _("backward returned s ⊙ g: the term −s ⊙ Σ(s ⊙ g) is missing (the off-diagonal "
                                  "part of the Jacobian, −s_i s_j).")),
                     ("saved_input", _("backward used the input x where the formula needs the output s = softmax(x): "
                                       "save s in forward (`ctx.save_for_backward(s)`) and use it.")),
                     ("saved_exps", _("backward used the unnormalised exponentials e^(x − max): use s, the output "
                                      "after dividing by the row's sum."))]
            clues += [(f"backward_dim{axis}", _("backward summed s ⊙ g over dimension {dim}: sum over the last "
                                                "dimension, with keepdim=True.").format(dim=axis))
                      for axis in range(len(expected.shape) - 1)]
            for key, clue in clues:
                wrong = want[key].values()
                if all_close(values, wrong, *tol) and not all_close(wrong, expected, *tol):
                    fail(with_hint(_("{name} is wrong.").format(name=name), clue))
        expect_close(v, expected, name, rtol=tol[0], atol=tol[1])

    @staticmethod
    def _check_no_jacobian(case, largest, label):
        """backward must not make a tensor larger than the input: that is the d×d Jacobian."""
        shape = np.shape(case["x"])
        numel, largest = int(np.prod(shape)), int(largest.value) if largest.kind == "number" else 0
        check(shape[-1] < 2 or largest <= numel, _(
            "The backward of {label} made a tensor of {largest} elements for an input of {numel}: that is the d×d "
            "Jacobian. Use s ⊙ (g − Σ s ⊙ g) instead, `s * (g - (s * g).sum(dim=-1, keepdim=True))`: O(d) work "
            "and memory per row instead of O(d²).").format(label=label, largest=largest, numel=numel))


@register
class TorchSoftmax(SoftmaxFunction):
    """``MySoftmax(torch.autograd.Function)``: stable softmax over the last dimension, O(d) backward."""

    chapter, id, names, points = CHAPTER, "ex5_2", ("MySoftmax",), 4


@register
class MinigradSoftmax(SoftmaxFunction):
    """``Softmax(minigrad.autograd.Function)``: the same Function for minigrad tensors."""

    chapter, id, names, points = CHAPTER, "ex5_3", ("Softmax",), 3
    library, base_name = "minigrad", "minigrad.autograd.Function"


# ------------------------------------------------------------------------------------------- ex5_4
@register
class DoubleBackward(Exercise):
    """``ScaledTanh(torch.autograd.Function)``: a·tanh(x) with a backward that can itself be differentiated."""

    chapter, id, names, points = CHAPTER, "ex5_4", ("ScaledTanh",), 3
    visible = [dict(shape=(3,), seed=1), dict(shape=(2, 3), a_grad=False, seed=2),
               dict(shape=(4,), gradgradcheck=True, seed=3)]

    def case(self, shape=(3,), a_grad=True, gradgradcheck=False, seed=0):
        r = rng(seed)
        x, a, g, u, w = (r.normal(size=tuple(shape)) for _unused in range(5))
        return {"x": x.tolist(), "a": (1.5 * a).tolist(), "g": g.tolist(), "u": u.tolist(), "w": w.tolist(),
                "a_grad": bool(a_grad), "gradgradcheck": bool(gradgradcheck)}

    def label(self, case):
        if case["a_grad"]:
            return _("ScaledTanh.apply(x, a) for x and a of shape {shape}").format(shape=np.shape(case["x"]))
        return _("ScaledTanh.apply(x, a) for x and a of shape {shape} (a does not require grad)").format(
            shape=np.shape(case["x"]))

    def run(self, case, cls):
        import torch

        if not _is_subclass(cls, torch.autograd.Function):
            return {"is_function": encode(False), "what": encode(repr(cls)[:100])}
        returned = []

        def backward(ctx, *grads):
            out = cls.backward(ctx, *grads)
            returned.append(out)
            return out

        # the same Function under the same name (messages name its node), with what backward returns recorded
        Watched = type(cls.__name__, (cls,), {"backward": staticmethod(backward)})

        x = torch.tensor(case["x"], dtype=torch.float64, requires_grad=True)
        a = torch.tensor(case["a"], dtype=torch.float64, requires_grad=case["a_grad"])
        g, u, w = (torch.tensor(case[k], dtype=torch.float64) for k in ("g", "u", "w"))
        inputs = (x, a) if case["a_grad"] else (x,)
        y = Watched.apply(x, a)
        data = {"is_function": encode(True), "output": encode(y)}
        first, error = _attempt(torch.autograd.grad, y, inputs, g, create_graph=True, allow_unused=True)
        if error:
            return dict(data, first=error)
        out = returned[0] if returned else None
        out = out if isinstance(out, tuple) else (out,)
        data.update(first=encode(list(first)), returned=encode([o is None for o in out]),
                    graph=encode([f is not None and f.requires_grad for f in first]))
        kept = [(f, d) for f, d in zip(first, (u, w)) if f is not None and f.requires_grad]
        if kept:
            total = sum((f * d).sum() for f, d in kept)
            second, error = _attempt(torch.autograd.grad, total, inputs, allow_unused=True)
            data["second"] = error or encode(list(second))
        if case["gradgradcheck"]:
            x2, a2 = (torch.tensor(case[k], dtype=torch.float64, requires_grad=True) for k in ("x", "a"))
            ok, error = _attempt(torch.autograd.gradgradcheck, cls.apply, (x2, a2), raise_exception=False)
            data["gradgradcheck"] = error or encode(bool(ok))
        return data

    @staticmethod
    def _derivatives(case, t_constant=False):
        """Torch's first and second derivatives of a·tanh(x) (or, t_constant, of the backward that treats a
        saved tanh(x) as a constant: the classic mistake)."""
        import torch

        x, a = tensor(case["x"], requires_grad=True), tensor(case["a"], requires_grad=case["a_grad"])
        g, u, w = (tensor(case[k]) for k in ("g", "u", "w"))
        inputs = (x, a) if case["a_grad"] else (x,)
        if t_constant:
            t = torch.tanh(x).detach()
            first = [g * a * (1 - t * t), g * t][:len(inputs)]
        else:
            y = a * torch.tanh(x)
            first = list(torch.autograd.grad(y, inputs, g, create_graph=True))
        total = sum((f * d).sum() for f, d in zip(first, (u, w)))
        second = torch.autograd.grad(total, inputs, allow_unused=True) if total.requires_grad else [None] * len(inputs)
        return (a * torch.tanh(x)).detach(), first, list(second)

    def reference(self, case):
        y, first, second = self._derivatives(case)
        _unused, _unused2, wrong = self._derivatives(case, t_constant=True)
        data = {"is_function": encode(True), "output": encode(y), "first": encode(first),
                "returned": encode([False, not case["a_grad"]]), "graph": encode([True] * len(first)),
                "second": encode(second), "second_if_saved_tanh": encode(wrong)}
        if case["gradgradcheck"]:
            data["gradgradcheck"] = encode(True)
        return data

    def raised(self, case, error):
        return _raised_with_hints(self, case, error, [
            ("returned an incorrect number of gradients", _(
                "backward returns one gradient per input of forward, in order: (grad for x, grad for a).")),
            ("invalid gradient", _("backward returns (g·a·(1 − tanh²x), g·tanh x), each shaped like its input.")),
        ])

    def compare(self, case, got, want):
        label = self.label(case)
        check(got["is_function"].value, _not_a_function(self.answer, "torch.autograd.Function",
                                                          got.get("what", got["is_function"])))
        expect_close(got["output"], want["output"].values(), _("the output of {label}").format(label=label),
                     library="torch")
        names = ("x", "a")[:len(want["first"].items)]
        first = expect_items(got["first"], len(names), _("the first derivatives of {label}").format(label=label))
        wanted = [w.values() for w in want["first"].items]
        for i, (item, name) in enumerate(zip(first, names)):
            what = _("the gradient for {name} of {label}").format(name=name, label=label)
            if item.kind == "none":
                fail(_("{what} is None: backward must return a gradient for every input that requires grad "
                       "(ctx.needs_input_grad[{i}] is True here).").format(what=what, i=i))
            other = wanted[1 - i] if len(names) == 2 else None
            if other is not None and item.kind == "tensor" and item.values().shape == other.shape \
                    and all_close(item.values(), other, *DOUBLE) and not all_close(wanted[0], wanted[1], *DOUBLE):
                fail(with_hint(_("{what} is the gradient for the other input.").format(what=what), _(
                    "backward returns the gradients in the order of forward's inputs: (grad for x, grad for a).")))
            no_g = wanted[i] / np.array(case["g"])
            if item.kind == "tensor" and item.values().shape == no_g.shape and all_close(item.values(), no_g, *DOUBLE):
                fail(with_hint(_("{what} is the local derivative alone.").format(what=what), _(
                    "Multiply by grad_output, the gradient arriving from above (chain rule): backward returns a "
                    "vector-Jacobian product, not the derivative.")))
            expect_close(item, wanted[i], what, library="torch")
        if not case["a_grad"]:
            returned = [r.value for r in got["returned"].items]
            check(len(returned) >= 2 and returned[1], _(
                "In {label}, backward computed a gradient for a, which does not require grad: check "
                "`ctx.needs_input_grad[1]` and return None in its place, so that no work is wasted (autograd "
                "throws that gradient away).").format(label=label))
        if "second" in got:
            self._compare_second(case, got["second"], want, label, names, hints_only=True)
        kept = [g.value for g in got["graph"].items]
        check(all(kept), _(
            "The first derivatives of {label} carry no graph, even with create_graph=True, so they cannot be "
            "differentiated again. Write backward with differentiable torch operations on the tensors autograd "
            "gives you: no @once_differentiable, no torch.no_grad(), .detach(), .item() or numpy inside "
            "backward.").format(label=label))
        if "second" in got:
            self._compare_second(case, got["second"], want, label, names)
        if case["gradgradcheck"]:
            verdict = got["gradgradcheck"]
            if verdict.kind == "bool":
                check(verdict.value, _(
                    "torch.autograd.gradgradcheck(ScaledTanh.apply, (x, a)) failed for float64 inputs of shape "
                    "{shape}: the second derivatives of your Function disagree with finite differences of its "
                    "backward.").format(shape=np.shape(case["x"])))
            else:
                error = verdict.error or {"type": "?", "message": ""}
                fail(_("torch.autograd.gradgradcheck(ScaledTanh.apply, (x, a)) raised {type} for float64 inputs of "
                       "shape {shape}: {message}").format(type=error["type"], message=error["message"],
                                                          shape=np.shape(case["x"])))

    def _compare_second(self, case, second, want, label, names, hints_only=False):
        """The double backward's results against torch's; hints_only: only look for the saved-tanh mistake."""
        if hints_only and second.kind == "error":
            return
        items = expect_items(second, len(names), _("the second derivatives of {label}").format(label=label))
        for item, right, wrong, name in zip(items, want["second"].items, want["second_if_saved_tanh"].items, names):
            what = _("the second derivative with respect to {name} of {label} (the gradient of Σ u ⊙ grad_x + "
                     "Σ w ⊙ grad_a, a double backward)").format(name=name, label=label)
            if _same(item, wrong) and not _same(wrong, right):
                fail(with_hint(_("{what} is what a backward gives that treats tanh(x) as a constant.").format(
                    what=what), _(
                    "A tensor computed in forward (where autograd is off), or detached, has no graph: in the double "
                    "backward the dependence of tanh x on x is lost. Save the inputs (`ctx.save_for_backward(x, a)`) "
                    "and recompute tanh(x) in backward, where autograd records it.")))
            if hints_only:
                continue
            if item.kind == "none":
                fail(_("{what} is None: your first derivatives do not depend on {name} in a way autograd can "
                       "follow.").format(what=what, name=name))
            expect_close(item, right.values(), what, library="torch")


def _same(a, b) -> bool:
    """Both None, or both tensors of the same values (float64 tolerances)."""
    if a.kind == "none" or b.kind == "none":
        return a.kind == b.kind
    return a.kind == b.kind == "tensor" and all_close(a.values(), b.values(), *DOUBLE)


check_ex5_1, check_ex5_2, check_ex5_3, check_ex5_4 = NumericalGradient, TorchSoftmax, MinigradSoftmax, DoubleBackward
