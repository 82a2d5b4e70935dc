"""Grading speed: stock `nbgrader autograde` vs `python -m autograder grade` on the same class.

    python bench/grading.py [--students 40] [--chapter 01_leaf_tensors] [--jobs N]

Builds a synthetic class (half full solutions, half blank releases) of one chapter (the first of
course/source, or the tiny demo course), grades it once with each tool into its own copy of the course
(stock nbgrader with a plain configuration: test cells run in the student's kernel, unsandboxed), and
prints the wall time, seconds per notebook, the ratio, and the floor: starting a kernel and importing
torch, measured alone. Then the judge's overhead: one notebook graded by the judge (harness in place of
the test cells, references and verdicts outside the kernel, the do-it-yourself run) against the same
sandboxed run with the test cells executed in the kernel. Goals (2 cores): >= 1.8x faster than stock
nbgrader; judge overhead under 10% per notebook.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.pipeline.demo import student_notebook, write_tiny_course  # noqa: E402
from autograder.pipeline.release import chapters, generate_release  # noqa: E402


def floor_seconds(repeat: int = 3) -> float:
    """Start a kernel, import torch, stop it: the least any grader pays per notebook."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import torch")]
    times = []
    for _ in range(repeat):
        start = time.monotonic()
        NotebookClient(nb, kernel_name="python3").execute(stderr=subprocess.DEVNULL)
        times.append(time.monotonic() - start)
    return min(times)


def notebook_seconds(path: Path) -> float:
    """One plain run of a notebook (kernel start included)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    NotebookClient(nb, kernel_name="python3", allow_errors=True).execute(stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def build_class(root: Path, chapter: str, students: int) -> None:
    generate_release(root, chapter)
    source = nbformat.read(root / "source" / chapter / f"{chapter}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / chapter / f"{chapter}.ipynb", as_version=4)
    ids = [c.metadata.nbgrader.grade_id for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for i in range(students):
        folder = root / "submitted" / f"student{i:03d}" / chapter
        folder.mkdir(parents=True)
        answers = {gid: None for gid in ids} if i % 2 == 0 else {}
        (folder / f"{chapter}.ipynb").write_text(student_notebook(source, release, answers))
        (folder / "timestamp.txt").write_text("2026-01-01 10:00:00.000000 UTC")


STOCK_CONFIG = """import os
c = get_config()
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
"""


def judge_overhead(course: Path, chapter: str, repeat: int = 3) -> tuple[float, float]:
    """(seconds judged, seconds plain) for the solutions of ``chapter``, median of ``repeat`` runs each."""
    import statistics

    from autograder.pipeline.execute import run_notebook
    from autograder.pipeline.grade import grade_notebook, warm_up
    from autograder.pipeline.restore import restore

    warm_up()
    source = nbformat.read(course / "source" / chapter / f"{chapter}.ipynb", as_version=4)
    judged, plain = [], []
    for _ in range(repeat):
        nb, _notes = restore(source, source)
        start = time.monotonic()
        grade_notebook(nb, source, name=chapter)
        judged.append(time.monotonic() - start)
        nb, _notes = restore(source, source)
        start = time.monotonic()
        run_notebook(nb)
        plain.append(time.monotonic() - start)
    return statistics.median(judged), statistics.median(plain)


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--chapter", help="default: the first chapter of course/source, else the tiny demo course")
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        names = chapters(REPO / "course")
        chapter = args.chapter or (names[0] if names else "00_demo")
        if chapter == "00_demo":
            write_tiny_course(base)
        else:
            (base / "source").mkdir(parents=True)
            shutil.copytree(REPO / "course" / "source" / chapter, base / "source" / chapter)
            shutil.copy(REPO / "course" / "nbgrader_config.py", base)
        build_class(base, chapter, args.students)
        stock, ours = tmp / "stock", tmp / "ours"
        shutil.copytree(base, stock)
        shutil.copytree(base, ours)
        (stock / "nbgrader_config.py").write_text(STOCK_CONFIG)
        n = args.students
        print(f"class: {n} submissions of {chapter}; {os.cpu_count()} cores; jobs={args.jobs}")
        floor = floor_seconds()
        alone = notebook_seconds(base / "source" / chapter / f"{chapter}.ipynb")
        print(f"floor (kernel start + import torch): {floor:.2f} s; one plain run of the notebook: {alone:.2f} s")
        t_stock = timed(["nbgrader", "autograde", chapter, "--force"], stock)
        print(f"stock nbgrader autograde:   {t_stock:7.1f} s  {t_stock / n:5.2f} s/notebook")
        t_ours = timed([sys.executable, "-m", "autograder", "grade", "--course", str(ours),
                        "--jobs", str(args.jobs)], REPO)
        per_worker = t_ours * args.jobs / n
        print(f"python -m autograder grade: {t_ours:7.1f} s  {t_ours / n:5.2f} s/notebook "
              f"({per_worker:.2f} s per notebook per worker)")
        print(f"speed-up vs stock nbgrader: {t_stock / t_ours:.2f}x (goal >= 1.8x)")
        print(f"per-notebook cost per worker / plain run of the notebook: {per_worker / alone:.2f}; "
              f"/ floor: {per_worker / floor:.2f}")
        judged, plain = judge_overhead(base, chapter)
        print(f"judge overhead per notebook: judged {judged:.2f} s vs the same sandboxed run with in-kernel tests "
              f"{plain:.2f} s: {100 * (judged / plain - 1):+.0f}% (goal < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
