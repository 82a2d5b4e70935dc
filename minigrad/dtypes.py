"""Data types: torch's names on top of numpy's dtypes.

A minigrad tensor stores a numpy array; its ``dtype`` is one of the objects below, so that code can
write ``minigrad.float64`` where it would write ``torch.float64``. Every name torch uses for a type
(``float64``, ``Double`` in messages, ``DoubleTensor``, ``double`` in C++ messages) comes from the
one table here.
"""
import builtins

import numpy as np


class dtype:  # noqa: N801 - torch's name
    """A tensor element type: torch's names for it plus the numpy dtype that stores it."""

    __slots__ = ("name", "np", "scalar_name", "c_name", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype, scalar_name, c_name):
        self.name = name                    # minigrad.float32 / torch.float32
        self.np = np.dtype(np_dtype)
        self.scalar_name = scalar_name      # "Float": how torch's error messages name the type
        self.c_name = c_name                # "float": how torch's C++ kernels name it
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    @property
    def tensor_type(self):
        """torch's legacy type name: ``FloatTensor`` (what ``Tensor.type()`` returns)."""
        return self.scalar_name + "Tensor"

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):  # pickling keeps the singletons
        return (from_numpy_dtype, (self.np,))


#                name       numpy       messages   C++
bool = dtype("bool",    np.bool_,   "Bool",    "bool")  # noqa: A001 - torch's names
uint8 = dtype("uint8",   np.uint8,   "Byte",    "unsigned char")
int8 = dtype("int8",    np.int8,    "Char",    "signed char")
int16 = dtype("int16",   np.int16,   "Short",   "short int")
int32 = dtype("int32",   np.int32,   "Int",     "int")
int64 = dtype("int64",   np.int64,   "Long",    "long int")
float16 = dtype("float16", np.float16, "Half",    "c10::Half")
float32 = dtype("float32", np.float32, "Float",   "float")
float64 = dtype("float64", np.float64, "Double",  "double")

# torch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_PYTHON_TYPES = {builtins.bool: bool, builtins.int: int64}

default_float = float32  # what torch.get_default_dtype() returns

# numpy's float scalar types: ``type(x) in FLOAT_SCALARS`` is a quicker test than
# ``x.dtype.kind == "f"`` for the scalars (np.float32(...)) that ops on 0-d tensors make
FLOAT_SCALARS = frozenset({np.float16, np.float32, np.float64, np.longdouble})


def from_numpy_dtype(np_dtype):
    """The minigrad dtype that stores numpy's ``np_dtype`` (TypeError for unsupported ones)."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def of(array):
    """The minigrad dtype of a numpy array (or numpy scalar)."""
    return _BY_NUMPY[array.dtype]


def to_numpy_dtype(d):
    """numpy dtype for a minigrad dtype, a torch dtype, a numpy dtype or a Python type."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins.float:
        return default_float.np
    if d in _PYTHON_TYPES:
        return _PYTHON_TYPES[d].np
    if type(d).__module__ == "torch":  # a torch.dtype, e.g. torch.float64
        return _BY_NAME[str(d).replace("torch.", "")].np
    return from_numpy_dtype(d).np
