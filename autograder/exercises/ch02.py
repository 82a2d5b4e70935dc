"""Chapter 02_backward: gradients by hand, a reverse-mode engine, an SGD step.

References come from torch.autograd in float64 (on CUDA when there is a GPU). ex2_1 and ex2_2 are
"do it yourself" exercises: a second grading run takes torch, sympy and minigrad's own backward engine
away (``self_made``), so an answer that calls them instead of doing the work fails there.
"""
from __future__ import annotations

import numpy as np

from ..i18n import _
from . import graphs
from .base import Exercise, register
from .expect import (DOUBLE, all_close, check, describe, expect_close, expect_grad, expect_items, expect_none,
                     expect_number, fail)
from .reference import device, rng, tensor
from .values import encode

CHAPTER = "02_backward"
NON_SCALAR_ERROR = "grad can be implicitly created only for scalar outputs"
SELF_MADE = ("torch", "sympy", "minigrad.engine")


def library(name):
    """The torch or the minigrad module, by name."""
    import importlib

    return importlib.import_module(name)


# ------------------------------------------------------------------------------------------- ex2_1
@register
class GradsByHand(Exercise):
    """``grads_by_hand(x1, x2, x3)``: (dy/dx1, dy/dx2, dy/dx3) of y = (x1·x2 + x3)², as Python floats."""

    chapter, id, names, points = CHAPTER, "ex2_1", ("grads_by_hand",), 1
    self_made = SELF_MADE
    visible = [dict(x=[2.0, 3.0, 1.0]), dict(x=[-1.5, 0.5, 2.0])]

    def case(self, x=None, low=-3.0, high=3.0, seed=0):
        return {"x": [float(v) for v in (rng(seed).uniform(low, high, 3) if x is None else x)]}

    def label(self, case):
        return "grads_by_hand({}, {}, {})".format(*(f"{v:.6g}" for v in case["x"]))

    def run(self, case, grads_by_hand):
        return {"result": encode(grads_by_hand(*case["x"]))}

    def reference(self, case):
        xs = [tensor(v, requires_grad=True) for v in case["x"]]
        y = (xs[0] * xs[1] + xs[2]) ** 2
        return {"result": encode([g.item() for g in __import__("torch").autograd.grad(y, xs)])}

    def compare(self, case, got, want):
        label = self.label(case)
        items = expect_items(got["result"], 3, label)
        values = [expect_number(item, f"dy/dx{i + 1} of {label}") for i, item in enumerate(items)]
        expected = [v.value for v in want["result"].items]
        x1, x2, x3 = case["x"]
        outer = 2 * (x1 * x2 + x3)
        if np.allclose(values, [outer] * 3, rtol=1e-9, atol=1e-12) and not np.allclose(expected, values):
            fail(_("All three answers of {label} are 2·(x1·x2 + x3) = {outer:.6g}: the chain rule also multiplies by "
                   "the inner derivative (∂u/∂x1 = x2, ∂u/∂x2 = x1, ∂u/∂x3 = 1 for u = x1·x2 + x3).").format(
                label=label, outer=outer))
        if np.allclose(values, [expected[1], expected[0], expected[2]], rtol=1e-9) and not np.allclose(expected, values):
            fail(_("{label}: dy/dx1 and dy/dx2 are swapped. ∂(x1·x2)/∂x1 is x2, not x1.").format(label=label))
        for i, (item, value) in enumerate(zip(items, expected)):
            expect_close(item, value, f"dy/dx{i + 1} of {label}")


# ------------------------------------------------------------------------------------------- ex2_2
CHAIN = [("leaf", [0.5, -1.0, 2.0], True), ("unary", "sin", 0), ("binary", "*", 1, 0), ("sum", 2)]
NON_SCALAR = [("leaf", [0.3, 0.7], True), ("unary", "exp", 0), ("binary", "*", 1, 0)]
FAN_IN = [("leaf", [1.0, -2.0], True), ("leaf", [0.5, 3.0], True), ("binary", "+", 0, 1), ("sum", 2)]
LABELS = {"chain": "sum(sin(x) * x)", "non_scalar": "x * exp(x) with gradient=v", "fan_in": "sum(x + y)"}


@register
class RunBackward(Exercise):
    """``run_backward(root, gradient=None)``: a reverse-mode engine over ``grad_fn.next_functions``."""

    chapter, id, names, points = CHAPTER, "ex2_2", ("run_backward",), 4
    self_made = SELF_MADE
    visible = [dict(graph=g, library=lib) for lib in ("torch", "minigrad")
               for g in ("chain", *graphs.HAND_PICKED)] + [
        dict(graph="sin(w * y) + b with y constant", library="torch", preset=True),
        dict(graph="non_scalar", library="minigrad", gradient=True),
        dict(graph="fan_in", library="torch", twice=True),
        dict(graph="fan_in", library="minigrad", twice=True),
        dict(graph="non_scalar", library="torch", error=True),
        dict(graph="non_scalar", library="minigrad", error=True),
    ]

    def case(self, graph="random", library="torch", gradient=False, preset=False, twice=False, error=False,
             n_leaves=3, n_ops=8, shape=(3,), scalar_root=True, seed=0):
        named = {"chain": CHAIN, "non_scalar": NON_SCALAR, "fan_in": FAN_IN, **graphs.HAND_PICKED}
        if graph == "random":
            recipe = graphs.random_recipe(seed, n_leaves=n_leaves, n_ops=n_ops, shape=tuple(shape),
                                          scalar_root=scalar_root)
            label = _("a random graph of {n} operations").format(n=n_ops + 1 + scalar_root)
            out_shape = () if scalar_root else tuple(shape)
        else:
            recipe, label = named[graph], LABELS.get(graph, graph)
            if error:
                label = _("x * exp(x) without gradient")
            out_shape = (2,) if graph == "non_scalar" else ()
        v = rng(seed + 1).normal(size=out_shape).tolist() if gradient else None
        return {"recipe": recipe, "library": library, "label": label, "gradient": v, "preset": preset,
                "twice": twice, "error": error}

    def label(self, case):
        return _("run_backward on {graph} ({library})").format(graph=case["label"], library=case["library"])

    def second_run(self, case):
        return case["library"] == "minigrad"  # torch is switched off in the do-it-yourself run

    def run(self, case, run_backward):
        lib = library(case["library"])
        root, pool = graphs.build(lib, case["recipe"])
        if case["error"]:
            try:
                run_backward(root)
            except Exception as error:
                return {"raised": encode(type(error).__name__), "message": encode(str(error))}
            return {"raised": encode(None), "message": encode("")}
        leaves = graphs.leaves(pool)
        if case["preset"]:
            for leaf in leaves:
                leaf.grad = lib.full_like(leaf, 0.25)
        gradient = None if case["gradient"] is None else lib.tensor(case["gradient"], dtype=lib.float64)
        result = run_backward(root) if gradient is None else run_backward(root, gradient)
        data = {"result": encode(result)}
        if case["twice"]:
            data["first"] = encode([leaf.grad for leaf in leaves])  # a snapshot: encode copies the values
            run_backward(graphs.build(lib, case["recipe"], reuse=pool)[0])
        grads = [leaf.grad for leaf in leaves]
        held = [g for g in grads if g is not None]
        data.update(grads=encode(grads), gradient_after=encode(gradient),
                    aliased=encode(len({id(g) for g in held}) < len(held) or any(g is gradient for g in held)))
        return data

    def reference(self, case):
        import torch

        if case["error"]:
            return {"raised": encode("RuntimeError"), "message": encode(NON_SCALAR_ERROR)}
        grads, first = {}, {}
        for fan_out in ("sum", "overwrite"):  # torch's answer, and what overwriting at a fan-out gives
            root, pool = graphs.build(torch, case["recipe"], device=device())
            leaves = graphs.leaves(pool)
            for leaf in leaves:
                leaf.grad = torch.full_like(leaf, 0.25) if case["preset"] else None
            gradient = None if case["gradient"] is None else tensor(case["gradient"])
            backward = root.backward if fan_out == "sum" else lambda g=None: _overwriting_backward(root, g)
            backward(gradient)
            if case["twice"]:
                first[fan_out] = encode([leaf.grad for leaf in leaves])
                root = graphs.build(torch, case["recipe"], reuse=pool)[0]
                root.backward() if fan_out == "sum" else _overwriting_backward(root, None)
            grads[fan_out] = [leaf.grad for leaf in leaves]
        data = {"result": encode(None), "grads": encode(grads["sum"]), "if_overwritten": encode(grads["overwrite"]),
                "aliased": encode(False), "gradient_after": encode(gradient)}
        if case["twice"]:
            data["first"] = first["sum"]
        return data

    def compare(self, case, got, want):
        label = self.label(case)
        if case["error"]:
            raised = got["raised"]
            check(raised.kind == "str", _("{label}: a root with several elements and no `gradient` must raise "
                                          "RuntimeError({message!r}), as torch does; it raised nothing.").format(
                label=label, message=NON_SCALAR_ERROR))
            check(raised.value == "RuntimeError" and NON_SCALAR_ERROR in got["message"].value,
                  _("{label}: without `gradient`, a non-scalar root must raise RuntimeError({message!r}) like torch, "
                    "but it raised {type}({got!r}).").format(label=label, message=NON_SCALAR_ERROR,
                                                              type=raised.value, got=got["message"].value))
            return
        expect_none(got["result"], _("what {label} returns").format(label=label),
                    _("run_backward works by side effect, like backward(): return None."))
        if "first" in want:
            _compare_grads(_("{label} (first call)").format(label=label), got["first"], want["first"], None, None)
        stale = [0.25 if case["preset"] else None for _ in want["grads"].items]
        _compare_grads(label, got["grads"], want["grads"], want["if_overwritten"], stale)
        check(not got["aliased"].value,
              _("{label}: two leaves (or a leaf and your `gradient` argument) share one .grad tensor object. Store "
                "a copy the first time (grad.clone()): otherwise the next accumulation into one changes the "
                "other.").format(label=label))
        for i, g in enumerate(got["grads"].items):
            check(g.kind != "tensor" or (not g.requires_grad and g.grad_fn is None),
                  _("{label}: leaf {i}'s .grad has a grad_fn ({fn}): the engine recorded a graph while it ran. Run it "
                    "inside `with lib.no_grad():`.").format(label=label, i=i, fn=g.grad_fn))
        if want["gradient_after"].kind == "tensor":
            expect_close(got["gradient_after"], want["gradient_after"].array,
                         _("your `gradient` argument after {label} (the engine must not change it)").format(label=label))


def _compare_grads(label, got, want, if_overwritten, stale):
    """Every leaf's .grad against torch's, naming the usual engine mistakes."""
    check(got.kind == "list" and got.length == len(want.items),
          _("{label}: the leaves' .grad could not be read.").format(label=label))
    for i, (g, w) in enumerate(zip(got.items, want.items)):
        name = _("leaf {i}.grad after {label}").format(i=i, label=label)
        expected = None if w.kind == "none" else w.values()
        if expected is not None and g.kind == "tensor" and g.values().shape == expected.shape \
                and not all_close(g.values(), expected, *DOUBLE):
            if stale and stale[i] is not None and all_close(g.values(), expected - stale[i], *DOUBLE):
                fail(_("{name} lost the gradient it already had: backward adds into .grad (leaf.grad + grad), it "
                       "does not replace it.").format(name=name))
            wrong = None if if_overwritten is None else if_overwritten.items[i]
            if wrong is not None and wrong.kind == "tensor" and all_close(g.values(), wrong.values(), *DOUBLE):
                fail(_("{name} is what an engine gives that overwrites instead of adding where a tensor feeds several "
                       "operations: at a fan-out, a node must receive the sum of the gradients from all its "
                       "consumers before it runs.").format(name=name))
        expect_grad(g, expected, name, stale=None if not stale or stale[i] is None else np.full_like(expected, stale[i]))


def _overwriting_backward(root, gradient):
    """The classic mistake, for hints: an engine that keeps only the last gradient reaching a node."""
    import torch

    order, seen = [], set()

    def visit(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        for child, _ in node.next_functions:
            visit(child)
        order.append(node)

    visit(root.grad_fn)
    grads = {root.grad_fn: torch.ones_like(root) if gradient is None else gradient}
    with torch.no_grad():
        for node in reversed(order):
            grad = grads.pop(node, None)
            if grad is None:
                continue
            if hasattr(node, "variable"):
                node.variable.grad = grad.clone() if node.variable.grad is None else node.variable.grad + grad
                continue
            outputs = node(grad)
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
            for (child, _), g in zip(node.next_functions, outputs):
                if child is not None and g is not None:
                    grads[child] = g


# ------------------------------------------------------------------------------------------- ex2_3
@register
class SgdStep(Exercise):
    """``sgd_step_(params, lr)``: p ← p − lr·p.grad in place, without recording a graph, then zero the grads."""

    chapter, id, names, points = CHAPTER, "ex2_3", ("sgd_step_",), 2
    visible = [dict(library="torch", lr=0.1, seed=3), dict(library="minigrad", lr=0.1, seed=3)]

    def case(self, library="torch", lr=0.1, seed=0):
        r = rng(seed)
        return {"library": library, "lr": float(lr), "w": r.normal(size=(2, 3)).tolist(),
                "b": r.normal(size=3).tolist(), "unused": [1.0, -1.0]}

    def label(self, case):
        return _("sgd_step_(params, lr={lr}) ({library})").format(lr=case["lr"], library=case["library"])

    @staticmethod
    def _params(lib, case, **placement):
        w, b, unused = (lib.tensor(case[k], dtype=lib.float64, requires_grad=True, **placement)
                        for k in ("w", "b", "unused"))
        ((w * w).sum() + (b * w).sum() * 3.0 + b.sin().sum()).backward()
        return [w, b, unused]

    def run(self, case, sgd_step_):
        params = self._params(library(case["library"]), case)
        originals = list(params)
        result = sgd_step_(params, case["lr"])
        return {"result": encode(result), "same": encode(len(params) == 3 and all(p is q for p, q in zip(params, originals))),
                "params": encode(originals), "grads": encode([p.grad for p in originals])}

    def reference(self, case):
        import torch

        params = self._params(torch, case, device=device())
        with torch.no_grad():
            before = [p.detach().clone() for p in params]
            for p in params:
                if p.grad is not None:
                    p -= case["lr"] * p.grad
        return {"result": encode(None), "same": encode(True), "params": encode(params), "before": encode(before),
                "grads": encode([p.grad for p in params])}

    def compare(self, case, got, want):
        where = self.label(case)
        check(got["same"].value, _("after {where}: the list `params` must still hold the same parameter objects; "
                                   "update each tensor in place instead of replacing it.").format(where=where))
        names = ("w", "b", "unused")
        for name, p, w, old, g in zip(names, got["params"].items, want["params"].items, want["before"].items,
                                      want["grads"].items):
            check(p.kind == "tensor" and p.is_leaf and p.requires_grad and p.grad_fn is None,
                  _("after {where}: {name} must stay a leaf that requires grad, but it is {what} with is_leaf="
                    "{leaf}, requires_grad={rg}, grad_fn={fn}. Update it in place inside `with lib.no_grad():`, so "
                    "that no graph records the update.").format(where=where, name=name, what=describe(p),
                                                                 leaf=p.is_leaf, rg=p.requires_grad, fn=p.grad_fn))
            if g.kind != "none" and all_close(p.values(), old.values(), *DOUBLE):
                fail(_("after {where}: {name} did not change (expected p − lr·p.grad). A common cause: `p = p - lr * "
                       "p.grad` builds a new tensor and only rebinds the name p. Change it in place inside no_grad(): "
                       "`p -= lr * p.grad`.").format(where=where, name=name))
            if g.kind != "none" and all_close(p.values(), 2 * old.values() - w.values(), *DOUBLE):
                fail(_("after {where}: {name} moved up the gradient (p + lr·p.grad): gradient descent subtracts "
                       "it.").format(where=where, name=name))
            suffix = _(" (it had no gradient: leave it unchanged)") if g.kind == "none" else ""
            expect_close(p, w.values(), _("{name} after {where}").format(name=name, where=where) + suffix)
        for name, g in zip(names, got["grads"].items):
            check(g.kind == "none" or (g.kind == "tensor" and not np.any(g.array != 0)),
                  _("after {where}: {name}.grad should be zeroed (or set to None) after the step; otherwise the next "
                    "backward adds to this step's gradient.").format(where=where, name=name))


check_ex2_1, check_ex2_2, check_ex2_3 = GradsByHand, RunBackward, SgdStep
