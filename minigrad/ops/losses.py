"""Losses as single graph nodes, the way torch records them: ``MseLossBackward0``, ``NllLossBackward0``.

Each could be written as a few elementwise ops and a mean (and the gradients would be the same); one
node per loss keeps the graph of a training step as small and as readable as torch's.
"""
import numpy as np

from ..autograd.function import Function
from ..tensor import wrap
from .util import or_zeros


def apply_reduction(x, reduction):
    """Combine per-element losses (a minigrad tensor): ``mean``, ``sum``, or ``none``."""
    if reduction == "mean":
        return x.mean()
    if reduction == "sum":
        return x.sum()
    return x


class MseLoss(Function):
    """``(input - target) ** 2``, reduced. The caller has broadcast the two to one shape."""

    node_name = "MseLossBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, input, target, reduction):
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        diff = input._data - target._data
        squared = diff * diff
        if reduction == "mean":
            return np.asarray(squared.mean(), dtype=squared.dtype)
        if reduction == "sum":
            return np.asarray(squared.sum(), dtype=squared.dtype)
        return squared

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        if ctx.reduction == "mean":
            g = g / input.numel()
        grad = 2 * (input - target) * g
        need = ctx.needs_input_grad
        return (grad if need[0] else None), (-grad if need[1] else None)

    @staticmethod
    def jvp(ctx, t_input, t_target, _):
        input, target = ctx.saved_tensors
        t_input, t_target = or_zeros((t_input, input), (t_target, target))  # as torch's
        diff = input - target  # torch's: each input's term, with zeros for a missing tangent
        return apply_reduction(2 * diff * t_input + 2 * -diff * t_target, ctx.reduction)


class NllLoss(Function):
    """Negative log-likelihood of the target classes, given log-probabilities ``logp``.

    ``selection`` (a numpy array shaped like ``logp``) holds, at each position's target class, that
    class's weight (0 for an ignored target) and 0 elsewhere: the loss of a position is
    ``-(logp * selection).sum(class dim)``; ``mean`` divides the sum by the total weight selected.
    The targets and weights get no entry in ``next_functions``: they are not differentiable.
    """

    node_name = "NllLossBackward0"
    builtin = True

    @staticmethod
    def forward(ctx, logp, selection, class_dim, reduction):
        ctx.class_dim, ctx.reduction = class_dim, reduction
        ctx.save_for_backward(wrap(selection))
        per_position = -(logp._data * selection).sum(axis=class_dim)
        if reduction == "mean":
            return np.asarray(per_position.sum() / selection.sum(), dtype=per_position.dtype)
        if reduction == "sum":
            return np.asarray(per_position.sum(), dtype=per_position.dtype)
        return per_position

    @staticmethod
    def _weights(ctx):
        """-d(loss)/d(logp) for an upstream gradient of 1: the selection, over its total for ``mean``."""
        selection, = ctx.saved_tensors
        s, total = selection._data, selection._data.sum()
        # all targets ignored: the mean is 0/0 = nan, but no logit changed it: gradient 0, as in torch
        return wrap(s / total if ctx.reduction == "mean" and total != 0 else s)

    @staticmethod
    def backward(ctx, g):
        if ctx.reduction == "none":
            g = g.unsqueeze(ctx.class_dim)
        return -NllLoss._weights(ctx) * g

    @staticmethod
    def jvp(ctx, t_logp, *_):
        picked = -(t_logp * NllLoss._weights(ctx)).sum(ctx.class_dim)
        return picked if ctx.reduction == "none" else picked.sum()


class NllLoss2d(NllLoss):
    """The same, for inputs with extra dimensions (N, C, d1, d2): torch's name for that node."""

    node_name = "NllLoss2DBackward0"
