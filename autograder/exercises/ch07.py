"""Chapter 07_from_scratch: the student's own engine on numpy: sum_to, the backward rules, backward(root),
and training an MLP on scikit-learn's handwritten digits.

Every exercise here is "do it yourself" (``self_made``): a second grading run takes torch, sympy and minigrad
away, so an answer that borrows their gradients fails there. That is why ``run`` (in the student's kernel)
uses numpy and the notebook's own classes only (``Tensor``, ``Function``, ``MLP``, found by name in the
notebook's namespace), while ``reference`` (in the judge) computes everything with torch.autograd in float64.

Hints: the usual mistakes are simulated on the reference side (an add gradient left with the broadcast
shape, a transposed matmul gradient, overwriting at a fan-out, ``.grad`` not reset between training
steps, ...) so that a message can name the mistake it recognises.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from ..i18n import N_, _
from . import graphs
from .base import Exercise, raised_message, register
from .expect import DOUBLE, all_close, check, describe, expect_close, expect_grad, fail, sentences, with_hint
from .reference import device, rng, tensor
from .values import encode, encode_error

CHAPTER = "07_from_scratch"
SELF_MADE = ("torch", "sympy", "minigrad")
NON_SCALAR_ERROR = "grad can be implicitly created only for scalar outputs"
BLANK = "still blank: "   # how run() names the function that raised the blank exercise's NotImplementedError


# ------------------------------------------------------------------------------------------- helpers
def notebook(name):
    """An object the chapter's notebook defines (``Tensor``, ``Function``, ``MLP``...), by name. A missing one
    raises Python's own NameError (data, in English); ``Ch07Exercise.raised`` says what to do about it."""
    namespace = sys.modules["__main__"].__dict__
    if name not in namespace:
        raise NameError(f"name '{name}' is not defined")
    return namespace[name]


NOTEBOOK_NAMES = ("Tensor", "Function", "MLP")   # what run() takes from the notebook besides the answers


def _in_notebook(code) -> bool:
    return code.co_filename.startswith("<ipython-input") or "/ipykernel_" in code.co_filename


def calling(fn, *args):
    """``fn(*args)``; a NotImplementedError says which notebook function is still blank (e.g. 'Tanh.backward')."""
    try:
        return fn(*args)
    except NotImplementedError as error:
        where, tb = None, error.__traceback__
        while tb is not None:
            if _in_notebook(tb.tb_frame.f_code):
                where = tb.tb_frame.f_code.co_qualname
            tb = tb.tb_next
        raise NotImplementedError(BLANK + (where or "?")) from error


EXERCISE_OF = {"sum_to": "7.1", "backward": "7.3", "train": "7.4"}


def _exercise_of(function: str) -> str | None:
    if function in EXERCISE_OF:
        return EXERCISE_OF[function]
    if function.endswith(".backward") and function.split(".")[0] in OPS:
        return "7.2"
    return None


@contextlib.contextmanager
def one_thread():
    """torch on one thread while references run: tiny tensors, and idle threads that spin cost CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def shape_text(shape) -> str:
    return str(tuple(shape))


class Ch07Exercise(Exercise):
    """What the four exercises share: the do-it-yourself switches and naming the blank function."""

    chapter = CHAPTER
    self_made = SELF_MADE

    def raised(self, case, error):
        e = error.error
        if e["not_implemented"] and e["message"].startswith(BLANK):
            blank = e["message"][len(BLANK):]
            mine = self.names if self.id != "ex7_2" else tuple(f"{op}.backward" for op in OPS)
            if blank in mine or blank == "?":
                return _("Not attempted yet: `{name}` still raises NotImplementedError. Write your answer in its "
                         "cell (in place of `raise NotImplementedError()`), run that cell, then run this one "
                         "again.").format(name=blank if blank != "?" else self.answer)
            return _("Not attempted yet: {label} calls `{blank}`, which still raises NotImplementedError: finish "
                     "exercise {exercise} first, run its cell, then run this one again.").format(
                label=self.label(case), blank=blank, exercise=_exercise_of(blank) or "?")
        missing = [name for name in NOTEBOOK_NAMES if e["type"] == "NameError"
                   and e["message"] == f"name '{name}' is not defined"]
        if missing:
            return _("`{name}` is not defined: run the chapter's cells from the top first.").format(name=missing[0])
        return super().raised(case, error)


def random_shape(r, ndim, low=2, high=4):
    return tuple(int(n) for n in r.integers(low, high + 1, size=ndim))


def shrink(r, shape):
    """A shape that broadcasts to ``shape``: some leading axes dropped, some other axes set to 1."""
    shape = shape[int(r.integers(0, len(shape) + 1)):] if len(shape) and r.random() < 0.5 else shape
    return tuple(1 if r.random() < 0.35 else n for n in shape)


# ------------------------------------------------------------------------------------------- ex7_1
@register
class SumTo(Ch07Exercise):
    """``sum_to(grad, shape)``: the gradient of a tensor of ``shape`` that broadcasting stretched to grad's shape."""

    id, names, points = "ex7_1", ("sum_to",), 2
    visible = [dict(shape=s, grad_shape=g) for s, g in [
        ((3, 4), (3, 4)), ((3, 1), (3, 4)), ((1, 4), (3, 4)), ((4,), (3, 4)), ((), (2, 3)), ((1, 1), (2, 3)),
        ((2, 1, 4), (5, 2, 3, 4)), ((3, 1, 1), (3, 2, 2)), ((1,), (3,)), ((), ())]]

    def case(self, shape=None, grad_shape=None, max_dims=4, seed=0):
        r = rng(seed)
        if grad_shape is None:
            grad_shape = random_shape(r, int(r.integers(1, max_dims + 1)))
            shape = shrink(r, grad_shape)
        grad = r.normal(size=tuple(grad_shape))
        return {"shape": list(shape), "grad_shape": list(grad_shape), "grad": grad.tolist()}

    def label(self, case):
        return _("sum_to(grad of shape {grad}, {shape})").format(grad=shape_text(case["grad_shape"]),
                                                                shape=shape_text(case["shape"]))

    def raised(self, case, error):
        message = super().raised(case, error)
        if error.error["type"] == "ValueError" and "reshape" in error.error["message"]:
            return with_hint(message, _("The axes you summed do not bring grad down to {shape}: sum the leading axes "
                                        "that broadcasting added, and the axes where shape has a 1 and grad does "
                                        "not.").format(shape=shape_text(case["shape"])))
        return message

    def run(self, case, sum_to):
        grad = np.array(case["grad"], dtype=np.float64).reshape(case["grad_shape"])
        before = grad.copy()
        result = calling(sum_to, grad, tuple(case["shape"]))
        return {"result": encode(result), "grad_unchanged": encode(bool(np.array_equal(grad, before)))}

    def reference(self, case):
        import torch

        with one_thread():
            x = tensor(np.zeros(case["shape"]), requires_grad=True)
            torch.broadcast_to(x, tuple(case["grad_shape"])).backward(tensor(case["grad"]))
        return {"result": encode(x.grad)}

    def compare(self, case, got, want):
        label, shape, grad_shape = self.label(case), tuple(case["shape"]), tuple(case["grad_shape"])
        v, expected = got["result"], want["result"].array
        if not (v.kind == "number" and shape == ()):
            if not (v.kind == "tensor" and v.library == "numpy"):
                fail(sentences(_("{label} should return a numpy array, but it returned {what}.").format(
                    label=label, what=describe(v)), _("Did you forget a `return`?") if v.kind == "none" else ""))
            result = v.array
            if result.shape != shape:
                if shape == () and result.size == 1:
                    fail(_("{label} has shape {got}: return a 0-dimensional array for shape () (for example "
                           "with .reshape(())).").format(label=label, got=shape_text(result.shape)))
                if result.shape == grad_shape:
                    fail(_("{label} still has grad's shape {got}: sum grad over the axes that broadcasting added or "
                           "stretched, so that the result has shape {shape}.").format(
                        label=label, got=shape_text(result.shape), shape=shape_text(shape)))
                if result.size == math.prod(shape) and len(shape) < len(grad_shape) and \
                        result.shape == (1,) * (len(grad_shape) - len(shape)) + shape:
                    fail(_("{label} has shape {got}, with leading axes of size 1 where {shape} has none: the leading "
                           "axes that broadcasting added must disappear, not stay as 1s.").format(
                        label=label, got=shape_text(result.shape), shape=shape_text(shape)))
                if result.size == math.prod(shape):
                    fail(_("{label} has shape {got} where {shape} is asked: keep the axes where shape has a 1 "
                           "(sum them with keepdims=True, or reshape at the end).").format(
                        label=label, got=shape_text(result.shape), shape=shape_text(shape)))
        else:
            result = v.values()
        stretched = math.prod(grad_shape) // max(math.prod(shape), 1)
        if stretched > 1 and result.shape == expected.shape and all_close(result * stretched, expected, *DOUBLE):
            fail(_("{label} is the mean of the stretched copies where their sum is needed: each element of the small "
                   "tensor was used {n} times, and the gradients of all its uses add up.").format(label=label,
                                                                                               n=stretched))
        expect_close(v, expected, label)
        check(got["grad_unchanged"].value,
              _("{label} changed its argument grad in place: return a new array and "
                "leave grad as it was (other rules may still use it).").format(label=label))


# ------------------------------------------------------------------------------------------- ex7_2
OPS = ("Add", "Mul", "Div", "Pow", "Exp", "Log", "Tanh", "ReLU", "MatMul", "Sum", "Mean", "Reshape", "Transpose")
INPUT_NAMES = ("a", "b")


def _torch_op(op, params):
    """The torch function that ``op`` (with ``params``) stands for."""
    import torch

    dim, keepdim = params.get("dim"), params.get("keepdim", False)
    dims = tuple(dim) if isinstance(dim, list) else dim
    reduce = {"Sum": torch.sum, "Mean": torch.mean}
    if op in reduce:
        return lambda a: reduce[op](a, dim=tuple(range(a.ndim)) if dims is None else dims, keepdim=keepdim)
    return {
        "Add": torch.add, "Mul": torch.mul, "Div": torch.div, "Exp": torch.exp, "Log": torch.log,
        "Tanh": torch.tanh, "ReLU": torch.relu, "MatMul": torch.matmul,
        "Pow": lambda a: a ** params.get("exponent"),
        "Reshape": lambda a: a.reshape(tuple(params.get("shape", ()))),
        "Transpose": lambda a: a.transpose(params.get("dim0"), params.get("dim1")),
    }[op]


def _numpy_forward(op, arrays, params):
    """The output of ``op``: only its shape matters here (the case's upstream gradient has that shape)."""
    if op == "MatMul":
        return arrays[0] @ arrays[1]
    if op in ("Add", "Mul", "Div"):
        return arrays[0] + arrays[1]
    a = arrays[0]
    if op in ("Sum", "Mean"):
        dim = params["dim"]
        return a.sum(axis=tuple(dim) if isinstance(dim, list) else dim, keepdims=params["keepdim"])
    if op == "Reshape":
        return a.reshape(params["shape"])
    if op == "Transpose":
        return np.swapaxes(a, params["dim0"], params["dim1"])
    return a


def _op_inputs(op, shapes, params, r):
    """Input values for ``op`` in its domain: positive for log and non-integer powers, b away from 0 for
    division, exact zeros among relu's inputs (where torch's gradient is 0)."""
    arrays = [r.normal(size=s) for s in shapes]
    if op == "Log" or (op == "Pow" and float(params["exponent"]) != int(params["exponent"])) or \
            (op == "Pow" and params["exponent"] < 0):
        arrays[0] = r.uniform(0.5, 2.0, size=shapes[0])
    if op == "Div":
        arrays[1] = r.uniform(0.5, 2.0, size=shapes[1]) * r.choice([-1.0, 1.0], size=shapes[1])
    if op == "ReLU":
        arrays[0] = np.where(r.random(size=shapes[0]) < 0.3, 0.0, arrays[0])
    return arrays


def _random_op(op, r):
    """Random shapes and parameters for ``op``: broadcast pairs, scalars, batched matmul, reductions over
    random (also negative) dims."""
    if op in ("Add", "Mul", "Div"):
        out = random_shape(r, int(r.integers(0, 4)))
        return [shrink(r, out), shrink(r, out)], {}
    if op == "MatMul":
        n, k, m = random_shape(r, 3)
        batch = random_shape(r, int(r.integers(0, 3)))
        return [shrink(r, batch) + (n, k), shrink(r, batch) + (k, m)], {}
    shape = random_shape(r, int(r.integers(0 if op in ("Exp", "Log", "Tanh", "ReLU", "Pow") else 1, 4)))
    if op == "Pow":
        return [shape], {"exponent": float(r.choice([2.0, 3.0, 0.5, -1.0, 1.5, -2.0]))}
    if op in ("Sum", "Mean"):
        ndim = len(shape)
        choice = r.integers(0, 3)
        if choice == 0:
            dim = None
        elif choice == 1:
            dim = int(r.integers(-ndim, ndim))
        else:
            dim = sorted(int(d) for d in r.choice(ndim, size=int(r.integers(1, ndim + 1)), replace=False))
        return [shape], {"dim": dim, "keepdim": bool(r.random() < 0.5)}
    if op == "Reshape":
        size = math.prod(shape)
        factors = [d for d in range(1, size + 1) if size % d == 0]
        first = int(r.choice(factors))
        return [shape], {"shape": [first, size // first] if r.random() < 0.7 else [size]}
    if op == "Transpose":
        shape = random_shape(r, int(r.integers(2, 5)))
        dim0, dim1 = (int(d) for d in r.choice(len(shape), size=2, replace=False))
        return [shape], {"dim0": dim0 - len(shape) if r.random() < 0.3 else dim0, "dim1": dim1}
    return [shape], {}


def _part(op, shapes, params, r):
    arrays = _op_inputs(op, [tuple(s) for s in shapes], params, r)
    out = _numpy_forward(op, arrays, params)
    return {"op": op, "params": params, "shapes": [list(a.shape) for a in arrays],
            "inputs": [a.tolist() for a in arrays], "grad": r.normal(size=np.shape(out)).tolist(),
            "out_shape": list(np.shape(out))}


def _visible_rules():
    """The visible cases of ex7_2: every op, with the shapes where its usual mistakes show."""
    cases = []

    def add(op, *shapes, **params):
        cases.append(dict(op=op, shapes=[list(s) for s in shapes], params=params))

    for op in ("Add", "Mul", "Div"):
        add(op, (3, 4), (3, 4))
        add(op, (3, 1), (1, 4))
        add(op, (2, 3, 4), (4,))
        add(op, (2, 3), ())
    add("Add", (), (2, 1))
    for exponent, shape in ((2.0, (3, 4)), (3.0, ()), (0.5, (2, 3)), (-1.0, (4,))):
        add("Pow", shape, exponent=exponent)
    for op in ("Exp", "Log", "Tanh", "ReLU"):
        add(op, (3, 4))
    add("Exp", ())
    add("ReLU", (4, 5))
    add("MatMul", (3, 4), (4, 5))
    add("MatMul", (3, 3), (3, 3))
    add("MatMul", (2, 3, 4), (4, 5))
    add("MatMul", (2, 3, 3), (2, 3, 3))
    add("MatMul", (1, 2, 4), (3, 4, 2))
    for op in ("Sum", "Mean"):
        add(op, (3, 4), dim=None, keepdim=False)
        add(op, (3, 4), dim=0, keepdim=False)
        add(op, (3, 4), dim=1, keepdim=False)
        add(op, (3, 3), dim=-1, keepdim=False)
        add(op, (3, 4), dim=1, keepdim=True)
        add(op, (2, 3, 4), dim=[0, 2], keepdim=False)
        add(op, (2, 3, 4), dim=None, keepdim=True)
    add("Reshape", (2, 6), shape=[3, 4])
    add("Reshape", (2, 3, 4), shape=[6, 4])
    add("Reshape", (4,), shape=[2, 2])
    add("Transpose", (3, 4), dim0=0, dim1=1)
    add("Transpose", (2, 3, 4), dim0=0, dim1=2)
    add("Transpose", (2, 3, 4), dim0=-1, dim1=-2)
    return cases


def _shapes_text(part):
    names = INPUT_NAMES if len(part["shapes"]) == 2 else ("a",)
    return ", ".join(_("{name} of shape {shape}").format(name=n, shape=shape_text(s))
                     for n, s in zip(names, part["shapes"]))


def _op_label(part):
    params = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v}" for k, v in part["params"].items())
    return _("{op}({params}).backward ({shapes})").format(op=part["op"], params=params, shapes=_shapes_text(part))


# What the usual mistakes look like: {key: message}, each a function so that it is translated when a message is
# made; the reference side computes each mistake's result.
RULE_MISTAKES = {
    "mul_swapped": lambda: _("d(a·b)/da is b and d(a·b)/db is a: the factors are swapped."),
    "div_a": lambda: _("d(a/b)/da = 1/b: divide grad by b."),
    "div_b_without_a": lambda: _("d(a/b)/db = -a/b²: the factor a is missing."),
    "pow_not_lowered": lambda: _("d(aᵖ)/da = p·aᵖ⁻¹: the exponent must go down by one."),
    "pow_without_p": lambda: _("d(aᵖ)/da = p·aᵖ⁻¹: the factor p is missing."),
    "log_times": lambda: _("d(log a)/da = 1/a: divide grad by a, do not multiply."),
    "tanh_input": lambda: _("tanh' = 1 - tanh(a)² = 1 - y²: you used the input a where tanh's output y belongs."),
    "tanh_not_squared": lambda: _("tanh' = 1 - y²: square the output y."),
    "relu_at_zero": lambda: _(
        "It differs only where a is exactly 0: there torch's relu gradient is 0 (use a > 0, not a >= 0)."),
    "relu_of_grad": lambda: _(
        "The mask comes from the input, not from the gradient: grad * (a > 0), not relu(grad)."),
    "matmul_untransposed": lambda: _(
        "For out = a @ b: dL/da = grad @ bᵀ and dL/db = aᵀ @ grad. A transpose is missing."),
    "matmul_full_transpose": lambda: _(
        "For a batched array, x.T reverses ALL axes; transpose only the last two: np.swapaxes(x, -1, -2)."),
    "matmul_shapes": lambda: _(
        "dL/da = grad @ bᵀ and dL/db = aᵀ @ grad, and the shapes must work out: grad is (..., n, m), a is (..., n, "
        "k), b is (..., k, m). With batch axes, transpose only the last two axes (np.swapaxes(x, -1, -2)); x.T "
        "reverses all of them."),
    "div_b_sign": lambda: _("d(a/b)/db = -a/b²: the minus sign is missing."),
    "sum_not_expanded": lambda: _(
        "Without keepdim the summed axes are gone from grad: put them back first (np.expand_dims(grad, dim)), then "
        "broadcast; otherwise numpy lines grad up with the last axes."),
    "mean_not_divided": lambda: _(
        "A mean divides by the number n of averaged elements, so each input gets grad / n: the division is "
        "missing."),
    "mean_divided_by_size": lambda: _(
        "Divide by the number of elements each mean averaged (the size of the reduced axes), not by the size of "
        "the whole input."),
    "transpose_all": lambda: _(
        "Swap back the same two axes (np.swapaxes(grad, dim0, dim1)); grad.T reverses all axes."),
    "chain": lambda: _("It equals the local derivative alone: multiply by the incoming grad (the chain rule)."),
}


def _rule_mistakes(op, params, arrays, g, reduce):
    """[(input index, the mistake's result, key of RULE_MISTAKES)] for this op; torch tensors in and out."""
    import torch

    found = []
    if op == "Mul":
        a, b = arrays
        found += [(0, reduce(g * a, a.shape), "mul_swapped"), (1, reduce(g * b, b.shape), "mul_swapped")]
    elif op == "Div":
        a, b = arrays
        found += [(0, reduce(g * b, a.shape), "div_a"), (1, reduce(-g / b ** 2, b.shape), "div_b_without_a"),
                  (1, reduce(g * a / b ** 2, b.shape), "div_b_sign")]
    elif op == "Pow":
        (a,), p = arrays, params["exponent"]
        found += [(0, g * p * a ** p, "pow_not_lowered"), (0, g * a ** (p - 1), "pow_without_p")]
    elif op == "Log":
        found.append((0, g * arrays[0], "log_times"))
    elif op == "Tanh":
        a = arrays[0]
        found += [(0, g * (1 - a ** 2), "tanh_input"), (0, g * (1 - torch.tanh(a)), "tanh_not_squared")]
    elif op == "ReLU":
        a = arrays[0]
        found += [(0, g * (a >= 0), "relu_at_zero"), (0, torch.relu(g), "relu_of_grad")]
    elif op == "MatMul":
        a, b = arrays
        full = lambda t: t.permute(*reversed(range(t.ndim)))  # noqa: E731  what numpy's .T does
        for i, wrong, key in ((0, lambda: g @ b, "matmul_untransposed"), (1, lambda: a @ g, "matmul_untransposed"),
                              (0, lambda: g @ full(b), "matmul_full_transpose"),
                              (1, lambda: full(a) @ g, "matmul_full_transpose")):
            if key == "matmul_full_transpose" and a.ndim < 3 and b.ndim < 3:
                continue
            with contextlib.suppress(RuntimeError):
                found.append((i, reduce(wrong(), arrays[i].shape), key))
    elif op in ("Sum", "Mean"):
        a, dim, keepdim = arrays[0], params["dim"], params["keepdim"]
        count = a.numel() // max(g.numel(), 1)
        if dim is not None and not keepdim:  # spread without putting the summed axes back
            with contextlib.suppress(RuntimeError):
                found.append((0, g.expand(a.shape) / (count if op == "Mean" else 1), "sum_not_expanded"))
        if op == "Mean":
            dims = range(a.ndim) if dim is None else [dim] if isinstance(dim, int) else dim
            kept = g.reshape([1 if d in {k % a.ndim for k in dims} else n for d, n in enumerate(a.shape)])
            found.append((0, kept.expand(a.shape).clone(), "mean_not_divided"))
            if count != a.numel():
                found.append((0, kept.expand(a.shape) / a.numel(), "mean_divided_by_size"))
    elif op == "Transpose" and arrays[0].ndim > 2:
        found.append((0, g.permute(*reversed(range(g.ndim))), "transpose_all"))
    return [(i, t.detach().cpu().numpy().astype(np.float64), key) for i, t, key in found]


@register
class BackwardRules(Ch07Exercise):
    """The ``backward`` of every op class of the scaffold, checked one op at a time against torch."""

    id, points = "ex7_2", 5
    names = OPS
    title = N_("the backward rules")  # tables and verdicts name the rules, not the first of them (`Add`)
    visible = _visible_rules()

    def case(self, op="Add", shapes=None, params=None, seed=0):
        r = rng(seed)
        if op == "each":  # one random instance of every op
            return {"parts": [_part(name, *_random_op(name, r), r) for name in OPS]}
        if shapes is None:
            shapes, params = _random_op(op, r)
        return {"parts": [_part(op, shapes, dict(params or {}), r)]}

    def label(self, case):
        return _op_label(case["parts"][0]) if len(case["parts"]) == 1 else _("the backward rules")

    def run(self, case, *ops):
        Tensor = notebook("Tensor")
        data = {}
        for i, part in enumerate(case["parts"]):
            cls = ops[OPS.index(part["op"])]
            params = {k: tuple(v) if isinstance(v, list) else v for k, v in part["params"].items()}
            inputs = [Tensor(np.array(v, dtype=np.float64).reshape(s), requires_grad=True)
                      for v, s in zip(part["inputs"], part["shapes"])]
            grad = np.array(part["grad"], dtype=np.float64).reshape(part["out_shape"])
            before = grad.copy()
            try:
                node = cls(**params)
                out = node(*inputs)
                grads = calling(node.backward, grad)
            except NotImplementedError:
                raise
            except Exception as error:  # reported with the op's name, the student's line and a hint
                data[f"{i}.raised"] = encode_error(error)
                continue
            data[f"{i}.out"] = encode(out.data if isinstance(out, Tensor) else out)
            data[f"{i}.grads"] = encode(grads)
            data[f"{i}.unchanged"] = encode(bool(np.array_equal(grad, before)))
        return data

    def reference(self, case):
        import torch

        def reduce(t, shape):  # torch's own gradient of a broadcast input
            x = torch.zeros(shape, dtype=t.dtype, device=t.device, requires_grad=True)
            x.expand(t.shape).backward(t)
            return x.grad

        data = {}
        with one_thread():
            for i, part in enumerate(case["parts"]):
                fn = _torch_op(part["op"], part["params"])
                arrays = [tensor(v).reshape(s) for v, s in zip(part["inputs"], part["shapes"])]
                g = tensor(part["grad"]).reshape(part["out_shape"])
                for upstream in ("grads", "ones"):  # the gradients, and the local derivatives alone
                    xs = [a.clone().requires_grad_() for a in arrays]
                    out = fn(*xs)
                    out.backward(g if upstream == "grads" else torch.ones_like(g))
                    data[f"{i}.{upstream}"] = encode([x.grad for x in xs])
                data[f"{i}.out"] = encode(out.detach())
                mistakes = _rule_mistakes(part["op"], part["params"], arrays, g, reduce)
                data[f"{i}.mistakes"] = encode([m for _, m, _ in mistakes])
                data[f"{i}.keys"] = encode([f"{j}:{key}" for j, _, key in mistakes])
        return data

    def compare(self, case, got, want):
        for i, part in enumerate(case["parts"]):
            compare_rule(part, {k.split(".", 1)[1]: v for k, v in got.items() if k.split(".")[0] == str(i)},
                         {k.split(".", 1)[1]: v for k, v in want.items() if k.split(".")[0] == str(i)})


def compare_rule(part, got, want):
    """One op's backward against torch's, naming the mistake when it is a usual one."""
    __tracebackhide__ = True
    label, op = _op_label(part), part["op"]
    if "raised" in got:
        key = {"MatMul": "matmul_shapes", "Sum": "sum_not_expanded", "Mean": "sum_not_expanded"}.get(op)
        fail(with_hint(raised_message(label, got["raised"].error), RULE_MISTAKES[key]() if key else ""))
    out = got["out"]
    check(out.kind in ("tensor", "number") and all_close(out.values(), want["out"].array, *DOUBLE),
          _("{label}: the forward pass no longer gives torch's result (it gives {what}): keep the forward as the "
            "chapter gives it.").format(label=label, what=describe(out)))
    grads, n = got["grads"], len(part["shapes"])
    if grads.kind not in ("tuple", "list"):
        hint = _("Did you forget a `return`?") if grads.kind == "none" else _(
            "Return a tuple with one gradient per input, even for one input: `return (grad * ...,)` (the comma "
            "makes the tuple).")
        fail(sentences(_("{label} returned {what}, not a tuple of gradients.").format(label=label,
                                                                                      what=describe(grads)),
                       hint))
    check(grads.length == n, _("{label} returned {count} gradients; it needs one per input: {n}.").format(
        label=label, count=grads.length, n=n))
    mistakes = [(int(k.value.split(":")[0]), m.array, k.value.split(":")[1])
                for m, k in zip(want["mistakes"].items, want["keys"].items)]
    for j, (g, w, ones) in enumerate(zip(grads.items, want["grads"].items, want["ones"].items)):
        _compare_input_grad(part, j, g, w.array, ones.array, [(m, key) for i, m, key in mistakes if i == j])
    check(got["unchanged"].value, _("{label} changed its argument grad in place: compute new arrays (grad * ..., "
                                    "not grad *= ...); the engine may hand the same grad to other rules.").format(
        label=label))


def _compare_input_grad(part, j, g, expected, ones, mistakes):
    __tracebackhide__ = True
    label, op = _op_label(part), part["op"]
    names = INPUT_NAMES if len(part["shapes"]) == 2 else ("a",)
    shape, out_shape = tuple(part["shapes"][j]), tuple(part["out_shape"])
    name = _("the gradient for {input} from {label}").format(input=names[j], label=label)
    if not (g.kind == "number" and shape == ()):
        if g.kind == "other" and g.type.endswith("Tensor"):
            fail(_("{name} is {what}: return numpy arrays (for example grad * self.b), not Tensors: a rule works on "
                   "the arrays the forward saved.").format(name=name, what=describe(g)))
        check(g.kind == "tensor" and g.library == "numpy",
              _("{name} should be a numpy array, but it is {what}.").format(name=name, what=describe(g)))
    got = g.values()
    if got.shape != shape:
        keys = {"shape": shape_text(shape), "got": shape_text(got.shape), "input": names[j], "name": name}
        if op in ("Add", "Mul", "Div", "MatMul") and got.shape == np.broadcast_shapes(got.shape, shape) \
                and got.shape != shape and got.size > math.prod(shape):
            fail(_("{name} has the broadcast shape {got} where {input} has shape {shape}: reduce it with "
                   "sum_to(..., {input}.shape) (and make sure your sum_to passes exercise 7.1).").format(**keys))
        if op == "MatMul" and got.shape[:-2] == shape[:-2] and got.shape[-2:] == shape[-2:][::-1]:
            fail(with_hint(_("{name} has shape {got}, the transpose of {input}'s shape {shape}.").format(**keys),
                           RULE_MISTAKES["matmul_untransposed"]()))
        if op == "Transpose":
            fail(with_hint(_("{name} has shape {got} where {input} has shape {shape}.").format(**keys),
                           RULE_MISTAKES["transpose_all"]()))
        if op in ("Sum", "Mean", "Reshape") and got.shape == out_shape:
            fail(sentences(_("{name} has the output's shape {got}: the gradient of a tensor has that tensor's shape, "
                             "here {shape}.").format(**keys),
                           _("Reshape grad back to the input's shape.") if op == "Reshape" else ""))
        if op in ("Add", "Mul", "Div", "MatMul") and got.size == math.prod(shape):
            fail(_("{name} has shape {got} where {input} has shape {shape}: the axes where {input} has a 1 must "
                   "stay (check that sum_to keeps them).").format(**keys))
    for wrong, key in mistakes:
        if wrong.shape == got.shape and all_close(got, wrong, *DOUBLE) and not all_close(wrong, expected, *DOUBLE):
            fail(with_hint(_("{name} is wrong.").format(name=name), RULE_MISTAKES[key]()))
    if got.shape == ones.shape and all_close(got, ones, *DOUBLE) and not all_close(ones, expected, *DOUBLE):
        fail(with_hint(_("{name} is wrong.").format(name=name), RULE_MISTAKES["chain"]()))
    expect_close(g, expected, name)


# ------------------------------------------------------------------------------------------- ex7_3
# Ops for the engine's checks, made from the notebook's own Function class: the chapter's design with the
# rules given (so that ex7_3 checks the engine alone) and a count of how often each node's backward runs.
UNARY_RULES = {  # name: (forward, derivative from the input a and the output y)
    "sin": (np.sin, lambda a, y: np.cos(a)),
    "cos": (np.cos, lambda a, y: -np.sin(a)),
    "exp": (np.exp, lambda a, y: y),
    "tanh": (np.tanh, lambda a, y: 1 - y * y),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), lambda a, y: y * (1 - y)),
}
BINARY_RULES = {  # name: (forward, gradients for a and b from grad, a, b); "+" hands both the same array
    "+": (np.add, lambda g, a, b: (g, g)),
    "-": (np.subtract, lambda g, a, b: (g, -g)),
    "*": (np.multiply, lambda g, a, b: (g * b, g * a)),
}
OP_NAMES = {"sin": "Sin", "cos": "Cos", "exp": "Exp", "tanh": "Tanh", "sigmoid": "Sigmoid", "+": "Add",
            "-": "Sub", "*": "Mul", "sum": "Sum"}


@functools.lru_cache(maxsize=4)
def engine_ops(Function):
    """{recipe op: a Function subclass} built on the notebook's ``Function``."""
    def counted(rule):
        def backward(self, grad):
            self.calls = self.calls + 1
            return rule(self, np.asarray(grad, dtype=np.float64))
        return backward

    ops = {}
    for name, (f, df) in UNARY_RULES.items():
        def forward(self, a, f=f):
            self.a, self.y = a, f(a)
            return self.y
        ops[name] = type(OP_NAMES[name], (Function,), {
            "calls": 0, "forward": forward, "backward": counted(lambda self, g, df=df: (g * df(self.a, self.y),))})
    for name, (f, rule) in BINARY_RULES.items():
        def forward(self, a, b, f=f):
            self.a, self.b = a, b
            return f(a, b)
        ops[name] = type(OP_NAMES[name], (Function,), {
            "calls": 0, "forward": forward, "backward": counted(lambda self, g, rule=rule: rule(g, self.a, self.b))})

    def forward_sum(self, a):
        self.shape = a.shape
        return a.sum()
    ops["sum"] = type("Sum", (Function,), {"calls": 0, "forward": forward_sum,
                                           "backward": counted(lambda self, g: (g * np.ones(self.shape),))})
    return ops


def step_op(step):
    """(recipe op name, input indices) of a non-leaf recipe step; square is x * x (one input, twice)."""
    if step[0] == "unary":
        return ("*", (step[2], step[2])) if step[1] == "square" else (step[1], (step[2],))
    if step[0] == "binary":
        return step[1], (step[2], step[3])
    return "sum", (step[1],)


def build_mine(recipe, reuse=None):
    """The recipe's graph with the notebook's Tensor; returns (pool, nodes)."""
    Tensor, ops = notebook("Tensor"), engine_ops(notebook("Function"))
    pool, nodes = [], []
    for step in recipe:
        if step[0] == "leaf":
            pool.append(reuse[len(pool)] if reuse is not None else
                        Tensor(np.array(step[1], dtype=np.float64), requires_grad=step[2]))
            continue
        name, args = step_op(step)
        node = ops[name]()
        pool.append(node(*(pool[i] for i in args)))
        nodes.append(node)
    return pool, nodes


def simulate(recipe, *, preset=False, twice=False, order="post", fan_out="sum"):
    """The leaves' gradients that an engine with a usual mistake gives (order "pre" or "bfs": nodes visited
    before all their gradients arrived; fan_out "overwrite": the last gradient wins; "inplace": += on an
    array that another input also holds). For hints only: the reference itself comes from torch."""
    values, inputs = [], []
    for step in recipe:
        if step[0] == "leaf":
            values.append(np.array(step[1], dtype=np.float64))
            inputs.append(())
            continue
        name, args = step_op(step)
        xs = [values[i] for i in args]
        values.append(UNARY_RULES[name][0](*xs) if name in UNARY_RULES else
                      BINARY_RULES[name][0](*xs) if name in BINARY_RULES else xs[0].sum())
        inputs.append(args)
    requires = [False] * len(recipe)
    for k, step in enumerate(recipe):
        requires[k] = step[2] if step[0] == "leaf" else any(requires[i] for i in inputs[k])
    leaf_grads = {k: np.full(np.shape(values[k]), 0.25) if preset else None
                  for k, step in enumerate(recipe) if step[0] == "leaf" and step[2]}

    def rule(k, g):
        name, args = step_op(recipe[k])
        xs = [values[i] for i in args]
        if name in UNARY_RULES:
            return (g * UNARY_RULES[name][1](xs[0], values[k]),)
        if name in BINARY_RULES:
            return BINARY_RULES[name][1](g, *xs)
        return (g * np.ones(np.shape(xs[0])),)

    def visiting_order():
        root, seen, found = len(recipe) - 1, set(), []
        if order == "bfs":
            queue = [root]
            seen.add(root)
            while queue:
                k = queue.pop(0)
                found.append(k)
                for i in inputs[k]:
                    if i not in seen:
                        seen.add(i)
                        queue.append(i)
            return found

        def visit(k):
            if k in seen:
                return
            seen.add(k)
            if order == "pre":
                found.append(k)
            for i in inputs[k]:
                visit(i)
            if order == "post":
                found.append(k)
        visit(root)
        return found if order == "pre" else found[::-1]

    for _run in range(2 if twice else 1):
        grads = {len(recipe) - 1: np.ones_like(values[-1])}
        for k in visiting_order():
            g = grads.pop(k, None)
            if g is None:
                continue
            if not inputs[k]:
                if k in leaf_grads:
                    leaf_grads[k] = g.copy() if leaf_grads[k] is None else leaf_grads[k] + g
                continue
            for i, gi in zip(inputs[k], rule(k, g)):
                if not requires[i]:
                    continue
                if i not in grads or fan_out == "overwrite":
                    grads[i] = gi
                elif fan_out == "inplace":
                    grads[i] += gi
                else:
                    grads[i] = grads[i] + gi
    return [leaf_grads.get(k) for k, step in enumerate(recipe) if step[0] == "leaf"]


def reaches_root(recipe):
    """For each step, whether the root depends on it."""
    reach = [False] * len(recipe)
    reach[-1] = True
    for k in range(len(recipe) - 1, -1, -1):
        if reach[k] and recipe[k][0] != "leaf":
            for i in step_op(recipe[k])[1]:
                reach[i] = True
    return reach


CHAIN = [("leaf", [0.5, -1.0, 2.0], True), ("unary", "sin", 0), ("binary", "*", 1, 0), ("sum", 2)]
FAN_IN = [("leaf", [1.0, -2.0], True), ("leaf", [0.5, 3.0], True), ("binary", "+", 0, 1), ("sum", 2)]
UNUSED = [("leaf", [1.0, -2.0], True), ("leaf", [0.5, 3.0], True), ("unary", "exp", 0), ("sum", 2)]
ONE_ELEMENT = [("leaf", [[0.7]], True), ("leaf", [[-1.2]], True), ("binary", "*", 0, 1), ("unary", "tanh", 2)]
NON_SCALAR = [("leaf", [0.3, 0.7], True), ("unary", "exp", 0), ("binary", "*", 1, 0)]
# x + y hands one array to both of its inputs; x's second share must not be added into it in place
SHARED = [("leaf", [0.5, -1.0], True), ("leaf", [2.0, 0.3], True), ("unary", "sin", 0), ("binary", "+", 0, 2),
          ("binary", "+", 0, 1), ("binary", "+", 3, 4), ("sum", 5)]
# The graphs' names are data (the cases name them) and how messages name them (translated when shown).
GRAPHS = {"sum(sin(x) * x)": CHAIN, "sum(x + y)": FAN_IN, N_("sum(exp(x)) with y unused"): UNUSED,
          "sum((x + sin(x)) + (x + y))": SHARED, N_("tanh(x * y) of shape (1, 1)"): ONE_ELEMENT,
          N_("x * exp(x) (2 elements)"): NON_SCALAR, **graphs.HAND_PICKED}


@register
class Backward(Ch07Exercise):
    """``backward(root)``: the student's engine, on graphs of the chapter's Function nodes with rules given."""

    id, names, points = "ex7_3", ("backward",), 4
    visible = [dict(graph=g) for g in ("sum(sin(x) * x)", *graphs.HAND_PICKED, "sum((x + sin(x)) + (x + y))",
                                       "sum(exp(x)) with y unused", "tanh(x * y) of shape (1, 1)")] + [
        dict(graph="sum(x + y)", twice=True),
        dict(graph="sum(sin(x) * x)", preset=True),
        dict(graph="x * exp(x) (2 elements)", error=True),
        dict(graph="random", seed=5),
    ]

    def case(self, graph="random", preset=False, twice=False, error=False, n_leaves=3, n_ops=8, shape=(3,), seed=0):
        if graph == "random":
            recipe = graphs.random_recipe(seed, n_leaves=n_leaves, n_ops=n_ops, shape=tuple(shape),
                                          scalar_root=not error)
        else:
            recipe = GRAPHS[graph]
        return {"recipe": recipe, "graph": graph, "preset": preset, "twice": twice, "error": error}

    def label(self, case):
        if case["graph"] == "random":
            leaves = sum(1 for step in case["recipe"] if step[0] == "leaf")
            graph = _("a random graph of {n} operations").format(n=len(case["recipe"]) - leaves)
        else:
            graph = _(case["graph"])
        if case["preset"] and not case["twice"]:
            return _("backward(root) for {graph} (its leaves already hold a .grad of 0.25)").format(graph=graph)
        if case["twice"] and not case["preset"]:
            return _("backward(root) for {graph} (two forward passes, one backward each)").format(graph=graph)
        return _("backward(root) for {graph}").format(graph=graph)

    def run(self, case, backward):
        recipe = case["recipe"]
        pool, nodes = build_mine(recipe)
        leaves = [pool[k] for k, step in enumerate(recipe) if step[0] == "leaf"]
        if case["error"]:
            try:
                calling(backward, pool[-1])
            except NotImplementedError:
                raise
            except Exception as error:
                return {"raised": encode(type(error).__name__), "message": encode(str(error))}
            return {"raised": encode(None), "message": encode("")}
        if case["preset"]:
            for leaf, step in zip(leaves, (s for s in recipe if s[0] == "leaf")):
                if step[2]:
                    leaf.grad = np.full(np.shape(step[1]), 0.25)
        calling(backward, pool[-1])
        held = [leaf.grad for leaf in leaves if type(leaf.grad) is np.ndarray]
        data = {"aliased": encode(any(np.shares_memory(a, b) for i, a in enumerate(held) for b in held[i + 1:]))}
        inner = [pool[k] for k, step in enumerate(recipe) if step[0] != "leaf"]
        if case["twice"]:
            data["first"] = encode([leaf.grad for leaf in leaves])  # a snapshot: encode copies the values
            again, more = build_mine(recipe, reuse=pool)
            calling(backward, again[-1])
            nodes += more
            inner += [again[k] for k, step in enumerate(recipe) if step[0] != "leaf"]
        data.update(grads=encode([leaf.grad for leaf in leaves]), calls=encode([node.calls for node in nodes]),
                    inner=encode([t.grad is not None for t in inner]))
        return data

    def reference(self, case):
        import torch

        if case["error"]:
            return {"raised": encode("RuntimeError"), "message": encode(NON_SCALAR_ERROR)}
        recipe = case["recipe"]
        with one_thread():
            root, pool = graphs.build(torch, recipe, device=device())
            leaves = [pool[k] for k, step in enumerate(recipe) if step[0] == "leaf"]
            for leaf in leaves:
                if leaf.requires_grad and case["preset"]:
                    leaf.grad = torch.full_like(leaf, 0.25)
            root.backward()
            data = {}
            if case["twice"]:
                data["first"] = encode([leaf.grad for leaf in leaves])
                graphs.build(torch, recipe, device=device(), reuse=pool)[0].backward()
            data["grads"] = encode([leaf.grad for leaf in leaves])
        options = dict(preset=case["preset"], twice=case["twice"])
        for key, mistake in (("pre", dict(order="pre")), ("bfs", dict(order="bfs")),
                             ("overwrite", dict(fan_out="overwrite")), ("inplace", dict(fan_out="inplace"))):
            data[key] = encode(simulate(recipe, **options, **mistake))
        return data

    def compare(self, case, got, want):
        label, recipe = self.label(case), case["recipe"]
        if case["error"]:
            raised = got["raised"]
            check(raised.kind == "str", _("{label}: a root with several elements must raise RuntimeError({message!r}), "
                                          "as torch does; it raised nothing.").format(label=label,
                                                                                     message=NON_SCALAR_ERROR))
            check(raised.value == "RuntimeError" and NON_SCALAR_ERROR in got["message"].value,
                  _("{label}: a root with several elements must raise RuntimeError({message!r}) like torch, but it "
                    "raised {type}({got!r}).").format(label=label, message=NON_SCALAR_ERROR, type=raised.value,
                                                      got=got["message"].value))
            return
        node_steps = [step for step in recipe if step[0] != "leaf"] * (2 if case["twice"] else 1)
        reach = [r for r, step in zip(reaches_root(recipe), recipe) if step[0] != "leaf"] * (2 if case["twice"] else 1)
        calls = [item.value for item in got["calls"].items]
        check(len(calls) == len(node_steps), _("The answer's results could not be read."))
        for count, step, reached in zip(calls, node_steps, reach):
            op = OP_NAMES[step_op(step)[0]]
            check(count <= 1, _("{label}: the backward of a {op} node ran {n} times. Each node must run once, after "
                                "all the gradients for its output have arrived and been summed: visit the tensors "
                                "in reverse topological order instead of following every path.").format(
                label=label, op=op, n=int(count)))
            check(count == 1 or not reached, _("{label}: the backward of a {op} node never ran, although the root "
                                               "depends on it.").format(label=label, op=op))
        check(not got["aliased"].value,
              _("{label}: two leaves share one .grad array. Store a copy the first time (g.copy()): otherwise "
                "changing one .grad in place (+=, or an optimizer's update) changes the other.").format(label=label))
        leaf_steps = [step for step in recipe if step[0] == "leaf"]
        preset = [np.full(np.shape(step[1]), 0.25) if case["preset"] and step[2] else None for step in leaf_steps]
        if "first" in want:
            self._grads(_("{label}, after the first backward").format(label=label), leaf_steps, got["first"],
                        want["first"], None, preset)
            preset = [None if w.kind == "none" else w.values() for w in want["first"].items]
        self._grads(label, leaf_steps, got["grads"], want["grads"], want, preset)
        check(not any(item.value for item in got["inner"].items),
              _("{label}: an intermediate tensor (not a leaf) got a .grad. Like torch, write .grad only into leaves "
                "that require grad; the gradients of intermediate tensors live only while backward runs.").format(
                label=label))

    @staticmethod
    def _grads(label, leaf_steps, got, want, mistakes, before):
        """Every leaf's .grad against torch's; ``before``: what each .grad held before this backward."""
        __tracebackhide__ = True
        check(got.kind == "list" and got.length == len(want.items), _("{label}: the leaves' .grad could not be "
                                                                      "read.").format(label=label))
        for i, (g, w, step) in enumerate(zip(got.items, want.items, leaf_steps)):
            name = _("leaf {i}.grad after {label}").format(i=i, label=label)
            if not step[2]:
                check(g.kind == "none", _("{name} should stay None: that leaf does not require grad (a constant), so "
                                          "no gradient is written into it; it is {what}.").format(name=name,
                                                                                             what=describe(g)))
                continue
            if w.kind == "none":
                check(g.kind == "none", _("{name} should stay None: the root does not depend on that leaf, so no "
                                          "gradient reaches it; it is {what}.").format(name=name, what=describe(g)))
                continue
            expected = w.values()
            if g.kind == "tensor" and g.values().shape == expected.shape and not all_close(g.values(), expected,
                                                                                            *DOUBLE):
                if before[i] is not None and all_close(g.values(), expected - before[i], *DOUBLE):
                    fail(_("{name} lost the gradient it already had: add into .grad (leaf.grad + g), do not replace "
                           "it.").format(name=name))
                for key, hint in (("overwrite", _("it is what an engine gives that keeps only the last gradient "
                                                  "where a tensor feeds several operations: sum them all.")),
                                  ("inplace", _("it is what += on a gradient array gives when that array is also "
                                                "held elsewhere (an add hands the same grad to both inputs): sum "
                                                "with grads[k] = grads[k] + g, which makes a new array.")),
                                  ("pre", _("a tensor was processed before all the gradients for it had arrived: "
                                            "visit the tensors in reverse topological order (a depth-first "
                                            "post-order, reversed), not in the order you first meet them.")),
                                  ("bfs", _("a tensor was processed before all the gradients for it had arrived "
                                            "(breadth-first order is not a topological order): visit the tensors "
                                            "in a depth-first post-order, reversed."))):
                    wrong = mistakes[key].items[i] if mistakes is not None else None
                    if wrong is not None and wrong.kind == "tensor" and all_close(g.values(), wrong.values(), *DOUBLE):
                        fail(_("{name} is wrong: {hint}").format(name=name, hint=hint))
            expect_grad(g, expected, name)


# ------------------------------------------------------------------------------------------- ex7_4
TRAIN_SIZE = 1437       # the first 80% of a fixed shuffle of the 1797 digits
ACCURACY = 0.90         # what the graded accuracy check asks (after 3 epochs)


@functools.lru_cache(maxsize=1)
def digits():
    """(X, y, train indices, test indices): scikit-learn's 8x8 digits, pixels scaled to [0, 1], split as the
    chapter splits them (a shuffle with seed 0: 1437 images to train on, 360 to test on).

    The file is the one ``sklearn.datasets.load_digits()`` reads, read the same way but without importing
    scikit-learn: its array-API layer (scipy's array_api_compat) probes ``sys.modules["torch"]``, which
    the do-it-yourself run replaces with a stand-in that refuses every use; and the import costs seconds.
    """
    package = importlib.util.find_spec("sklearn")  # finds the package without importing it
    data = np.loadtxt(Path(list(package.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz",
                      delimiter=",")
    order = np.random.default_rng(0).permutation(len(data))
    return data[:, :-1] / 16.0, data[:, -1].astype(int), order[:TRAIN_SIZE], order[TRAIN_SIZE:]


def init_arrays(sizes, seed):
    """The MLP's starting weights, as the chapter's Linear draws them: per layer W then b, uniform in
    ±1/sqrt(fan_in), from numpy's default_rng(seed)."""
    r = np.random.default_rng(seed)
    arrays = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        arrays += [r.uniform(-bound, bound, (n_in, n_out)), r.uniform(-bound, bound, n_out)]
    return arrays


def param_names(sizes):
    return [f"layers[{i}].{name}" for i in range(len(sizes) - 1) for name in ("weight", "bias")]


def accuracy(arrays, X, y):
    """Test accuracy of the MLP with these weights (tanh between layers), computed with numpy."""
    h = X
    for k in range(0, len(arrays), 2):
        h = h @ arrays[k] + arrays[k + 1]
        if k + 2 < len(arrays):
            h = np.tanh(h)
    return float(np.mean(h.argmax(axis=1) == y))


def torch_training(case, mistake=None, steps=None):
    """Losses and final weights of the same training with torch (float64), or with a usual mistake:
    'no_zero' (.grad never reset), 'ascent' (+ lr·grad), 'double' (2·lr), 'frozen' (no update),
    'weights_only' (the biases never move)."""
    import torch

    X, y, train, _test = digits()
    params = [tensor(a, requires_grad=True) for a in init_arrays(case["sizes"], case["seed"])]
    factor = {"ascent": -1.0, "double": 2.0, "frozen": 0.0}.get(mistake, 1.0)
    losses = []
    with one_thread():
        for positions in case["batches"][:steps]:
            rows = train[positions]
            h = tensor(X[rows])
            for k in range(0, len(params), 2):
                h = h @ params[k] + params[k + 1]
                if k + 2 < len(params):
                    h = torch.tanh(h)
            loss = torch.nn.functional.cross_entropy(h, torch.tensor(y[rows], device=device()))
            if mistake != "no_zero":
                for p in params:
                    p.grad = None
            loss.backward()
            with torch.no_grad():
                for k, p in enumerate(params):
                    if mistake != "weights_only" or k % 2 == 0:
                        p -= factor * case["lr"] * p.grad
            losses.append(loss.item())
    return losses, [p.detach().cpu().numpy() for p in params]


@register
class Train(Ch07Exercise):
    """``train(model, batches, lr)``: plain SGD with the student's engine; losses step by step vs torch."""

    id, names, points = "ex7_4", ("train",), 3
    visible = [dict(seed=0), dict(seed=1, sizes=(64, 16, 16, 10), lr=0.2, steps=30, batch_size=16),
               dict(seed=0, steps=132, accuracy=True)]
    rtol = 1e-6

    def case(self, sizes=(64, 32, 10), lr=0.5, steps=50, batch_size=32, accuracy=False, seed=0):
        r = rng(seed + 1)
        batches = []
        while len(batches) < steps:  # epochs of shuffled batches
            order = r.permutation(TRAIN_SIZE)
            batches += [order[i:i + batch_size].tolist() for i in range(0, TRAIN_SIZE - batch_size + 1, batch_size)]
        return {"sizes": list(sizes), "lr": float(lr), "seed": int(seed), "batches": batches[:steps],
                "accuracy": bool(accuracy)}

    def label(self, case):
        return _("train(MLP{sizes}, {steps} batches of {size}, lr={lr})").format(
            sizes=tuple(case["sizes"]), steps=len(case["batches"]), size=len(case["batches"][0]), lr=case["lr"])

    def run(self, case, train):
        X, y, rows, _test = digits()
        Tensor = notebook("Tensor")
        model = notebook("MLP")(tuple(case["sizes"]), seed=case["seed"])
        for p, start in zip(model.parameters(), init_arrays(case["sizes"], case["seed"])):
            p.data = start.copy()
        batches = [(Tensor(X[rows[positions]]), y[rows[positions]]) for positions in case["batches"]]
        losses = calling(train, model, batches, case["lr"])
        return {"losses": encode(losses), "params": encode([p.data for p in model.parameters()])}

    def reference(self, case):
        losses, params = torch_training(case)
        X, y, _train, test = digits()
        return {"losses": encode(losses), "params": encode(params),
                "accuracy": encode(accuracy(params, X[test], y[test]))}

    def compare(self, case, got, want):
        label, steps = self.label(case), len(case["batches"])
        losses = self._losses(label, got["losses"], steps)
        expected = np.array([item.value for item in want["losses"].items])
        short = min(10, steps)
        hints = {"no_zero": _("Your losses match training where .grad is never reset: backward adds into .grad, so "
                              "set every p.grad = None (model.zero_grad()) before each backward."),
                 "ascent": _("Your losses match training that climbs the gradient: the update is p.data -= lr * "
                             "p.grad (minus)."),
                 "double": _("Your losses match training with twice the step: lr counted twice, or backward run "
                             "twice per batch."),
                 "frozen": _("Your losses match a model that never changes: update the parameters' arrays "
                             "(p.data -= lr * p.grad); rebinding a name (p = p - ...) changes nothing in the model."),
                 "weights_only": _("Your losses match training that moves the weights but not the biases: update "
                                   "every parameter that model.parameters() lists.")}
        for k, (mine, theirs) in enumerate(zip(losses, expected)):
            if not abs(mine - theirs) <= self.rtol * abs(theirs):
                for mistake, hint in hints.items():  # the usual mistakes, trained only now that a loss differs
                    wrong = np.array(torch_training(case, mistake, steps=short)[0])
                    if np.allclose(losses[:short], wrong, rtol=self.rtol, atol=0) and \
                            not np.allclose(wrong, expected[:short], rtol=self.rtol, atol=0):
                        fail(with_hint(_("{label}: the losses differ from torch's.").format(label=label), hint))
                hint = _("The loss of the first batch comes before any update: compute it as cross_entropy(model(x), "
                         "labels) and record it as a float.") if k == 0 else _(
                    "An update before this batch went wrong. If exercises 7.1 to 7.3 pass, look at the loop: every "
                    "parameter gets p.data -= lr * p.grad, and .grad is reset before each backward.")
                fail(with_hint(_("{label}: at step {k}, your loss is {mine:.10g} where torch's is {theirs:.10g} (same "
                                 "start, same batches; allowed: relative error {rtol:g}).").format(
                    label=label, k=k, mine=mine, theirs=theirs, rtol=self.rtol), hint))
        params = got["params"]
        check(params.kind == "list" and params.length == len(want["params"].items),
              _("{label}: the model's parameters could not be read after training.").format(label=label))
        for name, mine, theirs in zip(param_names(case["sizes"]), params.items, want["params"].items):
            expect_close(mine, theirs.array, _("model.{name} after {label}").format(name=name, label=label),
                         rtol=self.rtol, atol=1e-9)
        if case["accuracy"]:
            X, y, _train, test = digits()
            reached = accuracy([p.array for p in params.items], X[test], y[test])
            goal = min(ACCURACY, want["accuracy"].value)
            check(reached >= goal, _("{label}: the test accuracy is {acc:.1%}, below {goal:.0%}.").format(
                label=label, acc=reached, goal=goal))

    @staticmethod
    def _losses(label, v, steps):
        """The student's losses as floats (a list of numbers or 0-d arrays, or a 1-d numpy array)."""
        __tracebackhide__ = True
        if v.kind == "tensor" and v.library == "numpy" and v.array.ndim == 1:
            values = list(v.array)
        else:
            if v.kind not in ("list", "tuple"):
                fail(sentences(_("{label} should return the list of losses, but it returned {what}.").format(
                    label=label, what=describe(v)), _("Did you forget a `return`?") if v.kind == "none" else ""))
            values = []
            for k, item in enumerate(v.items):
                ok = item.kind == "number" or (item.kind == "tensor" and item.array.size == 1)
                check(ok, _("{label}: loss {k} is {what}; append a Python float, float(loss.data).").format(
                    label=label, k=k, what=describe(item)))
                values.append(float(item.values().reshape(())))
        check(len(values) == steps, _("{label} returned {n} losses; it should return one per batch: {steps}.").format(
            label=label, n=len(values), steps=steps))
        return np.array(values, dtype=np.float64)


check_ex7_1, check_ex7_2, check_ex7_3, check_ex7_4 = SumTo, BackwardRules, Backward, Train
