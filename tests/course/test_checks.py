"""The checking machinery: plain data across the trust boundary, messages and hints, the judge's reading
of hidden regions and kernel replies, the sanitizer. (Each chapter's exercises are tested by the
notebook and catalog tests.)"""
import json
import re
import subprocess
import sys

import hypothesis.extra.numpy as hnp
import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from autograder import cells, judge
from autograder.exercises import base, expect, get
from autograder.exercises.values import BadData, decode, encode, encode_error, roundtrip


def failure(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def value(x):
    """What the judge sees of ``x``: encode in the kernel, JSON, decode in the judge."""
    return decode(roundtrip(encode(x)))


# ----------------------------------------------------------------------------------- plain data
@settings(max_examples=60, deadline=None)
@given(st.sampled_from([np.float32, np.float64, np.int64]).flatmap(lambda dtype: hnp.arrays(
    dtype=dtype, shape=hnp.array_shapes(min_dims=0, max_dims=4),
    elements=st.integers(-10**6, 10**6) if dtype is np.int64 else st.floats(-1e6, 1e6, width=32))))
def test_tensors_of_every_library_cross_as_their_values(array):
    for obj, kind in ((torch.from_numpy(array.copy()), "torch.Tensor"), (minigrad.tensor(array), "minigrad.Tensor"),
                      (array, "numpy.ndarray")):
        v = value(obj)
        assert v.kind == "tensor" and v.type == kind and v.dtype == str(array.dtype)
        np.testing.assert_array_equal(v.array, array.astype(np.float64))


def test_autograd_flags_and_special_numbers_cross():
    x = torch.tensor([1.0, float("nan"), float("inf")], requires_grad=True)
    v = value(x * 2)
    assert v.requires_grad and not v.is_leaf and v.grad_fn == "MulBackward0"
    assert np.isnan(v.array[1]) and np.isinf(v.array[2])
    m = value(minigrad.tensor([1.0], requires_grad=True).exp())
    assert m.grad_fn == "ExpBackward0" and m.library == "minigrad"
    assert value(2.5).type == "float" and value(np.float32(2.5)).type == "numpy.float32" and value(True).kind == "bool"
    nested = value((1.0, [torch.zeros(2), None]))
    assert nested.kind == "tuple" and nested.items[1].items[1].kind == "none"


class AlwaysEqual(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class SubTensor(torch.Tensor):
    pass


class Exploding:
    def __getattr__(self, name):
        raise RuntimeError("boom")


class ArrayLike:
    """Not an array, but numpy would make one of it: the type gate must not."""

    def __array__(self, dtype=None, copy=None):
        return np.zeros(2)


@pytest.mark.parametrize("obj, note", [(AlwaysEqual(0.0), ""), (torch.zeros(2).as_subclass(SubTensor), "subclass"),
                                       (np.zeros(2).view(np.matrix), "subclass"), (Exploding(), ""),
                                       (ArrayLike(), ""), ({"a": 1}, ""), (object(), "")],
                         ids=["rigged float", "tensor subclass", "ndarray subclass", "raising attributes",
                              "__array__", "dict", "object"])
def test_lookalikes_are_reported_as_what_they_are(obj, note):
    v = value(obj)
    assert v.kind == "other" and note in v.note
    assert "should be a tensor" in failure(expect.expect_close, v, 0.0, "x") or v.note


@pytest.mark.parametrize("forged", [
    {"kind": "tensor", "type": "torch.Tensor", "shape": [2], "dtype": "float64", "values": [1.0]},
    {"kind": "tensor", "type": "torch.Tensor", "shape": [-1], "dtype": "float64", "values": []},
    {"kind": "number", "type": "float", "value": "1.0"}, {"kind": "number", "type": "float", "value": True},
    {"kind": "list", "items": "abc"}, {"kind": "pickle", "data": "..."}, [1, 2], "tensor",
    {"kind": "error", "type": 3, "message": "x"},
    {"kind": "number", "type": "int", "value": 10**400},  # JSON's integers have no bound
    {"kind": "tensor", "type": "torch.Tensor", "shape": [1], "dtype": "float64", "values": [10**400]},
    {"kind": "tensor", "type": "torch.Tensor", "shape": [1], "dtype": "float64", "values": [True]},
    {"kind": "tensor", "type": "torch.Tensor", "shape": [0, 10**30], "dtype": "float64", "values": []},
    {"kind": "error", "type": "E", "message": "x", "where": {"function": "f", "line": 1e309, "text": ""}},
])
def test_forged_data_is_refused(forged):
    with pytest.raises(BadData):
        decode(forged)


def test_errors_name_the_students_line():
    namespace = {}
    exec(compile("def f(x):\n    return x / 0\n", "/tmp/ipykernel_1/123.py", "exec"), namespace)
    try:
        namespace["f"](1)
    except ZeroDivisionError as error:
        data = encode_error(error)
    assert data["type"] == "ZeroDivisionError" and data["where"]["line"] == 2 and data["where"]["function"] == "f"
    try:
        try:
            raise NotImplementedError()
        except NotImplementedError as inner:
            raise ValueError("wrapped") from inner
    except ValueError as error:
        assert encode_error(error)["not_implemented"]


# ----------------------------------------------------------------------------------- messages
def test_a_mismatch_shows_enough_digits_and_both_errors():
    message = failure(expect.expect_close, value(-0.467921), -0.46792, "dy/dx")
    assert "expected -0.46792, got -0.467921" in message
    assert "absolute error 1e-06" in message and "relative error 2.1e-06" in message


def test_float32_rounding_is_named_and_float32_answers_get_float32_tolerance():
    want = np.array([0.1, 1.0 / 3.0, 2.0 / 7.0])
    float32 = torch.tensor(want, dtype=torch.float32)
    expect.expect_close(value(float32), want, "x", reference_dtype="float32")  # a fair float32 answer passes
    message = failure(expect.expect_close, value(float32), want, "x", rtol=1e-9, atol=0)
    assert "float32 rounding" in message
    off = torch.tensor(want * (1 + 1e-3), dtype=torch.float32)  # float32 precision, but a real difference
    assert "is wrong" in failure(expect.expect_close, value(off), want, "x", reference_dtype="float32")
    in_float32 = float(sum([np.float32(0.1)] * 10, np.float32(0)))  # a Python float computed in float32
    message = failure(expect.expect_close, value(in_float32), 1.0, "x")
    assert "float32" in message


@pytest.mark.parametrize("factor, words", [(2.0, "twice"), (0.5, "half"), (-1.0, "opposite sign"), (0.0, "all zeros")])
def test_hints_for_common_mistakes(factor, words):
    expected = np.array([1.0, -2.0, 3.0])
    assert words in failure(expect.expect_close, value(torch.tensor(expected * factor)), expected, "g")


def test_shape_transpose_stale_and_kind_messages():
    assert "transposed" in failure(expect.expect_close, value(torch.ones(3, 2)), np.ones((2, 3)), "J")
    assert "zero them" in failure(expect.expect_close, value(torch.tensor([7.0])), [4.0], "g", stale=[3.0])
    assert ".item()" in failure(expect.expect_number, value(torch.tensor(1.0)), "r")
    assert "should be a Python float" in failure(expect.expect_number, value(True), "r")
    assert "a torch.Tensor" in failure(expect.expect_tensor, value(minigrad.zeros(2)), "g", "torch")
    assert "forget a `return`" in failure(expect.expect_tensor, value(None), "g")
    assert "should be None" in failure(expect.expect_grad, value(torch.zeros(2)), None, "x.grad")
    assert "did backward reach it" in failure(expect.expect_grad, value(None), [1.0], "x.grad")


def test_check_failures_hide_the_checkers_frames():
    """IPython drops frames whose locals set __tracebackhide__: the message and the student's line come first."""
    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "shell = InteractiveShell.instance()\n"
            "shell.run_cell('from autograder.exercises import get\\nget(\"ex0_1\")(lambda x: 3 * x)')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    assert text.startswith("CheckFailed: [ex0_1] grad_of_square(3.0) is wrong"), text
    assert "expect.py" not in text and "base.py" not in text, text


def test_warnings_in_a_check_go_to_stdout():
    code = ("import warnings\nfrom autograder.exercises import get\n"
            "def grad_of_square(x):\n    warnings.warn('student warning')\n    return 2.0 * x\n"
            "get('ex0_1')(grad_of_square)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr == "" and "student warning" in out.stdout and "✓ ex0_1" in out.stdout


def test_a_visible_check_answers_a_blank_exercise_kindly():
    def blank(x):
        raise NotImplementedError()

    with pytest.raises(expect.CheckFailed) as info:
        get("ex0_1")(blank)
    assert info.value.not_attempted and "Not attempted yet" in str(info.value)
    assert "not defined" in failure(get("ex0_1"), base.MISSING)
    assert "not a function" in failure(get("ex0_1"), 42)


# ----------------------------------------------------------------------------------- hidden regions
def test_hidden_regions_are_read_not_run():
    source = ("check(f)\n### BEGIN HIDDEN TESTS\n# a comment\ncheck.hidden(f, low=-3.0, shape=(2, 3), repeat=4)\n"
              "check.hidden(f, g, name='x')\n### END HIDDEN TESTS")
    visible, hidden = cells.split_hidden(source)
    assert visible == "check(f)" and "BEGIN" not in hidden
    first, second = cells.hidden_cases(hidden)
    assert first.params == {"low": -3.0, "shape": (2, 3)} and first.repeat == 4 and first.answers == ("f",)
    assert second.answers == ("f", "g") and second.repeat == 1


@pytest.mark.parametrize("hidden", ["import os\nos.system('x')", "check.hidden(f, x=open('/etc/passwd'))",
                                    "check.hidden(f, **kw)", "check.hidden(f, repeat=0)", "check.hidden('f')",
                                    "check.hidden(f, x=1"])
def test_hidden_regions_that_are_not_declarations_are_refused(hidden):
    with pytest.raises(cells.HiddenRegionError):
        cells.hidden_cases(hidden)


def test_configured_delimiters_are_honoured():
    from traitlets.config import Config

    config = Config()
    config.ClearHiddenTests.begin_test_delimeter = "SECRET START"
    config.ClearHiddenTests.end_test_delimeter = "SECRET END"
    delimiters = cells.Delimiters.of(config)
    assert cells.split_hidden("a\n# SECRET START\nb\n# SECRET END\nc", delimiters) == ("a\nc", "b")
    with pytest.raises(cells.HiddenRegionError):
        cells.split_hidden("a\n### BEGIN HIDDEN TESTS\nb")


# ----------------------------------------------------------------------------------- the judge
def _source_with_hidden(hidden):
    cell = nbformat.v4.new_code_cell(
        f"check_ex0_1(grad_of_square)\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "ex0_1_tests",
                                 "points": 1, "schema_version": 3}
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    return nb


def test_every_grading_run_draws_fresh_hidden_inputs():
    source = _source_with_hidden("check_ex0_1.hidden(grad_of_square, repeat=3)")
    runs = [judge.plan(source)["ex0_1_tests"] for _ in range(2)]
    assert runs[0].visible == 1 and len(runs[0].cases) == 4
    assert runs[0].cases[0] == runs[1].cases[0]  # the visible case is the same
    assert runs[0].cases[1:] != runs[1].cases[1:]  # the hidden ones are not
    assert judge.plan(source, seed=7)["ex0_1_tests"].cases == judge.plan(source, seed=7)["ex0_1_tests"].cases


def test_the_harness_code_carries_inputs_never_declarations():
    hidden = "check_ex0_1.hidden(grad_of_square, low=5.0, high=6.0, repeat=2)"
    task = judge.plan(_source_with_hidden(hidden))["ex0_1_tests"]
    code = judge.harness_code(task, "tok")
    assert "hidden" not in code and "low" not in code and "BEGIN" not in code


def _reply(task, token, answer):
    from autograder.kernel.harness import run_cases

    results = run_cases(task.exercise.id, task.cases, {task.exercise.answer: answer})
    output = nbformat.v4.new_output("display_data", data={judge.REPLY_MIME: json.dumps({"token": token,
                                                                                         "results": results})})
    return [output]


def test_decide_from_a_reply_and_refuse_forged_or_missing_replies():
    task = judge.plan(_source_with_hidden("check_ex0_1.hidden(grad_of_square, repeat=3)"))["ex0_1_tests"]
    right = judge.decide(task, judge.read_reply(_reply(task, "t1", lambda x: 2.0 * x), "t1"))
    assert right.status == "passed" and right.score == 1 and "4 checks passed" in right.message
    wrong = judge.decide(task, judge.read_reply(_reply(task, "t1", lambda x: 2.0 * x + (x > 2.5)), "t1"))
    assert wrong.score == 0  # only a hidden input above 2.5 could reveal it: it may or may not be drawn
    assert judge.read_reply(_reply(task, "other", lambda x: 2.0 * x),
                            "t1") == "the kernel's reply did not answer this check"
    assert "no results" in judge.read_reply([], "t1")
    for data in (["not", "a", "dict"], {judge.REPLY_MIME: 5}):
        assert "no results" in judge.read_reply([{"output_type": "display_data", "data": data}], "t1")
    deep = {"output_type": "display_data", "data": {judge.REPLY_MIME: "[" * 100_000 + "]" * 100_000}}
    assert "not readable" in judge.read_reply([deep], "t1")
    short = judge.decide(task, [{"result": encode(6.0)}])
    assert short.score == 0 and "incomplete" in short.message
    forged = judge.decide(task, [{"result": {"kind": "number", "type": "float", "value": [6.0]}}] * 4)
    assert forged.score == 0 and "could not be read" in forged.message


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.integers(10**300, 10**400) | st.floats()
                    | st.text(max_size=6) | st.sampled_from(["tensor", "number", "list", "error", "kind", "values"]),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=16)


def _paths(data, path=()):
    """Every place in nested JSON data, as a path of keys and indices."""
    yield path
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, item in items:
        yield from _paths(item, path + (key,))


def _replaced(data, path, new):
    if not path:
        return new
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(data[path[0]], path[1:], new)
    return copy


@settings(max_examples=300, deadline=None)
@given(exercise=st.sampled_from(base.of_chapter()), where=st.integers(0, 10**6), new=JSON, whole=st.booleans())
def test_no_reply_from_the_kernel_can_stop_the_judge(exercise, where, new, whole):
    """Whatever the student's code makes the kernel send back (a reply with any JSON at any place of a
    genuine result, or any JSON at all), the judge decides: a malformed reply fails the check, it never
    raises (a grader that fails on a submission stops the batch when a few do)."""
    case = exercise.case(**exercise.visible[0])
    task = judge.Task(f"{exercise.id}_tests", exercise, [case], 1, 1)
    genuine = {"__error__": new} if whole else judge.reference(exercise, case)
    paths = list(_paths(genuine))
    got = _replaced(genuine, paths[where % len(paths)], new)
    verdict = judge.decide(task, [got])
    assert verdict.status in ("passed", "failed", "not attempted")  # (a changed number may be within tolerance)
    assert verdict.score == 0 or not whole


def test_verdicts_become_outputs_that_nbgrader_scores():
    from nbgrader.utils import determine_grade

    cell = _source_with_hidden("").cells[0]
    for status, score in (("passed", 1.0), ("failed", 0.0)):
        cell.outputs = judge.verdict_outputs(judge.Verdict("ex0_1_tests", score, 1.0, status, "message"))
        assert determine_grade(cell)[0] == score


# ----------------------------------------------------------------------------------- sanitizer
def test_neutralize_keeps_pictures_and_tables_and_removes_everything_live():
    from autograder.pipeline.sanitize import neutralize

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": "<table><tr><td>1</td></tr></table><script>fetch('/api')</script><img src=x onerror=alert(1)>",
        "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(2)</script><circle r='3'/></svg>",
        "application/javascript": "alert(3)", "text/plain": "ok"})]
    nb.cells = [cell]
    neutralize(nb)
    data = nb.cells[0].outputs[0].data
    assert "<table>" in data["text/html"] and "<script" not in data["text/html"] and "onerror" not in data["text/html"]
    assert "<circle" in data["image/svg+xml"] and "script" not in data["image/svg+xml"]
    assert "application/javascript" not in data and data["text/plain"] == "ok"


def test_exercise_ids_are_unique_and_sorted_by_number():
    ids = [e.id for e in base.of_chapter()]
    assert len(ids) == len(set(ids))
    assert [e.id for e in base.of_chapter("00_demo")] == ["ex0_1", "ex0_2", "ex0_3"]
