"""In-place operations (``add_``, ``mul_``, ``zero_``, ...): compute, then write into the tensor.

Each in-place op runs its ordinary out-of-place op and copies the result into the tensor's own
array, then bumps the version counter. When the graph is recorded, the tensor takes the result's
``grad_fn`` (so later ops see the new history), and tensors saved earlier that share its storage
now fail backward's version check: torch's "modified by an inplace operation" error.
"""
import numpy as np

from ..autograd.grad_mode import _state as _grad_state
from ..tensor import Tensor, _wrap
from ..dtypes import _BY_NUMPY

_CAST_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
               "bool": "Bool", "float16": "Half", "int16": "Short", "int8": "Char", "uint8": "Byte"}


def _check_leaf(t):
    if t.grad_fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def inplace(self, compute, *others, numpy_inplace=None):
    """Write ``compute(self, *others)`` into ``self`` and record it like torch does.

    ``numpy_inplace(array, *others)``, when given, is the same update done by numpy in place
    (``np.add(a, b, out=a)``): used when nothing is recorded, e.g. in an optimizer's step, to
    avoid a temporary array and a copy on large tensors.
    """
    recording = _grad_state["enabled"] and (
        self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others))
    if not recording and numpy_inplace is not None and self._fw_grad is None:
        dst = self._storage()
        args = [o._data if isinstance(o, Tensor) else o for o in others]
        if dst.dtype.kind == "f" and dst.flags.writeable and all(
                np.shape(a) == dst.shape or np.ndim(a) == 0 for a in args):
            numpy_inplace(dst, *args)
            self._vc[0] += 1
            return self
    if recording:
        _check_leaf(self)
        before = _wrap(self._data.copy())  # the old value, for ops whose backward needs it
        before.grad_fn, before._requires_grad = self.grad_fn, self._requires_grad
        before._output_nr, before._fw_grad = self._output_nr, self._fw_grad
        result = compute(before, *others)
    else:
        prev = _grad_state["enabled"]
        _grad_state["enabled"] = False
        try:
            result = compute(self, *others)
        finally:
            _grad_state["enabled"] = prev
    _write(self, result._data)
    if recording:
        if self._creator is None:  # error messages name the op that first made this tensor
            self._creator = self.grad_fn
        self.grad_fn, self._requires_grad, self._output_nr = result.grad_fn, True, result._output_nr
    if result._fw_grad is not None:
        self._fw_grad = result._fw_grad
    return self


def _write(self, arr):
    dst = self._storage()
    if arr.shape != dst.shape:
        try:
            arr = np.broadcast_to(arr, dst.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast "
                               f"shape {list(arr.shape)}") from None
    if arr.dtype != dst.dtype and not np.can_cast(arr.dtype, dst.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_CAST_NAMES[_BY_NUMPY[arr.dtype].name]} can't be cast to "
                           f"the desired output type {_CAST_NAMES[_BY_NUMPY[dst.dtype].name]}")
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    np.copyto(dst, arr, casting="unsafe")
    self._vc[0] += 1


def add_(self, other, *, alpha=1):
    return inplace(self, lambda s, o: s + (o if alpha == 1 else o * alpha), other,
                   numpy_inplace=lambda a, o: np.add(a, o if alpha == 1 else o * alpha, out=a,
                                                     casting="unsafe"))


def sub_(self, other, *, alpha=1):
    return inplace(self, lambda s, o: s - (o if alpha == 1 else o * alpha), other,
                   numpy_inplace=lambda a, o: np.subtract(a, o if alpha == 1 else o * alpha, out=a,
                                                          casting="unsafe"))


def mul_(self, other):
    return inplace(self, lambda s, o: s * o, other,
                   numpy_inplace=lambda a, o: np.multiply(a, o, out=a, casting="unsafe"))


def div_(self, other, *, rounding_mode=None):
    return inplace(self, lambda s, o: s.div(o, rounding_mode=rounding_mode), other)


def pow_(self, exponent):
    return inplace(self, lambda s, e: s ** e, exponent)


def neg_(self):
    return inplace(self, lambda s: -s)


def exp_(self):
    return inplace(self, lambda s: s.exp())


def log_(self):
    return inplace(self, lambda s: s.log())


def sqrt_(self):
    return inplace(self, lambda s: s.sqrt())


def abs_(self):
    return inplace(self, lambda s: s.abs())


def sigmoid_(self):
    return inplace(self, lambda s: s.sigmoid())


def tanh_(self):
    return inplace(self, lambda s: s.tanh())


def relu_(self):
    return inplace(self, lambda s: s.relu())


def clamp_(self, min=None, max=None):  # noqa: A002
    return inplace(self, lambda s: s.clamp(min, max))


clip_ = clamp_


def clamp_min_(self, min):  # noqa: A002
    return inplace(self, lambda s: s.clamp_min(min))


def clamp_max_(self, max):  # noqa: A002
    return inplace(self, lambda s: s.clamp_max(max))


def zero_(self):
    return inplace(self, lambda s: s * 0, numpy_inplace=lambda a: a.fill(0))


def fill_(self, value):
    return inplace(self, lambda s, v: s * 0 + v, value)


def copy_(self, src, non_blocking=False):
    """Copy ``src``'s values (broadcast, converted to this dtype) into this tensor."""
    if type(src).__module__ == "torch":
        src = _wrap(src.detach().cpu().numpy().copy())
    if not isinstance(src, Tensor):
        src = _wrap(np.asarray(src))
    return inplace(self, lambda s, o: o.to(s.dtype).expand(s._data.shape), src)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return inplace(self, lambda s, a, b: s + a * b * value, tensor1, tensor2)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return inplace(self, lambda s, a, b: s + a / b * value, tensor1, tensor2)


def lerp_(self, end, weight):
    return inplace(self, lambda s, e: s + (e - s) * weight, end)


def masked_fill_(self, mask, value):
    return inplace(self, lambda s: masked_fill(s, mask, value))


def masked_fill(input, mask, value):
    from .elementwise import where
    v = value if isinstance(value, Tensor) else _wrap(np.asarray(value, dtype=input._data.dtype))
    return where(mask, v, input)


# random fills (used by parameter initialisation, under no_grad)
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    from ..creation import _rng
    return _fill_random(self, _rng(generator).uniform(a, b, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    from ..creation import _rng
    return _fill_random(self, _rng(generator).normal(mean, std, self._data.shape))


def _fill_random(self, values):
    if _grad_state["enabled"]:
        _check_leaf(self)
    _write(self, np.asarray(values, dtype=self._data.dtype))
    return self


def detach_copy(self):
    return _wrap(self._data.copy())
