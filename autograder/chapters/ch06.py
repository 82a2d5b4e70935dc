"""Visible checks of chapter 06_training, and the case runners its hidden tests call.

The student's training code runs on torch objects on `checks.device()` (CUDA when available); each
reference is the same computation done the textbook way (a full batch, torch's own clip_grad_norm_) on
a deep copy made before the student's code runs.
"""
import copy
import math

import numpy as np
import torch

from autograder import checks
from autograder.registry import exercise

CHAPTER = "06_training"

_torch_clip_grad_norm_ = torch.nn.utils.clip_grad_norm_
_deepcopy = copy.deepcopy
_torch_cat = torch.cat
_float = float
_len = len
_list = list


# ----------------------------------------------------------------------------- ex6_1
def _regression_data(n, seed, dtype):
    x = checks.uniform(n, 1, seed=seed, low=0.0, high=5.0, dtype=dtype)
    y = 2 * x + 3 + checks.randn(n, 1, seed=seed + 1, dtype=dtype)
    return x, y


def _reference_regression(x, y, lr, epochs):
    w = torch.zeros(1, 1, dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(1, dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        loss = ((x @ w + b - y) ** 2).mean()
        losses.append(loss.item())
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
    return w, b, losses


def linear_regression_case(fit, n, lr, epochs, seed=0, dtype="float32", on_cpu=False):
    """The student's fit_linear_regression against the same gradient descent done here."""
    with checks.exercise("ex6_1"):
        dev = checks.device()
        x, y = _regression_data(n, seed, getattr(torch, dtype))
        w_ref, b_ref, losses_ref = _reference_regression(x.to(dev), y.to(dev), lr, epochs)
        if not on_cpu:
            x, y = x.to(dev), y.to(dev)
        result = fit(x, y, lr, epochs, dev)

        where = f"(N={n}, lr={lr}, epochs={epochs}, {dtype})"
        checks.check(type(result) in (tuple, list) and _len(result) == 3,
                     f"fit_linear_regression should return (w, b, losses), but returned {checks.describe(result)}.")
        w, b, losses = result
        for label, t, ref in (("w", w, w_ref), ("b", b, b_ref)):
            checks.assert_is_tensor(t, name=label, library="torch")
            checks.check(tuple(t.shape) == tuple(ref.shape),
                         f"{label} has shape {tuple(t.shape)}; it should be {tuple(ref.shape)}.")
            checks.check(t.device.type == dev.type, f"{label} is on {t.device}, not on the requested device {dev}.")
            checks.check(t.is_leaf and t.requires_grad,
                         f"{label} should still be a leaf that requires grad (is_leaf={t.is_leaf}, "
                         f"requires_grad={t.requires_grad}); update it in place under torch.no_grad().")
        checks.check(type(losses) is list and _len(losses) == epochs,
                     f"losses should be a list of {epochs} floats, but it is {checks.describe(losses)}"
                     + (f" of length {_len(losses)}." if type(losses) is list else "."))
        losses = [checks.assert_scalar_float(v, name=f"losses[{i}]") for i, v in enumerate(losses)]
        rtol = 1e-4 if dtype == "float32" else 1e-9
        checks.assert_close(np.array(losses), np.array(losses_ref), name=f"losses {where}", rtol=rtol, atol=1e-6)
        checks.assert_close(w, w_ref, name=f"w {where}", rtol=rtol, atol=1e-6)
        checks.assert_close(b, b_ref, name=f"b {where}", rtol=rtol, atol=1e-6)


@exercise(CHAPTER, "ex6_1", "fit_linear_regression", points=2)
def check_ex6_1(fit_linear_regression):
    """20 points, 30 epochs, on checks.device()."""
    linear_regression_case(fit_linear_regression, n=20, lr=0.05, epochs=30, seed=1)


# ----------------------------------------------------------------------------- ex6_2
def _mlp(seed, dev):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    return model.to(device=dev, dtype=torch.float64)


def _optimizer(kind, params):
    if kind == "sgd":
        return torch.optim.SGD(params, lr=0.1, momentum=0.9)
    return torch.optim.Adam(params, lr=0.05)


def accumulation_case(train, n_batches, micro, steps, seed=0, optimizer="sgd", stale_grads=False):
    """The student's accumulation against one step per group on the concatenated group (torch, device())."""
    with checks.exercise("ex6_2"):
        dev = checks.device()
        model = _mlp(seed, dev)
        reference = _deepcopy(model)
        opt, opt_ref = _optimizer(optimizer, model.parameters()), _optimizer(optimizer, reference.parameters())
        loss_fn = torch.nn.MSELoss()
        batches = [(checks.randn(micro, 3, seed=seed * 100 + 2 * i).to(dev),
                    checks.randn(micro, 2, seed=seed * 100 + 2 * i + 1).to(dev)) for i in range(n_batches)]

        losses_ref = []
        for start in range(0, n_batches, steps):
            group = batches[start:start + steps]
            opt_ref.zero_grad()
            loss = loss_fn(reference(_torch_cat([b[0] for b in group])), _torch_cat([b[1] for b in group]))
            loss.backward()
            opt_ref.step()
            losses_ref.append(loss.item())

        if stale_grads:  # gradients left over from earlier work must not leak into the first step
            for p in model.parameters():
                p.grad = torch.ones_like(p)
        result = train(model, loss_fn, opt, _list(batches), steps)

        where = f"({n_batches} micro-batches of {micro}, accumulation_steps={steps}, {optimizer})"
        expected_steps = math.ceil(n_batches / steps)
        checks.check(type(result) is list, f"return the list of per-step losses, not {checks.describe(result)}.")
        checks.check(_len(result) == expected_steps,
                     f"{_len(result)} losses returned {where}; there should be one per optimizer step: "
                     f"{expected_steps} (a trailing partial group is a step too).")
        losses = [checks.assert_scalar_float(v, name=f"step loss {i}") for i, v in enumerate(result)]
        checks.assert_close(np.array(losses), np.array(losses_ref), name=f"the per-step losses {where}",
                            rtol=1e-6, atol=1e-9)
        for (name, p), p_ref in zip(model.named_parameters(), reference.parameters()):
            checks.assert_close(p, p_ref, name=f"parameter {name} after training {where}", rtol=1e-6, atol=1e-9)


@exercise(CHAPTER, "ex6_2", "train_with_gradient_accumulation", points=3)
def check_ex6_2(train_with_gradient_accumulation):
    """Groups of 3 with a trailing group of 1 (SGD with momentum); stale gradients on arrival."""
    accumulation_case(train_with_gradient_accumulation, n_batches=7, micro=4, steps=3, seed=1)
    accumulation_case(train_with_gradient_accumulation, n_batches=4, micro=2, steps=2, seed=2, stale_grads=True)


# ----------------------------------------------------------------------------- ex6_3
def _forbidden_clipping(library):
    """torch's (and for minigrad parameters, minigrad's) own gradient clipping, which ex6_3 re-implements."""
    utils = torch.nn.utils
    funcs = [_torch_clip_grad_norm_, utils.clip_grad_norm_, utils.clip_grad.clip_grad_norm_,
             getattr(utils, "clip_grad_norm", None), getattr(utils, "get_total_norm", None),
             getattr(utils, "clip_grads_with_norm_", None), getattr(torch, "_foreach_norm", None)]
    if library == "minigrad":
        import minigrad.nn

        mg_utils = getattr(minigrad.nn, "utils", None)
        funcs += [getattr(mg_utils, n, None) for n in ("clip_grad_norm_", "clip_grad_norm", "get_total_norm")]
    return [f for f in funcs if f is not None]


def clipping_case(clip, library, shapes, max_norm, seed=0, norm_type=2.0, as_generator=False, none_grads=()):
    """The student's clip_grad_norm against torch.nn.utils.clip_grad_norm_ on copies of the same grads."""
    with checks.exercise("ex6_3"):
        values = [checks.randn(tuple(s), seed=seed * 10 + i).numpy() for i, s in enumerate(shapes)]
        grads = [None if i in none_grads else checks.randn(tuple(s), seed=seed * 10 + 5 + i).numpy()
                 for i, s in enumerate(shapes)]
        ref_params = [checks.to_library(v, "torch", requires_grad=True) for v in values]
        for p, g in zip(ref_params, grads):
            p.grad = None if g is None else checks.to_library(g, "torch")
        total_ref = _torch_clip_grad_norm_(ref_params, max_norm, norm_type=norm_type)

        params = [checks.to_library(v, library, requires_grad=True) for v in values]
        for p, g in zip(params, grads):
            p.grad = None if g is None else checks.to_library(g, library)
        argument = (p for p in params) if as_generator else _list(params)
        with checks.forbid_calls(_forbidden_clipping(library), "built-in gradient clipping"):
            total = clip(argument, max_norm, norm_type=norm_type) if norm_type != 2.0 else clip(argument, max_norm)

        where = (f"({library} parameters of shapes {shapes}, max_norm={max_norm}, norm_type={norm_type}"
                 + (", given as a generator" if as_generator else "") + ")")
        checks.assert_close(total, total_ref, name=f"the returned total norm {where}", rtol=1e-6, atol=1e-9)
        for i, (p, p_ref) in enumerate(zip(params, ref_params)):
            if p_ref.grad is None:
                checks.check(p.grad is None, f"parameter {i} had no gradient; it must keep grad None {where}.")
            else:
                checks.assert_close(p.grad, p_ref.grad, name=f"parameter {i}'s gradient after clipping {where}",
                                    rtol=1e-6, atol=1e-9)


@exercise(CHAPTER, "ex6_3", "clip_grad_norm", points=3)
def check_ex6_3(clip_grad_norm):
    """Norms above and below max_norm, a generator, a grad of None, norm_type=inf, minigrad parameters."""
    clipping_case(clip_grad_norm, "torch", shapes=[(3, 2), (2,)], max_norm=1.0, seed=1)
    clipping_case(clip_grad_norm, "torch", shapes=[(3,), (4,)], max_norm=100.0, seed=2)
    clipping_case(clip_grad_norm, "torch", shapes=[(2, 2), (3,), (2,)], max_norm=0.5, seed=3,
                  as_generator=True, none_grads=(1,))
    clipping_case(clip_grad_norm, "torch", shapes=[(5,), (2, 2)], max_norm=0.3, seed=4, norm_type=float("inf"))
    clipping_case(clip_grad_norm, "minigrad", shapes=[(3, 2), (2,)], max_norm=0.5, seed=5)
