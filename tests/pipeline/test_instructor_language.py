"""The instructor's commands print English, whatever the locale, unless given --lang zh (no kernels)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from autograder import i18n
from autograder.pipeline import cli, collect
from autograder.pipeline.course import open_course
from autograder.pipeline.demo import write_tiny_course
from autograder.pipeline.release import generate_release
from autograder.pipeline.results import Result
from autograder.pipeline.results import TestResult as Scored
from autograder.pipeline.ui import table, width

A = "00_demo"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A tiny course with one result on disk (as grade writes it), so that report has something to say."""
    root = write_tiny_course(tmp_path_factory.mktemp("course"))
    generate_release(root)
    course = open_course(root)
    result = Result("amy", A, tests={"ex0_1_tests": Scored(A, 2.0, 1.0, "failed", "expected 3, got 2")})
    result.flag("a hidden-test region was edited")
    folder = course.autograded / "amy" / A
    folder.mkdir(parents=True)
    (folder / "autograder.json").write_text(result.to_json())
    return root


def test_report_speaks_chinese_with_lang_zh_before_or_after_the_command(graded, capsys):
    for argv in (["report", "--course", str(graded), "--lang", "zh"],
                 ["--lang", "zh", "report", "--course", str(graded)]):
        assert cli.main(argv) == 0
        out = capsys.readouterr().out
        assert "已评分 1 份提交" in out and "标记待审：1" in out and "作业" in out, out
        assert "submissions graded" not in out
    assert i18n.language() == "en"  # the command's language ends with the command


def test_report_is_english_by_default_whatever_the_locale(graded, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    monkeypatch.setenv("COURSE_LANG", "zh")
    assert cli.main(["report", "--course", str(graded)]) == 0
    out = capsys.readouterr().out
    assert "1 submission graded" in out and "flagged for review: 1" in out
    assert not CHINESE.search(out), out
    assert cli.main(["report", "--course", str(graded), "--lang", "en"]) == 0
    assert not CHINESE.search(capsys.readouterr().out)


def test_the_command_line_is_english_under_a_chinese_locale(graded):
    env = dict(os.environ, LANG="zh_CN.UTF-8", LC_ALL="zh_CN.UTF-8", COURSE_LANG="zh")
    out = subprocess.run([sys.executable, "-m", "autograder", "report", "--course", str(graded)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 submission graded" in out.stdout and not CHINESE.search(out.stdout)


def test_errors_follow_the_language(tmp_path, capsys):
    assert cli.main(["report", "--course", str(tmp_path / "nope"), "--lang", "zh"]) == 2
    assert "错误：" in capsys.readouterr().err
    assert cli.main(["report", "--course", str(tmp_path / "nope")]) == 2
    assert "error: no course folder at" in capsys.readouterr().err


def test_an_unknown_language_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "--lang", "xx"])
    assert stop.value.code == 2
    assert "--lang: invalid choice: 'xx'" in capsys.readouterr().err


def test_every_command_documents_lang(capsys):
    for command in ("release", "collect", "grade", "feedback", "export", "report", "demo"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert "--lang {en,zh}" in capsys.readouterr().out, command


def test_collect_summary_translates_while_the_log_keeps_english():
    with i18n.speaking("zh"):
        report = collect.Report()
        report.skip("a.txt", i18n.N_("not a notebook (.ipynb), and {label} has a notebook in this export"),
                    label="ana/01_leaf_tensors")
        report.skip("b.ipynb", i18n.N_("refused: {size} MB, over the {limit} MB limit (--max-mb)"), size=70, limit=64)
        text = collect.summary(report)
    assert "已跳过 a.txt：不是笔记本（.ipynb），而且 ana/01_leaf_tensors" in text and "超过 64 MB 的上限" in text
    assert [s.reason for s in report.skipped] == [
        "not a notebook (.ipynb), and ana/01_leaf_tensors has a notebook in this export",
        "refused: 70 MB, over the 64 MB limit (--max-mb)"]
    report = collect.Report()
    report.skip("a.txt", i18n.N_("refused: {size} MB, over the {limit} MB limit (--max-mb)"), size=70, limit=64)
    assert "SKIPPED a.txt: refused: 70 MB, over the 64 MB limit (--max-mb)" in collect.summary(report)


def test_export_statuses_stay_english_in_the_csv_and_are_shown_translated():
    with i18n.speaking("zh"):
        assert cli._shown_status("graded (not on the roster)") == "已评分 （不在花名册上）"
        assert cli._shown_status("not submitted") == "未提交"
    assert cli._shown_status("invalid file") == "invalid file"


def test_tables_pad_chinese_as_double_width():
    lines = table([["学生甲", "1"], ["bob", "2"]], ["学生", "分"]).splitlines()
    assert width(lines[2][:lines[2].index("1")]) == width(lines[3][:lines[3].index("2")]) == len("bob") + 5
