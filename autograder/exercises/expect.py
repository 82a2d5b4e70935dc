"""Expectations on decoded values, and the messages a student reads when one is not met.

Every function here takes :class:`~autograder.exercises.values.Value` objects (what the student's code
returned, as plain data) and numpy references, and raises :class:`CheckFailed` with a message that says
what was expected, what came instead, by how much it differs, and, when the difference matches a
common mistake, what the mistake probably is. The same code runs in the student's kernel (visible
checks) and in the judge (the grade), so both say the same thing.
"""
from __future__ import annotations

import re

import numpy as np

from ..i18n import _
from .values import Value

DOUBLE = (1e-7, 1e-9)       # (rtol, atol) for float64 answers
SINGLE = (1e-4, 1e-5)       # (rtol, atol) when float32 is a fair answer
FLOAT32_EPS = float(np.finfo(np.float32).eps)


class CheckFailed(AssertionError):
    """A check that did not pass; its message is for the student."""

    not_attempted = False   # the answer still raises the blank exercise's NotImplementedError

    def _render_traceback_(self):
        """What IPython shows for a failed check: the message alone, not the checker's frames (the
        message names the student's own line when their code raised)."""
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines() or [""])]


def fail(message: str):
    __tracebackhide__ = True
    raise CheckFailed(message)


def check(condition, message: str) -> None:
    """``assert`` that survives ``python -O`` and speaks to the student."""
    __tracebackhide__ = True
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------------------------------- composing
def sentences(first: str, *more: str) -> str:
    """Whole sentences, each translated on its own, as one text ('' parts are left out). How one sentence
    follows another is itself a message: a space in English, nothing in Chinese (。 ends the sentence)."""
    text = first
    for sentence in more:
        if sentence:
            # TRANSLATORS: two whole sentences, one after the other (English puts a space between them).
            text = _("{first} {second}").format(first=text, second=sentence) if text else sentence
    return text


def with_hint(message: str, hint: str) -> str:
    """``message``, then the hint on a line of its own (no hint: the message alone)."""
    return _("{message}\nHint: {hint}").format(message=message, hint=hint) if hint else message


# ---------------------------------------------------------------------------------------- describing
def describe(v: Value) -> str:
    """'a minigrad.Tensor of shape (2, 3), dtype float32', 'the float 0.5', 'None', ..."""
    if v.kind == "none":
        return "None"
    if v.kind == "bool":
        return _("the bool {value}").format(value=v.value)
    if v.kind == "number":
        return _("the {type} {value}").format(type=v.type, value=number(v.value))
    if v.kind == "str":
        return _("the string {value!r}").format(value=v.value[:60])
    if v.kind == "tensor":
        return _("a {type} of shape {shape}, dtype {dtype}").format(
            type=v.type, shape=tuple(v.array.shape if v.dtype[:7] != "complex" else v.array.shape[:-1]),
            dtype=v.dtype)
    if v.kind in ("list", "tuple"):
        return _("a {kind} of {n} items").format(kind=v.kind, n=v.length)
    if v.kind == "error":
        return _("an error ({type})").format(type=v.error["type"])
    if v.note:
        return _("an object of type {type} ({note})").format(type=v.type, note=note_text(v.note))
    return _("an object of type {type}").format(type=v.type)


def note_text(note: str) -> str:
    """A note of ``values.encode`` ('a subclass of torch.Tensor'; written in the kernel, in English) in the
    language of the message."""
    for pattern, translate in (
            (r"a subclass of (?P<name>[\w.]+)", lambda m: _("a subclass of {name}").format(**m.groupdict())),
            (r"too large to check \((?P<n>\d+) elements\)",
             lambda m: _("too large to check ({n} elements)").format(**m.groupdict())),
            (r"an array of (?P<dtype>\S+)", lambda m: _("an array of {dtype}").format(**m.groupdict())),
            (r"nested too deeply", lambda m: _("nested too deeply")),
            (r"could not be read \((?P<type>[^)]*)\)",
             lambda m: _("could not be read ({type})").format(**m.groupdict()))):
        match = re.fullmatch(pattern, note)
        if match:
            return translate(match)
    return note


def number(x: float) -> str:
    """A number with the digits it needs (6 significant digits unless more tell it apart)."""
    return f"{x:.6g}"


def two_numbers(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` written with just enough digits to see that they differ."""
    for digits in range(6, 18):
        sa, sb = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if sa != sb:
            return sa, sb
    return repr(float(a)), repr(float(b))


# ---------------------------------------------------------------------------------------- kinds
def expect_number(v: Value, name: str) -> float:
    """A Python (or numpy) number, not a tensor and not a bool. Returns it as a float."""
    __tracebackhide__ = True
    if v.kind == "number":
        check(np.isfinite(v.value), _("{name} is {value}, not a finite number.").format(name=name, value=v.value))
        return float(v.value)
    hint = ""
    if v.kind == "tensor" and v.array.size == 1:
        hint = _("Use `.item()` to turn a one-element tensor into a Python float.")
    fail(sentences(_("{name} should be a Python float, but it is {what}.").format(name=name, what=describe(v)), hint))


def expect_tensor(v: Value, name: str, library: str | None = None) -> Value:
    """A plain tensor of ``library`` ('torch', 'minigrad', 'numpy' or None for any of them)."""
    __tracebackhide__ = True
    if v.kind == "tensor" and (library is None or v.library == library):
        return v
    wanted = {"torch": _("a torch.Tensor"), "minigrad": _("a minigrad.Tensor"), "numpy": _("a numpy array")}.get(
        library) or _("a tensor")
    hint = ""
    if v.kind == "other" and v.note.startswith("a subclass"):
        hint = _("Return a plain tensor (for example `t.detach().clone()`), not a subclass.")
    elif v.kind in ("tuple", "list"):
        hint = _("Return the tensor itself, not a {kind} holding it.").format(kind=v.kind)
    elif v.kind == "none":
        hint = _("Did you forget a `return`?")
    fail(sentences(_("{name} should be {wanted}, but it is {what}.").format(name=name, wanted=wanted,
                                                                           what=describe(v)), hint))


def expect_none(v: Value, name: str, why: str = "") -> None:
    """``v`` is None; ``why``: a sentence (translated) that says why it should be."""
    __tracebackhide__ = True
    if v.kind != "none":
        fail(sentences(_("{name} should be None, but it is {what}.").format(name=name, what=describe(v)), why))


def expect_items(v: Value, count: int, name: str) -> list[Value]:
    """A tuple or list of exactly ``count`` items; returns the items."""
    __tracebackhide__ = True
    check(v.kind in ("tuple", "list") and v.length == count,
          _("{name} should return {count} values in a tuple, but it returned {what}.").format(
              name=name, count=count, what=describe(v)))
    return v.items


# ---------------------------------------------------------------------------------------- values
def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    with np.errstate(invalid="ignore"):
        ok = np.abs(a - b) <= atol + rtol * np.abs(b)
    return ok | both_nan | same_inf


def all_close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.all(_close(a, b, rtol, atol)))


def _float32_gap(actual: np.ndarray, expected: np.ndarray) -> bool:
    """Is the difference no larger than what computing in float32 would cause?"""
    scale = np.maximum(np.abs(expected), np.abs(actual))
    with np.errstate(invalid="ignore"):
        gap = np.abs(actual - expected)
    return bool(np.all(gap <= 64 * FLOAT32_EPS * np.maximum(scale, 1e-30) + 1e-30))


def hint(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float, stale: np.ndarray | None = None) -> str:
    """One sentence naming the likely mistake, or ''."""
    if stale is not None and all_close(actual, expected + stale, rtol, atol):
        return _("It equals the expected value plus the gradient that was already there: gradients accumulate "
                 "in .grad, so zero them (p.grad.zero_() or p.grad = None) before each backward.")
    if not np.any(expected != 0):
        return ""
    if all_close(actual, 2 * expected, rtol, atol):
        return _("It is exactly twice the expected value: a factor 2 too many, or a gradient counted twice.")
    if all_close(2 * actual, expected, rtol, atol):
        return _("It is exactly half the expected value: a factor 2 is missing (d(x²)/dx = 2x).")
    if all_close(actual, -expected, rtol, atol):
        return _("It has the right size but the opposite sign: check a minus sign (d(cos x)/dx = -sin x).")
    if actual.ndim == 2 and actual.shape[::-1] == expected.shape and all_close(actual.T, expected, rtol, atol):
        return _("It is the transpose of the expected value: check the order of a matmul or of the axes.")
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and all_close(actual, expected.T, rtol, atol):
        return _("It is the transpose of the expected value: check the order of a matmul or of the axes.")
    if not np.any(actual != 0):
        return _("It is all zeros: did the gradient reach this tensor?")
    return ""


def _report(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """Where the values differ most: both numbers, absolute and relative error, how many differ."""
    bad = ~_close(actual, expected, rtol, atol)
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.where(bad, np.abs(actual - expected), 0.0)
        error = np.where(np.isnan(error), np.inf, error)
    worst = np.unravel_index(int(np.argmax(error)), actual.shape) if actual.ndim else ()
    a, b = float(actual[worst]), float(expected[worst])
    got, want = two_numbers(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        absolute = abs(a - b)
        relative = absolute / abs(b) if b != 0 else float("inf")
    numbers = dict(want=want, got=got, absolute=absolute, relative=relative, atol=atol, rtol=rtol)
    if actual.ndim:
        return _("{bad} of {n} elements differ; the worst, at index {index}: expected {want}, got {got} (absolute "
                 "error {absolute:.2g}, relative error {relative:.2g}; allowed: {atol:g} + {rtol:g} × "
                 "|expected|)").format(bad=int(bad.sum()), n=actual.size, index=tuple(int(i) for i in worst),
                                       **numbers)
    return _("expected {want}, got {got} (absolute error {absolute:.2g}, relative error {relative:.2g}; allowed: "
             "{atol:g} + {rtol:g} × |expected|)").format(**numbers)


def mismatch(v: Value, expected, name: str, *, rtol: float | None = None, atol: float | None = None,
             stale=None, library: str | None = None, reference_dtype: str = "float64") -> tuple[str, str] | None:
    """None when ``v`` (a tensor or a number) has ``expected``'s shape and values within ``atol + rtol·|expected|``;
    otherwise ``(message, hint)``: what differs, and the likely mistake ('' when none is recognised). A value
    of the wrong kind or shape raises CheckFailed at once.

    expected: a numpy array or number (the reference). library: the kind of tensor ``v`` must be
    (None: a tensor or a number). stale: the gradient that was there before (for the "not zeroed"
    hint). reference_dtype: what the reference was computed in, for the float32 diagnosis.
    """
    __tracebackhide__ = True
    want = np.asarray(expected, dtype=np.float64)
    if library is not None:
        expect_tensor(v, name, library)
    elif v.kind not in ("tensor", "number"):
        if v.kind == "error":
            fail(_("{name} could not be computed: {type}: {message}").format(
                name=name, type=v.error["type"], message=v.error["message"]))
        fail(_("{name} should be a tensor or a number, but it is {what}.").format(name=name, what=describe(v)))
    got = v.values()
    if got.shape != want.shape:
        extra = ""
        if got.ndim == 2 and got.shape == want.shape[::-1]:
            extra = _("It looks transposed.")
        elif got.size == want.size:
            extra = _("It has the right number of elements: a reshape is wrong or missing.")
        elif got.size == 1 and want.ndim == 0:
            extra = _("Return a 0-dimensional result (for example with .sum() or .reshape(())).")
        fail(sentences(_("{name} has shape {got} but should have shape {want}.").format(
            name=name, got=tuple(got.shape), want=tuple(want.shape)), extra))
    default = SINGLE if (v.precision == "single" or reference_dtype in ("float32", "float16")) else DOUBLE
    rtol = default[0] if rtol is None else rtol
    atol = default[1] if atol is None else atol
    if all_close(got, want, rtol, atol):
        return None
    message = _("{name} is wrong: {report}.").format(name=name, report=_report(got, want, rtol, atol))
    stale_values = None if stale is None else np.asarray(stale, dtype=np.float64)
    extra = hint(got, want, rtol, atol, stale_values)
    if not extra and reference_dtype == "float64" and _float32_gap(got, want):
        if v.precision == "single":
            extra = _("The difference is float32 rounding: your result is float32 where the reference is float64. "
                      "Compute in float64 (dtype=torch.float64, or keep the inputs' dtype).")
        else:
            extra = _("The difference is about float32 rounding: part of your computation seems to run in "
                      "float32 (torch's default dtype) where the reference is float64. Keep every tensor in "
                      "float64 (dtype=torch.float64).")
    return message, extra


def expect_close(v: Value, expected, name: str, **kwargs) -> None:
    """``v`` matches ``expected`` (see :func:`mismatch` for the keyword arguments); otherwise CheckFailed with
    what differs and, when it is recognised, the likely mistake."""
    __tracebackhide__ = True
    found = mismatch(v, expected, name, **kwargs)
    if found is not None:
        fail(with_hint(*found))


def expect_grad(v: Value, expected, name: str, **kwargs) -> None:
    """``v`` is a tensor's ``.grad``: None means backward never reached it."""
    __tracebackhide__ = True
    if expected is None:
        check(v.kind == "none", _("{name} should be None (no gradient reaches it), but it is {what}.").format(
            name=name, what=describe(v)))
        return
    if v.kind == "none":
        fail(_("{name} is None but should hold a gradient: did backward reach it?").format(name=name))
    expect_close(v, expected, name, **kwargs)
