"""Rebuild a submission around the instructor's copy before it runs.

What runs is: the instructor's notebook, cell for cell in its order, where every answer cell holds the
student's answer, plus the cells the student added (kept after the instructor cell they followed).
So a deleted, duplicated, moved or edited test cell (or any other locked cell) is simply the
instructor's version again, with its hidden tests and its points from source/; the student's copy of a
locked cell is never run. Notes say what was restored; none of this is a tamper flag, because students
delete and duplicate cells by accident.
"""
from __future__ import annotations

import copy
import uuid

import nbformat

from ..cells import grade_id, is_answer, is_test, visible_part
from ..languages import source_for


def _fresh(cell):
    """A copy of a cell with no outputs and a new id."""
    cell = copy.deepcopy(cell)
    if cell.get("cell_type") == "code":
        cell["outputs"], cell["execution_count"] = [], None
    cell["id"] = uuid.uuid4().hex[:12]
    return cell


def _student_cell(cell):
    """A cell the student added: kept, but without any nbgrader metadata it may carry."""
    cell = _fresh(cell)
    cell.get("metadata", {}).pop("nbgrader", None)
    return cell


# nbgrader's cell metadata, by key: the types its schema gives them (nbgrader/nbgraderformat/v3.json; read
# from there, it would cost importing nbgrader, 2 to 5 s)
NBGRADER_TYPES = {"grade_id": str, "grade": bool, "solution": bool, "locked": bool, "task": bool,
                  "points": (int, float), "schema_version": int}


def _well_formed(cell) -> bool:
    """Does the cell's nbgrader metadata, if any, have nbgrader's shape? (A submission may hold anything.)"""
    metadata = cell.get("metadata", {})
    if not isinstance(metadata, dict) or "nbgrader" not in metadata:
        return True  # nbformat's validation refuses metadata that is not a mapping
    meta = metadata["nbgrader"]
    return isinstance(meta, dict) and all(isinstance(meta[k], kind) for k, kind in NBGRADER_TYPES.items() if k in meta)


def restore(submission, source) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to run (a new object) and notes on what was restored.

    A bilingual ``source`` is first narrowed to the submission's own language (its metadata), so the
    restored prose, and so the graded notebook and its feedback, speak the student's language."""
    source = source_for(submission, source)
    known = {grade_id(c): c for c in source.cells if grade_id(c)}
    answers: dict[str, object] = {}
    extras: dict[str | None, list] = {None: []}  # student cells, by the known cell they follow
    seen: dict[str, int] = {}
    notes: list[str] = []
    anchor = None
    for number, cell in enumerate(submission.cells, 1):
        if not _well_formed(cell):  # e.g. "nbgrader": 5, or a list as grade_id
            notes.append(f"cell {number} had malformed grading metadata: it was kept as the student's own cell")
            extras.setdefault(anchor, []).append(_student_cell(cell))
            continue
        gid = grade_id(cell)
        if gid in known and cell.get("cell_type") == known[gid].get("cell_type"):
            seen[gid] = seen.get(gid, 0) + 1
            if is_answer(known[gid]):
                if gid in answers:  # a copy of an answer cell: the student's code, run where it was
                    extras.setdefault(anchor, []).append(_student_cell(cell))
                    continue
                answers[gid] = cell
            elif seen[gid] == 2:
                notes.append(f"cell {gid} was duplicated: the copy was removed")
            elif seen[gid] == 1 and is_test(known[gid]) and _visible(cell) != _visible(known[gid]):
                notes.append(f"test cell {gid} was edited: the instructor's version was restored")
            anchor = gid
        else:
            extras.setdefault(anchor, []).append(_student_cell(cell))

    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata))
    out.cells.extend(extras[None])
    for cell in source.cells:
        gid = grade_id(cell)
        if gid is None:  # an instructor cell without nbgrader metadata: nbgrader does not protect it
            continue
        if is_answer(cell):
            if gid in answers:
                mine = _fresh(cell)
                mine["source"] = answers[gid].get("source", "")
                out.cells.append(mine)
            else:
                notes.append(f"answer cell {gid} is missing from the submission")
        else:
            if gid not in seen and is_test(cell):
                notes.append(f"test cell {gid} was deleted: the instructor's version was restored")
            out.cells.append(_fresh(cell))
        out.cells.extend(extras.get(gid, []))
    return out, notes


def _visible(cell) -> list[str]:
    """The non-blank lines of a test cell a student sees (outside the hidden region)."""
    try:
        text = visible_part(cell.get("source", ""))
    except ValueError:  # an unbalanced region: the student's copy was edited
        return ["<unreadable>"]
    return [line.rstrip() for line in text.splitlines() if line.strip()]
