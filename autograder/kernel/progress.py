"""How far a student has got: the visible checks of each exercise, rerun, as one table.

In a notebook, the last cell calls

    autograder.progress.show("01_leaf_tensors", globals())

which finds the student's functions by name in the notebook's namespace, reruns each exercise's
visible checks quietly and prints one row per exercise: passed, failed (with the first line of the
reason) or not attempted. It never raises and never writes to stderr.

From a terminal, `python -m autograder progress` (autograder/student/progress.py) runs every chapter
notebook of the workspace and asks its kernel for the same results (``report``). Hidden tests are not
run here: the judge runs them when the work is graded.

The table speaks the current language (``autograder.i18n``); a row's status stays the English word
(``PASSED``...: it is data, sent from a kernel to the terminal command) and is translated when shown.
Columns are aligned by display width, so that Chinese text (two columns a character) lines up too.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import unicodedata

from ..i18n import N_, _

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
_MARK = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·"}
_SHOWN = {PASSED: N_("passed"), FAILED: N_("failed"), NOT_ATTEMPTED: N_("not attempted")}
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
        row.detail = _("`{name}` is not defined yet").format(name=exercise.answer)
        return row
    quiet = io.StringIO()  # the ✓ line, warnings and the student's prints: not for this table
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            exercise(*(namespace.get(name) for name in exercise.names))
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a student's function may raise anything, even SystemExit
        if _not_implemented(error) or getattr(error, "not_attempted", False):
            row.detail = _("still raises NotImplementedError")
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
        return _("{chapter}: no graded exercises registered.").format(chapter=chapter)
    head = [_("Exercise"), _("Function"), _("Points"), _("Result")]
    id_width = max(_width(head[0]), *(_width(r.id) for r in rows), _width(_("Total")))
    name_width = max(_width(head[1]), *(_width(r.name) for r in rows))
    points_width = max(_width(head[2]), 7)
    lines = [_("Progress — {chapter} (visible checks; hidden tests run when your work is graded)").format(
                 chapter=chapter),
             f"  {_pad(head[0], id_width)} {_pad(head[1], name_width)}  {_pad(head[2], points_width, right=True)}"
             f"  {head[3]}"]
    for r in rows:
        result = f"{_MARK[r.status]} {_(_SHOWN[r.status])}"
        if r.detail and r.status == FAILED:
            result = _("{result}: {detail}").format(result=result, detail=r.detail)
        lines.append(f"  {_pad(r.id, id_width)} {_pad(r.name, name_width)}  "
                     f"{_pad(_points(r.earned, r.points), points_width, right=True)}  {result}")
    earned, total = sum(r.earned for r in rows), sum(r.points for r in rows)
    done = sum(r.status == PASSED for r in rows)
    lines.append(f"  {_pad(_('Total'), id_width)} {_pad('', name_width)}  "
                 f"{_pad(_points(earned, total), points_width, right=True)}  "
                 + _("{done} of {count} exercises pass their visible checks").format(done=done, count=len(rows)))
    return "\n".join(lines)


def _points(earned: int, total: int) -> str:
    return f"{earned} / {total}"


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns (on the left when ``right``)."""
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def show(chapter: str, namespace: dict) -> None:
    """Print the progress table of `chapter` for the functions in `namespace` (a notebook's globals())."""
    try:
        text = table(chapter, results(chapter, namespace))
    except Exception as error:  # a table that cannot be made must not look like a failed exercise
        text = _("Progress of {chapter} is unavailable ({error}).").format(
            chapter=chapter, error=f"{type(error).__name__}: {error}")
    print(text)


def report(chapter: str, namespace: dict) -> None:
    """Print the results as one tagged JSON line (what `python -m autograder progress` reads)."""
    try:
        rows = [dataclasses.asdict(r) for r in results(chapter, namespace)]
    except Exception as error:
        rows = {"error": f"{type(error).__name__}: {error}"}
    print(_REPORT_TAG + json.dumps(rows))
