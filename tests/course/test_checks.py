"""autograder.checks and autograder.registry: messages, hints, type checks, anti-tampering, warnings."""
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from autograder import checks, registry


def failure(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


# ----------------------------------------------------------------------------------- accepting
@pytest.mark.parametrize("actual", [
    torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64), np.array([1.0, 2.0]),
    torch.nn.Parameter(torch.tensor([1.0, 2.0])), torch.tensor([1.0, 2.0], requires_grad=True) * 1])
def test_assert_close_accepts_correct_values_of_every_kind(actual):
    checks.assert_close(actual, torch.tensor([1.0, 2.0], dtype=torch.float64))


def test_assert_close_scalars_and_float32_tolerance():
    checks.assert_close(3.0, torch.tensor(3.0))
    checks.assert_close(torch.tensor(1.0 + 1e-6), torch.tensor(1.0, dtype=torch.float64))  # float32 rounding
    assert "wrong" in failure(checks.assert_close, torch.tensor(1.0 + 1e-6, dtype=torch.float64),
                              torch.tensor(1.0, dtype=torch.float64))


# ----------------------------------------------------------------------------------- messages
def test_message_names_exercise_shape_and_worst_element():
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 5.0
    with checks.exercise("ex9_9"):
        message = failure(checks.assert_close, actual, expected, name="x.grad")
    assert message.startswith("[ex9_9] x.grad is wrong")
    assert "1 of 6 elements differ" in message and "(1, 2)" in message and "expected 0, got 5" in message


def test_shape_mismatch_and_transpose_hint():
    message = failure(checks.assert_close, torch.ones(3, 2), torch.ones(2, 3), name="J")
    assert "shape (3, 2)" in message and "(2, 3)" in message and "transposed" in message
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert "transpose" in failure(checks.assert_close, m.T, m)


@pytest.mark.parametrize("factor, words", [(2.0, "twice"), (0.5, "half"), (-1.0, "opposite sign"),
                                           (0.0, "all zeros")])
def test_hints_for_common_mistakes(factor, words):
    expected = torch.tensor([1.0, -2.0, 3.0])
    assert words in failure(checks.assert_close, expected * factor, expected)


def test_stale_gradient_hint():
    expected, stale = torch.tensor([4.0]), torch.tensor([3.0])
    assert "zero them" in failure(checks.assert_close, expected + stale, expected, stale=stale)


def test_none_result_and_scalar_float():
    assert "is None" in failure(checks.assert_close, None, torch.tensor(1.0))
    assert ".item()" in failure(checks.assert_scalar_float, torch.tensor(1.0))
    assert "float" in failure(checks.assert_scalar_float, True)
    assert checks.assert_scalar_float(np.float64(2.5)) == 2.5


def test_assert_grads_match():
    x = torch.tensor([2.0], requires_grad=True)
    (x ** 2).sum().backward()
    checks.assert_grads_match([x], [torch.tensor([4.0])], names=["x"])
    message = failure(checks.assert_grads_match, [x], [torch.tensor([2.0])], names=["x"])
    assert "x.grad is wrong" in message and "twice" in message
    y = torch.tensor([1.0], requires_grad=True)
    assert "y.grad is None" in failure(checks.assert_grads_match, [y], [torch.tensor([1.0])], names=["y"])


def test_assert_same_objects_by_identity():
    a, b, c = object(), object(), object()
    checks.assert_same_objects([b, a], [a, b])
    assert "more than once" in failure(checks.assert_same_objects, [a, a, b], [a, b])
    assert "missing" in failure(checks.assert_same_objects, [a], [a, b])
    assert "does not belong" in failure(checks.assert_same_objects, [a, b, c], [a, b])
    assert "wrong order" in failure(checks.assert_same_objects, [b, a], [a, b], ordered=True)
    assert "should be a list" in failure(checks.assert_same_objects, {a, b}, [a, b])


# ----------------------------------------------------------------------------------- tampering
class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__

    def __float__(self):
        return 1.0


class RiggedMeta(type):
    def __eq__(cls, other):
        return True

    __hash__ = type.__hash__


class RiggedFloat(metaclass=RiggedMeta):
    pass


class SubTensor(torch.Tensor):
    pass


@pytest.mark.parametrize("bad", [AlwaysEqual(), RiggedFloat(), torch.tensor([1.0, 2.0]).as_subclass(SubTensor),
                                 [1.0, 2.0], "1.0"])
def test_rejects_lookalikes(bad):
    message = failure(checks.assert_close, bad, torch.tensor([1.0, 2.0]))
    assert "should be a tensor" in message or "subclass" in message


def test_rigged_scalar_type_is_not_a_float():
    assert "should be a Python float" in failure(checks.assert_scalar_float, RiggedFloat())


def test_reassigned_comparison_functions_do_not_help(monkeypatch):
    always = lambda *args, **kwargs: True  # noqa: E731
    monkeypatch.setattr(torch, "allclose", always)
    monkeypatch.setattr(torch, "isclose", always)
    monkeypatch.setattr(np, "allclose", always)
    monkeypatch.setattr(np, "isclose", always)
    monkeypatch.setattr(math, "isclose", always)
    monkeypatch.setattr(torch.testing, "assert_close", lambda *args, **kwargs: None)
    monkeypatch.setattr(torch.Tensor, "__eq__", lambda self, other: True)
    failure(checks.assert_close, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 3.0]))
    failure(checks.assert_close, 1.0, 2.0)


def test_fresh_import_after_tampering_still_works():
    """A student cell that tampers *before* the test cell's first import: checks import torch's originals?

    No: at that point torch.allclose is already replaced. checks must not rely on them at all.
    """
    code = ("import torch, numpy, math\n"
            "torch.allclose = numpy.allclose = math.isclose = lambda *a, **k: True\n"
            "from autograder import checks\n"
            "try:\n    checks.assert_close(torch.tensor([1.0]), torch.tensor([2.0]))\n"
            "except AssertionError:\n    print('rejected')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "rejected" in out


# ----------------------------------------------------------------------------------- warnings
def test_warnings_go_to_stdout(capsys):
    checks.route_warnings_to_stdout()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        checks.route_warnings_to_stdout()
        warnings.warn("harmless", UserWarning)
    captured = capsys.readouterr()
    assert "harmless" in captured.out and captured.err == ""


def test_check_with_warning_prints_only_to_stdout():
    """A correct answer whose code warns keeps a clean stderr (nbgrader would score it 0 otherwise)."""
    code = ("import warnings, torch\nfrom autograder import registry, checks\n"
            "@registry.exercise('99_test', 'ex99_1', 'f', points=1)\n"
            "def check(f):\n    checks.assert_close(f(), torch.tensor(1.0))\n"
            "def f():\n    x = torch.tensor(1.0, requires_grad=True)\n    y = x * 1\n"
            "    _ = y.grad  # UserWarning: .grad of a non-leaf\n    warnings.warn('student warning')\n"
            "    return torch.tensor(1.0)\n"
            "check(f)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr == ""
    assert "student warning" in result.stdout and "✓ ex99_1" in result.stdout


# ----------------------------------------------------------------------------------- registry
def test_registry_wraps_checks():
    @registry.exercise("99_demo", "ex99_2", "double", points=2)
    def check_double(double):
        checks.assert_close(double(torch.tensor(3.0)), torch.tensor(6.0), name="double(3)")

    check_double(lambda t: t * 2)
    message = failure(check_double, lambda t: t)
    assert message.startswith("[ex99_2] double(3) is wrong")
    assert "should be a function" in failure(check_double, 42)
    (entry,) = registry.exercises("99_demo")
    assert (entry.chapter, entry.id, entry.name, entry.points) == ("99_demo", "ex99_2", "double", 2)


def test_registry_lists_every_chapter_module():
    ids = [e.id for e in registry.exercises()]
    assert {"ex1_1", "ex1_2", "ex2_1", "ex2_2", "ex2_3", "ex3_1", "ex3_2", "ex3_3"} <= set(ids)
    assert registry.get("ex2_2").name == "run_backward"


def test_seeded_inputs_are_reproducible():
    assert torch.equal(checks.randn(3, seed=5), checks.randn(3, seed=5))
    assert not torch.equal(checks.randn(3, seed=5), checks.randn(3, seed=6))
    values = checks.random_floats(4, seed=1, low=0.0, high=1.0)
    assert values == checks.random_floats(4, seed=1, low=0.0, high=1.0)
    assert all(type(v) is float and 0.0 <= v < 1.0 for v in values)
    assert checks.device().type == ("cuda" if torch.cuda.is_available() else "cpu")
