"""nbgrader configuration of the course (nbgrader's commands and formgrader read it; so does
`python -m autograder`). Run nbgrader from this folder, or pass `--CourseDirectory.root=course`."""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "autograd-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

from autograder.pipeline.nbgrader_plugins import (autograde_preprocessors, sanitize_preprocessors,  # noqa: E402
                                                  student_preprocessors)

# Student versions tag their test cells `raises-exception`: Run All goes past a blank exercise.
c.GenerateAssignment.preprocessors = student_preprocessors()
# `nbgrader autograde` and formgrader's Autograde button: submissions rebuilt around the instructor's copy,
# then graded by the sandbox and the judge, not in the student's kernel.
c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
c.Autograde.autograde_preprocessors = autograde_preprocessors()
c.JudgedExecute.cell_timeout = 120
c.JudgedExecute.memory_mb = 4096
# Formgrader and feedback render student outputs sanitized (a second layer after Neutralize).
c.HTMLExporter.sanitize_html = True
