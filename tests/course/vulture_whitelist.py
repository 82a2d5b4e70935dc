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

# the instructor's pipeline: names that argparse, nbgrader, nbconvert, jupyter_client or HTMLParser call
_.cmd_release  # cli.py: `python -m autograder COMMAND` calls cmd_<COMMAND>
_.cmd_collect
_.cmd_grade
_.cmd_feedback
_.cmd_export
_.cmd_report
_.cmd_demo
_._canvas  # collect.py: a layout's reader is found by its name, getattr(self, f"_{layout}")
_._moodle
_._blackboard
_._nested
_._folders
_.on_cell_executed  # execute.py: nbclient's hook
_.sanitize_html  # feedback.py: nbconvert's HTMLExporter option
_.auto_score  # grade.py: nbgrader's gradebook columns
_.needs_manual_grade
_.preprocessors  # release.py: nbgrader's GenerateAssignment option
_.format_kernel_cmd  # sandbox.py: jupyter_client's KernelManager hook
_.handle_starttag  # tests/pipeline: HTMLParser's callbacks
_.handle_data
_.client_class  # autograder/pipeline/sandbox.py: a traitlets setting jupyter_client's KernelManager reads
_.client_factory  # autograder/pipeline/sandbox.py: a traitlets setting jupyter_client's KernelManager reads
_.wait_for_ready  # autograder/pipeline/sandbox.py: nbclient calls the kernel client's wait_for_ready
