"""The judge: it decides every grade, outside the sandbox, without trusting anything from the kernel.

For each test cell of a notebook being graded, the judge

1. plans the cases: the exercise's visible cases, plus the hidden cases that the instructor's source
   notebook declares in the cell's hidden region (``check.hidden(answer, repeat=10, ...)``, read with
   ``ast``), each drawn with a fresh seed for this run (``plan``);
2. has the kernel run the student's answer on them: in place of the test cell, the kernel executes a
   call to ``autograder.kernel.harness.serve`` whose reply is plain data (``harness_code``,
   ``read_reply``);
3. computes the references itself, with its own torch, and compares (``decide``);
4. writes its verdict into the test cell (``verdict_outputs``): what the graded notebook, the
   gradebook (through nbgrader's ``determine_grade``), formgrader and the feedback show.

Hidden declarations and references never enter the kernel; the test cell's own code never runs
there either. A test cell of an exercise the judge does not know (an instructor's own assignment)
runs in the kernel as stock nbgrader would run it, and its result is marked as not judged.
"""
from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

import nbformat
import numpy as np

from .. import cells
from ..exercises import base
from ..exercises.expect import CheckFailed
from ..exercises.values import dumps
from ..i18n import N_, _, using
from ..kernel import REPLY_MIME

MAX_REPLY_BYTES = 64 << 20


@dataclass
class Task:
    """What the judge asks of one test cell."""

    test_id: str
    exercise: base.Exercise | None      # None: not an exercise the judge knows (runs in the kernel)
    cases: list = field(default_factory=list)
    visible: int = 0                    # the first ``visible`` cases are the visible ones
    max_points: float = 0.0
    kinds: tuple[int, ...] = ()         # the first case drawn from each hidden declaration


@dataclass
class Verdict:
    """The judge's decision on one test cell."""

    test_id: str
    score: float
    max_points: float
    status: str          # passed, failed, not attempted, not run, not judged
    message: str = ""
    cases: int = 0
    hidden: int = 0


def fresh(params: dict, rng: np.random.Generator) -> dict:
    """``params`` with a new random seed (the hidden cases of every grading run differ)."""
    return dict(params, seed=int(rng.integers(0, 2**31 - 1)))


DEFAULT_DELIMITERS = cells.Delimiters()


def plan(source_nb, *, seed: int | None = None, delimiters: cells.Delimiters = DEFAULT_DELIMITERS) -> dict[str, Task]:
    """The task of every test cell of ``source_nb`` (the instructor's notebook), by test grade_id.

    seed: draws the hidden cases (a fresh one per grading run when None). Raises
    cells.HiddenRegionError for a hidden region that is not a list of declarations.
    """
    rng = np.random.default_rng(secrets.randbits(63) if seed is None else seed)
    tasks = {}
    for cell in source_nb.cells:
        if not cells.is_test(cell):
            continue
        test_id = cells.grade_id(cell)
        try:
            exercise = base.get(cells.exercise_of(test_id))
        except KeyError:
            tasks[test_id] = Task(test_id, None, max_points=cells.points(cell))
            continue
        _, hidden = cells.split_hidden(cell.source, delimiters)
        params = [dict(p) for p in exercise.visible]
        visible, kinds = len(params), []
        for declaration in cells.hidden_cases(hidden):
            kinds.append(len(params))
            params += [fresh(declaration.params, rng) for _ in range(declaration.repeat)]
        tasks[test_id] = Task(test_id, exercise, [exercise.case(**p) for p in params], visible, cells.points(cell),
                              tuple(kinds))
    return tasks


def harness_code(task: Task, token: str) -> str:
    """The code the kernel runs in place of the test cell: the student's answer on every case."""
    payload = dumps(task.cases)
    return ("import autograder.kernel.harness as __autograder_harness\n"
            f"__autograder_harness.serve({task.exercise.id!r}, {token!r}, {payload!r})")


class Reason(str):
    """Why a reply holds no results: the text in the current language, which ``decide`` writes again in the
    notebook's language (``read_reply`` may run before the language is known)."""

    def __new__(cls, message: str, **params):
        self = super().__new__(cls, _(message).format(**params))
        self.message, self.params = message, params
        return self

    def translated(self) -> str:
        return _(self.message).format(**self.params)


def read_reply(outputs, token: str):
    """The kernel's reply to ``harness_code`` from the cell's outputs: a list of results, or a string
    (a :class:`Reason`) saying why there is none."""
    data = [o.get("data") for o in outputs if o.get("output_type") == "display_data"]
    texts = [d.get(REPLY_MIME) for d in data if isinstance(d, dict) and isinstance(d.get(REPLY_MIME), str)]
    if not texts:
        errors = [o for o in outputs if o.get("output_type") == "error"]
        if errors:
            return Reason(N_("the kernel could not run the check ({error})"),
                          error=f"{errors[0].get('ename')}: {errors[0].get('evalue')}"[:300])
        return Reason(N_("the kernel sent no results"))
    text = texts[-1]
    if len(text) > MAX_REPLY_BYTES:
        return Reason(N_("the kernel's reply was too large"))
    try:
        reply = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: '[' nested a hundred thousand times
        return Reason(N_("the kernel's reply was not readable"))
    if not isinstance(reply, dict) or reply.get("token") != token:
        return Reason(N_("the kernel's reply did not answer this check"))
    if "failure" in reply:
        return Reason(N_("the check could not run in the kernel: {failure}"), failure=str(reply["failure"])[:500])
    results = reply.get("results")
    if not isinstance(results, list):
        return Reason(N_("the kernel's reply was not readable"))
    return results


def decide(task: Task, reply, lang: str = "en") -> Verdict:
    """The verdict on ``task`` from the kernel's ``reply`` (see read_reply): references computed here."""
    with using(lang):
        return _decide(task, reply)


def _decide(task: Task, reply) -> Verdict:
    exercise = task.exercise
    n, hidden = len(task.cases), len(task.cases) - task.visible
    if isinstance(reply, str):
        why = reply.translated() if isinstance(reply, Reason) else reply
        return Verdict(task.test_id, 0.0, task.max_points, "failed", _("Not graded: {why}.").format(why=why), n, hidden)
    if len(reply) != n:
        return Verdict(task.test_id, 0.0, task.max_points, "failed", _("Not graded: the kernel's reply was "
                                                                       "incomplete."),
                       n, hidden)
    for i, (case, got) in enumerate(zip(task.cases, reply)):
        try:
            exercise.judge(case, got, reference(exercise, case))
        except CheckFailed as failure:
            text = str(failure)
            status = "not attempted" if failure.not_attempted else "failed"
            if i < task.visible:
                message = f"[{exercise.id}] " + _("Failed a visible check: {text}").format(text=text)
            else:
                message = f"[{exercise.id}] " + _("Failed a hidden check (inputs drawn for this grading run): "
                                                  "{text}").format(text=text)
            if status == "not attempted":
                message = f"[{exercise.id}] {text}"
            return Verdict(task.test_id, 0.0, task.max_points, status, message, n, hidden)
    message = "✓ " + _("{id} `{name}`: all {n} checks passed ({visible} visible, {hidden} hidden), judged outside "
                       "your kernel.").format(id=exercise.id, name=exercise.display_name, n=n, visible=task.visible,
                                             hidden=hidden)
    return Verdict(task.test_id, task.max_points, task.max_points, "passed", message, n, hidden)


_references: OrderedDict = OrderedDict()
REFERENCES_KEPT = 512


def reference(exercise: base.Exercise, case: dict) -> dict:
    """``exercise.reference(case)``, computed once per grading process: the visible cases are the same in
    every notebook, and a do-it-yourself run asks again for the cases its first run asked for. The
    most recent ``REFERENCES_KEPT`` are kept. The data is shared: ``Exercise.judge`` only decodes it."""
    key = (exercise.id, json.dumps(case, sort_keys=True))
    if key in _references:
        _references.move_to_end(key)
    else:
        _references[key] = exercise.reference(case)
        while len(_references) > REFERENCES_KEPT:
            _references.popitem(last=False)
    return _references[key]


def prepare(tasks: dict) -> None:
    """Compute the references of every case of ``tasks`` now, for ``decide`` to find: the grader does
    it while the kernel runs the notebook. A reference that fails here fails again in ``decide``, which
    says why."""
    for task in tasks.values():
        for case in task.cases if task.exercise is not None else ():
            try:
                reference(task.exercise, case)
            except Exception:  # noqa: BLE001, S112 -- decide computes it again and reports the error
                continue


def not_run(task: Task, why: str, lang: str = "en") -> Verdict:
    """The verdict on a test cell the kernel never reached (it died, or time ran out before it)."""
    with using(lang):
        return Verdict(task.test_id, 0.0, task.max_points, "not run", _("Not run: {why}.").format(why=why))


def verdict_outputs(verdict: Verdict) -> list:
    """The outputs the judge writes into the test cell (nbgrader scores them: an error means 0)."""
    if verdict.status == "passed":
        return [nbformat.v4.new_output("stream", name="stdout", text=verdict.message + "\n")]
    return [nbformat.v4.new_output("error", ename="AssertionError", evalue=verdict.message,
                                   traceback=[f"AssertionError: {verdict.message}"])]


def self_made_failure(first: Verdict, again: Verdict, switches: list[str], lang: str = "en") -> Verdict:
    """The verdict on an answer that passed only while torch / sympy / minigrad's engine were there."""
    with using(lang):
        names = ", ".join({"minigrad.engine": _("minigrad's backward engine")}.get(s, s) for s in switches)
        detail = again.message.split("] ", 1)[-1]
        message = _(
            "This exercise asks you to do the work yourself. Your answer passes while {names} are available, but "
            "in a second run without them it does not: {detail}").format(names=names, detail=detail)
        exercise_id = first.test_id.removesuffix("_tests")
        return Verdict(first.test_id, 0.0, first.max_points, "failed", f"[{exercise_id}] {message}", first.cases,
                       first.hidden)
