"""A two-language course through the instructor's pipeline: the release writes one version per
language, and a submission in either language is rebuilt, graded and given feedback in its own
language, with the same grade_ids and points, through `python -m autograder grade` and through
`nbgrader autograde` (formgrader's path)."""
from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from autograder import cells
from autograder.languages import language_of
from autograder.pipeline.course import open_course
from autograder.pipeline.demo import student_notebook, write_tiny_course
from autograder.pipeline.grade import grade
from autograder.pipeline.release import ReleaseError, generate_release

from .test_pipeline import LIMITS, _nbgrader_autograde, submit

A = "00_demo"
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = "中文："  # how the test's Chinese twins start (the tiny course's own title is bilingual)
# What a student cell in the graded notebook prints: the language the grader's kernel speaks.
SAYS_LANGUAGE = "from autograder.i18n import language\nprint('kernel speaks', language())"


def make_bilingual(root):
    """The tiny course's source with a Chinese twin after every English markdown cell."""
    path = root / "source" / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        out.append(cell)
        if cell.cell_type == "markdown":
            out.append(nbformat.v4.new_markdown_cell(f"{ZH}第 {len(out)} 格",
                                                     metadata={"autograder": {"lang": "zh"}}))
    nb.cells = out
    nbformat.write(nb, path)
    return nb


def markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def verdicts(nb) -> str:
    """What the test cells show: the judge's verdicts (printed text, or the failure's message)."""
    return "".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells if cells.is_test(c)
                   for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = write_tiny_course(tmp_path_factory.mktemp("bilingual"))
    make_bilingual(root)
    generate_release(root)
    return open_course(root)


def test_release_writes_one_version_per_language(course):
    en = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    zh = nbformat.read(course.release / A / "zh" / f"{A}.ipynb", as_version=4)
    assert (language_of(en), language_of(zh)) == ("en", "zh")
    assert not any(ZH in text for text in markdown(en))
    assert markdown(zh) and all(text.startswith(ZH) for text in markdown(zh))
    assert [cells.grade_id(c) for c in en.cells] == [cells.grade_id(c) for c in zh.cells]
    assert [c.source for c in en.cells if c.cell_type == "code"] == [c.source for c in zh.cells
                                                                     if c.cell_type == "code"]


def test_release_names_the_cell_that_breaks_the_pairing(tmp_path):
    root = write_tiny_course(tmp_path / "broken")
    path = root / "source" / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("孤立的译文", metadata={"autograder": {"lang": "zh"}}))
    nbformat.write(nb, path)
    with pytest.raises(ReleaseError, match="cell 0.*no English cell before it"):
        generate_release(root)
    assert not (root / "release" / A).exists()  # nothing half-released


@pytest.mark.slow
def test_each_language_is_graded_and_answered_in_its_own_language(course, tmp_path):
    source = nbformat.read(course.source / A / f"{A}.ipynb", as_version=4)
    for lang, folder in (("en", course.release / A), ("zh", course.release / A / "zh")):
        release = nbformat.read(folder / f"{A}.ipynb", as_version=4)
        solved = nbformat.reads(student_notebook(source, release, {g: None for g in _answers(source)}), 4)
        solved.cells.append(nbformat.v4.new_code_cell(SAYS_LANGUAGE))
        submit(course, f"solved_{lang}", nbformat.writes(solved))
        submit(course, f"blank_{lang}", nbformat.writes(release))
    stock = tmp_path / "stock"
    shutil.copytree(course.root, stock)

    results = {r.student: r for r in grade(course, jobs=2, limits=LIMITS)}
    full = results["solved_en"].max_score
    assert {s: r.score for s, r in results.items()} == {"solved_en": full, "solved_zh": full,
                                                        "blank_en": 0, "blank_zh": 0}
    _assert_graded_in_own_language(course.root)

    _nbgrader_autograde(stock)
    with open_course(stock).gradebook() as gb:
        assert gb.find_submission(A, "solved_zh").score == full
        assert gb.find_submission(A, "blank_zh").score == 0
    _assert_graded_in_own_language(stock, kernel_output=False)


def _answers(source) -> list[str]:
    return [cells.grade_id(c) for c in source.cells if cells.is_answer(c)]


def _assert_graded_in_own_language(root, kernel_output=True):
    for lang in ("en", "zh"):
        solved = nbformat.read(root / "autograded" / f"solved_{lang}" / A / f"{A}.ipynb", as_version=4)
        blank = nbformat.read(root / "autograded" / f"blank_{lang}" / A / f"{A}.ipynb", as_version=4)
        for nb in (solved, blank):
            assert all((ZH in text) == (lang == "zh") for text in markdown(nb)), (lang, markdown(nb))
        assert bool(CJK.search(verdicts(blank))) == (lang == "zh"), verdicts(blank)
        if kernel_output:
            printed = "".join(o.get("text", "") for o in solved.cells[-1].get("outputs", []))
            assert f"kernel speaks {lang}" in printed
