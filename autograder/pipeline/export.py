"""`python -m autograder export FILE.csv`: one row per student and assignment, for the LMS or a spreadsheet.

Columns: student, assignment, status, score, max_score, flagged, flag_reasons, then one column per
exercise (`ex1_1`, ...) with its points. Status is one of

    graded          graded (scores from nbgrader's gradebook: manual changes made in formgrader count)
    invalid file    the student handed in a file that is not a notebook (kept under submitted/; 0 points)
    not graded yet  collected but not graded (run `python -m autograder grade`)
    not submitted   on the roster, nothing collected

With a roster (`--roster FILE.csv`, or the one `collect --roster` saved in the course) every student on
it has a row for every assignment that counts, so that the LMS import never silently leaves a student
out; a student graded but not on the roster is exported too, with "(not on the roster)" after the
status. An assignment counts once it is released or anybody handed it in (a chapter still in the works
is nobody's missing work); the command says which were left out. flag_reasons is the summary of
integrity.summarize (a line per kind of reason, "; " between them); autograder.json keeps every one.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..cells import exercise_of
from ..i18n import _, using
from .course import Course, CourseError, write_atomic
from .integrity import summarize

# A student's status per assignment in the export: "graded", "invalid file", "not graded yet" or "not submitted".


def gradebook_scores(course: Course, assignment: str | None = None) -> dict[tuple[str, str, str], float]:
    """{(student, assignment, test id): score} from nbgrader's gradebook, in one query."""
    from nbgrader.api import Assignment, Grade, GradeCell, Student, SubmittedAssignment, SubmittedNotebook

    scores = {}
    with course.gradebook() as gb:
        query = (gb.db.query(Student.id, Assignment.name, GradeCell.name, Grade.score)
                 .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                 .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                 .join(Student, SubmittedAssignment.student_id == Student.id)
                 .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                 .join(GradeCell, Grade.cell_id == GradeCell.id))
        if assignment:
            query = query.filter(Assignment.name == assignment)
        for student, a, test_id, score in query:
            scores[(student, a, test_id)] = float(score or 0.0)
    return scores


def apply_gradebook(course: Course, results: list) -> list:
    """The results with each test's score as the gradebook has it (manual grades count)."""
    scores = gradebook_scores(course)
    for r in results:
        for test_id, t in r.tests.items():
            t.score = scores.get((r.student, r.assignment, test_id), t.score)
    return results


def status_of(result) -> str:
    if result is None:
        return "not submitted"
    if any("is not a valid notebook" in reason for reason in result.flag_reasons):
        return "invalid file"
    return "graded"


def rows(
    course: Course, assignment: str | None = None, roster: list[str] | None = None
) -> tuple[list[str], list[dict]]:
    from . import collect

    assignments = counted_assignments(course, assignment)
    results = {
        (r.student, r.assignment): r for r in apply_gradebook(course, course.results()) if r.assignment in assignments
    }
    if roster is None:
        roster = collect.course_roster(course)
    submitted = {(s, a) for s in course.students() for a in assignments if (course.submitted / s / a).is_dir()}
    exercises = list(dict.fromkeys(exercise_of(t) for r in results.values() for t in r.tests))
    students = list(roster or [])
    extra = sorted(({s for s, _ in results} | {s for s, _ in submitted}) - set(students))
    table = []
    for student in students + extra:
        for a in assignments:
            r = results.get((student, a))
            if r is None and (student, a) not in submitted and (roster is None or student not in roster):
                continue  # without a roster: only what was handed in
            status = status_of(r) if r is not None or (student, a) not in submitted else "not graded yet"
            if roster is not None and student not in roster:
                status += " (not on the roster)"
            row = {"student": student, "assignment": a, "status": status}
            if r is not None:
                row.update(
                    score=f"{r.score:g}",
                    max_score=f"{r.max_score:g}",
                    flagged=int(r.flagged),
                    flag_reasons=english_summary(r.flag_reasons),
                )
                for test_id, test in r.tests.items():
                    row[exercise_of(test_id)] = f"{test.score:g}"
            else:
                row.update(score="0", flagged=0, flag_reasons="")
            table.append(row)
    header = ["student", "assignment", "status", "score", "max_score", "flagged", "flag_reasons"] + exercises
    return header, table


def export(
    course: Course, path: Path, assignment: str | None = None, roster: list[str] | None = None
) -> tuple[Path, dict[str, int]]:
    """Write the CSV; return its path and how many rows have each status."""
    path = Path(path)
    if path.is_dir():
        raise CourseError(_("{path} is a folder: give the CSV file to write (e.g. {example})").format(
            path=path, example=path / "grades.csv"))
    header, table = rows(course, assignment, roster)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="")
    writer.writeheader()
    writer.writerows(table)
    try:
        write_atomic(path, buffer.getvalue())
    except OSError as err:
        raise CourseError(_("cannot write {path}: {error}").format(path=path, error=err.strerror or err)) from None
    counts: dict[str, int] = {}
    for row in table:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return path, counts


def english_summary(reasons: list[str]) -> str:
    """A submission's flag reasons as the CSV has them: the summary, in English (for the LMS)."""
    with using("en"):
        return "; ".join(summarize(reasons))


def counted_assignments(course: Course, assignment: str | None = None) -> list[str]:
    """The assignments a grade sheet counts: the one asked for, else every one released (release/) or
    handed in by anybody (never a chapter still in the works, which would be every student's 0)."""
    if assignment:
        return [assignment]
    handed_in = {d.name for folder in (course.submitted, course.autograded) for d in folder.glob("*/*") if d.is_dir()}
    return [a for a in course.assignments() if a in handed_in or any((course.release / a).glob("*.ipynb"))]


def included_assignments(course: Course, assignment: str | None = None) -> str:
    """'assignments included: 01_leaf_tensors (left out, never released and never handed in: 02_backward,
    ...)': which assignments a grade sheet or report counts."""
    counted = counted_assignments(course, assignment)
    text = _("assignments included: {assignments}").format(assignments=", ".join(counted) or "-")
    left_out = [a for a in course.assignments() if a not in counted]
    if left_out and not assignment:
        text += " " + _("(left out, never released and never handed in: {assignments})").format(
            assignments=", ".join(left_out))
    return text
