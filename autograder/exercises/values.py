"""Plain data: what crosses from the student's kernel to the judge.

In the kernel, ``encode(obj)`` turns whatever the student's code returned into JSON-able data: numbers,
tensors and arrays as (type, shape, dtype, values, autograd flags), sequences item by item, anything
else as its type name. It looks at exact types only, so a subclass or a look-alike object is reported
as what it is, never as a tensor.

In the judge, ``decode(data)`` reads that data back into a :class:`Value`, checking every field and
size; nothing the kernel sends can be more than numbers, strings and lists. The visible checks in a
student's notebook go through the same JSON round trip, so they see exactly what the judge sees.
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field

import numpy as np

from ..i18n import N_

MAX_ELEMENTS = 2_000_000   # per tensor
MAX_ITEMS = 10_000         # per list or tuple
MAX_DEPTH = 8              # nesting of lists and tuples
MAX_TEXT = 2_000           # characters of a message or repr
UNREADABLE_MESSAGE = N_("(the error's message could not be read)")  # translated where it is shown

NUMBER_TYPES = {bool: "bool", int: "int", float: "float", np.float64: "numpy.float64", np.float32: "numpy.float32",
                np.float16: "numpy.float16", np.int64: "numpy.int64", np.int32: "numpy.int32", np.bool_: "numpy.bool_"}


class BadData(ValueError):
    """The kernel sent data that is not what ``encode`` makes (a forged or broken reply)."""


# ------------------------------------------------------------------------------------- kernel side
def _library_type(obj):
    """'torch.Tensor', 'torch.nn.Parameter', 'minigrad.Tensor', 'minigrad.nn.Parameter' or None, by exact type."""
    t = type(obj)
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if t is torch.Tensor:
                return "torch.Tensor"
            if t is torch.nn.Parameter:
                return "torch.nn.Parameter"
        except Exception:  # a stand-in torch (the second run of a do-it-yourself exercise)
            pass
    minigrad = sys.modules.get("minigrad")
    if minigrad is not None:
        try:
            if t is minigrad.Tensor:
                return "minigrad.Tensor"
            if t is minigrad.nn.Parameter:
                return "minigrad.nn.Parameter"
        except Exception:
            pass
    return None


def _type_name(obj) -> str:
    t = type(obj)
    module = getattr(t, "__module__", "?")
    return t.__qualname__ if module == "builtins" else f"{module}.{t.__qualname__}"


def _array_data(arr: np.ndarray, kind: str, **extra) -> dict:
    if arr.size > MAX_ELEMENTS:
        return {"kind": "other", "type": kind, "note": f"too large to check ({arr.size} elements)"}
    dtype = str(arr.dtype)
    if arr.dtype.kind == "c":
        values = [v for z in arr.reshape(-1).tolist() for v in (z.real, z.imag)]
    elif arr.dtype.kind in "fiub":
        values = arr.astype(np.float64).reshape(-1).tolist()
    else:
        return {"kind": "other", "type": kind, "note": f"an array of {dtype}"}
    return {"kind": "tensor", "type": kind, "shape": list(arr.shape), "dtype": dtype, "values": values, **extra}


def _tensor_data(obj, kind: str) -> dict:
    """A torch or minigrad tensor, read through the library's own methods (not the object's)."""
    if kind.startswith("torch"):
        import torch

        plain = torch.Tensor.detach(obj)
        device = str(plain.device)
        if plain.dtype == torch.bfloat16:
            plain = plain.float()
        arr = plain.cpu().resolve_conj().numpy()
        extra = {"device": device}
    else:
        arr = np.asarray(obj._data)
        extra = {"device": "cpu"}
    grad_fn = obj.grad_fn
    extra.update(requires_grad=bool(obj.requires_grad), is_leaf=bool(obj.is_leaf),
                 grad_fn=None if grad_fn is None else type(grad_fn).__name__)
    return _array_data(arr, kind, **extra)


def encode(obj, depth: int = 0) -> dict:
    """JSON-able data describing ``obj`` (see the module docstring). Never raises."""
    try:
        t = type(obj)
        if obj is None:
            return {"kind": "none"}
        if t in NUMBER_TYPES:
            name = NUMBER_TYPES[t]
            if name in ("bool", "numpy.bool_"):
                return {"kind": "bool", "type": name, "value": bool(obj)}
            return {"kind": "number", "type": name, "value": float(obj)}
        library = _library_type(obj)
        if library is not None:
            return _tensor_data(obj, library)
        if t is np.ndarray:
            return _array_data(obj, "numpy.ndarray")
        if t in (list, tuple):
            if depth >= MAX_DEPTH:
                return {"kind": "other", "type": t.__name__, "note": "nested too deeply"}
            items = [encode(item, depth + 1) for item in obj[:MAX_ITEMS]]
            return {"kind": t.__name__, "items": items, "length": len(obj)}
        if t is str:
            return {"kind": "str", "value": obj[:MAX_TEXT]}
        data = {"kind": "other", "type": _type_name(obj)[:200]}
        for base, name in ((np.ndarray, "numpy.ndarray"),):
            if isinstance(obj, base):
                data["note"] = f"a subclass of {name}"
        for cls in type(obj).__mro__[1:]:
            qual = f"{cls.__module__}.{cls.__qualname__}"
            if qual in ("torch.Tensor", "torch._C.TensorBase", "minigrad.tensor.Tensor"):
                data["note"] = f"a subclass of {qual.replace('._C.TensorBase', '.Tensor').replace('.tensor.', '.')}"
                break
        return data
    except Exception as error:  # a student's object whose attributes raise: say so, never crash
        return {"kind": "other", "type": "?", "note": f"could not be read ({type(error).__name__})"}


def encode_error(error: BaseException, answer_files=()) -> dict:
    """What the student's code raised: its type, message, and the line of the student's cell it came from.

    answer_files: the file names of notebook cells (the student's code); the last traceback frame in
    one of them is reported as ``where``.
    """
    where = None
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in answer_files or code.co_filename.startswith("<ipython-input") \
                or "/ipykernel_" in code.co_filename:
            import linecache

            line = linecache.getline(code.co_filename, tb.tb_lineno).strip()
            where = {"function": code.co_name[:100], "line": tb.tb_lineno, "text": line[:200]}
        tb = tb.tb_next
    cause, seen = error, set()
    not_implemented = False
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        not_implemented = not_implemented or type(cause) is NotImplementedError
        cause = cause.__cause__ or cause.__context__
    try:
        message = str(error)[:MAX_TEXT]
    except Exception:
        message = UNREADABLE_MESSAGE
    return {"kind": "error", "type": type(error).__name__[:100], "message": message,
            "not_implemented": not_implemented, "where": where}


def dumps(data) -> str:
    return json.dumps(data, allow_nan=True, separators=(",", ":"))


# ------------------------------------------------------------------------------------- judge side
@dataclass
class Value:
    """One decoded value: what the student's object was, read from plain data."""

    kind: str                       # none, bool, number, str, tensor, list, tuple, other, error
    type: str = ""                  # 'float', 'numpy.float32', 'torch.Tensor', 'minigrad.Tensor', ...
    value: float | bool | str | None = None   # numbers, bools, strings
    array: np.ndarray | None = None  # tensors: float64 values (complex as real pairs), in shape
    dtype: str = ""                 # tensors: 'float32', 'float64', 'int64', 'bool', ...
    device: str = "cpu"
    requires_grad: bool = False
    is_leaf: bool = True
    grad_fn: str | None = None
    items: list = field(default_factory=list)   # lists and tuples: their items as Values
    length: int = 0
    note: str = ""                  # other: why it is not a tensor (e.g. 'a subclass of torch.Tensor')
    error: dict | None = None       # error: type, message, not_implemented, where

    @property
    def library(self) -> str | None:
        """'torch', 'minigrad' or 'numpy' for tensors, else None."""
        return self.type.split(".")[0] if self.kind == "tensor" else None

    @property
    def precision(self) -> str:
        """'single' for float32/float16 values, 'double' otherwise."""
        dtype = self.dtype or self.type
        return "single" if ("float32" in dtype or "float16" in dtype) else "double"

    def values(self) -> np.ndarray:
        """The value as a float64 array: a tensor's array, a number as a 0-d array."""
        if self.kind == "tensor":
            return self.array
        if self.kind in ("number", "bool"):
            return np.array(float(self.value))
        raise BadData(f"{self.kind} has no values")


def _need(condition, what):
    if not condition:
        raise BadData(what)


def _number(x):
    _need(type(x) in (int, float), "a number was expected")  # not a bool: type(True) is bool
    try:
        return float(x)
    except OverflowError:  # JSON's integers have no bound: 10**400 is valid data
        raise BadData("a number out of range") from None


def _numbers(xs: list) -> np.ndarray:
    """The float64 array of a list of numbers (checked as ``_number`` checks one, in bulk: arrays are big)."""
    _need(set(map(type, xs)) <= {int, float}, "a number was expected")
    try:
        return np.array(xs, dtype=np.float64)
    except OverflowError:
        raise BadData("a number out of range") from None


def _line(x) -> int:
    _need(type(x) is int and 0 <= x < 10**9, "a line number was expected")
    return x


def decode(data, depth: int = 0) -> Value:
    """A :class:`Value` from ``encode``'s data, or BadData if the data is malformed."""
    _need(type(data) is dict, "a value must be an object")
    kind = data.get("kind")
    if kind == "none":
        return Value("none")
    if kind == "bool":
        _need(type(data.get("value")) is bool, "bool value")
        return Value("bool", type=str(data.get("type", "bool"))[:40], value=data["value"])
    if kind == "number":
        return Value("number", type=_text(data.get("type"), 40), value=_number(data.get("value")))
    if kind == "str":
        return Value("str", value=_text(data.get("value"), MAX_TEXT))
    if kind == "tensor":
        shape = data.get("shape")
        _need(type(shape) is list and len(shape) <= 16 and all(type(n) is int and n >= 0 for n in shape)
              and math.prod(n for n in shape if n) <= MAX_ELEMENTS, "shape")
        values = data.get("values")
        _need(type(values) is list and len(values) <= 2 * MAX_ELEMENTS, "values")
        dtype = _text(data.get("dtype"), 40)
        count = math.prod(shape) * (2 if dtype.startswith("complex") else 1)
        _need(len(values) == count, "the number of values does not match the shape")
        array = _numbers(values)
        array = array.reshape(shape + [2]) if dtype.startswith("complex") else array.reshape(shape)
        return Value("tensor", type=_text(data.get("type"), 40), array=array, dtype=dtype,
                     device=_text(data.get("device", "cpu"), 40),
                     requires_grad=bool(data.get("requires_grad", False) is True),
                     is_leaf=data.get("is_leaf", True) is True,
                     grad_fn=None if data.get("grad_fn") is None else _text(data.get("grad_fn"), 100))
    if kind in ("list", "tuple"):
        items = data.get("items")
        _need(type(items) is list and len(items) <= MAX_ITEMS and depth < MAX_DEPTH + 1, "items")
        length = data.get("length", len(items))
        _need(type(length) is int and length >= len(items), "length")
        return Value(kind, items=[decode(item, depth + 1) for item in items], length=length)
    if kind == "other":
        return Value("other", type=_text(data.get("type"), 200), note=_text(data.get("note", ""), 200))
    if kind == "error":
        where = data.get("where")
        if where is not None:
            _need(type(where) is dict, "where")
            where = {"function": _text(where.get("function"), 100), "line": _line(where.get("line", 0)),
                     "text": _text(where.get("text"), 200)}
        return Value("error", error={"type": _text(data.get("type"), 100), "message": _text(data.get("message"),
                                                                                            MAX_TEXT),
                                     "not_implemented": data.get("not_implemented") is True, "where": where})
    raise BadData(f"unknown kind {str(kind)[:20]!r}")


def _text(x, limit):
    _need(type(x) is str, "a string was expected")
    return x[:limit]


def roundtrip(data):
    """``data`` through JSON, as the judge receives it (the visible checks use this too)."""
    return json.loads(dumps(data))
