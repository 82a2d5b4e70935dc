"""The workspace in the student's language: every chapter in it, remembered, and a change of language
that never overwrites a started notebook (the other language's version is offered beside it)."""
import copy
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder import languages
from autograder.i18n import _, using
from autograder.pipeline.release import generate_release, released_notebook
from autograder.student import workspace
from tiny_course import ROOT, chapter_notebook, make_course
from zh_catalog import is_chinese

CHAPTERS = ("01_tiny", "02_tiny")
ZH = {"autograder": {"lang": "zh"}}


def bilingual_chapter(title):
    """The tiny chapter with a Chinese twin after each English markdown cell."""
    nb = chapter_notebook(title=title)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(f"（中文）{cell.source}", metadata=copy.deepcopy(ZH)))
    nb.cells = cells
    return nb


def write_bilingual(course, name, title=None):
    path = course / "source" / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(bilingual_chapter(title or name), path)


@pytest.fixture(scope="module")
def released_bilingual(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("bilingual"), chapters=())
    for name in CHAPTERS:
        write_bilingual(course, name)
    generate_release(course)
    return course


@pytest.fixture
def course(released_bilingual, tmp_path):
    return shutil.copytree(released_bilingual, tmp_path / "course")


def _released(course):
    return {c: released_notebook(course, c) for c in CHAPTERS}


def _markdown(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def _start(path):
    """The student answers the exercise and saves."""
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.metadata.get("nbgrader",
                                               {}).get("solution")).source = "def double(x):\n    return x + x"
    nbformat.write(nb, path)
    return path.read_bytes()


def test_release_keeps_both_languages_and_the_workspace_gets_one(course, tmp_path):
    english = released_notebook(course, "01_tiny")
    chinese = languages.variant_path(english, "zh")
    assert (languages.language_of(nbformat.read(english, 4)), languages.language_of(nbformat.read(chinese, 4))) \
        == ("en", "zh")  # the release split by language, English in nbgrader's place

    ws = tmp_path / "ws"
    workspace.sync(ws, _released(course), "zh")
    for chapter in CHAPTERS:
        nb = nbformat.read(ws / f"{chapter}.ipynb", as_version=4)
        assert languages.language_of(nb) == "zh" and not any(languages.is_twin(c) for c in nb.cells)
        assert _markdown(ws / f"{chapter}.ipynb") == [f"（中文）# {chapter}", "（中文）Write `double(x)`."]
        assert "raise NotImplementedError()" in nb.cells[3].source  # the student version: no solution
    assert workspace.workspace_language(ws) == "zh"
    assert workspace.sync(ws, _released(course)) == []  # remembered: no language given, nothing to do


def test_nbgrader_validate_sees_no_changed_locked_cell_in_either_language(course, tmp_path):
    """The translated cells are locked cells: their checksums must match their Chinese text."""
    from nbgrader.validator import Validator

    ws = tmp_path / "ws"
    workspace.sync(ws, _released(course), "zh")
    _start(ws / "01_tiny.ipynb")
    result = Validator().validate(str(ws / "01_tiny.ipynb"))
    assert not result.get("changed") and not result.get("failed"), result


def test_switching_an_unstarted_workspace_rewrites_every_chapter(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(course), "en")
    assert _markdown(ws / "01_tiny.ipynb") == ["# 01_tiny", "Write `double(x)`."]

    with using("zh"):  # what `workspace --lang zh` does: it speaks the new language
        messages = workspace.sync(ws, _released(course), "zh")
        expected = [_("{name}: now in {language} (you had not changed it).").format(
            name=f"{c}.ipynb", language=_("Chinese")) for c in CHAPTERS]
    assert messages == expected
    assert _markdown(ws / "02_tiny.ipynb")[0] == "（中文）# 02_tiny"
    assert not list(ws.glob("*.zh.ipynb"))


def test_a_started_chapter_is_kept_and_the_other_language_offered_beside(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(course), "en")
    mine = _start(ws / "01_tiny.ipynb")

    messages = workspace.sync(ws, _released(course), "zh")

    assert (ws / "01_tiny.ipynb").read_bytes() == mine
    offered = ws / "01_tiny.zh.ipynb"
    assert _markdown(offered)[0] == "（中文）# 01_tiny" and languages.language_of(nbformat.read(offered, 4)) == "zh"
    assert len(messages) == 2 and "01_tiny.zh.ipynb" in messages[0] and "01_tiny.ipynb" in messages[0]
    assert _markdown(ws / "02_tiny.ipynb")[0] == "（中文）# 02_tiny"  # not started: switched
    assert workspace.workspace_language(ws) == "zh"
    # Offered once; the offered copy the student works in is never overwritten either.
    assert workspace.sync(ws, _released(course), "zh") == []
    assert workspace.sync(ws, _released(course), "en") == ["02_tiny.ipynb: now in English (you had not changed it)."]
    assert (ws / "01_tiny.ipynb").read_bytes() == mine and offered.is_file()


def test_a_changed_chapter_started_in_the_other_language_is_offered_in_the_new_one(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(course), "en")
    _start(ws / "01_tiny.ipynb")
    workspace.sync(ws, _released(course), "zh")
    (ws / "01_tiny.zh.ipynb").write_text("the student's notes")  # something else under the offered name
    write_bilingual(course, "01_tiny", title="01_tiny, revised")
    generate_release(course, "01_tiny")

    messages = workspace.sync(ws, _released(course), "zh")

    assert (ws / "01_tiny.zh.ipynb").read_text() == "the student's notes"
    assert _markdown(ws / "01_tiny.zh-2.ipynb")[0] == "（中文）# 01_tiny, revised"
    assert len(messages) == 1 and "01_tiny.zh-2.ipynb" in messages[0]


def test_a_manifest_from_before_two_languages_is_an_english_workspace(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(course), "en")
    manifest = json.loads((ws / workspace.MANIFEST).read_text())
    old = {chapter: {k: v for k, v in entry.items() if k != "language"} for chapter,
           entry in manifest["chapters"].items()}
    (ws / workspace.MANIFEST).write_text(json.dumps(old))
    assert workspace.workspace_language(ws) == "en"
    assert workspace.sync(ws, _released(course)) == []


def test_each_language_takes_its_own_file_of_the_release(course):
    for chapter in CHAPTERS:
        english = released_notebook(course, chapter)
        assert workspace.released_chapters(course, "zh")[chapter] == languages.variant_path(english, "zh")
        assert workspace.released_chapters(course, "en")[chapter] == english


@pytest.mark.usefixtures("zh_catalog")
def test_main_speaks_the_chosen_language_and_defaults_to_the_locale(course, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    assert workspace.main(["--course", str(course), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    with using("zh"):
        ready = _("Workspace {folder}: {count} chapters ready, in {language}.").format(
            folder=ws, count=2, language=_("Chinese"))
    assert out.splitlines()[-1] == ready and is_chinese(out)
    assert workspace.workspace_language(ws) == "zh"

    monkeypatch.setenv("LANG", "en_GB.UTF-8")  # the workspace remembers: still Chinese
    assert workspace.main(["--course", str(course), "--workspace", str(ws), "--show-language"]) == 0
    assert capsys.readouterr().out == "zh\n"
    assert workspace.main(["--course", str(course), "--workspace", str(ws), "--lang", "en"]) == 0
    assert "English" in capsys.readouterr().out.splitlines()[-1]
    with pytest.raises(SystemExit):
        workspace.main(["--workspace", str(ws), "--lang", "fr"])


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_lab_opens_jupyterlab_in_the_workspaces_language():
    """make lab passes COURSE_LANG on, then asks the workspace for its language and starts JupyterLab with
    that language's layer on the config path: the one jupyter_config_path() gives (the browser test's)."""
    def commands(*args):
        out = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
        return out.replace("\\\n", " ")

    lab = commands("lab", "COURSE_LANG=zh")
    assert "-m autograder workspace --lang zh\n" in lab
    assert "lang=$(" in lab and "-m autograder workspace --show-language)" in lab
    assert f"JUPYTER_CONFIG_PATH={workspace.jupyter_config_path('zh')} " in lab.replace("$lang", "zh")
    assert "--lang" not in commands("lab").split("--show-language")[0].splitlines()[-1]  # default: none given
    assert commands("progress", "COURSE_LANG=en").rstrip().endswith("-m autograder progress --lang en")


@pytest.mark.parametrize("lang, locale", [("zh", "zh_CN"), ("en", "en")])
def test_jupyterlab_interface_language_follows_the_workspace(lang, locale, tmp_path):
    """The settings JupyterLab reads (its own override mechanism) set its locale; the zh-CN language pack
    is installed for it to use."""
    read = ("import json\nfrom jupyterlab_server.settings_utils import _get_overrides\n"
            f"print(json.dumps(_get_overrides({str(tmp_path / 'no-app-settings')!r})[0]))")
    env = {"JUPYTER_CONFIG_PATH": workspace.jupyter_config_path(lang),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "empty-user-config"), "PATH": ""}
    out = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["@jupyterlab/translation-extension:plugin"]["locale"] == locale
    if lang == "zh":
        from jupyterlab_server.translation_utils import get_language_pack

        data, message = get_language_pack(locale)
        assert data and not message, f"the JupyterLab zh-CN language pack is not installed: {message}"
