"""The instructor's pipeline end to end on a tiny course (autograder.demo), plus its pure parts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.pipeline import export, feedback, integrity, report
from autograder.pipeline.course import open_course
from autograder.pipeline.demo import student_notebook, write_tiny_course
from autograder.pipeline.grade import Limits, environment_failure, grade
from autograder.pipeline.release import generate_release
from autograder.pipeline.restore import restore

from .hostile import HONEST, HOSTILE

A = "00_demo"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = write_tiny_course(tmp_path_factory.mktemp("course"))
    generate_release(root)
    course = open_course(root)
    source = nbformat.read(course.source / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    return course, source, release


def submit(course, student, text, name=f"{A}.ipynb"):
    folder = course.submitted / student / A
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    (folder / "timestamp.txt").write_text("2026-01-01 10:00:00.000000 UTC")


def sandbox_processes(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


# ---------------------------------------------------------------- pure parts (no kernel)

def test_restore_leaves_an_honest_submission_alone(tiny):
    _, source, release = tiny
    nb, notes = restore(nbformat.reads(student_notebook(source, release, {}), as_version=4), source)
    assert notes == []
    assert [c.source for c in nb.cells if c.cell_type == "code"][1] == [c.source for c in release.cells
                                                                         if c.cell_type == "code"][1]
    assert "BEGIN HIDDEN TESTS" in nb.cells[4].source  # the instructor's tests, hidden part included


@settings(max_examples=60, deadline=None)
@given(where=st.integers(0, 10**6), nbgrader=st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["grade_id", "grade", "solution", "locked", "points", "schema_version"]),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                              st.sampled_from(["ex0_1", "ex0_1_tests", "ex0_2_tests"]), st.lists(st.integers())))))
def test_restore_reads_any_grading_metadata_a_submission_carries(tiny, where, nbgrader):
    """A submission is the student's file: its cells' nbgrader metadata may hold anything. Restoring never
    raises (that would look like the grader's failure), and the instructor's test cells are what runs."""
    _, source, release = tiny
    nb = nbformat.reads(student_notebook(source, release, {}), as_version=4)
    nb.cells[where % len(nb.cells)].metadata["nbgrader"] = nbgrader
    restored, _notes = restore(nb, source)
    tests = [c.source for c in restored.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert tests == [c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_static_scan_flags_attacks_not_solutions(tiny):
    _, source, _ = tiny
    assert integrity.scan([(c.metadata.nbgrader.grade_id, c.source) for c in source.cells
                           if c.metadata.nbgrader.get("solution")]) == []
    assert integrity.scan([("ex", "import torch\ntorch.allclose = lambda *a: True")])
    assert integrity.scan([("ex", "class A:\n    def __eq__(self, o):\n        return True")])
    assert integrity.scan([("ex", "get_ipython().events.register('post_run_cell', print)")])
    assert integrity.scan([("ex", "import numpy as xp\nsetattr(xp, 'isclose', print)")])
    honest = "import numpy as np\nclass Dual:\n    def __eq__(self, other):\n        return self.v == other.v\n" \
             "def f(model):\n    for m in model.modules():\n        pass\n    return np.zeros(3)"
    assert integrity.scan([("ex", honest)]) == []
    for deep in ("x = " + "-" * 600 + "1", "x = " + "+".join(["1"] * 200_000), "(" * 5000 + ")" * 5000):
        assert integrity.scan([("ex", deep)]) in ([f"ex: {integrity.TOO_DEEP}"], [])  # never a crash
    assert integrity.scan([("ex", "x = " + "-" * 600 + "1")]) == [f"ex: {integrity.TOO_DEEP}"]  # it runs


def test_real_solutions_raise_no_static_flag():
    sources = sorted((REPO / "course" / "source").glob("*/*.ipynb"))
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        cells = [(c.metadata.get("nbgrader", {}).get("grade_id", "?"), c.source) for c in nb.cells
                 if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
        assert integrity.scan(cells) == [], path.name


def test_sandbox_keeps_packages_under_tmp_visible(monkeypatch, tmp_path):
    """A course cloned under /tmp (its .venv, autograder, minigrad) stays visible in the sandbox, whose
    own /tmp is a folder of its size-limited tmpfs; the judge's folders stay hidden."""
    from autograder.pipeline import sandbox

    if sandbox.sandbox_status() is not None:
        pytest.skip(sandbox.sandbox_status())
    package = Path(tempfile.mkdtemp(dir="/tmp")) / "clone" / "pkg"
    package.mkdir(parents=True)
    (package / "marker.txt").write_text("visible")
    monkeypatch.setattr(sandbox, "_package_dirs", lambda: sorted({sys.prefix, sys.base_prefix, str(package)}))
    code = (f"import os; print(open('{package}/marker.txt').read(), os.path.realpath('/tmp'), "
            f"os.access('/', os.W_OK), os.access('/tmp', os.W_OK))")
    out = subprocess.run(sandbox.bwrap_args(None) + [sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["visible", "/dev/shm/tmp", "False", "True"], out.stderr
    judge_dir = Path(sandbox.autograder.__file__).parent / "judge"
    monkeypatch.setattr(sandbox, "_package_dirs", lambda: sorted({sys.prefix, sys.base_prefix,
                                                                   str(judge_dir.parent)}))
    out = subprocess.run(
        sandbox.bwrap_args(None) + [sys.executable, "-c", f"import os; print(os.listdir('{judge_dir}'))"],
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ---------------------------------------------------------------- the hostile batch (kernels)

LIMITS = Limits(cell_timeout=8, notebook_timeout=90, memory_mb=1024, disk_mb=256, processes=64)
HIDDEN_TEXT = ("check_ex0_1.hidden", "check_ex0_2.hidden", "check_ex0_3.hidden", "repeat=7", "BEGIN HIDDEN")
LIVE_SCRIPT = ("<script", "onerror=", "javascript:", "application/javascript")


def outputs_text(path: Path) -> str:
    """Everything a notebook's cells output (not their code, which may quote anything as text)."""
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def live_html(text: str) -> list[str]:
    """Elements of an HTML page that would run a student's code: their scripts, handlers, js: links."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        script = False

        def handle_starttag(self, tag, attrs):
            self.script = tag == "script"
            for name, value in attrs:
                if name.startswith("on") or "javascript:" in (value or "").lower().replace(" ", ""):
                    found.append(f"<{tag} {name}={value}>")

        def handle_data(self, data):
            if self.script and ("EVIL" in data or "/api/contents" in data):
                found.append(data[:80])

    Parser().feed(text)
    return found


def _corpus(course, source, release):
    for name, (build, _) in HONEST.items():
        submit(course, f"honest_{name}", build(source, release))
    for name, (build, *_rest) in HOSTILE.items():
        submit(course, f"hostile_{name}", build(source, release))
    submit(course, "hostile_missing_notebook", student_notebook(source, release, {}), name="Untitled.ipynb")
    expected = {f"honest_{n}": score for n, (_, score) in HONEST.items()}
    expected.update({f"hostile_{n}": score for n, (_, score, _) in HOSTILE.items()})
    expected["hostile_missing_notebook"] = 0
    return expected


def _nbgrader_autograde(root: Path) -> None:
    """Stock nbgrader's command line, on a course configured by our nbgrader_config.py."""
    with open(root / "nbgrader_config.py", "a") as f:
        f.write(
            f"\nc.JudgedExecute.cell_timeout = {LIMITS.cell_timeout}\nc.JudgedExecute.notebook_timeout = "
            f"{LIMITS.notebook_timeout}\nc.JudgedExecute.memory_mb = {LIMITS.memory_mb}\n"
            f"c.JudgedExecute.disk_mb = {LIMITS.disk_mb}\n"
        )
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    out = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "nbgrader"), "autograde", A],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert "Autograding" in out.stdout + out.stderr, out.stderr[-3000:]


@pytest.mark.slow
def test_hostile_corpus_in_one_batch_through_both_paths(tiny, tmp_path):
    """Every forgery scores exactly what its real work earns, honest students their marks, through
    `python -m autograder grade` and through `nbgrader autograde` (formgrader's path)."""
    import shutil

    course, source, release = tiny
    expected = _corpus(course, source, release)
    assert len(HOSTILE) >= 30
    stock = tmp_path / "stock"
    shutil.copytree(course.root, stock)
    results = {r.student: r for r in grade(course, jobs=2, limits=LIMITS)}
    assert {s: r.score for s, r in results.items()} == expected
    for name in HONEST:
        assert not results[f"honest_{name}"].flagged, results[f"honest_{name}"].flag_reasons
    for r in results.values():  # nothing a student sends makes the grader look broken (that stops a batch)
        assert environment_failure(r) is None, (r.student, environment_failure(r))
    for name, (_, _, event) in HOSTILE.items():
        r = results[f"hostile_{name}"]
        if event is not None:
            assert [e.what for e in r.events] == [event], (name, r.events)
            assert "ex0_2" in r.events[0].cell
    assert results["hostile_missing_notebook"].flagged and results["hostile_corrupt_json"].flagged
    assert any("probe output was forged" in f for f in results["hostile_forged_probe_report"].flag_reasons)
    # the runtime probe's reports, read from the harness's cells (these names: the static scan's flags name none)
    for student, reason in (("patch_torch_allclose", "torch.allclose was replaced (monkeypatching) (after ex0_2_tests"),
                            ("poison_torch_engine", "torch.Tensor.backward was replaced (monkeypatching) (after ex0_1"),
                            ("swap_check_code", "Exercise.judge.__code__ was reassigned (after ex0_1_tests")):
        assert any(f.startswith(reason) for f in results[f"hostile_{student}"].flag_reasons), \
            (student, results[f"hostile_{student}"].flag_reasons)
    assert any("restored" in n for n in results["honest_deleted_test_cell"].notes)
    assert any("restored" in n for n in results["hostile_edited_test_cell"].notes)
    assert "second run" in results["hostile_self_made_with_torch"].tests["ex0_3_tests"].message
    assert not sandbox_processes("4242")  # the background process died with its sandbox
    with course.gradebook() as gb:  # the gradebook holds what the judge decided, nobody else
        for student, r in results.items():
            assert gb.find_submission(A, student).score == r.score, student

    # what the kernel could not do: fill RAM through tmpfs, the disk, the process table
    def printed(student, what):
        nb = nbformat.read(course.autograded / student / A / f"{A}.ipynb", as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        return int(text.split(what)[1].split()[0])

    assert printed("hostile_shm_bomb", "MB written to /dev/shm:") <= LIMITS.disk_mb
    assert printed("hostile_disk_bomb", "MB written to the working folder:") <= LIMITS.disk_mb
    assert printed("hostile_fork_bomb", "processes started:") < LIMITS.processes

    # nothing hidden, nothing live, in graded notebooks and feedback
    written = feedback.generate(course)
    assert len(written) == len(results)
    for path in list(course.autograded.glob("*/*/*.ipynb")) + written:
        text = path.read_text()
        assert not any(secret in text for secret in HIDDEN_TEXT), path
        if path.suffix == ".ipynb":
            assert not any(live in outputs_text(path) for live in LIVE_SCRIPT), path
        else:
            assert not live_html(text), (path, live_html(text))
    assert "LEAK:" in (course.autograded / "hostile_leaks_what_the_kernel_saw" / A / f"{A}.ipynb").read_text()
    died = (course.feedback / "hostile_os_exit" / A / f"{A}.html").read_text()
    assert "kernel died" in died and "ex0_2" in died
    assert "not submitted" in (course.feedback / "hostile_missing_notebook" / A / f"{A}.html").read_text()
    rows = list(__import__("csv").DictReader(export.export(course, tmp_path / "g.csv")[0].open()))
    assert {r["student"]: float(r["score"]) for r in rows} == expected
    text = report.report(course)
    assert "ex0_2" in text and (course.reports / f"scores_{A}.png").stat().st_size
    assert grade(course, jobs=2, limits=LIMITS) == []  # resumable: nothing new, nothing graded again

    # the same class through stock nbgrader's autograde, configured by the course's nbgrader_config.py
    _nbgrader_autograde(stock)
    stock_course = open_course(stock)
    with stock_course.gradebook() as gb:
        scores = {
            s: gb.find_submission(A, s).score
            for s in expected
            if s not in ("hostile_missing_notebook", "hostile_corrupt_json")
        }
    assert scores == {s: v for s, v in expected.items() if s in scores}
    for path in stock.glob("autograded/*/*/*.ipynb"):
        assert not any(secret in path.read_text() for secret in HIDDEN_TEXT), path
        assert not any(live in outputs_text(path) for live in LIVE_SCRIPT), path


@pytest.mark.slow
def test_kill_9_mid_batch_then_rerun_loses_and_duplicates_nothing(tmp_path):
    root = write_tiny_course(tmp_path / "c")
    generate_release(root)
    course = open_course(root)
    source = nbformat.read(course.source / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    expected = {}
    for i in range(6):
        solved = {"ex0_1": None} if i % 2 else {"ex0_1": None, "ex0_2": None}
        submit(course, f"s{i}", student_notebook(source, release, solved))
        expected[f"s{i}"] = 1 if i % 2 else 3
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    cmd = [sys.executable, "-m", "autograder", "grade", "--course", str(root), "--jobs", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(course.autograded.glob("*/*/autograder.json"))) < 2:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)  # the main process only: its workers and sandboxes must follow
    proc.wait()
    time.sleep(1)
    assert not sandbox_processes(str(root)), "workers or kernels outlived the killed grader"
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    with course.gradebook() as gb:
        for student, score in expected.items():
            assert gb.find_submission(A, student).score == score
        assert len(gb.find_assignment(A).submissions) == 6
    for path in course.autograded.glob("*/*/autograder.json"):
        assert json.loads(path.read_text())["in_gradebook"]


def test_cli_reports_bad_input_clearly(tmp_path):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    out = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "--course", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 2 and "no course folder" in out.stderr


# ---------------------------------------------------------------- the real chapters


# Every chapter is judged in both languages by tests/course/test_notebooks.py (grade_notebook itself);
# here the whole command runs (release, self-check, workers, gradebook) on the chapters whose exercises
# have a second, do-it-yourself run (02) and the heaviest one (07).
PIPELINE_CHAPTERS = ("02_backward", "07_from_scratch")


@pytest.mark.slow
@pytest.mark.skipif(not any((REPO / "course" / "source").glob("*/*.ipynb")), reason="no chapters in course/source yet")
def test_real_chapters_solutions_score_full_and_release_scores_zero(tmp_path):
    import shutil

    root = tmp_path / "course"
    for chapter in PIPELINE_CHAPTERS:
        shutil.copytree(REPO / "course" / "source" / chapter, root / "source" / chapter)
    shutil.copy(REPO / "course" / "nbgrader_config.py", root)
    generate_release(root)
    course = open_course(root)
    for a in course.assignments():
        for student, folder in (("solutions", course.source), ("blank", course.release)):
            (course.submitted / student / a).mkdir(parents=True)
            shutil.copy(folder / a / f"{a}.ipynb", course.submitted / student / a)
    results = grade(course, jobs=2)
    assert len(results) == 2 * len(course.assignments())
    for r in results:
        assert not r.flagged and not r.events, r
        want = r.max_score if r.student == "solutions" else 0
        assert r.score == want and r.max_score > 0, (r.assignment, r.student, r.tests)
