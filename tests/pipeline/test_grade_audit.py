"""Grading on the night grades are due: the grading machine's own failures are never saved as grades, a
stop says why first, a broken environment is diagnosed as such (grade, release, a Dask worker), the
cluster's address, workers and threads are checked, a forgotten --db never creates an empty gradebook,
and no temporary folder outlives its process."""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat
import pytest

from autograder import cells
from autograder.judge import selfmade
from autograder.pipeline import cli, cluster, grade as grading
from autograder.pipeline.course import GRADEBOOK_NOTE, open_course
from autograder.pipeline.demo import student_notebook, write_tiny_course
from autograder.pipeline.release import generate_release
from autograder.pipeline.results import Event, Result
from autograder.pipeline.results import TestResult as Outcome
from autograder.pipeline.sandbox import sandbox_status

A = "00_demo"
REPO = Path(__file__).resolve().parents[2]
NO_SPACE = "OSError: [Errno 28] No space left on device"
REAL_GRADE_TASK = grading.grade_task


def tiny_class(root: Path, students: list[str], db: str | None = None):
    """A released tiny course (gradebook at ``db``, else its own) with a solved submission per student."""
    write_tiny_course(root)
    generate_release(root, db_url=db)
    course = open_course(root, db=db)
    source = nbformat.read(course.source / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    solved = {cells.grade_id(c): None for c in source.cells if cells.is_answer(c)}
    for student in students:
        folder = course.submitted / student / A
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_text(student_notebook(source, release, solved))
    return course


def broken_machine(student: str) -> bool:
    """The students whose submissions the grading machine fails on, in these tests."""
    return student >= "d"


def fake_grade_task(t: dict, b: dict, limits) -> tuple[Result, dict[str, str]]:
    """What grade_task returns, without a kernel: full marks, or, for ``broken_machine`` students, the
    result of a kernel that did not start (a full disk), as grade_notebook writes it."""
    result = Result(t["student"], t["assignment"], t["hash"], t["timestamp"])
    for name, text in b["sources"].items():
        for cell in nbformat.reads(text, as_version=4).cells:
            if cells.is_test(cell):
                result.tests[cells.grade_id(cell)] = Outcome(name, cells.points(cell), cells.points(cell), "passed")
        if broken_machine(t["student"]):
            result.events.append(Event(name, "kernel start", "kernel did not start", NO_SPACE))
    return result, dict(b["sources"])


def real_grade_task_until_d(t: dict, b: dict, limits) -> tuple[Result, dict[str, str]]:
    """The audit's case: the real grader, whose machine fails on the ``broken_machine`` students."""
    if broken_machine(t["student"]):
        return fake_grade_task(t, b, limits)
    return REAL_GRADE_TASK(t, b, limits)


def check_passes(b: dict, limits, zygote_on: bool = True) -> str:
    """remote_check without a kernel: the instructor's solutions pass."""
    return ""


def no_check(b: dict, limits) -> None:
    """ensure_checked without a kernel."""


def fake_grading(set_attribute) -> None:
    """Grade with fake_grade_task, in this process and the workers it forks (or a Dask worker's preload)."""
    set_attribute(grading, "remote_check", check_passes)
    set_attribute(grading, "ensure_checked", no_check)
    set_attribute(grading, "grade_task", fake_grade_task)


def needs_sandbox():
    if sandbox_status() is not None:
        pytest.skip(f"no sandbox here: {sandbox_status()}")


def recorded_students(course) -> set[str]:
    with course.gradebook() as gb:
        return {s.student.id for s in gb.find_assignment(A).submissions}


def not_graded_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("not graded: the grading machine failed")]


# ---------------------------------------------------------------- the grading machine's own failures

@pytest.mark.slow
def test_a_machine_failure_on_a_few_submissions_is_not_saved_and_the_next_grade_retries_exactly_them(
        tmp_path, monkeypatch, capsys):
    needs_sandbox()
    students = ["alice", "bob", "dave"]
    course = tiny_class(tmp_path / "c", students)
    broken = [s for s in students if broken_machine(s)]
    monkeypatch.setattr(grading, "grade_task", real_grade_task_until_d)
    code = cli.main(["grade", "--course", str(course.root), "--jobs", "2"])
    out = capsys.readouterr().out
    assert code == 1, out
    [line] = not_graded_lines(out)
    assert NO_SPACE in line and "run grade again" in line
    assert re.findall(r"(\w+)/" + A, line) == broken
    for student in broken:  # neither a grade nor a graded notebook
        assert not (course.autograded / student).exists()
    assert recorded_students(course) == set(students) - set(broken)
    before = {s: course.result_path(s, A).read_text() for s in students if s not in broken}

    monkeypatch.setattr(grading, "grade_task", REAL_GRADE_TASK)  # the machine is repaired
    code = cli.main(["grade", "--course", str(course.root), "--jobs", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert not not_graded_lines(out)
    assert {s: course.result_path(s, A).read_text() for s in before} == before  # not graded again
    assert recorded_students(course) == set(students)
    for student in broken:
        result = course.result(student, A)
        assert grading.environment_failure(result) is None and result.score == result.max_score


def test_a_stop_says_its_cause_first_and_how_many_were_recorded_before_it(tmp_path, monkeypatch, capsys):
    students = ["alice", "dave", "dora", "doug"]
    course = tiny_class(tmp_path / "c", students)
    fake_grading(monkeypatch.setattr)
    code = cli.main(["grade", "--course", str(course.root), "--jobs", "1"])  # one worker: in this order
    err = capsys.readouterr().err
    assert code == 1
    first = next(line for line in err.splitlines() if line.startswith("error:"))
    assert first.startswith(f"error: grading stopped: the kernel did not start ({NO_SPACE})")
    kept = [s for s in students if not broken_machine(s)]
    assert f"submissions graded and recorded before the stop: {len(kept)}" in err
    assert "nobody" not in err
    assert recorded_students(course) == set(kept)


def test_the_sandboxs_own_problem_comes_first_in_a_failed_self_check(monkeypatch):
    cause = "the kernel cannot import autograder with /venv/bin/python: ModuleNotFoundError"
    monkeypatch.setattr(grading, "diagnose", lambda limits: cause)
    r = Result("(solutions)", A, tests={f"ex{i}_tests": Outcome(A, 1, 0, "not run", "Not graded: " + "word " * 80)
                                        for i in range(3)},
               flag_reasons=["the grader's probe was silenced (cell runner or output tampered) (after ex0_tests)"])
    why = grading.why_check_failed(r, grading.Limits())
    assert why.startswith(f"the grading sandbox cannot run the course: {cause}")
    assert "probe" not in why
    monkeypatch.setattr(grading, "diagnose", lambda limits: "")
    why = grading.why_check_failed(r, grading.Limits())
    assert re.search(r"ex0_tests, ex1_tests, ex2_tests: Not graded: (word )+\.\.\.;", why)  # once, cut between words


def test_a_result_an_older_version_saved_for_the_machines_failure_is_graded_again(tmp_path, monkeypatch):
    course = tiny_class(tmp_path / "c", ["alice", "bob"])
    fake_grading(monkeypatch.setattr)
    grading.grade(course, jobs=1)
    assert grading.plan(course) == ([], [])
    old = course.result("bob", A)
    old.events.append(Event(A, "kernel start", "kernel did not start", NO_SPACE))
    course.result_path("bob", A).write_text(old.to_json())
    jobs, _ = grading.plan(course)
    assert [j["student"] for j in jobs] == ["bob"]


@pytest.mark.slow
def test_release_in_a_broken_environment_diagnoses_it_and_does_not_blame_the_source(tmp_path, monkeypatch, capsys):
    from autograder.pipeline import sandbox, zygote

    needs_sandbox()
    root = write_tiny_course(tmp_path / "c")
    real = sandbox._package_dirs
    monkeypatch.setattr(sandbox, "_package_dirs",
                        lambda: [d for d in real() if not d.endswith("/autograder")])  # the kernel lacks autograder
    try:
        code = cli.main(["release", "--course", str(root), "--jobs", "1"])
    finally:  # the zygote this started lacks autograder: no later test of this process may fork from it
        zygote.close_all()
    out, err = capsys.readouterr()
    assert code == 1
    assert "the kernel cannot import autograder" in err
    assert "fix the source" not in err
    assert "(ModuleNotFoundError: No module named 'autograder" in " ".join(out.split())  # whole, not cut
    assert not (root / "release").exists()


# ---------------------------------------------------------------- a forgotten --db

def test_a_forgotten_db_is_refused_instead_of_creating_an_empty_gradebook(tmp_path, monkeypatch, capsys):
    elsewhere = "sqlite:///" + str(tmp_path / "elsewhere.db")  # as PostgreSQL would be: not the course's own
    course = tiny_class(tmp_path / "c", ["alice", "bob"], db=elsewhere)
    root = str(course.root)
    fake_grading(monkeypatch.setattr)
    assert cli.main(["grade", "--course", root, "--db", elsewhere, "--jobs", "1"]) == 0
    capsys.readouterr()
    own = course.root / "gradebook.db"
    for command in (["export", str(tmp_path / "g.csv")], ["release", "--skip-check"]):
        assert cli.main([*command, "--course", root]) == 2, command
        err = capsys.readouterr().err
        assert elsewhere in err and "--db" in err and "AUTOGRADER_DB" in err, err
        assert not own.exists(), command
    assert cli.main(["export", str(tmp_path / "g.csv"), "--course", root, "--db", elsewhere]) == 0
    (course.root / GRADEBOOK_NOTE).unlink()  # a course graded before the note existed
    assert cli.main(["export", str(tmp_path / "g.csv"), "--course", root]) == 2
    assert "--db" in capsys.readouterr().err and not own.exists()


# ---------------------------------------------------------------- the Dask cluster

@pytest.mark.parametrize("address", ["127.0.0.1:18788x", "tcp://:8786", "http://head:8786", "head", "tcp://head:0",
                                     "tcp://head:70000", "tcp://head/x:8786"])
def test_a_scheduler_address_is_checked_before_anything_else(tmp_path, capsys, address):
    root = write_tiny_course(tmp_path / "c")
    start = time.monotonic()
    assert cli.main(["grade", "--course", str(root), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --scheduler {address!r}") and "tcp://HOST:PORT" in err
    assert time.monotonic() - start < cluster.CONNECT_TIMEOUT


def test_a_scheduler_address_is_written_as_dask_takes_it():
    assert cluster.scheduler_address("head:8786") == "tcp://head:8786"
    assert cluster.scheduler_address(" tls://10.0.0.5:8786 ") == "tls://10.0.0.5:8786"
    assert cluster.scheduler_address("[::1]:8786") == "tcp://[::1]:8786"


@contextlib.contextmanager
def dask_scheduler(folder: Path):
    """A `dask scheduler` on 127.0.0.1; its address."""
    pytest.importorskip("distributed")
    file = folder / "scheduler.json"
    proc = _start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                   "--no-dashboard", "--scheduler-file", str(file)], folder / "scheduler.log")
    try:
        deadline = time.monotonic() + 120
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        yield json.loads(file.read_text())["address"]
    finally:
        _stop(proc)


@contextlib.contextmanager
def dask_worker(address: str, log: Path, *options: str, python: list[str] = (sys.executable,), cwd=REPO, env=None):
    """A `dask worker` of its own process (``cwd`` first on its path: this checkout's autograder)."""
    proc = _start([*python, "-m", "distributed.cli.dask_worker", address, "--no-nanny", "--no-dashboard", *options],
                  log, cwd=cwd, env=dict(env or os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False"))
    try:
        yield
    finally:
        _stop(proc)


def _start(cmd, log: Path, **kwargs):
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True, **kwargs)


def _stop(proc) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_a_scheduler_without_workers_says_how_to_start_them(tmp_path, monkeypatch, capsys):
    course = tiny_class(tmp_path / "c", ["alice"])
    monkeypatch.setattr(cluster, "WORKERS_TIMEOUT", 2)
    with dask_scheduler(tmp_path) as address:
        code = cli.main(["grade", "--course", str(course.root), "--scheduler", address])
    err = capsys.readouterr().err
    assert code == 2
    assert f"no Dask worker joined the scheduler at {address}" in err and f"dask worker {address}" in err
    assert "Traceback" not in err


def test_a_worker_that_cannot_import_the_grading_code_is_named(tmp_path, capsys):
    course = tiny_class(tmp_path / "c", ["alice"])
    # the worker's Python has distributed but not autograder: this Python's path without the course
    path = [p for p in sys.path if Path(p).is_dir() and not (Path(p) / "autograder").is_dir()]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    with dask_scheduler(tmp_path) as address, \
            dask_worker(address, tmp_path / "worker.log", "--nthreads", "2", python=[sys._base_executable, "-S"],
                        cwd=tmp_path, env=env):
        code = cli.main(["grade", "--course", str(course.root), "--scheduler", address])
    err = capsys.readouterr().err
    assert code == 1, err
    [worker] = re.findall(r"the Dask worker (tcp://[\d.:]+) cannot import the grading code", err)
    assert "No module named 'autograder'" in err
    assert f"more than one thread: {worker} (2)" in err  # Dask's default: a thread per core


def test_a_machine_failure_on_a_dask_worker_is_not_saved_either(tmp_path, capsys):
    students = ["alice", "bob", "dave"]
    course = tiny_class(tmp_path / "c", students)
    broken = [s for s in students if broken_machine(s)]
    preload = tmp_path / "fake_grading.py"  # the worker grades with fake_grade_task
    preload.write_text(f"import sys\nsys.path.insert(0, {str(Path(__file__).parents[1])!r})\n"
                       f"from pipeline import {Path(__file__).stem} as audit\naudit.fake_grading(setattr)\n")
    with dask_scheduler(tmp_path) as address, \
            dask_worker(address, tmp_path / "worker.log", "--nthreads", "1", "--preload", str(preload)):
        outputs = []
        for _ in range(2):
            code = cli.main(["grade", "--course", str(course.root), "--scheduler", address])
            outputs.append((code, capsys.readouterr().out))
    for code, out in outputs:
        assert code == 1, out
        [line] = not_graded_lines(out)
        assert re.findall(r"(\w+)/" + A, line) == broken
    assert recorded_students(course) == set(students) - set(broken)
    assert sorted(p.name for p in course.autograded.iterdir()) == sorted(set(students) - set(broken))
    assert not any(line.startswith(tuple(students)) for line in outputs[1][1].splitlines())  # none graded again


# ---------------------------------------------------------------- temporary folders

def _stand_in_folder() -> str:
    """In a pool's worker: the folder of this process's stand-ins."""
    selfmade.stand_ins.cache_clear()
    return str(next(iter(selfmade.stand_ins(frozenset({"torch"})).values())).parent)


def test_the_do_it_yourself_stand_ins_are_removed_when_their_process_ends(tmp_path):
    code = ("from autograder.judge import selfmade\n"
            "print(next(iter(selfmade.stand_ins(frozenset({'torch'})).values())).parent)")
    folder = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert folder.stdout.strip() and not Path(folder.stdout.strip()).exists()
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        in_worker = Path(pool.submit(_stand_in_folder).result())
        assert in_worker.is_dir()
    assert not in_worker.exists()
    mine = selfmade.folder_of_this_process("ag-test-")  # a forked worker leaves its parent's folder alone
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        pool.submit(_stand_in_folder).result()
    assert mine.is_dir()
    mine.rmdir()


# ---------------------------------------------------------------- pins

def test_sqlalchemy_is_pinned_to_versions_that_read_postgresql_as_psycopg_3():
    import sqlalchemy
    from packaging.requirements import Requirement

    runtime = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    [pin] = [Requirement(r) for r in runtime if Requirement(r).name.lower() == "sqlalchemy"]
    assert pin.specifier.contains(sqlalchemy.__version__)
    assert not pin.specifier.contains("2.0.999")  # 2.0 reads postgresql:// as psycopg2
    conda = [Requirement(line.split("#")[0].strip()[2:]) for line in (REPO / "environment.yml").read_text().splitlines()
             if line.strip().startswith("- sqlalchemy")]
    assert [c.specifier for c in conda] == [pin.specifier]
    engine = sqlalchemy.create_engine("postgresql://user@host/db")  # connects to nothing yet
    assert engine.dialect.driver == "psycopg"
