"""The course folder in nbgrader's layout, and the small helpers every pipeline command shares.

    course/
      nbgrader_config.py
      source/<assignment>/<notebook>.ipynb        the instructor's notebooks (solutions, hidden tests)
      release/<assignment>/...                     student versions (python -m autograder release)
      submitted/<student>/<assignment>/...         collected submissions (python -m autograder collect)
      autograded/<student>/<assignment>/...        executed notebooks + autograder.json (grade)
      feedback/<student>/<assignment>/<nb>.html    what students get back (feedback)
      reports/                                     report.md, scores_<assignment>.png (report)
      gradebook.db                                 nbgrader's gradebook: formgrader reads it
      .gradebook-url                               where grade recorded the grades (GRADEBOOK_NOTE)
"""
from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _

RESULT_FILE = "autograder.json"  # next to the autograded notebooks: per-test results, flags, notes
# The gradebook that `grade` records this course's grades in, as a URL without its password ($COURSE: the
# course folder). Every command that opens a gradebook checks it: with --db forgotten once, a command
# would otherwise create a fresh, empty gradebook.db and miss the grades (manual ones too) held elsewhere.
GRADEBOOK_NOTE = ".gradebook-url"


class CourseError(RuntimeError):
    """Bad input from the instructor: the message says what is wrong and what to do."""


def normalize_db_url(url: str) -> str:
    """A gradebook URL as SQLAlchemy takes it: ``sqlite:///FILE`` or ``postgresql://USER@HOST/DB`` (the
    psycopg 3 driver, pinned in pyproject.toml; ``postgres://`` is read as ``postgresql://``)."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not (url.startswith("sqlite:///") or url.startswith("postgresql+psycopg://")):
        raise CourseError(f"--db {url!r}: give sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE "
                          "(or postgresql://USER@/DATABASE?host=/socket/folder)")
    return url


def show_db(url: str) -> str:
    """A gradebook URL with its password hidden (for messages)."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@dataclass(frozen=True)
class Course:
    root: Path
    db_url: str | None = None  # --db: the gradebook's URL; None: nbgrader_config.py's, else gradebook.db

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def assignments(self) -> list[str]:
        """Every folder of source/ that holds at least one notebook, sorted."""
        if not self.source.is_dir():
            return []
        return sorted(d.name for d in self.source.iterdir()
                      if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.ipynb")))

    def notebooks(self, assignment: str) -> list[str]:
        """The notebook names (without .ipynb) of an assignment, from source/."""
        return sorted(p.stem for p in (self.source / assignment).glob("*.ipynb"))

    def students(self) -> list[str]:
        if not self.submitted.is_dir():
            return []
        return sorted(d.name for d in self.submitted.iterdir() if d.is_dir() and not d.name.startswith("."))

    def result_path(self, student: str, assignment: str) -> Path:
        return self.autograded / student / assignment / RESULT_FILE

    def result(self, student: str, assignment: str):
        """The grading result of one submission (autograder.json), or None when there is none yet."""
        from .results import Result

        try:
            return Result.from_json(self.result_path(student, assignment).read_text())
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def results(self) -> list:
        """Every grading result (autograded/*/*/autograder.json), sorted by student and assignment."""
        found = [self.result(p.parent.parent.name, p.parent.name)
                 for p in sorted(self.autograded.glob(f"*/*/{RESULT_FILE}"))]
        return [r for r in found if r is not None]

    def config(self):
        """nbgrader's configuration of this course (nbgrader_config.py, root pinned to this folder)."""
        from .release import _course_config

        return _course_config(self.root, self.db_url)

    def db(self) -> str:
        """The gradebook's URL: --db, else nbgrader_config.py's CourseDirectory.db_url, else gradebook.db."""
        return self.config().CourseDirectory.db_url

    def gradebook_label(self, url: str) -> str:
        """``url`` as GRADEBOOK_NOTE keeps it: no password, the course folder as $COURSE (a course that
        moves keeps its own gradebook.db)."""
        return show_db(url).replace(f"sqlite:///{self.root}/", "sqlite:///$COURSE/", 1)

    def check_gradebook(self, url: str) -> None:
        """Raise CourseError when ``url`` is not the gradebook this course's grades were recorded in (or,
        for a course graded before GRADEBOOK_NOTE existed, when it is a gradebook.db not there yet)."""
        note = self.root / GRADEBOOK_NOTE
        try:
            recorded = note.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            recorded = None
        if recorded and recorded != self.gradebook_label(url):
            raise CourseError(_(
                "this course's grades are in the gradebook {recorded} (noted in {note} by grade), but this "
                "command would use {url}: give --db URL or set AUTOGRADER_DB to that gradebook (delete {note} "
                "only if the grades really moved)").format(recorded=recorded, note=note, url=show_db(url)))
        if recorded is None and url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists() \
                and self._recorded_somewhere():
            raise CourseError(_(
                "graded results under {folder} were recorded in a gradebook, but {url} does not exist: give "
                "--db URL or set AUTOGRADER_DB to the gradebook they are in").format(
                    folder=self.autograded, url=show_db(url)))

    def _recorded_somewhere(self) -> bool:
        """Has any result of this course been recorded in a gradebook?"""
        return any(r is not None and r.in_gradebook
                   for r in (self.result(p.parent.parent.name, p.parent.name)
                             for p in self.autograded.glob(f"*/*/{RESULT_FILE}")))

    def check_assignment(self, assignment: str | None) -> None:
        """The one error for an assignment the course does not have."""
        known = self.assignments()
        if assignment is not None and assignment not in known:
            raise CourseError(_("no assignment {name} in {source} (assignments: {known})").format(
                name=repr(assignment), source=self.source, known=", ".join(known)))

    @contextmanager
    def gradebook(self, recording: bool = False):
        """nbgrader's Gradebook of this course (the same database formgrader shows), once check_gradebook
        agrees; ``recording`` (grade): note it as where this course's grades are (GRADEBOOK_NOTE)."""
        from nbgrader.api import Gradebook

        config = self.config()
        url = config.CourseDirectory.db_url
        self.check_gradebook(url)
        try:
            with venv_on_path(), Gradebook(url, config.CourseDirectory.course_id or "default_course") as gb:
                if recording:
                    write_atomic(self.root / GRADEBOOK_NOTE, self.gradebook_label(url) + "\n")
                yield gb
        except ImportError as err:
            raise CourseError(f"the gradebook {show_db(url)} needs a driver this Python lacks ({err}): "
                              "pip install -e . in the course's virtual environment") from None
        except Exception as err:
            if type(err).__module__.startswith(("sqlalchemy", "psycopg")):
                raise CourseError(f"cannot use the gradebook {show_db(url)}: {str(err).splitlines()[0]}") from None
            raise


def open_course(path: str | os.PathLike, *, need_source: bool = True, db: str | None = None) -> Course:
    """The course at `path`, or a CourseError that says what is missing."""
    root = Path(path).resolve()
    if not root.is_dir():
        raise CourseError(_("no course folder at {root} (give one with --course DIR)").format(root=root))
    course = Course(root, normalize_db_url(db) if db else None)
    if need_source and not course.assignments():
        raise CourseError(_("{source} has no assignments (expected source/<assignment>/<notebook>.ipynb)").format(
            source=course.source))
    return course


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a crash leaves either the old or the new content, never half of it (and a
    failure, e.g. ``path`` being a folder, leaves no temporary file behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


@contextmanager
def venv_on_path():
    """nbgrader starts console scripts (alembic): make sure the ones of this Python come first."""
    bindir = os.path.dirname(sys.executable)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = bindir + os.pathsep + old
    try:
        yield
    finally:
        os.environ["PATH"] = old
