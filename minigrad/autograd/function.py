"""``Function``: an operation with a forward and a backward (and optionally a jvp) rule.

Custom functions (``class MyReLU(Function)``) and minigrad's built-in operations go through the
same ``apply``:

1. if grad mode is on and an input requires grad, the call *records*: the ``ctx`` object is a new
   graph node, and its ``next_functions`` point at the inputs' nodes;
2. ``forward(ctx, *args)`` computes the values (and saves what backward will need);
3. a recording call makes ``ctx`` the ``grad_fn`` of the outputs.

The ``ctx`` *is* the node (as in torch): ``y.grad_fn`` is the ``ctx`` that ``forward`` saved
tensors into, and the engine calls ``node.apply(grads)``, which calls ``backward(ctx, *grads)``.
"""
import functools
import itertools
from numbers import Number

import numpy as np

from ..dtypes import FLOAT_SCALARS
from ..tensor import Tensor, bump_version, new_version_counter, version, wrap
from . import anomaly_mode, forward_ad, grad_mode
from .grad_mode import state as _grad_mode
from .graph import FREED_MESSAGE, Node, grad_accumulator, sequence, type_name
from .views import detach, rebase_history

_forward_mode, _anomaly_mode = forward_ad.state, anomaly_mode.state

INFERENCE_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a clone "
    "to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")

_NUMBERS = {int, float, bool}  # checked before isinstance(a, Number), which is slow

# needs_input_grad (and _input_mask) of ops with up to 4 arguments, shared: a node keeps one of these instead of a
# tuple of its own (a tuple per op would be one more object for the garbage collector to count
# and examine while the graph grows)
_FLAGS = {t: t for n in range(5) for t in itertools.product((False, True), repeat=n)}


def modified_message(t, expected, creator, output_nr):
    """torch's error for a saved tensor changed in place after it was saved."""
    shape = ", ".join(str(n) for n in t._data.shape)
    where = ""
    if creator is not None:
        op = creator.name()
        op = op[:op.rfind("Backward")] if "Backward" in op else op
        where = f", which is output {output_nr} of {op},"
    return ("one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [minigrad.{t.dtype.tensor_type} [{shape}]]{where} is at version "
            f"{version(t)}; expected version {expected} instead. Hint: "
            + (ANOMALY_HINT if _anomaly_mode.enabled else HINT))


HINT = ("enable anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")
ANOMALY_HINT = ("the backtrace further above shows the operation that failed to compute its gradient. "
                "The variable in question was changed in there or anywhere later. Good luck!")



class BackwardNode(Node):
    """A node made by ``Function.apply``; also the ``ctx`` that forward and backward see."""

    _fn = None               # the Function class whose backward this node runs
    needs_input_grad = ()    # per forward argument: does it need a gradient?
    materialize_grads = True
    _jvp = False             # this call computes tangents (forward mode)
    _saved = ()              # what save_for_backward kept ...
    _saved_versions = None   # ... and the version of each then (None: all at version 0)
    _saved_outputs = None    # {index in _saved: output_nr}: saved outputs (see _keep_outputs)
    _input_mask = None       # per forward argument: has an entry in next_functions (None: all do)
    _input_meta = None       # custom Functions: (shape, dtype) per entry of next_functions
    _out_meta = None         # nodes with several outputs: (shape, dtype) of each, for zero grads
    _non_differentiable = ()
    _dirty = ()
    other = None             # a built-in op's number operand that torch saves as a tensor (x * 2)

    # --- ctx API (what forward and backward use) -----------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep tensors for backward; changing them in place afterwards is detected."""
        recording = bool(self._next_nodes)  # a recorded call has edges to its inputs' nodes
        if recording and not self._fn.builtin:
            for i, t in enumerate(tensors):
                if t is not None and not isinstance(t, Tensor):
                    raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                    f"is of type {type_name(t)}")
        if recording or self._jvp:  # else there is no backward (nor jvp) to keep them for
            self._saved = tensors
            for t in tensors:
                if t is not None and t._vc is not None:  # else every version is 0
                    self._saved_versions = tuple(0 if t is None else version(t) for t in tensors)
                    break
            if grad_mode.inference_used and recording and any(
                    t is not None and t._inference for t in tensors):
                raise RuntimeError(INFERENCE_MESSAGE)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        saved = self._saved
        if self._saved_outputs is not None:
            saved = self._unpack_outputs(saved)
        versions = self._saved_versions
        for i, t in enumerate(saved):
            if t is not None and t._vc is not None:  # else it is still at version 0
                expected = 0 if versions is None else versions[i]
                if t._vc[0] != expected:
                    self._raise_modified(i, t, expected)
        return saved

    def _raise_modified(self, i, t, expected):
        outputs = self._saved_outputs
        if outputs is not None and i in outputs:  # one of this node's outputs
            raise RuntimeError(modified_message(t, expected, self, outputs[i]))
        raise RuntimeError(modified_message(t, expected, t.grad_fn, t._output_nr))

    def _unpack_outputs(self, saved):
        """The outputs this node saved, as tensors again (see _keep_outputs): sharing the output's
        memory and version counter, and, while a graph is being built (double backward), with
        this node as their grad_fn."""
        saved, with_history = list(saved), _grad_mode.enabled
        for i, output_nr in self._saved_outputs.items():
            data, counter, tangent = saved[i]
            t = saved[i] = wrap(data)
            t._vc = counter
            if tangent is not None:
                forward_ad.set_tangent(t, tangent)
            if with_history:
                t._grad_fn, t._requires_grad, t._output_nr = self, True, output_nr
        return tuple(saved)

    save_for_forward = save_for_backward

    def _saved_output_is(self, t):
        """The op ran in place: the output it saved is ``t`` now (its memory, its version), so
        that changing ``t`` again is detected, as in torch."""
        versions = list(self._saved_versions or (0,) * len(self._saved))
        saved = list(self._saved)
        for i in self._saved_outputs:
            saved[i] = _kept_output(t)
            versions[i] = version(t)
        self._saved, self._saved_versions = tuple(saved), tuple(versions)

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        """Declare the inputs that forward modified in place (and returns)."""
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    # --- node API (what the engine uses) -------------------------------------------------------
    def apply(self, grads):
        """Run the Function's backward: one gradient (or None) per entry of next_functions."""
        if self._out_meta is not None:
            grads = self._materialize(grads)
        out = self._fn.backward(self, *grads)
        if type(out) is not tuple:
            out = (out,)
        if self._input_meta is not None:  # a custom Function's: checked as torch checks it
            return self._validate(self._check_custom(out))
        if self._input_mask is not None or len(out) != len(self._next_nodes):
            out = self._align(out)
        return out

    def release_variables(self):
        """Free what forward saved (what a backward without retain_graph does).

        If it saved anything, ``saved_tensors`` raises torch's "backward through the graph a
        second time" error from now on, so running the node again raises; a node that saved
        nothing (AddBackward0, SumBackward0) may run again, as in torch. What counts as saved:
        for a custom Function, anything (torch's saved_tensors raises once freed, even if nothing
        was saved); for a built-in op, a tensor, or the number of ``x * 2`` that it keeps as
        ``ctx.other`` (torch keeps it as a saved tensor; Mul reads saved_tensors first).
        """
        saved = self._saved
        if (not self._fn.builtin or self.other is not None
                or saved and any(t is not None for t in saved)):
            self._freed = True
        if saved:  # (else it has no _saved of its own to drop: see Node._freed)
            self._saved = ()

    def _materialize(self, grads):
        """One gradient per output: zeros where none arrived (unless materialize_grads is off)."""
        grads = list(grads) + [None] * (len(self._out_meta) - len(grads))
        if self.materialize_grads:
            grads = [wrap(np.zeros(*meta)) if g is None and meta is not None else g
                     for g, meta in zip(grads, self._out_meta)]
        return grads

    def _align(self, out):
        """backward's result (one per forward argument) as one gradient per next_functions entry."""
        n = len(self.needs_input_grad)
        if len(out) > n and all(g is None for g in out[n:]):  # extra Nones are allowed
            out = out[:n]
        keep = self._input_mask
        if keep is not None and len(out) == len(keep):
            for i, (g, k) in enumerate(zip(out, keep)):
                if not k and g is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a Variable")
            out = tuple(g for g, k in zip(out, keep) if k)
        if len(out) != len(self._next_nodes):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {len(self._next_nodes)}, got {len(out)})")
        return out

    def _check_custom(self, out):
        """A custom backward's result: one gradient (a tensor or None) per forward argument, None
        for the arguments that are not tensors (torch's PyNode::apply); returns one per entry of
        next_functions."""
        n = len(self.needs_input_grad)
        if len(out) > n and all(g is None for g in out[n:]):  # extra Nones are allowed
            out = out[:n]
        if len(out) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(out)})")
        keep = self._input_mask
        grads = []
        for i, g in enumerate(out):
            if keep is not None and not keep[i]:  # not a tensor: no entry in next_functions
                if g is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a Variable")
                continue
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type_name(g)})")
            grads.append(g)
        return grads

    def _validate(self, out):
        """A custom backward's gradients must fit the inputs that need them: summed back when
        broadcast, cast to the input's dtype, an error otherwise (torch's validate_outputs; the
        gradient of an input that needs none is dropped unchecked)."""
        checked = []
        for i, (g, (shape, dtype)) in enumerate(zip(out, self._input_meta)):
            if g is not None and shape is not None:
                if g._data.shape != shape:
                    if not _expandable(shape, g._data.shape):
                        raise RuntimeError(
                            f"Function {self.name()} returned an invalid gradient at index {i} - got "
                            f"{list(g._data.shape)} but expected shape compatible with {list(shape)}")
                    g = g.sum_to_size(shape)
                if g._data.dtype != dtype:
                    g = g.to(dtype)
            checked.append(g)
        return tuple(checked)


def _expandable(shape, to):
    """Can ``shape`` be broadcast to ``to``? (Then a gradient of shape ``to`` sums back to it.)"""
    if len(shape) > len(to):
        return False
    return all(n == m or n == 1 for n, m in zip(shape[::-1], to[::-1]))


class Function:
    """Base class for operations with custom forward/backward, used like torch.autograd.Function.

    Subclasses define ``forward(ctx, *args)``, ``backward(ctx, *grad_outputs)`` and, for forward
    mode, ``jvp(ctx, *tangents)``; call them with ``MyFunction.apply(*args)``. Built-in ops set
    ``node_name`` to torch's node name; a custom Function's node is called ``<ClassName>Backward``.
    """

    node_name = None
    builtin = False         # minigrad's own ops: forward computes with numpy (no grad mode to switch
    #                         off), and their backward is trusted (tested against torch), so the
    #                         engine skips the checks a custom backward's results get
    number_inputs = 0       # torch treats Python numbers (and None) among the first N args as
    #                         tensors: each gets a (None, 0) entry in next_functions; other
    #                         non-tensors (dims, flags, index arrays) get none

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward"
        body = {"_fn": cls, "__module__": cls.__module__}
        if "::" in name:  # torch::autograd::NotImplemented: the class is NotImplemented
            body["name"] = lambda self, full=name: full
        if not cls.builtin:  # torch's node of a custom Function cannot be called
            body["__call__"] = _not_callable
        cls._node_cls = type(name.split("::")[-1], (BackwardNode,), body)

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def jvp(ctx, *tangents):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function "
                                  "to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args):
        ctx = cls._node_cls()
        recording = _grad_mode.enabled and _connect_inputs(cls, ctx, args)
        if not recording:
            ctx.needs_input_grad = (False,) * len(args)
        tangents = _forward_mode.level >= 0 and forward_ad.has_tangents(args)
        if tangents:
            ctx._jvp = True
            if cls.builtin:  # the jvp rule needs what backward would need for every input
                ctx.needs_input_grad = tuple(need or isinstance(a, Tensor)
                                             for need, a in zip(ctx.needs_input_grad, args))
        if cls.builtin:
            out = cls.forward(ctx, *args)
            if type(out) is tuple:
                out = tuple(o if o is None or type(o) is Tensor else wrap(o) for o in out)
            elif type(out) is not Tensor:
                out = wrap(out)  # forward computed a numpy array
        else:
            if recording:
                _check_custom_inputs(ctx, args)
            out = _custom_forward(cls, ctx, args, recording)
        if tangents:
            forward_ad.propagate(cls, ctx, args, out if type(out) is tuple else (out,))
        if recording:
            _connect_outputs(ctx, out)
            if _anomaly_mode.enabled:
                anomaly_mode.record_forward_stack(ctx)
        elif grad_mode.inference_used and _grad_mode.inference:  # (the module flag is quicker)
            _mark_inference(out)
        return out


def _not_callable(node, *grads):
    raise TypeError(f"'{type(node).__name__}' object is not callable")


def _mark_inference(out):
    for o in out if type(out) is tuple else (out,):
        if isinstance(o, Tensor) and o._view is None:  # a view is one if its base is (make_view)
            o._inference = True


def _custom_forward(cls, ctx, args, recording):
    """A user's forward runs with grad mode off; then each output it returned is made what torch
    makes of it (see _custom_output)."""
    prev = _grad_mode.enabled
    _grad_mode.enabled = False
    try:
        out = cls.forward(ctx, *args)
    finally:
        _grad_mode.enabled = prev
    if type(out) is tuple:
        return tuple(_custom_output(ctx, o, args, recording) for o in out)
    return _custom_output(ctx, out, args, recording)


def _custom_output(ctx, o, args, recording):
    """What the caller gets for ``o``, an output of a user's forward (torch's _wrap_outputs).

    Anything but a tensor is returned as it is (backward gets None for it). An input returned as
    it is becomes a view of it, so that the output can have its own history, or, when it requires
    grad but gets no gradient from this call, a detached alias. An output that is a view is marked
    ``custom``: changing it in place would bypass the Function's backward, which torch forbids
    (see views.py). Then _connect_outputs gives the differentiable outputs their grad_fn, and makes
    ctx the new history of a dirty input (one that forward changed in place).
    """
    if not isinstance(o, Tensor):
        return o
    returned = o
    is_input = any(o is a for a in args)
    dirty = is_input and any(o is d for d in ctx._dirty)
    nondiff = any(o is t for t in ctx._non_differentiable)
    if o._requires_grad and (nondiff or not recording):  # no gradient through this call
        if is_input:
            o = detach(o)
        elif o._view is None:  # made with grad mode on inside forward: cut its history
            o._grad_fn, o._requires_grad = None, False
    elif is_input and not dirty:
        o = _view_of_self(o)
    if nondiff and o is not returned:
        ctx._non_differentiable += (o,)
    if o._view is not None and not dirty:
        o._view.custom = True
    return o


def _view_of_self(t):
    """``t.view_as(t)`` with grad mode off: a new tensor sharing t's memory, with no history."""
    prev = _grad_mode.enabled
    _grad_mode.enabled = False
    try:
        return t.view_as(t)
    finally:
        _grad_mode.enabled = prev


def _connect_inputs(cls, ctx, args):
    """Point ``ctx.next_functions`` at the inputs' nodes; False when no input requires grad (the
    call then records nothing).

    Numbers among the first ``number_inputs`` arguments get a (None, 0) entry, as the scalar
    tensors torch makes of them would; other non-tensors (dims, flags) get none, and
    ``_input_mask`` remembers which arguments have one.
    """
    nodes, needs = [], []
    nrs = has_edge = None  # made only when needed: an input that is not output 0, a non-tensor
    for a in args:
        if isinstance(a, Tensor):
            if a._requires_grad:
                fn = a._grad_fn if a._view is None else a.grad_fn
                if fn is None:
                    fn = grad_accumulator(a)
                elif a._output_nr:
                    if nrs is None:
                        nrs = {}
                    nrs[len(nodes)] = a._output_nr
                nodes.append(fn)
                needs.append(True)
            else:  # no gradient to send back: no node
                nodes.append(None)
                needs.append(False)
        else:
            i = len(needs)  # the position of this argument
            needs.append(False)
            if i < cls.number_inputs and (type(a) in _NUMBERS or a is None or isinstance(a, Number)):
                nodes.append(None)
            else:
                if has_edge is None:
                    has_edge = [True] * len(args)
                has_edge[i] = False
    if True not in needs:
        return False
    ctx._seq = next(sequence)
    ctx._freed = False  # now, not first when released: see Node._freed
    ctx._next_nodes = tuple(nodes)
    if nrs is not None:  # else every input is output 0 of its node (see Node._next_nrs)
        ctx._next_nrs = tuple(nrs.get(i, 0) for i in range(len(nodes)))
    needs = tuple(needs)
    ctx.needs_input_grad = _FLAGS.get(needs, needs)  # a shared tuple (see _FLAGS)
    if has_edge is not None:
        has_edge = tuple(has_edge)
        ctx._input_mask = _FLAGS.get(has_edge, has_edge)  # shared too
    return True


def _check_custom_inputs(ctx, args):
    """A custom Function's gradients are checked later against the shapes and dtypes of the
    inputs that need one."""
    mask = ctx._input_mask or [True] * len(args)
    ctx._input_meta = tuple((a._data.shape, a._data.dtype) if isinstance(a, Tensor) and a._requires_grad
                            else (None, None) for a, edge in zip(args, mask) if edge)


def _connect_outputs(ctx, out):
    """Make ``ctx`` the grad_fn of the (floating point, differentiable) outputs."""
    if type(out) is Tensor and not (ctx._non_differentiable or ctx._dirty):  # the usual case
        data = out._data
        if type(data) in FLOAT_SCALARS or data.dtype.kind == "f":
            out._grad_fn, out._requires_grad = ctx, True
    else:
        outs = out if type(out) is tuple else (out,)
        if len(outs) > 1:  # (backward gets None for an output that is not a tensor)
            ctx._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None
                             for o in outs]
        for nr, o in enumerate(outs):
            if not isinstance(o, Tensor) or o._data.dtype.kind != "f" or any(
                    o is t for t in ctx._non_differentiable):
                continue
            if any(o is d for d in ctx._dirty):  # forward changed this input in place
                _check_dirty(o)
                bump_version(o)
                rebase_history(o, ctx, nr)
            else:
                o._grad_fn, o._requires_grad, o._output_nr = ctx, True, nr
    if ctx._saved:
        _keep_outputs(ctx, out if type(out) is tuple else (out,))


def _check_dirty(t):
    view = t._view
    if t._grad_fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    if view is not None and view.base._requires_grad and view.base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad has been used in an "
                           "in-place operation.")


def _keep_outputs(ctx, outs):
    """A node that saved its own output would form a cycle (node -> output -> node), which only
    the cyclic garbage collector frees: keep what backward needs of the output instead, and make
    a tensor of it again in saved_tensors (see _unpack_outputs)."""
    saved = ctx._saved
    for i, t in enumerate(saved):
        if t is None:
            continue
        for nr, o in enumerate(outs):
            if t is o:
                if ctx._saved_outputs is None:
                    ctx._saved_outputs = {}
                saved = ctx._saved = saved[:i] + (_kept_output(o),) + saved[i + 1:]
                ctx._saved_outputs[i] = nr


def _kept_output(t):
    """What a node keeps of an output it saved: its values, its version counter (made now, the
    output may change in place later) and its tangent. Plain values in a tuple, which the cyclic
    garbage collector stops tracking, where a tensor would be one more object for it to walk."""
    if t._vc is None:
        t._vc = new_version_counter()
    return t._data, t._vc, t._fw_grad


# ---------------------------------------------------------------------- once_differentiable
class _DelayedError(Function):
    """What a once_differentiable backward returns when a graph is being built: using that
    graph raises (torch's node name: Error)."""

    node_name = "torch::autograd::Error"

    @staticmethod
    def forward(ctx, *grads):
        return tuple(g.detach() if g is not None else None for g in grads)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


def once_differentiable(backward):
    """Decorate a ``backward`` that is written with non-differentiable code (numpy, say): it runs
    with grad mode off, and differentiating its result again raises, as in torch."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        prev = _grad_mode.enabled
        _grad_mode.enabled = False
        try:
            out = backward(ctx, *grads)
        finally:
            _grad_mode.enabled = prev
        if not (prev and any(isinstance(g, Tensor) and g._requires_grad for g in grads)):
            return out
        outs = out if isinstance(out, tuple) else (out,)
        tensors = [o for o in outs if isinstance(o, Tensor)]
        errors = iter(_DelayedError.apply(*tensors, *[g for g in grads if isinstance(g, Tensor)]))
        wrapped = tuple(next(errors) if isinstance(o, Tensor) else o for o in outs)
        return wrapped if isinstance(out, tuple) else wrapped[0]
    return wrapper
