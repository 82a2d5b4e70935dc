"""Each entry of the wrong-answer catalog (tests/course/wrong_answers/chNN.py) loses points on its exercise.

The catalog holds mistakes students really make; a test cell that gives such an answer full marks is a bug.
"""
import pytest

import harness

pytestmark = pytest.mark.slow
CASES = [(chapter, exercise, description) for chapter in harness.chapters()
         for exercise, description, _ in harness.catalog(chapter)]


@pytest.mark.parametrize("chapter", harness.chapters())
def test_every_exercise_has_catalog_entries(chapter):
    from autograder import registry

    covered = {exercise for exercise, _, _ in harness.catalog(chapter)}
    missing = [e.id for e in registry.exercises(chapter) if e.id not in covered]
    assert not missing, f"{chapter}: no wrong answers catalogued for {missing}"


@pytest.mark.parametrize("chapter, exercise, description", CASES, ids=[f"{e}-{d[:40]}" for _, e, d in CASES])
def test_wrong_answer_loses_points(chapter, exercise, description):
    score, max_points, output = harness.catalog_scores(chapter)[(exercise, description)]
    assert score < max_points, f"{exercise} gave full marks to a wrong answer ({description}); output:\n{output}"
