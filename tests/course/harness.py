"""In-process helpers to execute, release and autograde the course notebooks (nbclient + nbgrader).

Chapter-agnostic: a chapter is a folder course/source/<chapter>/<chapter>.ipynb, and its wrong-answer
catalog (optional) is tests/course/wrong_answers/chNN.py with NN the chapter's number prefix.

Why in-process: nbgrader's CLI costs ~3 s to start; its preprocessors and ``determine_grade`` are the
same code the CLI runs, called directly.
"""
import copy
import functools
import importlib.util
import os
import pathlib

import nbformat
from nbclient import NotebookClient
from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
from nbgrader.utils import determine_grade, is_grade, is_solution
from traitlets.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "course" / "source"
CATALOG = pathlib.Path(__file__).resolve().parent / "wrong_answers"
CELL_TIMEOUT = 120  # seconds per cell; a chapter's slowest cell takes a few seconds

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
    return {grade_id(c): c for c in nb.cells if c.cell_type == "code" and is_grade(c)}


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
    return NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(SOURCE / chapter)}},
    )


def execute(nb, chapter, *, allow_errors=False):
    """Run every cell of ``nb`` (a copy) in a fresh kernel started in the chapter's folder; returns it."""
    nb = copy.deepcopy(nb)
    _client(nb, chapter, allow_errors).execute()
    return nb


def errors(nb):
    """[(cell index, 'ename: evalue')] for every cell that raised."""
    return [(i, f"{o.ename}: {o.evalue}") for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def stderr_text(cell):
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stderr")


# ---------------------------------------------------------------------------------------------------
# Release and autograde
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


@functools.lru_cache(maxsize=None)
def executed_source(chapter):
    """The source notebook executed top to bottom (errors recorded, not raised). Cached per session."""
    return execute(read(chapter), chapter, allow_errors=True)


@functools.lru_cache(maxsize=None)
def executed_release(chapter):
    """The blank release executed top to bottom, as a student submitting it untouched. Cached."""
    return execute(release(read(chapter)), chapter, allow_errors=True)


# ---------------------------------------------------------------------------------------------------
# Wrong-answer catalog
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


def catalog(chapter):
    """[(exercise id, description, answer source)] of the chapter's catalog."""
    module = catalog_module(chapter)
    if module is None:
        return []
    return [(ex, description, source) for ex, variants in module.WRONG.items() for description, source in variants]


_SNAPSHOT = "__harness_names__ = set(globals())"
# Remove every name a variant defined, so that nothing it left behind reaches the next variant.
_FORGET = ("for __n in set(globals()) - __harness_names__ - {'__harness_names__'}:\n"
           "    del globals()[__n]\n")


@functools.lru_cache(maxsize=None)
def catalog_scores(chapter):
    """{(exercise id, description): (score, max, test cell text output)} for every catalog variant.

    One kernel per chapter: the source notebook runs once, then for each variant its answer cell
    replaces the solution, the exercise's test cell runs and is scored, then the names the variant
    defined are deleted and the correct answer cell runs again (a variant never leaks into the next).
    """
    nb = read(chapter)
    answers = answer_cells(nb)
    tests = graded_cells(nb)
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

        def run_cell(cell):
            nb.cells[scratch] = cell
            client.execute_cell(cell, scratch)
            return cell

        def run(source):
            return run_cell(nbformat.v4.new_code_cell(source))

        for exercise, description, source in catalog(chapter):
            run(_SNAPSHOT)
            run(source)
            test = copy.deepcopy(tests[f"{exercise}_tests"])
            test.outputs = []
            run_cell(test)
            score, max_points = determine_grade(test)
            text = "".join(o.get("text", "") + o.get("evalue", "") for o in test.outputs)
            results[(exercise, description)] = (score, max_points, text)
            run(_FORGET)
            restored = run(answers[exercise].source)
            if any(o.output_type == "error" for o in restored.outputs):
                raise RuntimeError(f"{chapter}: restoring the solution of {exercise} failed")
    return results


def chapter_number(chapter):
    return chapter.split("_")[0]


os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy's warning in kernels
