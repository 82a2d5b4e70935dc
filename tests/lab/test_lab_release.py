"""autograder.release: nbgrader's student version, generated in-process."""
import nbformat
import pytest

from autograder.pipeline import release
from tiny_course import ROOT


def _assert_student_version(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, "solution markers left"
    assert "HIDDEN TESTS" not in text, "hidden tests left"
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code"), "outputs left"
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all("raise NotImplementedError()" in c.source for c in answers)
    return nb


def test_tiny_course_release_has_stubs_no_hidden_tests_no_outputs(released_tiny_course):
    course, written = released_tiny_course
    assert written == [course / "release" / c / f"{c}.ipynb" for c in ("01_tiny", "02_tiny")]
    nb = _assert_student_version(written[0])
    answer = next(c for c in nb.cells if c.metadata["nbgrader"].get("solution"))
    assert "return 2 * x" not in answer.source
    tests = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade"))
    assert "double(2) == 4" in tests.source and "-14" not in tests.source  # visible kept, hidden gone
    # Run All goes past the blank exercise: its answer and test cells may fail, and are tagged so.
    tagged = [c.metadata.nbgrader.grade_id for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])]
    assert tagged == ["ex1", "ex1_tests"]
    assert (course / "gradebook.db").is_file()  # the grading pipeline needs the assignment recorded


def test_one_chapter_only(tiny_course):
    (tiny_course / "release").rename(tiny_course / "old-release")
    assert release.generate_release(tiny_course, "02_tiny") == [release.released_notebook(tiny_course, "02_tiny")]
    assert not (tiny_course / "release" / "01_tiny").exists()


def test_unknown_chapter_is_a_clear_error(tiny_course):
    with pytest.raises(release.ReleaseError, match="no chapter '99_nope'.*01_tiny, 02_tiny"):
        release.generate_release(tiny_course, "99_nope")


REAL_CHAPTERS = release.chapters(ROOT / "course")


@pytest.mark.skipif(not REAL_CHAPTERS, reason="no chapter in course/source yet")
def test_every_real_chapter_releases_as_a_student_version(tmp_path):
    import shutil

    course = tmp_path / "course"
    shutil.copytree(ROOT / "course" / "source", course / "source")
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    written = release.generate_release(course)
    assert [p.parent.name for p in written] == REAL_CHAPTERS
    for path in written:
        _assert_student_version(path)
