"""``Tensor``: a numpy array plus what autograd needs to know about it.

The array lives in ``_data`` (``.numpy()`` hands it out; ``.data``, as in torch, is a Tensor that
shares it). Autograd state:

* ``requires_grad``, ``grad``, and ``grad_fn``: the graph node that made this tensor (None for a
  leaf, the tensors the user creates);
* a version counter that in-place operations bump, so that backward can tell when a tensor it saved
  has been changed. A view shares its base's counter: changing one changes the other.

This module is the core the rest is built on: it imports none of the operations. Operators and
methods (``x + y``, ``x.exp()``, ``x.backward()``) are attached in ``methods.py``.
"""
import copy
import warnings

import numpy as np

from . import dtypes as _dt
from ._printing import tensor_repr


class Size(tuple):
    """A tensor's shape: a tuple that prints like torch's."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


class device:  # noqa: N801 - torch's name
    """minigrad computes on the CPU only; ``device('cpu')`` exists so torch code keeps working."""

    def __init__(self, type="cpu", index=None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type = type.type
        type = str(type).split(":")[0]
        check_device(type)
        self.type, self.index = type, None

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"

    def __eq__(self, other):
        return str(other) == "cpu"

    def __hash__(self):
        return hash("cpu")


def check_device(dev):
    """Accept the CPU; explain that anything else (cuda, mps, ...) needs PyTorch itself."""
    if dev is None:
        return
    name = str(dev.type if isinstance(dev, device) else dev).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"minigrad runs on the CPU only: device '{dev}' is not available. Use PyTorch for GPU "
            f"tensors (e.g. t.to_torch(device='{dev}')), or leave out device= / use device='cpu'.")


CPU = device("cpu")
_new = object.__new__


def _dim_index(dim, ndim):
    """``dim`` wrapped as torch wraps it for size(dim) and stride(dim), with torch's errors."""
    from .ops.util import wrap_dim  # the ops import this module: imported when first needed
    return wrap_dim(dim, ndim, wrap_scalar=False)


def wrap(arr):
    """A new Tensor around a numpy array (no copy): the one fast way in for internal code.

    numpy returns scalars (``np.float32``...) for 0-d results; we keep them as they are, because
    numpy computes on scalars several times faster than on 0-d arrays. ``Tensor._storage()`` turns
    one into a real array at the moment its memory must be shared or written.
    """
    t = _new(Tensor)
    t._data = arr if type(arr) in _ARRAY_TYPES or isinstance(arr, np.generic) else np.asarray(arr)
    return t


_ARRAY_TYPES = frozenset({np.ndarray, *np.sctypeDict.values()})  # arrays and numpy's scalar types


# ---------------------------------------------------------------------- version counters
def new_version_counter():
    """A version counter: ``counter[0]`` counts the in-place changes of some memory.

    A one-element numpy array rather than a list ``[0]``: numpy arrays are not tracked by
    Python's cyclic garbage collector, so a graph that keeps counters (nodes keep those of the
    outputs they saved) gives the collector fewer objects to walk again and again.
    """
    return np.zeros(1, dtype=np.int64)


def version(t):
    """How many times ``t`` (or a view sharing its memory) has been modified in place."""
    vc = t._vc
    return 0 if vc is None else int(vc[0])


def bump_version(t):
    """Record an in-place change of ``t``'s memory (seen by every view of it)."""
    if t._vc is None:
        t._vc = new_version_counter()
    t._vc[0] += 1


def share_version_counter(view, base):
    """``view`` and ``base`` see the same memory, so they count their versions together.

    Counters are made when first needed: most tensors are never modified nor viewed.
    """
    if base._vc is None:
        base._vc = new_version_counter()
    view._vc = base._vc


def _inference_mode():
    from .autograd.grad_mode import state  # here: the autograd package imports this module
    return state.inference


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    # class-level defaults keep tensor creation cheap: instances store only what differs
    _requires_grad = False
    _grad_fn = None        # the node that made this tensor (see the grad_fn property)
    _grad = None
    _output_nr = 0         # which output of _grad_fn this tensor is
    _vc = None             # version counter, shared with views (see new_version_counter)
    _view = None           # for a view: its base and how it was made (autograd/views.py)
    _grad_acc = None       # weak reference to the AccumulateGrad node of a leaf
    _hooks = None          # register_hook functions of a leaf
    _post_accumulate_hooks = None
    _retains_grad = False
    _fw_grad = None        # forward-mode tangent
    _inference = False     # made in inference mode
    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy defers to our operators: np.float64(2) * t is t.__rmul__

    def __init__(self, data=(), requires_grad=False):
        """``Tensor(array)`` keeps a numpy array's dtype; lists and numbers become float32."""
        if isinstance(data, Tensor):
            arr = data._data
            share_version_counter(self, data)
        elif isinstance(data, np.ndarray):
            arr = data
        else:
            arr = np.array(data, dtype=_dt.default_float.np)
        self._data = arr
        if requires_grad:
            self.requires_grad = True

    # ------------------------------------------------------------------ basic properties
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        shape = self._data.shape
        return Size(shape) if dim is None else shape[_dim_index(dim, len(shape))]

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
        return _dt.of(self._data)

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
        return self._data.ndim == 0 or self._data.flags["C_CONTIGUOUS"]

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._storage().strides)
        return st if dim is None else st[_dim_index(dim, len(st))]

    def data_ptr(self):
        return self._storage().__array_interface__["data"][0]

    @property
    def _version(self):
        return version(self)

    def _storage(self):
        """The values as a numpy array whose memory can be shared and written (see ``wrap``)."""
        a = self._data
        if type(a) is not np.ndarray:
            a = self._data = np.array(a)
        return a

    # ------------------------------------------------------------------ autograd state
    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf).

        A view whose memory was changed in place since its node was made (through its base or
        another view) gets a new node first, as in torch: see ``autograd/views.py``.
        """
        view = self._view
        if view is not None and view.version != version(self):
            view.refresh(self)
        return self._grad_fn

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if value and self._inference and not _inference_mode():
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        view = self._view
        if view is not None and view.grad_from_base:  # it requires grad as long as its base does;
            if not value:                             # asked for, it gets a gradient of its own
                return
            view.grad_from_base = False
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
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

    @property
    def _base(self):
        """The tensor this one is a view of (None if it is not a view), as torch's ``_base``."""
        return None if self._view is None else self._view.base

    def is_inference(self):
        """True for tensors made inside ``inference_mode``: they can never join a graph."""
        return self._inference

    @property
    def data(self):
        """A tensor sharing this one's storage that autograd does not see (no version bumps)."""
        return wrap(self._storage())

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

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

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        check_device("cuda")

    def type(self, dtype=None):
        if dtype is None:
            return "minigrad." + self.dtype.tensor_type
        return self.to(dtype)

    # ------------------------------------------------------------------ printing
    def __repr__(self, *, tensor_contents=None):
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
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
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
        self._requires_grad = state["requires_grad"]

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        new = _new(type(self))
        autograd_state = ("_data", "_vc", "_view", "_grad", "_grad_acc", "_hooks",
                          "_post_accumulate_hooks")
        new.__dict__.update({k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()
                             if k not in autograd_state})
        new._data = np.array(self._data)
        if self._grad is not None:
            new._grad = wrap(self._grad._data.copy())
        memo[id(self)] = new
        return new
