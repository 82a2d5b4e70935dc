"""The instructor's commands as an audit of issue 15 tried them (no kernel is started here): a Python without
the course's packages, one line per kind of flag reason, export to a folder, "nothing to do" versus "no
such name", chapters never released, git-ignored outputs, plurals, `make lab-instructor HEADLESS=0`, the
histogram's ticks, flag reasons in Chinese."""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import i18n
from autograder.pipeline import cli, collect, grade, integrity, report
from autograder.pipeline.course import open_course, write_atomic
from autograder.pipeline.demo import write_tiny_course
from autograder.pipeline.release import generate_release
from autograder.pipeline.results import Result
from autograder.pipeline.results import TestResult as Scored
from autograder.pipeline.ui import plural

from .hostile import HONEST, HOSTILE

A = "00_demo"
LATER = "01_later"          # in source/, never released, nobody handed it in
REPO = Path(__file__).resolve().parents[2]
ADDED = 26                  # a solution plus this many added cells, each doing what the scan flags
SOLUTION = "def grad_of_square(x):\n    return 2 * x\n"


def attack(number: int) -> str:
    """An added cell with several kinds of finding, a path of its own among them."""
    return (f"import gc\nopen('../notes{number}.txt')\nimport os\nos._exit(0)\nprint('../x{number}')\n"
            "import torch\ntorch.allclose = print\nclass Rigged:\n    def __eq__(self, other):\n        return True\n")


def noisy_reasons() -> list[str]:
    return integrity.scan([("ex0_1", SOLUTION)] + [(f"added cell {n}", attack(n)) for n in range(3, 3 + ADDED)])


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The tiny course, released (once: nbgrader takes a while), and a second chapter in source/ only."""
    root = write_tiny_course(tmp_path_factory.mktemp("released") / "course")
    generate_release(root)
    later = root / "source" / LATER
    shutil.copytree(root / "source" / A, later)
    (later / f"{A}.ipynb").rename(later / f"{LATER}.ipynb")
    return root


@pytest.fixture
def course(released, tmp_path):
    """A copy of the released course with a roster of three: amy graded (flagged by ADDED cells), bob
    collected but not graded, cid nothing."""
    course = open_course(shutil.copytree(released, tmp_path / "course"))
    collect.save_roster(course, ["amy", "bob", "cid"])
    for student in ("amy", "bob"):
        (course.submitted / student / A).mkdir(parents=True)
    result = Result("amy", A, tests={"ex0_1_tests": Scored(A, 2.0, 1.0, "failed", "expected 3, got 2")})
    for reason in noisy_reasons():
        result.flag(reason)
    write_atomic(course.result_path("amy", A), result.to_json())
    return course


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- 1. a Python without the packages

def test_a_python_without_the_course_packages_says_which_module_and_which_python_to_use(tmp_path):
    """collect's module (nbformat) is imported while the parser is built: that too gets the one line."""
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['nbformat'] = None\n")
    env = dict(os.environ, PYTHONPATH=f"{blocker}{os.pathsep}{REPO}")
    out = subprocess.run([sys.executable, "-m", "autograder", "report"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.count("\n") == 1 and "nbformat" in out.stderr
    assert ".venv/bin/python -m autograder" in out.stderr and "source .venv/bin/activate" in out.stderr


def test_the_system_python_gets_the_same_line():
    python = Path("/usr/bin/python3")
    if not python.is_file() or Path(sys.executable).resolve() == python.resolve():
        pytest.skip("no system Python apart from this one")
    if subprocess.run([python, "-c", "import nbformat"], capture_output=True).returncode == 0:
        pytest.skip("the system Python has the course's packages")
    out = subprocess.run([python, "-m", "autograder", "report"], cwd=REPO, env={"PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "lacks the module" in out.stderr and ".venv/bin/python -m autograder" in out.stderr


# ---------------------------------------------------------------- 2. one line per kind of reason

def test_a_noisy_submission_gets_one_line_per_kind_of_reason():
    reasons = noisy_reasons()
    kinds = list(dict.fromkeys(integrity.read_reason(r).kind for r in reasons))
    assert len(reasons) > 4 * ADDED and len(kinds) < len(reasons)
    lines = integrity.summarize(reasons)
    text = "\n".join(lines)
    assert len(lines) <= integrity.MAX_LINES and len(text) <= integrity.MAX_CHARS + len(lines), text
    gc = integrity.DANGEROUS_MODULES["gc"]
    assert text.count(gc) == 1 and f"({plural(ADDED, '{n} cell', '{n} cells')})" in text, text
    assert "added cells 3" in text
    shown = [k for k in kinds if k in text]
    assert len(shown) == len(kinds) or "other kind" in lines[-1], text  # every kind, or how many are left out


def test_the_scan_and_grade_word_every_reason_as_a_kind_that_is_translated(released):
    """Every reason the static scan gives the hostile corpus, and those grade words itself before a kernel
    runs (missing notebook, invalid file, the grader's failure), reads back as a kind the catalog translates."""
    course = open_course(released)
    source = nbformat.read(course.source / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    reasons = noisy_reasons()
    for build, *_rest in [*HOSTILE.values(), *HONEST.values()]:
        try:
            nb = nbformat.reads(build(source, release), as_version=4)
        except nbformat.reader.NotJSONError:
            continue  # a broken file: grade_task's own reason, below
        reasons += integrity.scan(grade._student_cells(nb))
    b = grade.bundle(course, A)
    for files in ({"Untitled.ipynb": b"{}"}, {f"{A}.ipynb": b"{ not json"}):
        result, _texts = grade.grade_task({"student": "s", "assignment": A, "hash": "", "timestamp": None,
                                           "files": files}, b, grade.Limits())
        reasons += result.flag_reasons
    reasons += grade._failed({"student": "s", "assignment": A, "hash": ""}, "worker lost").flag_reasons
    assert len(reasons) > 20
    with i18n.speaking("zh"):
        for reason in reasons:
            kind = integrity.read_reason(reason).kind
            assert i18n._(kind) != kind, (reason, kind)


def test_report_and_export_show_the_summary_and_point_to_the_complete_list(course, capsys, tmp_path):
    code, out, _err = run(capsys, "report", "--course", course.root)
    assert code == 0
    flagged = out.split("flagged for review: 1\n")[1].split("\nnot submitted")[0].splitlines()
    assert len(flagged) <= integrity.MAX_LINES + 2 and len("\n".join(flagged)) < 1000, flagged
    assert str(course.result_path("amy", A)) in out
    reasons = course.result("amy", A).flag_reasons
    assert f"{plural(len(reasons), '{n} reason', '{n} reasons')} in all" in out
    assert run(capsys, "export", tmp_path / "g.csv", "--course", course.root)[0] == 0
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8"))}
    assert rows["amy"]["flag_reasons"] == "; ".join(integrity.summarize(reasons))
    assert len(rows["amy"]["flag_reasons"]) <= integrity.MAX_CHARS + 2 * integrity.MAX_LINES
    assert course.result("amy", A).flag_reasons == reasons  # the complete list is kept


# ---------------------------------------------------------------- 3. export to a folder

def test_export_to_a_folder_is_a_clear_error_and_leaves_no_temporary_file(course, capsys, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    code, _out, err = run(capsys, "export", target, "--course", course.root)
    assert code == 2 and err.startswith("error: ") and "is a folder" in err and "Traceback" not in err, err
    assert list(target.iterdir()) == [] and not list(tmp_path.glob(".*.tmp"))


def test_a_failed_write_leaves_no_temporary_file(course, capsys, tmp_path, monkeypatch):
    def refuse(_src, _dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, _out, err = run(capsys, "export", tmp_path / "g.csv", "--course", course.root)
    assert code == 2 and "cannot write" in err and "Permission denied" in err, err
    assert list(tmp_path.iterdir()) == [tmp_path / "course"]


# ---------------------------------------------------------------- 4. nothing to do, no such name

def test_nothing_to_do_is_exit_0_and_an_unknown_name_exit_2_the_same_for_every_command(course, capsys):
    root = course.root
    for command in (["feedback"], ["grade"]):
        code, out, err = run(capsys, *command, "--course", root, "--student", "amy", "--assignment", LATER)
        assert code == 0 and not err and f"(--student amy --assignment {LATER})" in out, (command, out, err)
        assert "run `python -m autograder" in out
    code, out, _err = run(capsys, "feedback", "--course", root, "--student", "bob")
    assert code == 0 and "nothing graded yet" in out
    errors = set()
    for command in (["feedback"], ["grade"]):
        code, _out, err = run(capsys, *command, "--course", root, "--student", "nobody")
        assert code == 2
        errors.add(err)
    assert len(errors) == 1 and "no submissions from 'nobody'" in errors.pop()


# ---------------------------------------------------------------- 5. chapters never released

def test_a_chapter_never_released_nor_handed_in_is_nobodys_zero(course, capsys, tmp_path):
    roster = collect.course_roster(course)
    code, out, _err = run(capsys, "export", tmp_path / "g.csv", "--course", course.root)
    rows = list(csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert code == 0 and {r["assignment"] for r in rows} == {A} and len(rows) == len(roster)
    assert f"assignments included: {A}" in out and LATER in out.split("left out")[1]
    code, out, _err = run(capsys, "report", "--course", course.root)
    assert f"not submitted, {LATER}" not in out and f"not submitted, {A}" in out
    (course.submitted / "cid" / LATER).mkdir(parents=True)  # handed in by one: it counts for all
    run(capsys, "export", tmp_path / "h.csv", "--course", course.root)
    rows = list(csv.DictReader((tmp_path / "h.csv").open(encoding="utf-8")))
    assert len(rows) == 2 * len(roster)


# ---------------------------------------------------------------- 6. generated files are git-ignored

@pytest.mark.skipif(not shutil.which("git") or not (REPO / ".git").exists(), reason="not a git checkout")
def test_what_the_instructor_commands_write_is_git_ignored():
    generated = ["grades.csv", "course/reports/report.md", "course/feedback/a/b/c.html", "course/gradebook.db",
                 "course/gradebook.db-journal", "course/roster.csv", "course/collect_log.jsonl"]
    out = subprocess.run(["git", "check-ignore", "--no-index", *generated], cwd=REPO, capture_output=True, text=True)
    assert sorted(out.stdout.split()) == sorted(generated), out.stdout


# ---------------------------------------------------------------- 7. plurals

def test_plural_agrees_with_the_count():
    notebooks = [plural(n, "{n} notebook", "{n} notebooks") for n in (0, 1, 2)]
    assert notebooks == ["0 notebooks", "1 notebook", "2 notebooks"]
    assert plural(1, "{n} class", "{n} classes") == "1 class" and plural(3, "{n} class", "{n} classes") == "3 classes"


def test_no_command_says_one_of_a_plural(course, capsys, tmp_path):
    one_plural = re.compile(r"(?<![\d.])1 (notebooks|submissions|students|feedback files|rows|cells|reasons)\b")
    (course.submitted / "bob").rename(course.root / "bob")  # amy's is then the only submission
    printed = ""
    for command in (["report"], ["export", tmp_path / "g.csv"], ["feedback"],
                    ["release", "--skip-check", "--assignment", A]):
        code, out, err = run(capsys, *command, "--course", course.root)
        assert code == 0, (command, err)
        printed += out
    assert "1 submission graded" in printed and "1 feedback file" in printed, printed
    assert not one_plural.search(printed), one_plural.search(printed)


# ---------------------------------------------------------------- 8. make lab-instructor

@pytest.mark.skipif(not shutil.which("make"), reason="no make")
def test_lab_instructor_is_headless_only_when_asked_and_listens_on_ip_either_way():
    for headless, browser in (("", True), ("0", True), ("no", True), ("1", False)):
        out = subprocess.run(["make", "-n", "lab-instructor", f"HEADLESS={headless}", "IP=0.0.0.0"], cwd=REPO,
                             capture_output=True, text=True, timeout=60).stdout
        command = out[out.index("jupyter lab"):]
        assert ("--no-browser" not in command) == browser, (headless, command)
        assert "--ip=0.0.0.0" in command, (headless, command)


# ---------------------------------------------------------------- 9. the histogram

def test_the_histogram_counts_whole_submissions(course, monkeypatch):
    import matplotlib.pyplot as plt

    drawn = []
    close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig: (drawn.append(fig), close(fig)))
    report.histogram(course, A, [15.0, 55.0, 95.0])
    ticks = drawn[0].axes[0].get_yticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


# ---------------------------------------------------------------- 10. flag reasons in Chinese

def test_flag_reasons_speak_the_instructors_language_and_the_csv_stays_english(course, capsys, tmp_path):
    gc = integrity.DANGEROUS_MODULES["gc"]
    with i18n.speaking("zh"):
        chinese = i18n._(gc)
    assert chinese != gc
    code, out, _err = run(capsys, "report", "--course", course.root, "--lang", "zh")
    assert code == 0 and chinese in out and gc not in out
    run(capsys, "export", tmp_path / "g.csv", "--course", course.root, "--lang", "zh")
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8"))}
    assert gc in rows["amy"]["flag_reasons"] and chinese not in rows["amy"]["flag_reasons"]


# ---------------------------------------------------------------- feedback in the student's language
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feedback_summary_is_in_the_language_of_the_graded_notebook(tmp_path, lang):
    """The summary on top of a feedback page speaks the language the student wrote in (the notebook's
    metadata), whatever the instructor's own language is."""
    from autograder.i18n import _, using
    from autograder.pipeline.course import Course
    from autograder.pipeline.feedback import notebook_html
    from autograder.pipeline.results import Event, Result, TestResult

    course = Course(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.metadata["autograder"] = {"language": lang}
    path = course.autograded / "ana" / "01_leaf_tensors" / "01_leaf_tensors.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    result = Result("ana", "01_leaf_tensors", tests={"t_tests": TestResult("01_leaf_tensors", 1.0)},
                    events=[Event("01_leaf_tensors", "cell 3", "timeout", "ran past 30 s")], flag_reasons=["x"])
    page = notebook_html(course, result, "01_leaf_tensors")
    with using(lang):
        expected = _("This submission was flagged for review by your instructor.")
    assert expected in page
    assert ("反馈" in page) == (lang == "zh")
