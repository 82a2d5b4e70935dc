"""The exercises of the tiny demo course (``python -m autograder demo`` and the pipeline's tests)."""
from __future__ import annotations

from ..i18n import _
from .base import Exercise, register
from .expect import check, expect_close, expect_number, expect_tensor
from .reference import rng, tensor
from .values import encode

CHAPTER = "00_demo"


@register
class GradOfSquare(Exercise):
    """ex0_1 ``grad_of_square(x)``: d(x²)/dx at x, as a Python float."""

    chapter, id, names, points = CHAPTER, "ex0_1", ("grad_of_square",), 1
    visible = [dict(x=3.0)]

    def case(self, x=None, low=-3.0, high=3.0, seed=0):
        return {"x": float(rng(seed).uniform(low, high)) if x is None else float(x)}

    def label(self, case):
        return f"grad_of_square({case['x']!r})"

    def run(self, case, grad_of_square):
        return {"result": encode(grad_of_square(case["x"]))}

    def reference(self, case):
        t = tensor(case["x"], requires_grad=True)
        (t ** 2).backward()
        return {"result": encode(t.grad.item())}

    def compare(self, case, got, want):
        expect_number(got["result"], self.label(case))
        expect_close(got["result"], want["result"].value, self.label(case))


@register
class ScaledSumGrad(Exercise):
    """ex0_2 ``scaled_sum_grad(w, c)``: the gradient of (c * w).sum() with respect to w, a torch tensor."""

    chapter, id, names, points = CHAPTER, "ex0_2", ("scaled_sum_grad",), 2
    visible = [dict(shape=(3,), c=2.5, ones=True)]

    def case(self, shape=(3,), c=None, ones=False, seed=0):
        import numpy as np

        r = rng(seed)
        w = np.ones(shape) if ones else r.normal(size=shape)
        return {"w": w.tolist(), "c": float(r.uniform(-2, 2)) if c is None else float(c)}

    def label(self, case):
        import numpy as np

        return _("scaled_sum_grad(w of shape {shape}, c={c:g})").format(shape=np.shape(case["w"]), c=case["c"])

    def run(self, case, scaled_sum_grad):
        import torch

        w = torch.tensor(case["w"], dtype=torch.float32)
        return {"result": encode(scaled_sum_grad(w, case["c"]))}

    def reference(self, case):
        w = tensor(case["w"], requires_grad=True)
        (case["c"] * w).sum().backward()
        return {"result": encode(w.grad)}

    def compare(self, case, got, want):
        v = expect_tensor(got["result"], self.label(case), "torch")
        check(v.array.shape == want["result"].array.shape,
              _("{label} has shape {got}, expected {want}.").format(label=self.label(case), got=v.array.shape,
                                                                   want=want["result"].array.shape))
        expect_close(v, want["result"].array, self.label(case), reference_dtype="float32")


@register
class GradByHand(Exercise):
    """ex0_3 ``grad_by_hand(x)``: d(x·sin x)/dx at x, derived by hand (a do-it-yourself exercise)."""

    chapter, id, names, points = CHAPTER, "ex0_3", ("grad_by_hand",), 1
    self_made = ("torch", "sympy", "minigrad")
    visible = [dict(x=1.0)]

    def case(self, x=None, seed=0):
        return {"x": float(rng(seed).uniform(-3, 3)) if x is None else float(x)}

    def label(self, case):
        return f"grad_by_hand({case['x']!r})"

    def run(self, case, grad_by_hand):
        return {"result": encode(grad_by_hand(case["x"]))}

    def reference(self, case):
        t = tensor(case["x"], requires_grad=True)
        (t * t.sin()).backward()
        return {"result": encode(t.grad.item())}

    def compare(self, case, got, want):
        expect_number(got["result"], self.label(case))
        expect_close(got["result"], want["result"].value, self.label(case))


check_ex0_1, check_ex0_2, check_ex0_3 = GradOfSquare, ScaledSumGrad, GradByHand
