"""`python -m autograder feedback`: one HTML file per student and chapter, safe to hand out.

Built from the autograded notebook and autograder.json: a summary on top (score per exercise, what
went wrong and where, cells that were restored), then the notebook with the test cells' messages.
Hidden tests never leave: their code is cut from the test cells, tracebacks are reduced to the error
message, and any output line that repeats a line of hidden test code is dropped.
"""
from __future__ import annotations

import html
from pathlib import Path

import nbformat

from .course import Course, write_atomic
from .restore import is_test


def _hidden_lines(source: str) -> set[str]:
    lines, hidden = set(), False
    for line in source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif hidden and len(line.strip()) > 8:
            lines.add(line.strip())
    return lines


def sanitize(nb) -> None:
    """Remove hidden test code (and its echoes) from every test cell, in place."""
    from nbgrader.preprocessors import ClearHiddenTests

    secret = set()
    for cell in nb.cells:
        if is_test(cell):
            secret |= _hidden_lines(cell.source)
    ClearHiddenTests().preprocess(nb, {})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                out.traceback = [f"{out.ename}: {out.evalue}"]
            if "text" in out:
                out.text = "".join(ln for ln in out.text.splitlines(True) if ln.strip() not in secret)
        if is_test(cell):
            cell.source = "\n".join(ln for ln in cell.source.splitlines() if ln.strip() not in secret)


def summary_cell(result: dict, notebook: str):
    rows = "".join(
        f"<tr><td>{html.escape(tid.removesuffix('_tests'))}</td><td>{t['score']:g} / {t['max_score']:g}</td>"
        f"<td>{html.escape(t['message'] or ('passed' if t['score'] == t['max_score'] else t['status']))}</td></tr>"
        for tid, t in result["tests"].items() if t["notebook"] == notebook)
    parts = [f"<h2>Feedback: {html.escape(result['assignment'])} — {result['score']:g} / {result['max_score']:g}</h2>",
             f"<table><tr><th>exercise</th><th>points</th><th>message</th></tr>{rows}</table>"]
    for e in result["events"]:
        parts.append(f"<p><b>What happened:</b> in {html.escape(e['cell'])}: {html.escape(e['detail'])}. "
                     "Tests after that cell were not run and score 0; points earned before it are kept.</p>")
    for note in result["notes"]:
        parts.append(f"<p>Note: {html.escape(note)}.</p>")
    if result.get("flagged"):
        parts.append("<p>This submission was flagged for review by your instructor.</p>")
    return nbformat.v4.new_markdown_cell("\n".join(parts))


def notebook_html(course: Course, result: dict, notebook: str) -> str:
    from nbconvert import HTMLExporter

    path = course.autograded / result["student"] / result["assignment"] / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4) if path.is_file() else nbformat.v4.new_notebook()
    sanitize(nb)
    nb.cells.insert(0, summary_cell(result, notebook))
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return body


def generate(course: Course, student: str | None = None, assignment: str | None = None, progress=None) -> list[Path]:
    """Write feedback/<student>/<assignment>/<notebook>.html for every graded submission."""
    from .ui import Progress

    results = [r for r in course.results() if (not student or r["student"] == student)
               and (not assignment or r["assignment"] == assignment)]
    bar = progress or Progress(len(results), "feedback")
    written = []
    for result in results:
        for notebook in sorted({t["notebook"] for t in result["tests"].values()}):
            target = course.feedback / result["student"] / result["assignment"] / f"{notebook}.html"
            write_atomic(target, notebook_html(course, result, notebook))
            written.append(target)
        bar.step(f"{result['student']}/{result['assignment']}")
    return written
