"""Reading nbgrader cells: which cell is what, and the hidden-test region of a test cell.

One place for it, so that the release, the judge, the restore step and the feedback agree. The
predicates are nbgrader's own (``nbgrader.utils``); hidden regions are found with the delimiters the
course configures for nbgrader's ClearHiddenTests (``BEGIN HIDDEN TESTS`` / ``END HIDDEN TESTS`` unless
``nbgrader_config.py`` says otherwise), line by line as nbgrader itself does.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from nbgrader import utils as nbutils


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def points(cell) -> float:
    return float(cell.get("metadata", {}).get("nbgrader", {}).get("points", 0) or 0)


def is_answer(cell) -> bool:
    """An autograded answer cell (nbgrader "solution" cell holding code the student writes)."""
    return cell.get("cell_type") == "code" and "nbgrader" in cell.get("metadata", {}) and nbutils.is_solution(cell)


def is_test(cell) -> bool:
    """An autograder test cell: a grade cell with code that is not a solution."""
    return (cell.get("cell_type") == "code" and "nbgrader" in cell.get("metadata", {})
            and nbutils.is_grade(cell) and not nbutils.is_solution(cell))


def is_locked(cell) -> bool:
    return "nbgrader" in cell.get("metadata", {}) and nbutils.is_locked(cell)


def exercise_of(test_id: str) -> str:
    """'ex2_1_tests' -> 'ex2_1' (the answer cell's grade_id)."""
    return test_id[: -len("_tests")] if test_id.endswith("_tests") else test_id


@dataclass(frozen=True)
class Delimiters:
    begin: str = "BEGIN HIDDEN TESTS"
    end: str = "END HIDDEN TESTS"

    @classmethod
    def of(cls, config=None) -> "Delimiters":
        """The delimiters an nbgrader ``Config`` sets for ClearHiddenTests (nbgrader's defaults otherwise)."""
        from nbgrader.preprocessors import ClearHiddenTests

        section = ClearHiddenTests(config=config) if config is not None else ClearHiddenTests()
        return cls(section.begin_test_delimeter, section.end_test_delimeter)


class HiddenRegionError(ValueError):
    """A test cell whose hidden region is unbalanced or cannot be read as hidden-case declarations."""


def split_hidden(source: str, delimiters: Delimiters = Delimiters()) -> tuple[str, str]:
    """(the visible part, the hidden part) of a test cell's source, the delimiter lines left out."""
    visible, hidden, inside = [], [], False
    for line in source.split("\n"):
        if delimiters.begin in line:
            if inside:
                raise HiddenRegionError("nested hidden-test regions")
            inside = True
        elif delimiters.end in line:
            if not inside:
                raise HiddenRegionError(f"'{delimiters.end}' without '{delimiters.begin}'")
            inside = False
        else:
            (hidden if inside else visible).append(line)
    if inside:
        raise HiddenRegionError(f"'{delimiters.begin}' is never closed by '{delimiters.end}'")
    return "\n".join(visible), "\n".join(hidden)


def visible_part(source: str, delimiters: Delimiters = Delimiters()) -> str:
    return split_hidden(source, delimiters)[0]


@dataclass(frozen=True)
class HiddenCase:
    """One declaration of a hidden region: ``check.hidden(answer, ..., repeat=N, **params)``."""

    answers: tuple[str, ...]
    params: dict
    repeat: int = 1
    line: int = 0


def hidden_cases(hidden_source: str) -> list[HiddenCase]:
    """The hidden-case declarations of a hidden region, read with ``ast`` (literal arguments only).

    Every statement must be a call ``<name>.hidden(<answer names>, key=literal, ...)``; comments and
    blank lines are allowed. Anything else raises HiddenRegionError naming the line: the judge runs
    nothing of the instructor's hidden code, it only reads these parameters.
    """
    try:
        tree = ast.parse(hidden_source)
    except SyntaxError as error:
        raise HiddenRegionError(f"line {error.lineno}: {error.msg}") from None
    found = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "hidden"):
            raise HiddenRegionError(f"line {statement.lineno}: a hidden region holds only `check.hidden(answer, "
                                    "key=value, ...)` declarations")
        if not all(isinstance(a, ast.Name) for a in call.args):
            raise HiddenRegionError(f"line {statement.lineno}: positional arguments of hidden() must be the "
                                    "names of the student's answers")
        params = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                raise HiddenRegionError(f"line {statement.lineno}: no **kwargs in hidden()")
            try:
                params[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                raise HiddenRegionError(f"line {statement.lineno}: {keyword.arg}= must be a literal "
                                        "(number, string, tuple, list, dict)") from None
        repeat = params.pop("repeat", 1)
        if type(repeat) is not int or repeat < 1:
            raise HiddenRegionError(f"line {statement.lineno}: repeat= must be a positive integer")
        found.append(HiddenCase(tuple(a.id for a in call.args), params, repeat, statement.lineno))
    return found
