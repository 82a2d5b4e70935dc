"""``Tensor``: a numpy array plus what autograd needs to know about it.

The array lives in ``_data`` (``.numpy()`` hands it out; ``.data``, as in torch, is a Tensor that
shares it). Autograd state: ``requires_grad``, ``grad``, ``grad_fn`` (the node that made this
tensor; None for leaves) and a version counter that in-place operations bump, so that backward can
tell when a tensor it saved has been changed.

Operators and methods are one-liners that call the operations in ``minigrad.ops``.
"""
import sys
import warnings

import numpy as np

from . import dtypes as _dt

_new = object.__new__


class Size(tuple):
    """A tensor's shape: a tuple that prints like torch's."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


class device:
    """minigrad computes on the CPU only; ``device('cpu')`` exists so torch code keeps working."""

    def __init__(self, type="cpu", index=None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type = type.type
        type = str(type).split(":")[0]
        _check_device(type)
        self.type, self.index = type, None

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"

    def __eq__(self, other):
        return str(other) == "cpu"

    def __hash__(self):
        return hash("cpu")


CPU = None  # set below, after the class


def _check_device(dev):
    """Accept the CPU; explain that anything else (cuda, mps, ...) needs PyTorch itself."""
    if dev is None:
        return
    name = str(dev.type if isinstance(dev, device) else dev).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"minigrad runs on the CPU only: device '{dev}' is not available. Use PyTorch for GPU "
            f"tensors (e.g. t.to_torch(device='{dev}')), or leave out device= / use device='cpu'.")


def _wrap(arr, requires_grad=False):
    """A new Tensor around a numpy array (no copy). The one fast way in for internal code.

    numpy returns scalars (``np.float32``...) for 0-d results; we keep them as they are, because
    numpy computes on scalars several times faster than on 0-d arrays. ``Tensor._storage()`` turns
    one into a real array at the moment its memory must be shared or written.
    """
    t = _new(Tensor)
    t._data = arr if type(arr) is np.ndarray or isinstance(arr, np.generic) else np.asarray(arr)
    t._vc = [0]
    if requires_grad:
        t._requires_grad = True
    return t


def _zeros_like(t):
    return _wrap(np.zeros_like(t._data))


def _to_array(data, np_dtype=None):
    """numpy array for tensor(...)'s data argument, with torch's default dtypes."""
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        arr = data.copy()
    elif type(data).__module__ == "torch":
        arr = data.detach().cpu().numpy().copy()
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
            data = _nested_items(data)
        arr = np.array(data)
        if arr.dtype == object:
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
        if np_dtype is None:
            if arr.dtype.kind == "f" and not isinstance(data, np.generic):
                arr = arr.astype(_dt.default_float.np)
            elif arr.dtype.kind in "iu" and not isinstance(data, np.generic):
                arr = arr.astype(np.int64)
    if np_dtype is not None:
        arr = arr.astype(np_dtype, copy=False)
    else:
        _dt.from_numpy_dtype(arr.dtype)  # clear error for unsupported dtypes
    return arr


def _flat(data):
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flat(d)
        else:
            yield d


def _nested_items(data):
    if isinstance(data, (list, tuple)):
        return [_nested_items(d) for d in data]
    return data._data.tolist() if isinstance(data, Tensor) else data


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    # class-level defaults keep tensor creation cheap: instances store only what differs
    _requires_grad = False
    grad_fn = None
    _grad = None
    _base = None           # the tensor this one is a view of
    _output_nr = 0
    _grad_acc = None       # cached AccumulateGrad node of a leaf
    _hooks = None          # register_hook functions of a leaf
    _retains_grad = False
    _fw_grad = None        # forward-mode tangent
    _taken = False         # already stored as some tensor's .grad (the engine must copy it)
    _creator = None        # grad_fn before the first recorded in-place op (for error messages)
    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy defers to our operators: np.float64(2) * t is t.__rmul__

    def __init__(self, data=(), requires_grad=False):
        """``Tensor(array)`` keeps a numpy array's dtype; lists and numbers become float32."""
        if isinstance(data, Tensor):
            arr = data._data
        elif isinstance(data, np.ndarray):
            arr = data
        else:
            arr = np.array(data, dtype=_dt.default_float.np)
        self._data = arr
        self._vc = [0]
        if requires_grad:
            self.requires_grad = True

    # ------------------------------------------------------------------ basic properties
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _dt._BY_NUMPY[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def element_size(self):
        return self._data.itemsize

    def is_contiguous(self, memory_format=None):
        return self._data.flags["C_CONTIGUOUS"]

    def contiguous(self, memory_format=None):
        return self

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[dim]

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    @property
    def _version(self):
        return self._vc[0]

    def _storage(self):
        """The values as a numpy array whose memory can be shared and written (see ``_wrap``)."""
        a = self._data
        if type(a) is not np.ndarray:
            a = self._data = np.array(a)
        return a

    # ------------------------------------------------------------------ autograd state
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
                "more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor during backward (no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref
        node = self.grad_fn
        node._hooked = True
        if node._retained is None:
            node._retained = []
        node._retained.append(weakref.ref(self))
        self._retains_grad = True

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            node = self.grad_fn
            node._hooked = True
            if node._tensor_hooks is None:
                node._tensor_hooks = []
            hooks = node._tensor_hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def _accumulator(self):
        """This leaf's AccumulateGrad node, created once and cached."""
        if self._grad_acc is None:
            self._grad_acc = AccumulateGrad(self)
        return self._grad_acc

    def _edge(self):
        """Where a gradient for this tensor goes: (node, output_nr), or (None, 0)."""
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)
        if self._requires_grad:
            return (self._accumulator(), 0)
        return (None, 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) (times ``gradient`` for non-scalars) into every leaf's .grad."""
        from .autograd.engine import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """Same values and storage, cut from the graph."""
        t = _wrap(self._storage())
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """A tensor sharing this one's storage that autograd does not see (no version bumps)."""
        return _wrap(self._storage())

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    def _owns_memory(self):
        """True when nothing else can see this tensor's memory, so the engine may adopt it as a
        leaf's ``.grad`` without copying (torch does the same when nobody else holds a gradient).

        Checked with CPython reference counts: an attribute, a local name and getrefcount's own
        argument make 3. A view made during backward (``g.t()``) qualifies when nothing but the
        view holds the tensor and the array it views.
        """
        a = self._data
        if type(a) is not np.ndarray or not a.flags.writeable or sys.getrefcount(a) > 3:
            return False
        base = self._base
        if base is None:
            return a.base is None
        return (base._base is None and sys.getrefcount(base) <= 3
                and a.base is base._data and sys.getrefcount(base._data) <= 3)

    def _detached_copy(self):
        return _wrap(self._data.copy())

    def _add_data_(self, other):
        """In-place add used for gradient accumulation (not recorded)."""
        np.add(self._data, other._data, out=self._storage(), casting="unsafe")
        self._vc[0] += 1

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._storage()

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._storage() if dtype is None else self._data.astype(dtype)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def to_torch(self, device=None):
        """A torch tensor with the same values (a copy); a leaf with the same requires_grad."""
        import torch
        t = torch.from_numpy(np.array(self._data))
        if device is not None:
            t = t.to(device)
        return t.requires_grad_(self._requires_grad)

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
        _check_device(dev)
        if dtype is None:
            return self.clone() if copy else self
        np_dtype = _dt.to_numpy_dtype(dtype)
        if np_dtype == self._data.dtype and not copy:
            return self
        return _F.to_dtype(self, np_dtype)

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        _check_device("cuda")

    def type(self, dtype=None):
        if dtype is None:
            return "minigrad." + _TYPE_NAMES[self.dtype.name]
        return self.to(dtype)

    def float(self):
        return self.to(_dt.float32)

    def double(self):
        return self.to(_dt.float64)

    def half(self):
        return self.to(_dt.float16)

    def long(self):
        return self.to(_dt.int64)

    def int(self):
        return self.to(_dt.int32)

    def bool(self):
        return self.to(_dt.bool)

    def clone(self, *, memory_format=None):
        return _F.clone(self)

    # ------------------------------------------------------------------ printing
    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------------ Python protocol
    __hash__ = object.__hash__

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        if self._requires_grad:
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=2)
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __getstate__(self):
        return {"data": self._data, "requires_grad": self._requires_grad}

    def __setstate__(self, state):
        self._data = state["data"]
        self._vc = [0]
        self._requires_grad = state["requires_grad"]

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        new = type(self).__new__(type(self))
        new.__dict__.update({k: v for k, v in self.__dict__.items()
                             if k not in ("_data", "_vc", "_grad", "_grad_acc", "_hooks", "_base")})
        new._data = np.array(self._data)
        new._vc = [0]
        if self._grad is not None:
            new._grad = self._grad._detached_copy()
        memo[id(self)] = new
        return new

    # ------------------------------------------------------------------ arithmetic operators
    def __add__(self, other):
        return _A.Add.apply(self, other)

    __radd__ = __add__

    def __sub__(self, other):
        return _A.Sub.apply(self, other)

    def __rsub__(self, other):
        return _A.Rsub.apply(self, other)

    def __mul__(self, other):
        return _A.Mul.apply(self, other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return _A.Div.apply(self, other)

    def __rtruediv__(self, other):
        return _A.Mul.apply(_A.Reciprocal.apply(self), other)

    def __pow__(self, exponent):
        return _F.pow(self, exponent)

    def __rpow__(self, base):
        return _A.RPow.apply(base, self)

    def __neg__(self):
        return _A.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _F.abs(self)

    def __matmul__(self, other):
        return _F.matmul(self, other)

    def __rmatmul__(self, other):
        return _F.matmul(other, self)

    def __floordiv__(self, other):
        return _F.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _F.floor_divide(other, self)

    def __mod__(self, other):
        return _F.remainder(self, other)

    # comparisons and logic: bool tensors, outside autograd
    def __eq__(self, other):
        return _F.eq(self, other)

    def __ne__(self, other):
        return _F.ne(self, other)

    def __lt__(self, other):
        return _F.lt(self, other)

    def __le__(self, other):
        return _F.le(self, other)

    def __gt__(self, other):
        return _F.gt(self, other)

    def __ge__(self, other):
        return _F.ge(self, other)

    def __and__(self, other):
        return _F.logical_and(self, other) if self.dtype is _dt.bool else _F.bitwise_and(self, other)

    def __or__(self, other):
        return _F.logical_or(self, other) if self.dtype is _dt.bool else _F.bitwise_or(self, other)

    def __xor__(self, other):
        return _F.logical_xor(self, other)

    def __invert__(self):
        return _F.logical_not(self) if self.dtype is _dt.bool else _F.bitwise_not(self)

    # in-place operators
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index):
        return _F.getitem(self, index)

    def __setitem__(self, index, value):
        _F.setitem(self, index, value)

    # ------------------------------------------------------------------ shapes
    @property
    def T(self):
        return _F.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return _F.transpose(self, -2, -1)

    def t(self):
        return _F.t(self)

    def view(self, *shape):
        return _F.view(self, *shape)

    def view_as(self, other):
        return _F.view(self, other.shape)

    def reshape(self, *shape):
        return _F.reshape(self, *shape)

    def reshape_as(self, other):
        return _F.reshape(self, other.shape)


def _method(fn):
    """Tensor method from a functional op: ``x.exp()`` is ``minigrad.exp(x)``."""
    import inspect
    if len(inspect.signature(fn).parameters) == 1:  # x.exp(): skip the *args packing
        def method(self):
            return fn(self)
    else:
        def method(self, *args, **kwargs):
            return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


CPU = device("cpu")

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}

from .autograd.graph import AccumulateGrad, RemovableHandle  # noqa: E402  (after Tensor exists)
from . import ops as _F  # noqa: E402  (ops import Tensor from this module)
from .ops import arithmetic as _A  # noqa: E402

for _name in _F.TENSOR_METHODS:
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _method(getattr(_F, _name)))
