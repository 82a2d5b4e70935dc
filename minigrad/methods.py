"""Tensor's operators and methods, attached in one place.

``tensor.py`` says what a tensor *is* (an array plus autograd state); the operations live in
``ops/`` and the engine in ``autograd/``. This module connects them: ``x + y`` is
``ops.add(x, y)``, ``x.exp()`` is ``ops.exp(x)``, ``x.backward()`` runs the engine. Keeping this
wiring here lets tensor.py import nothing that is built on it.
"""
import inspect

from . import dtypes as _dt
from . import ops
from .autograd import engine, hooks, views
from .ops import arithmetic, inplace
from .tensor import Tensor, check_device, device

# functions that are also Tensor methods: x.exp() is exp(x)
FUNCTIONS = """
add sub mul div neg pow reciprocal square subtract multiply divide true_divide negative remainder
fmod floor_divide
abs absolute clamp clip clamp_min clamp_max cos exp log log1p relu rsqrt sigmoid sign sin sqrt tan
tanh maximum minimum eq ne lt le gt ge greater greater_equal less less_equal not_equal logical_and
logical_or logical_not logical_xor floor ceil trunc round isnan isinf isfinite equal allclose
isclose masked_fill lerp addcmul addcdiv
amax amin argmax argmin logsumexp max mean min norm prod std sum var
view view_as reshape transpose t permute unsqueeze squeeze expand expand_as flatten unflatten
movedim swapaxes swapdims contiguous clone broadcast_to
gather index_select select narrow index_put split chunk unbind
dot inner matmul mm mv outer bmm addmm softmax log_softmax
""".split()

IN_PLACE = """
abs_ add_ addcdiv_ addcmul_ clamp_ clamp_max_ clamp_min_ clip_ copy_ div_ exp_ fill_ lerp_ log_
masked_fill_ mul_ neg_ normal_ pow_ relu_ sigmoid_ sqrt_ sub_ tanh_ uniform_ zero_ index_put_
detach_
""".split()


def _method(fn):
    """A Tensor method from a function of the tensor: ``x.exp()`` is ``exp(x)``.

    A Python function is a method already (``x.exp`` binds ``x`` to its first parameter), so it
    is used as it is: a wrapper would cost one more call per operation."""
    if inspect.isfunction(fn):
        return fn

    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


for _name in FUNCTIONS:
    setattr(Tensor, _name, _method(getattr(ops, _name)))
for _name in IN_PLACE:
    setattr(Tensor, _name, _method(getattr(inplace, _name)))


# ---------------------------------------------------------------------- autograd
def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(self)/d(leaf) (times ``gradient`` for non-scalars) into every leaf's .grad."""
    engine.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


Tensor.backward = backward
Tensor.detach = _method(views.detach)
Tensor.register_hook = _method(hooks.register_hook)
Tensor.retain_grad = _method(hooks.retain_grad)
Tensor.register_post_accumulate_grad_hook = _method(hooks.register_post_accumulate_grad_hook)


# ---------------------------------------------------------------------- conversion
def to(self, *args, **kwargs):
    """``.to(dtype)``, ``.to('cpu')``, ``.to(other)``; other devices raise a clear error."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, device)) or type(a).__name__ == "device":
            dev = a
        elif a is not None:
            dtype = a
    check_device(dev)
    if dtype is None:
        return self.clone() if copy else self
    np_dtype = _dt.to_numpy_dtype(dtype)
    if np_dtype == self._data.dtype and not copy:
        return self
    return ops.to_dtype(self, np_dtype)


Tensor.to = to
for _name, _dtype in [("float", _dt.float32), ("double", _dt.float64), ("half", _dt.float16),
                      ("long", _dt.int64), ("int", _dt.int32), ("bool", _dt.bool)]:
    setattr(Tensor, _name, lambda self, _dtype=_dtype: self.to(_dtype))


def sum_to_size(self, *size):
    """Sum this (broadcast) tensor down to ``size``."""
    shape = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    return ops.util.sum_to(self, tuple(shape))


Tensor.sum_to_size = sum_to_size
Tensor.reshape_as = lambda self, other: ops.reshape(self, other.shape)
Tensor.where = lambda self, condition, other: ops.where(condition, self, other)
Tensor.T = property(lambda self: ops.permute(self, tuple(range(self._data.ndim - 1, -1, -1))))
Tensor.mT = property(lambda self: ops.transpose(self, -2, -1))


# ---------------------------------------------------------------------- operators
def _swap(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__ = Tensor.__radd__ = lambda self, other: arithmetic.Add.apply(self, other)
Tensor.__sub__ = lambda self, other: arithmetic.Sub.apply(self, other)
Tensor.__rsub__ = lambda self, other: arithmetic.Rsub.apply(self, other)
Tensor.__mul__ = Tensor.__rmul__ = lambda self, other: arithmetic.Mul.apply(self, other)
Tensor.__truediv__ = lambda self, other: arithmetic.Div.apply(self, other)
Tensor.__rtruediv__ = _swap(ops.div)
Tensor.__pow__ = ops.pow
Tensor.__rpow__ = lambda self, base: arithmetic.RPow.apply(base, self)
Tensor.__neg__ = lambda self: arithmetic.Neg.apply(self)
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = ops.abs
Tensor.__matmul__ = ops.matmul
Tensor.__rmatmul__ = _swap(ops.matmul)
Tensor.__floordiv__ = ops.floor_divide
Tensor.__rfloordiv__ = _swap(ops.floor_divide)
Tensor.__mod__ = ops.remainder
Tensor.__rmod__ = _swap(ops.remainder)

# comparisons and logic: bool tensors, outside autograd
Tensor.__eq__, Tensor.__ne__ = ops.eq, ops.ne
Tensor.__lt__, Tensor.__le__, Tensor.__gt__, Tensor.__ge__ = ops.lt, ops.le, ops.gt, ops.ge
Tensor.__and__ = lambda self, other: (
    ops.logical_and if self._data.dtype.kind == "b" else ops.bitwise_and)(self, other)
Tensor.__or__ = lambda self, other: (
    ops.logical_or if self._data.dtype.kind == "b" else ops.bitwise_or)(self, other)
Tensor.__xor__ = ops.logical_xor
Tensor.__invert__ = lambda self: (
    ops.logical_not if self._data.dtype.kind == "b" else ops.bitwise_not)(self)

# in-place operators
Tensor.__iadd__ = lambda self, other: inplace.add_(self, other)
Tensor.__isub__ = lambda self, other: inplace.sub_(self, other)
Tensor.__imul__ = lambda self, other: inplace.mul_(self, other)
Tensor.__itruediv__ = lambda self, other: inplace.div_(self, other)

# indexing
Tensor.__getitem__ = ops.getitem
Tensor.__setitem__ = ops.setitem
