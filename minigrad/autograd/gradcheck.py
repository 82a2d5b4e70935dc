"""Finite-difference gradient checking: ``gradcheck`` and ``gradgradcheck``, as in torch.

``gradcheck`` builds each Jacobian twice and compares them entry by entry:

* numerically, by central differences: column ``k`` of ``d out / d x`` is
  ``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``;
* analytically, with autograd: one backward pass per output element ``m`` (a one-hot
  ``grad_output``) gives how every input element influences ``out[m]``.

Both are laid out as torch lays them out, ``(input.numel(), output.numel())``, and must agree
within ``|analytical - numerical| <= atol + rtol * |numerical|``. Central differences lose about
half the digits of the dtype, so inputs should be float64 (a warning says so otherwise).

``gradgradcheck`` runs ``gradcheck`` on the function ``(inputs, v) -> v^T J``: the backward pass
itself, which checks second derivatives.

Options that need vmap or sparse tensors (``check_batched_grad``, ``masked``...) do not exist in
minigrad; ``fast_mode`` is accepted and runs the full (slow, exact) check.
``check_undefined_grad`` is accepted for compatibility: minigrad always passes zeros, never an
undefined gradient, to backward, so there is nothing to check.
"""
import warnings

import numpy as np

from .. import creation, dtypes
from ..ops import stack
from ..tensor import Tensor
from . import forward_ad
from . import engine

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Error raised by ``gradcheck`` and ``gradgradcheck``."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x):
    return isinstance(x, Tensor)


def _differentiable(outputs):
    return tuple(o for o in _as_tuple(outputs) if _is_tensor(o) and o.requires_grad)


def _check_inputs(inputs):
    """At least one input must require grad; warn about ones that are not float64."""
    found = False
    for idx, inp in enumerate(inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp.dtype != dtypes.float64:
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating point "
                    "or complex. This check will likely fail if all the inputs are not of double "
                    "precision floating point or complex. ", stacklevel=4)
            found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def _one_hot(like, k):
    """A tensor shaped like ``like``, 1 at flat position ``k`` and 0 elsewhere (no graph)."""
    e = creation.zeros(like.numel(), dtype=like.dtype)
    e[k] = 1
    return e.reshape(like.shape)


def _columns_to_matrix(columns, rows, cols, dtype, dim):
    """Stack flat vectors into a ``(rows, cols)`` Jacobian (``dim`` says which way they go)."""
    if not columns:
        return creation.zeros((rows, cols), dtype=dtype)
    return stack([c.reshape(-1) for c in columns], dim=dim).reshape(rows, cols)


# ---------------------------------------------------------------------------------------------
# The two Jacobians
# ---------------------------------------------------------------------------------------------

def _numerical_jacobians(func, inputs, positions, eps):
    """``J[i][j]``, shape ``(inputs[j].numel(), out.numel())``, by central differences.

    ``positions`` says which of ``func``'s tensor outputs to differentiate; only inputs that
    require grad are perturbed (on a copy: the caller's tensors are never modified).
    """
    diff_idx = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    rows = [[[] for _ in diff_idx] for _ in positions]  # rows[i][j]: one per element of input j

    def evaluate(j, k, delta):
        x = inputs[j]
        moved = (x.detach() + delta * _one_hot(x, k)).requires_grad_(x.requires_grad)
        outs = [o for o in _as_tuple(func(*inputs[:j], moved, *inputs[j + 1:])) if _is_tensor(o)]
        return [outs[p].detach() for p in positions]

    out_numels = None  # learned from the first evaluation
    for jj, j in enumerate(diff_idx):
        for k in range(inputs[j].numel()):
            below = evaluate(j, k, -eps)
            above = evaluate(j, k, eps)
            out_numels = [o.numel() for o in above]
            for i, (hi, lo) in enumerate(zip(above, below)):
                rows[i][jj].append((hi - lo) / (2 * eps))
    if out_numels is None:  # every input is empty: ask func once for its outputs' sizes
        outs = [o for o in _as_tuple(func(*inputs)) if _is_tensor(o)]
        out_numels = [outs[p].numel() for p in positions]
    return [[_columns_to_matrix(rows[i][jj], inputs[j].numel(), out_numels[i], inputs[j].dtype,
                                dim=0)
             for jj, j in enumerate(diff_idx)] for i in range(len(positions))]


def _analytical_jacobian(output, diff_inputs):
    """``J[j]``, shape ``(diff_inputs[j].numel(), output.numel())``: one backward per element."""
    columns = [[] for _ in diff_inputs]
    sizes_ok = True
    for m in range(output.numel()):
        grads = engine.grad(output, diff_inputs, _one_hot(output, m),
                                       retain_graph=True, allow_unused=True)
        for j, (g, x) in enumerate(zip(grads, diff_inputs)):
            if g is None:
                g = creation.zeros_like(x)
            elif g.shape != x.shape:
                sizes_ok = False
                g = creation.zeros_like(x)
            columns[j].append(g.detach())
    jac = [_columns_to_matrix(cols, x.numel(), output.numel(), x.dtype, dim=1)
           for cols, x in zip(columns, diff_inputs)]
    return jac, sizes_ok


def _forward_jacobians(func, inputs, n_outputs):
    """``J[i][j]`` as in ``_numerical_jacobians``, from forward mode: one JVP per input element."""
    fwad = forward_ad
    diff_idx = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    plain = tuple(x.detach() if _is_tensor(x) else x for x in inputs)
    rows = [[[] for _ in diff_idx] for _ in range(n_outputs)]
    shapes = None
    for jj, j in enumerate(diff_idx):
        for k in range(plain[j].numel()):
            with fwad.dual_level():
                duals = tuple(fwad.make_dual(x, _one_hot(x, k)) if m == j else x
                              for m, x in enumerate(plain))
                outs = [fwad.unpack_dual(o) for o in _as_tuple(func(*duals)) if _is_tensor(o)]
            shapes = [p.numel() for p, _ in outs]
            for i, (primal, tangent) in enumerate(outs):
                rows[i][jj].append(creation.zeros_like(primal) if tangent is None else tangent)
    return [[_columns_to_matrix(rows[i][jj], plain[j].numel(), shapes[i] if shapes else 0,
                                plain[j].dtype, dim=0)
             for jj, j in enumerate(diff_idx)] for i in range(n_outputs)]


def _allclose(a, b, rtol, atol):
    return np.allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)


def _mismatch(analytical, numerical, i, j, forward=False):
    mode = "computed with forward mode " if forward else ""
    return (f"Jacobian {mode}mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{numerical}\nanalytical:{analytical}\n")


_NONDET = ("Backward is not reentrant, i.e., running backward with same input and grad_output "
           "multiple times gives different values, although analytical gradient matches numerical "
           "gradient.The tolerance for nondeterminism was {tol}.")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """True when ``func``'s analytical gradients match finite differences at ``inputs``.

    On a mismatch raises ``GradcheckError`` (or returns False with ``raise_exception=False``).
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad or check_batched_forward_grad or masked:
        raise NotImplementedError("minigrad has no vmap or sparse tensors: check_batched_grad, "
                                  "check_batched_forward_grad and masked are not supported")
    try:
        return _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol,
                          check_grad_dtypes, check_forward_ad, check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes, check_forward_ad,
               check_backward_ad):
    _check_inputs(inputs)
    results = [o for o in _as_tuple(func(*inputs)) if _is_tensor(o)]
    checked = [p for p, o in enumerate(results) if o.requires_grad]
    diff_inputs = tuple(x for x in inputs if _is_tensor(x) and x.requires_grad)

    if not checked:  # nothing differentiable: then finite differences must see no change
        floats = [p for p, o in enumerate(results) if o.dtype.is_floating_point]
        for per_output in _numerical_jacobians(func, inputs, floats, eps):
            for jac in per_output:
                if jac.numel() and np.any(jac.numpy() != 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True

    numerical = _numerical_jacobians(func, inputs, checked, eps)

    if check_forward_ad:
        forward = _forward_jacobians(func, inputs, len(results))
        for i, p in enumerate(checked):
            for j, (a, n) in enumerate(zip(forward[p], numerical[i])):
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_mismatch(a, n, i, j, forward=True))
    if not check_backward_ad:
        return True

    for i, p in enumerate(checked):
        output = results[p]
        first, sizes_ok = _analytical_jacobian(output, diff_inputs)
        second, _ = _analytical_jacobian(output, diff_inputs)
        if check_grad_dtypes and any(a.dtype != x.dtype for a, x in zip(first, diff_inputs)):
            raise GradcheckError("Gradient has dtype mismatch")
        if not sizes_ok:
            raise GradcheckError("Analytical gradient has incorrect size")
        if any(a.numel() and np.max(np.abs(a.numpy() - b.numpy())) > nondet_tol
               for a, b in zip(first, second)):
            raise GradcheckError(_NONDET.format(tol=nondet_tol))
        for j, (a, n) in enumerate(zip(first, numerical[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch(a, n, i, j))

    _check_backward_scales_with_grad_output([results[p] for p in checked], diff_inputs)
    return True


def _check_backward_scales_with_grad_output(outputs, diff_inputs):
    """A zero grad_output must give zero gradients of the right type and size."""
    grads = engine.grad(outputs, diff_inputs, [creation.zeros_like(o) for o in outputs],
                                   allow_unused=True)
    for g, x in zip(grads, diff_inputs):
        if g is None:
            continue
        if np.any(g.detach().numpy() != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype != x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """``gradcheck`` of the backward pass: checks second derivatives of ``func``.

    ``grad_outputs`` default to random tensors in [-1, 1) that require grad, one per
    differentiable output, so that the check also covers the dependence on ``grad_outputs``.
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _differentiable(func(*inputs))
        grad_outputs = tuple(
            (creation.rand(o.shape, dtype=o.dtype if o.dtype.is_floating_point
                           else dtypes.float64) * 2 - 1).requires_grad_()
            for o in outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_inputs_at = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]

    def backward_of_func(*args):
        """``(inputs, v) -> v^T J``: the gradients of ``func``, as a differentiable function."""
        ins, vs = args[:-n_out] if n_out else args, args[len(args) - n_out:]
        outputs = _differentiable(func(*ins))
        grads = engine.grad(outputs, tuple(ins[i] for i in diff_inputs_at), vs,
                                       create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(backward_of_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)


# ``minigrad.autograd.gradcheck`` is the function once the package imports it, so let the
# function carry the error class too: ``minigrad.autograd.gradcheck.GradcheckError`` works.
gradcheck.GradcheckError = GradcheckError
