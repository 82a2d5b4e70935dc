"""The instructor's command line: `python -m autograder COMMAND [--course DIR] ...`.

    release    check that every source notebook scores full marks, then generate the student versions
    collect    file an LMS export (folder or .zip) under submitted/
    grade      sandboxed, parallel, resumable autograding into the gradebook
    feedback   HTML feedback per student and chapter (hidden tests never shown)
    export     a CSV of scores, flags and per-exercise points
    report     per-exercise statistics, flagged submissions, a histogram
    demo       all of the above on a synthetic class
    workspace  the student's working folder (make lab)
    progress   the student's table of exercises passed
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
from pathlib import Path

from .course import CourseError, open_course


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, help):
        c = sub.add_parser(name, help=help)
        c.add_argument("--course", default="course", help="the course folder (default: course/)")
        return c

    c = command("release", "check the source notebooks, then generate the student versions")
    c.add_argument("--assignment")
    c.add_argument("--skip-check", action="store_true", help="do not run the source notebooks first")
    c.add_argument("--jobs", type=int)
    c = command("collect", "file submissions (folder or .zip) under submitted/")
    c.add_argument("path", type=Path)
    c.add_argument("--force", action="store_true", help="replace submissions already collected")
    c = command("grade", "autograde new submissions in parallel, in a sandbox")
    c.add_argument("--assignment")
    c.add_argument("--student")
    c.add_argument("--jobs", type=int, help="parallel kernels (default: one per core)")
    c.add_argument("--timeout", type=float, default=120, help="seconds per cell (default 120)")
    c.add_argument("--notebook-timeout", type=float, default=900, help="seconds per notebook (default 900)")
    c.add_argument("--memory-mb", type=int, default=4096,
                   help="memory per kernel, files in /tmp and /dev/shm included (default 4096)")
    c.add_argument("--disk-mb", type=int, default=512, help="what one notebook may write, in MB (default 512)")
    c.add_argument("--processes", type=int, default=64, help="processes and threads per kernel (default 64)")
    c.add_argument("--force", action="store_true", help="grade again what is already graded")
    c = command("feedback", "write HTML feedback under feedback/")
    c.add_argument("--assignment")
    c.add_argument("--student")
    c = command("export", "write a CSV of the grades")
    c.add_argument("file", type=Path)
    command("report", "per-exercise statistics, flagged submissions, a histogram")
    c = command("demo", "the whole pipeline on a synthetic class")
    c.add_argument("--jobs", type=int)
    sub.add_parser("workspace", help="the student's working folder", add_help=False)
    sub.add_parser("progress", help="the student's progress table", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("workspace", "progress"):  # the student's commands, owned by their modules
        import importlib

        return importlib.import_module(f"autograder.student.{argv[0]}").main(argv[1:])
    args = _parser().parse_args(argv)
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    try:
        return globals()[f"cmd_{args.command}"](args)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: run the same command again to finish (nothing graded is lost)", file=sys.stderr)
        return 130


def cmd_release(args) -> int:
    from . import release
    from .grade import Limits, self_check
    from .ui import Progress, table

    course = open_course(args.course)
    names = [args.assignment] if args.assignment else course.assignments()
    if args.assignment and args.assignment not in course.assignments():
        raise CourseError(f"no assignment {args.assignment!r} in {course.source}")
    bad = []
    if not args.skip_check:
        bar = Progress(len(names), "checking sources")
        rows = []
        with cf.ProcessPoolExecutor(args.jobs or os.cpu_count()) as pool:
            for r in pool.map(self_check, [str(course.root)] * len(names), names, [Limits()] * len(names)):
                ok = r.score == r.max_score and not r.flag_reasons and not r.events
                failing = [f"{k}: {t.message[:60]}" for k, t in r.tests.items() if t.score < t.max_score]
                rows.append([r.assignment, f"{r.score:g}/{r.max_score:g}", "ok" if ok else "FAIL",
                             "; ".join(failing + r.flag_reasons + [e.detail for e in r.events])[:80]])
                if not ok:
                    bad.append(r.assignment)
                bar.step(r.assignment)
        print(table(rows, ["assignment", "solutions score", "check", "problems"]))
    if bad:
        print(f"error: not released, fix the source first: {', '.join(bad)}", file=sys.stderr)
        return 1
    written = []
    for name in names:
        written += release.generate_release(course.root, name)
    print(f"released {len(written)} notebooks into {course.release}")
    return 0


def cmd_collect(args) -> int:
    from . import collect

    course = open_course(args.course)
    report = collect.collect(course, args.path, force=args.force)
    print(collect.summary(report))
    return 0


def cmd_grade(args) -> int:
    from .demo import grade_summary
    from .grade import Limits, grade

    course = open_course(args.course)
    limits = Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb,
                    disk_mb=args.disk_mb, processes=args.processes)
    results = grade(course, assignment=args.assignment, student=args.student, jobs=args.jobs,
                    force=args.force, limits=limits)
    print(grade_summary(results))
    return 0


def cmd_feedback(args) -> int:
    from .feedback import generate

    course = open_course(args.course)
    written = generate(course, student=args.student, assignment=args.assignment)
    print(f"wrote {len(written)} feedback files under {course.feedback}")
    return 0


def cmd_export(args) -> int:
    from .export import export

    course = open_course(args.course)
    path = export(course, args.file)
    print(f"wrote {path}")
    return 0


def cmd_report(args) -> int:
    from .report import report

    print(report(open_course(args.course)))
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(Path(args.course), jobs=args.jobs)
