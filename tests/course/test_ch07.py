"""Chapter 07_from_scratch beyond the common notebook tests: the do-it-yourself grading, the data the checks
read, and a new chapter arriving in a student's existing workspace."""
import shutil

import numpy as np
import pytest

import harness

CHAPTER = "07_from_scratch"


def test_digits_are_scikit_learns():
    """The checks read load_digits()'s file without importing scikit-learn: the same images and labels."""
    from sklearn.datasets import load_digits

    from autograder.exercises.ch07 import TRAIN_SIZE, digits

    images, labels, train, test = digits()
    data = load_digits()
    assert np.array_equal(images, data.data / 16.0) and np.array_equal(labels, data.target)
    assert len(train) == TRAIN_SIZE and sorted(np.concatenate([train, test])) == list(range(len(labels)))


@pytest.mark.slow
def test_rules_that_borrow_torch_score_zero_when_graded():
    """An Exp.backward that asks torch.autograd for its gradient passes in the student's notebook, but the
    judge's do-it-yourself run (torch switched off) gives exercise 7.2 zero, and 7.4, which trains through
    that rule, zero too; the exercises that do not use it keep their points."""
    from autograder.pipeline.grade import grade_notebook
    from autograder.pipeline.restore import restore

    borrowed = harness.solution_editor(CHAPTER)("ex7_2", ("        return (grad * self.y,)\n", (
        "        import torch\n"
        "        a = torch.tensor(np.log(self.y), requires_grad=True)\n"
        "        torch.exp(a).backward(torch.tensor(grad))\n"
        "        return (a.grad.numpy(),)\n")))
    source = harness.read(CHAPTER)
    submitted = harness.read(CHAPTER)
    harness.answer_cells(submitted)["ex7_2"].source = borrowed
    nb, _ = restore(submitted, source)
    tests = grade_notebook(nb, source, name=CHAPTER).tests

    scores = {test_id: (t.score, t.max_score) for test_id, t in tests.items()}
    assert scores["ex7_1_tests"][0] == scores["ex7_1_tests"][1] > 0, scores
    assert scores["ex7_3_tests"][0] == scores["ex7_3_tests"][1] > 0, scores
    for test_id in ("ex7_2_tests", "ex7_4_tests"):
        assert tests[test_id].score == 0, scores
        assert "do the work yourself" in tests[test_id].message and "torch" in tests[test_id].message


@pytest.mark.slow
def test_lab_adds_the_chapter_beside_a_started_workspace(tmp_path):
    """`make lab` on a workspace that already holds chapter 01 (started by the student): chapter 07 is added
    next to it, and the student's notebook is not touched."""
    import nbformat

    from autograder.pipeline.release import generate_release, released_notebook
    from autograder.student import workspace

    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(harness.ROOT / "course" / "nbgrader_config.py", course)
    shutil.copytree(harness.SOURCE / "01_leaf_tensors", course / "source" / "01_leaf_tensors")
    generate_release(course, "01_leaf_tensors")
    ws = tmp_path / "workspace"
    workspace.sync(ws, {"01_leaf_tensors": released_notebook(course, "01_leaf_tensors")})
    mine = ws / "01_leaf_tensors.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("my_notes = 1"))
    nbformat.write(nb, mine)
    before = mine.read_bytes()

    shutil.copytree(harness.SOURCE / CHAPTER, course / "source" / CHAPTER)
    generate_release(course, CHAPTER)
    messages = workspace.sync(ws, {c: released_notebook(course, c) for c in ("01_leaf_tensors", CHAPTER)})

    assert mine.read_bytes() == before
    from autograder import languages

    added = nbformat.read(ws / f"{CHAPTER}.ipynb", as_version=4)
    expected = languages.variant(nbformat.read(released_notebook(course, CHAPTER), as_version=4), "en")
    assert [(c.cell_type, c.source) for c in added.cells] == [(c.cell_type, c.source) for c in expected.cells]
    assert len(messages) == 1 and CHAPTER in messages[0]
