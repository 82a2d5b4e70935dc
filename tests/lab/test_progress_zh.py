"""The progress table and the student's progress command in Chinese: translated words, aligned columns."""
import pytest
import unicodedata

from autograder.i18n import _, using
from autograder.kernel import progress
from autograder.kernel.progress import Row
from autograder.student import progress as progress_cli
from zh_catalog import is_chinese

ROWS = [Row("ex1_1", "reverse_topological_order", 2, progress.PASSED),
        Row("ex1_2", "叶子节点", 1, progress.FAILED, "形状不对"),
        Row("ex1_3", "leaf_tensors", 1, progress.NOT_ATTEMPTED)]


def _columns(text):
    """Display columns of `text` (a CJK character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@pytest.mark.usefixtures("zh_catalog")
def test_table_speaks_chinese_and_keeps_its_columns_aligned():
    with using("zh"):
        text = progress.table("01_leaf_tensors", ROWS)
        title = _("Progress — {chapter} (visible checks; hidden tests run when your work is graded)").format(
            chapter="01_leaf_tensors")
        words = [_(w) for w in ("passed", "failed", "not attempted", "Total")]
    lines = text.splitlines()
    assert lines[0] == title and is_chinese(text)
    assert all(word in text for word in words)
    assert "✗ " + words[1] in lines[3] and "形状不对" in lines[3]
    # Every row's points end in the same display column, whatever the width of the names before them.
    ends = [_columns(line[: line.index(" / ") + len(" / ") + len(str(points))])
            for line, points in zip(lines[2:], [2, 1, 1, 4])]
    assert len(set(ends)) == 1, "\n" + text


@pytest.mark.usefixtures("zh_catalog")
def test_english_table_is_unchanged_by_the_catalog():
    text = progress.table("01_leaf_tensors", ROWS)
    assert not is_chinese(text.replace("叶子节点", "").replace("形状不对", ""))
    assert text.splitlines()[1].split() == ["Exercise", "Function", "Points", "Result"]


@pytest.mark.usefixtures("zh_catalog")
def test_progress_command_speaks_the_chosen_language(tmp_path, capsys):
    assert progress_cli.main(["--workspace", str(tmp_path), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    with using("zh"):
        expected = _("No chapter notebooks in {folder} — run `make lab` (or `python -m autograder workspace`) "
                     "first.").format(folder=f"{tmp_path}/")
    assert out.strip() == expected and is_chinese(out)
