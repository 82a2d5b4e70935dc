"""The do-it-yourself run: an answer that lets torch, sympy or minigrad's engine do the work passes the
first grading run of a self-made exercise, and must lose its points in the second one
(autograder/judge/selfmade.py).

The answers come from the catalogs' CHEATS (tests/course/wrong_answers/chNN.py). Each grading puts one
cheat per exercise into the chapter's source notebook in place of the solution and grades it exactly as
`python -m autograder grade` does (sandbox, judge, second run). The solutions themselves keep their
points in that second run: test_notebooks.test_judge_gives_solutions_full_marks.
"""
import copy
import functools

import nbformat
import pytest

import harness

pytestmark = pytest.mark.slow
CHEATS = [(c, e, d) for c in harness.chapters() for e, d, _ in harness.catalog(c, "CHEATS")]


def rounds(chapter):
    """[{exercise: (description, source)}]: round k holds the k-th cheat of every exercise that has one."""
    by_exercise = {}
    for exercise, description, source in harness.catalog(chapter, "CHEATS"):
        by_exercise.setdefault(exercise, []).append((description, source))
    count = max((len(v) for v in by_exercise.values()), default=0)
    return [{e: v[k] for e, v in by_exercise.items() if k < len(v)} for k in range(count)]


@functools.lru_cache(maxsize=None)
def graded_round(chapter, k):
    """{test grade_id: TestResult} of the source notebook with round k's cheats as answers."""
    from autograder.pipeline.grade import grade_notebook
    from autograder.pipeline.restore import restore

    source = harness.read(chapter)
    submitted = copy.deepcopy(source)
    answers = harness.answer_cells(submitted)
    for exercise, (_description, cheat) in rounds(chapter)[k].items():
        answers[exercise].source = cheat
    nb, _ = restore(submitted, source)
    return grade_notebook(nb, source, name=chapter).tests


@pytest.mark.parametrize("chapter, exercise, description", CHEATS, ids=[f"{e}-{d[:40]}" for _, e, d in CHEATS])
def test_cheat_loses_its_points_in_the_second_run(chapter, exercise, description):
    from autograder.exercises import get

    assert get(exercise).self_made, f"{exercise} is not a do-it-yourself exercise: no second run would catch it"
    k = next(k for k, r in enumerate(rounds(chapter)) if r.get(exercise, ("",))[0] == description)
    result = graded_round(chapter, k)[f"{exercise}_tests"]
    assert result.score == 0 and result.status == "failed", (result.status, result.message)
    # the message of judge.self_made_failure: the first run passed, the second did not
    assert "do the work yourself" in result.message and "second run" in result.message, result.message


def test_the_second_run_repeats_one_hidden_case_of_each_kind_drawn_for_this_run():
    """Visible cases add no evidence of who did the work (an answer can be written around them, and the
    first run checked them all): the second run repeats the first draw of each hidden declaration that
    makes sense without torch, or the visible ones where the cell declares no hidden case."""
    from autograder import judge
    from autograder.exercises import get
    from autograder.pipeline.grade import _second_cases

    exercise = get("ex2_2")  # its torch cases cannot run in the second run
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "check_ex2_2(run_backward)\n### BEGIN HIDDEN TESTS\n"
        "check_ex2_2.hidden(run_backward, library='torch', repeat=2)\n"
        "check_ex2_2.hidden(run_backward, library='minigrad', repeat=3)\n### END HIDDEN TESTS",
        metadata={"nbgrader": {"grade": True, "grade_id": "ex2_2_tests", "points": 2, "solution": False,
                               "locked": True, "schema_version": 3}})])
    [task] = judge.plan(source, seed=1).values()
    hidden = task.cases[task.visible:]
    assert len(hidden) == 5 and task.kinds == (task.visible, task.visible + 2)
    assert _second_cases(task) == [hidden[2]]  # the first minigrad draw; torch's cannot run there
    visible = [c for c in task.cases[:task.visible] if exercise.second_run(c)]
    assert visible and _second_cases(judge.Task("ex2_2_tests", exercise, task.cases[:task.visible], task.visible))\
        == visible


def test_the_second_run_works_on_copies_of_the_cells_that_the_notebooks_own_run_cannot_change():
    """The do-it-yourself run goes on alongside the notebook's own run, which writes outputs and
    swaps test cells in ``nb``: what the second run executes is fixed when it starts."""
    from autograder.judge.selfmade import second_notebook

    def grading(grade_id, **kind):
        return {"nbgrader": {"grade_id": grade_id, "points": 1, "schema_version": 3, "locked": True, **kind}}

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def f(x):\n    return 2 * x", metadata=grading("ex", solution=True, grade=False)),
        nbformat.v4.new_code_cell("check(f)", metadata=grading("ex_tests", solution=False, grade=True)),
        nbformat.v4.new_code_cell("plot(f)")])
    second = second_notebook(nb, {"ex_tests"})
    before = copy.deepcopy(second)
    for cell in nb.cells:
        cell.source += "\nchanged = True"
        cell.outputs.append(nbformat.v4.new_output("stream", text="written by the first run"))
        cell.metadata.setdefault("nbgrader", {})["grade_id"] = "changed"
    assert [c.source for c in second.cells] == ["def f(x):\n    return 2 * x", "check(f)", "plot(f)"]
    assert second == before
