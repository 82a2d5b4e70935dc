"""One source, two student versions: autograder.languages builds each language's notebook and refuses a
source whose languages are not paired cell by cell (naming the cell).

Synthetic bilingual notebooks test the rules; the course's chapters are checked too: each pairs its
languages (a chapter with no Chinese cell yet is reported as not translated, not as broken), and its
two versions keep the same grade_ids, points, code and test cells.
"""
import copy

import nbformat
import pytest
from nbgrader.utils import compute_checksum

import harness
from autograder import languages
from autograder.languages import LanguageError, PairingError, check_pairs, variant

ZH = {"autograder": {"lang": "zh"}}


def _grading(grade_id, **kw):
    meta = {"grade": False, "solution": False, "locked": True, "task": False, "grade_id": grade_id,
            "schema_version": 3, **kw}
    return {"nbgrader": meta}


def _locked_markdown(grade_id, text):
    cell = nbformat.v4.new_markdown_cell(text, metadata=_grading(grade_id))
    cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    return cell


def bilingual():
    """Title, code, statement with an image attachment, answer, test: English and Chinese prose."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    statement = nbformat.v4.new_markdown_cell("Write `double(x)`. ![d](attachment:d.png)",
                                              metadata=_grading("statement"))
    statement.attachments = {"d.png": {"image/png": "ZW4="}}
    statement_zh = nbformat.v4.new_markdown_cell("写出 `double(x)`。![d](attachment:d.png)", metadata=copy.deepcopy(ZH))
    statement_zh.attachments = {"d.png": {"image/png": "emg="}}
    nb.cells = [
        _locked_markdown("title", "# Doubling"),
        nbformat.v4.new_markdown_cell("# 加倍", metadata=copy.deepcopy(ZH)),
        nbformat.v4.new_code_cell("x = 21  # shared by both languages", metadata=_grading("setup")),
        statement, statement_zh,
        nbformat.v4.new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                                  metadata=_grading("ex1", solution=True, locked=False)),
        nbformat.v4.new_code_cell("assert double(2) == 4", metadata=_grading("ex1_tests", grade=True, points=2)),
        nbformat.v4.new_markdown_cell("A note without nbgrader metadata."),
        nbformat.v4.new_markdown_cell("一条没有 nbgrader 元数据的说明。", metadata=copy.deepcopy(ZH)),
    ]
    return nb


# ------------------------------------------------------------------------------------------ variants
def test_zh_variant_takes_each_twins_text_in_the_english_cells_place():
    nb = bilingual()
    before = copy.deepcopy(nb)
    zh = variant(nb, "zh")
    assert nb == before  # the source is not touched
    assert [c.source for c in zh.cells if c.cell_type == "markdown"] == [
        "# 加倍", "写出 `double(x)`。![d](attachment:d.png)", "一条没有 nbgrader 元数据的说明。"]
    assert zh.metadata.autograder.language == "zh" and languages.language_of(zh) == "zh"
    assert zh.metadata.kernelspec == nb.metadata.kernelspec
    assert zh.cells[2].attachments["d.png"]["image/png"] == "emg="  # the translation's own picture
    assert not any(languages.is_twin(c) for c in zh.cells)


def test_en_variant_drops_the_twins_and_both_keep_grading_and_code_identical():
    nb = bilingual()
    en, zh = variant(nb, "en"), variant(nb, "zh")
    english = [c for c in nb.cells if not languages.is_twin(c)]
    assert [c.source for c in en.cells] == [c.source for c in english]
    assert en.metadata.autograder.language == "en"
    for a, b, source in zip(en.cells, zh.cells, english, strict=True):
        assert a.cell_type == b.cell_type == source.cell_type
        assert a.id == b.id == source.id  # the same cells, so the same assignment
        grading = {k: v for k, v in source.metadata.get("nbgrader", {}).items() if k != "checksum"}
        assert {k: v for k, v in b.metadata.get("nbgrader", {}).items() if k != "checksum"} == grading
        if a.cell_type == "code":
            assert a.source == b.source == source.source


def test_locked_translated_cells_get_their_checksum_recomputed():
    """nbgrader's Validate compares a locked cell with its checksum: the zh text must not look changed."""
    zh = variant(bilingual(), "zh")
    title = zh.cells[0]
    assert title.metadata.nbgrader.checksum == compute_checksum(title)
    assert title.metadata.nbgrader.checksum != bilingual().cells[0].metadata.nbgrader.checksum


def test_untranslated_chapter_gives_its_english_text_in_both_languages():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Only English"),
                                         nbformat.v4.new_code_cell("1")])
    assert [c.source for c in variant(nb, "zh").cells] == ["# Only English", "1"]
    assert languages.language_of(variant(nb, "zh")) == "zh"


def test_a_single_language_version_is_not_turned_into_the_other():
    zh = variant(bilingual(), "zh")
    assert variant(zh, "zh") == zh
    with pytest.raises(LanguageError, match="already the zh version"):
        variant(zh, "en")
    with pytest.raises(LanguageError, match="unknown language 'fr'"):
        variant(bilingual(), "fr")


def test_language_of_a_notebook_that_says_nothing_is_english():
    assert languages.language_of(nbformat.v4.new_notebook()) == "en"
    assert languages.language_of({"metadata": {"autograder": {"language": "zh_CN"}}}) == "zh"


# ------------------------------------------------------------------------------------------- pairing
def _problems(nb, **kw):
    with pytest.raises(PairingError) as error:
        check_pairs(nb, **kw)
    assert str(error.value).count("\n  - ") == len(error.value.problems)
    return error.value.problems


def test_a_complete_source_passes():
    check_pairs(bilingual())


def test_english_cell_without_its_translation_is_named():
    nb = bilingual()
    del nb.cells[4]  # the statement's translation
    (problem,) = _problems(nb)
    assert problem.startswith("cell 3 (statement) «Write `double(x)`.") and "without its zh translation" in problem
    check_pairs(nb, complete=False)  # allowed while a chapter is being translated
    assert variant(nb, "zh").cells[2].source.startswith("Write")


@pytest.mark.parametrize("break_it, expected", [
    (lambda nb: nb.cells.insert(2, nbformat.v4.new_markdown_cell("# 又一个标题", metadata=copy.deepcopy(ZH))),
     "cell 2 «# 又一个标题»: a second zh translation of cell 0 (title) «# Doubling»"),
    (lambda nb: nb.cells.insert(0, nbformat.v4.new_markdown_cell("# 开头", metadata=copy.deepcopy(ZH))),
     "cell 0 «# 开头»: a zh translation with no English cell before it"),
    (lambda nb: nb.cells.insert(3, nbformat.v4.new_markdown_cell("# 代码之后", metadata=copy.deepcopy(ZH))),
     "cell 3 «# 代码之后»: a zh translation after cell 2 (setup) «x = 21  # shared by both languages», a code cell"),
    (lambda nb: nb.cells[1].metadata.update(_grading("title_zh")),
     "cell 1 (title_zh) «# 加倍»: a zh translation with nbgrader metadata"),
    (lambda nb: nb.cells.insert(3, nbformat.v4.new_code_cell("y = 1", metadata=copy.deepcopy(ZH))),
     "cell 3 «y = 1»: a code cell tagged 'zh': code cells are shared"),
    (lambda nb: nb.cells[1].metadata.autograder.update(lang="fr"),
     "cell 1 «# 加倍»: unknown language tag 'fr'"),
])
def test_misplaced_translations_are_named_even_while_translating(break_it, expected):
    nb = bilingual()
    break_it(nb)
    problems = _problems(nb, complete=False)
    assert any(p.startswith(expected) for p in problems), problems
    with pytest.raises(PairingError):
        variant(nb, "zh")


# ---------------------------------------------------------------------------------- the course itself
@pytest.mark.parametrize("chapter", harness.chapters())
def test_each_chapter_pairs_its_languages(chapter):
    nb = harness.read(chapter)
    check_pairs(nb, complete=False)  # whatever is translated stands where it belongs
    if not any(languages.is_twin(c) for c in nb.cells):
        pytest.skip(f"{chapter} has no Chinese cells yet")
    check_pairs(nb)


@pytest.mark.parametrize("chapter", harness.chapters())
def test_each_chapters_two_versions_are_one_assignment(chapter):
    nb = harness.read(chapter)
    en, zh = variant(nb, "en"), variant(nb, "zh")
    ids = [harness.grade_id(c) for c in en.cells]
    assert ids == [harness.grade_id(c) for c in zh.cells]
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (en, zh)]
    assert code[0] == code[1]
    assert [c.metadata.get("nbgrader") for c in en.cells if c.cell_type == "code"] == \
        [c.metadata.get("nbgrader") for c in zh.cells if c.cell_type == "code"]


# ------------------------------------------------------------------------- release and grading helpers
def test_write_variants_splits_a_bilingual_release(tmp_path):
    released = tmp_path / "release" / "01_tiny" / "01_tiny.ipynb"
    released.parent.mkdir(parents=True)
    nb = bilingual()
    nbformat.write(nb, released)

    written = languages.write_variants(released)

    zh_path = tmp_path / "release" / "01_tiny" / "zh" / "01_tiny.ipynb"
    assert written == [zh_path, released] and languages.variant_path(released, "zh") == zh_path
    assert nbformat.read(released, 4) == variant(nb, "en")
    assert nbformat.read(zh_path, 4) == variant(nb, "zh")
    assert languages.write_variants(released) == []  # already split: nothing to do


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_submission_is_graded_against_the_source_in_its_own_language(lang):
    nb = bilingual()
    submission = variant(nb, lang)
    assert languages.source_for(submission, nb) == variant(nb, lang)
    assert languages.source_for(nbformat.v4.new_notebook(), nb) == variant(nb, "en")
