"""The grader's runtime probe, run inside the student's kernel (a second line of defence).

The grader runs `install()` in a cell of its own before any student code: it imports the modules the
checks rely on (so they load pristine, from the real package), records which object every public name
of torch, numpy, math, builtins, operator and autograder points to, the methods of torch.Tensor and of
IPython's shell, sys.excepthook and the shell's cell transformers, and adds an audit hook (which Python
never lets code remove) that notes a new ``__code__`` given to a function of torch, numpy or autograder,
and any audit hook added after it. After every test cell the
grader runs `report()`, which prints one line that the grader parses outside the sandbox: the names
that changed (a wrapper around the original, as torch._dynamo installs, does not count). A kernel that
hides that line (a rewritten cell runner, a replaced stdout) is flagged for hiding it. Flags are for the
instructor's review only: the judge decides every grade outside the kernel, whatever the probe says.
"""
from __future__ import annotations

import importlib
import json
import os
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


def _snapshot() -> dict[str, dict[str, object]]:
    """{owner: {name: object}}: what every watched name points to now. Names are joined to their owner
    ("torch.tensor") only when one has changed: report() runs after every test cell."""
    groups: dict[str, dict[str, object]] = {}
    for module in _state["modules"]:
        groups[module.__name__] = {attr: value for attr, value in list(vars(module).items())
                                   if not attr.startswith("__") and callable(value)}
        groups.setdefault("sys", {})[f"modules[{module.__name__}]"] = sys.modules.get(module.__name__)
    groups["builtins"].pop("_", None)  # the shell's last result
    for cls in _state["classes"]:
        groups[f"{cls.__module__}.{cls.__name__}"] = dict(vars(cls))
    shell = _shell()
    if shell is not None:
        instance = vars(shell)
        groups["shell"] = {f"{attr} (instance)": instance.get(attr)
                           for attr in ("run_cell", "run_code", "run_ast_nodes", "showtraceback", "_showtraceback",
                                        "showsyntaxerror", "transform_cell", "ex", "ev")}
        for attr in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
            groups["shell"][attr] = tuple(getattr(shell, attr, []))
    return groups


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
    events = _state["events"]
    libraries = tuple(os.path.dirname(sys.modules[name].__file__) for name in ("torch", "numpy", "autograder")
                      if getattr(sys.modules.get(name), "__file__", None))

    def hook(event, args, libraries=libraries, events=events):
        # Python raises "object.__setattr__" for a function's __code__ (and an object's __class__), not for
        # assignments to a class's attributes: those, the snapshot sees
        if event == "object.__setattr__" and len(args) >= 2 and args[1] == "__code__" and \
                getattr(getattr(args[0], "__code__", None), "co_filename", "").startswith(libraries):
            events.append(f"{getattr(args[0], '__qualname__', '?')}.__code__ was reassigned")
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
    import torch

    code = getattr(func, "__code__", None)
    return code is not None and code.co_filename.startswith(os.path.dirname(torch.__file__))


def report(label: str, token: str) -> None:
    """Print what changed since install(), as one line the grader reads."""
    now = _snapshot()
    changed = []
    for owner, names in _state.get("snapshot", {}).items():
        current = now.get(owner, {})
        for attr, old in names.items():
            value = current.get(attr)
            if value is not old and f"{owner}.{attr}" not in KERNEL_OWNED and not _same(value, old):
                changed.append(f"{owner}.{attr}")
    changed.sort()
    events = list(dict.fromkeys(_state.get("events", [])))
    print(f"{MARKER} {token} {label} " + json.dumps({"changed": changed[:20], "events": events[:20]}))
