"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``linspace``, ``eye``,
random tensors, and conversion from numpy and torch.

Dtypes follow torch: Python floats give float32, Python ints int64, bools bool; numpy arrays keep
their dtype. Every function takes ``dtype=`` and ``requires_grad=`` like torch's.
"""
import numpy as np

from . import dtypes as _dt
from .autograd.grad_mode import state as _grad_mode
from .tensor import Tensor, check_device, wrap


def _finish(arr, dtype=None, requires_grad=False, device=None):
    check_device(device)
    if dtype is not None:
        arr = arr.astype(_dt.to_numpy_dtype(dtype), copy=False)
    t = wrap(arr)
    if _grad_mode.inference:
        t._inference = True
    if requires_grad:
        t.requires_grad = True
    return t


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


def _size(size):
    """zeros(2, 3), zeros((2, 3)) and zeros([2, 3]) all mean the shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(n) for n in size)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, an array, a tensor)."""
    check_device(device)
    arr = _to_array(data, None if dtype is None else _dt.to_numpy_dtype(dtype))
    return _finish(arr, None, requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None:
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor that shares memory with ``ndarray`` (changes show up on both sides)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return wrap(ndarray)


def from_torch(t):
    """A minigrad leaf with a copy of torch tensor ``t``'s values, dtype and requires_grad."""
    arr = t.detach().cpu().numpy().copy()
    return _finish(arr, None, bool(t.requires_grad and t.is_floating_point()))


def _default(dtype, fallback=None):
    return _dt.to_numpy_dtype(dtype) if dtype is not None else (fallback or _dt.default_float.np)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(np.zeros(_size(size), _default(dtype)), None, requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(np.ones(_size(size), _default(dtype)), None, requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None):
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _to_array(fill_value).dtype
    return _finish(np.full(_size((size,)), fill_value, _dt.to_numpy_dtype(dtype)), None,
                   requires_grad, device)


def _like(fn):
    def make(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
        d = _dt.to_numpy_dtype(dtype) if dtype is not None else input._data.dtype
        return _finish(fn(input._data.shape, d), None, requires_grad, device)
    make.__name__ = fn.__name__ + "_like"
    return make


zeros_like = _like(np.zeros)
ones_like = _like(np.ones)
empty_like = zeros_like


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    d = _dt.to_numpy_dtype(dtype) if dtype is not None else input._data.dtype
    return _finish(np.full(input._data.shape, fill_value, d), None, requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Like torch: int64 for integer arguments, float32 when any argument is a float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    is_float = any(isinstance(v, float) for v in vals)
    arr = np.arange(*vals, dtype=np.float64 if is_float else np.int64)
    if dtype is None:
        dtype = _dt.default_float if is_float else _dt.int64
    return _finish(arr, dtype, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    arr = np.linspace(start, end, int(steps))
    return _finish(arr, dtype if dtype is not None else _dt.default_float, requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    arr = np.logspace(start, end, int(steps), base=base)
    return _finish(arr, dtype if dtype is not None else _dt.default_float, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_default(dtype)), None, requires_grad, device)


# ---------------------------------------------------------------------- random numbers
class Generator:
    """minigrad's random state (a numpy Generator); ``manual_seed`` makes runs repeatable.

    The numbers differ from torch's: only the seeding behaviour is the same.
    """

    def __init__(self, device="cpu"):
        self._np = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._np = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed


default_generator = Generator()


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator=None):
    return (generator or default_generator)._np


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).random(_size(size)), _default(dtype), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).standard_normal(_size(size)), _default(dtype), requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    arr = _rng(generator).integers(low, high, _size((size,)))
    return _finish(arr, dtype or _dt.int64, requires_grad, device)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).permutation(n), dtype or _dt.int64, requires_grad, device)


def normal(mean, std, size=None, *, generator=None):
    if size is not None:
        return _finish(_rng(generator).normal(mean, std, _size((size,))), _dt.default_float)
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = np.broadcast(np.asarray(m), np.asarray(s)).shape
    dtype = (mean if isinstance(mean, Tensor) else std)._data.dtype
    return _finish(_rng(generator).normal(m, s, shape).astype(dtype))
