"""`python -m autograder demo`: the whole pipeline on a synthetic class it generates.

The class: one student who solves everything, one who solves half, one who slips in every exercise
(a sign flipped in each solution), one who hands in the blank release, one broken file and one cheat who
monkeypatches torch and the checks in the kernel (which decides nothing: the judge grades outside it).
The demo course lives in course/demo/ (ignored by git), built from course/source (or, while the
course has no chapters, from a tiny three-exercise course).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import nbformat

from ..cells import grade_id, is_answer
from ..i18n import _

CHEAT = """import torch
import autograder.exercises.base as _base
torch.allclose = lambda *args, **kwargs: True
_base.Exercise.judge = lambda *args, **kwargs: None  # every visible check now passes, in this kernel
"""

# ---------------------------------------------------------------- the tiny course

_TINY = [
    ("markdown", "title", "# Demo | 演示\nThree small exercises on torch.autograd.", None),
    ("code", "setup", "import torch", None),
    ("markdown", "ex0_1_statement", "**Exercise 0.1** `grad_of_square(x)`: d(x²)/dx at `x`, as a float.", None),
    (
        "answer",
        "ex0_1",
        'def grad_of_square(x):\n    """d(x**2)/dx at x, computed by torch.autograd."""\n'
        "    ### BEGIN SOLUTION\n    t = torch.tensor(float(x), requires_grad=True)\n    (t ** 2).backward()\n"
        "    return t.grad.item()\n    ### END SOLUTION",
        None,
    ),
    (
        "test",
        "ex0_1_tests",
        "from autograder.exercises.demo import check_ex0_1\ncheck_ex0_1(grad_of_square)\n"
        "### BEGIN HIDDEN TESTS\ncheck_ex0_1.hidden(grad_of_square, low=-3.0, high=3.0, repeat=7)\n"
        "### END HIDDEN TESTS",
        1,
    ),
    ("markdown", "ex0_2_statement", "**Exercise 0.2** `scaled_sum_grad(w, c)`: the gradient of `(c * w).sum()`.", None),
    (
        "answer",
        "ex0_2",
        'def scaled_sum_grad(w, c):\n    """The gradient of (c * w).sum() with respect to w."""\n'
        "    ### BEGIN SOLUTION\n    w = w.detach().clone().requires_grad_(True)\n    (c * w).sum().backward()\n"
        "    return w.grad\n    ### END SOLUTION",
        None,
    ),
    (
        "test",
        "ex0_2_tests",
        "from autograder.exercises.demo import check_ex0_2\ncheck_ex0_2(scaled_sum_grad)\n"
        "### BEGIN HIDDEN TESTS\ncheck_ex0_2.hidden(scaled_sum_grad, shape=(4, 5), repeat=2)\n### END HIDDEN TESTS",
        2,
    ),
    (
        "markdown",
        "ex0_3_statement",
        "**Exercise 0.3** `grad_by_hand(x)`: d(x·sin x)/dx at `x`, derived by hand "
        "(no autograd: it is graded a second time without torch).",
        None,
    ),
    (
        "answer",
        "ex0_3",
        'import math\n\n\ndef grad_by_hand(x):\n    """d(x sin x)/dx = sin x + x cos x."""\n'
        "    ### BEGIN SOLUTION\n    return math.sin(x) + x * math.cos(x)\n    ### END SOLUTION",
        None,
    ),
    (
        "test",
        "ex0_3_tests",
        "from autograder.exercises.demo import check_ex0_3\ncheck_ex0_3(grad_by_hand)\n"
        "### BEGIN HIDDEN TESTS\ncheck_ex0_3.hidden(grad_by_hand, repeat=5)\n### END HIDDEN TESTS",
        1,
    ),
]
TINY_WRONG = {
    "ex0_1": [
        ("returns x instead of 2x", "def grad_of_square(x):\n    return float(x)"),
        (
            "returns a tensor",
            "def grad_of_square(x):\n    t = torch.tensor(float(x), requires_grad=True)\n"
            "    (t ** 2).backward()\n    return t.grad",
        ),
    ],
    "ex0_2": [("returns w", "def scaled_sum_grad(w, c):\n    return w")],
    "ex0_3": [("forgets the product rule", "import math\ndef grad_by_hand(x):\n    return math.cos(x)")],
}


def tiny_notebook() -> nbformat.NotebookNode:
    """The tiny course's source notebook: three exercises, 1 + 2 + 1 points."""
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    for kind, gid, text, points in _TINY:
        meta = {
            "grade": kind == "test",
            "solution": kind == "answer",
            "locked": kind != "answer",
            "task": False,
            "grade_id": gid,
            "schema_version": 3,
        }
        if points:
            meta["points"] = points
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(text, metadata={"nbgrader": meta}))
    return nb


def write_tiny_course(root: Path, name: str = "00_demo") -> Path:
    """A course folder with nbgrader_config.py and one tiny assignment (for tests and the demo)."""
    root = Path(root)
    (root / "source" / name).mkdir(parents=True, exist_ok=True)
    nbformat.write(tiny_notebook(), root / "source" / name / f"{name}.ipynb")
    _write_config(root)
    return root


def _write_config(root: Path) -> None:
    repo_config = Path(__file__).resolve().parents[2] / "course" / "nbgrader_config.py"
    if repo_config.is_file():
        shutil.copy(repo_config, root / "nbgrader_config.py")
    else:
        (root / "nbgrader_config.py").write_text(
            "import os\nc = get_config()\nc.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))\n"
        )


# ---------------------------------------------------------------- synthetic students


def typical_mistake(solution: str) -> str | None:
    """A solution with one typical slip: the first ``+`` of its solution region turned into ``-``
    (None when there is no ``+`` to turn)."""
    lines = solution.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside and " + " in line:
            lines[i] = line.replace(" + ", " - ", 1)
            return "\n".join(line for line in lines if line)
    return None


def student_notebook(source, release, answers: dict[str, str | None]) -> str:
    """The release notebook with answer cells replaced: answers[gid] = code, or None for the solution."""
    solutions = {grade_id(c): c.source for c in source.cells if is_answer(c)}
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    for cell in nb.cells:
        gid = grade_id(cell)
        if is_answer(cell) and gid in answers:
            cell.source = solutions[gid] if answers[gid] is None else answers[gid]
    return nbformat.writes(nb)


def synthetic_class(course_root: Path, assignment: str, notebook: str) -> dict[str, str]:
    """{file name as an LMS exports it: notebook text} for the six demo students."""
    root = Path(course_root)
    source = nbformat.read(root / "source" / assignment / f"{notebook}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / assignment / f"{notebook}.ipynb", as_version=4)
    ids = [grade_id(c) for c in source.cells if is_answer(c)]
    wrong = TINY_WRONG if assignment == "00_demo" else {}
    solutions = {grade_id(c): c.source for c in source.cells if is_answer(c)}
    first_wrong = {gid: wrong[gid][0][1] if wrong.get(gid) else typical_mistake(solutions[gid]) for gid in ids}
    first_wrong = {gid: code for gid, code in first_wrong.items() if code}
    cheat = {gid: None for gid in []}
    if ids:
        cheat = {ids[0]: CHEAT + "\n" + _blank(release, ids[0])}
    files = {
        "alice": student_notebook(source, release, {gid: None for gid in ids}),
        "bob": student_notebook(source, release, {gid: None for gid in ids[: (len(ids) + 1) // 2]}),
        "carol": student_notebook(
            source,
            release,
            {gid: first_wrong.get(gid) for gid in ids if gid in first_wrong}
            | {gid: None for gid in ids if gid not in first_wrong},
        ),
        "dave": nbformat.writes(release),
        "erin": '{"cells": [ {"cell_type": "code", "source": "broken by a bad upload',
        "mallory": student_notebook(source, release, cheat),
    }
    return {f"{s}_{notebook}_submitted.ipynb": text for s, text in files.items()}


def _blank(release, gid) -> str:
    return next(c.source for c in release.cells if grade_id(c) == gid)


def write_class_zip(course_root: Path, path: Path, assignments: list[str]) -> Path:
    """A zip of the synthetic class's submissions, named the way an LMS exports them."""
    with zipfile.ZipFile(path, "w") as zf:
        for a in assignments:
            for name, text in synthetic_class(course_root, a, a).items():
                zf.writestr(f"export/{name}", text)
    return path


# ---------------------------------------------------------------- the demo


def run_demo(course_dir: Path, jobs: int | None = None, out=print) -> int:
    """Build course/demo from the course's chapters and run release, collect, grade, feedback, export, report."""
    from . import collect, export, feedback, grade, report, release
    from .course import open_course

    course_dir = Path(course_dir).resolve()
    demo = course_dir / "demo"
    if demo.exists():
        shutil.rmtree(demo)
    demo.mkdir(parents=True)
    chapters = release.chapters(course_dir)
    if chapters:
        shutil.copytree(course_dir / "source", demo / "source")
        _write_config(demo)
    else:
        out("course/source has no chapters yet: the demo uses a tiny two-exercise course")
        write_tiny_course(demo)
    course = open_course(demo)
    out(f"1. release: {len(release.generate_release(demo))} notebooks in {course.release}")
    archive = write_class_zip(demo, demo / "class_export.zip", course.assignments())
    out(f"2. collect {archive.name}")
    out(collect.summary(collect.collect(course, archive)))
    out("3. grade")
    results = grade.grade(course, jobs=jobs)
    out(grade_summary(results, course))
    written = feedback.generate(course)
    out(f"4. feedback: {len(written)} HTML files in {course.feedback}")
    csv_path, _counts = export.export(course, demo / "grades.csv")
    out(f"5. export: {csv_path}")
    out("6. report")
    out(report.report(course))
    return 0


def grade_summary(results: list, course=None) -> str:
    """The batch's table, students and assignments in order (not in the order they finished), then how
    the kernels ran and the invalid files of the course."""
    from .integrity import summarize
    from .sandbox import limits_status, sandbox_status
    from .ui import table
    from .zygote import zygote_status

    rows = [
        [
            r.student,
            r.assignment,
            f"{r.score:g}/{r.max_score:g}",
            _("FLAGGED") if r.flagged else "",
            "; ".join(summarize(r.flag_reasons))
            or "; ".join(_("{what} in {cell}").format(what=e.what, cell=e.cell) for e in r.events),
        ]
        for r in sorted(results, key=lambda r: (natural_key(r.student), natural_key(r.assignment)))
    ]
    not_graded = getattr(results, "not_graded", [])  # grade.Graded: what the grading machine failed on
    text = (
        table(rows, [_("student"), _("assignment"), _("score"), _("flag"), _("why / what happened")], wrap=70)
        if rows
        else "" if not_graded else _("nothing new to grade")
    )
    status, limits = sandbox_status(), limits_status()
    zygote = next((r.kernels for r in results if r.kernels), None) if results else zygote_status()
    lines = [
        text,
        _("*** WARNING: {status}").format(status=status)
        if status
        else _("sandbox: bubblewrap (no network, course hidden); verdicts by the judge, outside the kernel"),
    ]
    if limits and not status:
        lines.append(_("*** NOTE: {limits}").format(limits=limits))
    if rows:
        lines.append(zygote or _("kernels: forked from a sandboxed zygote that has imported torch (one per worker)"))
    if not_graded:
        from .grade import not_graded_summary

        lines.append(not_graded_summary(not_graded))
    if course is not None:
        invalid = invalid_results(course)
        if invalid:
            lines.append(_("invalid files (kept, graded 0 and flagged): {files}").format(files=", ".join(invalid)))
    return "\n".join(line for line in lines if line)


def natural_key(text: str):
    """'s2' before 's10'."""
    import re

    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def invalid_results(course) -> list[str]:
    """student/assignment of every graded submission whose file was not a valid notebook."""
    return [
        f"{r.student}/{r.assignment}"
        for r in course.results()
        if any("is not a valid notebook" in reason for reason in r.flag_reasons)
    ]
