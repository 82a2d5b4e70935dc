"""The do-it-yourself run: exercises whose point is to do the work yourself are run a second time
in a sandbox where the tools that would do it for you are not there.

``ex2_1`` asks for derivatives by hand, ``ex2_2`` for your own backward engine, chapter 07 for a whole
engine. An answer that calls torch.autograd, sympy or minigrad's engine passes the first run, so the
judge runs those exercises again in a second, fresh sandbox where

* ``torch`` and ``sympy`` are stand-in packages: importing them works (an unused ``import torch`` at
  the top of a cell costs nothing), any use raises an error that says why;
* ``minigrad`` is either a stand-in too, or (``minigrad.engine``) the real package with its backward
  engine and forward mode replaced by stubs: minigrad's tensors, operations and graph nodes work,
  ``backward()``, ``autograd.grad`` and dual numbers do not.

The real files are not in that sandbox at all (bubblewrap mounts the stand-ins over them), so no code
in the kernel can get them back. The second run executes the answer cells, the cells the student
added and the instructor's cells that only define things (imports, functions, classes), then the
harness for one case of each kind the test cell's hidden region declares, drawn for this grading run,
among those that make sense there (``Exercise.second_run``; ``grade._second_cases`` says why one).
"""
from __future__ import annotations

import ast
import atexit
import copy
import functools
import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path

from .. import cells
from ..exercises.base import ENGINE, SWITCHED_OFF

# minigrad's modules that compute derivatives on their own: stubbed for "minigrad.engine"
ENGINE_MODULES = ("minigrad.autograd.engine", "minigrad.autograd.forward_ad")

# What a stand-in says when used: in English here (one sandbox serves notebooks of both languages); the
# message that shows it to the student translates it (autograder.exercises.base.kernel_text).
_REFUSE = SWITCHED_OFF


def _stand_in_package(name: str) -> str:
    """The __init__.py of a package that imports fine and refuses every use.

    A use fails as a missing attribute (an AttributeError that says why), so that libraries which
    probe for it (``getattr(sys.modules["torch"], "Tensor", None)`` in scipy and scikit-learn) carry on.
    """
    message = _REFUSE.format(what=name)
    return (f'"""A stand-in for {name} in the do-it-yourself grading run (autograder/judge/selfmade.py)."""\n'
            f"__path__ = []\n_MESSAGE = {message!r}\n\n\n"
            "class SwitchedOff(AttributeError):\n"
            f"    \"\"\"{name} is not available in this grading run.\"\"\"\n\n\n"
            "def __getattr__(attribute):\n"
            "    raise SwitchedOff(attribute if attribute.startswith('__') else _MESSAGE)\n")


def _stub_module(module_name: str) -> str:
    """A module with the same names as ``module_name``: functions and classes that refuse to run,
    plain values (flags, dicts of numbers) kept, so that the package around it still imports."""
    module = importlib.import_module(module_name)
    message = _REFUSE.format(what=ENGINE.format(module=module_name))
    lines = [f'"""A stub of {module_name} for the do-it-yourself grading run."""', f"_MESSAGE = {message!r}", "",
             "def _refuse(*args, **kwargs):", "    raise RuntimeError(_MESSAGE)", ""]
    for name, value in sorted(vars(module).items()):
        if name.startswith("__"):
            continue
        if getattr(value, "__module__", module.__name__) != module.__name__ or isinstance(value, types.ModuleType):
            lines.append(f"{name} = {_stand_in_value(value, module)}")  # imported from elsewhere: the real one
        elif isinstance(value, type):
            lines += [f"class {name}:", "    def __init__(self, *args, **kwargs):", "        _refuse()",
                      "    def __enter__(self):", "        _refuse()",
                      "    def __exit__(self, *exc):", "        return False", ""]
        elif callable(value):
            lines.append(f"{name} = _refuse")
        else:
            lines.append(f"{name} = {_stand_in_value(value, module)}")
    return "\n".join(lines) + "\n"


def _literal(value) -> str | None:
    try:
        text = repr(value)
        ast.literal_eval(text)
        return text
    except (ValueError, SyntaxError, RecursionError):
        return None


def _stand_in_value(value, module) -> str:
    """Source for a stub's plain value: a literal as it is; a module, or an object another module of
    the package owns (a shared grad-mode state), imported from there; an object of the stubbed module
    with plain attributes (its own state: forward mode's ``level``), a namespace of those values."""
    if _literal(value) is not None:
        return _literal(value)
    if isinstance(value, types.ModuleType):
        return f"__import__({value.__name__!r}, fromlist=['_'])"
    owner, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", "")
    if owner and owner != module.__name__ and "." not in qualname and "<" not in qualname:
        try:
            if getattr(importlib.import_module(owner), qualname) is value:
                return f"getattr(__import__({owner!r}, fromlist=['_']), {qualname!r})"
        except (ImportError, AttributeError):
            pass
    attributes = {k: v for k, v in vars(type(value)).items() if not k.startswith("__")}
    attributes.update(getattr(value, "__dict__", {}))  # the class's defaults, then the object's own
    fields = {k: _literal(v) for k, v in attributes.items() if not callable(v)}
    if type(value).__module__ == module.__name__ and all(text is not None for text in fields.values()):
        return "__import__('types').SimpleNamespace(" + ", ".join(f"{k}={t}" for k, t in fields.items()) + ")"
    package = module.__name__.split(".")[0]
    for other_name, other in list(sys.modules.items()):
        if other is module or other is None or other_name.split(".")[0] != package:
            continue
        for attribute, candidate in list(vars(other).items()):
            if candidate is value and not attribute.startswith("__"):
                return f"getattr(__import__({other_name!r}, fromlist=['_']), {attribute!r})"
    return "None"


@functools.lru_cache(maxsize=None)
def stand_ins(switches: frozenset) -> dict:
    """{real file or folder: its stand-in} that take ``switches`` ("torch", "sympy", "minigrad",
    "minigrad.engine") away; the sandbox mounts each stand-in over the real one. Cached per process, in a
    folder removed when the process exits."""
    folder = folder_of_this_process("ag-selfmade-")
    replace = {}
    for package in ("torch", "sympy", "minigrad"):
        if package not in switches:
            continue
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        stand_in = folder / package
        stand_in.mkdir()
        (stand_in / "__init__.py").write_text(_stand_in_package(package))
        replace[list(spec.submodule_search_locations)[0]] = stand_in
    if "minigrad.engine" in switches and "minigrad" not in switches:
        for module_name in ENGINE_MODULES:
            spec = importlib.util.find_spec(module_name)
            if spec is None or spec.origin is None:
                continue
            stub = folder / f"{module_name}.py"
            stub.write_text(_stub_module(module_name))
            replace[spec.origin] = stub
    return replace


def folder_of_this_process(prefix: str) -> Path:
    """A new temporary folder, removed when this process exits: by atexit in a process that ends
    normally, by multiprocessing's finalizers in a pool's worker (which ends without atexit hooks).
    Only by this process: one forked from it (a worker, a kernel) inherits the hooks, not the folder."""
    from multiprocessing import util

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    util.Finalize(None, remove, exitpriority=0)
    return folder


def _only_definitions(source: str) -> bool:
    """Does this cell only import and define (functions, classes, constants)? Such cells of the
    instructor's run in the second run; demos and plots do not."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in tree.body:
        if isinstance(node, allowed):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(getattr(node, "value", None), ast.Constant):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # a docstring
            continue
        return False
    return True


def second_notebook(nb, test_ids: set[str]):
    """The cells of the do-it-yourself run: answer cells, the student's own cells, the instructor's
    definition cells, and the test cells in ``test_ids`` (whose code the judge replaces). Copies: the
    notebook's own run may change ``nb`` while this one runs."""
    import nbformat

    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.metadata.get("autograder_probe"):
            continue
        if cells.is_test(cell):
            wanted = cells.grade_id(cell) in test_ids
        else:
            wanted = cells.is_answer(cell) or cells.grade_id(cell) is None or _only_definitions(cell.source)
        if wanted:
            out.cells.append(nbformat.v4.new_code_cell(cell.source, metadata=copy.deepcopy(cell.metadata)))
    return out
