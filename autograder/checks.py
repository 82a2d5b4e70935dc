"""What the notebooks' test cells call: device(), assert_close, assert_grads_match, seeded inputs.

Student code runs in the same kernel as these checks, so the checks defend themselves:

* every function they rely on (torch.allclose, numpy's functions, math.isclose, ...) is captured here,
  at import time, under a private name, before any student cell runs; a student cell that reassigns
  ``torch.allclose`` or ``numpy.allclose`` changes nothing here;
* the type of a result is checked before its value: only plain torch tensors, minigrad tensors, numpy
  arrays and Python/numpy numbers are compared. Tensor subclasses and objects with a rigged ``__eq__``
  are rejected, and values are compared with numpy arithmetic, never with ``==`` on the student's object.

Warnings: nbgrader gives 0 points to a test cell that wrote to stderr, and torch warns a lot. Importing
this module routes Python warnings to stdout, so correct work keeps its points whatever it warns.

CheckFailed messages name the exercise, show expected vs actual (shape, dtype, worst element) and, when the
actual value matches a common mistake (factor 2, sign flip, transpose, gradients not zeroed), say so.
"""
import builtins
import contextlib
import contextvars
import math
import sys
import warnings

import numpy as np
import torch

# ---------------------------------------------------------------------------------------------------
# References captured before any student code runs.
# ---------------------------------------------------------------------------------------------------
_type = builtins.type
_isinstance = builtins.isinstance
_len = builtins.len
_print = builtins.print
_float = builtins.float
_repr = builtins.repr
_TorchTensor = torch.Tensor
_Parameter = torch.nn.Parameter
_torch_allclose = torch.allclose
_torch_testing_assert_close = torch.testing.assert_close
_tensor_detach = torch.Tensor.detach
_tensor_to = torch.Tensor.to
_tensor_numpy = torch.Tensor.numpy
_tensor_resolve_conj = torch.Tensor.resolve_conj
_torch_float64 = torch.float64
_torch_cuda_is_available = torch.cuda.is_available
_torch_device = torch.device
_torch_Generator = torch.Generator
_torch_randn = torch.randn
_torch_rand = torch.rand
_ndarray = np.ndarray
_np_array = np.array
_np_asarray = np.asarray
_np_abs = np.abs
_np_all = np.all
_np_any = np.any
_np_isfinite = np.isfinite
_np_isnan = np.isnan
_np_argmax = np.argmax
_np_unravel_index = np.unravel_index
_np_where = np.where
_np_float64 = np.float64
_np_floating = np.floating
_np_integer = np.integer
_np_allclose = np.allclose
_math_isclose = math.isclose
_stdout = sys.stdout

# Python and numpy number types accepted as scalar results (bool is not a number here).
_SCALAR_TYPES = (builtins.int, builtins.float, np.float64, np.float32, np.float16, np.int64, np.int32)


def _type_is_one_of(x, types):
    """``type(x) in types`` by identity: a metaclass with a rigged ``__eq__`` cannot fake it."""
    t = _type(x)
    return any(t is allowed for allowed in types)


def _is_scalar(x):
    return _type_is_one_of(x, _SCALAR_TYPES)


# ---------------------------------------------------------------------------------------------------
# Warnings go to stdout (see the module docstring).
# ---------------------------------------------------------------------------------------------------
def _show_warning_on_stdout(message, category, filename, lineno, file=None, line=None):
    """warnings.showwarning replacement: same text as Python's, written to stdout instead of stderr."""
    out = sys.stdout if sys.stdout is not None else _stdout
    out.write(warnings.formatwarning(message, category, filename, lineno, line))


def route_warnings_to_stdout():
    """Make every Python warning (torch's included) print on stdout. Called at import and by each check."""
    warnings.showwarning = _show_warning_on_stdout


route_warnings_to_stdout()


# ---------------------------------------------------------------------------------------------------
# Which exercise is being checked (for messages).
# ---------------------------------------------------------------------------------------------------
_current_exercise = contextvars.ContextVar("exercise", default=None)


@contextlib.contextmanager
def exercise(exercise_id):
    """Within this block, failure messages start with ``[exercise_id]``; warnings go to stdout."""
    route_warnings_to_stdout()
    token = _current_exercise.set(exercise_id)
    try:
        yield
    finally:
        _current_exercise.reset(token)


def _prefix():
    current = _current_exercise.get()
    return f"[{current}] " if current else ""


def fail(message):
    """Raise the AssertionError a test cell shows, prefixed with the current exercise."""
    raise AssertionError(_prefix() + message)


def check(condition, message):
    """``assert`` that survives ``python -O`` and names the exercise."""
    if not condition:
        fail(message)


def passed(message):
    """The single ✓ line a test cell prints on success."""
    _print(f"✓ {message}")


# ---------------------------------------------------------------------------------------------------
# Devices and seeded inputs.
# ---------------------------------------------------------------------------------------------------
def device():
    """Where reference computations run: CUDA when available, else CPU."""
    return _torch_device("cuda" if _torch_cuda_is_available() else "cpu")


def generator(seed):
    """A CPU torch.Generator seeded with ``seed`` (inputs are drawn on CPU, so they do not depend on the GPU)."""
    g = _torch_Generator()
    g.manual_seed(seed)
    return g


def randn(*shape, seed, dtype=torch.float64, scale=1.0):
    """Standard normal CPU tensor of ``shape`` (times ``scale``), reproducible from ``seed``."""
    return _torch_randn(*shape, generator=generator(seed), dtype=dtype) * scale


def uniform(*shape, seed, low=-1.0, high=1.0, dtype=torch.float64):
    """Uniform CPU tensor in [low, high), reproducible from ``seed``."""
    return low + (high - low) * _torch_rand(*shape, generator=generator(seed), dtype=dtype)


def random_floats(n, *, seed, low=-2.0, high=2.0):
    """``n`` Python floats drawn uniformly from [low, high), reproducible from ``seed``."""
    return [_float(v) for v in uniform(n, seed=seed, low=low, high=high).tolist()]


# ---------------------------------------------------------------------------------------------------
# Type checks: what kind of object is this, and its values as a float64 numpy array.
# ---------------------------------------------------------------------------------------------------
def _minigrad_tensor_type():
    """minigrad.Tensor if minigrad is importable (it is imported lazily: it may load after us)."""
    module = sys.modules.get("minigrad")
    if module is None:
        try:
            import minigrad as module
        except ImportError:
            return None
    return getattr(module, "Tensor", None)


def is_torch_tensor(x):
    """True for a plain torch.Tensor (or nn.Parameter), False for subclasses and look-alikes."""
    return _type(x) is _TorchTensor or _type(x) is _Parameter


def is_minigrad_tensor(x):
    """True for a plain minigrad.Tensor (exact type: subclasses are rejected)."""
    mg = _minigrad_tensor_type()
    return mg is not None and _type(x) is mg


def describe(x):
    """A short description of any value, for messages: 'torch.Tensor shape (2, 3) float32'."""
    if is_torch_tensor(x):
        return f"torch.Tensor of shape {tuple(x.shape)}, dtype {x.dtype}"
    if is_minigrad_tensor(x):
        return f"minigrad.Tensor of shape {tuple(x.shape)}, dtype {x.dtype}"
    if _type(x) is _ndarray:
        return f"numpy array of shape {x.shape}, dtype {x.dtype}"
    if _is_scalar(x):
        return f"{_type(x).__name__} {x!r}"
    if x is None:
        return "None"
    return f"an object of type {_type(x).__module__}.{_type(x).__qualname__}"


def _values(x, name):
    """``x`` as a float64 numpy array, after checking its type. Fails kindly on anything else."""
    if x is None:
        fail(f"{name} is None. Did you forget a `return`, or read `.grad` before calling backward()?")
    if is_torch_tensor(x):
        cpu = _tensor_to(_tensor_detach(x), "cpu")
        return _np_array(_tensor_numpy(_tensor_resolve_conj(cpu)), dtype=_np_float64)
    if is_minigrad_tensor(x):
        return _np_array(x.detach().tolist(), dtype=_np_float64)
    if _type(x) is _ndarray:
        return _np_array(x, dtype=_np_float64)
    if _is_scalar(x):
        return _np_array(x, dtype=_np_float64)
    if _isinstance(x, (_TorchTensor, _ndarray)):
        fail(f"{name} is {describe(x)}, a subclass; return a plain tensor (e.g. `t.detach().clone()`).")
    fail(f"{name} should be a tensor or a number, but it is {describe(x)}.")


def _precision(x):
    """'single' for float32/float16 tensors and arrays, else 'double' (Python floats are doubles)."""
    dtype = getattr(x, "dtype", None)
    return "single" if dtype is not None and ("float32" in str(dtype) or "float16" in str(dtype)) else "double"


def default_tolerances(*values):
    """(rtol, atol) suited to the least precise of ``values``: float32 anywhere -> looser tolerances."""
    if any(_precision(v) == "single" for v in values):
        return 1e-4, 1e-5
    return 1e-7, 1e-9


def _close(a, b, rtol, atol):
    """Elementwise |a - b| <= atol + rtol*|b| on numpy arrays of equal shape (NaN equals NaN)."""
    both_nan = _np_isnan(a) & _np_isnan(b)
    with np.errstate(invalid="ignore"):
        ok = _np_abs(a - b) <= atol + rtol * _np_abs(b)
    return ok | both_nan


def _all_close(a, b, rtol, atol):
    return a.shape == b.shape and bool(_np_all(_close(a, b, rtol, atol)))


# ---------------------------------------------------------------------------------------------------
# Hints: does the wrong value match a common mistake?
# ---------------------------------------------------------------------------------------------------
def _hint(actual, expected, rtol, atol, stale=None):
    """One sentence naming the likely mistake, or '' when none matches."""
    if not _np_any(expected != 0):
        return ""
    if stale is not None and _all_close(actual, expected + stale, rtol, atol):
        return ("It equals the expected value plus the gradient left over from before: gradients "
                "accumulate in .grad, so zero them (p.grad.zero_() or p.grad = None) before each backward.")
    if _all_close(actual, 2 * expected, rtol, atol):
        return ("It is exactly twice the expected value: a factor 2 too many (e.g. d(x²)/dx is 2x, "
                "not 4x), or gradients added twice (backward run twice without zeroing?).")
    if _all_close(2 * actual, expected, rtol, atol):
        return "It is exactly half the expected value: a factor 2 is missing (d(x²)/dx = 2x, not x)."
    if _all_close(actual, -expected, rtol, atol):
        return "It has the right size but the opposite sign: check a minus sign (e.g. d(cos x)/dx = -sin x)."
    if actual.ndim == 2 and _all_close(actual, expected.T, rtol, atol) and actual.shape[0] != actual.shape[1]:
        return "It is the transpose of the expected value: check the order of a matmul or of the axes."
    if actual.ndim == 2 and actual.shape == expected.shape and actual.shape[0] == actual.shape[1] \
            and _all_close(actual, expected.T, rtol, atol):
        return "It is the transpose of the expected value: check the order of a matmul or of the axes."
    if not _np_any(actual != 0):
        return "It is all zeros: did the gradient reach this tensor (is it part of the graph)?"
    return ""


def _format_number(v):
    return f"{v:.6g}"


def _mismatch_report(actual, expected, rtol, atol):
    """Where the values differ most, and how many elements are off."""
    if actual.ndim == 0:
        return f"expected {_format_number(expected)}, got {_format_number(actual)}"
    bad = ~_close(actual, expected, rtol, atol)
    with np.errstate(invalid="ignore"):
        error = _np_where(bad, _np_abs(actual - expected), 0.0)
    error = _np_where(_np_isnan(error), np.inf, error)
    worst = _np_unravel_index(_np_argmax(error), actual.shape)
    index = tuple(int(i) for i in worst)
    return (f"{int(bad.sum())} of {actual.size} elements differ; worst at index {index}: "
            f"expected {_format_number(expected[worst])}, got {_format_number(actual[worst])}")


# ---------------------------------------------------------------------------------------------------
# The assertions test cells use.
# ---------------------------------------------------------------------------------------------------
def assert_close(actual, expected, *, rtol=None, atol=None, name="the result", stale=None,
                 check_dtype=False):
    """Fail unless ``actual`` has ``expected``'s kind, shape and values (within rtol/atol).

    actual: the student's value (torch or minigrad tensor, numpy array, or a number); its type is
        checked first. expected: the reference (same kinds). A scalar tensor and a number compare equal
        when their values do. Tolerances default to the less precise dtype of the two.
    stale: optional, the gradient a previous backward left behind; if actual == expected + stale the
        message says "zero your gradients".
    check_dtype: also require the same dtype as ``expected``.
    """
    expected_values = _values(expected, "the reference")
    actual_values = _values(actual, name)
    if actual_values.shape != expected_values.shape:
        hint = ""
        if actual_values.ndim == 2 and actual_values.shape == expected_values.shape[::-1]:
            hint = " It looks transposed."
        elif actual_values.size == expected_values.size:
            hint = " Same number of elements: a reshape/view is wrong or missing."
        fail(f"{name} has shape {tuple(actual_values.shape)} but should have shape "
             f"{tuple(expected_values.shape)}.{hint}")
    if check_dtype and getattr(actual, "dtype", None) is not None and str(actual.dtype) != str(expected.dtype):
        fail(f"{name} has dtype {actual.dtype} but should have dtype {expected.dtype}.")
    default_rtol, default_atol = default_tolerances(actual, expected)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if not _all_close(actual_values, expected_values, rtol, atol):
        stale_values = None if stale is None else _values(stale, "the stale gradient")
        hint = _hint(actual_values, expected_values, rtol, atol, stale_values)
        fail(f"{name} is wrong: {_mismatch_report(actual_values, expected_values, rtol, atol)} "
             f"(rtol={rtol:g}, atol={atol:g})." + (f"\nHint: {hint}" if hint else ""))


def assert_grads_match(tensors, expected_grads, *, names=None, rtol=None, atol=None, stale=None):
    """Fail unless ``tensors[i].grad`` matches ``expected_grads[i]`` for every i.

    expected_grads: references (None means "this tensor must have no gradient").
    names: labels for messages (default "tensor 0", "tensor 1", ...). stale: optional list of the
    gradients left from an earlier backward (for the "not zeroed" hint).
    """
    tensors = list(tensors)
    expected_grads = list(expected_grads)
    check(_len(tensors) == _len(expected_grads),
          f"got {_len(tensors)} tensors but {_len(expected_grads)} expected gradients.")
    names = list(names) if names is not None else [f"tensor {i}" for i in range(_len(tensors))]
    for i, (t, g) in enumerate(zip(tensors, expected_grads)):
        grad = t.grad
        if g is None:
            check(grad is None, f"{names[i]}.grad should be None but it is {describe(grad)}.")
            continue
        if grad is None:
            fail(f"{names[i]}.grad is None but should hold a gradient. Did backward reach {names[i]}?")
        assert_close(grad, g, rtol=rtol, atol=atol, name=f"{names[i]}.grad",
                     stale=None if stale is None else stale[i])


def assert_scalar_float(x, *, name="the result"):
    """Fail unless ``x`` is a Python or numpy float/int (not a tensor, not a bool). Returns float(x)."""
    if not _is_scalar(x):
        hint = " Use `.item()` to turn a one-element tensor into a float." if (
            is_torch_tensor(x) or is_minigrad_tensor(x)) else ""
        fail(f"{name} should be a Python float, but it is {describe(x)}.{hint}")
    value = _float(x)
    check(math.isfinite(value), f"{name} is {value}, not a finite number.")
    return value


def assert_is_tensor(x, *, name="the result", library=None):
    """Fail unless ``x`` is a plain tensor; library: 'torch', 'minigrad' or None (either)."""
    ok_torch = is_torch_tensor(x) and library in (None, "torch")
    ok_minigrad = is_minigrad_tensor(x) and library in (None, "minigrad")
    if not (ok_torch or ok_minigrad):
        wanted = {"torch": "a torch.Tensor", "minigrad": "a minigrad.Tensor"}.get(library, "a tensor")
        fail(f"{name} should be {wanted}, but it is {describe(x)}.")


def assert_same_objects(actual, expected, *, name="the result", ordered=False, label=_repr):
    """Fail unless ``actual`` is a list/tuple holding exactly the objects of ``expected`` (by identity).

    Identity (``is``) cannot be rigged by a custom ``__eq__``. ordered=True also requires the same order.
    label: how to show an object in messages.
    """
    check(_type_is_one_of(actual, (builtins.list, builtins.tuple)),
          f"{name} should be a list, but it is {describe(actual)}.")
    actual_ids = [id(o) for o in actual]
    expected_ids = [id(o) for o in expected]
    duplicates = [o for i, o in enumerate(actual) if id(o) in actual_ids[:i]]
    check(not duplicates, f"{name} contains {label(duplicates[0]) if duplicates else ''} more than once; "
                          "each must appear exactly once.")
    missing = [o for o in expected if id(o) not in actual_ids]
    extra = [o for o in actual if id(o) not in expected_ids]
    check(not extra, f"{name} contains {label(extra[0]) if extra else ''}, which does not belong "
                     f"there ({_len(extra)} unexpected item(s)).")
    check(not missing, f"{name} is missing {_len(missing)} item(s), e.g. "
                       f"{label(missing[0]) if missing else ''}.")
    if ordered:
        check(actual_ids == expected_ids, f"{name} has the right items in the wrong order.")


# ---------------------------------------------------------------------------------------------------
# Helpers of the chapters 04-06 checks: the same input for torch and minigrad, pairs, forbidden calls.
# ---------------------------------------------------------------------------------------------------
_torch_tensor = torch.tensor
_sys_getprofile = sys.getprofile
_sys_setprofile = sys.setprofile


def to_library(values, library, *, dtype=None, device=None, requires_grad=False):
    """numpy ``values`` as a tensor of ``library`` ('torch' or 'minigrad'), float64 unless ``dtype``.

    One seeded array feeds both the student's minigrad code and the torch reference. torch tensors go
    to ``device`` (default: device()); minigrad tensors live on the CPU.
    """
    values = _np_asarray(values, dtype=_np_float64)
    if library == "torch":
        return _torch_tensor(values, dtype=dtype or _torch_float64, device=device or device_(),
                             requires_grad=requires_grad)
    import minigrad

    return minigrad.tensor(values, dtype=dtype or minigrad.float64, requires_grad=requires_grad)


device_ = device  # to_library's keyword `device` shadows the function inside it


def assert_pair(result, *, name="the result"):
    """Fail unless ``result`` is a tuple or list of exactly two items."""
    check(_type_is_one_of(result, (builtins.tuple, builtins.list)) and _len(result) == 2,
          f"{name} should return a pair (two values in a tuple), but returned {describe(result)}.")


def _code_objects(functions):
    """The code objects of ``functions``, and the ids of those that have none (builtins).

    A decorated function is identified by its innermost ``__wrapped__`` function: decorator wrappers
    (torch's no_grad wrapper, ...) share one code object among many unrelated functions.
    """
    codes, others = set(), set()
    for f in functions:
        for _ in range(10):
            inner = getattr(f, "__wrapped__", None)
            if inner is None:
                break
            f = inner
        code = getattr(f, "__code__", None)
        if code is not None:
            codes.add(code)
        else:
            others.add(id(f))
    return codes, others


@contextlib.contextmanager
def forbid_calls(functions, what):
    """Fail if any of ``functions`` runs inside the block, however the student's code reached it.

    A profile hook sees every Python call (matched by code object, so aliases and `from ... import`
    copies are caught too) and every builtin call (matched by identity). ``what`` names them in the
    message, e.g. "built-in gradient clipping".
    """
    codes, builtin_ids = _code_objects(functions)
    hits = []
    previous = _sys_getprofile()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            hits.append(frame.f_code.co_qualname)
        elif event == "c_call" and id(arg) in builtin_ids:
            hits.append(getattr(arg, "__name__", "?"))

    _sys_setprofile(profile)
    try:
        yield
    finally:
        _sys_setprofile(previous)
    check(not hits, f"your code called {hits[0] if hits else ''} ({what}); the point of this exercise "
                    "is to compute it yourself.")
