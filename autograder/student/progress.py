"""`python -m autograder progress`: the progress table of every chapter in the student's workspace.

Each chapter notebook runs top to bottom in a fresh kernel (errors allowed, as a student runs it);
then that kernel reports what its visible checks say (autograder.kernel.progress.report). The tables
and the kernels speak `--lang`, else the workspace's language, else the locale's.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

from ..i18n import _, set_language
from ..kernel.progress import _REPORT_TAG, Row, table


def chapter_of(notebook: Path) -> str | None:
    """The chapter a workspace notebook belongs to: its name, for `01_leaf_tensors.ipynb`; offered
    copies (`01_leaf_tensors.new.ipynb`) and other notebooks give None."""
    return notebook.stem if "." not in notebook.stem else None

def run_notebook(notebook: Path, chapter: str, *, timeout: int = 300, lang: str | None = None) -> list[Row]:
    """Execute `notebook` in a fresh kernel (errors allowed, as a student runs it), then ask that
    kernel for the results of `chapter`'s visible checks (in `lang`; default: the notebook's language)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    ask = f"import autograder.kernel.progress\nautograder.kernel.progress.report({chapter!r}, globals())"
    nb.cells.append(nbformat.v4.new_code_cell(ask))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(notebook.parent)}})
    env = {**os.environ, "JPY_SESSION_NAME": str(notebook.resolve()), **({"COURSE_LANG": lang} if lang else {})}
    client.execute(stderr=subprocess.DEVNULL, env=env)  # the kernel's own log lines are not the student's output
    for output in nb.cells[-1].outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith(_REPORT_TAG):
                data = json.loads(line[len(_REPORT_TAG):])
                if isinstance(data, dict):
                    raise RuntimeError(data["error"])
                return [Row(**row) for row in data]
    errors = [o for o in nb.cells[-1].outputs if o.get("output_type") == "error"]
    raise RuntimeError(errors[0]["evalue"] if errors else _("the kernel gave no results"))


def main(argv: list[str] | None = None) -> int:
    """`python -m autograder progress [--lang zh|en] [--workspace DIR]`: the table of every chapter in the
    workspace."""
    from ..languages import default_language
    from .workspace import language_arg, workspace_language

    parser = argparse.ArgumentParser(prog="python -m autograder progress",
                                     description="Rerun the visible checks of every chapter notebook in "
                                                 "your workspace and print what passes.")
    parser.add_argument("--workspace", type=Path, default=Path("workspace"),
                        help="the folder holding your chapter notebooks (default: workspace)")
    parser.add_argument("--lang", type=language_arg, metavar="zh|en",
                        help="the language of the tables (default: the workspace's, else your locale's)")
    args = parser.parse_args(argv)
    lang = args.lang or workspace_language(args.workspace) or default_language()
    set_language(lang)
    notebooks = sorted(p for p in args.workspace.glob("*.ipynb") if chapter_of(p)) \
        if args.workspace.is_dir() else []
    if not notebooks:
        print(_("No chapter notebooks in {folder} — run `make lab` (or `python -m autograder workspace`) "
                "first.").format(folder=f"{args.workspace}/"))
        return 1
    earned = total = 0
    for notebook in notebooks:
        chapter = chapter_of(notebook)
        print(_("Running {name} ...").format(name=notebook.name), flush=True)
        try:
            rows = run_notebook(notebook, chapter, lang=lang)
        except Exception as error:
            print(_("{chapter}: could not run the notebook ({error})").format(
                chapter=chapter, error=f"{type(error).__name__}: {error}") + "\n")
            continue
        print(table(chapter, rows) + "\n")
        earned += sum(r.earned for r in rows)
        total += sum(r.points for r in rows)
    print(_("All chapters: {earned} / {total} points pass their visible checks.").format(earned=earned, total=total))
    return 0
