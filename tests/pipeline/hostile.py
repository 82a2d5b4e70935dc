"""Hostile, broken and honest submissions for the tiny course of autograder.pipeline.demo.

The tiny course: ex0_1 `grad_of_square` (1 point), ex0_2 `scaled_sum_grad` (2 points), ex0_3
`grad_by_hand` (1 point, do-it-yourself: graded a second time without torch). Every forgery below pairs
an attack with real work; it must score EXACTLY what its real work earns (the judge decides outside the
kernel, so the attack changes nothing), and honest students exactly their marks. Entries:

    name -> (builder, exact score, expected event or None)

Builders take (source notebook, release notebook) and return the file's text; ``answers(...)`` fills
answer cells (None = the solution, a string = that code, missing = blank).
"""
from __future__ import annotations

import json

import nbformat

from autograder.cells import grade_id
from autograder.pipeline.demo import student_notebook


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


def _metadata(gid, nbgrader):
    def change(cells):
        cells[_cell(cells, gid)].metadata["nbgrader"] = nbgrader
    return change


def _points(gid, points):
    def change(cells):
        cells[_cell(cells, gid)].metadata.nbgrader["points"] = points
    return change


def _added_cell(before_gid, code):
    return lambda cells: cells.insert(_cell(cells, before_gid), nbformat.v4.new_code_cell(code))


WRONG_1 = "def grad_of_square(x):\n    return float(x)"
WRONG_2 = "def scaled_sum_grad(w, c):\n    return w"
RIGHT_1 = "def grad_of_square(x):\n    return 2.0 * float(x)"

# An answer cell may hold any code: these are the attacks, each followed by the real (wrong) work.
FORGED_REPLY = """
import builtins, types, json
from IPython.display import display
_real_import = builtins.__import__
def _fake_serve(exercise_id, token, payload):
    n = len(json.loads(payload))
    result = {"kind": "number", "type": "float", "value": 0.0}
    display({"application/x-autograder-reply": json.dumps({"token": token, "results": [{"result": result}] * n})},
            raw=True)
_fake = types.SimpleNamespace(serve=_fake_serve)
def _import(name, *args, **kwargs):
    if name.startswith("autograder"):
        return types.SimpleNamespace(kernel=types.SimpleNamespace(harness=_fake),
                                     exercises=_real_import("autograder.exercises"))
    return _real_import(name, *args, **kwargs)
print.__self__.__import__ = _import
"""
# A forged reply whose number no float can hold: the judge must fail the check, not stop on it.
FORGED_HUGE_REPLY = FORGED_REPLY.replace('"value": 0.0', '"value": 10**400')
assert FORGED_HUGE_REPLY != FORGED_REPLY
# Messages that nbclient cannot take: display data that no notebook can hold, and an update without a
# display id (the kernel cannot be blamed for either, the cell can).
INVALID_DISPLAY = "get_ipython().display_pub.publish(data={'text/plain': 5})\n"
BROKEN_MESSAGE = ("k = get_ipython().kernel\nk.session.send(k.iopub_socket, 'update_display_data', "
                  "{'data': {}, 'metadata': {}, 'transient': 5}, parent=k.get_parent())\n")
# The probe after each test cell prints its report with the run's token; the kernel can replace it.
FORGED_PROBE = ("import sys\nsys.modules['autograder.kernel.probe'].report = "
                "lambda label, token: print('AUTOGRADER-PROBE', token, label, '[1]')\n")
CUSTOM_EXC = """
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
"""
TRANSFORM_PASS = "type(get_ipython()).transform_cell = lambda self, cell: 'pass\\n'\n"
SWAP_CODE = """
import autograder.exercises.demo as demo, autograder.exercises.base as base
base.Exercise.judge.__code__ = (lambda self, case, got_data, want_data: None).__code__
demo.GradOfSquare.compare.__func__.__code__ = (lambda self, case, got, want: None).__code__
"""
POISON_TORCH = """
import torch
torch.Tensor.backward = lambda self, *args, **kwargs: None
torch.autograd.grad = lambda *args, **kwargs: (torch.zeros(()),)
"""
POISON_MINIGRAD = "import minigrad\nminigrad.Tensor.backward = lambda self, *a, **k: None\n"
UNPARSEABLE = '_ = %time exec("import autograder.exercises.base as b; b.Exercise.judge = lambda *a, **k: None")\n'
DISPLAYHOOK = "import sys\nsys.displayhook('1')\n"
LEAK_HIDDEN = """
import linecache, sys
seen = "\\n".join("".join(lines[2]) for lines in linecache.cache.values() if len(lines) > 2)
print("LEAK:", seen[-4000:], "\\n".join(str(v) for v in globals().get("In", [])[-5:]))
"""
READ_SOURCE = """
import os, autograder
repo = os.path.dirname(os.path.dirname(autograder.__file__))
for path in ["../../source/00_demo/00_demo.ipynb", "../source/00_demo/00_demo.ipynb",
             os.path.join(repo, "course", "source", "00_demo", "00_demo.ipynb"), os.path.join(repo, "gradebook.db")]:
    try:
        print("LEAK:", open(path).read()[:2000])
    except OSError as error:
        print("not readable:", path, type(error).__name__)
"""
FIND_GRADEBOOK = """
import os, sqlite3, autograder
repo = os.path.dirname(os.path.dirname(autograder.__file__))
for path in ["../../gradebook.db", os.path.join(repo, "course", "gradebook.db"), "/tmp/gradebook.db"]:
    try:
        sqlite3.connect(f"file:{path}?mode=rw", uri=True).execute("delete from grade")
        print("DELETED GRADES in", path)
    except sqlite3.Error as error:
        print("no gradebook at", path, error)
"""
EVIL_HTML = """
from IPython.display import display, HTML, Javascript, SVG
class Evil:
    def _repr_html_(self):
        return "<script>fetch('/api/contents/source')</script><img src=x onerror=alert('EVIL1')><b>hi</b>"
display(Evil())
display(HTML("<a href=\\"javascript:alert('EVIL2')\\">click</a>"))
display(Javascript("alert('EVIL3')"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg'><script>alert('EVIL4')</script><circle r='3'/></svg>"))
"""
SELF_MADE_TORCH = """
import torch
def grad_by_hand(x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (t * t.sin()).backward()
    return t.grad.item()
"""
SELF_MADE_REFERENCE = """
from autograder.exercises.demo import check_ex0_3
def grad_by_hand(x):
    return check_ex0_3.reference({"x": x})["result"]["value"]
"""
SHM_BOMB = """
written = 0
try:
    with open("/dev/shm/bomb", "wb") as f:
        for _ in range(5 * 1024):
            f.write(bytes(1 << 20))
            written += 1
except OSError as error:
    print("stopped:", error)
print("MB written to /dev/shm:", written)
"""
DISK_BOMB = SHM_BOMB.replace("/dev/shm/bomb", "bomb.bin").replace("to /dev/shm", "to the working folder")
FORK_BOMB = """
import os
children = 0
for _ in range(200):
    try:
        pid = os.fork()
    except OSError as error:
        print("fork refused:", error)
        break
    if pid == 0:
        import time
        time.sleep(3)
        os._exit(0)
    children += 1
print("processes started:", children)
"""

HOSTILE = {
    "patch_torch_allclose": (answers(ex0_2="import torch\ntorch.allclose = lambda *a, **k: True\n" + WRONG_2), 0, None),
    "patch_numpy": (answers(ex0_2="import numpy as np\nnp.allclose = lambda *a, **k: True\n" + WRONG_2), 0, None),
    "patch_math": (answers(ex0_1="import math\nmath.isclose = lambda *a, **k: True\n" + WRONG_1), 0, None),
    "patch_exercise_checks": (
        answers(
            ex0_2="import autograder.exercises.base as b\nb.Exercise.judge = lambda *a, **k: None\n" + WRONG_2,
            ex0_1=None,
        ),
        1,
        None,
    ),
    "forged_reply_via_import_hook": (answers(ex0_1=FORGED_REPLY + WRONG_1, ex0_2=WRONG_2), 0, None),
    "too_deep_for_the_scan": (answers(ex0_1="x = " + "-" * 600 + "1\n" + WRONG_1, ex0_2=WRONG_2), 0, None),
    "forged_probe_report": (answers(ex0_1=FORGED_PROBE + WRONG_1, ex0_2=WRONG_2), 0, None),
    "forged_reply_that_overflows": (answers(ex0_1=FORGED_HUGE_REPLY + WRONG_1, ex0_2=WRONG_2), 0, None),
    "invalid_display_data": (answers(ex0_1=None, ex0_2=INVALID_DISPLAY + WRONG_2, ex0_3=None), 2, None),
    "broken_iopub_message": (answers(ex0_1=None, ex0_2=BROKEN_MESSAGE + WRONG_2, ex0_3=None), 1, "invalid messages"),
    "custom_exc_and_post_run_cell": (answers(ex0_1=CUSTOM_EXC + WRONG_1, ex0_2=WRONG_2), 0, None),
    "transform_cell_to_pass": (answers(ex0_1=None, ex0_2=TRANSFORM_PASS + WRONG_2), 1, None),
    "swap_check_code": (answers(ex0_1=SWAP_CODE + WRONG_1), 0, None),
    "poison_torch_engine": (answers(ex0_1=POISON_TORCH + WRONG_1, ex0_2=WRONG_2), 0, None),
    "poison_minigrad_backward": (answers(ex0_2=POISON_MINIGRAD + WRONG_2, ex0_3=None), 1, None),
    "unparseable_cell": (answers(ex0_1=UNPARSEABLE + WRONG_1), 0, None),
    "displayhook_before_failure": (answers(ex0_1=DISPLAYHOOK + WRONG_1), 0, None),
    "rigged_eq_float": (
        answers(
            ex0_1="class Always(float):\n    def __eq__(self, other):\n        return True\n"
            "def grad_of_square(x):\n    return Always(0.0)"
        ),
        0,
        None,
    ),
    "rigged_tensor_subclass": (
        answers(
            ex0_2="import torch\nclass T(torch.Tensor):\n    def __eq__(self, other):\n"
            "        return True\ndef scaled_sum_grad(w, c):\n    return T(w.shape)"
        ),
        0,
        None,
    ),
    "leaks_what_the_kernel_saw": (answers(ex0_1=RIGHT_1 + "\n" + LEAK_HIDDEN, ex0_2=None), 3, None),
    "reads_course_files": (answers(ex0_1=RIGHT_1 + "\n" + READ_SOURCE), 1, None),
    "evil_html_and_js": (answers(ex0_1=RIGHT_1 + "\n" + EVIL_HTML), 1, None),
    "self_made_with_torch": (answers(ex0_1=None, ex0_3=SELF_MADE_TORCH), 1, None),
    "self_made_with_the_reference": (answers(ex0_1=None, ex0_3=SELF_MADE_REFERENCE), 1, None),
    "write_gradebook": (answers(ex0_1=None, ex0_2=FIND_GRADEBOOK + WRONG_2), 1, None),
    "shm_bomb": (answers(ex0_1=None, ex0_2=SHM_BOMB + WRONG_2), 1, None),
    "disk_bomb": (answers(ex0_1=None, ex0_2=DISK_BOMB + WRONG_2), 1, None),
    "fork_bomb": (answers(ex0_1=None, ex0_2=FORK_BOMB + WRONG_2), 1, None),
    "infinite_loop": (answers(ex0_1=None, ex0_2="while True:\n    pass", ex0_3=None), 1, "timeout"),
    "memory_bomb": (
        answers(ex0_1=None, ex0_2="hog = []\nwhile True:\n    hog.append(bytearray(200 << 20))"),
        1,
        "memory limit",
    ),
    "huge_output": (answers(ex0_1=None, ex0_2="while True:\n    print('spam' * 5000)"), 1, "output limit"),
    "background_process": (
        answers(ex0_1="import subprocess\nsubprocess.Popen(['sleep', '4242'])\n" + WRONG_1),
        0,
        None,
    ),
    "os_exit": (answers(ex0_1=None, ex0_2="import os\nos._exit(3)"), 1, "kernel died"),
    "segfault": (answers(ex0_1=None, ex0_2="import ctypes\nctypes.string_at(0)"), 1, "kernel died"),
    "corrupt_json": (lambda source, release: '{"cells": [ {"cell_type": "code", "source": "oops', 0, None),
    "edited_test_cell": (mutate(_edit("ex0_2_tests", "pass"), ex0_2=WRONG_2), 0, None),
    "malformed_grading_metadata": (mutate(_metadata("ex0_2_tests", {"grade_id": ["x"], "points": "all"}),
                                          ex0_1=None, ex0_2=WRONG_2), 1, None),
    "points_inflated": (mutate(_points("ex0_1_tests", 100), ex0_1=None), 1, None),
}

# Honest students: (builder, exact score); none of them may be flagged.
HONEST = {
    "full": (answers(ex0_1=None, ex0_2=None, ex0_3=None), 4),
    "partial": (answers(ex0_1=None), 1),
    "blank": (answers(), 0),
    "other_right_answers": (
        answers(
            ex0_1=RIGHT_1,
            ex0_2="import torch\ndef scaled_sum_grad(w, c):\n    return torch.full_like(w, c)",
            ex0_3="from math import sin, cos\ndef grad_by_hand(x):\n    return x * cos(x) + sin(x)",
        ),
        4,
    ),
    "warns_on_stderr": (
        answers(
            ex0_1="import sys, warnings\ndef grad_of_square(x):\n"
            "    warnings.warn('about to differentiate')\n"
            "    print('debug: x =', x, file=sys.stderr)\n    return 2.0 * float(x)",
            ex0_2=None,
        ),
        3,
    ),
    "deleted_test_cell": (mutate(_delete("ex0_1_tests"), ex0_1=None, ex0_2=None), 3),
    "duplicated_test_cell": (mutate(_duplicate("ex0_2_tests"), ex0_1=None, ex0_2=None), 3),
    "helper_cell_added": (
        mutate(
            _added_cell("ex0_1", "def twice(v):\n    return 2.0 * v"),
            ex0_1="def grad_of_square(x):\n    return twice(float(x))",
        ),
        1,
    ),
    "self_made_with_a_helper_cell": (
        mutate(
            _added_cell("ex0_3", "import math\n\ndef d_sin(x):\n    return math.cos(x)"),
            ex0_3="import math\ndef grad_by_hand(x):\n    return math.sin(x) + x * d_sin(x)",
        ),
        1,
    ),
}
