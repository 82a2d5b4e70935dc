"""End-to-end tests of every chapter notebook in course/source (see harness.py for the machinery).

For each chapter: committed without outputs; every curriculum exercise present with its grade_ids; the
release keeps no solution and no hidden test; the source runs top to bottom and scores full marks; the
blank release scores 0 on every graded cell.
"""
import re

import pytest

import harness

pytestmark = pytest.mark.slow
CHAPTERS = harness.chapters()
# The graded exercises the course design fixes for each chapter (names and grade_ids are an interface).
CURRICULUM = {
    "01_leaf_tensors": {"ex1_1": "reverse_topological_order", "ex1_2": "leaf_tensors"},
    "02_backward": {"ex2_1": "grads_by_hand", "ex2_2": "run_backward", "ex2_3": "sgd_step_"},
    "03_higher_order": {"ex3_1": "nth_derivative", "ex3_2": "hvp", "ex3_3": "hessian"},
    "04_vjp_jvp": {"ex4_1": "vjp", "ex4_2": "jacobian_reverse", "ex4_3": ("Dual", "jvp_dual"),
                   "ex4_4": "jacobian_forward"},
    "05_custom_function": {"ex5_1": "numerical_gradient", "ex5_2": "MySoftmax", "ex5_3": "Softmax",
                           "ex5_4": "ScaledTanh"},
    "06_training": {"ex6_1": "fit_linear_regression", "ex6_2": "train_with_gradient_accumulation",
                    "ex6_3": "clip_grad_norm"},
    "07_from_scratch": {"ex7_1": "sum_to", "ex7_2": ("Add", "Mul", "Div", "Pow", "Exp", "Log", "Tanh", "ReLU", "MatMul",
                                                   "Sum", "Mean", "Reshape", "Transpose"),
                        "ex7_3": "backward", "ex7_4": "train"},
}


def curriculum_exercises(chapter):
    """Exercise ids the curriculum lists for ``chapter``; they must also be registered in autograder."""
    from autograder.exercises import of_chapter

    registered = {e.id: e.answer for e in of_chapter(chapter)}
    expected = CURRICULUM[chapter]
    assert sorted(registered) == sorted(expected), f"{chapter}: registry {registered} != curriculum {expected}"
    for exercise_id, name in registered.items():  # an exercise with two names checks one of them
        assert name in (expected[exercise_id] if isinstance(expected[exercise_id], tuple) else (expected[exercise_id],))
    return list(CURRICULUM[chapter])


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_without_outputs(chapter):
    nb = harness.read(chapter)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{chapter}: cells {dirty} have outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_has_answer_and_test_cells(chapter):
    nb = harness.read(chapter)
    answers, tests = harness.answer_cells(nb), harness.graded_cells(nb)
    expected = curriculum_exercises(chapter)
    assert expected, f"{chapter}: no exercises in autograder/exercises"
    assert sorted(answers) == sorted(expected), f"{chapter}: answer cells {sorted(answers)} != {expected}"
    assert sorted(tests) == sorted(f"{e}_tests" for e in expected)
    ids = [harness.grade_id(c) for c in nb.cells if harness.grade_id(c)]
    assert len(ids) == len(set(ids)), f"{chapter}: duplicate grade_ids"
    points = {gid: c.metadata.nbgrader["points"] for gid, c in tests.items()}
    from autograder.cells import hidden_cases, split_hidden
    from autograder.exercises import of_chapter

    for exercise in of_chapter(chapter):
        assert points[f"{exercise.id}_tests"] == exercise.points, f"{exercise.id}: points differ from the exercise"
        assert "### BEGIN SOLUTION" in answers[exercise.id].source
        test_source = tests[f"{exercise.id}_tests"].source
        assert f"check_{exercise.id}({exercise.answer}" in test_source, f"{exercise.id}: visible check missing"
        _, hidden = split_hidden(test_source)
        declared = hidden_cases(hidden)  # raises if the judge could not read them
        assert declared, f"{exercise.id}: no hidden cases declared"
        for case in declared:  # every declared case can be drawn
            exercise.case(**dict(case.params, seed=1))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_has_no_solutions_or_hidden_tests(chapter):
    source, released = harness.read(chapter), harness.release(harness.read(chapter))
    text = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    for gid, cell in harness.answer_cells(source).items():
        solution = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S).group(1)
        blank = harness.answer_cells(released)[gid].source
        assert "raise NotImplementedError()" in blank
        for line in solution.strip().splitlines():
            assert line.strip() == "" or line not in blank, f"{gid}: solution line {line!r} left in the release"
    for gid, cell in harness.graded_cells(source).items():
        hidden = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S).group(1)
        assert hidden.strip() and hidden.strip() not in harness.graded_cells(released)[gid].source


BOTH = [(c, lang) for c in CHAPTERS for lang in harness.LANGUAGES]
BOTH_IDS = [f"{c}-{lang}" for c, lang in BOTH]


def in_language(text, lang):
    """Is ``text`` written in ``lang``? Chinese text has CJK characters; English text has none."""
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    return chinese if lang == "zh" else not chinese


@pytest.mark.parametrize("chapter, lang", BOTH, ids=BOTH_IDS)
def test_source_runs_top_to_bottom_and_scores_full_marks(chapter, lang):
    nb = harness.executed_source(chapter, lang)
    assert not harness.errors(nb), f"{chapter} ({lang}) raised: {harness.errors(nb)}"
    for gid, cell in harness.graded_cells(nb).items():
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert not harness.stderr_text(cell), f"{gid} wrote to stderr: {harness.stderr_text(cell)}"
        assert "✓" in text, f"{gid}: no ✓ line"
        check_line = next(line for line in text.splitlines() if line.startswith("✓"))
        assert in_language(check_line.split("`")[-1], lang), f"{gid} ({lang}): {check_line}"
    scores = harness.scores(nb)
    assert scores and all(score == max_points for score, max_points in scores.values()), scores


@pytest.mark.parametrize("chapter, lang", BOTH, ids=BOTH_IDS)
def test_blank_release_scores_zero(chapter, lang):
    scores = harness.scores(harness.executed_release(chapter, lang))
    assert scores and all(score == 0 for score, _ in scores.values()), scores


@pytest.mark.parametrize("chapter, lang", BOTH, ids=BOTH_IDS)
def test_judge_gives_solutions_full_marks(chapter, lang):
    """Graded as `python -m autograder grade` grades (sandbox, judge, do-it-yourself run), in the
    notebook's language."""
    tests = harness.judged(chapter, "solutions", lang)
    failing = {k: t.message for k, t in tests.items() if t.status != "passed" or t.score != t.max_score}
    assert tests and not failing, failing
    assert all(in_language(t.message.split("`")[-1], lang) for t in tests.values()), tests


@pytest.mark.parametrize("chapter, lang", BOTH, ids=BOTH_IDS)
def test_judge_gives_blank_release_zero_as_not_attempted(chapter, lang):
    tests = harness.judged(chapter, "blank", lang)
    assert tests and all(t.score == 0 and t.status == "not attempted" for t in tests.values()), \
        {k: (t.status, t.message) for k, t in tests.items()}
    assert all(in_language(t.message.split("`")[-1], lang) for t in tests.values()), tests


@pytest.mark.parametrize("chapter, lang", BOTH, ids=BOTH_IDS)
def test_blank_release_fails_only_in_its_exercises(chapter, lang):
    """A student's Run All on the blank chapter: only exercise cells fail, and with the stub's error.

    A demo cell that calls a blank exercise must say what to do instead of failing (a failing cell
    without the `raises-exception` tag stops Run All), and a class-shaped answer must still define its
    class, so that its test cell fails with NotImplementedError rather than a puzzling NameError.
    """
    nb = harness.executed_release(chapter, lang)
    exercise_cells = set(harness.answer_cells(nb)) | set(harness.graded_cells(nb))
    for index, message in harness.errors(nb):
        gid = harness.grade_id(nb.cells[index])
        assert gid in exercise_cells, f"cell {index} ({gid}) fails in the blank release: {message}"
        if gid in harness.graded_cells(nb):  # the visible check says the exercise was not attempted
            assert message.startswith("CheckFailed: [") and "NotImplementedError" in message, f"{gid}: {message}"
            assert in_language(message.split("NotImplementedError")[-1], lang), f"{gid} ({lang}): {message}"
        else:
            assert message.startswith("NotImplementedError"), f"{gid} fails in the blank release with {message}"
