"""The answer catalog (tests/course/wrong_answers/chNN.py): every wrong answer fails, every right one passes.

A wrong answer must fail twice: in the student's own notebook (the visible check, with its hint: a ✓
that grading then takes back would teach the wrong thing) and in grading (the judge, on the visible and
hidden cases). A right answer written differently from the solution must pass both. The judge's hidden
cases are drawn with a fresh seed each run; a failure prints the seed (rerun with JUDGE_SEED=...).
"""
import pytest

import harness

pytestmark = pytest.mark.slow
WRONG = [(c, e, d) for c in harness.chapters() for e, d, _ in harness.catalog(c, "WRONG")]
RIGHT = [(c, e, d) for c in harness.chapters() for e, d, _ in harness.catalog(c, "RIGHT")]


@pytest.mark.parametrize("chapter", harness.chapters())
def test_every_exercise_has_catalog_entries(chapter):
    from autograder.exercises import of_chapter

    covered = {exercise for exercise, _, _ in harness.catalog(chapter)}
    missing = [e.id for e in of_chapter(chapter) if e.id not in covered]
    assert not missing, f"{chapter}: no wrong answers catalogued for {missing}"


@pytest.mark.parametrize("chapter, exercise, description", WRONG, ids=[f"{e}-{d[:40]}" for _, e, d in WRONG])
def test_wrong_answer_fails_visibly_and_in_grading(chapter, exercise, description):
    failed, output, verdict, seed = harness.catalog_verdicts(chapter)[("WRONG", exercise, description)]
    assert failed, f"{exercise}: the visible check shows ✓ for a wrong answer ({description}):\n{output}"
    assert "Traceback" not in output and "[" + exercise + "]" in output, output
    assert verdict.score == 0, f"{exercise}: the judge gave points to a wrong answer ({description}), seed {seed}"


@pytest.mark.parametrize("chapter, exercise, description", RIGHT, ids=[f"{e}-{d[:40]}" for _, e, d in RIGHT])
def test_other_right_answer_passes(chapter, exercise, description):
    failed, output, verdict, seed = harness.catalog_verdicts(chapter)[("RIGHT", exercise, description)]
    assert not failed, f"{exercise}: the visible check rejects a right answer ({description}):\n{output}"
    assert verdict.status == "passed", f"{exercise}: the judge rejects a right answer ({description}), seed " \
                                       f"{seed}: {verdict.message}"
