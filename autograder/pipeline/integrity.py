"""Tamper detection that does not trust the student's kernel: a static scan of the student's code.

The grader reads the code of every cell the student wrote (answer cells and added cells) here, outside
the sandbox, and names what an honest answer never needs: assigning to attributes of torch, numpy,
math, builtins, sys, IPython or autograder (monkeypatching); setattr/delattr on them; reaching for the
kernel's machinery (get_ipython, the input history In/_ih, frames, gc, ctypes, audit hooks, signals,
threads, subprocesses, os._exit); running code built from strings (exec, eval, compile, __import__,
importlib); comparison or arithmetic dunders that return a constant (rigged `__eq__`); opening files
outside the notebook's folder. Each hit becomes a flag reason, "CELL: MESSAGE" or "CELL: MESSAGE (DETAIL)",
kept whole in the submission's autograder.json. The sandbox and the runtime probe (probe.py) are the
other layers.

What the instructor reads of a submission's reasons is ``summarize``: one line per kind, with its cells,
translated (--lang zh), short even when a notebook of 26 added cells gives 140 reasons.
"""
from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

from ..i18n import N_, _
from .ui import plural

PROTECTED = {"torch", "numpy", "math", "builtins", "sys", "IPython", "autograder", "ipykernel", "operator",
             "random", "unittest", "nbgrader"}
DANGEROUS_NAMES = {
    "get_ipython": N_("reaches into the IPython kernel (get_ipython)"),
    "In": N_("reads the input history (In), where hidden tests are"),
    "_ih": N_("reads the input history (_ih), where hidden tests are"),
    "_i": N_("reads the input history (_i)"),
    "exec": N_("runs code built from strings (exec)"),
    "eval": N_("runs code built from strings (eval)"),
    "compile": N_("compiles code from strings (compile)"),
    "__import__": N_("imports modules dynamically (__import__)"),
    "__builtins__": N_("touches __builtins__"),
    "globals": N_("rewrites globals()"),
    "vars": N_("reads or rewrites namespaces with vars()"),
}
DANGEROUS_MODULES = {
    "ctypes": N_("uses ctypes (raw memory access)"), "gc": N_("walks the garbage collector's objects (gc)"),
    "importlib": N_("imports or reloads modules dynamically (importlib)"), "signal": N_("installs signal handlers"),
    "threading": N_("starts threads"), "multiprocessing": N_("starts processes"), "subprocess": N_("starts processes"),
    "atexit": N_("registers exit hooks"), "inspect": N_("inspects frames (inspect)"), "pty": N_("opens terminals"),
    "socket": N_("opens network sockets"), "IPython": N_("imports IPython's machinery"),
    "ipykernel": N_("imports the kernel's machinery"), "builtins": N_("imports builtins"),
    "sqlite3": N_("opens databases (the gradebook?)"), "shutil": N_("copies or removes files"),
}
DANGEROUS_ATTRS = {
    "_exit": N_("ends the kernel"),
    "kill": N_("sends signals"),
    "fork": N_("forks the process"),
    "system": N_("runs shell commands"),
    "popen": N_("runs shell commands"),
    "excepthook": N_("replaces sys.excepthook"),
    "settrace": N_("installs a tracer"),
    "setprofile": N_("installs a profiler"),
    "addaudithook": N_("installs an audit hook"),
    "_getframe": N_("reads interpreter frames"),
    "f_back": N_("reads interpreter frames"),
    "f_globals": N_("reads interpreter frames"),
    "f_locals": N_("reads interpreter frames"),
    "__globals__": N_("reads a function's globals"),
    "__code__": N_("rewrites code objects"),
    "__subclasses__": N_("walks class hierarchies (__subclasses__)"),
    "showtraceback": N_("touches IPython's error display"),
    "run_cell": N_("touches IPython's cell runner"),
    "input_transformers_cleanup": N_("rewrites cells before they run"),
    "input_transformers_post": N_("rewrites cells before they run"),
    "ast_transformers": N_("rewrites cells before they run"),
    "events": N_("hooks IPython's events"),
    "user_ns": N_("reads the kernel's namespace"),
    "register_magic_function": N_("adds magics"),
}
# What the scan says with a detail: "MESSAGE (DETAIL)" (the detail is code or a path, never translated)
MONKEYPATCHES = N_("monkeypatches a library")
OPENS_OUTSIDE = N_("opens a file outside its folder")
REFERS_OUTSIDE = N_("refers to a path outside its folder")
RIGGED = N_("rigs comparisons: a method that always returns a constant")
SYS_MODULES = N_("touches sys.modules")
SHELL_ESCAPE = N_("runs shell commands (!)")


def detailed(message: str, detail: str) -> str:
    """A reason with its detail, 'monkeypatches a library (torch.allclose)': one wording that
    ``summarize`` reads back, whatever the detail."""
    return f"{message} ({detail})"


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
            self.hit(detailed(MONKEYPATCHES, _dotted(target)))

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
            self.hit(detailed(MONKEYPATCHES, f"{name}() on {_dotted(node.args[0])}"))
        if (
            name == "open"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _outside(node.args[0].value)
        ):
            self.hit(detailed(OPENS_OUTSIDE, node.args[0].value[:60]))
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and re.search(r"(^|/)\.\.(/|$)|gradebook\.db|/source/", node.value):
            self.hit(detailed(REFERS_OUTSIDE, node.value[:60]))

    def visit_Name(self, node):
        if node.id in DANGEROUS_NAMES:
            self.hit(DANGEROUS_NAMES[node.id])

    def visit_Attribute(self, node):
        if node.attr in DANGEROUS_ATTRS:
            self.hit(detailed(DANGEROUS_ATTRS[node.attr], _dotted(node)))
        if node.attr == "modules" and _root_name(node) == "sys":
            self.hit(SYS_MODULES)
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
                    self.hit(detailed(DANGEROUS_ATTRS[alias.name], f"{node.module}.{alias.name}"))

    def visit_ClassDef(self, node):
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in RIGGABLE_DUNDERS and _constant_body(item):
                self.hit(detailed(RIGGED, f"{node.name}.{item.name}"))
            if isinstance(item, ast.Assign) and isinstance(item.value, ast.Lambda) and _constant_body(item.value):
                for t in item.targets:
                    if isinstance(t, ast.Name) and t.id in RIGGABLE_DUNDERS:
                        self.hit(detailed(RIGGED, f"{node.name}.{t.id}"))
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


TOO_DEEP = N_("code nested too deeply for the scan to read")


def scan(cells: list[tuple[str, str]]) -> list[str]:
    """Flag reasons for the student's code: `cells` are (label, source) pairs, e.g. ("ex1_1", code)."""
    parsed, reasons = [], []
    for label, code in cells:
        if any(line.lstrip().startswith("!") for line in code.splitlines()):
            reasons.append(f"{label}: {SHELL_ESCAPE}")
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


# ------------------------------------------------------------ flag reasons, as the instructor reads them
#
# A submission's reasons are kept whole in its autograder.json: one per cell and finding (a solution
# with 26 added cells had 140, 10,738 characters). What the instructor reads (grade's summary, release's
# check, report, export's flag_reasons) is ``summarize``: one line per kind of reason, with the cells
# where it occurs and a few of its details, in the instructor's language.

MAX_LINES = 10      # lines of one submission's summary, the "… and N other kinds" line included
MAX_CHARS = 600     # characters of one submission's summary (about)
LINE_CHARS = 200    # characters of one line
# (details, cells) named per kind: "../a, ../b, ../c and 22 more", "ex1_1, added cells 3, 5, 7 … (25 cells)";
# fewer when the summary would be too long with as many
NAMED = ((3, 4), (2, 2), (1, 1))
DETAIL_CHARS = 40   # characters of one detail shown

_LABELLED = re.compile(r"(?P<label>added cell \d+|[\w.-]+): (?P<rest>.+)", re.S)   # the scan's "ex1_1: ..."
_AFTER = re.compile(r"(?P<rest>.+) \(after (?P<labels>[^()]*)\)", re.S)             # the probe's "... (after ex1_1)"
_ADDED = re.compile(r"added cell (\d+)")

# The reasons worded by grade.py and by the kernel's probe (autograder/kernel/probe.py, read by grade.py):
# how to read their kind and detail
PROBE_MESSAGES = (
    N_("the grader's probe could not start in the kernel"),
    N_("the grader's probe was silenced (cell runner or output tampered)"),
    N_("the grader's probe output was forged"),
    N_("sys.addaudithook was called"),
)
WORDED_BY_GRADE = (
    (re.compile(r"missing notebook (?P<detail>.+)", re.S), N_("missing notebook")),
    (re.compile(r"(?P<notebook>.+?\.ipynb) is not a valid notebook \((?P<why>.*)\)", re.S),
     N_("not a valid notebook")),
    (re.compile(r"the grader failed on this submission: (?P<detail>.*)", re.S),
     N_("the grader failed on this submission")),
    (re.compile(r"(?P<detail>.+) was replaced \(monkeypatching\)", re.S),
     N_("replaced while the notebook ran (monkeypatching)")),
    (re.compile(r"(?P<detail>.+)\.__code__ was reassigned", re.S), N_("a library function's code was reassigned")),
    # the scan's own wording in results graded by an older version
    (re.compile(r"monkeypatches (?P<detail>.+)", re.S), MONKEYPATCHES),
    (re.compile(r"class (?P<cls>\S+) defines (?P<method>\S+) that always returns a constant \(rigged comparison\)"),
     RIGGED),
)
PLAIN = frozenset([*DANGEROUS_NAMES.values(), *DANGEROUS_MODULES.values(), SYS_MODULES, SHELL_ESCAPE, TOO_DEEP,
                   *PROBE_MESSAGES])
WITH_DETAIL = sorted({MONKEYPATCHES, OPENS_OUTSIDE, REFERS_OUTSIDE, RIGGED, *DANGEROUS_ATTRS.values()},
                     key=len, reverse=True)  # the longest first: "runs shell commands" after its longer kin


@dataclass
class Reason:
    """One stored reason, read back: its kind (a message of the catalog, or the reason itself when it
    is none of those), its detail, the cells it names, and whether they are cells it ran after."""

    kind: str
    detail: str | None = None
    cells: list[str] = field(default_factory=list)
    after: bool = False
    more_cells: bool = False   # the probe named only the first few cells ("...")


def read_reason(reason: str) -> Reason:
    """What kind of reason ``reason`` is, and where: 'ex1_1: walks the garbage collector's objects (gc)'
    -> kind "walks the garbage collector's objects (gc)", cells ['ex1_1']."""
    labelled, after = _LABELLED.fullmatch(reason), _AFTER.fullmatch(reason)
    if labelled:
        found = _kind(labelled["rest"])
        found.cells = [labelled["label"]]
    elif after:
        found = _kind(after["rest"])
        named = [c.strip() for c in after["labels"].split(",") if c.strip()]
        found.cells, found.after = [c for c in named if c != "..."], True
        found.more_cells = "..." in named
    else:
        found = _kind(reason)
    return found


def _kind(text: str) -> Reason:
    if text in PLAIN:
        return Reason(text)
    for message in WITH_DETAIL:
        if text.startswith(message + " (") and text.endswith(")"):
            return Reason(message, text[len(message) + 2:-1])
    for pattern, kind in WORDED_BY_GRADE:
        match = pattern.fullmatch(text)
        if match:
            return Reason(kind, ": ".join(v for v in match.groupdict().values() if v))
    return Reason(text)


@dataclass
class _Kind:
    """The reasons of one kind in a submission: their distinct details and cells."""

    kind: str
    after: bool
    details: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    more_cells: bool = False

    def add(self, reason: Reason) -> None:
        if reason.detail is not None and reason.detail not in self.details:
            self.details.append(reason.detail)
        self.cells += [c for c in reason.cells if c not in self.cells]
        self.more_cells |= reason.more_cells

    def line(self, examples: int, places: int, previous: _Kind | None = None) -> str:
        """'opens a file outside its folder (../a and 2 more): added cells 3, 5 … (25 cells)' ('the
        same 25 cells' when they are those of the line before)."""
        text = _(self.kind)
        if self.details:
            text = _("{reason} ({details})").format(reason=text, details=_examples(self.details, examples))
        if len(self.cells) > places and previous is not None and (previous.cells, previous.after) == (
                self.cells, self.after):
            places = _("the same {cells}").format(cells=plural(len(self.cells), N_("{n} cell"), N_("{n} cells")))
        else:
            places = _places(self.cells, self.more_cells, places)
        if places:
            text = _("{reason}: {cells}").format(
                reason=text, cells=_("after {cells}").format(cells=places) if self.after else places)
        return text


def summarize(reasons: list[str]) -> list[str]:
    """One line per kind of reason, in the current language, at most MAX_LINES lines and about
    MAX_CHARS characters in all: "walks the garbage collector's objects (gc): added cells 3, 5, 7, 9 …
    (25 cells)". Nothing is dropped silently: a last line counts the kinds left out, which the
    submission's autograder.json keeps in full."""
    kinds: dict[tuple[str, bool], _Kind] = {}
    for reason in map(read_reason, reasons):
        kinds.setdefault((reason.kind, reason.after), _Kind(reason.kind, reason.after)).add(reason)
    found = list(kinds.values())
    for examples, places in NAMED:
        lines = [textwrap.shorten(kind.line(examples, places, previous), LINE_CHARS, placeholder=" …")
                 for kind, previous in zip(found, [None, *found])]
        if len(lines) <= MAX_LINES and sum(map(len, lines)) <= MAX_CHARS:
            return lines
    return _first(lines)


def _examples(details: list[str], count: int) -> str:
    """'../a, ../b, ../c and 22 more': the first ``count`` details, each shortened."""
    shown = ", ".join(d if len(d) <= DETAIL_CHARS else d[:DETAIL_CHARS - 1] + "…" for d in details[:count])
    if len(details) <= count:
        return shown
    return _("{examples} and {n} more").format(examples=shown, n=len(details) - count)


def _places(cells: list[str], more: bool, count: int) -> str:
    """'ex1_1, added cells 3, 5, 7 … (25 cells)': the first ``count`` cells, and how many in all."""
    added = [m[1] for m in map(_ADDED.fullmatch, cells) if m]
    named = [c for c in cells if not _ADDED.fullmatch(c)][:count]
    numbers = added[:count - len(named)]
    if numbers:
        added_cells = _("added cell {numbers}") if len(added) == 1 else _("added cells {numbers}")
        named.append(added_cells.format(numbers=", ".join(numbers)))
    text = ", ".join(named)
    if len(cells) > count:
        return text + " … (" + plural(len(cells), N_("{n} cell"), N_("{n} cells")) + ")"
    return text + (" …" if more else "")


def _first(lines: list[str]) -> list[str]:
    """The first lines that fit in MAX_LINES and MAX_CHARS, and a line that counts the others."""
    kept: list[str] = []
    for line in lines:
        if kept and (len(kept) == MAX_LINES - 1 or sum(map(len, kept)) + len(line) > MAX_CHARS - 80):
            break
        kept.append(line)
    rest = plural(len(lines) - len(kept), N_("{n} other kind of reason"), N_("{n} other kinds of reason"))
    return kept + [_("… and {reasons} (all in the submission's autograder.json)").format(reasons=rest)]
