"""How far a student has got: the visible checks of each exercise, rerun, as one table.

In a notebook, the last cell calls

    autograder.progress.show("01_leaf_tensors", globals())

which finds the student's functions by name in the notebook's namespace, reruns each exercise's
visible checks quietly and prints one row per exercise: passed, failed (with the first line of the
reason) or not attempted. It never raises and never writes to stderr.

From a terminal, `python -m autograder progress` (autograder/student/progress.py) runs every chapter
notebook of the workspace and asks its kernel for the same results (``report``). Hidden tests are not
run here: the judge runs them when the work is graded.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import json

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
_MARK = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·"}
_REPORT_TAG = "AUTOGRADER-PROGRESS "  # prefix of the line a kernel prints for `python -m autograder progress`


@dataclasses.dataclass
class Row:
    """One exercise's outcome: which exercise, how many points, and why."""

    id: str
    name: str
    points: int
    status: str
    detail: str = ""

    @property
    def earned(self) -> int:
        return self.points if self.status == PASSED else 0


# ----------------------------------------------------------------------------------------- in the kernel
def results(chapter: str, namespace: dict) -> list[Row]:
    """Rerun the visible checks of `chapter` against the functions defined in `namespace`."""
    from ..exercises import of_chapter

    return [_run(exercise, namespace) for exercise in of_chapter(chapter)]


def _run(exercise, namespace: dict) -> Row:
    row = Row(exercise.id, exercise.display_name, exercise.points, NOT_ATTEMPTED)
    if exercise.answer not in namespace:
        row.detail = f"`{exercise.answer}` is not defined yet"
        return row
    quiet = io.StringIO()  # the ✓ line, warnings and the student's prints: not for this table
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            exercise(*(namespace.get(name) for name in exercise.names))
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a student's function may raise anything, even SystemExit
        if _not_implemented(error) or getattr(error, "not_attempted", False):
            row.detail = "still raises NotImplementedError"
        else:
            row.status, row.detail = FAILED, _reason(error)
    else:
        row.status = PASSED
    return row


def _not_implemented(error: BaseException) -> bool:
    """True when the error is (or was caused by) the blank exercise's NotImplementedError."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, NotImplementedError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _reason(error: BaseException, width: int = 90) -> str:
    """The first line of the failure message, without the `[ex1_1] ` prefix the checks add."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    if first.startswith("[") and "] " in first:
        first = first.split("] ", 1)[1]
    if not isinstance(error, AssertionError):
        first = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return first if len(first) <= width else first[: width - 1] + "…"


def table(chapter: str, rows: list[Row]) -> str:
    """The rows as a plain-text table (monospace in notebooks and terminals) with a total line."""
    if not rows:
        return f"{chapter}: no graded exercises registered."
    name_width = max(len("Function"), *(len(r.name) for r in rows))
    lines = [f"Progress | 学习进度 — {chapter} (visible checks; hidden tests run when your work is graded)",
             f"  {'Exercise':<9} {'Function':<{name_width}}  {'Points':>7}  Result"]
    for r in rows:
        result = f"{_MARK[r.status]} {r.status}" + (f": {r.detail}" if r.detail and r.status == FAILED else "")
        lines.append(f"  {r.id:<9} {r.name:<{name_width}}  {_points(r.earned, r.points)}  {result}")
    earned, total = sum(r.earned for r in rows), sum(r.points for r in rows)
    done = sum(r.status == PASSED for r in rows)
    lines.append(f"  {'Total':<9} {'':<{name_width}}  {_points(earned, total)}  "
                 f"{done} of {len(rows)} exercises pass their visible checks")
    return "\n".join(lines)


def _points(earned: int, total: int) -> str:
    return f"{earned} / {total}".rjust(7)


def show(chapter: str, namespace: dict) -> None:
    """Print the progress table of `chapter` for the functions in `namespace` (a notebook's globals())."""
    try:
        text = table(chapter, results(chapter, namespace))
    except Exception as error:  # a table that cannot be made must not look like a failed exercise
        text = f"Progress of {chapter} is unavailable ({type(error).__name__}: {error})."
    print(text)


def report(chapter: str, namespace: dict) -> None:
    """Print the results as one tagged JSON line (what `python -m autograder progress` reads)."""
    try:
        rows = [dataclasses.asdict(r) for r in results(chapter, namespace)]
    except Exception as error:
        rows = {"error": f"{type(error).__name__}: {error}"}
    print(_REPORT_TAG + json.dumps(rows))
