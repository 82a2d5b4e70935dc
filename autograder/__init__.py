"""autograder: the checks that the notebooks' test cells call, and the instructor's grading pipeline.

Modules:
    checks       what test cells call (device(), assert_close, ...); references captured at import
    registry     the exercises of every chapter and their visible checks
    chapters/    one module of visible checks per chapter
    environment  the first cell of every notebook: is everything a student needs installed?
    progress     the table of exercises passed, per notebook and per workspace
    release      student versions of the chapters (nbgrader generate_assignment, in-process)
    workspace    the student's working folder that `make lab` opens
    the rest     the instructor's pipeline behind `python -m autograder`
"""
import contextlib

from . import progress  # noqa: F401  (the last cell of every chapter calls autograder.progress.show)


def check_environment():
    """Print one line per requirement (minigrad, torch, graphviz, dot, CUDA) and what to do if one is missing."""
    from .environment import check

    return check()


@contextlib.contextmanager
def uses_your(answer: str):
    """Run a demo cell that calls one of the student's answers.

    While that answer is still the blank `raise NotImplementedError()`, the cell prints what to do
    instead of failing, so that Run All goes on to the rest of the chapter.
    """
    try:
        yield
    except NotImplementedError:
        print(f"(This cell runs your {answer}: write it in its exercise above, then run this cell again.)")
