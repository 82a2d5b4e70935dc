"""`python -m autograder report`: how the class did, exercise by exercise, and what needs a human.

Prints (and writes to reports/report.md): per exercise the mean score, the share of full marks and the
most common failure messages; the flagged submissions with their reasons; kernels that died or timed
out. Draws reports/scores.png, a histogram of total scores (matplotlib, Agg backend: no display needed).
"""
from __future__ import annotations

from collections import Counter, defaultdict

from .course import Course, write_atomic
from ..cells import exercise_of
from .ui import table


def report(course: Course) -> str:
    results = course.results()
    if not results:
        return "no graded submissions yet: run `python -m autograder grade` first"
    by_exercise = defaultdict(list)
    for r in results:
        for test_id, t in r.tests.items():
            by_exercise[(r.assignment, exercise_of(test_id))].append(t)
    rows = []
    for (assignment, ex), tests in sorted(by_exercise.items()):
        full = sum(t.score >= t.max_score for t in tests)
        mean = sum(t.score for t in tests) / len(tests)
        messages = Counter(t.message.splitlines()[0][:60] for t in tests if t.message)
        common = "; ".join(f"{m} (x{n})" for m, n in messages.most_common(2))
        rows.append([assignment, ex, f"{mean:.2f}/{tests[0].max_score:g}", f"{100 * full / len(tests):.0f}%", common])
    lines = [f"{len(results)} submissions graded", "",
             table(rows, ["assignment", "exercise", "mean", "full marks", "most common failures"]), ""]
    flagged = [r for r in results if r.flagged]
    lines.append(f"flagged for review: {len(flagged)}")
    for r in flagged:
        lines.append(f"  {r.student}/{r.assignment}: " + "; ".join(r.flag_reasons)[:300])
    events = [(r, e) for r in results for e in r.events]
    if events:
        lines.append(f"kernels stopped: {len(events)}")
        for r, e in events:
            lines.append(f"  {r.student}/{r.assignment}: {e.what} in {e.cell}")
    png = histogram(course, [r.score / r.max_score * 100 if r.max_score else 0 for r in results])
    lines.append(f"histogram: {png}")
    text = "\n".join(lines)
    write_atomic(course.reports / "report.md", text + "\n")
    return text


def histogram(course: Course, percents: list[float]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(percents, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], edgecolor="black")
    ax.set_xlabel("score (% of maximum)")
    ax.set_ylabel("submissions")
    ax.set_title(f"Scores of {len(percents)} submissions")
    course.reports.mkdir(parents=True, exist_ok=True)
    path = course.reports / "scores.png"
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
