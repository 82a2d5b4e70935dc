"""Visible checks of chapter 02_backward: gradients by hand, a reverse-mode engine, an SGD step.

References come from torch.autograd on checks.device() (CUDA when available, else CPU).
"""
import torch

from .. import checks, graphs
from ..registry import exercise
from .ch01 import VISIBLE_RECIPES, libraries

CHAPTER = "02_backward"
NON_SCALAR_ERROR = "grad can be implicitly created only for scalar outputs"


# ------------------------------------------------------------------------------------------- ex2_1
def reference_grads_by_hand(x1, x2, x3):
    """dy/dx1, dy/dx2, dy/dx3 of y = (x1*x2 + x3)**2 by torch.autograd, as floats."""
    xs = [torch.tensor(v, dtype=torch.float64, device=checks.device(), requires_grad=True) for v in (x1, x2, x3)]
    y = (xs[0] * xs[1] + xs[2]) ** 2
    return [g.item() for g in torch.autograd.grad(y, xs)]


def check_grads_by_hand_at(grads_by_hand, x1, x2, x3):
    result = grads_by_hand(x1, x2, x3)
    where = f"grads_by_hand({x1}, {x2}, {x3})"
    checks.check(isinstance(result, (tuple, list)) and len(result) == 3,
                 f"{where} should return a tuple of 3 floats, but it returned {checks.describe(result)}.")
    for name, got, want in zip(("dy/dx1", "dy/dx2", "dy/dx3"), result, reference_grads_by_hand(x1, x2, x3)):
        checks.assert_close(checks.assert_scalar_float(got, name=f"{name} of {where}"), want,
                            name=f"{name} of {where}")


@exercise(CHAPTER, "ex2_1", "grads_by_hand", points=1)
def check_ex2_1(grads_by_hand):
    check_grads_by_hand_at(grads_by_hand, 2.0, 3.0, 1.0)  # the worked example: 42, 28, 14
    check_grads_by_hand_at(grads_by_hand, -1.5, 0.5, 2.0)


# ------------------------------------------------------------------------------------------- ex2_2
def check_engine_on(run_backward, recipe, label, *, gradient_seed=None, preset_grads=False):
    """Run the student's engine on minigrad and torch copies of ``recipe``; compare with torch's backward.

    gradient_seed: the root is not summed and a random ``gradient`` of its shape is passed.
    preset_grads: leaves start with a .grad, which backward must add to (not overwrite).
    """
    reference_root, reference_pool = graphs.build(torch, recipe, device=checks.device())
    reference_leaves = graphs.leaves(reference_pool)
    gradient = None
    if gradient_seed is not None:
        gradient = checks.randn(*reference_root.shape, seed=gradient_seed).to(checks.device())
    for leaf in reference_leaves:
        if preset_grads:
            leaf.grad = torch.full_like(leaf, 0.25)
    reference_root.backward(gradient)
    for library_name, lib in libraries():
        root, pool = graphs.build(lib, recipe)
        leaves = graphs.leaves(pool)
        if preset_grads:
            for leaf in leaves:
                leaf.grad = lib.full_like(leaf, 0.25)
        given = None if gradient is None else lib.tensor(gradient.tolist(), dtype=lib.float64)
        result = run_backward(root) if given is None else run_backward(root, given)
        checks.check(result is None, f"run_backward should return None (like backward), not {checks.describe(result)}.")
        hint_name = f"run_backward on {label} ({library_name}): leaf"
        checks.assert_grads_match(
            leaves, [leaf.grad for leaf in reference_leaves],
            names=[f"{hint_name} {i}" for i in range(len(leaves))],
            stale=[torch.full_like(leaf, 0.25) for leaf in reference_leaves] if preset_grads else None)


def check_non_scalar_error(run_backward):
    for library_name, lib in libraries():
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        try:
            run_backward(x * x)
        except RuntimeError as error:
            checks.check(NON_SCALAR_ERROR in str(error),
                         f"the RuntimeError for a non-scalar root should say {NON_SCALAR_ERROR!r} like "
                         f"torch, but it says {str(error)!r} ({library_name}).")
        else:
            checks.fail(f"run_backward(y) with a non-scalar y and no `gradient` should raise RuntimeError("
                        f"{NON_SCALAR_ERROR!r}) like torch ({library_name}).")


@exercise(CHAPTER, "ex2_2", "run_backward", points=4)
def check_ex2_2(run_backward):
    chain = [("leaf", [0.5, -1.0, 2.0], True), ("unary", "sin", 0), ("binary", "*", 1, 0), ("sum", 2)]
    check_engine_on(run_backward, chain, "sum(sin(x) * x)")
    for label, recipe in VISIBLE_RECIPES.items():
        check_engine_on(run_backward, recipe, label)
    check_engine_on(run_backward, VISIBLE_RECIPES["sin(w * y) + b with y constant"], "a graph whose leaves "
                    "already hold a .grad", preset_grads=True)
    non_scalar = [("leaf", [0.3, 0.7], True), ("unary", "exp", 0), ("binary", "*", 1, 0)]
    check_engine_on(run_backward, non_scalar, "x * exp(x) with gradient=v", gradient_seed=1)
    check_non_scalar_error(run_backward)


# ------------------------------------------------------------------------------------------- ex2_3
def check_sgd_step(sgd_step_, lib, library_name, lr, seed):
    """Parameters with gradients from a loss, plus one without a gradient; compare with p - lr*grad."""
    w = lib.tensor(checks.randn(2, 3, seed=seed).tolist(), dtype=lib.float64, requires_grad=True)
    b = lib.tensor(checks.randn(3, seed=seed + 1).tolist(), dtype=lib.float64, requires_grad=True)
    unused = lib.tensor([1.0, -1.0], dtype=lib.float64, requires_grad=True)
    loss = ((w * w).sum() + (b * w).sum() * 3.0 + b.sin().sum())
    loss.backward()
    params = [w, b, unused]
    before = [torch.tensor(p.tolist(), dtype=torch.float64) for p in params]
    grads = [None if p.grad is None else torch.tensor(p.grad.tolist(), dtype=torch.float64) for p in params]
    where = f"after sgd_step_(params, lr={lr}) ({library_name})"
    sgd_step_(params, lr)
    checks.check(params[0] is w and params[1] is b and len(params) == 3,
                 f"{where}: the list `params` must still hold the same parameter objects.")
    for name, p, old, grad in zip(("w", "b", "unused"), params, before, grads):
        checks.check(p.is_leaf and p.requires_grad and p.grad_fn is None,
                     f"{where}: {name} must stay a leaf that requires grad (is_leaf={p.is_leaf}, "
                     f"requires_grad={p.requires_grad}, grad_fn={p.grad_fn}). Update it in place under "
                     "no_grad(), so that no graph records the update.")
        expected = old if grad is None else old - lr * grad
        now = torch.tensor(p.tolist(), dtype=torch.float64)
        checks.check(grad is None or not torch.equal(now, old) or torch.equal(expected, old),
                     f"{where}: {name} did not change (expected p - lr * p.grad). A common cause: `p = p - lr * p.grad` builds a new tensor and only "
                     "rebinds the name p; the parameter stays as it was. Change it in place under "
                     "no_grad(): `p -= lr * p.grad` or `p.sub_(lr * p.grad)`.")
        checks.assert_close(now, expected,
                            name=f"{name} {where}" + (" (it had no gradient: leave it unchanged)" if grad is None else ""))
        checks.check(p.grad is None or not any(v != 0 for v in p.grad.reshape(-1).tolist()),
                     f"{where}: {name}.grad should be zeroed (or set to None) after the step, otherwise "
                     "the next backward adds to this step's gradient.")


@exercise(CHAPTER, "ex2_3", "sgd_step_", points=2)
def check_ex2_3(sgd_step_):
    for library_name, lib in libraries():
        check_sgd_step(sgd_step_, lib, library_name, lr=0.1, seed=3)
