"""The judge's hands inside the student's kernel: run an exercise's cases, send back plain data.

When a notebook is graded, the judge (outside the sandbox) runs, in place of each test cell::

    import autograder.kernel.harness as h; h.serve("ex2_1", "<token>", '<cases as JSON>')

``serve`` finds the student's answer by name in the notebook's namespace, runs the exercise's ``run``
on every case (each in its own try: an error is data too), and publishes the results as one
display message of its own MIME type. The student's prints during the run are discarded. Nothing is
compared here: the reply is plain data, which the judge checks, compares with its own references and
turns into the verdict. A kernel that forges the reply gains nothing, because the data must match
references it never sees, for inputs drawn with fresh seeds.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys

from . import REPLY_MIME

try:  # captured when the grader imports this module, before any student code runs
    from IPython.display import display as _display
except ImportError:  # pragma: no cover - outside IPython (tests call serve() directly)
    _display = None


def run_cases(exercise_id: str, cases: list, namespace: dict) -> list:
    """[run_safely(case) for each case]: the student's results as plain data."""
    from autograder.exercises.base import answers_from, get

    exercise = get(exercise_id)
    answers = answers_from(namespace, exercise)
    quiet = io.StringIO()
    results = []
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        for case in cases:
            results.append(exercise.run_safely(case, answers))
            quiet.seek(0)
            quiet.truncate()
    return results


def serve(exercise_id: str, token: str, payload: str) -> None:
    """Run ``exercise_id`` on the cases in ``payload`` (JSON) and publish the results."""
    from autograder.exercises.values import dumps

    try:
        reply = {"token": token, "results": run_cases(exercise_id, json.loads(payload),
                                                        sys.modules["__main__"].__dict__)}
    except Exception as error:  # the harness itself failed (a broken environment): say why
        reply = {"token": token, "failure": f"{type(error).__name__}: {error}"[:2000]}
    text = dumps(reply)
    if _display is not None:
        _display({REPLY_MIME: text}, raw=True)
    else:
        print(text)
