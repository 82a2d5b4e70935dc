"""Chapter 06_training: linear regression by hand, gradient accumulation, gradient clipping.

References come from torch in float64 on ``device()``: the same gradient descent (ex6_1), one step per
group on the group's concatenated large batch (ex6_2), ``torch.nn.utils.clip_grad_norm_`` (ex6_3). The
student's code runs in the kernel on the case's data; what it did there (the warnings it raised, how many
optimizer steps it took, whether it called built-in clipping, whether the gradients stayed the same
tensors) comes back as data. The usual mistakes are simulated on the reference side to name them.

torch is imported inside functions only: this module is imported by the do-it-yourself run of other
chapters, where torch is a stand-in that refuses every use.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..i18n import _
from .base import Exercise, register
from .expect import DOUBLE, SINGLE, all_close, check, describe, expect_close, expect_items, expect_number, \
    expect_tensor, fail, with_hint
from .reference import device, rng, tensor
from .ch05 import _calls_of  # the same observation helper as chapter 05
from .values import encode, encode_error

CHAPTER = "06_training"


def _call_recording_warnings(fn, *args, **kwargs):
    """``(result, error data or None, [warning messages])``: what ``fn`` returned or raised, and the warnings
    it raised on the way (NotImplementedError still propagates: the blank exercise, "not attempted")."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = fn(*args, **kwargs), None
        except NotImplementedError:
            raise
        except Exception as exc:
            result, error = None, encode_error(exc)
    return result, error, [str(w.message)[:300] for w in caught]


def _losses(value, count: int, name: str, item_name, wrong_count: str) -> np.ndarray:
    """A list of ``count`` Python floats, as an array (inf and nan kept: a diverging run is compared too).
    item_name(i) names item i in messages; wrong_count: the message (translated, with {name}, {n} and {count})
    for a list of another length."""
    check(value.kind == "list", _("{name} should be a list of {count} floats, but it is {what}.").format(
        name=name, count=count, what=describe(value)))
    check(value.length == count, wrong_count.format(name=name, n=value.length, count=count))
    for i, item in enumerate(value.items):
        if item.kind != "number":
            expect_number(item, item_name(i))
    return np.array([item.value for item in value.items], dtype=np.float64)


# ------------------------------------------------------------------------------------------- ex6_1
def _descend(x, y, lr, epochs, mistake=None):
    """Full-batch gradient descent from w = 0, b = 0 (torch, on the tensors' device): the exercise, or one of
    its classic mistakes ('no_zero', 'sum', 'after', 'ascent', 'frozen')."""
    import torch

    w = torch.zeros(1, 1, dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(1, dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _unused in range(epochs):
        error = x @ w + b - y
        loss = (error ** 2).sum() if mistake == "sum" else (error ** 2).mean()
        loss.backward()
        if mistake != "after":
            losses.append(loss.item())
        with torch.no_grad():
            sign = -1 if mistake == "ascent" else 1
            if mistake != "frozen":
                w -= sign * lr * w.grad
                b -= sign * lr * b.grad
            if mistake == "after":
                losses.append(((x @ w + b - y) ** 2).mean().item())
        if mistake != "no_zero":
            w.grad.zero_()
            b.grad.zero_()
    return w.detach(), b.detach(), losses


def _same_start(values: np.ndarray, other: np.ndarray, tol) -> bool:
    """Do two loss curves agree up to where either stops being finite (at least two points)? Runs that
    diverge overflow at different steps in float32 and in float64."""
    finite = np.isfinite(values) & np.isfinite(other)
    n = len(finite) if finite.all() else int(np.argmin(finite))
    return n >= 2 and all_close(values[:n], other[:n], *tol)


REGRESSION_MISTAKES = {
    "no_zero": lambda: _(
        "It looks as if the gradients are never zeroed: .grad accumulates, so each step uses the sum of every "
        "gradient so far. Zero them after each update (`w.grad.zero_()`, `b.grad.zero_()`)."),
    "sum": lambda: _(
        "It looks as if the loss is the sum of squared errors; the exercise uses their mean, `.mean()` (the sum "
        "makes every step N times larger)."),
    "after": lambda: _(
        "It looks as if each loss was recorded after the update: record `loss.item()` of the forward pass, before "
        "you change w and b."),
    "ascent": lambda: _(
        "It looks as if the parameters moved up the gradient: gradient descent subtracts it (`w -= lr * w.grad`)."),
    "frozen": lambda: _(
        "It looks as if w and b never moved: the gradients were zeroed before the update used them. Update first, "
        "then zero."),
}


@register
class FitLinearRegression(Exercise):
    """``fit_linear_regression(x, y, lr, epochs, device)``: full-batch gradient descent on w and b."""

    chapter, id, names, points = CHAPTER, "ex6_1", ("fit_linear_regression",), 2
    visible = [dict(n=20, lr=0.05, epochs=30, seed=1), dict(n=12, lr=0.02, epochs=8, dtype="float64", on_cpu=True,
                                                               seed=2)]

    def case(self, n=20, lr=0.05, epochs=30, dtype="float32", device="auto", on_cpu=False, seed=0):
        """Data y = 2x + 3 + noise with x uniform in [0, 5); float32 data are rounded here, so that the
        kernel and the reference start from the same numbers. device 'auto': CUDA when the kernel has it."""
        r = rng(seed)
        x = r.uniform(0.0, 5.0, size=(n, 1))
        y = 2 * x + 3 + r.normal(size=(n, 1))
        if dtype == "float32":
            x, y = x.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64)
        return {"x": x.tolist(), "y": y.tolist(), "lr": float(lr), "epochs": int(epochs), "dtype": dtype,
                "device": device, "on_cpu": bool(on_cpu)}

    def label(self, case):
        keys = dict(lr=case["lr"], epochs=case["epochs"], n=len(case["x"]), dtype=case["dtype"])
        if case["on_cpu"]:
            return _("fit_linear_regression(x, y, lr={lr:g}, epochs={epochs}, device) with {n} {dtype} points (x and "
                     "y given on the CPU)").format(**keys)
        return _("fit_linear_regression(x, y, lr={lr:g}, epochs={epochs}, device) with {n} {dtype} points").format(
            **keys)

    def run(self, case, fit_linear_regression):
        import torch

        dev = torch.device("cuda" if case["device"] == "auto" and torch.cuda.is_available() else "cpu")
        dtype = getattr(torch, case["dtype"])
        data_device = torch.device("cpu") if case["on_cpu"] else dev
        x, y = (torch.tensor(case[k], dtype=dtype, device=data_device) for k in ("x", "y"))
        result, error, caught = _call_recording_warnings(fit_linear_regression, x, y, case["lr"], case["epochs"], dev)
        data = {"device": encode(dev.type), "warnings": encode(caught)}
        return dict(data, raised=error) if error else dict(data, result=encode(result))

    def reference(self, case):
        x, y = tensor(case["x"]), tensor(case["y"])
        w, b, losses = _descend(x, y, case["lr"], case["epochs"])
        data = {"result": encode([w, b, losses])}
        for mistake in REGRESSION_MISTAKES:
            data[mistake] = encode(_descend(x, y, case["lr"], case["epochs"], mistake)[2])
        return data

    def compare(self, case, got, want):
        label = self.label(case)
        if "raised" in got:
            self._explain_error(case, got)
        w, b, losses = expect_items(got["result"], 3, label)
        w_ref, b_ref, losses_ref = want["result"].items
        single = case["dtype"] == "float32"
        for name, t, ref in (("w", w, w_ref), ("b", b, b_ref)):
            what = _("{name} returned by {label}").format(name=name, label=label)
            expect_tensor(t, what, "torch")
            check(t.array.shape == ref.array.shape, _("{what} has shape {got}; it should be {want} (w: (1, 1), so "
                                                      "that x @ w is (N, 1) like y; b: (1,)).").format(
                what=what, got=tuple(t.array.shape), want=tuple(ref.array.shape)))
            check(t.device.split(":")[0] == got["device"].value, _(
                "{what} is on {got}, not on the device it was asked for ({want}): create it there "
                "(`device=device`).").format(what=what, got=t.device, want=got["device"].value))
            check(t.dtype == case["dtype"], _("{what} is {got}, but x is {want}: create w and b with x's dtype "
                                              "(`dtype=x.dtype`).").format(what=what, got=t.dtype, want=case["dtype"]))
            check(t.is_leaf and t.requires_grad, _(
                "{what} should still be a leaf that requires grad (is_leaf={leaf}, requires_grad={rg}): update it in "
                "place under torch.no_grad() (`w -= lr * w.grad`).").format(
                what=what, leaf=t.is_leaf, rg=t.requires_grad))
        name = _("the losses returned by {label}").format(label=label)
        item_name = lambda i: _("losses[{i}] returned by {label}").format(i=i, label=label)  # noqa: E731
        values = _losses(losses, case["epochs"], name, item_name,
                         _("{name} has {n} items; there should be {count}, one per epoch."))
        expected = np.array([item.value for item in losses_ref.items])
        tol = SINGLE if single else DOUBLE
        if not all_close(values, expected, *tol):
            for mistake, hint in REGRESSION_MISTAKES.items():
                wrong = np.array([item.value for item in want[mistake].items])
                if _same_start(values, wrong, tol):
                    fail(with_hint(_("{name} are not the expected ones.").format(name=name), hint()))
        precision = {"rtol": tol[0], "atol": tol[1]} if single else {}  # Python floats of a float32 computation
        for i, want_value in enumerate(expected):
            check(np.isfinite(values[i]), _("{name} is {value}: the descent diverged.").format(
                name=item_name(i), value=values[i]))
            expect_close(losses.items[i], want_value, item_name(i), **precision)
        for name, t, ref in (("w", w, w_ref), ("b", b, b_ref)):
            expect_close(t, ref.values(), _("{name} returned by {label}").format(name=name, label=label))

    def _explain_error(self, case, got):
        error = got["raised"].error
        text = f"{error['type']}: {error['message']}"
        message = Exercise.raised(self, case, got["raised"])
        seen = " ".join(item.value for item in got["warnings"].items)
        if "NoneType" in text or ".grad attribute of a Tensor that is not a leaf" in seen:
            fail(with_hint(message, _(
                "w.grad was None. After `w = w - lr * w.grad` outside torch.no_grad(), the name w holds a new tensor "
                "computed from the old one: not a leaf, so backward does not fill its .grad (the UserWarning about "
                "'.grad attribute of a Tensor that is not a leaf' said so), and `lr * None` fails. Update the leaf in "
                "place inside `with torch.no_grad():` (`w -= lr * w.grad`).")))
        if "a leaf Variable that requires grad is being used in an in-place operation" in text:
            fail(with_hint(message, _("An in-place update of a leaf that requires grad must not be recorded: put it "
                                    "inside `with torch.no_grad():`.")))
        if "same dtype" in text or "expected scalar type" in text:
            fail(with_hint(message, _("x and w must have the same dtype: create w and b with `dtype=x.dtype`.")))
        if "does not require grad and does not have a grad_fn" in text:
            fail(with_hint(message, _(
                "After `w = w - lr * w.grad` inside torch.no_grad(), w is a new tensor that does not require grad, "
                "so the next loss has no graph to w. Change the leaf in place instead: `w -= lr * w.grad`.")))
        if "Expected all tensors to be on the same device" in text:
            fail(with_hint(message, _("Move x and y to `device` (`x.to(device)`) and create w and b there.")))
        fail(message)


# ------------------------------------------------------------------------------------------- ex6_2
ACCUMULATION_MISTAKES = {
    "no_divide": lambda: _(
        "It looks as if the micro-batch losses were not divided by the group's size: the accumulated gradient is "
        "the sum of the group's gradients, k times the mean's."),
    "divide_by_steps": lambda: _(
        "It looks as if the trailing, shorter group was divided by accumulation_steps instead of its own size: "
        "its step is too small."),
    "zero_each": lambda: _(
        "It looks as if the gradients were zeroed before every micro-batch, so each step used the last "
        "micro-batch's gradient only. Zero once per group, before its first backward."),
    "never_zero": lambda: _(
        "It looks as if the gradients were never zeroed between steps: each step also used every earlier group's "
        "gradients. Call optimizer.zero_grad() before each group."),
    "zero_after": lambda: _(
        "It looks as if the gradients are zeroed only after each step, so the gradients the model arrived with "
        "reached the first step. Zero before each group's first backward."),
}


def _mlp(case, lib_device=None):
    """Linear(3, 8) → Tanh → Linear(8, 2) in float64, with weights drawn from the case's seed (the same model on
    both sides, whatever torch's own initialisation does)."""
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    model = model.to(dtype=torch.float64, device=lib_device or "cpu")
    with torch.no_grad():
        for p, values in zip(model.parameters(), case["init"]):
            p.copy_(torch.tensor(values, dtype=torch.float64))
    return model


def _optimizer(kind, params):
    import torch

    return torch.optim.SGD(params, lr=0.1, momentum=0.9) if kind == "sgd" else torch.optim.Adam(params, lr=0.05)


def _accumulate(case, dev, mistake=None):
    """Train by accumulation over micro-batches, as the exercise asks or with one of its mistakes; returns
    (per-step losses, final parameters)."""
    import torch

    model = _mlp(case, dev)
    optimizer = _optimizer(case["optimizer"], model.parameters())
    loss_fn = torch.nn.MSELoss()
    batches = [(torch.tensor(i, dtype=torch.float64, device=dev), torch.tensor(t, dtype=torch.float64, device=dev))
               for i, t in case["batches"]]
    if case["stale"]:
        for p in model.parameters():
            p.grad = torch.ones_like(p)
    k, losses = case["steps"], []
    for start in range(0, len(batches), k):
        group = batches[start:start + k]
        if mistake not in ("never_zero", "zero_after"):
            optimizer.zero_grad()
        total = 0.0
        for inputs, targets in group:
            if mistake == "zero_each":
                optimizer.zero_grad()
            divide = {"no_divide": 1, "divide_by_steps": k}.get(mistake, len(group))
            loss = loss_fn(model(inputs), targets) / divide
            loss.backward()
            total += loss.item()
        optimizer.step()
        if mistake == "zero_after":
            optimizer.zero_grad()
        losses.append(total)
    return losses, [p.detach() for p in model.parameters()]


@register
class GradientAccumulation(Exercise):
    """``train_with_gradient_accumulation(model, loss_fn, optimizer, batches, accumulation_steps)``."""

    chapter, id, names, points = CHAPTER, "ex6_2", ("train_with_gradient_accumulation",), 3
    visible = [dict(n_batches=7, micro=4, steps=3, seed=1), dict(n_batches=4, micro=2, steps=2, stale=True, seed=2),
               dict(n_batches=5, micro=3, steps=2, optimizer="adam", seed=3)]

    def case(self, n_batches=7, micro=4, steps=3, optimizer="sgd", stale=False, seed=0):
        r = rng(seed)
        init = [r.normal(size=(8, 3)) / np.sqrt(3), r.normal(size=8) * 0.1, r.normal(size=(2, 8)) / np.sqrt(8),
                r.normal(size=2) * 0.1]
        batches = [(r.normal(size=(micro, 3)).tolist(), r.normal(size=(micro, 2)).tolist())
                   for _unused in range(n_batches)]
        return {"init": [a.tolist() for a in init], "batches": batches, "steps": int(steps), "optimizer": optimizer,
                "stale": bool(stale)}

    def label(self, case):
        keys = dict(n=len(case["batches"]), micro=len(case["batches"][0][0]), k=case["steps"],
                    optimizer="SGD(lr=0.1, momentum=0.9)" if case["optimizer"] == "sgd" else "Adam(lr=0.05)")
        if case["stale"]:
            return _("train_with_gradient_accumulation ({n} micro-batches of {micro}, accumulation_steps={k}, "
                     "{optimizer}, the model arriving with stale gradients)").format(**keys)
        return _("train_with_gradient_accumulation ({n} micro-batches of {micro}, accumulation_steps={k}, "
                 "{optimizer})").format(**keys)

    def run(self, case, train_with_gradient_accumulation):
        import torch

        model = _mlp(case)
        optimizer = _optimizer(case["optimizer"], model.parameters())
        steps = []
        step = optimizer.step
        optimizer.step = lambda *args, **kwargs: (steps.append(1), step(*args, **kwargs))[1]
        if case["stale"]:
            for p in model.parameters():
                p.grad = torch.ones_like(p)
        batches = [(torch.tensor(i, dtype=torch.float64), torch.tensor(t, dtype=torch.float64))
                   for i, t in case["batches"]]
        result = train_with_gradient_accumulation(model, torch.nn.MSELoss(), optimizer, batches, case["steps"])
        return {"result": encode(result), "params": encode(list(model.parameters())), "steps": encode(len(steps))}

    def reference(self, case):
        import torch

        dev = device()
        model = _mlp(case, dev)
        optimizer = _optimizer(case["optimizer"], model.parameters())
        loss_fn, losses, k = torch.nn.MSELoss(), [], case["steps"]
        for start in range(0, len(case["batches"]), k):  # one large batch per group: what accumulation must equal
            group = case["batches"][start:start + k]
            inputs = torch.tensor([row for i, _t in group for row in i], dtype=torch.float64, device=dev)
            targets = torch.tensor([row for _i, t in group for row in t], dtype=torch.float64, device=dev)
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        data = {"result": encode(losses), "params": encode(list(model.parameters())), "steps": encode(len(losses))}
        for mistake in ACCUMULATION_MISTAKES:
            wrong_losses, wrong_params = _accumulate(case, dev, mistake)
            data[mistake] = encode([wrong_losses, wrong_params])
        return data

    def compare(self, case, got, want):
        label = self.label(case)
        n, k = len(case["batches"]), case["steps"]
        groups = math.ceil(n / k)
        steps = int(got["steps"].value)
        if steps != groups:
            if steps == n // k and n % k:
                fail(_("{label} took {steps} optimizer steps; there should be {groups}: the trailing group of {rest} "
                       "micro-batch(es) was not stepped. Step on it too, dividing by its own size.").format(
                    label=label, steps=steps, groups=groups, rest=n % k))
            if steps == n:
                fail(_("{label} took {steps} optimizer steps, one per micro-batch; there should be {groups}, one per "
                       "group of accumulation_steps micro-batches.").format(label=label, steps=steps, groups=groups))
            fail(_("{label} took {steps} optimizer steps; there should be {groups}, one per group of "
                   "accumulation_steps micro-batches (the last group may be shorter).").format(
                label=label, steps=steps, groups=groups))
        name = _("the per-step losses of {label}").format(label=label)
        item_name = lambda i: _("the loss of step {i} of {label}").format(i=i, label=label)  # noqa: E731
        expected = np.array([item.value for item in want["result"].items])
        values = _losses(got["result"], groups, name, item_name,
                         _("{name} has {n} items; there should be {count}, one per optimizer step."))
        params, wanted = got["params"].items, [p.values() for p in want["params"].items]
        right_params = all(all_close(p.values(), w, *DOUBLE) for p, w in zip(params, wanted))
        if not (all_close(values, expected, *DOUBLE) and right_params):
            for mistake, hint in ACCUMULATION_MISTAKES.items():
                wrong_losses, wrong_params = want[mistake].items
                same_params = all(all_close(p.values(), w.values(), *DOUBLE)
                                  for p, w in zip(params, wrong_params.items))
                if same_params and not right_params:
                    fail(with_hint(_("The parameters after {label} are not those of large-batch training.").format(
                        label=label), hint()))
            if right_params and all_close(values, expected * np.array([len(case["batches"][s:s + k]) for s in
                                                                       range(0, n, k)]), *DOUBLE):
                fail(with_hint(_("{name} are the sums of the micro-batch losses.").format(name=name), _(
                    "Report each step's loss as the mean over its group, as the large batch would give it.")))
        for i, value in enumerate(expected):
            expect_close(got["result"].items[i], value, item_name(i))
        for i, (p, w) in enumerate(zip(params, wanted)):
            expect_close(p, w, _("parameter {i} after {label}").format(i=i, label=label))


# ------------------------------------------------------------------------------------------- ex6_3
def _builtin_clipping(library):
    """torch's (and for minigrad parameters, minigrad's) own gradient clipping, which ex6_3 re-implements."""
    import torch

    utils = torch.nn.utils
    funcs = [utils.clip_grad_norm_, utils.clip_grad.clip_grad_norm_, getattr(utils, "clip_grad_norm", None),
             getattr(utils, "get_total_norm", None), getattr(utils, "clip_grads_with_norm_", None),
             getattr(torch, "_foreach_norm", None)]
    if library == "minigrad":
        import minigrad.nn

        mg_utils = getattr(minigrad.nn, "utils", None)
        funcs += [getattr(mg_utils, n, None) for n in ("clip_grad_norm_", "clip_grad_norm", "get_total_norm")]
    return [f for f in funcs if f is not None]


def _norm_type(value) -> float:
    return math.inf if value in ("inf", math.inf) else float(value)


def _clip_np(grads, max_norm, p, mistake=None):
    """(total norm, clipped grads) in numpy float64: torch's rule, or one of the classic mistakes."""
    grads = [np.asarray(g, dtype=np.float64) for g in grads]
    if not grads:
        return 0.0, []
    if mistake == "inf_power":  # (Σ|g|^p)^(1/p) with p = inf: |g|^inf is inf or 0, and x^(1/inf) = x^0 = 1
        if p != math.inf:
            return None
        total = 1.0
        coefficient = min(max_norm / (total + 1e-6), 1.0)
        return total, [g * coefficient for g in grads]
    if mistake == "two_norm":
        p = 2.0
    norms = [np.max(np.abs(g)) if p == math.inf else np.sum(np.abs(g) ** p) ** (1 / p) for g in grads]
    if mistake == "sum_of_norms":
        total = float(sum(norms))
    else:
        total = float(max(norms) if p == math.inf else sum(n ** p for n in norms) ** (1 / p))
    if mistake == "per_tensor":
        return total, [g * min(1.0, max_norm / (n + 1e-6)) for g, n in zip(grads, norms)]
    denominator = total if mistake == "no_eps" else total + 1e-6
    coefficient = max_norm / denominator if denominator else math.inf
    if mistake != "always":
        coefficient = min(coefficient, 1.0)
    returned = min(total, max_norm) if mistake == "after" else total
    return returned, [g * coefficient for g in grads]


CLIPPING_MISTAKES = {
    "per_tensor": lambda: _(
        "It looks as if each gradient was clipped by its own norm. Clipping by total norm treats all gradients as "
        "one long vector: one norm for all of them, one coefficient for all of them."),
    "two_norm": lambda: _(
        "It looks as if the 2-norm was used whatever norm_type says: for norm_type=p it is (Σ|g|^p)^(1/p) over "
        "all elements, and for norm_type=inf the largest |g|."),
    "inf_power": lambda: _(
        "It looks as if the ∞-norm was computed as (Σ|g|^p)^(1/p) with p = inf, which gives 1 whatever the "
        "gradients: |g|^inf is inf or 0, and anything to the power 1/inf = 0 is 1. The ∞-norm is the largest |g| "
        "over all gradients: handle norm_type == float('inf') separately."),
    "sum_of_norms": lambda: _(
        "It looks as if the total norm is the sum of the gradients' norms; it is the norm of the vector of their "
        "norms ((Σ‖g‖²)^(1/2) for the 2-norm)."),
    "no_eps": lambda: _(
        "It looks as if the coefficient is max_norm / total; torch's is max_norm / (total + 1e-6) (the 1e-6 keeps "
        "it finite when the norm is 0)."),
    "always": lambda: _(
        "It looks as if the gradients were scaled although their norm was below max_norm: clip only when the "
        "coefficient max_norm / (total + 1e-6) is below 1."),
    "after": lambda: _(
        "It looks as if the norm returned is the one after clipping: return the total norm before clipping."),
}


@register
class ClipGradNorm(Exercise):
    """``clip_grad_norm(parameters, max_norm, norm_type=2.0)``: torch's clip_grad_norm_, re-implemented."""

    chapter, id, names, points = CHAPTER, "ex6_3", ("clip_grad_norm",), 3
    visible = [
        dict(library="torch", shapes=[(3, 2), (2,)], max_norm=1.0, seed=1),
        dict(library="torch", shapes=[(3,), (4,)], max_norm=100.0, seed=2),
        dict(library="torch", shapes=[(2, 2), (3,), (2,)], max_norm=0.5, generator=True, none_grads=[1], seed=3),
        dict(library="torch", shapes=[(5,), (2, 2)], max_norm=0.3, norm_type="inf", seed=4),
        dict(library="torch", shapes=[(4,), (3,)], max_norm=0.4, norm_type=3.0, seed=7),
        dict(library="torch", shapes=[(3,), (2,)], max_norm=1e-4, scale=1e-3, dtype="float64", seed=6),
        dict(library="minigrad", shapes=[(3, 2), (2,)], max_norm=0.5, seed=5),
    ]

    def case(self, library="torch", shapes=((3, 2), (2,)), max_norm=1.0, norm_type=2.0, generator=False,
             none_grads=(), scale=1.0, dtype="float32", seed=0):
        r = rng(seed)
        shapes = [tuple(s) for s in shapes]
        values = [r.normal(size=s).tolist() for s in shapes]
        grads = [None if i in none_grads else (scale * r.normal(size=s)).astype(dtype).astype(np.float64).tolist()
                 for i, s in enumerate(shapes)]
        return {"library": library, "values": values, "grads": grads, "max_norm": float(max_norm),
                "norm_type": "inf" if _norm_type(norm_type) == math.inf else float(norm_type),
                "generator": bool(generator), "dtype": dtype}

    def label(self, case):
        shapes = [tuple(np.shape(v)) for v in case["values"]]
        norm = "" if case["norm_type"] == 2.0 else ", norm_type=" + ("float('inf')" if case["norm_type"] == "inf"
                                                                      else f"{case['norm_type']:g}")
        label = _("clip_grad_norm(parameters, max_norm={max_norm:g}{norm}) for {library} parameters of shapes "
                  "{shapes}, {dtype}").format(max_norm=case["max_norm"], norm=norm, library=case["library"],
                                             shapes=shapes, dtype=case["dtype"])
        if case["generator"]:
            label = _("{label}; the parameters given as a generator").format(label=label)
        for i, g in enumerate(case["grads"]):
            if g is None:
                label = _("{label}; parameter {i} has no gradient").format(label=label, i=i)
        return label

    def run(self, case, clip_grad_norm):
        import importlib

        lib = importlib.import_module(case["library"])
        dtype = getattr(lib, case["dtype"])
        params = [lib.tensor(v, dtype=dtype, requires_grad=True) for v in case["values"]]
        for p, g in zip(params, case["grads"]):
            p.grad = None if g is None else lib.tensor(g, dtype=dtype)
        before = [p.grad for p in params]
        argument = (p for p in params) if case["generator"] else list(params)
        norm_type = _norm_type(case["norm_type"])
        with _calls_of(_builtin_clipping(case["library"])) as hits:
            if norm_type == 2.0:
                total = clip_grad_norm(argument, case["max_norm"])
            else:
                total = clip_grad_norm(argument, case["max_norm"], norm_type=norm_type)
        return {"total": encode(total), "grads": encode([p.grad for p in params]),
                "builtin": encode(list(dict.fromkeys(hits))),
                "same": encode([a is b for a, b in zip(before, (p.grad for p in params))])}

    def reference(self, case):
        import torch

        params = [tensor(v, requires_grad=True) for v in case["values"]]
        for p, g in zip(params, case["grads"]):
            p.grad = None if g is None else tensor(g)
        total = torch.nn.utils.clip_grad_norm_(params, case["max_norm"], norm_type=_norm_type(case["norm_type"]))
        data = {"total": encode(total.item()), "grads": encode([p.grad for p in params]), "builtin": encode([]),
                "same": encode([True] * len(params))}
        present = [g for g in case["grads"] if g is not None]
        for mistake in CLIPPING_MISTAKES:
            wrong = _clip_np(present, case["max_norm"], _norm_type(case["norm_type"]), mistake)
            if wrong is not None:
                data[mistake] = encode(list(wrong))
        return data

    def raised(self, case, error):
        message = super().raised(case, error)
        if not error.error["not_implemented"] and "'NoneType' object has no attribute" in error.error["message"]:
            return with_hint(message, _("Some parameters have no gradient (p.grad is None): skip them, as "
                                      "`[p.grad for p in parameters if p.grad is not None]` does."))
        return message

    def compare(self, case, got, want):
        label = self.label(case)
        builtin = [h.value for h in got["builtin"].items]
        check(not builtin, _("{label} called {name} (built-in gradient clipping): the point of this exercise is to "
                             "compute it yourself.").format(label=label, name=builtin[0] if builtin else ""))
        total_name = _("the total norm returned by {label}").format(label=label)
        total = got["total"]
        if total.kind == "tensor":
            check(total.array.size == 1, _("{name} should be a number or a 0-d tensor, but it is {what}.").format(
                name=total_name, what=describe(total)))
            total_value = float(total.array.reshape(-1)[0])
        else:
            total_value = expect_number(total, total_name)
        grads, wanted = got["grads"].items, want["grads"].items
        present = [g for g, w in zip(grads, wanted) if w.kind != "none"]
        tol = SINGLE if case["dtype"] == "float32" else DOUBLE
        for i, (g, w) in enumerate(zip(grads, wanted)):
            if w.kind == "none":
                check(g.kind == "none", _("parameter {i} had no gradient; after {label} it must still have grad None, "
                                          "but it has {what}.").format(i=i, label=label, what=describe(g)))
            else:
                expect_tensor(g, _("parameter {i}'s gradient after {label}").format(i=i, label=label), case["library"])
        right_total = all_close(np.array(total_value), np.array(want["total"].value), *tol)
        right_grads = all(all_close(g.values(), w.values(), *tol) for g, w in zip(grads, wanted) if w.kind != "none")
        if not (right_total and right_grads):
            for mistake, hint in CLIPPING_MISTAKES.items():
                if mistake not in want:
                    continue
                wrong_total, wrong_grads = want[mistake].items
                if all_close(np.array(total_value), np.array(wrong_total.value), *tol) and all(
                        all_close(g.values(), w.values(), *tol) for g, w in zip(present, wrong_grads.items)):
                    fail(with_hint(_("{label} does not give torch's result.").format(label=label),
                                 hint()))
        expect_close(total, want["total"].value, total_name, rtol=tol[0], atol=tol[1])
        for i, (g, w) in enumerate(zip(grads, wanted)):
            if w.kind != "none":
                unchanged = all_close(g.values(), np.array(case["grads"][i]), *tol)
                if unchanged and not all_close(g.values(), w.values(), *tol):
                    fail(_("parameter {i}'s gradient after {label} did not change, but the total norm {total:.4g} "
                           "exceeds max_norm: every gradient must be scaled by max_norm / (total + 1e-6). (Was the "
                           "generator already used up? Turn `parameters` into a list first.)").format(
                        i=i, label=label, total=want["total"].value))
                expect_close(g, w.values(), _("parameter {i}'s gradient after {label}").format(i=i, label=label),
                             rtol=tol[0], atol=tol[1])
        same = [s.value for s in got["same"].items]
        check(all(same), _("After {label}, p.grad is a new tensor: scale the gradients in place "
                           "(`g.mul_(coefficient)`), "
                           "as torch does; code that holds the gradient tensor (hooks, optimizers' buffers) sees the "
                           "change only then.").format(label=label))


check_ex6_1, check_ex6_2, check_ex6_3 = FitLinearRegression, GradientAccumulation, ClipGradNorm
