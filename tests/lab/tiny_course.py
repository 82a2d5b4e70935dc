"""A two-exercise course small enough to release and execute in a second, for the lab's unit tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def _meta(grade_id: str, *, solution=False, grade=False, points=None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": not solution, "task": False,
            "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def chapter_notebook(title: str = "Tiny chapter", answer: str = "return 2 * x") -> nbformat.NotebookNode:
    """One exercise `double(x)`: statement, answer cell (solution marked), test cell with hidden tests."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}", metadata=_meta("intro")),
        nbformat.v4.new_code_cell("x = 21\nprint('x is', x)", metadata=_meta("setup")),
        nbformat.v4.new_markdown_cell("Write `double(x)`.", metadata=_meta("ex_statement")),
        nbformat.v4.new_code_cell(
            f"def double(x):\n    ### BEGIN SOLUTION\n    {answer}\n    ### END SOLUTION",
            metadata=_meta("ex1", solution=True)),
        nbformat.v4.new_code_cell(
            "assert double(2) == 4\nprint('✓ double works')\n"
            "### BEGIN HIDDEN TESTS\nassert double(-7) == -14\n### END HIDDEN TESTS",
            metadata=_meta("ex1_tests", grade=True, points=2)),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x is 21\n")]
    nb.cells[1].execution_count = 1
    return nb


def make_course(root: Path, chapters=("01_tiny", "02_tiny")) -> Path:
    """A course folder (the project's nbgrader_config.py + one tiny notebook per chapter); returns it."""
    course = Path(root) / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course / "nbgrader_config.py")
    for name in chapters:
        write_chapter(course, name)
    return course


def write_chapter(course: Path, name: str, title: str | None = None, **kwargs) -> Path:
    path = course / "source" / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(chapter_notebook(title=title or name, **kwargs), path)
    return path
