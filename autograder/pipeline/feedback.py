"""`python -m autograder feedback`: one HTML file per student and chapter, safe to hand out.

Built from the graded notebook and autograder.json: a summary on top (score per exercise, the judge's
message, what stopped the notebook, cells that were restored), then the notebook with the judge's
verdict in each test cell. Nothing secret or live can be in it: the graded notebook already has no
hidden-test text (the judge never put any in the kernel, and the hidden regions are stripped before
it is written) and only neutralized outputs (sanitize.py); the HTML export sanitizes once more and
reduces tracebacks to their message.
"""
from __future__ import annotations

import html
from pathlib import Path

import nbformat

from ..i18n import _, using
from ..languages import language_of
from .course import Course, write_atomic
from .results import Result
from .sanitize import neutralize, strip_hidden


def summary_cell(result: Result, notebook: str):
    """The summary on top, in the language of the notebook it is put on (see notebook_html)."""
    rows = "".join(
        f"<tr><td>{html.escape(tid.removesuffix('_tests'))}</td><td>{t.score:g} / {t.max_score:g}</td>"
        f"<td>{html.escape(t.message or t.status)}</td></tr>"
        for tid, t in result.tests.items() if t.notebook == notebook)
    title = _("Feedback: {assignment} — {score} / {max_score}").format(
        assignment=html.escape(result.assignment), score=f"{result.score:g}", max_score=f"{result.max_score:g}")
    header = "".join(f"<th>{name}</th>" for name in (_("exercise"), _("points"), _("message")))
    parts = [f"<h2>{title}</h2>", f"<table><tr>{header}</tr>{rows}</table>"]
    for e in result.events:
        parts.append("<p>" + _("<b>What happened:</b> in {cell}: {detail}. Tests after that cell were not run and "
                               "score 0; points earned before it are kept.").format(
            cell=html.escape(e.cell), detail=html.escape(e.detail)) + "</p>")
    for note in result.notes:
        parts.append("<p>" + _("Note: {note}.").format(note=html.escape(note)) + "</p>")
    if result.flagged:
        parts.append("<p>" + _("This submission was flagged for review by your instructor.") + "</p>")
    return nbformat.v4.new_markdown_cell("\n".join(parts))


def notebook_html(course: Course, result: Result, notebook: str) -> str:
    from nbconvert import HTMLExporter

    path = course.autograded / result.student / result.assignment / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4) if path.is_file() else nbformat.v4.new_notebook()
    strip_hidden(nb)  # graded notebooks have none; a notebook graded by an older version might
    neutralize(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out.traceback = [f"{out.ename}: {out.evalue}"]
    with using(language_of(nb)):  # the student's language, as the judge's verdicts in the notebook
        nb.cells.insert(0, summary_cell(result, notebook))
    exporter = HTMLExporter(template_name="lab")
    exporter.sanitize_html = True
    body, _ = exporter.from_notebook_node(nb)
    return body


def generate(course: Course, student: str | None = None, assignment: str | None = None, progress=None) -> list[Path]:
    """Write feedback/<student>/<assignment>/<notebook>.html for every graded submission."""
    from .ui import Progress

    from .export import apply_gradebook

    results = [r for r in course.results() if (not student or r.student == student)
               and (not assignment or r.assignment == assignment)]
    if results:
        results = apply_gradebook(course, results)  # manual grades made in formgrader count
    bar = progress or Progress(len(results), _("feedback"))
    written = []
    for result in results:
        for notebook in sorted({t.notebook for t in result.tests.values()}):
            target = course.feedback / result.student / result.assignment / f"{notebook}.html"
            write_atomic(target, notebook_html(course, result, notebook))
            written.append(target)
        bar.step(f"{result.student}/{result.assignment}")
    return written
