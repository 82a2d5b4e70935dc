"""A class of thousands: PostgreSQL gradebook, Dask cluster, zygote kernels, the batch's own failures,
and the instructor's command line. Services are real (services.py): they skip locally without their
binaries and fail under CI=1."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograder.pipeline import cli, collect, export, grade as grading, report
from autograder.pipeline.course import open_course
from autograder.pipeline.demo import student_notebook, write_tiny_course
from autograder.pipeline.release import generate_release
from autograder.pipeline.results import Event, Result
from autograder.pipeline.results import TestResult as Outcome
from autograder.pipeline.sandbox import Limits, sandbox_status

from autograder.pipeline.services import DaskCluster

from .conftest import start

A = "00_demo"
LIMITS = Limits(cell_timeout=20, notebook_timeout=120, memory_mb=1024, disk_mb=128, processes=64)
ENV = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
SOLVED = {"ex0_1": None, "ex0_2": None, "ex0_3": None}


def tiny_class(root: Path, n: int, db: str | None = None):
    """A released tiny course with n submissions: scores 4, 1, 3, 0, 4, 1, ... (and their expected scores)."""
    write_tiny_course(root)
    generate_release(root, db_url=open_course(root, db=db).db() if db else None)
    course = open_course(root, db=db)
    source = nbformat.read(course.source / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    kinds = [(SOLVED, 4), ({"ex0_1": None}, 1), ({"ex0_1": None, "ex0_2": None}, 3), ({}, 0)]
    expected = {}
    for i in range(n):
        answers, score = kinds[i % len(kinds)]
        folder = course.submitted / f"s{i:02d}" / A
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_text(student_notebook(source, release, answers))
        (folder / "timestamp.txt").write_text(f"2026-01-01 10:00:{i:02d}.000000 UTC")
        expected[f"s{i:02d}"] = score
    return course, expected


def cli_run(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "autograder", *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def gradebook_scores(course) -> dict[str, float]:
    with course.gradebook() as gb:
        return {s.student.id: s.score for s in gb.find_assignment(A).submissions}


def needs_sandbox():
    if sandbox_status() is not None:
        pytest.skip(f"no sandbox here: {sandbox_status()}")


# ---------------------------------------------------------------- PostgreSQL

@pytest.mark.slow
def test_postgres_gradebook_is_crash_safe_and_serves_every_command(postgres, tmp_path):
    url = postgres.new_database()
    root = tmp_path / "c"
    course, expected = tiny_class(root, 6, db=url)
    assert course.db().startswith("postgresql+psycopg://")
    assert not (root / "gradebook.db").exists()
    cmd = [sys.executable, "-m", "autograder", "grade", "--course", str(root), "--db", url, "--jobs", "2"]
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(course.autograded.glob("*/*/autograder.json"))) < 2:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)  # mid-batch, between two gradebook transactions or inside one
    proc.wait()
    out = cli_run("grade", "--course", str(root), "--db", url)
    assert out.returncode == 0, out.stderr[-3000:]
    assert gradebook_scores(course) == expected  # each once, nothing lost
    assert not (root / "gradebook.db").exists()  # everything went to PostgreSQL
    for command in (["export", str(tmp_path / "g.csv")], ["report"], ["feedback"]):
        out = cli_run(*command, "--course", str(root), "--db", url)
        assert out.returncode == 0, (command, out.stderr[-2000:])
    rows = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert {r["student"]: float(r["score"]) for r in rows} == expected
    # nbgrader's own configuration (what formgrader reads) points at the same database
    (root / "nbgrader_config.py").write_text((root / "nbgrader_config.py").read_text() +
                                             f"\nc.CourseDirectory.db_url = {url!r}\n")
    assert gradebook_scores(open_course(root)) == expected
    out = cli_run("grade", "--course", str(root))
    assert out.returncode == 0 and "nothing new to grade" in out.stdout, out.stdout + out.stderr


# ---------------------------------------------------------------- Dask

@pytest.mark.slow
def test_a_bundle_outlives_the_death_of_the_only_worker_that_holds_it():
    """Dask's memory manager keeps one copy of data that no waiting task needs on several workers; when
    that worker dies a scattered bundle is gone for good, and every task of its assignment with it."""
    from distributed import Client

    from autograder.pipeline.cluster import share_bundle

    cluster = start(DaskCluster, workers=2)
    try:
        with Client(cluster.address, timeout=60, set_as_default=False) as client:
            bundle = {"notebook": "{}", "files": {"data.csv": "1,2\n"}}
            future = share_bundle(client, A, bundle, "t")
            assert future.result(timeout=60) == bundle
            deadline = time.monotonic() + 30
            while len(client.who_has([future])[future.key]) > 1 and time.monotonic() < deadline:
                time.sleep(0.2)  # the memory manager drops replicas every 2 s
            [holder] = client.who_has([future])[future.key]
            name = client.scheduler_info()["workers"][holder]["name"]
            os.killpg(next(p.pid for p, n in zip(cluster.workers, ("w0", "w1")) if n == name), signal.SIGKILL)
            deadline = time.monotonic() + 60
            while holder in client.scheduler_info()["workers"] and time.monotonic() < deadline:
                time.sleep(0.1)
            assert holder not in client.scheduler_info()["workers"]
            assert future.result(timeout=60) == bundle  # computed again on the worker left
    finally:
        cluster.stop()


@pytest.mark.slow
def test_dask_cluster_with_a_worker_killed_mid_batch_grades_like_local(postgres, tmp_path):
    needs_sandbox()
    local, expected = tiny_class(tmp_path / "local", 6)
    local_results = {r.student: r for r in grading.grade(local, jobs=2, limits=LIMITS)}
    assert {s: r.score for s, r in local_results.items()} == expected
    url = postgres.new_database()
    remote, _ = tiny_class(tmp_path / "remote", 6, db=url)
    cluster = start(DaskCluster, workers=2)
    try:
        cmd = [sys.executable, "-m", "autograder", "grade", "--course", str(remote.root), "--db", url,
               "--scheduler", cluster.address, "--timeout", "20", "--memory-mb", "1024", "--disk-mb", "128"]
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and not list(remote.autograded.glob("*/*/autograder.json")):
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        os.killpg(cluster.workers[0].pid, signal.SIGKILL)  # a worker dies mid-batch, its kernels with it
        out, err = proc.communicate(timeout=600)
    finally:
        cluster.stop()
    assert proc.returncode == 0, err[-3000:]
    assert "6/6" in err  # the progress bar counted every submission, wherever it was graded
    remote_results = {r.student: r for r in remote.results()}
    assert {s: r.score for s, r in remote_results.items()} == expected
    assert {s: r.flagged for s, r in remote_results.items()} == {s: r.flagged for s, r in local_results.items()}
    assert gradebook_scores(remote) == expected
    for s in expected:  # the main process wrote the graded notebooks (no shared folder with the workers)
        assert (remote.autograded / s / A / f"{A}.ipynb").is_file()
    assert [line.split()[0] for line in out.splitlines()[2:8]] == sorted(expected)  # in order


# ---------------------------------------------------------------- the batch's own failures

@pytest.mark.slow
def test_broken_environment_stops_the_batch_and_flags_nobody(tmp_path, monkeypatch):
    """A kernel that cannot import the course's packages (a venv installed from another checkout): the
    instructor's own solutions fail first, and nobody is graded or flagged."""
    from autograder.pipeline import sandbox

    needs_sandbox()
    course, _ = tiny_class(tmp_path / "c", 3)
    real = sandbox._package_dirs
    monkeypatch.setattr(sandbox, "_package_dirs",
                        lambda: [d for d in real() if not d.endswith("/autograder")])  # the kernel lacks autograder
    code = cli.main(["grade", "--course", str(course.root), "--jobs", "1"])
    assert code == 1
    assert not list(course.autograded.glob("*/*/autograder.json"))
    with course.gradebook() as gb:
        assert gb.find_assignment(A).submissions == []
    with pytest.raises(grading.BatchStopped, match="cannot import autograder"):
        grading.grade(course, jobs=1, limits=LIMITS)


def _fake_result(student, broken):
    r = Result(student, A, "h", tests={"ex0_1_tests": Outcome(A, 1, 1, "passed")})
    if broken:
        r.events.append(Event(A, "kernel start", "kernel did not start", "RuntimeError: no kernel"))
    return r


def test_most_submissions_failing_the_same_way_stop_the_batch(monkeypatch):
    kept = []
    monkeypatch.setattr(grading, "_write", lambda *a: None)
    monkeypatch.setattr(grading, "record", lambda gb, r: kept.append(r.student))
    monkeypatch.setattr(grading, "_mark_recorded", lambda *a: None)

    class Bar:
        def step(self, label):
            pass

    batch = grading._Batch(None, None, 10, Bar())
    batch.add(_fake_result("a", False), {})
    batch.add(_fake_result("b", True), {})
    batch.add(_fake_result("c", True), {})
    with pytest.raises(grading.BatchStopped, match="^the kernel did not start .*, on 3 of the first 4 submissions"):
        batch.add(_fake_result("d", True), {})
    assert kept == ["a"]  # the broken ones were never written nor recorded
    batch = grading._Batch(None, None, 10, Bar())
    for i in range(8):
        batch.add(_fake_result(f"s{i}", i == 3), {})
    assert [n.student for n in batch.not_graded] == ["s3"]  # one dead kernel: not saved, graded again next time
    assert "s3" not in {r.student for r in batch.done}


# ---------------------------------------------------------------- the zygote

ISOLATION = [
    "import os, subprocess, sys, torch\n"
    "open('/tmp/secret.txt', 'w').write('mine'); open('answer.txt', 'w').write('42')\n"
    "subprocess.Popen(['sleep', '300'])\n"
    "import ctypes\nprint('SHM', ctypes.CDLL(None).shmget(4242, 4096, 0o1666))\n"
    "print('PID', os.getpid(), 'CWD', os.getcwd())",
    "import os\n"
    "others = [p for p in os.listdir('/proc') if p.isdigit() and os.listdir(f'/proc/{p}')]\n"
    "runtime = os.environ['JUPYTER_RUNTIME_DIR']\n"
    "print('TMP', sorted(os.listdir('/tmp')), 'WORK', sorted(os.listdir('.')), 'PROCS', len(others))\n"
    "print('SIBLINGS', sorted(os.listdir(os.path.dirname(runtime))), 'OWN', os.path.basename(runtime))\n"
    "print('JUDGE', os.listdir(os.path.join(os.path.dirname(__import__('autograder').__file__), 'judge')))\n"
    "import ctypes\nprint('SHMSEEN', ctypes.CDLL(None).shmget(4242, 0, 0o666))\n"
    # the course's packages: read-only, and whole (a module imported late, even from a checkout under /tmp)
    "import autograder, IPython.core.debugger\n"
    "try:\n    open(os.path.join(os.path.dirname(autograder.__file__), 'planted.py'), 'w'); print('PKG writable')\n"
    "except OSError as e:\n    print('PKG read-only', e.errno)\n"
    "import socket\n"
    "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1); print('NET yes')\n"
    "except OSError as e:\n    print('NET no')\n"
    "try:\n    os.umount = None; import ctypes; r = ctypes.CDLL(None).umount2(b'/dev/shm', 2); print('UMOUNT', r)\n"
    "except Exception as e:\n    print('UMOUNT err')\n",
]


def _text(nb):
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_zygote_kernels_are_as_isolated_as_fresh_ones(tmp_path):
    from autograder.pipeline import zygote
    from autograder.pipeline.execute import run_notebook

    needs_sandbox()
    data = tmp_path / "data.csv"
    data.write_text("x\n1\n")
    try:
        first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ISOLATION[0])])
        run = run_notebook(first, limits=LIMITS, data_files=[data])
        assert zygote.zygote_status() is None, zygote.zygote_status()
        assert run.status == {0: "ok"}, (run, _text(first))
        assert "CWD /dev/shm/work" in _text(first) and "SHM -1" not in _text(first)
        second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ISOLATION[1])])
        run = run_notebook(second, limits=LIMITS, data_files=[data])
        text = _text(second)
        assert run.status == {0: "ok"}, (run, text)
        assert "secret.txt" not in text and "WORK ['data.csv'] PROCS 1" in text, text  # nothing of the first
        # kernel (its files, its background process)
        own = text.split("OWN ")[1].split()[0]
        assert f"SIBLINGS ['{own}']" in text, text  # no other kernel's socket folder
        assert "JUDGE []" in text and "NET no" in text and "UMOUNT -1" in text, text
        assert "SHMSEEN -1" in text, text
        assert "PKG read-only" in text, text  # its own IPC namespace: no shared memory of the first kernel
        # limits: memory (cgroup) and disk (its own tmpfs), as a kernel started afresh
        hog = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "x = bytearray(2000 << 20)\nx[::4096] = b'1' * len(x[::4096])")])
        run = run_notebook(hog, limits=LIMITS)
        assert run.event in ("memory limit", "kernel died") or "MemoryError" in str(hog.cells[0].outputs), run
        disk = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "try:\n    open('/tmp/big', 'wb').write(b'0' * (200 << 20))\n"
            "except OSError as e:\n    print('FULL', e.errno)")])
        run_notebook(disk, limits=LIMITS)
        assert "FULL 28" in _text(disk) or "FULL 27" in _text(disk), _text(disk)
    finally:
        zygote.close_all()


def test_zygote_kernels_keep_packages_under_tmp(monkeypatch):
    """A course cloned under /tmp: each forked kernel replaces the tmpfs that holds /tmp, and binds the
    course's package folders back, read-only, with the judge's folder still hidden."""
    from autograder.pipeline import sandbox, zygote
    from autograder.pipeline.execute import run_notebook

    needs_sandbox()
    package = Path(tempfile.mkdtemp(dir="/tmp")) / "clone" / "pkg"
    (package / "late").mkdir(parents=True)
    (package / "late" / "marker.txt").write_text("visible")
    judge = Path(sandbox.autograder.__file__).parent
    real = sandbox._package_dirs
    monkeypatch.setattr(sandbox, "_package_dirs", lambda: sorted({*real(), str(package)}))
    code = (f"import os\nprint('MARK', open('{package}/late/marker.txt').read())\n"
            f"print('PKGW', os.access('{package}', os.W_OK), 'TMPW', os.access('/tmp', os.W_OK))\n"
            f"print('JUDGE', os.listdir('{judge}/judge'))")
    zygote.close_all()
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        run = run_notebook(nb, limits=LIMITS)
        assert zygote.zygote_status() is None, zygote.zygote_status()
        text = _text(nb)
        assert run.status == {0: "ok"}, (run, text)
        assert "MARK visible" in text and "PKGW False TMPW True" in text and "JUDGE []" in text, text
    finally:
        zygote.close_all()
        shutil.rmtree(package.parent.parent, ignore_errors=True)


def test_zygote_preloads_every_library_the_chapters_import():
    """A library a chapter imports that the zygote has not imported is paid again by every notebook (a
    forgotten sklearn cost chapter 07 2 s a notebook, twice with its do-it-yourself run)."""
    import ast

    from autograder.pipeline.zygote import PRELOAD

    preloaded = {name.removesuffix(".*") for name in PRELOAD}
    missing = set()
    for path in sorted((Path(__file__).resolve().parents[2] / "course" / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:  # IPython magics: not imports of libraries
                continue
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or any(p == name or p.startswith(name + ".")
                                                             or name.startswith(p + ".") for p in preloaded):
                        continue
                    missing.add(f"{name} ({path.parent.name})")
    assert not missing, f"imported by the chapters, not preloaded by the zygote: {sorted(missing)}"


def _run_in_worker():
    from autograder.pipeline.execute import run_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('worker', 6 * 7)")])
    run = run_notebook(nb, limits=LIMITS)
    return run.status, _text(nb)


def test_a_worker_forked_after_kernels_ran_here_runs_its_own():
    """A grading worker forked from a process that had run kernels (the instructor's process after its
    self-check, a test process) inherited that process's event loop and spun in it forever."""
    import multiprocessing

    from autograder.pipeline.execute import run_notebook

    run_notebook(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), limits=LIMITS)
    with multiprocessing.get_context("fork").Pool(1, initializer=grading._worker_init, initargs=(False,)) as pool:
        status, text = pool.apply_async(_run_in_worker).get(timeout=120)
    assert status == {0: "ok"} and "worker 42" in text, (status, text)


def test_a_worker_grading_many_notebooks_keeps_no_descriptor_or_cgroup_of_finished_kernels():
    """Every kernel's sockets and zmq contexts are closed and its cgroup removed once it has exited
    (nbclient leaves them to their owner: a worker ran out of descriptors after some hundred notebooks);
    the do-it-yourself kernel started early is stopped too where no second run needs it."""
    from autograder.pipeline.demo import tiny_notebook
    from autograder.pipeline.grade import grade_notebook
    from autograder.pipeline.restore import restore
    from autograder.pipeline.sandbox import Cgroup

    source = tiny_notebook()
    assert any(get_exercise.self_made for get_exercise in _exercises(source)), "no do-it-yourself exercise"
    wrong = nbformat.from_dict(source)
    for cell in wrong.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "pass"  # nothing passes: no second run, the early kernel is discarded

    def descriptors():
        return len(os.listdir("/proc/self/fd"))

    def groups():
        bases = Cgroup.support()[1]
        return sum(len(list(Path(b).glob("autograder-*"))) for b in bases)

    for nb in (source, wrong):  # the first round starts the zygotes (their pipes stay open)
        grade_notebook(restore(nb, source)[0], source, name="00_demo", limits=LIMITS)
    before, groups_before = descriptors(), groups()
    for _ in range(3):
        for nb in (source, wrong):
            grade_notebook(restore(nb, source)[0], source, name="00_demo", limits=LIMITS)
    assert descriptors() <= before, (before, descriptors())
    Cgroup.remove_closed(wait=5.0)
    assert groups() <= groups_before, (groups_before, groups())


def _exercises(nb):
    from autograder import cells
    from autograder.exercises import get

    return [get(cells.grade_id(c).removesuffix("_tests")) for c in nb.cells if cells.is_test(c)]


def test_zygote_kernels_do_not_collect_what_they_inherited():
    """The zygote freezes what it imported: a collection in a kernel walks only the kernel's own objects
    (walking torch's ~10^6 objects made ast.parse of one module take 0.17 s instead of 0.01 s)."""
    from autograder.pipeline import zygote
    from autograder.pipeline.execute import run_notebook

    needs_sandbox()
    code = "import gc\nprint('FROZEN', gc.get_freeze_count())"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    run = run_notebook(nb, limits=LIMITS)
    assert zygote.zygote_status() is None and run.status == {0: "ok"}, (run, zygote.zygote_status())
    assert int(_text(nb).split("FROZEN ")[1]) > 100_000, _text(nb)


def test_zygote_can_be_turned_off():
    from autograder.pipeline import zygote

    zygote.enable(False)
    try:
        assert zygote.get() is None and "--no-zygote" in zygote.zygote_status()
    finally:
        zygote.enable(True)


# ---------------------------------------------------------------- export, report, command line (no kernels)


@pytest.fixture
def graded_course(tmp_path):
    """A released tiny course with results recorded directly (no kernel): s00 4/4, s01 1/4, erin invalid."""
    root = write_tiny_course(tmp_path / "c")
    generate_release(root)
    course = open_course(root)
    results = []
    for student, score, invalid in (("s00", 4, False), ("s01", 1, False), ("erin", 0, True)):
        folder = course.submitted / student / A
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_text("{ not json" if invalid else "{}")
        r = Result(student, A, "h")
        for test_id, points in (("ex0_1_tests", 1), ("ex0_2_tests", 2), ("ex0_3_tests", 1)):
            got = points if score >= 4 or (score == 1 and test_id == "ex0_1_tests") else 0
            r.tests[test_id] = Outcome(
                A,
                points,
                got,
                "passed" if got else "failed",
                "" if got else "[ex] wrong: the gradient is off by a sign " * 3,
            )
        if invalid:
            r.flag(f"{A}.ipynb is not a valid notebook (NotJSONError: ...)")
        r.flag("after ex0_1_tests: x") if student == "s01" else None
        results.append(r)
    (course.submitted / "late" / A).mkdir(parents=True)  # collected, not graded yet
    with course.gradebook() as gb:
        for r in results:
            grading.record(gb, r)
            grading._mark_recorded(course, r)
    return course


def test_export_with_a_roster_has_a_row_and_a_status_for_every_student(graded_course, tmp_path):
    course = graded_course
    path, counts = export.export(course, tmp_path / "g.csv", roster=["s00", "s01", "erin", "late", "zoe"])
    rows = {r["student"]: r for r in csv.DictReader(path.open())}
    assert {s: r["status"] for s, r in rows.items()} == {
        "s00": "graded",
        "s01": "graded",
        "erin": "invalid file",
        "late": "not graded yet",
        "zoe": "not submitted",
    }
    assert counts == {"graded": 2, "invalid file": 1, "not graded yet": 1, "not submitted": 1}
    assert rows["s00"]["score"] == "4" and rows["zoe"]["score"] == "0"
    # the roster saved by collect --roster is used by default; a graded student off the roster is kept
    collect.save_roster(course, ["s00", "zoe"])
    rows = {r["student"]: r["status"] for r in csv.DictReader(export.export(course, tmp_path / "h.csv")[0].open())}
    assert rows["zoe"] == "not submitted" and rows["s01"] == "graded (not on the roster)"
    assert export.export(course, tmp_path / "i.csv", assignment=A)[1]["graded"] == 1


def test_report_per_chapter_wrapped_and_lists_invalid_files(graded_course):
    course = graded_course
    collect.save_roster(course, ["s00", "s01", "erin", "zoe"])
    text = report.report(course, assignment=A)
    assert (course.reports / f"scores_{A}.png").stat().st_size > 0
    assert "invalid files (kept under submitted/, graded 0): 1" in text and "erin/00_demo" in text
    assert "not submitted, 00_demo: 1 of 4 on the roster" in text and "zoe" in text
    assert max(len(line) for line in text.splitlines()) <= 160
    for line in text.splitlines():  # shortened between words, never mid-word
        assert not line.rstrip().endswith(("wro", "gradi")), line
    assert "passed" not in text.split("flagged")[0]  # most common failures are failures


def test_every_option_of_every_command_has_help():
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, command in sub.choices.items():
        if name in ("workspace", "progress"):
            continue
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    for name in ("release", "grade", "feedback", "export", "report"):
        assert "--db" in sub.choices[name].format_help(), name
    for name in ("report", "export", "grade", "feedback", "release", "collect"):
        assert "--assignment" in sub.choices[name].format_help(), name
    collect_help = sub.choices["collect"].format_help()
    assert "canvas" in collect_help and "Timestamps" in collect_help and "--roster" in collect_help


def test_the_same_mistake_gets_the_same_error(graded_course, capsys):
    root = str(graded_course.root)
    with pytest.raises(SystemExit):
        cli.main(["grade", "--course", root, "--jobs", "0"])
    assert "--jobs: 0 is not at least 1" in capsys.readouterr().err
    messages = []
    for command in (["grade"], ["feedback"], ["export", "x.csv"], ["report"], ["release", "--skip-check"]):
        assert cli.main([*command, "--course", root, "--assignment", "nope"]) == 2
        messages.append(capsys.readouterr().err.strip())
    assert len(set(messages)) == 1 and "no assignment 'nope'" in messages[0], messages
    assert cli.main(["feedback", "--course", root, "--student", "nobody"]) == 2
    assert "no submissions from 'nobody'" in capsys.readouterr().err
    assert cli.main(["grade", "--course", root, "--student", "nobody"]) == 2
    assert "no submissions from 'nobody'" in capsys.readouterr().err
    assert cli.main(["collect", "missing.zip", "--course", root]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert cli.main(["report", "--course", root, "--db", "mysql://x"]) == 2
    assert "--db" in capsys.readouterr().err


def test_formgrader_sees_released_chapters_and_a_writable_exchange(graded_course, caplog):
    """Released chapters show as released (not "draft"), and no "Unwritable directory ... exchange"."""
    import logging

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = graded_course.config()
    with caplog.at_level(logging.DEBUG):
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        status = api.get_assignment(A)["status"]
    assert api.exchange_is_functional and status == "released"
    assert not [r for r in caplog.records if "nwritable" in r.getMessage()]
    assert str(api.exchange_root).startswith(str(graded_course.root))


def test_gradebook_url_from_the_environment_serves_formgrader_too(tmp_path, monkeypatch):
    root = write_tiny_course(tmp_path / "c")
    monkeypatch.setenv("AUTOGRADER_DB", "sqlite:///" + str(tmp_path / "elsewhere.db"))
    assert open_course(root).db() == "sqlite:///" + str(tmp_path / "elsewhere.db")
    assert open_course(root, db="postgres://u:secret@h/db").db() == "postgresql+psycopg://u:secret@h/db"
    from autograder.pipeline.course import show_db

    assert "secret" not in show_db("postgresql+psycopg://u:secret@h/db")


def test_a_reply_that_asyncio_did_not_notice_is_read_within_a_second():
    """nbclient waits for a cell's reply with one long poll; a missed wake-up then cost the whole cell
    timeout (120 s after an ipywidgets cell). Channels are polled at least every 0.5 s instead."""
    import asyncio
    from queue import Empty

    from autograder.pipeline.execute import _polled

    calls = []

    async def get_msg(timeout=None):  # the first poll never wakes up; the message was there all along
        calls.append(timeout)
        if len(calls) == 1:
            await asyncio.sleep(timeout)
            raise Empty
        return {"msg_type": "execute_reply"}

    start = time.monotonic()
    assert asyncio.run(_polled(get_msg)(timeout=120))["msg_type"] == "execute_reply"
    assert time.monotonic() - start < 2 and calls[0] <= 0.5
