"""Grading speed: stock `nbgrader autograde` vs `python -m autograder grade` on the same class.

    python bench/grading.py [--students 40] [--chapter 01_leaf_tensors] [--no-cluster]

Builds a synthetic class (half full solutions, half blank releases) of one chapter (the first of
course/source: 02_backward by default; or the tiny demo course) and grades it, each time into a fresh
copy of the course, with

* stock nbgrader (a plain configuration: test cells run in the student's kernel, unsandboxed);
* `python -m autograder grade --jobs 1` and `--jobs 2` (sandboxed, judged, kernels forked from a zygote);
* `python -m autograder grade --jobs 2 --no-zygote` (every kernel started afresh, as before);
* `python -m autograder grade --scheduler ...` on a 2-worker Dask cluster started on this machine
  (scheduler and workers as separate processes; their start-up is not counted, the batch is);

and prints the wall time, notebooks per minute, the per-notebook cost per worker (wall x workers /
notebooks), the speed-up over stock nbgrader, and the floor: starting a kernel and importing torch,
measured alone. Each batch includes its pre-batch self-check (the instructor's solutions) and, for the
do-it-yourself exercises, their second run. Goals (2 cores): >= 3x stock nbgrader; per-notebook cost per
worker <= 1.0x the floor.
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


def _plain_run(nb) -> float:
    """Run a notebook in a plain kernel (nbclient, no sandbox); its seconds, kernel start included. The
    channels are polled as the grader polls them (execute._polled): a reply asyncio failed to notice would
    otherwise wait forever (nbclient issue #312, after ipywidgets cells)."""
    from nbclient import NotebookClient

    from autograder.pipeline.execute import _polled

    start = time.monotonic()
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=600)
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        for channel in (client.kc.shell_channel, client.kc.iopub_channel):
            channel.get_msg = _polled(channel.get_msg)
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
    return time.monotonic() - start


def floor_seconds(repeat: int = 3) -> float:
    """Start a kernel, import torch, stop it: the least any grader pays per notebook (best of 3)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import torch")]
    return min(_plain_run(nb) for _ in range(repeat))


def notebook_seconds(path: Path) -> float:
    """One plain run of a notebook (kernel start included)."""
    return _plain_run(nbformat.read(path, as_version=4))


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


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def grade_cmd(course: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", "--course", str(course), *extra]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument(
        "--chapter", help="default: 02_backward, else the first chapter of course/source, else the tiny demo course"
    )
    p.add_argument("--no-cluster", action="store_true", help="skip the Dask cluster run")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        names = chapters(REPO / "course")
        # 02_backward by default: a full chapter whose exercises are all judged, one with a do-it-yourself
        # run (the README's capacity plan is measured on it)
        chapter = args.chapter or ("02_backward" if "02_backward" in names else names[0] if names else "00_demo")
        if chapter == "00_demo":
            write_tiny_course(base)
        else:
            (base / "source").mkdir(parents=True)
            shutil.copytree(REPO / "course" / "source" / chapter, base / "source" / chapter)
            shutil.copy(REPO / "course" / "nbgrader_config.py", base)
        build_class(base, chapter, args.students)
        n = args.students
        print(f"class: {n} submissions of {chapter}; {os.cpu_count()} cores")
        floor = floor_seconds()
        alone = notebook_seconds(base / "source" / chapter / f"{chapter}.ipynb")
        print(f"floor (kernel start + import torch): {floor:.2f} s; one plain run of the notebook: {alone:.2f} s")
        rows = []

        def run(label, workers, make_cmd, config=None):
            course = tmp / label.replace(" ", "_").replace("/", "_")
            shutil.copytree(base, course)
            if config:
                (course / "nbgrader_config.py").write_text(config)
            seconds = timed(make_cmd(course), course)
            per_worker = seconds * workers / n
            rows.append((label, workers, seconds, per_worker))
            print(
                f"{label:34s} {workers} worker(s) {seconds:7.1f} s  {60 * n / seconds:6.1f} notebooks/min  "
                f"{per_worker:5.2f} s/notebook/worker ({per_worker / floor:.2f}x the floor)",
                flush=True,
            )
            return seconds

        t_stock = run(
            "stock nbgrader autograde", 1, lambda c: ["nbgrader", "autograde", chapter, "--force"], STOCK_CONFIG
        )
        run("autograder grade --jobs 1", 1, lambda c: grade_cmd(c, "--jobs", "1"))
        run("autograder grade --jobs 2", 2, lambda c: grade_cmd(c, "--jobs", "2"))
        run("autograder grade --jobs 2 --no-zygote", 2, lambda c: grade_cmd(c, "--jobs", "2", "--no-zygote"))
        if not args.no_cluster:
            from autograder.pipeline.services import DaskCluster, ServiceMissing

            try:
                cluster = DaskCluster(workers=2)
            except ServiceMissing as err:
                print(f"Dask cluster skipped: {err}")
            else:
                try:
                    run(
                        "autograder grade --scheduler (Dask)", 2, lambda c: grade_cmd(c, "--scheduler", cluster.address)
                    )
                finally:
                    cluster.stop()
        print()
        for label, workers, seconds, per_worker in rows[1:]:
            print(
                f"speed-up vs stock nbgrader, {label} ({workers} worker(s)): {t_stock / seconds:.2f}x (goal >= 3x "
                f"with 2 workers); per-notebook cost {per_worker / floor:.2f}x the floor (goal <= 1.0x)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
