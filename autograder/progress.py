"""How far a student has got: the visible checks of each exercise, rerun, as one table.

In a notebook, the last cell calls

    autograder.progress.show("01_leaf_tensors", globals())

which finds the student's functions by name in the notebook's namespace, reruns each exercise's
visible checks quietly and prints one row per exercise: passed, failed (with the first line of the
reason) or not attempted. It never raises and never writes to stderr.

From a terminal, `python -m autograder progress [--workspace DIR]` runs every chapter notebook of the
student's workspace in a fresh kernel (nbclient), asks that kernel for the same results, and prints
the table of each chapter and a total. Hidden tests are not run: they decide the grade later.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import subprocess
from pathlib import Path

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
_MARK = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·"}
_REPORT_TAG = "AUTOGRADER-PROGRESS "  # prefix of the line a kernel prints for `python -m autograder progress`


@dataclasses.dataclass
class Row:
    """One exercise's outcome: which exercise, how many points, and why."""

    id: str
    name: str
    points: int
    status: str
    detail: str = ""

    @property
    def earned(self) -> int:
        return self.points if self.status == PASSED else 0


# ----------------------------------------------------------------------------------------- in the kernel
def results(chapter: str, namespace: dict) -> list[Row]:
    """Rerun the visible checks of `chapter` against the functions defined in `namespace`."""
    from .registry import exercises

    return [_run(exercise, namespace) for exercise in exercises(chapter)]


def _run(exercise, namespace: dict) -> Row:
    row = Row(exercise.id, exercise.name, exercise.points, NOT_ATTEMPTED)
    if exercise.name not in namespace:
        row.detail = f"`{exercise.name}` is not defined yet"
        return row
    quiet = io.StringIO()  # the ✓ line, warnings and the student's prints: not for this table
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            exercise.check(namespace[exercise.name])
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a student's function may raise anything, even SystemExit
        if _not_implemented(error):
            row.detail = "still raises NotImplementedError"
        else:
            row.status, row.detail = FAILED, _reason(error)
    else:
        row.status = PASSED
    return row


def _not_implemented(error: BaseException) -> bool:
    """True when the error is (or was caused by) the blank exercise's NotImplementedError."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, NotImplementedError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _reason(error: BaseException, width: int = 90) -> str:
    """The first line of the failure message, without the `[ex1_1] ` prefix the checks add."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    if first.startswith("[") and "] " in first:
        first = first.split("] ", 1)[1]
    if not isinstance(error, AssertionError):
        first = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return first if len(first) <= width else first[: width - 1] + "…"


def table(chapter: str, rows: list[Row]) -> str:
    """The rows as a plain-text table (monospace in notebooks and terminals) with a total line."""
    if not rows:
        return f"{chapter}: no graded exercises registered."
    name_width = max(len("Function"), *(len(r.name) for r in rows))
    lines = [f"Progress | 学习进度 — {chapter} (visible checks; hidden tests run when your work is graded)",
             f"  {'Exercise':<9} {'Function':<{name_width}}  {'Points':>7}  Result"]
    for r in rows:
        result = f"{_MARK[r.status]} {r.status}" + (f": {r.detail}" if r.detail and r.status == FAILED else "")
        lines.append(f"  {r.id:<9} {r.name:<{name_width}}  {_points(r.earned, r.points)}  {result}")
    earned, total = sum(r.earned for r in rows), sum(r.points for r in rows)
    done = sum(r.status == PASSED for r in rows)
    lines.append(f"  {'Total':<9} {'':<{name_width}}  {_points(earned, total)}  "
                 f"{done} of {len(rows)} exercises pass their visible checks")
    return "\n".join(lines)


def _points(earned: int, total: int) -> str:
    return f"{earned} / {total}".rjust(7)


def show(chapter: str, namespace: dict) -> None:
    """Print the progress table of `chapter` for the functions in `namespace` (a notebook's globals())."""
    try:
        text = table(chapter, results(chapter, namespace))
    except Exception as error:  # a table that cannot be made must not look like a failed exercise
        text = f"Progress of {chapter} is unavailable ({type(error).__name__}: {error})."
    print(text)


def report(chapter: str, namespace: dict) -> None:
    """Print the results as one tagged JSON line (what `python -m autograder progress` reads)."""
    try:
        rows = [dataclasses.asdict(r) for r in results(chapter, namespace)]
    except Exception as error:
        rows = {"error": f"{type(error).__name__}: {error}"}
    print(_REPORT_TAG + json.dumps(rows))


# --------------------------------------------------------------------------------------- from a terminal
def chapter_of(notebook: Path) -> str | None:
    """The chapter a workspace notebook belongs to: its name, for `01_leaf_tensors.ipynb`; offered
    copies (`01_leaf_tensors.new.ipynb`) and other notebooks give None."""
    return notebook.stem if "." not in notebook.stem else None


def run_notebook(notebook: Path, chapter: str, *, timeout: int = 300) -> list[Row]:
    """Execute `notebook` in a fresh kernel (errors allowed, as a student runs it), then ask that
    kernel for the results of `chapter`'s visible checks."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    ask = f"import autograder.progress\nautograder.progress.report({chapter!r}, globals())"
    nb.cells.append(nbformat.v4.new_code_cell(ask))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(notebook.parent)}})
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines are not the student's output
    for output in nb.cells[-1].outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith(_REPORT_TAG):
                data = json.loads(line[len(_REPORT_TAG):])
                if isinstance(data, dict):
                    raise RuntimeError(data["error"])
                return [Row(**row) for row in data]
    errors = [o for o in nb.cells[-1].outputs if o.get("output_type") == "error"]
    raise RuntimeError(errors[0]["evalue"] if errors else "the kernel gave no results")


def main(argv: list[str] | None = None) -> int:
    """`python -m autograder progress [--workspace DIR]`: the table of every chapter in the workspace."""
    parser = argparse.ArgumentParser(prog="python -m autograder progress",
                                     description="Rerun the visible checks of every chapter notebook in "
                                                 "your workspace and print what passes.")
    parser.add_argument("--workspace", type=Path, default=Path("workspace"),
                        help="the folder holding your chapter notebooks (default: workspace)")
    args = parser.parse_args(argv)
    notebooks = sorted(p for p in args.workspace.glob("*.ipynb") if chapter_of(p)) \
        if args.workspace.is_dir() else []
    if not notebooks:
        print(f"No chapter notebooks in {args.workspace}/ — run `make lab` (or `python -m autograder "
              f"workspace`) first.")
        return 1
    earned = total = 0
    for notebook in notebooks:
        chapter = chapter_of(notebook)
        print(f"Running {notebook.name} ...", flush=True)
        try:
            rows = run_notebook(notebook, chapter)
        except Exception as error:
            print(f"{chapter}: could not run the notebook ({type(error).__name__}: {error})\n")
            continue
        print(table(chapter, rows) + "\n")
        earned += sum(r.earned for r in rows)
        total += sum(r.points for r in rows)
    print(f"All chapters: {earned} / {total} points pass their visible checks.")
    return 0
