"""`python -m autograder export FILE.csv`: one row per student and assignment, for the LMS or a spreadsheet.

Columns: student, assignment, status, score, max_score, flagged, flag_reasons, then one column per
exercise (`ex1_1`, ...) with its points. Status is one of

    graded          graded (scores from nbgrader's gradebook: manual changes made in formgrader count)
    invalid file    the student handed in a file that is not a notebook (kept under submitted/; 0 points)
    not graded yet  collected but not graded (run `python -m autograder grade`)
    not submitted   on the roster, nothing collected

With a roster (`--roster FILE.csv`, or the one `collect --roster` saved in the course) every student on
it has a row for every assignment, so that the LMS import never silently leaves a student out; a
student graded but not on the roster is exported too, with "(not on the roster)" after the status.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..cells import exercise_of
from .course import Course, write_atomic

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

    assignments = [assignment] if assignment else course.assignments()
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
                    flag_reasons="; ".join(r.flag_reasons),
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
    header, table = rows(course, assignment, roster)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="")
    writer.writeheader()
    writer.writerows(table)
    write_atomic(Path(path), buffer.getvalue())
    counts: dict[str, int] = {}
    for row in table:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return Path(path), counts
