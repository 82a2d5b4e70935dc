"""`python -m autograder export FILE.csv`: one row per student and chapter, for the LMS or a spreadsheet.

Columns: student, assignment, score, max_score, flagged, flag_reasons, then one column per exercise
(`ex1_1`, ...) with its points. Scores come from nbgrader's gradebook (so manual changes made in
formgrader count); flags from autograder.json.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from .course import Course, write_atomic
from ..cells import exercise_of


def rows(course: Course) -> tuple[list[str], list[dict]]:
    results = course.results()
    exercises = list(dict.fromkeys(exercise_of(t) for r in results for t in r.tests))
    table = []
    with course.gradebook() as gb:
        for r in results:
            row = {"student": r.student, "assignment": r.assignment, "flagged": int(r.flagged),
                   "flag_reasons": "; ".join(r.flag_reasons)}
            total = 0.0
            for test_id, test in r.tests.items():
                try:
                    score = gb.find_grade(test_id, test.notebook, r.assignment, r.student).score
                except Exception:
                    score = test.score
                row[exercise_of(test_id)] = f"{score:g}"
                total += score
            row["score"], row["max_score"] = f"{total:g}", f"{r.max_score:g}"
            table.append(row)
    return ["student", "assignment", "score", "max_score", "flagged", "flag_reasons"] + exercises, table


def export(course: Course, path: Path) -> Path:
    header, table = rows(course)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="")
    writer.writeheader()
    writer.writerows(table)
    write_atomic(Path(path), buffer.getvalue())
    return Path(path)
