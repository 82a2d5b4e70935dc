"""`python -m autograder report`: how the class did, exercise by exercise, and what needs a human.

Prints (and writes to reports/report.md): which assignments count (those released or handed in); per
exercise the mean score, the share of full marks and the most common failure messages; the flagged
submissions with their reasons (one line per kind of reason, integrity.summarize, and where the complete
list is when that is shorter); the invalid files kept by collect; kernels that died or timed out; with a
roster, who has not submitted.
Scores are the gradebook's (manual grades made in formgrader count). Draws one histogram of total
scores per assignment, reports/scores_<assignment>.png (matplotlib, Agg backend: no display needed).
"""
from __future__ import annotations

import textwrap
from collections import Counter, defaultdict

from ..cells import exercise_of
from ..i18n import N_, _
from .course import Course, write_atomic
from .integrity import summarize
from .ui import plural, table

WIDTH = 100


def _short(text: str, width: int) -> str:
    """The first line of ``text``, shortened at a word boundary (never mid-word)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return textwrap.shorten(first, width, placeholder=" …") if len(first) > width else first


def report(course: Course, assignment: str | None = None) -> str:
    from . import collect
    from .demo import natural_key
    from .export import apply_gradebook, counted_assignments, included_assignments

    results = [r for r in course.results() if not assignment or r.assignment == assignment]
    if not results:
        return _("nothing to report{which}: nothing graded yet (run `python -m autograder grade` first)").format(
            which=f" (--assignment {assignment})" if assignment else "")
    results = apply_gradebook(course, results)
    results.sort(key=lambda r: (natural_key(r.assignment), natural_key(r.student)))
    by_exercise = defaultdict(list)
    for r in results:
        for test_id, t in r.tests.items():
            by_exercise[(r.assignment, exercise_of(test_id))].append(t)
    rows = []
    for (a, ex), tests in sorted(by_exercise.items()):
        full = sum(t.score >= t.max_score for t in tests)
        mean = sum(t.score for t in tests) / len(tests)
        messages = Counter(_short(t.message, 60) for t in tests if t.message and t.score < t.max_score)
        common = "; ".join(f"{m} (x{n})" for m, n in messages.most_common(2))
        rows.append([a, ex, f"{mean:.2f}/{tests[0].max_score:g}", f"{100 * full / len(tests):.0f}%", common])
    per_assignment = Counter(r.assignment for r in results)
    header = [_("assignment"), _("exercise"), _("mean"), _("full marks"), _("most common failures")]
    lines = [_("{submissions} graded: {counts}").format(
                 submissions=plural(len(results), N_("{n} submission"), N_("{n} submissions")),
                 counts=", ".join(f"{a} {n}" for a, n in sorted(per_assignment.items()))),
             included_assignments(course, assignment), "", table(rows, header, wrap=60), ""]
    flagged = [r for r in results if r.flagged]
    lines.append(_("flagged for review: {n}").format(n=len(flagged)))
    for r in flagged:
        lines += _flag_lines(course, r)
    invalid = [f"{r.student}/{r.assignment}" for r in results
               if any("is not a valid notebook" in reason for reason in r.flag_reasons)]
    if invalid:
        lines.append(_("invalid files (kept under submitted/, graded 0): {n}").format(n=len(invalid)))
        lines += textwrap.wrap(", ".join(invalid), WIDTH, initial_indent="  ", subsequent_indent="  ")
    events = [(r, e) for r in results for e in r.events]
    if events:
        lines.append(_("kernels stopped: {n}").format(n=len(events)))
        for r, e in events:
            lines.append("  " + _("{label}: {what} in {cell}").format(
                label=f"{r.student}/{r.assignment}", what=e.what, cell=e.cell))
    roster = collect.course_roster(course)
    if roster is not None:
        handed = {(s, a) for s in course.students() for a in course.assignments()
                  if (course.submitted / s / a).is_dir()}
        for a in counted_assignments(course, assignment):
            missing = [s for s in roster if (s, a) not in handed]
            if missing:
                lines.append(_("not submitted, {assignment}: {n} of {total} on the roster").format(
                    assignment=a, n=len(missing), total=len(roster)))
                lines += textwrap.wrap(", ".join(missing), WIDTH, initial_indent="  ", subsequent_indent="  ")
    for a in sorted(per_assignment):
        mine = [r for r in results if r.assignment == a]
        png = histogram(course, a, [r.score / r.max_score * 100 if r.max_score else 0 for r in mine])
        lines.append(_("histogram of {assignment}: {path}").format(assignment=a, path=png))
    text = "\n".join(lines)
    write_atomic(course.reports / (f"report_{assignment}.md" if assignment else "report.md"), text + "\n")
    return text


def _flag_lines(course: Course, result) -> list[str]:
    """A flagged submission's reasons, a line per kind (wrapped), and where all of them are when the
    summary left some out or shortened them."""
    summary = summarize(result.flag_reasons)
    lines = [f"  {result.student}/{result.assignment}:"]
    for line in summary:
        lines += textwrap.wrap(line, WIDTH, initial_indent="    - ", subsequent_indent="      ",
                               break_long_words=False, break_on_hyphens=False)
    if len(summary) < len(result.flag_reasons) or any("…" in line for line in summary):
        lines.append("      " + _("({reasons} in all: {path})").format(
            reasons=plural(len(result.flag_reasons), N_("{n} reason"), N_("{n} reasons")),
            path=course.result_path(result.student, result.assignment)))
    return lines


def histogram(course: Course, assignment: str, percents: list[float]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(percents, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], edgecolor="black")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # submissions are counted whole: no 0.5 tick
    ax.set_xlabel("score (% of maximum)")
    ax.set_ylabel("submissions")
    ax.set_title(f"{assignment}: scores (n = {len(percents)})")  # English, as its labels: the font has no CJK
    course.reports.mkdir(parents=True, exist_ok=True)
    path = course.reports / f"scores_{assignment}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
