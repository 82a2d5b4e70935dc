"""`python -m autograder grade`: sandboxed, parallel, resumable grading by the judge, into nbgrader's gradebook.

For each submission, a worker rebuilds every notebook around the instructor's copy (restore.py), scans
the student's code for review flags (integrity.py), and grades it with ``grade_notebook``: the notebook
runs in a sandboxed kernel (execute.py, sandbox.py) where the judge's harness takes the place of every
test cell, the judge decides each verdict outside the kernel (autograder/judge) and writes it into the
test cell; exercises that must be done by hand run a second time, alongside the first in a kernel of
their own, without the tools that would do them (judge/selfmade.py). The graded notebook and
``autograder.json`` are written atomically under autograded/. Only the main process writes the gradebook,
one transaction per submission, as an upsert: after a crash or ``kill -9``, a re-run records what was
graded and grades the rest; nothing is counted twice.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import fcntl
import functools
import hashlib
import multiprocessing
import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import cells, judge
from ..judge import selfmade
from ..i18n import _
from ..kernel import probe
from ..languages import language_of
from . import integrity
from .course import Course, CourseError, write_atomic
from .execute import close_thread_loop, discard, run_notebook, start_kernel
from .restore import restore
from .sanitize import neutralize, strip_hidden
from .results import Event, Result, TestResult
from .sandbox import Limits, Profile, sandbox_status

__all__ = ["BatchStopped", "Graded", "Limits", "NotGraded", "grade", "grade_notebook", "grade_task", "self_check"]


# ---------------------------------------------------------------- one notebook

@dataclass
class NotebookGrade:
    """What grading one notebook gives: a TestResult per test cell, what stopped it, review flags."""

    tests: dict[str, TestResult] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def grade_notebook(nb, source, *, name: str, limits: Limits = Limits(), data_files=(), seed: int | None = None,
                   delimiters: cells.Delimiters = cells.Delimiters()) -> NotebookGrade:
    """Grade ``nb`` (restored around ``source``) in place: the judge's verdict goes into every test cell."""
    lang = language_of(nb)
    tasks = judge.plan(source, seed=seed, delimiters=delimiters)
    token = secrets.token_hex(8)
    _insert_probes(nb, token, lang, tasks)
    replace = {i: judge.harness_code(tasks[cells.grade_id(c)], token) + "\n" + _report_code(cells.grade_id(c), token)
               for i, c in enumerate(nb.cells) if _judged(c, tasks)}
    # while the kernel runs the notebook, the judge computes its references and the do-it-yourself
    # runs go on in kernels of their own
    references = threading.Thread(target=judge.prepare, args=(tasks,), name="references", daemon=True)
    references.start()
    with _early_kernels(tasks, limits, data_files) as early:
        second = _SecondRuns(nb, tasks, limits, data_files, early)
        try:
            run = run_notebook(nb, limits=limits, data_files=data_files, replace=replace)
        finally:
            references.join()
            second.join()
        out = NotebookGrade()
        if run.event:
            where = _label(nb, run.event_cell) if run.event_cell is not None else "kernel start"
            out.events.append(Event(name, where, run.event, run.detail))
        out.flags += _read_probes(nb, run, token, replace)
        verdicts = {}
        for i, cell in enumerate(nb.cells):
            if not cells.is_test(cell):
                continue
            task = tasks[cells.grade_id(cell)]
            if task.exercise is None:  # not an exercise the judge knows: stock nbgrader's way, in the kernel
                out.tests[task.test_id] = _kernel_scored(cell, task, run.status.get(i, "not run"), name, run.detail)
                continue
            if i in run.replies and run.status.get(i) in ("ok", "error"):
                verdicts[task.test_id] = judge.decide(task, judge.read_reply(run.replies[i], token), lang)
            else:
                why = run.detail if run.event else "the notebook stopped before this cell"
                verdicts[task.test_id] = judge.not_run(task, why, lang)
        second.judge(verdicts, lang)
    for cell in nb.cells:
        verdict = verdicts.get(cells.grade_id(cell)) if cells.is_test(cell) else None
        if verdict is not None:
            cell.outputs = judge.verdict_outputs(verdict)
            cell.execution_count = None
            out.tests[verdict.test_id] = TestResult(name, verdict.max_points, verdict.score, verdict.status,
                                                    verdict.message)
    _remove_probes(nb)
    return out


@contextlib.contextmanager
def _early_kernels(tasks, limits, data_files):
    """{switches: kernel} for the do-it-yourself runs that ``tasks`` need, started now. Those left unused
    are stopped at the end."""
    early = {switches: start_kernel(limits, _self_made_profile(switches), data_files)
             for switches in _self_made_groups(tasks)}
    try:
        yield early
    finally:
        for km in early.values():
            if km is not None:
                discard(km)


def _self_made_groups(tasks) -> dict[frozenset, list[str]]:
    """{switches: test ids}: the exercises of ``tasks`` that ask for a do-it-yourself run, by what it takes away."""
    groups: dict[frozenset, list[str]] = {}
    for test_id, task in tasks.items():
        if task.exercise is not None and task.exercise.self_made:
            groups.setdefault(frozenset(task.exercise.self_made), []).append(test_id)
    return groups


def _self_made_profile(switches: frozenset) -> Profile:
    return Profile("selfmade", selfmade.stand_ins(switches))


class _SecondRuns:
    """The do-it-yourself runs (judge/selfmade.py) of ``nb``, one per set of switches, each in the kernel
    started early for it (``early`` gives it up), in a thread alongside the notebook's own run.

    They run every exercise that asks for one, before anyone knows which pass (an answer that fails the
    first run loses nothing more in the second): the notebook's run does not wait for them, and a
    student waits for the longer of the two runs, not for both. Their cells are copied from ``nb``
    before its own run changes it."""

    def __init__(self, nb, tasks, limits, data_files, early):
        self.runs, self.error = [], None
        prepared = [(switches, selfmade.second_notebook(nb, set(test_ids)),
                     {t: judge.Task(t, tasks[t].exercise, _second_cases(tasks[t]), 0, tasks[t].max_points)
                      for t in test_ids})
                    for switches, test_ids in _self_made_groups(tasks).items()]
        self.jobs = [(switches, second, narrowed, early.pop(switches, None))  # now this thread's to stop
                     for switches, second, narrowed in prepared]
        self.thread = threading.Thread(target=self._run_all, args=(limits, data_files), name="second run",
                                       daemon=True)
        self.thread.start()

    def _run_all(self, limits, data_files) -> None:
        try:
            for switches, second, narrowed, km in self.jobs:
                self.runs.append(_second_run(second, narrowed, switches, limits, data_files, km))
        except BaseException as error:  # noqa: BLE001 -- raised again in the grader's own thread, by judge()
            self.error = error
        finally:
            close_thread_loop()

    def join(self) -> None:
        self.thread.join()

    def judge(self, verdicts: dict, lang: str) -> None:
        """Fail the answers that passed the first run and not their do-it-yourself run."""
        self.join()
        if self.error is not None:
            raise self.error
        for (switches, _second, narrowed, _km), replies in zip(self.jobs, self.runs):
            for test_id, task in narrowed.items():
                if verdicts[test_id].status != "passed":
                    continue
                again = judge.decide(task, replies.get(test_id, "not run"), lang)
                if again.status != "passed":
                    verdicts[test_id] = judge.self_made_failure(verdicts[test_id], again, sorted(switches), lang)


def _second_run(second, narrowed, switches, limits, data_files, km) -> dict:
    """{test id: the kernel's reply, or why there is none}: one do-it-yourself run of the notebook
    ``second`` (its test cells replaced by the harness of the ``narrowed`` tasks)."""
    token = secrets.token_hex(8)
    replace = {i: judge.harness_code(narrowed[cells.grade_id(c)], token) for i, c in enumerate(second.cells)
               if cells.is_test(c)}
    run = run_notebook(second, limits=limits, data_files=data_files, replace=replace,
                       profile=_self_made_profile(switches), km=km)
    return {cells.grade_id(second.cells[i]): judge.read_reply(run.replies[i], token) if i in run.replies
            else (run.detail or "not run") for i in replace}


def _second_cases(task: judge.Task) -> list:
    """The cases the do-it-yourself run repeats: one of each kind the cell's hidden region declares (its
    first draw for this grading run, which no answer can have been written around), among those that make
    sense there; the visible ones where there is none. The question here is not whether the answer is
    right (the first run checked every case) but whether it still works without the library: one case of
    each kind answers it, and ``repeat=12`` more draws of the same kind would only repeat the answer."""
    allowed = [c for c in (task.cases[i] for i in task.kinds) if task.exercise.second_run(c)]
    return allowed or [c for c in task.cases if task.exercise.second_run(c)]


def _kernel_scored(cell, task, status, name, detail) -> TestResult:
    """A test cell the judge does not know, scored from its outputs as nbgrader does (stderr aside)."""
    from nbgrader.utils import determine_grade

    errors = [o for o in cell.outputs if o.output_type == "error"]
    for out in cell.outputs:  # warnings must not cost points
        if out.output_type == "stream" and out.name == "stderr":
            out.name = "stdout"
    if status == "ok" and not errors:
        score, _ = determine_grade(cell)
        return TestResult(name, task.max_points, float(score or 0.0), "passed", "", judged=False)
    message = f"{errors[0].ename}: {errors[0].evalue}".strip()[:500] if errors else f"not run: {detail}"
    return TestResult(name, task.max_points, 0.0, "failed" if errors else "not run", message, judged=False)


def _label(nb, index: int) -> str:
    """A cell named for the student: its grade_id, or the nearest one before it."""
    for j in range(index, -1, -1):
        gid = cells.grade_id(nb.cells[j])
        if gid:
            return f"cell {index + 1} ({gid})" if j == index else f"cell {index + 1} (after {gid})"
    return f"cell {index + 1}"


# ---------------------------------------------------------------- the runtime probe (review flags only)

def _probe_cell(code: str, label: str | bool = True):
    """A cell of the grader's probe; ``label``: the test cell whose report it prints."""
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["autograder_probe"] = label
    return cell


def _judged(cell, tasks) -> bool:
    """Is ``cell`` a test cell whose checks the judge decides (its code replaced by the harness)?"""
    task = tasks.get(cells.grade_id(cell)) if cells.is_test(cell) else None
    return task is not None and task.exercise is not None


def _report_code(test_id: str, token: str) -> str:
    return f"__import__('sys').modules['autograder.kernel.probe'].report({test_id!r}, {token!r})"


def _insert_probes(nb, token: str, lang: str, tasks) -> None:
    """The probe's start, in a cell before all others (which also sets the kernel's language to the
    notebook's: the grader's kernel has no notebook path to read it from), and its report after every
    test cell: in a cell of its own after those the kernel scores, at the end of the harness's code in
    those the judge decides (``_report_code``: one cell less to run for each)."""
    new = [_probe_cell(f"__import__('os').environ['COURSE_LANG'] = {lang!r}\n"
                       "import autograder.kernel.probe\nautograder.kernel.probe.install()")]
    for cell in nb.cells:
        new.append(cell)
        if cells.is_test(cell) and not _judged(cell, tasks):
            new.append(_probe_cell(_report_code(cells.grade_id(cell), token), cells.grade_id(cell)))
    nb.cells = new


def _remove_probes(nb) -> None:
    nb.cells = [c for c in nb.cells if not c.metadata.get("autograder_probe")]


def _read_probes(nb, run, token: str, harnessed: dict) -> list[str]:
    """One reason per kind of finding, naming the test cells after which it was seen: from the probe's
    cells and from the outputs of the test cells that ran the harness (``harnessed``)."""
    import json

    found: dict[str, list[str]] = {}

    def note(message: str, label: str) -> None:
        found.setdefault(message, []).append(label)

    for i, cell in enumerate(nb.cells):
        probed = cell.metadata.get("autograder_probe") or i in harnessed
        if not probed or run.status.get(i) == "not run" or i == run.event_cell:
            continue
        if i == 0:
            if run.status.get(i) != "ok":
                found.setdefault("the grader's probe could not start in the kernel", [])
            continue
        outputs = run.replies.get(i, []) if i in harnessed else cell.outputs
        label = cells.grade_id(cell) if i in harnessed else str(cell.metadata["autograder_probe"])
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        lines = [ln for ln in text.splitlines() if ln.startswith(f"{probe.MARKER} {token} ")]
        if run.status.get(i) != "ok" or len(lines) != 1:
            note("the grader's probe was silenced (cell runner or output tampered)", label)
            continue
        try:
            report = json.loads(lines[0].split(" ", 3)[3])
        except (ValueError, IndexError, RecursionError):
            report = None
        if not (isinstance(report, dict) and all(isinstance(report.get(k, []), list) for k in ("changed", "events"))):
            note("the grader's probe output was forged", label)  # the kernel can print anything, token included
            continue
        for name in report.get("changed", [])[:5]:
            note(f"{str(name)[:100]} was replaced (monkeypatching)", label)
        for event in report.get("events", [])[:5]:
            note(str(event)[:200], label)
    reasons = []
    for message, labels in found.items():
        labels = list(dict.fromkeys(labels))
        where = f" (after {', '.join(labels[:4])}{', ...' if len(labels) > 4 else ''})" if labels else ""
        reasons.append(message + where)
    return reasons


# ---------------------------------------------------------------- one submission (in a worker)
#
# A task carries everything a worker needs, so that no folder has to be shared with it (a Dask worker
# may be another machine): the student's files and timestamp, and the assignment's "bundle" (the
# instructor's notebooks, the data files shipped with the release, the hidden-test delimiters). The
# worker returns the Result and the graded notebooks' text; the main process writes them.

class BatchStopped(RuntimeError):
    """The batch cannot grade fairly here (the instructor's own solutions fail in the sandbox, or most
    submissions fail the same way): it stops, and nobody is graded or flagged for that. ``recorded``:
    how many submissions this run had graded and recorded before it stopped (those grades stand)."""

    recorded = 0

    def outcome(self) -> str:
        """What the stop left behind, for the instructor."""
        if not self.recorded:
            return _("nobody was graded or flagged by this run")
        return _("submissions graded and recorded before the stop: {n} (those grades stand); the others were "
                 "not graded: fix the cause, then run grade again").format(n=self.recorded)


@functools.lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """What the grading code is (autograder/ and minigrad/ sources, when this process first asked):
    a cluster's workers must run the same as the main process."""
    import autograder

    h = hashlib.sha256()
    root = Path(autograder.__file__).resolve().parent
    for base in (root, root.parent / "minigrad"):
        for path in sorted(base.rglob("*.py")):
            h.update(str(path.relative_to(base.parent)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def submission_hash(course: Course, student: str, assignment: str) -> str:
    """Changes when the submission or the instructor's notebooks change: then it is graded again."""
    h = hashlib.sha256()
    for folder in (course.submitted / student / assignment, course.source / assignment):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _data_files(course: Course, assignment: str) -> list[Path]:
    """Files shipped with the assignment (never its notebooks): put in the kernel's working folder."""
    release = course.release / assignment
    return sorted(f for f in release.iterdir() if f.is_file() and f.suffix != ".ipynb") if release.is_dir() else []


def bundle(course: Course, assignment: str) -> dict:
    """What every task of ``assignment`` needs from the instructor: sources, data files, delimiters."""
    delimiters = cells.Delimiters.of(course.config())
    sources = {name: (course.source / assignment / f"{name}.ipynb").read_text(encoding="utf-8")
               for name in course.notebooks(assignment)}
    data = {f.name: f.read_bytes() for f in _data_files(course, assignment)}
    h = hashlib.sha256(repr((sorted(sources.items()), sorted(data.items()), delimiters)).encode())
    return {"assignment": assignment, "sources": sources, "data": data,
            "delimiters": (delimiters.begin, delimiters.end), "key": h.hexdigest()[:16]}


def task(course: Course, student: str, assignment: str, digest: str) -> dict:
    """One submission, self-contained: the student's notebooks and timestamp."""
    folder = course.submitted / student / assignment
    stamp = folder / "timestamp.txt"
    return {"student": student, "assignment": assignment, "hash": digest,
            "timestamp": stamp.read_text().strip() if stamp.is_file() else None,
            "files": {p.name: p.read_bytes() for p in sorted(folder.glob("*.ipynb")) if p.is_file()}}


_data_dirs: dict[str, Path] = {}
_lock = threading.Lock()


def _bundle_data(b: dict) -> list[Path]:
    """The bundle's data files as files of this machine (written once per process, removed at its exit)."""
    if not b["data"]:
        return []
    with _lock:
        folder = _data_dirs.get(b["key"])
        if folder is None or not folder.is_dir():
            folder = selfmade.folder_of_this_process("ag-data-")
            for name, data in b["data"].items():
                (folder / name).write_bytes(data)
            _data_dirs[b["key"]] = folder
    return sorted(folder / name for name in b["data"])


def grade_task(t: dict, b: dict, limits: Limits) -> tuple[Result, dict[str, str]]:
    """Grade one student's assignment; always returns a result (and the graded notebooks' text)."""
    student, assignment = t["student"], t["assignment"]
    result = Result(student, assignment, t["hash"], t["timestamp"], sandbox=sandbox_status(),
                    seed=secrets.randbits(62))
    start = time.monotonic()
    delimiters = cells.Delimiters(*b["delimiters"])
    graded_texts = {}
    for name in sorted(b["sources"]):
        source = nbformat.reads(b["sources"][name], as_version=4)
        for cell in source.cells:
            if cells.is_test(cell):
                result.tests[cells.grade_id(cell)] = TestResult(name, cells.points(cell))
        data = t["files"].get(f"{name}.ipynb")
        if data is None:
            others = sorted(t["files"])
            result.flag(f"missing notebook {name}.ipynb" + (f" (found {', '.join(others)})" if others else ""))
            _set_all(result, name, "missing", "the notebook was not submitted")
            continue
        try:
            submission = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(submission)
        except Exception as err:
            result.flag(f"{name}.ipynb is not a valid notebook ({type(err).__name__}: {str(err)[:120]})")
            _set_all(result, name, "unreadable", "the notebook file could not be read")
            continue
        nb, notes = restore(submission, source)
        result.notes += notes
        for reason in integrity.scan(_student_cells(nb)):
            result.flag(reason)
        graded = grade_notebook(nb, source, name=name, limits=limits, data_files=_bundle_data(b),
                                seed=result.seed, delimiters=delimiters)
        result.tests.update(graded.tests)
        result.events += graded.events
        for reason in graded.flags:
            result.flag(reason)
        strip_hidden(nb, delimiters)
        neutralize(nb)
        graded_texts[name] = nbformat.writes(nb)
    from .zygote import zygote_status

    result.kernels = zygote_status()
    result.seconds = round(time.monotonic() - start, 2)
    return result, graded_texts


def _write(course: Course, result: Result, texts: dict[str, str]) -> None:
    """The graded notebooks, timestamp and autograder.json of one submission (main process)."""
    out_dir = course.autograded / result.student / result.assignment
    for name, text in texts.items():
        write_atomic(out_dir / f"{name}.ipynb", text)
    if result.timestamp:
        write_atomic(out_dir / "timestamp.txt", result.timestamp)
    write_atomic(course.result_path(result.student, result.assignment), result.to_json())


def _check_bundle(b: dict, limits: Limits) -> Result:
    """The instructor's own notebooks graded as a submission, in the same sandbox."""
    result = Result("(solutions)", b["assignment"], sandbox=sandbox_status(), seed=secrets.randbits(62))
    delimiters = cells.Delimiters(*b["delimiters"])
    for name in sorted(b["sources"]):
        source = nbformat.reads(b["sources"][name], as_version=4)
        nb, result.notes = restore(source, source)
        for reason in integrity.scan(_student_cells(nb)):
            result.flag(reason)
        try:
            graded = grade_notebook(nb, source, name=name, limits=limits, seed=result.seed, delimiters=delimiters,
                                    data_files=_bundle_data(b))
        except cells.HiddenRegionError as error:
            raise CourseError(f"{b['assignment']}/{name}.ipynb: a hidden-test region cannot be read: {error}") from None
        result.tests.update(graded.tests)
        result.events += graded.events
        for reason in graded.flags:
            result.flag(reason)
    return result


def self_check(root: str, assignment: str, limits: Limits) -> Result:
    """Grade the instructor's own notebooks as if submitted: must score full marks with no flag."""
    return _check_bundle(bundle(Course(Path(root)), assignment), limits)


def check_passed(r: Result) -> bool:
    return r.score == r.max_score and not r.flag_reasons and not r.events


def diagnose(limits: Limits) -> str:
    """Why a sandboxed kernel cannot run the course (its imports), or "" when it can."""
    from .execute import run_notebook

    nb = nbformat.v4.new_notebook()
    code = ("import sys\nfor _name in ('autograder', 'autograder.kernel.harness', 'numpy', 'torch', 'minigrad'):\n"
            "    try:\n        __import__(_name)\n    except BaseException as _err:\n"
            "        print('CANNOT', _name, sys.executable, type(_err).__name__, _err)\n        break\n")
    nb.cells = [nbformat.v4.new_code_cell(code)]
    run = run_notebook(nb, limits=limits)
    if run.event:
        return f"a sandboxed kernel does not run here ({run.event}: {run.detail})"
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    for line in text.splitlines():
        if line.startswith("CANNOT "):
            _, name, python, rest = line.split(" ", 3)
            import autograder

            return (f"the kernel cannot import {name} with {python} (the grader's is at "
                    f"{Path(autograder.__file__).parent}): {rest}")
    return ""


def _shortened(text: str, limit: int = 160) -> str:
    """The first line of ``text``, cut between words to about ``limit`` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " ..."


def check_problems(r: Result) -> str:
    """Why the instructor's solutions miss full marks, short: the tests that lost points (those that
    failed alike named together), then the first flags and events."""
    by_message: dict[str, list[str]] = {}
    for test_id, t in r.tests.items():
        if t.score < t.max_score:
            by_message.setdefault(_shortened(t.message) or t.status, []).append(test_id)
    problems = [f"{', '.join(ids)}: {message}" for message, ids in by_message.items()][:3]
    problems += [_shortened(reason) for reason in integrity.summarize(r.flag_reasons)[:2]]
    problems += [f"{e.what} in {e.cell}: {_shortened(e.detail)}" for e in r.events[:2]]
    return "; ".join(problems) or _("no detail")


def why_check_failed(r: Result, limits: Limits) -> str:
    """Why the instructor's solutions fail here: the grading sandbox's own problem first when it has one
    (a kernel that cannot import the course's packages fails every check), else what failed."""
    score = f"{r.score:g}/{r.max_score:g}"
    cause = diagnose(limits)
    if cause:
        return _("the grading sandbox cannot run the course: {cause} (so the instructor's solutions of "
                 "{assignment} score {score} there)").format(cause=cause, assignment=r.assignment, score=score)
    return _("the instructor's solutions of {assignment} score {score} in the grading sandbox ({where})").format(
        assignment=r.assignment, score=score, where=check_problems(r))


_checked: dict[str, str] = {}


def ensure_checked(b: dict, limits: Limits) -> None:
    """Once per process and bundle: the instructor's solutions must pass here, else BatchStopped."""
    with _lock:
        if b["key"] in _checked:
            if _checked[b["key"]]:
                raise BatchStopped(_checked[b["key"]])
            return
        if b.get("code") and b["code"] != code_fingerprint():
            import socket

            _checked[b["key"]] = _("the worker on {host} runs other grading code than the main process "
                                   "(install the same checkout on every machine)").format(host=socket.gethostname())
            raise BatchStopped(_checked[b["key"]])
        r = _check_bundle(b, limits)
        _checked[b["key"]] = "" if check_passed(r) else why_check_failed(r, limits)
        if _checked[b["key"]]:
            raise BatchStopped(_checked[b["key"]])


def remote_grade(t: dict, b: dict, limits: Limits, zygote_on: bool = True,
                 checked: bool = False) -> tuple[Result, dict[str, str]]:
    """What a worker (local process or Dask worker) runs for one task: the self-check of the task's
    assignment on this worker first (unless the batch already made it on this machine), then the task."""
    from . import zygote

    zygote.enable(zygote_on)
    warm_up()
    if not checked:
        ensure_checked(b, limits)
    return grade_task(t, b, limits)


def remote_check(b: dict, limits: Limits, zygote_on: bool = True) -> str:
    """The pre-batch self-check alone: '' when it passes, else why not."""
    from . import zygote

    zygote.enable(zygote_on)
    warm_up()
    try:
        ensure_checked(b, limits)
    except BatchStopped as stop:
        return str(stop)
    return ""


def _set_all(result: Result, notebook: str, status: str, message: str) -> None:
    for t in result.tests.values():
        if t.notebook == notebook:
            t.status, t.message = status, message


def _student_cells(nb) -> list[tuple[str, str]]:
    """(label, code) of the cells the student wrote: answer cells and added cells."""
    return [(cells.grade_id(c) or f"added cell {i + 1}", c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (cells.is_answer(c) or not cells.grade_id(c))]


# ---------------------------------------------------------------- what needs grading

def plan(course: Course, assignment: str | None = None, student: str | None = None,
         force: bool = False) -> tuple[list[dict], list[Result]]:
    """(jobs to grade, finished results not yet in the gradebook)."""
    course.check_assignment(assignment)
    known = course.assignments()
    students = course.students()
    if student and student not in students:
        raise CourseError(_("no submissions from {student} in {folder}").format(
            student=repr(student), folder=course.submitted))
    jobs, unrecorded = [], []
    for s in [student] if student else students:
        for a in [assignment] if assignment else known:
            if not (course.submitted / s / a).is_dir():
                continue
            digest = submission_hash(course, s, a)
            old = course.result(s, a)
            if old is not None and old.hash == digest and not force and not environment_failure(old):
                if not old.in_gradebook:
                    unrecorded.append(old)
                continue
            jobs.append({"root": str(course.root), "student": s, "assignment": a, "hash": digest})
    return jobs, unrecorded


# ---------------------------------------------------------------- the gradebook (main process only)

def record(gb, result: Result) -> None:
    """Write one result into nbgrader's gradebook: an upsert, so recording twice changes nothing."""
    import warnings

    from nbgrader.api import MissingEntry

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy's autoflush chatter
    warnings.filterwarnings("ignore", message=".*not in session.*")
    try:
        gb.find_assignment(result.assignment)
    except MissingEntry:
        raise CourseError(f"{result.assignment} is not in the gradebook: "
                          "run `python -m autograder release` first") from None
    gb.update_or_create_student(result.student)
    kwargs = {"timestamp": result.timestamp} if result.timestamp else {}
    gb.update_or_create_submission(result.assignment, result.student, **kwargs)
    for test_id, test in result.tests.items():
        try:
            grade = gb.find_grade(test_id, test.notebook, result.assignment, result.student)
        except MissingEntry:
            raise CourseError(
                f"test cell {test_id} of {result.assignment} is not in the gradebook: the source "
                "changed since the release; run `python -m autograder release` again"
            ) from None
        grade.auto_score = test.score
        grade.needs_manual_grade = False
    for name in {t.notebook for t in result.tests.values()}:
        gb.find_submission_notebook(name, result.assignment, result.student).flagged = result.flagged
    gb.db.commit()


def _mark_recorded(course: Course, result: Result) -> None:
    result.in_gradebook = True
    write_atomic(course.result_path(result.student, result.assignment), result.to_json())


# ---------------------------------------------------------------- the batch


def warm_up() -> None:
    """Import what the judge computes references with, once, before the workers are forked from us.

    One thread for torch: the references are small, the workers already use every core (with the
    kernels beside them), and a thread pool started before a fork would hang the forked workers."""
    import torch

    torch.set_num_threads(1)

    from ..exercises import base

    base.of_chapter()


def _worker_init(zygote_on: bool = True):
    """Workers die with the main process (kill -9 included), and their sandboxes with them."""
    from . import execute, sandbox, zygote

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    zygote.reset_after_fork()
    execute.reset_after_fork()
    sandbox.reset_after_fork()
    zygote.enable(zygote_on)


def _failed(job: dict, why: str) -> Result:
    """The result for a submission the grader itself could not finish: not saved (environment_failure),
    graded again by the next run; it never stops the batch alone."""
    return Result(
        job["student"], job["assignment"], job["hash"], flag_reasons=[f"the grader failed on this submission: {why}"]
    )


ENVIRONMENT_FAILURES = (
    "kernel did not start",
    "the grader's probe could not start in the kernel",
    "the grader failed on this submission",
)


def environment_failure(result: Result) -> str | None:
    """The grader's own failure in a result (not the student's doing), or None."""
    for e in result.events:
        if e.what == "kernel did not start":
            return f"the kernel did not start ({e.detail[:200]})"
    for reason in result.flag_reasons:
        if reason.startswith(ENVIRONMENT_FAILURES[1:]):
            return reason[:300]
    return None


@dataclass(frozen=True)
class NotGraded:
    """A submission the grading machine failed on (not the student's doing): nothing of it is written
    or recorded, so the next `grade` grades it again."""

    student: str
    assignment: str
    why: str


class Graded(list):
    """What a `grade` run did: the results it graded or recorded (the list), and ``not_graded``, the
    submissions the grading machine failed on."""

    def __init__(self, results=(), not_graded=()):
        super().__init__(results)
        self.not_graded: list[NotGraded] = list(not_graded)


def not_graded_summary(not_graded: list[NotGraded]) -> str:
    """One line per cause: the submissions the grading machine failed on, and what to do."""
    by_cause: dict[str, list[str]] = {}
    for n in not_graded:
        by_cause.setdefault(n.why, []).append(f"{n.student}/{n.assignment}")
    return "\n".join(
        _("not graded: the grading machine failed ({why}) on {n} submissions: {which}; run grade again to grade "
          "exactly these").format(why=why, n=len(which), which=", ".join(which))
        for why, which in by_cause.items())


class _Batch:
    """Results as they come: written and recorded one by one by this (the main) process. A result that
    shows the grader's own failure is never saved as a grade: it is set aside as not graded (graded
    again by the next run), and most submissions failing so stops the batch."""

    def __init__(self, course: Course, gb, total: int, bar):
        self.course, self.gb, self.total, self.bar = course, gb, total, bar
        self.done: list[Result] = []
        self.not_graded: list[NotGraded] = []
        self.finished = 0

    def add(self, result: Result, texts: dict[str, str]) -> None:
        self.finished += 1
        self.bar.step(f"{result.student}/{result.assignment}")
        why = environment_failure(result)
        if why is None:
            self._keep(result, texts)
            return
        self.not_graded.append(NotGraded(result.student, result.assignment, why))
        failed = len(self.not_graded)
        if failed >= 3 and 2 * failed > self.finished:
            raise BatchStopped(
                _("{why}, on {n} of the first {total} submissions: the grading machine's problem, not the "
                  "students'").format(why=self.not_graded[0].why, n=failed, total=self.finished))

    def _keep(self, result: Result, texts: dict[str, str]) -> None:
        _write(self.course, result, texts)
        record(self.gb, result)
        _mark_recorded(self.course, result)
        self.done.append(result)


def grade(
    course: Course,
    *,
    assignment=None,
    student=None,
    jobs: int | None = None,
    force=False,
    limits: Limits = Limits(),
    progress=None,
    scheduler: str | None = None,
    zygote: bool = True,
) -> list[Result]:
    """Grade everything new; return the results graded or recorded by this run, with the submissions
    the grading machine failed on (``Graded.not_graded``: not saved, graded again by the next run).

    Raises BatchStopped when the instructor's own solutions do not pass in the grading sandbox, or when
    most submissions fail the same way (``recorded``: how many were recorded before the stop)."""
    from .ui import Progress

    if scheduler:
        from .cluster import scheduler_address

        scheduler = scheduler_address(scheduler)
    lock = open(course.root / ".autograder.lock", "w")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CourseError(_("another `python -m autograder grade` is running on this course")) from None
        todo, unrecorded = plan(course, assignment, student, force)
        bundles = {a: bundle(course, a) for a in sorted({j["assignment"] for j in todo})}
        tasks = [task(course, j["student"], j["assignment"], j["hash"]) for j in todo]
        with course.gradebook(recording=True) as gb:
            done: list[Result] = []
            for result in unrecorded:  # graded before a crash, not yet in the gradebook
                record(gb, result)
                _mark_recorded(course, result)
                done.append(result)
            if not tasks:
                return Graded(done)
            batch = _Batch(course, gb, len(tasks), progress or Progress(len(tasks), _("grading")))
            try:
                if scheduler:
                    from .cluster import grade_on_cluster

                    grade_on_cluster(scheduler, tasks, bundles, limits, batch, zygote)
                else:
                    _grade_locally(tasks, bundles, limits, batch, jobs, zygote)
            except BatchStopped as stop:
                stop.recorded = len(done) + len(batch.done)
                raise
            return Graded(done + batch.done, batch.not_graded)
    finally:
        lock.close()


def _grade_locally(tasks, bundles, limits, batch: _Batch, jobs, zygote_on) -> None:
    warm_up()
    jobs = max(1, jobs or os.cpu_count() or 1)
    ctx = multiprocessing.get_context("fork")
    attempts: dict[int, int] = {}
    pending = list(range(len(tasks)))
    checked = False
    while pending:
        with cf.ProcessPoolExecutor(
            min(jobs, len(pending)), mp_context=ctx, initializer=_worker_init, initargs=(zygote_on,)
        ) as pool:
            if not checked:  # the instructor's solutions, in the same sandbox, before any student
                for why in pool.map(
                    remote_check, bundles.values(), [limits] * len(bundles), [zygote_on] * len(bundles)
                ):
                    if why:
                        raise BatchStopped(why)
                checked = True
            futures = {
                pool.submit(remote_grade, tasks[i], bundles[tasks[i]["assignment"]], limits, zygote_on, True): i
                for i in pending
            }
            pending = []
            try:
                for future in cf.as_completed(futures):
                    i = futures[future]
                    texts = {}
                    try:
                        result, texts = future.result()
                    except BatchStopped:
                        raise
                    except cf.process.BrokenProcessPool:
                        attempts[i] = attempts.get(i, 0) + 1
                        if attempts[i] < 2:
                            pending.append(i)
                            continue
                        result = _failed(tasks[i], "the grading worker crashed twice")
                    except Exception as err:
                        result = _failed(tasks[i], f"{type(err).__name__}: {err}")
                    batch.add(result, texts)
            except BatchStopped:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
