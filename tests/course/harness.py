"""In-process helpers to execute, release and judge the course notebooks (nbclient + nbgrader + the judge).

Chapter-agnostic: a chapter is a folder course/source/<chapter>/<chapter>.ipynb, and its answer catalog
is tests/course/wrong_answers/chNN.py with NN the chapter's number prefix. A catalog module defines

    WRONG = {exercise id: [(description, answer source), ...]}   mistakes students make
    RIGHT = {exercise id: [(description, answer source), ...]}   other correct answers (optional)

Why in-process: nbgrader's CLI costs ~3 s to start; its preprocessors and ``determine_grade`` are the same
code the CLI runs, called directly. The judge's verdicts come from autograder.judge, called here, on the
replies of autograder.kernel.harness running in a real kernel.
"""
import copy
import functools
import importlib.util
import os
import pathlib
import secrets

import nbformat
from nbclient import NotebookClient
from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
from nbgrader.utils import determine_grade, is_grade, is_solution
from traitlets.config import Config

from autograder import judge, languages

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "course" / "source"
CATALOG = pathlib.Path(__file__).resolve().parent / "wrong_answers"
CELL_TIMEOUT = 180  # seconds per cell; a chapter's slowest cell takes a few seconds

# What ClearSolutions writes in place of a solution (same as course/nbgrader_config.py).
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def chapters():
    """Names of the chapter folders in course/source that hold <name>/<name>.ipynb, sorted."""
    return sorted(p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").is_file())


def notebook_path(chapter):
    return SOURCE / chapter / f"{chapter}.ipynb"


def read(chapter):
    """The source notebook of ``chapter`` (a fresh copy each call)."""
    return nbformat.read(notebook_path(chapter), as_version=4)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def graded_cells(nb):
    """The autograded test cells of ``nb``: {grade_id: cell}."""
    return {grade_id(c): c for c in nb.cells if c.cell_type == "code" and is_grade(c) and not is_solution(c)}


def answer_cells(nb):
    """The answer (solution) cells of ``nb``: {grade_id: cell}."""
    return {grade_id(c): c for c in nb.cells if c.cell_type == "code" and is_solution(c) and not is_grade(c)}


# ---------------------------------------------------------------------------------------------------
# Execute
# ---------------------------------------------------------------------------------------------------
def solution_editor(chapter):
    """`edit(exercise, (old, new), ...)`: the chapter's own solution of `exercise` with mistakes edited in.

    Catalog variants written this way follow the solution when it changes; an edit that no longer
    applies fails loudly instead of silently testing the correct answer.
    """
    solutions = {gid: cell.source for gid, cell in answer_cells(read(chapter)).items()}

    def edit(exercise, *replacements):
        source = solutions[exercise]
        for old, new in replacements:
            assert old in source, f"{exercise}: {old!r} is no longer in the solution"
            source = source.replace(old, new)
        return source

    return edit


def _client(nb, chapter, allow_errors):
    return NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT, allow_errors=allow_errors,
                          resources={"metadata": {"path": str(SOURCE / chapter)}})


def execute(nb, chapter, *, allow_errors=False):
    """Run every cell of ``nb`` (a copy) in a fresh kernel started in the chapter's folder; returns it.

    The kernel speaks the notebook's language (a kernel that does not know its notebook reads
    COURSE_LANG, as in the grading sandbox)."""
    nb = copy.deepcopy(nb)
    env = dict(os.environ, COURSE_LANG=languages.language_of(nb))
    env.pop("JPY_SESSION_NAME", None)
    _client(nb, chapter, allow_errors).execute(env=env)
    return nb


def errors(nb):
    """[(cell index, 'ename: evalue')] for every cell that raised."""
    return [(i, f"{o.ename}: {o.evalue}") for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def stderr_text(cell):
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stderr")


# ---------------------------------------------------------------------------------------------------
# Release and grading
# ---------------------------------------------------------------------------------------------------
def release(nb):
    """The student version of ``nb``: solutions replaced by the stub, hidden tests and outputs removed.

    These are the preprocessors ``nbgrader generate_assignment`` applies to the notebooks' cells.
    """
    config = Config()
    config.ClearSolutions.code_stub = {"python": CODE_STUB}
    nb = copy.deepcopy(nb)
    resources = {}
    for preprocessor in (ClearSolutions(config=config), ClearHiddenTests(config=config), ClearOutput(config=config)):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def scores(executed_nb):
    """{grade_id: (score, max_points)} of an executed notebook, as nbgrader's autograder scores it."""
    return {gid: determine_grade(cell) for gid, cell in graded_cells(executed_nb).items()}


LANGUAGES = ("en", "zh")


@functools.lru_cache(maxsize=None)
def executed_source(chapter, lang="en"):
    """The source notebook, in ``lang``, executed top to bottom (errors recorded, not raised). Cached."""
    return execute(languages.variant(read(chapter), lang), chapter, allow_errors=True)


@functools.lru_cache(maxsize=None)
def executed_release(chapter, lang="en"):
    """The blank release in ``lang`` executed top to bottom, as a student submitting it untouched. Cached."""
    return execute(languages.variant(release(read(chapter)), lang), chapter, allow_errors=True)


@functools.lru_cache(maxsize=None)
def judged(chapter, version, lang="en"):
    """{test grade_id: TestResult} of the judge grading the source ('solutions') or the blank release
    ('blank') of ``chapter`` in ``lang``, exactly as `python -m autograder grade` does (sandbox, judge,
    second run): the submission is rebuilt around the source in its own language."""
    from autograder.pipeline.grade import grade_notebook
    from autograder.pipeline.restore import restore

    source = read(chapter)
    submitted = languages.variant(source if version == "solutions" else release(source), lang)
    instructor = languages.source_for(submitted, source)
    nb, _ = restore(submitted, instructor)
    return grade_notebook(nb, instructor, name=chapter).tests


# ---------------------------------------------------------------------------------------------------
# Answer catalog
# ---------------------------------------------------------------------------------------------------
def catalog_module(chapter):
    """tests/course/wrong_answers/chNN.py for chapter 'NN_name', or None when there is none."""
    path = CATALOG / f"ch{chapter.split('_')[0]}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalog(chapter, kind="WRONG"):
    """[(exercise id, description, answer source)] of the chapter's catalog (WRONG or RIGHT)."""
    module = catalog_module(chapter)
    if module is None:
        return []
    return [(ex, description, source) for ex, variants in getattr(module, kind, {}).items()
            for description, source in variants]


_SNAPSHOT = "__harness_names__ = set(globals())"
# Remove every name a variant defined, so that nothing it left behind reaches the next variant.
_FORGET = ("for __n in set(globals()) - __harness_names__ - {'__harness_names__'}:\n"
           "    del globals()[__n]\n")


def _visible_check(test_cell):
    """The visible part of a test cell (what a student's notebook runs)."""
    from autograder.cells import visible_part

    return visible_part(test_cell.source)


@functools.lru_cache(maxsize=None)
def catalog_verdicts(chapter):
    """{(kind, exercise id, description): (visible_output, judge Verdict)} for every catalog answer.

    One kernel per chapter: the source notebook runs once, then for each answer its source replaces the
    solution, the exercise's visible check runs (in the kernel, as in the student's notebook) and the
    judge's harness runs the visible and hidden cases; the judge decides here, from the kernel's reply.
    Then the names the answer defined are deleted and the solution runs again. The do-it-yourself second
    run is not part of this (test_wrong_answers checks it on the catalog entries that need it).
    """
    nb = read(chapter)
    answers, tests = answer_cells(nb), graded_cells(nb)
    seed = int(os.environ.get("JUDGE_SEED", secrets.randbits(32)))
    tasks = judge.plan(nb, seed=seed)
    client = _client(nb, chapter, allow_errors=True)
    results = {}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        bad = errors(nb)
        if bad:
            raise RuntimeError(f"{chapter}: the source notebook raised {bad}")
        scratch = len(nb.cells)  # one extra slot at the end: nbclient stores each executed cell there
        nb.cells.append(nbformat.v4.new_code_cell(""))

        def run(source):
            cell = nbformat.v4.new_code_cell(source)
            nb.cells[scratch] = cell
            client.execute_cell(cell, scratch)
            return cell

        for kind in ("WRONG", "RIGHT"):
            for exercise, description, source in catalog(chapter, kind):
                run(_SNAPSHOT)
                run(source)
                visible = run(_visible_check(tests[f"{exercise}_tests"]))
                task = tasks[f"{exercise}_tests"]
                token = secrets.token_hex(4)
                reply_cell = run(judge.harness_code(task, token))
                verdict = judge.decide(task, judge.read_reply(reply_cell.outputs, token))
                text = "".join(o.get("text", "") + o.get("evalue", "") for o in visible.outputs)
                failed = any(o.output_type == "error" for o in visible.outputs)
                results[(kind, exercise, description)] = (failed, text, verdict, seed)
                run(_FORGET)
                restored = run(answers[exercise].source)
                if any(o.output_type == "error" for o in restored.outputs):
                    raise RuntimeError(f"{chapter}: restoring the solution of {exercise} failed")
    return results


os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy's warning in kernels
