"""autograder: the course's checks and its grading pipeline, in folders named for where they run.

    kernel/     in the student's kernel: the judge's harness, the environment check, the progress table
    exercises/  the exercises (cases, how an answer runs, references, messages): in the kernel for the
                visible checks and in the judge for the grade
    judge/      the trusted judge: hidden cases, references, verdicts; never visible to student code
    pipeline/   the instructor's commands: release, collect, grade, feedback, export, report, demo
    student/    the student's terminal commands: workspace (make lab), progress

What a notebook calls directly is here: ``check_environment()``, ``uses_your(...)``, ``show_progress(...)``.
"""
import contextlib


def check_environment():
    """Print one line: all is well (torch, minigrad, graphviz, dot, the device) or what to install; and fix
    the kernel's language (COURSE_LANG, else the notebook's), which the chapter's messages then speak."""
    from .kernel.environment import check

    return check()


def show_progress(chapter: str, namespace: dict) -> None:
    """Print the table of this chapter's exercises that pass their visible checks (a chapter's last cell)."""
    from .kernel.progress import show

    show(chapter, namespace)


@contextlib.contextmanager
def uses_your(answer: str):
    """Run a demo cell that calls one of the student's answers.

    While that answer is still the blank `raise NotImplementedError()`, the cell prints what to do
    instead of failing, so that Run All goes on to the rest of the chapter.
    """
    from .i18n import _

    try:
        yield
    except NotImplementedError:
        print(_("(This cell runs your {answer}: write it in its exercise above, then run this cell again.)").format(
            answer=answer))
