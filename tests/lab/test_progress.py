"""autograder.progress: the table of exercises passed, in a notebook and for the whole workspace."""
import shutil
import sys

import pytest

from autograder.exercises import base
from autograder.exercises.expect import check
from autograder.exercises.values import encode
from autograder.kernel import progress
from autograder.student import progress as progress_cli
from tiny_course import ROOT


def _fake(exercise_id, name, points):
    """An exercise in the course's style: double(2) must be 4."""

    class Double(base.Exercise):
        chapter, id, names = "99_fake", exercise_id, (name,)
        visible = [dict(x=2)]

        def run(self, case, f):
            return {"result": encode(f(case["x"]))}

        def reference(self, case):
            return {"result": encode(2 * case["x"])}

        def compare(self, case, got, want):
            check(got["result"].value == want["result"].value,
                  f"double(2) should be 4, got {got['result'].value:g}\nmore detail")

    Double.points = points
    return Double()


FAKE = [_fake(f"ex9_{i}", name, points)
        for i, (name, points) in enumerate([("good", 1), ("wrong", 2), ("blank", 3), ("crashes", 1),
                                             ("exits", 1), ("missing", 2)], start=1)]


def _blank(x):
    raise NotImplementedError()


def _crashes(x):
    print("debug print to stderr", file=sys.stderr)
    return x + "oops"


NAMESPACE = {"good": lambda x: 2 * x, "wrong": lambda x: x + 3, "blank": _blank,
             "crashes": _crashes, "exits": lambda x: sys.exit(3)}


@pytest.fixture
def fake_registry(monkeypatch):
    import autograder.exercises as exercises

    monkeypatch.setattr(exercises, "of_chapter", lambda chapter=None: [e for e in FAKE if e.chapter == chapter])


@pytest.mark.usefixtures("fake_registry")
def test_results_classify_every_outcome():
    rows = {r.name: r for r in progress.results("99_fake", NAMESPACE)}
    assert rows["good"].status == progress.PASSED and rows["good"].earned == 1
    assert rows["wrong"].status == progress.FAILED and rows["wrong"].detail == "double(2) should be 4, got 5"
    assert rows["blank"].status == progress.NOT_ATTEMPTED  # NotImplementedError, even wrapped by the check
    assert rows["crashes"].status == progress.FAILED and "raised TypeError: " in rows["crashes"].detail
    assert rows["exits"].status == progress.FAILED and "raised SystemExit" in rows["exits"].detail
    assert rows["missing"].status == progress.NOT_ATTEMPTED


@pytest.mark.usefixtures("fake_registry")
def test_show_prints_one_table_on_stdout_only_and_never_raises(capsys):
    assert progress.show("99_fake", NAMESPACE) is None
    out = capsys.readouterr()
    assert out.err == ""
    lines = out.out.splitlines()
    assert "99_fake" in lines[0] and lines[1].split() == ["Exercise", "Function", "Points", "Result"]
    assert lines[2].split()[:6] == ["ex9_1", "good", "1", "/", "1", "✓"]
    assert "✗ failed: double(2) should be 4, got 5" in lines[3] and "more detail" not in out.out
    assert "· not attempted" in lines[4] and "· not attempted" in lines[7]
    assert lines[-1].split()[:4] == ["Total", "1", "/", "10"] and "1 of 6 exercises" in lines[-1]
    assert "✓ all visible checks passed" not in out.out  # the checks' own output stays hidden


def test_show_without_exercises_or_with_a_broken_registry(monkeypatch, capsys):
    progress.show("no_such_chapter", {})
    assert "no graded exercises" in capsys.readouterr().out
    import autograder.exercises as exercises

    monkeypatch.setattr(exercises, "of_chapter", lambda chapter=None: 1 / 0)
    progress.show("99_fake", {})
    out = capsys.readouterr()
    assert out.err == "" and "unavailable (ZeroDivisionError" in out.out


def test_cli_without_a_workspace_says_what_to_do(tmp_path, capsys):
    assert progress_cli.main(["--workspace", str(tmp_path / "nothing")]) == 1
    assert "make lab" in capsys.readouterr().out


def test_chapter_of_skips_offered_copies(tmp_path):
    assert progress_cli.chapter_of(tmp_path / "01_leaf_tensors.ipynb") == "01_leaf_tensors"
    assert progress_cli.chapter_of(tmp_path / "01_leaf_tensors.new.ipynb") is None


def _first_real_chapter():
    from autograder.pipeline.release import chapters

    from autograder.exercises import of_chapter

    return next((c for c in chapters(ROOT / "course") if of_chapter(c)), None)


CHAPTER = _first_real_chapter()


@pytest.mark.slow
@pytest.mark.skipif(CHAPTER is None, reason="no chapter with exercises in course/source yet")
def test_cli_runs_each_workspace_notebook_and_totals(tmp_path, capsys):
    """A chapter with its solutions passes every exercise; its blank student version passes none."""
    from autograder.pipeline.release import generate_release

    source = ROOT / "course" / "source" / CHAPTER / f"{CHAPTER}.ipynb"
    course = tmp_path / "course"
    shutil.copytree(source.parent, course / "source" / CHAPTER)
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    (blank,) = generate_release(course, CHAPTER)
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(source, ws / f"{CHAPTER}.ipynb")
    (ws / f"{CHAPTER}.new.ipynb").write_text("not a chapter: skipped")
    from autograder.exercises import of_chapter

    exercises = of_chapter(CHAPTER)
    total = sum(e.points for e in exercises)

    assert progress_cli.main(["--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert f"{len(exercises)} of {len(exercises)} exercises" in out, out
    assert f"All chapters: {total} / {total} points" in out

    shutil.copy(blank, ws / f"{CHAPTER}.ipynb")
    assert progress_cli.main(["--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert out.count("· not attempted") == len(exercises) and f"All chapters: 0 / {total} points" in out, out
