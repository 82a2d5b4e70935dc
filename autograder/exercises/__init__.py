"""The graded exercises: one module per chapter (ch01.py ... ch07.py, demo.py for the tiny course).

Each exercise is an :class:`~autograder.exercises.base.Exercise`: its cases, how the student's answer
runs on one (in the kernel), the reference (torch.autograd, in the judge) and the comparison with its
hints. This package runs in both places; see base.py for who calls what, values.py for the plain data
that crosses between them, and expect.py for the messages.
"""
from .base import Exercise, get, of_chapter, register  # noqa: F401
