"""Student versions of the chapters: nbgrader's generate_assignment, run in this process.

`generate_release(course_dir)` turns every `course/source/<chapter>/<chapter>.ipynb` into
`course/release/<chapter>/<chapter>.ipynb`: solutions replaced by `raise NotImplementedError()`,
hidden tests removed, outputs cleared, and the chapter recorded in nbgrader's gradebook (the grading
pipeline needs that record). The bilingual result is then split by language (languages.py): the
English version in nbgrader's place, the Chinese one at `release/<chapter>/zh/<chapter>.ipynb`, same
cells, grade_ids and points. It runs nbgrader's GenerateAssignment converter in this process, as
nbgrader's own NbGraderAPI.generate_assignment does (without the API's exchange set-up), instead of
its command line, which costs about 3 s to start each time.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .. import languages
from ..i18n import _
from .course import Course, CourseError
from .nbgrader_plugins import autograde_preprocessors, sanitize_preprocessors, student_preprocessors


class ReleaseError(CourseError):
    """nbgrader could not generate a chapter's student version."""


def chapters(course_dir: Path) -> list[str]:
    """The chapters of a course: every `source/<name>/<name>.ipynb`, sorted by name."""
    source = Path(course_dir) / "source"
    if not source.is_dir():
        return []
    return sorted(d.name for d in source.iterdir() if (d / f"{d.name}.ipynb").is_file())


def released_notebook(course_dir: Path, chapter: str) -> Path:
    """Where nbgrader writes the student version of `chapter`."""
    return Path(course_dir) / "release" / chapter / f"{chapter}.ipynb"


def generate_release(course_dir: Path, assignment: str | None = None, db_url: str | None = None) -> list[Path]:
    """Generate the student version of one chapter (or of all of them); return the notebooks at nbgrader's
    place (English; each other language's version is at ``languages.variant_path`` beside it).

    Raises ReleaseError, with nbgrader's log, when nbgrader fails or the chapter does not exist.
    """
    course_dir = Path(course_dir).resolve()
    names = chapters(course_dir)
    if assignment is not None:
        if assignment not in names:
            raise ReleaseError(
                _("no chapter {name} in {folder} (chapters: {chapters})").format(
                    name=repr(assignment), folder=course_dir / "source", chapters=", ".join(names) or _("none"))
            )
        names = [assignment]

    for name in names:  # before nbgrader writes anything: a source whose languages are not paired
        _check_languages(course_dir, name)
    config = _course_config(course_dir, db_url)
    Course(course_dir).check_gradebook(config.CourseDirectory.db_url)  # nbgrader would create a missing one
    written = []
    with _venv_on_path(), _quiet_nbgrader():
        for name in names:
            coursedir = CourseDirectory(config=config, assignment_id=name)
            app = GenerateAssignment(coursedir=coursedir, config=config, force=True, create_assignment=True)
            result = capture_log(app)  # runs app.start(); {"success": bool, "log": str, "error": str}
            notebook = released_notebook(course_dir, name)
            if not result["success"] or not notebook.is_file():
                detail = result.get("error") or result.get("log") or "no log"
                raise ReleaseError(_("nbgrader could not release {name}:\n{detail}").format(name=name, detail=detail))
            languages.write_variants(notebook)  # the other languages beside it (variant_path)
            written.append(notebook)
            _publish(config, name)
    return written


def not_released(failed: list[str], limits) -> str:
    """The error for chapters whose solutions do not score full marks in the grading sandbox: this
    machine's problem when the sandbox cannot run the course at all (the source is not to blame then),
    else the source's."""
    from .grade import diagnose

    cause = diagnose(limits)
    if cause:
        return _("error: not released: the solutions could not be checked, because the grading sandbox cannot "
                 "run the course: {cause}; fix this machine's environment (not the source), then release "
                 "again").format(cause=cause)
    return _("error: not released, fix the source first: {assignments}").format(assignments=", ".join(failed))


def _check_languages(course_dir: Path, name: str) -> None:
    """Raise ReleaseError naming every cell of the chapter's source that breaks the two-language format
    (course/TEMPLATE.md). A chapter not translated yet (English cells without twins) is released in
    English for everyone."""
    import nbformat

    path = course_dir / "source" / name / f"{name}.ipynb"
    try:
        languages.check_pairs(nbformat.read(path, as_version=4), complete=False)
    except languages.PairingError as err:
        raise ReleaseError(f"{path}: {err}") from None


def _publish(config: Config, name: str) -> None:
    """Put the student version into the course's exchange (nbgrader's release_assignment), so that
    formgrader shows the chapter as released. Only where the course configures an exchange folder
    inside itself (course/nbgrader_config.py sets Exchange.root)."""
    root = config.Exchange.get("root") if "Exchange" in config else None
    course_root = config.CourseDirectory.root
    if not root or not str(root).startswith(str(course_root)) or not config.CourseDirectory.get("course_id"):
        return
    from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment

    os.makedirs(root, exist_ok=True)
    coursedir = CourseDirectory(config=config, assignment_id=name)
    app = ExchangeReleaseAssignment(coursedir=coursedir, config=config)
    app.force = True
    try:
        app.start()
    except Exception as err:  # the student versions exist; formgrader will only say "draft"
        logging.getLogger("autograder").warning("could not publish %s to the exchange: %s", name, err)


def _course_config(course_dir: Path, db_url: str | None = None) -> Config:
    """The course's nbgrader_config.py (if any), with the course root pinned to `course_dir` (and the
    gradebook at `db_url` when given: --db)."""
    config = Config()
    config_file = course_dir / "nbgrader_config.py"
    if config_file.is_file():
        config.merge(PyFileConfigLoader(config_file.name, path=str(course_dir)).load_config())
    config.CourseDirectory.root = str(course_dir)
    if db_url:
        config.CourseDirectory.db_url = db_url
    elif "db_url" not in config.CourseDirectory:
        config.CourseDirectory.db_url = "sqlite:///" + str(course_dir / "gradebook.db")
    else:
        from .course import normalize_db_url

        config.CourseDirectory.db_url = normalize_db_url(config.CourseDirectory.db_url)
    if "preprocessors" not in config.GenerateAssignment:  # a course config without our steps
        config.GenerateAssignment.preprocessors = student_preprocessors()
    if "autograde_preprocessors" not in config.Autograde:
        config.Autograde.autograde_preprocessors = autograde_preprocessors()
    if "sanitize_preprocessors" not in config.Autograde:
        config.Autograde.sanitize_preprocessors = sanitize_preprocessors()
    return config


@contextlib.contextmanager
def _venv_on_path():
    """nbgrader starts console scripts (alembic) as subprocesses: they must be this Python's."""
    bin_dir = str(Path(sys.executable).parent)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = bin_dir + os.pathsep + old
    try:
        yield
    finally:
        os.environ["PATH"] = old


@contextlib.contextmanager
def _quiet_nbgrader():
    """nbgrader logs every file it copies; its log comes back in the API's result instead."""
    logger = logging.getLogger("traitlets")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
