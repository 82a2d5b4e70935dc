"""nbgrader configuration of the course (nbgrader's commands and formgrader read it; so does
`python -m autograder`). nbgrader's commands need the course's virtual environment, from this folder:

    cd course && ../.venv/bin/nbgrader autograde 01_leaf_tensors      # or: source .venv/bin/activate

The gradebook is gradebook.db beside this file, unless the environment variable AUTOGRADER_DB gives
another (e.g. postgresql://grader@dbhost/autograd for a large class): formgrader, nbgrader and
`python -m autograder` then all use that database (`--db URL` overrides it for one command).
"""
import os
import sys

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "autograd-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = (os.environ.get("AUTOGRADER_DB")
                            or "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db"))
# nbgrader starts console scripts (alembic) as subprocesses: those of the Python running nbgrader.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
# The exchange (what formgrader calls "released") lives in the course: `python -m autograder release`
# publishes each chapter there, and formgrader finds a writable folder instead of /srv/nbgrader/exchange.
c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")

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
