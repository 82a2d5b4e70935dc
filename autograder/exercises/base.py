"""An exercise: its cases, how to run the student's answer on one, the reference, and the comparison.

Each graded exercise is one :class:`Exercise` subclass in ``autograder/exercises/chNN.py``::

    @register
    class GradsByHand(Exercise):
        chapter, id, names, points = "02_backward", "ex2_1", ("grads_by_hand",), 1
        visible = [dict(x=[2.0, 3.0, 1.0]), ...]           # the cases every student sees

        def case(self, x=None, seed=0, ...):   -> dict      # the inputs, as plain data, from parameters
        def run(self, case, grads_by_hand):    -> dict      # IN THE KERNEL: call the answer, encode results
        def reference(self, case):             -> dict      # TRUSTED: the same results from torch.autograd
        def compare(self, case, got, want):                 # raise CheckFailed (with a hint) if they differ

Where each part runs:

* In the student's notebook, the test cell calls the exercise (``check_ex2_1(grads_by_hand)``): every
  visible case runs in the kernel, results go through the same JSON round trip as for the judge, and a
  ✓ or a message with a hint is printed. This is for learning; it decides nothing.
* When the notebook is graded, the judge (outside the sandbox) reads the test cell's hidden
  declarations (``check_ex2_1.hidden(grads_by_hand, repeat=10, ...)``), draws those cases with fresh
  seeds, and asks the kernel, through ``autograder.kernel.harness``, to ``run`` the visible and hidden
  cases. Only plain data comes back; ``reference`` and ``compare`` run in the judge.

``self_made``: what a second, separate run takes away for exercises whose point is doing the work
yourself (see ``autograder.judge.selfmade``): "torch", "minigrad" (the whole package) or
"minigrad.engine" (its backward engine and forward mode only).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from typing import Any

from ..i18n import N_, _
from . import values
from .expect import CheckFailed, describe
from .values import Value, decode, encode, encode_error, roundtrip

MISSING = object()
_REGISTRY: dict[str, "Exercise"] = {}

# What the do-it-yourself run's stand-ins say when the answer uses them (autograder/judge/selfmade.py writes
# it, in English, into the sandbox; ``kernel_text`` shows it in the language of the message).
SWITCHED_OFF = N_("{what} is switched off while this exercise is graded a second time: its point is to do the "
                  "work yourself, so your answer must not call it. (Your notebook keeps working as usual; only "
                  "this grading run lacks it.)")
ENGINE = N_("minigrad's own backward engine ({module})")
_SWITCHED_OFF = re.compile(re.escape(SWITCHED_OFF).replace(re.escape("{what}"), "(?P<what>.+?)"), re.S)
_ENGINE = re.compile(re.escape(ENGINE).replace(re.escape("{module}"), r"(?P<module>[\w.]+)"))


def kernel_text(message: str) -> str:
    """An error message that the kernel or a stand-in wrote in English (it is data), in the language of the
    message when it is one of ours; the student's own errors and Python's stay as they are."""
    if message == values.UNREADABLE_MESSAGE:
        return _(message)
    switched = _SWITCHED_OFF.fullmatch(message)
    if switched:
        what = switched["what"]
        engine = _ENGINE.fullmatch(what)
        if engine:
            what = _(ENGINE).format(module=engine["module"])
        return _(SWITCHED_OFF).format(what=what)
    return message


def raised_message(label: str, error: dict) -> str:
    """'{label} raised {type}: {message}', with the student's line when the error came from one."""
    keys = dict(label=label, type=error["type"], message=kernel_text(error["message"]))
    if error["where"]:
        return _("{label} raised {type}: {message} (in {function}, line {line}: `{text}`)").format(
            **keys, **error["where"])
    return _("{label} raised {type}: {message}").format(**keys)


def _read(data) -> Value:
    """``decode`` of the kernel's data: data that is not what ``encode`` writes (forged, or mangled by the
    student's code) fails the check, it never stops the grader."""
    try:
        return decode(data)
    except values.BadData as error:
        raise CheckFailed(_("The answer's results could not be read ({error}).").format(error=error)) from None


class Exercise:
    """Base class of the graded exercises (see the module docstring)."""

    chapter: str = ""
    id: str = ""
    names: tuple[str, ...] = ()   # what the answer cell defines; the first is the graded function or class
    title: str = ""               # how tables and verdicts name the exercise (default: the first name)
    points: int = 1
    visible: list[dict] = []
    self_made: tuple[str, ...] = ()

    # ------------------------------------------------------------------ what each exercise defines
    def case(self, **params) -> dict:
        """The case's inputs, as plain data, from its parameters (deterministic given ``seed``)."""
        return params

    def label(self, case: dict) -> str:
        """How messages name this case, e.g. 'grads_by_hand(2.0, 3.0, 1.0)'."""
        return f"{self.names[0]} ({', '.join(f'{k}={v}' for k, v in case.items() if k != 'seed')})"

    def run(self, case: dict, *answers) -> dict:
        """In the kernel: run the student's answer on ``case``; return {name: encode(value)}."""
        raise NotImplementedError

    def reference(self, case: dict) -> dict:
        """In the judge: the expected {name: encode(value)}, computed with torch (or trusted code)."""
        raise NotImplementedError

    def compare(self, case: dict, got: dict[str, Value], want: dict[str, Value]) -> None:
        """Raise :class:`CheckFailed` unless ``got`` (the student's) matches ``want`` (the reference)."""
        raise NotImplementedError

    def second_run(self, case: dict) -> bool:
        """Does ``case`` run in the do-it-yourself run too? (Cases that need torch itself do not.)"""
        return True

    # ------------------------------------------------------------------ shared machinery
    @property
    def answer(self) -> str:
        return self.names[0]

    @property
    def display_name(self) -> str:
        return _(self.title) if self.title else self.answer

    def run_safely(self, case: dict, answers: list) -> dict:
        """``run``, but whatever the student's code does, the result is plain data (errors included)."""
        main = answers[0]
        if main is MISSING:
            return {"__error__": {"kind": "error", "type": "NameError", "not_implemented": True, "where": None,
                                  "message": f"name '{self.answer}' is not defined"}}
        if not callable(main):  # described in the judge, in the language of the message
            return {"__not_callable__": encode(main)}
        try:
            data = self.run(case, *answers)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the student's code may raise anything, SystemExit included
            return {"__error__": encode_error(error)}
        return data

    def judge(self, case: dict, got_data: dict, want_data: dict) -> None:
        """Decode both sides and compare; a raised error or malformed data becomes a CheckFailed."""
        __tracebackhide__ = True
        if not isinstance(got_data, dict):
            raise CheckFailed(_("The answer's results could not be read."))
        if "__not_callable__" in got_data:
            what = describe(_read(got_data["__not_callable__"]))
            raise CheckFailed(_("`{name}` is {what}, not a function or class.").format(name=self.answer, what=what))
        if "__error__" in got_data:
            error = _read(got_data["__error__"])
            if error.kind != "error":
                raise CheckFailed(_("The answer's results could not be read."))
            failure = CheckFailed(self.raised(case, error))
            failure.not_attempted = bool(error.error["not_implemented"])
            raise failure
        got = {str(k): _read(v) for k, v in got_data.items()}
        want = {k: decode(v) for k, v in want_data.items()}
        for key, value in got.items():
            if value.kind == "error" and key in want:
                raise CheckFailed(self.raised(case, value))
        try:
            self.compare(case, got, want)
        except CheckFailed:
            raise
        except (KeyError, IndexError, TypeError, AttributeError, ValueError, ArithmeticError) as error:
            # results that do not have the shape run() gives them: forged, or mangled by the student's code
            raise CheckFailed(_("The answer's results could not be read ({error}).").format(
                error=f"{type(error).__name__}: {error}")) from None

    def raised(self, case: dict, error: Value) -> str:
        """The message for an answer that raised instead of returning."""
        e = error.error
        if e["type"] == "NameError" and e["message"] == f"name '{self.answer}' is not defined":
            return _("`{name}` is not defined: run the cell with your answer first.").format(name=self.answer)
        if e["not_implemented"]:
            return _("Not attempted yet: `{name}` still raises NotImplementedError. Write your answer in its "
                     "cell (in place of `raise NotImplementedError()`), run that cell, then run this one "
                     "again.").format(name=self.answer)
        return raised_message(self.label(case), e)

    # ------------------------------------------------------------------ in the student's kernel
    def check_cases(self, answers: tuple, params_list: list[dict]) -> None:
        """Run, reference and compare every case here (visible checks, and the instructor's preview)."""
        __tracebackhide__ = True
        for params in params_list:
            case = roundtrip(self.case(**params))
            got = roundtrip(self.run_safely(case, list(answers)))
            want = roundtrip(self.reference(case))
            self.judge(case, got, want)

    def __call__(self, *answers) -> None:
        """The visible check a test cell runs: every visible case, then one ✓ line."""
        __tracebackhide__ = True
        from ..kernel import warnings_to_stdout

        warnings_to_stdout()
        answers = self._complete(answers)
        try:
            self.check_cases(answers, self.visible)
        except CheckFailed as failure:
            labelled = CheckFailed(f"[{self.id}] {failure}")
            labelled.not_attempted = failure.not_attempted
            raise labelled from None
        print("✓ " + _("{id} `{name}`: all visible checks passed.").format(id=self.id, name=self.display_name))

    def hidden(self, *answers, repeat: int = 1, **params) -> None:
        """A hidden case, as the source notebook declares it: the judge draws it with fresh seeds; run
        directly (the instructor running the source notebook) it checks ``repeat`` cases here."""
        __tracebackhide__ = True
        answers = self._complete(answers)
        seed = params.pop("seed", 0)
        try:
            self.check_cases(answers, [dict(params, seed=seed + i) for i in range(repeat)])
        except CheckFailed as failure:
            raise CheckFailed(f"[{self.id}] " + _("(hidden check) {message}").format(message=failure)) from None

    def _complete(self, answers: tuple) -> tuple:
        """The answers a test cell passed, plus the other names of ``names`` from the notebook."""
        if len(answers) >= len(self.names):
            return tuple(answers)
        namespace = sys.modules["__main__"].__dict__
        return tuple(answers) + tuple(namespace.get(n, MISSING) for n in self.names[len(answers):])


# ---------------------------------------------------------------------------------------- registry
def register(cls):
    """Class decorator: make ``cls`` an exercise the harness and the judge can find by its id."""
    instance = cls()
    _REGISTRY[instance.id] = instance
    return instance


def _load_all() -> None:
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("ch") or info.name == "demo":
            importlib.import_module(f"{__package__}.{info.name}")


def get(exercise_id: str) -> Exercise:
    """The exercise with this grade_id ('ex2_1'); KeyError naming the known ids otherwise."""
    if exercise_id not in _REGISTRY:
        _load_all()
    try:
        return _REGISTRY[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; known: {sorted(_REGISTRY)}") from None


def of_chapter(chapter: str | None = None) -> list[Exercise]:
    """The exercises of ``chapter`` (all when None), in id order."""
    _load_all()
    found = [e for e in _REGISTRY.values() if chapter is None or e.chapter == chapter]
    return sorted(found, key=lambda e: tuple(int(p) if p.isdigit() else p for p in e.id[2:].split("_")))


def answers_from(namespace: dict[str, Any], exercise: Exercise) -> list:
    return [namespace.get(name, MISSING) for name in exercise.names]
