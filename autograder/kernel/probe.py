"""The grader's runtime probe, run inside the student's kernel (a second line of defence).

The grader runs `install()` in a cell of its own before any student code: it imports the modules the
checks rely on (so they load pristine, from the real package), records which object every public name
of torch, numpy, math, builtins, operator and autograder points to, the methods of torch.Tensor and of
IPython's shell, sys.excepthook and the shell's cell transformers, and adds an audit hook (which Python
never lets code remove) that notes attribute writes on protected classes. After every test cell the
grader runs `report()`, which prints one line that the grader parses outside the sandbox: the names
that changed (a wrapper around the original, as torch._dynamo installs, does not count). A kernel that
hides that line (a rewritten cell runner, a replaced stdout) is flagged for hiding it. Flags are for the
instructor's review only: the judge decides every grade outside the kernel, whatever the probe says.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys

MARKER = "AUTOGRADER-PROBE"
_state: dict = {}


def _modules():
    import builtins
    import math
    import operator

    found = [builtins, math, operator]
    for name in ("torch", "torch.nn.functional", "torch.autograd", "torch.testing", "numpy", "numpy.testing",
                 "autograder", "autograder.exercises.base", "autograder.exercises.expect", "autograder.kernel.harness"):
        try:
            found.append(importlib.import_module(name))
        except Exception:
            pass
    try:
        import autograder.exercises as exercises

        for info in pkgutil.iter_modules(exercises.__path__):
            try:
                found.append(importlib.import_module(f"autograder.exercises.{info.name}"))
            except Exception:
                pass
    except Exception:
        pass
    return found


def _classes():
    found = []
    for module, name in (("torch", "Tensor"), ("numpy", "ndarray"),
                         ("IPython.core.interactiveshell", "InteractiveShell")):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except Exception:
            pass
    return found


# Replaced by ipykernel or IPython themselves at every cell: not the student's doing.
KERNEL_OWNED = {"builtins.input", "builtins.raw_input", "builtins.getpass", "sys.excepthook"}


def _snapshot() -> dict[str, object]:
    names: dict[str, object] = {}
    for module in _state["modules"]:
        for attr, value in list(vars(module).items()):
            if attr.startswith("__") or not callable(value) or (module.__name__ == "builtins" and attr == "_"):
                continue
            names[f"{module.__name__}.{attr}"] = value
        names[f"sys.modules[{module.__name__}]"] = sys.modules.get(module.__name__)
    for cls in _state["classes"]:
        for attr, value in list(vars(cls).items()):
            names[f"{cls.__module__}.{cls.__name__}.{attr}"] = value
    shell = _shell()
    if shell is not None:
        for attr in ("run_cell", "run_code", "run_ast_nodes", "showtraceback", "_showtraceback",
                     "showsyntaxerror", "transform_cell", "ex", "ev"):
            names[f"shell.{attr} (instance)"] = vars(shell).get(attr)
        for attr in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
            names[f"shell.{attr}"] = tuple(getattr(shell, attr, []))
    return names


def _shell():
    try:
        from IPython import get_ipython

        return get_ipython()
    except Exception:
        return None


def install() -> None:
    """Take the trusted snapshot. Runs before any student code."""
    _state["modules"] = _modules()
    _state["classes"] = _classes()
    _state["events"] = []
    _state["snapshot"] = _snapshot()
    protected = tuple(_state["classes"])
    events = _state["events"]

    def hook(event, args, protected=protected, events=events):
        if event in ("object.__setattr__", "object.__delattr__") and args and isinstance(args[0], type) \
                and args[0] in protected:
            events.append(f"{args[0].__name__}.{args[1]} was reassigned")
        elif event == "sys.addaudithook":
            events.append(f"{event} was called")

    sys.addaudithook(hook)


def _same(new, old) -> bool:
    """The same object, or a wrapper of it (torch wraps some functions when torch._dynamo loads)."""
    if isinstance(old, tuple):
        return isinstance(new, tuple) and len(new) == len(old) and all(a is b for a, b in zip(new, old))
    for _ in range(5):
        if new is old:
            return True
        if not _library_code(new):
            return False
        new = getattr(new, "__wrapped__", None)
        if new is None:
            return False
    return False


def _library_code(func) -> bool:
    """Was this function written in torch's own files (not in a notebook cell)?"""
    import os

    import torch

    code = getattr(func, "__code__", None)
    return code is not None and code.co_filename.startswith(os.path.dirname(torch.__file__))


def report(label: str, token: str) -> None:
    """Print what changed since install(), as one line the grader reads."""
    now = _snapshot()
    before = _state.get("snapshot", {})
    changed = sorted(name for name, old in before.items()
                     if name not in KERNEL_OWNED and not _same(now.get(name), old))
    events = list(dict.fromkeys(_state.get("events", [])))
    print(f"{MARKER} {token} {label} " + json.dumps({"changed": changed[:20], "events": events[:20]}))
