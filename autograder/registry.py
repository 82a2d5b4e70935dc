"""The graded exercises of every chapter, and their visible checks.

A chapter module (autograder/chapters/chNN.py) declares each visible check with ``@exercise``:

    @exercise("01_leaf_tensors", "ex1_1", "reverse_topological_order", points=3)
    def check_ex1_1(reverse_topological_order):
        ...   # raises AssertionError with a kind message

The decorated function is what a test cell calls. It runs the checks with the exercise named in
every message and warnings routed to stdout, then prints one ✓ line. ``exercises(chapter)`` lists a
chapter's exercises (autograder.progress reruns them to show what passes).
"""
import dataclasses
import functools
import importlib
import pkgutil
from typing import Callable

from . import checks


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One graded exercise: where it lives, the name of the student's function, its points, its check."""

    chapter: str  # notebook folder, e.g. "01_leaf_tensors"
    id: str  # grade_id of the answer cell, e.g. "ex1_1"
    name: str  # the function or class the student writes, e.g. "reverse_topological_order"
    points: int
    check: Callable  # check(student_object) -> None; raises AssertionError on failure


_EXERCISES: dict[str, Exercise] = {}


def exercise(chapter, exercise_id, name, *, points):
    """Decorator registering a visible check (see the module docstring)."""

    def register(check_function):
        @functools.wraps(check_function)
        def run_check(student_object):
            with checks.exercise(exercise_id):
                if not callable(student_object):
                    checks.fail(f"`{name}` should be a function (or class), but it is "
                                f"{checks.describe(student_object)}.")
                check_function(student_object)
            checks.passed(f"{exercise_id} `{name}`: all visible checks passed.")

        _EXERCISES[exercise_id] = Exercise(chapter, exercise_id, name, points, run_check)
        return run_check

    return register


def _load_chapter_modules():
    """Import every module of autograder.chapters, so that their exercises are registered."""
    from . import chapters

    for module in pkgutil.iter_modules(chapters.__path__):
        importlib.import_module(f"{chapters.__name__}.{module.name}")


def exercises(chapter=None):
    """The registered exercises of ``chapter`` (all chapters when None), in declaration order."""
    _load_chapter_modules()
    return [e for e in _EXERCISES.values() if chapter is None or e.chapter == chapter]


def get(exercise_id):
    """The Exercise with this grade_id (KeyError naming the known ids otherwise)."""
    _load_chapter_modules()
    try:
        return _EXERCISES[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; known: {sorted(_EXERCISES)}") from None
