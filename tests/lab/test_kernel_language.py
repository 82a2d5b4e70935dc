"""A notebook's kernel speaks the notebook's language: a wrong answer in a zh notebook gets a Chinese hint.

Each test runs a small notebook (the demo course's first exercise, answered wrongly) in a real kernel,
started as JupyterLab starts one (the notebook's path in JPY_SESSION_NAME) or with COURSE_LANG set as
`make lab COURSE_LANG=zh` sets it, and compares the hint the kernel shows with the one the catalog gives
in this process.
"""
import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import languages
from autograder.exercises.demo import check_ex0_1
from autograder.exercises.expect import CheckFailed
from autograder.i18n import _, using
from zh_catalog import is_chinese

pytestmark = pytest.mark.slow

WRONG = "def grad_of_square(x):\n    return x  # forgot the 2"


def _bilingual_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Squares"),
        nbformat.v4.new_markdown_cell("# 平方", metadata={"autograder": {"lang": "zh"}}),
        nbformat.v4.new_code_cell(WRONG),
        nbformat.v4.new_code_cell("from autograder.exercises.demo import check_ex0_1\ncheck_ex0_1(grad_of_square)"),
    ]
    return nb


def _expected_hint(lang):
    """What the visible check says about the wrong answer in `lang`, computed here."""
    namespace = {}
    exec(WRONG, namespace)
    with using(lang), pytest.raises(CheckFailed) as failure:
        check_ex0_1(namespace["grad_of_square"])
    return str(failure.value)


def _run(nb, folder, *, session=True, **env):
    """Run `nb` (saved in `folder`) in a fresh kernel; {cell index: (text, error value)}."""
    path = folder / "chapter.ipynb"
    nbformat.write(nb, path)
    kernel_env = {k: v for k, v in os.environ.items() if k not in ("COURSE_LANG", "JPY_SESSION_NAME")}
    kernel_env.update(env)
    if session:
        kernel_env["JPY_SESSION_NAME"] = str(path)
    kernel_env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + kernel_env.get("PATH", "")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=kernel_env)
    return {i: ("".join(o.get("text", "") for o in c.get("outputs", [])),
                next((o["evalue"] for o in c.get("outputs", []) if o["output_type"] == "error"), None))
            for i, c in enumerate(nb.cells)}


@pytest.mark.usefixtures("zh_catalog")
def test_zh_notebook_gets_a_chinese_hint_even_before_the_environment_cell(tmp_path):
    nb = languages.variant(_bilingual_notebook(), "zh")
    out = _run(nb, tmp_path)
    hint = out[2][1]
    assert hint == _expected_hint("zh") and is_chinese(hint), hint
    assert hint != _expected_hint("en")


@pytest.mark.usefixtures("zh_catalog")
def test_the_notebooks_language_speaks_over_course_lang(tmp_path):
    """The checks speak the notebook's language: an English chapter kept beside its Chinese copy in a
    `make lab COURSE_LANG=zh` workspace stays English; a kernel that does not know its notebook follows
    COURSE_LANG."""
    nb = languages.variant(_bilingual_notebook(), "en")
    assert _run(nb, tmp_path, COURSE_LANG="zh")[2][1] == _expected_hint("en")
    assert _run(nb, tmp_path, session=False, COURSE_LANG="zh")[2][1] == _expected_hint("zh")


@pytest.mark.usefixtures("zh_catalog")
def test_en_notebook_stays_english_on_a_chinese_machine(tmp_path):
    """The notebook's own language comes before the locale: LANG=zh_CN does not change an en notebook."""
    nb = languages.variant(_bilingual_notebook(), "en")
    nb.cells.insert(1, nbformat.v4.new_code_cell("import autograder\nautograder.check_environment()"))
    out = _run(nb, tmp_path, LANG="zh_CN.UTF-8", LANGUAGE="zh_CN")
    assert out[3][1] == _expected_hint("en") and not is_chinese(out[3][1])
    assert out[1][0].startswith("✓ Environment ready"), out[1][0]


@pytest.mark.usefixtures("zh_catalog")
def test_environment_cell_speaks_chinese_and_fixes_the_kernels_language(tmp_path):
    """Without a session (a kernel that does not know its notebook), the first cell reads COURSE_LANG and
    the later cells keep its language; the progress table speaks it too."""
    nb = languages.variant(_bilingual_notebook(), "zh")
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        "import os, autograder\nos.environ['COURSE_LANG'] = 'zh'\nautograder.check_environment()\n"
        "del os.environ['COURSE_LANG']"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "from autograder.kernel import progress\nprogress.show('00_demo', globals())"))
    out = _run(nb, tmp_path, session=False)
    environment_line = out[1][0]
    with using("zh"):
        ready = _("Environment ready: torch {version}, minigrad, graphviz and `dot` found; device: "
                  "{device}.").split("{version}")[0]
        table_title = _("Progress — {chapter} (visible checks; hidden tests run when your work is "
                        "graded)").format(chapter="00_demo")
    assert environment_line.startswith("✓ " + ready) and is_chinese(environment_line), environment_line
    assert out[3][1] == _expected_hint("zh")
    assert out[4][0].splitlines()[0] == table_title
