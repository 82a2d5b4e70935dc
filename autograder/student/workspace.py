"""The student's working folder that `make lab` opens: one notebook per chapter, in the student's language.

`python -m autograder workspace [--lang zh|en] [--workspace DIR] [--course DIR]` brings the workspace
(default `workspace/`, ignored by git) up to date with the course, in one language, and never
overwrites a notebook the student has started:

- a chapter the workspace lacks is copied in (the course's release, in the workspace's language:
  ``autograder.languages.variant``);
- a chapter the course changed is copied over the student's notebook only if that notebook is
  still byte for byte what was copied before (the student has not saved anything in it);
  otherwise the new version is put beside it, as `<chapter>.new.ipynb`, with a message;
- the workspace remembers its language. Asked for the other language, it switches every chapter the
  student has not started, and puts the other language's version of each started chapter beside it
  (`<chapter>.zh.ipynb` or `<chapter>.en.ipynb`), with a message saying how to go on in it;
- anything else (the student's own files, chapters the course dropped) is left alone.

The language is `--lang`, else the one the workspace remembers, else the user's locale (`zh*`: Chinese).
A manifest (`.course-manifest.json` in the workspace) remembers the language and, per chapter, the
language and content of the version that was copied (to see that the course changed) and the bytes
that were written (to see that the student changed them).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

import nbformat

from .. import languages
from ..i18n import LANGUAGES, N_, _, set_language

MANIFEST = ".course-manifest.json"
ROOT = Path(__file__).resolve().parents[2]  # the course repository
LANGUAGE_NAMES = {"en": N_("English"), "zh": N_("Chinese")}


# ---------------------------------------------------------------------------------------- hashes
def content_hash(notebook: Path) -> str:
    """What the course says in a notebook: its cells' types, sources and grading metadata (not
    outputs, ids or checksums, which change when nothing the student sees changed). A file that is
    not a readable notebook gets a hash of its bytes, so it never matches a release."""
    try:
        return _cells_hash(json.loads(notebook.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "bytes:" + file_hash(notebook)


def _cells_hash(nb) -> str:
    cells = [(c["cell_type"], "".join(c["source"]),
              {k: v for k, v in c.get("metadata", {}).get("nbgrader", {}).items() if k != "checksum"})
             for c in nb["cells"]]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_version(path: Path, content: str, lang: str) -> bool:
    """Is the file at ``path`` this very version of a chapter (these cells, in this language)?"""
    if content_hash(path) != content:
        return False
    try:
        return languages.language_of(json.loads(path.read_text(encoding="utf-8"))) == lang
    except (OSError, ValueError, AttributeError):
        return False


# ------------------------------------------------------------------------------------- names
def offered_path(target: Path) -> Path:
    """Where a newer version of `target` is offered: `<chapter>.new.ipynb` beside it."""
    return target.with_name(target.stem + ".new.ipynb")


def language_path(target: Path, lang: str) -> Path:
    """Where the `lang` version of a chapter started in the other language is offered:
    `<chapter>.<lang>.ipynb` beside it."""
    return target.with_name(f"{target.stem}.{lang}.ipynb")


def _free_name(path: Path) -> Path:
    """`x.new.ipynb` (or `x.zh.ipynb`) is taken by something else: `x.new-2.ipynb`, `x.new-3.ipynb`, ..."""
    base = path.name[: -len(".ipynb")]
    n = 2
    while (candidate := path.with_name(f"{base}-{n}.ipynb")).exists():
        n += 1
    return candidate


# ------------------------------------------------------------------------------------ the manifest
def _read_manifest(workspace: Path) -> tuple[str | None, dict]:
    """(the workspace's language, {chapter: entry}); a manifest from before the course had two
    languages is a list of English chapters."""
    path = workspace / MANIFEST
    data = json.loads(path.read_text()) if path.is_file() else {}
    if isinstance(data.get("chapters"), dict):
        return data.get("language"), data["chapters"]
    return ("en" if data else None), data


def _write_manifest(workspace: Path, lang: str, chapters: dict) -> None:
    (workspace / MANIFEST).write_text(json.dumps({"language": lang, "chapters": chapters}, indent=1,
                                                 sort_keys=True) + "\n")


def workspace_language(workspace: Path) -> str | None:
    """The language a workspace was last brought up to date in (None: not a workspace yet)."""
    try:
        return _read_manifest(Path(workspace))[0]
    except (OSError, ValueError, AttributeError):
        return None


# ------------------------------------------------------------------------------------------ syncing
def student_version(released: Path, lang: str) -> nbformat.NotebookNode:
    """The notebook a student gets for a released chapter, in ``lang``: ``lang``'s own file of the release
    where there is one (``languages.variant_path``), else ``languages.variant`` of the bilingual one."""
    own = languages.variant_path(released, lang)
    return languages.variant(nbformat.read(own if own.is_file() else released, as_version=4), lang)


def _write(nb, path: Path) -> str:
    nbformat.write(nb, path)
    return file_hash(path)


def sync(workspace: Path, released: dict[str, Path], lang: str | None = None) -> list[str]:
    """Bring `workspace` up to date with the released notebooks {chapter: path}, in ``lang`` (default:
    the workspace's language, English for a new one); return one message per chapter that needed
    something (or that the student should know about)."""
    workspace.mkdir(parents=True, exist_ok=True)
    remembered, manifest = _read_manifest(workspace)
    lang = lang or remembered or "en"
    messages = []
    for chapter, source in sorted(released.items()):
        target = workspace / f"{chapter}.ipynb"
        entry = manifest.get(chapter, {})
        have = entry.get("language", "en")
        want = student_version(source, lang)
        content = _cells_hash(want)
        fresh = {"content": content, "language": lang}
        if not target.exists():
            manifest[chapter] = {**fresh, "file": _write(want, target)}
            messages.append((_("{name}: restored.") if entry else _("{name}: added.")).format(name=target.name))
        elif have == lang and entry.get("content") == content:
            pass  # the course did not change this chapter
        elif _is_version(target, content, lang):
            manifest[chapter] = {**fresh, "file": file_hash(target)}  # already this version
        elif entry.get("file") == file_hash(target):  # untouched by the student since we wrote it: safe
            manifest[chapter] = {**fresh, "file": _write(want, target)}
            messages.append((_("{name}: updated to the course's new version (you had not changed it).")
                             if have == lang else
                             _("{name}: now in {language} (you had not changed it).")).format(
                name=target.name, language=_(LANGUAGE_NAMES[lang])))
        elif (entry.get("offered"), entry.get("offered_language", "en")) != (content, lang):
            offered = offered_path(target) if have == lang else language_path(target, lang)
            if offered.exists() and not _is_version(offered, content, lang):
                offered = _free_name(offered)  # never over a file that is not this very version
            if not offered.exists():
                _write(want, offered)
            messages.append(_offer_message(target.name, offered.name, have, lang))
            manifest[chapter] = {**entry, "offered": content, "offered_language": lang}
    _write_manifest(workspace, lang, manifest)
    return messages


def _offer_message(name: str, offered: str, have: str, lang: str) -> str:
    if have == lang:
        return _("{name}: the course has a new version of this chapter. Your notebook is kept as it is; the new "
                 "version is {offered} beside it — copy your answers into it when you are ready.").format(
            name=name, offered=offered)
    return _("{name}: you have started this chapter in {old}, so your notebook is kept as it is. The {new} version "
             "is {offered} beside it: to go on in {new}, open it and copy your answers into it.").format(
        name=name, offered=offered, old=_(LANGUAGE_NAMES.get(have, have)), new=_(LANGUAGE_NAMES[lang]))


def released_chapters(course: Path, lang: str = "en") -> dict[str, Path]:
    """The released notebook of every chapter (``lang``'s own version where the release has one),
    generating the release where it is missing or older than its source (or than the course's
    nbgrader_config.py, which shapes every release)."""
    from ..pipeline import release

    config = course / "nbgrader_config.py"
    for chapter in release.chapters(course):
        released = release.released_notebook(course, chapter)
        inputs = [course / "source" / chapter / f"{chapter}.ipynb", *([config] if config.is_file() else [])]
        if not released.is_file() or released.stat().st_mtime < max(p.stat().st_mtime for p in inputs):
            release.generate_release(course, chapter)
    found = {}
    for chapter in release.chapters(course):
        released = release.released_notebook(course, chapter)
        own = languages.variant_path(released, lang)
        found[chapter] = own if own.is_file() else released
    return found


# ----------------------------------------------------------------------------------------- JupyterLab
def jupyter_config_path(lang: str) -> str:
    """JUPYTER_CONFIG_PATH for JupyterLab on a workspace in ``lang``: the student's role (its nbgrader
    tools), then ``lang``'s layer (JupyterLab's own menus in that language, as a default that the
    user's own JupyterLab settings still override)."""
    return os.pathsep.join(str(ROOT / "jupyter-config" / part) for part in ("student", f"lang/{lang}"))


# ------------------------------------------------------------------------------------------ command
def language_arg(value: str) -> str:
    if value.strip().lower()[:2] not in LANGUAGES:
        raise argparse.ArgumentTypeError(f"{value!r}: choose zh or en")
    return value.strip().lower()[:2]


def main(argv: list[str] | None = None) -> int:
    """Create or update the student workspace; print what changed. 0 on success, 1 with a message."""
    from ..pipeline import release

    parser = argparse.ArgumentParser(prog="python -m autograder workspace",
                                     description="Create or update your workspace with the course's "
                                                 "chapters, never overwriting a notebook you started.")
    parser.add_argument("--lang", type=language_arg, metavar="zh|en",
                        help="the language of the chapters (default: the workspace's, else your locale's)")
    parser.add_argument("--workspace", type=Path, default=ROOT / "workspace",
                        help="your working folder (default: workspace/ in the course repository)")
    parser.add_argument("--course", type=Path, default=ROOT / "course",
                        help="the course folder holding source/ (default: course/)")
    parser.add_argument("--show-language", action="store_true",
                        help="print the workspace's language (en or zh) and change nothing (make lab uses it)")
    args = parser.parse_args(argv)
    lang = args.lang or workspace_language(args.workspace) or languages.default_language()
    if args.show_language:
        print(lang)
        return 0
    set_language(lang)
    if not release.chapters(args.course):
        print(_("No chapters found in {folder}.").format(folder=f"{args.course / 'source'}/"))
        return 1
    try:
        released = released_chapters(args.course, lang)
        messages = sync(args.workspace, released, lang)
    except (release.ReleaseError, languages.LanguageError, languages.PairingError) as error:
        print(_("Could not prepare the student notebooks: {error}").format(error=error))
        return 1
    for message in messages:
        print(message)
    ready = (_("Workspace {folder}: 1 chapter ready, in {language}.") if len(released) == 1 else
             _("Workspace {folder}: {count} chapters ready, in {language}.")).format(
        folder=args.workspace, count=len(released), language=_(LANGUAGE_NAMES[lang]))
    print(ready if messages else f"{ready} {_('Nothing changed.')}")
    return 0
