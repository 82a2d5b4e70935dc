"""``minigrad.nn.functional``: activations and losses as plain functions (torch's signatures).

``mse_loss`` and the class-index case of ``cross_entropy``/``nll_loss`` record one node each
(MseLossBackward0, NllLossBackward0: see minigrad/ops/losses.py), as torch does; the rarer variants
(weights on MSE, soft targets, label smoothing) are written with minigrad operations, so autograd
differentiates them like any other expression. ``reduction`` says how per-element losses combine.
"""
import warnings

import numpy as np

from ..dtypes import int64, uint8
from .. import ops
from ..ops.linalg import linear
from ..ops.losses import MseLoss, NllLoss, NllLoss2d
from ..ops.losses import apply_reduction as _reduce

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "nll_loss",
           "cross_entropy"]


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------

def relu(input, inplace=False):
    """max(input, 0) elementwise; ``inplace=True`` overwrites ``input`` (``relu_``)."""
    return input.relu_() if inplace else ops.relu(input)


def sigmoid(input):
    return ops.sigmoid(input)


def tanh(input):
    return ops.tanh(input)


def _softmax_dim(ndim, name):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (each slice sums to 1)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return ops.softmax(input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably (x - logsumexp(x))."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return ops.log_softmax(input, dim)


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce):
    """torch's old ``size_average``/``reduce`` flags, translated to a ``reduction`` string."""
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='{}' "
                  "instead.".format(_legacy_name(size_average, reduce)), stacklevel=3)
    return _legacy_name(size_average, reduce)


def _legacy_name(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum, or none) of ``(input - target) ** 2``, optionally weighted."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=2)
    if weight is not None:
        return _reduce((input - target) ** 2 * weight, reduction)
    if target.shape != input.shape:  # torch broadcasts the two first (an ExpandBackward0 node)
        shape = _broadcast_shape(input, target)
        input = input if input.shape == shape else input.expand(shape)
        target = target if target.shape == shape else target.expand(shape)
    return MseLoss.apply(input, target, reduction)


def _broadcast_shape(a, b):
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        a - b  # raises torch's error naming the sizes that do not match
        raise


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits ``input`` and ``target``.

    ``input`` is ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``, classes along dim 1 (dim 0 for 1-D).
    ``target`` holds class indices (int64, the input's shape without C) or class probabilities
    (float, the input's shape). Per element: ``-w[y] * log_softmax(input)[y]``; ``mean`` divides
    by the total weight of the counted targets (targets equal to ``ignore_index`` count nothing).
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    cdim = 1 if input.ndim >= 2 else 0
    n_classes = input.shape[cdim]
    logp = log_softmax(input, cdim)
    # class weights, shaped to broadcast along the class dimension
    w = None
    if weight is not None:
        w = weight.reshape((n_classes,) + (1,) * (input.ndim - cdim - 1))

    if target.dtype.is_floating_point and target.shape == input.shape:
        return _cross_entropy_probabilities(logp, target, w, cdim, n_classes, reduction,
                                            label_smoothing)
    if target.dtype not in (int64, uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target.dtype.scalar_name}")
    expected = tuple(input.shape[:cdim]) + tuple(input.shape[cdim + 1:])
    if tuple(target.shape) != expected:
        if input.ndim >= 2 and (target.ndim == 0 or target.shape[0] != input.shape[0]):
            got = target.shape[0] if target.ndim else 1
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({got}).")
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    _check_class_range(target, n_classes, ignore_index)

    loss = _nll(logp, target, weight, cdim, ignore_index, reduction)
    if label_smoothing > 0:
        counted = (target != ignore_index).to(input.dtype)
        smooth = -(logp if w is None else logp * w).sum(cdim) * counted
        total = float(_target_selection(logp, target, weight, cdim, ignore_index).sum())
        loss = (1 - label_smoothing) * loss + label_smoothing / n_classes * _reduce_weighted(
            smooth, total, reduction)
    return loss


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class indices ``target`` given log-probabilities ``input``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    cdim = 1 if input.ndim >= 2 else 0
    _check_class_range(target, input.shape[cdim], ignore_index)
    return _nll(input, target, weight, cdim, ignore_index, reduction)


def _nll(logp, target, weight, cdim, ignore_index, reduction):
    """The NllLoss node, built as torch builds it: a 3-D input (N, C, d) goes in viewed as (N, C, d, 1)."""
    if logp.ndim == 3:
        loss = _nll(logp.view(*logp.shape, 1), target.view(*target.shape, 1), weight, cdim, ignore_index,
                    reduction)
        return loss.view(target.shape) if reduction == "none" else loss
    selection = _target_selection(logp, target, weight, cdim, ignore_index)
    return (NllLoss2d if logp.ndim > 2 else NllLoss).apply(logp, selection, cdim, reduction)


def _target_selection(logp, target, weight, cdim, ignore_index):
    """A numpy array shaped like ``logp``: each target class's weight at its position, 0 elsewhere.

    Ignored targets (``ignore_index``) select nothing; without ``weight`` every class weighs 1.
    """
    classes = target.detach().numpy().astype(np.int64)
    counted = classes != ignore_index
    safe = np.where(counted, classes, 0)
    weights = np.ones(logp.shape[cdim]) if weight is None else weight.detach().numpy()
    picked = np.where(counted, weights[safe], 0.0).astype(logp._data.dtype)
    selection = np.zeros(logp.shape, dtype=picked.dtype)
    np.put_along_axis(selection, np.expand_dims(safe, cdim), np.expand_dims(picked, cdim), axis=cdim)
    return selection


def _reduce_weighted(loss, total_weight, reduction):
    """``mean`` divides by the total weight (the number of counted targets when unweighted)."""
    if reduction == "mean":
        return loss.sum() / total_weight
    return _reduce(loss, reduction)


def _cross_entropy_probabilities(logp, target, w, cdim, n_classes, reduction, label_smoothing):
    """Soft targets: ``-(w * target * logp).sum(class dim)``; ``mean`` divides by the count."""
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    per_class = logp * target if w is None else logp * target * w
    return _reduce(-per_class.sum(cdim), reduction)


def _check_class_range(target, n_classes, ignore_index):
    values = target.detach().numpy()
    bad = values[(values != ignore_index) & ((values < 0) | (values >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
