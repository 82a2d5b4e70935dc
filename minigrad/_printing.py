"""torch-like printing: ``tensor([1.5000, 2.0000], requires_grad=True)``.

torch's rules, simplified: floats get 4 decimals, or none ("4.") when every value is a whole
number, or scientific notation when the magnitudes span too much; dtypes other than the defaults
(float32, int64, bool) are named; a tensor with a history shows its ``grad_fn``.
"""
import numpy as np

_DEFAULT_DTYPES = ("float32", "int64", "bool")


def _float_formatter(a):
    finite = np.abs(a[np.isfinite(a)]).astype(np.float64)
    nonzero = finite[finite != 0]
    if finite.size and np.all(finite == np.round(finite)) and finite.max() < 1e8:
        fmt = lambda v: _special(v) or f"{v:.0f}."  # noqa: E731
    elif nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8
                           or nonzero.min() < 1e-4):
        fmt = lambda v: _special(v) or f"{v:.4e}"  # noqa: E731
    else:
        fmt = lambda v: _special(v) or f"{v:.4f}"  # noqa: E731
    width = max((len(fmt(v)) for v in a.flat), default=0)
    return lambda v: fmt(v).rjust(width)


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def format_array(a, indent):
    if a.dtype.kind == "f":
        formatter = {"float_kind": _float_formatter(a)}
    elif a.dtype.kind == "b":
        width = 5 if not a.all() else 4
        formatter = {"bool": lambda v: ("True" if v else "False").rjust(width)}
    else:
        width = max((len(str(v)) for v in a.flat), default=0)
        formatter = {"int": lambda v: str(v).rjust(width)}
    if a.ndim == 0:
        return next(iter(formatter.values()))(a.item() if a.dtype.kind != "f" else a).strip()
    return np.array2string(a, separator=", ", formatter=formatter, prefix=" " * indent,
                           threshold=1000, edgeitems=3, max_line_width=80)


def tensor_repr(t):
    a = np.asarray(t._data)
    body = format_array(a, len("tensor("))
    extras = []
    if a.size == 0 and a.shape != (0,):
        extras.append(f"size={tuple(a.shape)}")
    if t.dtype.name not in _DEFAULT_DTYPES:
        extras.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"
