"""`python -m autograder collect EXPORT`: file an LMS export under submitted/<student>/<assignment>/.

Who a file belongs to comes only from the part of its name that the LMS writes, never from the part the
student chose (the name of the file they uploaded, and any folder inside their upload). The layout is
told ONCE per export, from the names of all its files (--layout auto); an export that fits no layout,
or two, stops with the counts and asks for --layout. Within a layout only the LMS's part is read:

    canvas       <lastfirst>[_LATE]_<user id>_<submission id>_<upload>           id: the user id
    moodle       <Full Name>_<participant id>_assignsubmission_file_<upload>     id: the participant id
                 (or a folder of that name holding the uploads)
    blackboard   <title>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<upload>       id: the username (the
                 first "_attempt_<time>" is Blackboard's; with --roster, the roster id the title ends with)
    nested       <student>/<assignment>/<upload>   (nbgrader's own layout)      id: the folder
    folders      <student>/<upload>                (a folder per student)       id: the folder, never a
                 file name; an export of one student's folder works too
    flat         <student>_<upload>                (the LMS prefixes the id)    id: with --roster, the one
                 roster id the name starts with; without, what comes before the first chapter name
                 (jane_doe_02_backward.ipynb is jane_doe; give --roster so that jane's upload named
                 doe_02_backward.ipynb cannot pass for jane_doe's)

Folders around the whole export (a zip's top folder) are not part of any id. --pattern REGEX instead
matches the whole path inside the export, with a named group (?P<student>...) (and optionally
(?P<assignment>...)). Ids are kept exactly (underscores, dots, digits, spaces, non-ASCII), in Unicode's
NFC form (a macOS zip's decomposed "zoë" is the same student as "zoë"). With --roster (the LMS's class
list, CSV) every id is checked against it; unknown or ambiguous ones are reported, never guessed. The
roster's id column is the one that matches the export's names best (Canvas: ID, SIS User ID, SIS Login
ID; Moodle: Identifier, "Participant 77" is 77; Blackboard: Username; never Canvas's display names
unless they match best); collect always says which column it used, and stops (exit 2, nothing filed,
the saved roster kept) when no file of the export belongs to anyone on it.

The assignment comes from the LMS's part when it names one (nested's folder, Blackboard's title), else
from the upload's name. --assignment NAME keeps only that assignment's files: a file whose name names
another assignment is skipped (with the reason); a file whose name names none is filed under NAME.

Timestamps, in this order: the time the LMS writes in the name (Blackboard; its zone is unknown), the zip
entry's UTC time (the extended-timestamp field 0x5455, or NTFS times, that most zip tools write), else
the zip entry's plain time: the local time of the machine that made the zip, zone unknown (--zip-timezone
tells it), and for a folder the file's modification time (UTC). A submission already collected is
replaced only by a newer one. When either time is of unknown zone and the two are less than 14 hours
apart, which is newer cannot be told: the collected one stays, and --force replaces it. Every replaced
file is kept under submitted/.replaced/<student>/<assignment>/<its time>/ (never graded), and the
summary and collect_log.jsonl give both times.

Zip names without the zip's UTF-8 flag are read as UTF-8 when they are, else as cp437 (the zip
standard's default); --zip-encoding gbk (say) reads them as the machine that made the zip wrote them.

Nothing is written outside submitted/: names with "..", absolute paths and links are refused. A file
over --max-mb is refused before it is read, and an export that would write more than --max-total-mb
(or more than the disk holds) stops before anything is written. A file that is not a valid notebook, or
an upload with another extension (02_backward.ipynb.txt, 02_backward.pdf) whose name gives its student
and assignment, is kept as the student's submission when they handed in no notebook for it: grading
flags it, report lists it, export says "invalid file". Every file skipped is named in the summary with
its reason; files already collected unchanged are counted in one line. Every action is appended to
collect_log.jsonl in the course folder. Exit status: 0; 1 when a non-empty export had nothing to collect
(every file skipped); 2 for a usage error (an ambiguous layout, a roster that matches nobody, a limit).
"""
from __future__ import annotations

import codecs
import collections
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import stat
import unicodedata
import warnings
import zipfile
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from ..i18n import N_, _
from .course import Course, CourseError, write_atomic
from .ui import plural

LAYOUTS = ("auto", "canvas", "moodle", "blackboard", "nested", "folders", "flat")
MAX_MB = 16           # per file: 50 times the largest chapter notebook run with its outputs (0.33 MB)
MAX_TOTAL_MB = 2048   # per collect: what one export may write into submitted/
VALIDATED_CELLS = 5000  # nbformat checks a notebook of up to this many cells here (~0.3 ms a cell); grade checks all
UNKNOWN_ZONE_HOURS = 14  # a wall-clock time of unknown zone is within 14 hours of UTC (UTC-12 to UTC+14)
ROSTER_FILE = "roster.csv"     # the course's copy of the LMS's class list (collect --roster)
LOG_FILE = "collect_log.jsonl"  # what every collect did, one JSON line per file
REPLACED_DIR = ".replaced"     # submitted/.replaced/<student>/<assignment>/<time>/: every replaced file
# a roster's id columns, the likeliest first; Canvas's "Student" holds display names, so it comes last
ROSTER_COLUMNS = ("student_id", "id", "sis user id", "sis login id", "identifier", "username", "user name",
                  "login id", "login", "user", "email", "email address", "student")
METADATA = (".DS_Store", "Thumbs.db", "desktop.ini")  # files an operating system adds to folders
# files that are no submission at all (the summary shows many of a kind in one line)
MACOS = N_("macOS metadata, not a submission")
OS_FILE = N_("a file the operating system adds to folders, not a submission")
RECEIPT = N_("Blackboard's submission receipt, not a submission")
ONLINE_TEXT = N_("Moodle's online text, not a file submission")
NOT_SUBMISSIONS = (MACOS, OS_FILE, RECEIPT, ONLINE_TEXT)

_CANVAS = re.compile(r"(?P<name>[^_/]+)(?:_LATE|_late)?_(?P<student>\d+)_(?P<submission>\d+)_(?P<file>.+)", re.S)
_MOODLE = re.compile(r"(?P<name>.+?)_(?P<student>\d+)_assignsubmission_(?P<kind>file|onlinetext)_(?P<file>.*)",
                     re.S)
_BLACKBOARD_ATTEMPT = re.compile(r"_attempt_(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})")
_PARTICIPANT = re.compile(r"Participant (\d+)")  # Moodle's grading worksheet: the participant id


# ---------------------------------------------------------------- times

@dataclass(frozen=True)
class Stamp:
    """When a file was handed in: a UTC time, or (``zone_known`` False) a wall-clock time of unknown zone."""
    time: dt.datetime   # naive: UTC when zone_known
    zone_known: bool = True

    def show(self) -> str:
        return self.time.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if self.zone_known else " (zone unknown)")

    def text(self) -> str:
        """As timestamp.txt holds it (nbgrader reads both forms; a time without "UTC" is of unknown zone)."""
        return self.time.strftime("%Y-%m-%d %H:%M:%S.%f") + (" UTC" if self.zone_known else "")

    def folder(self) -> str:
        return self.time.strftime("%Y-%m-%dT%H-%M-%S") + ("Z" if self.zone_known else "")

    @classmethod
    def parse(cls, text: str) -> Stamp | None:
        """timestamp.txt's text: "2026-01-10 12:00:00[.000000][ UTC]" (None when it is none of these)."""
        text = text.strip()
        try:
            time = dt.datetime.fromisoformat(text.removesuffix(" UTC"))
        except ValueError:
            return None
        if time.tzinfo is not None:
            return cls(time.astimezone(dt.timezone.utc).replace(tzinfo=None))
        return cls(time, text.endswith(" UTC"))


def newer(old: Stamp, new: Stamp) -> bool | None:
    """Whether ``new`` is later than ``old``: None when that cannot be told (either time of unknown zone,
    and the two less than 14 hours apart)."""
    if not (old.zone_known and new.zone_known) and abs(new.time - old.time) < dt.timedelta(hours=UNKNOWN_ZONE_HOURS):
        return None
    return new.time > old.time


def zone_of(text: str | None) -> dt.tzinfo | None:
    """--zip-timezone: ``UTC``, ``+08:00``, ``-0500`` or a zone name such as ``Asia/Shanghai``."""
    if not text:
        return None
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text.strip())
    if m:
        offset = dt.timedelta(hours=int(m[2]), minutes=int(m[3] or 0))
        return dt.timezone(-offset if m[1] == "-" else offset)
    try:
        return zoneinfo.ZoneInfo(text.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CourseError(f"--zip-timezone {text!r}: give UTC, an offset such as +08:00, or a zone name such as "
                          "Asia/Shanghai") from None


def _extra_utc(extra: bytes) -> dt.datetime | None:
    """The UTC modification time in a zip entry's extra fields: extended timestamp (0x5455, Info-ZIP,
    macOS, most Unix tools) or NTFS (0x000a, Windows tools); None when it has neither."""
    at = 0
    while at + 4 <= len(extra):
        kind, size = int.from_bytes(extra[at:at + 2], "little"), int.from_bytes(extra[at + 2:at + 4], "little")
        data = extra[at + 4:at + 4 + size]
        if kind == 0x5455 and len(data) >= 5 and data[0] & 1:
            seconds = int.from_bytes(data[1:5], "little", signed=True)
            return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)
        if kind == 0x000A and len(data) >= 32 and data[4:8] == b"\x01\x00\x18\x00":
            ticks = int.from_bytes(data[8:16], "little")  # 100 ns since 1601-01-01 UTC
            return dt.datetime(1601, 1, 1) + dt.timedelta(microseconds=ticks // 10)
        at += 4 + size
    return None


def _zip_stamp(info: zipfile.ZipInfo, zone: dt.tzinfo | None) -> Stamp:
    utc = _extra_utc(info.extra)
    if utc is not None:
        return Stamp(utc)
    local = dt.datetime(*info.date_time)
    if zone is not None:
        return Stamp(local.replace(tzinfo=zone).astimezone(dt.timezone.utc).replace(tzinfo=None))
    return Stamp(local, zone_known=False)


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
    how: str = N_("replaced by a newer submission")  # marked with N_: English in the log, translated shown
    backup: str = ""                                  # where the replaced copy is kept (under submitted/)

    @property
    def forced(self) -> bool:
        return self.how != Replaced.how


@dataclass
class Kept:
    label: str
    why: str
    old: str
    new: str
    shown: str = ""  # why, in the instructor's language (--lang), for the summary
    force_helps: bool = False  # --force would put this export's copy in (never when the collected one is newer)


def _kept(label: str, why: str, old: str, new: str, force_helps: bool = False) -> Kept:
    """``why`` is a message marked with N_: English in collect_log.jsonl, translated in the summary."""
    return Kept(label, why, old, new, _(why), force_helps)


@dataclass
class Report:
    collected: list[str] = field(default_factory=list)   # student/assignment filed for the first time
    replaced: list[Replaced] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)        # a different file already collected and not replaced
    unchanged: list[str] = field(default_factory=list)   # the same file already collected
    invalid: list[str] = field(default_factory=list)     # "name (why) -> student/assignment": kept, flagged at grading
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0                                         # files in the export

    def skip(self, name: str, reason: str, **fields) -> None:
        """``reason``: a message marked with N_ (its named placeholders filled from ``fields``), recorded
        in English in collect_log.jsonl and shown translated in the summary; or a text already made."""
        if fields:
            self.skipped.append(Skipped(name, reason.format(**fields), _(reason).format(**fields)))
        else:
            self.skipped.append(Skipped(name, reason, _(reason)))

    @property
    def nothing_collected(self) -> bool:
        """Every file of a non-empty export skipped: nothing filed, nothing found already filed."""
        return self.files > 0 and not (self.collected or self.replaced or self.kept or self.unchanged)


# ---------------------------------------------------------------- reading an export

@dataclass
class Options:
    """What the instructor asked for (collect's keyword arguments)."""
    force: bool = False
    assignment: str | None = None
    layout: str = "auto"
    pattern: str | None = None
    max_bytes: int = MAX_MB << 20
    max_total_bytes: int = MAX_TOTAL_MB << 20
    zip_encoding: str | None = None
    zip_zone: dt.tzinfo | None = None


@dataclass
class Entry:
    name: str                   # path inside the export (posix), decoded, in NFC
    stamp: Stamp
    read: object                # () -> bytes, at most the size limit
    size: int

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("/"))


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


def _entries(path: Path, report: Report, opts: Options, stack: contextlib.ExitStack):
    """Every file of a folder or a zip, as Entry; refused ones go to report.skipped."""
    if path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        yield from _zip_entries(path, report, opts, stack)
    elif path.is_dir():
        yield from _folder_entries(path, report, opts)
    elif not path.exists():
        raise CourseError(f"no such file or folder: {path} (give the LMS export: a .zip or a folder)")
    else:
        raise CourseError(f"{path} is neither a folder nor a .zip file")


def _zip_name(info: zipfile.ZipInfo, encoding: str | None) -> tuple[str, bool]:
    """The entry's name, and whether it was read as cp437 for want of better. Without the UTF-8 flag a
    zip holds the bytes of the encoding of the machine that made it: ``encoding`` (--zip-encoding),
    else UTF-8 when they are, else cp437 (the zip standard's)."""
    if info.flag_bits & 0x800:
        return info.orig_filename, False
    raw = info.orig_filename.encode("cp437")  # zipfile decoded the bytes as cp437: undo it
    for candidate in filter(None, (encoding, "utf-8")):
        try:
            return raw.decode(candidate), False
        except UnicodeDecodeError:
            continue
    return raw.decode("cp437"), not raw.isascii()


def _zip_entries(path: Path, report: Report, opts: Options, stack: contextlib.ExitStack):
    try:
        zf = stack.enter_context(zipfile.ZipFile(path))
    except zipfile.BadZipFile as err:
        raise CourseError(f"{path} is not a readable .zip file ({err})") from None
    guessed = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        name, as_cp437 = _zip_name(info, opts.zip_encoding)
        name = unicodedata.normalize("NFC", name)
        if as_cp437:
            guessed.append(name)
        parts = _safe_parts(name)
        if parts is None:
            report.skip(name, N_("refused: an absolute path or one with . or .. in it"))
            continue
        name = "/".join(parts)
        if stat.S_ISLNK(info.external_attr >> 16):
            report.skip(name, N_("refused: a symbolic link"))
            continue
        if info.file_size > opts.max_bytes:
            report.skip(name, N_("refused: {size} MB unpacked, over the {limit} MB limit (--max-mb); not read"),
                        size=_mb(info.file_size), limit=_mb(opts.max_bytes))
            continue
        yield Entry(name, _zip_stamp(info, opts.zip_zone),
                    lambda info=info: _read_limited(lambda: zf.open(info), opts.max_bytes), info.file_size)
    if guessed:
        report.notes.append(_("{files} of the zip are not in UTF-8 and were read as cp437 (e.g. {example}); "
                              "if they look wrong, give the encoding of the machine that made the zip, e.g. "
                              "--zip-encoding gbk").format(files=plural(len(guessed), N_("{n} name"), N_("{n} names")),
                                                           example=guessed[0]))


def _folder_entries(root: Path, report: Report, opts: Options):
    for folder, dirs, files in os.walk(root, followlinks=False):
        for d in list(dirs):
            if (Path(folder) / d).is_symlink():
                report.skip(_relative(Path(folder) / d, root), N_("refused: a symbolic link (not followed)"))
                dirs.remove(d)
        dirs.sort()
        for f in sorted(files):
            full = Path(folder) / f
            rel = _relative(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                report.skip(rel, N_("refused: a symbolic link (not followed)"))
            elif not stat.S_ISREG(st.st_mode):
                report.skip(rel, N_("refused: not a regular file"))
            elif not _is_utf8(rel):
                report.skip(rel, N_("refused: the name is not UTF-8 (rename it)"))
            elif st.st_size > opts.max_bytes:
                report.skip(rel, N_("refused: {size} MB, over the {limit} MB limit (--max-mb)"),
                            size=_mb(st.st_size), limit=_mb(opts.max_bytes))
            else:
                stamp = Stamp(dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).replace(tzinfo=None))
                read = lambda full=full: _read_limited(lambda: open(full, "rb", opener=_nofollow), opts.max_bytes)
                yield Entry(rel, stamp, read, st.st_size)


def _relative(path: Path, root: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(root).as_posix())


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:  # a name whose bytes are not UTF-8 (Python keeps them as surrogates)
        return False


def _nofollow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f}".removesuffix(".0")


def _metadata(entry: Entry) -> str | None:
    """Why ``entry`` is a file that a tool added, not a submission (None when it may be one)."""
    base = entry.parts[-1]
    if "__MACOSX" in entry.parts or base.startswith("._"):
        return MACOS
    if ".ipynb_checkpoints" in entry.parts:
        return N_("a Jupyter checkpoint copy, not the submission")
    if base in METADATA:
        return OS_FILE
    return None


# ---------------------------------------------------------------- the roster

@dataclass
class RosterFile:
    """An LMS's class list (CSV): its columns, and the student ids of any one of them."""
    path: Path
    header: list[str]
    rows: list[list[str]]

    @classmethod
    def read(cls, path: Path) -> RosterFile:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise CourseError(f"cannot read the roster {path}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise CourseError(f"the roster {path} is not UTF-8 text (save it as CSV UTF-8)") from None
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
        if not rows:
            raise CourseError(f"the roster {path} is empty")
        # Canvas's gradebook has a "Points Possible" row under its header: not a student
        body = [r for r in rows[1:] if not (r and r[0].strip() == "Points Possible")]
        return cls(path, [h.strip() for h in rows[0]], body)

    @classmethod
    def of_ids(cls, ids: list[str]) -> RosterFile:
        """A roster given as a list (by code rather than by a file)."""
        return cls(Path("(roster)"), ["student"], [[i] for i in ids])

    def id_columns(self) -> list[str]:
        """The columns that may hold ids, the likeliest first."""
        lower = [h.lower() for h in self.header]
        return [self.header[lower.index(c)] for c in ROSTER_COLUMNS if c in lower]

    def ids(self, column: str) -> list[str]:
        """The ids of ``column``: as written (in NFC), Moodle's "Participant 77" as 77."""
        if column not in self.header:
            raise CourseError(f"the roster {self.path} has no column {column!r} (columns: {', '.join(self.header)})")
        index = self.header.index(column)
        ids = [_roster_id(row[index]) for row in self.rows if len(row) > index and row[index].strip()]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise CourseError(f"the roster {self.path} lists these ids twice in column {column!r}: "
                              f"{', '.join(dupes[:10])}")
        if not ids:
            raise CourseError(f"the roster {self.path} lists no student in column {column!r}")
        return ids


def _roster_id(cell: str) -> str:
    cell = unicodedata.normalize("NFC", cell.strip())
    m = _PARTICIPANT.fullmatch(cell)
    return m[1] if m else cell


def load_roster(path: Path, column: str | None = None) -> list[str]:
    """The student ids of an LMS class list (CSV): the column named ``column``, else the first column
    whose header is a usual name for an id (ID, SIS User ID, Identifier, Username, ..., Student last)."""
    roster = RosterFile.read(path)
    if column:
        return roster.ids(column)
    columns = roster.id_columns()
    if not columns:
        raise CourseError(_no_id_column(roster))
    return roster.ids(columns[0])


def _no_id_column(roster: RosterFile) -> str:
    return (f"the roster {roster.path} has no id column (one of: {', '.join(ROSTER_COLUMNS)}; its columns: "
            f"{', '.join(roster.header)}): name it with --roster-column")


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


def _common_folders(paths: list[tuple[str, ...]]) -> int:
    """How many folders every one of ``paths`` is in (a zip's top folder): not part of any student's id."""
    if not paths:
        return 0
    common = list(paths[0][:-1])
    for parts in paths[1:]:
        n = 0
        while n < len(common) and n < len(parts) - 1 and parts[n] == common[n]:
            n += 1
        common = common[:n]
    return len(common)


@dataclass
class Reading:
    """What a layout reads from one path of an export."""
    student: str | None            # None: ``problem`` says why
    upload: str                    # the student's own part: their file's name (and folders inside their upload)
    lms_text: str = ""             # the LMS's part that may name the assignment (Blackboard's title)
    assignment: str | None = None  # the assignment, when the LMS's folders say it (nested)
    stamp: Stamp | None = None     # the time the LMS wrote in the name (Blackboard)
    problem: tuple[str, dict] | None = None  # (message marked with N_, its fields): why no student can be told
    receipt: str | None = None     # the LMS's own file, not a submission: why (marked with N_)


def _problem(message: str, **fields) -> Reading:
    return Reading(None, "", problem=(message, fields))


class Layout:
    """How one LMS names the files of an export (the module docstring lists them). ``depth``: the folders
    around the whole export, told from all its paths (never from one student's)."""
    name = ""
    signed = False  # every name carries a mark the LMS writes (auto-detection tells these apart)

    def __init__(self, paths: list[tuple[str, ...]], assignments: list[str]):
        self.assignments = assignments
        self.depth = self.wrapper(paths)

    def wrapper(self, paths: list[tuple[str, ...]]) -> int:
        return _common_folders(paths)

    def read(self, parts: tuple[str, ...], roster: frozenset[str] | None) -> Reading | None:
        """Who and what ``parts`` is (None: it does not fit this layout); ``roster``: the ids, or None."""
        raise NotImplementedError

    def file(self, parts: tuple[str, ...]) -> str | None:
        """The single file name at the export's top level (after the wrapping folders), or None."""
        rest = parts[self.depth:]
        return rest[0] if len(rest) == 1 else None


class Canvas(Layout):
    name, signed = "canvas", True

    def read(self, parts, roster):
        m = _CANVAS.fullmatch(self.file(parts) or "")
        return Reading(m["student"], m["file"]) if m else None


class Moodle(Layout):
    name, signed = "moodle", True

    def read(self, parts, roster):
        for i, part in enumerate(parts):  # the first: Moodle's (the uploads are inside it, or after it)
            m = _MOODLE.fullmatch(part)
            if m:
                upload = "/".join(((m["file"],) if m["file"] else ()) + parts[i + 1:])
                receipt = ONLINE_TEXT if m["kind"] == "onlinetext" else None
                return Reading(m["student"], upload, receipt=receipt)
        return None


class Blackboard(Layout):
    name, signed = "blackboard", True

    def read(self, parts, roster):
        name = self.file(parts) or ""
        m = _BLACKBOARD_ATTEMPT.search(name)  # the first "_attempt_<time>": Blackboard's, before the upload
        if not m or m.start() == 0:
            return None
        head, tail = name[:m.start()], name[m.end():]
        if tail in ("", ".txt"):
            return Reading(None, "", receipt=RECEIPT)
        if not tail.startswith("_"):
            return None
        try:
            stamp = Stamp(dt.datetime.strptime(m["stamp"], "%Y-%m-%d-%H-%M-%S"), zone_known=False)
        except ValueError:
            return None
        reading = self._split(head, roster)
        reading.upload, reading.stamp = tail[1:], stamp
        return reading

    def _split(self, head: str, roster) -> Reading:
        """<title>_<username> -> the username: with a roster, the one roster id the head ends with; without,
        what follows an assignment's name, or the head's single underscore."""
        if roster is not None:
            ids = sorted(r for r in roster if head.endswith("_" + r) and len(head) > len(r) + 1)
            if len(ids) == 1:
                return Reading(ids[0], "", lms_text=head[:-len(ids[0]) - 1])
            if ids:
                return _problem(N_("the Blackboard name ends with {n} roster ids ({ids}): ambiguous"),
                                n=len(ids), ids=", ".join(ids))
            return _problem(N_("the Blackboard name ends with no roster id"))
        title = next((a for a in sorted(self.assignments, key=len, reverse=True) if head.startswith(a + "_")), None)
        if title is None and head.count("_") == 1:
            title = head.split("_")[0]
        if title is None:
            return _problem(N_("cannot tell the username from the title in this Blackboard name: give --roster"))
        return Reading(head[len(title) + 1:], "", lms_text=title)


class Nested(Layout):
    name, signed = "nested", True

    def wrapper(self, paths):
        deep = [p for p in paths if len(p) >= 3]
        if not deep:
            return 0
        cap = min(_common_folders(deep), min(len(p) for p in deep) - 3)
        # the deepest wrapping that leaves <student>/<assignment>/ for the most files
        return max(range(cap, -1, -1), key=lambda d: sum(p[d + 1] in self.assignments for p in deep))

    def read(self, parts, roster):
        rest = parts[self.depth:]
        if len(rest) >= 3 and rest[1] in self.assignments:
            return Reading(rest[0], "/".join(rest[2:]), assignment=rest[1])
        return None


class Folders(Layout):
    name = "folders"

    def wrapper(self, paths):
        deep = [p for p in paths if len(p) >= 2]
        # every file keeps the folder above it: an export of a single student's folder is that student's
        return min(_common_folders(deep), min(len(p) for p in deep) - 2) if deep else 0

    def read(self, parts, roster):
        rest = parts[self.depth:]
        return Reading(rest[0], "/".join(rest[1:])) if len(rest) >= 2 else None


class Flat(Layout):
    name = "flat"

    def read(self, parts, roster):
        name = self.file(parts)
        if name is None:
            return None
        if roster is not None:
            ids = sorted(r for r in roster if name.startswith(r + "_"))
            if len(ids) == 1:
                return Reading(ids[0], name[len(ids[0]) + 1:])
            if ids:
                return _problem(N_("the name starts with {n} roster ids ({ids}): ambiguous"),
                                n=len(ids), ids=", ".join(ids))
            return _problem(N_("the name starts with no roster id"))
        cuts = [at for at in (name.find("_" + a) for a in self.assignments) if at > 0]
        if not cuts:
            return _problem(N_("cannot tell the student id from this name (no assignment name in it): give "
                               "--roster or --pattern"))
        return Reading(name[:min(cuts)], name[min(cuts) + 1:])


class Pattern(Layout):
    """--pattern REGEX, over the whole path inside the export."""
    name = "pattern"

    def __init__(self, pattern: str):
        try:
            self.regex = re.compile(pattern)
        except re.error as err:
            raise CourseError(f"--pattern is not a valid regular expression: {err}") from None
        if "student" not in self.regex.groupindex:
            raise CourseError("--pattern needs a named group (?P<student>...)")

    def read(self, parts, roster):
        m = self.regex.fullmatch("/".join(parts))
        if not m:
            return None
        return Reading(m["student"], parts[-1], assignment=m.groupdict().get("assignment"))


KINDS = {kind.name: kind for kind in (Moodle, Canvas, Blackboard, Nested, Folders, Flat)}


def choose_layout(paths: list[tuple[str, ...]], assignments: list[str], layout: str = "auto",
                  pattern: str | None = None) -> Layout:
    """The layout of an export, told once from all its paths (see the module docstring); CourseError
    when ``auto`` cannot tell it."""
    if pattern:
        return Pattern(pattern)
    if layout != "auto":
        return KINDS[layout](paths, assignments)
    layouts = {name: kind(paths, assignments) for name, kind in KINDS.items()}
    fits = {name: [p for p in paths if layouts[name].read(p, None) is not None]
            for name in KINDS if layouts[name].signed}
    full = [name for name, fit in fits.items() if len(fit) == len(paths)]
    if len(full) == 1:  # another's mark in some names is the students' doing: their uploads' names
        return layouts[full[0]]
    if full or any(fits.values()):
        raise CourseError(_ambiguous(paths, fits))
    return _plain_layout(paths, layouts)


def _plain_layout(paths, layouts) -> Layout:
    """No LMS's marks: files side by side (flat), or a folder per student."""
    top = _common_folders(paths)
    if all(len(p) == top + 1 for p in paths):
        flat = layouts["flat"]
        if top == 0 or any(flat.read(p, None).student is not None for p in paths):
            return flat
        return layouts["folders"]  # one folder, and no name starts with an id: that student's folder
    if all(len(p) >= top + 2 for p in paths):
        return layouts["folders"]
    loose = [p for p in paths if len(p) == top + 1]
    raise CourseError(f"cannot tell this export's layout: {len(loose)} of its {len(paths)} files are side by side "
                  f"({_examples(loose)}) and the others in folders: give --layout flat or --layout folders "
                  "(the files that do not fit are skipped), or --pattern")


def _ambiguous(paths, fits) -> str:
    found = [f"{name} fits {len(fit)} of {len(paths)} files (e.g. {_examples(fit, 2)})" for name, fit in fits.items()
             if fit]
    return ("cannot tell this export's layout from its names: " + "; ".join(found) +
            f". Give --layout (one of {', '.join(LAYOUTS[1:])}) or --pattern; the files that do not fit are "
            "skipped with their reason")


def _examples(paths, n: int = 3) -> str:
    shown = ", ".join("/".join(p) for p in paths[:n])
    return shown + (f", ... ({len(paths) - n} more)" if len(paths) > n else "")


def _layout_note(layout: Layout, opts: Options, files: int) -> str:
    how = _("given") if opts.layout != "auto" or opts.pattern else _("told from the names of {files}").format(
        files=plural(files, N_("{n} file"), N_("{n} files")))
    return _("layout: {layout} ({how})").format(layout=layout.name, how=how)


# ---------------------------------------------------------------- whose file, which assignment

@dataclass
class _Candidate:
    entry: Entry
    student: str
    assignment: str
    notebook: str
    stamp: Stamp
    is_notebook: bool  # its name ends in .ipynb (else it is kept only when the student has no notebook)

    @property
    def label(self) -> str:
        return f"{self.student}/{self.assignment}"


def _student(reading: Reading) -> str | None:
    return unicodedata.normalize("NFC", reading.student) if reading.student is not None else None


def _roster_matches(entries, layout, ids: list[str]) -> int:
    """How many students of ``ids`` have a file in the export."""
    roster = frozenset(ids)
    return len({_student(r) for e in entries if (r := layout.read(e.parts, roster)) and not r.receipt} & roster)


def _choose_roster(course: Course, roster, column: str | None, entries, layout, report: Report):
    """(ids or None, whether to save them as the course's roster): of --roster (a RosterFile or a list of
    ids), else of the course's roster.csv; the column that matches the most students (on a tie, the likeliest
    id column) is said in a note. CourseError when the export's names give ids and none is on the roster."""
    given = roster is not None
    if roster is None:
        if not (course.root / ROSTER_FILE).is_file():
            return None, False
        roster, column = RosterFile.read(course.root / ROSTER_FILE), "student"
    elif not isinstance(roster, RosterFile):
        roster, column = RosterFile.of_ids(list(roster)), "student"
    tried = _roster_columns(roster, column, entries, layout)
    matched, column, ids = max(tried, key=lambda t: t[0])  # the first of the best: the likeliest column
    if matched == 0 and any((r := layout.read(e.parts, None)) and r.student for e in entries):
        raise CourseError(_matches_nobody(roster, column, ids, entries, layout, given))
    saved = _(", saved as {file}").format(file=ROSTER_FILE) if given and matched else ""
    report.notes.append(_("roster {file}: column {column} ({students}, {matched} of them with a file in this "
                          "export{saved})").format(
        file=roster.path.name, column=repr(column), students=plural(len(ids), N_("{n} student"), N_("{n} students")),
        matched=matched, saved=saved))
    others = [f"{c!r}: {n}" for n, c, _ids in tried if c != column]
    if others:
        report.notes.append(_("students with a file, by the roster's other columns: {columns} (--roster-column "
                              "chooses the column)").format(columns=", ".join(others)))
    return ids, given and matched > 0


def _roster_columns(roster: RosterFile, column: str | None, entries, layout) -> list[tuple[int, str, list[str]]]:
    """(files matched, column, ids) of ``column``, or of every id column of the roster."""
    columns = [column] if column else roster.id_columns()
    if not columns:
        raise CourseError(_no_id_column(roster))
    tried = []
    for c in columns:
        try:
            ids = roster.ids(c)
        except CourseError:
            if column:
                raise
            continue  # not an id column after all (the same value twice: Canvas's display names)
        tried.append((_roster_matches(entries, layout, ids), c, ids))
    if not tried:
        raise CourseError(f"no column of the roster {roster.path} holds one id per student (tried "
                          f"{', '.join(columns)}): name it with --roster-column")
    return tried


def _matches_nobody(roster, column, ids, entries, layout, given) -> str:
    read = sorted({_student(r) for e in entries if (r := layout.read(e.parts, None)) and r.student})
    which = (f"the roster {roster.path}" if given
             else f"the course's {ROSTER_FILE} (saved by an earlier collect --roster)")
    return (f"no file of this export belongs to a student of {which}: its column {column!r} holds ids like "
            f"{', '.join(map(repr, ids[:3]))}, and the export's {layout.name} names give ids like "
            f"{', '.join(map(repr, read[:3]))}. Likely the wrong column: give --roster-column (columns: "
            f"{', '.join(roster.header)}). Nothing was collected"
            + ("; the course's roster.csv is unchanged." if given else "."))


def _chapter(reading: Reading, only: str | None, assignments: list[str], name: str, report: Report) -> str | None:
    """The assignment of a file (None: skipped, with the reason): the LMS's part says it, else the upload's
    name; --assignment keeps only its own files, and labels the files whose names name none."""
    named = [reading.assignment] if reading.assignment else (
        _known_in(reading.lms_text, assignments) or _known_in(reading.upload, assignments))
    if only is not None:
        if named and only not in named:
            report.skip(name, N_("a file of {names}, not of --assignment {only}"), names=", ".join(named), only=only)
            return None
        return only
    if len(named) == 1:
        return named[0]
    if named:
        report.skip(name, N_("names {n} assignments ({names}): give --assignment"), n=len(named),
                    names=", ".join(named))
    else:
        report.skip(name, N_("names no assignment of the course (give --assignment)"))
    return None


def _candidate(course: Course, entry: Entry, reading: Reading | None, roster, opts: Options, layout: Layout,
               assignments: list[str], report: Report) -> _Candidate | None:
    """Whose and which file ``entry`` is, or None (skipped, with the reason)."""
    if reading is None:
        report.skip(entry.name, N_("does not fit the export's layout ({layout})"), layout=layout.name)
        return None
    if reading.receipt:
        report.skip(entry.name, reading.receipt)
        return None
    if reading.problem:
        report.skip(entry.name, reading.problem[0], **reading.problem[1])
        return None
    student = _student(reading)
    why = valid_id(student)
    if why:
        report.skip(entry.name, N_("refused: {why} ({student})"), why=why, student=repr(student))
        return None
    if roster is not None and student not in roster:
        report.skip(entry.name, N_("student {student} is not on the roster"), student=repr(student))
        return None
    chosen = _chapter(reading, opts.assignment, assignments, entry.name, report)
    if chosen is None:
        return None
    if chosen not in assignments:
        report.skip(entry.name, N_("no assignment {name} in the course"), name=repr(chosen))
        return None
    notebooks = course.notebooks(chosen)
    notebook = notebooks[0] if len(notebooks) == 1 else next(iter(_known_in(reading.upload, notebooks)), None)
    if notebook is None:
        report.skip(entry.name, N_("{assignment} has several notebooks ({notebooks}) and the name says "
                                   "which of them it is not"), assignment=chosen, notebooks=", ".join(notebooks))
        return None
    is_notebook = PurePosixPath(entry.name).suffix.lower() == ".ipynb"
    return _Candidate(entry, student, chosen, notebook, reading.stamp or entry.stamp, is_notebook)


def _newest(group: list[_Candidate], report: Report) -> _Candidate | None:
    """The one file of a student's assignment that counts: their newest notebook (a file of another kind
    only when they handed in no notebook); the others are skipped, with the reason."""
    notebooks = [c for c in group if c.is_notebook]
    if notebooks:
        for c in group:
            if not c.is_notebook:
                report.skip(c.entry.name, N_("not a notebook (.ipynb), and {label} has a notebook in this export"),
                            label=c.label)
        group = notebooks
    group = sorted(group, key=lambda c: c.stamp.time)  # one export: its times share one zone
    newest = group[-1]
    if len(group) > 1 and group[-2].stamp.time == newest.stamp.time:
        for c in group:
            report.skip(c.entry.name, N_("{n} files for {label} in this export with the same time ({time}): "
                                         "which one counts cannot be told"),
                        n=len(group), label=c.label, time=c.stamp.show())
        return None
    for c in group[:-1]:
        report.skip(c.entry.name, N_("an older file of {label} ({time}); the newer {newer} ({newer_time}) "
                                     "is collected"), label=c.label, time=c.stamp.show(),
                    newer=newest.entry.name, newer_time=newest.stamp.show())
    return newest


# ---------------------------------------------------------------- collect

def collect(course: Course, path: Path, *, force: bool = False, roster: RosterFile | list[str] | None = None,
            roster_column: str | None = None, assignment: str | None = None, layout: str = "auto",
            pattern: str | None = None, max_mb: int = MAX_MB, max_total_mb: int = MAX_TOTAL_MB,
            zip_encoding: str | None = None, zip_timezone: str | None = None) -> Report:
    """Collect every submission of an export; return what happened to each file."""
    assignments = course.assignments()
    if assignment is not None and assignment not in assignments:
        raise CourseError(f"no assignment {assignment!r} in {course.source} (assignments: {', '.join(assignments)})")
    if layout not in LAYOUTS:
        raise CourseError(f"no layout {layout!r} (layouts: {', '.join(LAYOUTS)})")
    if zip_encoding:
        try:
            codecs.lookup(zip_encoding)
        except LookupError:
            raise CourseError(f"--zip-encoding {zip_encoding!r}: no such encoding (e.g. gbk, big5, shift_jis, "
                              "cp1252)") from None
    opts = Options(force, assignment, layout, pattern, max_mb << 20, max_total_mb << 20, zip_encoding,
                   zone_of(zip_timezone))
    report = Report()
    with contextlib.ExitStack() as stack:
        entries = list(_entries(Path(path), report, opts, stack))
        _collect(course, Path(path), entries, report, opts, roster, roster_column, assignments)
    return report


def _collect(course, path, entries, report, opts, roster, roster_column, assignments) -> None:
    report.files = len(entries) + len(report.skipped)
    if report.files == 0:
        raise CourseError(f"the export {path} holds no files")
    submissions = []
    for entry in entries:
        why = _metadata(entry)
        if why:
            report.skip(entry.name, why)
        else:
            submissions.append(entry)
    if not submissions:
        _append_log(course, path, report, [])
        return
    layout = choose_layout([e.parts for e in submissions], assignments, opts.layout, opts.pattern)
    report.notes.append(_layout_note(layout, opts, len(submissions)))
    ids, save = _choose_roster(course, roster, roster_column, submissions, layout, report)
    members = frozenset(ids) if ids is not None else None
    if layout.name == "flat" and members is None:
        report.notes.append(_("flat names without a roster: an id is what comes before the first assignment's "
                              "name; give --roster so that an upload named like another student's id is caught"))
    groups: dict[tuple[str, str, str], list[_Candidate]] = {}
    for entry in submissions:
        c = _candidate(course, entry, layout.read(entry.parts, members), members, opts, layout, assignments, report)
        if c is not None:
            groups.setdefault((c.student, c.assignment, c.notebook), []).append(c)
    chosen = [c for key in sorted(groups) if (c := _newest(groups[key], report)) is not None]
    _check_room(course, chosen, opts)
    log = []
    for c in chosen:
        _file(course, c, report, opts.force, log)
    if save:
        save_roster(course, ids)
    _append_log(course, path, report, log)


def _check_room(course: Course, chosen: list[_Candidate], opts: Options) -> None:
    """Stop before anything is written when the files would take more than --max-total-mb, or than the
    disk has free."""
    total = sum(c.entry.size for c in chosen)
    largest = ", ".join(f"{c.entry.name} ({_mb(c.entry.size)} MB)"
                        for c in sorted(chosen, key=lambda c: -c.entry.size)[:3])
    if total > opts.max_total_bytes:
        raise CourseError(f"this export would write {_mb(total)} MB into {course.submitted} ({len(chosen)} files; "
                          f"the largest: {largest}), over the {_mb(opts.max_total_bytes)} MB limit: nothing was "
                          "collected. If these are real submissions, raise --max-total-mb")
    free = shutil.disk_usage(_existing_parent(course.submitted)).free
    if total * 2 > free:  # a replaced file is kept too
        raise CourseError(f"this export would write {_mb(total)} MB into {course.submitted} and the disk has "
                          f"{_mb(free)} MB free: nothing was collected")


def _existing_parent(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


# ---------------------------------------------------------------- filing one submission

def notebook_problem(data: bytes) -> tuple[str | None, int]:
    """(why ``data`` is not a valid notebook or None, how many warnings nbformat gave): nbformat's
    warnings about a student's file are counted, never printed. A notebook of more than VALIDATED_CELLS
    cells is only parsed here (nbformat takes ~0.3 ms a cell; grading checks it in full)."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8 text", 0
    except ValueError:
        return "NotJSONError", 0
    if not isinstance(raw, dict):
        return "JSON, but not a notebook", 0
    cells = raw.get("cells")
    if isinstance(cells, list) and len(cells) > VALIDATED_CELLS:
        return None, 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            nbformat.validate(nbformat.convert(nbformat.from_dict(raw), 4))
            problem = None
        except Exception as err:  # any reason nbformat refuses it: the file is kept and flagged all the same
            problem = type(err).__name__
    return problem, len(caught)


def _invalid_why(c: _Candidate, data: bytes) -> tuple[str | None, int]:
    if not c.is_notebook:
        return f"not a notebook: {PurePosixPath(c.entry.name).suffix or 'no extension'}", 0
    return notebook_problem(data)


def _file(course: Course, c: _Candidate, report: Report, force: bool, log: list) -> None:
    try:
        data = c.entry.read()
    except (ValueError, OSError, zipfile.BadZipFile, RuntimeError, EOFError) as err:
        report.skip(c.entry.name, N_("refused: {error}"), error=err)
        return
    folder = course.submitted / c.student / c.assignment
    target = folder / f"{c.notebook}.ipynb"
    if not _inside(course.submitted, target):  # belt and braces: ids were checked above
        report.skip(c.entry.name, N_("refused: the target would be outside submitted/"))
        return
    old = _timestamp(folder)
    record = {"entry": c.entry.name, "student": c.student, "assignment": c.assignment,
              "timestamp": c.stamp.text(), "previous_timestamp": old.text() if old else None}
    if target.exists():
        if hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
            report.unchanged.append(c.label)
            log.append(record | {"action": "unchanged"})
            return
        how = _replacement(c, old, force, report)
        if how is None:
            return
        backup = _back_up(course, target, old)
        report.replaced.append(Replaced(c.label, _show(old), c.stamp.show(), how, backup))
        record |= {"action": "replaced", "how": how, "backup": backup}
    else:
        report.collected.append(c.label)
        record["action"] = "collected"
    folder.mkdir(parents=True, exist_ok=True)
    _write_bytes(target, data)
    write_atomic(folder / "timestamp.txt", c.stamp.text())
    problem, warned = _invalid_why(c, data)
    if problem:
        detail = problem + (f"; {warned} nbformat warnings" if warned else "")
        report.invalid.append(f"{c.entry.name} ({detail}) -> {c.label}")
    log.append(record | {"invalid": problem, "nbformat_warnings": warned})


def _order(old: Stamp | None, new: Stamp) -> str:
    """How this export's time stands to the collected one's: newer, older, same, unknown or no time."""
    if old is None:
        return "no time"
    if old == new:
        return "same"
    later = newer(old, new)
    return "unknown" if later is None else "newer" if later else "older"


# why a collected file stays (marked with N_), and what --force says when it replaces it anyway
_STAYS = {
    "older": (N_("the collected one is newer"), N_("replaced (--force) by an OLDER submission")),
    "same": (N_("a different file with the same time is already collected (edited by hand?)"),
             N_("replaced (--force) by a file with the same time")),
    "unknown": (N_("which is newer cannot be told: one of the two times is of unknown zone (a zip's plain entry "
                   "time, or Blackboard's) and they are less than 14 hours apart"),
                N_("replaced (--force); which of the two is newer cannot be told")),
    "no time": (N_("the collected one has no time (timestamp.txt)"),
                N_("replaced (--force); the collected one had no time")),
}


def _replacement(c: _Candidate, old: Stamp | None, force: bool, report: Report) -> str | None:
    """How this export's file replaces the one collected (a message marked with N_), or None when it
    does not (then it is in report.kept, with the reason)."""
    order = _order(old, c.stamp)
    if order == "newer" and c.is_notebook:
        return Replaced.how
    if not c.is_notebook:
        stays, forced = (N_("this export's file is not a notebook, and a file is already collected for it"),
                         N_("replaced (--force) by a file that is not a notebook"))
    else:
        stays, forced = _STAYS[order]
    if force:
        return forced
    # --force is suggested for every case but one: it never puts an older file in place of a newer one
    report.kept.append(_kept(c.label, stays, _show(old), c.stamp.show(), force_helps=order != "older"))
    return None


def _show(stamp: Stamp | None) -> str:
    return stamp.show() if stamp else "no time"


def _back_up(course: Course, target: Path, old: Stamp | None) -> str:
    """Move the collected copy (and its timestamp.txt) to submitted/.replaced/<student>/<assignment>/<time>/
    (never graded); return that folder, relative to the course."""
    folder = target.parent
    base = course.submitted / REPLACED_DIR / folder.parent.name / folder.name / (old.folder() if old else "no-time")
    backup, n = base, 1
    while backup.exists():
        n += 1
        backup = base.with_name(f"{base.name}_{n}")
    backup.mkdir(parents=True)
    shutil.copy2(target, backup / target.name)
    if (folder / "timestamp.txt").is_file():
        shutil.copy2(folder / "timestamp.txt", backup / "timestamp.txt")
    return backup.relative_to(course.root).as_posix()


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


def _timestamp(folder: Path) -> Stamp | None:
    try:
        return Stamp.parse((folder / "timestamp.txt").read_text())
    except OSError:
        return None


def _append_log(course: Course, export: Path, report: Report, log: list) -> None:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [dict(time=now, export=str(export), **item) for item in log]
    lines += [dict(time=now, export=str(export), entry=s.name, action="skipped", reason=s.reason)
              for s in report.skipped]
    lines += [dict(time=now, export=str(export), student=k.label, action="kept", reason=k.why, collected=k.old,
                   export_time=k.new) for k in report.kept]
    with open(course.root / LOG_FILE, "a", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def invalid_submissions(course: Course) -> list[str]:
    """student/assignment of every collected file that is not a valid notebook (kept; graded as 0, flagged)."""
    found = []
    for path in sorted(course.submitted.glob("*/*/*.ipynb")):
        if path.parent.parent.name.startswith("."):
            continue  # submitted/.replaced and the like: never graded
        if notebook_problem(path.read_bytes())[0]:
            found.append(f"{path.parent.parent.name}/{path.parent.name}")
    return found


def _skipped_lines(skipped: list[Skipped]) -> list[str]:
    """A line per skipped file; the files that are no submission at all (Blackboard's receipt of every
    attempt, macOS metadata) in one line per reason when there are more than 3 (all named in the log)."""
    lines, counts = [], collections.Counter(s.reason for s in skipped)
    for s in skipped:
        if s.reason not in NOT_SUBMISSIONS or counts[s.reason] <= 3:
            lines.append("  " + _("SKIPPED {name}: {reason}").format(name=s.name, reason=s.shown or s.reason))
    for reason in NOT_SUBMISSIONS:
        if counts[reason] > 3:
            group = [s for s in skipped if s.reason == reason]
            lines.append("  " + _("SKIPPED {files}: {reason} (e.g. {names}; every name is in {log})").format(
                files=plural(len(group), N_("{n} file"), N_("{n} files")), reason=_(reason),
                names=", ".join(s.name for s in group[:2]), log=LOG_FILE))
    return lines


def summary(report: Report) -> str:
    """What collect did, in the instructor's language (--lang): one count line, then a line for every
    file that changed or was refused (files already collected unchanged are only counted)."""
    lines = [
        _("collected {collected}, replaced {replaced}, unchanged {unchanged}, not replaced {kept}, invalid files "
          "kept for review {invalid}, skipped {skipped}").format(
            collected=len(report.collected), replaced=len(report.replaced), unchanged=len(report.unchanged),
            kept=len(report.kept), invalid=len(report.invalid), skipped=len(report.skipped))
    ]
    lines += ["  " + _("note: {note}").format(note=n) for n in report.notes]
    for r in report.replaced:
        lines.append("  " + _("{how}: {label}: collected {old} -> now {new}").format(
            how=_(r.how), label=r.label, old=r.old, new=r.new))
        lines.append("    " + _("the replaced copy is kept in {folder}").format(folder=r.backup))
    for name in report.invalid:
        lines.append("  " + _("INVALID, kept (graded 0 and flagged; see `report`): {name}").format(name=name))
    for k in report.kept:
        lines.append("  " + _("kept {label}: {why} (collected {old}, this export {new})").format(
            label=k.label, why=k.shown or k.why, old=k.old, new=k.new))
    lines += _skipped_lines(report.skipped)
    forcible = [k.label for k in report.kept if k.force_helps]
    if forcible:
        lines.append("  " + _("(--force replaces {labels} with this export's copy)").format(
            labels=", ".join(forcible[:5]) + (" ..." if len(forcible) > 5 else "")))
    return "\n".join(lines)
