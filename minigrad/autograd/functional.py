"""Jacobian-level helpers: ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``hvp``, ``vhp``.

The same functions, arguments, return structures and error messages as
``torch.autograd.functional``. Everything here is built from one primitive, ``autograd.grad``:

* ``vjp``: one backward pass with ``grad_outputs=v`` gives ``v^T J``.
* ``jacobian``: one VJP per output element, each giving one row of ``J``.
* ``jvp``: the *double-backward trick*. ``g(u) = u^T J`` is linear in ``u``, so differentiating
  ``g`` with respect to ``u`` in the direction ``v`` gives ``J v`` without a forward mode.
* ``vhp`` / ``hvp``: the same two ideas applied to the gradient of a scalar function.

``inputs`` (and ``v``) may be one tensor or a tuple of tensors; results mirror that structure.
"""
from .. import creation
from ..ops import stack
from ..tensor import Tensor
from . import forward_ad
from . import engine
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---------------------------------------------------------------------------------------------
# Small helpers shared by the public functions
# ---------------------------------------------------------------------------------------------

def _as_tuple(value, arg_name, fn_name):
    """``(was_a_tuple, tuple_of_tensors)``; a TypeError names anything that is not a tensor."""
    was_tuple = isinstance(value, tuple)
    values = value if was_tuple else (value,)
    for i, item in enumerate(values):
        if not isinstance(item, Tensor):
            where = f"value at index {i}" if was_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but the {where} has type {type(item)}.")
    return was_tuple, values


def _untuple(values, was_tuple):
    """Undo ``_as_tuple``: a lone tensor goes back out as a lone tensor."""
    return values if was_tuple else values[0]


def _fresh_inputs(inputs, create_graph, need_graph):
    """New tensor objects for the inputs, so that we differentiate with respect to *these*.

    With ``create_graph`` an input that requires grad stays connected to the caller's graph (a
    differentiable view); otherwise it is detached, and made to require grad if ``need_graph``.
    """
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad
        else t.detach().requires_grad_(need_graph)
        for t in inputs)


def _finish(tensors, create_graph):
    """Results carry no history unless the caller asked for ``create_graph``."""
    return tensors if create_graph else tuple(t.detach() for t in tensors)


def _check_v(v, like, like_is_tuple):
    """``v`` must have one tensor per entry of ``like``, each of the same size."""
    if len(v) != len(like):
        if like_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (v_i, like_i) in enumerate(zip(v, like)):
        if v_i.size() != like_i.size():
            prefix = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {like_i.size()} but got {v_i.size()}.")


def _prepare_v(v, like, like_is_tuple, fn_name, create_graph, none_message):
    """Validate the user's ``v``; ``None`` is allowed only when ``like`` is one 1-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _fresh_inputs(v, create_graph, need_graph=False)
    _check_v(v, like, like_is_tuple)
    return v


_V_NONE_FOR_INPUT = ("The vector v can only be None if the input to the user-provided function "
                     "is a single Tensor with a single element.")


def _call(func, inputs, fn_name, strict):
    """Run ``func(*inputs)``; return ``(outputs_were_a_tuple, outputs)``."""
    was_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode.")
    return was_tuple, outputs


def _single_scalar(outputs, was_tuple, fn_name):
    """hessian, vhp and hvp need a function returning one tensor with one element."""
    if was_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` that skips outputs needing no grad (giving ``None`` for every input)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, grads = zip(*pairs)
    return engine.grad(outs, inputs, grads, retain_graph=retain_graph,
                                  create_graph=create_graph, allow_unused=True)


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. "
            "This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _zeros_for_none(grads, refs, strict, create_graph, stage):
    """A missing gradient (``None``) is mathematically zero; in strict mode it is an error."""
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = creation.zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        result.append(g)
    return tuple(result)


def _check_strict_grads(grads, strict, what):
    """In strict mode, a gradient that is missing or constant means the function was too simple."""
    if not strict:
        return
    for i, g in enumerate(grads):
        if g is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not g.requires_grad:
            if what == "grad_inputs":
                raise RuntimeError(
                    f"The gradient with respect to input {i} is independent of the inputs of the "
                    "user-provided function. This is not allowed in strict mode.")
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).")


def _second_pass(outputs, inputs, v, create_graph, refs, strict, stage):
    """The final backward pass of vjp/jvp/vhp/hvp, with grad mode as torch sets it."""
    mode = True if create_graph else is_grad_enabled()
    with set_grad_enabled(mode):
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        return _zeros_for_none(grads, refs, strict, create_graph, stage)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``: a vector-Jacobian product, i.e. one reverse-mode pass.

    ``v`` has the shape of the output (it may be omitted when the output has one element); the
    result has the shape of the inputs.
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _prepare_v(v, outputs, outputs_tuple, "vjp", create_graph,
                       "The vector v can only be None if the user-provided function returns a "
                       "single Tensor with a single element.")
    result = _second_pass(outputs, inputs, v, create_graph, inputs, strict, "back")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(result, create_graph), inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)``: a Jacobian-vector product (the directional derivative along v).

    Computed with the double-backward trick: ``u -> u^T J`` is linear in a dummy ``u``, and its
    gradient with respect to ``u`` along ``v`` is ``J v``. ``v`` has the shape of the inputs.
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, inputs_tuple, "jvp", create_graph, _V_NONE_FOR_INPUT)
        outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        # The dummy u: its value never matters (the map is linear); zeros keep it finite.
        dummies = tuple(creation.zeros_like(out, requires_grad=True) for out in outputs)
        u_J = _grad(outputs, inputs, dummies, create_graph=True)
        _check_strict_grads(u_J, strict, "grad_inputs")
    result = _second_pass(u_J, dummies, v, create_graph, outputs, strict, "back_trick")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(result, create_graph), outputs_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: entry ``[i][j]`` is shaped ``(*out_i, *in_j)``.

    With one output and one input tensor the result is one tensor; otherwise tuples, as in torch.
    ``strategy="reverse-mode"`` builds it row by row from VJPs (one per output element);
    ``"forward-mode"`` column by column from JVPs with ``minigrad.autograd.forward_ad``.
    ``vectorize`` is accepted for compatibility: minigrad has no vmap, the result is the same.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.')
        return _jacobian_forward(func, inputs)

    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        jac = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # rows[j]: d out_i[k] / d input_j, for each element k
            flat = out.reshape(-1)
            for k in range(out.numel()):
                grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
                for j, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode.")
                        g = creation.zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            "The jacobian of the user-provided function is independent of "
                            f"input {i}. This is not allowed in strict mode when "
                            "create_graph=True.")
                    rows[j].append(g)
            jac.append(_finish(tuple(
                _stack_rows(rows_j, tuple(out.shape) + tuple(inp.shape), inp)
                for rows_j, inp in zip(rows, inputs)), create_graph))
        return _untuple(tuple(_untuple(j, inputs_tuple) for j in jac), outputs_tuple)


def _stack_rows(rows, shape, like):
    """Stack per-element gradients into one tensor of the Jacobian's shape."""
    if not rows:  # an output with no elements
        return creation.zeros(shape, dtype=like.dtype)
    return stack(rows, dim=0).reshape(shape)


def _jacobian_forward(func, inputs):
    """Forward-mode Jacobian: one JVP (a dual-number pass) per input element."""
    fwad = forward_ad
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = tuple(t.detach() for t in inputs)
    columns = None  # columns[i][j]: list of d out_i / d input_j[k] over k
    for j, inp in enumerate(inputs):
        for k in range(inp.numel()):
            with fwad.dual_level():
                duals = tuple(
                    fwad.make_dual(t, _one_hot(t, k) if m == j else creation.zeros_like(t))
                    for m, t in enumerate(inputs))
                outputs_tuple, outs = _as_tuple(func(*duals), "outputs", "jacobian")
                unpacked = [fwad.unpack_dual(o) for o in outs]
            if columns is None:
                primals = [u[0] for u in unpacked]
                columns = [[[] for _ in inputs] for _ in outs]
            for i, (primal, tangent) in enumerate(unpacked):
                columns[i][j].append(creation.zeros_like(primal) if tangent is None else tangent)
    if columns is None:  # every input is empty: one call to learn the outputs' shapes
        outputs_tuple, primals = _as_tuple(func(*inputs), "outputs", "jacobian")
        columns = [[[] for _ in inputs] for _ in primals]
    jac = tuple(
        tuple(_stack_columns(columns[i][j], out, inp) for j, inp in enumerate(inputs))
        for i, out in enumerate(primals))
    return _untuple(tuple(_untuple(row, inputs_tuple) for row in jac), outputs_tuple)


def _stack_columns(cols, out, inp):
    shape = tuple(out.shape) + tuple(inp.shape)
    if not cols:
        return creation.zeros(shape, dtype=out.dtype)
    stacked = stack([c.reshape(-1) for c in cols], dim=1)  # (out numel, in numel)
    return stacked.reshape(shape).detach()


def _one_hot(like, k):
    """A tensor shaped like ``like``: 1 at flat position ``k``, 0 elsewhere."""
    e = creation.zeros(like.numel(), dtype=like.dtype)
    e[k] = 1
    return e.reshape(like.shape)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: the Jacobian of its gradient.

    For one input of shape S the result has shape ``(*S, *S)``; for a tuple of inputs it is a
    tuple of tuples, block ``[i][j]`` shaped ``(*in_i, *in_j)``. The inner Jacobian (the
    gradient) is always reverse mode; ``outer_jacobian_strategy="forward-mode"`` differentiates
    that gradient with forward mode ("forward-over-reverse"). ``vectorize`` is accepted and
    changes nothing (no vmap in minigrad).
    """
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        was_tuple, out = _call(func, inp, "hessian", strict)
        _single_scalar(out, was_tuple, "hessian")
        return out[0].squeeze()

    def gradient_func(*inp):
        if outer_jacobian_strategy == "forward-mode":  # keep the dual inputs' tangents
            inp = tuple(t.requires_grad_(True) for t in inp)
        grads = jacobian(scalar_func, inp, create_graph=True)
        _check_strict_grads(grads if isinstance(grads, tuple) else (grads,), strict, "jacobian")
        return grads

    # Both jacobians see tuples, so ``blocks`` is a tuple of tuples; unwrap a lone input.
    blocks = jacobian(gradient_func, inputs, create_graph=create_graph, strict=strict,
                      strategy=outer_jacobian_strategy)
    return _untuple(tuple(_untuple(row, inputs_tuple) for row in blocks), inputs_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T H)``: a vector-Hessian product by double backward."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H v)``: a Hessian-vector product, without forming H.

    H is symmetric for a twice-differentiable ``func``, so this equals ``vhp``; like torch it is
    computed with the double-backward trick rather than by relying on that symmetry.
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, inputs_tuple, fn_name, create_graph, _V_NONE_FOR_INPUT)
        outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
        _single_scalar(outputs, outputs_tuple, fn_name)
        grads = _grad(outputs, inputs, create_graph=True)  # the gradient, as a graph
        _check_strict_grads(grads, strict, "jacobian")
        if fn_name == "hvp":
            # u -> u^T H is linear in a dummy u; its derivative along v is H v.
            dummies = tuple(creation.zeros_like(t, requires_grad=True) for t in inputs)
            u_H = _grad(grads, inputs, dummies, create_graph=True)
            first, wrt, stage = u_H, dummies, "double_back_trick"
        else:
            first, wrt, stage = grads, inputs, "double_back"
    result = _second_pass(first, wrt, v, create_graph, inputs, strict, stage)
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(result, create_graph), inputs_tuple))
