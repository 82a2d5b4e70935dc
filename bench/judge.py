"""The judge's overhead per notebook, chapter by chapter: grading a chapter's solutions with the judge
(`grade_notebook`: the test cells' checks decided outside the kernel, plus the do-it-yourself run of the
chapters that have one) against running the same notebook in the same sandbox with its test cells'
checks inside the kernel, as the student's own notebook runs them (`run_notebook`).

    python bench/judge.py [--repeat 5] [chapter ...]

Both run in kernels forked from the same warm zygote, alternately, and the medians are printed, with
the time of the do-it-yourself run (a second sandbox without torch, sympy or minigrad's engine: a
kernel of its own, and the answers run again, alongside the notebook's own run, so that its time is
only partly added), and the overhead of the fastest runs of each too: on a
shared machine a run is only ever slowed down, so the fastest is the least disturbed (as ``timeit``
reports). Goal: the judge's overhead under 10% per notebook.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.pipeline import grade  # noqa: E402
from autograder.pipeline.execute import run_notebook  # noqa: E402
from autograder.pipeline.release import chapters  # noqa: E402
from autograder.pipeline.restore import restore  # noqa: E402


def measure(chapter: str, repeat: int) -> tuple[list, list, list]:
    """The times of ``repeat`` runs each: judged, the do-it-yourself run (alongside), in-kernel (seconds)."""
    source = nbformat.read(REPO / "course" / "source" / chapter / f"{chapter}.ipynb", as_version=4)
    second = []
    real_second_run = grade._second_run

    def timed_second_run(*args, **kwargs):
        start = time.monotonic()
        try:
            return real_second_run(*args, **kwargs)
        finally:
            second[-1] += time.monotonic() - start

    grade._second_run = timed_second_run
    judged, plain = [], []
    try:
        for _ in range(repeat + 1):  # the first round warms the zygotes and the judge up: not counted
            nb, _notes = restore(source, source)
            second.append(0.0)
            start = time.monotonic()
            grade.grade_notebook(nb, source, name=chapter)
            judged.append(time.monotonic() - start)
            nb, _notes = restore(source, source)
            start = time.monotonic()
            run_notebook(nb)
            plain.append(time.monotonic() - start)
    finally:
        grade._second_run = real_second_run
    return judged[1:], second[1:], plain[1:]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("chapters", nargs="*", help="default: every chapter of course/source")
    args = p.parse_args()
    grade.warm_up()
    print(f"{'':20s} {'medians':^52s} {'fastest':^10s}")
    print(f"{'chapter':20s} {'judged':>8s} {'(do-it-yourself run)':>21s} {'in-kernel':>10s} {'overhead':>9s} "
          f"{'overhead':>9s}")
    for chapter in args.chapters or chapters(REPO / "course"):
        judged, second, plain = measure(chapter, args.repeat)
        median = [statistics.median(times) for times in (judged, second, plain)]
        diy = f"{median[1]:.2f} s" if median[1] > 0.01 else "-"
        overheads = 100 * (median[0] / median[2] - 1), 100 * (min(judged) / min(plain) - 1)
        print(f"{chapter:20s} {median[0]:6.2f} s {diy:>21s} {median[2]:8.2f} s {overheads[0]:+8.0f}% "
              f"{overheads[1]:+8.0f}%", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
