"""``Function``: an operation with a forward and a backward (and optionally a jvp) rule.

Custom functions (``class MyReLU(Function)``) and minigrad's built-in operations go through the
same ``apply``: run ``forward`` on the values, and, when grad mode is on and an input requires
grad, turn the ``ctx`` object into a graph node that remembers the inputs' nodes. The ``ctx`` *is*
the node (as in torch): ``y.grad_fn`` is the ``ctx`` that ``forward`` saved tensors into.
"""
from numbers import Number


from . import forward_ad as _fw
from .forward_ad import _state as _fw_state
from .grad_mode import _state as _grad_state
from .graph import Node

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _modified_message(t, expected):
    shape = ", ".join(str(n) for n in t._data.shape)
    where = ""
    creator = t._creator or t.grad_fn
    if creator is not None:
        op = creator.name()
        op = op[:op.rfind("Backward")] if "Backward" in op else op
        where = f", which is output {t._output_nr} of {op},"
    return ("one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [minigrad.{_TYPE_NAMES[t.dtype.name]} [{shape}]]{where} is at version "
            f"{t._vc[0]}; expected version {expected} instead. Hint: enable anomaly detection to "
            "find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class BackwardNode(Node):
    """A node made by ``Function.apply``; also the ``ctx`` that forward and backward see."""

    _fn = None               # the Function class whose backward this node runs
    _versions = ()
    _record = False          # set by apply when this call records a graph
    _non_differentiable = ()
    materialize_grads = True
    needs_input_grad = ()
    _input_mask = None       # which forward arguments have an entry in next_functions (None: all)

    # --- ctx API -------------------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep tensors for backward; changing them in place afterwards is detected."""
        self._saved = tensors
        if self._record:  # versions matter only when a backward may come
            versions = []
            for t in tensors:
                versions.append(t._vc[0] if t is not None else 0)
            self._versions = versions

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        for t, v in zip(self._saved, self._versions):
            if t is not None and t._vc[0] != v:
                raise RuntimeError(_modified_message(t, v))
        return self._saved

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    # --- node API ------------------------------------------------------------------------------
    def _release(self):
        """Free the saved tensors (what a backward without retain_graph does)."""
        if self._saved:
            self._saved = ()
            self._freed = True

    def _backward(self, *grads):
        """Run the Function's backward; returns one gradient (or None) per entry of next_functions."""
        return self._normalize(self._fn.backward(self, *grads))

    def _normalize(self, out):
        """backward's result as a tuple aligned with next_functions (torch's error otherwise)."""
        if not isinstance(out, tuple):
            out = (out,)
        n = len(self.needs_input_grad)
        if len(out) > n and all(g is None for g in out[n:]):  # extra Nones are allowed
            out = out[:n]
        keep = self._input_mask
        if keep is not None:
            out = tuple(g for g, k in zip(out, keep) if k)
        if len(out) != len(self.next_functions):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {len(self.next_functions)}, got {len(out)})")
        return out

    def __call__(self, *grads):
        """Call the node like torch: gradient for one input, or a tuple aligned with next_functions."""
        out = self._backward(*grads)
        return out[0] if len(out) == 1 else out


class Function:
    """Base class for operations with custom forward/backward, used like torch.autograd.Function.

    Subclasses define ``forward(ctx, *args)``, ``backward(ctx, *grad_outputs)`` and, for forward
    mode, ``jvp(ctx, *tangents)``; call them with ``MyFunction.apply(*args)``. Built-in ops set
    ``node_name`` to torch's node name; a custom Function's node is called ``<ClassName>Backward``.
    """

    node_name = None
    numpy_forward = False   # built-ins compute on numpy arrays: no need to switch grad mode off
    counts_numbers = 0      # torch wraps Python numbers among the first N args into tensors: (None, 0)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward"
        cls._node_cls = type(name, (BackwardNode,), {"_fn": cls, "__module__": cls.__module__})

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
        record = False
        if _grad_state["enabled"]:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = ctx._record = True
                    if not cls.numpy_forward:  # a custom forward may read needs_input_grad
                        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad
                                                     for a in args)
                    break
        if cls.numpy_forward:
            out = cls.forward(ctx, *args)
        else:
            prev = _grad_state["enabled"]
            _grad_state["enabled"] = False
            try:
                out = cls.forward(ctx, *args)
            finally:
                _grad_state["enabled"] = prev
        if type(out) is tuple:
            outs = tuple(o if isinstance(o, Tensor) or o is None else _wrap(o) for o in out)
        else:
            if not isinstance(out, Tensor):
                out = _wrap(out)
            outs = None
        if record:
            _connect(cls, ctx, args, outs or (out,))
        if _fw_state["level"] >= 0:
            _fw.propagate(cls, ctx, args, outs or (out,))
        return out if outs is None else outs


_NUMBERS = (int, float, bool)
_NO_EDGE = (None, 0)


def _connect(cls, ctx, args, outs):
    """Make ``ctx`` the grad_fn of the outputs and point its next_functions at the inputs."""
    edges = []
    needs = []
    mask = None  # built only when some argument (a dim, a flag...) gets no entry
    i = 0
    for a in args:
        if isinstance(a, Tensor):
            fn = a.grad_fn
            if fn is not None:
                edges.append((fn, a._output_nr))
                needs.append(True)
            elif a._requires_grad:
                edges.append((a._accumulator(), 0))
                needs.append(True)
            else:
                edges.append(_NO_EDGE)
                needs.append(False)
        else:
            needs.append(False)
            if i < cls.counts_numbers and (type(a) in _NUMBERS or isinstance(a, Number)):
                edges.append(_NO_EDGE)
            else:
                if mask is None:
                    mask = [True] * i
                mask.append(False)
                i += 1
                continue
        if mask is not None:
            mask.append(True)
        i += 1
    if mask is not None:
        ctx._input_mask = mask
    ctx.needs_input_grad = tuple(needs)
    ctx.next_functions = tuple(edges)
    if len(outs) == 1:
        o = outs[0]
        if o._data.dtype.kind == "f" and not ctx._non_differentiable:
            o.grad_fn = ctx
            o._requires_grad = True
        return
    ctx._out_meta = [None if o is None else (o._data.shape, o._data.dtype) for o in outs]
    nondiff = ctx._non_differentiable
    for nr, o in enumerate(outs):
        if o is not None and o._data.dtype.kind == "f" and not any(o is t for t in nondiff):
            o.grad_fn = ctx
            o._requires_grad = True
            o._output_nr = nr


from ..tensor import Tensor, _wrap  # noqa: E402  (tensor.py imports this module first)
