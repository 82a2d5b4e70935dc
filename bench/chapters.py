"""CPU time each chapter notebook costs beyond kernel start (goal: under 10 s per chapter).

Each notebook in course/source runs in a fresh kernel (nbclient); one extra cell at the end reads the
kernel's own CPU time (user + system, children included: graphviz's `dot`). A baseline notebook that
only imports torch and minigrad is measured the same way, and subtracted: what remains is what the
chapter itself costs. Usage:  python bench/chapters.py [--repeat N] [chapter ...]
"""
import argparse
import pathlib
import resource
import statistics
import subprocess
import time

import nbformat
from nbclient import NotebookClient

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "course" / "source"

READ_CPU = """
import resource as _r
_s, _c = _r.getrusage(_r.RUSAGE_SELF), _r.getrusage(_r.RUSAGE_CHILDREN)
print(_s.ru_utime + _s.ru_stime + _c.ru_utime + _c.ru_stime)
"""
BASELINE = ["import autograder", "import torch", "import minigrad"]


def kernel_cpu_seconds(nb, folder):
    """Run ``nb`` plus the CPU-reading cell in a fresh kernel; return (kernel CPU s, wall s)."""
    nb.cells.append(nbformat.v4.new_code_cell(READ_CPU))
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(folder)}}).execute(stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return float(text.split()[-1]), wall


def baseline_seconds():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in BASELINE]
    return kernel_cpu_seconds(nb, SOURCE)


def chapters():
    return sorted(p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").is_file())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter folders (default: all in course/source)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook; the median is shown")
    args = parser.parse_args()
    names = args.chapters or chapters()
    base = statistics.median(baseline_seconds()[0] for _ in range(args.repeat))
    print(f"baseline (kernel + import autograder, torch, minigrad): {base:.2f} s CPU")
    print(f"{'chapter':24s} {'CPU beyond baseline':>20s} {'wall':>8s}  goal < 10 s")
    for name in names:
        runs = [kernel_cpu_seconds(nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4), SOURCE / name)
                for _ in range(args.repeat)]
        cpu = statistics.median(r[0] for r in runs) - base
        wall = statistics.median(r[1] for r in runs)
        print(f"{name:24s} {cpu:18.2f} s {wall:7.1f} s  {'ok' if cpu < 10 else 'TOO SLOW'}")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(this driver used {own.ru_utime + own.ru_stime:.1f} s CPU itself, not counted)")


if __name__ == "__main__":
    main()
