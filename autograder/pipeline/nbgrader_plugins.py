"""The course's extensions of nbgrader, plugged in through nbgrader's own configuration.

course/nbgrader_config.py sets:

* ``GenerateAssignment.preprocessors``: nbgrader's, then ``TagCellsThatMayFail`` (student versions
  run top to bottom while exercises are blank);
* ``Autograde.sanitize_preprocessors``: ``Restore`` first (the submission rebuilt around the instructor's
  notebook, as restore.py does for our command line: stock nbgrader aborts the whole batch on one
  student's duplicated test cell);
  and ``OverwriteCellsInLanguage`` in place of nbgrader's ``OverwriteCells`` (a Chinese submission keeps
  its Chinese locked text: nbgrader's gradebook holds the English);
* ``Autograde.autograde_preprocessors``: nbgrader's list with its ``Execute`` step replaced by
  ``JudgedExecute`` (the sandbox and the judge, exactly as ``python -m autograder grade`` runs them) and
  ``Neutralize`` added after ``SaveAutoGrades`` (no hidden-test text, no live student script in the
  graded notebook that formgrader renders).

So ``nbgrader autograde`` and formgrader's Autograde button grade the same way as our command line.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Float, Integer

from .. import cells


class TagCellsThatMayFail(NbGraderPreprocessor):
    """Tag answer and test cells `raises-exception`, so that Run All goes past a blank exercise.

    In a student version each exercise fails (NotImplementedError) until it is answered. JupyterLab
    stops Run All at a failing cell unless the cell carries this tag; with it, the rest of the chapter
    (its graphs, plots and the progress table) still runs. Grading ignores the tag, and nbgrader's
    checksums do not cover tags.
    """

    def preprocess_cell(self, cell, resources, index):
        if cells.is_test(cell) or cells.is_answer(cell):
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
        return cell, resources


def _source_notebook(config, resources):
    """The instructor's version of the notebook nbgrader is converting (from the course's source/)."""
    from nbgrader.coursedir import CourseDirectory

    info = resources["nbgrader"]
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
    return nbformat.read(folder / f"{info['notebook']}.ipynb", as_version=4)


class Restore(NbGraderPreprocessor):
    """Rebuild the submission around the instructor's notebook (restore.py): deleted, duplicated or
    edited locked cells come back as the instructor wrote them; the student's answers and added cells stay."""

    def preprocess(self, nb, resources):
        from .restore import restore

        restored, notes = restore(nb, _source_notebook(self.config, resources))
        for note in notes:
            self.log.info("%s: %s", resources["nbgrader"]["student"], note)
        restored.metadata = nb.metadata
        return restored, resources


class OverwriteCellsInLanguage(OverwriteCells):
    """nbgrader's OverwriteCells, except for the locked markdown of a submission in another language than
    English: Restore already put back the instructor's text in the student's language (languages.py),
    where nbgrader's gradebook only knows the English one."""

    def preprocess(self, nb, resources):
        from ..languages import ENGLISH, language_of

        self.translated = language_of(nb) != ENGLISH
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if self.translated and cell.cell_type == "markdown" and not cells.is_answer(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


class JudgedExecute(NbGraderPreprocessor):
    """nbgrader's Execute step, done by the sandbox and the judge (autograder/pipeline/grade.py)."""

    cell_timeout = Float(120.0, help="seconds per cell").tag(config=True)
    notebook_timeout = Float(900.0, help="seconds per notebook").tag(config=True)
    memory_mb = Integer(4096, help="memory per kernel, RAM-backed files included (MB); a notebook with do-it-yourself "
                                    "exercises runs two kernels at once").tag(config=True)
    disk_mb = Integer(512, help="what a notebook may write (MB)").tag(config=True)
    processes = Integer(64, help="processes and threads per kernel").tag(config=True)

    def preprocess(self, nb, resources):
        from .grade import grade_notebook
        from .sandbox import Limits

        info = resources["nbgrader"]
        source = _source_notebook(self.config, resources)
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        data_files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb") \
            if folder.is_dir() else []
        limits = Limits(self.cell_timeout, self.notebook_timeout, self.memory_mb, self.disk_mb, self.processes)
        graded = grade_notebook(nb, source, name=info["notebook"], limits=limits, data_files=data_files,
                                delimiters=cells.Delimiters.of(self.config))
        for event in graded.events:
            self.log.warning("%s: %s in %s: %s", info["student"], event.what, event.cell, event.detail)
        for reason in graded.flags:
            self.log.warning("%s: flagged: %s", info["student"], reason)
        return nb, resources


class Neutralize(NbGraderPreprocessor):
    """After grades are saved: hidden regions out of test cells, student outputs made safe (sanitize.py)."""

    def preprocess(self, nb, resources):
        from .sanitize import neutralize, strip_hidden

        strip_hidden(nb, cells.Delimiters.of(self.config))
        neutralize(nb)
        return nb, resources


def student_preprocessors() -> list:
    """nbgrader's GenerateAssignment preprocessors, then TagCellsThatMayFail."""
    from nbgrader.converters import GenerateAssignment

    return [*GenerateAssignment.class_traits()["preprocessors"].default(), TagCellsThatMayFail]


def sanitize_preprocessors() -> list:
    """nbgrader's Autograde sanitize steps, with Restore before them and OverwriteCellsInLanguage for
    OverwriteCells."""
    from nbgrader.converters import Autograde

    steps = Autograde.class_traits()["sanitize_preprocessors"].default()
    return [Restore, *(OverwriteCellsInLanguage if step is OverwriteCells else step for step in steps)]


def autograde_preprocessors() -> list:
    """nbgrader's Autograde preprocessors with Execute replaced by JudgedExecute and Neutralize added."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    steps = []
    for step in Autograde.class_traits()["autograde_preprocessors"].default():
        steps.append(JudgedExecute if step is Execute else step)
        if step is SaveAutoGrades:
            steps.append(Neutralize)
    return steps


os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
