"""Tamper detection that does not trust the student's kernel: a static scan of the student's code.

The grader reads the code of every cell the student wrote (answer cells and added cells) here, outside
the sandbox, and names what an honest answer never needs: assigning to attributes of torch, numpy,
math, builtins, sys, IPython or autograder (monkeypatching); setattr/delattr on them; reaching for the
kernel's machinery (get_ipython, the input history In/_ih, frames, gc, ctypes, audit hooks, signals,
threads, subprocesses, os._exit); running code built from strings (exec, eval, compile, __import__,
importlib); comparison or arithmetic dunders that return a constant (rigged `__eq__`); opening files
outside the notebook's folder. Each hit becomes a flag reason. The sandbox and the runtime probe
(probe.py) are the other layers.
"""
from __future__ import annotations

import ast
import re

PROTECTED = {"torch", "numpy", "math", "builtins", "sys", "IPython", "autograder", "ipykernel", "operator",
             "random", "unittest", "nbgrader"}
DANGEROUS_NAMES = {
    "get_ipython": "reaches into the IPython kernel (get_ipython)",
    "In": "reads the input history (In), where hidden tests are",
    "_ih": "reads the input history (_ih), where hidden tests are",
    "_i": "reads the input history (_i)",
    "exec": "runs code built from strings (exec)",
    "eval": "runs code built from strings (eval)",
    "compile": "compiles code from strings (compile)",
    "__import__": "imports modules dynamically (__import__)",
    "__builtins__": "touches __builtins__",
    "globals": "rewrites globals()",
    "vars": "reads or rewrites namespaces with vars()",
}
DANGEROUS_MODULES = {
    "ctypes": "uses ctypes (raw memory access)", "gc": "walks the garbage collector's objects (gc)",
    "importlib": "imports or reloads modules dynamically (importlib)", "signal": "installs signal handlers",
    "threading": "starts threads", "multiprocessing": "starts processes", "subprocess": "starts processes",
    "atexit": "registers exit hooks", "inspect": "inspects frames (inspect)", "pty": "opens terminals",
    "socket": "opens network sockets", "IPython": "imports IPython's machinery",
    "ipykernel": "imports the kernel's machinery", "builtins": "imports builtins",
    "sqlite3": "opens databases (the gradebook?)", "shutil": "copies or removes files",
}
DANGEROUS_ATTRS = {
    "_exit": "ends the kernel (os._exit)",
    "kill": "sends signals",
    "fork": "forks the process",
    "system": "runs shell commands",
    "popen": "runs shell commands",
    "excepthook": "replaces sys.excepthook",
    "settrace": "installs a tracer",
    "setprofile": "installs a profiler",
    "addaudithook": "installs an audit hook",
    "_getframe": "reads interpreter frames",
    "f_back": "reads interpreter frames",
    "f_globals": "reads interpreter frames",
    "f_locals": "reads interpreter frames",
    "__globals__": "reads a function's globals",
    "__code__": "rewrites code objects",
    "__subclasses__": "walks class hierarchies (__subclasses__)",
    "showtraceback": "touches IPython's error display",
    "run_cell": "touches IPython's cell runner",
    "input_transformers_cleanup": "rewrites cells before they run",
    "input_transformers_post": "rewrites cells before they run",
    "ast_transformers": "rewrites cells before they run",
    "events": "hooks IPython's events",
    "user_ns": "reads the kernel's namespace",
    "register_magic_function": "adds magics",
}
RIGGABLE_DUNDERS = {
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__bool__",
    "__sub__",
    "__rsub__",
    "__abs__",
    "__float__",
    "__len__",
    "__contains__",
    "__instancecheck__",
    "__subclasscheck__",
    "__array_function__",
    "__torch_function__",
}


def _root_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - ast.unparse handles every expression
        return "?"


def _constant_body(func) -> bool:
    """A function whose body only returns a constant (or a lambda returning one)."""
    if isinstance(func, ast.Lambda):
        return isinstance(func.body, ast.Constant)
    body = [s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Constant)


def _parseable(code: str) -> str:
    """IPython magics and shell escapes are not Python: blank them (a `!` line is reported apart)."""
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


class _Scanner(ast.NodeVisitor):
    def __init__(self, aliases: set[str]):
        self.aliases = aliases
        self.hits: list[str] = []

    def hit(self, text: str):
        if text not in self.hits:
            self.hits.append(text)

    def _protected(self, target) -> bool:
        return _root_name(target) in self.aliases

    def _check_target(self, target):
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._check_target(t)
        elif isinstance(target, (ast.Attribute, ast.Subscript)) and self._protected(target):
            self.hit(f"monkeypatches {_dotted(target)}")

    def visit_Assign(self, node):
        for t in node.targets:
            self._check_target(t)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self._check_target(t)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in ("setattr", "delattr") and node.args and self._protected(node.args[0]):
            self.hit(f"monkeypatches {_dotted(node.args[0])} with {name}()")
        if (
            name == "open"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _outside(node.args[0].value)
        ):
            self.hit(f"opens a file outside its folder ({node.args[0].value})")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and re.search(r"(^|/)\.\.(/|$)|gradebook\.db|/source/", node.value):
            self.hit(f"refers to a path outside its folder ({node.value[:60]})")

    def visit_Name(self, node):
        if node.id in DANGEROUS_NAMES:
            self.hit(DANGEROUS_NAMES[node.id])

    def visit_Attribute(self, node):
        if node.attr in DANGEROUS_ATTRS:
            self.hit(f"{DANGEROUS_ATTRS[node.attr]} ({_dotted(node)})")
        if node.attr == "modules" and _root_name(node) == "sys":
            self.hit("touches sys.modules")
        self.generic_visit(node)

    def _import(self, module: str):
        top = module.split(".")[0]
        if top in DANGEROUS_MODULES:
            self.hit(DANGEROUS_MODULES[top])

    def visit_Import(self, node):
        for alias in node.names:
            self._import(alias.name)

    def visit_ImportFrom(self, node):
        self._import(node.module or "")
        if (node.module or "").split(".")[0] in ("os", "sys"):
            for alias in node.names:
                if alias.name in DANGEROUS_ATTRS:
                    self.hit(f"{DANGEROUS_ATTRS[alias.name]} ({node.module}.{alias.name})")

    def visit_ClassDef(self, node):
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in RIGGABLE_DUNDERS and _constant_body(item):
                self.hit(f"class {node.name} defines {item.name} that always returns a constant (rigged comparison)")
            if isinstance(item, ast.Assign) and isinstance(item.value, ast.Lambda) and _constant_body(item.value):
                for t in item.targets:
                    if isinstance(t, ast.Name) and t.id in RIGGABLE_DUNDERS:
                        self.hit(f"class {node.name} defines {t.id} that always returns a constant (rigged comparison)")
        self.generic_visit(node)


def _outside(path: str) -> bool:
    return path.startswith("/") or path.startswith("~") or ".." in path.replace("\\", "/").split("/")


def _aliases(trees) -> set[str]:
    """Names bound to protected modules anywhere in the student's code (import numpy as np -> np)."""
    names = set(PROTECTED) | {"np"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] in PROTECTED:
                        names.add(a.asname or a.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PROTECTED:
                for a in node.names:
                    names.add(a.asname or a.name)
    return names


TOO_DEEP = "code nested too deeply for the scan to read"


def scan(cells: list[tuple[str, str]]) -> list[str]:
    """Flag reasons for the student's code: `cells` are (label, source) pairs, e.g. ("ex1_1", code)."""
    parsed, reasons = [], []
    for label, code in cells:
        if any(line.lstrip().startswith("!") for line in code.splitlines()):
            reasons.append(f"{label}: runs shell commands (!)")
        try:
            parsed.append((label, ast.parse(_parseable(code))))
        except SyntaxError:
            continue  # it fails when it runs; nothing to flag
        except (RecursionError, MemoryError):  # e.g. 5,000 nested parentheses: the scan cannot read it
            reasons.append(f"{label}: {TOO_DEEP}")
    aliases = _aliases(tree for _, tree in parsed)
    for label, tree in parsed:
        scanner = _Scanner(aliases)
        try:
            scanner.visit(tree)
        except RecursionError:  # `x = ------...1` with 600 minus signs runs, but is deeper than the scan goes
            scanner.hit(TOO_DEEP)
        reasons += [f"{label}: {hit}" for hit in scanner.hits]
    return reasons
