"""What every op needs: torch's type promotion, dims checked as torch checks them, and ``sum_to``,
which gives a broadcast input its share of a gradient."""
import numpy as np

from ..dtypes import FLOAT_SCALARS
from ..tensor import Tensor, wrap

_FLOAT = np.dtype(np.float32)  # torch's default floating dtype
_INT = np.dtype(np.int64)
_PY_CATEGORY = {bool: 0, int: 1, float: 2}
_KIND_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2}


def scalar(x):
    """A Python number for a Python or numpy scalar (numpy scalars behave like Python ones)."""
    return x.item() if isinstance(x, np.generic) else x


def result_dtype(a, b):
    """torch's result dtype for a binary op on ``a`` (a Tensor) and ``b`` (a Tensor or a number).

    Categories bool < integer < floating. Dimensioned tensors outrank 0-d tensors, which outrank
    Python numbers: a lower-ranked operand only matters when its category is higher.
    """
    ad = a._data.dtype
    if isinstance(b, Tensor):
        bd = b._data.dtype
        if ad == bd:
            return ad
        ca, cb = _KIND_CATEGORY[ad.kind], _KIND_CATEGORY[bd.kind]
        ra, rb = a._data.ndim > 0, b._data.ndim > 0
        if ra == rb:
            if ca != cb:  # int32 + float32 -> float32 (numpy would say float64)
                return ad if ca > cb else bd
            return np.promote_types(ad, bd)
        if ra:  # a outranks b
            return ad if ca >= cb else bd
        return bd if cb >= ca else ad
    cb = _PY_CATEGORY.get(type(b))
    if cb is None:
        raise TypeError(f"unsupported operand type: {type(b).__name__}")
    ca = _KIND_CATEGORY[ad.kind]
    if cb <= ca:
        return ad
    return _FLOAT if cb == 2 else _INT


def operands(a, b):
    """numpy operands for ``a`` (Tensor) and ``b`` (Tensor or number), cast to the result dtype."""
    x = a._data
    tb = type(b)
    if tb is float or tb is int:  # fast paths for the common cases
        if type(x) in FLOAT_SCALARS or x.dtype.kind == "f":
            return x, b  # numpy keeps the array's float dtype for a Python number, as torch does
    elif tb is Tensor:
        y = b._data
        same_scalar_type = type(x) is type(y) and type(x) is not np.ndarray  # so: same dtype
        if same_scalar_type or x.dtype == y.dtype:
            return x, y
    dt = result_dtype(a, b)
    x = a._data if a._data.dtype == dt else a._data.astype(dt)
    if isinstance(b, Tensor):
        y = b._data if b._data.dtype == dt else b._data.astype(dt)
    else:
        y = dt.type(b)
    return x, y


def broadcasting(fn, x, y):
    """``fn(x, y)`` on numpy operands, with torch's error when their shapes do not broadcast."""
    try:
        return fn(x, y)
    except ValueError as e:
        raise (broadcast_error(np.shape(x), np.shape(y)) or RuntimeError(str(e))) from None


def broadcast_error(a_shape, b_shape):
    """torch's message when two shapes do not broadcast."""
    for i in range(1, max(len(a_shape), len(b_shape)) + 1):
        x = a_shape[-i] if i <= len(a_shape) else 1
        y = b_shape[-i] if i <= len(b_shape) else 1
        if x != y and x != 1 and y != 1:
            dim = max(len(a_shape), len(b_shape)) - i
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                                f"at non-singleton dimension {dim}")
    return None  # the shapes broadcast: the error was about something else


def as_float(arr):
    """Ops like exp() on integer tensors compute in the default float dtype, as torch does."""
    return arr if type(arr) in FLOAT_SCALARS or arr.dtype.kind == "f" else arr.astype(_FLOAT)


def sum_to(grad, shape):
    """Sum ``grad`` over the dimensions that broadcasting expanded, so that it gets ``shape``.

    ``x + y`` with x of shape (3,) and y of shape (2, 3) hands each input a (2, 3) gradient; x's
    share is its sum over dimension 0. Written with minigrad ops, so it is differentiable too.
    """
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if dims:
        grad = grad.sum(dims, keepdim=True)
    return grad.reshape(shape) if grad._data.shape != shape else grad


def dim_error(dim, ndim):
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    return IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but "
                      f"got {dim})")


def wrap_dim(dim, ndim, wrap_scalar=True):
    """A dim in ``[-ndim, ndim)`` as a non-negative index.

    Most ops let a 0-d tensor stand for a 1-d one here (dim 0 or -1); the few that need a real
    dimension (``size(dim)``, ``unbind``, ...) pass ``wrap_scalar=False`` and get torch's error.
    """
    dim = int(dim)
    if ndim == 0 and not wrap_scalar:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise dim_error(dim, ndim)
    return dim % n


def distinct_dims(dims, ndim):
    """A list of dims, each wrapped, as a sorted tuple; torch's error when one appears twice."""
    wrapped = [wrap_dim(d, ndim) for d in dims]  # every dim is checked first, as torch does
    for i, d in enumerate(wrapped):
        if d in wrapped[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(wrapped)) if ndim else ()  # a 0-d tensor: dim 0 is the tensor itself


def dims_of(dim, ndim):
    """A reduction's ``dim`` argument (an int or a list of them) as a sorted tuple of
    non-negative dims. None and the empty list both mean every dim, as in torch's reductions."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    return distinct_dims(dim, ndim) if len(dim) else tuple(range(ndim))


def or_zeros(*pairs):
    """For ``(tangent, input)`` pairs: each tangent, or zeros shaped like its input where it is
    None. Some of torch's jvp rules (mm, mse_loss, the ends of lerp) compute with such zeros, so
    that an inf or nan in another input makes their term nan, where other rules skip it (jvp_sum)."""
    return [t if t is not None else wrap(np.zeros_like(x._data)) for t, x in pairs]


def jvp_sum(*terms):
    """The sum of a jvp rule's terms, one per input, each written ``t is not None and <term>``:
    the terms of inputs without a tangent (False) are skipped; None if none is left (no tangent).

    torch skips them too (a missing tangent is an exact zero there): adding a zero tangent's term
    instead would turn ``inf * 0`` into nan where torch gives the sum of the other terms.
    """
    total = None
    for term in terms:
        if isinstance(term, Tensor):
            total = term if total is None else total + term
    return total
