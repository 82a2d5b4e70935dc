"""The answer catalog checked in this process, without kernels: fast enough to run after every mutant.

For each chapter, the source notebook's definition cells (imports, functions, classes) and answer cells
run in a fresh namespace; then each catalog answer replaces its exercise's answer and is checked twice,
as test_wrong_answers.py does in a real kernel: by the visible check, and by the judge (the harness's
``run_cases`` on visible and hidden cases, then ``judge.decide``). Every WRONG answer must fail both,
every RIGHT answer pass both, and the solutions themselves pass both.
"""
import ast
import contextlib
import functools
import io
import os
import secrets

import pytest

import harness
from autograder import cells, judge
from autograder.exercises import of_chapter
from autograder.kernel.harness import run_cases

SEED = int(os.environ.get("JUDGE_SEED", secrets.randbits(32)))


def _defines_only(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return all(isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)) or
               (isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.Lambda)))
               or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) for node in tree.body)


@functools.lru_cache(maxsize=None)
def solution_namespace(chapter):
    """The namespace a student's notebook has once its definition and answer cells have run."""
    import __main__

    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    for cell in harness.read(chapter).cells:
        runs = cells.is_answer(cell) or (not cells.is_test(cell) and _defines_only(cell.source))
        if cell.cell_type == "code" and runs:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, f"<{chapter} {cells.grade_id(cell)}>", "exec"), namespace)
    namespace.update({k: v for k, v in vars(__main__).items() if k.startswith("__") and k not in namespace})
    return namespace


def verdicts(chapter, exercise_id, source):
    """(visible check failed?, its message, the judge's Verdict) for ``source`` as the answer of ``exercise_id``."""
    import __main__

    exercise = next(e for e in of_chapter(chapter) if e.id == exercise_id)
    namespace = dict(solution_namespace(chapter))
    if source is not None:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"<catalog {exercise_id}>", "exec"), namespace)
    saved = dict(vars(__main__))
    vars(__main__).update(namespace)  # the checks find the notebook's other names in __main__
    try:
        answers = [namespace.get(name) for name in exercise.names]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exercise(*answers)
            failed, message = False, ""
        except AssertionError as error:
            failed, message = True, str(error)
        task = _tasks(chapter)[f"{exercise_id}_tests"]
        verdict = judge.decide(task, run_cases(exercise_id, task.cases, namespace))
    finally:
        vars(__main__).clear()
        vars(__main__).update(saved)
    return failed, message, verdict


@functools.lru_cache(maxsize=None)
def _tasks(chapter):
    return judge.plan(harness.read(chapter), seed=SEED)


EXERCISES = [(c, e.id) for c in harness.chapters() for e in of_chapter(c)]
WRONG = [(c, e, d, s) for c in harness.chapters() for e, d, s in harness.catalog(c, "WRONG")]
RIGHT = [(c, e, d, s) for c in harness.chapters() for e, d, s in harness.catalog(c, "RIGHT")]


@pytest.mark.parametrize("chapter, exercise", EXERCISES, ids=[e for _, e in EXERCISES])
def test_solution_passes(chapter, exercise):
    failed, message, verdict = verdicts(chapter, exercise, None)
    assert not failed, message
    assert verdict.status == "passed", f"seed {SEED}: {verdict.message}"


@pytest.mark.parametrize("chapter, exercise, description, source", WRONG, ids=[f"{e}-{d[:40]}" for _, e, d, _ in WRONG])
def test_wrong_answer_fails_visibly_and_in_grading(chapter, exercise, description, source):
    failed, message, verdict = verdicts(chapter, exercise, source)
    assert failed, f"{exercise}: ✓ for a wrong answer ({description})"
    assert verdict.score == 0, f"{exercise}: the judge gave points to a wrong answer ({description}), seed {SEED}"


@pytest.mark.parametrize("chapter, exercise, description, source", RIGHT, ids=[f"{e}-{d[:40]}" for _, e, d, _ in RIGHT])
def test_other_right_answer_passes(chapter, exercise, description, source):
    failed, message, verdict = verdicts(chapter, exercise, source)
    assert not failed, f"{exercise}: a right answer ({description}) fails its visible check: {message}"
    assert verdict.status == "passed", f"{exercise}: ({description}), seed {SEED}: {verdict.message}"
