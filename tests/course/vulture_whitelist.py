"""Names vulture cannot see used (make lint runs vulture over this file too), each with where it is used."""
_ = None

# autograder's API for notebooks: the test cells import check_exN_M; chapters call these in their cells
_.check_ex0_2  # the demo course's test cells
_.check_ex0_3  # the demo course's test cells
_.check_ex1_1
_.check_ex1_2
_.check_ex2_1
_.check_ex2_2
_.check_ex2_3
_.check_ex3_1
_.check_ex3_2
_.check_ex3_3
_.check_ex4_1
_.check_ex4_2
_.check_ex4_3
_.check_ex4_4
_.check_ex5_1
_.check_ex5_2
_.check_ex5_3
_.check_ex5_4
_.check_ex6_1
_.check_ex6_2
_.check_ex6_3
_.check_ex7_1
_.check_ex7_2
_.check_ex7_3
_.check_ex7_4
_.show_progress  # autograder.show_progress(...) and autograder.uses_your(...) in every chapter
_.uses_your  # autograder.show_progress(...) and autograder.uses_your(...) in every chapter
_.serve  # autograder.kernel.harness.serve: the code the judge runs in the kernel (judge.harness_code)
_.install  # autograder.kernel.probe.install: the grader's probe cell
_._render_traceback_  # IPython shows a failed check through it (expect.CheckFailed)
_._should_skip_dynamo  # torch's TorchDispatchMode asks its subclasses (ch05's operation recorder)
_.showwarning  # warnings.showwarning, replaced so that warnings print on stdout (kernel/__init__.py)
_.code_stub  # nbgrader's ClearSolutions.code_stub, a configuration attribute (tests/course/harness.py)
_.pytestmark  # pytest reads a module's pytestmark
