"""The hostile and broken submissions of the pipeline's tests, for the tiny course of autograder.demo.

The tiny course has two exercises: ex0_1 `grad_of_square` (1 point) and ex0_2 `scaled_sum_grad`
(2 points). Each entry: name -> (how to build it, the most points it may score without a flag,
what must be true of its result). Builders take (solutions, release notebook) and return the file's
text; `answers(...)` fills answer cells (None = the solution, a string = that code, missing = blank).
"""
from __future__ import annotations

import json

import nbformat

from autograder.pipeline.demo import student_notebook
from autograder.cells import grade_id

SOLVE_1 = None  # marker: use the instructor's solution for that exercise


def answers(**codes):
    """A builder that writes these answer cells (ex0_1=None means: the solution)."""
    return lambda source, release: student_notebook(source, release, codes)


def mutate(change, **codes):
    """A builder that writes answers, then edits the notebook's cells with `change(cells)`."""
    def build(source, release):
        nb = nbformat.reads(student_notebook(source, release, codes), as_version=4)
        change(nb.cells)
        return nbformat.writes(nb)
    return build


def _cell(cells, gid):
    return next(i for i, c in enumerate(cells) if grade_id(c) == gid)


def _delete(gid):
    return lambda cells: cells.pop(_cell(cells, gid))


def _duplicate(gid):
    def change(cells):
        i = _cell(cells, gid)
        cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(cells[i]))))
    return change


def _edit(gid, text):
    def change(cells):
        cells[_cell(cells, gid)].source = text
    return change


def _points(gid, points):
    def change(cells):
        cells[_cell(cells, gid)].metadata.nbgrader["points"] = points
    return change


WRONG_2 = "def scaled_sum_grad(w, c):\n    return w"
# name: (builder, most points without a flag, expected exact score or None, expected event or None)
HOSTILE = {
    "patch_torch_allclose": (answers(ex0_2="import torch\ntorch.allclose = lambda *a, **k: True\n" + WRONG_2), 0, None, None),
    "patch_numpy": (answers(ex0_2="import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = "
                                  "lambda *a, **k: None\n" + WRONG_2), 0, None, None),
    "patch_math": (answers(ex0_1="import math\nmath.isclose = lambda *a, **k: True\n"
                                 "def grad_of_square(x):\n    return float(x)"), 0, None, None),
    "patch_autograder": (answers(ex0_2="import autograder.checks as c\nc.assert_close = lambda *a, **k: None\n" + WRONG_2),
                         0, None, None),
    "patch_tensor_eq": (answers(ex0_2="import torch\ntorch.Tensor.__eq__ = lambda *a: True\n" + WRONG_2), 0, None, None),
    "silence_tracebacks": (answers(ex0_1="get_ipython().showtraceback = lambda *a, **k: None\n"
                                         "def grad_of_square(x):\n    return float(x)"), 0, None, None),
    "rewrite_test_cells": (answers(ex0_1="get_ipython().input_transformers_cleanup.append(\n"
                                         "    lambda lines: [] if any('assert' in l for l in lines) else lines)\n"
                                         "def grad_of_square(x):\n    return float(x)"), 0, None, None),
    "obfuscated_patch": (answers(ex0_2="getattr(__builtins__, 'ex' + 'ec')('import torch; torch.allclose = "
                                       "lambda *a, **k: True')\n" + WRONG_2), 0, None, None),
    "rigged_eq_object": (answers(ex0_1="class Always(float):\n    def __eq__(self, other):\n        return True\n"
                                       "    def __sub__(self, other):\n        return 0.0\n"
                                       "def grad_of_square(x):\n    return Always(0.0)"), 0, None, None),
    "rigged_tensor_subclass": (answers(ex0_2="import torch\nclass T(torch.Tensor):\n    def __eq__(self, other):\n"
                                             "        return True\ndef scaled_sum_grad(w, c):\n"
                                             "    return T(w.shape)"), 0, None, None),
    "read_source": (answers(ex0_1="src = open('../../source/00_demo/00_demo.ipynb').read()\n"
                                  "def grad_of_square(x):\n    return 2.0 * x"), 0, None, None),
    "write_gradebook": (answers(ex0_1=None, ex0_2="import sqlite3, glob\nfor p in glob.glob('/**/gradebook.db', "
                                                  "recursive=True):\n    sqlite3.connect(p).execute('delete from grade')\n"
                                                  + WRONG_2), 1, None, None),
    "infinite_loop": (answers(ex0_1=None, ex0_2="while True:\n    pass"), 1, 1, "timeout"),
    "memory_bomb": (answers(ex0_1=None, ex0_2="hog = []\nwhile True:\n    hog.append(bytearray(200 << 20))"), 1, 1, None),
    "huge_output": (answers(ex0_1=None, ex0_2="while True:\n    print('spam' * 5000)"), 1, 1, "output limit"),
    "background_process": (answers(ex0_1="import subprocess\nsubprocess.Popen(['sleep', '4242'])\n"
                                         "def grad_of_square(x):\n    return float(x)"), 0, None, None),
    "os_exit": (answers(ex0_1=None, ex0_2="import os\nos._exit(3)"), 1, 1, "kernel died"),
    "segfault": (answers(ex0_1=None, ex0_2="import ctypes\nctypes.string_at(0)"), 1, 1, "kernel died"),
    "corrupt_json": (lambda source, release: '{"cells": [ {"cell_type": "code", "source": "oops', 0, 0, None),
    "edited_test_cell": (mutate(_edit("ex0_2_tests", "pass"), ex0_2=WRONG_2), 0, 0, None),
    "points_inflated": (mutate(_points("ex0_1_tests", 100), ex0_1=None), 1, 1, None),
}

# Honest students: (builder, exact score); none of them may be flagged.
HONEST = {
    "full": (answers(ex0_1=None, ex0_2=None), 3),
    "partial": (answers(ex0_1=None), 1),
    "blank": (answers(), 0),
    "warns_on_stderr": (answers(ex0_1="import sys, warnings\ndef grad_of_square(x):\n"
                                      "    warnings.warn('about to differentiate')\n"
                                      "    print('debug: x =', x, file=sys.stderr)\n    return 2.0 * float(x)",
                                ex0_2=None), 3),
    "deleted_test_cell": (mutate(_delete("ex0_1_tests"), ex0_1=None, ex0_2=None), 3),
    "duplicated_test_cell": (mutate(_duplicate("ex0_2_tests"), ex0_1=None, ex0_2=None), 3),
    "helper_cell_added": (mutate(lambda cells: cells.insert(_cell(cells, "ex0_1"), nbformat.v4.new_code_cell(
        "def twice(v):\n    return 2.0 * v")), ex0_1="def grad_of_square(x):\n    return twice(float(x))"), 1),
}
