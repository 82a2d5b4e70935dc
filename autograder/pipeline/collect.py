"""`python -m autograder collect EXPORT`: file an LMS export under submitted/<student>/<assignment>/.

Who a file belongs to comes only from the part of its name that the LMS writes, never from the part the
student chose (the name of the file they uploaded). The layouts understood, tried in this order:

    canvas       <lastfirst>[_LATE]_<user id>_<submission id>_<uploaded file>     id: the user id
    moodle       <Full Name>_<participant id>_assignsubmission_file_<uploaded file>  id: the participant id
                 (or the same as a folder holding the uploaded files)
    blackboard   <assignment title>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>[_<uploaded file>]
                                                                                   id: the username
    nested       <student>/<assignment>/<file>.ipynb    (nbgrader's own layout; wrapping folders are fine)
    folders      <student>/<file>.ipynb                 (a folder per student)
    flat         <student>_<file>.ipynb                 (the LMS prefixes the upload with the student's id)

or ``--pattern REGEX``, a Python regular expression matched against the whole path inside the export
with a named group ``student`` (and optionally ``assignment``). Ids are kept exactly as written
(underscores, dots, digits, spaces, non-ASCII). In a flat name the id may itself contain underscores:
it ends before the assignment's name (``jane_doe_01_leaf_tensors.ipynb`` is ``jane_doe``); with
``--roster`` it is the one roster id that the name starts with, and a name that starts with two roster
ids (``jane`` and ``jane_doe``) or none is reported, never guessed.

The assignment comes from ``--assignment`` or from the file's name (or folder) naming exactly one
assignment of the course. Timestamps: the one the LMS writes in the name (Blackboard), else the zip
entry's time, else the file's modification time; a submission already collected is replaced only by a
newer one (each replacement is reported with both times) or with ``--force``.

Nothing is written outside submitted/: names with ``..``, absolute paths and links are refused; zip
entries are checked against ``--max-mb`` before they are read (and read no further than that). A file
that is not a valid notebook is kept as the student's submission (grading flags it and export says
"invalid file"), so it is never lost in a scrolling summary. Every file skipped is named in the summary
with its reason, and every action is appended to ``collect_log.jsonl`` in the course folder.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from ..i18n import N_, _
from .course import Course, CourseError, write_atomic

LAYOUTS = ("auto", "canvas", "moodle", "blackboard", "nested", "folders", "flat")
MAX_MB = 64  # per file; a notebook with its outputs is rarely above a few MB
ROSTER_FILE = "roster.csv"     # the course's copy of the LMS's class list (collect --roster)
LOG_FILE = "collect_log.jsonl"  # what every collect did, one JSON line per file
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
ROSTER_COLUMNS = ("student", "student_id", "id", "username", "login", "user", "sis login id", "sis user id",
                  "login id", "identifier", "email")

_CANVAS = re.compile(r"^(?P<name>[^_/]+?)(?:_LATE|_late)?_(?P<student>\d{2,})_(?P<submission>\d{4,})_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<student>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
_BLACKBOARD = re.compile(r"^(?P<title>.+)_attempt_(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<file>.+))?$")


# ---------------------------------------------------------------- what happened

@dataclass
class Skipped:
    name: str
    reason: str      # English, as collect_log.jsonl records it
    shown: str = ""  # the reason in the instructor's language (--lang), for the summary


@dataclass
class Replaced:
    label: str
    old: str
    new: str
    forced: bool = False


@dataclass
class Kept:
    label: str
    why: str
    old: str
    new: str
    shown: str = ""  # why, in the instructor's language (--lang), for the summary


def _kept(label: str, why: str, old: str, new: str) -> Kept:
    """``why`` is a message marked with N_: English in collect_log.jsonl, translated in the summary."""
    return Kept(label, why, old, new, _(why))


@dataclass
class Report:
    collected: list[str] = field(default_factory=list)   # student/assignment filed for the first time
    replaced: list[Replaced] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)        # already collected and not replaced
    invalid: list[str] = field(default_factory=list)     # "name (why) -> student/assignment": kept, flagged at grading
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, name: str, reason: str, **fields) -> None:
        """``reason``: a message marked with N_ (its named placeholders filled from ``fields``), recorded
        in English in collect_log.jsonl and shown translated in the summary; or a text already made."""
        if fields:
            self.skipped.append(Skipped(name, reason.format(**fields), _(reason).format(**fields)))
        else:
            self.skipped.append(Skipped(name, reason, _(reason)))


# ---------------------------------------------------------------- reading an export

@dataclass
class Entry:
    name: str                   # path inside the export (posix)
    stamp: dt.datetime
    read: object                # () -> bytes, at most the size limit
    size: int


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """The path's parts, or None when it is absolute or climbs (., .., empty parts, drive letters)."""
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\0" in name:
        return None
    parts = tuple(p for p in name.replace("\\", "/").split("/"))
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not parts or any(p in ("", ".", "..") for p in parts):
        return None
    return parts


def _read_limited(opener, limit: int) -> bytes:
    with opener() as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit >> 20} MB")
    return data


def _entries(path: Path, report: Report, limit: int, opened: list):
    """Every file of a folder or a zip, as Entry; refused ones go to report.skipped. A zip opened is
    appended to ``opened`` (close it when done)."""
    if path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as err:
            raise CourseError(f"{path} is not a readable .zip file ({err})") from None
        opened.append(zf)
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if _safe_parts(name) is None:
                report.skip(name, N_("refused: an absolute path or one with . or .. in it"))
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                report.skip(name, N_("refused: a symbolic link"))
                continue
            if info.file_size > limit:
                report.skip(name, N_("refused: {size} MB unpacked, over the {limit} MB limit (--max-mb); not read"),
                            size=info.file_size >> 20, limit=limit >> 20)
                continue
            stamp = dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
            yield Entry(name, stamp, lambda info=info: _read_limited(lambda: zf.open(info), limit), info.file_size)
    elif path.is_dir():
        root = path
        for folder, dirs, files in os.walk(root, followlinks=False):
            for d in list(dirs):
                full = Path(folder) / d
                if full.is_symlink():
                    report.skip(str(full.relative_to(root)), N_("refused: a symbolic link (not followed)"))
                    dirs.remove(d)
            dirs.sort()
            for f in sorted(files):
                full = Path(folder) / f
                rel = full.relative_to(root).as_posix()
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    report.skip(rel, N_("refused: a symbolic link (not followed)"))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    report.skip(rel, N_("refused: not a regular file"))
                    continue
                if st.st_size > limit:
                    report.skip(rel, N_("refused: {size} MB, over the {limit} MB limit (--max-mb)"),
                                size=st.st_size >> 20, limit=limit >> 20)
                    continue
                stamp = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc)
                yield Entry(rel, stamp, lambda full=full: _read_limited(lambda: open(full, "rb", opener=_nofollow),
                                                                        limit), st.st_size)
    elif not path.exists():
        raise CourseError(f"no such file or folder: {path} (give the LMS export: a .zip or a folder)")
    else:
        raise CourseError(f"{path} is neither a folder nor a .zip file")


def _nofollow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


# ---------------------------------------------------------------- the roster

def load_roster(path: Path, column: str | None = None) -> list[str]:
    """The student ids of an LMS class list (CSV): the column named ``column``, else the first column
    whose header is a usual name for an id (student, id, username, SIS Login ID, ...)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise CourseError(f"cannot read the roster {path}: {err.strerror}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise CourseError(f"the roster {path} is empty")
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    if column:
        if column not in header:
            raise CourseError(f"the roster {path} has no column {column!r} (columns: {', '.join(header)})")
        index = header.index(column)
    else:
        index = next((lower.index(c) for c in ROSTER_COLUMNS if c in lower), None)
        if index is None:
            raise CourseError(f"the roster {path} has no id column (one of: {', '.join(ROSTER_COLUMNS)}); "
                              "name it with --roster-column")
    ids = []
    for row in rows[1:]:
        if len(row) > index and row[index].strip():
            ids.append(row[index].strip())
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CourseError(f"the roster {path} lists these ids twice: {', '.join(dupes[:10])}")
    if not ids:
        raise CourseError(f"the roster {path} lists no student in column {header[index]!r}")
    return ids


def course_roster(course: Course) -> list[str] | None:
    """The roster saved in the course by ``collect --roster`` (None when there is none)."""
    path = course.root / ROSTER_FILE
    return load_roster(path, "student") if path.is_file() else None


def save_roster(course: Course, ids: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student"])
    writer.writerows([i] for i in ids)
    write_atomic(course.root / ROSTER_FILE, buffer.getvalue())


# ---------------------------------------------------------------- names

def valid_id(student: str) -> str | None:
    """Why ``student`` cannot be a folder name under submitted/ (None when it can)."""
    if not student or student.strip() != student:
        return "an empty id or one with spaces around it"
    if student in (".", "..") or "/" in student or "\\" in student or "\0" in student:
        return "an id that is a path"
    if student.startswith("."):
        return "an id that starts with a dot"
    if len(student.encode()) > 200:
        return "an id longer than 200 bytes"
    return None


def _known_in(text: str, names: list[str]) -> list[str]:
    """The names found in ``text``, without those found only as part of a longer one."""
    found = [n for n in names if n in text]
    return [n for n in found if not any(n != m and n in m for m in found)]


@dataclass
class Match:
    student: str | None
    hint: str                  # the text that names the assignment (the student's part, or a folder)
    layout: str
    assignment: str | None = None
    stamp: dt.datetime | None = None
    problem: str | None = None  # why no student id can be told


class Matcher:
    """Tells (student, assignment) from a path inside an export; see the module docstring."""

    def __init__(self, assignments: list[str], roster: list[str] | None = None, layout: str = "auto",
                 pattern: str | None = None, common: tuple[str, ...] = ()):
        self.assignments, self.roster, self.layout = assignments, roster, layout
        self.roster_set = set(roster or ())
        try:
            self.pattern = re.compile(pattern) if pattern else None
        except re.error as err:
            raise CourseError(f"--pattern is not a valid regular expression: {err}") from None
        if self.pattern is not None and "student" not in self.pattern.groupindex:
            raise CourseError("--pattern needs a named group (?P<student>...)")
        self.common = common

    def match(self, parts: tuple[str, ...]) -> Match | None:
        if self.pattern is not None:
            m = self.pattern.fullmatch("/".join(parts))
            if not m:
                return None
            groups = m.groupdict()
            return Match(groups["student"], parts[-1], "pattern", assignment=groups.get("assignment"))
        tries = [self.layout] if self.layout != "auto" else list(LAYOUTS[1:])
        for layout in tries:
            found = getattr(self, f"_{layout}")(parts)
            if found is not None:
                return found
        return None

    def _canvas(self, parts):
        m = _CANVAS.match(parts[-1])
        return Match(m["student"], m["file"], "canvas") if m else None

    def _moodle(self, parts):
        for i, part in enumerate(parts):
            m = _MOODLE.match(part)
            if m:
                rest = "/".join((m["file"],) + parts[i + 1:]) if m["file"] else "/".join(parts[i + 1:])
                return Match(m["student"], rest, "moodle")
        return None

    def _blackboard(self, parts):
        m = _BLACKBOARD.match(parts[-1])
        if not m:
            return None
        stamp = dt.datetime.strptime(m["stamp"], "%Y-%m-%d-%H-%M-%S").replace(tzinfo=dt.timezone.utc)
        title = m["title"]
        assignment = next((a for a in sorted(self.assignments, key=len, reverse=True)
                           if title.startswith(a + "_")), None)
        if self.roster is not None:
            ids = [r for r in self.roster if title.endswith("_" + r)]
            if len(ids) == 1:
                return Match(ids[0], (m["file"] or "") + " " + title, "blackboard", stamp=stamp)
            why = "names no student of the roster" if not ids else f"fits {len(ids)} roster ids ({', '.join(ids)})"
            return Match(None, "", "blackboard", problem=f"Blackboard name {why}")
        if assignment is not None:
            return Match(title[len(assignment) + 1:], (m["file"] or "") + " " + assignment, "blackboard",
                         stamp=stamp)
        if title.count("_") == 1:
            head, student = title.split("_")
            return Match(student, (m["file"] or "") + " " + head, "blackboard", stamp=stamp)
        return Match(None, "", "blackboard", problem="cannot tell the username from the assignment title in "
                                                     "this Blackboard name: give --roster")

    def _nested(self, parts):
        for i in range(1, len(parts) - 1):
            if parts[i] in self.assignments:
                return Match(parts[i - 1], "/".join(parts[i:]), "nested", assignment=parts[i])
        return None

    def _folders(self, parts):
        rest = parts[len(self.common):]
        if len(rest) >= 2:
            return Match(rest[0], "/".join(rest[1:]), "folders")
        return None

    def _flat(self, parts):
        rest = parts[len(self.common):]
        if len(rest) != 1:
            return None
        name = rest[0]
        if self.roster is not None:
            ids = [r for r in self.roster if name.startswith(r + "_")]
            if len(ids) == 1:
                return Match(ids[0], name[len(ids[0]) + 1:], "flat")
            if len(ids) > 1:
                return Match(None, "", "flat", problem=f"the name starts with {len(ids)} roster ids "
                                                      f"({', '.join(sorted(ids))}): ambiguous")
            return Match(None, "", "flat", problem="the name starts with no roster id")
        stem = PurePosixPath(name).stem
        cuts = [stem.find("_" + a) for a in self.assignments if stem.find("_" + a) > 0]
        if not cuts:
            return Match(None, "", "flat", problem="cannot tell the student id from this name (no assignment "
                                                   "name in it): give --roster or --pattern")
        cut = min(cuts)
        return Match(stem[:cut], stem[cut + 1:], "flat")


def _common_folders(names: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The folders every file of the export is in (a zip's top folder): not part of any student's id."""
    if not names:
        return ()
    common = list(names[0][:-1])
    for parts in names[1:]:
        n = 0
        while n < len(common) and n < len(parts) - 1 and parts[n] == common[n]:
            n += 1
        common = common[:n]
    return tuple(common)


# ---------------------------------------------------------------- collect

@dataclass
class _Candidate:
    entry: Entry
    student: str
    assignment: str
    notebook: str
    stamp: dt.datetime


def collect(course: Course, path: Path, *, force: bool = False, roster: list[str] | None = None,
            assignment: str | None = None, layout: str = "auto", pattern: str | None = None,
            max_mb: int = MAX_MB) -> Report:
    """Collect every notebook of an export; return what happened to each file."""
    path = Path(path)
    assignments = course.assignments()
    if assignment is not None and assignment not in assignments:
        raise CourseError(f"no assignment {assignment!r} in {course.source} (assignments: {', '.join(assignments)})")
    if layout not in LAYOUTS:
        raise CourseError(f"no layout {layout!r} (layouts: {', '.join(LAYOUTS)})")
    report = Report()
    limit = max_mb << 20
    opened: list = []
    try:
        return _collect(course, path, report, force, roster, assignment, layout, pattern, limit, assignments, opened)
    finally:
        for zf in opened:
            zf.close()


def _collect(course, path, report, force, roster, assignment, layout, pattern, limit, assignments, opened):
    entries = list(_entries(path, report, limit, opened))
    if roster is None:
        roster = course_roster(course)
        if roster is not None:
            report.notes.append(_("ids checked against the course's roster ({n} students, {file})").format(
                n=len(roster), file=ROSTER_FILE))
    else:
        save_roster(course, roster)
        report.notes.append(_("ids checked against the roster ({n} students), saved as {file}").format(
            n=len(roster), file=ROSTER_FILE))
    parts = {e.name: _safe_parts(e.name) for e in entries}
    seen = list(parts.values()) + [p for p in (_safe_parts(s.name) for s in report.skipped) if p]
    matcher = Matcher(assignments, roster, layout, pattern, _common_folders(seen))
    candidates: dict[tuple[str, str, str], list[_Candidate]] = {}
    for entry in entries:
        base = PurePosixPath(entry.name).name
        if "__MACOSX" in parts[entry.name] or base.startswith("._"):
            report.skip(entry.name, N_("macOS metadata, not a submission"))
            continue
        if ".ipynb_checkpoints" in parts[entry.name]:
            report.skip(entry.name, N_("a Jupyter checkpoint copy, not the submission"))
            continue
        if not base.lower().endswith(".ipynb"):
            report.skip(entry.name, N_("not a notebook (.ipynb)"))
            continue
        found = matcher.match(parts[entry.name])
        if found is None:
            report.skip(entry.name, N_("fits no known layout (--pattern did not match)") if pattern
                        else N_("fits no known layout"))
            continue
        if found.problem:
            report.skip(entry.name, found.problem)
            continue
        student = found.student
        why = valid_id(student)
        if why:
            report.skip(entry.name, N_("refused: {why} ({student})"), why=why, student=repr(student))
            continue
        if roster is not None and student not in matcher.roster_set:
            report.skip(entry.name, N_("student {student} is not on the roster"), student=repr(student))
            continue
        chosen = assignment or found.assignment
        if chosen is None:
            names = _known_in(found.hint, assignments)
            if len(names) != 1:
                if not names:
                    report.skip(entry.name, N_("names no assignment of the course (give --assignment)"))
                else:
                    report.skip(entry.name, N_("names {n} assignments ({names}): give --assignment"),
                                n=len(names), names=", ".join(names))
                continue
            chosen = names[0]
        if chosen not in assignments:
            report.skip(entry.name, N_("no assignment {name} in the course"), name=repr(chosen))
            continue
        notebooks = course.notebooks(chosen)
        notebook = notebooks[0] if len(notebooks) == 1 else next(iter(_known_in(found.hint, notebooks)), None)
        if notebook is None:
            report.skip(entry.name, N_("{assignment} has several notebooks ({notebooks}) and the name says "
                                       "which of them it is not"), assignment=chosen, notebooks=", ".join(notebooks))
            continue
        stamp = found.stamp or entry.stamp
        candidates.setdefault((student, chosen, notebook), []).append(
            _Candidate(entry, student, chosen, notebook, stamp))
    log = []
    for key in sorted(candidates):
        group = sorted(candidates[key], key=lambda c: c.stamp)
        newest = group[-1]
        if len(group) > 1:
            if group[-2].stamp == newest.stamp:
                for c in group:
                    report.skip(c.entry.name, N_("{n} files for {label} in this export with the same time ({time}): "
                                                 "which one counts cannot be told"),
                                n=len(group), label=f"{key[0]}/{key[1]}", time=_show(c.stamp))
                continue
            for c in group[:-1]:
                report.skip(c.entry.name, N_("an older file of {label} ({time}); the newer {newer} ({newer_time}) "
                                             "is collected"), label=f"{key[0]}/{key[1]}", time=_show(c.stamp),
                            newer=newest.entry.name, newer_time=_show(newest.stamp))
        _file(course, newest, report, force, log)
    _append_log(course, path, report, log)
    return report


def _show(stamp: dt.datetime | None) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M:%S UTC") if stamp else "no time"


def _file(course: Course, c: _Candidate, report: Report, force: bool, log: list) -> None:
    label = f"{c.student}/{c.assignment}"
    try:
        data = c.entry.read()
    except (ValueError, OSError, zipfile.BadZipFile, RuntimeError, EOFError) as err:
        report.skip(c.entry.name, N_("refused: {error}"), error=err)
        return
    problem = None
    try:
        nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    except Exception as err:
        problem = f"{type(err).__name__}"
    folder = course.submitted / c.student / c.assignment
    target = folder / f"{c.notebook}.ipynb"
    if not _inside(course.submitted, target):  # belt and braces: ids were checked above
        report.skip(c.entry.name, N_("refused: the target would be outside submitted/"))
        return
    old = _timestamp(folder)
    if target.exists():
        if hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
            report.kept.append(_kept(label, N_("the same file is already collected"), _show(old), _show(c.stamp)))
            return
        if not force:
            if old is not None and old > c.stamp:
                report.kept.append(_kept(label, N_("the collected one is newer"), _show(old), _show(c.stamp)))
                return
            if old is None or old == c.stamp:
                report.kept.append(_kept(label, N_("a different file with the same time is already collected "
                                                   "(edited by hand?)"), _show(old), _show(c.stamp)))
                return
        forced = force and not (old and old < c.stamp)
        report.replaced.append(Replaced(label, _show(old), _show(c.stamp), forced=forced))
    else:
        report.collected.append(label)
    folder.mkdir(parents=True, exist_ok=True)
    _write_bytes(target, data)
    write_atomic(folder / "timestamp.txt", c.stamp.strftime(STAMP_FORMAT))
    if problem:
        report.invalid.append(f"{c.entry.name} ({problem}) -> {label}")
    log.append(
        {
            "entry": c.entry.name,
            "student": c.student,
            "assignment": c.assignment,
            "action": "replaced" if old else "collected",
            "invalid": problem,
            "timestamp": _show(c.stamp),
        }
    )


def _inside(root: Path, target: Path) -> bool:
    try:
        target.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _timestamp(folder: Path) -> dt.datetime | None:
    try:
        text = (folder / "timestamp.txt").read_text().strip().replace(" UTC", "")
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc)
    except (OSError, ValueError):
        return None


def _append_log(course: Course, export: Path, report: Report, log: list) -> None:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [dict(time=now, export=str(export), **item) for item in log]
    lines += [
        dict(time=now, export=str(export), entry=s.name, action="skipped", reason=s.reason) for s in report.skipped
    ]
    lines += [
        dict(
            time=now,
            export=str(export),
            student=k.label,
            action="kept",
            reason=k.why,
            collected=k.old,
            export_time=k.new,
        )
        for k in report.kept
    ]
    with open(course.root / LOG_FILE, "a", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def invalid_submissions(course: Course) -> list[str]:
    """student/assignment of every collected file that is not a valid notebook (kept; graded as 0, flagged)."""
    found = []
    for path in sorted(course.submitted.glob("*/*/*.ipynb")):
        try:
            nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
        except Exception:
            found.append(f"{path.parent.parent.name}/{path.parent.name}")
    return found


def summary(report: Report) -> str:
    """What collect did, in the instructor's language (--lang)."""
    lines = [
        _("collected {collected}, replaced by newer {replaced}, kept {kept}, invalid files kept for review "
          "{invalid}, skipped {skipped}").format(collected=len(report.collected), replaced=len(report.replaced),
                                                 kept=len(report.kept), invalid=len(report.invalid),
                                                 skipped=len(report.skipped))
    ]
    lines += ["  " + _("note: {note}").format(note=n) for n in report.notes]
    for r in report.replaced:
        how = _("replaced (--force)") if r.forced else _("replaced by a newer submission")
        lines.append("  " + _("{how}: {label}: collected {old} -> now {new}").format(
            how=how, label=r.label, old=r.old, new=r.new))
    for name in report.invalid:
        lines.append("  " + _("INVALID, kept (graded 0 and flagged; see `report`): {name}").format(name=name))
    for s in report.skipped:
        lines.append("  " + _("SKIPPED {name}: {reason}").format(name=s.name, reason=s.shown or s.reason))
    for k in report.kept:
        lines.append("  " + _("kept {label}: {why} (collected {old}, this export {new})").format(
            label=k.label, why=k.shown or k.why, old=k.old, new=k.new))
    same_time = [k.label for k in report.kept if "same time" in k.why]
    if same_time:
        lines.append("  " + _("(--force replaces {labels} with this export's copy)").format(
            labels=", ".join(same_time[:5]) + (" ..." if len(same_time) > 5 else "")))
    return "\n".join(lines)
