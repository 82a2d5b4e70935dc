"""Grad modes side by side with torch: no_grad/enable_grad/set_grad_enabled/inference_mode as
context managers and decorators (with and without parentheses, on generators), nesting, threads,
and anomaly detection."""
import threading

import pytest
import torch

import minigrad
from torch_pairs import same


def _x(L):
    return L.tensor([1.0, 2.0], requires_grad=True)


def bare_decorators(L):
    @L.no_grad
    def f(t):
        return (t * 2).requires_grad

    @L.enable_grad
    def g(t):
        return (t * 2).requires_grad

    x = _x(L)
    with L.no_grad():
        inside = g(x)
    return [f(x), inside, L.is_grad_enabled()]


def decorators_with_parentheses(L):
    @L.no_grad()
    def f(t):
        return (t * 2).requires_grad

    @L.set_grad_enabled(False)
    def h(t):
        return (t * 2).requires_grad

    @L.inference_mode()
    def i(t):
        return [(t * 2).requires_grad, L.is_inference_mode_enabled()]

    x = _x(L)
    return [f(x), h(x), L.is_grad_enabled(), i(x), L.is_inference_mode_enabled()]


def decorated_generator(L):
    @L.no_grad()
    def gen(t):
        yield (t * 2).requires_grad
        yield L.is_grad_enabled()
        return "done"

    x = _x(L)
    it = gen(x)
    first = next(it)
    between = L.is_grad_enabled()
    second = next(it)
    try:
        next(it)
    except StopIteration as stop:
        last = stop.value
    return [first, between, second, last, L.is_grad_enabled()]


def nested_modes_restore_the_previous_mode(L):
    seen = []
    with L.no_grad():
        with L.no_grad():
            pass
        seen.append(L.is_grad_enabled())
        with L.enable_grad():
            seen.append(L.is_grad_enabled())
        seen.append(L.is_grad_enabled())
        with L.set_grad_enabled(True):
            seen.append(L.is_grad_enabled())
        seen.append(L.is_grad_enabled())
    seen.append(L.is_grad_enabled())
    with L.set_grad_enabled(False):
        with L.enable_grad():
            pass
        seen.append(L.is_grad_enabled())
    seen.append(L.is_grad_enabled())
    return seen


def plain_call_switches(L):
    L.set_grad_enabled(False)
    off = L.is_grad_enabled()
    L.set_grad_enabled(True)
    return [off, L.is_grad_enabled()]


def mode_restored_after_an_exception(L):
    try:
        with L.no_grad():
            raise ValueError("boom")
    except ValueError:
        pass
    return L.is_grad_enabled()


def inference_mode(L):
    x = _x(L)
    with L.inference_mode():
        t = L.ones(2)
        y = x * 2
        modes = [L.is_grad_enabled(), L.is_inference_mode_enabled()]
        with L.inference_mode(False):
            modes += [L.is_grad_enabled(), L.is_inference_mode_enabled()]
    return [modes, t.is_inference(), y.is_inference(), y.requires_grad, x.is_inference(),
            L.is_inference_mode_enabled()]


def inference_tensor_saved_for_backward(L):
    x = _x(L)
    with L.inference_mode():
        t = L.ones(2)
    (t * x).sum().backward()


def inference_tensor_not_saved_is_fine(L):
    x = _x(L)
    with L.inference_mode():
        t = L.ones(2)
    (t + x).sum().backward()
    return x.grad


def inplace_on_inference_tensor(L):
    with L.inference_mode():
        t = L.ones(2)
    t.add_(1)


CASES = [bare_decorators, decorators_with_parentheses, decorated_generator,
         nested_modes_restore_the_previous_mode, plain_call_switches,
         mode_restored_after_an_exception, inference_mode, inference_tensor_saved_for_backward,
         inference_tensor_not_saved_is_fine, inplace_on_inference_tensor]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_grad_modes_match_torch(case):
    same(case)


@pytest.mark.parametrize("L", [torch, minigrad], ids=["torch", "minigrad"])
def test_each_thread_has_its_own_grad_mode(L):
    seen = {}

    def worker():
        seen["enabled"] = L.is_grad_enabled()
        with L.no_grad():
            seen["inside"] = L.is_grad_enabled()

    with L.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        seen["main"] = L.is_grad_enabled()
    assert seen == {"enabled": True, "inside": False, "main": False}
    assert L.is_grad_enabled()


def test_anomaly_detection_matches_torch():
    def nan_backward(L):
        x = L.tensor([0.0, 1.0], requires_grad=True)
        with L.autograd.detect_anomaly():
            (x.sqrt() * 0).sum().backward()  # 0 * inf = nan in SqrtBackward0's result

    def state(L):
        before = L.is_anomaly_enabled()
        with L.autograd.set_detect_anomaly(True):
            inside = L.is_anomaly_enabled()
        L.autograd.set_detect_anomaly(True)
        on = L.is_anomaly_enabled()
        L.autograd.set_detect_anomaly(False, check_nan=True)
        return [before, inside, on, L.is_anomaly_enabled(), L.is_anomaly_check_nan_enabled()]

    with pytest.warns(UserWarning):  # both print where the failing node was made
        same(nan_backward)
    same(state)


def test_anomaly_detection_points_at_the_forward_call():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    with minigrad.autograd.detect_anomaly():
        y = x.sqrt()
        with pytest.warns(UserWarning, match="test_grad_mode.py") as record:
            with pytest.raises(RuntimeError, match="SqrtBackward0"):
                (y * 0).sum().backward()
    messages = [str(w.message) for w in record if w.category is UserWarning]
    assert "Error detected in SqrtBackward0" in messages[0]
