"""The student's working folder that `make lab` opens: one released notebook per chapter.

`python -m autograder workspace [--workspace DIR] [--course DIR]` brings the workspace (default
`workspace/`, ignored by git) up to date with the course, and never overwrites a notebook the
student has started:

- a chapter the workspace lacks is copied in;
- a chapter the course changed is copied over the student's notebook only if that notebook is
  still byte for byte what was copied before (the student has not saved anything in it);
  otherwise the new version is put beside it, as `<chapter>.new.ipynb`, with a message;
- anything else (the student's own files, chapters the course dropped) is left alone.

A manifest (`.course-manifest.json` in the workspace) remembers, per chapter, the content of the
release that was copied (to see that the course changed) and the bytes that were written (to see
that the student changed them).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

from ..pipeline import release

MANIFEST = ".course-manifest.json"
ROOT = Path(__file__).resolve().parents[2]  # the course repository


def content_hash(notebook: Path) -> str:
    """What the course says in a notebook: its cells' types, sources and grading metadata (not
    outputs, ids or checksums, which change when nothing the student sees changed). A file that is
    not a readable notebook gets a hash of its bytes, so it never matches a release."""
    try:
        cells = [(c["cell_type"], "".join(c["source"]),
                  {k: v for k, v in c.get("metadata", {}).get("nbgrader", {}).items() if k != "checksum"})
                 for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        return "bytes:" + file_hash(notebook)
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def offered_path(target: Path) -> Path:
    """Where a newer version of `target` is offered: `<chapter>.new.ipynb` beside it."""
    return target.with_name(target.stem + ".new.ipynb")


def sync(workspace: Path, released: dict[str, Path]) -> list[str]:
    """Bring `workspace` up to date with the released notebooks {chapter: path}; return one message
    per chapter that needed something (or that the student should know about)."""
    workspace.mkdir(parents=True, exist_ok=True)
    manifest_path = workspace / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    messages = []
    for chapter, source in sorted(released.items()):
        target = workspace / f"{chapter}.ipynb"
        entry = manifest.get(chapter, {})
        content = content_hash(source)
        if not target.exists():
            shutil.copyfile(source, target)
            messages.append(f"{target.name}: {'restored' if entry else 'added'}.")
            manifest[chapter] = {"content": content, "file": file_hash(target)}
        elif entry.get("content") == content:
            pass  # the course did not change this chapter
        elif content_hash(target) == content:
            manifest[chapter] = {"content": content, "file": file_hash(target)}  # already this version
        elif entry.get("file") == file_hash(target):
            shutil.copyfile(source, target)  # untouched by the student since we copied it: safe to replace
            messages.append(f"{target.name}: updated to the course's new version (you had not changed it).")
            manifest[chapter] = {"content": content, "file": file_hash(target)}
        elif entry.get("offered") != content:
            offered = offered_path(target)
            if offered.exists() and content_hash(offered) != content:
                offered = _free_name(offered)  # never over a file that is not this very version
            if not offered.exists():
                shutil.copyfile(source, offered)
            messages.append(f"{target.name}: the course has a new version of this chapter. Your notebook is "
                            f"kept as it is; the new version is {offered.name} beside it — copy your "
                            f"answers into it when you are ready.")
            manifest[chapter] = {**entry, "offered": content}
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return messages


def _free_name(path: Path) -> Path:
    """`x.new.ipynb` is taken by something else: `x.new-2.ipynb`, `x.new-3.ipynb`, ..."""
    base = path.name[: -len(".new.ipynb")]
    n = 2
    while (candidate := path.with_name(f"{base}.new-{n}.ipynb")).exists():
        n += 1
    return candidate


def released_chapters(course: Path) -> dict[str, Path]:
    """The released notebook of every chapter, generating those missing or older than their source
    (or than the course's nbgrader_config.py, which shapes every release)."""
    config = course / "nbgrader_config.py"
    for chapter in release.chapters(course):
        released = release.released_notebook(course, chapter)
        inputs = [course / "source" / chapter / f"{chapter}.ipynb", *([config] if config.is_file() else [])]
        if not released.is_file() or released.stat().st_mtime < max(p.stat().st_mtime for p in inputs):
            release.generate_release(course, chapter)
    return {c: release.released_notebook(course, c) for c in release.chapters(course)}


def main(argv: list[str] | None = None) -> int:
    """Create or update the student workspace; print what changed. 0 on success, 1 with a message."""
    parser = argparse.ArgumentParser(prog="python -m autograder workspace",
                                     description="Create or update your workspace with the course's "
                                                 "chapters, never overwriting a notebook you started.")
    parser.add_argument("--workspace", type=Path, default=ROOT / "workspace",
                        help="your working folder (default: workspace/ in the course repository)")
    parser.add_argument("--course", type=Path, default=ROOT / "course",
                        help="the course folder holding source/ (default: course/)")
    args = parser.parse_args(argv)
    if not release.chapters(args.course):
        print(f"No chapters found in {args.course / 'source'}/.")
        return 1
    try:
        released = released_chapters(args.course)
    except release.ReleaseError as error:
        print(f"Could not prepare the student notebooks: {error}")
        return 1
    messages = sync(args.workspace, released)
    for message in messages:
        print(message)
    print(f"Workspace {args.workspace}: {len(released)} chapter{'s' * (len(released) != 1)} ready"
          f"{'' if messages else ', nothing changed'}.")
    return 0
