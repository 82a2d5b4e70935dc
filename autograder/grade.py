"""`python -m autograder grade`: sandboxed, parallel, resumable autograding into nbgrader's gradebook.

Workers (one per core) each take a submission, rebuild it around the instructor's copy (restore.py),
scan the student's code (integrity.py), run it in a sandboxed kernel (execute.py) with the runtime probe
(probe.py) between cells, score the test cells the way nbgrader does (a test cell passes when it ran
without error; warnings on stderr cost nothing), and write the executed notebook and `autograder.json`
under autograded/, atomically. Only the main process writes the gradebook, one transaction per
submission, as an upsert: after a crash or `kill -9`, a re-run records what was graded and grades
the rest, and nothing is counted twice.
"""
from __future__ import annotations

import concurrent.futures as cf
import ctypes
import fcntl
import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import integrity, probe
from .course import Course, CourseError, write_atomic
from .execute import run_notebook
from .restore import grade_id, is_answer, is_test, restore
from .sandbox import sandbox_status


@dataclass(frozen=True)
class Limits:
    cell_timeout: float = 120.0
    notebook_timeout: float = 900.0
    memory_mb: int = 4096


def exercise_of(test_id: str) -> str:
    return test_id[: -len("_tests")] if test_id.endswith("_tests") else test_id


# ---------------------------------------------------------------- what needs grading

def submission_hash(course: Course, student: str, assignment: str) -> str:
    """Changes when the submission or the instructor's notebooks change: then it is graded again."""
    h = hashlib.sha256()
    for folder in (course.submitted / student / assignment, course.source / assignment):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def plan(course: Course, assignment: str | None = None, student: str | None = None,
         force: bool = False) -> tuple[list[dict], list[dict]]:
    """(jobs to grade, finished results not yet in the gradebook)."""
    known = course.assignments()
    if assignment and assignment not in known:
        raise CourseError(f"no assignment {assignment!r} in {course.source} (assignments: {', '.join(known)})")
    students = course.students()
    if student and student not in students:
        raise CourseError(f"no submissions from {student!r} in {course.submitted}")
    jobs, unrecorded = [], []
    for s in [student] if student else students:
        for a in [assignment] if assignment else known:
            if not (course.submitted / s / a).is_dir():
                continue
            digest = submission_hash(course, s, a)
            old = _read_result(course.result_path(s, a))
            if old and old.get("hash") == digest and not force:
                if not old.get("in_gradebook"):
                    unrecorded.append(old)
                continue
            jobs.append({"root": str(course.root), "student": s, "assignment": a, "hash": digest})
    return jobs, unrecorded


def _read_result(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- grading one submission (in a worker)

def grade_submission(job: dict, limits: Limits) -> dict:
    """Grade one student's assignment; always returns a result, whatever the submission does."""
    course = Course(Path(job["root"]))
    student, assignment = job["student"], job["assignment"]
    folder = course.submitted / student / assignment
    stamp = folder / "timestamp.txt"
    result = {"student": student, "assignment": assignment, "hash": job["hash"],
              "timestamp": stamp.read_text().strip() if stamp.is_file() else None,
              "tests": {}, "notes": [], "events": [], "flag_reasons": [], "sandbox": sandbox_status()}
    start = time.monotonic()
    out_dir = course.autograded / student / assignment
    for name in course.notebooks(assignment):
        source = nbformat.read(course.source / assignment / f"{name}.ipynb", as_version=4)
        tests = [c for c in source.cells if is_test(c)]
        for cell in tests:
            result["tests"][grade_id(cell)] = {"notebook": name, "score": 0.0,
                                               "max_score": float(cell.metadata.nbgrader.get("points", 0)),
                                               "status": "not run", "message": ""}
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            result["flag_reasons"].append(f"missing notebook {name}.ipynb" + (f" (found {', '.join(others)})" if others else ""))
            _set_all(result, name, "missing", "the notebook was not submitted")
            continue
        try:
            submission = nbformat.read(path, as_version=4)
            nbformat.validate(submission)
        except Exception as err:
            result["flag_reasons"].append(f"{name}.ipynb is not a valid notebook ({type(err).__name__}: {str(err)[:120]})")
            _set_all(result, name, "unreadable", "the notebook file could not be read")
            continue
        nb, notes = restore(submission, source)
        result["notes"] += notes
        result["flag_reasons"] += integrity.scan(_student_cells(nb))
        _grade_notebook(course, assignment, name, nb, result, limits)
        (out_dir).mkdir(parents=True, exist_ok=True)
        write_atomic(out_dir / f"{name}.ipynb", nbformat.writes(nb))
    if stamp.is_file():
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stamp, out_dir / "timestamp.txt")
    result["score"] = sum(t["score"] for t in result["tests"].values())
    result["max_score"] = sum(t["max_score"] for t in result["tests"].values())
    result["flag_reasons"] = list(dict.fromkeys(result["flag_reasons"]))
    result["flagged"] = bool(result["flag_reasons"])
    result["seconds"] = round(time.monotonic() - start, 2)
    result["in_gradebook"] = False
    write_atomic(course.result_path(student, assignment), json.dumps(result, indent=1))
    return result


def self_check(root: str, assignment: str, limits: Limits) -> dict:
    """Grade the instructor's own notebooks as if submitted: must score full marks with no flag."""
    course = Course(Path(root))
    result = {"assignment": assignment, "tests": {}, "notes": [], "events": [], "flag_reasons": []}
    for name in course.notebooks(assignment):
        source = nbformat.read(course.source / assignment / f"{name}.ipynb", as_version=4)
        for cell in source.cells:
            if is_test(cell):
                result["tests"][grade_id(cell)] = {"notebook": name, "score": 0.0, "status": "not run", "message": "",
                                                   "max_score": float(cell.metadata.nbgrader.get("points", 0))}
        nb, result["notes"] = restore(source, source)
        result["flag_reasons"] += integrity.scan(_student_cells(nb))
        _grade_notebook(course, assignment, name, nb, result, limits)
    result["score"] = sum(t["score"] for t in result["tests"].values())
    result["max_score"] = sum(t["max_score"] for t in result["tests"].values())
    return result


def _set_all(result, notebook, status, message):
    for t in result["tests"].values():
        if t["notebook"] == notebook:
            t["status"], t["message"] = status, message


def _student_cells(nb) -> list[tuple[str, str]]:
    """(label, code) of the cells the student wrote: answer cells and added cells."""
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (is_answer(cell) or not grade_id(cell)):
            cells.append((grade_id(cell) or f"added cell {i + 1}", cell.source))
    return cells


def _grade_notebook(course: Course, assignment: str, name: str, nb, result: dict, limits: Limits) -> None:
    token = secrets.token_hex(8)
    _insert_probes(nb, token)
    (course.root / ".scratch").mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="sandbox-", dir=course.root / ".scratch"))
    try:
        (scratch / "work").mkdir()
        release = course.release / assignment
        if release.is_dir():  # data files shipped with the assignment (never its notebooks)
            for f in release.iterdir():
                if f.is_file() and f.suffix != ".ipynb":
                    shutil.copy(f, scratch / "work" / f.name)
        run = run_notebook(nb, scratch, cell_timeout=limits.cell_timeout,
                           notebook_timeout=limits.notebook_timeout, memory_mb=limits.memory_mb)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if run.event:
        cell = nb.cells[run.event_cell] if run.event_cell is not None else None
        where = _label(nb, run.event_cell) if cell is not None else "kernel start"
        result["events"].append({"notebook": name, "cell": where, "what": run.event, "detail": run.detail})
    result["flag_reasons"] += _read_probes(nb, run, token)
    for i, cell in enumerate(nb.cells):
        if not is_test(cell):
            continue
        test = result["tests"][grade_id(cell)]
        test["status"] = run.status.get(i, "not run")
        test["score"], test["message"] = _score(cell, test, run)
    _remove_probes(nb)
    from nbgrader.preprocessors import LimitOutput

    LimitOutput().preprocess(nb, {})


def _label(nb, index: int) -> str:
    """A cell named for the student: its grade_id, or the nearest one before it."""
    for j in range(index, -1, -1):
        gid = grade_id(nb.cells[j])
        if gid:
            return f"cell {index + 1} ({gid})" if j == index else f"cell {index + 1} (after {gid})"
    return f"cell {index + 1}"


def _score(cell, test: dict, run) -> tuple[float, str]:
    from nbgrader.utils import determine_grade

    errors = [o for o in cell.outputs if o.output_type == "error"]
    if test["status"] == "ok" and not errors:
        for out in cell.outputs:  # warnings must not cost points
            if out.output_type == "stream" and out.name == "stderr":
                out.name = "stdout"
        score, _ = determine_grade(cell)
        return float(score or 0.0), ""
    if errors:
        return 0.0, f"{errors[0].ename}: {errors[0].evalue}".strip()[:500]
    if test["status"] == "not run":
        return 0.0, f"not run: {run.detail}" if run.event else "not run"
    return 0.0, run.detail or test["status"]


# ---------------------------------------------------------------- the runtime probe

def _probe_cell(code: str):
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["autograder_probe"] = True
    return cell


def _insert_probes(nb, token: str) -> None:
    cells = [_probe_cell("import autograder.probe\nautograder.probe.install()")]
    for cell in nb.cells:
        cells.append(cell)
        if is_test(cell):
            cells.append(_probe_cell(
                f"__import__('sys').modules['autograder.probe'].report({grade_id(cell)!r}, {token!r})"))
    nb.cells = cells


def _remove_probes(nb) -> None:
    nb.cells = [c for c in nb.cells if not c.metadata.get("autograder_probe")]


def _read_probes(nb, run, token: str) -> list[str]:
    reasons = []
    for i, cell in enumerate(nb.cells):
        if not cell.metadata.get("autograder_probe") or run.status.get(i) == "not run" or i == run.event_cell:
            continue
        if i == 0:
            if run.status.get(i) != "ok":
                reasons.append("the grader's probe could not start in the kernel")
            continue
        label = cell.source.split("report(")[1].split(",")[0].strip("'\"")
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        lines = [ln for ln in text.splitlines() if ln.startswith(f"{probe.MARKER} {token} ")]
        if run.status.get(i) != "ok" or len(lines) != 1:
            reasons.append(f"after {label}: the grader's probe was silenced (cell runner or output tampered)")
            continue
        try:
            found = json.loads(lines[0].split(" ", 3)[3])
        except (ValueError, IndexError):
            reasons.append(f"after {label}: the grader's probe output was forged")
            continue
        for name in found.get("changed", []):
            reasons.append(f"after {label}: {name} was replaced (monkeypatching)")
        for event in found.get("events", []):
            reasons.append(f"after {label}: {event}")
    return reasons


# ---------------------------------------------------------------- the gradebook (main process only)

def record(gb, result: dict) -> None:
    """Write one result into nbgrader's gradebook: an upsert, so recording twice changes nothing."""
    import warnings

    from nbgrader.api import MissingEntry

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy's autoflush chatter
    warnings.filterwarnings("ignore", message=".*not in session.*")

    student, assignment = result["student"], result["assignment"]
    try:
        gb.find_assignment(assignment)
    except MissingEntry:
        raise CourseError(f"{assignment} is not in the gradebook: run `python -m autograder release` first")
    gb.update_or_create_student(student)
    kwargs = {"timestamp": result["timestamp"]} if result.get("timestamp") else {}
    gb.update_or_create_submission(assignment, student, **kwargs)
    notebooks = {t["notebook"] for t in result["tests"].values()}
    for test_id, test in result["tests"].items():
        try:
            grade = gb.find_grade(test_id, test["notebook"], assignment, student)
        except MissingEntry:
            raise CourseError(f"test cell {test_id} of {assignment} is not in the gradebook: the source changed "
                              "since the release; run `python -m autograder release` again")
        grade.auto_score = test["score"]
        grade.needs_manual_grade = False
    for name in notebooks:
        gb.find_submission_notebook(name, assignment, student).flagged = bool(result["flagged"])
    gb.db.commit()


def _mark_recorded(course: Course, result: dict) -> None:
    result = dict(result, in_gradebook=True)
    write_atomic(course.result_path(result["student"], result["assignment"]), json.dumps(result, indent=1))


# ---------------------------------------------------------------- the batch

def _worker_init():
    """Workers die with the main process (kill -9 included), and their sandboxes with them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _failed(job: dict, why: str) -> dict:
    """The result for a submission the grader itself could not finish (it never stops the batch)."""
    return {"student": job["student"], "assignment": job["assignment"], "hash": job["hash"], "timestamp": None,
            "tests": {}, "notes": [], "events": [], "score": 0.0, "max_score": 0.0, "flagged": True,
            "flag_reasons": [f"the grader failed on this submission: {why}"], "seconds": 0.0, "sandbox": None}


def grade(course: Course, *, assignment=None, student=None, jobs: int | None = None, force=False,
          limits: Limits = Limits(), progress=None) -> list[dict]:
    """Grade everything new; return the results graded or recorded by this run."""
    from .ui import Progress

    lock = open(course.root / ".autograder.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise CourseError("another `python -m autograder grade` is running on this course")
    shutil.rmtree(course.root / ".scratch", ignore_errors=True)  # left by a killed run (we hold the lock)
    todo, unrecorded = plan(course, assignment, student, force)
    done: list[dict] = []
    with course.gradebook() as gb:
        for result in unrecorded:  # graded before a crash, not yet in the gradebook
            record(gb, result)
            _mark_recorded(course, result)
            done.append(result)
        bar = progress or Progress(len(todo), "grading")
        jobs = max(1, jobs or os.cpu_count() or 1)
        attempts: dict[int, int] = {}
        pending = list(range(len(todo)))
        while pending:
            ctx = multiprocessing.get_context("fork")
            with cf.ProcessPoolExecutor(min(jobs, len(pending)), mp_context=ctx, initializer=_worker_init) as pool:
                futures = {pool.submit(grade_submission, todo[i], limits): i for i in pending}
                pending = []
                for future in cf.as_completed(futures):
                    i = futures[future]
                    try:
                        result = future.result()
                    except cf.process.BrokenProcessPool:
                        attempts[i] = attempts.get(i, 0) + 1
                        if attempts[i] < 2:
                            pending.append(i)
                            continue
                        result = _failed(todo[i], "the grading worker crashed twice")
                    except Exception as err:
                        result = _failed(todo[i], f"{type(err).__name__}: {err}")
                    record(gb, result)
                    _mark_recorded(course, result)
                    done.append(result)
                    bar.step(f"{result['student']}/{result['assignment']}")
    lock.close()
    return done
