"""The student workspace: chapters are added, updated only when untouched, and never overwritten."""
import json
import os
import shutil

import nbformat

from autograder.student import workspace
from autograder.pipeline.release import released_notebook
from tiny_course import write_chapter


def _released(course):
    return {c: released_notebook(course, c) for c in ("01_tiny", "02_tiny")}


def _student_bytes(course, chapter, lang="en", tmp=None):
    """The bytes the workspace writes for `chapter`: its release, in `lang` (languages.variant)."""
    path = (tmp or released_notebook(course, chapter).parent) / f"expected-{lang}.ipynb"
    nbformat.write(workspace.student_version(released_notebook(course, chapter), lang), path)
    return path.read_bytes()


def _student_edits(path, answer="    return x + x"):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    cell.source = "def double(x):\n" + answer
    nbformat.write(nb, path)
    return path.read_bytes()


def _course_changes(course, chapter):
    """The instructor edits a chapter (new intro text) and releases it again."""
    from autograder.pipeline.release import generate_release

    write_chapter(course, chapter, title=f"{chapter}, revised")
    generate_release(course, chapter)


def test_first_run_adds_every_chapter_with_its_release(tiny_course, tmp_path):
    ws = tmp_path / "ws"
    messages = workspace.sync(ws, _released(tiny_course))
    assert sorted(p.name for p in ws.glob("*.ipynb")) == ["01_tiny.ipynb", "02_tiny.ipynb"]
    assert (ws / "01_tiny.ipynb").read_bytes() == _student_bytes(tiny_course, "01_tiny", tmp=tmp_path)
    assert len(messages) == 2 and all("added" in m for m in messages)
    assert workspace.sync(ws, _released(tiny_course)) == []  # second run: nothing to do


def test_started_notebook_is_never_overwritten_new_version_offered_beside(tiny_course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(tiny_course))
    mine = _student_edits(ws / "01_tiny.ipynb")
    _course_changes(tiny_course, "01_tiny")

    messages = workspace.sync(ws, _released(tiny_course))

    assert (ws / "01_tiny.ipynb").read_bytes() == mine
    offered = ws / "01_tiny.new.ipynb"
    assert offered.read_bytes() == _student_bytes(tiny_course, "01_tiny", tmp=tmp_path)
    assert len(messages) == 1 and "01_tiny.new.ipynb" in messages[0] and "kept" in messages[0]
    # Offered once: running again neither repeats the message nor touches either file.
    assert workspace.sync(ws, _released(tiny_course)) == []
    assert (ws / "01_tiny.ipynb").read_bytes() == mine


def test_offered_copy_the_student_started_is_not_overwritten_either(tiny_course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(tiny_course))
    _student_edits(ws / "01_tiny.ipynb")
    (ws / "01_tiny.new.ipynb").write_text("my own notes, not a notebook")
    _course_changes(tiny_course, "01_tiny")

    messages = workspace.sync(ws, _released(tiny_course))

    assert (ws / "01_tiny.new.ipynb").read_text() == "my own notes, not a notebook"
    assert (ws / "01_tiny.new-2.ipynb").is_file() and "01_tiny.new-2.ipynb" in messages[0]


def test_untouched_notebook_is_updated_in_place(tiny_course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(ws, _released(tiny_course))
    _course_changes(tiny_course, "02_tiny")

    messages = workspace.sync(ws, _released(tiny_course))

    assert (ws / "02_tiny.ipynb").read_bytes() == _student_bytes(tiny_course, "02_tiny", tmp=tmp_path)
    assert not (ws / "02_tiny.new.ipynb").exists()
    assert messages == ["02_tiny.ipynb: updated to the course's new version (you had not changed it)."]


def test_rereleasing_an_unchanged_course_changes_nothing(tiny_course, tmp_path):
    from autograder.pipeline.release import generate_release

    ws = tmp_path / "ws"
    workspace.sync(ws, _released(tiny_course))
    _student_edits(ws / "01_tiny.ipynb")
    generate_release(tiny_course)  # same sources, regenerated files
    assert workspace.sync(ws, _released(tiny_course)) == []
    assert not list(ws.glob("*.new*.ipynb"))


def test_without_a_manifest_a_different_notebook_is_treated_as_the_students(tiny_course, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "02_tiny.ipynb").write_bytes(_student_bytes(tiny_course, "02_tiny", tmp=tmp_path))  # same: adopted
    (ws / "01_tiny.ipynb").write_text("{}")  # something else under the chapter's name: kept

    workspace.sync(ws, _released(tiny_course))

    assert (ws / "01_tiny.ipynb").read_text() == "{}"
    assert (ws / "01_tiny.new.ipynb").is_file() and not (ws / "02_tiny.new.ipynb").exists()
    assert set(json.loads((ws / workspace.MANIFEST).read_text())["chapters"]) == {"01_tiny", "02_tiny"}


def test_main_releases_what_is_missing_or_stale_then_fills_the_workspace(tiny_course, tmp_path, capsys):
    shutil.rmtree(tiny_course / "release" / "02_tiny")
    stale = released_notebook(tiny_course, "01_tiny")
    os.utime(stale, (0, 0))  # older than its source: must be generated again

    code = workspace.main(["--course", str(tiny_course), "--workspace", str(tmp_path / "ws")])

    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert released_notebook(tiny_course, "02_tiny").is_file() and stale.stat().st_mtime > 0
    assert "2 chapters ready" in out.out
    assert {p.name for p in (tmp_path / "ws").glob("*.ipynb")} == {"01_tiny.ipynb", "02_tiny.ipynb"}


def test_main_without_chapters_says_so(tmp_path, capsys):
    code = workspace.main(["--course", str(tmp_path), "--workspace", str(tmp_path / "ws")])
    assert code == 1 and "No chapters" in capsys.readouterr().out
