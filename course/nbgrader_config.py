"""nbgrader configuration for the course (run nbgrader, or `python -m autograder`, from this folder)."""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "autograd-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Student versions tag their test cells `raises-exception`: Run All goes past a blank exercise.
from autograder.release import student_preprocessors  # noqa: E402

c.GenerateAssignment.preprocessors = student_preprocessors()
