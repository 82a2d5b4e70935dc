"""Data types: torch's names on top of numpy's dtypes.

A minigrad tensor stores a numpy array; its ``dtype`` is one of the objects below, so that code can
write ``minigrad.float64`` where it would write ``torch.float64``.
"""
import numpy as np


class dtype:
    """A tensor element type: a torch name plus the numpy dtype that stores it."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):  # pickling keeps the singletons
        return (from_numpy_dtype, (self.np,))


bool = dtype("bool", np.bool_)  # noqa: A001 - torch's name
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)

# torch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.np: d for d in ALL}

default_float = float32  # what torch.get_default_dtype() returns


def from_numpy_dtype(np_dtype):
    """The minigrad dtype that stores numpy's ``np_dtype`` (TypeError for unsupported ones)."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def to_numpy_dtype(d):
    """numpy dtype for a minigrad dtype, a torch dtype, a numpy dtype or a Python type."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins_float:
        return default_float.np
    if d is builtins_int:
        return int64.np
    if d is builtins_bool:
        return bool.np
    if type(d).__module__ == "torch":  # a torch.dtype, e.g. torch.float64
        name = str(d).replace("torch.", "")
        for cand in ALL:
            if cand.name == name:
                return cand.np
    return from_numpy_dtype(d).np


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool


def category(np_dtype):
    """0 for bool, 1 for integers, 2 for floating point: torch promotes across these."""
    kind = np_dtype.kind
    return 2 if kind == "f" else 0 if kind == "b" else 1
