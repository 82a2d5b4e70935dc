"""The instructor's command line: `python -m autograder COMMAND [--course DIR] ...`.

    release    check that every source notebook scores full marks, then generate the student versions
    collect    file an LMS export (folder or .zip) under submitted/
    grade      sandboxed, parallel, resumable autograding into the gradebook (locally or on a Dask cluster)
    feedback   HTML feedback per student and chapter (hidden tests never shown)
    export     a CSV of scores, flags and per-exercise points, with a status for every student
    report     per-exercise statistics, flagged submissions, invalid files, a histogram per chapter
    demo       all of the above on a synthetic class
    workspace  the student's working folder (make lab)
    progress   the student's table of exercises passed

Run it with the course's virtual environment: `.venv/bin/python -m autograder ...` (or
`source .venv/bin/activate` first); `make setup` creates it. Every command takes --course DIR (default
course/); those that read or write grades take --db URL (default: nbgrader_config.py's gradebook).
Every command prints in English, whatever the locale, unless given --lang zh (Chinese; before or after
the command's name): `python -m autograder report --lang zh`.

Exit status: 0 when done, and when there is nothing to do yet (nothing collected, nothing graded,
nothing new: the command says why and what to run first); 2 for a mistake in what was given (a course,
assignment or student the course does not have, a bad option or file), worded the same by every
command; 1 when grading stopped or a source failed release's check (the reason is printed); 130 when
interrupted.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
from pathlib import Path

from .. import i18n
from ..i18n import N_, _
from .course import CourseError, open_course

LANG_HELP = "the language of what the command prints: en (the default, whatever the locale) or zh"
DB_HELP = ("the gradebook: postgresql://USER:PASSWORD@HOST:PORT/DATABASE or sqlite:///FILE (default: "
           "CourseDirectory.db_url of the course's nbgrader_config.py, else course/gradebook.db; the "
           "AUTOGRADER_DB environment variable sets it for formgrader too)")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not above 0")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m autograder",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # SUPPRESS: a --lang given before the command's name is not overwritten by the command's default
    p.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS, help=LANG_HELP)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help, description=None, db=False):
        c = sub.add_parser(
            name, help=help, description=description or help, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        c.add_argument("--course", default="course", metavar="DIR", help="the course folder (default: course/)")
        c.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS, help=LANG_HELP)
        if db:
            c.add_argument("--db", metavar="URL", help=DB_HELP)
        return c

    def assignment(c, what):
        c.add_argument(
            "--assignment",
            metavar="NAME",
            help=f"only this assignment (a folder of source/, e.g. 01_leaf_tensors); default: {what}",
        )

    def student(c, what):
        c.add_argument("--student", metavar="ID", help=f"only this student (a folder of submitted/); default: {what}")

    def jobs(c, what):
        c.add_argument(
            "--jobs",
            type=positive_int,
            metavar="N",
            help=f"{what} in parallel (default: one per core, here {os.cpu_count()})",
        )

    c = command("release", "check the source notebooks, then generate the student versions", db=True)
    assignment(c, "every assignment")
    c.add_argument("--skip-check", action="store_true", help="do not grade the solutions first")
    jobs(c, "source notebooks checked")

    from . import collect as collect_module

    c = command(
        "collect",
        "file submissions (an LMS export: folder or .zip) under submitted/",
        description=collect_module.__doc__,
    )
    c.add_argument("path", type=Path, metavar="EXPORT", help="the LMS export: a .zip file or a folder")
    c.add_argument(
        "--roster",
        type=Path,
        metavar="FILE.csv",
        help="the LMS's class list (e.g. Canvas's gradebook CSV): ids are checked against it (unknown or "
        "ambiguous ones are reported, never guessed), and export lists every student on it; saved in the "
        "course as roster.csv when some file of the export matches it",
    )
    c.add_argument(
        "--roster-column",
        metavar="NAME",
        help="the roster's id column (default: of " + ", ".join(collect_module.ROSTER_COLUMNS[:6]) + ", ..., the one "
        "that matches the most students; collect says which it used)",
    )
    c.add_argument(
        "--assignment",
        metavar="NAME",
        help="collect only this assignment (a folder of source/, e.g. 01_leaf_tensors): files whose names name "
        "another assignment are skipped; files whose names name none are filed under NAME (default: the "
        "assignment each file's name names)",
    )
    c.add_argument(
        "--layout",
        choices=collect_module.LAYOUTS,
        default="auto",
        help="how the LMS names files (default: auto, told once from the names of all the export's files; "
        "it stops and asks when it cannot tell)",
    )
    c.add_argument(
        "--pattern",
        metavar="REGEX",
        help="a regular expression over each file's path in the export, "
        "with a group (?P<student>...) (and optionally (?P<assignment>...))",
    )
    c.add_argument(
        "--max-mb",
        type=positive_int,
        default=collect_module.MAX_MB,
        metavar="MB",
        help=f"largest file accepted, unpacked (default {collect_module.MAX_MB}); larger ones are refused unread",
    )
    c.add_argument(
        "--max-total-mb",
        type=positive_int,
        default=collect_module.MAX_TOTAL_MB,
        metavar="MB",
        help=f"the most one collect writes into submitted/ (default {collect_module.MAX_TOTAL_MB}); over it, "
        "nothing is written",
    )
    c.add_argument(
        "--zip-encoding",
        metavar="ENCODING",
        help="the encoding of the zip's file names when the zip does not mark them as UTF-8, e.g. gbk for a zip "
        "made on Chinese Windows (default: UTF-8 when they are, else cp437)",
    )
    c.add_argument(
        "--zip-timezone",
        metavar="ZONE",
        help="the time zone of the machine that made the zip (e.g. Asia/Shanghai, +08:00, UTC), for entries "
        "without a UTC time (default: unknown, so a time less than 14 hours from the collected one replaces "
        "nothing without --force)",
    )
    c.add_argument(
        "--force",
        action="store_true",
        help="replace submissions already collected even when the export's copy is not newer (or when which "
        "is newer cannot be told); the replaced copy is kept under submitted/.replaced/",
    )

    c = command("grade", "autograde new submissions in parallel, in a sandbox (locally or on a Dask cluster)", db=True)
    assignment(c, "every assignment")
    student(c, "every student")
    jobs(c, "notebooks graded")
    c.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="grade on a Dask distributed cluster (`dask scheduler` and `dask worker` on any machines; "
        "no shared folder needed); default: on this machine",
    )
    c.add_argument("--timeout", type=positive_float, default=120, metavar="S", help="seconds per cell (default 120)")
    c.add_argument(
        "--notebook-timeout", type=positive_float, default=900, metavar="S", help="seconds per notebook (default 900)"
    )
    c.add_argument(
        "--memory-mb",
        type=positive_int,
        default=4096,
        metavar="MB",
        help="memory per kernel, files in /tmp and /dev/shm included (default 4096); a notebook with "
             "do-it-yourself exercises runs two kernels at once",
    )
    c.add_argument(
        "--disk-mb",
        type=positive_int,
        default=512,
        metavar="MB",
        help="what one notebook may write, in MB (default 512)",
    )
    c.add_argument(
        "--processes", type=positive_int, default=64, metavar="N", help="processes and threads per kernel (default 64)"
    )
    c.add_argument("--force", action="store_true", help="grade again what is already graded")
    c.add_argument(
        "--no-zygote",
        action="store_true",
        help="start every kernel afresh (slower) instead of forking it from a process that has already imported torch",
    )

    c = command("feedback", "write HTML feedback under feedback/", db=True)
    assignment(c, "every assignment")
    student(c, "every student")

    c = command("export", "write a CSV of the grades: a row per student and assignment, with a status", db=True)
    c.add_argument("file", type=Path, metavar="FILE.csv", help="where to write the CSV (e.g. grades.csv)")
    assignment(c, "every assignment")
    c.add_argument(
        "--roster",
        type=Path,
        metavar="FILE.csv",
        help="the class list (default: the roster saved by collect --roster, if any): every student on "
        "it gets a row, with status graded, invalid file or not submitted",
    )
    c.add_argument("--roster-column", metavar="NAME", help="the roster's id column")

    c = command(
        "report", "per-exercise statistics, flagged submissions, invalid files, a histogram per chapter", db=True
    )
    assignment(c, "every assignment")

    c = command("demo", "the whole pipeline on a synthetic class (in course/demo/)")
    jobs(c, "notebooks graded")
    sub.add_parser("workspace", help="the student's working folder", add_help=False)
    sub.add_parser("progress", help="the student's progress table", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; a Python without the course's packages gets one line that says which Python to use
    (building the parser already imports them: collect's help is its module's)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in ("workspace", "progress"):  # the student's commands, owned by their modules
            import importlib

            return importlib.import_module(f"autograder.student.{argv[0]}").main(argv[1:])
        args = _parser().parse_args(argv)
        os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
        with i18n.speaking(getattr(args, "lang", "en")):  # English unless --lang zh, whatever the locale
            return _run(args)
    except ModuleNotFoundError as err:
        if (err.name or "").partition(".")[0] == "autograder":
            raise  # the package itself is broken: that is a bug to see, not a missing dependency
        print(_("error: this Python ({python}) lacks the module {module}: use the course's virtual environment, "
                "`.venv/bin/python -m autograder ...` (or `source .venv/bin/activate` first; `make setup` "
                "creates it)").format(python=sys.executable, module=err.name), file=sys.stderr)
        return 2


def _run(args) -> int:
    try:
        return globals()[f"cmd_{args.command}"](args)
    except CourseError as err:
        print(_("error: {error}").format(error=err), file=sys.stderr)
        return 2
    except RuntimeError as err:
        from .grade import BatchStopped

        if not isinstance(err, BatchStopped):
            raise
        _print_stopped(err)
        return 1
    except KeyboardInterrupt:
        print("\n" + _("interrupted: run the same command again to finish (nothing graded is lost)"), file=sys.stderr)
        return 130


def _print_stopped(stop) -> None:
    print(_("error: grading stopped: {reason}").format(reason=stop), stop.outcome(), sep="\n", file=sys.stderr)


def _open(args):
    course = open_course(args.course, db=getattr(args, "db", None))
    course.check_assignment(getattr(args, "assignment", None))
    return course


def cmd_release(args) -> int:
    from . import release
    from .grade import Limits, check_problems, self_check
    from .ui import Progress, plural, table

    course = _open(args)
    names = [args.assignment] if args.assignment else course.assignments()
    bad = []
    if not args.skip_check:
        bar = Progress(len(names), _("checking sources"))
        rows = []
        with cf.ProcessPoolExecutor(min(args.jobs or os.cpu_count() or 1, len(names))) as pool:
            for r in pool.map(self_check, [str(course.root)] * len(names), names, [Limits()] * len(names)):
                ok = r.score == r.max_score and not r.flag_reasons and not r.events
                rows.append(
                    [r.assignment, f"{r.score:g}/{r.max_score:g}", _("ok") if ok else _("FAIL"),
                     "" if ok else check_problems(r)]
                )
                if not ok:
                    bad.append(r.assignment)
                bar.step(r.assignment)
        print(table(rows, [_("assignment"), _("solutions score"), _("check"), _("problems")], wrap=80))
    if bad:
        print(release.not_released(bad, Limits()), file=sys.stderr)
        return 1
    written = []
    for name in names:
        written += release.generate_release(course.root, name, db_url=course.db())
    print(_("released {notebooks} into {folder} (gradebook: {db})").format(
        notebooks=plural(len(written), N_("{n} notebook"), N_("{n} notebooks")), folder=course.release, db=_db(course)))
    return 0


def _db(course) -> str:
    from .course import show_db

    return show_db(course.db())


def cmd_collect(args) -> int:
    from . import collect
    from .ui import plural

    course = _open(args)
    report = collect.collect(
        course,
        args.path,
        force=args.force,
        roster=collect.RosterFile.read(args.roster) if args.roster else None,
        roster_column=args.roster_column,
        assignment=args.assignment,
        layout=args.layout,
        pattern=args.pattern,
        max_mb=args.max_mb,
        max_total_mb=args.max_total_mb,
        zip_encoding=args.zip_encoding,
        zip_timezone=args.zip_timezone,
    )
    print(collect.summary(report))
    if report.nothing_collected:
        print(_("error: nothing collected: every one of the {files} of {export} was skipped (the reasons are "
                "above)").format(files=plural(report.files, N_("{n} file"), N_("{n} files")), export=args.path),
              file=sys.stderr)
        return 1
    return 0


def cmd_grade(args) -> int:
    from .demo import grade_summary
    from .grade import BatchStopped, Limits, grade

    course = _open(args)
    _check_student(course, args.student)
    limits = Limits(
        cell_timeout=args.timeout,
        notebook_timeout=args.notebook_timeout,
        memory_mb=args.memory_mb,
        disk_mb=args.disk_mb,
        processes=args.processes,
    )
    try:
        results = grade(
            course,
            assignment=args.assignment,
            student=args.student,
            jobs=args.jobs,
            force=args.force,
            limits=limits,
            scheduler=args.scheduler,
            zygote=not args.no_zygote,
        )
    except BatchStopped as stop:
        _print_stopped(stop)
        return 1
    if not results and not _collected(course, args.student, args.assignment):
        print(_("nothing to grade{which}: nothing collected yet (run `python -m autograder collect` first)").format(
            which=_which(args)))
        return 0
    print(grade_summary(results, course))
    return 1 if results.not_graded else 0


def cmd_feedback(args) -> int:
    from .feedback import generate
    from .ui import plural

    course = _open(args)
    _check_student(course, args.student)
    written = generate(course, student=args.student, assignment=args.assignment)
    if not written:
        print(_("no feedback to write{which}: nothing graded yet (run `python -m autograder grade` first)").format(
            which=_which(args)))
        return 0
    print(_("wrote {files} under {folder}").format(
        files=plural(len(written), N_("{n} feedback file"), N_("{n} feedback files")), folder=course.feedback))
    return 0


# What every command does with the names it is given: a name the course does not have (a course folder,
# an assignment, a student) is an error, exit 2, worded the same by every command; a name it has, with
# nothing to do for it yet (nothing collected, nothing graded, nothing new), is not: exit 0, with a line
# that says why and which command comes first.

def _check_student(course, student: str | None) -> None:
    """The one error for a student the course has no submission from."""
    if student is not None and student not in course.students():
        raise CourseError(_("no submissions from {student} in {folder}").format(
            student=repr(student), folder=course.submitted))


def _collected(course, student: str | None, assignment: str | None) -> bool:
    """Whether anything of that student and assignment (None: any) was collected."""
    return any((course.submitted / s / a).is_dir() for s in ([student] if student else course.students())
               for a in ([assignment] if assignment else course.assignments()))


def _which(args) -> str:
    """' (--student alice --assignment 02_backward)': what a command was asked for, as it was typed."""
    given = [f"--{name} {getattr(args, name)}" for name in ("student", "assignment") if getattr(args, name, None)]
    return f" ({' '.join(given)})" if given else ""


def cmd_export(args) -> int:
    from . import collect
    from .export import export, included_assignments
    from .ui import plural

    course = _open(args)
    roster = collect.load_roster(args.roster, args.roster_column) if args.roster else None
    path, counts = export(course, args.file, assignment=args.assignment, roster=roster)
    rows = plural(sum(counts.values()), N_("{n} row"), N_("{n} rows"))
    print(_("wrote {path}: {rows}").format(path=path, rows=rows) + "".join(
        f", {n} {_shown_status(status)}" for status, n in counts.items()))
    print(included_assignments(course, args.assignment))
    if not counts:
        print(_("nothing collected yet (run `python -m autograder collect` first)"))
    return 0


# export's statuses, as the CSV writes them (in English, for the LMS) and as the summary shows them
STATUSES = (N_("graded"), N_("invalid file"), N_("not graded yet"), N_("not submitted"))
NOT_ON_ROSTER = N_("(not on the roster)")


def _shown_status(status: str) -> str:
    """A status of the CSV in the instructor's language: 'graded (not on the roster)' -> '已评分（不在花名册上）'."""
    base, sep, _rest = status.partition(" " + NOT_ON_ROSTER)
    return (_(base) if base in STATUSES else base) + (" " + _(NOT_ON_ROSTER) if sep else "")


def cmd_report(args) -> int:
    from .report import report

    print(report(_open(args), assignment=args.assignment))
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(Path(args.course), jobs=args.jobs)
