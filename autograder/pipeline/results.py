"""What grading produces, as types: one ``Result`` per student and assignment (autograder.json).

Every command that reads grades (grade's summary, feedback, export, report, demo) reads these; the
file format is their JSON, written atomically next to the graded notebook.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

# A test's status: "passed", "failed", "not attempted", "not run", "missing", "unreadable" or "not judged".


@dataclass
class TestResult:
    """One test cell: its points and the judge's message."""

    notebook: str
    max_score: float
    score: float = 0.0
    status: str = "not run"
    message: str = ""
    judged: bool = True      # False: an exercise the judge does not know, scored by the kernel (stock nbgrader)


@dataclass
class Event:
    """Something that stopped a notebook: a timeout, a dead kernel, a memory or output limit."""

    notebook: str
    cell: str
    what: str
    detail: str


@dataclass
class Result:
    """The grading of one student's assignment."""

    student: str
    assignment: str
    hash: str = ""
    timestamp: str | None = None
    tests: dict[str, TestResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)          # what was restored (never a penalty)
    events: list[Event] = field(default_factory=list)
    flag_reasons: list[str] = field(default_factory=list)   # for the instructor's review
    sandbox: str | None = None                               # None: fully sandboxed; else why not
    kernels: str | None = None                               # None: forked from a zygote; else how they started
    seconds: float = 0.0
    seed: int | None = None                                   # drew the hidden cases (reproduces the run)
    in_gradebook: bool = False

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests.values())

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests.values())

    @property
    def flagged(self) -> bool:
        return bool(self.flag_reasons)

    def flag(self, reason: str) -> None:
        """Add a reason for review, once."""
        if reason not in self.flag_reasons:
            self.flag_reasons.append(reason)

    def to_json(self) -> str:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score, flagged=self.flagged)
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        data = {k: v for k, v in data.items() if k not in ("score", "max_score", "flagged")}
        data["tests"] = {k: TestResult(**v) for k, v in data.get("tests", {}).items()}
        data["events"] = [Event(**e) for e in data.get("events", [])]
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> "Result":
        return cls.from_dict(json.loads(text))
