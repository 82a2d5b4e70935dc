"""The same computation on torch and on minigrad: inputs made twice, results compared."""
import re

import numpy as np
import torch

import minigrad


def both(arrays, requires_grad=True):
    """The same float64 values as torch tensors and as minigrad tensors."""
    t = [torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad) for a in arrays]
    m = [minigrad.tensor(a, dtype=minigrad.float64, requires_grad=requires_grad) for a in arrays]
    return t, m


def close(m, t, rtol=1e-7, atol=1e-9):
    """Assert a minigrad result equals a torch result (values, shape; tuples elementwise)."""
    if isinstance(t, (tuple, list)):
        assert len(m) == len(t)
        for a, b in zip(m, t):
            close(a, b, rtol, atol)
        return
    if t is None:
        assert m is None
        return
    assert m is not None, "minigrad gave None where torch gave a tensor"
    tv = t.detach().cpu().numpy()
    mv = m.detach().numpy()
    assert tuple(mv.shape) == tuple(tv.shape), (mv.shape, tv.shape)
    np.testing.assert_allclose(mv, tv, rtol=rtol, atol=atol)


def outcome(L, snippet):
    """What ``snippet(L)`` gives: its result, or ``(exception type, message)`` if it raises.

    Messages are written with "torch" for "minigrad" (type names say which library made them) and
    without torch's C++ "(Triggered internally at ...)" suffix.
    """
    try:
        return snippet(L)
    except Exception as e:  # noqa: BLE001 - any exception is an outcome to compare
        msg = re.sub(r" \(Triggered internally at .*\)\.?$", "", str(e), flags=re.S)
        return Raised(type(e), msg.replace("minigrad", "torch"))


class Raised:
    """An exception, as an outcome: equal to another with the same type and message."""

    def __init__(self, kind, message):
        self.kind, self.message = kind, message

    def __eq__(self, other):
        return isinstance(other, Raised) and (self.kind, self.message) == (other.kind, other.message)

    def __repr__(self):
        return f"Raised({self.kind.__name__}, {self.message!r})"


def same(snippet, rtol=1e-7, atol=1e-9):
    """``snippet(L)`` gives the same values with torch and minigrad, or raises the same error.

    A result may nest lists and tuples of tensors (compared with ``close``), numbers, strings
    (node names, say), booleans and None.
    """
    t, m = outcome(torch, snippet), outcome(minigrad, snippet)
    assert_equal_outcomes(m, t, rtol, atol)
    return m


def assert_equal_outcomes(m, t, rtol=1e-7, atol=1e-9):
    if isinstance(t, Raised) or isinstance(m, Raised):
        assert m == t, f"minigrad: {m!r}\ntorch:    {t!r}"
    elif isinstance(t, (tuple, list)):
        assert isinstance(m, (tuple, list)) and len(m) == len(t), (m, t)
        for a, b in zip(m, t):
            assert_equal_outcomes(a, b, rtol, atol)
    elif isinstance(t, torch.Tensor):
        assert isinstance(m, minigrad.Tensor), (m, t)
        assert m.dtype.name == str(t.dtype).replace("torch.", ""), (m.dtype, t.dtype)
        close(m, t, rtol, atol)
    elif isinstance(t, float):
        np.testing.assert_allclose(m, t, rtol=rtol, atol=atol)
    else:
        assert m == t, (m, t)


def node_names(t):
    """The graph below ``t.grad_fn`` as nested (name, [children]) pairs, the same in both libraries."""
    def walk(node):
        if node is None:
            return None
        return (node.name().split("::")[-1], [walk(n) for n, _ in node.next_functions])
    return walk(t.grad_fn)
