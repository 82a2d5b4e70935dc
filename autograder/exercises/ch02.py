"""Chapter 02_backward: gradients by hand, a reverse-mode engine, an SGD step.

References come from torch.autograd in float64 (on CUDA when there is a GPU). ex2_1 and ex2_2 are
"do it yourself" exercises: a second grading run takes torch, sympy and minigrad's own backward engine
away (``self_made``), so an answer that calls them instead of doing the work fails there.
"""
from __future__ import annotations

import numpy as np

from ..i18n import N_, _
from . import graphs
from .base import Exercise, register
from .ch01 import library
from .expect import (DOUBLE, all_close, check, describe, expect_close, expect_grad, expect_items, expect_none,
                     expect_number, fail, with_hint)
from .reference import device, rng, tensor
from .values import encode

CHAPTER = "02_backward"
NON_SCALAR_ERROR = "grad can be implicitly created only for scalar outputs"
SELF_MADE = ("torch", "sympy", "minigrad.engine")


# ------------------------------------------------------------------------------------------- ex2_1
@register
class GradsByHand(Exercise):
    """``grads_by_hand(x1, x2, x3)``: (dy/dx1, dy/dx2, dy/dx3) of y = (x1·x2 + x3)², as Python floats."""

    chapter, id, names, points = CHAPTER, "ex2_1", ("grads_by_hand",), 1
    self_made = SELF_MADE
    visible = [dict(x=[2.0, 3.0, 1.0]), dict(x=[-1.5, 0.5, 2.0]), dict(x=[0.37, -1.73, 0.91])]

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
        values = [expect_number(item, _("dy/dx{i} of {label}").format(i=i + 1, label=label))
                  for i, item in enumerate(items)]
        expected = [v.value for v in want["result"].items]
        x1, x2, x3 = case["x"]
        outer = 2 * (x1 * x2 + x3)
        if np.allclose(values, [outer] * 3, rtol=1e-9, atol=1e-12) and not np.allclose(expected, values):
            fail(_("All three answers of {label} are 2·(x1·x2 + x3) = {outer:.6g}: the chain rule also multiplies by "
                   "the inner derivative (∂u/∂x1 = x2, ∂u/∂x2 = x1, ∂u/∂x3 = 1 for u = x1·x2 + x3).").format(
                label=label, outer=outer))
        if np.allclose(values, [x2, x1, 1.0], rtol=1e-9, atol=1e-12) and not np.allclose(expected, values):
            fail(_("{label} returned (x2, x1, 1): the derivatives of the inner u = x1·x2 + x3, not of y = u². The "
                   "chain "
                   "rule multiplies them by dy/du = 2u = {outer:.6g}.").format(label=label, outer=outer))
        if np.allclose(values, [expected[1], expected[0], expected[2]], rtol=1e-9) and not np.allclose(expected,
                                                                                                       values):
            fail(_("{label}: dy/dx1 and dy/dx2 are swapped. ∂(x1·x2)/∂x1 is x2, not x1.").format(label=label))
        for i, (item, value) in enumerate(zip(items, expected)):
            expect_close(item, value, _("dy/dx{i} of {label}").format(i=i + 1, label=label))


# ------------------------------------------------------------------------------------------- ex2_2
CHAIN = [("leaf", [0.5, -1.0, 2.0], True), ("unary", "sin", 0), ("binary", "*", 1, 0), ("sum", 2)]
NON_SCALAR = [("leaf", [0.3, 0.7], True), ("unary", "exp", 0), ("binary", "*", 1, 0)]
FAN_IN = [("leaf", [1.0, -2.0], True), ("leaf", [0.5, 3.0], True), ("binary", "+", 0, 1), ("sum", 2)]
FAN_IN_VECTOR = FAN_IN[:3]  # x + y: AddBackward0 hands the very tensor it receives to both leaves
ONE_ELEMENT = [("leaf", [1.5], True), ("unary", "sin", 0), ("binary", "*", 1, 0)]  # shape (1,): a scalar for torch
NAMED = {"chain": CHAIN, "non_scalar": NON_SCALAR, "fan_in": FAN_IN, "fan_in_vector": FAN_IN_VECTOR,
         "one_element": ONE_ELEMENT, **graphs.HAND_PICKED}
# How messages name the graphs (translated when a message is made; the other graphs are named by their key).
LABELS = {"chain": "sum(sin(x) * x)", "non_scalar": N_("x * exp(x) with gradient=v"), "fan_in": "sum(x + y)",
          "fan_in_vector": N_("x + y with gradient=v"), "one_element": N_("sin(x) * x with x of shape (1,)")}
OUT_SHAPES = {"non_scalar": (2,), "fan_in_vector": (2,), "one_element": (1,)}


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
        dict(graph="fan_in_vector", library="torch", gradient=True),
        dict(graph="fan_in_vector", library="minigrad", gradient=True),
        dict(graph="one_element", library="torch"),
        dict(graph="one_element", library="minigrad"),
        dict(graph="non_scalar", library="torch", error=True),
        dict(graph="non_scalar", library="minigrad", error=True),
    ]

    def case(self, graph="random", library="torch", gradient=False, preset=False, twice=False, error=False,
             n_leaves=3, n_ops=8, shape=(3,), scalar_root=True, seed=0):
        if graph == "random":
            recipe = graphs.random_recipe(seed, n_leaves=n_leaves, n_ops=n_ops, shape=tuple(shape),
                                          scalar_root=scalar_root)
            out_shape = () if scalar_root else tuple(shape)
        else:
            recipe = NAMED[graph]
            out_shape = OUT_SHAPES.get(graph, ())
        v = rng(seed + 1).normal(size=out_shape).tolist() if gradient else None
        return {"recipe": recipe, "library": library, "graph": graph, "gradient": v, "preset": preset,
                "twice": twice, "error": error, "elements": int(np.prod(out_shape))}

    def label(self, case):
        if case["graph"] == "random":
            leaves = sum(1 for step in case["recipe"] if step[0] == "leaf")
            graph = _("a random graph of {n} operations").format(n=len(case["recipe"]) - leaves)
        elif case["error"]:
            graph = _("x * exp(x) without gradient")
        else:
            graph = _(LABELS.get(case["graph"], case["graph"]))
        return _("run_backward on {graph} ({library})").format(graph=graph, library=case["library"])

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
        aliased = _shared([leaf.grad for leaf in leaves], gradient)
        if case["twice"]:
            data["first"] = encode([leaf.grad for leaf in leaves])  # a snapshot: encode copies the values
            run_backward(graphs.build(lib, case["recipe"], reuse=pool)[0])
        grads = [leaf.grad for leaf in leaves]
        data.update(grads=encode(grads), gradient_after=encode(gradient),
                    aliased=encode(aliased or _shared(grads, gradient)))
        return data

    def reference(self, case):
        import torch

        if case["error"]:
            return {"raised": encode("RuntimeError"), "message": encode(NON_SCALAR_ERROR)}
        grads, first = {}, {}
        for engine in (None, *MISTAKES):  # torch's own backward, then the engines with a known mistake
            root, pool = graphs.build(torch, case["recipe"], device=device())
            leaves = graphs.leaves(pool)
            for leaf in leaves:
                leaf.grad = torch.full_like(leaf, 0.25) if case["preset"] else None
            gradient = None if case["gradient"] is None else tensor(case["gradient"])
            try:
                _backward(root, gradient, engine)
                if case["twice"]:
                    first[engine] = encode([leaf.grad for leaf in leaves])
                    _backward(graphs.build(torch, case["recipe"], reuse=pool)[0], None, engine)
            except (TypeError, RuntimeError):  # this mistake fails loudly on this graph: nothing to recognise
                grads[engine] = None
                continue
            grads[engine] = [leaf.grad for leaf in leaves]
        data = {"result": encode(None), "grads": encode(grads[None]), "aliased": encode(False),
                "gradient_after": encode(gradient), "mistakes": encode([grads[m] for m in MISTAKES])}
        if case["twice"]:
            data["first"] = first[None]
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
        check(not got["aliased"].value,
              _("{label}: two leaves (or a leaf and your `gradient` argument) share one .grad tensor object. One "
                "gradient tensor can reach several leaves (AddBackward0, for one, hands the very tensor it receives "
                "to both of its inputs): store a copy the first time (grad.clone()). Otherwise an in-place change of "
                "one (+=, p.grad.zero_() in an optimizer step) silently changes the other, and the caller's "
                "`gradient` too.").format(label=label))
        if want["gradient_after"].kind == "tensor":
            expect_close(got["gradient_after"], want["gradient_after"].array,
                         _("your `gradient` argument after {label} (the engine must not change it)").format(
                             label=label))
        if "first" in want:
            _compare_grads(_("{label} (first call)").format(label=label), got["first"], want["first"], None, None)
        stale = [0.25 if case["preset"] else None for _ in want["grads"].items]
        _compare_grads(label, got["grads"], want["grads"], dict(zip(MISTAKES, want["mistakes"].items)), stale)
        for i, g in enumerate(got["grads"].items):
            check(g.kind != "tensor" or (not g.requires_grad and g.grad_fn is None),
                  _("{label}: leaf {i}'s .grad has a grad_fn ({fn}): the engine recorded a graph while it ran, because "
                    "calling a node computes with the forward pass's saved tensors, which require grad. Run the whole "
                    "loop inside `with lib.no_grad():`.").format(label=label, i=i, fn=g.grad_fn))

    def raised(self, case, error):
        message = super().raised(case, error)
        text = error.error["message"]
        if "iteration over a 0-d tensor" in text:
            return with_hint(message, _("`node(grad)` returns a single tensor, not a tuple, when the node has one "
                                        "input: wrap it in a tuple before pairing it with node.next_functions."))
        if NON_SCALAR_ERROR in text and not case["error"] and case["gradient"] is not None:
            return with_hint(message, _("This call passes `gradient`: start from it instead of making a gradient of "
                                        "ones (the error is only for a call without `gradient`)."))
        if NON_SCALAR_ERROR in text and not case["error"] and case["elements"] == 1:
            return with_hint(message, _("This root has one element, and torch calls that a scalar whatever its "
                                        "shape: test root.numel() != 1, not the number of dimensions."))
        if "refers to a single memory location" in text:
            return with_hint(message, _("Your engine changed a gradient in place that it did not create: "
                                        "SumBackward0 hands on one number expanded to a shape (a view), and one "
                                        "tensor can reach several leaves. Store a copy the first time "
                                        "(grad.clone()), and add out of place (leaf.grad + grad)."))
        return message


def _shared(grads, gradient) -> bool:
    """Do two leaves hold one .grad tensor object, or does a leaf hold the caller's ``gradient`` itself?"""
    held = [g for g in grads if g is not None]
    return len({id(g) for g in held}) < len(held) or any(g is gradient for g in held)


def _compare_grads(label, got, want, mistakes, stale):
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
            for mistake, grads in (mistakes or {}).items():
                wrong = grads.items[i] if grads.kind == "list" else None
                if wrong is not None and wrong.kind == "tensor" and all_close(g.values(), wrong.values(), *DOUBLE):
                    fail(MISTAKES[mistake]().format(name=name))
        if expected is not None and g.kind == "tensor" and expected.ndim and g.values().shape == expected.shape[1:]:
            fail(_("{name} has shape {got} where torch's has shape {want}: it looks like one row of the gradient. "
                   "`node(grad)` returns a single tensor, not a tuple, when the node has one input; zipping that "
                   "tensor "
                   "with node.next_functions takes its first row. Wrap it in a tuple first.").format(
                name=name, got=tuple(g.values().shape), want=tuple(expected.shape)))
        expect_grad(g, expected, name, stale=None if not stale or stale[i] is None else np.full_like(expected,
                                                                                                     stale[i]))


def _too_early():
    return _("{name} is what an engine gives that visits the nodes in depth-first pre-order or breadth-first order: a "
             "node ran before all of its gradient had arrived. Visit them in reverse_topological_order(root).")


# Engines with one classic mistake each, run by the judge on the case's graph: when the student's
# gradients equal one of theirs, the message names that mistake. Each message is a function, so that
# it is translated in the language of the moment it is shown.
MISTAKES = {
    "overwrite": lambda: _("{name} is what an engine gives that overwrites instead of adding where a tensor feeds "
                           "several operations: at a fan-out, a node must receive the sum of the gradients from all "
                           "its consumers before it runs."),
    "preorder": _too_early,
    "breadth_first": _too_early,
    "no_tuple": lambda: _("{name} is what an engine gives that zips a single tensor with next_functions: "
                          "`node(grad)` returns a single tensor, not a tuple, when the node has one input, and zipping "
                          "it takes its first row (or element). Wrap it in a tuple first."),
}


def _visiting_order(root, mistake):
    """The nodes in the order an engine visits them: a reverse topological order (reversed depth-first
    post-order), or, for those mistakes, depth-first pre-order or breadth-first order."""
    if mistake == "breadth_first":
        order, seen = [root.grad_fn], {id(root.grad_fn)}
        for node in order:  # the list grows while it is read: a queue
            for child, _nr in node.next_functions:
                if child is not None and id(child) not in seen:
                    seen.add(id(child))
                    order.append(child)
        return order
    order, seen = [], set()

    def visit(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        if mistake == "preorder":
            order.append(node)
        for child, _nr in node.next_functions:
            visit(child)
        if mistake != "preorder":
            order.append(node)

    visit(root.grad_fn)
    return order if mistake == "preorder" else order[::-1]


def _backward(root, gradient, mistake=None):
    """torch's backward (mistake None), or a small engine with one of the MISTAKES."""
    import torch

    if mistake is None:
        root.backward(gradient)
        return
    grads = {root.grad_fn: torch.ones_like(root) if gradient is None else gradient}
    with torch.no_grad():
        for node in _visiting_order(root, mistake):
            grad = grads.pop(node, None)
            if grad is None:
                continue
            if hasattr(node, "variable"):
                node.variable.grad = grad.clone() if node.variable.grad is None else node.variable.grad + grad
                continue
            outputs = node(grad)
            if mistake != "no_tuple" and not isinstance(outputs, tuple):
                outputs = (outputs,)
            for (child, _nr), g in zip(node.next_functions, outputs):
                if child is not None and g is not None:
                    grads[child] = g if mistake == "overwrite" or child not in grads else grads[child] + g


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
        return {"result": encode(result), "same": encode(len(params) == 3 and all(p is q for p, q in zip(params,
                                                                                                         originals))),
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

    def raised(self, case, error):
        message = super().raised(case, error)
        text = error.error["message"]
        if "NoneType" in text:
            return with_hint(message, _("A parameter that took no part in the loss has .grad None: skip it "
                                        "(`if p.grad is None: continue`)."))
        if "leaf Variable that requires grad" in text:
            return with_hint(message, _("Change a parameter in place only inside the no_grad() of its own library: "
                                        "`with library_of(p).no_grad():` (torch.no_grad() does not stop minigrad from "
                                        "recording, nor minigrad.no_grad() torch)."))
        return message

    def compare(self, case, got, want):
        where = self.label(case)
        check(got["same"].value, _("After {where}: the list `params` must still hold the same parameter objects; "
                                   "update each tensor in place instead of replacing it.").format(where=where))
        names = ("w", "b", "unused")
        for name, p, w, old, g in zip(names, got["params"].items, want["params"].items, want["before"].items,
                                      want["grads"].items):
            check(p.kind == "tensor" and p.is_leaf and p.requires_grad and p.grad_fn is None,
                  _("After {where}: {name} must stay a leaf that requires grad, but it is {what} with is_leaf="
                    "{leaf}, requires_grad={rg}, grad_fn={fn}. Update it in place inside `with lib.no_grad():`, so "
                    "that no graph records the update.").format(where=where, name=name, what=describe(p),
                                                                 leaf=p.is_leaf, rg=p.requires_grad, fn=p.grad_fn))
            if g.kind != "none" and all_close(p.values(), old.values(), *DOUBLE):
                fail(_("After {where}: {name} did not change (expected p − lr·p.grad). Two common causes: `p = p - lr "
                       "* "
                       "p.grad` builds a new tensor and only rebinds the name p (change it in place inside no_grad(): "
                       "`p -= lr * p.grad`), or the gradient was zeroed before the update used it.").format(
                    where=where, name=name))
            if g.kind != "none" and all_close(p.values(), 2 * old.values() - w.values(), *DOUBLE):
                fail(_("After {where}: {name} moved up the gradient (p + lr·p.grad): gradient descent subtracts "
                       "it.").format(where=where, name=name))
            what = _("{name} after {where} (it had no gradient: leave it unchanged)") if g.kind == "none" else \
                _("{name} after {where}")
            expect_close(p, w.values(), what.format(name=name, where=where))
        for name, g in zip(names, got["grads"].items):
            check(g.kind == "none" or (g.kind == "tensor" and not np.any(g.array != 0)),
                  _("After {where}: {name}.grad should be zeroed (or set to None) after the step; otherwise the next "
                    "backward adds to this step's gradient.").format(where=where, name=name))


check_ex2_1, check_ex2_2, check_ex2_3 = GradsByHand, RunBackward, SgdStep
